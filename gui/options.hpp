// The desktop app's command line, defined once for `mailsim gui` and the mailsim-gui program.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "gui/app.hpp"

namespace CLI {
class App;
}

namespace mailsim::gui {

// Limits of the values the options take (run_gui checks the same ranges).
inline constexpr int kMinWidth = 320, kMinHeight = 240, kMaxSide = 16384;
inline constexpr float kMinScale = 0.5f, kMaxScale = 3.0f;
inline constexpr std::size_t kMaxLayoutSizes = 16;  // --layout-series

// Adds the optional SCENARIO argument and every option of the app (--at, --step, --screenshot,
// --screenshot-series, --size, --lang, --scale, --tab, --show, --select, --message) to `app`, a
// program or a subcommand, with their help texts and a footer. Parsing fills `out`; every value
// that can be judged without the scenario (a time or share, a size, a language, a tab, a window,
// a scale, a step number) is checked by CLI11, so a bad one fails the parse naming the option.
// `out.scenario_path` receives what was typed (a file or a lesson name; empty: none).
void add_gui_options(CLI::App& app, GuiOptions& out);

// Turns what was typed as SCENARIO into a file: an existing file as it is, a lesson name looked
// up in `lessons` (exact, GROUP/NAME or a unique prefix), nothing -> the whole journey of a
// letter. False with a message when nothing fits.
bool resolve_gui_scenario(GuiOptions& options, const std::filesystem::path& lessons, std::string& error);

// Parses a window size "WIDTHxHEIGHT" within the limits above; false with a reason otherwise.
bool parse_window_size(const std::string& text, int& width, int& height, std::string& why);

// Parses --layout-series: "1024x640,1280x720@1.5" (each a window size, optionally @ a UI scale).
bool parse_layout_sizes(const std::string& text, std::vector<LayoutSize>& out, std::string& why);

// Parses --at: a virtual time ("1.5s", "250ms") into `at`, or a share of the playback
// ("50%", 0% to 100%) into `fraction`; false with a reason otherwise.
bool parse_start_moment(const std::string& text, GuiOptions& out, std::string& why);

}  // namespace mailsim::gui
