// Sequence diagram: one lane per host, arrows for packets (slanted: they take time) and
// protocol lines (horizontal), time flowing down on the player's clock; click to seek,
// Ctrl+wheel to zoom; the current moment is a line across the lanes.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gui/model/sequence.hpp"
#include "gui/model/line_break.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::gui {

// The lane headers' text, fitted once per run, language, font and lane width (fit_lane_header:
// broken between words or after a host name's dot, smaller type, then cut with "…").
struct SequenceCache {
  std::uint64_t run = 0;
  bool japanese = false;
  const ImFont* font = nullptr;
  float size = 0.0f;
  float width = -1.0f;
  std::vector<std::string> names;  // per lane: the host's name
  std::vector<LaneHeader> heads;   // per lane: its lines (at most kHeadLines), size and cut
  std::vector<float> line_w;       // per lane and line (kHeadLines each), at the lane's size
};

}  // namespace mailsim::gui

namespace mailsim::gui::panels {

namespace {
using theme::rgb;
constexpr float kBasePxPerSecond = 26.0f;  // at zoom 1
constexpr float kMinZoom = 0.05f;
constexpr float kMaxZoom = 10.0f;
constexpr float kSpanMaxZoom = 6.0f;     // following an exchange never zooms in further than this
constexpr float kDashedLaneMin = 16.0f;  // lanes narrower than this (pixels) are drawn plain
constexpr std::size_t kHeadLines = 2;    // lines of a lane header
constexpr float kHeadMinScale = 0.8f;    // a header's type shrinks down to this before a name is cut
constexpr float kNamedLaneMin = 1.8f;    // lanes narrower than this many em show no name (hover shows it)
constexpr float kLabelRoomMin = 2.5f;    // arrow labels need at least this many em of room
constexpr float kLabelCell = 1.0f;       // width (em) of the cells that keep labels apart
constexpr std::size_t kDetailedArrows = 2000;  // above this many arrows in view, packets are thin lines

void arrow_head(ImDrawList* dl, ImVec2 from, ImVec2 to, float size, ImU32 col) {
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  // An arrow shorter than two heads would be all head (a world with hundreds of lanes draws
  // thousands of them a few pixels long): it stays a plain line.
  if (len < size * 2.0f) return;
  const float ux = dx / len;
  const float uy = dy / len;
  const ImVec2 base(to.x - ux * size, to.y - uy * size);
  dl->AddTriangleFilled(to, ImVec2(base.x - uy * size * 0.5f, base.y + ux * size * 0.5f),
                        ImVec2(base.x + uy * size * 0.5f, base.y - ux * size * 0.5f), col);
}

// The lane headers' lines at this width (see SequenceCache).
const SequenceCache& head_lines(AppState& app, ImFont* font, float size, float width) {
  if (!app.sequence_cache) app.sequence_cache = std::make_shared<SequenceCache>();
  auto& c = *app.sequence_cache;
  const auto& lanes = app.sequence.lanes;
  // Never under the least type a class must read (14 px at the 1280x720 picture).
  const float min_scale = std::max(kHeadMinScale, std::min(1.0f, min_text(app, ImGui::GetFontSize()) / size));
  if (c.run == app.run_serial && c.japanese == app.japanese() && c.font == font && c.size == size &&
      c.width == width && c.names.size() == lanes.size())
    return c;
  c.run = app.run_serial;
  c.japanese = app.japanese();
  c.font = font;
  c.size = size;
  c.width = width;
  c.names.clear();
  c.heads.clear();
  c.line_w.clear();
  const auto measure = [&](std::string_view t) { return font->CalcTextSizeA(size, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x; };
  for (const auto& host : lanes) {
    c.names.push_back(app.host_name(host));
    c.heads.push_back(fit_lane_header(c.names.back(), width, kHeadLines, min_scale, measure));
    const auto& h = c.heads.back();
    for (std::size_t k = 0; k < kHeadLines; ++k) c.line_w.push_back(k < h.lines.size() ? measure(h.lines[k]) * h.scale : 0.0f);
  }
  return c;
}

}  // namespace

void sequence(AppState& app) {
  const auto& seq = app.sequence;
  const float fs = ImGui::GetFontSize();
  ImGuiIO& io = ImGui::GetIO();
  if (seq.lanes.empty()) {
    ImGui::TextWrapped("%s", app.tr("seq.empty"));
    return;
  }
  // Tool row: zoom and fit.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("seq.zoom"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(fs * 7.0f);
  if (ImGui::SliderFloat("##seqzoom", &app.seq_zoom, kMinZoom, kMaxZoom, "%.2fx", ImGuiSliderFlags_Logarithmic))
    app.seq_auto = false;
  ImGui::SameLine();
  const bool fit = ImGui::Button(app.tr("seq.fit"));
  if (fit) app.seq_auto = false;
  ImGui::SameLine();
  // The readable default: zoomed to the exchange in force (its connection's arrows).
  if (ImGui::Button(app.tr("seq.exchange"))) {
    app.seq_auto = true;
    app.seq_span_for.reset();
  }
  if (!app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("seq.exchange_tip"));
  if (!app.headless) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", app.tr("seq.hint"));
  }

