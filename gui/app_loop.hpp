// The app's start-up and its one frame, shared by the desktop window loop (gui/app.cpp) and
// the browser's per-frame callback (web/main.cpp): both call app_frame() once per frame.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "gui/app.hpp"
#include "gui/app_state.hpp"

struct GLFWwindow;

namespace mailsim::gui {

// Checks the options that need no window, loads and runs the scenario, seeks to --at / --step
// and selects --select / --message. kGuiOk, or kGuiBadInput with the reason on stderr.
// `start_tab` receives the tab to show first (--tab, or the Inspector for --message).
int prepare_app(const GuiOptions& options, AppState& app, std::optional<Tab>& start_tab);

// Loads the string tables, the analogy and its stations from `assets` (messages on stderr;
// an empty path leaves the keys showing).
void load_assets(AppState& app, const std::filesystem::path& assets);

// What the frame function keeps between frames.
struct FrameLoop {
  GLFWwindow* window = nullptr;
  std::filesystem::path assets;    // fonts.json is read again when the UI scale changes
  std::optional<Tab> start_tab;    // headless: applied on the second frame (the tab bar exists)
  std::string shown_title;         // the window title last set
  int frame = 0;                   // frames drawn so far
  int fb_w = 0, fb_h = 0;          // the framebuffer of the last frame
  // False: the frame is laid out (ImGui's draw data made) but not drawn into the framebuffer,
  // for headless frames whose pixels nobody reads.
  bool rasterise = true;
  // Called after the platform backend has read the input and before ImGui's frame starts
  // (the browser adds pinch zoom here); may be empty.
  std::function<void(ImGuiIO&)> after_input;
};

// Creates ImGui's context and its GLFW + OpenGL3 backends for loop.window, loads the fonts at
// app.ui_scale and applies the style.
void start_imgui(AppState& app, FrameLoop& loop, const char* glsl_version);

// One frame: fonts rebuilt when asked, input read, the clock advanced while playing, the
// panels laid out and drawn into the window's framebuffer (the caller swaps or screenshots).
void app_frame(AppState& app, FrameLoop& loop);

// Tears down what start_imgui made.
void stop_imgui();

}  // namespace mailsim::gui
