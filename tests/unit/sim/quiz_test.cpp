// Challenge mode: questions from a lesson's run are deterministic, always hold the true
// answer, and a student who answers right scores 100 %.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
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
      CHECK(std::set<std::string>(a[k].options.begin(), a[k].options.end()).size() == a[k].options.size());
      // The true answer of a generated question is the title of the step's own situation (the
      // lesson's own questions are checked below).
      if (a[k].authored) continue;
      CHECK(a[k].options[a[k].answer] ==
            analogy_tables().lookup(l.scenario.narration[a[k].step].analogy, lang)->title);
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
    CHECK(csv.find("\"Ann, B.\",lesson,42,1," + q[0].kind + ",") != std::string::npos);
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
      auto a = make_detective(l.scenario, l.run.trace.records(), lang, 11);
      auto b = make_detective(l.scenario, l.run.trace.records(), lang, 11);
      // The lesson's own end questions come last; the detective's own are checked here.
      const auto own = [](const QuizQuestion& q) { return q.authored; };
      CHECK(std::is_partitioned(a.begin(), a.end(), [](const QuizQuestion& q) { return !q.authored; }));
      std::erase_if(a, own);
      std::erase_if(b, own);
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
  // A lesson where nothing is refused has no case: only its own end questions, when it writes some.
  const auto ok = lesson("mail/whole-journey.json");
  const auto end_only = make_detective(ok.scenario, ok.run.trace.records(), "en", 1);
  REQUIRE_FALSE(end_only.empty());
  for (const auto& q : end_only) CHECK((q.authored && q.at_end));
  const auto plain = lesson("mail/same-domain.json");
  CHECK(make_detective(plain.scenario, plain.run.trace.records(), "en", 1).empty());
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

TEST_CASE("quiz: a lesson's own questions replace the generated ones at their steps, tied to the trace") {
  auto l = lesson("mail/op25b-submission.json");
  REQUIRE(l.scenario.questions.size() == 3);
  for (const char* lang : {"en", "ja"}) {
    INFO(lang);
    const auto q = make_quiz(l.scenario, l.run, lang, student_seed("kuro"));
    // Before step 2 (index 1): the lesson's question, whose right choice is the one whose moment
    // (the border's drop) happened between step 1 and step 2.
    const auto at2 = std::find_if(q.begin(), q.end(), [](const QuizQuestion& x) { return x.step == 1; });
    REQUIRE(at2 != q.end());
    CHECK(at2->authored);
    CHECK(at2->kind == "authored");
    CHECK(at2->prompt == l.scenario.questions[0].prompt.in(lang));
    CHECK(at2->options.size() == 4);
    CHECK(at2->options[at2->answer] == l.scenario.questions[0].choices[0].text.in(lang));
    CHECK(at2->context == l.scenario.narration[0].text(lang));  // what just happened
    CHECK_FALSE(at2->explanation.empty());
    // Before step 6: the laptop's connection opens (the choice tied to it), no drop for it.
    const auto at6 = std::find_if(q.begin(), q.end(), [](const QuizQuestion& x) { return x.step == 5; });
    REQUIRE(at6 != q.end());
    CHECK(at6->authored);
    CHECK(at6->options[at6->answer] == l.scenario.questions[1].choices[0].text.in(lang));
    CHECK(at6->explanation == l.scenario.narration[5].text(lang));  // no "explain": the step's own words
    // Other steps keep their generated question.
    const auto generated = std::count_if(q.begin(), q.end(), [](const QuizQuestion& x) { return !x.authored; });
    CHECK(generated >= 3);
    // The end question follows the detective's.
    const auto d = make_detective(l.scenario, l.run.trace.records(), lang, 3);
    REQUIRE_FALSE(d.empty());
    CHECK(d.back().at_end);
    CHECK(d.back().options[d.back().answer] == l.scenario.questions[2].choices[0].text.in(lang));
  }
  // Shuffled per student, the right choice followed wherever it went.
  const auto x = make_quiz(l.scenario, l.run, "en", student_seed("alice"));
  const auto y = make_quiz(l.scenario, l.run, "en", student_seed("bob"));
  const auto own_x = std::find_if(x.begin(), x.end(), [](const QuizQuestion& a) { return a.authored; });
  const auto own_y = std::find_if(y.begin(), y.end(), [](const QuizQuestion& a) { return a.authored; });
  REQUIRE((own_x != x.end() && own_y != y.end()));
  CHECK(own_x->options[own_x->answer] == own_y->options[own_y->answer]);
  // Tied to the trace: when two choices' moments both happen the question does not fit this run
  // and the generated one is asked instead; when the moment of another choice is the one that
  // happens, that choice is right.
  auto both = l.scenario;
  both.questions[0].choices[1].when = both.questions[0].choices[0].when;
  const auto qb = make_quiz(both, l.run, "en", 1);
  const auto b2 = std::find_if(qb.begin(), qb.end(), [](const QuizQuestion& a) { return a.step == 1; });
  REQUIRE(b2 != qb.end());
  CHECK_FALSE(b2->authored);
  auto swapped = l.scenario;
  std::swap(swapped.questions[0].choices[0].when, swapped.questions[0].choices[2].when);
  const auto qs = make_quiz(swapped, l.run, "en", 1);
  const auto s2 = std::find_if(qs.begin(), qs.end(), [](const QuizQuestion& a) { return a.step == 1; });
  REQUIRE(s2 != qs.end());
  CHECK(s2->authored);
  CHECK(s2->options[s2->answer] == swapped.questions[0].choices[2].text.en);
  // The CSV names them: kind "authored", the step for a step's question, empty at the end.
  std::vector<QuizResult> results;
  for (std::size_t k = 0; k < qs.size(); ++k) results.push_back({k, qs[k].answer, true});
  const auto csv = quiz_csv("kuro", "op25b-submission", 1, qs, results);
  CHECK(csv.find(",authored,2,") != std::string::npos);
}

