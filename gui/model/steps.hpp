// The lesson's narration steps on the player's clock: which step is in force at a playback
// second, where "previous step" / "next step" go, and the markers on the scrubber.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/words/narration.hpp"

namespace mailsim::gui {

class TraceModel;

// A step whose moment happened: its index in Scenario::narration and the playback second at
// which its record is shown.
struct StepMark {
  std::size_t step = 0;
  double playback = 0.0;
};

class StepTimeline {
 public:
  // Two marks this close (playback seconds) count as the same moment.
  static constexpr double kSameMoment = 1e-9;

  StepTimeline() = default;
  // From the run's matches (one per scenario step): unreached steps and steps whose record
  // is not in the model get no mark.
  StepTimeline(const std::vector<sim::NarrationMatch>& matches, const TraceModel& model);
  // From marks directly (tests); they are sorted by (playback, step).
  StepTimeline(std::vector<StepMark> marks, std::size_t total);

  bool empty() const { return marks_.empty(); }
  // Number of steps in the scenario (reached or not): the "of 11" in "Step 4 of 11".
  std::size_t total() const { return total_; }
  // Reached steps sorted by playback second (ties: lower step first). Scrubber markers.
  const std::vector<StepMark>& marks() const { return marks_; }

  // Position in marks() of the step in force at playback p: the last mark at or before p
  // (nullopt before the first one).
  std::optional<std::size_t> mark_at(double p) const;
  // The step (index into Scenario::narration) in force at p.
  std::optional<std::size_t> step_at(double p) const;
  // Where "next step" goes from p: the first mark after p (nullopt after the last one).
  std::optional<double> next_target(double p) const;
  // Where "previous step" goes from p: the mark before the one in force, or 0 (the start,
  // before any step) from the first step; nullopt before the first step (or when the first
  // step is at 0).
  std::optional<double> previous_target(double p) const;
  // The playback second of step `step` (nullopt when it was not reached).
  std::optional<double> playback_of_step(std::size_t step) const;

 private:
  std::vector<StepMark> marks_;
  std::size_t total_ = 0;
};

// The post-office situation a lesson step asks for at playback p ("" when no step is in
// force or the step names none): the analogy panel shows it while the step is in force.
std::string step_analogy_key(const StepTimeline& steps, const std::vector<sim::NarrationStep>& narration, double p);

}  // namespace mailsim::gui
