// Challenge mode: playback stops before each story step and asks what happens next (the
// questions of sim/quiz); right or wrong with the step's explanation, the score at the end.
#include <algorithm>
#include <string>

#include <imgui.h>

#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {

// The questions for the run and language on screen (made again when either changes).
void prepare(AppState& app) {
  auto& c = app.challenge;
  if (c.run == app.run_serial && c.lang == app.lang && !c.questions.empty()) return;
  sim::RunResult shown;
  shown.narration = app.narration;
  c.questions = sim::make_quiz(app.scenario, shown, app.lang, c.seed);
  if (c.run != app.run_serial) c.chosen.clear();  // another run: start afresh (a language switch keeps the answers)
  c.chosen.resize(c.questions.size());
  c.run = app.run_serial;
  c.lang = app.lang;
  c.asking.reset();
  c.revealed = false;
}

}  // namespace

void challenge_guard(AppState& app) {
  auto& c = app.challenge;
  if (!c.active) {
    c.last_playback = app.playback;
    return;
  }
  prepare(app);
  const StepTimeline steps(app.narration, app.model);
  if (!c.asking) {
    if (const auto due = question_due(c, steps, c.last_playback, app.playback)) {
      // Stop just before the step: the student answers first, then sees it happen.
      const auto at = steps.playback_of_step(c.questions[*due].step);
      app.playback = std::max(0.0, *at - 1e-6);
      app.playing = false;
      app.view = app.model.view_at_playback(app.playback);
      c.asking = due;
      c.revealed = false;
    }
  }
  c.last_playback = app.playback;
}

void challenge(AppState& app) {
  auto& c = app.challenge;
  if (!c.active || !c.asking || *c.asking >= c.questions.size()) return;
  const auto& q = c.questions[*c.asking];
  const float fs = ImGui::GetFontSize();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.45f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(display.x - 40.0f, fs * 36.0f), 0.0f), ImGuiCond_Always);
  const std::string title = format_text(app.tr("challenge.title"), {{"n", std::to_string(*c.asking + 1)},
                                                                     {"total", std::to_string(c.questions.size())}}) +
                            "###challenge";
  if (!ImGui::Begin(title.c_str(), nullptr,
                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                        ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::End();
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("%s", app.tr("challenge.so_far"));
  ImGui::TextUnformatted(q.context.c_str());
  ImGui::Spacing();
  ImGui::PushFont(app.fonts.large);
  ImGui::TextUnformatted(q.prompt.c_str());
  ImGui::PopFont();
  std::optional<std::size_t> chosen;
  if (*c.asking < c.chosen.size()) chosen = c.chosen[*c.asking];
  for (std::size_t o = 0; o < q.options.size(); ++o) {
    const std::string label = std::to_string(o + 1) + ") " + q.options[o];
    const bool right = o == q.answer;
    if (c.revealed && (right || (chosen && *chosen == o))) {
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::rgb(right ? 0xBFE5C8 : 0xF6C6C0)));
      ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::rgb(right ? 0xBFE5C8 : 0xF6C6C0)));
    }
    const bool clicked = ImGui::Button(label.c_str(), ImVec2(-1.0f, 0.0f));
    if (c.revealed && (right || (chosen && *chosen == o))) ImGui::PopStyleColor(2);
    if (clicked && !c.revealed) c.answer(o);
  }
  if (c.revealed && chosen) {
    ImGui::Spacing();
    const bool ok = *chosen == q.answer;
    ImGui::TextUnformatted(app.tr(ok ? "challenge.right" : "challenge.wrong"));
    ImGui::TextUnformatted(q.explanation.c_str());
    ImGui::TextDisabled("%s", format_text(app.tr("challenge.score"), {{"score", std::to_string(c.score())},
                                                                      {"answered", std::to_string(c.answered())},
                                                                      {"total", std::to_string(c.questions.size())}})
                                  .c_str());
    if (ImGui::Button(app.tr("challenge.continue"))) {
      // Show the step the question was about, and go on playing.
      const StepTimeline steps(app.narration, app.model);
      if (const auto at = steps.playback_of_step(q.step)) app.seek(*at);
      c.last_playback = app.playback;
      c.asking.reset();
      c.revealed = false;
      app.playing = !app.headless;
    }
  }
  ImGui::PopTextWrapPos();
  ImGui::End();
}

}  // namespace mailsim::gui::panels
