// The one adapter from the trace to what the export formats need: packets as they crossed
// the wire, and the messages of the run. When the trace becomes typed only this changes.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/words/narration.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::formats {

// TCP flag bits as on the wire: the trace's own (sim::tcp_flags), under the names the
// writers here use.
constexpr std::uint8_t kTcpFin = sim::tcp_flags::kFin;
constexpr std::uint8_t kTcpSyn = sim::tcp_flags::kSyn;
constexpr std::uint8_t kTcpRst = sim::tcp_flags::kRst;
constexpr std::uint8_t kTcpPsh = sim::tcp_flags::kPsh;
constexpr std::uint8_t kTcpAck = sim::tcp_flags::kAck;

// One TCP segment or UDP datagram of a packet record.
struct WirePacket {
  std::uint64_t record = 0;   // seq of the packet record in the trace
  sim::Time sent = 0;         // when it left the sender
  std::optional<sim::Time> arrived;  // when it reached the destination (absent: lost or blocked)
  bool tcp = true;
  std::uint64_t conn = 0;     // TCP connection id (0 for UDP)
  std::string app;            // "smtp", "pop3", "imap", "dns", or "tcp"/"udp" when unknown
  std::string from_host, to_host;
  std::uint32_t src_ip = 0, dst_ip = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t flags = 0;     // TCP only
  std::uint32_t seq = 0, ack = 0;
  std::string payload;        // bytes as they crossed the wire
  bool tls = false;
  std::vector<std::string> path;  // sender host, networks..., destination host
};

// Every packet record of the trace, in trace order. Records whose addresses are not IPv4
// with a port (a replayed IPv6 capture) are skipped; the simulator never makes them.
std::vector<WirePacket> wire_packets(const sim::Trace& trace);

// A narration step tied to a packet: the packet record that shows the step's moment (the
// moment's own record when it is a packet, else the first packet after it on the same
// connection, else the first packet after it, else the last packet before it).
// packet record seq -> the texts of the steps tied to it (in step order), in `lang`.
std::map<std::uint64_t, std::vector<std::string>> narration_packets(
    const sim::Trace& trace, const std::vector<sim::NarrationStep>& steps,
    const std::vector<sim::NarrationMatch>& matches, const std::string& lang);

// A message carried by SMTP in clear: the client's DATA bytes (dot-unstuffed, without the
// final ".") of one transaction on one connection.
struct SmtpTransfer {
  std::uint64_t conn = 0;
  std::uint64_t record = 0;   // packet record of the message's last segment
  sim::Time time = 0;
  std::string client, server; // host ids
  std::uint16_t port = 0;     // the server's port (587 / 465 submission, 25 relay)
  bool submission = false;    // received on a submission listener (whatever its port)
  std::string raw;            // RFC 5322 bytes, CRLF line ends
};
// Every message sent with DATA in clear (TLS-protected transfers cannot be read from the
// wire and are not listed). At most kMaxTransfers, each at most kMaxTransferBytes.
constexpr std::size_t kMaxTransfers = 10000;
constexpr std::size_t kMaxTransferBytes = 64u << 20;
std::vector<SmtpTransfer> smtp_transfers(const std::vector<WirePacket>& packets);

}  // namespace mailsim::formats
