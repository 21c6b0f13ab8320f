// The mailsim subcommands: run, check, list, export (cli/export_command.cpp) and gui.
#include "cli/commands.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#ifdef MAILSIM_HAVE_BRIDGE
#include "cli/bridge_command.hpp"
#endif
#include "cli/export_command.hpp"
#include "cli/lessons.hpp"
#include "cli/replay_command.hpp"
#include "cli/quiz.hpp"
#include "cli/report.hpp"
#include "cli/report_strings.hpp"
#ifdef MAILSIM_HAVE_GUI
#include "gui/app.hpp"
#include "gui/options.hpp"
#endif
#include "sim/scenario/checker.hpp"
#include "sim/scenario/faults_loader.hpp"
#include "sim/scenario/retention.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::cli {
namespace {

constexpr const char* kFooter =
    "Exit codes:\n"
    "  0  all well (every expectation held)\n"
    "  1  an expectation failed\n"
    "  2  invalid input or usage (errors on stderr as file:line:col: message)\n"
    "  3  the run budget ran out (events, records, virtual time or trace memory; run)\n";

void print_diagnostics(std::ostream& err, const std::vector<sim::Diagnostic>& ds) {
  for (const auto& d : ds) err << d.format() << "\n";
}

struct RunArgs {
  std::string scenario, trace_path, until, lang;
  std::string keep = "auto";  // --keep: which records stay in memory (auto, all, checks)
  std::vector<std::string> faults;  // --faults FILE.json (repeatable): fault plans added to the scenario
  bool json = false, packets = false, verbose = false;
  std::optional<std::uint64_t> max_events, max_records, max_trace_mb;
  std::string max_time;
};

int cmd_run(const RunArgs& a, const std::filesystem::path& lessons, std::ostream& out, std::ostream& err) {
  std::string why_not;
  const auto file = resolve_lesson(a.scenario, lessons, why_not);
  if (!file) {
    err << "mailsim run: " << why_not << "\n";
    return kExitInvalid;
  }
  auto loaded = sim::load_scenario_file(file->string());
  if (!loaded.scenario) {
    print_diagnostics(err, loaded.diagnostics);
    return kExitInvalid;
  }
  for (const auto& f : a.faults) {
    if (auto problems = sim::add_faults_file(*loaded.scenario, f); !problems.empty()) {
      print_diagnostics(err, problems);
      return kExitInvalid;
    }
  }
  sim::RunOptions opts;
  if (!a.until.empty()) {
    std::string why;
    auto t = sim::parse_duration(a.until, &why);
    if (!t) {
      err << "mailsim run: --until " << a.until << ": " << why << "\n";
      return kExitInvalid;
    }
    opts.until = t;
  }
  sim::RunBudget budget = loaded.scenario->budget;  // the command line overrides the scenario's settings
  if (a.max_events) budget.max_events = *a.max_events;
  if (a.max_records) budget.max_records = *a.max_records;
  if (a.max_trace_mb) budget.max_trace_bytes = *a.max_trace_mb << 20;
  if (!a.max_time.empty()) {
    std::string why;
    auto t = sim::parse_duration(a.max_time, &why);
    if (!t || *t <= 0) {
      err << "mailsim run: --max-time " << a.max_time << ": " << (t ? "must be longer than zero" : why) << "\n";
      return kExitInvalid;
    }
    budget.max_time = *t;
  }
  opts.budget = budget;
  // --keep (docs/trace.md, "Keeping only what the checks read"): "auto" keeps every record only
  // when the report lists them (a text report without a story, or with -v).
  const bool lists_records = !a.json && (loaded.scenario->narration.empty() || a.verbose);
  const bool keep_checks = a.keep == "checks" || (a.keep == "auto" && !lists_records);
  // With --keep checks the records go to the file as they come: into FILE.records.part, which
  // becomes FILE behind the meta line (it counts the records, so it is written last).
  std::ofstream stream;
  const std::string stream_path = a.trace_path.empty() ? std::string() : a.trace_path + ".records.part";
  // The part file goes however the run ends (an error, a refused trace file, an exception).
  struct RemovePart {
    const std::string* path = nullptr;  // set once the part file is opened
    ~RemovePart() {
      std::error_code ec;
      if (path) std::filesystem::remove(*path, ec);
    }
  } remove_part;
  if (keep_checks) {
    opts.retention = sim::checks_retention(*loaded.scenario);
    if (!stream_path.empty()) {
      stream.open(stream_path, std::ios::binary | std::ios::trunc);
      if (!stream) {
        err << stream_path << ": cannot write the trace file\n";
        return kExitInvalid;
      }
      remove_part.path = &stream_path;
      opts.trace_stream = &stream;
    }
  }
  auto result = sim::run_scenario(*loaded.scenario, opts);
  if (!a.trace_path.empty()) {
    std::ofstream tf(a.trace_path, std::ios::binary);
    if (!tf) {
      err << a.trace_path << ": cannot write the trace file\n";
      return kExitInvalid;
    }
    if (opts.trace_stream) {
      result.trace.flush_stream();
      stream.close();
      tf << result.trace.meta_line();
      std::ifstream records(stream_path, std::ios::binary);
      if (records.peek() != std::ifstream::traits_type::eof()) tf << records.rdbuf();
      records.close();
      if (!stream || !tf) {
        err << a.trace_path << ": cannot write the trace file\n";
        return kExitInvalid;
      }
    } else {
      result.trace.write_jsonl(tf);
    }
  }
  if (a.json) {
    out << json_report(*loaded.scenario, result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_text_report(out, *loaded.scenario, result, ReportOptions{a.packets, a.verbose, a.lang});
  }
  if (result.budget_stop) {
    err << "mailsim run: " << result.budget_stop->message(a.lang) << "\n";
    return kExitBudget;
  }
  // A narration step whose moment never happened is a failed check too (and so is a message lost).
  return result.all_passed() && result.narration_reached() ? kExitOk : kExitExpectation;
}

int cmd_check(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int rc = kExitOk;
  for (const auto& f : files) {
    auto loaded = sim::load_scenario_file(f);
    if (loaded.scenario) {
      out << f << ": ok (" << loaded.scenario->hosts.size() << " hosts, " << loaded.scenario->timeline.size()
          << " actions, " << loaded.scenario->expectations.size() << " expectations)\n";
    } else {
      print_diagnostics(err, loaded.diagnostics);
      rc = kExitInvalid;
    }
  }
  return rc;
}

int cmd_list(const std::filesystem::path& dir, const std::string& lang, std::ostream& out, std::ostream& err) {
  const auto lessons = list_lessons(dir);
  if (lessons.empty()) {
    err << "mailsim list: no lessons found" << (dir.empty() ? std::string() : " in " + dir.string())
        << " (set MAILSIM_SCENARIOS to the lesson folder)\n";
    return kExitInvalid;
  }
  std::size_t name_w = report_string("list.name", lang).size(), group_w = report_string("list.group", lang).size();
  for (const auto& l : lessons) {
    name_w = std::max(name_w, l.name.size());
    group_w = std::max(group_w, l.group.size());
  }
  out << report_string("list.title", lang) << "\n\n";
  for (const auto& l : lessons)
    out << fmt::format("  {:<{}}  {:<{}}  {}\n", l.group, group_w, l.name, name_w, l.title.in(lang));
  out << "\n"
      << fmt::format(fmt::runtime(report_string("list.count", lang)), lessons.size(), dir.string()) << "\n"
      << report_string("list.hint", lang) << "\n";
  return kExitOk;
}

#ifdef MAILSIM_HAVE_GUI
// `mailsim gui` (or no command): the options were parsed by gui::add_gui_options.
int cmd_gui(gui::GuiOptions o, const std::filesystem::path& lessons, std::ostream& err) {
  std::string why_not;
  if (!gui::resolve_gui_scenario(o, lessons, why_not)) {
    err << "mailsim gui: " << why_not << "\n";
    return kExitInvalid;
  }
  return gui::run_gui(o);
}
#endif

}  // namespace

int run_command_line(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"mailsim: watch how e-mail travels. Runs mail scenarios (SMTP, POP3, IMAP, DNS) on a\n"
               "simulated network, checks what they expect, and writes traces.",
               "mailsim"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("mailsim ") + MAILSIM_VERSION);
#ifdef MAILSIM_HAVE_GUI
  app.require_subcommand(0, 1);
  gui::GuiOptions gui_options;
  auto* gui = app.add_subcommand("gui", "Open the desktop app on a scenario (the default when no command is given)");
  gui::add_gui_options(*gui, gui_options);
#else
  app.require_subcommand(1);
#endif

