// One frame of the app: where the panels go, and the state derived from one run of a scenario.
#pragma once
#include <string>
#include <string_view>

#include "gui/app_state.hpp"
#include "sim/scenario/runner.hpp"

namespace mailsim::gui {

// Lays out and draws every panel for a window of w x h (logical pixels).
void draw_frame(AppState& app, float w, float h);

// The window's title: the lesson's title in the chosen language.
std::string window_title(const AppState& app);

// `text` cut to `width` pixels of the current font, ending in "..." (whole UTF-8 characters).
std::string fit_text(std::string text, float width);
// The same in `font` at `size`.
std::string fit_text(ImFont* font, float size, std::string text, float width);

// `text` cut after a whole word to fit (at a space, after '.', '-', '/', '@', between Japanese
// phrases: after 、。 and closing brackets, before an opening one, where hiragana meets a word), ending in "..."; empty when not even its first
// word fits. For names on the map: "mx1.hogehoge..." reads as a shortened name, "mx1.hog..." as
// a misspelt one (issue 18: nothing cut mid-word).
std::string fit_words(ImFont* font, float size, const std::string& text, float width);

// Text wrapped to the space left on the line, broken between words in English and between
// characters in Japanese (ImGui's own wrapping only breaks at spaces).
void text_wrapped(std::string_view text);

// Everything the panels read is derived from one run of the scenario.
void install_run(AppState& app, const sim::RunResult& result);

// ---- the session: lessons, Compose, Check mail (gui/model/session.hpp) ----

// Makes the session hold the scenario the app shows (loading its file once); false (with the
// loader's messages in `error`) when the file cannot be read again.
bool ensure_session(AppState& app, std::string& error);
// Opens a scenario file (a lesson or any file) from the start. On failure nothing changes
// and `error` holds the loader's messages.
bool open_scenario(AppState& app, const std::string& path, std::string& error);
// Runs the command at the moment shown, re-runs, and continues from the same moment (the
// status line says what happened). On refusal `error` says why and nothing changes.
bool run_command(AppState& app, const ComposeCommand& command, std::string& error);
bool run_command(AppState& app, const CheckMailCommand& command, std::string& error);
// Challenge mode (c): the lesson re-run with the fix settings as chosen (app.fix.chosen), shown
// at its end and graded; the try is counted. On refusal `error` says why and nothing changes.
bool run_fix_try(AppState& app, std::string& error);
// Opens (or closes) the fix challenge for the lesson on screen: the choices start at the world's
// own values and the lesson as written is graded (not a try). False when it has no "fix" block.
bool start_fix(AppState& app, bool on);
// Takes back the last user action / all of them, staying at the same moment.
void undo_action(AppState& app);
void reset_actions(AppState& app);

}  // namespace mailsim::gui
