// A packet opened layer by layer (IP, TCP or UDP, a TLS record header, the application layer
// decoded) with its bytes in hex, and what the wire carried for a protocol line (the
// ciphertext an eavesdropper sees when TLS protects it).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace.hpp"

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

}  // namespace mailsim::gui
