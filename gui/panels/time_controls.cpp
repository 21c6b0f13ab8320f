// Time controls: play/pause, previous/next event, restart, scrubber (with a marker per
// narration step), speed, language; keys.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include <GLFW/glfw3.h>

#include "gui/model/line_break.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"

namespace mailsim::gui::panels {

namespace {

constexpr unsigned kMarkInk = 0x0B5394;  // narration step markers (as the strip's step label)

// Moves the clock to the previous / next narration step (lessons with narration).
void step_story(AppState& app, int direction) {
  const StepTimeline steps(app.narration, app.model);
  const auto target = direction > 0 ? steps.next_target(app.playback) : steps.previous_target(app.playback);
  if (!target) return;
  app.seek(*target);
  app.playing = false;
}

// "Step 4 of 11: ..." wrapped for a tooltip (our own breaks: Japanese has no spaces).
std::string step_tooltip(const AppState& app, std::size_t step, std::size_t total) {
  std::string text = format_text(app.tr("narration.step"), {{"n", std::to_string(step + 1)}, {"total", std::to_string(total)}});
  if (step < app.scenario.narration.size()) {
    text += "\n" + app.scenario.narration[step].text(app.japanese() ? "ja" : "en");
  }
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize();
  const auto lines = break_lines(text, size * 26.0f, [&](std::string_view s) {
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
  });
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

void step_event(AppState& app, int direction) {
  const auto& recs = app.model.records();
  if (recs.empty()) return;
  app.playing = false;
  const auto cur = app.model.record_at_playback(app.playback);
  if (direction > 0) {
    const std::size_t next = cur ? *cur + 1 : 0;
    if (next < recs.size()) app.seek(app.model.playback_of_record(next));
  } else if (cur) {
    if (*cur == 0) {
      app.seek(0.0);
    } else {
      app.seek(app.model.playback_of_record(*cur - 1));
    }
  }
}

void handle_keys(AppState& app) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl) {
    float scale = app.ui_scale;
    // Ctrl+; is where '+' is on a Japanese keyboard.
    if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD) ||
        ImGui::IsKeyPressed(GLFW_KEY_SEMICOLON)) {
      scale += 0.1f;
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)) scale -= 0.1f;
    if (ImGui::IsKeyPressed(GLFW_KEY_0) || ImGui::IsKeyPressed(GLFW_KEY_KP_0)) scale = 1.0f;
    scale = std::clamp(std::round(scale * 10.0f) / 10.0f, 0.6f, 2.5f);
    if (scale != app.ui_scale) {
      app.ui_scale = scale;
      app.rebuild_fonts = true;
    }
  }
  if (io.WantTextInput) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
    if (app.playback >= app.model.pace().duration()) app.seek(0.0);
    app.playing = !app.playing;
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) step_event(app, +1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) step_event(app, -1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown)) || ImGui::IsKeyPressed(GLFW_KEY_RIGHT_BRACKET)) {
    step_story(app, +1);
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp)) || ImGui::IsKeyPressed(GLFW_KEY_LEFT_BRACKET)) {
    step_story(app, -1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) app.switch_to_tab = Tab::Events;
  if (ImGui::IsKeyPressed(GLFW_KEY_F2, false)) app.switch_to_tab = Tab::Sequence;
  if (ImGui::IsKeyPressed(GLFW_KEY_F3, false)) app.switch_to_tab = Tab::Transcript;
  if (ImGui::IsKeyPressed(GLFW_KEY_F4, false)) app.switch_to_tab = Tab::Inspector;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) {
    app.seek(0.0);
    app.playing = false;
  }
}

