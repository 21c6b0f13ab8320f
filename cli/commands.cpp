// The mailsim subcommands: run and check.
#include "cli/commands.hpp"

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/report.hpp"
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

}  // namespace

int run_command_line(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"mailsim: watch how e-mail travels. Runs mail scenarios (SMTP, POP3, IMAP, DNS) on a\n"
               "simulated network, checks what they expect, and writes traces.",
               "mailsim"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("mailsim ") + MAILSIM_VERSION);
  app.require_subcommand(1);

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
  return kExitInvalid;
}

}  // namespace mailsim::cli
