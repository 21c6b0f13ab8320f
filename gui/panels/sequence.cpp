// Sequence diagram: one lane per host, arrows for packets (slanted: they take time) and
// protocol lines (horizontal), time flowing down on the player's clock; click to seek,
// Ctrl+wheel to zoom; the current moment is a line across the lanes.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"

namespace mailsim::gui::panels {

namespace {
using theme::rgb;
constexpr float kBasePxPerSecond = 26.0f;  // at zoom 1
constexpr float kMinZoom = 0.05f;
constexpr float kMaxZoom = 10.0f;
constexpr float kDashedLaneMin = 16.0f;  // lanes narrower than this (pixels) are drawn plain

void arrow_head(ImDrawList* dl, ImVec2 from, ImVec2 to, float size, ImU32 col) {
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  const float ux = dx / len;
  const float uy = dy / len;
  const ImVec2 base(to.x - ux * size, to.y - uy * size);
  dl->AddTriangleFilled(to, ImVec2(base.x - uy * size * 0.5f, base.y + ux * size * 0.5f),
                        ImVec2(base.x + uy * size * 0.5f, base.y - ux * size * 0.5f), col);
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
  ImGui::SliderFloat("##seqzoom", &app.seq_zoom, kMinZoom, kMaxZoom, "%.2fx", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  const bool fit = ImGui::Button(app.tr("seq.fit"));
  if (!app.headless) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", app.tr("seq.hint"));
  }

  // Lane headers (they stay in place while the diagram scrolls).
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = ImGui::GetFont();
  const float small = fs * 0.85f;
  const ImVec2 head_min = ImGui::GetCursorScreenPos();
  const float width = std::max(ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize, 50.0f);
  const float lane_w = width / static_cast<float>(seq.lanes.size());
  const float head_h = small * 2.3f;
  auto lane_x = [&](std::size_t i) { return head_min.x + lane_w * (static_cast<float>(i) + 0.5f); };
  for (std::size_t i = 0; i < seq.lanes.size(); ++i) {
    const std::string name = app.host_name(seq.lanes[i]);
    const float x = lane_x(i);
    const ImVec2 a(x - lane_w * 0.5f + 2.0f, head_min.y);
    const ImVec2 b(x + lane_w * 0.5f - 2.0f, head_min.y + head_h);
    const bool acting = seq.lanes[i] == app.view.acting_host;
    dl->AddRectFilled(a, b, acting ? rgb(theme::kHalo, 200) : rgb(0xEEF1F4), 4.0f);
    // Up to two lines, wrapped to the lane.
    const char* p = name.c_str();
    const char* end = p + name.size();
    float y = a.y + 2.0f;
    for (int line = 0; line < 2 && p < end; ++line) {
      const char* brk = font->CalcWordWrapPositionA(small / font->FontSize, p, end, b.x - a.x - 4.0f);
      if (brk == p) brk = p + 1;
      const ImVec2 ts = font->CalcTextSizeA(small, 1e9f, 0.0f, p, brk);
      dl->AddText(font, small, ImVec2(std::floor(x - ts.x * 0.5f), y), rgb(theme::kInk), p, brk);
      y += ts.y;
      p = brk;
      while (p < end && *p == ' ') ++p;
    }
  }
  ImGui::Dummy(ImVec2(width, head_h + 2.0f));

  // The scrolling diagram.
  const ImGuiWindowFlags flags = io.KeyCtrl ? ImGuiWindowFlags_NoScrollWithMouse : ImGuiWindowFlags_None;
  ImGui::BeginChild("##seqscroll", ImVec2(0, 0), false, flags);
  const float view_h = ImGui::GetContentRegionAvail().y;
  const double duration = std::max(seq.duration, 0.001);
  if (fit) app.seq_zoom = std::clamp(static_cast<float>((view_h - fs * 2.0f) / duration) / kBasePxPerSecond, kMinZoom, kMaxZoom);
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

  // Arrows (only those in view are drawn).
  const double playback = app.playback;
  const auto [first_arrow, last_arrow] =
      seq.arrows_between((clip_top - 20.0f - top) / px, (clip_bottom + 20.0f - top) / px);
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
    dl->AddLine(from, to, col, a.packet ? 1.5f : 2.5f);
    if (a.blocked) {
      const float c = fs * 0.35f;
      dl->AddLine(ImVec2(to.x - c, to.y - c), ImVec2(to.x + c, to.y + c), rgb(theme::kBlock, alpha), 2.5f);
      dl->AddLine(ImVec2(to.x - c, to.y + c), ImVec2(to.x + c, to.y - c), rgb(theme::kBlock, alpha), 2.5f);
    } else {
      arrow_head(dl, from, to, a.packet ? fs * 0.45f : fs * 0.6f, col);
    }
    // Protocol lines are always labelled; packets when there is room.
    const bool label = !a.packet || px * static_cast<float>(std::max(a.end - a.start, 0.3)) > small * 2.5f;
    if (label) {
      const float lsize = a.packet ? small * 0.9f : small;
      const float span = std::abs(to.x - from.x);
      std::string text = a.label;
      ImVec2 ts = font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, text.c_str());
      const float room = std::max(span - 8.0f, lane_w * 0.9f);
      if (ts.x > room && text.size() > 4) {
        // Cut in one pass where the text and ".." fit; at least one character stays.
        const float dots = font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, "..").x;
        const char* begin = text.c_str();
        const char* cut = begin;
        font->CalcTextSizeA(lsize, std::max(room - dots, 0.0f), 0.0f, begin, begin + text.size(), &cut);
        auto keep = static_cast<std::size_t>(cut - begin);
        if (keep == 0) {
          keep = 1;
          while (keep < text.size() && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) ++keep;
        }
        text.resize(keep);
        text += "..";
        ts = font->CalcTextSizeA(lsize, FLT_MAX, 0.0f, text.c_str());
      }
      const ImVec2 mid((from.x + to.x) * 0.5f, (from.y + to.y) * 0.5f);
      const ImU32 tcol = future ? rgb(theme::kInkSoft, 110) : (a.packet ? rgb(theme::kInkSoft) : rgb(theme::kInk));
      dl->AddText(font, lsize, ImVec2(std::floor(mid.x - ts.x * 0.5f), std::floor(mid.y - ts.y - 1.0f)), tcol,
                  text.c_str());
    }
  }

  // The current moment.
  const float ny = y_of(playback);
  dl->AddLine(ImVec2(top_left.x, ny), ImVec2(top_left.x + width, ny), rgb(theme::kSelect), 2.0f);
  const std::string stamp = sim::format_time(app.view.time);
  const ImVec2 sts = font->CalcTextSizeA(small, 1e9f, 0.0f, stamp.c_str());
  dl->AddRectFilled(ImVec2(top_left.x, ny - sts.y - 2.0f), ImVec2(top_left.x + sts.x + 6.0f, ny), rgb(theme::kSelect));
  dl->AddText(font, small, ImVec2(top_left.x + 3.0f, ny - sts.y - 1.0f), rgb(0xFFFFFF), stamp.c_str());

  // Follow the current moment while it moves (but let the user scroll when it does not).
  if (playback != app.seq_followed) {
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
      ImGui::SetTooltip("%s  %s", sim::format_time(r.time).c_str(), r.summary.c_str());
    }
  }
  ImGui::EndChild();
}

}  // namespace mailsim::gui::panels
