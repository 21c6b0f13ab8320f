// Challenge mode's questions, made from a lesson's run: "what happens next?" before each story
// step, with the true answer and distractors from the post-office situations, chosen and
// shuffled by a seed (one per student: the same seed always gives the same quiz).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

struct QuizQuestion {
  std::string kind;         // "next_step": what happens after the step just shown; "who" and
                            // "why": the detective's questions about a refusal (make_detective)
  std::size_t step = 0;     // the narration step the answer is (index into Scenario::narration)
  std::string context;      // what just happened (the step before, in the quiz's language)
  std::string prompt;       // the question
  std::vector<std::string> options;  // 3 or 4 choices, each different
  std::size_t answer = 0;   // index of the right one in options
  std::string explanation;  // why: the step's own text
  // "who" questions: per option, the host id it names (a network's id for a network rule), so
  // the app can let the student click a host on the map instead of a button.
  std::vector<std::string> option_hosts;
  bool authored = false;    // written in the lesson's "questions" (kind "authored")
  bool at_end = false;      // asked at the end (with the detective's), not before a step
};

// The questions of a lesson in `lang` ("en" or "ja"): one before each reached story step
// (from the second on) whose situation (its analogy) has a title. Deterministic in
// (scenario, run, lang, seed). Needs the analogy tables (sim::analogy_tables()).
// A step the lesson writes a question for (Scenario::questions, "before_step") gets that one
// instead of the generated one; its right answer is fixed or, when its choices carry moments, the
// one choice whose moment happens after the step before, up to the step (when the moments do not
// pick exactly one choice in this run, the generated question is asked instead; an end question
// is left out).
std::vector<QuizQuestion> make_quiz(const Scenario& s, const RunResult& run, std::string_view lang,
                                    std::uint64_t seed);
// The same from a run's narration ties and records (the app's sorted copy).
std::vector<QuizQuestion> make_quiz(const Scenario& s, const std::vector<NarrationMatch>& narration,
                                    const RecordStore& records, std::string_view lang, std::uint64_t seed);

// The detective's questions: shown only how the lesson ends, the student finds which server
// (or network rule) stopped the mail ("who") and why ("why"), for each distinct refusal in the
// run: an SMTP server's permanent refusal (5xx: user unknown, mailbox full, too large, relay
// denied, authentication, loop) or rate limit (4.7.x), a bounce with no reply (the domain does
// not exist, a loop back), a network rule that dropped the connection (OP25B), or a server
// that did not answer (switched off). At most `kMaxDetectiveCases` refusals, in the order they
// happened; the true answer is always among the 3-4 options. Deterministic in (scenario, run,
// lang, seed). Empty when nothing was refused.
inline constexpr std::size_t kMaxDetectiveCases = 3;
// The lesson's own end questions (Scenario::questions with "at_end") follow the generated ones,
// so a lesson where nothing is refused can still have a detective's quiz.
// `records`: a run's trace records (RunResult::trace.records(), or the app's sorted copy).
std::vector<QuizQuestion> make_detective(const Scenario& s, const RecordStore& records, std::string_view lang,
                                         std::uint64_t seed);

// A refusal found in a trace (what make_detective asks about).
struct Refusal {
  std::string who;       // host id, or network id when `network`
  bool network = false;  // a network's rule, not a server
  std::string reason;    // a key of detective_reasons()
  std::string evidence;  // what the class can read at the end, in the quiz's language
  std::uint64_t seq = 0; // the record that shows it
};
std::vector<Refusal> find_refusals(const Scenario& s, const RecordStore& records, std::string_view lang);

// The reasons a detective may choose from: key, English, Japanese.
struct DetectiveReason {
  std::string_view key;
  std::string_view en;
  std::string_view ja;
};
std::span<const DetectiveReason> detective_reasons();

// A seed from a student's name (FNV-1a), so each student gets a variant of the same quiz.
std::uint64_t student_seed(std::string_view student);

struct QuizResult {
  std::size_t question = 0;
  std::size_t chosen = 0;  // index into options
  bool correct = false;
};

// The teacher's CSV: a header line, then one line per answer:
// student,lesson,seed,question,kind,step,chosen,answer,correct (step empty for the detective's
// questions and the lesson's end questions; kind "authored" for the lesson's own; fields with a comma or a
// quote are quoted, quotes doubled), and a last line with the score.
std::string quiz_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                     const std::vector<QuizQuestion>& questions, const std::vector<QuizResult>& results);

// Challenge mode (c), "fix the broken setup": one line per try for the teacher's CSV.
struct FixTryResult {
  std::size_t number = 0;   // 1, 2, ...
  std::string changes;      // the settings changed from the world's own: "shiroyagi-pc:smtp.port=587; ..."
  std::size_t passed = 0;   // goal expectations that held
  std::size_t total = 0;
};
// The same columns as quiz_csv: per try `student,lesson,seed,TRY,fix,,CHANGES,PASSED/TOTAL,yes|no`
// (yes: every goal held), then `student,lesson,seed,score,fix,TRIES,PASSED,TOTAL,PERCENT%` of the
// last try (a student who never tried: 0 tries, 0 %).
std::string fix_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                    const std::vector<FixTryResult>& tries);

}  // namespace mailsim::sim
