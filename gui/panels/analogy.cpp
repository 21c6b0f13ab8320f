// The post-office analogy: a drawn postal scene (post box, post office counter, sorting,
// transport, the destination post office, P.O. boxes, home, plus the postcode directory,
// the locked gate, envelope vs postcard and the return-to-sender stamp) with the station of
// the current situation lit and one or two sentences explaining it. Texts come from
// assets/analogy/LANG.json, stations from assets/analogy/stations.json.
#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "gui/icons.hpp"
#include "gui/model/line_break.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {

using theme::rgb;

constexpr unsigned kPostRed = 0xD7301F;
constexpr unsigned kOffice = 0xF4E9D8;
constexpr unsigned kOfficeLine = 0x8A6D46;
constexpr unsigned kRoad = 0xC9CCD1;

// Draws the 〒 post-office mark (as lines, so it needs no Japanese glyph).
void post_mark(ImDrawList* dl, ImVec2 c, float s, ImU32 col) {
  const float t = std::max(1.5f, s * 0.14f);
  dl->AddLine(ImVec2(c.x - s * 0.5f, c.y - s * 0.45f), ImVec2(c.x + s * 0.5f, c.y - s * 0.45f), col, t);
  dl->AddLine(ImVec2(c.x - s * 0.5f, c.y - s * 0.1f), ImVec2(c.x + s * 0.5f, c.y - s * 0.1f), col, t);
  dl->AddLine(ImVec2(c.x, c.y - s * 0.1f), ImVec2(c.x, c.y + s * 0.55f), col, t);
}

void building(ImDrawList* dl, ImVec2 c, float s, unsigned fill, bool counter) {
  const ImVec2 a(c.x - s * 0.55f, c.y - s * 0.25f);
  const ImVec2 b(c.x + s * 0.55f, c.y + s * 0.5f);
  dl->AddTriangleFilled(ImVec2(c.x - s * 0.65f, a.y), ImVec2(c.x + s * 0.65f, a.y), ImVec2(c.x, c.y - s * 0.6f),
                        rgb(kPostRed));
  dl->AddRectFilled(a, b, rgb(fill));
  dl->AddRect(a, b, rgb(kOfficeLine), 0.0f, 0, 1.5f);
  post_mark(dl, ImVec2(c.x, c.y - s * 0.36f), s * 0.22f, rgb(0xFFFFFF));
  if (counter) {
    // The counter window with a clerk behind it.
    const ImVec2 wa(c.x - s * 0.38f, c.y - s * 0.08f);
    const ImVec2 wb(c.x + s * 0.05f, c.y + s * 0.3f);
    dl->AddRectFilled(wa, wb, rgb(theme::kIconScreen));
    dl->AddCircleFilled(ImVec2((wa.x + wb.x) * 0.5f, wa.y + s * 0.14f), s * 0.08f, rgb(theme::kIconBody));
    dl->AddLine(ImVec2(wa.x - s * 0.04f, wb.y), ImVec2(wb.x + s * 0.04f, wb.y), rgb(kOfficeLine), 3.0f);
    dl->AddRectFilled(ImVec2(c.x + s * 0.18f, c.y + s * 0.05f), ImVec2(c.x + s * 0.42f, b.y), rgb(kOfficeLine));
  } else {
    dl->AddRectFilled(ImVec2(c.x - s * 0.12f, c.y + s * 0.12f), ImVec2(c.x + s * 0.12f, b.y), rgb(kOfficeLine));
  }
}

void post_box(ImDrawList* dl, ImVec2 c, float s) {
  dl->AddRectFilled(ImVec2(c.x - s * 0.08f, c.y + s * 0.2f), ImVec2(c.x + s * 0.08f, c.y + s * 0.5f),
                    rgb(theme::kIconBody));
  dl->AddRectFilled(ImVec2(c.x - s * 0.28f, c.y - s * 0.45f), ImVec2(c.x + s * 0.28f, c.y + s * 0.25f), rgb(kPostRed),
                    s * 0.12f);
  dl->AddRectFilled(ImVec2(c.x - s * 0.32f, c.y - s * 0.5f), ImVec2(c.x + s * 0.32f, c.y - s * 0.38f), rgb(0xA52416),
                    s * 0.05f);
  dl->AddRectFilled(ImVec2(c.x - s * 0.17f, c.y - s * 0.24f), ImVec2(c.x + s * 0.17f, c.y - s * 0.18f),
                    rgb(theme::kInk));
  post_mark(dl, ImVec2(c.x, c.y + s * 0.02f), s * 0.18f, rgb(0xFFFFFF));
}

