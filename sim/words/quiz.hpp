// Challenge mode's questions, made from a lesson's run: "what happens next?" before each story
// step, with the true answer and distractors from the post-office situations, chosen and
// shuffled by a seed (one per student: the same seed always gives the same quiz).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

struct QuizQuestion {
  std::string kind;         // "next_step": what happens after the step just shown
  std::size_t step = 0;     // the narration step the answer is (index into Scenario::narration)
  std::string context;      // what just happened (the step before, in the quiz's language)
  std::string prompt;       // the question
  std::vector<std::string> options;  // 3 or 4 choices, each different
  std::size_t answer = 0;   // index of the right one in options
  std::string explanation;  // why: the step's own text
};

// The questions of a lesson in `lang` ("en" or "ja"): one before each reached story step
// (from the second on) whose situation (its analogy) has a title. Deterministic in
// (scenario, run, lang, seed). Needs the analogy tables (sim::analogy_tables()).
std::vector<QuizQuestion> make_quiz(const Scenario& s, const RunResult& run, std::string_view lang,
                                    std::uint64_t seed);

// A seed from a student's name (FNV-1a), so each student gets a variant of the same quiz.
std::uint64_t student_seed(std::string_view student);

struct QuizResult {
  std::size_t question = 0;
  std::size_t chosen = 0;  // index into options
  bool correct = false;
};

// The teacher's CSV: a header line, then one line per answer:
// student,lesson,seed,question,kind,step,chosen,answer,correct (fields with a comma or a
// quote are quoted, quotes doubled), and a last line with the score.
std::string quiz_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                     const std::vector<QuizQuestion>& questions, const std::vector<QuizResult>& results);

}  // namespace mailsim::sim
