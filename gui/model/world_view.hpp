// The trace model: an index over a trace for fast seeking, and the WorldView snapshot at time t.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gui/model/classify.hpp"
#include "gui/model/geometry.hpp"
#include "gui/model/layout.hpp"
#include "gui/model/mail_state.hpp"
#include "gui/model/pacing.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::gui {

// A packet on its way at the snapshot time.
struct InFlight {
  std::size_t record = 0;  // index into TraceModel::records()
  PacketClass cls = PacketClass::OtherData;
  Vec2 pos;
  Vec2 dir{1.0f, 0.0f};    // unit direction of travel
  float progress = 0.0f;   // 0..1 along its drawn path
  bool tls = false;
  bool blocked = false;    // it will be dropped at a network border
  std::string label;       // "SYN", "SMTP 19 B", ...
};

// A policy that fired recently: drawn as a red cross at the border.
struct PolicyMark {
  std::size_t record = 0;
  Vec2 pos;
  std::string rule;
  std::string network;
  float age = 0.0f;  // 0 just fired .. 1 about to disappear
};

struct ConnectionView {
  std::uint64_t conn = 0;
  std::string client;  // host ids
  std::string server;
  std::uint16_t port = 0;
  std::string state;   // last Connection event: connecting, established, closed, timeout, ...
  bool tls = false;
  bool finished = false;
};

struct WorldView {
  sim::Time time = 0;
  std::optional<std::size_t> current;  // the record being shown (most recent one)
  std::string acting_host;             // host of the current record
  std::vector<InFlight> packets;
  std::vector<PolicyMark> blocks;
  std::vector<ConnectionView> connections;  // open ones and ones that ended a moment ago
  MailState mail;  // mailboxes, queues, devices and letters after the current record
};

// A line of a connection's transcript.
struct TranscriptLine {
  std::size_t record = 0;
  bool from_client = true;
  std::string text;  // without the C:/S: prefix, line ending removed
};

struct ConnectionInfo {
  std::uint64_t conn = 0;
  std::string client;
  std::string server;
  std::uint16_t port = 0;
  sim::Time first = 0;
  std::vector<std::size_t> state_records;  // Connection and Tls records, in order
  // The same as plain data, so a snapshot never reads the records: record index, the
  // Connection event (index into TraceModel's interned state names) or kTlsState.
  struct StateChange {
    std::size_t record = 0;
    std::uint32_t state = 0;
  };
  static constexpr std::uint32_t kTlsState = 0xFFFFFFFFu;
  std::vector<StateChange> states;
  sim::Time listed_until = 0;  // no snapshot after this virtual time lists it (max: still open)
  std::vector<TranscriptLine> lines;       // Protocol records
};

class TraceModel {
 public:
  // Seconds of playback a policy cross stays visible (at 1x).
  static constexpr double kBlockShownFor = 2.5;
  // Seconds of playback a finished connection is still listed.
  static constexpr double kEndedShownFor = 1.5;

  TraceModel() = default;
  TraceModel(const sim::Scenario& scenario, const sim::Trace& trace, PaceSettings pace = {});
  // The same, keeping the trace's records instead of copying them (a finished run's trace).
  TraceModel(const sim::Scenario& scenario, sim::Trace&& trace, PaceSettings pace = {});

