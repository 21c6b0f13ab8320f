// The sequence diagram's model: one lane per host that takes part, arrows for protocol lines
// and packets, on the player's time axis (playback seconds, so quiet stretches stay short);
// DNS datagrams say what they ask or answer; lane headers are broken between words.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gui/model/classify.hpp"
#include "gui/model/line_break.hpp"

namespace mailsim::gui {

class StringTable;
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
  std::string label;     // "SYN", "SMTP 30 B", "EHLO shiroyagi-pc", "250 OK", "MX? hogehoge.com" ...
  // When set, the label shown is this string table entry with `label` as its {name}
  // ("seq.dns_referral": "referral: {name}"); see arrow_label.
  std::string label_key;
};

struct SequenceModel {
  std::vector<std::string> lanes;  // host ids in the order of the path (the map, left to right)
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

// DNS datagrams are labelled from the trace's dns records (matched by hosts and time):
// a query "MX? hogehoge.com", an answer "MX 10 mx1.hogehoge.com" (" +1" per further
// record), an error by its rcode ("NXDOMAIN"), a referral and an empty answer by a string
// table entry (label_key "seq.dns_referral" / "seq.dns_nodata"); others "DNS 30 B".
SequenceModel build_sequence(const TraceModel& model);

// The playback seconds [from, to] of the exchange in force at record `current`: every arrow
// of its connection (or, when it has none, of the latest connection drawn within `window`
// seconds before it), else the arrows within `window` seconds around it. The sequence
// diagram's default zoom shows this span. nullopt when nothing is drawn near it.
std::optional<std::pair<double, double>> exchange_span(const SequenceModel& seq, const TraceModel& model,
                                                      std::optional<std::size_t> current, double window = 4.0);

// The arrow's label in a string table's language.
std::string arrow_label(const SeqArrow& arrow, const StringTable& strings);

// A lane header: a host's name in at most `max_lines` lines no wider than `width`, never
// split inside a word. Breaks go between words, after a dot of a host name and between
// Japanese characters; when the name does not fit, the type shrinks in steps down to
// `min_scale`, and only then is the name cut with "…" (the view gives it in full on hover).
struct LaneHeader {
  std::vector<std::string> lines;
  float scale = 1.0f;  // of the size `measure` measures at
  bool cut = false;    // the last line ends with "…" in place of the rest
};
LaneHeader fit_lane_header(std::string_view name, float width, std::size_t max_lines, float min_scale,
                           const MeasureText& measure);

}  // namespace mailsim::gui