TEST_CASE("quiz: every lesson's written questions are asked, in en and ja") {
  namespace fs = std::filesystem;
  std::size_t lessons_with_questions = 0;
  for (const auto& g : fs::directory_iterator(fs::path(MAILSIM_SOURCE_DIR) / "scenarios")) {
    if (!g.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(g.path())) {
      if (f.path().extension() != ".json") continue;
      const std::string name = g.path().filename().string() + "/" + f.path().filename().string();
      auto loaded = load_scenario_file(f.path().string());
      REQUIRE(loaded.scenario);
      if (loaded.scenario->questions.empty()) continue;
      ++lessons_with_questions;
      const auto l = lesson(name);
      for (const char* lang : {"en", "ja"}) {
        INFO(name << " " << lang);
        auto q = make_quiz(l.scenario, l.run, lang, 5);
        const auto d = make_detective(l.scenario, l.run.trace.records(), lang, 5);
        q.insert(q.end(), d.begin(), d.end());
        std::size_t own = 0;
        for (const auto& x : q) {
          if (!x.authored) continue;
          ++own;
          CHECK_FALSE(x.prompt.empty());
          CHECK_FALSE(x.explanation.empty());
          REQUIRE(x.answer < x.options.size());
          CHECK(std::set<std::string>(x.options.begin(), x.options.end()).size() == x.options.size());
        }
        CHECK(own == l.scenario.questions.size());  // none left out: each fits its lesson's run
        // Written in Japanese too (every question and choice).
        if (std::string_view(lang) == "ja")
          for (const auto& a : l.scenario.questions) {
            CHECK_FALSE(a.prompt.ja.empty());
            for (const auto& c : a.choices) CHECK_FALSE(c.text.ja.empty());
          }
      }
    }
  }
  CHECK(lessons_with_questions >= 4);
}
