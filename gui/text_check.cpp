// The screenshot modes' layout check: glyph sizes from the draw data, overlaps from the map.
#include "gui/text_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <utility>

#include <imgui.h>

#include "gui/app_state.hpp"
#include "gui/model/packet_view.hpp"
#include "gui/panels/panels.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::gui {

std::vector<DrawnGlyph> drawn_glyphs(const ImDrawData* data) {
  std::vector<DrawnGlyph> out;
  if (data == nullptr) return out;
  const ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  if (atlas == nullptr || atlas->TexHeight <= 0) return out;
  // A glyph's top-left UV names it: which font (baked at which size) and which character.
  struct Baked {
    float size;
    unsigned codepoint;
  };
  std::map<std::pair<float, float>, Baked> glyphs;
  for (const ImFont* font : atlas->Fonts) {
    for (const ImFontGlyph& g : font->Glyphs) {
      if (g.V1 <= g.V0 || g.Codepoint == ' ') continue;
      glyphs.emplace(std::make_pair(g.U0, g.V0), Baked{font->FontSize, g.Codepoint});
    }
  }
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImDrawList* list = data->CmdLists[l];
    const auto& idx = list->IdxBuffer;
    const auto& vtx = list->VtxBuffer;
    // Glyphs are quads written as four vertices (top-left first) and six indices 0 1 2 0 2 3,
    // in draw commands each with its clip rectangle.
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
    const int from = static_cast<int>(cmd.IdxOffset);
    const int to = std::min(idx.Size, from + static_cast<int>(cmd.ElemCount));
    for (int i = from; i + 5 < to; i += 3) {
      const unsigned v = idx[i];
      if (idx[i + 1] != v + 1 || idx[i + 2] != v + 2 || idx[i + 3] != v || idx[i + 4] != v + 2 ||
          idx[i + 5] != v + 3 || static_cast<int>(v) + 3 >= vtx.Size) {
        continue;
      }
      const ImDrawVert& a = vtx[static_cast<int>(v)];
      const ImDrawVert& c = vtx[static_cast<int>(v) + 2];
      const auto it = glyphs.find(std::make_pair(a.uv.x, a.uv.y));
      if (it == glyphs.end() || c.uv.y <= a.uv.y) continue;
      // Screen height against atlas height, times the size the atlas was baked at (fonts are
      // not oversampled vertically). A glyph cut by a clip rectangle keeps that ratio.
      const float drawn =
          it->second.size * (c.pos.y - a.pos.y) / ((c.uv.y - a.uv.y) * static_cast<float>(atlas->TexHeight));
      const bool cut = (a.pos.x < cmd.ClipRect.x - 0.5f && c.pos.x > cmd.ClipRect.x + 0.5f) ||
                       (a.pos.x < cmd.ClipRect.z - 0.5f && c.pos.x > cmd.ClipRect.z + 0.5f);
      out.push_back(DrawnGlyph{drawn, a.pos.x, a.pos.y, it->second.codepoint, cut,
                               list->_OwnerName != nullptr ? std::string_view(list->_OwnerName) : std::string_view()});
      i += 3;  // the quad's second triangle
    }
    }
  }
  return out;
}

namespace {
void append_utf8(std::string& s, unsigned c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}
}  // namespace

std::vector<std::string> small_text(const std::vector<DrawnGlyph>& glyphs, float least) {
  std::vector<std::string> out;
  std::string run;
  const DrawnGlyph* first = nullptr;
  const DrawnGlyph* last = nullptr;
  auto flush = [&] {
    if (first == nullptr) return;
    char where[96];
    std::snprintf(where, sizeof where, "%.1f px '", static_cast<double>(first->px));
    char at[64];
    std::snprintf(at, sizeof at, "' at (%.0f, %.0f)", static_cast<double>(first->x), static_cast<double>(first->y));
    out.push_back(where + run + at);
    run.clear();
    first = nullptr;
  };
  for (const auto& g : glyphs) {
    if (g.px >= least) continue;
    // Glyphs of one run are drawn one after the other on one baseline (their tops differ).
    const bool same = last != nullptr && std::abs(g.px - last->px) < 0.05f && g.x >= last->x &&
                      g.x - last->x < g.px * 2.0f && std::abs(g.y - last->y) < g.px;
    if (!same) flush();
    if (first == nullptr) first = &g;
    append_utf8(run, g.codepoint);
    last = &g;
  }
  flush();
  return out;
}

