// Event table: every record (time, host → peer, kind, what happened in words) with filters; click to seek.
#include <algorithm>
#include <cstdio>
#include <array>
#include <cctype>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/model/line_break.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::gui {

// Records worded for people in one language for one run: each worded when first asked for (the
// rows shown, the records a text filter reads), then kept. A record whose wording is its summary
// (protocol lines, packets: most of a large trace) keeps no copy.
struct WordedRecords {
  enum : std::uint8_t { kNotYet, kOwn, kSummary };
  std::uint64_t run = 0;
  bool japanese = false;
  std::vector<std::uint8_t> state;  // per record
  std::vector<std::string> text;    // per record, where state == kOwn
};

const std::string& worded_record(AppState& app, std::size_t i) {
  if (!app.worded) app.worded = std::make_shared<WordedRecords>();
  auto& w = *app.worded;
  const auto& recs = app.model.records();
  if (w.run != app.run_serial || w.japanese != app.japanese() || w.state.size() != recs.size()) {
    w.run = app.run_serial;
    w.japanese = app.japanese();
    w.state.assign(recs.size(), WordedRecords::kNotYet);
    w.text.assign(recs.size(), std::string());
  }
  const auto& r = recs[i];
  if (w.state[i] == WordedRecords::kNotYet) {
    std::string words = sim::describe_record(r, w.japanese ? "ja" : "en", &app.scenario);
    if (!r.packet && !r.proto && words == r.summary) {  // (packet and protocol lines are worded on demand: keep them)
      w.state[i] = WordedRecords::kSummary;
    } else {
      w.text[i] = std::move(words);
      w.state[i] = WordedRecords::kOwn;
    }
  }
  return w.state[i] == WordedRecords::kOwn ? w.text[i] : r.summary;
}

// What the event table keeps between frames: text widths (every host's name: a world has
// hundreds) measured once per run, language and font; "host → peer" fitted to its column per
// pair of hosts shown; and the rows that pass the filters, found over several frames on a large trace.
struct EventTableCache {
  std::uint64_t run = 0;
  bool japanese = false;
  const ImFont* font = nullptr;
  float font_size = 0.0f;
  float route_head = 0.0f;  // the "Host → Peer" heading
  float kind = 0.0f;        // the widest kind tag (and the heading)
  float name = 0.0f;        // the widest display name of a host of the layout
  float arrow = 0.0f;       // " → "

  // "Host → Peer" as its cell shows it: the names cut with "…" when the pair is wider than
  // the column (the longer name first).
  struct Fitted {
    float width = -1.0f;  // the column width it was fitted to
    std::string text;
    bool cut = false;
  };
  std::unordered_map<std::string, Fitted> fitted;  // by host id + '\x1f' + peer id

  // The filters' rows. A scan visits `source` (or every record) from `scanned` on, within a
  // time budget per frame; typing more of the same text narrows the last complete result.
  struct Scan {
    std::uint64_t run = 0;
    bool japanese = false;
    bool active = false;    // some filter is set
    std::string text;       // the text filter, lower case (ASCII)
    std::string protocol;
    std::string host;
    bool states = false;    // state changes pass
    bool all = true;        // the scan visits every record, else `source`
    std::vector<std::size_t> source;
    std::size_t scanned = 0;
    bool complete = false;
    std::vector<std::size_t> rows;
    std::unordered_map<std::string, bool> host_hit;        // host id -> its id or name holds the text
    std::array<std::int8_t, 16> kind_hit{};                 // per kind: 0 unknown, 1 yes, -1 no
  } scan;
};

}  // namespace mailsim::gui

