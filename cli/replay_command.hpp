// `mailsim replay FILE [--against SCENARIO]`: view a real capture or transcript, or check it against a simulated server.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mailsim::cli {

struct ReplayArgs {
  std::string file, format = "auto", trace_path, against, server;
  std::vector<std::string> maps, ignore;
  bool json = false, client = false;
  std::filesystem::path lessons_dir;  // where --against finds lessons by name
};

// Adds the subcommand and its options to `app`; returns it so the caller can test whether it ran.
CLI::App* add_replay_command(CLI::App& app, ReplayArgs& args);
int run_replay(const ReplayArgs& args, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