std::vector<std::string> cut_text(const std::vector<DrawnGlyph>& glyphs) {
  std::vector<std::string> out;
  std::size_t start = 0;  // the run the glyph belongs to: same line, one after the other
  for (std::size_t i = 0; i < glyphs.size(); ++i) {
    const auto& g = glyphs[i];
    if (i > 0) {
      const auto& p = glyphs[i - 1];
      const bool same = std::abs(g.px - p.px) < 0.05f && g.x >= p.x && g.x - p.x < g.px * 2.0f && std::abs(g.y - p.y) < g.px;
      if (!same) start = i;
    }
    if (!g.cut) continue;
    std::string run;
    for (std::size_t k = start; k <= i; ++k) append_utf8(run, glyphs[k].codepoint);
    char at[64];
    std::snprintf(at, sizeof at, "' at (%.0f, %.0f)", static_cast<double>(glyphs[start].x), static_cast<double>(glyphs[start].y));
    out.push_back("'" + run + at);
    // One report per run: skip to its end.
    while (i + 1 < glyphs.size() && std::abs(glyphs[i + 1].y - g.y) < g.px && glyphs[i + 1].x >= glyphs[i].x) ++i;
  }
  return out;
}

bool cut_short(std::string_view text) {
  for (const std::string_view tail : {"...", "\u2026"})
    if (text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail) return true;
  return false;
}

