// The main window's layout at every size and scale from 1024x640 to 3840x2160: panels inside
// the window, never overlapping, the map and the narration keeping priority.
#include <catch2/catch.hpp>

#include <algorithm>

#include "gui/model/screen_layout.hpp"

using namespace mailsim::gui;

namespace {

bool overlap(const Rect& a, const Rect& b) {
  if (a.width() <= 0.0f || a.height() <= 0.0f || b.width() <= 0.0f || b.height() <= 0.0f) return false;
  return a.min.x < b.max.x - 0.5f && b.min.x < a.max.x - 0.5f && a.min.y < b.max.y - 0.5f && b.min.y < a.max.y - 0.5f;
}

bool inside(const Rect& r, float w, float h) {
  return r.min.x >= -0.5f && r.min.y >= -0.5f && r.max.x <= w + 0.5f && r.max.y <= h + 0.5f;
}

// The app's metrics at a text scale: its fonts are 17 and 22 px at 1.
ScreenMetrics metrics(float scale) {
  ScreenMetrics m;
  m.font = 17.0f * scale;
  m.large = 22.0f * scale;
  m.frame = m.font + 6.0f * scale;
  m.spacing = 4.0f * scale;
  m.padding = 8.0f * scale;
  return m;
}

}  // namespace

TEST_CASE("screen layout: every size and scale, both layouts", "[gui][layout]") {
  const float sizes[][2] = {{1024, 640}, {1280, 720}, {1366, 768}, {1920, 1080}, {2560, 1440}, {3840, 2160}};
  for (const auto& sz : sizes) {
    for (float user : {1.0f, 1.25f, 1.5f, 2.0f}) {
      for (auto mode : {ScreenMode::Full, ScreenMode::Presenter}) {
        const float w = sz[0];
        const float h = sz[1];
        const float scale = std::min(3.0f, user * window_scale(w, h));  // AppState::kMaxTextScale
        const auto m = metrics(scale);
        const auto l = plan_screen(w, h, m, mode);
        INFO(w << "x" << h << " scale " << scale << (mode == ScreenMode::Presenter ? " presenter" : " full"));
        const Rect* all[] = {&l.toolbar, &l.narration, &l.map, &l.analogy, &l.side, &l.controls};
        for (const Rect* a : all) {
          CHECK(inside(*a, w, h));
          for (const Rect* b : all)
            if (a != b) CHECK_FALSE(overlap(*a, *b));
        }
        // The narration holds two lines of its large type and is never smaller than a button.
        CHECK(l.narration.height() >= m.large * 2.0f);
        CHECK(l.narration.height() >= m.frame);
        // The map keeps priority: at least half the window's width and the largest panel.
        CHECK(l.map.width() >= w * 0.5f);
        CHECK(l.map.height() * l.map.width() >= l.analogy.height() * l.analogy.width());
        // The scene is tall enough for its drawing and a caption of a few lines; on a compact
        // screen (short for its text) it is a strip with the caption's title at least.
        // Unless the map would keep fewer than kCompactMapEm lines: then the scene gives way.
        if (l.compact) {
          CHECK(l.analogy_shown == (l.analogy.height() > 0.0f));
          if (l.analogy_shown) CHECK(l.analogy.height() >= m.font * 2.0f);
          else CHECK(l.map.height() < m.font * (kCompactMapEm + 4.5f));
          CHECK(l.map.height() >= l.analogy.height() * 2.0f);
        } else {
          CHECK(l.analogy.height() >= std::min(m.font * 9.0f, (l.map.height() + l.analogy.height()) * 0.3f));
        }
        // The tabs, when shown, have room to be read; when they would not, they give way.
        if (l.side_shown) CHECK(l.side.width() >= m.font * kSideMinEm);
        if (mode == ScreenMode::Presenter) CHECK_FALSE(l.side_shown);
      }
    }
  }
}

TEST_CASE("screen layout: a projector's window scale", "[gui][layout]") {
  CHECK(window_scale(1280, 720) == 1.0f);
  CHECK(window_scale(1024, 640) == 1.0f);  // never below 1: small windows keep the set size
  CHECK(window_scale(1920, 1080) == Approx(1.5f));
  CHECK(window_scale(3840, 2160) == Approx(3.0f));
  CHECK(window_scale(3840, 1080) == Approx(1.5f));  // the smaller of the two ratios
  CHECK(window_scale(0, 0) == 1.0f);
}

TEST_CASE("screen layout: at 1280x720 with scale 1.5 the tabs give way to the map", "[gui][layout]") {
  const auto l = plan_screen(1280, 720, metrics(1.5f), ScreenMode::Full);
  CHECK(l.map.width() >= 1280.0f * 0.58f - 1.0f);
  // 42% of 1280 is 537 px, under 24 em of 25.5 px: the presenter layout is used.
  CHECK_FALSE(l.side_shown);
  CHECK(l.presenter);
  const auto wide = plan_screen(1920, 1080, metrics(1.5f), ScreenMode::Full);
  CHECK(wide.side_shown);
}

TEST_CASE("screen layout: 1280x720 at scale 2 is compact, 1.5 is not", "[gui][layout]") {
  // 720 px are 21 lines of 34 px type: one row of controls, no packet line, the scene as a strip.
  const auto l = plan_screen(1280, 720, metrics(2.0f), ScreenMode::Full);
  CHECK(l.compact);
  CHECK(l.presenter);
  CHECK(l.controls.height() < metrics(2.0f).frame * 2.0f);
  CHECK(l.map.height() >= 720.0f * 0.4f);
  // Four lines of the least type (14 px at scale 1) fit the narration.
  CHECK(l.narration.height() >= 14.0f * 2.0f * 4.0f);
  CHECK_FALSE(plan_screen(1280, 720, metrics(1.5f), ScreenMode::Full).compact);
  CHECK_FALSE(plan_screen(1024, 640, metrics(1.0f), ScreenMode::Full).compact);
  CHECK_FALSE(plan_screen(3840, 2160, metrics(3.0f), ScreenMode::Full).compact);
  // The other projector sizes whose maps were too small to name their hosts (issue 18).
  CHECK(plan_screen(1024, 640, metrics(1.5f), ScreenMode::Full).compact);
  CHECK(plan_screen(1280, 720, metrics(1.75f), ScreenMode::Full).compact);
  // 1024x640 at scale 2: the map would keep under ten lines beside the scene's strip, so the
  // scene gives way to it; 1280x720 at scale 2 keeps the strip.
  const auto small = plan_screen(1024, 640, metrics(2.0f), ScreenMode::Full);
  CHECK(small.compact);
  CHECK_FALSE(small.analogy_shown);
  CHECK(small.map.max.y == small.controls.min.y);
  CHECK(l.analogy_shown);
}
