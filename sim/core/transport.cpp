// TCP-like streams (handshake, MSS segments, ACKs, FIN/RST, SYN retries) and UDP datagrams.
#include "sim/core/transport.hpp"

#include <algorithm>
#include <cassert>
#include <deque>
#include <optional>

#include <fmt/format.h>

#include "protocols/common/cursor.hpp"

namespace mailsim::sim {
namespace {

// Names every TCP record carries, interned once.
const Name& tcp_name() {
  static const Name n("tcp");
  return n;
}

using namespace tcp_flags;

// TLS record content types and handshake message types (RFC 5246 section 6.2, 7.4).
constexpr std::uint8_t kTlsChangeCipher = 20;
constexpr std::uint8_t kTlsHandshake = 22;
constexpr std::uint8_t kTlsAppData = 23;
constexpr std::uint8_t kHsClientHello = 1;
constexpr std::uint8_t kHsServerHello = 2;
constexpr std::uint8_t kHsFinished = 20;
constexpr std::size_t kTlsMaxRecord = 16384;
constexpr std::size_t kTlsTagSize = 16;


// The keystream that stands in for a cipher: deterministic from the session key and the
// byte offset, so an observer's bytes look random and the receiver can undo them.
// Byte `offset` of the stream is byte (offset % 8) of the block (offset / 8); one block
// is computed per 8 bytes.
void apply_keystream(std::string& bytes, std::uint64_t key, std::uint64_t offset) {
  std::uint64_t block_no = UINT64_MAX;
  std::uint64_t block = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint64_t at = offset + i;
    if (at / 8 != block_no) {
      block_no = at / 8;
      block = Random(key ^ block_no * 0x9E3779B97F4A7C15ull).next();
    }
    bytes[i] = static_cast<char>(static_cast<std::uint8_t>(bytes[i]) ^ static_cast<std::uint8_t>(block >> ((at % 8) * 8)));
  }
}

// Handshake messages framed as RFC 5246 7.4 lays them out (type, 24-bit length, body), so
// a capture dissects them; their contents are stand-ins, not real cryptography.
std::string handshake_message(std::uint8_t type, std::string_view body) {
  std::string m;
  proto::put_u8(m, type);
  proto::put_u8(m, static_cast<std::uint8_t>(body.size() >> 16));
  proto::put_u16(m, static_cast<std::uint16_t>(body.size() & 0xFFFF));
  m.append(body);
  return m;
}

constexpr std::uint16_t kCipherSuite = 0xC02F;  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (named only)

// ClientHello (7.4.1.2): version, random, empty session id, one cipher suite, null
// compression, and the server_name extension (RFC 6066 3) naming the server.
std::string client_hello(std::string_view random, std::string_view server) {
  std::string b;
  proto::put_u16(b, 0x0303);
  b.append(random);
  proto::put_u8(b, 0);  // session id
  proto::put_u16(b, 2);
  proto::put_u16(b, kCipherSuite);
  proto::put_u8(b, 1);
  proto::put_u8(b, 0);  // compression: null
  const auto name = server.substr(0, 255);
  std::string sni;
  proto::put_u16(sni, static_cast<std::uint16_t>(name.size() + 3));  // server_name_list
  proto::put_u8(sni, 0);                                             // host_name
  proto::put_u16(sni, static_cast<std::uint16_t>(name.size()));
  sni.append(name);
  proto::put_u16(b, static_cast<std::uint16_t>(sni.size() + 4));  // extensions
  proto::put_u16(b, 0);                                           // server_name
  proto::put_u16(b, static_cast<std::uint16_t>(sni.size()));
  b += sni;
  return handshake_message(kHsClientHello, b);
}

// ServerHello (7.4.1.3): version, random, empty session id, the suite, null compression.
std::string server_hello(std::string_view random) {
  std::string b;
  proto::put_u16(b, 0x0303);
  b.append(random);
  proto::put_u8(b, 0);
  proto::put_u16(b, kCipherSuite);
  proto::put_u8(b, 0);
  return handshake_message(kHsServerHello, b);
}

}  // namespace

std::string_view to_string(SocketError e) {
  switch (e) {
    case SocketError::Refused: return "connection refused";
    case SocketError::TimedOut: return "connection timed out";
    case SocketError::Reset: return "connection reset by peer";
    case SocketError::NoRoute: return "no route to host";
    case SocketError::Aborted: return "connection aborted";
  }
  return "error";
}

enum class TlsState { None, ClientHelloSent, AwaitClientHello, AwaitClientFinished, AwaitServerFinished, Active };

