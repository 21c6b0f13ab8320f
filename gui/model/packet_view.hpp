// A packet opened layer by layer (IP, TCP or UDP, a TLS record header, the application layer
// decoded) with its bytes in hex, and what the wire carried for a protocol line (the
// ciphertext an eavesdropper sees when TLS protects it).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/trace.hpp"

namespace mailsim::gui {

class TraceModel;

// Bytes as hex pairs separated by spaces ("17 03 03 00 2a"), at most `max` bytes, with " …"
// when there were more.
std::string hex_bytes(std::string_view bytes, std::size_t max);

// What crossed the wire for the protocol line at record `line` (a command or reply sent on a
// connection): the first data packet its sender sent on that connection at or after it.
struct WireView {
  std::size_t packet = 0;  // the packet record
  std::string bytes;       // its payload as on the wire
  bool tls = false;        // protected: the bytes are ciphertext
};
std::optional<WireView> wire_of_line(const TraceModel& model, std::size_t line);

// What an observer on network `network` (an eavesdropper on a café Wi-Fi) last captured at
// record `upto`: the latest packet with a payload whose path crosses that network (the
// ciphertext when TLS protected it). Looks back at most 5000 records.
std::optional<WireView> observer_capture(const TraceModel& model, const std::string& network,
                                         std::optional<std::size_t> upto);

// One layer of a packet as a PDU view shows it: its name ("IP", "TCP", "UDP", "TLS record",
// "SMTP", "POP3", "IMAP", "DNS", "data") and its fields in order.
struct PacketLayer {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;  // field name, value (English, as the protocols name them)
};

// A packet record opened layer by layer, outermost first, with its payload in hex. For a
// protected payload `endpoint_text` is what the endpoints read (the protocol line sent on
// that connection just before it), while the layers show what the wire carried.
struct DecodedPacket {
  std::vector<PacketLayer> layers;
  std::string hex;            // the payload, at most kMaxHex bytes
  std::string endpoint_text;  // "" when the payload is in clear (or there is none)
  bool ok = true;             // every layer was understood (false: a layer is "unknown")
};
constexpr std::size_t kMaxHex = 256;
DecodedPacket decode_packet(const TraceModel& model, std::size_t record);

// A host's exchange table (as Filius shows one): the packets it sent or received up to record
// `upto` (inclusive), the latest `max` of them, oldest first.
struct ExchangeRow {
  std::size_t record = 0;
  bool out = true;       // sent by the host (else received)
  std::string peer;      // the other host's id
  std::string protocol;  // "SMTP", "DNS", "TCP" (a segment without payload) ...
};
std::vector<ExchangeRow> host_exchange(const TraceModel& model, const std::string& host, std::size_t upto,
                                       std::size_t max);

}  // namespace mailsim::gui
