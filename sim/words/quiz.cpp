// Challenge mode: questions generated from a run's story steps, graded answers, the CSV.
#include "sim/words/quiz.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "sim/words/narration.hpp"
#include "sim/core/random.hpp"

namespace mailsim::sim {

namespace {

std::string title_of(const std::string& key, std::string_view lang) {
  if (key.empty()) return {};
  const auto t = analogy_tables().lookup(key, lang);
  return t ? t->title : std::string();
}

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::uint64_t student_seed(std::string_view student) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : student) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::vector<QuizQuestion> make_quiz(const Scenario& s, const RunResult& run, std::string_view lang,
                                    std::uint64_t seed) {
  std::vector<QuizQuestion> out;
  const auto& steps = s.narration;
  const bool ja = lang == "ja";
  // The distractors' pool: every situation with a title, the lesson's own first (they look
  // plausible), then the rest of the tables, in a fixed order.
  std::vector<std::string> pool;
  std::set<std::string> seen_titles;
  auto add = [&](const std::string& key) {
    const std::string t = title_of(key, lang);
    if (!t.empty() && seen_titles.insert(t).second) pool.push_back(key);
  };
  for (const auto& st : steps) add(st.analogy);
  const std::size_t own = pool.size();
  for (const auto& k : analogy_tables().keys()) add(k);

  // The reached steps in story order.
  std::vector<std::size_t> reached;
  for (std::size_t k = 0; k < steps.size() && k < run.narration.size(); ++k)
    if (run.narration[k].reached) reached.push_back(k);
  for (std::size_t n = 1; n < reached.size(); ++n) {
    const auto& before = steps[reached[n - 1]];
    const auto& step = steps[reached[n]];
    const std::string right = title_of(step.analogy, lang);
    if (right.empty()) continue;
    Random rnd(seed ^ (0x9E3779B97F4A7C15ull * (reached[n] + 1)));
    QuizQuestion q;
    q.kind = "next_step";
    q.step = reached[n];
    q.context = before.text(lang);
    q.prompt = ja ? "次に何が起きるでしょう？" : "What happens next?";
    q.explanation = step.text(lang);
    // Three distractors: two from the lesson's own situations when it has them, the rest from all.
    std::vector<std::string> options{right};
    auto pick_from = [&](std::size_t from, std::size_t to, std::size_t want) {
      std::vector<std::string> c;
      for (std::size_t k = from; k < to; ++k) {
        const std::string t = title_of(pool[k], lang);
        if (std::find(options.begin(), options.end(), t) == options.end()) c.push_back(t);
      }
      while (want-- > 0 && !c.empty()) {
        const auto at = static_cast<std::size_t>(rnd.below(c.size()));
        options.push_back(c[at]);
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(at));
      }
    };
    pick_from(0, own, 2);
    pick_from(0, pool.size(), 4 - options.size());
    if (options.size() < 3) continue;
    // Shuffle (Fisher-Yates with the seeded source) and remember where the right one went.
    for (std::size_t k = options.size() - 1; k > 0; --k) {
      const auto j = static_cast<std::size_t>(rnd.below(k + 1));
      std::swap(options[k], options[j]);
    }
    q.answer = static_cast<std::size_t>(std::find(options.begin(), options.end(), right) - options.begin());
    q.options = std::move(options);
    out.push_back(std::move(q));
  }
  return out;
}

std::string quiz_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                     const std::vector<QuizQuestion>& questions, const std::vector<QuizResult>& results) {
  std::string out = "student,lesson,seed,question,kind,step,chosen,answer,correct\n";
  std::size_t right = 0;
  for (const auto& r : results) {
    if (r.question >= questions.size()) continue;
    const auto& q = questions[r.question];
    if (r.correct) ++right;
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(student), csv_field(lesson), seed, r.question + 1,
                       q.kind, q.step + 1, r.chosen + 1, q.answer + 1, r.correct ? "yes" : "no");
  }
  const std::size_t total = questions.size();
  out += fmt::format("{},{},{},score,,,{},{},{}%\n", csv_field(student), csv_field(lesson), seed, right, total,
                     total == 0 ? 0 : right * 100 / total);
  return out;
}

}  // namespace mailsim::sim
