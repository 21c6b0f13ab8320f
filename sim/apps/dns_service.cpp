// DNS servers (authoritative and recursive, over UDP and TCP with EDNS(0)) and stub resolvers.
#include "sim/apps/dns_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "protocols/dns/presentation.hpp"
#include "sim/faults/dns_faults.hpp"

namespace mailsim::sim {

dns::Ipv4Address to_dns(Ipv4 ip) {
  return {static_cast<std::uint8_t>(ip.value >> 24), static_cast<std::uint8_t>(ip.value >> 16),
          static_cast<std::uint8_t>(ip.value >> 8), static_cast<std::uint8_t>(ip.value)};
}

Ipv4 from_dns(const dns::Ipv4Address& a) {
  return Ipv4{(std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) | a[3]};
}

std::string describe(const dns::Resolution& r) {
  std::string q = dns::type_name(r.qtype) + "? " + r.qname.to_string_no_dot() + " -> ";
  switch (r.outcome) {
    case dns::Resolution::Outcome::NxDomain: return q + "NXDOMAIN (no such domain)";
    case dns::Resolution::Outcome::NoData: return q + "NODATA (the name exists, without that type)";
    case dns::Resolution::Outcome::ServFail: return q + "SERVFAIL" + (r.reason.empty() ? "" : " (" + r.reason + ")");
    case dns::Resolution::Outcome::Answer: break;
  }
  std::string out;
  for (const auto& rec : r.answers) {
    if (!out.empty()) out += ", ";
    if (rec.type == dns::Type::CNAME) out += "CNAME ";
    out += dns::rdata_to_string(rec, false);
  }
  return q + out;
}

namespace {

// A DNS record being written (add its typed()); `fill` sets the typed fields.
template <class Fill>
DnsRecord dns_record(const std::string& host, const std::string& peer, DnsEvent event, std::string summary,
                     Fill&& fill) {
  DnsRecord out;
  out.record.host = host;
  out.record.peer = peer;
  out.record.protocol = "dns";
  out.record.summary = std::move(summary);
  out.info.event = event;
  fill(out);
  return out;
}

void record_dns(Simulation& sim, DnsRecord rec) { sim.record(rec.typed()); }

// What went wrong, as `error`.
auto with_error(std::string error) {
  return [error = std::move(error)](DnsRecord& d) {
    d.error = error;
    d.info.set(DnsInfo::kError);
  };
}

std::string peer_name(Simulation& sim, Ipv4 ip) {
  const HostInfo* h = sim.network().host_by_ip(ip);
  return h ? h->id : ip.str();
}

// The fields every DNS message record has: its id, the question, the header bits, the records.
void message_fields(DnsRecord& out, const dns::Message& m) {
  using D = DnsInfo;
  auto& d = out.info;
  d.id = m.header.id;
  d.set(D::kId);
  if (!m.questions.empty()) {
    d.qname = m.questions[0].name.to_string_no_dot();
    d.qtype = dns::type_name(m.questions[0].type);
    d.set(D::kQname).set(D::kQtype);
  }
  if (m.header.qr) {
    d.rcode = dns::rcode_name(m.header.rcode);
    d.aa = m.header.aa;
    d.set(D::kRcode).set(D::kAa).set(D::kAnswers);
    for (const auto& r : m.answers) out.answers.push_back(dns::to_string(r));
    for (const auto& r : m.authority) out.authority.push_back(dns::to_string(r));
    if (!out.authority.empty()) d.set(D::kAuthority);
  }
  d.rd = m.header.rd;
  d.set(D::kRd);
}

const char* outcome_name(dns::Resolution::Outcome o) {
  switch (o) {
    case dns::Resolution::Outcome::Answer: return "NOERROR";
    case dns::Resolution::Outcome::NxDomain: return "NXDOMAIN";
    case dns::Resolution::Outcome::NoData: return "NODATA";
    case dns::Resolution::Outcome::ServFail: return "SERVFAIL";
  }
  return "SERVFAIL";
}

}  // namespace

// ---- DnsServerApp ------------------------------------------------------------------------

struct DnsServerApp::Pending {
  ReplyTo client;
  dns::Message query;
  dns::EdnsRequest edns;
  std::unique_ptr<dns::Resolver> resolver;
  std::uint16_t port = 0;
  EventId timer = 0;
  SocketPtr upstream;                      // a TCP connection to a server whose UDP answer was truncated
  dns::TcpMessageReader upstream_reader;   // its answer, unframed
};

struct DnsServerApp::TcpConn {
  SocketPtr sock;
  dns::TcpMessageReader reader;
  std::size_t in_flight = 0;  // questions waiting for a recursive answer
  EventId idle_timer = 0;
  bool closing = false;
};

DnsServerApp::DnsServerApp(std::string host, DnsServerConfig config) : App(std::move(host)), config_(std::move(config)) {}
DnsServerApp::~DnsServerApp() = default;

void DnsServerApp::start(Simulation& sim) {
  sim_ = &sim;
  sim.transport().udp_bind(host(), kDnsPort, [this](Endpoint from, std::string_view bytes) {
    on_query(ReplyTo{from.ip, false, from, 0}, bytes);
  });
  sim.transport().listen(host(), kDnsPort, [this](SocketPtr sock) { on_tcp_accept(std::move(sock)); });
}

bool DnsServerApp::change_zone(const dns::Name& origin, const std::vector<dns::Record>& remove,
                               const std::vector<dns::Record>& add) {
  for (auto& z : config_.zones) {
    if (z.origin != origin) continue;
    for (const auto& r : remove)
      z.records.erase(std::remove_if(z.records.begin(), z.records.end(),
                                     [&](const dns::Record& x) {
                                       return x.name == r.name && x.type == r.type && x.rclass == r.rclass &&
                                              x.data == r.data;
                                     }),
                      z.records.end());
    for (const auto& r : add) z.records.push_back(r);
    if (auto* soa = std::get_if<dns::SoaData>(&z.soa.data)) ++soa->serial;
    return true;
  }
  return false;
}

bool DnsServerApp::serves(const dns::Name& name) const {
  for (const auto& z : config_.zones)
    if (name.is_subdomain_of(z.origin)) return true;
  return false;
}

// ---- TCP (RFC 7766) ------------------------------------------------------------------------

void DnsServerApp::on_tcp_accept(SocketPtr sock) {
  const std::uint64_t id = sock->id();
  auto conn = std::make_unique<TcpConn>();
  conn->sock = sock;
  // The callbacks find the connection by id: the socket never owns itself.
  sock->on_data = [this, id](std::string_view bytes) { on_tcp_data(id, bytes); };
  sock->on_peer_closed = [this, id] {
    auto it = tcp_.find(id);
    if (it == tcp_.end()) return;
    it->second->closing = true;
    if (it->second->in_flight == 0) it->second->sock->close();  // else after the last answer
  };
  sock->on_closed = [this, id] { drop_tcp(id); };
  sock->on_error = [this, id](SocketError, const std::string&) { drop_tcp(id); };
  tcp_[id] = std::move(conn);
  arm_tcp_idle(id);
}

void DnsServerApp::drop_tcp(std::uint64_t id) {
  auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  sim_->core().cancel(it->second->idle_timer);
  // Freed in a later event: this may run inside the socket's own callback.
  std::shared_ptr<TcpConn> gone(it->second.release());
  tcp_.erase(it);
  sim_->core().schedule_in(0, [gone] {
    gone->sock->on_data = nullptr;
    gone->sock->on_peer_closed = nullptr;
    gone->sock->on_closed = nullptr;
    gone->sock->on_error = nullptr;
  });
}

void DnsServerApp::arm_tcp_idle(std::uint64_t id) {
  auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  sim_->core().cancel(it->second->idle_timer);
  it->second->idle_timer = sim_->core().schedule_in(kTcpIdle, [this, id] {
    auto i = tcp_.find(id);
    if (i == tcp_.end() || i->second->in_flight > 0) return;
    i->second->sock->close();
  });
}

void DnsServerApp::on_tcp_data(std::uint64_t id, std::string_view bytes) {
  auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  TcpConn& c = *it->second;
  const Ipv4 peer = c.sock->remote().ip;
  c.reader.feed(bytes);
  arm_tcp_idle(id);
  while (auto message = c.reader.next()) {
    if (c.in_flight >= kMaxTcpInFlight) {
      record_dns(*sim_, dns_record(host(), peer_name(*sim_, peer), DnsEvent::Malformed,
                                   "more than " + std::to_string(kMaxTcpInFlight) +
                                       " questions waiting on one TCP connection: connection closed",
                                   [](DnsRecord& d) {
                                     with_error("too many questions in flight")(d);
                                     d.info.transport = "tcp";
                                     d.info.set(DnsInfo::kTransport);
                                   }));
      c.sock->abort();
      return;
    }
    on_query(ReplyTo{peer, true, {}, id}, *message);
    if (tcp_.find(id) == tcp_.end()) return;
  }
  if (c.reader.failed()) {
    // The stream lost its framing: nothing after this point can be read (RFC 7766 8).
    record_dns(*sim_, dns_record(host(), peer_name(*sim_, peer), DnsEvent::Malformed, "DNS over TCP: " + c.reader.error(),
                                 [&](DnsRecord& d) {
                                   with_error(c.reader.error())(d);
                                   d.info.transport = "tcp";
                                   d.info.set(DnsInfo::kTransport);
                                 }));
    c.sock->abort();
  }
}

// ---- answering -----------------------------------------------------------------------------

void DnsServerApp::send_bytes(const ReplyTo& to, const std::string& bytes) {
  if (!to.tcp) {
    sim_->transport().udp_send(host(), kDnsPort, to.udp, bytes, "dns");
    return;
  }
  auto it = tcp_.find(to.conn);
  if (it == tcp_.end() || !it->second->sock->open()) return;  // the client went away
  it->second->sock->send(dns::frame_tcp(bytes));
}

void DnsServerApp::reply(const ReplyTo& to, dns::Message response, const dns::EdnsRequest& edns,
                         const std::string& role) {
  if (!response.questions.empty()) {  // the fault plan (sim/faults): drop, SERVFAIL or hold the answer
    const auto& q = response.questions.front();
    const auto v = faults::check_dns(*sim_, host(), peer_name(*sim_, to.peer), q.name.to_string_no_dot(),
                                     dns::type_name(q.type), to.tcp);
    if (v.drop) return;
    if (v.servfail) faults::make_servfail(response);
    if (v.delay > 0) {
      sim_->core().schedule_in(v.delay, [this, to, response, edns, role] { answer_now(to, response, edns, role); });
      return;
    }
  }
  answer_now(to, std::move(response), edns, role);
}

void DnsServerApp::answer_now(const ReplyTo& to, dns::Message response, const dns::EdnsRequest& edns,
                              const std::string& role) {
  dns::apply_edns(edns, response);
  const std::string bytes = dns::encode_response(edns, response, to.tcp);
  const bool truncated = bytes.size() >= dns::kHeaderSize && (static_cast<unsigned char>(bytes[2]) & 0x02) != 0;
  record_dns(*sim_, dns_record(host(), peer_name(*sim_, to.peer), DnsEvent::Response,
                               "answers " + dns::summary(response) + (truncated ? " (truncated: TC set)" : ""),
                               [&](DnsRecord& out) {
                                 using D = DnsInfo;
                                 message_fields(out, response);
                                 auto& d = out.info;
                                 d.role = role;
                                 d.set(D::kRole);
                                 if (to.tcp) d.transport = "tcp", d.set(D::kTransport);
                                 if (truncated) d.tc = true, d.set(D::kTc);
                                 if (edns.status != dns::EdnsRequest::Status::Absent) d.edns = true, d.set(D::kEdns);
                               }));
  send_bytes(to, bytes);
}

void DnsServerApp::on_query(const ReplyTo& from, std::string_view bytes) {
  const auto decoded = dns::decode(bytes);
  const std::string peer = peer_name(*sim_, from.peer);
  if (!decoded.ok()) {
    record_dns(*sim_, dns_record(host(), peer, DnsEvent::Malformed, "malformed DNS query: " + decoded.error,
                                 with_error(decoded.error)));
    if (auto answer = dns::answer_packet(config_.zones, bytes, from.tcp)) send_bytes(from, *answer);
    return;
  }
  const dns::Message& q = *decoded.message;
  if (q.header.qr) return;  // a response sent to a server port: ignore it
  const dns::EdnsRequest edns = dns::read_edns(q);
  record_dns(*sim_, dns_record(host(), peer, DnsEvent::Query, "query from " + peer + ": " + dns::summary(q),
                               [&](DnsRecord& out) {
                                 using D = DnsInfo;
                                 message_fields(out, q);
                                 auto& d = out.info;
                                 if (from.tcp) d.transport = "tcp", d.set(D::kTransport);
                                 if (edns.status != dns::EdnsRequest::Status::Absent) {
                                   d.edns_udp_size = edns.edns.udp_size;
                                   d.edns_version = edns.edns.version;
                                   d.set(D::kEdnsUdpSize).set(D::kEdnsVersion);
                                 }
                               }));
  if (edns.status == dns::EdnsRequest::Status::FormErr || edns.status == dns::EdnsRequest::Status::BadVers) {
    const bool formerr = edns.status == dns::EdnsRequest::Status::FormErr;
    record_dns(*sim_, dns_record(host(), peer, DnsEvent::Malformed,
                                 formerr ? "EDNS: " + edns.error + " (FORMERR)"
                                         : "EDNS version " + std::to_string(edns.edns.version) + " is not 0 (BADVERS)",
                                 with_error(formerr ? edns.error : std::string("BADVERS"))));
    reply(from, dns::answer(config_.zones, q), edns, config_.recursive ? "recursive" : "authoritative");
    return;
  }
  const bool recurse = config_.recursive && q.header.rd && q.questions.size() == 1 && !serves(q.questions[0].name);
  if (!recurse) {
    dns::Message response = dns::answer(config_.zones, q);
    if (config_.recursive) response.header.ra = true;
    if (config_.recursive && q.questions.size() == 1 && !serves(q.questions[0].name) &&
        config_.root_hints.empty()) {
      // A resolver with no root to ask: everything it does not know does not exist.
      response.header.rcode = dns::Rcode::NXDomain;
      response.header.aa = false;
    }
    reply(from, response, edns, config_.recursive ? "recursive" : "authoritative");
    return;
  }
  if (config_.root_hints.empty()) {
    dns::Message response = dns::answer(config_.zones, q);
    response.header.ra = true;
    response.header.aa = false;
    response.header.rcode = dns::Rcode::NXDomain;
    response.authority.clear();
    reply(from, response, edns, "recursive");
    return;
  }
  auto p = std::make_unique<Pending>();
  p->client = from;
  p->query = q;
  p->edns = edns;
  dns::ResolverConfig rc;
  rc.root_hints = config_.root_hints;
  rc.id_seed = sim_->random().next_u32();
  p->resolver = std::make_unique<dns::Resolver>(rc, cache_);
  const std::uint64_t id = ++next_pending_;
  p->port = sim_->transport().udp_bind_ephemeral(host(), [this, id](Endpoint f, std::string_view b) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    sim_->core().cancel(it->second->timer);
    drive(id, it->second->resolver->on_response(b, to_dns(f.ip), sim_->now()));
  });
  if (from.tcp) {
    if (auto c = tcp_.find(from.conn); c != tcp_.end()) ++c->second->in_flight;
  }
  auto action = p->resolver->start(q.questions[0].name, q.questions[0].type, sim_->now());
  pending_[id] = std::move(p);
  drive(id, std::move(action));
}

