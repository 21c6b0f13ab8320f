// --layout-series: the screenshot modes' layout check (--check-layout) at several window sizes
// and scales in one process, without a window, a display or any pixels.
#pragma once
#include <string>
#include <vector>

#include "gui/app.hpp"

namespace mailsim::gui {

struct AppState;

// A moment the layout is checked at: language, playback second, a name for messages.
struct LayoutMoment {
  std::string lang;
  double playback = 0.0;
  std::string name;  // "ja step 4", "en before step 2"
};
// Per language: the start, each reached story step and the moment half-way before it (packets
// in flight, their labels placed), half-way after the last step, the end; a lesson without a
// story has 8 moments spread over its playback instead of the steps.
std::vector<LayoutMoment> layout_moments(const AppState& app);

// Lays out every moment at every size (a fresh ImGui context per size) and checks each frame as
// --check-layout does. kGuiOk, kGuiLayoutProblem (problems on stderr, one block per moment) or
// the start-up's own codes (prepare_app).
int run_layout_series(const GuiOptions& options, const std::vector<LayoutSize>& sizes);

}  // namespace mailsim::gui