void sorting(ImDrawList* dl, ImVec2 c, float s) {
  const ImVec2 a(c.x - s * 0.5f, c.y - s * 0.42f);
  const ImVec2 b(c.x + s * 0.5f, c.y + s * 0.42f);
  dl->AddRectFilled(a, b, rgb(kOffice));
  const float cw = (b.x - a.x) / 3.0f;
  const float ch = (b.y - a.y) / 3.0f;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const ImVec2 p(a.x + cw * static_cast<float>(i), a.y + ch * static_cast<float>(j));
      dl->AddRect(p, ImVec2(p.x + cw, p.y + ch), rgb(kOfficeLine), 0.0f, 0, 1.2f);
      if ((i + j) % 2 == 0) {
        dl->AddRectFilled(ImVec2(p.x + cw * 0.2f, p.y + ch * 0.35f), ImVec2(p.x + cw * 0.8f, p.y + ch * 0.85f),
                          rgb(0xFFFFFF));
      }
    }
  }
}

void truck(ImDrawList* dl, ImVec2 c, float s) {
  const ImU32 body = rgb(kPostRed);
  dl->AddRectFilled(ImVec2(c.x - s * 0.6f, c.y - s * 0.35f), ImVec2(c.x + s * 0.2f, c.y + s * 0.2f), body, 3.0f);
  dl->AddRectFilled(ImVec2(c.x + s * 0.22f, c.y - s * 0.15f), ImVec2(c.x + s * 0.55f, c.y + s * 0.2f), body, 4.0f);
  dl->AddRectFilled(ImVec2(c.x + s * 0.3f, c.y - s * 0.1f), ImVec2(c.x + s * 0.5f, c.y + s * 0.02f),
                    rgb(theme::kIconScreen));
  post_mark(dl, ImVec2(c.x - s * 0.2f, c.y - s * 0.08f), s * 0.2f, rgb(0xFFFFFF));
  for (float x : {-0.38f, 0.35f}) {
    dl->AddCircleFilled(ImVec2(c.x + s * x, c.y + s * 0.25f), s * 0.12f, rgb(theme::kInk));
    dl->AddCircleFilled(ImVec2(c.x + s * x, c.y + s * 0.25f), s * 0.05f, rgb(0xDDDDDD));
  }
}

void po_boxes(ImDrawList* dl, ImVec2 c, float s) {
  const ImVec2 a(c.x - s * 0.5f, c.y - s * 0.45f);
  const float cw = s / 3.0f;
  const float ch = s * 0.9f / 3.0f;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const ImVec2 p(a.x + cw * static_cast<float>(i), a.y + ch * static_cast<float>(j));
      dl->AddRectFilled(ImVec2(p.x + 1, p.y + 1), ImVec2(p.x + cw - 1, p.y + ch - 1), rgb(0xB8A77A), 2.0f);
      dl->AddCircleFilled(ImVec2(p.x + cw * 0.75f, p.y + ch * 0.5f), std::max(1.2f, s * 0.03f), rgb(theme::kInk));
    }
  }
}

void home(ImDrawList* dl, ImVec2 c, float s) {
  dl->AddTriangleFilled(ImVec2(c.x - s * 0.55f, c.y - s * 0.05f), ImVec2(c.x + s * 0.55f, c.y - s * 0.05f),
                        ImVec2(c.x, c.y - s * 0.5f), rgb(0x8C5A3C));
  dl->AddRectFilled(ImVec2(c.x - s * 0.42f, c.y - s * 0.05f), ImVec2(c.x + s * 0.42f, c.y + s * 0.5f), rgb(0xF7F1E3));
  dl->AddRect(ImVec2(c.x - s * 0.42f, c.y - s * 0.05f), ImVec2(c.x + s * 0.42f, c.y + s * 0.5f), rgb(0x8C5A3C), 0.0f,
              0, 1.5f);
  dl->AddRectFilled(ImVec2(c.x - s * 0.1f, c.y + s * 0.15f), ImVec2(c.x + s * 0.1f, c.y + s * 0.5f), rgb(0x8C5A3C));
  // The letter box at the door.
  dl->AddRectFilled(ImVec2(c.x + s * 0.18f, c.y + s * 0.12f), ImVec2(c.x + s * 0.34f, c.y + s * 0.26f), rgb(kPostRed));
}

