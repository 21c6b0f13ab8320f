// The panels of the main window; each draws its own empty state.
#pragma once
#include "gui/app_state.hpp"
#include "gui/export_files.hpp"

namespace mailsim::gui::panels {

// The strip at the top: what is happening now (later: the lesson's narration).
void narration(AppState& app);
// The network map with hosts, regions, links, moving packets, blocks and the legend.
void network_map(AppState& app);
// The post-office scene: the station of the current situation lit, with its explanation.
void analogy(AppState& app);
// The sequence diagram: a lane per host, arrows per packet and protocol line; click to seek.
void sequence(AppState& app);
// Play/pause, step, restart, scrubber, speed, language.
void time_controls(AppState& app);
// The tabs on the right.
void event_table(AppState& app);
void transcript(AppState& app);
void inspector(AppState& app);

// Windows over the layout, opened from the top bar (each returns at once when closed):
// the lesson picker (built-in lessons by group, their description, open a file) ...
void lessons(AppState& app);
// ... Compose (a new message from a device) and Check mail (a device fetches its mail).
void compose(AppState& app);
void check_mail(AppState& app);
// ... Export (gui/panels/export.cpp): the lesson as files; run_export is also the
// inspector's "Save as .eml".
void export_window(AppState& app);
void run_export(AppState& app, const ExportRequest& request);

// Keyboard shortcuts (space, arrows, Home, F1-F4 tabs, Ctrl+= / Ctrl+-).
void handle_keys(AppState& app);
// Moves the clock to the previous / next record.
void step_event(AppState& app, int direction);

}  // namespace mailsim::gui::panels
