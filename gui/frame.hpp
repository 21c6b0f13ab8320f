// One frame of the app: where the panels go, and the state derived from one run of a scenario.
#pragma once
#include <string>

#include "gui/app_state.hpp"
#include "sim/runner.hpp"

namespace mailsim::gui {

// Lays out and draws every panel for a window of w x h (logical pixels).
void draw_frame(AppState& app, float w, float h);

// The window's title: the lesson's title in the chosen language.
std::string window_title(const AppState& app);

// Everything the panels read is derived from one run of the scenario.
void install_run(AppState& app, const sim::RunResult& result);

}  // namespace mailsim::gui
