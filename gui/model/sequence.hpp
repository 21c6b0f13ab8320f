// The sequence diagram's model: one lane per host that takes part, arrows for protocol lines
// and packets, on the player's time axis (playback seconds, so quiet stretches stay short).
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "gui/model/classify.hpp"

namespace mailsim::gui {

class TraceModel;

struct SeqArrow {
  std::size_t record = 0;
  std::size_t from = 0;  // lane indices
  std::size_t to = 0;
  double start = 0.0;    // playback seconds (top end of the arrow)
  double end = 0.0;      // equal to start for protocol lines; the arrival for packets
  bool packet = false;   // a packet (slanted) or a protocol line (horizontal)
  bool blocked = false;  // the packet never arrived (a policy stopped it or it was lost)
  PacketClass cls = PacketClass::OtherData;
  std::string label;     // "SYN", "DNS 30 B", "EHLO shiroyagi-pc", "250 OK" ...
};

struct SequenceModel {
  std::vector<std::string> lanes;  // host ids in order of first appearance
  std::vector<SeqArrow> arrows;    // in record order, so `start` never decreases
  // reach[i]: the latest `end` among arrows[0..i] (never decreases): the arrows before the
  // first i with reach[i] >= p all end before p, so a view finds its first arrow by bisection.
  std::vector<double> reach;
  double duration = 0.0;           // playback seconds
  // Index of the lane of a host id, or lanes.size() when it has none.
  std::size_t lane_of(const std::string& host) const;
  // The arrows that may cross the playback range [from, to]: [first, last) indices.
  std::pair<std::size_t, std::size_t> arrows_between(double from, double to) const;
};

// Labels longer than this many bytes are cut (with "...").
constexpr std::size_t kSeqLabelMax = 48;

SequenceModel build_sequence(const TraceModel& model);

}  // namespace mailsim::gui
