// Challenge mode in the app: the lesson's questions (sim/quiz), which one is due as playback
// is about to show a story step, the student's answers and the score. No ImGui here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/fix.hpp"
#include "sim/words/quiz.hpp"

namespace mailsim::gui {

class StepTimeline;

struct ChallengeState {
  bool active = false;
  bool detective = false;       // the detective kind: questions about the end state, asked at the end
  std::uint64_t run = 0;        // the run (AppState::run_serial) the questions were made for
  std::string lang;             // ... and their language
  std::uint64_t seed = 0;
  std::string student;          // the name the seed came from (in the teacher's CSV)
  std::string host_at_ask;      // the detective: the map's selection when the question came up
  std::string saved_csv;        // where the results were saved (shown at the end)
  std::vector<sim::QuizQuestion> questions;
  std::vector<std::optional<std::size_t>> chosen;  // per question: the option picked
  std::optional<std::size_t> asking;               // the question on screen
  bool revealed = false;                           // its answer has been given (explanation shown)
  double last_playback = 0.0;                      // where playback was the frame before

  std::size_t answered() const;
  std::size_t score() const;  // right answers
  // Records the answer to the question on screen (once); true when it is right.
  bool answer(std::size_t option);
};

// Challenge mode (c), fix the broken setup: the student's choices for the lesson's "fix"
// settings, the tries made and the grade of the run on screen (sim/scenario/fix.hpp).
struct FixChallengeState {
  bool active = false;
  std::string file;                   // the lesson the choices are for (another one: start afresh)
  sim::FixChoices chosen;             // per setting of Scenario::fix, the value picked
  sim::FixNumbers numbers;            // per setting, a number typed in its range instead (none: `chosen`)
  std::vector<std::optional<sim::FixRange>> ranges;  // per setting, its range when numeric (the lesson's file's)
  std::optional<sim::FixGrade> grade; // of the run on screen (the lesson as written, or the last try)
  std::uint64_t graded_run = 0;       // the run (AppState::run_serial) `grade` was made for
  std::vector<sim::FixTryResult> tries;
  std::string student;                // in the teacher's CSV
  std::string error;                  // a try the loader refused (cannot happen with a sound fix block)
  std::string saved_csv;
};

// While a question is open and not yet answered, the views that list what happened (Events,
// Sequence, Transcript) would give the answer away (the refusing reply, the next step's rows):
// they show a notice instead.
bool answer_hidden(const ChallengeState& c);

// The detective's next question: the first unanswered one (nullopt: all answered).
std::optional<std::size_t> next_unanswered(const ChallengeState& c);

// The detective's "who" question answered by a click on the map: the option naming `host`
// (nullopt when the question is not a "who" or no option names that host).
std::optional<std::size_t> option_of_host(const sim::QuizQuestion& q, const std::string& host);

// The first unanswered question whose step is shown in (from, to] of playback: it is asked
// before that step is shown (nullopt: none due).
std::optional<std::size_t> question_due(const ChallengeState& c, const StepTimeline& steps, double from, double to);

}  // namespace mailsim::gui
