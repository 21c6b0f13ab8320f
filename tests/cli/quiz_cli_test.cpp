// `mailsim quiz`: a scripted student answering right scores 100 % and the teacher's CSV is written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/quiz.hpp"
#include "sim/scenario/fix.hpp"
#include "sim/words/quiz.hpp"
#include "sim/words/narration.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;

TEST_CASE("quiz command: the right answers score 100 %, the CSV is written; wrong ones are explained") {
  sim::set_assets_dir(std::filesystem::path(MAILSIM_SOURCE_DIR) / "assets");  // the situations' titles
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  auto loaded = sim::load_scenario_file((lessons / "mail/whole-journey.json").string());
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const auto q = sim::make_quiz(*loaded.scenario, run, "en", sim::student_seed("kuro"));
  REQUIRE_FALSE(q.empty());
  std::string right;
  for (const auto& x : q) right += (right.empty() ? "" : ",") + std::to_string(x.answer + 1);

  cli::QuizArgs a;
  a.lesson = "whole-journey";
  a.student = "kuro";
  a.answers = right;
  a.csv = (std::filesystem::temp_directory_path() / "mailsim-quiz-test.csv").string();
  std::istringstream in;
  std::ostringstream out, err;
  REQUIRE(cli::cmd_quiz(a, lessons, in, out, err) == 0);
  CHECK(out.str().find("Score: " + std::to_string(q.size()) + " of " + std::to_string(q.size()) + " (100%)") !=
        std::string::npos);
  std::ifstream csv(a.csv);
  std::stringstream text;
  text << csv.rdbuf();
  CHECK(text.str().find("kuro,whole-journey,") != std::string::npos);
  CHECK(text.str().find(",no\n") == std::string::npos);
  std::filesystem::remove(a.csv);

  // Typed answers from the terminal: a wrong one is corrected with the step's own words.
  a.answers.clear();
  a.csv.clear();
  std::string typed;
  for (const auto& x : q) typed += std::to_string((x.answer + 1) % x.options.size() + 1) + "\n";
  std::istringstream in2(typed);
  std::ostringstream out2;
  REQUIRE(cli::cmd_quiz(a, lessons, in2, out2, err) == 0);
  CHECK(out2.str().find("Not quite. The answer is") != std::string::npos);
  CHECK(out2.str().find("Score: 0 of ") != std::string::npos);

  // Bad input is refused.
  a.seed = "x";
  std::ostringstream err3;
  CHECK(cli::cmd_quiz(a, lessons, in2, out2, err3) == 2);
}

TEST_CASE("quiz command: the detective mode asks who stopped the mail and why; right answers score 100 %") {
  sim::set_assets_dir(std::filesystem::path(MAILSIM_SOURCE_DIR) / "assets");
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  auto loaded = sim::load_scenario_file((lessons / "mail/mailbox-full.json").string());
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const auto q = sim::make_detective(*loaded.scenario, run.trace.records(), "ja", sim::student_seed("shiro"));
  REQUIRE(q.size() >= 2);
  std::string right;
  for (const auto& x : q) right += (right.empty() ? "" : ",") + std::to_string(x.answer + 1);
  cli::QuizArgs a;
  a.lesson = "mailbox-full";
  a.mode = "detective";
  a.lang = "ja";
  a.student = "shiro";
  a.answers = right;
  a.csv = (std::filesystem::temp_directory_path() / "mailsim-detective-test.csv").string();
  std::istringstream in;
  std::ostringstream out, err;
  REQUIRE(cli::cmd_quiz(a, lessons, in, out, err) == 0);
  CHECK(out.str().find("探偵") != std::string::npos);
  CHECK(out.str().find("（100%）") != std::string::npos);
  std::ifstream csv(a.csv);
  std::stringstream text;
  text << csv.rdbuf();
  CHECK(text.str().find("shiro,mailbox-full,") != std::string::npos);
  CHECK(text.str().find(",who,,") != std::string::npos);
  CHECK(text.str().find(",no\n") == std::string::npos);
  std::filesystem::remove(a.csv);

  // A lesson where nothing is stopped (and that writes no end question) has no case: a clear
  // error, exit code 2.
  a.lesson = "same-domain";
  a.answers.clear();
  a.csv.clear();
  std::ostringstream err2;
  CHECK(cli::cmd_quiz(a, lessons, in, out, err2) == 2);
  CHECK(err2.str().find("no case for the detective") != std::string::npos);
}

