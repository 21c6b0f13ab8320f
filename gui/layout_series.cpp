// The layout check without a window (--layout-series): the panels are laid out for each size and
// moment exactly as the screenshot modes lay them out, and the frame's draw data is checked as
// --check-layout checks it, but nothing is rasterised and no display is needed. The check reads
// only ImGui's draw lists (glyph quads, the map's placed items), never the pixels, so the GL
// renderer and the X server were pure cost for it (issue 18: the layout tests' CI time).
#include "gui/layout_series.hpp"

#include <cfloat>
#include <cstdio>
#include <iostream>

#include <imgui.h>

#include "gui/app_loop.hpp"
#include "gui/app_state.hpp"
#include "gui/fonts.hpp"
#include "gui/frame.hpp"
#include "gui/model/map_place.hpp"
#include "gui/model/steps.hpp"
#include "gui/text_check.hpp"
#include "gui/theme.hpp"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR ""
#endif

namespace mailsim::gui {

namespace {

constexpr int kWarmupFrames = 3;  // as the screenshot modes: frames before the first check
constexpr int kMomentFrames = 2;  // frames per later moment (the layout has settled)
constexpr float kFrameSeconds = 1.0f / 60.0f;
// Moments checked in a lesson without a story: this many, evenly spread over the playback.
constexpr int kMomentsWithoutStory = 8;

}  // namespace

std::vector<LayoutMoment> layout_moments(const AppState& app) {
  const StepTimeline steps(app.narration, app.model);
  const double end = app.model.pace().duration();
  std::vector<LayoutMoment> out;
  for (const char* lang : {"en", "ja"}) {
    const std::string l(lang);
    out.push_back({l, 0.0, l + " start"});
    std::vector<double> at;
    for (std::size_t s = 0; s < app.narration.size(); ++s) {
      const auto p = steps.playback_of_step(s);
      if (!p) continue;
      // Half-way from the previous moment (packets in flight, their labels placed) and the step itself.
      const double before = at.empty() ? 0.0 : at.back();
      if (*p > before) out.push_back({l, (before + *p) * 0.5, l + " before step " + std::to_string(s + 1)});
      out.push_back({l, *p, l + " step " + std::to_string(s + 1)});
      at.push_back(*p);
    }
    if (app.narration.empty()) {
      for (int k = 1; k <= kMomentsWithoutStory; ++k)
        out.push_back({l, end * k / (kMomentsWithoutStory + 1), l + " at " + std::to_string(k * 100 / (kMomentsWithoutStory + 1)) + "%"});
    } else if (!at.empty() && end > at.back()) {
      out.push_back({l, (at.back() + end) * 0.5, l + " after the last step"});
    }
    out.push_back({l, end, l + " end"});
  }
  return out;
}

int run_layout_series(const GuiOptions& options, const std::vector<LayoutSize>& sizes) {
  AppState app;
  std::optional<Tab> start_tab;
  GuiOptions o = options;
  o.screenshot_path.clear();
  o.screenshot_series_dir.clear();
  if (const int code = prepare_app(o, app, start_tab); code != kGuiOk) return code;
  app.headless = true;
  const auto assets = find_assets_dir(current_executable(), MAILSIM_SOURCE_DIR);
  load_assets(app, assets);
  const auto moments = layout_moments(app);

  int exit_code = kGuiOk;
  std::size_t checked = 0;
  std::size_t glyphs = 0;     // what the checks looked at (a check that saw nothing proves nothing)
  std::size_t map_items = 0;
  for (const auto& size : sizes) {
    // A fresh context per size, as a fresh window would have: no window remembers another size.
    app.ui_scale = size.scale;
    app.window_scale = 1.0f;
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(size.width), static_cast<float>(size.height));
    io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
    io.DeltaTime = kFrameSeconds;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // no pointer: nothing is hovered, as under Xvfb
    load_fonts(app, assets);
    theme::apply_style(app.text_scale());
    app.rebuild_fonts = false;
    int frame = 0;
    for (std::size_t m = 0; m < moments.size(); ++m) {
      app.lang = moments[m].lang;
      app.seek(moments[m].playback);
      app.playing = false;
      const int frames = m == 0 ? kWarmupFrames + 1 : kMomentFrames + 1;
      for (int f = 0; f < frames; ++f) {
        if (app.rebuild_fonts) {  // the window's own scale changed (as app_frame does, minus the GL texture)
          load_fonts(app, assets);
          theme::apply_style(app.text_scale());
          app.rebuild_fonts = false;
        }
        io.DeltaTime = kFrameSeconds;
        ImGui::NewFrame();
        if (frame == 1) app.switch_to_tab = start_tab;  // after the tab bar exists
        app.view = app.model.view_at_playback(app.playback);
        draw_frame(app, io.DisplaySize.x, io.DisplaySize.y);
        ImGui::Render();
        ++frame;
      }
      ++checked;
      glyphs += drawn_glyphs(ImGui::GetDrawData()).size();
      map_items += app.map.placed.items.size();
      if (const std::string problems = layout_problems(app, ImGui::GetDrawData()); !problems.empty()) {
        char scale[16];
        std::snprintf(scale, sizeof scale, "%g", static_cast<double>(size.scale));
        std::cerr << "mailsim: " << size.width << "x" << size.height << " --scale " << scale << ", "
                  << moments[m].name << ": layout problems:\n"
                  << problems;
        exit_code = kGuiLayoutProblem;
      }
    }
    ImGui::DestroyContext();
  }
  std::cout << "mailsim: " << checked << " moments checked at " << sizes.size() << " sizes (" << glyphs
            << " glyphs measured, " << map_items << " map items placed)\n";
  if (glyphs == 0 || map_items == 0) {
    std::cerr << "mailsim: --layout-series saw no text or no map: the check could not run\n";
    return kGuiBadInput;
  }
  return exit_code;
}

}  // namespace mailsim::gui
