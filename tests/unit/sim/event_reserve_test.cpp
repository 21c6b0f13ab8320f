// The event core's reserved sequence numbers and series (lazy timelines, issue 13): an event
// queued late with a number taken early runs where it would have run had it been queued then.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/event_core.hpp"

using namespace mailsim::sim;

namespace {

// Three events at time 10 and one at 20, the second of them (b) known at the start but queued
// only when `queue_b_at` (a moment before 10) comes. Returns the order they ran in.
std::vector<std::string> ties_with_b_queued(bool lazily) {
  EventCore core;
  std::vector<std::string> log;
  core.schedule_at(10, [&] { log.push_back("a"); });
  if (lazily) {
    const auto r = core.reserve(1);
    core.schedule_at(5, [&core, &log, seq = r.first] {
      log.push_back("tick");
      core.schedule_at(10, [&log] { log.push_back("b"); }, seq);
    });
  } else {
    core.schedule_at(5, [&] { log.push_back("tick"); });
    core.schedule_at(10, [&] { log.push_back("b"); });
  }
  core.schedule_at(10, [&] { log.push_back("c"); });
  core.schedule_at(20, [&] { log.push_back("d"); });
  core.run();
  return log;
}

}  // namespace

TEST_CASE("an event queued late with a reserved number runs in its place among ties") {
  const auto eager = ties_with_b_queued(false);
  const auto lazy = ties_with_b_queued(true);
  CHECK(eager == std::vector<std::string>{"tick", "a", "b", "c", "d"});
  CHECK(lazy == eager);
}

TEST_CASE("a reserved number is its event's id, and that event can be cancelled") {
  EventCore core;
  int ran = 0;
  const auto r = core.reserve(3);
  CHECK(r.count == 3);
  const EventId later = core.schedule_at(1, [&] { ran += 100; });  // after the reservation
  CHECK(later == r.first + 3);
  const EventId id = core.schedule_at(1, [&] { ran += 1; }, r.first + 1);
  CHECK(id == r.first + 1);
  CHECK(core.pending() == 2);
  CHECK(core.cancel(id));
  CHECK_FALSE(core.cancel(id));
  CHECK(core.pending() == 1);
  core.run();
  CHECK(ran == 100);
}

TEST_CASE("a number never reserved, or used twice, is refused with a clear error") {
  EventCore core;
  const auto r = core.reserve(2);
  const EventId normal = core.schedule_at(5, [] {});
  // Taken by an ordinary event, not reserved:
  CHECK_THROWS_WITH(core.schedule_at(5, [] {}, normal), Catch::Contains("was not reserved"));
  CHECK_THROWS_WITH(core.schedule_at(5, [] {}, 999), Catch::Contains("was not reserved"));
  core.schedule_at(5, [] {}, r.first);
  CHECK_THROWS_WITH(core.schedule_at(6, [] {}, r.first), Catch::Contains("is used already"));
  core.schedule_at(7, [] {}, r.first + 1);
  // Every number of the reservation is used: it is forgotten, and a reuse reads "not reserved".
  CHECK_THROWS_WITH(core.schedule_at(8, [] {}, r.first + 1), Catch::Contains("was not reserved"));
  CHECK(core.pending() == 3);  // the refused ones scheduled nothing
  CHECK(core.run() == 3);
}

TEST_CASE("a reserved event that would run before the one that already ran is refused") {
  EventCore core;
  const auto r = core.reserve(1);
  bool refused = false;
  core.schedule_at(10, [&] {
    // Its place (time 10, a number older than this event's) is behind us.
    try {
      core.schedule_at(10, [] {}, r.first);
    } catch (const std::logic_error& e) {
      refused = std::string(e.what()).find("would run before") != std::string::npos;
    }
    // And a time in the past is refused as for any event.
    CHECK_THROWS_WITH(core.schedule_at(9, [] {}, r.first), Catch::Contains("in the past"));
    // Later in time the number is still good.
    core.schedule_at(11, [] {}, r.first);
  });
  CHECK(core.run() == 2);
  CHECK(refused);
}

TEST_CASE("a series holds one event in the queue and runs like the same events queued at once") {
  // Four series items and ordinary events interleaved at equal times: the order must be the
  // order of scheduling them all at the start.
  const std::vector<Time> times{10, 10, 20, 20};
  auto run_it = [&](bool series, std::size_t* most_pending) {
    EventCore core;
    std::vector<std::string> log;
    core.schedule_at(10, [&] { log.push_back("x10"); });
    if (series) {
      core.schedule_series(
          times.size(), [&](std::size_t i) { return times[i]; },
          [&](std::size_t i) {
            log.push_back("s" + std::to_string(i));
            core.schedule_in(0, [&log, i] { log.push_back("from-s" + std::to_string(i)); });
          });
    } else {
      for (std::size_t i = 0; i < times.size(); ++i)
        core.schedule_at(times[i], [&, i] {
          log.push_back("s" + std::to_string(i));
          core.schedule_in(0, [&log, i] { log.push_back("from-s" + std::to_string(i)); });
        });
    }
    core.schedule_at(10, [&] { log.push_back("y10"); });
    core.schedule_at(20, [&] { log.push_back("y20"); });
    if (most_pending) *most_pending = core.pending();
    core.run();
    return log;
  };
  std::size_t eager_pending = 0, lazy_pending = 0;
  const auto eager = run_it(false, &eager_pending);
  const auto lazy = run_it(true, &lazy_pending);
  CHECK(lazy == eager);
  CHECK(eager.front() == "x10");
  CHECK(eager_pending == 7);
  CHECK(lazy_pending == 4);  // x10, the first item, y10, y20
}

TEST_CASE("a series out of time order runs in (time, index) order with each index's own place") {
  const std::vector<Time> times{30, 10, 30, 20};
  auto run_it = [&](bool series) {
    EventCore core;
    std::vector<std::string> log;
    core.schedule_at(30, [&] { log.push_back("before"); });
    if (series) {
      core.schedule_series(times.size(), [&](std::size_t i) { return times[i]; },
                           [&](std::size_t i) { log.push_back("s" + std::to_string(i)); });
    } else {
      for (std::size_t i = 0; i < times.size(); ++i)
        core.schedule_at(times[i], [&, i] { log.push_back("s" + std::to_string(i)); });
    }
    core.schedule_at(30, [&] { log.push_back("after"); });
    core.run();
    return log;
  };
  const auto eager = run_it(false);
  CHECK(eager == std::vector<std::string>{"s1", "s3", "before", "s0", "s2", "after"});
  CHECK(run_it(true) == eager);
}

TEST_CASE("a series in the past is refused and an empty one schedules nothing") {
  EventCore core;
  core.run_until(100);
  CHECK_THROWS_WITH(core.schedule_series(2, [](std::size_t i) { return i == 0 ? Time{100} : Time{50}; },
                                         [](std::size_t) {}),
                    Catch::Contains("in the past"));
  core.schedule_series(0, [](std::size_t) { return Time{0}; }, [](std::size_t) {});
  CHECK(core.pending() == 0);
  CHECK_FALSE(core.step());
}
