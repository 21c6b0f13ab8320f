// The screenshot modes' layout check (--check-layout): the size of the text as it was drawn,
// measured from the frame's vertices, and the network map's overlaps (gui/model/map_place).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct ImDrawData;

namespace mailsim::gui {

struct AppState;

// The smallest glyph of a frame: its size in pixels (the font size it was drawn at), where it
// is and which character it is. Measured from the draw data, not asked of the panels: every
// glyph quad's height on screen against its height in the font atlas, times the size the
// atlas was baked at; so whatever scaled it (font size, window scale, clipping) is counted.
struct DrawnGlyph {
  float px = 0.0f;
  float x = 0.0f;
  float y = 0.0f;
  unsigned codepoint = 0;
  // Cut by the side of its clip rectangle (a widget's frame, a column, a window): partly
  // inside it, partly outside, left or right. Wholly hidden glyphs are still listed.
  bool cut = false;
  // The name of the window that drew it (ImGui's, valid while the frame's draw data is).
  std::string_view window;
};
std::vector<DrawnGlyph> drawn_glyphs(const ImDrawData* data);

// Glyphs smaller than `least` px, joined into the runs of text they belong to (same line and
// size, one after the other): "10 px 'DNS' at (456, 181)".
std::vector<std::string> small_text(const std::vector<DrawnGlyph>& glyphs, float least);

// Runs of glyphs cut at their clip rectangle's side, as text: "'none (plain text) (as set up' at
// (900, 412)" (the run the cut glyph ends).
std::vector<std::string> cut_text(const std::vector<DrawnGlyph>& glyphs);

// Text cut short with an ellipsis ("mx1.hogehoge...", "しろやぎ…"): a label like that names nothing.
bool cut_short(std::string_view text);

// Problems of the frame just drawn, one per line (empty: none): text smaller than
// kMinTextPx times the text scale, anything on the map that covers a host icon or other text.
std::string layout_problems(const AppState& app, const ImDrawData* data);

}  // namespace mailsim::gui
