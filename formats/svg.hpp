// SVG drawings of a run: the sequence diagram and the network map at a narration step.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/words/narration.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::formats {

// Fonts for text in the drawings: Latin first, then Japanese families common on Linux,
// macOS and Windows, then the generic family.
constexpr const char* kSvgFontFamily =
    "'DejaVu Sans', 'Noto Sans', 'Noto Sans CJK JP', 'VL Gothic', 'IPAGothic', 'Hiragino Sans', "
    "'Yu Gothic', 'Meiryo', sans-serif";

// Text escaped for XML character data and attribute values.
std::string xml_escape(std::string_view text);

// What the drawings need to know of the world, in the chosen language.
struct DiagramHost {
  std::string id;
  std::string name;     // display name
  std::string kind;     // "pc", "mail_server", ...
  std::string network;
  std::string ip;
};
struct DiagramNetwork {
  std::string id;
  std::string name;
  std::string kind;     // "access", "datacenter", ...
  std::string cidr;
};
struct DiagramInput {
  std::string title;
  std::string lang = "en";  // "en" or "ja": the words of the drawing
  std::vector<DiagramHost> hosts;
  std::vector<DiagramNetwork> networks;
  std::vector<sim::NarrationStep> steps;
  std::vector<sim::NarrationMatch> matches;
};

// One arrow of the sequence diagram.
struct SequenceArrow {
  std::uint64_t record = 0;
  sim::Time time = 0;
  std::string from, to;   // host ids
  std::string proto;      // "smtp", "pop3", "imap", "dns", "tcp"
  std::string label;      // "EHLO a", "250 OK", "MX? hogehoge.com", "SYN", ...
  bool blocked = false;   // the packet never arrived
};
// Protocol lines, DNS datagrams and TCP connection attempts (SYN, RST) of a trace, in order.
// DNS labels read the datagram: "MX? hogehoge.com", "MX 10 mx1.hogehoge.com +1",
// "NXDOMAIN", "referral: ns1.hogehoge.com", "no AAAA record" (Japanese words with lang ja).
std::vector<SequenceArrow> sequence_arrows(const sim::Trace& trace, const std::string& lang);

// At most this many arrows are drawn; a last line says how many more there were.
constexpr std::size_t kMaxSvgArrows = 3000;

// The sequence diagram: one lane per host (in order of first appearance), an arrow per line,
// virtual time at the left, numbered narration steps at the right. Width fits a 16:9 slide.
std::string sequence_svg(const sim::Trace& trace, const DiagramInput& input);

// The network map at narration step `step` (from 1): networks as boxes with their hosts,
// the step's hosts highlighted with an arrow between them, the step's text as a caption.
std::string map_svg(const sim::Trace& trace, const DiagramInput& input, std::size_t step);

}  // namespace mailsim::formats
