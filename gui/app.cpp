// The desktop app: GLFW window and its blocking main loop (as in ImGui's example_glfw_opengl3)
// around the shared frame (gui/app_loop.cpp), and the headless screenshot modes (one picture,
// or a lesson's series).
#include "gui/app.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include "gui/app_loop.hpp"
#include "gui/app_state.hpp"
#include "gui/frame.hpp"
#include "gui/layout_series.hpp"
#include "gui/model/steps.hpp"
#include "gui/screenshot.hpp"
#include "gui/text_check.hpp"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR ""
#endif

namespace mailsim::gui {

namespace {

constexpr int kWarmupFrames = 3;  // frames before a screenshot, so the layout settles
constexpr int kSeriesFrames = 2;  // frames per later picture of a series (the layout has settled)

// One picture of the headless modes: where to write it, in which language, at which moment.
struct Shot {
  std::string path;
  std::string lang;
  double playback = 0.0;
};

// The series of a lesson: start, each reached narration step (the middle when there are no
// steps), end; English then Japanese.
std::vector<Shot> series_shots(const AppState& app, const std::filesystem::path& dir) {
  const StepTimeline steps(app.narration, app.model);
  const double end = app.model.pace().duration();
  std::vector<Shot> shots;
  for (const char* lang : {"en", "ja"}) {
    const std::string prefix = std::string(lang) + "-";
    shots.push_back({(dir / (prefix + "start.png")).string(), lang, 0.0});
    if (app.narration.empty()) shots.push_back({(dir / (prefix + "middle.png")).string(), lang, end * 0.5});
    for (std::size_t s = 0; s < app.narration.size(); ++s) {
      const auto p = steps.playback_of_step(s);
      if (!p) continue;
      char name[32];
      std::snprintf(name, sizeof name, "step-%02zu.png", s + 1);
      shots.push_back({(dir / (prefix + name)).string(), lang, *p});
    }
    shots.push_back({(dir / (prefix + "end.png")).string(), lang, end});
  }
  return shots;
}

// The UI scale for the monitor's content scale (DPI), rounded like Ctrl+= / Ctrl+- do.
float scale_for_content(float xs, float ys) {
  const float s = std::max(xs, ys);
  if (!(s > 0.0f)) return 1.0f;
  return std::clamp(std::round(s * 10.0f) / 10.0f, 0.6f, 2.5f);
}

void glfw_error(int code, const char* text) { std::cerr << "mailsim: GLFW error " << code << ": " << text << "\n"; }

}  // namespace

int run_gui(const GuiOptions& options) {
  if (!options.layout_series.empty()) return run_layout_series(options, options.layout_series);
  AppState app;
  FrameLoop loop;
  if (const int code = prepare_app(options, app, loop.start_tab); code != kGuiOk) return code;

  // The pictures of the headless modes.
  std::vector<Shot> shots;
  if (!options.screenshot_path.empty()) shots.push_back({options.screenshot_path, app.lang, app.playback});
  if (!options.screenshot_series_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.screenshot_series_dir, ec);
    if (ec) {
      std::cerr << "mailsim: cannot create " << options.screenshot_series_dir << ": " << ec.message() << "\n";
      return kGuiBadInput;
    }
    for (const auto& m : app.narration) {
      if (!m.reached) std::cerr << "mailsim: narration step " << m.step + 1 << " never happens in this run; no picture\n";
    }
    shots = series_shots(app, options.screenshot_series_dir);
  }

