// mailsim-gui: the desktop app on its own (the same entry point as `mailsim gui`).
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "gui/app.hpp"
#include "sim/checker.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: mailsim-gui SCENARIO.json [--at TIME] [--step N] [--screenshot FILE.png]\n"
         "                  [--screenshot-series DIR] [--size WIDTHxHEIGHT] [--lang en|ja] [--scale S]\n"
         "                  [--tab events|sequence|transcript|inspector] [--show lessons|compose|check]\n"
         "                  [--select HOST] [--message N|MESSAGE-ID]\n"
         "  TIME as in scenarios (1.2s, 250ms, 2m) or a share of the playback (50%).\n"
         "  --screenshot-series DIR renders the start, every narration step and the end in English and\n"
         "  Japanese to DIR/en-start.png, en-step-01.png, ..., ja-end.png.\n"
         "  --select HOST selects a host in the Inspector (shown with --tab inspector); --message shows\n"
         "  a stored message (the Nth of the run, or by its Message-ID) in the Inspector.\n"
         "  --scale defaults to the monitor's content scale (1 for screenshots).\n"
         "  Exit codes: 0 ok, 2 bad input, 3 no display.\n";
}

}  // namespace

int main(int argc, char** argv) {
  mailsim::gui::GuiOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "mailsim-gui: " << name << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (arg == "-h" || arg == "--help") {
        usage(std::cout);
        return 0;
      } else if (arg == "--at") {
        const std::string text = value(arg);
        if (!text.empty() && text.back() == '%') {
          o.at_fraction = std::stod(text.substr(0, text.size() - 1)) / 100.0;
          continue;
        }
        std::string why;
        auto t = mailsim::sim::parse_duration(text, &why);
        if (!t) {
          std::cerr << "mailsim-gui: --at: " << why << "\n";
          return 2;
        }
        o.at = *t;
      } else if (arg == "--step") {
        o.narration_step = std::stoi(value(arg));
      } else if (arg == "--screenshot") {
        o.screenshot_path = value(arg);
      } else if (arg == "--screenshot-series") {
        o.screenshot_series_dir = value(arg);
      } else if (arg == "--tab") {
        o.tab = value(arg);
      } else if (arg == "--show") {
        o.show = value(arg);  // lessons, compose or check: a window open at the start
      } else if (arg == "--select") {
        o.select = value(arg);
      } else if (arg == "--message") {
        o.message = value(arg);
      } else if (arg == "--lang") {
        o.lang = value(arg);
      } else if (arg == "--scale") {
        o.ui_scale = std::stof(value(arg));
      } else if (arg == "--size") {
        const std::string s = value(arg);
        const auto x = s.find('x');
        if (x == std::string::npos) throw std::invalid_argument("size");
        o.width = std::stoi(s.substr(0, x));
        o.height = std::stoi(s.substr(x + 1));
      } else if (!arg.empty() && arg[0] == '-') {
        std::cerr << "mailsim-gui: unknown option " << arg << "\n";
        usage(std::cerr);
        return 2;
      } else if (o.scenario_path.empty()) {
        o.scenario_path = std::string(arg);
      } else {
        std::cerr << "mailsim-gui: more than one scenario given\n";
        return 2;
      }
    } catch (const std::exception&) {
      std::cerr << "mailsim-gui: bad value for " << arg << "\n";
      return 2;
    }
  }
  if (o.scenario_path.empty()) {
    usage(std::cerr);
    return 2;
  }
  return mailsim::gui::run_gui(o);
}
