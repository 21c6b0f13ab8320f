// The main window's panel rectangles for a size and a text scale.
#include "gui/model/screen_layout.hpp"

#include <algorithm>
#include <cmath>

namespace mailsim::gui {

namespace {
Rect rect(float x, float y, float w, float h) { return {{x, y}, {x + std::max(w, 0.0f), y + std::max(h, 0.0f)}}; }
}  // namespace

ScreenLayout plan_screen(float width, float height, const ScreenMetrics& m, ScreenMode mode) {
  ScreenLayout out;
  const float em = m.font;
  const float bar_h = m.frame + 8.0f;
  // The narration: its large type on two lines plus the packet line (never less than a button).
  out.compact = height < em * kCompactEm;
  // Compact: no packet line, and room for two lines of the large type or four of the least
  // (14 px at scale 1, about 0.83 em), whichever is taller, so a long step never gets smaller.
  const float narration_h =
      out.compact ? std::floor(std::max(std::max(m.large, m.frame) * 2.0f, m.font * 0.83f * 4.0f) + m.padding * 2.0f + 4.0f)
                  : std::floor(std::max(m.large, m.frame) * 2.0f + m.font + m.padding * 2.0f + m.spacing + 4.0f);
  const float controls_h = out.compact ? m.frame + m.padding * 2.0f : m.frame * 2.0f + m.spacing + m.padding * 2.0f;
  const float main_top = bar_h + narration_h;
  const float main_h = std::max(em * 6.0f, height - main_top - controls_h);

  const float full_map_w = std::floor(width * 0.58f);
  const bool side_fits = width - full_map_w >= em * kSideMinEm;
  out.presenter = mode == ScreenMode::Presenter || !side_fits || out.compact;
  out.side_shown = !out.presenter;

  out.toolbar = rect(0.0f, 0.0f, width, bar_h);
  out.narration = rect(0.0f, bar_h, width, narration_h);
  if (!out.presenter) {
    // The map over the scene on the left, the tabs on the right. The scene takes about a
    // third of the column, in em so its caption stays whole at any scale, never more than
    // the map.
    const float analogy_h = std::floor(std::clamp(main_h * 0.36f, std::min(main_h * 0.45f, em * 10.5f), em * 17.0f));
    out.map = rect(0.0f, main_top, full_map_w, main_h - analogy_h);
    out.analogy = rect(0.0f, main_top + main_h - analogy_h, full_map_w, analogy_h);
    out.side = rect(full_map_w, main_top, width - full_map_w, main_h);
  } else if (out.compact) {
    // The map over a strip with the scene's caption (the lit station, its title, and its text
    // when that fits whole): the map keeps most of the short screen.
    float analogy_h = std::floor(std::clamp(main_h * 0.2f, em * 2.2f, em * 4.5f));
    // A map that would keep fewer than ten lines (1024x640 at scale 2) has no room to name its
    // hosts: the scene gives way (the narration tells the step; the presenter layout has it).
    if (main_h - analogy_h < em * kCompactMapEm) analogy_h = 0.0f;
    out.analogy_shown = analogy_h > 0.0f;
    out.map = rect(0.0f, main_top, width, main_h - analogy_h);
    out.analogy = rect(0.0f, main_top + main_h - analogy_h, width, analogy_h);
    out.side = rect(width, main_top, 0.0f, 0.0f);
  } else {
    // The map as large as it can be: the scene under it across the whole width (its stations
    // stand in a row), or in a column beside it when a short screen would leave the map under
    // it a flat strip. The world is about twice as wide as tall: whichever arrangement gives
    // the map more room at that shape wins.
    const float analogy_h = std::floor(std::clamp(main_h * 0.34f, std::min(main_h * 0.45f, em * 10.5f), em * 15.0f));
    const float beside_w = std::clamp(width * 0.3f, em * 16.0f, em * 26.0f);
    const float under_room = std::min(width * 0.5f, main_h - analogy_h);
    const float beside_room = std::min((width - beside_w) * 0.5f, main_h);
    if (beside_room > under_room * 1.15f && width - beside_w >= width * 0.6f) {
      out.map = rect(0.0f, main_top, width - beside_w, main_h);
      out.analogy = rect(width - beside_w, main_top, beside_w, main_h);
    } else {
      out.map = rect(0.0f, main_top, width, main_h - analogy_h);
      out.analogy = rect(0.0f, main_top + main_h - analogy_h, width, analogy_h);
    }
    out.side = rect(width, main_top, 0.0f, 0.0f);
  }
  out.controls = rect(0.0f, main_top + main_h, width, std::max(controls_h, height - main_top - main_h));
  return out;
}

float window_scale(float width, float height) {
  if (!(width > 0.0f) || !(height > 0.0f)) return 1.0f;
  const float s = std::min(width / 1280.0f, height / 720.0f);
  return std::clamp(std::floor(s * 10.0f) / 10.0f, 1.0f, 3.0f);
}

}  // namespace mailsim::gui
