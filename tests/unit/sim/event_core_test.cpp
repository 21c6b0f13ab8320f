// The event core: ordering by (time, insertion), cancellation, run_until, independence.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/core/event_core.hpp"

using namespace mailsim::sim;

TEST_CASE("events run in time order and FIFO on ties") {
  EventCore core;
  std::vector<std::string> log;
  core.schedule_at(30, [&] { log.push_back("c30"); });
  core.schedule_at(10, [&] { log.push_back("a10"); });
  core.schedule_at(20, [&] { log.push_back("b20-first"); });
  core.schedule_at(20, [&] { log.push_back("b20-second"); });
  core.schedule_at(20, [&] { log.push_back("b20-third"); });
  CHECK(core.run() == 5);
  CHECK(log == std::vector<std::string>{"a10", "b20-first", "b20-second", "b20-third", "c30"});
  CHECK(core.now() == 30);
  CHECK(core.executed() == 5);
}

TEST_CASE("events scheduled from events keep the order") {
  EventCore core;
  std::vector<int> log;
  core.schedule_at(5, [&] {
    log.push_back(1);
    core.schedule_in(0, [&] { log.push_back(3); });
    core.schedule_in(1, [&] { log.push_back(4); });
  });
  core.schedule_at(5, [&] { log.push_back(2); });
  core.run();
  CHECK(log == std::vector<int>{1, 2, 3, 4});
  CHECK(core.now() == 6);
}

TEST_CASE("cancelled events never run and cancel reports what it did") {
  EventCore core;
  int ran = 0;
  const EventId a = core.schedule_at(10, [&] { ran += 1; });
  const EventId b = core.schedule_at(20, [&] { ran += 10; });
  CHECK(core.pending() == 2);
  CHECK(core.cancel(a));
  CHECK_FALSE(core.cancel(a));      // already cancelled
  CHECK_FALSE(core.cancel(12345));  // never existed
  CHECK(core.pending() == 1);
  CHECK(core.next_time() == 20);
  core.run();
  CHECK(ran == 10);
  CHECK_FALSE(core.cancel(b));  // already ran
  CHECK_FALSE(core.step());
  CHECK(core.next_time() == -1);
}

TEST_CASE("an event can cancel a later one at the same time") {
  EventCore core;
  std::vector<int> log;
  EventId later = 0;
  core.schedule_at(7, [&] {
    log.push_back(1);
    core.cancel(later);
  });
  later = core.schedule_at(7, [&] { log.push_back(2); });
  core.run();
  CHECK(log == std::vector<int>{1});
}

TEST_CASE("run_until stops at the given time and advances the clock") {
  EventCore core;
  std::vector<Time> seen;
  for (Time t : {5, 10, 15, 20}) core.schedule_at(t, [&, t] { seen.push_back(t); });
  core.run_until(12);
  CHECK(seen == std::vector<Time>{5, 10});
  CHECK(core.now() == 12);
  core.run_until(15);
  CHECK(seen == std::vector<Time>{5, 10, 15});
  core.run_until(100);
  CHECK(core.now() == 100);
  CHECK(seen.size() == 4);
  CHECK_THROWS(core.schedule_at(50, [] {}));  // the past
}

TEST_CASE("two event cores are independent") {
  EventCore a, b;
  int na = 0, nb = 0;
  a.schedule_at(10, [&] { ++na; });
  b.schedule_at(5, [&] { ++nb; });
  b.run();
  CHECK(nb == 1);
  CHECK(na == 0);
  CHECK(a.now() == 0);
  CHECK(b.now() == 5);
}

TEST_CASE("run with a limit runs at most that many events") {
  EventCore core;
  int n = 0;
  for (int i = 0; i < 10; ++i) core.schedule_at(i, [&] { ++n; });
  CHECK(core.run(3) == 3);
  CHECK(n == 3);
  CHECK(core.run() == 7);
}

TEST_CASE("timers re-armed again and again (the queue drops cancelled entries in bulk) keep the order") {
  // As a session does: every step cancels its far timeout and sets a new one.
  EventCore core;
  std::vector<int> log;
  EventId timeout = 0;
  for (int i = 0; i < 10000; ++i) {
    core.cancel(timeout);
    timeout = core.schedule_at(1'000'000 + i, [&log] { log.push_back(-1); });
    core.schedule_at(i % 7, [&log, i] { log.push_back(i); });  // many at the same times: FIFO on ties
  }
  CHECK(core.pending() == 10001);
  core.run();
  REQUIRE(log.size() == 10001);
  // Time first, then the order of scheduling.
  std::vector<int> expected;
  for (int t = 0; t < 7; ++t)
    for (int i = t; i < 10000; i += 7) expected.push_back(i);
  expected.push_back(-1);
  CHECK(log == expected);
}