void directory(ImDrawList* dl, ImVec2 c, float s) {
  const ImVec2 a(c.x - s * 0.4f, c.y - s * 0.45f);
  const ImVec2 b(c.x + s * 0.4f, c.y + s * 0.45f);
  dl->AddRectFilled(a, b, rgb(0x2E6DA4), 3.0f);
  dl->AddRectFilled(a, ImVec2(a.x + s * 0.12f, b.y), rgb(0x1F4E79), 3.0f);
  dl->AddRectFilled(ImVec2(c.x - s * 0.18f, c.y - s * 0.3f), ImVec2(c.x + s * 0.3f, c.y + s * 0.1f), rgb(0xFFFFFF));
  post_mark(dl, ImVec2(c.x + s * 0.06f, c.y - s * 0.1f), s * 0.2f, rgb(kPostRed));
}

void stamp(ImDrawList* dl, ImVec2 c, float s) {
  const ImU32 col = rgb(kPostRed);
  dl->AddRect(ImVec2(c.x - s * 0.5f, c.y - s * 0.3f), ImVec2(c.x + s * 0.5f, c.y + s * 0.3f), col, 4.0f, 0, 2.5f);
  // A U-turn arrow: back to the sender.
  const float t = std::max(2.0f, s * 0.07f);
  dl->PathArcTo(ImVec2(c.x + s * 0.05f, c.y), s * 0.16f, -1.5708f, 1.5708f, 10);
  dl->PathStroke(col, 0, t);
  dl->AddLine(ImVec2(c.x + s * 0.05f, c.y - s * 0.16f), ImVec2(c.x - s * 0.3f, c.y - s * 0.16f), col, t);
  dl->AddLine(ImVec2(c.x + s * 0.05f, c.y + s * 0.16f), ImVec2(c.x - s * 0.25f, c.y + s * 0.16f), col, t);
  dl->AddTriangleFilled(ImVec2(c.x - s * 0.4f, c.y + s * 0.16f), ImVec2(c.x - s * 0.22f, c.y + s * 0.04f),
                        ImVec2(c.x - s * 0.22f, c.y + s * 0.28f), col);
}

void gate(ImDrawList* dl, ImVec2 c, float s) {
  const ImU32 col = rgb(theme::kIconBody);
  dl->AddRectFilled(ImVec2(c.x - s * 0.5f, c.y - s * 0.45f), ImVec2(c.x - s * 0.38f, c.y + s * 0.45f), col);
  dl->AddRectFilled(ImVec2(c.x + s * 0.38f, c.y - s * 0.45f), ImVec2(c.x + s * 0.5f, c.y + s * 0.45f), col);
  for (int i = 0; i < 5; ++i) {
    const float x = c.x - s * 0.3f + s * 0.15f * static_cast<float>(i);
    dl->AddLine(ImVec2(x, c.y - s * 0.35f), ImVec2(x, c.y + s * 0.4f), col, 2.0f);
  }
  dl->AddLine(ImVec2(c.x - s * 0.38f, c.y - s * 0.3f), ImVec2(c.x + s * 0.38f, c.y - s * 0.3f), col, 2.0f);
  icons::padlock(dl, ImVec2(c.x, c.y + s * 0.05f), s * 0.45f, rgb(theme::kBlock));
}

void envelope_vs_postcard(ImDrawList* dl, ImVec2 c, float s) {
  // Left: a postcard anyone can read; right: a sealed envelope with a padlock.
  const ImVec2 pa(c.x - s * 0.95f, c.y - s * 0.3f);
  const ImVec2 pb(c.x - s * 0.1f, c.y + s * 0.3f);
  dl->AddRectFilled(pa, pb, rgb(0xFFFDF5));
  dl->AddRect(pa, pb, rgb(theme::kInkSoft), 0.0f, 0, 1.2f);
  for (int i = 0; i < 3; ++i) {
    const float y = pa.y + s * (0.15f + 0.14f * static_cast<float>(i));
    dl->AddLine(ImVec2(pa.x + s * 0.08f, y), ImVec2(pb.x - s * 0.3f, y), rgb(theme::kInkSoft), 1.0f);
  }
  icons::envelope(dl, ImVec2(c.x + s * 0.5f, c.y), s * 0.85f, rgb(0xE8D8B0));
  icons::padlock(dl, ImVec2(c.x + s * 0.5f, c.y + s * 0.02f), s * 0.35f, rgb(theme::kInk));
}

