// The app's options are defined once (gui/options.cpp): mailsim-gui and `mailsim gui` parse alike.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "gui/options.hpp"

namespace {

using mailsim::gui::GuiOptions;

// Parses `args` the way mailsim-gui does (the options on the program itself).
GuiOptions parse_standalone(std::vector<std::string> args) {
  CLI::App app{"test", "mailsim-gui"};
  GuiOptions o;
  mailsim::gui::add_gui_options(app, o);
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  app.parse(args);
  return o;
}

// ... and the way `mailsim gui` does (the options on a subcommand).
GuiOptions parse_subcommand(std::vector<std::string> args) {
  CLI::App app{"test", "mailsim"};
  GuiOptions o;
  auto* gui = app.add_subcommand("gui", "the app");
  mailsim::gui::add_gui_options(*gui, o);
  args.insert(args.begin(), "gui");
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return o;
}

std::string refusal(const std::vector<std::string>& args) {
  try {
    parse_standalone(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "accepted";
}

bool same(const GuiOptions& a, const GuiOptions& b) {
  return a.scenario_path == b.scenario_path && a.at == b.at && a.at_fraction == b.at_fraction &&
         a.narration_step == b.narration_step && a.screenshot_path == b.screenshot_path &&
         a.screenshot_series_dir == b.screenshot_series_dir && a.width == b.width && a.height == b.height &&
         a.lang == b.lang && a.tab == b.tab && a.show == b.show && a.select == b.select && a.message == b.message &&
         a.ui_scale == b.ui_scale;
}

}  // namespace

TEST_CASE("gui options: defaults when nothing is given", "[cli][gui-options]") {
  const auto o = parse_standalone({});
  CHECK(o.scenario_path.empty());
  CHECK(o.lang == "en");
  CHECK(o.width == 1280);
  CHECK(o.height == 720);
  CHECK_FALSE(o.at.has_value());
  CHECK_FALSE(o.at_fraction.has_value());
  CHECK_FALSE(o.narration_step.has_value());
  CHECK_FALSE(o.ui_scale.has_value());
  CHECK(same(o, parse_subcommand({})));
}

TEST_CASE("gui options: mailsim-gui and mailsim gui fill the same options", "[cli][gui-options]") {
  const std::vector<std::string> args{"mail/whole-journey", "--at", "1.25s", "--step", "3", "--screenshot",
                                      "x.png", "--size", "1920x1080", "--lang", "ja", "--scale", "1.5",
                                      "--tab", "inspector", "--show", "compose", "--select", "mx-hogehoge",
                                      "--message", "<id@host>"};
  const auto a = parse_standalone(args);
  CHECK(a.scenario_path == "mail/whole-journey");
  CHECK(a.at == 1'250'000);
  CHECK(a.narration_step == 3);
  CHECK(a.screenshot_path == "x.png");
  CHECK(a.width == 1920);
  CHECK(a.height == 1080);
  CHECK(a.lang == "ja");
  CHECK(a.ui_scale == 1.5f);
  CHECK(a.tab == "inspector");
  CHECK(a.show == "compose");
  CHECK(a.select == "mx-hogehoge");
  CHECK(a.message == "<id@host>");
  CHECK(same(a, parse_subcommand(args)));

  const auto share = parse_standalone({"--at", "50%", "--screenshot-series", "dir"});
  CHECK(share.at_fraction == 0.5);
  CHECK_FALSE(share.at.has_value());
  CHECK(share.screenshot_series_dir == "dir");
  CHECK(same(share, parse_subcommand({"--at", "50%", "--screenshot-series", "dir"})));
}

TEST_CASE("gui options: bad values are refused by the parser, naming the option", "[cli][gui-options]") {
  CHECK(refusal({"--at", "5parsecs"}) == "--at: 5parsecs: unknown unit \"parsecs\" (use us, ms, s, m, h or d)");
  CHECK(refusal({"--at", "150%"}) == "--at: 150%: a share of the playback is between 0% and 100%");
  CHECK(refusal({"--at", "half%"}) == "--at: half%: expected a time like 1.5s or a share like 50%");
  CHECK(refusal({"--step", "0"}) == "--step: 0: expected a step number: 1, 2, ...");
  CHECK(refusal({"--size", "1280"}) == "--size: 1280: expected WIDTHxHEIGHT, e.g. 1280x720");
  CHECK(refusal({"--size", "100x100"}) == "--size: 100x100: out of range (320x240 .. 16384x16384)");
  CHECK(refusal({"--lang", "fr"}) == "--lang: fr not in {en,ja}");
  CHECK(refusal({"--tab", "inspektor"}) == "--tab: inspektor not in {events,sequence,transcript,inspector}");
  CHECK(refusal({"--show", "picker"}) == "--show: picker not in {lessons,compose,check,export}");
  CHECK(refusal({"--scale", "9"}).find("--scale") == 0);
  CHECK(refusal({"--screenshot", "a.png", "--screenshot-series", "d"}) ==
        "--screenshot excludes --screenshot-series");
  CHECK(refusal({"a.json", "b.json"}) == "The following argument was not expected: b.json");
  // The same refusal through the subcommand.
  CHECK_THROWS_AS(parse_subcommand({"--lang", "fr"}), CLI::ValidationError);
}

TEST_CASE("gui options: the scenario is a file, a lesson name, or the default lesson", "[cli][gui-options]") {
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  std::string error;
  GuiOptions o;
  REQUIRE(mailsim::gui::resolve_gui_scenario(o, lessons, error));
  CHECK(std::filesystem::path(o.scenario_path).filename() == "whole-journey.json");

  o.scenario_path = "op25b-sub";
  REQUIRE(mailsim::gui::resolve_gui_scenario(o, lessons, error));
  CHECK(std::filesystem::path(o.scenario_path).filename() == "op25b-submission.json");

  o.scenario_path = "whole-journy";
  CHECK_FALSE(mailsim::gui::resolve_gui_scenario(o, lessons, error));
  CHECK(error.find("(did you mean \"whole-journey\"?)") != std::string::npos);

  GuiOptions none;
  CHECK_FALSE(mailsim::gui::resolve_gui_scenario(none, {}, error));
  CHECK(error.find("MAILSIM_SCENARIOS") != std::string::npos);
}
