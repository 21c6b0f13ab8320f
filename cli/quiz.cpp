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
#include "sim/scenario/fix.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/fix_words.hpp"
#include "sim/words/quiz.hpp"

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

// An answer is a short line ("2", "1 3", "t"): longer ones are read to their end but only
// their first kAnswerLineBytes are kept (and are then no choice), so a hostile stdin with one
// endless line costs no memory. False at the end of the input.
constexpr std::size_t kAnswerLineBytes = 256;
bool read_answer(std::istream& in, std::string& line) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    const auto c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    if (c == '\n') return true;
    if (line.size() < kAnswerLineBytes) line.push_back(static_cast<char>(c));
  }
}

// Challenge mode (c): change settings, try, see the completion; lines from `in` (or --answers).
int fix_mode(const QuizArgs& a, const std::filesystem::path& file, const sim::Scenario& lesson, std::uint64_t seed,
             std::istream& in, std::ostream& out, std::ostream& err) {
  const std::string& lang = a.lang;
  const bool ja = lang == "ja";
  if (!lesson.fix) {
    err << "mailsim quiz: " << sim::fix_words("fix.none", "en") << "\n";
    return 2;
  }
  const auto doc = sim::read_scenario_document(file.string());
  if (!doc) {
    err << "mailsim quiz: cannot read " << file.string() << " again\n";
    return 2;
  }
  const auto& fix = *lesson.fix;
  // --answers: the same lines, separated by commas ("1 2,t").
  std::istringstream given;
  if (!a.answers.empty()) {
    std::string lines = a.answers;
    for (auto& c : lines)
      if (c == ',') c = '\n';
    given.str(lines);
  }
  std::istream& input = a.answers.empty() ? in : given;
  auto w = [&](std::string_view key, const std::vector<std::pair<std::string, std::string>>& v = {}) {
    return sim::fix_words(key, lang, v);
  };
  auto trim = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
    return std::string(t);
  };
  auto show_grade = [&](const sim::FixGrade& g, const sim::Trace* trace, const sim::Scenario& s) {
    out << w("fix.completion", {{"percent", std::to_string(g.percent)},
                                 {"passed", std::to_string(g.passed)},
                                 {"total", std::to_string(g.total)}})
        << "\n";
    const int bar = g.percent / 5;
    out << "[" << std::string(static_cast<std::size_t>(bar), '#') << std::string(static_cast<std::size_t>(20 - bar), '.')
        << "]\n";
    const auto failing = sim::fix_failing(s, g, trace, lang);
    if (!failing.empty()) {
      out << w("fix.still_failing") << "\n";
      for (const auto& f : failing) out << "  - " << f << "\n";
    }
  };
  out << lesson.title.in(lang) << "\n" << w("fix.title") << (ja ? "：" : ": ") << fix.task.in(lang) << "\n"
      << w("fix.intro") << "\n\n";
  // Where the lesson starts: its own run graded against the goal (not a try).
  sim::FixChoices chosen = sim::fix_start(fix);
  {
    const auto start = sim::try_fix(*doc, lesson, chosen);
    if (!start.ok) {
      err << "mailsim quiz: " << start.error << "\n";
      return 2;
    }
    show_grade(start.grade, &start.run.trace, *start.scenario);
  }
  std::vector<sim::FixTryResult> tries;
  auto list = [&] {
    out << "\n" << w("fix.settings") << "\n";
    std::string owner;
    for (std::size_t k = 0; k < fix.settings.size(); ++k) {
      if (const auto o = sim::fix_setting_owner(lesson, fix.settings[k], lang); o != owner) {
        owner = o;
        out << "  " << owner << (ja ? "：" : ":") << "\n";
      }
      out << "    " << k + 1 << ") " << sim::fix_setting_label(lesson, fix.settings[k], lang) << " - "
          << w("fix.now", {{"value", sim::fix_value_text(lesson, fix.settings[k], chosen[k], lang)}}) << "\n";
    }
  };
  auto values = [&](std::size_t k) {
    const auto& f = fix.settings[k];
    for (std::size_t v = 0; v < f.values.size(); ++v) {
      std::string text = sim::fix_value_text(lesson, f, v, lang);
      if (v == f.current) text = w("value.own", {{"value", text}});
      out << "       " << v + 1 << ") " << text << "\n";
    }
  };
  bool done = false;
  std::string line;
  list();
  while (!done) {
    out << w("fix.choose_setting") << std::flush;
    if (!read_answer(input, line)) break;
    const std::string t = trim(line);
    if (t.empty()) continue;
    if (t == "q" || t == "quit") break;
    if (t == "t" || t == "try") {
      const auto r = sim::try_fix(*doc, lesson, chosen);
      if (!r.ok) {
        err << "mailsim quiz: " << r.error << "\n";
        return 2;
      }
      tries.push_back({tries.size() + 1, sim::fix_changes_text(fix, chosen), r.grade.passed, r.grade.total});
      const std::string changes = sim::fix_changes_words(lesson, chosen, lang);
      out << "\n" << w("fix.try_number", {{"n", std::to_string(tries.size())}}) << "\n";
      out << (changes.empty() ? w("fix.no_changes") : w("fix.changes", {{"changes", changes}})) << "\n";
      show_grade(r.grade, &r.run.trace, *r.scenario);
      if (r.grade.complete()) {
        out << w("fix.done") << "\n";
        done = true;
      } else if (tries.size() >= sim::kMaxFixTries) {
        out << w("fix.too_many_tries", {{"n", std::to_string(tries.size())}}) << "\n";
        done = true;
      } else {
        list();
      }
      continue;
    }
    // "N" (then the value on the next line) or "N M".
    const auto space = t.find(' ');
    const auto n = number(t.substr(0, space));
    if (!n || *n < 1 || *n > fix.settings.size()) {
      out << w("fix.not_a_choice") << "\n";
      continue;
    }
    const std::size_t k = *n - 1;
    std::optional<std::size_t> v;
    if (space != std::string::npos) {
      v = number(t.substr(space + 1));
    } else {
      values(k);
      out << w("fix.choose_value", {{"setting", sim::fix_setting_label(lesson, fix.settings[k], lang)}}) << std::flush;
      if (!read_answer(input, line)) break;
      v = number(trim(line));
    }
    if (!v || *v < 1 || *v > fix.settings[k].values.size()) {
      out << w("fix.not_a_choice") << "\n";
      continue;
    }
    chosen[k] = *v - 1;
    out << sim::fix_setting_label(lesson, fix.settings[k], lang) << " - "
        << w("fix.now", {{"value", sim::fix_value_text(lesson, fix.settings[k], chosen[k], lang)}}) << "\n";
  }
  const int percent = tries.empty() || tries.back().total == 0
                          ? 0
                          : static_cast<int>(tries.back().passed * 100 / tries.back().total);
  out << "\n" << w("fix.result", {{"percent", std::to_string(percent)}, {"n", std::to_string(tries.size())}}) << "\n";
  if (!a.csv.empty()) {
    std::ofstream f(a.csv, std::ios::binary);
    f << sim::fix_csv(a.student, file.stem().string(), seed, tries);
    if (!f) {
      err << "mailsim quiz: cannot write " << a.csv << "\n";
      return 2;
    }
  }
  return 0;
}

}  // namespace

CLI::App* add_quiz_command(CLI::App& app, QuizArgs& a) {
  auto* q = app.add_subcommand("quiz", "Play a lesson as a challenge: predict each next step, get a score");
  q->add_option("lesson", a.lesson, "Scenario file (JSON) or lesson name (see 'mailsim list')")->required();
  q->add_option("--lang", a.lang, "Language of the questions: en or ja")->check(CLI::IsMember({"en", "ja"}));
  q->add_option("--mode", a.mode,
                 "predict: before each step, what happens next; detective: from how the lesson ends, which server "
                 "stopped the mail and why; fix: change the lesson's settings until its goal is met (lines: N, N M, "
                 "t to try, q to stop)")
      ->check(CLI::IsMember({"predict", "detective", "fix"}))
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
  if (a.mode == "fix") return fix_mode(a, *file, *loaded.scenario, seed, in, out, err);
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
        if (!read_answer(in, line)) break;
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
