// Captures and transcripts read into one shape: connections of timestamped bytes per direction.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::formats {

// Which way bytes went on a connection.
enum class Direction { ToServer, ToClient };

struct Endpoint {
  std::string address;  // "127.0.0.1", "::1", or a name when only a name is known
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// Bytes that arrived together (one TCP segment's new bytes, one UDP datagram, one
// transcript line); `time` is microseconds since the Unix epoch (0 when the source has none).
struct Chunk {
  std::int64_t time = 0;
  Direction dir = Direction::ToServer;
  std::string bytes;
};

// Something a reader noticed about a stream that a viewer should show (never dropped).
struct StreamNote {
  std::int64_t time = 0;
  std::size_t before_chunk = 0;  // position in `chunks` where it applies
  std::string text;              // "capture started mid-connection", "1200 bytes missing"
};

// One connection (TCP) or flow of datagrams (UDP) with both directions in time order.
struct Stream {
  std::string transport = "tcp";  // "tcp" or "udp"
  Endpoint client, server;
  std::string protocol;           // smtp, pop3, imap, dns, tls, or "" when unknown
  std::string protocol_reason;    // "port 25", "content: SMTP greeting", "--map 10025=smtp"
  bool saw_open = false;          // SYN seen (transcripts: the connection line)
  bool saw_close = false;         // FIN or RST seen
  std::vector<Chunk> chunks;
  std::vector<StreamNote> notes;

  std::size_t bytes(Direction d) const;
  // The bytes of one direction joined (what an application read from its socket).
  std::string joined(Direction d) const;
};

struct Capture {
  std::string format;  // the reader used: pcap, pcapng, transcript, swaks, curl, smtplib, postfix, tshark-yaml, jsonl
  std::vector<Stream> streams;
  std::vector<std::string> notes;  // file-level remarks (skipped frames, unknown link types ...)
};

// Limits every reader honours (bad input never grows memory without bound).
struct ReadLimits {
  std::size_t max_input = 256u << 20;          // bytes of input looked at
  std::size_t max_streams = 10000;
  std::size_t max_payload = 256u << 20;        // bytes of payload kept in all
  std::size_t max_out_of_order = 8u << 20;     // buffered ahead of a hole, per direction
  std::size_t max_line = 1u << 20;             // one transcript line
};

struct ReadOptions {
  std::string format = "auto";
  std::map<std::uint16_t, std::string> port_map;  // --map 10025=smtp
  ReadLimits limits;
};

struct ReadResult {
  std::optional<Capture> capture;
  std::string error;  // set when capture is empty: a clear message for people
};

// The formats `read_capture` knows, for --format and --help.
const std::vector<std::string_view>& known_formats();
// Guesses the format of the input from its first bytes ("" when nothing fits).
std::string detect_format(std::string_view input);
// Reads any known format (ReadOptions::format, "auto" to detect) and names protocols.
ReadResult read_capture(std::string_view input, const ReadOptions& options = {});

// Names the protocol of each stream: the map first, then the server's well-known port,
// then the content (an SMTP greeting on any port). Used by every reader.
void name_protocols(Capture& capture, const std::map<std::uint16_t, std::string>& port_map);
// The protocol a well-known port implies ("" when none).
std::string_view protocol_for_port(std::uint16_t port);
// Parses "10025=smtp" into the map; false with a reason when it does not read.
bool parse_port_map(std::string_view text, std::map<std::uint16_t, std::string>& out, std::string& error);

// A normal form for comparing one session read from different sources: the bytes of each
// direction split into lines, in the order the directions alternated ("C: EHLO a",
// "S: 250-mx ..."). Line ends and segmentation are not part of it.
std::vector<std::string> normalised_lines(const Stream& s);

}  // namespace mailsim::formats
