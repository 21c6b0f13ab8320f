// Reports of a scenario run: readable text for people, JSON for programs.
#pragma once
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::cli {

struct ReportOptions {
  bool packets = false;  // include every packet in the story
  bool verbose = false;  // with narration: also print every record ("What happened")
  std::string lang = "en";
};

void print_text_report(std::ostream& out, const sim::Scenario& s, const sim::RunResult& r, const ReportOptions& o);
nlohmann::json json_report(const sim::Scenario& s, const sim::RunResult& r);

}  // namespace mailsim::cli