  // The records sorted by (time, seq).
  const sim::RecordStore& records() const { return own_sorted_ ? sorted_ : trace_.records(); }
  // The protocols that occur in the trace, each once, in order of first appearance.
  const std::vector<std::string>& protocols() const { return protocols_; }
  const Layout& layout() const { return layout_; }
  // Applies the user's moves on the map (see Layout::apply): hosts, routers, packets in
  // flight and policy crosses of later snapshots follow them; nothing else is rebuilt.
  void set_layout_moves(const LayoutMoves& moves) { layout_.apply(moves); }
  const TeachingPace& pace() const { return pace_; }
  const std::vector<ConnectionInfo>& connections() const { return conns_; }
  // The records the event table lists unless asked for everything: all but the protocol
  // engines' own state changes (is_session_state), which are no protocol lines and no
  // event a class needs to see.
  const std::vector<std::size_t>& table_rows() const { return table_rows_; }
  // The index into connections() of connection id `conn` (nullopt when it has none).
  std::optional<std::size_t> connection_index(std::uint64_t conn) const {
    auto it = conn_index_.find(conn);
    if (it == conn_index_.end()) return std::nullopt;
    return it->second;
  }
  // Mail derived from the trace: letters, change lists, resolver caches (time-independent parts).
  const MailModel& mail() const { return mail_; }
  sim::Time end_time() const { return pace_.end_time(); }

  // Index of the last record with time <= t (nullopt before the first record).
  std::optional<std::size_t> record_at(sim::Time t) const;
  // The record shown at playback second p (simultaneous records take turns).
  std::optional<std::size_t> record_at_playback(double p) const;
  // Playback second at which record i is shown.
  double playback_of_record(std::size_t i) const;
  // Index of the record with this trace sequence number (nullopt if there is none).
  std::optional<std::size_t> index_of_seq(std::uint64_t seq) const;
  // Playback second at which the record with this sequence number is shown (0 if unknown).
  double playback_of_seq(std::uint64_t seq) const;

  // Snapshot at playback second p (the player's clock).
  WorldView view_at_playback(double p) const;
  // Snapshot at virtual time t (every record at or before t has happened).
  WorldView view_at(sim::Time t) const;

 private:
  struct PacketTrack {
    std::size_t record;
    sim::Time depart;
    sim::Time arrive;
    PacketClass cls;
    bool tls;
    bool blocked;
    // The places it goes through (positions are looked up when a snapshot shows it, so
    // they follow the user's moves).
    std::vector<Anchor> hops;
    std::string label;
  };
  struct BlockInfo {
    std::size_t record;
    sim::Time from;
    sim::Time until;
    Anchor at;  // the border (router) of the network whose rule fired, else its host
  };

  WorldView build(sim::Time t, std::optional<std::size_t> current) const;
  void add_packet(std::size_t i);

  sim::Trace trace_;                  // the records, when they came in (time, seq) order
  std::vector<std::string> protocols_;
  sim::RecordStore sorted_;   // else a sorted copy of them
  bool own_sorted_ = false;
  std::vector<sim::Time> times_;      // records_[i].time, for binary search
  Layout layout_;
  TeachingPace pace_;
  std::vector<std::size_t> record_knot_;  // record index -> knot index in pace_
  std::vector<PacketTrack> packets_;      // sorted by departure
  std::vector<sim::Time> arrive_max_;    // running maximum of packets_[..i].arrive
  std::vector<BlockInfo> blocks_;         // sorted by time
  sim::Time max_block_ = 0;
  std::vector<ConnectionInfo> conns_;     // by first appearance
  std::vector<sim::Time> listed_max_;     // running maximum of conns_[..i].listed_until
  std::vector<std::string> state_names_;  // interned Connection events
  std::vector<bool> state_ends_;          // state_names_[k] ends a connection
  std::map<std::uint64_t, std::size_t> conn_index_;
  std::vector<std::size_t> table_rows_;
  MailModel mail_;
};

// A protocol engine's state change ("Greeting -> Ehlo"): recorded for testers, never a line
// that was sent, so not in a transcript and hidden in the event table by default.
bool is_session_state(const sim::Record& r);
// A line of a protocol session (a command or reply sent, or raw bytes of a scripted
// client): what a transcript lists as C:/S:.
bool is_protocol_line(const sim::Record& r);

// Short text of a TCP segment's flags or a datagram for the moving item.
std::string packet_label(const sim::Record& packet, PacketClass cls);

}  // namespace mailsim::gui
