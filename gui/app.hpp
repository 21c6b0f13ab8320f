// Entry point of the desktop app (the player of traces), called by `mailsim gui` and mailsim-gui.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/event_core.hpp"

namespace mailsim::gui {

struct AppState;

// A window size and UI scale the layout is checked at (--layout-series).
struct LayoutSize {
  int width = 1280, height = 720;
  float scale = 1.0f;
};

struct GuiOptions {
  std::string scenario_path;
  std::optional<sim::Time> at;            // start at this virtual time
  std::optional<int> narration_step;      // start at this narration step (when narration exists)
  std::optional<double> at_fraction;      // or at this fraction (0..1) of the playback (tests: start/middle/end)
  std::string screenshot_path;            // non-empty: render one frame to this PNG and exit
  // Non-empty: render the start, every narration step and the end (the middle too when the
  // lesson has no narration), in English and Japanese, to DIR/LANG-start.png,
  // LANG-step-01.png ..., LANG-end.png in one window, and exit (non-zero if a picture failed).
  std::string screenshot_series_dir;
  // With a screenshot mode: after each picture, check the layout (no text smaller than 14 px at
  // 1280x720, scaled; nothing on the map covers a host icon or other text); exit code 1 if not.
  bool check_layout = false;
  // Non-empty: no window, no pictures: lay out the series' moments (gui/layout_series.hpp) at each
  // of these sizes and check them as --check-layout does; exit code 1 on a problem.
  std::vector<LayoutSize> layout_series;
  int width = 1280, height = 720;
  std::string lang = "en";                // "en" or "ja"
  std::string tab;                        // tab shown first: events, sequence, transcript, inspector
  std::string show;                       // window open at the start: lessons, compose or check (docs)
  bool presenter = false;                 // the presenter layout: map, narration and scene only
  std::string challenge;                  // "predict", "detective" or "fix": start in that challenge mode
  std::string fix_try;                    // with --challenge fix: "1=3,2=2": those choices, then Try
  std::string student;                    // the student's name: their variant of the questions
  int packet = 0;                         // the Nth packet of the run opened in the Inspector (0: none)
  std::string select;                     // host id selected in the Inspector (shown with --tab inspector)
  // A stored message shown in the Inspector: its position among the run's messages (1 = the
  // first one met, as `mailsim gui --message 1`) or its Message-ID (with or without <>).
  // Opens the Inspector tab unless --tab says otherwise.
  std::string message;
  // UI scale; unset: the monitor's content scale (DPI) for the window, 1 for screenshots.
  std::optional<float> ui_scale;
  // With --show export: Export buttons pressed in the first frame (pcapng, pcap, svg, map, eml,
  // mbox), writing into export_dir (empty: the default folder). For tests and scripted exports.
  std::vector<std::string> export_press;
  std::string export_dir;
  // Called once a frame before it is drawn, e.g. by `mailsim bridge --gui` to poll the bridge and
  // install the growing trace (cli/bridge_command.cpp). Must never block; false closes the window.
  std::function<bool(AppState&)> each_frame;
};

// Exit codes of run_gui.
constexpr int kGuiOk = 0;
constexpr int kGuiLayoutProblem = 1;  // --check-layout found text too small or text covering something
constexpr int kGuiBadInput = 2;   // scenario missing/invalid, bad option, PNG not written
constexpr int kGuiNoDisplay = 3;  // no display (or no OpenGL context could be made)

// Runs the window until it is closed (or renders one screenshot). Messages go to stderr.
int run_gui(const GuiOptions& options);

}  // namespace mailsim::gui
