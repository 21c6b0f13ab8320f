// mailsim-gui: the desktop app on its own (the same options and behaviour as `mailsim gui`).
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "gui/app.hpp"
#include "gui/model/strings.hpp"
#include "gui/options.hpp"
#include "sim/scenario/lessons.hpp"

int main(int argc, char** argv) {
  namespace gui = mailsim::gui;
  CLI::App app{"mailsim-gui: the desktop app of mailsim (the same as 'mailsim gui'). Runs a scenario and\n"
               "plays back how its mail travels.",
               "mailsim-gui"};
  gui::GuiOptions options;
  gui::add_gui_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return gui::kGuiOk;
  } catch (const CLI::ParseError& e) {
    std::cerr << "mailsim-gui: " << e.what() << "\n"
              << "Run 'mailsim-gui --help' for usage.\n";
    return gui::kGuiBadInput;
  }
  std::string why_not;
  if (!gui::resolve_gui_scenario(options, mailsim::sim::find_scenario_dir(gui::current_executable()), why_not)) {
    std::cerr << "mailsim-gui: " << why_not << "\n";
    return gui::kGuiBadInput;
  }
  return gui::run_gui(options);
}
