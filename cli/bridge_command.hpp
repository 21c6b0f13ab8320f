// `mailsim bridge`: a scenario's world in real time, its servers on 127.0.0.1 (bridge/).
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}
namespace mailsim::gui {
struct GuiOptions;
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
// The bridge's options (not SCENARIO, --gui, --lang) on another command: `mailsim gui --bridge`
// adds them as an option group of the app's command. Returns the options added.
std::vector<CLI::Option*> add_bridge_options(CLI::App& app, BridgeArgs& args);
// With `app_options` (mailsim gui --bridge), the app opens with those options (size, scale,
// presenter layout, language ...) and plays the bridge live, as with --gui.
int run_bridge(const BridgeArgs& args, const std::filesystem::path& lessons, std::ostream& out, std::ostream& err,
               const gui::GuiOptions* app_options = nullptr);

}  // namespace mailsim::cli
