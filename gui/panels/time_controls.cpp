// Time controls: play/pause, previous/next event, restart, scrubber, speed, language; keys.
#include <cmath>
#include <cstdio>

#include <GLFW/glfw3.h>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"

namespace mailsim::gui::panels {

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
    if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)) scale += 0.1f;
    if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)) scale -= 0.1f;
    if (ImGui::IsKeyPressed(GLFW_KEY_0)) scale = 1.0f;
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
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) app.switch_to_tab = Tab::Events;
  if (ImGui::IsKeyPressed(GLFW_KEY_F2, false)) app.switch_to_tab = Tab::Sequence;
  if (ImGui::IsKeyPressed(GLFW_KEY_F3, false)) app.switch_to_tab = Tab::Transcript;
  if (ImGui::IsKeyPressed(GLFW_KEY_F4, false)) app.switch_to_tab = Tab::Inspector;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) {
    app.seek(0.0);
    app.playing = false;
  }
}

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