// "Post box (mail app)" -> {"Post box", "(mail app)"}; Japanese full-width brackets too.
std::pair<std::string, std::string> split_label(const std::string& label) {
  for (const char* open : {" (", "\xEF\xBC\x88"}) {  // " (" and "（"
    const auto at = label.find(open);
    if (at != std::string::npos && at > 0) {
      const auto second = label[at] == ' ' ? at + 1 : at;
      return {label.substr(0, at), label.substr(second)};
    }
  }
  return {label, {}};
}

struct Spot {
  Station station;
  float x;      // fraction of the scene's width
  bool extra;   // the upper row (directory, gate, envelope, stamp)
  float width;  // relative width of the drawing
};

constexpr std::array<Spot, 11> kSpots{{
    {Station::PostBox, 0.06f, false, 0.7f},
    {Station::Counter, 0.20f, false, 1.2f},
    {Station::Sorting, 0.34f, false, 1.0f},
    {Station::Transport, 0.50f, false, 1.2f},
    {Station::DestinationOffice, 0.66f, false, 1.2f},
    {Station::PoBox, 0.80f, false, 1.0f},
    {Station::Home, 0.93f, false, 1.0f},
    {Station::Gate, 0.13f, true, 1.0f},
    {Station::Directory, 0.34f, true, 0.8f},
    {Station::Envelope, 0.52f, true, 1.9f},
    {Station::ReturnToSender, 0.80f, true, 1.0f},
}};

void draw_station(ImDrawList* dl, Station st, ImVec2 c, float s) {
  switch (st) {
    case Station::PostBox: post_box(dl, c, s); break;
    case Station::Counter: building(dl, c, s, kOffice, true); break;
    case Station::Sorting: sorting(dl, c, s * 0.85f); break;
    case Station::Transport: truck(dl, c, s); break;
    case Station::DestinationOffice: building(dl, c, s, 0xE8EFE0, false); break;
    case Station::PoBox: po_boxes(dl, c, s * 0.9f); break;
    case Station::Home: home(dl, c, s); break;
    case Station::Directory: directory(dl, c, s * 0.8f); break;
    case Station::ReturnToSender: stamp(dl, c, s * 0.9f); break;
    case Station::Gate: gate(dl, c, s * 0.8f); break;
    case Station::Envelope: envelope_vs_postcard(dl, c, s * 0.8f); break;
    case Station::None: break;
  }
}

}  // namespace

