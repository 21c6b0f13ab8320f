// A long timeline is queued lazily (issue 13): the devices' sends and checks wait in the
// scenario, and only each app's next one is in the event queue, yet every one of them runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "sim/core/simulation.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "two_domain_world.hpp"

using namespace mailsim::sim;

namespace {

// Two devices in two domains (POP3 and IMAP), `count` letters back and forth one second apart,
// each fetched 5 s after it is sent: 2 x count timeline actions.
std::string world(int count) {
  const std::string n = std::to_string(count);
  return mailsim::test::two_domain_world("lazy", 5, R"({"run_for": ")" + std::to_string(count + 120) + R"(s"})", R"(
    {"at": "1s", "do": "repeat", "count": )" + n + R"(, "every": "1s",
     "with": [{"from": "pc-a", "to": "bob@b.example", "on": "pc-b"}, {"from": "pc-b", "to": "ann@a.example", "on": "pc-a"}],
     "actions": [{"do": "send", "from": "{from}", "to": "{to}", "subject": "Letter {n}"}, {"after": "5s", "do": "check_mail", "on": "{on}"}]})");
}

struct Seen {
  std::size_t pending_at_start = 0;  // events in the queue once the world has started
  std::size_t most_pending = 0;      // the most at any whole second of the run
  std::size_t composed = 0, delivered = 0, checks = 0;
};

Seen run_world(int count) {
  auto loaded = load_scenario_text(world(count), "lazy.json");
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  REQUIRE(loaded.scenario->timeline.size() == static_cast<std::size_t>(2 * count));
  Seen seen;
  ScenarioRun run(*loaded.scenario);
  seen.pending_at_start = run.sim().core().pending();
  for (Time t = kSecond; t <= loaded.scenario->run_for; t += kSecond) {
    run.advance(t);
    seen.most_pending = std::max(seen.most_pending, run.sim().core().pending());
  }
  const RunResult r = run.finish();
  for (const auto& rec : r.trace.records()) {
    if (rec.is(MailEvent::Compose)) ++seen.composed;
    if (rec.is(MailEvent::Delivered)) ++seen.delivered;
    if (rec.is(MailboxEvent::DeviceChecked) || rec.is(MailboxEvent::CheckCoalesced) || rec.is(MailboxEvent::CheckFailed))
      ++seen.checks;
  }
  return seen;
}

}  // namespace

TEST_CASE("waiting sends and checks hold one event per device app in the queue, not one each") {
  const Seen small = run_world(10);
  const Seen large = run_world(200);
  INFO("pending at start: " << small.pending_at_start << " (10 letters), " << large.pending_at_start
                            << " (200 letters); most: " << small.most_pending << ", " << large.most_pending);
  // Before the change the queue held all 2 x N actions from the start (400 for 200 letters).
  CHECK(large.pending_at_start == small.pending_at_start);
  CHECK(large.pending_at_start < 20);
  CHECK(large.most_pending <= small.most_pending + 8);
  // And every action ran: each letter written, delivered, and each check made.
  CHECK(small.composed == 10);
  CHECK(small.delivered == 10);
  CHECK(small.checks == 10);
  CHECK(large.composed == 200);
  CHECK(large.delivered == 200);
  CHECK(large.checks == 200);
}
