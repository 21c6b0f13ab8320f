// The panels of the main window; each draws its own empty state.
#pragma once
#include "gui/app_state.hpp"

namespace mailsim::gui::panels {

// The strip at the top: what is happening now (later: the lesson's narration).
void narration(AppState& app);
// The network map with hosts, regions, links, moving packets, blocks and the legend.
void network_map(AppState& app);
// Play/pause, step, restart, scrubber, speed, language.
void time_controls(AppState& app);
// The tabs on the right.
void event_table(AppState& app);
void transcript(AppState& app);
void inspector(AppState& app);

// Keyboard shortcuts (space, arrows, Ctrl+= / Ctrl+-).
void handle_keys(AppState& app);
// Moves the clock to the previous / next record.
void step_event(AppState& app, int direction);

}  // namespace mailsim::gui::panels
