// The mailsim command line: parses arguments and runs a subcommand; returns the exit code.
#pragma once
#include <iosfwd>

namespace mailsim::cli {

// Exit codes (documented in --help).
constexpr int kExitOk = 0;           // everything held
constexpr int kExitExpectation = 1;  // at least one expectation failed
constexpr int kExitInvalid = 2;      // invalid input or usage
constexpr int kExitBudget = 3;       // the run budget ran out (the report and trace so far are written)

int run_command_line(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
