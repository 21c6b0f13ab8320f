// Narration strip: the current record's summary in large type (the lesson's narration later).
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"

namespace mailsim::gui::panels {

void narration(AppState& app) {
  const auto& recs = app.model.records();
  if (!app.fonts.japanese && app.lang == "ja") {
    // Shown in English: without the font Japanese would be unreadable boxes.
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kBlock)));
    ImGui::TextWrapped("%s", app.en.get("font.missing").c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PushFont(app.fonts.large);
  std::string text;
  std::string stamp;
  if (recs.empty()) {
    text = app.tr("events.empty");
  } else if (!app.view.current) {
    text = app.tr("narration.start");
  } else {
    const auto& r = recs[*app.view.current];
    stamp = sim::format_time(r.time);
    text = r.summary;
    if (r.kind == sim::RecordKind::Action && r.event == "start") text = r.summary;
  }
  if (!stamp.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
    ImGui::TextUnformatted(stamp.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopFont();
}

}  // namespace mailsim::gui::panels
