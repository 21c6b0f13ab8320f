// The run budget: named limits on events, trace records, virtual time and trace memory, and
// the likely cause of a run that ran out of one, read from the trace it left.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event_core.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::sim {

// The defaults are far above what any lesson needs (the largest uses about 1/100 of each;
// docs/guarantees.md) and low enough that a run that goes wrong stops within a few seconds
// and a few hundred MB on a classroom PC.
constexpr std::uint64_t kDefaultMaxEvents = 5'000'000;
constexpr std::uint64_t kDefaultMaxRecords = 1'000'000;
constexpr Time kDefaultMaxTime = 30 * 24 * kHour;  // 30 days of virtual time
constexpr std::uint64_t kDefaultMaxTraceBytes = 256ULL * 1024 * 1024;  // estimated trace memory

// Bounds a scenario may set (settings "max_events" ...): a budget above them would no longer
// protect the machine, one below them could not run the smallest lesson. The records bound is
// 50 million so that bench/journeys.py's 100,000-journey world (about 31 million records) runs:
// the memory those records hold is bounded apart, by the trace memory budget (and a run that keeps
// only what its checks read holds few of them).
constexpr std::uint64_t kMaxEventsLimit = 100'000'000;
constexpr std::uint64_t kMaxRecordsLimit = 50'000'000;
constexpr std::uint64_t kMaxTraceMbLimit = 4096;

struct RunBudget {
  std::uint64_t max_events = kDefaultMaxEvents;
  std::uint64_t max_records = kDefaultMaxRecords;
  Time max_time = kDefaultMaxTime;
  std::uint64_t max_trace_bytes = kDefaultMaxTraceBytes;
};

enum class BudgetKind { Events, Records, VirtualTime, TraceMemory };
// "events", "records", "time", "trace_memory"
std::string_view to_string(BudgetKind kind);

// Why a run probably ran away, found by counting the trace: `code` is "loop",
// "retry_storm", "large_message", "one_host_packets" or "busiest"; `params` its values.
struct RunawayCause {
  std::string code;
  nlohmann::json params = nlohmann::json::object();
  std::string en;  // the cause in words
  std::string ja;
};
RunawayCause likely_cause(const Trace& trace);

// What likely_cause counts, gathered one record at a time: from a whole trace, or from every
// record as it is added (Trace::watch) when the trace keeps only some of them.
class RunawayTally {
 public:
  void add(const Record& r);
  RunawayCause cause() const;

 private:
  struct Relays {
    std::uint64_t n = 0;
    std::string subject;                                    // of the last relayed record
    std::vector<std::pair<const char*, std::uint64_t>> hosts;  // interned host -> relays
  };
  struct Retries {
    std::uint64_t n = 0;
    Time gap = 0;  // the last deferral's wait until its next try
  };
  struct PairHash {
    std::size_t operator()(const std::pair<const char*, const char*>& p) const {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  struct KindHash {
    std::size_t operator()(const std::tuple<int, const char*, const char*>& k) const {
      return (std::hash<const void*>()(std::get<1>(k)) * 31 + std::hash<const void*>()(std::get<2>(k))) * 31 +
             static_cast<std::size_t>(std::get<0>(k));
    }
  };
  // Keys are interned names (Name::c_str() is one pointer per text).
  std::unordered_map<const char*, Relays> relays_;                                 // message id
  std::unordered_map<std::pair<const char*, const char*>, Retries, PairHash> retries_;  // (host, queue id)
  std::unordered_map<const char*, std::uint64_t> packets_by_host_;
  std::unordered_map<std::uint64_t, std::uint64_t> bytes_by_conn_;
  std::unordered_map<std::tuple<int, const char*, const char*>, std::uint64_t, KindHash> kinds_;  // (kind, event, host)
  std::uint64_t packets_ = 0;
  std::uint64_t records_ = 0;
};

// A run stopped by its budget.
struct BudgetStop {
  BudgetKind kind = BudgetKind::Events;
  std::uint64_t limit = 0;  // the budget (µs for time, bytes for trace memory)
  std::uint64_t used = 0;   // what the run had used when it stopped
  Time at = 0;              // virtual time of the stop
  RunawayCause cause;
  std::string message(std::string_view lang = "en") const;  // which budget ran out, and the likely cause
};

// A duration as a scenario writes it when it is whole ("30d", "2h", "90s"), else format_time().
std::string format_span(Time t);

// Checks the budget after an event: the first limit that is exceeded, if any.
std::optional<BudgetStop> over_budget(const RunBudget& budget, std::uint64_t events, const Trace& trace, Time now);

}  // namespace mailsim::sim
