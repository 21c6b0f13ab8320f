// The desktop app: GLFW window + Dear ImGui main loop (as in ImGui's example_glfw_opengl3),
// panel layout, and the headless screenshot modes (one picture, or a lesson's series).
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
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include "gui/app_state.hpp"
#include "gui/frame.hpp"
#include "gui/fonts.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/screenshot.hpp"
#include "gui/theme.hpp"
#include "sim/checker.hpp"
#include "sim/runner.hpp"

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

// --select: the host shown in the Inspector. An unknown id is refused with a suggestion.
bool select_host(AppState& app, const std::string& id) {
  std::vector<std::string> ids;
  for (const auto& h : app.scenario.hosts) {
    if (h.info.id == id) {
      app.selected_host = id;
      return true;
    }
    ids.push_back(h.info.id);
  }
  std::cerr << "mailsim: --select: unknown host '" << id << "'";
  if (const auto near = sim::closest_match(id, ids)) std::cerr << " (did you mean '" << *near << "'?)";
  std::cerr << "; the hosts of this scenario are:";
  for (const auto& h : ids) std::cerr << " " << h;
  std::cerr << "\n";
  return false;
}

// --message: a stored message by its position (1-based) among the run's messages or by its
// Message-ID; its host (for the Inspector's Back button) is where it was at the moment shown,
// unless --select chose one.
bool select_message(AppState& app, const std::string& which) {
  const auto& letters = app.model.mail().letters();
  if (letters.empty()) {
    std::cerr << "mailsim: --message: no message travels in this run\n";
    return false;
  }
  std::optional<std::size_t> index;
  const bool number = std::all_of(which.begin(), which.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (number && which.size() <= 9) {
    const auto n = std::stoul(which);
    if (n < 1 || n > letters.size()) {
      std::cerr << "mailsim: --message " << which << " is out of range (this run has " << letters.size()
                << (letters.size() == 1 ? " message)\n" : " messages: 1.." + std::to_string(letters.size()) + ")\n");
      return false;
    }
    index = n - 1;
  } else {
    auto bare = [](std::string s) {
      if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
      return s;
    };
    for (std::size_t i = 0; i < letters.size() && !index; ++i) {
      if (bare(letters[i].message_id) == bare(which) || letters[i].key == which) index = i;
    }
    if (!index) {
      std::cerr << "mailsim: --message: no message with Message-ID '" << which << "'; give a number (1.."
                << letters.size() << ") or one of:";
      for (const auto& l : letters) {
        if (!l.message_id.empty()) std::cerr << " " << l.message_id;
      }
      std::cerr << "\n";
      return false;
    }
  }
  const auto& letter = letters[*index];
  app.selected_letter = letter.key;
  if (app.selected_host.empty()) {
    // The host of the latest record about it at the moment shown (else its first record).
    const auto now = app.model.view_at_playback(app.playback).current;
    std::optional<std::size_t> at;
    for (const auto r : letter.history) {
      if (!at || (now && r <= *now)) at = r;
    }
    if (at && *at < app.model.records().size()) app.selected_host = app.model.records()[*at].host;
  }
  return true;
}

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
  if (options.ui_scale && !(*options.ui_scale >= 0.5f && *options.ui_scale <= 3.0f)) {
    std::cerr << "mailsim: UI scale must be between 0.5 and 3\n";
    return kGuiBadInput;
  }
  if (!options.screenshot_path.empty() && !options.screenshot_series_dir.empty()) {
    std::cerr << "mailsim: --screenshot and --screenshot-series cannot be used together\n";
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
  app.ui_scale = options.ui_scale.value_or(1.0f);
  app.headless = !options.screenshot_path.empty() || !options.screenshot_series_dir.empty();
  install_run(app, sim::run_scenario(app.scenario));
  app.switch_to_tab = start_tab;
  app.presenter = options.presenter;
  if (options.show == "lessons") app.picker.open = true;  // --show: a window open (screenshots for docs)
  else if (options.show == "compose") app.compose.open = true;
  else if (options.show == "check") app.compose.check_open = true;
  else if (!options.show.empty()) {
    std::cerr << "mailsim: unknown window '" << options.show << "' (use lessons, compose or check)\n";
    return kGuiBadInput;
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
  // The Inspector's selection (after the seeks: a message's host is where it was at that moment).
  if (!options.select.empty() && !select_host(app, options.select)) return kGuiBadInput;
  if (!options.message.empty()) {
    if (!select_message(app, options.message)) return kGuiBadInput;
    if (!start_tab) start_tab = Tab::Inspector;
    app.switch_to_tab = start_tab;
  }
  if (options.packet > 0) {  // --packet N: the Nth packet record, opened in the Inspector
    int n = 0;
    for (std::size_t i = 0; i < app.model.records().size() && !app.selected_packet; ++i)
      if (app.model.records()[i].kind == sim::RecordKind::Packet && ++n == options.packet) app.selected_packet = i;
    if (!app.selected_packet) {
      std::cerr << "mailsim: --packet " << options.packet << " is out of range (this run has " << n << " packets)\n";
      return kGuiBadInput;
    }
    if (!start_tab) start_tab = Tab::Inspector;
    app.switch_to_tab = start_tab;
    // Shown at its own moment unless another was asked for.
    if (!options.at && !options.at_fraction && !options.narration_step)
      app.seek(app.model.playback_of_record(*app.selected_packet));
  }
  if (start_tab == Tab::Inspector && app.selected_host.empty() && !app.model.layout().hosts().empty()) {
    app.selected_host = app.model.layout().hosts().front().id;
  }

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

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (!app.headless) panels::install_key_queue(window, app);  // before the backend, which chains to it
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glsl_version);
  load_fonts(app, assets);
  theme::apply_style(app.text_scale());
  if (!app.fonts.japanese) {
    std::cerr << "mailsim: " << app.en.get("font.missing") << "\n";
  }

  // Screenshots are flat UI colours: PNG rows without a filter are smaller and take half the
  // time of stb's per-row filter search (which matters for a lesson's series).
  if (app.headless) stbi_write_force_png_filter = 0;

  int exit_code = kGuiOk;
  int frame = 0;
  std::size_t shot = 0;      // the picture being rendered (headless)
  int shot_frames = 0;       // frames rendered for it so far
  int written = 0;
  if (!shots.empty()) {
    app.lang = shots.front().lang;
    app.seek(shots.front().playback);
  }
  std::string shown_title = window_title(app);
  for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; ++i) {
  }  // start clean: errors are checked per picture
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    if (app.rebuild_fonts) {
      load_fonts(app, assets);
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
      theme::apply_style(app.text_scale());
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
    ++frame;

    if (app.headless && ++shot_frames > (shot == 0 ? kWarmupFrames : kSeriesFrames)) {
      const Shot& s = shots[shot];
      std::string error;
      glReadBuffer(GL_BACK);
      if (const GLenum gl = glGetError(); gl != GL_NO_ERROR) {
        std::cerr << "mailsim: " << s.path << ": OpenGL error " << gl << " while rendering\n";
        exit_code = kGuiBadInput;
      } else if (!write_framebuffer_png(s.path, fb_w, fb_h, error)) {
        std::cerr << "mailsim: " << error << "\n";
        exit_code = kGuiBadInput;
      } else {
        ++written;
      }
      if (++shot >= shots.size()) break;
      // The next picture: its language and moment, shown from the next frame on.
      app.lang = shots[shot].lang;
      app.seek(shots[shot].playback);
      app.playing = false;
      shot_frames = 0;
    }
    glfwSwapBuffers(window);
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  if (!options.screenshot_series_dir.empty()) {
    std::cout << "mailsim: " << written << " of " << shots.size() << " pictures written to "
              << options.screenshot_series_dir << "\n";
  }
  return exit_code;
}

}  // namespace mailsim::gui
