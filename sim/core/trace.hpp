// The trace: typed, timestamped records of everything that happens; views only read it.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event_core.hpp"

namespace mailsim::sim {

// Version of the JSON Lines format (docs/trace.md). Bump on incompatible changes.
constexpr int kTraceSchemaVersion = 1;

// What kind of thing a record reports. Each kind's `event` values and `detail` fields
// are listed in docs/trace.md.
enum class RecordKind {
  Meta,        // first record: schema version, scenario, seed
  Packet,      // a TCP segment or UDP datagram leaving a host (with bytes as on the wire)
  Connection,  // TCP life cycle: connecting, established, refused, timeout, closed, reset
  Policy,      // a network policy fired (e.g. OP25B dropped a SYN)
  Tls,         // TLS negotiated on a stream
  Protocol,    // an application protocol line (command or reply) or state change
  Dns,         // DNS questions and answers as the resolver/server saw them
  Mail,        // a message queued, relayed, delivered, deferred, bounced
  Mailbox,     // store changes: stored, fetched, flags, expunged, downloaded-and-deleted
  Action,      // a scenario timeline action started or finished
  Note,        // anything else for people (narration milestones, warnings)
};

std::string_view to_string(RecordKind kind);
bool record_kind_from_string(std::string_view text, RecordKind& out);

struct Record {
  Time time = 0;
  std::uint64_t seq = 0;  // position in the trace, from 0
  RecordKind kind = RecordKind::Note;
  std::string event;      // sub-kind, e.g. "syn", "established", "refused", "drop"
  std::string host;       // host id where it happened (the sender for packets)
  std::string peer;       // the other host id, if any
  std::uint64_t conn = 0; // connection id (0 = none)
  std::string protocol;   // "tcp", "udp", "smtp", "pop3", "imap", "dns", ...
  std::string summary;    // one readable line
  nlohmann::json detail = nlohmann::json::object();  // kind-specific fields
};

nlohmann::json to_json(const Record& r);
// Reads a record back; returns false (and sets error) when the object is not a record.
bool from_json(const nlohmann::json& j, Record& out, std::string& error);

// Bytes in a trace: printable text is kept as it is; anything else is hex-escaped so the
// JSON stays valid UTF-8 and the file is still readable ("EHLO a\r\n" -> "EHLO a\\r\\n").
std::string escape_bytes(std::string_view bytes);
std::string unescape_bytes(std::string_view text);

class Trace {
 public:
  Record& add(Record r);
  const std::vector<Record>& records() const { return records_; }
  std::size_t size() const { return records_.size(); }
  // Bytes the records take in memory, as estimated by estimate_size() when each was added
  // (the run budget's "trace memory"; the vector's spare capacity is not counted).
  std::uint64_t memory_estimate() const { return bytes_; }
  // A record's footprint: the struct, its strings' heap buffers and its JSON detail's nodes.
  static std::size_t estimate_size(const Record& r);

  // Header information written in the first (meta) line.
  nlohmann::json meta = nlohmann::json::object();

  void write_jsonl(std::ostream& out) const;
  // Parses a JSON Lines trace; on failure returns false with "line N: message".
  static bool read_jsonl(std::istream& in, Trace& out, std::string& error);

 private:
  std::vector<Record> records_;
  std::uint64_t bytes_ = 0;
};

}  // namespace mailsim::sim
