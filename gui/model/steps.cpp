// The lesson's narration steps on the player's clock (see steps.hpp).
#include "gui/model/steps.hpp"

#include <algorithm>
#include <utility>

#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {

bool before(const StepMark& a, const StepMark& b) {
  return a.playback < b.playback || (a.playback == b.playback && a.step < b.step);
}

}  // namespace

StepTimeline::StepTimeline(const std::vector<sim::NarrationMatch>& matches, const TraceModel& model)
    : total_(matches.size()) {
  for (const auto& m : matches) {
    if (!m.reached) continue;
    const auto index = model.index_of_seq(m.seq);
    if (!index) continue;
    marks_.push_back({m.step, model.playback_of_record(*index)});
  }
  std::stable_sort(marks_.begin(), marks_.end(), before);
}

StepTimeline::StepTimeline(std::vector<StepMark> marks, std::size_t total) : marks_(std::move(marks)), total_(total) {
  std::stable_sort(marks_.begin(), marks_.end(), before);
  for (const auto& m : marks_) total_ = std::max(total_, m.step + 1);
}

std::optional<std::size_t> StepTimeline::mark_at(double p) const {
  // The first mark strictly after p (with tolerance), then one back.
  const auto it = std::upper_bound(marks_.begin(), marks_.end(), p + kSameMoment,
                                   [](double v, const StepMark& m) { return v < m.playback; });
  if (it == marks_.begin()) return std::nullopt;
  return static_cast<std::size_t>(it - marks_.begin()) - 1;
}

std::optional<std::size_t> StepTimeline::step_at(double p) const {
  const auto k = mark_at(p);
  if (!k) return std::nullopt;
  return marks_[*k].step;
}

std::optional<double> StepTimeline::next_target(double p) const {
  const auto k = mark_at(p);
  // Marks at the same moment as the one in force are part of it: skip them.
  std::size_t next = k ? *k + 1 : 0;
  while (next < marks_.size() && marks_[next].playback <= p + kSameMoment) ++next;
  if (next >= marks_.size()) return std::nullopt;
  return marks_[next].playback;
}

std::optional<double> StepTimeline::previous_target(double p) const {
  const auto k = mark_at(p);
  if (!k) return std::nullopt;
  // The mark in force and any at its moment: go to the first earlier moment.
  const double now = marks_[*k].playback;
  std::size_t i = *k;
  while (i > 0 && marks_[i - 1].playback >= now - kSameMoment) --i;
  if (i == 0) return now > kSameMoment ? std::optional<double>(0.0) : std::nullopt;  // the start
  return marks_[i - 1].playback;
}

std::optional<double> StepTimeline::playback_of_step(std::size_t step) const {
  for (const auto& m : marks_) {
    if (m.step == step) return m.playback;
  }
  return std::nullopt;
}

std::string step_analogy_key(const StepTimeline& steps, const std::vector<sim::NarrationStep>& narration, double p) {
  const auto s = steps.step_at(p);
  if (!s || *s >= narration.size()) return {};
  return narration[*s].analogy;
}

}  // namespace mailsim::gui