namespace mailsim::gui::panels {

namespace {

constexpr float kRowsAboveCurrent = 3.0f;  // the current row is shown this many rows below the header

constexpr double kScanBudgetMs = 6.0;        // a frame's share of a filter scan (not in screenshots: all at once)
constexpr const char* kEllipsis = "\u2026";  // in the Latin font's ranges (fonts.cpp)
constexpr const char* kArrow = " \u2192 ";   // likewise
constexpr float kTagScale = 0.8f;            // the kind tag's type, of the table's
constexpr float kRouteScale = 0.88f;         // "host → peer": a little smaller than the summary
constexpr std::size_t kMaxFitted = 20000;    // pairs remembered (a large world scrolled through)

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `needle` in lower case (ASCII; other bytes, such as UTF-8 Japanese, compare as they are).
bool contains_folded(const std::string& hay, const std::string& needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != hay.end();
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
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
  const std::string states_label = app.tr("events.show_states");
  const float states_w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                         ImGui::CalcTextSize(states_label.c_str()).x;
  const float host_w = std::max(ImGui::CalcTextSize(all_hosts.c_str()).x + ImGui::GetFrameHeight() + fs,
                                ImGui::GetContentRegionAvail().x * 0.18f);

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("events.filter"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(
      std::max(fs * 6.0f, ImGui::GetContentRegionAvail().x - proto_w - host_w - states_w - 3.0f * spacing));
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
  ImGui::SetNextItemWidth(std::max(fs * 4.0f, ImGui::GetContentRegionAvail().x - states_w - spacing));
  const std::string host_preview = app.filter_host.empty() ? all_hosts : app.host_name(app.filter_host);
  if (ImGui::BeginCombo("##host", host_preview.c_str(), ImGuiComboFlags_HeightLarge)) {
    if (ImGui::Selectable(all_hosts.c_str(), app.filter_host.empty())) app.filter_host.clear();
    for (const auto& h : app.model.layout().hosts()) {
      ImGui::PushID(h.id.c_str());  // two hosts may share a display name
      const std::string name = app.host_name(h.id);
      if (ImGui::Selectable(name.c_str(), app.filter_host == h.id)) app.filter_host = h.id;
      if (!app.headless && name != h.id && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", h.id.c_str());
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  if (!app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("events.host_tip"));
  ImGui::SameLine();
  ImGui::Checkbox(states_label.c_str(), &app.show_states);
  if (!app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("events.states_tip"));
}

// The kind tag's i18n key: a session's state change has its own ("record.state").
std::string kind_key(const sim::Record& r) {
  if (is_session_state(r)) return "record.state";
  if (r.kind == sim::RecordKind::Note && r.event == "fault") return "record.fault";  // a fault plan's rule fired
  return "record." + std::string(sim::to_string(r.kind));
}

// Width of text in the route's type.
float route_width(std::string_view text) {
  return ImGui::GetFont()->CalcTextSizeA(ImGui::GetFontSize() * kRouteScale, FLT_MAX, 0.0f, text.data(),
                                         text.data() + text.size()).x;
}

std::string route_heading(AppState& app) { return std::string(app.tr("col.host")) + kArrow + app.tr("col.peer"); }

EventTableCache& text_widths(AppState& app) {
  if (!app.event_table_cache) app.event_table_cache = std::make_shared<EventTableCache>();
  auto& c = *app.event_table_cache;
  if (c.run == app.run_serial && c.japanese == app.japanese() && c.font == ImGui::GetFont() &&
      c.font_size == ImGui::GetFontSize())
    return c;
  c.run = app.run_serial;
  c.japanese = app.japanese();
  c.font = ImGui::GetFont();
  c.font_size = ImGui::GetFontSize();
  c.route_head = ImGui::CalcTextSize(route_heading(app).c_str()).x;
  c.arrow = route_width(kArrow);
  c.name = 0.0f;
  for (const auto& h : app.model.layout().hosts()) c.name = std::max(c.name, route_width(app.host_name(h.id)));
  c.fitted.clear();
  c.kind = ImGui::CalcTextSize(app.tr("col.kind")).x;
  const float tag = std::max(ImGui::GetFontSize() * kTagScale, min_text(app, ImGui::GetFontSize()));
  for (const char* k : {"meta", "packet", "connection", "policy", "tls", "protocol", "state", "dns", "mail", "mailbox", "action", "note"}) {
    const std::string label = app.tr("record." + std::string(k));
    c.kind = std::max(c.kind, ImGui::GetFont()->CalcTextSizeA(tag, FLT_MAX, 0.0f, label.c_str()).x + tag * 0.8f);
  }
  return c;
}

// `name` cut to `width` after a whole word with an ellipsis ("Shiroyagi's…", "mx1.hogehoge…"),
// in the route's type; never inside a word: a name whose first word does not fit is just "…"
// (the row's tooltip names both hosts in full).
EventTableCache::Fitted fit(const std::string& name, float width) {
  EventTableCache::Fitted f{width, name, false};
  if (route_width(name) <= width + 1.0f) return f;
  f.text = cut_words(name, width + 1.0f, [](std::string_view t) { return route_width(t); }, kEllipsis);
  if (f.text.empty()) f.text = kEllipsis;
  f.cut = true;
  return f;
}

// "host → peer" in `width`: whole when it fits, else the longer name is cut first (to half of
// the room for the names, or what the shorter one leaves), both when both are long.
EventTableCache::Fitted fit_route(const std::string& host, const std::string& peer, float width, float arrow) {
  if (peer.empty()) return fit(host, width);
  const float wh = route_width(host);
  const float wp = route_width(peer);
  if (wh + arrow + wp <= width + 1.0f) return {width, host + kArrow + peer, false};
  const float room = std::max(0.0f, width - arrow);
  const float half = room * 0.5f;
  const float for_host = wh <= half ? wh : wp <= half ? room - wp : half;
  auto h = fit(host, for_host);
  auto p = fit(peer, room - route_width(h.text));
  // A name left as a bare "…" (its first word did not fit) gets half the room: both stay named.
  if (p.text == kEllipsis && h.cut) {
    p = fit(peer, half);
    h = fit(host, room - route_width(p.text));
  } else if (h.text == kEllipsis && p.cut) {
    h = fit(host, half);
    p = fit(peer, room - route_width(h.text));
  }
  return {width, h.text + kArrow + p.text, h.cut || p.cut};
}

// A record kind as a small tag (a tinted plate per kind), vertically centred in the row.
void kind_tag(const AppState& app, const std::string& label, sim::RecordKind kind, bool future) {
  unsigned fill = 0xEEF0F2;  // packets, notes, meta
  switch (kind) {
    case sim::RecordKind::Protocol: fill = 0xDDEBF7; break;
    case sim::RecordKind::Connection: fill = 0xE2F0E5; break;
    case sim::RecordKind::Policy: fill = 0xFBDDC8; break;
    case sim::RecordKind::Tls: fill = 0xEBE2F5; break;
    case sim::RecordKind::Dns: fill = 0xF7E1EC; break;
    case sim::RecordKind::Mail:
    case sim::RecordKind::Mailbox: fill = 0xFFF0BF; break;
    case sim::RecordKind::Action: fill = 0xE4E7EB; break;
    default: break;
  }
  ImFont* font = ImGui::GetFont();
  const float size = std::max(ImGui::GetFontSize() * kTagScale, min_text(app, ImGui::GetFontSize()));
  const float line_h = ImGui::GetTextLineHeight();
  const ImVec2 ts = font->CalcTextSizeA(size, FLT_MAX, 0.0f, label.c_str());
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float pad = size * 0.4f;
  const float top = at.y + std::floor((line_h - ts.y) * 0.5f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(at.x, top - 1.0f), ImVec2(at.x + ts.x + pad * 2.0f, top + ts.y + 1.0f),
                    theme::rgb(fill, future ? 130u : 255u), size * 0.35f);
  dl->AddText(font, size, ImVec2(at.x + pad, top), future ? theme::rgb(0x8C959F) : theme::rgb(theme::kInk), label.c_str());
  ImGui::Dummy(ImVec2(ts.x + pad * 2.0f, line_h));
}

// Does record i pass the filters of `sc`? Cheap tests first; the record is worded only when
// nothing else matched the text.
bool passes(AppState& app, EventTableCache::Scan& sc, std::size_t i) {
  const auto& r = app.model.records()[i];
  if (!sc.states && is_session_state(r)) return false;
  if (!sc.protocol.empty() && r.protocol != sc.protocol) return false;
  if (!sc.host.empty() && r.host != sc.host && r.peer != sc.host) return false;
  const std::string& f = sc.text;
  if (f.empty()) return true;
  auto& k = sc.kind_hit[static_cast<std::size_t>(r.kind) % sc.kind_hit.size()];
  if (k == 0) {
    const std::string kind(sim::to_string(r.kind));
    k = contains_folded(kind, f) || contains_folded(app.tr("record." + kind), f) ? 1 : -1;
  }
  if (k > 0 || contains_folded(r.protocol, f) || contains_folded(r.event, f)) return true;
  auto host_hit = [&](const std::string& id) {
    if (id.empty()) return false;
    auto it = sc.host_hit.find(id);
    if (it == sc.host_hit.end())
      it = sc.host_hit.emplace(id, contains_folded(id, f) || contains_folded(app.host_name(id), f)).first;
    return it->second;
  };
  return host_hit(r.host) || host_hit(r.peer) || contains_folded(r.text(), f) ||
         contains_folded(worded_record(app, i), f);
}

// Brings the filters' rows up to date: starts a new scan when a filter changed (from the last
// result when the text only grew), then goes on with it for a frame's budget (screenshots: to
// the end).
const EventTableCache::Scan& scan_rows(AppState& app, EventTableCache& c) {
  auto& sc = c.scan;
  const std::string text = lower(app.filter);
  const bool active = !text.empty() || !app.filter_protocol.empty() || !app.filter_host.empty();
  if (sc.run != app.run_serial || sc.japanese != app.japanese() || sc.active != active || sc.text != text ||
      sc.protocol != app.filter_protocol || sc.host != app.filter_host || sc.states != app.show_states) {
    const bool narrows = sc.run == app.run_serial && sc.japanese == app.japanese() && sc.complete &&
                         sc.protocol == app.filter_protocol && sc.host == app.filter_host &&
                         sc.states == app.show_states &&
                         text.find(sc.text) != std::string::npos;
    if (narrows && sc.active) {
      sc.source = std::move(sc.rows);
      sc.all = false;
    } else {
      sc.source.clear();
      sc.all = true;
    }
    sc.run = app.run_serial;
    sc.japanese = app.japanese();
    sc.active = active;
    sc.text = text;
    sc.protocol = app.filter_protocol;
    sc.host = app.filter_host;
    sc.states = app.show_states;
    sc.rows.clear();
    sc.scanned = 0;
    sc.complete = !active;
    sc.host_hit.clear();
    sc.kind_hit.fill(0);
  }
  if (sc.complete) return sc;
  const std::size_t total = sc.all ? app.model.records().size() : sc.source.size();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(kScanBudgetMs);
  while (sc.scanned < total) {
    const std::size_t end = std::min(total, sc.scanned + 4096);
    for (; sc.scanned < end; ++sc.scanned) {
      const std::size_t i = sc.all ? sc.scanned : sc.source[sc.scanned];
      if (passes(app, sc, i)) sc.rows.push_back(i);
    }
    if (!app.headless && std::chrono::steady_clock::now() > deadline) break;
  }
  sc.complete = sc.scanned == total;
  if (sc.complete) sc.source = {};
  return sc;
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
  EventTableCache& cache = text_widths(app);

  // The rows that pass the filters: found once per change of the filters (over several frames
  // on a large trace, with a progress bar meanwhile), not every frame.
  const auto& scan = scan_rows(app, cache);
  // Without a filter the rows are the model's table rows (no state changes) unless the
  // user asked for every record.
  const bool filtering = scan.active || !app.show_states;
  const std::vector<std::size_t>& rows = scan.active ? scan.rows : app.model.table_rows();
  if (scan.active) {
    if (!scan.complete) {
      const std::size_t total = scan.all ? recs.size() : scan.source.size();
      ImGui::ProgressBar(static_cast<float>(scan.scanned) / static_cast<float>(std::max<std::size_t>(total, 1)),
                         ImVec2(-1.0f, 0.0f));
    }
    if (rows.empty()) {
      if (scan.complete) ImGui::TextWrapped("%s", app.tr("events.no_match"));
      return;
    }
  }
  const std::size_t count = filtering ? rows.size() : recs.size();
  const auto cur = app.view.current;

  // Follow the current record: when it changes (a seek, a step, playing) or the filters
  // change, check that its row is in view; if not, scroll so that it is a few rows below the
  // header. The scroll is applied again for a few frames: the first frame a table is shown,
  // ImGui does not know its height yet and would clamp the scroll to 0.
  const std::string follow_key =
      app.filter + '\x1f' + app.filter_protocol + '\x1f' + app.filter_host + (app.show_states ? "\x1fS" : "");
  if (cur != app.scrolled_to || follow_key != app.scrolled_for) {
    app.scrolled_to = cur;
    app.scrolled_for = follow_key;
    if (app.follow_frames == 0) app.follow_frames = -1;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  // Column widths from the content (measured once per run, language and font): time and kind
  // as wide as their widest, one "Host → Peer" column as wide as two of the longest display
  // names, up to a little over half of what is left (longer pairs are cut with "…", whole on
  // hover); the summary takes the rest.
  const float fs = ImGui::GetFontSize();
  const float table_w = ImGui::GetContentRegionAvail().x;
  const float kind_w = cache.kind;
  // Times grow with the run ("2m 22.064s"): the last one is the widest.
  const float time_w = std::max(ImGui::CalcTextSize(app.tr("col.time")).x,
                                ImGui::CalcTextSize(clock_text(app.japanese(), recs.back().time).c_str()).x);
  const float cell_pad = 2.0f * ImGui::GetStyle().CellPadding.x;
  const float left = table_w - time_w - kind_w - 4.0f * cell_pad - ImGui::GetStyle().ScrollbarSize;
  const float route_w = std::min(std::max(cache.route_head, cache.name * 2.0f + cache.arrow),
                                 std::max(fs * 6.0f, left * (table_w < fs * 40.0f ? 0.42f : 0.58f)));
  auto route_cell = [&](const sim::Record& r, bool future) {
    if (r.host.empty()) return;
    const float avail = ImGui::GetContentRegionAvail().x;
    if (cache.fitted.size() > kMaxFitted) cache.fitted.clear();
    auto& f = cache.fitted[r.host.str() + '\x1f' + r.peer.str()];
    if (f.width != avail) f = fit_route(app.host_name(r.host), r.peer.empty() ? std::string() : app.host_name(r.peer),
                                        avail, cache.arrow);
    // Drawn in the route's type, on the line of the summary's text.
    const float size = fs * kRouteScale;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float line_h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), size, ImVec2(at.x, at.y + std::floor((line_h - size) * 0.7f)),
                                        theme::rgb(future ? 0x8C959Fu : theme::kInk), f.text.c_str());
    ImGui::Dummy(ImVec2(route_width(f.text), line_h));
    if (!app.headless && ImGui::IsItemHovered()) {
      // The full names, with the ids where they differ.
      auto full = [&](const std::string& id) {
        const std::string name = app.host_name(id);
        return name == id ? name : name + " (" + id + ")";
      };
      const std::string whole = r.peer.empty() ? full(r.host) : full(r.host) + kArrow + full(r.peer);
      if (whole != f.text) ImGui::SetTooltip("%s", whole.c_str());
    }
  };
  // ImGui keeps a fixed column's width from the table's first frame: a table of another type size
  // or width (the window's scale settles after the first frame, a projector, Ctrl+=) is another
  // table, so its columns are measured again (else the summary could be left one letter wide).
  char table_id[48];
  std::snprintf(table_id, sizeof table_id, "##events_%d_%d", static_cast<int>(fs * 4.0f), static_cast<int>(table_w / 16.0f));
  if (!ImGui::BeginTable(table_id, 4, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(app.tr("col.time"), ImGuiTableColumnFlags_WidthFixed, time_w);
  ImGui::TableSetupColumn(route_heading(app).c_str(), ImGuiTableColumnFlags_WidthFixed, route_w);
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

  // Rows are all one height, so where the current one is follows from its index (measuring it
  // through the clipper left a series of screenshots on stale rows).
  if (cur_row && app.follow_frames != 0) {
    const float row_top = header_h + row_h * static_cast<float>(*cur_row);
    const float scroll = ImGui::GetScrollY();
    const float view_h = ImGui::GetWindowHeight();
    const bool in_view = row_top >= scroll + header_h && row_top + row_h * (kRowsAboveCurrent + 1.0f) <= scroll + view_h;
    if (app.follow_frames == -1 && in_view) {
      app.follow_frames = 0;
    } else {
      if (app.follow_frames == -1) app.follow_frames = 3;
      ImGui::SetScrollY(std::max(0.0f, row_top - header_h - row_h * kRowsAboveCurrent));
      --app.follow_frames;
    }
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
      ImGui::TableSetColumnIndex(0);
      if (future) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(0x8C959F)));
      ImGui::PushID(static_cast<int>(i));
      const std::string t = clock_text(app.japanese(), r.time);
      if (ImGui::Selectable(t.c_str(), is_current, ImGuiSelectableFlags_SpanAllColumns)) {
        app.playing = false;
        app.seek(app.model.playback_of_record(i));
      }
      // A packet's row, double-clicked, opens the packet layer by layer in the Inspector.
      if (r.kind == sim::RecordKind::Packet && !app.headless && ImGui::IsItemHovered() &&
          ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        app.selected_packet = i;
        app.switch_to_tab = Tab::Inspector;
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      route_cell(r, future);
      ImGui::TableSetColumnIndex(2);
      kind_tag(app, app.tr(kind_key(r)), r.kind, future);
      ImGui::TableSetColumnIndex(3);
      // What happened in words; the simulator's own summary (for testers) on hover.
      const std::string& summary = worded_record(app, i);
      ImGui::TextUnformatted(summary.c_str());
      if (!app.headless && ImGui::IsItemHovered()) {
        if (r.kind == sim::RecordKind::Packet) ImGui::SetTooltip("%s\n\n%s", summary.c_str(), app.tr("events.packet_tip"));
        else if (summary != r.text()) ImGui::SetTooltip("%s\n\n%s", summary.c_str(), r.text().c_str());
        else ImGui::SetTooltip("%s", summary.c_str());
      }
      if (future) ImGui::PopStyleColor();
    }
  }
  ImGui::EndTable();
}

}  // namespace mailsim::gui::panels
