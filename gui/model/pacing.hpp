// Teaching pace: a monotonic piecewise-linear map between virtual time and playback seconds.
#pragma once
#include <cstddef>
#include <vector>

#include "sim/core/event_core.hpp"

namespace mailsim::gui {

// How the pace spreads events over playback time (seconds of playback at 1x speed).
struct PaceSettings {
  double record_step = 0.6;   // every record is on screen at least this long
  double arrival_step = 0.35; // a packet arrival (no record of its own) at least this long
  double max_gap = 2.0;       // a quiet stretch never takes longer than this
  double rate = 1.0;          // playback seconds per virtual second between those bounds
};

// One moment the pace must give time to: a record (record >= 0, its index) or a packet
// arrival (record == -1).
struct PaceKnot {
  sim::Time time = 0;
  long long record = -1;
};

// Knots sorted by time (ties keep their order) each get a slot of playback time; virtual
// time runs linearly between knots and stands still across knots at the same time, so
// simultaneous records are shown one after the other. Both directions are monotonic.
class TeachingPace {
 public:
  TeachingPace() = default;
  // `knots` need not be sorted (a stable sort by time is applied). `end` is the last
  // virtual time shown; values before 0 or after `end` are clamped.
  TeachingPace(std::vector<PaceKnot> knots, sim::Time end, PaceSettings settings = {});

  double duration() const { return points_.empty() ? 0.0 : points_.back().playback; }
  sim::Time end_time() const { return points_.empty() ? 0 : points_.back().time; }

  // Virtual time shown at playback second p (non-decreasing in p).
  sim::Time virtual_at(double p) const;
  // The playback second at which every knot at or before virtual time v has had its turn
  // (non-decreasing in v, strictly increasing across distinct knot times).
  double playback_at(sim::Time v) const;
  // The playback second at which knot k (in sorted order) starts.
  double knot_start(std::size_t k) const;
  std::size_t knot_count() const { return knots_.size(); }
  const PaceKnot& knot(std::size_t k) const { return knots_[k]; }
  // Index of the last knot whose slot has started at playback p; -1 before the first.
  long long knot_at(double p) const;

 private:
  struct Point {
    sim::Time time;
    double playback;
  };
  // points_[0] is (0, 0); points_[k + 1] is knot k; the last point is (end, total).
  std::vector<Point> points_;
  std::vector<PaceKnot> knots_;
};

}  // namespace mailsim::gui
