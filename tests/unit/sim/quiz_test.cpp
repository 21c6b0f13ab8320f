// Challenge mode: questions from a lesson's run are deterministic, always hold the true
// answer, and a student who answers right scores 100 %.
#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("quiz: the detective finds who stopped the mail and why, with the true answer among the options") {
  struct Case {
    const char* lesson;
    const char* who;  // host or network id
    const char* why;  // a detective_reasons() key
  };
  const Case cases[] = {
      {"mail/user-unknown.json", "mx-hogehoge", "user_unknown"},
      {"mail/mailbox-full.json", "mx-hogehoge", "mailbox_full"},
      {"mail/host-unknown.json", "mail-example", "domain_unknown"},
      {"mail/op25b-submission.json", "home-isp", "blocked_port"},
      {"mail/relay-denied.json", "mail-example", "relay_denied"},
      {"mail/auth-wrong-password.json", "mail-example", "auth_failed"},
      {"mail/backup-mx.json", "mx-hogehoge", "server_down"},
  };
  for (const auto& c : cases) {
    INFO(c.lesson);
    const auto l = lesson(c.lesson);
    const auto found = find_refusals(l.scenario, l.run.trace.records(), "en");
    REQUIRE_FALSE(found.empty());
    CHECK(found.front().who == c.who);
    CHECK(found.front().reason == c.why);
    for (const char* lang : {"en", "ja"}) {
      const auto a = make_detective(l.scenario, l.run.trace.records(), lang, 11);
      const auto b = make_detective(l.scenario, l.run.trace.records(), lang, 11);
      REQUIRE(a.size() >= 2);
      REQUIRE(a.size() % 2 == 0);  // a "who" and a "why" per refusal
      for (std::size_t k = 0; k < a.size(); ++k) {
        INFO(lang << " question " << k + 1);
        CHECK(a[k].options == b[k].options);  // deterministic
        CHECK(a[k].answer == b[k].answer);
        REQUIRE(a[k].options.size() >= 3);
        CHECK(a[k].options.size() <= 4);
        REQUIRE(a[k].answer < a[k].options.size());
        CHECK(std::set<std::string>(a[k].options.begin(), a[k].options.end()).size() == a[k].options.size());
        CHECK(a[k].kind == (k % 2 == 0 ? "who" : "why"));
        CHECK_FALSE(a[k].context.empty());
      }
      // The first case's answers: the host (clickable on the map by its id) and the reason.
      CHECK(a[0].option_hosts.size() == a[0].options.size());
      CHECK(a[0].option_hosts[a[0].answer] == c.who);
      const auto reasons = detective_reasons();
      const auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& r) { return r.key == c.why; });
      REQUIRE(it != reasons.end());
      CHECK(a[1].options[a[1].answer] == std::string(std::string_view(lang) == "ja" ? it->ja : it->en));
    }
  }
  // A lesson where nothing is refused has no case.
  const auto ok = lesson("mail/whole-journey.json");
  CHECK(make_detective(ok.scenario, ok.run.trace.records(), "en", 1).empty());
}

TEST_CASE("quiz: a scripted detective who answers right gets 100 %; the CSV leaves the step empty") {
  const auto l = lesson("mail/user-unknown.json");
  const auto q = make_detective(l.scenario, l.run.trace.records(), "en", student_seed("kuro"));
  REQUIRE_FALSE(q.empty());
  std::vector<QuizResult> results;
  for (std::size_t k = 0; k < q.size(); ++k) results.push_back({k, q[k].answer, true});
  const auto csv = quiz_csv("kuro", "user-unknown", 5, q, results);
  CHECK(csv.find("kuro,user-unknown,5,1,who,,") != std::string::npos);
  CHECK(csv.find("kuro,user-unknown,5,2,why,,") != std::string::npos);
  CHECK(csv.find(",no\n") == std::string::npos);
  CHECK(csv.find(",score,,," + std::to_string(q.size()) + "," + std::to_string(q.size()) + ",100%\n") !=
        std::string::npos);
}
