// Narration strip: the most recent meaningful step in large type, and the packet on the wire
// in words (the lesson's own narration later).
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
  std::string text;
  std::string stamp;
  std::string wire;  // the packet of the moment, in words
  if (recs.empty()) {
    text = app.tr("events.empty");
  } else if (!app.view.current) {
    text = app.tr("narration.start");
  } else {
    const auto& cur = recs[*app.view.current];
    const auto meaningful = app.story.meaningful_at(app.view.current);
    const auto& shown = meaningful ? recs[*meaningful] : cur;
    stamp = sim::format_time(shown.time);
    text = shown.summary;
    if (cur.kind == sim::RecordKind::Packet) {
      wire = packet_sentence(describe_packet(cur), app.strings(), [&](const std::string& id) { return app.host_name(id); });
    }
    // Scripted lines carry their escaped line ending; people do not need to see it.
    for (const char* tail : {"\\r\\n", "\\n"}) {
      const std::string t(tail);
      if (text.size() > t.size() && text.compare(text.size() - t.size(), t.size(), t) == 0) text.resize(text.size() - t.size());
    }
    if (!meaningful) text = wire.empty() ? cur.summary : wire;
    if (!meaningful) wire.clear();
  }
  ImGui::PushFont(app.fonts.large);
  if (!stamp.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
    ImGui::TextUnformatted(stamp.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  // One line of large type; the full text is in the tooltip and the event table.
  const float avail = ImGui::GetContentRegionAvail().x;
  std::string line = text;
  if (ImGui::CalcTextSize(line.c_str()).x > avail) {
    while (!line.empty() && ImGui::CalcTextSize((line + "...").c_str()).x > avail) {
      line.pop_back();
      while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80) line.pop_back();
      if (!line.empty() && static_cast<unsigned char>(line.back()) >= 0xC0) line.pop_back();
    }
    line += "...";
  }
  ImGui::TextUnformatted(line.c_str());
  if (!app.headless && line != text && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text.c_str());
  ImGui::PopFont();
  if (!wire.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
    ImGui::Text("%s: %s", app.tr("narration.packet"), wire.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace mailsim::gui::panels
