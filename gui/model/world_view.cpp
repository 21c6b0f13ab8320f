// Builds the trace index once, then answers snapshots with binary searches.
#include "gui/model/world_view.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace mailsim::gui {

namespace {

std::string json_string(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool ends_connection(const std::string& event) {
  return event == "closed" || event == "timeout" || event == "refused" || event == "reset" ||
         event == "failed" || event == "no_route";
}

std::string strip_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

bool is_session_state(const sim::Record& r) {
  return r.is(sim::ProtoEvent::State);
}

bool is_protocol_line(const sim::Record& r) {
  return r.kind == sim::RecordKind::Protocol && r.proto_info().is_line();
}

std::string packet_label(const sim::Record& packet, PacketClass cls) {
  if (cls == PacketClass::TcpControl) {
    auto flags = packet.packet ? packet.packet->flag_names() : std::string();
    return flags.empty() ? std::string("TCP") : flags;
  }
  std::string name;
  switch (cls) {
    case PacketClass::Smtp: name = "SMTP"; break;
    case PacketClass::Pop3: name = "POP3"; break;
    case PacketClass::Imap: name = "IMAP"; break;
    case PacketClass::Dns: name = "DNS"; break;
    default: name = packet.protocol.empty() ? std::string("data") : packet.protocol.str(); break;
  }
  if (packet.packet) name += " " + std::to_string(packet.packet->bytes.size()) + " B";
  return name;
}

TraceModel::TraceModel(const sim::Scenario& scenario, const sim::Trace& trace, PaceSettings pace)
    : TraceModel(scenario, sim::Trace(trace), pace) {}

TraceModel::TraceModel(const sim::Scenario& scenario, sim::Trace&& trace, PaceSettings pace)
    : trace_(std::move(trace)), layout_(scenario) {
  // A simulator trace is already in (time, seq) order and is kept as it came; only a
  // hand-made one is copied and sorted (stably).
  const auto before = [](const sim::Record& a, const sim::Record& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  };
  if (!std::is_sorted(trace_.records().begin(), trace_.records().end(), before)) {
    sorted_ = trace_.records();
    std::stable_sort(sorted_.begin(), sorted_.end(), before);
    own_sorted_ = true;
    trace_ = sim::Trace{};
  }
  const auto& recs = records();
  times_.reserve(recs.size());
  for (const auto& r : recs) {
    times_.push_back(r.time);
    if (!r.protocol.empty() && std::find(protocols_.begin(), protocols_.end(), r.protocol) == protocols_.end())
      protocols_.push_back(r.protocol);
  }

  // Knots: every record, and every packet arrival (so flights are never a blink).
  std::vector<PaceKnot> knots;
  knots.reserve(recs.size() * 2);
  sim::Time end = recs.empty() ? 0 : recs.back().time;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    knots.push_back({recs[i].time, static_cast<long long>(i)});
    if (recs[i].kind == sim::RecordKind::Packet) {
      const auto arrive = recs[i].packet && recs[i].packet->path ? recs[i].packet->arrive : recs[i].time;
      if (arrive > recs[i].time) {
        knots.push_back({arrive, -1});
        end = std::max(end, arrive);
      }
    }
  }
  // Sort here (stable, by time, records before arrivals at the same time) so knot
  // indices are known; then drop arrivals that coincide with another knot.
  std::stable_sort(knots.begin(), knots.end(), [](const PaceKnot& a, const PaceKnot& b) {
    if (a.time != b.time) return a.time < b.time;
    return (a.record >= 0) > (b.record >= 0);
  });
  std::vector<PaceKnot> unique;
  unique.reserve(knots.size());
  for (const auto& k : knots) {
    if (k.record < 0 && !unique.empty() && unique.back().time == k.time) continue;
    unique.push_back(k);
  }
  record_knot_.assign(recs.size(), 0);
  for (std::size_t k = 0; k < unique.size(); ++k) {
    if (unique[k].record >= 0) record_knot_[static_cast<std::size_t>(unique[k].record)] = k;
  }
  pace_ = TeachingPace(std::move(unique), end, pace);
  mail_ = MailModel(scenario, recs);

  std::unordered_map<std::string, std::uint32_t> state_ids;
  auto intern = [&](const std::string& event) {
    auto [it, fresh] = state_ids.try_emplace(event, static_cast<std::uint32_t>(state_names_.size()));
    if (fresh) {
      state_names_.push_back(event);
      state_ends_.push_back(ends_connection(event));
    }
    return it->second;
  };
  table_rows_.clear();
  table_rows_.reserve(recs.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (!is_session_state(r)) table_rows_.push_back(i);
    if (r.kind == sim::RecordKind::Packet) add_packet(i);
    if (r.kind == sim::RecordKind::Policy) {
      const auto net = json_string(r.detail, "network");
      const Anchor at = layout_.network(net) ? layout_.anchor(net) : layout_.anchor(r.host);
      const double p = playback_of_record(i);
      const sim::Time until = std::max(r.time + 1, pace_.virtual_at(p + kBlockShownFor));
      blocks_.push_back({i, r.time, until, at});
      max_block_ = std::max(max_block_, until - r.time);
    }
    if (r.conn != 0 && (r.kind == sim::RecordKind::Connection || r.kind == sim::RecordKind::Tls ||
                        r.kind == sim::RecordKind::Protocol)) {
      auto [it, fresh] = conn_index_.try_emplace(r.conn, conns_.size());
      if (fresh) {
        ConnectionInfo ci;
        ci.conn = r.conn;
        ci.first = r.time;
        conns_.push_back(std::move(ci));
      }
      auto& ci = conns_[it->second];
      if (r.kind == sim::RecordKind::Connection) {
        if (ci.client.empty() && r.event == "connecting") {
          ci.client = r.host;
          ci.server = r.peer;
          ci.port = port_of(json_string(r.detail, "server")).value_or(0);
        }
        ci.state_records.push_back(i);
        ci.states.push_back({i, intern(r.event)});
      } else if (r.kind == sim::RecordKind::Tls) {
        ci.state_records.push_back(i);
        ci.states.push_back({i, ConnectionInfo::kTlsState});
      } else if (is_protocol_line(r)) {
        TranscriptLine line;
        line.record = i;
        // The event says which side sent it (a command or a client's bytes: the client).
        line.from_client = r.proto_info().from_client();
        line.text = strip_line_end(r.proto_info().wire_text());
        ci.lines.push_back(std::move(line));
      }
    }
  }

  // Until when each connection can be listed: a snapshot lists it while its last state shown
  // is open, or for kEndedShownFor after an ending one. Any state shown at t was recorded at
  // or before t, and a later one is shown at a later playback second, so the end of the
  // last state change bounds them all. The running maximum lets build() skip to the first
  // connection that can still be listed.
  constexpr sim::Time kForever = std::numeric_limits<sim::Time>::max();
  listed_max_.reserve(conns_.size());
  sim::Time running = std::numeric_limits<sim::Time>::min();
  for (auto& ci : conns_) {
    sim::Time until = ci.first;  // never listed without a Connection state
    const ConnectionInfo::StateChange* last = nullptr;
    for (const auto& sc : ci.states)
      if (sc.state != ConnectionInfo::kTlsState) last = &sc;
    if (last) {
      until = !state_ends_[last->state]
                  ? kForever
                  : std::max(recs[last->record].time,
                             pace_.virtual_at(playback_of_record(last->record) + kEndedShownFor));
    }
    ci.listed_until = until;
    running = std::max(running, until);
    listed_max_.push_back(running);
  }
  arrive_max_.reserve(packets_.size());
  sim::Time latest = std::numeric_limits<sim::Time>::min();
  for (const auto& pt : packets_) {
    latest = std::max(latest, pt.arrive);
    arrive_max_.push_back(latest);
  }
}

void TraceModel::add_packet(std::size_t i) {
  const auto& r = records()[i];
  PacketTrack pt;
  pt.record = i;
  pt.depart = r.time;
  const sim::PacketInfo& pk = *r.packet;
  pt.arrive = std::max(r.time + 1, pk.path ? pk.arrive : r.time + 1);
  pt.cls = classify_packet(r);
  pt.tls = pk.tls;
  pt.label = packet_label(r, pt.cls);
  const std::string blocked_by = pk.blocked_by;
  pt.blocked = !blocked_by.empty();

  std::vector<std::string> hops;
  if (pk.path) hops.assign(pk.path->begin(), pk.path->end());
  if (hops.empty()) {
    hops.push_back(r.host);
    if (!r.peer.empty()) hops.push_back(r.peer);
  }
  if (pt.blocked) {
    // The packet stops at the border of the network whose rule dropped it.
    for (std::size_t h = 0; h < hops.size(); ++h) {
      const auto* np = layout_.network(hops[h]);
      if (np && std::find(np->policy_ids.begin(), np->policy_ids.end(), blocked_by) != np->policy_ids.end()) {
        hops.resize(h + 1);
        break;
      }
    }
  }
  for (const auto& h : hops) {
    const Anchor a = layout_.anchor(h);
    if (a.kind == Anchor::Kind::None) continue;
    if (!pt.hops.empty() && pt.hops.back().kind == a.kind && pt.hops.back().index == a.index) continue;
    pt.hops.push_back(a);
  }
  if (pt.hops.empty()) return;
  packets_.push_back(std::move(pt));
}

std::optional<std::size_t> TraceModel::record_at(sim::Time t) const {
  auto it = std::upper_bound(times_.begin(), times_.end(), t);
  if (it == times_.begin()) return std::nullopt;
  return static_cast<std::size_t>(it - times_.begin()) - 1;
}

std::optional<std::size_t> TraceModel::record_at_playback(double p) const {
  long long k = pace_.knot_at(p);
  while (k >= 0 && pace_.knot(static_cast<std::size_t>(k)).record < 0) --k;
  if (k < 0) return std::nullopt;
  return static_cast<std::size_t>(pace_.knot(static_cast<std::size_t>(k)).record);
}

double TraceModel::playback_of_record(std::size_t i) const {
  return i < record_knot_.size() ? pace_.knot_start(record_knot_[i]) : pace_.duration();
}

std::optional<std::size_t> TraceModel::index_of_seq(std::uint64_t seq) const {
  // Records are sorted by (time, seq) and seq grows with time, so seq order is index order.
  const auto it = std::lower_bound(records().begin(), records().end(), seq,
                                   [](const sim::Record& r, std::uint64_t s) { return r.seq < s; });
  if (it != records().end() && it->seq == seq) return static_cast<std::size_t>(it - records().begin());
  // A trace written out of time order (hand-made, replayed): look everywhere.
  for (std::size_t i = 0; i < records().size(); ++i) {
    if (records()[i].seq == seq) return i;
  }
  return std::nullopt;
}

double TraceModel::playback_of_seq(std::uint64_t seq) const {
  const auto i = index_of_seq(seq);
  return i ? playback_of_record(*i) : 0.0;
}

WorldView TraceModel::view_at_playback(double p) const { return build(pace_.virtual_at(p), record_at_playback(p)); }

WorldView TraceModel::view_at(sim::Time t) const { return build(t, record_at(t)); }

WorldView TraceModel::build(sim::Time t, std::optional<std::size_t> current) const {
  WorldView v;
  v.time = t;
  v.current = current;
  if (current) v.acting_host = records()[*current].host;
  const std::size_t shown_upto = current ? *current : static_cast<std::size_t>(-1);
  auto happened = [&](std::size_t rec) { return current && rec <= shown_upto; };

  // Packets: departed (and shown) at or before t, not yet arrived. Their paths are looked
  // up here (a few hops each, for the packets in flight only), so they follow moves.
  std::vector<Vec2> points;
  std::vector<float> cumulative;  // distance from the start to each point
  auto last = std::upper_bound(packets_.begin(), packets_.end(), t,
                               [](sim::Time x, const PacketTrack& p) { return x < p.depart; });
  for (auto it = last; it != packets_.begin();) {
    --it;
    // Every packet departed at or before this one has arrived by t.
    if (arrive_max_[static_cast<std::size_t>(it - packets_.begin())] <= t) break;
    if (t >= it->arrive || !happened(it->record)) continue;
    const float f = static_cast<float>(static_cast<double>(t - it->depart) /
                                       static_cast<double>(it->arrive - it->depart));
    InFlight item;
    item.record = it->record;
    item.cls = it->cls;
    item.tls = it->tls;
    item.blocked = it->blocked;
    item.label = it->label;
    item.progress = f;
    points.clear();
    cumulative.clear();
    for (const auto& a : it->hops) {
      const Vec2 p = layout_.position(a);
      if (!points.empty() && length(p - points.back()) < 0.01f) continue;
      cumulative.push_back(points.empty() ? 0.0f : cumulative.back() + length(p - points.back()));
      points.push_back(p);
    }
    const float dist = f * cumulative.back();
    std::size_t seg = 1;
    while (seg + 1 < points.size() && cumulative[seg] < dist) ++seg;
    if (points.size() == 1) {
      item.pos = points[0];
    } else {
      const float a = cumulative[seg - 1];
      const float b = cumulative[seg];
      const float local = b > a ? (dist - a) / (b - a) : 0.0f;
      item.pos = lerp(points[seg - 1], points[seg], std::clamp(local, 0.0f, 1.0f));
      const Vec2 d = points[seg] - points[seg - 1];
      const float len = length(d);
      if (len > 0.0f) item.dir = d * (1.0f / len);
    }
    v.packets.push_back(std::move(item));
  }
  std::reverse(v.packets.begin(), v.packets.end());

  // Policy crosses shown for a short while after they fired.
  auto bl = std::upper_bound(blocks_.begin(), blocks_.end(), t,
                             [](sim::Time x, const BlockInfo& b) { return x < b.from; });
  for (auto it = bl; it != blocks_.begin();) {
    --it;
    if (it->from < t - max_block_) break;
    if (t >= it->until || !happened(it->record)) continue;
    const auto& r = records()[it->record];
    PolicyMark m;
    m.record = it->record;
    m.pos = layout_.position(it->at);
    m.rule = json_string(r.detail, "rule");
    m.network = json_string(r.detail, "network");
    m.age = static_cast<float>(static_cast<double>(t - it->from) / static_cast<double>(it->until - it->from));
    v.blocks.push_back(std::move(m));
  }
  std::reverse(v.blocks.begin(), v.blocks.end());

  // Connections: the last state shown so far, for those that can still be listed at t.
  auto from = std::lower_bound(listed_max_.begin(), listed_max_.end(), t);
  for (auto k = static_cast<std::size_t>(from - listed_max_.begin()); k < conns_.size(); ++k) {
    const auto& ci = conns_[k];
    if (ci.first > t) break;
    if (ci.listed_until < t) continue;
    bool tls = false;
    std::optional<std::size_t> last_state;
    std::uint32_t state = 0;
    for (const auto& sc : ci.states) {
      if (!happened(sc.record)) break;
      if (sc.state == ConnectionInfo::kTlsState) {
        tls = true;
      } else {
        state = sc.state;
        last_state = sc.record;
      }
    }
    if (!last_state) continue;
    const bool finished = state_ends_[state];
    if (finished) {
      const double ended = playback_of_record(*last_state);
      if (pace_.virtual_at(ended + kEndedShownFor) < t) continue;
    }
    ConnectionView cv;
    cv.conn = ci.conn;
    cv.client = ci.client;
    cv.server = ci.server;
    cv.port = ci.port;
    cv.state = state_names_[state];
    cv.tls = tls;
    cv.finished = finished;
    v.connections.push_back(std::move(cv));
  }
  v.mail = mail_.state_after(current);
  return v;
}

}  // namespace mailsim::gui