  // Lane headers (they stay in place while the diagram scrolls).
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = ImGui::GetFont();
  const float least = min_text(app, fs);
  const float small = std::max(fs * 0.85f, least);
  const ImVec2 head_min = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize, 50.0f);
  const float lane_w = width / static_cast<float>(seq.lanes.size());
  const float head_h = small * 2.3f;
  auto lane_x = [&](std::size_t i) { return head_min.x + lane_w * (static_cast<float>(i) + 0.5f); };
  // Names only where a lane is wide enough to read one (hundreds of hosts make lanes a
  // pixel wide: the hovered lane's name is then shown in a tooltip).
  const bool named = lane_w >= fs * kNamedLaneMin;
  const SequenceCache* heads = named ? &head_lines(app, font, small, std::max(lane_w - 8.0f, 1.0f)) : nullptr;
  if (!named) dl->AddRectFilled(head_min, ImVec2(head_min.x + width, head_min.y + head_h), rgb(0xEEF1F4), 4.0f);
  for (std::size_t i = 0; i < seq.lanes.size(); ++i) {
    const float x = lane_x(i);
    const ImVec2 a(x - lane_w * 0.5f + (named ? 2.0f : 0.0f), head_min.y);
    const ImVec2 b(x + lane_w * 0.5f - (named ? 2.0f : 0.0f), head_min.y + head_h);
    const bool acting = seq.lanes[i] == app.view.acting_host;
    if (!named && !acting) continue;  // one strip behind them all, drawn above
    dl->AddRectFilled(a, b, acting ? rgb(theme::kHalo, 200) : rgb(0xEEF1F4), named ? 4.0f : 0.0f);
    if (!heads) continue;
    const auto& head = heads->heads[i];
    const float size = small * head.scale;
    float y = std::floor(a.y + (head_h - size * static_cast<float>(head.lines.size())) * 0.5f);
    for (std::size_t k = 0; k < head.lines.size(); ++k) {
      const std::string& line = head.lines[k];
      dl->AddText(font, size, ImVec2(std::floor(x - heads->line_w[i * kHeadLines + k] * 0.5f), y), rgb(theme::kInk),
                  line.c_str(), line.c_str() + line.size());
      y += size;
    }
  }
  // Hover names a lane whose header is cut or missing.
  const ImVec2 mouse = io.MousePos;
  if (!app.headless && mouse.y >= head_min.y && mouse.y < head_min.y + head_h && mouse.x >= head_min.x &&
      mouse.x < head_min.x + width && ImGui::IsWindowHovered()) {
    const auto lane = static_cast<std::size_t>((mouse.x - head_min.x) / lane_w);
    if (lane < seq.lanes.size() && (!heads || heads->heads[lane].cut))
      ImGui::SetTooltip("%s", app.host_name(seq.lanes[lane]).c_str());
  }
  ImGui::Dummy(ImVec2(width, head_h + 2.0f));

