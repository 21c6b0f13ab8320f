// Challenge mode's state: due questions, answers and the score.
#include "gui/model/challenge.hpp"

#include "gui/model/steps.hpp"

namespace mailsim::gui {

std::size_t ChallengeState::answered() const {
  std::size_t n = 0;
  for (const auto& c : chosen)
    if (c) ++n;
  return n;
}

std::size_t ChallengeState::score() const {
  std::size_t n = 0;
  for (std::size_t k = 0; k < questions.size() && k < chosen.size(); ++k)
    if (chosen[k] && *chosen[k] == questions[k].answer) ++n;
  return n;
}

bool ChallengeState::answer(std::size_t option) {
  if (!asking || *asking >= questions.size()) return false;
  const std::size_t k = *asking;
  if (chosen.size() < questions.size()) chosen.resize(questions.size());
  if (!chosen[k]) chosen[k] = option;
  revealed = true;
  return *chosen[k] == questions[k].answer;
}

bool answer_hidden(const ChallengeState& c) {
  return c.active && c.asking && *c.asking < c.questions.size() && !c.revealed;
}

std::optional<std::size_t> next_unanswered(const ChallengeState& c) {
  for (std::size_t k = 0; k < c.questions.size(); ++k)
    if (k >= c.chosen.size() || !c.chosen[k]) return k;
  return std::nullopt;
}

std::optional<std::size_t> option_of_host(const sim::QuizQuestion& q, const std::string& host) {
  if (q.kind != "who" || host.empty()) return std::nullopt;
  for (std::size_t o = 0; o < q.option_hosts.size() && o < q.options.size(); ++o)
    if (q.option_hosts[o] == host) return o;
  return std::nullopt;
}

std::optional<std::size_t> question_due(const ChallengeState& c, const StepTimeline& steps, double from, double to) {
  if (!c.active || to <= from) return std::nullopt;
  std::optional<std::size_t> due;
  double due_at = 0.0;
  for (std::size_t k = 0; k < c.questions.size(); ++k) {
    if (k < c.chosen.size() && c.chosen[k]) continue;
    const auto at = steps.playback_of_step(c.questions[k].step);
    if (!at || *at <= from || *at > to) continue;
    if (!due || *at < due_at) {
      due = k;
      due_at = *at;
    }
  }
  return due;
}

}  // namespace mailsim::gui
