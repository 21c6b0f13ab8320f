// The discrete-event core: integer virtual time, (time, sequence) ordering, cancellation.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
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
//
// Every event has a sequence number, taken when it is scheduled, and events run in increasing
// (time, sequence) order. A caller that knows now what it will do later (a timeline of a
// hundred thousand sends) may take the numbers now and schedule each event only when the one
// before it runs (`reserve`, `schedule_at` with a reserved number, or `schedule_series`): the
// event then runs exactly where it would have run had it been scheduled at the reservation,
// FIFO ties included, while the queue holds one event instead of the whole list.
class EventCore {
 public:
  using Action = std::function<void()>;

  Time now() const { return now_; }

  // Schedules `action` at absolute time `at` (never earlier than now). Returns its id.
  EventId schedule_at(Time at, Action action);
  // Sequence numbers [first, first + count), set aside in the order of scheduling as if `count`
  // events had been scheduled now.
  struct Reserved {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
  };
  Reserved reserve(std::uint64_t count);
  // Schedules `action` at `at` with the reserved number `seq`, which is also its id (cancel
  // works as for any event). Throws std::logic_error, scheduling nothing, when `seq` was never
  // reserved or was used already (each reserved number is used at most once; a reservation
  // whose numbers are all used is forgotten, so a reuse then reads "not reserved"), when `at`
  // is earlier than now, or when the event would run before the event that last ran (its
  // (at, seq) not after that one's: the order promised at the reservation can no longer be
  // kept). A number never used costs one bit until the core goes; numbers may be used in any
  // order.
  EventId schedule_at(Time at, Action action, std::uint64_t seq);
  // A list of events known now, queued one at a time: item i runs `run(i)` at `at(i)`, in the
  // place it would have had if all `count` had been scheduled now in the order i = 0, 1, ...
  // (numbers reserved now; item i gets first + i). The items run in (at(i), i) order; each is
  // put into the queue when the one before it runs (the first at once), so the queue holds at
  // most one of them. `at(i)` must not be earlier than now; it is read when the series starts
  // and again as each item is queued, so it must not change. Nothing is scheduled for count 0.
  void schedule_series(std::size_t count, std::function<Time(std::size_t)> at, std::function<void(std::size_t)> run);
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

  // Events in the queue (not cancelled). A reserved number is not an event until it is scheduled.
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

  // A reservation with numbers left to use: first number, and which of them were used.
  struct Block {
    std::uint64_t first = 0;
    std::vector<bool> used;
    std::uint64_t left = 0;
  };

  Time now_ = 0;
  Time last_at_ = 0;           // (time, seq) of the event that ran last
  std::uint64_t last_seq_ = 0;
  std::uint64_t seq_ = 0;
  std::map<std::uint64_t, Block> blocks_;  // by end (one past the last number)
  std::uint64_t executed_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_;
  std::unordered_map<EventId, Action> live_;
};

}  // namespace mailsim::sim
