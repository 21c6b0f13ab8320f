// `mailsim bridge SCENARIO`: checks the arguments, adds the bridged device to the world, opens
// the bridge (bridge/bridge.hpp), prints where it listens, and at the end reports as `run` does.
#include "cli/bridge_command.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bridge/bridge.hpp"
#include "cli/commands.hpp"
#include "cli/lessons.hpp"
#include "cli/report.hpp"
#include "cli/report_strings.hpp"
#ifdef MAILSIM_HAVE_GUI
#include "gui/app.hpp"
#include "gui/app_state.hpp"
#include "gui/frame.hpp"
#endif
#include "sim/apps/bridged_device.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/scenario/faults_loader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/words/student.hpp"

namespace mailsim::cli {
namespace {

#ifdef MAILSIM_HAVE_GUI
// The app plays the bridge's growing trace: each frame polls the bridge (never waiting), and
// twice a second, when records were added, the trace so far is installed as the run shown. The
// app follows the newest moment unless the user has scrubbed back.
sim::RunResult run_with_app(bridge::Bridge& br, const sim::Scenario& scenario, const std::string& device,
                            const std::string& lang, const gui::GuiOptions* base, std::ostream& err) {
  using Clock = std::chrono::steady_clock;
  br.start(err);
  gui::GuiOptions g = base ? *base : gui::GuiOptions{};
  g.scenario_path = scenario.file;
  if (!base) g.lang = lang;
  std::size_t shown = 0;
  Clock::time_point last{};
  bool stopped = false;
  g.each_frame = [&](gui::AppState& app) {
    if (!stopped && !br.poll()) stopped = true;
    const auto now = Clock::now();
    if (now - last < std::chrono::milliseconds(500) || br.trace().size() == shown) return !stopped;
    last = now;
    shown = br.trace().size();
    const bool following = app.playback >= app.model.pace().duration() - 1e-9;
    sim::RunResult live;
    live.trace = br.trace();
    live.end_time = live.trace.size() ? live.trace.records().back().time : 0;
    live.narration = sim::match_narration(scenario.narration, live.trace);
    app.scenario = scenario;  // with the bridged device, so the map shows it
    gui::install_run(app, live);
    app.student = sim::StudentStory(live.trace, device);  // what the narration strip tells the student
    if (following) app.seek(app.model.pace().duration());
    app.view = app.model.view_at_playback(app.playback);
    return !stopped;
  };
  const int code = gui::run_gui(g);
  if (code != gui::kGuiOk) err << "mailsim bridge: the app could not run (exit " << code << ")\n";
  br.request_stop(stopped ? br.stop_reason() : "the app's window was closed");
  return br.finish();
}
#endif

constexpr std::size_t kMaxClientLines = 60;  // then "... and N more" (1,000 turned-away connections)

// What the real client did, read from the trace (the one place this command reads records):
// its connections through the bridge, policies that stopped it, failed connections, the
// servers' error replies and logins, what the bridge cut off, and each message it handed in,
// followed from queue id to queue id (a relay's "queued as" names the next one).
std::vector<const sim::Record*> client_story(const sim::Trace& trace, const std::string& device) {
  const sim::StudentStory student(trace, device);  // follows the client's letters from queue id to queue id
  const auto& queue_ids = student.queue_ids();
  std::vector<const sim::Record*> out;
  for (const auto& r : trace.records()) {
    using K = sim::RecordKind;
    bool take = false;
    if (r.kind == K::Action || r.kind == K::Note || r.kind == K::Policy) take = r.host == device;
    else if (r.kind == K::Connection) take = r.host == device && (r.event == "timeout" || r.event == "refused" || r.event == "reset");
    else if (r.kind == K::Mail) take = queue_ids.count(r.mail_info().queue_id.str()) > 0;
    else if (r.is(sim::ProtoEvent::Reply) && r.peer == device) {
      const auto& p = r.proto_info();
      const int code = p.has_code ? p.code : 0;
      const std::string& status = p.status.str();
      take = code >= 400 || code == 235 || status == "-ERR" || status == "NO" || status == "BAD";
    }
    if (take) out.push_back(&r);
  }
  return out;
}

void print_client_story(std::ostream& out, const std::vector<const sim::Record*>& story, const std::string& device,
                        const std::string& ip, const std::string& lang) {
  const std::string title = (lang == "ja" ? "あなたのメールソフト（" : "Your mail program (") + device + ", " + ip +
                            (lang == "ja" ? "）" : ")");
  out << "\n" << title << "\n" << std::string(std::min<std::size_t>(title.size(), 60), '-') << "\n";
  if (story.empty()) out << (lang == "ja" ? "  （ブリッジ経由の接続はありませんでした）\n" : "  (no client connected through the bridge)\n");
  for (std::size_t i = 0; i < story.size() && i < kMaxClientLines; ++i)
    out << fmt::format("  {:>9}  {}\n", sim::format_time(story[i]->time), story[i]->text());
  if (story.size() > kMaxClientLines)
    out << fmt::format(fmt::runtime(lang == "ja" ? "  ……ほか {} 件（--trace で全部）\n"
                                                 : "  ... and {} more (all of them with --trace)\n"),
                       story.size() - kMaxClientLines);
}

}  // namespace

std::vector<CLI::Option*> add_bridge_options(CLI::App& b, BridgeArgs& a) {
  std::vector<CLI::Option*> all;
  const auto keep = [&](CLI::Option* o) {
    all.push_back(o);
    return o;
  };
  keep(b.add_option("--expose", a.expose, "Host whose mail and DNS services to expose (repeatable; default: the servers "
                                           "the scenario's devices use)"));
  keep(b.add_option("--port-offset", a.port_offset,
                    "Local port = simulated port + this (default 10000: 587 -> 10587; 0 as root)"))
      ->check(CLI::Range(0, 60000));
  keep(b.add_flag("--ephemeral-ports", a.ephemeral, "Let the system choose every local port (printed in the first line)"));
  keep(b.add_option("--attach-to", a.attach_to, "Network the bridged device joins (default: the first home/ISP network)"));
  keep(b.add_option("--faults", a.faults, "Fault plan to add (JSON; repeatable; docs/faults.md)"));
  keep(b.add_option("--speed", a.speed, "Virtual seconds per wall-clock second (default 1)"))
      ->check(CLI::Range(0.01, 1000.0));
  keep(b.add_option("--for", a.run_for, "Stop after this much wall-clock time, e.g. 30s or 10min"));
  keep(b.add_flag("--exit-when-idle", a.exit_when_idle, "Stop when the timeline is over and no client is connected"));
  keep(b.add_flag("--insecure-selfsigned", a.insecure,
                  "Use a throw-away self-signed certificate instead of the local CA (clients must skip verification)"));
  keep(b.add_option("--ca-dir", a.ca_dir, "Folder of the local CA (default: $MAILSIM_CA_DIR or ~/.local/share/mailsim/ca)"));
  keep(b.add_option("--max-connections", a.max_connections, "Open connections allowed per client address (default 64)"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  keep(b.add_option("--max-line", a.max_line, "Bytes a client may send without a line end (default 65536)"))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  keep(b.add_option("--idle-timeout", a.idle_timeout, "Cut off a client silent for this long (default 10min)"));
  keep(b.add_option("--trace", a.trace_path, "Write the trace as JSON Lines to this file at the end"));
  keep(b.add_flag("--json", a.json, "Print the final report as JSON"));
  keep(b.add_flag("--packets", a.packets, "Show every packet in the final report"));
  keep(b.add_flag("-v,--verbose", a.verbose, "Also list every record in the final report"));
  return all;
}

CLI::App* add_bridge_command(CLI::App& app, BridgeArgs& a) {
  a.lang = default_lang();
  auto* b = app.add_subcommand("bridge",
                               "Run a scenario in real time and expose its servers on 127.0.0.1 to real mail clients "
                               "(curl, swaks, Python, mutt, Thunderbird, dig); see docs/bridge.md");
  b->add_option("scenario", a.scenario, "Scenario file (JSON) or lesson name (see 'mailsim list')")->required();
  add_bridge_options(*b, a);
#ifdef MAILSIM_HAVE_GUI
  b->add_flag("--gui", a.gui, "Show the world live in the app while the bridge runs (closing the window stops it; "
                              "the same as 'mailsim gui --bridge SCENARIO')");
#endif
  b->add_option("--lang", a.lang, "Language of the report: en or ja")->check([](const std::string& v) {
    return valid_lang(v) ? std::string() : std::string("expected en or ja");
  });
  return b;
}

int run_bridge(const BridgeArgs& a, const std::filesystem::path& lessons, std::ostream& out, std::ostream& err,
               const gui::GuiOptions* app_options) {
  std::string why;
  const auto file = resolve_lesson(a.scenario, lessons, why);
  if (!file) {
    err << "mailsim bridge: " << why << "\n";
    return kExitInvalid;
  }
  auto loaded = sim::load_scenario_file(file->string());
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) err << d.format() << "\n";
    return kExitInvalid;
  }
  sim::Scenario scenario = std::move(*loaded.scenario);
  for (const auto& f : a.faults) {
    if (auto problems = sim::add_faults_file(scenario, f); !problems.empty()) {
      for (const auto& d : problems) err << d.format() << "\n";
      return kExitInvalid;
    }
  }
  bridge::BridgeOptions o;
  o.speed = a.speed;
  o.expose = a.expose;
  o.port_offset = a.port_offset;
  o.ephemeral_ports = a.ephemeral;
  o.exit_when_idle = a.exit_when_idle;
  o.insecure_selfsigned = a.insecure;
  o.ca_dir = a.ca_dir;
  o.handle_signals = true;
  o.limits.connections_per_client = a.max_connections;
  o.limits.max_line = a.max_line;
  if (!a.run_for.empty()) {
    auto t = sim::parse_duration(a.run_for, &why);
    if (!t || *t <= 0) {
      err << "mailsim bridge: --for " << a.run_for << ": " << (t ? "must be longer than zero" : why) << "\n";
      return kExitInvalid;
    }
    o.run_for = std::chrono::milliseconds(*t / sim::kMilli);
  }
  {
    auto t = sim::parse_duration(a.idle_timeout, &why);
    if (!t || *t < sim::kSecond) {
      err << "mailsim bridge: --idle-timeout " << a.idle_timeout << ": " << (t ? "must be at least 1s" : why) << "\n";
      return kExitInvalid;
    }
    o.limits.idle_timeout = std::chrono::milliseconds(*t / sim::kMilli);
  }
  const auto network = bridge::choose_attach_network(scenario, a.attach_to, why);
  if (!network) {
    err << "mailsim bridge: " << why << "\n";
    return kExitInvalid;
  }
  o.attach_to = *network;
  // The default servers are those of the scenario as written (before the bridged device joins).
  if (o.expose.empty()) o.expose = bridge::default_exposed_hosts(scenario);
  const auto device = sim::add_bridged_device(scenario, *network, why);
  if (!device) {
    err << "mailsim bridge: " << why << "\n";
    return kExitInvalid;
  }
  bridge::Bridge br(scenario, *device, o);
  if (!br.open(why)) {
    err << "mailsim bridge: " << why << "\n";
    return kExitInvalid;
  }
  // First line on stdout: where everything is, for programs; then the same for people on stderr.
  out << br.ready_line() << "\n" << std::flush;
  err << fmt::format("mailsim bridge: {} is running in real time (speed {}); your mail program is \"{}\" ({}) on {}\n",
                     scenario.name, a.speed, *device, br.device_ip(), *network);
  for (const auto& p : br.ports())
    err << fmt::format("  127.0.0.1:{:<5} {:<4} -> {} ({}) port {} {}{}\n", p.local_port, p.transport, p.name, p.host,
                       p.sim_port, p.service, p.tls == "none" ? "" : " [" + p.tls + " TLS]");
  if (!br.ca_file().empty())
    err << "  CA certificate" << (br.created_ca() ? " (created now)" : "") << ": " << br.ca_file().string()
        << "\n  (trust it in your client: curl --cacert FILE, swaks --tls-ca-path FILE, "
           "ssl.create_default_context(cafile=FILE))\n";
  else if (a.insecure)
    err << "  TLS: a throw-away self-signed certificate (tell your client not to verify it, e.g. curl -k)\n";
  err << "  Stop with Ctrl-C; then the report is printed and expectations are checked.\n" << std::flush;

#ifdef MAILSIM_HAVE_GUI
  const auto result = a.gui || app_options ? run_with_app(br, scenario, *device, a.lang, app_options, err) : br.run(err);
#else
  (void)app_options;
  const auto result = br.run(err);
#endif
  if (!a.trace_path.empty()) {
    std::ofstream tf(a.trace_path, std::ios::binary);
    if (!tf) {
      err << a.trace_path << ": cannot write the trace file\n";
      return kExitInvalid;
    }
    result.trace.write_jsonl(tf);
  }
  const auto story = client_story(result.trace, *device);
  if (a.json) {
    auto j = json_report(scenario, result);
    nlohmann::json client = nlohmann::json::array();
    for (const auto* r : story)
      client.push_back({{"seq", r->seq}, {"t", r->time}, {"kind", sim::to_string(r->kind)}, {"event", r->event},
                        {"host", r->host}, {"summary", r->text()}});
    j["bridge"] = {{"stop_reason", br.stop_reason()}, {"device", *device}, {"device_ip", br.device_ip()}, {"client", client}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_text_report(out, scenario, result, ReportOptions{a.packets, a.verbose, a.lang});
    print_client_story(out, story, *device, br.device_ip(), a.lang);
    out << "\n" << (a.lang == "ja" ? "ブリッジの終了理由: " : "The bridge stopped: ") << br.stop_reason() << "\n";
  }
  if (result.budget_stop) {
    err << "mailsim bridge: " << result.budget_stop->message(a.lang) << "\n";
    return kExitBudget;
  }
  return result.all_passed() && result.narration_reached() ? kExitOk : kExitExpectation;
}

}  // namespace mailsim::cli
