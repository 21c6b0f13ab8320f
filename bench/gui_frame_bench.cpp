// The app's CPU cost per frame and per seek on a large synthetic world, next to references measured in the same run.
//
// No window and no GPU: an ImGui context with the app's fonts, then per frame the same calls
// as the main loop (view_at_playback, NewFrame, draw_frame, Render) without the OpenGL
// backend. Worlds: "lesson" (mail/whole-journey, what a class sees), "medium" and "large"
// (the synthetic world of bench/synthetic_world.hpp with 500 and 5,000 messages, run through
// the real simulator: ~117,000 and ~1.17 million trace records).
// Extra flags (before Google Benchmark's own): --gui_hosts=N --gui_messages=N
// --gui_medium_messages=N --gui_window=SECONDS --gui_lesson=FILE.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <imgui.h>

#include "bench/synthetic_world.hpp"
#include "gui/app_state.hpp"
#include "gui/fonts.hpp"
#include "gui/frame.hpp"
#include "gui/theme.hpp"
#include "sim/core/random.hpp"
#include "sim/scenario/runner.hpp"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR ""
#endif

namespace {

namespace gui = mailsim::gui;
namespace sim = mailsim::sim;
namespace world_gen = mailsim::bench;

constexpr float kWidth = 1280.0f;
constexpr float kHeight = 720.0f;
constexpr float kDeltaTime = 1.0f / 60.0f;
constexpr int kWarmupFrames = 4;           // the tab bar, tables and clippers settle
constexpr std::size_t kSeekPositions = 512;
constexpr std::uint64_t kSeed = 20240601;

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct World {
  std::string name;
  sim::RunResult run;
  gui::AppState app;
  double busy = 0.0;                // playback second with the most packets in flight
  std::vector<double> positions;    // random playback seconds for seeks
  double run_cpu_s = 0.0;           // the simulator's run (one-off, not a benchmark)
  double install_cpu_s = 0.0;       // install_run once (TraceModel + StoryIndex + sequence)
  std::size_t messages_in_flight = 0;  // at `busy`: composed, not yet delivered or bounced
};

std::vector<std::unique_ptr<World>> g_worlds;
std::filesystem::path g_assets;
gui::StringTable g_en, g_ja, g_analogy_en, g_analogy_ja;
std::map<std::string, gui::Station, std::less<>> g_stations;
gui::Fonts g_fonts;

void load_strings() {
  g_assets = gui::find_assets_dir(gui::current_executable(), MAILSIM_SOURCE_DIR);
  if (g_assets.empty()) {
    std::cerr << "gui bench: assets folder not found (set MAILSIM_ASSETS); labels will be keys\n";
    return;
  }
  std::string error;
  auto load = [&](gui::StringTable& t, const std::filesystem::path& p) {
    if (!t.load_file(p, error)) std::cerr << "gui bench: " << error << "\n";
  };
  load(g_en, g_assets / "i18n" / "en.json");
  load(g_ja, g_assets / "i18n" / "ja.json");
  load(g_analogy_en, g_assets / "analogy" / "en.json");
  load(g_analogy_ja, g_assets / "analogy" / "ja.json");
  gui::StringTable stations;
  load(stations, g_assets / "analogy" / "stations.json");
  for (const auto& [key, name] : stations.entries()) {
    if (const auto st = gui::station_from_name(name)) g_stations.emplace(key, *st);
  }
}

// Messages composed but not yet delivered or bounced at virtual time t (from Mail records).
std::size_t messages_in_flight(const gui::TraceModel& model, sim::Time t) {
  long long open = 0;
  for (const auto& r : model.records()) {
    if (r.time > t) break;
    if (r.kind != sim::RecordKind::Mail) continue;
    if (r.event == "compose") ++open;
    else if (r.event == "delivered" || r.event == "bounced") --open;
  }
  return static_cast<std::size_t>(std::max(open, 0LL));
}

std::unique_ptr<World> make_world(std::string name, sim::Scenario scenario) {
  auto w = std::make_unique<World>();
  w->name = std::move(name);
  const double t0 = cpu_seconds();
  w->run = sim::run_scenario(scenario);
  const double t1 = cpu_seconds();
  auto& app = w->app;
  app.scenario = std::move(scenario);
  gui::install_run(app, w->run);
  w->install_cpu_s = cpu_seconds() - t1;
  w->run_cpu_s = t1 - t0;
  app.en = g_en;
  app.ja = g_ja;
  app.analogy_en = g_analogy_en;
  app.analogy_ja = g_analogy_ja;
  app.stations = g_stations;
  app.headless = true;  // no hover effects: the mouse is nowhere
  // The busiest moment: most packets on the map among evenly spaced samples.
  const double duration = app.model.pace().duration();
  std::size_t most = 0;
  for (int i = 0; i <= 400; ++i) {
    const double p = duration * i / 400.0;
    const auto n = app.model.view_at_playback(p).packets.size();
    if (n > most) {
      most = n;
      w->busy = p;
    }
  }
  w->messages_in_flight = messages_in_flight(app.model, app.model.pace().virtual_at(w->busy));
  sim::Random rng(kSeed);
  w->positions.resize(kSeekPositions);
  for (auto& p : w->positions) p = duration * static_cast<double>(rng.below(1000000)) / 1e6;
  // The inspector shows the host with the most connections: the first mail server.
  for (const auto& h : app.model.layout().hosts()) {
    if (h.kind == "mail_server") {
      app.selected_host = h.id;
      break;
    }
  }
  return w;
}

World& world(const std::string& name) {
  for (auto& w : g_worlds) {
    if (w->name == name) return *w;
  }
  std::abort();
}

// One frame as the main loop makes it, minus the GL backend.
void frame(gui::AppState& app) {
  app.view = app.model.view_at_playback(app.playback);
  ImGui::NewFrame();
  gui::draw_frame(app, kWidth, kHeight);
  ImGui::Render();
}

void settle(gui::AppState& app, gui::Tab tab) {
  app.switch_to_tab = tab;
  for (int i = 0; i < kWarmupFrames; ++i) frame(app);
}

void set_counters(benchmark::State& state, const World& w) {
  state.counters["records"] = static_cast<double>(w.app.model.records().size());
  state.counters["connections"] = static_cast<double>(w.app.model.connections().size());
}

// ---- references ---------------------------------------------------------------------------

// A fixed ImGui workload, independent of the app: one window with 60 text lines and a draw
// list of 2,000 lines, 300 filled rectangles and 300 short texts.
void RefImGuiFrame(benchmark::State& state) {
  ImFont* font = ImGui::GetIO().FontDefault;
  for (auto _ : state) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kWidth, kHeight));
    ImGui::Begin("##ref", nullptr, ImGuiWindowFlags_NoSavedSettings);
    for (int i = 0; i < 60; ++i) ImGui::Text("Reference line %d: the quick brown fox jumps over the lazy dog", i);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int i = 0; i < 2000; ++i) {
      const float x = static_cast<float>(i % 1280);
      dl->AddLine(ImVec2(x, 10.0f), ImVec2(x + 30.0f, 700.0f), IM_COL32(0, 0, 0, 255), 1.5f);
    }
    for (int i = 0; i < 300; ++i) {
      const float x = static_cast<float>((i * 37) % 1200);
      const float y = static_cast<float>((i * 53) % 680);
      dl->AddRectFilled(ImVec2(x, y), ImVec2(x + 40.0f, y + 20.0f), IM_COL32(200, 100, 0, 255), 4.0f);
      dl->AddText(font, 14.0f, ImVec2(x, y), IM_COL32(0, 0, 0, 255), "SMTP 19 B");
    }
    ImGui::End();
    ImGui::Render();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// What TraceModel must do at least: copy the trace's records.