void DnsServerApp::drive(std::uint64_t id, dns::ResolverAction action) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending& p = *it->second;
  for (auto& e : p.resolver->take_events()) {
    if (e.kind == proto::ProtocolEvent::Kind::StateChanged) continue;  // the notes tell the story
    const auto event = e.kind == proto::ProtocolEvent::Kind::ProtocolError ? DnsEvent::Ignored : DnsEvent::Resolver;
    record_dns(*sim_, dns_record(host(), "", event, e.text, [&](DnsRecord& d) {
                 d.note = e.text;
                 d.info.set(DnsInfo::kNote);
               }));
  }
  switch (action.kind) {
    case dns::ResolverAction::Kind::Send: {
      const Ipv4 to = from_dns(action.to);
      retire_upstream(p);  // a TCP query answered or given up on: that connection is done
      if (action.tcp) {
        ask_over_tcp(id, to, std::move(action.packet));
      } else {
        sim_->transport().udp_send(host(), p.port, Endpoint{to, kDnsPort}, action.packet, "dns");
      }
      p.timer = sim_->core().schedule_in(action.timeout, [this, id] {
        auto i = pending_.find(id);
        if (i == pending_.end()) return;
        drive(id, i->second->resolver->on_timeout(sim_->now()));
      });
      break;
    }
    case dns::ResolverAction::Kind::Wait: break;
    case dns::ResolverAction::Kind::Done: {
      retire_upstream(p);
      const dns::Resolution& res = p.resolver->result();
      const ReplyTo client = p.client;
      reply(client, dns::recursive_response(p.query, res), p.edns, "recursive");
      sim_->transport().udp_unbind(host(), p.port);
      pending_.erase(it);
      if (client.tcp) {
        auto c = tcp_.find(client.conn);
        if (c != tcp_.end() && c->second->in_flight > 0 && --c->second->in_flight == 0 && c->second->closing)
          c->second->sock->close();
      }
      break;
    }
  }
}

