// The web page's program: the desktop app's frame (gui/app_loop.hpp) driven by the browser's
// animation frames (emscripten_set_main_loop), with the canvas sized to the window at the
// device's pixel ratio, pinch zoom, files opened from the page, and the Japanese font
// fetched when Japanese is first shown, exports offered as downloads (web/index.html does the
// page's side).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include "gui/app_loop.hpp"
#include "gui/frame.hpp"
#include "gui/model/steps.hpp"
#include "gui/options.hpp"

// EM_ASM's $0, $1 are emscripten's JavaScript argument names, not C++ identifiers.
#pragma clang diagnostic ignored "-Wdollar-in-identifier-extension"

namespace {

namespace gui = mailsim::gui;

// Where the page's files are in the virtual file system (--preload-file in web/CMakeLists.txt).
constexpr const char* kScenarioDir = "/scenarios";
constexpr const char* kAssetsDir = "/assets";
// One notch of the mouse wheel zooms the map by 1.15 (gui/panels/network_map.cpp); a pinch
// gives the same zoom as the wheel notches of its distance ratio.
constexpr float kWheelZoom = 1.15f;

struct Web {
  gui::AppState app;
  gui::FrameLoop loop;
  float user_scale = 1.0f;  // the scale the user asked for (?scale=, Ctrl+/-); ui_scale = user * dpr
  double dpr = 1.0;
  int width = 0, height = 0;  // canvas pixels
  bool font_asked = false;    // the Japanese font was asked of the page
  std::string narration;      // the text last given to the page's #narration element
  std::string lang_shown;     // the language last given to the page
  // Pinch: the distance between two fingers at the last event, and wheel notches not yet given.
  double pinch = 0.0;
  float wheel = 0.0f;
  float pinch_x = 0.0f, pinch_y = 0.0f;
};

Web* web = nullptr;

// The canvas follows the window (CSS) at the device's pixel ratio: ImGui works in canvas
// pixels and the UI scale carries the ratio, so text stays sharp on high-DPI screens.
void follow_window(Web& w) {
  double css_w = 0.0;
  double css_h = 0.0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const double dpr = std::max(0.5, emscripten_get_device_pixel_ratio());
  const int pw = std::max(1, static_cast<int>(std::lround(css_w * dpr)));
  const int ph = std::max(1, static_cast<int>(std::lround(css_h * dpr)));
  if (pw != w.width || ph != w.height) {
    glfwSetWindowSize(w.loop.window, pw, ph);
    w.width = pw;
    w.height = ph;
  }
  // The user's own scale changes through the app (Ctrl+/-, the slider): keep it apart from the ratio.
  if (!w.app.rebuild_fonts) w.user_scale = w.app.ui_scale / static_cast<float>(w.dpr);
  if (dpr != w.dpr) {
    w.dpr = dpr;
    w.app.ui_scale = w.user_scale * static_cast<float>(dpr);
    w.app.rebuild_fonts = true;
  }
}

// Tells the page what a reader (and the tests) should know: the narration in force, the
// language shown and the title.
void tell_page(Web& w) {
  auto& app = w.app;
  std::string text;
  const gui::StepTimeline steps(app.narration, app.model);
  if (const auto s = steps.step_at(app.playback); s && *s < app.scenario.narration.size()) {
    text = app.scenario.narration[*s].text(app.japanese() ? "ja" : "en");
  }
  const std::string lang = app.japanese() ? "ja" : "en";
  if (text == w.narration && lang == w.lang_shown) return;
  w.narration = text;
  w.lang_shown = lang;
  EM_ASM({ if (Module.mailsimShow) Module.mailsimShow(UTF8ToString($0), UTF8ToString($1)); }, text.c_str(),
         lang.c_str());
}

void frame() {
  Web& w = *web;
  follow_window(w);
  // Japanese is fetched when first shown (it is most of the page's weight).
  if (w.app.lang == "ja" && !w.app.fonts.japanese && !w.font_asked) {
    w.font_asked = true;
    EM_ASM({ if (Module.mailsimFetchFont) Module.mailsimFetchFont(); });
  }
  gui::app_frame(w.app, w.loop);
  tell_page(w);
}

// Pinch zoom: two fingers moving apart or together turn into wheel notches at their middle
// (one finger is a mouse to GLFW already: tap = click, drag = pan).
EM_BOOL on_touch(int type, const EmscriptenTouchEvent* e, void*) {
  Web& w = *web;
  if (e->numTouches < 2 || type == EMSCRIPTEN_EVENT_TOUCHEND || type == EMSCRIPTEN_EVENT_TOUCHCANCEL) {
    w.pinch = 0.0;
    return EM_FALSE;
  }
  const auto& a = e->touches[0];
  const auto& b = e->touches[1];
  const double dx = static_cast<double>(a.targetX - b.targetX);
  const double dy = static_cast<double>(a.targetY - b.targetY);
  const double d = std::hypot(dx, dy);
  w.pinch_x = static_cast<float>(static_cast<double>(a.targetX + b.targetX) * 0.5 * w.dpr);
  w.pinch_y = static_cast<float>(static_cast<double>(a.targetY + b.targetY) * 0.5 * w.dpr);
  if (w.pinch > 0.0 && d > 0.0) {
    w.wheel += static_cast<float>(std::log(d / w.pinch) / std::log(static_cast<double>(kWheelZoom)));
  }
  w.pinch = d;
  return EM_TRUE;  // no page zoom
}

void after_input(ImGuiIO& io) {
  Web& w = *web;
  if (w.wheel != 0.0f) {
    io.MousePos = ImVec2(w.pinch_x, w.pinch_y);
    io.MouseWheel += w.wheel;
    w.wheel = 0.0f;
  }
}

// A file an export wrote in the page's memory becomes a download (the browser asks where, or
// puts it in the Downloads folder), and leaves the memory.
void offer_download(const std::string& path) {
  EM_ASM(
      {
        const path = UTF8ToString($0);
        const bytes = FS.readFile(path);
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([bytes], {type: 'application/octet-stream'}));
        link.download = path.substring(path.lastIndexOf('/') + 1);
        document.body.appendChild(link);
        link.click();
        setTimeout(function() { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      },
      path.c_str());
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

}  // namespace

// Called by the page: a file the user picked or dropped was written to `path`.
extern "C" EMSCRIPTEN_KEEPALIVE void mailsim_open_file(const char* path) {
  if (web == nullptr) return;
  auto& app = web->app;
  std::string error;
  if (gui::open_scenario(app, path, error)) {
    app.picker.error.clear();
    app.picker.open = false;
  } else {
    app.picker.error = error;  // the Lessons window shows the loader's messages
    app.picker.open = true;
    std::cout << "mailsim: " << path << " was not opened:\n" << error << "\n";
  }
}

// Called by the page when the Japanese font has been written to the file system.
extern "C" EMSCRIPTEN_KEEPALIVE void mailsim_font_ready() {
  if (web != nullptr) web->app.rebuild_fonts = true;
}

int main(int argc, char** argv) {
  // The lessons and assets are in the page's data, where the app looks first.
  setenv("MAILSIM_SCENARIOS", kScenarioDir, 1);
  setenv("MAILSIM_ASSETS", kAssetsDir, 1);

  // The URL's parameters arrive as the desktop app's options (web/index.html).
  CLI::App cli{"mailsim in the browser", "mailsim"};
  gui::GuiOptions options;
  gui::add_gui_options(cli, options);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mailsim: " << e.what() << "\n";
    return gui::kGuiBadInput;
  }
  std::string why_not;
  if (!gui::resolve_gui_scenario(options, kScenarioDir, why_not)) {
    std::cerr << "mailsim: " << why_not << "\n";
    return gui::kGuiBadInput;
  }

  web = new Web;  // lives as long as the page
  Web& w = *web;
  w.dpr = std::max(0.5, emscripten_get_device_pixel_ratio());
  w.user_scale = options.ui_scale.value_or(1.0f);
  options.ui_scale = w.user_scale * static_cast<float>(w.dpr);
  if (const int code = gui::prepare_app(options, w.app, w.loop.start_tab); code != gui::kGuiOk) return code;
  w.app.export_files.deliver = offer_download;
  w.loop.assets = kAssetsDir;
  gui::load_assets(w.app, w.loop.assets);

  if (!glfwInit()) {
    std::cerr << "mailsim: GLFW could not start\n";
    return gui::kGuiNoDisplay;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  double css_w = 0.0;
  double css_h = 0.0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  w.width = std::max(1, static_cast<int>(std::lround(css_w * w.dpr)));
  w.height = std::max(1, static_cast<int>(std::lround(css_h * w.dpr)));
  w.loop.window = glfwCreateWindow(w.width, w.height, gui::window_title(w.app).c_str(), nullptr, nullptr);
  if (w.loop.window == nullptr) {
    std::cerr << "mailsim: this browser cannot give WebGL 2\n";
    return gui::kGuiNoDisplay;
  }
  glfwMakeContextCurrent(w.loop.window);
  gui::start_imgui(w.app, w.loop, "#version 300 es");
  w.loop.after_input = after_input;
  glfwSetWindowTitle(w.loop.window, w.loop.shown_title.c_str());

  emscripten_set_touchstart_callback("#canvas", nullptr, EM_TRUE, on_touch);
  emscripten_set_touchmove_callback("#canvas", nullptr, EM_TRUE, on_touch);
  emscripten_set_touchend_callback("#canvas", nullptr, EM_TRUE, on_touch);
  emscripten_set_touchcancel_callback("#canvas", nullptr, EM_TRUE, on_touch);

  EM_ASM({ if (Module.mailsimStarted) Module.mailsimStarted(); });
  emscripten_set_main_loop(frame, 0, false);  // the browser calls frame() at each animation frame
  return gui::kGuiOk;
}