void RefCopyRecords(benchmark::State& state, const std::string& name) {
  const World& w = world(name);
  for (auto _ : state) {
    sim::RecordStore copy(w.run.trace.records());
    benchmark::DoNotOptimize(copy.size());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

// ---- load: what install_run derives from a run --------------------------------------------

void LoadTraceModel(benchmark::State& state, const std::string& name) {
  const World& w = world(name);
  for (auto _ : state) {
    gui::TraceModel model(w.app.scenario, w.run.trace);
    benchmark::DoNotOptimize(&model.records());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

void LoadStoryIndex(benchmark::State& state, const std::string& name) {
  const World& w = world(name);
  for (auto _ : state) {
    gui::StoryIndex story(w.app.model);
    benchmark::DoNotOptimize(&story);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

void LoadSequence(benchmark::State& state, const std::string& name) {
  const World& w = world(name);
  for (auto _ : state) {
    auto seq = gui::build_sequence(w.app.model);
    benchmark::DoNotOptimize(seq.arrows.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

// ---- seek: the model's answer for a random moment -----------------------------------------

void Seek(benchmark::State& state, const std::string& name) {
  const World& w = world(name);
  const auto& app = w.app;
  std::size_t i = 0;
  std::size_t packets = 0;
  for (auto _ : state) {
    const double p = w.positions[i++ % w.positions.size()];
    const auto view = app.model.view_at_playback(p);
    const auto meaningful = app.story.meaningful_at(view.current);
    const auto analogy = app.story.analogy_at(view.current);
    const auto rec = app.model.record_at_playback(p);
    packets += view.packets.size();
    benchmark::DoNotOptimize(meaningful);
    benchmark::DoNotOptimize(analogy);
    benchmark::DoNotOptimize(rec);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["packets_per_view"] = state.iterations() ? static_cast<double>(packets) / static_cast<double>(state.iterations()) : 0.0;
  set_counters(state, w);
}

// ---- frames --------------------------------------------------------------------------------

const char* tab_name(gui::Tab t) {
  switch (t) {
    case gui::Tab::Events: return "events";
    case gui::Tab::Sequence: return "sequence";
    case gui::Tab::Transcript: return "transcript";
    case gui::Tab::Inspector: return "inspector";
  }
  return "?";
}

// A paused frame at the busiest moment (what is redrawn 60 times a second while a class looks).
void Frame(benchmark::State& state, const std::string& name, gui::Tab tab) {
  World& w = world(name);
  auto& app = w.app;
  app.playing = false;
  app.seek(w.busy);
  settle(app, tab);
  for (auto _ : state) frame(app);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["packets_drawn"] = static_cast<double>(app.view.packets.size());
  state.counters["messages_in_flight"] = static_cast<double>(w.messages_in_flight);
  state.counters["vertices"] = static_cast<double>(ImGui::GetDrawData()->TotalVtxCount);
  set_counters(state, w);
}

// A seek to a random moment and the frame that shows it (what the user waits for after a
// click on the scrubber, the event table or the sequence diagram).
void SeekFrame(benchmark::State& state, const std::string& name, gui::Tab tab) {
  World& w = world(name);
  auto& app = w.app;
  app.playing = false;
  app.seek(w.busy);
  settle(app, tab);
  std::size_t i = 0;
  for (auto _ : state) {
    app.seek(w.positions[i++ % w.positions.size()]);
    frame(app);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

// Playing at 1x from the busiest moment: every frame moves the clock by 1/60 s.
void PlayFrame(benchmark::State& state, const std::string& name, gui::Tab tab) {
  World& w = world(name);
  auto& app = w.app;
  app.seek(w.busy);
  settle(app, tab);
  const double duration = app.model.pace().duration();
  for (auto _ : state) {
    app.playback += static_cast<double>(kDeltaTime);
    if (app.playback >= duration) app.playback = w.busy;
    frame(app);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  set_counters(state, w);
}

// ---- set-up --------------------------------------------------------------------------------

struct Options {
  world_gen::SyntheticWorldSize size;           // "large": 500 hosts, 5,000 messages
  std::size_t medium_messages = 500;            // "medium": the same hosts, ~100,000 records
  std::string lesson = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json";
};

// Takes our own --gui_* flags out of argv (Google Benchmark rejects unknown flags).
Options parse_options(int& argc, char** argv) {
  Options o;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a(argv[i]);
    auto value = [&](std::string_view flag) -> const char* {
      return a.rfind(flag, 0) == 0 ? argv[i] + flag.size() : nullptr;
    };
    if (const char* v = value("--gui_hosts=")) o.size.hosts = std::strtoull(v, nullptr, 10);
    else if (const char* m = value("--gui_messages=")) o.size.messages = std::strtoull(m, nullptr, 10);
    else if (const char* mm = value("--gui_medium_messages=")) o.medium_messages = std::strtoull(mm, nullptr, 10);
    else if (const char* s = value("--gui_window=")) o.size.send_window_s = std::strtod(s, nullptr);
    else if (const char* l = value("--gui_lesson=")) o.lesson = l;
    else argv[out++] = argv[i];
  }
  argc = out;
  return o;
}

bool load_worlds(const Options& o) {
  auto lesson = sim::load_scenario_file(o.lesson);
  if (!lesson.scenario) {
    for (const auto& d : lesson.diagnostics) std::cerr << d.format() << "\n";
    return false;
  }
  g_worlds.push_back(make_world("lesson", std::move(*lesson.scenario)));
  world_gen::SyntheticWorldSize medium = o.size;
  medium.messages = o.medium_messages;
  for (const auto& [name, size] : {std::pair{"medium", medium}, std::pair{"large", o.size}}) {
    auto loaded = sim::load_scenario_text(world_gen::synthetic_world_json(size), std::string("synthetic-") + name + ".json");
    if (!loaded.scenario) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.format() << "\n";
      return false;
    }
    g_worlds.push_back(make_world(name, std::move(*loaded.scenario)));
  }
  for (const auto& w : g_worlds) {
    std::printf("world %-6s: %zu hosts, %zu timeline actions, %zu records, %zu connections; simulator run %.2f s CPU, "
                "install_run %.3f s CPU; busiest moment %.1f s of %.1f s playback: %zu packets on the map, %zu "
                "messages in flight\n",
                w->name.c_str(), w->app.scenario.hosts.size(), w->app.scenario.timeline.size(),
                w->app.model.records().size(), w->app.model.connections().size(), w->run_cpu_s, w->install_cpu_s,
                w->busy, w->app.model.pace().duration(), w->app.model.view_at_playback(w->busy).packets.size(),
                w->messages_in_flight);
  }
  std::fflush(stdout);
  return true;
}

void init_imgui() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(kWidth, kHeight);
  io.DeltaTime = kDeltaTime;
  // What the OpenGL3 backend declares on a GL >= 3.2 context: draw lists may pass 65,536
  // vertices (a busy map does) without running out of 16-bit indices.
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  gui::AppState fonts_owner;
  gui::load_fonts(fonts_owner, g_assets);
  g_fonts = fonts_owner.fonts;
  unsigned char* pixels = nullptr;
  int w = 0;
  int h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // what the GL backend uploads
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(1)));
  gui::theme::apply_style(1.0f);
  for (auto& world_ptr : g_worlds) world_ptr->app.fonts = g_fonts;
  std::printf("fonts: %s + %s, atlas %dx%d\n", g_fonts.latin_file.c_str(),
              g_fonts.japanese ? g_fonts.japanese_file.c_str() : "(no Japanese font)", w, h);
}

void register_all() {
  benchmark::RegisterBenchmark("RefImGuiFrame", RefImGuiFrame)->Unit(benchmark::kMillisecond);
  const gui::Tab tabs[] = {gui::Tab::Events, gui::Tab::Sequence, gui::Tab::Transcript, gui::Tab::Inspector};
  for (const auto& wp : g_worlds) {
    const std::string n = wp->name;
    benchmark::RegisterBenchmark(("RefCopyRecords/" + n).c_str(), RefCopyRecords, n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("LoadTraceModel/" + n).c_str(), LoadTraceModel, n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("LoadStoryIndex/" + n).c_str(), LoadStoryIndex, n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("LoadSequence/" + n).c_str(), LoadSequence, n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Seek/" + n).c_str(), Seek, n)->Unit(benchmark::kMillisecond);
    for (const auto t : tabs) {
      const std::string suffix = n + "/" + tab_name(t);
      benchmark::RegisterBenchmark(("Frame/" + suffix).c_str(), Frame, n, t)->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark(("SeekFrame/" + n + "/events").c_str(), SeekFrame, n, gui::Tab::Events)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("PlayFrame/" + n + "/events").c_str(), PlayFrame, n, gui::Tab::Events)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  load_strings();
  if (!load_worlds(options)) return 1;
  init_imgui();
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_worlds.clear();
  ImGui::DestroyContext();
  return 0;
}