// Closes the question's TCP connection upstream, if any. The socket is let go of a moment
// later: this may run inside that socket's own callback.
void DnsServerApp::retire_upstream(Pending& p) {
  if (!p.upstream) return;
  p.upstream->close();
  sim_->core().schedule_in(0, [s = std::move(p.upstream)] {});
  p.upstream.reset();
}

// A truncated UDP answer asked for again over TCP (RFC 7766): one connection per question,
// closed once answered; the resolver's timer still bounds the wait.
void DnsServerApp::ask_over_tcp(std::uint64_t id, Ipv4 to, std::string packet) {
  Pending& p = *pending_.at(id);
  p.upstream_reader = dns::TcpMessageReader();
  p.upstream = sim_->transport().connect(host(), Endpoint{to, kDnsPort});
  std::weak_ptr<TcpSocket> weak = p.upstream;
  p.upstream->on_connected = [weak, framed = dns::frame_tcp(packet)] {
    if (auto s = weak.lock()) s->send(framed);
  };
  p.upstream->on_data = [this, id, to, raw = p.upstream.get()](std::string_view bytes) {
    auto it = pending_.find(id);
    if (it == pending_.end() || it->second->upstream.get() != raw) return;  // an old connection
    Pending& q = *it->second;
    if (!q.upstream_reader.feed(bytes)) return;  // a broken stream: the timer gives up on it
    if (auto message = q.upstream_reader.next()) {
      sim_->core().cancel(q.timer);
      drive(id, q.resolver->on_response(*message, to_dns(to), sim_->now()));
    }
  };
}

