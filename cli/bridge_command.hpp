// `mailsim bridge`: a scenario's world in real time, its servers on 127.0.0.1 (bridge/).
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mailsim::cli {

struct BridgeArgs {
  std::string scenario, attach_to, run_for, ca_dir, trace_path, lang = "en", idle_timeout = "10min";
  std::vector<std::string> expose;
  std::vector<std::string> faults;  // --faults FILE.json (repeatable): docs/faults.md
  double speed = 1.0;
  int port_offset = 10000;
  bool gui = false, ephemeral = false, exit_when_idle = false, insecure = false, json = false, packets = false, verbose = false;
  std::size_t max_connections = 64, max_line = 64 * 1024;
};

CLI::App* add_bridge_command(CLI::App& app, BridgeArgs& args);
int run_bridge(const BridgeArgs& args, const std::filesystem::path& lessons, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
