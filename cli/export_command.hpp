// `mailsim export`: a run's packets, messages, mailboxes and diagrams as files.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mailsim::cli {

struct ExportArgs {
  std::string scenario;
  std::string pcap, pcapng, eml_dir, mbox, maildir, mailbox, at, svg, svg_map, lang = "en", epoch;
  std::string protos, from, to;
  long long conn = -1;
  int step = 0;
};

// Adds the subcommand and its options to `app`.
CLI::App* add_export_command(CLI::App& app, ExportArgs& args);

// Runs it: exit code 0, or 2 for invalid arguments (nothing written then).
int run_export(const ExportArgs& args, const std::filesystem::path& lessons, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