// ---- StubResolver ------------------------------------------------------------------------

// One lookup in flight. Only the UDP handler and the pending retry timer own it (never the
// state itself), so once the lookup is finished -- the port unbound, the timer cancelled,
// the callback moved out and called -- it is freed together with whatever `done` captured
// (an MTA's delivery attempt). It used to keep itself alive through a self-referencing
// `send` function, which leaked every lookup that got an answer.
struct StubResolver::Lookup {
  Simulation* sim = nullptr;
  std::string host;
  Ipv4 server;
  dns::StubQuery query;
  std::uint16_t port = 0;
  int tries = 0;
  EventId timer = 0;
  bool finished = false;
  Done done;
};

std::atomic<std::size_t> StubResolver::live_lookups_{0};

namespace {

using LookupPtr = std::shared_ptr<StubResolver::Lookup>;

void finish_lookup(const LookupPtr& st, const dns::Resolution& r) {
  if (st->finished) return;
  st->finished = true;
  Simulation& sim = *st->sim;
  sim.core().cancel(st->timer);
  sim.transport().udp_unbind(st->host, st->port);
  record_dns(sim, dns_record(st->host, peer_name(sim, st->server), DnsEvent::Result, describe(r), [&](DnsRecord& out) {
               using D = DnsInfo;
               out.info.qname = r.qname.to_string_no_dot();
               out.info.qtype = dns::type_name(r.qtype);
               out.info.outcome = outcome_name(r.outcome);
               for (const auto& rec : r.answers) out.answers.push_back(dns::to_string(rec));
               out.info.set(D::kQname).set(D::kQtype).set(D::kOutcome).set(D::kAnswers);
             }));
  const StubResolver::Done done = std::exchange(st->done, nullptr);
  if (done) done(r);
}

void send_lookup(const LookupPtr& st) {
  if (st->finished) return;
  Simulation& sim = *st->sim;
  if (st->tries == StubResolver::kTries) {
    dns::Resolution r;
    r.qname = st->query.query.questions[0].name;
    r.qtype = st->query.query.questions[0].type;
    r.outcome = dns::Resolution::Outcome::ServFail;
    r.reason = fmt::format("no answer from the resolver {} after {} tries", st->server.str(), StubResolver::kTries);
    finish_lookup(st, r);
    return;
  }
  ++st->tries;
  record_dns(sim, dns_record(st->host, peer_name(sim, st->server), DnsEvent::Lookup,
                             "asks its resolver: " + dns::summary(st->query.query),
                             [&](DnsRecord& out) { message_fields(out, st->query.query); }));
  sim.transport().udp_send(st->host, st->port, Endpoint{st->server, kDnsPort}, st->query.packet, "dns");
  st->timer = sim.core().schedule_in(StubResolver::kTimeout, [st] { send_lookup(st); });
}

}  // namespace

