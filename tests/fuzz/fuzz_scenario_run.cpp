// Fuzz target: a whole run of a fuzzed scenario, under a small bound, twice (same trace).
//
// Bounds: a small run budget (sim/scenario/budget.hpp: events, records, virtual time, trace memory),
// the same mechanism that stops a runaway lesson, so a world that runs away ends in a budget
// stop here too. The only guard left is on message sizes: a message of many MiB is legitimate
// (check allows up to 64 MiB) but is built in memory, which makes fuzzing slow, not unsafe.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "sim/apps/mail/mail_spec.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

using namespace mailsim::sim;

constexpr Time kMaxVirtualTime = 2 * kMinute;
constexpr std::uint64_t kMaxMessageBytes = 64 * 1024;

void check(bool ok) {
  if (!ok) std::abort();
}

// Messages small enough to fuzz quickly.
bool small_messages(const Scenario& s) {
  for (const auto& a : s.timeline) {
    const auto* send = std::get_if<action::Send>(&a.what);
    if (send && send->size > kMaxMessageBytes) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto loaded = load_scenario_text(text, "fuzz.json");
  if (!loaded.scenario || !small_messages(*loaded.scenario)) return 0;
  RunOptions options;
  options.until = kMaxVirtualTime;
  RunBudget budget;
  budget.max_events = 200'000;
  budget.max_records = 50'000;
  budget.max_time = kMaxVirtualTime;
  budget.max_trace_bytes = 32ULL << 20;
  options.budget = budget;
  const RunResult a = run_scenario(*loaded.scenario, options);
  check(a.end_time <= kMaxVirtualTime);
  check(a.expectations.size() == loaded.scenario->expectations.size());
  check(a.narration.size() == loaded.scenario->narration.size());
  // Same scenario, same seed: the same trace, record for record.
  const RunResult b = run_scenario(*loaded.scenario, options);
  check(a.trace.records().size() == b.trace.records().size());
  check(a.events == b.events);
  check(a.budget_stop.has_value() == b.budget_stop.has_value());
  check(a.trace.records().size() <= budget.max_records + 1);  // + the note that says why it stopped
  for (std::size_t i = 0; i < a.trace.records().size(); ++i) {
    const auto& x = a.trace.records()[i];
    const auto& y = b.trace.records()[i];
    check(x.time == y.time && x.summary == y.summary && x.host == y.host && x.detail == y.detail);
  }
  return 0;
}
