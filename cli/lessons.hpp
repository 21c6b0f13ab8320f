// The CLI's view of the lesson library (now in sim/lessons.hpp) and where the program's files are.
#pragma once
#include <filesystem>

#include "sim/scenario/lessons.hpp"

namespace mailsim::cli {

// The library lives in mailsim::sim so the desktop app lists lessons without the CLI.
using sim::find_scenario_dir;
using sim::Lesson;
using sim::list_lessons;
using sim::resolve_lesson;

// This program's executable (from /proc/self/exe, else argv[0]); empty when unknown.
std::filesystem::path executable_path(const char* argv0);

// The assets folder: EXE_DIR/../share/mailsim/assets, else the source tree's assets/.
std::filesystem::path find_assets_dir(const std::filesystem::path& executable);

}  // namespace mailsim::cli
