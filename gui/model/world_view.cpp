// Builds the trace index once, then answers snapshots with binary searches.
#include "gui/model/world_view.hpp"

#include <algorithm>

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

std::string packet_label(const sim::Record& packet, PacketClass cls) {
  const auto& d = packet.detail;
  if (cls == PacketClass::TcpControl) {
    auto flags = json_string(d, "flags");
    return flags.empty() ? std::string("TCP") : flags;
  }
  std::string name;
  switch (cls) {
    case PacketClass::Smtp: name = "SMTP"; break;
    case PacketClass::Pop3: name = "POP3"; break;
    case PacketClass::Imap: name = "IMAP"; break;
    case PacketClass::Dns: name = "DNS"; break;
    default: name = packet.protocol.empty() ? std::string("data") : packet.protocol; break;
  }
  const auto len = d.value("len", std::int64_t{-1});
  if (len >= 0) name += " " + std::to_string(len) + " B";
  return name;
}

TraceModel::TraceModel(const sim::Scenario& scenario, const sim::Trace& trace, PaceSettings pace)
    : records_(trace.records()), layout_(scenario) {
  std::stable_sort(records_.begin(), records_.end(), [](const sim::Record& a, const sim::Record& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  });
  times_.reserve(records_.size());
  for (const auto& r : records_) times_.push_back(r.time);

  // Knots: every record, and every packet arrival (so flights are never a blink).
  std::vector<PaceKnot> knots;
  knots.reserve(records_.size() * 2);
  sim::Time end = records_.empty() ? 0 : records_.back().time;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    knots.push_back({records_[i].time, static_cast<long long>(i)});
    if (records_[i].kind == sim::RecordKind::Packet) {
      const auto arrive = records_[i].detail.value("arrive", records_[i].time);
      if (arrive > records_[i].time) {
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
  record_knot_.assign(records_.size(), 0);
  for (std::size_t k = 0; k < unique.size(); ++k) {
    if (unique[k].record >= 0) record_knot_[static_cast<std::size_t>(unique[k].record)] = k;
  }
  pace_ = TeachingPace(std::move(unique), end, pace);
  mail_ = MailModel(scenario, records_);

  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& r = records_[i];
    if (r.kind == sim::RecordKind::Packet) add_packet(i);
    if (r.kind == sim::RecordKind::Policy) {
      const auto net = json_string(r.detail, "network");
      const auto* np = layout_.network(net);
      Vec2 pos = np ? np->router : layout_.hop_position(r.host);
      const double p = playback_of_record(i);
      const sim::Time until = std::max(r.time + 1, pace_.virtual_at(p + kBlockShownFor));
      blocks_.push_back({i, r.time, until, pos});
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
      } else if (r.kind == sim::RecordKind::Tls) {
        ci.state_records.push_back(i);
      } else {
        TranscriptLine line;
        line.record = i;
        // The summary's own C:/S: prefix wins (a reply is also recorded where it is received).
        if (r.summary.rfind("C:", 0) == 0 || r.summary.rfind("S:", 0) == 0) {
          line.from_client = r.summary[0] == 'C';
        } else {
          line.from_client = ci.client.empty() || r.host == ci.client;
        }
        auto text = r.detail.contains("line") ? json_string(r.detail, "line")
                    : r.detail.contains("bytes") ? sim::unescape_bytes(json_string(r.detail, "bytes"))
                                                 : r.summary;
        if (!r.detail.contains("line") && !r.detail.contains("bytes") &&
            (text.rfind("C: ", 0) == 0 || text.rfind("S: ", 0) == 0)) {
          text = text.substr(3);
        }
        line.text = strip_line_end(std::move(text));
        ci.lines.push_back(std::move(line));
      }
    }
  }
}

