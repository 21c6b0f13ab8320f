// The desktop app: GLFW window + Dear ImGui main loop (as in ImGui's example_glfw_opengl3),
// panel layout, and the headless screenshot mode.
#include "gui/app.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <cstdlib>
#include <iostream>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "gui/app_state.hpp"
#include "gui/frame.hpp"
#include "gui/fonts.hpp"
#include "gui/panels/panels.hpp"
#include "gui/screenshot.hpp"
#include "gui/theme.hpp"
#include "sim/runner.hpp"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR ""
#endif

namespace mailsim::gui {

namespace {

constexpr int kWarmupFrames = 3;  // frames before a screenshot, so the layout settles

void glfw_error(int code, const char* text) { std::cerr << "mailsim: GLFW error " << code << ": " << text << "\n"; }

}  // namespace

int run_gui(const GuiOptions& options) {
  if (options.lang != "en" && options.lang != "ja") {
    std::cerr << "mailsim: unknown language '" << options.lang << "' (use en or ja)\n";
    return kGuiBadInput;
  }
  if (options.width < 320 || options.height < 240 || options.width > 16384 || options.height > 16384) {
    std::cerr << "mailsim: window size " << options.width << "x" << options.height
              << " is out of range (320x240 .. 16384x16384)\n";
    return kGuiBadInput;
  }
  if (!(options.ui_scale >= 0.5f && options.ui_scale <= 3.0f)) {
    std::cerr << "mailsim: UI scale must be between 0.5 and 3\n";
    return kGuiBadInput;
  }
  std::optional<Tab> start_tab;
  if (!options.tab.empty()) {
    if (options.tab == "events") start_tab = Tab::Events;
    else if (options.tab == "sequence") start_tab = Tab::Sequence;
    else if (options.tab == "transcript") start_tab = Tab::Transcript;
    else if (options.tab == "inspector") start_tab = Tab::Inspector;
    else {
      std::cerr << "mailsim: unknown tab '" << options.tab << "' (use events, sequence, transcript or inspector)\n";
      return kGuiBadInput;
    }
  }
  if (options.scenario_path.empty()) {
    std::cerr << "mailsim: no scenario given\n";
    return kGuiBadInput;
  }
  auto loaded = sim::load_scenario_file(options.scenario_path);
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.format() << "\n";
    return kGuiBadInput;
  }

  AppState app;
  app.scenario = std::move(*loaded.scenario);
  app.lang = options.lang;
  app.ui_scale = options.ui_scale;
  app.headless = !options.screenshot_path.empty();
  install_run(app, sim::run_scenario(app.scenario));
  app.switch_to_tab = start_tab;
  if (start_tab == Tab::Inspector && !app.model.layout().hosts().empty()) {
    app.selected_host = app.model.layout().hosts().front().id;
  }
  if (options.at) {
    if (*options.at < 0) {
      std::cerr << "mailsim: --at must not be negative\n";
      return kGuiBadInput;
    }
    app.seek(app.model.pace().playback_at(*options.at));
  }
  if (options.at_fraction) {
    if (!(*options.at_fraction >= 0.0 && *options.at_fraction <= 1.0)) {
      std::cerr << "mailsim: the playback fraction must be between 0% and 100%\n";
      return kGuiBadInput;
    }
    app.seek(app.model.pace().duration() * *options.at_fraction);
  }
  if (options.narration_step) {
    const int n = *options.narration_step;
    if (app.narration.empty()) {
      std::cerr << "mailsim: this scenario has no narration steps; --step cannot be used\n";
      return kGuiBadInput;
    }
    if (n < 1 || static_cast<std::size_t>(n) > app.narration.size()) {
      std::cerr << "mailsim: --step " << n << " is out of range (this scenario has " << app.narration.size()
                << " narration steps)\n";
      return kGuiBadInput;
    }
    const auto& m = app.narration[static_cast<std::size_t>(n - 1)];
    if (!m.reached) {
      std::cerr << "mailsim: narration step " << n << " never happens in this run\n";
      return kGuiBadInput;
    }
    app.seek(app.model.playback_of_seq(m.seq));
  }

  const auto assets = find_assets_dir(current_executable(), MAILSIM_SOURCE_DIR);
  if (assets.empty()) {
    std::cerr << "mailsim: assets folder not found (set MAILSIM_ASSETS); UI labels will show their keys\n";
  } else {
    std::string error;
    if (!app.en.load_file(assets / "i18n" / "en.json", error)) std::cerr << "mailsim: " << error << "\n";
    if (!app.ja.load_file(assets / "i18n" / "ja.json", error)) std::cerr << "mailsim: " << error << "\n";
    if (!app.analogy_en.load_file(assets / "analogy" / "en.json", error)) std::cerr << "mailsim: " << error << "\n";
    if (!app.analogy_ja.load_file(assets / "analogy" / "ja.json", error)) std::cerr << "mailsim: " << error << "\n";
    StringTable stations;
    if (!stations.load_file(assets / "analogy" / "stations.json", error)) std::cerr << "mailsim: " << error << "\n";
    for (const auto& [key, name] : stations.entries()) {
      if (const auto st = station_from_name(name)) {
        app.stations.emplace(key, *st);
      } else {
        std::cerr << "mailsim: assets/analogy/stations.json: unknown station '" << name << "' for " << key << "\n";
      }
    }
  }

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
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, window_title(app).c_str(), nullptr, nullptr);
  if (window == nullptr) {
    std::cerr << "mailsim: cannot create an OpenGL 3.0 window\n";
    glfwTerminate();
    return kGuiNoDisplay;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(app.headless ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glsl_version);
  load_fonts(app, assets);
  theme::apply_style(app.ui_scale);
  if (!app.fonts.japanese) {
    std::cerr << "mailsim: " << app.en.get("font.missing") << "\n";
  }

  int exit_code = kGuiOk;
  int frame = 0;
  std::string shown_title = window_title(app);
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    if (app.rebuild_fonts) {
      load_fonts(app, assets);
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
      theme::apply_style(app.ui_scale);
      app.rebuild_fonts = false;
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();

    if (!app.headless) panels::handle_keys(app);
    if (app.headless && frame == 1) app.switch_to_tab = start_tab;  // after the tab bar exists
    if (app.playing) {
      app.playback += static_cast<double>(io.DeltaTime) * static_cast<double>(app.speed);
      if (app.playback >= app.model.pace().duration()) {
        app.playback = app.model.pace().duration();
        app.playing = false;
      }
    }
    app.view = app.model.view_at_playback(app.playback);
    if (const auto title = window_title(app); title != shown_title) {
      glfwSetWindowTitle(window, title.c_str());
      shown_title = title;
    }

    int fb_w = 0;
    int fb_h = 0;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    draw_frame(app, io.DisplaySize.x, io.DisplaySize.y);

    ImGui::Render();
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.965f, 0.965f, 0.955f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

    if (app.headless && ++frame > kWarmupFrames) {
      std::string error;
      glReadBuffer(GL_BACK);
      if (!write_framebuffer_png(options.screenshot_path, fb_w, fb_h, error)) {
        std::cerr << "mailsim: " << error << "\n";
        exit_code = kGuiBadInput;
      }
      break;
    }
    glfwSwapBuffers(window);
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}

}  // namespace mailsim::gui