  // The scrolling diagram.
  const ImGuiWindowFlags flags = io.KeyCtrl ? ImGuiWindowFlags_NoScrollWithMouse : ImGuiWindowFlags_None;
  ImGui::BeginChild("##seqscroll", ImVec2(0, 0), false, flags);
  const float view_h = ImGui::GetContentRegionAvail().y;
  const double duration = std::max(seq.duration, 0.001);
  if (fit) app.seq_zoom = std::clamp(static_cast<float>((view_h - fs * 2.0f) / duration) / kBasePxPerSecond, kMinZoom, kMaxZoom);
  // Following the exchange: when the record in force changes, zoom so that its exchange
  // fills most of the view and scroll its start near the top.
  std::optional<float> span_scroll;
  if (app.seq_auto && app.view.current != app.seq_span_for) {
    app.seq_span_for = app.view.current;
    if (const auto span = exchange_span(seq, app.model, app.view.current)) {
      const double len = std::max(span->second - span->first, 0.05);
      app.seq_zoom = std::clamp(static_cast<float>((view_h - fs * 4.0f) / len) / kBasePxPerSecond, kMinZoom,
                                kSpanMaxZoom);
      span_scroll = static_cast<float>(span->first) * kBasePxPerSecond * app.seq_zoom;
    }
  }
  const float px = kBasePxPerSecond * app.seq_zoom;
  const float margin = fs;
  const float total_h = static_cast<float>(duration) * px + margin * 2.0f;
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##seqarea", ImVec2(std::max(width, 10.0f), std::max(total_h, view_h)));
  const bool hovered = ImGui::IsItemHovered();
  const float top = top_left.y + margin;
  auto y_of = [&](double p) { return top + static_cast<float>(p) * px; };
  dl = ImGui::GetWindowDrawList();
  const float clip_top = ImGui::GetWindowPos().y;
  const float clip_bottom = clip_top + ImGui::GetWindowHeight();

  // Zoom with Ctrl+wheel around the mouse.
  if (hovered && io.KeyCtrl && io.MouseWheel != 0.0f) {
    const double at = (io.MousePos.y - top) / px;
    app.seq_zoom = std::clamp(app.seq_zoom * std::pow(1.2f, io.MouseWheel), kMinZoom, kMaxZoom);
    app.seq_auto = false;
    const float npx = kBasePxPerSecond * app.seq_zoom;
    ImGui::SetScrollY(std::max(0.0f, static_cast<float>(at) * npx + margin - (io.MousePos.y - clip_top)));
  }

  // Lanes: dashed, or plain and lighter when they are too close for dashes to read (a world
  // with hundreds of hosts would otherwise cost tens of thousands of dashes per frame).
  const float lane_top = std::max(top_left.y, clip_top - 10.0f);
  const float lane_bottom = std::min(top_left.y + total_h, clip_bottom);
  for (std::size_t i = 0; i < seq.lanes.size(); ++i) {
    const float x = lane_x(i);
    if (lane_w < kDashedLaneMin) {
      dl->AddLine(ImVec2(x, lane_top), ImVec2(x, lane_bottom), rgb(0xB0B7BF, 110), 1.0f);
      continue;
    }
    for (float y = lane_top; y < lane_bottom; y += 8.0f) {
      dl->AddLine(ImVec2(x, y), ImVec2(x, y + 4.0f), rgb(0xB0B7BF), 1.0f);
    }
  }

