// The desktop app's options (CLI11), shared by `mailsim gui` and mailsim-gui.
#include "gui/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include <CLI/CLI.hpp>

#include "sim/scenario/checker.hpp"
#include "sim/scenario/lessons.hpp"

namespace mailsim::gui {

namespace {

constexpr const char* kDefaultLesson = "mail/whole-journey";

constexpr const char* kFooter =
    "TIME is a virtual time as in scenarios (1.2s, 250ms, 2m) or a share of the playback (50%).\n"
    "--screenshot-series DIR renders the start, every narration step and the end in English and\n"
    "Japanese to DIR/en-start.png, en-step-01.png, ..., ja-end.png (LANG-middle.png when the lesson\n"
    "has no narration). --select and --message open things in the Inspector (an unknown host, tab,\n"
    "window, message or step is refused). --scale defaults to the monitor's content scale (1 for\n"
    "screenshots).\n"
    "Exit codes: 0 ok, 2 invalid input or usage, 3 no display (or no OpenGL context).\n";

bool parse_int(std::string_view s, int& v) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// A CLI11 check from a parser that says why it refused.
template <typename F>
CLI::Validator checked_by(F parse, const std::string& what) {
  return CLI::Validator(
      [parse](std::string& value) {
        std::string why;
        return parse(value, why) ? std::string() : value + ": " + why;
      },
      what);
}

}  // namespace

bool parse_layout_sizes(const std::string& text, std::vector<LayoutSize>& out, std::string& why) {
  out.clear();
  std::size_t from = 0;
  while (from <= text.size()) {
    const auto comma = std::min(text.find(',', from), text.size());
    const std::string item = text.substr(from, comma - from);
    LayoutSize s;
    const auto at = item.find('@');
    if (!parse_window_size(item.substr(0, at), s.width, s.height, why)) {
      why = "'" + item + "': " + why + " (sizes are WxH or WxH@SCALE, e.g. 1280x720@1.5)";
      return false;
    }
    if (at != std::string::npos) {
      const std::string sc = item.substr(at + 1);
      float v = 0.0f;
      const auto [p, ec] = std::from_chars(sc.data(), sc.data() + sc.size(), v);
      if (ec != std::errc() || p != sc.data() + sc.size() || !(v >= kMinScale && v <= kMaxScale)) {
        why = "'" + item + "': the scale after @ must be a number from " + std::to_string(kMinScale).substr(0, 3) +
              " to " + std::to_string(kMaxScale).substr(0, 3);
        return false;
      }
      s.scale = v;
    }
    out.push_back(s);
    if (out.size() > kMaxLayoutSizes) {
      why = "at most " + std::to_string(kMaxLayoutSizes) + " sizes";
      return false;
    }
    from = comma + 1;
  }
  return true;
}

bool parse_window_size(const std::string& text, int& width, int& height, std::string& why) {
  const auto x = text.find('x');
  int w = 0, h = 0;
  if (x == std::string::npos || !parse_int(std::string_view(text).substr(0, x), w) ||
      !parse_int(std::string_view(text).substr(x + 1), h)) {
    why = "expected WIDTHxHEIGHT, e.g. 1280x720";
    return false;
  }
  if (w < kMinWidth || h < kMinHeight || w > kMaxSide || h > kMaxSide) {
    why = "out of range (" + std::to_string(kMinWidth) + "x" + std::to_string(kMinHeight) + " .. " +
          std::to_string(kMaxSide) + "x" + std::to_string(kMaxSide) + ")";
    return false;
  }
  width = w;
  height = h;
  return true;
}

bool parse_start_moment(const std::string& text, GuiOptions& out, std::string& why) {
  if (!text.empty() && text.back() == '%') {
    const std::string_view number(text.data(), text.size() - 1);
    double share = 0;
    const auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), share);
    if (number.empty() || ec != std::errc() || p != number.data() + number.size() || !std::isfinite(share)) {
      why = "expected a time like 1.5s or a share like 50%";
      return false;
    }
    if (share < 0 || share > 100) {
      why = "a share of the playback is between 0% and 100%";
      return false;
    }
    out.at_fraction = share / 100.0;
    out.at.reset();
    return true;
  }
  auto t = sim::parse_duration(text, &why);
  if (!t) return false;
  out.at = *t;
  out.at_fraction.reset();
  return true;
}

