// Challenge mode (c), "fix the broken setup": a student's choices for a lesson's "fix" settings
// become timeline actions at time 0, the lesson is loaded again with them and re-run, and the
// run is graded against the fix's goal (the share of goal expectations that hold).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

// Per setting of Scenario::fix, the index of the chosen value (FixSetting::values).
using FixChoices = std::vector<std::size_t>;

// The world as written: every setting at its own value.
FixChoices fix_start(const FixSpec& fix);

// The timeline actions (as a scenario file writes them, each "at": "0s") that give the world
// `chosen`: a "change_account" per account with a changed setting (carrying every offered
// setting of that account, so a new port does not bring its usual AUTH and TLS behind the
// student's back), a "change_server" per changed server setting, an "empty_folder", a
// "dns_change" that takes the zone's record out and puts the chosen one in. Empty when nothing
// differs from the world's own values. `chosen` must have one valid index per setting.
std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen);

// The settings of `chosen` that differ from the world's own, for the teacher's CSV:
// "shiroyagi-pc:smtp.port=587; mx-hogehoge:quota(kuroyagi)=8KB" (empty: none).
std::string fix_changes_text(const FixSpec& fix, const FixChoices& chosen);

// How far a run got: every goal expectation checked on its trace.
struct FixGrade {
  std::vector<ExpectationResult> results;  // one per goal expectation, in order
  std::size_t passed = 0;
  std::size_t total = 0;
  int percent = 0;  // passed * 100 / total, rounded down (100 only when every one holds)
  bool complete() const { return total > 0 && passed == total; }
};
// `s` must have a fix block (its goal is checked instead of the lesson's expectations).
FixGrade grade_fix(const Scenario& s, const Trace& trace);

// One try: the lesson's document (`doc`, the file's JSON as written) with the actions of
// `chosen` added, loaded by the scenario loader, run, and graded. Deterministic.
struct FixTry {
  bool ok = false;
  std::string error;                  // not ok: the loader's messages (a lesson's fix that cannot load)
  std::vector<nlohmann::json> actions;
  std::optional<Scenario> scenario;   // the lesson with the actions
  RunResult run;
  FixGrade grade;
};
FixTry try_fix(const nlohmann::json& doc, const Scenario& lesson, const FixChoices& chosen);
// Tries per challenge: each one re-runs the lesson and is kept for the CSV, so a script that
// keeps answering "try" (or a stuck key) ends here instead of growing without end.
inline constexpr std::size_t kMaxFixTries = 100;

// The document of a scenario file as written (for try_fix); none when it cannot be read.
std::optional<nlohmann::json> read_scenario_document(const std::string& path);

}  // namespace mailsim::sim
