// The app's start-up (options -> a scenario run at a moment) and its one frame, shared by the
// desktop window loop and the browser's per-frame callback.
#include "gui/app_loop.hpp"

#include "formats/readers/replay_world.hpp"

#include <algorithm>
#include <iostream>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "gui/fonts.hpp"
#include "gui/frame.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/scenario/runner.hpp"

namespace mailsim::gui {

namespace {

// The frame time ImGui is given instead of a zero or negative one (which it refuses): a
// browser's virtual clock (headless tests) or a coarse timer can produce them.
constexpr float kMinDeltaTime = 1.0f / 1000.0f;

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

}  // namespace

int prepare_app(const GuiOptions& options, AppState& app, std::optional<Tab>& start_tab) {
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
  start_tab.reset();
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
  std::optional<sim::RunResult> replayed;  // a capture or transcript: its replay is the run
  if (formats::looks_like_capture(options.scenario_path)) {
    std::string error;
    auto world = formats::open_replay_file(options.scenario_path, error);
    if (!world) {
      std::cerr << "mailsim: " << error << "\n";
      return kGuiBadInput;
    }
    app.scenario = std::move(world->scenario);
    replayed = std::move(world->run);
  } else {
    auto loaded = sim::load_scenario_file(options.scenario_path);
    if (!loaded.scenario) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.format() << "\n";
      return kGuiBadInput;
    }
    app.scenario = std::move(*loaded.scenario);
  }
  app.lang = options.lang;
  app.ui_scale = options.ui_scale.value_or(1.0f);
  app.headless = !options.screenshot_path.empty() || !options.screenshot_series_dir.empty();
  install_run(app, replayed ? *replayed : sim::run_scenario(app.scenario));
  app.switch_to_tab = start_tab;
  app.presenter = options.presenter;
  if (options.show == "lessons") app.picker.open = true;  // --show: a window open (screenshots for docs)
  else if (options.show == "compose") app.compose.open = true;
  else if (options.show == "check") app.compose.check_open = true;
  else if (options.show == "export") app.export_files.open = true;
  else if (!options.show.empty()) {
    std::cerr << "mailsim: unknown window '" << options.show << "' (use lessons, compose, check or export)\n";
    return kGuiBadInput;
  }
  if (!options.export_press.empty() || !options.export_dir.empty()) {
    if (options.show != "export") {
      std::cerr << "mailsim: --export and --export-dir go with --show export\n";
      return kGuiBadInput;
    }
    app.export_files.press = options.export_press;
    if (!options.export_dir.empty()) app.export_files.dir = options.export_dir;
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
  if (options.challenge == "fix") {  // --challenge fix: the fix window, the lesson as written graded
    if (!start_fix(app, true)) {
      std::cerr << "mailsim: this lesson has no \"fix\" block; --challenge fix needs one (docs/scenarios.md)\n";
      return kGuiBadInput;
    }
    app.fix.student = options.student;
    if (!options.fix_try.empty()) {  // --fix-try 1=3,2=2: those choices, then Try
      std::string item;
      std::istringstream list(options.fix_try);
      while (std::getline(list, item, ',')) {
        const auto eq = item.find('=');
        std::size_t k = 0, v = 0;
        const bool ok = eq != std::string::npos && std::sscanf(item.substr(0, eq).c_str(), "%zu", &k) == 1 &&
                        std::sscanf(item.substr(eq + 1).c_str(), "%zu", &v) == 1 && k >= 1 && k <= app.fix.chosen.size() &&
                        v >= 1 && v <= app.scenario.fix->settings[k - 1].values.size();
        if (!ok) {
          std::cerr << "mailsim: --fix-try: '" << item << "' is not SETTING=VALUE (numbers as the Fix window lists them)\n";
          return kGuiBadInput;
        }
        app.fix.chosen[k - 1] = v - 1;
      }
      std::string error;
      if (!run_fix_try(app, error)) {
        std::cerr << "mailsim: --fix-try: " << error << "\n";
        return kGuiBadInput;
      }
    }
    if (!options.at && !options.at_fraction && !options.narration_step) app.seek(app.model.pace().duration());
  } else if (!options.challenge.empty()) {  // --challenge: questions from the start (or, for the detective, at the end)
    if (app.narration.empty()) {
      std::cerr << "mailsim: this scenario has no story; --challenge needs one\n";
      return kGuiBadInput;
    }
    app.challenge.active = true;
    app.challenge.detective = options.challenge == "detective";
    app.challenge.student = options.student;
    app.challenge.seed = sim::student_seed(options.student);
    if (app.challenge.detective) app.seek(app.model.pace().duration());
    else if (!options.at && !options.at_fraction && !options.narration_step) app.seek(0.0);
    app.challenge.last_playback = std::max(0.0, app.playback - 1e-3);  // a --step's own question is due
  }
  if (start_tab == Tab::Inspector && app.selected_host.empty() && !app.model.layout().hosts().empty()) {
    app.selected_host = app.model.layout().hosts().front().id;
  }
  return kGuiOk;
}

void load_assets(AppState& app, const std::filesystem::path& assets) {
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

}

void start_imgui(AppState& app, FrameLoop& loop, const char* glsl_version) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (!app.headless) panels::install_key_queue(loop.window, app);  // before the backend, which chains to it
  ImGui_ImplGlfw_InitForOpenGL(loop.window, true);
  ImGui_ImplOpenGL3_Init(glsl_version);
  load_fonts(app, loop.assets);
  theme::apply_style(app.text_scale());
  loop.shown_title = window_title(app);
}

void app_frame(AppState& app, FrameLoop& loop) {
  ImGuiIO& io = ImGui::GetIO();
  if (app.rebuild_fonts) {
    load_fonts(app, loop.assets);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    theme::apply_style(app.text_scale());
    app.rebuild_fonts = false;
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (!(io.DeltaTime > 0.0f)) io.DeltaTime = kMinDeltaTime;
  if (loop.after_input) loop.after_input(io);
  ImGui::NewFrame();

  if (!app.headless) panels::handle_keys(app);
  if (app.headless && loop.frame == 1) app.switch_to_tab = loop.start_tab;  // after the tab bar exists
  if (app.playing) {
    app.playback += static_cast<double>(io.DeltaTime) * static_cast<double>(app.speed);
    if (app.playback >= app.model.pace().duration()) {
      app.playback = app.model.pace().duration();
      app.playing = false;
    }
  }
  app.view = app.model.view_at_playback(app.playback);
  if (const auto title = window_title(app); title != loop.shown_title) {
    glfwSetWindowTitle(loop.window, title.c_str());
    loop.shown_title = title;
  }

  glfwGetFramebufferSize(loop.window, &loop.fb_w, &loop.fb_h);
  draw_frame(app, io.DisplaySize.x, io.DisplaySize.y);

  ImGui::Render();
  if (loop.rasterise) {
    glViewport(0, 0, loop.fb_w, loop.fb_h);
    glClearColor(0.965f, 0.965f, 0.955f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  ++loop.frame;
}

void stop_imgui() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
}

}  // namespace mailsim::gui