void add_gui_options(CLI::App& app, GuiOptions& out) {
  app.footer(kFooter);
  app.add_option("scenario", out.scenario_path,
                 "Scenario file (JSON) or lesson name (see 'mailsim list'); default: the whole journey of a letter");
  app.add_option_function<std::string>(
         "--at",
         [&out](const std::string& v) {
           std::string why;
           parse_start_moment(v, out, why);  // already checked
         },
         "Start at this virtual time (1.5s) or share of the playback (50%)")
      ->type_name("TIME")
      ->check(checked_by(
          [](const std::string& v, std::string& why) {
            GuiOptions scratch;
            return parse_start_moment(v, scratch, why);
          },
          ""));
  app.add_option_function<int>(
         "--step", [&out](const int& n) { out.narration_step = n; }, "Start at this narration step (1, 2, ...)")
      ->type_name("N")
      ->check(checked_by(
          [](const std::string& v, std::string& why) {
            int n = 0;
            if (parse_int(v, n) && n >= 1) return true;
            why = "expected a step number: 1, 2, ...";
            return false;
          },
          ""));
  auto* shot = app.add_option("--screenshot", out.screenshot_path, "Render one frame to this PNG file and exit")
                   ->type_name("FILE.png");
  auto* series = app.add_option("--screenshot-series", out.screenshot_series_dir,
                                "Render the start, every narration step and the end in en and ja to PNGs in this "
                                "folder, and exit")
                     ->type_name("DIR");
  shot->excludes(series);
  app.add_flag("--check-layout", out.check_layout,
               "With --screenshot or --screenshot-series: fail (exit code 1) when text is smaller than 14 px at "
               "1280x720 (scaled) or covers a host or other text on the map");
  auto* layout = app.add_option_function<std::string>(
         "--layout-series",
         [&out](const std::string& v) {
           std::string why;
           parse_layout_sizes(v, out.layout_series, why);  // already checked
         },
         "Check the layout (as --check-layout) of the start, every story step, the moments between and the end, "
         "in en and ja, at each size (WxH or WxH@SCALE, comma-separated), without a window or pictures")
      ->type_name("SIZES")
      ->check(checked_by(
          [](const std::string& v, std::string& why) {
            std::vector<LayoutSize> scratch;
            return parse_layout_sizes(v, scratch, why);
          },
          ""));
  layout->excludes(shot);
  layout->excludes(series);
  app.add_option_function<std::string>(
         "--size",
         [&out](const std::string& v) {
           std::string why;
           parse_window_size(v, out.width, out.height, why);  // already checked
         },
         "Window (and screenshot) size")
      ->type_name("WIDTHxHEIGHT")
      ->default_str(std::to_string(out.width) + "x" + std::to_string(out.height))
      ->check(checked_by(
          [](const std::string& v, std::string& why) {
            int w = 0, h = 0;
            return parse_window_size(v, w, h, why);
          },
          ""));
  app.add_option("--lang", out.lang, "Language of the interface")
      ->capture_default_str()
      ->check(CLI::IsMember({"en", "ja"}));
  app.add_option_function<float>(
         "--scale", [&out](const float& v) { out.ui_scale = v; },
         "UI scale for projectors (e.g. 1.5); default: the monitor's content scale")
      ->type_name("S")
      ->check(CLI::Range(kMinScale, kMaxScale));
  app.add_option("--tab", out.tab, "Tab shown first")
      ->check(CLI::IsMember({"events", "sequence", "transcript", "inspector"}));
  app.add_option("--packet", out.packet, "The Nth packet of the run opened layer by layer in the Inspector")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_flag("--presenter", out.presenter, "Presenter layout for a projector: the map, the narration and the post-office scene only (F5 switches)");
  app.add_option("--challenge", out.challenge,
                 "Start as a challenge: predict (before each step, what happens next) or detective (from how the "
                 "lesson ends, who stopped the mail and why) or fix (change the lesson's settings until its goal is met)")
      ->check(CLI::IsMember({"predict", "detective", "fix"}));
  app.add_option("--fix-try", out.fix_try,
                 "With --challenge fix: choose values (SETTING=VALUE numbers, e.g. 1=3,2=2) and press Try at the start")
      ->type_name("LIST");
  app.add_option("--student", out.student, "With --challenge: the student's name (each name gets its own variant)");
  app.add_option("--show", out.show, "Window open at the start")->check(CLI::IsMember({"lessons", "compose", "check", "export"}));
  app.add_option("--select", out.select, "Host selected in the Inspector (shown with --tab inspector)")
      ->type_name("HOST");
  app.add_option("--export", out.export_press,
                 "With --show export: press these buttons of the Export window at the start (comma list of pcapng, "
                 "pcap, svg, map, eml, mbox); what was written is listed in the window")
      ->delimiter(',')
      ->check(CLI::IsMember({"pcapng", "pcap", "svg", "map", "eml", "mbox"}))
      ->type_name("KIND,...");
  app.add_option("--export-dir", out.export_dir, "With --export: the folder the Export window writes into")
      ->type_name("DIR");
  app.add_option("--message", out.message,
                 "Show a stored message in the Inspector: the Nth of the run (1, 2, ...) or its Message-ID")
      ->type_name("N|MESSAGE-ID");
}

bool resolve_gui_scenario(GuiOptions& options, const std::filesystem::path& lessons, std::string& error) {
  if (options.scenario_path.empty() && lessons.empty()) {
    error = "no scenario given and no lesson folder found (set MAILSIM_SCENARIOS to the lesson folder)";
    return false;
  }
  const std::string typed = options.scenario_path.empty() ? std::string(kDefaultLesson) : options.scenario_path;
  const auto file = sim::resolve_lesson(typed, lessons, error);
  if (!file) return false;
  options.scenario_path = file->string();
  return true;
}

}  // namespace mailsim::gui
