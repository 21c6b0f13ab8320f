// Challenge mode: questions from a lesson's run are deterministic, always hold the true
// answer, and a student who answers right scores 100 %.
#include <catch2/catch.hpp>

#include <set>

#include "sim/words/quiz.hpp"
#include "sim/words/narration.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim::sim;

namespace {
struct Lesson {
  Scenario scenario;
  RunResult run;
};
Lesson lesson(const std::string& name) {
  set_assets_dir(std::string(MAILSIM_SOURCE_DIR) + "/assets");  // the situations' titles
  auto loaded = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/" + name);
  REQUIRE(loaded.scenario);
  Lesson l{std::move(*loaded.scenario), {}};
  l.run = run_scenario(l.scenario);
  return l;
}
}  // namespace

TEST_CASE("quiz: options are made from the trace, hold the true answer, and are deterministic") {
  const auto l = lesson("mail/whole-journey.json");
  for (const char* lang : {"en", "ja"}) {
    const auto a = make_quiz(l.scenario, l.run, lang, 7);
    const auto b = make_quiz(l.scenario, l.run, lang, 7);
    REQUIRE(a.size() >= 5);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      INFO(lang << " question " << k + 1);
      CHECK(a[k].options == b[k].options);  // same seed, same quiz
      CHECK(a[k].answer == b[k].answer);
      REQUIRE(a[k].options.size() >= 3);
      CHECK(a[k].options.size() <= 4);
      REQUIRE(a[k].answer < a[k].options.size());
      // The true answer is the title of the step's own situation; every option is different.
      CHECK(a[k].options[a[k].answer] ==
            analogy_tables().lookup(l.scenario.narration[a[k].step].analogy, lang)->title);
      CHECK(std::set<std::string>(a[k].options.begin(), a[k].options.end()).size() == a[k].options.size());
      CHECK_FALSE(a[k].context.empty());
      CHECK_FALSE(a[k].explanation.empty());
    }
  }
  // Another student's seed gives a variant: the same questions, the options in another order somewhere.
  const auto x = make_quiz(l.scenario, l.run, "en", student_seed("alice"));
  const auto y = make_quiz(l.scenario, l.run, "en", student_seed("bob"));
  REQUIRE(x.size() == y.size());
  bool differs = false;
  for (std::size_t k = 0; k < x.size(); ++k) differs = differs || x[k].options != y[k].options;
  CHECK(differs);
  CHECK(student_seed("alice") == student_seed("alice"));
}

TEST_CASE("quiz: a scripted student who answers right gets 100 %; the CSV has every answer") {
  for (const char* name : {"mail/op25b-submission.json", "dns/delegation.json", "receiving/imap-two-devices.json"}) {
    const auto l = lesson(name);
    const auto q = make_quiz(l.scenario, l.run, "en", 42);
    REQUIRE_FALSE(q.empty());
    std::vector<QuizResult> results;
    for (std::size_t k = 0; k < q.size(); ++k) results.push_back({k, q[k].answer, true});
    const auto csv = quiz_csv("Ann, B.", "lesson", 42, q, results);
    CHECK(csv.rfind("student,lesson,seed,question,kind,step,chosen,answer,correct\n", 0) == 0);
    CHECK(csv.find("\"Ann, B.\",lesson,42,1,next_step,") != std::string::npos);
    CHECK(csv.find(",no\n") == std::string::npos);
    CHECK(csv.find(",score,,," + std::to_string(q.size()) + "," + std::to_string(q.size()) + ",100%\n") !=
          std::string::npos);
  }
}
