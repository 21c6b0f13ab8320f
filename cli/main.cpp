// Entry point of the mailsim command.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) { return mailsim::cli::run_command_line(argc, argv, std::cout, std::cerr); }