std::string layout_problems(const AppState& app, const ImDrawData* data) {
  std::string out;
  // 14 px at 1280x720 (times the text scale); a smaller window than that shows everything
  // smaller in proportion (1024x640: 12.4 px).
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  const float smaller = std::min({1.0f, screen.x / 1280.0f, screen.y / 720.0f});
  const float least = panels::kMinTextPx * app.text_scale() * (smaller > 0.0f ? smaller : 1.0f);
  // Letters inside a host's icon ("DNS" on a name server) are part of the picture: the label
  // under the icon names the host.
  auto glyphs = drawn_glyphs(data);
  std::erase_if(glyphs, [&](const DrawnGlyph& g) {
    const float x = g.x + g.px * 0.3f;
    const float y = g.y + g.px * 0.5f;
    for (const auto& item : app.map.placed.items) {
      const float m = (item.box.b.x - item.box.a.x) * 0.2f;  // a tag may stand out of the picture a little
      if (item.item == MapItem::HostIcon && x >= item.box.a.x - m && x <= item.box.b.x + m && y >= item.box.a.y - m &&
          y <= item.box.b.y + m) {
        return true;
      }
    }
    return false;
  });
  for (const auto& t : small_text(glyphs, least - 0.5f)) out += "text under the least size: " + t + "\n";
  // Text cut by the side of its box in a challenge window (a drop-down's value, issue 18).
  std::vector<DrawnGlyph> in_challenge;
  for (const auto& g : glyphs)
    if (g.window.find("###challenge") != std::string_view::npos || g.window.find("###fix") != std::string_view::npos)
      in_challenge.push_back(g);
  for (const auto& t : cut_text(in_challenge)) out += "text cut in the challenge window: " + t + "\n";
  for (const auto& o : find_overlaps(app.map.placed)) out += describe_overlap(app.map.placed, o) + "\n";
  // Text cut by the screen's side in the time controls ("日本", "12m 07.272s" at 1024x640 scale
  // 2): the row fits whole or gives way, never runs off the screen.
  std::vector<DrawnGlyph> in_controls;
  for (const auto& g : glyphs)
    if (g.window.find("##controls") != std::string_view::npos) in_controls.push_back(g);
  for (const auto& t : cut_text(in_controls)) out += "text cut in the time controls: " + t + "\n";
  if (!app.controls_cut.empty()) out += "the time controls run off the screen: " + app.controls_cut + "\n";
  // A challenge's window over the narration or the time controls (the student needs both).
  auto covers_strip = [](const Rect& a, const Rect& b) {
    return a.width() > 0.0f && b.width() > 0.0f && a.min.x < b.max.x - 1.0f && b.min.x < a.max.x - 1.0f &&
           a.min.y < b.max.y - 1.0f && b.min.y < a.max.y - 1.0f;
  };
  if (covers_strip(app.challenge_rect, app.narration_rect)) out += "the challenge window covers the narration\n";
  if (app.narration_cut) out += "the narration is cut short (it ends in \"...\")\n";
  if (covers_strip(app.challenge_rect, app.controls_rect)) out += "the challenge window covers the time controls\n";
  // Every host on the map is named: a label under it (shortened after a word if need be), or a
  // number beside it and the map's key of hosts (issue 18: at 1280x720 with --scale 2 most were
  // left out, then the key found no room on a crowded map).
  std::string unnamed;
  std::size_t hosts = 0;
  std::size_t unnamed_count = 0;
  for (const auto& icon : app.map.placed.items) {
    if (icon.item != MapItem::HostIcon) continue;
    ++hosts;
    // A label cut short ("mx1.hogehoge...", "しろやぎ…") does not name its host (issue 18).
    const bool named = std::any_of(app.map.placed.items.begin(), app.map.placed.items.end(), [&](const PlacedItem& l) {
      return l.item == MapItem::HostLabel && l.what == icon.what && !cut_short(l.text);
    });
    if (!named) {
      unnamed += " '" + icon.what + "'";
      ++unnamed_count;
    }
  }
  if (unnamed_count > 0)
    out += std::to_string(unnamed_count) + " of " + std::to_string(hosts) + " hosts are not named on the map:" + unnamed + "\n";
  // A region's title is whole or wrapped after a word, never cut short.
  for (const auto& item : app.map.placed.items)
    if (item.item == MapItem::Title && cut_short(item.text)) out += "a region's title cut short: '" + item.text + "'\n";
  // An eavesdropper's capture says what it saw, not only its heading ("丸見え…", issue 18).
  for (const auto& item : app.map.placed.items) {
    if (item.item != MapItem::Capture) continue;
    std::size_t content = item.text.size();  // without a heading: all of it is content
    for (const char* key : {"map.capture_plain", "map.capture_sealed"}) {
      const std::string heading(app.tr(key));
      const std::string lead = heading.substr(0, heading.find('{'));
      if (item.text.rfind(lead, 0) == 0) content = item.text.size() - lead.size();
    }
    if (content < 8) out += "an eavesdropper's capture cut to its heading: '" + item.text + "'\n";
  }
  // ... and an eavesdropper that captures something at this moment shows it.
  for (const auto& h : app.model.layout().hosts()) {
    if (h.kind != "observer" || !observer_capture(app.model, h.network, app.view.current)) continue;
    const bool shown = std::any_of(app.map.placed.items.begin(), app.map.placed.items.end(), [&](const PlacedItem& i) {
      return i.item == MapItem::Capture && i.what.rfind(h.id, 0) == 0;
    });
    if (!shown) out += "the capture of eavesdropper '" + h.id + "' is not shown\n";
  }
  // A border rule is shown by its name ("OP25B (port 25 blocked)"), not the lesson's id ("op25b").
  for (const auto& item : app.map.placed.items) {
    if (item.item != MapItem::RouterPill) continue;
    for (const auto& n : app.model.layout().networks())
      for (const auto& id : n.policy_ids)
        if (sim::rule_name(&app.scenario, id, app.lang, true) != id && item.what.find(id) != std::string::npos)
          out += "a border rule shown by its id: '" + item.what + "'\n";
  }
  // A host's label or mail marks past its network's side reads as belonging to the next one.
  for (const auto& e : find_escapes(app.map.placed)) out += e + "\n";
  return out;
}

}  // namespace mailsim::gui
