// The iterative resolver state machine and the stub-resolver helpers.
#include "protocols/dns/resolver.hpp"

#include <algorithm>

#include "protocols/dns/presentation.hpp"

namespace mailsim::dns {

using proto::ProtocolEvent;

Rcode Resolution::rcode() const {
  switch (outcome) {
    case Outcome::Answer:
    case Outcome::NoData: return Rcode::NoError;
    case Outcome::NxDomain: return Rcode::NXDomain;
    case Outcome::ServFail: return Rcode::ServFail;
  }
  return Rcode::ServFail;
}

std::vector<Record> Resolution::final_records() const {
  std::vector<Record> out;
  for (const auto& r : answers)
    if (r.type == qtype || qtype == Type::ANY) out.push_back(r);
  return out;
}

namespace {

std::string question_text(const Name& name, Type type) {
  return type_name(type) + " " + name.to_string_no_dot();
}

std::string server_text(const Name& name, const Ipv4Address& address) {
  return name.to_string_no_dot() + " (" + ipv4_to_string(address) + ")";
}

std::string join_hosts(const std::vector<Record>& ns) {
  std::string out;
  for (const auto& r : ns) {
    if (const auto* d = std::get_if<NsData>(&r.data)) {
      if (!out.empty()) out += ", ";
      out += d->host.to_string_no_dot();
    }
  }
  return out;
}

// Records of `list` with this owner and type.
std::vector<Record> select(const std::vector<Record>& list, const Name& owner, Type type) {
  std::vector<Record> out;
  for (const auto& r : list)
    if (r.name == owner && r.type == type) out.push_back(r);
  return out;
}

// The SOA in the authority section that covers `name`, if any.
std::optional<Record> covering_soa(const Message& m, const Name& name, const Name& zone) {
  for (const auto& r : m.authority) {
    if (r.type == Type::SOA && std::holds_alternative<SoaData>(r.data) &&
        name.is_subdomain_of(r.name) && r.name.is_subdomain_of(zone))
      return r;
  }
  return std::nullopt;
}

std::uint32_t negative_ttl(const Record& soa) {
  const auto& s = std::get<SoaData>(soa.data);
  return std::min(soa.ttl, s.minimum);
}

}  // namespace

Resolver::Resolver(ResolverConfig config, DnsCache& cache)
    : config_(std::move(config)), cache_(cache), id_state_(config_.id_seed ? config_.id_seed : 1u) {
  if (config_.tries_per_server < 1) config_.tries_per_server = 1;
}

std::uint16_t Resolver::next_id() {
  if (config_.next_id) return config_.next_id();
  id_state_ ^= id_state_ << 13;
  id_state_ ^= id_state_ >> 17;
  id_state_ ^= id_state_ << 5;
  return static_cast<std::uint16_t>(id_state_ >> 8);
}

void Resolver::set_state(State s) {
  if (s == state_) return;
  static const char* const kNames[] = {"Idle", "Waiting", "Done"};
  ProtocolEvent e;
  e.kind = ProtocolEvent::Kind::StateChanged;
  e.from_state = kNames[static_cast<int>(state_)];
  e.to_state = kNames[static_cast<int>(s)];
  e.text = e.from_state + " -> " + e.to_state;
  events_.push_back(std::move(e));
  state_ = s;
}

void Resolver::note(std::string text) {
  ProtocolEvent e;
  e.kind = ProtocolEvent::Kind::Note;
  e.text = std::move(text);
  events_.push_back(std::move(e));
}

void Resolver::protocol_error(std::string text) {
  ProtocolEvent e;
  e.kind = ProtocolEvent::Kind::ProtocolError;
  e.text = std::move(text);
  events_.push_back(std::move(e));
}

ResolverAction Resolver::start(const Name& qname, Type qtype, Time now) {
  stack_.clear();
  outstanding_.reset();
  queries_sent_ = 0;
  result_ = Resolution{};
  result_.qname = qname;
  result_.qtype = qtype;
  Task t;
  t.qname = qname;
  t.qtype = qtype;
  t.sname = qname;
  stack_.push_back(std::move(t));
  note("resolving " + question_text(qname, qtype));
  return run(now);
}

bool Resolver::follow_cname(Task& t, const Record& cname) {
  if (t.chain.size() >= kMaxCnameChain) return false;
  t.chain.push_back(cname);
  t.sname = std::get<CnameData>(cname.data).target;
  t.have_servers = false;
  t.servers.clear();
  t.referrals = 0;
  return true;
}

void Resolver::pick_servers(Task& t, Time now) {
  t.have_servers = true;
  t.servers.clear();
  // The closest enclosing zone whose NS set is cached.
  for (std::size_t n = t.sname.label_count() + 1; n-- > 0;) {
    const Name zone = t.sname.suffix(n);
    const auto hit = cache_.get(zone, Type::NS, now);
    if (!hit || hit->kind != DnsCache::Kind::Records) continue;
    t.zone = zone;
    for (const auto& r : hit->records) {
      Server s;
      s.name = std::get<NsData>(r.data).host;
      if (const auto a = cache_.get(s.name, Type::A, now); a && a->kind == DnsCache::Kind::Records)
        s.address = std::get<AData>(a->records.front().data).address;
      t.servers.push_back(std::move(s));
    }
    note("cache hit: NS for " + zone.to_string() + " (" + join_hosts(hit->records) + ")" +
         (zone.is_root() ? "" : ", skipping the servers above it"));
    return;
  }
  t.zone = Name();
  for (const auto& h : config_.root_hints) {
    Server s;
    s.name = h.name;
    s.address = h.address;
    t.servers.push_back(std::move(s));
  }
  note("starting at the root servers");
}

ResolverAction Resolver::run(Time now) {
  while (true) {
    Task& t = stack_.back();
    if (!t.have_servers) {
      // Cache first: the data, a negative entry, or a CNAME to follow.
      if (const auto hit = cache_.get(t.sname, t.qtype, now)) {
        const std::string what = question_text(t.sname, t.qtype);
        const std::string left = std::to_string(hit->ttl_left) + " s left";
        if (hit->kind == DnsCache::Kind::Records) {
          note("cache hit: " + what + " (" + std::to_string(hit->records.size()) +
               " record(s), " + left + ")");
          auto action = finish(Resolution::Outcome::Answer, hit->records, std::nullopt, {}, now);
          if (stack_.empty() || state_ == State::Done) return action;
          continue;
        }
        if (hit->kind == DnsCache::Kind::NxDomain) {
          note("cache hit: " + t.sname.to_string_no_dot() + " does not exist (NXDOMAIN, " + left + ")");
          auto action = finish(Resolution::Outcome::NxDomain, {}, hit->soa, {}, now);
          if (state_ == State::Done) return action;
          continue;
        }
        note("cache hit: " + what + " has no records (NODATA, " + left + ")");
        auto action = finish(Resolution::Outcome::NoData, {}, hit->soa, {}, now);
        if (state_ == State::Done) return action;
        continue;
      }
      if (t.qtype != Type::CNAME) {
        if (const auto c = cache_.get(t.sname, Type::CNAME, now);
            c && c->kind == DnsCache::Kind::Records) {
          const Record cname = c->records.front();
          note("cache hit: " + t.sname.to_string_no_dot() + " is an alias for " +
               std::get<CnameData>(cname.data).target.to_string_no_dot());
          if (!follow_cname(t, cname)) {
            auto action = finish(Resolution::Outcome::ServFail, {}, std::nullopt,
                                 "CNAME chain longer than " + std::to_string(kMaxCnameChain), now);
            if (state_ == State::Done) return action;
          }
          continue;
        }
      }
      pick_servers(t, now);
    }
    if (queries_sent_ >= kMaxQueriesPerResolution) {
      auto action = finish(Resolution::Outcome::ServFail, {}, std::nullopt,
                           "gave up after " + std::to_string(kMaxQueriesPerResolution) + " queries",
                           now);
      if (state_ == State::Done) return action;
      continue;
    }
    // A server we can ask now.
    for (std::size_t i = 0; i < t.servers.size(); ++i) {
      if (!t.servers[i].failed && t.servers[i].address) return send(t, i, now);
    }
    // A server whose address we must look up first (no glue).
    bool pushed = false;
    for (auto& s : t.servers) {
      if (s.failed || s.address || s.lookup_started) continue;
      s.lookup_started = true;
      bool cycle = false;
      for (const auto& other : stack_)
        if (other.qtype == Type::A && other.qname == s.name) cycle = true;
      if (cycle || stack_.size() > kMaxNsLookupDepth) {
        s.failed = true;
        s.failure = cycle ? "address lookup would loop" : "address lookups nested too deep";
        note("cannot look up the address of " + s.name.to_string_no_dot() + " (" +
             (cycle ? std::string("it would loop") : "nested too deep") + ")");
        continue;
      }
      note("no glue for " + s.name.to_string_no_dot() + "; looking up its address first");
      Task child;
      child.qname = s.name;
      child.qtype = Type::A;
      child.sname = s.name;
      stack_.push_back(std::move(child));
      pushed = true;
      break;
    }
    if (pushed) continue;
    // Nobody left to ask.
    bool all_timeouts = !t.servers.empty();
    std::string details;
    for (const auto& s : t.servers) {
      if (s.failure != "timed out") all_timeouts = false;
      if (!details.empty()) details += "; ";
      details += s.name.to_string_no_dot() + ": " + (s.failure.empty() ? "not tried" : s.failure);
    }
    std::string reason;
    if (t.servers.empty())
      reason = "no servers known for " + t.zone.to_string();
    else if (all_timeouts)
      reason = "all servers for " + t.zone.to_string() + " timed out";
    else
      reason = "no server for " + t.zone.to_string() + " gave an answer (" + details + ")";
    auto action = finish(Resolution::Outcome::ServFail, {}, std::nullopt, reason, now);
    if (state_ == State::Done) return action;
  }
}

ResolverAction Resolver::send(Task& t, std::size_t index, Time now, bool tcp) {
  (void)now;
  Server& s = t.servers[index];
  if (!tcp) ++s.tries;  // the TCP retry of a truncated answer is part of the same try
  ++queries_sent_;
  Message q;
  q.header.id = next_id();
  q.questions.push_back(Question{t.sname, t.qtype, kClassIn});
  Outstanding o;
  o.id = q.header.id;
  o.server = index;
  o.address = *s.address;
  o.question = q.questions.front();
  o.tcp = tcp;
  outstanding_ = o;
  note("asking " + server_text(s.name, *s.address) + (tcp ? " over TCP" : "") + " for " +
       question_text(t.sname, t.qtype) +
       (s.tries > 1 && !tcp ? " (try " + std::to_string(s.tries) + " of " +
                                  std::to_string(config_.tries_per_server) + ")"
                            : ""));
  set_state(State::Waiting);
  ResolverAction a;
  a.kind = ResolverAction::Kind::Send;
  a.to = *s.address;
  a.server = s.name;
  a.packet = encode(q);
  a.timeout = config_.timeout;
  a.tcp = tcp;
  return a;
}

ResolverAction Resolver::finish(Resolution::Outcome outcome, std::vector<Record> records,
                                std::optional<Record> soa, std::string reason, Time now) {
  Task t = std::move(stack_.back());
  stack_.pop_back();
  outstanding_.reset();
  std::vector<Record> answers = t.chain;
  answers.insert(answers.end(), records.begin(), records.end());
  if (stack_.empty()) {
    result_.outcome = outcome;
    result_.answers = std::move(answers);
    result_.soa = std::move(soa);
    result_.reason = std::move(reason);
    result_.queries_sent = queries_sent_;
    result_.from_cache = queries_sent_ == 0;
    switch (outcome) {
      case Resolution::Outcome::Answer: {
        std::string list;
        for (const auto& r : result_.answers) {
          if (!list.empty()) list += ", ";
          if (r.type != result_.qtype) list += type_name(r.type) + " ";
          list += rdata_to_string(r, false);
        }
        note("answer: " + question_text(result_.qname, result_.qtype) + " -> " + list);
        break;
      }
      case Resolution::Outcome::NxDomain:
        note("answer: " + t.sname.to_string_no_dot() + " does not exist (NXDOMAIN)");
        break;
      case Resolution::Outcome::NoData:
        note("answer: " + question_text(t.sname, t.qtype) + " has no records (NODATA)");
        break;
      case Resolution::Outcome::ServFail: note("SERVFAIL: " + result_.reason); break;
    }
    set_state(State::Done);
    ResolverAction a;
    a.kind = ResolverAction::Kind::Done;
    return a;
  }
  // A lookup of a server's address finished: hand the address to the waiting lookup.
  Task& parent = stack_.back();
  std::optional<Ipv4Address> address;
  for (const auto& r : answers)
    if (const auto* a = std::get_if<AData>(&r.data)) {
      address = a->address;
      break;
    }
  for (auto& s : parent.servers) {
    if (!(s.name == t.qname) || !s.lookup_started || s.address) continue;
    if (address) {
      s.address = address;
      note("found the address of " + server_text(s.name, *address) + "; back to " +
           question_text(parent.sname, parent.qtype));
    } else {
      s.failed = true;
      s.failure = "address lookup failed (" +
                  (outcome == Resolution::Outcome::ServFail ? reason
                                                             : std::string(outcome == Resolution::Outcome::NxDomain ? "NXDOMAIN" : "no A record")) +
                  ")";
      note("could not find the address of " + s.name.to_string_no_dot());
    }
  }
  (void)now;
  ResolverAction a;
  a.kind = ResolverAction::Kind::Wait;
  return a;
}

ResolverAction Resolver::conclude(Resolution::Outcome outcome, std::vector<Record> records,
                                  std::optional<Record> soa, std::string reason, Time now) {
  ResolverAction a = finish(outcome, std::move(records), std::move(soa), std::move(reason), now);
  if (state_ == State::Done) return a;
  return run(now);  // a lookup of a server's address ended: the waiting lookup goes on
}

ResolverAction Resolver::on_timeout(Time now) {
  if (state_ != State::Waiting || !outstanding_) {
    ResolverAction a;
    a.kind = state_ == State::Done ? ResolverAction::Kind::Done : ResolverAction::Kind::Wait;
    return a;
  }
  Task& t = stack_.back();
  Server& s = t.servers[outstanding_->server];
  outstanding_.reset();
  if (s.tries < config_.tries_per_server) {
    note("no answer from " + server_text(s.name, *s.address) + "; trying again");
    return send(t, static_cast<std::size_t>(&s - t.servers.data()), now);
  }
  s.failed = true;
  s.failure = "timed out";
  note("no answer from " + server_text(s.name, *s.address) + " after " +
       std::to_string(s.tries) + " tries; giving up on it");
  return run(now);
}

ResolverAction Resolver::on_response(std::string_view bytes, const Ipv4Address& from, Time now) {
  ResolverAction wait;
  wait.kind = state_ == State::Done ? ResolverAction::Kind::Done : ResolverAction::Kind::Wait;
  if (state_ != State::Waiting || !outstanding_) {
    protocol_error("ignored a response from " + ipv4_to_string(from) + ": no query outstanding");
    return wait;
  }
  const auto decoded = decode(bytes);
  if (!decoded.ok()) {
    protocol_error("ignored an undecodable response from " + ipv4_to_string(from) + ": " +
                   decoded.error);
    return wait;
  }
  const Message& m = *decoded.message;
  const Outstanding& o = *outstanding_;
  std::string mismatch;
  if (from != o.address)
    mismatch = "it came from " + ipv4_to_string(from) + ", the query went to " +
               ipv4_to_string(o.address);
  else if (!m.header.qr)
    mismatch = "it is not a response (QR clear)";
  else if (m.header.id != o.id)
    mismatch = "id " + std::to_string(m.header.id) + " does not match " + std::to_string(o.id);
  else if (m.questions.size() != 1 || !(m.questions.front() == o.question))
    mismatch = "its question does not match " + question_text(o.question.name, o.question.type);
  if (!mismatch.empty()) {
    protocol_error("ignored a response that may be spoofed: " + mismatch);
    return wait;
  }
  return process(m, now);
}

ResolverAction Resolver::server_failed(const std::string& why, Time now) {
  Task& t = stack_.back();
  Server& s = t.servers[outstanding_->server];
  outstanding_.reset();
  s.failed = true;
  s.failure = why;
  note(s.name.to_string_no_dot() + ": " + why + "; trying another server");
  return run(now);
}

ResolverAction Resolver::process(const Message& response, Time now) {
  // Only class IN data is used (typed A/AAAA rdata exists only there).
  Message m = response;
  for (auto* section : {&m.answers, &m.authority, &m.additional}) {
    section->erase(std::remove_if(section->begin(), section->end(),
                                  [](const Record& r) { return r.rclass != kClassIn; }),
                   section->end());
  }
  Task& t = stack_.back();
  const Server& server = t.servers[outstanding_->server];
  note(server.name.to_string_no_dot() + " answered: " + summary(m));
  if (m.header.tc) {
    // RFC 7766 5 (and RFC 1035 4.2.1): a truncated UDP answer is asked for again over TCP, from
    // the same server; over TCP nothing may be truncated.
    if (outstanding_->tcp) return server_failed("truncated response over TCP", now);
    const std::size_t index = outstanding_->server;
    outstanding_.reset();
    note(server.name.to_string_no_dot() + " truncated its answer (TC); asking again over TCP");
    return send(t, index, now, true);
  }
  if (m.header.rcode != Rcode::NoError && m.header.rcode != Rcode::NXDomain)
    return server_failed("answered " + rcode_name(m.header.rcode), now);
  outstanding_.reset();

  // Only data inside the zone the server was asked about is believed (bailiwick).
  auto in_zone = [&](const Record& r) { return r.name.is_subdomain_of(t.zone); };

  // Answer section: follow CNAMEs from sname, then take the records of qtype.
  Name cur = t.sname;
  bool followed = false;
  for (std::size_t guard = 0; guard <= kMaxCnameChain; ++guard) {
    std::vector<Record> data;
    for (const auto& r : m.answers)
      if (in_zone(r) && r.name == cur && (r.type == t.qtype || t.qtype == Type::ANY)) data.push_back(r);
    if (!data.empty()) {
      cache_.put_records(data, now);
      return conclude(Resolution::Outcome::Answer, std::move(data), std::nullopt, {}, now);
    }
    const auto cnames = select(m.answers, cur, Type::CNAME);
    if (cnames.empty() || !in_zone(cnames.front())) break;
    cache_.put_records({cnames.front()}, now);
    note(cur.to_string_no_dot() + " is an alias for " +
         std::get<CnameData>(cnames.front().data).target.to_string_no_dot());
    if (!follow_cname(t, cnames.front()))
      return conclude(Resolution::Outcome::ServFail, {}, std::nullopt,
                    "CNAME chain longer than " + std::to_string(kMaxCnameChain), now);
    cur = t.sname;
    followed = true;
  }

  if (m.header.rcode == Rcode::NXDomain) {
    auto soa = covering_soa(m, cur, t.zone);
    if (soa) cache_.put_nxdomain(cur, soa, negative_ttl(*soa), now);
    return conclude(Resolution::Outcome::NxDomain, {}, soa, {}, now);
  }
  if (followed) {
    // The alias's target may live elsewhere: resolve it from the closest known servers.
    note("following the alias to " + cur.to_string_no_dot());
    return run(now);
  }

  // Referral: NS records for a zone below the one asked, above or at the name.
  std::optional<Name> cut;
  for (const auto& r : m.authority) {
    if (r.type == Type::NS && cur.is_subdomain_of(r.name) && r.name.is_subdomain_of(t.zone) &&
        r.name.label_count() > t.zone.label_count()) {
      cut = r.name;
      break;
    }
  }
  const auto soa = covering_soa(m, cur, t.zone);
  if (m.answers.empty() && cut && !soa) {
    if (++t.referrals > kMaxReferrals)
      return conclude(Resolution::Outcome::ServFail, {}, std::nullopt,
                    "more than " + std::to_string(kMaxReferrals) + " referrals", now);
    const auto ns = select(m.authority, *cut, Type::NS);
    cache_.put_records(ns, now);
    const Name referring_zone = t.zone;
    t.zone = *cut;
    t.servers.clear();
    std::size_t glued = 0;
    for (const auto& r : ns) {
      Server s;
      s.name = std::get<NsData>(r.data).host;
      // Glue is believed only for names inside the zone of the server that sent it.
      const auto glue = select(m.additional, s.name, Type::A);
      if (!glue.empty() && s.name.is_subdomain_of(referring_zone)) {
        cache_.put_records(glue, now);
        s.address = std::get<AData>(glue.front().data).address;
        ++glued;
      } else if (const auto a = cache_.get(s.name, Type::A, now);
                 a && a->kind == DnsCache::Kind::Records) {
        s.address = std::get<AData>(a->records.front().data).address;
      }
      t.servers.push_back(std::move(s));
    }
    note("referral to " + cut->to_string() + " servers (" + join_hosts(ns) + ")" +
         (glued == 0 ? ", no glue" : ""));
    return run(now);
  }
  if (!soa && !m.header.aa && !m.authority.empty() && m.answers.empty())
    return server_failed("lame referral (its NS records do not lead below " + t.zone.to_string() + ")",
                         now);
  if (!m.answers.empty())
    return server_failed("answer holds none of the records asked for", now);
  // NODATA (RFC 2308 2.2).
  if (soa) cache_.put_nodata(cur, t.qtype, soa, negative_ttl(*soa), now);
  return conclude(Resolution::Outcome::NoData, {}, soa, {}, now);
}

Message recursive_response(const Message& query, const Resolution& res) {
  Message m;
  m.header.id = query.header.id;
  m.header.qr = true;
  m.header.opcode = query.header.opcode;
  m.header.rd = query.header.rd;
  m.header.ra = true;
  m.header.rcode = res.rcode();
  m.questions = query.questions;
  m.answers = res.answers;
  if (res.soa && (res.outcome == Resolution::Outcome::NxDomain ||
                  res.outcome == Resolution::Outcome::NoData))
    m.authority.push_back(*res.soa);
  return m;
}

StubQuery make_stub_query(std::uint16_t id, const Name& qname, Type qtype) {
  StubQuery s;
  s.query.header.id = id;
  s.query.header.rd = true;
  s.query.questions.push_back(Question{qname, qtype, kClassIn});
  s.packet = encode(s.query);
  return s;
}

std::optional<Resolution> read_stub_response(const Message& query, std::string_view bytes,
                                             std::string& error) {
  const auto decoded = decode(bytes);
  if (!decoded.ok()) {
    error = "undecodable response: " + decoded.error;
    return std::nullopt;
  }
  const Message& m = *decoded.message;
  if (!m.header.qr || m.header.id != query.header.id || m.questions != query.questions) {
    error = "response does not match the query (id " + std::to_string(m.header.id) + ", expected " +
            std::to_string(query.header.id) + ")";
    return std::nullopt;
  }
  Resolution r;
  r.qname = query.questions.front().name;
  r.qtype = query.questions.front().type;
  r.queries_sent = 1;
  if (m.header.tc) {
    r.outcome = Resolution::Outcome::ServFail;
    r.reason = "truncated response (a stub resolver does not retry over TCP)";
    return r;
  }
  if (m.header.rcode != Rcode::NoError && m.header.rcode != Rcode::NXDomain) {
    r.outcome = Resolution::Outcome::ServFail;
    r.reason = "the recursive server answered " + rcode_name(m.header.rcode);
    return r;
  }
  // The CNAME chain from qname, then the data.
  Name cur = r.qname;
  for (std::size_t guard = 0; guard <= kMaxCnameChain; ++guard) {
    const auto data = select(m.answers, cur, r.qtype);
    if (!data.empty()) {
      r.answers.insert(r.answers.end(), data.begin(), data.end());
      r.outcome = Resolution::Outcome::Answer;
      return r;
    }
    const auto cnames = select(m.answers, cur, Type::CNAME);
    if (cnames.empty() || r.qtype == Type::CNAME) break;
    r.answers.push_back(cnames.front());
    cur = std::get<CnameData>(cnames.front().data).target;
  }
  for (const auto& a : m.authority)
    if (a.type == Type::SOA && std::holds_alternative<SoaData>(a.data)) r.soa = a;
  r.outcome = m.header.rcode == Rcode::NXDomain ? Resolution::Outcome::NxDomain
                                                 : Resolution::Outcome::NoData;
  return r;
}

}  // namespace mailsim::dns
