// Event table: every record (time, host, peer, kind, summary) with filters; click to seek.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"
#include "sim/describe.hpp"

namespace mailsim::gui {

// Text widths the column sizes are made from (every host's name and id: a world has
// hundreds), measured once per run, language and font instead of every frame.
struct EventTableCache {
  std::uint64_t run = 0;
  bool japanese = false;
  const ImFont* font = nullptr;
  float font_size = 0.0f;
  float host_head = 0.0f;  // the "Host" heading
  float kind = 0.0f;       // the widest kind (and its heading)
  std::vector<float> name;  // per host of the layout: its display name
  std::vector<float> id;    // and its id
};

}  // namespace mailsim::gui

namespace mailsim::gui::panels {

namespace {

constexpr float kRowsAboveCurrent = 3.0f;  // the current row is shown this many rows below the header

bool contains_folded(const std::string& hay, const std::string& needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The summaries in Japanese (sim::describe_record), built once per run; null in English.
const std::vector<std::string>* japanese_summaries(AppState& app) {
  if (!app.japanese()) return nullptr;
  const auto& recs = app.model.records();
  if (app.summaries_run != app.run_serial || app.summaries_lang != app.lang || app.summaries_ja.size() != recs.size()) {
    app.summaries_ja.clear();
    app.summaries_ja.reserve(recs.size());
    for (const auto& r : recs) app.summaries_ja.push_back(sim::describe_record(r, "ja", &app.scenario));
    app.summaries_run = app.run_serial;
    app.summaries_lang = app.lang;
  }
  return &app.summaries_ja;
}

// The protocols that occur in the trace (listed once by the model): the mail and DNS ones
// first, then the transports.
std::vector<std::string> protocols_of(const TraceModel& model) {
  std::vector<std::string> found = model.protocols();
  static const std::vector<std::string> order = {"smtp", "pop3", "imap", "dns", "tcp", "udp"};
  auto rank = [](const std::string& p) {
    const auto it = std::find(order.begin(), order.end(), p);
    return static_cast<std::size_t>(it - order.begin());
  };
  std::sort(found.begin(), found.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  return found;
}

// The filter line: text, protocol and host.
void filter_bar(AppState& app, const std::vector<std::string>& protocols) {
  const float fs = ImGui::GetFontSize();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const std::string all_protocols = app.tr("events.all_protocols");
  const std::string all_hosts = app.tr("events.all_hosts");
  float proto_w = ImGui::CalcTextSize(all_protocols.c_str()).x;
  for (const auto& p : protocols) proto_w = std::max(proto_w, ImGui::CalcTextSize(upper(p).c_str()).x);
  proto_w += ImGui::GetFrameHeight() + fs;
  const float host_w = std::max(ImGui::CalcTextSize(all_hosts.c_str()).x + ImGui::GetFrameHeight() + fs,
                                ImGui::GetContentRegionAvail().x * 0.18f);

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("events.filter"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(fs * 6.0f, ImGui::GetContentRegionAvail().x - proto_w - host_w - 2.0f * spacing));
  ImGui::InputTextWithHint("##filter", app.tr("events.filter_hint"), &app.filter);

  ImGui::SameLine();
  ImGui::SetNextItemWidth(proto_w);
  const std::string proto_preview = app.filter_protocol.empty() ? all_protocols : upper(app.filter_protocol);
  if (ImGui::BeginCombo("##protocol", proto_preview.c_str())) {
    if (ImGui::Selectable(all_protocols.c_str(), app.filter_protocol.empty())) app.filter_protocol.clear();
    for (const auto& p : protocols) {
      if (ImGui::Selectable(upper(p).c_str(), app.filter_protocol == p)) app.filter_protocol = p;
    }
    ImGui::EndCombo();
  }
  if (!app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("events.protocol_tip"));

  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1.0f);
  const std::string host_preview = app.filter_host.empty() ? all_hosts : app.host_name(app.filter_host);
  if (ImGui::BeginCombo("##host", host_preview.c_str(), ImGuiComboFlags_HeightLarge)) {
    if (ImGui::Selectable(all_hosts.c_str(), app.filter_host.empty())) app.filter_host.clear();
    for (const auto& h : app.model.layout().hosts()) {
      const std::string name = app.host_name(h.id);
      const std::string text = name == h.id ? name : name + " (" + h.id + ")";
      if (ImGui::Selectable(text.c_str(), app.filter_host == h.id)) app.filter_host = h.id;
    }
    ImGui::EndCombo();
  }
  if (!app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("events.host_tip"));
}

const EventTableCache& text_widths(AppState& app) {
  if (!app.event_table_cache) app.event_table_cache = std::make_shared<EventTableCache>();
  auto& c = *app.event_table_cache;
  const auto& hosts = app.model.layout().hosts();
  if (c.run == app.run_serial && c.japanese == app.japanese() && c.font == ImGui::GetFont() &&
      c.font_size == ImGui::GetFontSize() && c.name.size() == hosts.size())
    return c;
  c.run = app.run_serial;
  c.japanese = app.japanese();
  c.font = ImGui::GetFont();
  c.font_size = ImGui::GetFontSize();
  c.host_head = ImGui::CalcTextSize(app.tr("col.host")).x;
  c.name.clear();
  c.id.clear();
  for (const auto& h : hosts) {
    c.name.push_back(ImGui::CalcTextSize(app.host_name(h.id).c_str()).x);
    c.id.push_back(ImGui::CalcTextSize(h.id.c_str()).x);
  }
  c.kind = ImGui::CalcTextSize(app.tr("col.kind")).x;
  for (const char* k : {"packet", "connection", "policy", "tls", "protocol", "dns", "mail", "mailbox", "action"}) {
    c.kind = std::max(c.kind, ImGui::CalcTextSize(app.tr("record." + std::string(k))).x);
  }
  return c;
}

}  // namespace

void event_table(AppState& app) {
  const auto& recs = app.model.records();
  const auto protocols = protocols_of(app.model);
  // A protocol or host chosen for another lesson is forgotten.
  if (!app.filter_protocol.empty() &&
      std::find(protocols.begin(), protocols.end(), app.filter_protocol) == protocols.end())
    app.filter_protocol.clear();
  if (!app.filter_host.empty() && !app.model.layout().host(app.filter_host)) app.filter_host.clear();
  filter_bar(app, protocols);
  if (recs.empty()) {
    ImGui::TextWrapped("%s", app.tr("events.empty"));
    return;
  }
  const auto* ja = japanese_summaries(app);
  auto shown_summary = [&](std::size_t i) -> const std::string& { return ja ? (*ja)[i] : recs[i].summary; };

  // The rows that pass the filters (cheap enough per frame for classroom traces).
  std::vector<std::size_t> rows;
  const bool filtering = !app.filter.empty() || !app.filter_protocol.empty() || !app.filter_host.empty();
  if (filtering) {
    const std::string& f = app.filter;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      if (!app.filter_protocol.empty() && r.protocol != app.filter_protocol) continue;
      if (!app.filter_host.empty() && r.host != app.filter_host && r.peer != app.filter_host) continue;
      if (!f.empty()) {
        const std::string kind(sim::to_string(r.kind));
        const bool match = contains_folded(r.summary, f) || (ja && contains_folded((*ja)[i], f)) ||
                           contains_folded(r.host, f) || contains_folded(r.peer, f) ||
                           contains_folded(app.host_name(r.host), f) ||
                           (!r.peer.empty() && contains_folded(app.host_name(r.peer), f)) ||
                           contains_folded(kind, f) || contains_folded(app.tr("record." + kind), f) ||
                           contains_folded(r.protocol, f) || contains_folded(r.event, f);
        if (!match) continue;
      }
      rows.push_back(i);
    }
    if (rows.empty()) {
      ImGui::TextWrapped("%s", app.tr("events.no_match"));
      return;
    }
  }
  const std::size_t count = filtering ? rows.size() : recs.size();
  const auto cur = app.view.current;

