// Runs a scenario to completion (or to a chosen time) and checks its expectations.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/budget.hpp"
#include "sim/scenario/conservation.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::sim {

struct ExpectationResult {
  std::string pointer;      // where the expectation is in the scenario file
  std::string description;  // what was expected, in words (English)
  bool passed = false;
  std::string actual;       // what happened instead (when it failed) or the evidence (English)

  // The same content in structured form, so that views can word it in any language
  // (sim/describe.hpp; the kinds and their parameters are listed there).
  std::string kind;                                           // the expectation's type: "delivered", "seen", ...
  nlohmann::json params = nlohmann::json::object();           // named values of `description`
  std::string outcome;                                        // what `actual` reports: "evidence", "instead", ...
  nlohmann::json outcome_params = nlohmann::json::object();   // named values of `actual`
  std::vector<std::uint64_t> records;                         // seq of the trace records `actual` quotes, in order
};

namespace mail {
struct MailWorld;
}
class Simulation;

struct RunOptions {
  std::optional<Time> until;  // stop at this virtual time (expectations are still checked)
  // Called when the run has stopped, before the world is taken down: a way for tests and
  // views to look at the final state (mailbox contents, queues) that the trace summarises.
  std::function<void(Simulation&, mail::MailWorld&)> at_end;
  // Called once the world is built, before it starts: a way to add apps of one's own (replay
  // adds a client that plays a recorded session) or to watch the mail world (the export keeps
  // every message through MailWorld's observers).
  std::function<void(Simulation&, mail::MailWorld&)> before_start;
  // The run budget; none: the scenario's (its "settings", else the defaults of sim/budget.hpp).
  std::optional<RunBudget> budget;
  // Which records the trace keeps in memory; none: every one. checks_retention(scenario)
  // (sim/scenario/retention.hpp) keeps only what the end-of-run checks read (issue 13).
  std::optional<Retention> retention;
  // Where every record is written as it is added (the JSON Lines records without the meta
  // line: Trace::stream_to); null: nowhere. Flush it with RunResult::trace.flush_stream().
  std::ostream* trace_stream = nullptr;
};

struct RunResult {
  Trace trace;
  std::vector<ExpectationResult> expectations;
  Time end_time = 0;
  std::uint64_t events = 0;
  bool stopped_early = false;  // events remained at the stop time
  // Set when the run budget ran out: which budget, and the likely cause read from the trace.
  std::optional<BudgetStop> budget_stop;
  // Mail conservation, checked on the trace at the end of every run.
  Conservation conservation;
  // One entry per narration step of the scenario, in order: where its moment happened.
  std::vector<NarrationMatch> narration;
  bool all_passed() const;        // every expectation held and conservation holds
  bool narration_reached() const;  // every narration step's moment happened
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

// A run driven from outside, a slice of virtual time at a time: the bridge (bridge/) paces it
// to the wall clock and adds events between slices. run_scenario is this driven to the end.
// The world is built and started by the constructor; `finish` checks what run_scenario checks.
class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, RunOptions options = {});
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  Simulation& sim() { return *sim_; }
  mail::MailWorld& world() { return *world_; }
  // Runs every event up to virtual time `t` (at most `max_events` of them) and then moves the
  // clock to `t` when they all ran. Returns false once the run has stopped (the budget ran out,
  // or `until`/the scenario's run_for when `stop_at_run_for`); nothing runs after that.
  bool advance(Time t, std::uint64_t max_events = UINT64_MAX);
  bool stopped() const { return stopped_; }
  // Whether `advance` stops at the scenario's run_for (run_scenario) or runs on (the bridge).
  bool stop_at_run_for = true;
  // Ends the run: at_end, conservation, expectations, narration. Call once.
  RunResult finish();

 private:
  const Scenario& scenario_;
  RunOptions options_;
  std::unique_ptr<mail::MailWorld> world_;  // outlives the simulation, whose apps refer to it
  std::unique_ptr<Simulation> sim_;
  RunBudget budget_;
  std::unique_ptr<RunawayTally> tally_;  // every record, when the trace keeps only some
  Time stop_ = 0;
  bool stopped_ = false;
  RunResult result_;
};

// Checks expectations against a finished trace (also used on recorded traces).
std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace);

}  // namespace mailsim::sim
