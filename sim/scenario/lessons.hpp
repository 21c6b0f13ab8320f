// The built-in lesson library: where it is installed, listing it, and finding a lesson by name.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

struct Lesson {
  std::string name;   // file stem: "op25b-submission"
  std::string group;  // folder: "mail"
  std::filesystem::path file;
  Localized title;
  Localized description;  // what it shows, what to notice, a question (may be empty)
  // Its place in the teaching order (curriculum.jsonc): the chapter's title and number (from
  // 0) and the position in the whole list; a lesson the curriculum does not name has no
  // chapter (chapter_index -1) and comes after the others.
  Localized chapter;
  int chapter_index = -1;
  int order = -1;
};

// The teaching order read from DIR/curriculum.jsonc (JSON, comments allowed; not a .json file so
// that nothing takes it for a lesson): {"chapters": [{"title": {"en", "ja"},
// "lessons": ["GROUP/NAME", ...]}, ...]}. Empty when the file is missing or unreadable.
struct Chapter {
  Localized title;
  std::vector<std::string> lessons;  // GROUP/NAME
};
std::vector<Chapter> read_curriculum(const std::filesystem::path& dir);

// The lessons folder: $MAILSIM_SCENARIOS, EXE_DIR/../share/mailsim/scenarios (installed),
// else the source tree's scenarios/. Empty when none exists. Used by `mailsim` and the app.
std::filesystem::path find_scenario_dir(const std::filesystem::path& executable);

// Every lesson under `dir` (GROUP/NAME.json, schema files skipped), in
// teaching order: the curriculum's lessons first, in its order, then any others by group and
// name. A lesson whose title cannot be read is still listed, with its name as the title.
std::vector<Lesson> list_lessons(const std::filesystem::path& dir);

// Resolves what the user typed after `mailsim run`: an existing file is used as it is; a
// word without '/' and ".json" is a lesson name (exact, GROUP/NAME, or a unique prefix).
// On failure returns nullopt with a message (with a did-you-mean when one is close).
std::optional<std::filesystem::path> resolve_lesson(const std::string& arg, const std::filesystem::path& dir,
                                                    std::string& error);

}  // namespace mailsim::sim