namespace {

// A marker per narration step on the scrubber just drawn (a tick at its top and bottom edges,
// clear of the time label): hovering shows the step's text, clicking one seeks to it.
void scrubber_marks(AppState& app, double duration) {
  const StepTimeline steps(app.narration, app.model);
  if (steps.empty() || duration <= 0.0) return;
  const ImVec2 a = ImGui::GetItemRectMin();
  const ImVec2 b = ImGui::GetItemRectMax();
  // Where ImGui's slider puts the grab's centre for a value (1.86: 2 px padding, grab of GrabMinSize).
  const float grab = ImGui::GetStyle().GrabMinSize;
  const float x0 = a.x + 2.0f + grab * 0.5f;
  const float span = std::max(1.0f, b.x - a.x - 4.0f - grab);
  const float h = b.y - a.y;
  const float half = std::max(3.0f, h * 0.2f);
  const auto in_force = steps.mark_at(app.playback);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool over = !app.headless && mouse.y >= a.y && mouse.y <= b.y && mouse.x >= a.x && mouse.x <= b.x;
  std::optional<std::size_t> hovered;
  float best = half + 2.0f;
  for (std::size_t k = 0; k < steps.marks().size(); ++k) {
    const auto& m = steps.marks()[k];
    const float x = std::floor(x0 + span * static_cast<float>(std::clamp(m.playback / duration, 0.0, 1.0))) + 0.5f;
    const bool now = in_force && *in_force == k;
    const ImU32 col = theme::rgb(kMarkInk, now ? 255u : 170u);
    dl->AddTriangleFilled(ImVec2(x - half, a.y), ImVec2(x + half, a.y), ImVec2(x, a.y + half * 1.3f), col);
    dl->AddTriangleFilled(ImVec2(x - half, b.y), ImVec2(x + half, b.y), ImVec2(x, b.y - half * 1.3f), col);
    if (over && std::abs(mouse.x - x) < best) {
      best = std::abs(mouse.x - x);
      hovered = k;
    }
  }
  if (!hovered) return;
  const auto& m = steps.marks()[*hovered];
  ImGui::SetTooltip("%s", step_tooltip(app, m.step, steps.total()).c_str());
  // A click on a marker goes exactly to its step (the slider alone would land near it).
  if (ImGui::IsItemActive() && !ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    app.seek(m.playback);
    app.playing = false;
  }
}

}  // namespace

void time_controls(AppState& app) {
  const auto& recs = app.model.records();
  const double duration = app.model.pace().duration();
  const float button_w = ImGui::GetFontSize() * 5.0f;

  if (ImGui::Button(app.tr("ctl.restart"), ImVec2(button_w, 0))) {
    app.seek(0.0);
    app.playing = false;
  }
  ImGui::SameLine();
  if (ImGui::Button(app.tr("ctl.prev"), ImVec2(button_w, 0))) step_event(app, -1);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.0f, 0.447f, 0.698f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.1f, 0.52f, 0.78f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  if (ImGui::Button(app.playing ? app.tr("ctl.pause") : app.tr("ctl.play"), ImVec2(button_w * 1.2f, 0))) {
    if (!app.playing && app.playback >= duration) app.seek(0.0);
    app.playing = !app.playing;
  }
  ImGui::PopStyleColor(3);
  ImGui::SameLine();
  if (ImGui::Button(app.tr("ctl.next"), ImVec2(button_w, 0))) step_event(app, +1);
  ImGui::SameLine();

  // The scrubber runs on playback time, labelled with virtual time.
  const std::string label = sim::format_time(app.view.time);
  float p = static_cast<float>(app.playback);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
  if (ImGui::SliderFloat("##scrub", &p, 0.0f, static_cast<float>(std::max(duration, 0.001)), label.c_str(),
                         ImGuiSliderFlags_NoRoundToFormat)) {
    app.seek(static_cast<double>(p));
  }
  scrubber_marks(app, duration);

  // Second row: where we are, speed, language, keys.
  const auto cur = app.view.current;
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s %s   %s %zu %s %zu", app.tr("ctl.time"), label.c_str(), app.tr("ctl.event"),
              cur ? *cur + 1 : 0, app.tr("ctl.of"), recs.size());
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::TextUnformatted(app.tr("ctl.speed"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.0f);
  ImGui::SliderFloat("##speed", &app.speed, 0.1f, 20.0f, "%.1fx", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::TextUnformatted(app.tr("ctl.language"));
  ImGui::SameLine();
  if (ImGui::RadioButton("English", app.lang == "en")) app.lang = "en";
  ImGui::SameLine();
  // The button's own label is Japanese only when the glyphs exist.
  if (ImGui::RadioButton(app.fonts.japanese ? "日本語" : "Japanese", app.lang == "ja")) app.lang = "ja";
  if (!app.headless) {
    ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
    ImGui::TextDisabled("%s", app.tr("ctl.keys"));
  }
}

}  // namespace mailsim::gui::panels
