// Challenge mode in the terminal: `mailsim quiz LESSON`.
#include "cli/quiz.hpp"

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/lessons.hpp"
#include "cli/report_strings.hpp"
#include "sim/words/quiz.hpp"
#include "sim/scenario/runner.hpp"

namespace mailsim::cli {

namespace {

std::optional<std::size_t> number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  std::size_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

CLI::App* add_quiz_command(CLI::App& app, QuizArgs& a) {
  auto* q = app.add_subcommand("quiz", "Play a lesson as a challenge: predict each next step, get a score");
  q->add_option("lesson", a.lesson, "Scenario file (JSON) or lesson name (see 'mailsim list')")->required();
  q->add_option("--lang", a.lang, "Language of the questions: en or ja")->check(CLI::IsMember({"en", "ja"}));
  q->add_option("--mode", a.mode,
                 "predict: before each step, what happens next; detective: from how the lesson ends, which server "
                 "stopped the mail and why")
      ->check(CLI::IsMember({"predict", "detective"}))
      ->capture_default_str();
  q->add_option("--student", a.student, "The student's name: each name gets its own variant (and is in the CSV)");
  q->add_option("--seed", a.seed, "The variant as a number (instead of one from the name)");
  q->add_option("--answers", a.answers, "Answers given in advance, e.g. 2,1,4 (otherwise they are asked for)");
  q->add_option("--csv", a.csv, "Write the results as CSV for the teacher to this file");
  return q;
}

int cmd_quiz(const QuizArgs& a, const std::filesystem::path& lessons, std::istream& in, std::ostream& out,
             std::ostream& err) {
  const bool ja = a.lang == "ja";
  std::string why_not;
  const auto file = resolve_lesson(a.lesson, lessons, why_not);
  if (!file) {
    err << "mailsim quiz: " << why_not << "\n";
    return 2;
  }
  auto loaded = sim::load_scenario_file(file->string());
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) err << d.format() << "\n";
    return 2;
  }
  std::uint64_t seed = sim::student_seed(a.student);
  if (!a.seed.empty()) {
    const auto n = number(a.seed);
    if (!n) {
      err << "mailsim quiz: --seed must be a number\n";
      return 2;
    }
    seed = *n;
  }
  const auto run = sim::run_scenario(*loaded.scenario);
  const bool detective = a.mode == "detective";
  const auto questions = detective ? sim::make_detective(*loaded.scenario, run.trace.records(), a.lang, seed)
                                   : sim::make_quiz(*loaded.scenario, run, a.lang, seed);
  if (questions.empty()) {
    err << (detective ? "mailsim quiz: nothing is refused or stopped in this lesson: no case for the detective\n"
                      : "mailsim quiz: this lesson has no story steps to ask about\n");
    return 2;
  }
  std::vector<std::size_t> given;
  if (!a.answers.empty()) {
    std::stringstream list(a.answers);
    std::string item;
    while (std::getline(list, item, ',')) {
      const auto n = number(item);
      if (!n || *n == 0) {
        err << "mailsim quiz: --answers: '" << item << "' is not a choice number (1, 2, ...)\n";
        return 2;
      }
      given.push_back(*n - 1);
    }
  }
  out << loaded.scenario->title.in(a.lang) << "\n";
  if (detective)
    out << (ja ? "探偵：レッスンの結末から、どのサーバーがなぜメールを止めたのかを突き止めてください。"
               : "Detective: from how the lesson ends, find which server stopped the mail, and why.")
        << "\n";
  else
    out << (ja ? "チャレンジ：次に何が起きるかを当ててください。" : "Challenge: predict what happens next.") << "\n";
  std::vector<sim::QuizResult> results;
  for (std::size_t k = 0; k < questions.size(); ++k) {
    const auto& q = questions[k];
    out << "\n" << fmt::format(fmt::runtime(ja ? "問{}/{}" : "Question {} of {}"), k + 1, questions.size()) << "\n";
    if (detective)
      out << q.context << "\n" << q.prompt << "\n";
    else
      out << (ja ? "これまで：" : "So far: ") << q.context << "\n" << q.prompt << "\n";
    for (std::size_t o = 0; o < q.options.size(); ++o) out << "  " << o + 1 << ") " << q.options[o] << "\n";
    std::optional<std::size_t> chosen;
    if (k < given.size()) {
      chosen = given[k];
    } else if (!a.answers.empty()) {
      chosen = q.options.size();  // not answered: wrong
    } else {
      std::string line;
      while (!chosen) {
        out << (ja ? "番号で答えてください：" : "Your answer (number): ") << std::flush;
        if (!std::getline(in, line)) break;
        const auto n = number(line);
        if (n && *n >= 1 && *n <= q.options.size()) chosen = *n - 1;
      }
      if (!chosen) chosen = q.options.size();
    }
    const bool right = *chosen == q.answer;
    results.push_back({k, *chosen, right});
    out << (right ? (ja ? "正解！ " : "Right! ") : (ja ? "残念。答えは " : "Not quite. The answer is "))
        << (right ? std::string() : std::to_string(q.answer + 1) + ") " + q.options[q.answer] + (ja ? "。" : ". "))
        << q.explanation << "\n";
  }
  std::size_t score = 0;
  for (const auto& r : results)
    if (r.correct) ++score;
  out << "\n"
      << fmt::format(fmt::runtime(ja ? "得点：{}/{}（{}%）" : "Score: {} of {} ({}%)"), score, questions.size(),
                     score * 100 / questions.size())
      << "\n";
  if (!a.csv.empty()) {
    std::ofstream f(a.csv, std::ios::binary);
    f << sim::quiz_csv(a.student, file->stem().string(), seed, questions, results);
    if (!f) {
      err << "mailsim quiz: cannot write " << a.csv << "\n";
      return 2;
    }
  }
  return 0;
}

}  // namespace mailsim::cli
