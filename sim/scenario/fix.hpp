// Challenge mode (c), "fix the broken setup": a student's choices for a lesson's "fix" settings
// become timeline actions at time 0, the lesson is loaded again with them and re-run, and the
// run is graded against the fix's goal (the share of goal expectations that hold).
#pragma once
#include <cstddef>
#include <cstdint>
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

class Checker;

// The range of a numeric setting (a port, a quota, a size limit): the student may choose any
// number in it (a slider in the app), not only the listed values. The loader's own limits
// (ports 1-65535; quota 0 (none) to smtp::kMaxMessageSizeCap; a size limit 1 byte to that cap),
// narrowed by the setting's "range": {"min": ..., "max": ..., "step": ...} in the lesson (sizes
// as "8KB" or bytes). `step` is the slider's increment (1 for a port, 1 KiB for a size).
struct FixRange {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::uint64_t step = 1;
  bool size = false;  // a size in bytes (written "8KB"), not a port
};
// The loader's own range of a setting, none when it is not numeric.
std::optional<FixRange> fix_own_range(const FixSetting& s);
// Its range as the lesson gives it: `setting_json` is the setting's object in the lesson's file
// (may be null); a "range" that does not check (see check_fix_range) is ignored here.
std::optional<FixRange> fix_range(const FixSetting& s, const nlohmann::json* setting_json);
// The loader's check of a setting's "range" (at pointer `p`, object `j`): only on a numeric
// setting, min <= max within the loader's limits, a step of 1 to max - min (or 1), every listed
// value inside it. Each problem goes to `c` with its JSON pointer; false when there was one.
bool check_fix_range(Checker& c, const nlohmann::json& j, const std::string& p, const FixSetting& s);
// A value of a numeric setting as a number (a port, or a size's bytes); none when it is not one.
std::optional<std::uint64_t> fix_number(const FixSetting& s, const nlohmann::json& value);
// A number as the timeline action writes it: a port as a number, a size as "8KB" / "1536B".
nlohmann::json fix_number_value(const FixSetting& s, std::uint64_t n);

// Per setting, a number the student chose with the slider instead of a listed value (none: the
// listed value of FixChoices). Used only for numeric settings, and checked against fix_range.
using FixNumbers = std::vector<std::optional<std::uint64_t>>;

// The timeline actions (as a scenario file writes them, each "at": "0s") that give the world
// `chosen`: a "change_account" per account with a changed setting (carrying every offered
// setting of that account, so a new port does not bring its usual AUTH and TLS behind the
// student's back), a "change_server" per changed server setting, an "empty_folder", a
// "dns_change" that takes the zone's record out and puts the chosen one in. Empty when nothing
// differs from the world's own values. `chosen` must have one valid index per setting.
std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen);
// The same with the student's own numbers (`numbers[k]`, when set, replaces setting k's choice).
std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen, const FixNumbers& numbers);

// The settings of `chosen` that differ from the world's own, for the teacher's CSV:
// "shiroyagi-pc:smtp.port=587; mx-hogehoge:quota(kuroyagi)=8KB" (empty: none).
std::string fix_changes_text(const FixSpec& fix, const FixChoices& chosen, const FixNumbers& numbers = {});

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
FixTry try_fix(const nlohmann::json& doc, const Scenario& lesson, const FixChoices& chosen, const FixNumbers& numbers = {});
// The first of `numbers` outside its setting's range (doc: the lesson's file), as an error for
// people ("quota of kuroyagi on mx-hogehoge: 200KB is outside 0B to 64KB"); empty when all are in.
std::string fix_numbers_error(const nlohmann::json& doc, const FixSpec& fix, const FixNumbers& numbers);
// Tries per challenge: each one re-runs the lesson and is kept for the CSV, so a script that
// keeps answering "try" (or a stuck key) ends here instead of growing without end.
inline constexpr std::size_t kMaxFixTries = 100;

// The document of a scenario file as written (for try_fix); none when it cannot be read.
std::optional<nlohmann::json> read_scenario_document(const std::string& path);

}  // namespace mailsim::sim
