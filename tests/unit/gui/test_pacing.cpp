// Teaching pace: monotonic both ways, minimum slots per record, long gaps compressed.
#include <catch2/catch.hpp>

#include "gui/model/pacing.hpp"

using mailsim::gui::PaceKnot;
using mailsim::gui::PaceSettings;
using mailsim::gui::TeachingPace;
using mailsim::sim::kMilli;
using mailsim::sim::kSecond;
using mailsim::sim::Time;

namespace {
TeachingPace sample() {
  // Three records at 1 s (simultaneous), an arrival 26 ms later, a record after a 1 h gap.
  std::vector<PaceKnot> knots{{1 * kSecond, 0}, {1 * kSecond, 1}, {1 * kSecond, 2},
                              {1 * kSecond + 26 * kMilli, -1}, {3600 * kSecond, 3}};
  return TeachingPace(knots, 3601 * kSecond);
}
}  // namespace

TEST_CASE("pace: an empty trace still has a usable clock", "[gui][pace]") {
  TeachingPace p({}, 0);
  CHECK(p.duration() == 0.0);
  CHECK(p.virtual_at(5.0) == 0);
  CHECK(p.playback_at(0) == 0.0);
  CHECK(p.knot_at(1.0) == -1);
}

TEST_CASE("pace: every record gets at least the minimum slot", "[gui][pace]") {
  const PaceSettings s;
  const auto p = sample();
  for (std::size_t k = 0; k + 1 < p.knot_count(); ++k) {
    const double slot = p.knot_start(k + 1) - p.knot_start(k);
    CHECK(slot >= (p.knot(k).record >= 0 ? s.record_step : s.arrival_step) - 1e-9);
  }
  // Simultaneous records take turns: knot_at walks through them.
  CHECK(p.knot_at(p.knot_start(0)) == 0);
  CHECK(p.knot_at(p.knot_start(1)) == 1);
  CHECK(p.knot_at(p.knot_start(2) + 0.01) == 2);
}

TEST_CASE("pace: long quiet gaps are compressed, short flights stretched", "[gui][pace]") {
  const PaceSettings s;
  const auto p = sample();
  // 26 ms of flight takes a whole record slot; the hour-long gap at most max_gap.
  CHECK(p.knot_start(3) - p.knot_start(2) == Approx(s.record_step));
  CHECK(p.knot_start(4) - p.knot_start(3) == Approx(s.max_gap));
  // Lead-in of 1 s at rate 1 is 1 s of playback.
  CHECK(p.knot_start(0) == Approx(1.0));
  CHECK(p.duration() < 10.0);
}

TEST_CASE("pace: both directions are monotonic and round-trip", "[gui][pace]") {
  const auto p = sample();
  Time last_v = -1;
  for (double x = 0.0; x <= p.duration() + 0.5; x += 0.001) {
    const Time v = p.virtual_at(x);
    REQUIRE(v >= last_v);
    last_v = v;
  }
  CHECK(last_v == p.end_time());
  double last_p = -1.0;
  for (Time v = 0; v <= p.end_time(); v += 7 * kMilli + 3) {
    const double x = p.playback_at(v);
    REQUIRE(x >= last_p);
    last_p = x;
    // Virtual time between knots maps back within a microsecond or two.
    REQUIRE(std::llabs(p.virtual_at(x) - v) <= 2);
  }
}

TEST_CASE("pace: playback_at a knot time is after all knots at that time", "[gui][pace]") {
  const auto p = sample();
  CHECK(p.playback_at(1 * kSecond) == Approx(p.knot_start(2)));
  CHECK(p.knot_at(p.playback_at(1 * kSecond)) == 2);
  CHECK(p.playback_at(-5) == 0.0);
  CHECK(p.playback_at(10'000 * kSecond) == Approx(p.duration()));
}

TEST_CASE("pace: knots at time zero and unsorted input", "[gui][pace]") {
  std::vector<PaceKnot> knots{{2 * kSecond, 1}, {0, 0}, {0, 2}};
  TeachingPace p(knots, 2 * kSecond);
  CHECK(p.knot(0).record == 0);
  CHECK(p.knot(1).record == 2);  // stable among equal times
  CHECK(p.knot(2).record == 1);
  CHECK(p.knot_start(0) == 0.0);
  CHECK(p.knot_start(1) == Approx(PaceSettings{}.record_step));
  CHECK(p.virtual_at(p.knot_start(1)) == 0);
}
