// Event table: every record (time, host, peer, kind, summary) with a filter; click to seek.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"

namespace mailsim::gui::panels {

namespace {
bool contains_folded(const std::string& hay, const std::string& needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}
}  // namespace

void event_table(AppState& app) {
  const auto& recs = app.model.records();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("events.filter"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::InputTextWithHint("##filter", app.tr("events.filter_hint"), &app.filter);
  if (recs.empty()) {
    ImGui::TextWrapped("%s", app.tr("events.empty"));
    return;
  }
  // The rows that pass the filter (cheap enough per frame for classroom traces; large
  // traces are filtered only when the filter is not empty).
  std::vector<std::size_t> rows;
  const bool filtering = !app.filter.empty();
  if (filtering) {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (contains_folded(r.summary, app.filter) || contains_folded(r.host, app.filter) ||
          contains_folded(r.peer, app.filter) || contains_folded(std::string(sim::to_string(r.kind)), app.filter) ||
          contains_folded(r.event, app.filter)) {
        rows.push_back(i);
      }
    }
    if (rows.empty()) {
      ImGui::TextWrapped("%s", app.tr("events.no_match"));
      return;
    }
  }
  const std::size_t count = filtering ? rows.size() : recs.size();
  const auto cur = app.view.current;
  const bool follow = cur != app.scrolled_to;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  // Column widths from the content: hosts by their display name when it is short enough,
  // else by their id (always shorter); the summary takes the rest.
  const float fs = ImGui::GetFontSize();
  const float table_w = ImGui::GetContentRegionAvail().x;
  const float host_cap = std::max(fs * 6.5f, table_w * 0.19f);
  float host_w = ImGui::CalcTextSize(app.tr("col.host")).x;
  for (const auto& h : app.model.layout().hosts()) {
    const float name_w = ImGui::CalcTextSize(app.host_name(h.id).c_str()).x;
    const float id_w = ImGui::CalcTextSize(h.id.c_str()).x;
    host_w = std::max(host_w, name_w <= host_cap ? name_w : std::min(id_w, host_cap));
  }
  host_w = std::min(host_w, host_cap);
  float kind_w = ImGui::CalcTextSize(app.tr("col.kind")).x;
  for (const char* k : {"packet", "connection", "policy", "tls", "protocol", "dns", "mail", "mailbox", "action"}) {
    kind_w = std::max(kind_w, ImGui::CalcTextSize(app.tr("record." + std::string(k))).x);
  }
  const float time_w = ImGui::CalcTextSize("00:00.000").x;
  auto host_cell = [&](const std::string& id) {
    if (id.empty()) return;
    const std::string name = app.host_name(id);
    const bool fits = ImGui::CalcTextSize(name.c_str()).x <= ImGui::GetContentRegionAvail().x + 1.0f;
    ImGui::TextUnformatted(fits ? name.c_str() : id.c_str());
    if (!fits && !app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", name.c_str(), id.c_str());
  };
  if (!ImGui::BeginTable("##events", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(app.tr("col.time"), ImGuiTableColumnFlags_WidthFixed, time_w);
  ImGui::TableSetupColumn(app.tr("col.host"), ImGuiTableColumnFlags_WidthFixed, host_w);
  ImGui::TableSetupColumn(app.tr("col.peer"), ImGuiTableColumnFlags_WidthFixed, host_w);
  ImGui::TableSetupColumn(app.tr("col.kind"), ImGuiTableColumnFlags_WidthFixed, kind_w);
  ImGui::TableSetupColumn(app.tr("col.summary"), ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();

  // Where the current record sits among the rows, to keep it in view while playing.
  std::optional<std::size_t> cur_row;
  if (cur) {
    if (!filtering) {
      cur_row = *cur;
    } else {
      auto it = std::upper_bound(rows.begin(), rows.end(), *cur);
      if (it != rows.begin()) cur_row = static_cast<std::size_t>(it - rows.begin()) - 1;
    }
  }
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  if (follow && cur_row) {
    const float y = static_cast<float>(*cur_row) * row_h;
    const float view_h = ImGui::GetWindowHeight();
    const float scroll = ImGui::GetScrollY();
    if (y < scroll || y > scroll + view_h - row_h * 3.0f) ImGui::SetScrollY(std::max(0.0f, y - view_h * 0.4f));
    app.scrolled_to = cur;
  }

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(count));
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const std::size_t i = filtering ? rows[static_cast<std::size_t>(row)] : static_cast<std::size_t>(row);
      const auto& r = recs[i];
      const bool is_current = cur && *cur == i;
      const bool future = !cur || i > *cur;
      ImGui::TableNextRow();
      if (is_current) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, theme::rgb(theme::kHalo, 170));
      }
      if (future) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(0x8C959F)));
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(static_cast<int>(i));
      const std::string t = sim::format_time(r.time);
      if (ImGui::Selectable(t.c_str(), is_current, ImGuiSelectableFlags_SpanAllColumns)) {
        app.playing = false;
        app.seek(app.model.playback_of_record(i));
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      host_cell(r.host);
      ImGui::TableSetColumnIndex(2);
      host_cell(r.peer);
      ImGui::TableSetColumnIndex(3);
      const std::string kind_key = "record." + std::string(sim::to_string(r.kind));
      ImGui::TextUnformatted(app.tr(kind_key));
      ImGui::TableSetColumnIndex(4);
      ImGui::TextUnformatted(r.summary.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.summary.c_str());
      if (future) ImGui::PopStyleColor();
    }
  }
  ImGui::EndTable();
}

}  // namespace mailsim::gui::panels