  const auto lang_check = [](const std::string& v) {
    return valid_lang(v) ? std::string() : std::string("expected en or ja");
  };
  RunArgs run_args;
  run_args.lang = default_lang();
  auto* run = app.add_subcommand("run", "Run a scenario and print its story and whether its expectations held");
  run->add_option("scenario", run_args.scenario, "Scenario file (JSON) or lesson name (see 'mailsim list')")->required();
  run->add_flag("--json", run_args.json, "Print a machine-readable report instead of text");
  run->add_option("--trace", run_args.trace_path, "Write the trace as JSON Lines to this file");
  run->add_option("--keep", run_args.keep,
                  "Records kept in memory: all, or checks (only what the expectations, conservation and story "
                  "read; the rest goes straight to --trace); auto (default): checks unless the report lists every "
                  "record (a text report without a story, or -v)")
      ->check(CLI::IsMember({"auto", "all", "checks"}));
  run->add_option("--until", run_args.until, "Stop at this virtual time, e.g. 2s or 150ms");
  run->add_option("--faults", run_args.faults, "Fault plan to add (JSON, {\"faults\": [...]}; repeatable; docs/faults.md)");
  run->add_flag("--packets", run_args.packets, "Show every packet in the story");
  run->add_flag("-v,--verbose", run_args.verbose, "Also list every record when the lesson has a story");
  run->add_option("--lang", run_args.lang, "Language of the report: en or ja (default: from LANG)")
      ->check(lang_check, "en|ja");
  // The run budget (docs/guarantees.md): over it the run stops with exit code 3.
  run->add_option("--max-events", run_args.max_events, "Run budget: events to process (default 5000000)")
      ->check(CLI::Range(std::uint64_t{1}, sim::kMaxEventsLimit));
  run->add_option("--max-records", run_args.max_records, "Run budget: trace records (default 1000000)")
      ->check(CLI::Range(std::uint64_t{1}, sim::kMaxRecordsLimit));
  run->add_option("--max-time", run_args.max_time, "Run budget: virtual time, e.g. 2h or 7d (default 30d)");
  run->add_option("--max-trace-mb", run_args.max_trace_mb, "Run budget: estimated trace memory in MiB (default 256)")
      ->check(CLI::Range(std::uint64_t{1}, sim::kMaxTraceMbLimit));

