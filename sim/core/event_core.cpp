// The discrete-event core.
#include "sim/core/event_core.hpp"

#include <algorithm>
#include <cassert>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

namespace mailsim::sim {

EventId EventCore::schedule_at(Time at, Action action) {
  if (at < now_) throw std::logic_error("EventCore: scheduling in the past");
  const EventId id = ++seq_;
  queue_.push(Entry{at, seq_, id});
  live_.emplace(id, std::move(action));
  return id;
}

EventCore::Reserved EventCore::reserve(std::uint64_t count) {
  const Reserved r{seq_ + 1, count};
  if (count == 0) return r;
  seq_ += count;
  blocks_.emplace(seq_ + 1, Block{r.first, std::vector<bool>(count, false), count});
  return r;
}

EventId EventCore::schedule_at(Time at, Action action, std::uint64_t seq) {
  if (at < now_) throw std::logic_error("EventCore: scheduling in the past");
  const auto it = blocks_.upper_bound(seq);  // the reservation whose end is past seq
  if (it == blocks_.end() || seq < it->second.first)
    throw std::logic_error("EventCore: sequence number " + std::to_string(seq) + " was not reserved");
  Block& b = it->second;
  const std::uint64_t i = seq - b.first;
  if (b.used[i]) throw std::logic_error("EventCore: reserved sequence number " + std::to_string(seq) + " is used already");
  if (at == last_at_ && seq <= last_seq_)
    throw std::logic_error("EventCore: an event with reserved number " + std::to_string(seq) +
                           " at this time would run before the event that already ran");
  b.used[i] = true;
  if (--b.left == 0) blocks_.erase(it);
  queue_.push(Entry{at, seq, seq});
  live_.emplace(seq, std::move(action));
  return seq;
}

namespace {

// The state of one schedule_series, held by the event of its item in the queue.
struct Series {
  std::uint64_t first = 0;
  std::function<Time(std::size_t)> at;
  std::function<void(std::size_t)> run;
  std::vector<std::uint32_t> order;  // empty: 0, 1, 2 ... (the times were in order already)
  std::size_t next = 0;              // position (in the order) of the item in the queue
  std::size_t count = 0;
  std::size_t item(std::size_t k) const { return order.empty() ? k : order[k]; }
};

// Queues the item at position s->next. When it runs, the one after it is queued before it acts:
// the numbers of whatever it schedules are newer than every reserved one, so the order is the same.
void queue_next(EventCore& core, const std::shared_ptr<Series>& s) {
  const std::size_t i = s->item(s->next);
  core.schedule_at(
      s->at(i),
      [&core, s, i] {
        if (++s->next < s->count) queue_next(core, s);
        s->run(i);
      },
      s->first + i);
}

}  // namespace

void EventCore::schedule_series(std::size_t count, std::function<Time(std::size_t)> at,
                                std::function<void(std::size_t)> run) {
  if (count == 0) return;
  if (count > UINT32_MAX) throw std::logic_error("EventCore: a series of more than 2^32 events");
  auto s = std::make_shared<Series>();
  s->at = std::move(at);
  s->run = std::move(run);
  s->count = count;
  bool sorted = true;
  for (std::size_t i = 0; i < count && sorted; ++i) {
    const Time t = s->at(i);
    if (t < now_) throw std::logic_error("EventCore: scheduling in the past");
    sorted = i == 0 || s->at(i - 1) <= t;
  }
  if (!sorted) {
    for (std::size_t i = 0; i < count; ++i)
      if (s->at(i) < now_) throw std::logic_error("EventCore: scheduling in the past");
    s->order.resize(count);
    std::iota(s->order.begin(), s->order.end(), std::uint32_t{0});
    std::stable_sort(s->order.begin(), s->order.end(),
                     [&s](std::uint32_t x, std::uint32_t y) { return s->at(x) < s->at(y); });
  }
  s->first = reserve(count).first;
  queue_next(*this, s);
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
  last_at_ = e.at;
  last_seq_ = e.seq;
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
