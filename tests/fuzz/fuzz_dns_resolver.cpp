// Fuzz target: the iterative resolver across whole exchanges -- queries out, fuzzed answers back.
//
// The input is text, so that the fuzzer can write answers the resolver takes seriously:
//   line 1          the question, "NAME TYPE" (e.g. "hogehoge.com MX"; a default if unreadable)
//   "--" lines      separate the answers to the resolver's queries, in order
//   an answer       its first line is a directive: "timeout", "raw" (the rest of the answer
//                   is sent as it is, with the query's id), or an RCODE name with optional
//                   flags "aa", "tc", "badid", "noq", "spoof"; then records in presentation
//                   form, each prefixed "an ", "ns " or "ar " for its section.
// After the input the resolver only sees timeouts: it must finish within a bound. A second
// and third resolution then run on the same cache. Finally the answer to the stub is encoded
// and read back as a stub resolver reads it.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/dns.hpp"

namespace {

using namespace mailsim::dns;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> split_rounds(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto at = text.find("\n--\n", start);
    if (at == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, at - start));
    start = at + 4;
  }
}

std::string_view first_line(std::string_view s, std::string_view& rest) {
  const auto nl = s.find('\n');
  rest = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  return s.substr(0, nl);
}

bool has_word(std::string_view line, std::string_view word) {
  std::size_t pos = 0;
  while (pos < line.size()) {
    const auto sp = line.find(' ', pos);
    const auto w = line.substr(pos, sp == std::string_view::npos ? line.npos : sp - pos);
    if (w == word) return true;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return false;
}

Rcode rcode_of(std::string_view directive) {
  for (Rcode r : {Rcode::NoError, Rcode::FormErr, Rcode::ServFail, Rcode::NXDomain, Rcode::NotImp, Rcode::Refused})
    if (has_word(directive, rcode_name(r))) return r;
  return Rcode::NoError;
}

// The bytes that answer `query_packet` according to one round of the input.
std::string answer_bytes(const std::string& query_packet, std::string_view round, bool& spoof) {
  std::string_view body;
  const std::string_view directive = first_line(round, body);
  spoof = has_word(directive, "spoof");
  if (directive.rfind("raw", 0) == 0) {
    std::string raw(body);
    if (raw.size() >= 2) raw.replace(0, 2, query_packet.substr(0, 2));  // the query's id
    return raw;
  }
  const auto q = decode(query_packet);
  check(q.ok());  // the resolver's own query always decodes
  Message m;
  m.header = q.message->header;
  m.header.qr = true;
  m.header.aa = has_word(directive, "aa");
  m.header.tc = has_word(directive, "tc");
  m.header.rcode = rcode_of(directive);
  if (has_word(directive, "badid")) m.header.id = static_cast<std::uint16_t>(m.header.id + 1);
  if (!has_word(directive, "noq")) m.questions = q.message->questions;
  while (!body.empty()) {
    std::string_view rest;
    const std::string_view line = first_line(body, rest);
    body = rest;
    if (line.size() < 4) continue;
    std::string error;
    auto rec = parse_record(line.substr(3), error);
    if (!rec) continue;
    const auto section = line.substr(0, 3);
    if (section == "an ") m.answers.push_back(std::move(*rec));
    else if (section == "ns ") m.authority.push_back(std::move(*rec));
    else if (section == "ar ") m.additional.push_back(std::move(*rec));
  }
  return encode_truncated(m);
}

// One resolution driven by `rounds` (from `next_round` on), then by timeouts only.
Resolution resolve(DnsCache& cache, const Name& qname, Type qtype, const std::vector<std::string_view>& rounds,
                   std::size_t& next_round, Time& now) {
  ResolverConfig config;
  config.root_hints.push_back(ServerHint{Name::of("a.root-servers.example"), {198, 51, 100, 1}});
  config.root_hints.push_back(ServerHint{Name::of("b.root-servers.example"), {198, 51, 100, 2}});
  Resolver resolver(config, cache);
  ResolverAction action = resolver.start(qname, qtype, now);
  std::string outstanding;
  Ipv4Address to{};
  Time deadline = 0;
  // Each query is answered or times out, and there are at most kMaxQueriesPerResolution of
  // them: a resolver still busy after many more steps than that is stuck.
  for (int step = 0; step < 4000; ++step) {
    resolver.take_events();
    if (action.kind == ResolverAction::Kind::Done) break;
    if (action.kind == ResolverAction::Kind::Send) {
      check(!action.packet.empty() && action.timeout > 0);
      outstanding = action.packet;
      to = action.to;
      deadline = now + action.timeout;
    }
    check(!outstanding.empty());  // Wait with nothing sent would wait forever
    if (next_round < rounds.size()) {
      const std::string_view round = rounds[next_round++];
      if (round.rfind("timeout", 0) != 0) {
        bool spoof = false;
        const std::string bytes = answer_bytes(outstanding, round, spoof);
        now += 1000;
        Ipv4Address from = to;
        if (spoof) from[3] = static_cast<std::uint8_t>(from[3] + 1);
        action = resolver.on_response(bytes, from, now);
        continue;
      }
    }
    now = std::max(now, deadline);
    action = resolver.on_timeout(now);
  }
  check(resolver.done());
  const Resolution& r = resolver.result();
  check(r.qname == qname && r.qtype == qtype);
  check(r.queries_sent <= kMaxQueriesPerResolution);
  if (r.outcome == Resolution::Outcome::ServFail) check(r.answers.empty() || !r.reason.empty());
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rounds = split_rounds(text);
  std::string_view unused;
  const std::string_view question = first_line(rounds[0], unused);
  Name qname = Name::of("hogehoge.com");
  Type qtype = Type::MX;
  if (const auto sp = question.find(' '); sp != std::string_view::npos) {
    std::string error;
    if (auto n = Name::parse(question.substr(0, sp), error)) qname = *n;
    if (auto t = parse_type(question.substr(sp + 1))) qtype = *t;
  }
  DnsCache cache;
  std::size_t next_round = 1;
  Time now = 0;
  const Resolution first = resolve(cache, qname, qtype, rounds, next_round, now);
  // Once more from the cache (and whatever rounds are left), then another type, later.
  const Resolution again = resolve(cache, qname, qtype, rounds, next_round, now);
  now += 3600 * kSecond;
  (void)resolve(cache, qname, Type::A, rounds, next_round, now);

  // What a recursive server sends its stub for that result, read back by the stub.
  const StubQuery stub = make_stub_query(0x4242, qname, qtype);
  for (const Resolution* r : {&first, &again}) {
    const std::string bytes = encode_truncated(recursive_response(stub.query, *r));
    check(decode(bytes).ok());
    std::string error;
    const auto read = read_stub_response(stub.query, bytes, error);
    check(read.has_value());
    check(read->outcome == r->outcome || read->outcome == Resolution::Outcome::ServFail);
  }
  return 0;
}
