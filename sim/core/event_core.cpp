// The discrete-event core.
#include "sim/core/event_core.hpp"

#include <cassert>
#include <stdexcept>

namespace mailsim::sim {

EventId EventCore::schedule_at(Time at, Action action) {
  if (at < now_) throw std::logic_error("EventCore: scheduling in the past");
  const EventId id = ++seq_;
  queue_.push(Entry{at, seq_, id});
  live_.emplace(id, std::move(action));
  return id;
}

bool EventCore::cancel(EventId id) {
  if (live_.erase(id) == 0) return false;
  // A cancelled entry waits in the queue until it reaches the top. Sessions re-arm their
  // timeouts (minutes away) at every line, so those would pile up by the hundred thousand in
  // a busy world: when they are most of the queue, the live ones are kept and the rest go.
  // The order is a total order on (time, sequence), so nothing that runs changes.
  if (queue_.size() > 1024 && queue_.size() > 2 * live_.size()) {
    std::vector<Entry> keep;
    keep.reserve(live_.size());
    while (!queue_.empty()) {
      if (live_.count(queue_.top().id)) keep.push_back(queue_.top());
      queue_.pop();
    }
    queue_ = decltype(queue_)(std::greater<Entry>(), std::move(keep));
  }
  return true;
}

void EventCore::drop_cancelled_top() {
  while (!queue_.empty() && live_.find(queue_.top().id) == live_.end()) queue_.pop();
}

Time EventCore::next_time() {
  drop_cancelled_top();
  return queue_.empty() ? -1 : queue_.top().at;
}

bool EventCore::step() {
  drop_cancelled_top();
  if (queue_.empty()) return false;
  const Entry e = queue_.top();
  queue_.pop();
  auto it = live_.find(e.id);
  assert(it != live_.end());
  Action action = std::move(it->second);
  live_.erase(it);
  now_ = e.at;
  ++executed_;
  action();
  return true;
}

void EventCore::run_until(Time t) {
  for (;;) {
    const Time next = next_time();
    if (next < 0 || next > t) break;
    step();
  }
  if (t > now_) now_ = t;
}

std::uint64_t EventCore::run(std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (n < max_events && step()) ++n;
  return n;
}

}  // namespace mailsim::sim
