// One frame of the app: the panel layout (narration on top, map and post-office scene on the
// left, tabs on the right, time controls below) and installing a run's derived state.
#include "gui/frame.hpp"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "gui/panels/panels.hpp"

namespace mailsim::gui {

namespace {

constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                         ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;

}  // namespace

void draw_frame(AppState& app, float w, float h) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float fs = ImGui::GetFontSize();
  const float large = app.fonts.large ? app.fonts.large->FontSize : fs * 1.3f;
  float narration_h = large + fs + style.WindowPadding.y * 2.0f + style.ItemSpacing.y + 4.0f;
  if (app.lang == "ja" && !app.fonts.japanese) narration_h += fs * 2.6f;
  const float controls_h = ImGui::GetFrameHeight() * 2.0f + style.ItemSpacing.y + style.WindowPadding.y * 2.0f;
  const float main_h = std::max(100.0f, h - narration_h - controls_h);
  const float map_w = std::floor(w * 0.58f);
  // The left column: the network map above the post-office scene (the same left-to-right flow).
  const float analogy_h = std::floor(std::clamp(main_h * 0.36f, std::min(main_h * 0.5f, 180.0f), 290.0f));
  const float map_h = main_h - analogy_h;

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, narration_h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(1.0f, 0.98f, 0.90f, 1.0f));
  if (ImGui::Begin("##narration", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar)) panels::narration(app);
  ImGui::End();
  ImGui::PopStyleColor();

  ImGui::SetNextWindowPos(ImVec2(0, narration_h));
  ImGui::SetNextWindowSize(ImVec2(map_w, map_h));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  if (ImGui::Begin("##map", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    panels::network_map(app);
  }
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, narration_h + map_h));
  ImGui::SetNextWindowSize(ImVec2(map_w, analogy_h));
  if (ImGui::Begin("##analogy", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    panels::analogy(app);
  }
  ImGui::End();
  ImGui::PopStyleVar();

  ImGui::SetNextWindowPos(ImVec2(map_w, narration_h));
  ImGui::SetNextWindowSize(ImVec2(w - map_w, main_h));
  if (ImGui::Begin("##side", nullptr, kPanelFlags)) {
    if (ImGui::BeginTabBar("##tabs")) {
      auto flag = [&](Tab t) {
        return app.switch_to_tab == t ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
      };
      if (ImGui::BeginTabItem(app.tr("panel.events"), nullptr, flag(Tab::Events))) {
        panels::event_table(app);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.sequence"), nullptr, flag(Tab::Sequence))) {
        panels::sequence(app);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.transcript"), nullptr, flag(Tab::Transcript))) {
        ImGui::BeginChild("##transcript_scroll");
        panels::transcript(app);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.inspector"), nullptr, flag(Tab::Inspector))) {
        panels::inspector(app);
        ImGui::EndTabItem();
      }
      app.switch_to_tab.reset();
      ImGui::EndTabBar();
    }
  }
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(0, narration_h + main_h));
  ImGui::SetNextWindowSize(ImVec2(w, h - narration_h - main_h));
  if (ImGui::Begin("##controls", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar)) panels::time_controls(app);
  ImGui::End();
}

std::string window_title(const AppState& app) { return app.title() + " - mailsim"; }

// Everything the panels read is derived from one run of the scenario.
void install_run(AppState& app, const sim::RunResult& result) {
  app.model = TraceModel(app.scenario, result.trace);
  app.story = StoryIndex(app.model);
  app.sequence = build_sequence(app.model);
  app.narration = result.narration;
}

}  // namespace mailsim::gui