void analogy(AppState& app) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = ImGui::GetFont();
  const float fs = ImGui::GetFontSize();
  const ImVec2 min = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.x = std::max(avail.x, 120.0f);
  avail.y = std::max(avail.y, 80.0f);
  const ImVec2 max(min.x + avail.x, min.y + avail.y);
  const auto& table = app.analogy();

  // The situation in force: the last record with a postal twin.
  // While a lesson step is in force, the scene shows its situation unless what happened at
  // its record decides otherwise (gui/model/situation).
  std::string key = situation_at(app.model, app.story, StepTimeline(app.narration, app.model), app.scenario.narration,
                                 app.narration, app.playback, app.view.current);
  if (!key.empty() && !table.has(key + ".title")) {
    const auto rec = app.story.analogy_at(app.view.current);
    key = rec ? app.story.key_of(*rec) : std::string{};
  }
  const Station active = key.empty() ? Station::None : app.station_of(key);
  std::string title = key.empty() ? table.get("analogy.title") : table.get(key + ".title");
  std::string text = key.empty() ? table.get("analogy.none") : table.get(key + ".text");

  dl->AddRectFilled(min, max, rgb(0xFFFDF7));
  dl->AddLine(min, ImVec2(max.x, min.y), rgb(0xD0D7DE), 1.0f);

  if (app.compact) {
    // A short screen: the lit station and its caption in a strip — the title always, the text
    // when it fits whole (else on hover), never cut mid-sentence.
    const float pad = fs * 0.5f;
    const float icon_s = std::min(avail.y - pad * 2.0f, fs * 2.6f);
    dl->AddRectFilled(min, max, rgb(0xFFF6D5));
    if (active != Station::None) {
      const ImVec2 c(min.x + pad + icon_s * 0.5f, min.y + avail.y * 0.5f);
      dl->AddRectFilled(ImVec2(c.x - icon_s * 0.5f, c.y - icon_s * 0.5f), ImVec2(c.x + icon_s * 0.5f, c.y + icon_s * 0.5f),
                        rgb(theme::kHalo, 200), icon_s * 0.15f);
      draw_station(dl, active, c, icon_s * 0.8f);
    }
    const float x = min.x + pad * 2.0f + (active != Station::None ? icon_s : 0.0f);
    const float w = std::max(fs * 4.0f, max.x - x - pad);
    const MeasureText measure = [&](std::string_view piece) {
      return font->CalcTextSizeA(fs, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
    };
    const auto title_lines = break_lines(title, w, measure);
    const auto text_lines = break_lines(text, w, measure);
    const float line_h = fs * 1.05f;
    const bool with_text = static_cast<float>(title_lines.size() + text_lines.size()) * line_h <= avail.y - pad;
    const float used = static_cast<float>(title_lines.size() + (with_text ? text_lines.size() : 0)) * line_h;
    float y = min.y + std::max(pad * 0.5f, (avail.y - used) * 0.5f);
    const ImU32 title_ink = rgb(active == Station::None ? theme::kInkSoft : 0x7A3E00);
    for (const auto& l : title_lines) {
      if (y + fs > max.y) break;
      dl->AddText(font, fs, ImVec2(x, y), title_ink, l.c_str());
      y += line_h;
    }
    for (std::size_t i = 0; with_text && i < text_lines.size(); ++i) {
      dl->AddText(font, fs, ImVec2(x, y), rgb(theme::kInk), text_lines[i].c_str());
      y += line_h;
    }
    if (!with_text && !app.headless && ImGui::IsWindowHovered()) ImGui::SetTooltip("%s", text.c_str());
    return;
  }

  // The caption at the bottom: measure it first so the scene gets the rest.
  const float pad = fs * 0.6f;
  const float text_w = avail.x - pad * 2.0f;
  // Our own line breaker (ImGui's wraps Japanese inside a word: 所/在地).
  const MeasureText measure_caption = [&](std::string_view piece) {
    return font->CalcTextSizeA(fs, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
  };
  const auto title_lines = break_lines(title, text_w, measure_caption);
  const auto text_lines = break_lines(text, text_w, measure_caption);
  const float caption_line = ImGui::GetTextLineHeight();
  const ImVec2 title_size(text_w, caption_line * static_cast<float>(title_lines.size()));
  const ImVec2 text_size(text_w, caption_line * static_cast<float>(text_lines.size()));
  const float caption_gap = ImGui::GetStyle().ItemSpacing.y;  // between the title and the text
  const float caption_h = title_size.y + caption_gap + text_size.y + pad * 1.6f;
  const ImVec2 scene_min(min.x, min.y + fs * 0.2f);
  const ImVec2 scene_max(max.x, std::max(scene_min.y + fs * 4.0f, max.y - caption_h));
  const float sw = scene_max.x - scene_min.x;
  const float sh = scene_max.y - scene_min.y;

  // Station size from the room: two rows (extras above) plus labels under the main row.
  const float least = min_text(app, fs);
  const float label_fs = std::max(fs * 0.78f, least);
  ImGuiIO& io = ImGui::GetIO();
  const bool hovered_panel = ImGui::IsWindowHovered();
  Station hovered = Station::None;
  auto label_of = [&](Station st) { return table.get("station." + std::string(station_name(st))); };

  // Does the road fit across? Each main station has a lane of about 13.5% of the scene; its
  // label must fit the lane at the least type in at most three lines without breaking a word.
  // Where it does not (a narrow column beside the map at a projector's scale), the scene is
  // drawn as a list: the stations one under the other, each with its name beside it.
  bool list_mode = false;
  {
    const float lane_w = sw * 0.135f;
    const MeasureText at_least = [&](std::string_view piece) {
      return font->CalcTextSizeA(least, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
    };
    for (const auto& spot : kSpots) {
      if (spot.extra) continue;
      const auto [first, second] = split_label(label_of(spot.station));
      std::size_t lines = 0;
      for (const std::string* line : {&first, &second}) {
        if (line->empty()) continue;
        const bool latin = std::all_of(line->begin(), line->end(), [](char ch) { return (ch & 0x80) == 0; });
        if (latin) {
          std::size_t from = 0;
          while (from <= line->size()) {
            const auto sp = std::min(line->find(' ', from), line->size());
            if (at_least(std::string_view(*line).substr(from, sp - from)) > lane_w) list_mode = true;
            from = sp + 1;
          }
        }
        lines += at_least(*line) <= lane_w ? 1 : break_lines(*line, lane_w, at_least).size();
      }
      if (lines > 3) list_mode = true;
    }
  }
  if (list_mode) {
    // The stations this lesson's story uses from the upper row (and the lit one), then the road.
    std::vector<Station> list;
    for (const auto& spot : kSpots) {
      if (!spot.extra) continue;
      bool used = spot.station == active;
      for (const auto& step : app.scenario.narration)
        used = used || (!step.analogy.empty() && app.station_of(step.analogy) == spot.station);
      if (used) list.push_back(spot.station);
    }
    const std::size_t first_main = list.size();
    for (const auto& spot : kSpots)
      if (!spot.extra) list.push_back(spot.station);
    const float row_h = sh / static_cast<float>(list.size());
    const float s = std::clamp(row_h * 0.85f, 14.0f, 44.0f);
    const float lfs = std::clamp(row_h * 0.78f, least, label_fs);
    const float icon_x = scene_min.x + pad + s * 0.95f;
    const float text_x = icon_x + s * 0.95f + pad * 0.5f;
    const float text_room = scene_max.x - text_x - 4.0f;
    const float road_x = icon_x;
    const float road_top = scene_min.y + row_h * (static_cast<float>(first_main) + 0.5f);
    const float road_bottom = scene_min.y + row_h * (static_cast<float>(list.size()) - 0.5f);
    dl->AddLine(ImVec2(road_x, road_top), ImVec2(road_x, road_bottom), rgb(kRoad), std::max(3.0f, s * 0.1f));
    for (std::size_t k = 0; k < list.size(); ++k) {
      const Station st = list[k];
      const float cy = scene_min.y + row_h * (static_cast<float>(k) + 0.5f);
      const bool lit = st == active;
      // The full label if it fits, else its name alone (never a cut word).
      std::string label = label_of(st);
      if (font->CalcTextSizeA(lfs, FLT_MAX, 0.0f, label.c_str()).x > text_room) label = split_label(label).first;
      const ImVec2 ts = font->CalcTextSizeA(lfs, FLT_MAX, 0.0f, label.c_str());
      if (lit) {
        const ImVec2 a(scene_min.x + pad * 0.3f, cy - row_h * 0.48f);
        const ImVec2 b(std::min(scene_max.x - 2.0f, text_x + ts.x + pad * 0.5f), cy + row_h * 0.48f);
        dl->AddRectFilled(a, b, rgb(theme::kHalo, 210), s * 0.2f);
        dl->AddRect(a, b, rgb(0xB8A800), s * 0.2f, 0, 2.5f);
      }
      draw_station(dl, st, ImVec2(icon_x, cy), s * (st == Station::Envelope ? 0.7f : 1.0f));
      dl->AddText(font, lfs, ImVec2(std::floor(text_x), std::floor(cy - ts.y * 0.5f)),
                  lit ? rgb(theme::kInk) : rgb(theme::kInkSoft), label.c_str());
      if (!app.headless && hovered_panel && io.MousePos.y >= cy - row_h * 0.5f && io.MousePos.y < cy + row_h * 0.5f &&
          io.MousePos.x >= scene_min.x && io.MousePos.x <= scene_max.x)
        hovered = st;
    }
  } else {
  const float s = std::clamp(std::min((sh - label_fs * 2.3f) / 2.45f, sw / 9.5f), 16.0f, 64.0f);
  const float extra_y = scene_min.y + s * 0.62f;
  const float main_y = scene_min.y + s * 1.75f;

  // The road between the main stations.
  const float road_y = main_y + s * 0.5f;
  dl->AddLine(ImVec2(scene_min.x + sw * kSpots[0].x, road_y), ImVec2(scene_min.x + sw * kSpots[6].x, road_y),
              rgb(kRoad), std::max(3.0f, s * 0.1f));

  // The upper row is laid out in sequence: each drawing followed by its one-line label,
  // spread evenly; labels shrink (to 80%) when the row is short of room.
  float extra_fs = label_fs;
  std::vector<float> extra_x;
  // Where one line per label does not fit, each label takes two short lines (its name, then
  // what it stands for) rather than smaller type or a cut.
  bool extra_two_lines = false;
  auto extra_label_w = [&](Station st, float size) {
    const std::string label = label_of(st);
    if (!extra_two_lines) return font->CalcTextSizeA(size, 1e9f, 0.0f, label.c_str()).x;
    const auto [first, second] = split_label(label);
    return std::max(font->CalcTextSizeA(size, 1e9f, 0.0f, first.c_str()).x,
                    font->CalcTextSizeA(size, 1e9f, 0.0f, second.c_str()).x);
  };
  {
    float need = 0.0f;
    float labels = 0.0f;
    int count = 0;
    for (const auto& spot : kSpots) {
      if (!spot.extra) continue;
      need += s * spot.width + s * 0.24f + 6.0f;
      labels += extra_label_w(spot.station, label_fs);
      ++count;
    }
    if (need + labels > sw - 8.0f && labels > 0.0f) {
      extra_two_lines = true;
      labels = 0.0f;
      for (const auto& spot : kSpots)
        if (spot.extra) labels += extra_label_w(spot.station, label_fs);
    }
    if (need + labels > sw - 8.0f && labels > 0.0f) {
      extra_fs = std::max(least, label_fs * std::max(0.8f, (sw - 8.0f - need) / labels));
      labels *= extra_fs / label_fs;
    }
    const float gap = std::max(2.0f, (sw - need - labels) / static_cast<float>(count + 1));
    float x = scene_min.x + gap;
    for (const auto& spot : kSpots) {
      if (!spot.extra) continue;
      const float half = s * spot.width * 0.5f + s * 0.12f;
      extra_x.push_back(x + half);
      x += half * 2.0f + 6.0f + extra_label_w(spot.station, extra_fs) + gap;
    }
  }

  std::size_t extra_index = 0;
  const float lane = sw * 0.135f;
  for (const auto& spot : kSpots) {
    const float cx = spot.extra ? extra_x[extra_index++] : std::floor(scene_min.x + sw * spot.x);
    const ImVec2 c(cx, spot.extra ? extra_y : main_y);
    const bool lit = spot.station == active;
    const float half_w = s * spot.width * 0.5f + s * 0.12f;
    if (lit) {
      const ImVec2 a(c.x - half_w, c.y - s * 0.62f);
      const ImVec2 b(c.x + half_w, c.y + s * 0.62f);
      dl->AddRectFilled(a, b, rgb(theme::kHalo, 210), s * 0.2f);
      dl->AddRect(a, b, rgb(0xB8A800), s * 0.2f, 0, 2.5f);
    }
    draw_station(dl, spot.station, c, s);
    const std::string label = label_of(spot.station);
    const ImU32 ink = lit ? rgb(theme::kInk) : rgb(theme::kInkSoft);
    if (!spot.extra) {
      // Two short lines under the drawing: the name, then what it stands for.
      const auto [first, second] = split_label(label);
      float y = main_y + s * 0.62f + 2.0f;
      for (const std::string* line : {&first, &second}) {
        if (line->empty()) continue;
        float lfs = label_fs;
        ImVec2 ts = font->CalcTextSizeA(lfs, 1e9f, 0.0f, line->c_str());
        if (ts.x > lane) {
          lfs = std::max(least, lfs * lane / ts.x);
          ts = font->CalcTextSizeA(lfs, 1e9f, 0.0f, line->c_str());
        }
        // A narrow scene (1280x720 at scale 1.5): a line still wider than its lane at the least
        // type is broken within the lane (at spaces, between Japanese phrases) rather than run
        // into its neighbours' labels.
        std::vector<std::string> parts{*line};
        if (ts.x > lane + 1.0f) {
          const MeasureText measure = [&](std::string_view piece) {
            return font->CalcTextSizeA(lfs, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
          };
          const bool latin = std::all_of(line->begin(), line->end(), [](char ch) { return (ch & 0x80) == 0; });
          if (!latin) {
            parts = break_lines(*line, lane, measure);  // between Japanese phrases
          } else {
            // Latin: at spaces only; a word wider than the lane stays whole (never "Sortin/g").
            parts.clear();
            std::string cur;
            std::size_t from = 0;
            while (from <= line->size()) {
              const auto sp = std::min(line->find(' ', from), line->size());
              const std::string word = line->substr(from, sp - from);
              const std::string joined = cur.empty() ? word : cur + " " + word;
              if (!cur.empty() && measure(joined) > lane) {
                parts.push_back(cur);
                cur = word;
              } else {
                cur = joined;
              }
              from = sp + 1;
            }
            if (!cur.empty()) parts.push_back(cur);
          }
        }
        // What the station stands for ("(mail app)") is left out rather than run under the
        // caption when its lines do not fit above it (the tooltip still says it).
        if (line == &second && y + lfs * static_cast<float>(parts.size()) > scene_max.y + 1.0f) break;
        for (const auto& part : parts) {
          ts = font->CalcTextSizeA(lfs, 1e9f, 0.0f, part.c_str());
          const float x = std::clamp(c.x - ts.x * 0.5f, scene_min.x + 2.0f, scene_max.x - ts.x - 2.0f);
          if (lit) dl->AddRectFilled(ImVec2(x - 2, y), ImVec2(x + ts.x + 2, y + ts.y), rgb(theme::kHalo, 210));
          dl->AddText(font, lfs, ImVec2(std::floor(x), std::floor(y)), ink, part.c_str());
          y += ts.y;
        }
      }
    } else if (extra_two_lines) {
      const auto [first, second] = split_label(label);
      const float lw = extra_label_w(spot.station, extra_fs);
      const float lx = c.x + half_w + 3.0f;
      const float line_h = extra_fs;
      const float ly = c.y - (second.empty() ? line_h * 0.5f : line_h);
      if (lit)
        dl->AddRectFilled(ImVec2(lx - 2, ly - 1), ImVec2(lx + lw + 2, ly + line_h * (second.empty() ? 1.0f : 2.0f) + 1),
                          rgb(theme::kHalo, 210));
      dl->AddText(font, extra_fs, ImVec2(lx, ly), ink, first.c_str());
      if (!second.empty()) dl->AddText(font, extra_fs, ImVec2(lx, ly + line_h), ink, second.c_str());
    } else {
      const ImVec2 ts = font->CalcTextSizeA(extra_fs, 1e9f, 0.0f, label.c_str());
      const float lx = c.x + half_w + 3.0f;
      const float ly = c.y - ts.y * 0.5f;
      if (lit) dl->AddRectFilled(ImVec2(lx - 2, ly - 1), ImVec2(lx + ts.x + 2, ly + ts.y + 1), rgb(theme::kHalo, 210));
      dl->AddText(font, extra_fs, ImVec2(lx, ly), ink, label.c_str());
    }
    if (!app.headless && hovered_panel && std::abs(io.MousePos.x - c.x) < half_w &&
        std::abs(io.MousePos.y - c.y) < s * 0.6f) {
      hovered = spot.station;
    }
  }

  }  // the road across

  // Caption: the situation's title and what it means.
  const ImVec2 cap_min(min.x, scene_max.y);
  dl->AddRectFilled(cap_min, max, rgb(0xFFF6D5));
  dl->AddLine(cap_min, ImVec2(max.x, cap_min.y), rgb(0xE3D9B5), 1.0f);
  {
    float y = cap_min.y + pad * 0.6f;
    const ImU32 title_ink = rgb(active == Station::None ? theme::kInkSoft : 0x7A3E00);
    for (const auto& l : title_lines) {
      dl->AddText(font, fs, ImVec2(min.x + pad, y), title_ink, l.c_str());
      y += caption_line;
    }
    y += caption_gap;
    for (const auto& l : text_lines) {
      dl->AddText(font, fs, ImVec2(min.x + pad, y), rgb(theme::kInk), l.c_str());
      y += caption_line;
    }
  }

  if (hovered != Station::None) {
    ImGui::SetTooltip("%s", table.get("station." + std::string(station_name(hovered))).c_str());
  }
}

}  // namespace mailsim::gui::panels
