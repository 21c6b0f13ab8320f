// The mailsim subcommands: run and check.
#include "cli/commands.hpp"

#include <fstream>
#include <sstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/report.hpp"
#ifdef MAILSIM_HAVE_GUI
#include "gui/app.hpp"
#endif
#include "sim/checker.hpp"
#include "sim/runner.hpp"
#include "sim/scenario.hpp"

namespace mailsim::cli {
namespace {

constexpr const char* kFooter =
    "Exit codes:\n"
    "  0  all well (every expectation held)\n"
    "  1  an expectation failed\n"
    "  2  invalid input or usage (errors on stderr as file:line:col: message)\n";

void print_diagnostics(std::ostream& err, const std::vector<sim::Diagnostic>& ds) {
  for (const auto& d : ds) err << d.format() << "\n";
}

int cmd_run(const std::string& file, bool json, const std::string& trace_path, const std::string& until,
            bool packets, std::ostream& out, std::ostream& err) {
  auto loaded = sim::load_scenario_file(file);
  if (!loaded.scenario) {
    print_diagnostics(err, loaded.diagnostics);
    return kExitInvalid;
  }
  sim::RunOptions opts;
  if (!until.empty()) {
    std::string why;
    auto t = sim::parse_duration(until, &why);
    if (!t) {
      err << "mailsim run: --until " << until << ": " << why << "\n";
      return kExitInvalid;
    }
    opts.until = t;
  }
  const auto result = sim::run_scenario(*loaded.scenario, opts);
  if (!trace_path.empty()) {
    std::ofstream tf(trace_path, std::ios::binary);
    if (!tf) {
      err << trace_path << ": cannot write the trace file\n";
      return kExitInvalid;
    }
    result.trace.write_jsonl(tf);
  }
  if (json) {
    out << json_report(*loaded.scenario, result).dump(2) << "\n";
  } else {
    print_text_report(out, *loaded.scenario, result, ReportOptions{packets});
  }
  return result.all_passed() ? kExitOk : kExitExpectation;
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

// The lesson the app opens when no scenario is named.
[[maybe_unused]] std::string default_lesson() { return std::string(MAILSIM_SCENARIO_DIR) + "/mail/whole-journey.json"; }

#ifdef MAILSIM_HAVE_GUI
struct GuiArgs {
  std::string scenario;
  std::string at;
  int step = -1;
  std::string screenshot;
  std::string size;
  std::string lang = "en";
  float scale = 1.0f;
};

int cmd_gui(const GuiArgs& a, std::ostream& err) {
  gui::GuiOptions o;
  o.scenario_path = a.scenario.empty() ? default_lesson() : a.scenario;
  if (!a.at.empty()) {
    if (a.at.back() == '%') {
      try {
        o.at_fraction = std::stod(a.at.substr(0, a.at.size() - 1)) / 100.0;
      } catch (...) {
        err << "mailsim gui: --at " << a.at << ": expected a time like 1.5s or a share like 50%\n";
        return kExitInvalid;
      }
    } else {
      std::string why;
      auto t = sim::parse_duration(a.at, &why);
      if (!t) {
        err << "mailsim gui: --at " << a.at << ": " << why << "\n";
        return kExitInvalid;
      }
      o.at = t;
    }
  }
  if (a.step >= 0) o.narration_step = a.step;
  o.screenshot_path = a.screenshot;
  if (!a.size.empty()) {
    int w = 0, h = 0;
    char x = 0;
    std::istringstream in(a.size);
    if (!(in >> w >> x >> h) || x != 'x' || w < 320 || h < 240 || w > 8192 || h > 8192) {
      err << "mailsim gui: --size " << a.size << ": expected WIDTHxHEIGHT, e.g. 1280x720\n";
      return kExitInvalid;
    }
    o.width = w;
    o.height = h;
  }
  if (a.lang != "en" && a.lang != "ja") {
    err << "mailsim gui: --lang " << a.lang << ": expected en or ja\n";
    return kExitInvalid;
  }
  o.lang = a.lang;
  o.ui_scale = a.scale;
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
  GuiArgs gui_args;
  auto* gui = app.add_subcommand("gui", "Open the desktop app on a scenario (the default when no command is given)");
  gui->add_option("scenario", gui_args.scenario, "Scenario file (JSON); default: the whole journey of a letter");
  gui->add_option("--at", gui_args.at, "Start at this virtual time (1.5s) or share of the playback (50%)");
  gui->add_option("--step", gui_args.step, "Start at this narration step");
  gui->add_option("--screenshot", gui_args.screenshot, "Render one frame to this PNG file and exit");
  gui->add_option("--size", gui_args.size, "Window size, WIDTHxHEIGHT (default 1280x720)");
  gui->add_option("--lang", gui_args.lang, "Language of the interface: en or ja");
  gui->add_option("--scale", gui_args.scale, "UI scale for projectors (e.g. 1.5)");
#else
  app.require_subcommand(1);
#endif

  std::string run_file, trace_path, until;
  bool json = false, packets = false;
  auto* run = app.add_subcommand("run", "Run a scenario and print what happened and whether its expectations held");
  run->add_option("scenario", run_file, "Scenario file (JSON)")->required();
  run->add_flag("--json", json, "Print a machine-readable report instead of text");
  run->add_option("--trace", trace_path, "Write the trace as JSON Lines to this file");
  run->add_option("--until", until, "Stop at this virtual time, e.g. 2s or 150ms");
  run->add_flag("--packets", packets, "Show every packet in the story");

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "Validate scenario files without running them");
  check->add_option("scenarios", check_files, "Scenario files (JSON)")->required();

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
  if (*run) return cmd_run(run_file, json, trace_path, until, packets, out, err);
  if (*check) return cmd_check(check_files, out, err);
#ifdef MAILSIM_HAVE_GUI
  return cmd_gui(gui_args, err);  // "mailsim gui ..." or no command at all
#else
  return kExitInvalid;
#endif
}

}  // namespace mailsim::cli