  loop.assets = find_assets_dir(current_executable(), MAILSIM_SOURCE_DIR);
  if (loop.assets.empty()) {
    std::cerr << "mailsim: assets folder not found (set MAILSIM_ASSETS); UI labels will show their keys\n";
  }
  load_assets(app, loop.assets);

  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((display == nullptr || *display == '\0') && (wayland == nullptr || *wayland == '\0')) {
    std::cerr << "mailsim: no display available (DISPLAY is not set); try `mailsim run SCENARIO` for a text report\n";
    return kGuiNoDisplay;
  }

  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::cerr << "mailsim: cannot open a window on display '" << (display ? display : "") << "'\n";
    return kGuiNoDisplay;
  }
  const char* glsl_version = "#version 130";
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  if (app.headless) glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
  // On a high-DPI monitor the window grows with the content scale (the UI scale follows below).
  if (!app.headless && !options.ui_scale) glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, window_title(app).c_str(), nullptr, nullptr);
  if (window == nullptr) {
    std::cerr << "mailsim: cannot create an OpenGL 3.0 window\n";
    glfwTerminate();
    return kGuiNoDisplay;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(app.headless ? 0 : 1);
  if (!app.headless && !options.ui_scale) {
    float xs = 1.0f;
    float ys = 1.0f;
    glfwGetWindowContentScale(window, &xs, &ys);
    app.ui_scale = scale_for_content(xs, ys);
    app.content_scale = app.ui_scale;  // the window grew with it: window_scale must not count it twice
  }

  loop.window = window;
  start_imgui(app, loop, glsl_version);
  if (!app.fonts.japanese) {
    std::cerr << "mailsim: " << app.en.get("font.missing") << "\n";
  }

  // Screenshots are flat UI colours: PNG rows without a filter are smaller and take half the
  // time of stb's per-row filter search (which matters for a lesson's series).
  if (app.headless) stbi_write_force_png_filter = 0;

  int exit_code = kGuiOk;
  std::size_t shot = 0;      // the picture being rendered (headless)
  int shot_frames = 0;       // frames rendered for it so far
  int written = 0;
  if (!shots.empty()) {
    app.lang = shots.front().lang;
    app.seek(shots.front().playback);
  }
  loop.shown_title = window_title(app);
  for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; ++i) {
  }  // start clean: errors are checked per picture
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    if (options.each_frame && !options.each_frame(app)) glfwSetWindowShouldClose(window, GLFW_TRUE);
    // Headless, only the frame whose pixels are read is rasterised: the frames before it lay
    // the panels out (ImGui's state settles), which needs no pixels.
    const int settle = shot == 0 ? kWarmupFrames : kSeriesFrames;
    loop.rasterise = !app.headless || shot_frames + 1 > settle;
    app_frame(app, loop);

    if (app.headless && ++shot_frames > settle) {
      const Shot& s = shots[shot];
      std::string error;
      glReadBuffer(GL_BACK);
      if (const GLenum gl = glGetError(); gl != GL_NO_ERROR) {
        std::cerr << "mailsim: " << s.path << ": OpenGL error " << gl << " while rendering\n";
        exit_code = kGuiBadInput;
      } else if (!write_framebuffer_png(s.path, loop.fb_w, loop.fb_h, error)) {
        std::cerr << "mailsim: " << error << "\n";
        exit_code = kGuiBadInput;
      } else {
        ++written;
      }
      if (options.check_layout) {
        if (const std::string problems = layout_problems(app, ImGui::GetDrawData()); !problems.empty()) {
          std::cerr << "mailsim: " << s.path << ": layout problems:\n" << problems;
          if (exit_code == kGuiOk) exit_code = kGuiLayoutProblem;
        }
      }
      if (++shot >= shots.size()) break;
      // The next picture: its language and moment, shown from the next frame on.
      app.lang = shots[shot].lang;
      app.seek(shots[shot].playback);
      app.playing = false;
      shot_frames = 0;
    }
    if (!app.headless) glfwSwapBuffers(window);  // headless pictures are read from the back buffer
  }

  stop_imgui();
  glfwDestroyWindow(window);
  glfwTerminate();
  if (!options.screenshot_series_dir.empty()) {
    std::cout << "mailsim: " << written << " of " << shots.size() << " pictures written to "
              << options.screenshot_series_dir << "\n";
  }
  return exit_code;
}

}  // namespace mailsim::gui