struct TransportLayer::Side {
  std::string host;
  Name name;  // host, interned once for the records
  Endpoint ep;
  std::uint32_t isn = 0;
  std::uint32_t snd_nxt = 0;
  std::uint32_t rcv_nxt = 0;
  bool established = false;
  bool fin_sent = false;
  bool fin_received = false;
  Time next_departure = 0;
  SocketPtr socket;
  TlsState tls = TlsState::None;
  std::uint64_t tls_key = 0;
  std::uint64_t tls_out_offset = 0;
  std::uint64_t tls_in_offset = 0;
  std::string tls_in;  // wire bytes not yet forming a whole record
  // Retransmission (RFC 6298 in spirit: one timer, doubling, a limit of tries).
  struct Unacked {
    std::uint32_t seq = 0;
    std::uint8_t flags = 0;
    std::string wire;
  };
  std::deque<Unacked> unacked;  // sent (or about to leave), not yet acknowledged, in order
  std::uint32_t snd_una = 0;
  std::size_t unacked_bytes = 0;
  EventId rto_timer = 0;
  Time rto = 0;
  int retries = 0;          // retransmissions of the oldest unacknowledged segment
  bool recovering = false;  // after a timeout: resend the rest once the peer acknowledges again
  Time last_progress = 0;
  bool gone = false;        // this end forgot the connection (aborted, or its host went down)
  // The route of this end's last packet, interned in the trace once (the hops of a
  // connection's packets hardly ever change).
  std::vector<std::string> hops;
  const Hops* interned = nullptr;
  // The route towards the other end and the border policy that applies to it, as the network
  // was at `route_version` (Network::version()): looked up again only when the network
  // changed since (a link went down or up), not for every packet.
  bool route_known = false;
  std::uint64_t route_version = 0;
  std::optional<Path> route;
  std::optional<PolicyHit> route_hit;
  std::int64_t bandwidth = 0;  // of the narrowest link towards the other end (0: not known yet)
};

struct TransportLayer::Connection {
  std::uint64_t id = 0;
  Side side[2];
  int syn_tries = 0;
  EventId syn_timer = 0;
  Time started = 0;
  bool implicit_tls = false;
  bool accepted = false;
  bool done = false;
  std::string protocol_hint;
};

struct TransportLayer::Segment {
  std::uint64_t conn = 0;
  int from = 0;
  std::uint8_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::string wire;
  std::uint64_t epoch = 0;  // the sender's departures count when it left
};

// ---- TcpSocket -------------------------------------------------------------------------

void TcpSocket::send(std::string_view bytes) { tl_->app_send(conn_, side_, bytes); }
void TcpSocket::close() { tl_->app_close(conn_, side_); }
void TcpSocket::abort() { tl_->app_abort(conn_, side_); }
void TcpSocket::start_tls() { tl_->app_start_tls(conn_, side_); }

bool TcpSocket::tls_active() const {
  auto* c = tl_->find(conn_);
  return c && c->side[side_].tls == TlsState::Active;
}

bool TcpSocket::open() const {
  auto* c = tl_->find(conn_);
  return c && !c->done && !c->side[side_].fin_sent && !c->side[side_].gone;
}

std::size_t TcpSocket::unacked() const {
  auto* c = tl_->find(conn_);
  return c ? c->side[side_].unacked_bytes : 0;
}

Time TcpSocket::last_progress() const {
  auto* c = tl_->find(conn_);
  return c ? c->side[side_].last_progress : 0;
}

const std::string& TcpSocket::host() const {
  static const std::string none;
  auto* c = tl_->find(conn_);
  return c ? c->side[side_].host : none;
}
const std::string& TcpSocket::peer_host() const {
  static const std::string none;
  auto* c = tl_->find(conn_);
  return c ? c->side[1 - side_].host : none;
}
Endpoint TcpSocket::local() const {
  auto* c = tl_->find(conn_);
  return c ? c->side[side_].ep : Endpoint{};
}
Endpoint TcpSocket::remote() const {
  auto* c = tl_->find(conn_);
  return c ? c->side[1 - side_].ep : Endpoint{};
}

// ---- TransportLayer ----------------------------------------------------------------------

TransportLayer::TransportLayer(EventCore& core, Trace& trace, const Network& net, Random& rng, TransportSettings s)
    : core_(core), trace_(trace), net_(net), rng_(rng), settings_(s) {}

TransportLayer::~TransportLayer() = default;

