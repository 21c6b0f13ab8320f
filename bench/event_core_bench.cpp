// Event core throughput (events per second) next to a bare std::priority_queue of the same size.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/core/event_core.hpp"
#include "sim/core/random.hpp"

namespace {

using mailsim::sim::EventCore;
using mailsim::sim::EventId;
using mailsim::sim::Random;
using mailsim::sim::Time;

constexpr std::uint64_t kSeed = 20240601;

// The same pseudo-random times for the event core and for its reference.
std::vector<Time> random_times(std::size_t n) {
  Random rng(kSeed);
  std::vector<Time> times(n);
  for (auto& t : times) t = static_cast<Time>(rng.below(n * 16));
  return times;
}

std::size_t arg_size(const benchmark::State& state) { return static_cast<std::size_t>(state.range(0)); }

// ---- references: the least an event loop can do ------------------------------------------

// (time, sequence) pairs in a min-heap: what the event core orders, with no actions at all.
using BareHeap = std::priority_queue<std::pair<Time, std::uint64_t>, std::vector<std::pair<Time, std::uint64_t>>,
                                     std::greater<>>;

void run_bare_heap(benchmark::State& state, const std::vector<Time>& times) {
  std::uint64_t sink = 0;
  for (auto _ : state) {
    BareHeap heap;
    std::uint64_t seq = 0;
    for (const Time t : times) heap.emplace(t, ++seq);
    while (!heap.empty()) {
      sink += heap.top().second;
      heap.pop();
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(times.size()));
}

void RefHeapInOrder(benchmark::State& state) {
  std::vector<Time> times(arg_size(state));
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = static_cast<Time>(i);
  run_bare_heap(state, times);
}

void RefHeapRandom(benchmark::State& state) { run_bare_heap(state, random_times(arg_size(state))); }

// One element pushed and popped at a time, as in a chain of events.
void RefHeapChain(benchmark::State& state) {
  const std::size_t n = arg_size(state);
  std::uint64_t sink = 0;
  for (auto _ : state) {
    BareHeap heap;
    heap.emplace(0, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto top = heap.top();
      heap.pop();
      sink += top.second;
      if (i + 1 < n) heap.emplace(top.first + 1, top.second + 1);
    }
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// ---- the event core -------------------------------------------------------------------------

void run_event_core(benchmark::State& state, const std::vector<Time>& times) {
  std::uint64_t fired = 0;
  for (auto _ : state) {
    EventCore core;
    for (const Time t : times) core.schedule_at(t, [&fired] { ++fired; });
    core.run();
    benchmark::DoNotOptimize(fired);
  }
  if (fired != static_cast<std::uint64_t>(state.iterations()) * times.size()) state.SkipWithError("not every event ran");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(times.size()));
}

// (a) N events scheduled in time order, then run.
void EventCoreInOrder(benchmark::State& state) {
  std::vector<Time> times(arg_size(state));
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = static_cast<Time>(i);
  run_event_core(state, times);
}

// (b) N events at pseudo-random times (fixed seed), then run.
void EventCoreRandom(benchmark::State& state) { run_event_core(state, random_times(arg_size(state))); }

// (c) N events at random times, every second one cancelled before the run. Items = N
// scheduled (N/2 run, N/2 cancelled).
void EventCoreCancelHalf(benchmark::State& state) {
  const std::vector<Time> times = random_times(arg_size(state));
  std::vector<EventId> ids(times.size());
  std::uint64_t fired = 0;
  for (auto _ : state) {
    EventCore core;
    for (std::size_t i = 0; i < times.size(); ++i) ids[i] = core.schedule_at(times[i], [&fired] { ++fired; });
    for (std::size_t i = 0; i < ids.size(); i += 2) core.cancel(ids[i]);
    core.run();
    benchmark::DoNotOptimize(fired);
  }
  if (fired != static_cast<std::uint64_t>(state.iterations()) * (times.size() / 2)) state.SkipWithError("wrong number of events ran");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(times.size()));
}

// (d) A chain: each event schedules the next, so the queue never holds more than one.
struct Chain {
  EventCore* core;
  std::uint64_t left;
  void operator()() {
    if (--left > 0) core->schedule_in(1, [this] { (*this)(); });
  }
};

void EventCoreChain(benchmark::State& state) {
  const std::size_t n = arg_size(state);
  for (auto _ : state) {
    EventCore core;
    Chain chain{&core, n};
    core.schedule_at(0, [&chain] { chain(); });
    core.run();
    if (core.executed() != n) state.SkipWithError("the chain broke");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(RefHeapInOrder)->Arg(1024)->Arg(65536);
BENCHMARK(RefHeapRandom)->Arg(1024)->Arg(65536);
BENCHMARK(RefHeapChain)->Arg(1024)->Arg(65536);
BENCHMARK(EventCoreInOrder)->Arg(1024)->Arg(65536);
BENCHMARK(EventCoreRandom)->Arg(1024)->Arg(65536);
BENCHMARK(EventCoreCancelHalf)->Arg(1024)->Arg(65536);
BENCHMARK(EventCoreChain)->Arg(1024)->Arg(65536);