  // Follow the current record: when it changes (a seek, a step, playing) or the filters
  // change, check that its row is in view; if not, scroll so that it is a few rows below the
  // header. The scroll is applied again for a few frames: the first frame a table is shown,
  // ImGui does not know its height yet and would clamp the scroll to 0.
  const std::string follow_key = app.filter + '\x1f' + app.filter_protocol + '\x1f' + app.filter_host;
  if (cur != app.scrolled_to || follow_key != app.scrolled_for) {
    app.scrolled_to = cur;
    app.scrolled_for = follow_key;
    if (app.follow_frames == 0) app.follow_frames = -1;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  // Column widths from the content: hosts by their display name when it is short enough,
  // else by their id (always shorter); the summary takes the rest.
  const float fs = ImGui::GetFontSize();
  const float table_w = ImGui::GetContentRegionAvail().x;
  const float host_cap = std::max(fs * 6.5f, table_w * 0.19f);
  const EventTableCache& widths = text_widths(app);
  float host_w = widths.host_head;
  for (std::size_t k = 0; k < widths.name.size(); ++k) {
    host_w = std::max(host_w, widths.name[k] <= host_cap ? widths.name[k] : std::min(widths.id[k], host_cap));
  }
  const float kind_w = widths.kind;
  // Times grow with the run ("2m 22.064s"): the last one is the widest.
  const float time_w = std::max(ImGui::CalcTextSize(app.tr("col.time")).x,
                                ImGui::CalcTextSize(sim::format_time(recs.back().time).c_str()).x);
  // The summary keeps at least ~40% of the table: the host columns give way (showing ids).
  const float cell_pad = 2.0f * ImGui::GetStyle().CellPadding.x;
  const float host_budget = (table_w * 0.6f - time_w - kind_w) * 0.5f - 2.0f * cell_pad;
  host_w = std::min({host_w, host_cap, std::max(fs * 4.5f, host_budget)});
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
  const float header_h = ImGui::GetCursorPosY();  // content rows start below the frozen header

  // Where the current record sits among the rows (the last row at or before it when the
  // filters hide it).
  std::optional<std::size_t> cur_row;
  if (cur) {
    if (!filtering) {
      cur_row = *cur;
    } else {
      auto it = std::upper_bound(rows.begin(), rows.end(), *cur);
      if (it != rows.begin()) cur_row = static_cast<std::size_t>(it - rows.begin()) - 1;
    }
  }
  if (!cur_row && app.follow_frames != 0) {  // before the first (shown) record: the top
    ImGui::SetScrollY(0.0f);
    app.follow_frames = 0;
  }
  const float row_h = ImGui::GetTextLineHeight() + 2.0f * ImGui::GetStyle().CellPadding.y;

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(count));
  if (app.follow_frames != 0 && cur_row) {
    const int r = static_cast<int>(*cur_row);
    clipper.ForceDisplayRangeByIndices(r, r + 1);  // measured where it really is
  }
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
      ImGui::TableSetColumnIndex(0);
      if (cur_row && static_cast<std::size_t>(row) == *cur_row && app.follow_frames != 0) {
        const float y = ImGui::GetCursorPosY() - ImGui::GetStyle().CellPadding.y;
        const float scroll = ImGui::GetScrollY();
        const float view_h = ImGui::GetWindowHeight();
        const bool in_view = y >= scroll + header_h && y + row_h * kRowsAboveCurrent <= scroll + view_h;
        if (app.follow_frames == -1 && in_view) {
          app.follow_frames = 0;
        } else {
          if (app.follow_frames == -1) app.follow_frames = 3;
          ImGui::SetScrollY(std::max(0.0f, y - header_h - row_h * kRowsAboveCurrent));
          --app.follow_frames;
        }
      }
      if (future) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(0x8C959F)));
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
      const std::string& summary = shown_summary(i);
      ImGui::TextUnformatted(summary.c_str());
      if (!app.headless && ImGui::IsItemHovered()) {
        if (ja && summary != r.summary) ImGui::SetTooltip("%s\n%s", summary.c_str(), r.summary.c_str());
        else ImGui::SetTooltip("%s", summary.c_str());
      }
      if (future) ImGui::PopStyleColor();
    }
  }
  ImGui::EndTable();
}

}  // namespace mailsim::gui::panels