TransportLayer::Connection* TransportLayer::find(std::uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

void TransportLayer::listen(const std::string& host, std::uint16_t port, AcceptFn accept, bool implicit_tls) {
  listeners_[{host, port}] = Listener{std::move(accept), implicit_tls};
}

void TransportLayer::unlisten(const std::string& host, std::uint16_t port) { listeners_.erase({host, port}); }

bool TransportLayer::listening(const std::string& host, std::uint16_t port) const {
  return listeners_.count({host, port}) > 0;
}

void TransportLayer::set_host_up(const std::string& host, bool up) {
  const bool was_up = host_up(host);
  down_[host] = up ? HostState::Up : HostState::Down;
  if (up || !was_up) return;
  ++epoch_[host];
  // The host forgets every connection it had; only its own apps learn of it.
  std::vector<std::uint64_t> ids;
  for (const auto& [id, c] : conns_)
    if (!c->done && (c->side[0].host == host || c->side[1].host == host)) ids.push_back(id);
  for (const auto id : ids) {
    for (int side = 0; side < 2; ++side) {
      Connection* c = find(id);
      if (!c || c->done || c->side[side].host != host || c->side[side].gone) continue;
      if (side == 1 && !c->side[1].established && !c->side[0].established) {
        c->side[1].isn = 0;  // only a SYN seen: a retried SYN starts afresh
        continue;
      }
      side_gone(*c, side, host + " went down", true);
    }
  }
}

void TransportLayer::set_host_offline(const std::string& host, bool offline) {
  if (offline && host_up(host)) ++epoch_[host];
  if (offline || down_[host] == HostState::Offline) down_[host] = offline ? HostState::Offline : HostState::Up;
}

bool TransportLayer::host_up(const std::string& host) const {
  if (down_.empty()) return true;  // no host ever went down or offline
  auto it = down_.find(host);
  return it == down_.end() || it->second == HostState::Up;
}

std::uint16_t TransportLayer::ephemeral_port(const std::string& host) {
  auto& p = next_port_[host];
  if (p < 49152) p = 49152;
  const std::uint16_t port = p;
  p = p == 65535 ? 49152 : static_cast<std::uint16_t>(p + 1);
  return port;
}

void TransportLayer::record_connection(const Connection& c, const std::string& event, const std::string& summary,
                                       nlohmann::json detail) {
  Record r;
  r.time = core_.now();
  r.kind = RecordKind::Connection;
  r.event = event;
  r.host = c.side[0].name;
  r.peer = c.side[1].name;
  r.conn = c.id;
  r.protocol = tcp_name();
  r.summary = summary;
  detail["client"] = c.side[0].ep.str();
  detail["server"] = c.side[1].ep.str();
  r.detail = std::move(detail);
  trace_.add(std::move(r));
}

SocketPtr TransportLayer::connect(const std::string& host, Endpoint to) {
  const HostInfo* h = net_.host(host);
  assert(h && "connect from an unknown host");
  auto c = std::make_unique<Connection>();
  c->id = ++next_conn_;
  c->started = core_.now();
  c->side[0].host = host;
  c->side[0].ep = Endpoint{h->ip, ephemeral_port(host)};
  c->side[0].isn = rng_.next_u32();
  c->side[0].snd_nxt = c->side[0].isn;
  const HostInfo* peer = net_.host_by_ip(to.ip);
  c->side[1].host = peer ? peer->id : to.ip.str();
  c->side[1].ep = to;
  c->side[0].name = c->side[0].host;
  c->side[1].name = c->side[1].host;
  auto sock = SocketPtr(new TcpSocket(this, c->id, 0));
  c->side[0].socket = sock;
  const std::uint64_t id = c->id;
  record_connection(*c, "connecting",
                    fmt::format("{} connects to {} port {}", host, c->side[1].host, to.port));
  conns_[id] = std::move(c);
  // The SYN leaves in its own event so the caller can set callbacks first.
  core_.schedule_in(0, [this, id] {
    if (auto* cc = find(id)) send_syn(*cc);
  });
  return sock;
}

void TransportLayer::send_syn(Connection& c) {
  ++c.syn_tries;
  const std::uint64_t id = c.id;
  transmit(id, 0, kSyn, c.side[0].isn, {});
  // Retransmit with exponential backoff until the connect timeout.
  Time rto = settings_.initial_rto;
  for (int i = 1; i < c.syn_tries; ++i) rto *= 2;
  const Time deadline = c.started + settings_.connect_timeout;
  const Time at = std::min(core_.now() + rto, deadline);
  c.syn_timer = core_.schedule_at(at, [this, id] { syn_timer(id); });
}

void TransportLayer::syn_timer(std::uint64_t id) {
  Connection* c = find(id);
  if (!c || c->side[0].established || c->done) return;
  if (core_.now() >= c->started + settings_.connect_timeout) {
    fail(*c, 0, SocketError::TimedOut,
         fmt::format("no answer to {} SYN(s) in {} s", c->syn_tries, settings_.connect_timeout / kSecond));
    return;
  }
  send_syn(*c);
}

void TransportLayer::queue_segment(Connection& c, int side, std::uint8_t flags, std::string wire) {
  Side& s = c.side[side];
  const std::uint32_t seq = s.snd_nxt;
  s.snd_nxt += static_cast<std::uint32_t>(wire.size());
  if (flags & kFin) s.snd_nxt += 1;
  if (!wire.empty() || (flags & kFin)) {
    if (s.unacked.empty()) s.last_progress = core_.now();
    s.unacked.push_back({seq, flags, wire});
    s.unacked_bytes += wire.size();
  }
  // Segments leave one after another at the narrowest link's rate, in order.
  // The narrowest link of a route never changes during a run (networks keep their bandwidth),
  // so it is looked up once per end, when the route exists.
  if (s.bandwidth == 0) {
    const auto path = net_.path(s.host, c.side[1 - side].ep.ip);
    if (path) s.bandwidth = path->bandwidth_bps > 0 ? path->bandwidth_bps : 100'000'000;
  }
  const std::int64_t bw = s.bandwidth > 0 ? s.bandwidth : 100'000'000;
  const Time departure = std::max(core_.now(), s.next_departure);
  const auto bits = static_cast<std::int64_t>((wire.size() + 40) * 8);
  s.next_departure = departure + std::max<Time>(1, bits * kSecond / bw);
  const std::uint64_t id = c.id;
  core_.schedule_at(departure, [this, id, side, flags, seq, w = std::move(wire)]() mutable {
    transmit(id, side, flags, seq, std::move(w));
  });
}

void TransportLayer::transmit(std::uint64_t id, int side, std::uint8_t flags, std::uint32_t seq, std::string wire) {
  Connection* c = find(id);
  if (!c) return;
  Side& s = c->side[side];
  Side& d = c->side[1 - side];
  if (s.gone && !(flags & kRst)) return;
  if (!(flags & kSyn) && (!wire.empty() || (flags & kFin)) && !s.gone) arm_rto(*c, side);
  if (!host_up(s.host)) return;  // a host that is down or offline sends nothing
  Segment seg{id, side, flags, seq, (flags & kSyn) && !(flags & kAck) ? 0u : s.rcv_nxt, std::move(wire),
              epoch_.empty() ? std::uint64_t{0} : epoch_[s.host]};
  if (!(flags & kSyn) || (flags & kAck)) seg.flags |= kAck;
  if (flags & kRst) seg.flags = static_cast<std::uint8_t>(kRst | kAck);

  Record r;
  r.time = core_.now();
  r.event = tcp_name();
  r.host = s.name;
  r.peer = d.name;
  r.conn = id;
  r.protocol = tcp_name();
  if (!s.route_known || s.route_version != net_.version()) {
    s.route = net_.path(s.host, d.ep.ip);
    s.route_hit = net_.check_policy(s.host, d.ep.ip, Transport::Tcp, d.ep.port);
    s.route_version = net_.version();
    s.route_known = true;
  }
  const std::optional<Path>& path = s.route;
  const bool cut = path && !path->cut.empty();  // a link on the way is down: the packet is lost there
  const std::optional<PolicyHit>& hit = s.route_hit;  // not reached when cut
  PacketInfo pk;
  pk.src = s.ep;
  pk.dst = d.ep;
  pk.flags = seg.flags;
  pk.seq = seg.seq;
  pk.ack = seg.ack;
  pk.bytes = seg.wire;
  pk.tls = s.tls == TlsState::Active || (s.tls != TlsState::None && !seg.wire.empty());
  if (path) {
    if (!s.interned || s.hops != path->hops) {
      s.hops = path->hops;
      s.interned = trace_.intern_path(s.hops);
    }
    pk.path = s.interned;
    pk.arrive = core_.now() + path->latency;
  }
  if (!path) {
    pk.lost = "no host has the address " + d.ep.ip.str();
  } else if (cut) {
    pk.lost = "the link of " + path->cut + " is down";
  } else if (hit) {
    pk.blocked_by = hit->rule->id;
  } else if (!host_up(d.host)) {
    pk.lost = d.host + " is down";
  }
  trace_.add_packet(std::move(r), pk);

  if (!path || cut) return;
  if (hit) {
    const bool reject = hit->rule->action == PolicyRule::Action::Reject;
    Record p;
    p.time = core_.now();
    p.kind = RecordKind::Policy;
    p.event = reject ? "reject" : "drop";
    p.host = s.host;
    p.peer = d.host;
    p.conn = id;
    p.protocol = "tcp";
    p.summary = fmt::format("{} {} TCP {} -> {} (rule {} of {})", reject ? "rejected" : "dropped",
                            tcp_flag_names(seg.flags), s.ep.str(), d.ep.str(), hit->rule->id, hit->network->id);
    p.detail = {{"rule", hit->rule->id}, {"network", hit->network->id}, {"description", hit->rule->description},
                {"dst_port", d.ep.port}, {"action", reject ? "reject" : "drop"}};
    trace_.add(std::move(p));
    if (reject && !(seg.flags & kRst)) {
      // The border answers with a RST in the destination's name, after a trip to the border.
      const NetworkInfo* n = net_.network(net_.host(s.host) ? net_.host(s.host)->network : "");
      const Time back = 2 * (n ? n->latency : kMilli);
      Segment rst{id, 1 - side, static_cast<std::uint8_t>(kRst | kAck), 0, seg.seq + 1, {}};
      core_.schedule_in(back, [this, rst] { arrive(rst); });
    }
    return;
  }
  if (!host_up(d.host)) return;
  core_.schedule_in(path->latency, [this, seg = std::move(seg)] { arrive(seg); });
}

void TransportLayer::arm_rto(Connection& c, int side) {
  Side& s = c.side[side];
  if (s.rto_timer) return;
  if (s.rto == 0) s.rto = settings_.initial_rto;
  const std::uint64_t id = c.id;
  s.rto_timer = core_.schedule_in(s.rto, [this, id, side] { rto_timer(id, side); });
}

void TransportLayer::rto_timer(std::uint64_t id, int side) {
  Connection* c = find(id);
  if (!c || c->done) return;
  Side& s = c->side[side];
  s.rto_timer = 0;
  if (s.gone || s.unacked.empty()) return;
  if (s.retries >= settings_.max_retransmissions) {
    side_gone(*c, side,
              fmt::format("no acknowledgement from {} after {} retransmissions ({} s)", c->side[1 - side].host,
                          s.retries, (core_.now() - s.last_progress) / kSecond),
              true);
    return;
  }
  ++s.retries;
  s.rto = std::min(s.rto * 2, settings_.max_rto);
  s.recovering = true;
  const auto first = s.unacked.front();  // the same seq as the original (RFC 9293 3.8.1)
  transmit(id, side, first.flags | (first.wire.empty() ? 0 : kPsh), first.seq, first.wire);
}

void TransportLayer::on_ack(Connection& c, int side, std::uint32_t ack) {
  Side& s = c.side[side];
  if (s.unacked.empty()) return;
  const auto ahead = static_cast<std::int32_t>(ack - s.snd_una);
  if (ahead <= 0 || static_cast<std::int32_t>(ack - s.snd_nxt) > 0) return;
  s.snd_una = ack;
  while (!s.unacked.empty()) {
    const auto& u = s.unacked.front();
    const std::uint32_t end = u.seq + static_cast<std::uint32_t>(u.wire.size()) + ((u.flags & kFin) ? 1u : 0u);
    if (static_cast<std::int32_t>(ack - end) < 0) break;
    s.unacked_bytes -= u.wire.size();
    s.unacked.pop_front();
  }
  s.last_progress = core_.now();
  s.retries = 0;
  s.rto = settings_.initial_rto;
  core_.cancel(s.rto_timer);
  s.rto_timer = 0;
  if (s.unacked.empty()) {
    s.recovering = false;
    return;
  }
  if (s.recovering) {
    // Go back N: whatever followed the lost segment was dropped by the receiver too.
    s.recovering = false;
    const std::uint64_t id = c.id;
    for (const auto& u : s.unacked) {
      const Time departure = std::max(core_.now(), s.next_departure);
      s.next_departure = departure + 1;
      core_.schedule_at(departure, [this, id, side, u] {
        Connection* cc = find(id);
        if (!cc || cc->done) return;
        const Side& ss = cc->side[side];
        if (static_cast<std::int32_t>(u.seq - ss.snd_una) < 0) return;  // acknowledged meanwhile
        transmit(id, side, u.flags | (u.wire.empty() ? 0 : kPsh), u.seq, u.wire);
      });
    }
  }
  arm_rto(c, side);
}

void TransportLayer::side_gone(Connection& c, int side, const std::string& why, bool tell_app) {
  Side& s = c.side[side];
  s.gone = true;
  core_.cancel(s.rto_timer);
  s.rto_timer = 0;
  s.unacked.clear();
  s.unacked_bytes = 0;
  if (side == 0 && !s.established) core_.cancel(c.syn_timer);
  record_connection(c, "aborted", fmt::format("{}: connection {} aborted ({})", s.host, c.id, why),
                    {{"reason", why}, {"side", side == 0 ? "client" : "server"}, {"host", s.host}});
  SocketPtr sock = std::exchange(s.socket, nullptr);
  const std::uint64_t id = c.id;
  const bool both = c.side[1 - side].gone || (side == 0 && !s.established);
  if (both) {
    c.done = true;
    core_.schedule_in(0, [this, id] { conns_.erase(id); });
  }
  if (tell_app && sock && sock->on_error) {
    auto fn = sock->on_error;  // the handler may clear itself
    fn(SocketError::Aborted, why);
  }
}

void TransportLayer::arrive(const Segment& seg) {
  Connection* c = find(seg.conn);
  if (!c || c->done) return;
  const int me = 1 - seg.from;
  Side& s = c->side[me];
  // In flight when its sender went down or offline, or its receiver is down now: lost.
  const std::string& from_host = c->side[seg.from].host;
  if (!down_.empty() && (!host_up(from_host) || epoch_[from_host] != seg.epoch || !host_up(s.host))) return;
  if (s.gone) {
    // This end forgot the connection (its host restarted): a RST tells the peer (RFC 9293 3.5.2).
    if (!(seg.flags & kRst)) transmit(c->id, me, kRst, seg.ack, {});
    return;
  }
  if (c->side[seg.from].gone && !(seg.flags & kRst)) return;

  if (seg.flags & kRst) {
    const bool refused = !s.established;
    if (refused) {
      fail(*c, me, SocketError::Refused, "RST in answer to SYN");
    } else {
      fail(*c, me, SocketError::Reset, "RST from the peer");
    }
    return;
  }

  if (seg.flags & kSyn) {
    if (me == 1 && !(seg.flags & kAck)) {
      // A SYN at the server.
      auto it = listeners_.find({s.host, s.ep.port});
      if (it == listeners_.end()) {
        s.rcv_nxt = seg.seq + 1;  // the RST acknowledges the SYN (RFC 9293 3.10.7.1)
        transmit(c->id, 1, kRst, 0, {});
        return;
      }
      if (s.isn == 0) {
        s.isn = rng_.next_u32() | 1u;
        s.snd_nxt = s.isn + 1;
        s.snd_una = s.snd_nxt;
        s.rcv_nxt = seg.seq + 1;
        c->implicit_tls = it->second.implicit_tls;
      }
      transmit(c->id, 1, kSyn | kAck, s.isn, {});
      return;
    }
    if (me == 0 && (seg.flags & kAck) && !s.established) {
      core_.cancel(c->syn_timer);
      s.established = true;
      s.snd_nxt = s.isn + 1;
      s.snd_una = s.snd_nxt;
      s.rcv_nxt = seg.seq + 1;
      transmit(c->id, 0, kAck, s.snd_nxt, {});
      record_connection(*c, "established",
                        fmt::format("{} connected to {} port {}", s.host, c->side[1].host, c->side[1].ep.port));
      if (s.socket && s.socket->on_connected) s.socket->on_connected();
    }
    return;
  }

  if ((seg.flags & kAck) && s.established) on_ack(*c, me, seg.ack);

  if (me == 1 && !s.established && (seg.flags & kAck)) {
    s.established = true;
    auto it = listeners_.find({s.host, s.ep.port});
    s.socket = SocketPtr(new TcpSocket(this, c->id, 1));
    if (c->implicit_tls) {
      s.tls = TlsState::AwaitClientHello;
    } else if (it != listeners_.end()) {
      c->accepted = true;
      it->second.accept(s.socket);
    }
  }

  if (!seg.wire.empty() || (seg.flags & kFin)) {
    if (seg.seq != c->side[me].rcv_nxt) {
      // A copy of what already arrived, or a segment after a lost one: acknowledge what we
      // have and let the sender retransmit (the receiver keeps no out-of-order data).
      transmit(c->id, me, kAck, c->side[me].snd_nxt, {});
      return;
    }
  }

  if (!seg.wire.empty()) {
    s.rcv_nxt += static_cast<std::uint32_t>(seg.wire.size());
    transmit(c->id, me, kAck, s.snd_nxt, {});
    on_stream_bytes(*c, me, seg.wire);
    c = find(seg.conn);
    if (!c || c->done || c->side[me].gone) return;
  }

  if (seg.flags & kFin) {
    Side& ss = c->side[me];
    ss.rcv_nxt += 1;
    ss.fin_received = true;
    transmit(c->id, me, kAck, ss.snd_nxt, {});
    if (ss.fin_sent) {
      finish(*c, "closed");
    } else if (ss.socket && ss.socket->on_peer_closed) {
      ss.socket->on_peer_closed();
    }
  }
}

void TransportLayer::on_stream_bytes(Connection& c, int side, std::string_view wire) {
  Side& s = c.side[side];
  if (s.tls == TlsState::None) {
    if (s.socket && s.socket->on_data) s.socket->on_data(wire);
    return;
  }
  s.tls_in.append(wire);
  tls_records(c, side);
}

void TransportLayer::send_tls_record(Connection& c, int side, std::uint8_t type, std::string_view body) {
  std::string rec;
  proto::put_u8(rec, type);
  proto::put_u16(rec, 0x0303);
  proto::put_u16(rec, static_cast<std::uint16_t>(body.size()));
  rec.append(body);
  // Handshake records go straight to the segmenter (they are not application data).
  for (std::size_t off = 0; off < rec.size(); off += settings_.mss)
    queue_segment(c, side, kPsh, rec.substr(off, settings_.mss));
}

void TransportLayer::tls_records(Connection& c, int side) {
  const std::uint64_t id = c.id;
  for (;;) {
    Connection* cc = find(id);
    if (!cc || cc->done) return;
    Side& s = cc->side[side];
    if (s.tls_in.size() < 5) return;
    proto::Cursor cur(s.tls_in);
    const std::uint8_t type = cur.u8();
    cur.u16();
    const std::uint16_t len = cur.u16();
    if (s.tls_in.size() < 5u + len) return;
    std::string body = s.tls_in.substr(5, len);
    s.tls_in.erase(0, 5u + len);
    const std::uint8_t hs = body.empty() ? 0 : static_cast<std::uint8_t>(body[0]);
    if (type == kTlsHandshake && hs == kHsClientHello && s.tls == TlsState::AwaitClientHello) {
      s.tls_key = rng_.next();
      cc->side[1 - side].tls_key = s.tls_key;
      std::string random;
      for (int i = 0; i < 32; ++i) random += static_cast<char>(rng_.next() & 0xFF);
      send_tls_record(*cc, side, kTlsHandshake, server_hello(random));
      s.tls = TlsState::AwaitClientFinished;
    } else if (type == kTlsHandshake && hs == kHsServerHello && s.tls == TlsState::ClientHelloSent) {
      send_tls_record(*cc, side, kTlsChangeCipher, std::string(1, '\1'));
      std::string verify;
      for (int i = 0; i < 12; ++i) verify += static_cast<char>(rng_.next() & 0xFF);
      send_tls_record(*cc, side, kTlsHandshake, handshake_message(kHsFinished, verify));
      s.tls = TlsState::AwaitServerFinished;
    } else if (type == kTlsChangeCipher) {
      // Nothing to do: the Finished that follows completes the handshake.
    } else if (type == kTlsHandshake && hs == kHsFinished && s.tls == TlsState::AwaitClientFinished) {
      send_tls_record(*cc, side, kTlsChangeCipher, std::string(1, '\1'));
      std::string verify;
      for (int i = 0; i < 12; ++i) verify += static_cast<char>(rng_.next() & 0xFF);
      send_tls_record(*cc, side, kTlsHandshake, handshake_message(kHsFinished, verify));
      tls_established(*cc, side);
    } else if (type == kTlsHandshake && hs == kHsFinished && s.tls == TlsState::AwaitServerFinished) {
      tls_established(*cc, side);
    } else if (type == kTlsAppData && s.tls == TlsState::Active && body.size() >= kTlsTagSize) {
      const Side& peer = cc->side[1 - side];
      std::string plain = body.substr(0, body.size() - kTlsTagSize);
      apply_keystream(plain, peer.tls_key ^ 0x5A5A, s.tls_in_offset);
      s.tls_in_offset += plain.size();
      if (s.socket && s.socket->on_data) s.socket->on_data(plain);
    } else {
      // Not a record this handshake expects: a real stack would send an alert and close.
      Record r;
      r.time = core_.now();
      r.kind = RecordKind::Tls;
      r.event = "alert";
      r.host = s.host;
      r.peer = cc->side[1 - side].host;
      r.conn = id;
      r.protocol = "tls";
      r.summary = "unexpected TLS record: handshake failure";
      trace_.add(std::move(r));
      app_abort(id, side);
      return;
    }
  }
}

void TransportLayer::tls_established(Connection& c, int side) {
  Side& s = c.side[side];
  s.tls = TlsState::Active;
  s.tls_out_offset = 0;
  s.tls_in_offset = 0;
  Record r;
  r.time = core_.now();
  r.kind = RecordKind::Tls;
  r.event = "established";
  r.host = s.name;
  r.peer = c.side[1 - side].name;
  r.conn = c.id;
  r.protocol = "tls";
  r.summary = fmt::format("{}: TLS established with {} (TLS 1.2 simulated)", s.host, r.peer);
  r.detail = {{"side", side == 0 ? "client" : "server"}};
  trace_.add(std::move(r));
  if (side == 1 && c.implicit_tls && !c.accepted) {
    c.accepted = true;
    auto it = listeners_.find({s.host, s.ep.port});
    if (it != listeners_.end()) it->second.accept(s.socket);
    return;
  }
  if (s.socket && s.socket->on_tls_ready) s.socket->on_tls_ready();
}

void TransportLayer::app_send(std::uint64_t id, int side, std::string_view bytes) {
  Connection* c = find(id);
  if (!c || c->done || bytes.empty()) return;
  Side& s = c->side[side];
  if (s.fin_sent || !s.established || s.gone) return;
  if (s.tls == TlsState::Active) {
    for (std::size_t off = 0; off < bytes.size(); off += kTlsMaxRecord) {
      const auto chunk = bytes.substr(off, kTlsMaxRecord);
      std::string body(chunk);
      apply_keystream(body, s.tls_key ^ 0x5A5A, s.tls_out_offset);
      s.tls_out_offset += chunk.size();
      for (std::size_t i = 0; i < kTlsTagSize; ++i) body += static_cast<char>(rng_.next() & 0xFF);
      std::string rec;
      proto::put_u8(rec, kTlsAppData);
      proto::put_u16(rec, 0x0303);
      proto::put_u16(rec, static_cast<std::uint16_t>(body.size()));
      rec += body;
      for (std::size_t o = 0; o < rec.size(); o += settings_.mss) queue_segment(*c, side, kPsh, rec.substr(o, settings_.mss));
    }
    return;
  }
  for (std::size_t off = 0; off < bytes.size(); off += settings_.mss)
    queue_segment(*c, side, kPsh, std::string(bytes.substr(off, settings_.mss)));
}

void TransportLayer::app_close(std::uint64_t id, int side) {
  Connection* c = find(id);
  if (!c || c->done || c->side[side].gone) return;
  Side& s = c->side[side];
  if (!s.established) {
    // Closing before the handshake finished: give up quietly.
    core_.cancel(c->syn_timer);
    finish(*c, "aborted");
    return;
  }
  if (s.fin_sent) return;
  s.fin_sent = true;
  queue_segment(*c, side, kFin, {});
}

void TransportLayer::app_abort(std::uint64_t id, int side) {
  Connection* c = find(id);
  if (!c || c->done || c->side[side].gone) return;
  if (c->side[side].established && (!host_up(c->side[side].host) || !host_up(c->side[1 - side].host))) {
    // The RST cannot reach the peer: only this end forgets the connection; the peer finds
    // out later (its own timers, or a RST when it sends again).
    SocketPtr own = c->side[side].socket;
    side_gone(*c, side, c->side[side].host + " gave up on the connection", false);
    if (own && own->on_closed) own->on_closed();
    return;
  }
  if (c->side[side].established) transmit(id, side, kRst, c->side[side].snd_nxt, {});
  finish(*c, "reset");
}

void TransportLayer::app_start_tls(std::uint64_t id, int side) {
  Connection* c = find(id);
  if (!c || c->done) return;
  Side& s = c->side[side];
  if (s.tls != TlsState::None) return;
  if (side == 0) {
    s.tls = TlsState::ClientHelloSent;
    std::string random;
    for (int i = 0; i < 32; ++i) random += static_cast<char>(rng_.next() & 0xFF);
    send_tls_record(*c, side, kTlsHandshake, client_hello(random, c->side[1].host));
  } else {
    s.tls = TlsState::AwaitClientHello;
    if (!s.tls_in.empty()) tls_records(*c, side);
  }
}

void TransportLayer::fail(Connection& c, int side, SocketError e, const std::string& why) {
  const char* event = e == SocketError::Refused   ? "refused"
                      : e == SocketError::TimedOut ? "timeout"
                      : e == SocketError::NoRoute  ? "no_route"
                                                   : "reset";
  record_connection(c, event, fmt::format("{}: {} ({})", c.side[side].host, to_string(e), why),
                    {{"error", std::string(to_string(e))}, {"reason", why}, {"side", side == 0 ? "client" : "server"}});
  c.done = true;
  core_.cancel(c.syn_timer);
  for (auto& sd : c.side) core_.cancel(sd.rto_timer);
  SocketPtr a = c.side[side].socket;
  SocketPtr b = c.side[1 - side].socket;
  const std::uint64_t id = c.id;
  if (a && a->on_error) a->on_error(e, why);
  if (e == SocketError::Reset && b && b->on_closed) b->on_closed();
  conns_.erase(id);
}

void TransportLayer::finish(Connection& c, const std::string& why) {
  if (c.done) return;
  c.done = true;
  for (auto& sd : c.side) core_.cancel(sd.rto_timer);
  record_connection(c, why, fmt::format("connection {} between {} and {} {}", c.id, c.side[0].host, c.side[1].host, why));
  SocketPtr a = c.side[0].socket;
  SocketPtr b = c.side[1].socket;
  const std::uint64_t id = c.id;
  // Drop the connection after the callbacks, in a later event, so callers can still ask
  // their socket questions while being told.
  if (a && a->on_closed) a->on_closed();
  if (b && b->on_closed) b->on_closed();
  core_.schedule_in(0, [this, id] { conns_.erase(id); });
}

// ---- UDP ---------------------------------------------------------------------------------

void TransportLayer::udp_bind(const std::string& host, std::uint16_t port, DatagramFn fn) {
  udp_[{host, port}] = std::move(fn);
}

std::uint16_t TransportLayer::udp_bind_ephemeral(const std::string& host, DatagramFn fn) {
  std::uint16_t port = ephemeral_port(host);
  while (udp_.count({host, port})) port = ephemeral_port(host);
  udp_bind(host, port, std::move(fn));
  return port;
}

void TransportLayer::udp_unbind(const std::string& host, std::uint16_t port) { udp_.erase({host, port}); }

void TransportLayer::udp_send(const std::string& host, std::uint16_t src_port, Endpoint to, std::string_view bytes,
                              const std::string& protocol) {
  const HostInfo* h = net_.host(host);
  assert(h);
  if (!host_up(host)) return;  // a host that is down or offline sends nothing
  const Endpoint from{h->ip, src_port};
  const HostInfo* dh = net_.host_by_ip(to.ip);
  const auto path = net_.path(host, to.ip);
  const bool cut = path && !path->cut.empty();
  const auto hit = net_.check_policy(host, to.ip, Transport::Udp, to.port);  // not reached when cut
  Record r;
  r.time = core_.now();
  r.event = "udp";
  r.host = host;
  r.peer = dh ? dh->id : to.ip.str();
  r.protocol = protocol;
  PacketInfo pk;
  pk.udp = true;
  pk.src = from;
  pk.dst = to;
  pk.bytes = bytes;
  if (path) {
    pk.path = trace_.intern_path(path->hops);
    pk.arrive = core_.now() + path->latency;
  } else {
    pk.lost = "no host has the address " + to.ip.str();
  }
  if (hit && !cut) pk.blocked_by = hit->rule->id;
  if (dh && !host_up(dh->id)) pk.lost = dh->id + " is down";
  if (cut) pk.lost = "the link of " + path->cut + " is down";
  trace_.add_packet(std::move(r), pk);
  if (!path || cut || hit || !dh || !host_up(dh->id)) {
    if (hit && !cut) {
      Record p;
      p.time = core_.now();
      p.kind = RecordKind::Policy;
      p.event = "drop";
      p.host = host;
      p.peer = dh ? dh->id : "";
      p.protocol = protocol;
      p.summary = fmt::format("dropped UDP {} -> {} (rule {})", from.str(), to.str(), hit->rule->id);
      p.detail = {{"rule", hit->rule->id}, {"network", hit->network->id}, {"dst_port", to.port}, {"action", "drop"}};
      trace_.add(std::move(p));
    }
    return;
  }
  const std::string dst_host = dh->id;
  core_.schedule_in(path->latency, [this, dst_host, from, to, data = std::string(bytes)] {
    if (!host_up(dst_host)) return;
    auto it = udp_.find({dst_host, to.port});
    if (it == udp_.end()) return;  // port closed: the datagram is discarded
    auto fn = it->second;          // the handler may unbind itself
    fn(from, data);
  });
}

}  // namespace mailsim::sim
