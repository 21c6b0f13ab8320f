// Narration steps on the player's clock: the step in force, previous/next targets, markers.
#include <catch2/catch.hpp>

#include "gui/model/steps.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

using mailsim::gui::StepMark;
using mailsim::gui::StepTimeline;
namespace sim = mailsim::sim;

namespace {

// Steps 0, 1, 3 reached at 1.0 s, 2.5 s, 4.0 s of playback; step 2 never happened.
StepTimeline sample() { return StepTimeline({{0, 1.0}, {1, 2.5}, {3, 4.0}}, 4); }

}  // namespace

TEST_CASE("steps: nothing is in force before the first step", "[gui][steps]") {
  const auto t = sample();
  CHECK_FALSE(t.step_at(0.0));
  CHECK_FALSE(t.step_at(0.999));
  CHECK_FALSE(t.mark_at(-5.0));
  CHECK_FALSE(t.previous_target(0.5));
  CHECK(t.next_target(0.0) == Approx(1.0));
  CHECK(t.next_target(0.999) == Approx(1.0));
}

TEST_CASE("steps: the step in force is the last one whose record has been shown", "[gui][steps]") {
  const auto t = sample();
  CHECK(t.step_at(1.0) == 0u);  // exactly at its record: shown
  CHECK(t.step_at(2.49) == 0u);
  CHECK(t.step_at(2.5) == 1u);
  CHECK(t.step_at(3.99) == 1u);
  CHECK(t.step_at(4.0) == 3u);
  CHECK(t.total() == 4u);
}

TEST_CASE("steps: after the last step it stays in force; next has nowhere to go", "[gui][steps]") {
  const auto t = sample();
  CHECK(t.step_at(100.0) == 3u);
  CHECK_FALSE(t.next_target(4.0));
  CHECK_FALSE(t.next_target(100.0));
  CHECK(t.previous_target(100.0) == Approx(2.5));
}

TEST_CASE("steps: the step in force never goes back as playback advances", "[gui][steps]") {
  const auto t = sample();
  long long last = -1;
  for (int i = 0; i <= 600; ++i) {
    const double p = i * 0.01;
    const auto s = t.step_at(p);
    const long long now = s ? static_cast<long long>(*s) : -1;
    CHECK(now >= last);
    last = now;
  }
  CHECK(last == 3);
}

TEST_CASE("steps: unreached steps are skipped by next, previous and the markers", "[gui][steps]") {
  const auto t = sample();
  REQUIRE(t.marks().size() == 3u);
  CHECK(t.marks()[2].step == 3u);
  CHECK_FALSE(t.playback_of_step(2));
  CHECK(t.playback_of_step(3) == Approx(4.0));
  // From step 1 (step 2 never happened) next goes to step 3, and back to step 1.
  CHECK(t.next_target(2.5) == Approx(4.0));
  CHECK(t.previous_target(4.0) == Approx(2.5));
  // Walking next from the start visits every reached step once, in order.
  std::vector<std::size_t> seen;
  double p = 0.0;
  while (const auto n = t.next_target(p)) {
    p = *n;
    seen.push_back(*t.step_at(p));
  }
  CHECK(seen == std::vector<std::size_t>{0, 1, 3});
  // And previous walks back to the start (0), then stops.
  std::vector<double> back;
  while (const auto b = t.previous_target(p)) {
    p = *b;
    back.push_back(p);
  }
  CHECK(back == std::vector<double>{2.5, 1.0, 0.0});
}

TEST_CASE("steps: previous from the middle of a step goes to the step before it", "[gui][steps]") {
  const auto t = sample();
  CHECK(t.previous_target(3.0) == Approx(1.0));  // in step 1 -> step 0
  CHECK(t.previous_target(1.5) == Approx(0.0));  // in step 0 -> the start
}

TEST_CASE("steps: simultaneous records count as one moment; the later step is in force", "[gui][steps]") {
  // Steps 1 and 2 matched records shown at the same playback second.
  const StepTimeline t({{2, 3.0}, {0, 1.0}, {1, 3.0}}, 3);
  REQUIRE(t.marks().size() == 3u);
  CHECK(t.marks()[1].step == 1u);  // sorted by (playback, step)
  CHECK(t.marks()[2].step == 2u);
  CHECK(t.step_at(3.0) == 2u);
  CHECK(t.next_target(1.0) == Approx(3.0));
  CHECK_FALSE(t.next_target(3.0));  // not stuck on the same moment
  CHECK(t.previous_target(3.0) == Approx(1.0));
}

TEST_CASE("steps: a first step at the very start has no previous", "[gui][steps]") {
  const StepTimeline t({{0, 0.0}, {1, 2.0}}, 2);
  CHECK(t.step_at(0.0) == 0u);
  CHECK_FALSE(t.previous_target(0.0));
  CHECK(t.previous_target(2.0) == Approx(0.0));
}

TEST_CASE("steps: a lesson without narration has no steps", "[gui][steps]") {
  const StepTimeline t;
  CHECK(t.empty());
  CHECK_FALSE(t.step_at(1.0));
  CHECK_FALSE(t.next_target(0.0));
  CHECK_FALSE(t.previous_target(1.0));
}

TEST_CASE("steps: the analogy key of the step in force", "[gui][steps]") {
  std::vector<sim::NarrationStep> narration(4);
  narration[0].analogy = "smtp.submission";
  narration[3].analogy = "mail.bounced";
  const auto t = sample();
  CHECK(mailsim::gui::step_analogy_key(t, narration, 0.5).empty());
  CHECK(mailsim::gui::step_analogy_key(t, narration, 1.5) == "smtp.submission");
  CHECK(mailsim::gui::step_analogy_key(t, narration, 3.0).empty());  // step 1 names none
  CHECK(mailsim::gui::step_analogy_key(t, narration, 9.0) == "mail.bounced");
}

TEST_CASE("steps: from a real run, every step is reached and in force at its own record", "[gui][steps]") {
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json");
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const mailsim::gui::TraceModel model(*loaded.scenario, run.trace);
  const StepTimeline t(run.narration, model);
  REQUIRE(t.total() == loaded.scenario->narration.size());
  REQUIRE(t.marks().size() == t.total());
  double last = -1.0;
  for (std::size_t s = 0; s < t.total(); ++s) {
    const auto p = t.playback_of_step(s);
    REQUIRE(p);
    CHECK(*p >= last);
    last = *p;
    CHECK(t.step_at(*p) == s);
    CHECK(*p == model.playback_of_seq(run.narration[s].seq));
  }
  CHECK_FALSE(t.step_at(0.0));
}