  std::string list_lang = default_lang();
  auto* list = app.add_subcommand("list", "List the built-in lessons with their titles");
  list->add_option("--lang", list_lang, "Language of the titles: en or ja (default: from LANG)")
      ->check(lang_check, "en|ja");

  QuizArgs quiz_args;
  quiz_args.lang = default_lang();
  auto* quiz = add_quiz_command(app, quiz_args);

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "Validate scenario files without running them");
  check->add_option("scenarios", check_files, "Scenario files (JSON)")->required();

  ReplayArgs replay_args;
  auto* replay = add_replay_command(app, replay_args);
  ExportArgs export_args;
  auto* exp = add_export_command(app, export_args);
#ifdef MAILSIM_HAVE_BRIDGE
  BridgeArgs bridge_args;
  auto* bridge = add_bridge_command(app, bridge_args);  // cli/bridge_command.cpp
#ifdef MAILSIM_HAVE_GUI
  // `mailsim gui --bridge SCENARIO`: the app plays the bridge live (as `mailsim bridge --gui`),
  // with the bridge's options in their own group of the app's help.
  bool gui_bridge = false;
  BridgeArgs gui_bridge_args;
  gui->add_flag("--bridge", gui_bridge,
                "Run SCENARIO as a bridge (docs/bridge.md): your own mail program on 127.0.0.1 joins the world, "
                "which the app shows live");
  auto* bridge_group = gui->add_option_group("Bridge", "With --bridge (the options of 'mailsim bridge')");
  const auto gui_bridge_options = add_bridge_options(*bridge_group, gui_bridge_args);
#endif
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "mailsim: " << e.what() << "\n";
    err << "Run 'mailsim --help' for usage.\n";
    return kExitInvalid;
  }
  const auto exe = executable_path(argc > 0 ? argv[0] : nullptr);
  if (const auto assets = find_assets_dir(exe); !assets.empty()) sim::set_assets_dir(assets);
  if (*run) return cmd_run(run_args, find_scenario_dir(exe), out, err);
  if (*check) return cmd_check(check_files, out, err);
  if (*list) return cmd_list(find_scenario_dir(exe), list_lang, out, err);
  if (*replay) {
    replay_args.lessons_dir = find_scenario_dir(exe);
    return run_replay(replay_args, out, err);
  }
  if (*exp) return run_export(export_args, find_scenario_dir(exe), out, err);
#ifdef MAILSIM_HAVE_BRIDGE
  if (*bridge) return run_bridge(bridge_args, find_scenario_dir(exe), out, err);
#ifdef MAILSIM_HAVE_GUI
  if (*gui && !gui_bridge) {
    for (const auto* o : gui_bridge_options)
      if (o->count() > 0) {
        err << "mailsim gui: " << o->get_name() << " is an option of the bridge: add --bridge\n";
        return kExitInvalid;
      }
  }
  if (*gui && gui_bridge) {
    if (gui_options.scenario_path.empty()) {
      err << "mailsim gui: --bridge needs a scenario (a lesson name such as op25b-submission, or a file)\n";
      return kExitInvalid;
    }
    if (!gui_options.screenshot_path.empty() || !gui_options.screenshot_series_dir.empty() ||
        !gui_options.challenge.empty()) {
      err << "mailsim gui: --bridge shows a live world; screenshots and challenges are for lessons\n";
      return kExitInvalid;
    }
    gui_bridge_args.scenario = gui_options.scenario_path;
    gui_bridge_args.lang = gui_options.lang;
    gui_bridge_args.gui = true;
    return run_bridge(gui_bridge_args, find_scenario_dir(exe), out, err, &gui_options);
  }
#endif
#endif
  if (*quiz) return cmd_quiz(quiz_args, find_scenario_dir(exe), std::cin, out, err);
#ifdef MAILSIM_HAVE_GUI
  return cmd_gui(gui_options, find_scenario_dir(exe), err);  // "mailsim gui ..." or no command at all
#else
  return kExitInvalid;
#endif
}

}  // namespace mailsim::cli