TEST_CASE("quiz command: a lesson's own questions are graded and in the CSV") {
  sim::set_assets_dir(std::filesystem::path(MAILSIM_SOURCE_DIR) / "assets");
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  auto loaded = sim::load_scenario_file((lessons / "mail/op25b-submission.json").string());
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  for (const char* mode : {"predict", "detective"}) {
    INFO(mode);
    const bool detective = std::string_view(mode) == "detective";
    const auto q = detective ? sim::make_detective(*loaded.scenario, run.trace.records(), "ja", 7)
                             : sim::make_quiz(*loaded.scenario, run, "ja", 7);
    std::string right;
    for (const auto& x : q) right += (right.empty() ? "" : ",") + std::to_string(x.answer + 1);
    cli::QuizArgs a;
    a.lesson = "op25b-submission";
    a.mode = mode;
    a.lang = "ja";
    a.seed = "7";
    a.answers = right;
    a.csv = (std::filesystem::temp_directory_path() / "mailsim-authored-test.csv").string();
    std::istringstream in;
    std::ostringstream out, err;
    REQUIRE(cli::cmd_quiz(a, lessons, in, out, err) == 0);
    CHECK(out.str().find("（100%）") != std::string::npos);
    // The lesson's own Japanese question is asked.
    CHECK(out.str().find(detective ? loaded.scenario->questions[2].prompt.ja : loaded.scenario->questions[0].prompt.ja) !=
          std::string::npos);
    std::ifstream csv(a.csv);
    std::stringstream text;
    text << csv.rdbuf();
    CHECK(text.str().find(detective ? ",authored,," : ",authored,2,") != std::string::npos);
    CHECK(text.str().find(",no\n") == std::string::npos);
    std::filesystem::remove(a.csv);
  }
}

TEST_CASE("quiz command: fix the broken setup: a student typing the right fix reaches 100 %, the CSV counts the tries") {
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  cli::QuizArgs a;
  a.lesson = "mail/op25b-submission";
  a.mode = "fix";
  a.student = "kuro";
  a.csv = (std::filesystem::temp_directory_path() / "mailsim-fix-test.csv").string();
  // A wrong try first (port 587, still without AUTH), then AUTH on and STARTTLS: 100 % at the second try.
  std::istringstream in("1 3\nt\n2\n2\n3 2\nt\n");
  std::ostringstream out, err;
  REQUIRE(cli::cmd_quiz(a, lessons, in, out, err) == 0);
  INFO(out.str());
  CHECK(out.str().find("Try 1") != std::string::npos);
  CHECK(out.str().find("Your changes: Outgoing port: 587\n") != std::string::npos);
  CHECK(out.str().find("Your changes: Outgoing port: 587; Log in to send (SMTP AUTH): yes; Encryption when sending: STARTTLS") !=
        std::string::npos);
  CHECK(out.str().find("Goals not met yet:") != std::string::npos);
  CHECK(out.str().find("Completion: 100% (3 of 3 goals met)") != std::string::npos);
  CHECK(out.str().find("Result: 100%, tries: 2") != std::string::npos);
  std::ifstream csv(a.csv);
  std::stringstream text;
  text << csv.rdbuf();
  CHECK(text.str().find("kuro,op25b-submission,") != std::string::npos);
  CHECK(text.str().find(",1,fix,,shiroyagi-pc:smtp.port=587,") != std::string::npos);
  CHECK(text.str().find(",score,fix,2,3,3,100%") != std::string::npos);
  std::filesystem::remove(a.csv);

  // The same in Japanese with --answers; a number that is not a choice is said so.
  a.csv.clear();
  a.lang = "ja";
  a.answers = "7,1 3,t,q";
  std::istringstream none;
  std::ostringstream out2;
  REQUIRE(cli::cmd_quiz(a, lessons, none, out2, err) == 0);
  CHECK(out2.str().find("その番号は選べません。") != std::string::npos);
  CHECK(out2.str().find("達成度：") != std::string::npos);

  // A lesson without a fix block: exit code 2.
  a.lesson = "mail/whole-journey";
  std::ostringstream err3;
  CHECK(cli::cmd_quiz(a, lessons, none, out2, err3) == 2);
  CHECK(err3.str().find("no \"fix\" block") != std::string::npos);
}

TEST_CASE("quiz command: fix mode stops a script that tries without end, and an endless line is no choice") {
  const std::filesystem::path lessons = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  cli::QuizArgs a;
  a.lesson = "mail/op25b-submission";
  a.mode = "fix";
  // "t" forever (more lines than the bound): the challenge ends at kMaxFixTries, said so.
  std::string many;
  for (std::size_t i = 0; i < sim::kMaxFixTries + 50; ++i) many += "t\n";
  std::istringstream in(many);
  std::ostringstream out, err;
  REQUIRE(cli::cmd_quiz(a, lessons, in, out, err) == 0);
  const std::string last = "That was the last try (" + std::to_string(sim::kMaxFixTries) + ")";
  CHECK(out.str().find(last) != std::string::npos);
  CHECK(out.str().find("Try " + std::to_string(sim::kMaxFixTries + 1)) == std::string::npos);
  CHECK(in.rdbuf()->in_avail() > 0);  // the lines after the bound were never read

  // One line of 4 MiB digits, then "q": not a choice, and the run ends normally.
  std::istringstream huge(std::string(4u << 20, '1') + "\nq\n");
  std::ostringstream out2, err2;
  REQUIRE(cli::cmd_quiz(a, lessons, huge, out2, err2) == 0);
  CHECK(out2.str().find("That is not a choice here.") != std::string::npos);
  CHECK(out2.str().find("Result: 0%, tries: 0") != std::string::npos);
}
