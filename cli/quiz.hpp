// `mailsim quiz LESSON`: challenge mode in the terminal (the same questions as the app's).
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace mailsim::cli {

struct QuizArgs {
  std::string lesson;
  std::string lang = "en";
  std::string mode = "predict";  // "predict": what happens next; "detective": who stopped the mail and why;
                                 // "fix": change the lesson's settings until its "fix" goal is met
  std::string student;  // gives the seed (each student a variant) unless --seed is given
  std::string seed;     // a number
  std::string answers;  // "2,1,4": answers given in advance (scripts, tests); else read from `in`
  std::string csv;      // write the teacher's CSV here
};

// Adds the subcommand and its options to `app`.
CLI::App* add_quiz_command(CLI::App& app, QuizArgs& args);
// Runs the quiz: each question, the student's answer, right or wrong with why, the score.
// Exit code 0 (whatever the score), 2 for bad input.
int cmd_quiz(const QuizArgs& a, const std::filesystem::path& lessons, std::istream& in, std::ostream& out,
             std::ostream& err);

}  // namespace mailsim::cli