StubResolver::StubResolver(Simulation& sim, std::string host, Ipv4 server)
    : sim_(sim), host_(std::move(host)), server_(server) {}

void StubResolver::lookup(const dns::Name& name, dns::Type type, Done done) {
  auto st = std::shared_ptr<Lookup>(new Lookup, [](Lookup* l) {
    --live_lookups_;
    delete l;
  });
  ++live_lookups_;
  st->sim = &sim_;
  st->host = host_;
  st->server = server_;
  st->query = dns::make_stub_query(static_cast<std::uint16_t>(sim_.random().next() & 0xFFFF), name, type);
  st->done = std::move(done);
  st->port = sim_.transport().udp_bind_ephemeral(host_, [st](Endpoint, std::string_view bytes) {
    std::string error;
    auto r = dns::read_stub_response(st->query.query, bytes, error);
    if (!r) return;  // not ours: keep waiting
    finish_lookup(st, *r);
  });
  send_lookup(st);
}

// ---- LookupApp ---------------------------------------------------------------------------

void LookupApp::start(Simulation& sim) {
  Simulation* s = &sim;
  sim.core().schedule_at(at_, [this, s] {
    Record r;
    r.kind = RecordKind::Action;
    r.event = "start";
    r.host = host();
    r.summary = fmt::format("{} looks up {} {}", host(), dns::type_name(type_), name_.to_string_no_dot());
    r.detail = {{"action", "lookup"}};
    s->record(std::move(r));
    stub_ = std::make_unique<StubResolver>(*s, host(), server_);
    stub_->lookup(name_, type_, [this, s](const dns::Resolution& res) {
      Record d;
      d.kind = RecordKind::Action;
      d.event = "done";
      d.host = host();
      d.summary = host() + ": " + describe(res);
      d.detail = {{"action", "lookup"}, {"outcome", outcome_name(res.outcome)}};
      s->record(std::move(d));
    });
  });
}

}  // namespace mailsim::sim