void TraceModel::add_packet(std::size_t i) {
  const auto& r = records_[i];
  PacketTrack pt;
  pt.record = i;
  pt.depart = r.time;
  pt.arrive = std::max(r.time + 1, r.detail.value("arrive", r.time + 1));
  pt.cls = classify_packet(r);
  pt.tls = r.detail.value("tls", false);
  pt.label = packet_label(r, pt.cls);
  const auto blocked_by = json_string(r.detail, "blocked_by");
  pt.blocked = !blocked_by.empty();

  std::vector<std::string> hops;
  if (auto it = r.detail.find("path"); it != r.detail.end() && it->is_array()) {
    for (const auto& h : *it) {
      if (h.is_string()) hops.push_back(h.get<std::string>());
    }
  }
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
    if (!layout_.knows_hop(h)) continue;
    const Vec2 p = layout_.hop_position(h);
    if (!pt.points.empty() && length(p - pt.points.back()) < 0.01f) continue;
    pt.points.push_back(p);
  }
  if (pt.points.empty()) return;
  float total = 0.0f;
  pt.cumulative.push_back(0.0f);
  for (std::size_t k = 1; k < pt.points.size(); ++k) {
    total += length(pt.points[k] - pt.points[k - 1]);
    pt.cumulative.push_back(total);
  }
  max_flight_ = std::max(max_flight_, pt.arrive - pt.depart);
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
  const auto it = std::lower_bound(records_.begin(), records_.end(), seq,
                                   [](const sim::Record& r, std::uint64_t s) { return r.seq < s; });
  if (it != records_.end() && it->seq == seq) return static_cast<std::size_t>(it - records_.begin());
  // A trace written out of time order (hand-made, replayed): look everywhere.
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].seq == seq) return i;
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
  if (current) v.acting_host = records_[*current].host;
  const std::size_t shown_upto = current ? *current : static_cast<std::size_t>(-1);
  auto happened = [&](std::size_t rec) { return current && rec <= shown_upto; };

  // Packets: departed (and shown) at or before t, not yet arrived.
  auto last = std::upper_bound(packets_.begin(), packets_.end(), t,
                               [](sim::Time x, const PacketTrack& p) { return x < p.depart; });
  for (auto it = last; it != packets_.begin();) {
    --it;
    if (it->depart < t - max_flight_) break;
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
    const float dist = f * it->cumulative.back();
    std::size_t seg = 1;
    while (seg + 1 < it->points.size() && it->cumulative[seg] < dist) ++seg;
    if (it->points.size() == 1) {
      item.pos = it->points[0];
    } else {
      const float a = it->cumulative[seg - 1];
      const float b = it->cumulative[seg];
      const float local = b > a ? (dist - a) / (b - a) : 0.0f;
      item.pos = lerp(it->points[seg - 1], it->points[seg], std::clamp(local, 0.0f, 1.0f));
      const Vec2 d = it->points[seg] - it->points[seg - 1];
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
    const auto& r = records_[it->record];
    PolicyMark m;
    m.record = it->record;
    m.pos = it->pos;
    m.rule = json_string(r.detail, "rule");
    m.network = json_string(r.detail, "network");
    m.age = static_cast<float>(static_cast<double>(t - it->from) / static_cast<double>(it->until - it->from));
    v.blocks.push_back(std::move(m));
  }
  std::reverse(v.blocks.begin(), v.blocks.end());

  // Connections: the last state record shown so far.
  for (const auto& ci : conns_) {
    if (ci.first > t) break;
    ConnectionView cv;
    cv.conn = ci.conn;
    cv.client = ci.client;
    cv.server = ci.server;
    cv.port = ci.port;
    std::optional<std::size_t> last_state;
    for (auto rec : ci.state_records) {
      if (!happened(rec)) break;
      const auto& r = records_[rec];
      if (r.kind == sim::RecordKind::Tls) {
        cv.tls = true;
      } else {
        cv.state = r.event;
        last_state = rec;
      }
    }
    if (!last_state) continue;
    cv.finished = ends_connection(cv.state);
    if (cv.finished) {
      const double ended = playback_of_record(*last_state);
      if (pace_.virtual_at(ended + kEndedShownFor) < t) continue;
    }
    v.connections.push_back(std::move(cv));
  }
  v.mail = mail_.state_after(current);
  return v;
}

}  // namespace mailsim::gui
