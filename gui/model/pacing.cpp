// Teaching pace: knot slots, then binary searches in both directions.
#include "gui/model/pacing.hpp"

#include <algorithm>
#include <cmath>

namespace mailsim::gui {

namespace {
double segment(sim::Time gap, double min_step, const PaceSettings& s) {
  const double natural = static_cast<double>(gap) / static_cast<double>(sim::kSecond) * s.rate;
  return std::clamp(natural, min_step, std::max(min_step, s.max_gap));
}
}  // namespace

TeachingPace::TeachingPace(std::vector<PaceKnot> knots, sim::Time end, PaceSettings settings)
    : knots_(std::move(knots)) {
  std::stable_sort(knots_.begin(), knots_.end(),
                   [](const PaceKnot& a, const PaceKnot& b) { return a.time < b.time; });
  for (auto& k : knots_) k.time = std::max<sim::Time>(k.time, 0);
  if (!knots_.empty()) end = std::max(end, knots_.back().time);
  end = std::max<sim::Time>(end, 0);

  points_.reserve(knots_.size() + 2);
  points_.push_back({0, 0.0});
  // Lead-in: from 0 to the first knot, a quiet stretch like any other (0 if it starts at 0).
  double p = 0.0;
  sim::Time prev_time = 0;
  double prev_step = 0.0;  // the slot owed to the previous knot
  for (const auto& k : knots_) {
    const sim::Time gap = k.time - prev_time;
    if (points_.size() == 1) {
      p += gap > 0 ? segment(gap, 0.0, settings) : 0.0;
    } else {
      p += segment(gap, prev_step, settings);
    }
    points_.push_back({k.time, p});
    prev_time = k.time;
    prev_step = k.record >= 0 ? settings.record_step : settings.arrival_step;
  }
  const sim::Time tail = end - prev_time;
  if (points_.size() == 1) {
    p += segment(tail, 0.0, settings);
  } else {
    p += segment(tail, prev_step, settings);
  }
  points_.push_back({end, p});
}

sim::Time TeachingPace::virtual_at(double p) const {
  if (points_.empty()) return 0;
  if (p <= 0.0) return 0;
  if (p >= points_.back().playback) return points_.back().time;
  // First point with playback > p; the segment is [it - 1, it].
  auto it = std::upper_bound(points_.begin(), points_.end(), p,
                             [](double v, const Point& pt) { return v < pt.playback; });
  const Point& b = *it;
  const Point& a = *(it - 1);
  if (b.time == a.time || b.playback <= a.playback) return a.time;
  const double f = (p - a.playback) / (b.playback - a.playback);
  const auto dt = static_cast<double>(b.time - a.time);
  return a.time + static_cast<sim::Time>(std::floor(f * dt));
}

double TeachingPace::playback_at(sim::Time v) const {
  if (points_.empty()) return 0.0;
  if (v <= 0) {
    // Knots at time 0 still get their turn: the end of the last of them.
    auto last0 = std::upper_bound(points_.begin(), points_.end(), sim::Time{0},
                                  [](sim::Time t, const Point& pt) { return t < pt.time; });
    return (last0 - 1)->playback;
  }
  if (v >= points_.back().time) return points_.back().playback;
  // Last point with time <= v.
  auto it = std::upper_bound(points_.begin(), points_.end(), v,
                             [](sim::Time t, const Point& pt) { return t < pt.time; });
  const Point& a = *(it - 1);
  const Point& b = *it;
  if (a.time == v) return a.playback;
  const double f = static_cast<double>(v - a.time) / static_cast<double>(b.time - a.time);
  return a.playback + f * (b.playback - a.playback);
}

double TeachingPace::knot_start(std::size_t k) const {
  return k + 1 < points_.size() ? points_[k + 1].playback : duration();
}

long long TeachingPace::knot_at(double p) const {
  if (knots_.empty()) return -1;
  // Points 1..n are the knots; find the last with playback <= p.
  auto first = points_.begin() + 1;
  auto last = points_.begin() + static_cast<std::ptrdiff_t>(knots_.size()) + 1;
  auto it = std::upper_bound(first, last, p, [](double v, const Point& pt) { return v < pt.playback; });
  return static_cast<long long>(it - first) - 1;
}

}  // namespace mailsim::gui
