// Challenge mode in the app: a question is due just before its step is shown; answering
// right every time gives full marks.
#include <catch2/catch.hpp>

#include "gui/model/challenge.hpp"
#include "gui/model/steps.hpp"
#include "gui/model/world_view.hpp"
#include "sim/words/narration.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;

TEST_CASE("challenge: questions are due as playback reaches their step; right answers score all", "[gui][challenge]") {
  sim::set_assets_dir(std::string(MAILSIM_SOURCE_DIR) + "/assets");  // the situations' titles
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json");
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const gui::TraceModel model(*loaded.scenario, run.trace);
  const gui::StepTimeline steps(run.narration, model);
  gui::ChallengeState c;
  c.active = true;
  c.questions = sim::make_quiz(*loaded.scenario, run, "en", 3);
  REQUIRE(c.questions.size() >= 5);
  // Playing from the start to the end, one frame at a time: each question comes due once, in order.
  double p = 0.0;
  const double end = model.pace().duration();
  std::size_t asked = 0;
  while (p < end) {
    const double next = std::min(end, p + 0.05);
    if (const auto due = gui::question_due(c, steps, p, next)) {
      CHECK(*due == asked);  // in story order
      c.asking = due;
      CHECK(c.answer(c.questions[*due].answer));
      // A second click changes nothing: the first answer counts.
      CHECK(c.answer((c.questions[*due].answer + 1) % c.questions[*due].options.size()));
      c.asking.reset();
      ++asked;
      p = *steps.playback_of_step(c.questions[*due].step);  // continue from the step
      continue;
    }
    p = next;
  }
  CHECK(asked == c.questions.size());
  CHECK(c.answered() == c.questions.size());
  CHECK(c.score() == c.questions.size());
  CHECK_FALSE(gui::question_due(c, steps, 0.0, end));  // nothing left to ask
  c.active = false;
  c.chosen.clear();
  CHECK_FALSE(gui::question_due(c, steps, 0.0, end));  // not in challenge mode
}

TEST_CASE("challenge: the detective's questions come one after another; a click on the right host answers 'who'",
          "[gui][challenge]") {
  sim::set_assets_dir(std::string(MAILSIM_SOURCE_DIR) + "/assets");
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/user-unknown.json");
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const gui::TraceModel model(*loaded.scenario, run.trace);
  gui::ChallengeState c;
  c.active = true;
  c.detective = true;
  // The app asks from its sorted records: the same questions as from the run's trace.
  c.questions = sim::make_detective(*loaded.scenario, model.records(), "en", 9);
  const auto direct = sim::make_detective(*loaded.scenario, run.trace.records(), "en", 9);
  REQUIRE(c.questions.size() == direct.size());
  REQUIRE(c.questions.size() >= 2);
  for (std::size_t k = 0; k < direct.size(); ++k) CHECK(c.questions[k].options == direct[k].options);
  // A click on the host that refused (mx-hogehoge) picks its option; a host not among them picks none.
  const auto& who = c.questions[0];
  REQUIRE(who.kind == "who");
  const auto o = gui::option_of_host(who, "mx-hogehoge");
  REQUIRE(o);
  CHECK(*o == who.answer);
  CHECK_FALSE(gui::option_of_host(who, "shiroyagi-pc"));
  CHECK_FALSE(gui::option_of_host(c.questions[1], "mx-hogehoge"));  // "why" is not answered by a click
  // Answering each in turn: next_unanswered walks them in order, then there is none; full marks.
  for (std::size_t k = 0; k < c.questions.size(); ++k) {
    const auto next = gui::next_unanswered(c);
    REQUIRE(next);
    CHECK(*next == k);
    c.asking = next;
    CHECK(c.answer(c.questions[k].answer));
    c.asking.reset();
  }
  CHECK_FALSE(gui::next_unanswered(c));
  CHECK(c.score() == c.questions.size());
}

TEST_CASE("challenge: while a question is open and unanswered, the lists of what happened are hidden",
          "[gui][challenge]") {
  gui::ChallengeState c;
  c.questions.resize(2);
  c.questions[0].options = {"a", "b", "c"};
  c.questions[1].options = {"a", "b", "c"};
  CHECK_FALSE(gui::answer_hidden(c));  // not in a challenge
  c.active = true;
  CHECK_FALSE(gui::answer_hidden(c));  // nothing asked yet
  c.asking = 0;
  CHECK(gui::answer_hidden(c));  // the Events table would show the refusing reply / the next step
  c.answer(1);
  CHECK_FALSE(gui::answer_hidden(c));  // answered: the explanation and the lists are shown
  c.detective = true;
  c.asking = 1;
  c.revealed = false;
  CHECK(gui::answer_hidden(c));
}
