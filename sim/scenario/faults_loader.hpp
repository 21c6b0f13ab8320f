// The "faults" section of a scenario (and `--faults FILE.json`): loading and checking the fault
// plan's rules, and the "fault" expectation (docs/faults.md).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/checker.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

struct ExpectationResult;
class Trace;

// Reads the rules of `list` (the JSON at `pointer`, an array) into `s.faults`, every problem
// recorded in `c`. Host ids are checked against `s.hosts`, so load the hosts first.
void load_faults(Checker& c, const nlohmann::json& list, const std::string& pointer, Scenario& s);

// A fault plan file, {"faults": [...]} (or the bare array), added to an already loaded scenario.
// Returns the problems (file:line:col, JSON path); none means the rules were added.
std::vector<Diagnostic> add_faults_file(Scenario& s, const std::string& path);
std::vector<Diagnostic> add_faults_text(Scenario& s, std::string_view text, const std::string& file);

// {"type": "fault", "rule": "ID", "fired": true, "times": N}: checked by the loader...
bool check_fault_expectation_spec(Checker& c, const nlohmann::json& e, const std::string& p, const Scenario& s);
// ... and against a trace by the runner.
ExpectationResult check_fault_expectation(const ExpectationSpec& e, const Trace& trace);

// How often each rule of the scenario's plan fired in a trace, in the plan's order (the report).
struct FaultTally {
  std::string rule;
  std::uint64_t fired = 0;
  Time first = -1;  // when it first fired (-1: never)
};
std::vector<FaultTally> fault_tally(const Scenario& s, const Trace& trace);

}  // namespace mailsim::sim
