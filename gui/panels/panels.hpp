// The panels of the main window; each draws its own empty state.
#pragma once
#include "gui/app_state.hpp"
#include "gui/export_files.hpp"

struct GLFWwindow;  // GLFW's window (gui/app.cpp owns it)

namespace mailsim::gui::panels {

// The smallest type any panel uses for something a class must read: 14 px at the 1280x720
// picture (scale 1), growing with the text scale. What does not fit at that size is left
// out (its words in a tooltip, the Inspector or a legend), never set smaller.
constexpr float kMinTextPx = 14.0f;
inline float min_text(const AppState& app, float fs) { return fs < kMinTextPx * app.text_scale() ? fs : kMinTextPx * app.text_scale(); }

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

// Challenge mode (the toolbar's Challenge button): before each story step playback stops and
// the question window asks what happens next. The guard runs first in a frame.
void challenge_guard(AppState& app);
void challenge(AppState& app);

// Challenge mode (c), fix the broken setup (the toolbar's Fix it, `--challenge fix`): the lesson's
// changeable settings with their values, Try (the lesson re-run with the changes, through the
// session like Compose), the completion as a bar and the goals that still fail.
void fix_window(AppState& app);

// Keyboard shortcuts (space, arrows, Home, F1-F4 tabs, Ctrl+= / Ctrl+-), from the presses
// queued since the last frame (install_key_queue), so a tap shorter than a frame still counts.
void handle_keys(AppState& app);
// Queues the window's key presses in app.keys (call before ImGui's GLFW backend installs its
// callbacks: it then passes every key on to this one).
void install_key_queue(GLFWwindow* window, AppState& app);
// Moves the clock to the previous / next record.
void step_event(AppState& app, int direction);

}  // namespace mailsim::gui::panels
