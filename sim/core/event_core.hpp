// The discrete-event core: integer virtual time, (time, sequence) ordering, cancellation.
#pragma once
#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace mailsim::sim {

// Virtual time in microseconds since the start of the scenario.
using Time = std::int64_t;
constexpr Time kMicro = 1;
constexpr Time kMilli = 1000;
constexpr Time kSecond = 1000 * kMilli;
constexpr Time kMinute = 60 * kSecond;
constexpr Time kHour = 60 * kMinute;

using EventId = std::uint64_t;

// Events fire in order of time; events at the same time fire in the order they were
// scheduled (FIFO). An object, never a global: several simulations can coexist.
class EventCore {
 public:
  using Action = std::function<void()>;

  Time now() const { return now_; }

  // Schedules `action` at absolute time `at` (never earlier than now). Returns its id.
  EventId schedule_at(Time at, Action action);
  // Schedules `action` after `delay` microseconds (delay >= 0).
  EventId schedule_in(Time delay, Action action) { return schedule_at(now_ + delay, std::move(action)); }
  // Cancels a pending event; returns false if it already ran, was cancelled, or never existed.
  bool cancel(EventId id);

  // Runs the next pending event; returns false when none is left.
  bool step();
  // Runs every event with time <= t, then sets now to t (if t is later).
  void run_until(Time t);
  // Runs until no event is left or `max_events` have run; returns how many ran.
  std::uint64_t run(std::uint64_t max_events = UINT64_MAX);

  std::size_t pending() const { return live_.size(); }
  std::uint64_t executed() const { return executed_; }
  // Time of the next pending event, or -1 when none.
  Time next_time();

 private:
  struct Entry {
    Time at;
    std::uint64_t seq;
    EventId id;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void drop_cancelled_top();

  Time now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t executed_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_;
  std::unordered_map<EventId, Action> live_;
};

}  // namespace mailsim::sim