  // Arrows (only those in view are drawn). Labels only where they have room to say
  // something and do not overlap another label, protocol lines before packets. The panel is
  // cut into cells (kLabelCell em wide, a quarter of a line high) that remember whether a label
  // covers them; a label whose centre is taken is not even measured (with hundreds of lanes
  // a busy second has thousands of arrows, and would pile up thousands of cut labels).
  const double playback = app.playback;
  struct Candidate {
    std::size_t arrow;
    ImVec2 mid;
    float room;
    bool future;
  };
  std::vector<Candidate> line_labels;
  std::vector<Candidate> packet_labels;
  const auto [first_arrow, last_arrow] =
      seq.arrows_between((clip_top - 20.0f - top) / px, (clip_bottom + 20.0f - top) / px);
  // A crowded view (a busy world zoomed out: ten thousand arrows) draws packets as thin lines
  // without heads, as the map draws crowded packets as plain marks.
  const bool crowded = last_arrow - first_arrow > kDetailedArrows;
  for (std::size_t ai = first_arrow; ai < last_arrow; ++ai) {
    const auto& a = seq.arrows[ai];
    const float y0 = y_of(a.start);
    const float y1 = y_of(a.end);
    if (y1 < clip_top - 20.0f || y0 > clip_bottom + 20.0f) continue;
    const bool future = a.start > playback + 1e-9;
    const unsigned alpha = future ? 70u : (a.packet ? 170u : 255u);
    const ImU32 col = theme::packet_colour(a.cls, alpha);
    ImVec2 from(lane_x(a.from), y0);
    ImVec2 to(lane_x(a.to), y1);
    if (a.blocked) to = ImVec2((from.x + to.x) * 0.5f, (y0 + y1) * 0.5f);
    const bool thin = crowded && a.packet && !a.blocked;  // 1 px: ImGui's cheapest line, and no head
    dl->AddLine(from, to, col, thin ? 1.0f : (a.packet ? 1.5f : 2.5f));
    if (a.blocked) {
      const float c = fs * 0.35f;
      dl->AddLine(ImVec2(to.x - c, to.y - c), ImVec2(to.x + c, to.y + c), rgb(theme::kBlock, alpha), 2.5f);
      dl->AddLine(ImVec2(to.x - c, to.y + c), ImVec2(to.x + c, to.y - c), rgb(theme::kBlock, alpha), 2.5f);
    } else if (!thin) {
      arrow_head(dl, from, to, a.packet ? fs * 0.45f : fs * 0.6f, col);
    }
    // Protocol lines are labelled when there is room; packets when they are also long enough.
    if (a.packet && px * static_cast<float>(std::max(a.end - a.start, 0.3)) <= small * 2.5f) continue;
    const float room = std::max(std::abs(to.x - from.x) - 8.0f, lane_w * 0.9f);
    if (room < fs * kLabelRoomMin) continue;
    (a.packet ? packet_labels : line_labels)
        .push_back({ai, ImVec2((from.x + to.x) * 0.5f, (from.y + to.y) * 0.5f), room, future});
  }
  const float cell_w = fs * kLabelCell;
  const float cell_h = small / 4.0f;
  const float grid_top = clip_top - 40.0f;
  const auto columns = static_cast<std::size_t>(width / cell_w) + 2;
  const auto rows = static_cast<std::size_t>((clip_bottom - grid_top + 40.0f) / cell_h) + 2;
  std::vector<std::uint8_t> taken(columns * rows, 0);
  auto column_of = [&](float x) {
    return static_cast<std::size_t>(std::clamp((x - head_min.x) / cell_w, 0.0f, static_cast<float>(columns - 1)));
  };
  auto row_of = [&](float y) {
    return static_cast<std::size_t>(std::clamp((y - grid_top) / cell_h, 0.0f, static_cast<float>(rows - 1)));
  };
  std::string shortened;
  std::string worded;
  auto put = [&](const Candidate& l) {
    const auto& a = seq.arrows[l.arrow];
    const float lsize = std::max(a.packet ? small * 0.9f : small, least);
    // The label sits just above the arrow's middle: that cell first.
    if (taken[row_of(l.mid.y - lsize * 0.5f) * columns + column_of(l.mid.x)]) return;
    if (!a.label_key.empty()) worded = arrow_label(a, app.strings());
    const std::string& label = a.label_key.empty() ? a.label : worded;
    const char* text = label.c_str();
    const char* text_end = text + label.size();
    ImVec2 ts = font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, text, text_end);
    if (ts.x > l.room) {
      // Cut after a whole word where the text and ".." fit ("MAIL FROM:<shiroyagi@example.com>"
      // → "MAIL.."), never inside one; a label whose first word does not fit is left out.
      shortened = cut_words(label, l.room, [&](std::string_view t) {
        return font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
      }, "..");
      if (shortened.empty()) return;
      text = shortened.c_str();
      text_end = text + shortened.size();
      ts = font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, text, text_end);
    }
    const ImVec2 at(std::floor(l.mid.x - ts.x * 0.5f), std::floor(l.mid.y - ts.y - 1.0f));
    const std::size_t c0 = column_of(at.x);
    const std::size_t c1 = column_of(at.x + ts.x);
    // Rows by the glyphs' height rather than the line's (its leading may overlap a neighbour).
    const std::size_t r0 = row_of(at.y + ts.y * 0.15f);
    const std::size_t r1 = row_of(at.y + ts.y * 0.85f);
    for (std::size_t r = r0; r <= r1; ++r) {
      for (std::size_t c = c0; c <= c1; ++c)
        if (taken[r * columns + c]) return;
    }
    for (std::size_t r = r0; r <= r1; ++r) std::fill_n(taken.begin() + static_cast<std::ptrdiff_t>(r * columns + c0), c1 - c0 + 1, 1);
    const ImU32 tcol = l.future ? rgb(theme::kInkSoft, 110) : (a.packet ? rgb(theme::kInkSoft) : rgb(theme::kInk));
    dl->AddText(font, lsize, at, tcol, text, text_end);
  };
  for (const auto& l : line_labels) put(l);
  for (const auto& l : packet_labels) put(l);

  // The current moment.
  const float ny = y_of(playback);
  dl->AddLine(ImVec2(top_left.x, ny), ImVec2(top_left.x + width, ny), rgb(theme::kSelect), 2.0f);
  const std::string stamp = clock_text(app.japanese(), app.view.time);
  const ImVec2 sts = font->CalcTextSizeA(small, 1e9f, 0.0f, stamp.c_str());
  dl->AddRectFilled(ImVec2(top_left.x, ny - sts.y - 2.0f), ImVec2(top_left.x + sts.x + 6.0f, ny), rgb(theme::kSelect));
  dl->AddText(font, small, ImVec2(top_left.x + 3.0f, ny - sts.y - 1.0f), rgb(0xFFFFFF), stamp.c_str());

  // Follow the current moment while it moves (but let the user scroll when it does not).
  if (span_scroll) {
    ImGui::SetScrollY(std::max(0.0f, *span_scroll));
    app.seq_followed = playback;
  } else if (playback != app.seq_followed) {
    const float rel = ny - top_left.y;
    const float scroll = ImGui::GetScrollY();
    if (rel < scroll + fs || rel > scroll + view_h - fs * 2.0f) ImGui::SetScrollY(std::max(0.0f, rel - view_h * 0.35f));
    app.seq_followed = playback;
  }

  // Click to seek; hover shows the moment's record.
  if (hovered && !app.headless) {
    const double at = std::clamp(static_cast<double>((io.MousePos.y - top) / px), 0.0, duration);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      app.playing = false;
      app.seek(at);
    }
    if (const auto rec = app.model.record_at_playback(at)) {
      const auto& r = app.model.records()[*rec];
      ImGui::SetTooltip("%s  %s", clock_text(app.japanese(), r.time).c_str(), worded_record(app, *rec).c_str());
    }
  }
  ImGui::EndChild();
}

}  // namespace mailsim::gui::panels
