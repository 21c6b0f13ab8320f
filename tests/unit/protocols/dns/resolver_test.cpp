// The iterative resolver against a fake network of answer() servers; cache and stub mode.
#include <map>
#include <set>

#include "dns_world.hpp"

using namespace dnstest;

namespace {

// Moves the resolver's datagrams: each address is a server answering from its zones;
// an address in `down` never answers (the resolver's timer fires instead).
struct FakeNet {
  std::map<Ipv4Address, std::vector<Zone>> servers;
  std::set<Ipv4Address> down;
  std::vector<std::string> sent;  // "198.51.100.1 MX? hogehoge.com"
  Time now = 0;

  FakeNet() {
    servers[ip("198.51.100.1")] = root_zones();
    servers[ip("192.0.2.1")] = tld_zones();
    servers[ip("192.0.2.2")] = tld_zones();
    servers[ip("203.0.113.53")] = auth_zones();
  }

  Resolution resolve(Resolver& r, std::string_view name, Type type) {
    sent.clear();
    ResolverAction a = r.start(Name::of(name), type, now);
    for (int guard = 0; a.kind == ResolverAction::Kind::Send; ++guard) {
      REQUIRE(guard < 200);
      const auto q = decode(a.packet);
      REQUIRE(q.ok());
      CHECK_FALSE(q.message->header.rd);
      sent.push_back(ipv4_to_string(a.to) + " " + summary(*q.message));
      const auto it = servers.find(a.to);
      if (down.count(a.to) || it == servers.end()) {
        now += a.timeout;
        a = r.on_timeout(now);
        continue;
      }
      const auto reply = answer_packet(it->second, a.packet);
      REQUIRE(reply.has_value());
      now += 10 * kMillisecond;
      a = r.on_response(*reply, a.to, now);
    }
    REQUIRE(a.kind == ResolverAction::Kind::Done);
    REQUIRE(r.done());
    CHECK(r.result().queries_sent == sent.size());
    return r.result();
  }
};

ResolverConfig config() {
  ResolverConfig c;
  c.root_hints.push_back(ServerHint{Name::of("a.root-servers.example"), ip("198.51.100.1")});
  return c;
}

// The usual setup: the fake network and one iterative resolver with its own cache.
struct ResolverWorld {
  FakeNet net;
  DnsCache cache;
  Resolver r{config(), cache};
};

std::vector<std::string> notes(Resolver& r) {
  std::vector<std::string> out;
  for (const auto& e : r.take_events())
    if (e.kind == mailsim::proto::ProtocolEvent::Kind::Note) out.push_back(e.text);
  return out;
}

}  // namespace

TEST_CASE_METHOD(ResolverWorld, "dns resolver: full iterative resolution root -> TLD -> authoritative") {
  const auto res = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(res.outcome == Resolution::Outcome::Answer);
  CHECK(res.rcode() == Rcode::NoError);
  CHECK(texts(res.answers) == std::vector<std::string>{"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                                                       "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com."});
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 MX? hogehoge.com",
                                             "192.0.2.1 MX? hogehoge.com",
                                             "203.0.113.53 MX? hogehoge.com"});
  CHECK_FALSE(res.from_cache);
  CHECK(notes(r) == std::vector<std::string>{
                        "resolving MX hogehoge.com",
                        "starting at the root servers",
                        "asking a.root-servers.example (198.51.100.1) for MX hogehoge.com",
                        "a.root-servers.example answered: MX? hogehoge.com -> referral to a.gtld.example, b.gtld.example",
                        "referral to com. servers (a.gtld.example, b.gtld.example)",
                        "asking a.gtld.example (192.0.2.1) for MX hogehoge.com",
                        "a.gtld.example answered: MX? hogehoge.com -> referral to ns1.hogehoge.com",
                        "referral to hogehoge.com. servers (ns1.hogehoge.com)",
                        "asking ns1.hogehoge.com (203.0.113.53) for MX hogehoge.com",
                        "ns1.hogehoge.com answered: MX? hogehoge.com -> 10 mx1.hogehoge.com, 20 mx2.hogehoge.com",
                        "answer: MX hogehoge.com -> 10 mx1.hogehoge.com, 20 mx2.hogehoge.com",
                    });
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: NXDOMAIN and NODATA") {
  const auto nx = net.resolve(r, "nosuch.hogehoge.com", Type::A);
  CHECK(nx.outcome == Resolution::Outcome::NxDomain);
  CHECK(nx.rcode() == Rcode::NXDomain);
  REQUIRE(nx.soa.has_value());
  CHECK(nx.soa->ttl == 300);
  CHECK(nx.answers.empty());
  const auto nodata = net.resolve(r, "web.hogehoge.com", Type::AAAA);
  CHECK(nodata.outcome == Resolution::Outcome::NoData);
  CHECK(nodata.rcode() == Rcode::NoError);
  CHECK(nodata.answers.empty());
  CHECK(nodata.soa.has_value());
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 AAAA? web.hogehoge.com"});
  // A TLD that does not exist: the root says so.
  const auto tld = net.resolve(r, "host.invalid", Type::A);
  CHECK(tld.outcome == Resolution::Outcome::NxDomain);
  CHECK(net.sent.size() == 1);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: CNAME chains, within a server and across servers") {
  const auto www = net.resolve(r, "www.hogehoge.com", Type::A);
  CHECK(www.outcome == Resolution::Outcome::Answer);
  CHECK(texts(www.answers) == std::vector<std::string>{"www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
                                                       "web.hogehoge.com. 300 IN A 203.0.113.80"});
  CHECK(texts(www.final_records()) == std::vector<std::string>{"web.hogehoge.com. 300 IN A 203.0.113.80"});
  // legacy.hogehoge.com -> info.net, which only the TLD server knows.
  const auto legacy = net.resolve(r, "legacy.hogehoge.com", Type::A);
  CHECK(legacy.outcome == Resolution::Outcome::Answer);
  CHECK(texts(legacy.answers) == std::vector<std::string>{"legacy.hogehoge.com. 300 IN CNAME info.net.",
                                                          "info.net. 3600 IN A 192.0.2.80"});
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 A? legacy.hogehoge.com",
                                             "198.51.100.1 A? info.net",
                                             "192.0.2.1 A? info.net"});
  // Longer than kMaxCnameChain: SERVFAIL.
  const auto chain = net.resolve(r, "c1.hogehoge.com", Type::A);
  CHECK(chain.outcome == Resolution::Outcome::ServFail);
  CHECK(chain.reason == "CNAME chain longer than 8");
  // The CNAMEs are cached: a later lookup follows them without asking.
  const auto again = net.resolve(r, "www.hogehoge.com", Type::A);
  CHECK(again.from_cache);
  CHECK(again.answers == www.answers);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: referral without glue resolves the NS name first") {
  const auto res = net.resolve(r, "www.shop.net", Type::A);
  CHECK(res.outcome == Resolution::Outcome::Answer);
  CHECK(texts(res.answers) == std::vector<std::string>{"www.shop.net. 3600 IN A 203.0.113.81"});
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 A? www.shop.net",
                                             "192.0.2.1 A? www.shop.net",
                                             // shop.net. NS ns1.hogehoge.com., no glue:
                                             "198.51.100.1 A? ns1.hogehoge.com",
                                             "192.0.2.1 A? ns1.hogehoge.com",
                                             "203.0.113.53 A? ns1.hogehoge.com",
                                             "203.0.113.53 A? www.shop.net"});
  const auto n = notes(r);
  CHECK(std::find(n.begin(), n.end(), "no glue for ns1.hogehoge.com; looking up its address first") != n.end());
  CHECK(std::find(n.begin(), n.end(), "referral to shop.net. servers (ns1.hogehoge.com), no glue") != n.end());
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: a second lookup under the same domain skips the root and TLD") {
  net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(net.sent.size() == 3);
  const auto txt = net.resolve(r, "hogehoge.com", Type::TXT);
  CHECK(txt.outcome == Resolution::Outcome::Answer);
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 TXT? hogehoge.com"});
  // Another resolver sharing the cache goes straight to the hogehoge.com. server too.
  Resolver other(config(), cache);
  const auto web = net.resolve(other, "web.hogehoge.com", Type::A);
  CHECK(web.outcome == Resolution::Outcome::Answer);
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 A? web.hogehoge.com"});
  // A name under net. (not cached yet) starts at the root again.
  net.resolve(other, "info.net", Type::A);
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 A? info.net", "192.0.2.1 A? info.net"});
  // The same question again: straight from the cache.
  const auto again = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(again.from_cache);
  CHECK(again.queries_sent == 0);
  CHECK(net.sent.empty());
  CHECK(again.answers.size() == 2);
  CHECK(again.answers[0].ttl <= 3600);
  const auto n = notes(r);
  CHECK(std::find(n.begin(), n.end(), "cache hit: MX hogehoge.com (2 record(s), 3600 s left)") != n.end());
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: TTLs expire against now") {
  net.resolve(r, "hogehoge.com", Type::MX);
  net.now += 3000 * kSecond;
  auto hit = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(hit.from_cache);
  CHECK(hit.answers[0].ttl == 600 - 0);  // 3600 s stored, ~3000 s later
  net.now += 601 * kSecond;               // the MX records (3600 s) are gone, NS (86400 s) is not
  net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 MX? hogehoge.com"});
  net.now += 3 * 86400 * kSecond;  // everything is gone
  net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(net.sent.size() == 3);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: negative answers are cached for the SOA-derived TTL") {
  net.resolve(r, "nosuch.hogehoge.com", Type::A);
  // NXDOMAIN covers every type of the name, for min(3600, 300) = 300 s.
  net.now += 299 * kSecond;
  const auto nx = net.resolve(r, "nosuch.hogehoge.com", Type::MX);
  CHECK(nx.outcome == Resolution::Outcome::NxDomain);
  CHECK(nx.from_cache);
  net.now += 2 * kSecond;
  const auto later = net.resolve(r, "nosuch.hogehoge.com", Type::MX);
  CHECK(later.outcome == Resolution::Outcome::NxDomain);
  CHECK(net.sent == std::vector<std::string>{"203.0.113.53 MX? nosuch.hogehoge.com"});
  // NODATA covers the one type only.
  net.resolve(r, "web.hogehoge.com", Type::AAAA);
  const auto nodata = net.resolve(r, "web.hogehoge.com", Type::AAAA);
  CHECK(nodata.outcome == Resolution::Outcome::NoData);
  CHECK(nodata.from_cache);
  const auto a = net.resolve(r, "web.hogehoge.com", Type::A);
  CHECK(a.outcome == Resolution::Outcome::Answer);
  CHECK(net.sent.size() == 1);
  // shop.net's negative TTL is min(60, 600) = 60.
  net.resolve(r, "nosuch.shop.net", Type::A);
  net.now += 61 * kSecond;
  net.resolve(r, "nosuch.shop.net", Type::A);
  CHECK(net.sent.size() == 1);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: timeout -> retry -> next server -> SERVFAIL") {
  net.down.insert(ip("192.0.2.1"));
  const auto res = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(res.outcome == Resolution::Outcome::Answer);
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 MX? hogehoge.com",
                                             "192.0.2.1 MX? hogehoge.com",
                                             "192.0.2.1 MX? hogehoge.com",
                                             "192.0.2.2 MX? hogehoge.com",
                                             "203.0.113.53 MX? hogehoge.com"});
  CHECK(net.now == 2 * kDefaultQueryTimeout + 3 * 10 * kMillisecond);
  const auto n = notes(r);
  CHECK(std::find(n.begin(), n.end(), "no answer from a.gtld.example (192.0.2.1); trying again") != n.end());
  CHECK(std::find(n.begin(), n.end(),
                  "no answer from a.gtld.example (192.0.2.1) after 2 tries; giving up on it") != n.end());

  DnsCache fresh;
  Resolver r2(config(), fresh);
  net.down.insert(ip("192.0.2.2"));
  const auto fail = net.resolve(r2, "hogehoge.com", Type::MX);
  CHECK(fail.outcome == Resolution::Outcome::ServFail);
  CHECK(fail.rcode() == Rcode::ServFail);
  CHECK(fail.reason == "all servers for com. timed out");
  CHECK(net.sent.size() == 5);  // root once, then two tries at each TLD server
}

TEST_CASE("dns resolver: a server that refuses is skipped") {
  FakeNet net;
  net.servers[ip("192.0.2.1")] = {};  // serves nothing: REFUSED
  net.down.insert(ip("192.0.2.2"));
  DnsCache cache;
  ResolverConfig c = config();
  c.tries_per_server = 1;
  Resolver r(c, cache);
  const auto res = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(res.outcome == Resolution::Outcome::ServFail);
  CHECK(res.reason ==
        "no server for com. gave an answer (a.gtld.example: answered REFUSED; b.gtld.example: timed out)");
}

TEST_CASE("dns resolver: spoofed or stray responses are ignored") {
  DnsCache cache;
  Resolver r(config(), cache);
  ResolverAction a = r.start(Name::of("hogehoge.com"), Type::MX, 0);
  REQUIRE(a.kind == ResolverAction::Kind::Send);
  CHECK(r.state() == Resolver::State::Waiting);
  const Message q = *decode(a.packet).message;
  Message good = answer(root_zones(), q);

  auto errors = [&] {
    std::vector<std::string> out;
    for (const auto& e : r.take_events())
      if (e.kind == mailsim::proto::ProtocolEvent::Kind::ProtocolError) out.push_back(e.text);
    return out;
  };
  r.take_events();

  Message wrong_id = good;
  wrong_id.header.id = static_cast<std::uint16_t>(q.header.id + 1);
  CHECK(r.on_response(encode(wrong_id), a.to, 1).kind == ResolverAction::Kind::Wait);
  CHECK(errors() == std::vector<std::string>{"ignored a response that may be spoofed: id " +
                                             std::to_string(q.header.id + 1) + " does not match " +
                                             std::to_string(q.header.id)});
  CHECK(r.on_response(encode(good), ip("203.0.113.66"), 1).kind == ResolverAction::Kind::Wait);
  CHECK(errors() == std::vector<std::string>{"ignored a response that may be spoofed: it came from "
                                             "203.0.113.66, the query went to 198.51.100.1"});
  Message wrong_q = good;
  wrong_q.questions[0].name = Name::of("evil.example");
  CHECK(r.on_response(encode(wrong_q), a.to, 1).kind == ResolverAction::Kind::Wait);
  CHECK(errors() == std::vector<std::string>{
                        "ignored a response that may be spoofed: its question does not match MX hogehoge.com"});
  Message not_response = good;
  not_response.header.qr = false;
  CHECK(r.on_response(encode(not_response), a.to, 1).kind == ResolverAction::Kind::Wait);
  CHECK(errors() == std::vector<std::string>{"ignored a response that may be spoofed: it is not a response (QR clear)"});
  CHECK(r.on_response("garbage", a.to, 1).kind == ResolverAction::Kind::Wait);
  CHECK(errors() == std::vector<std::string>{
                        "ignored an undecodable response from 198.51.100.1: truncated header: 7 of 12 octets"});
  CHECK(r.state() == Resolver::State::Waiting);
  // Case differences in the echoed question are fine; the real answer moves on.
  Message upper = good;
  upper.questions[0].name = Name::of("HOGEHOGE.COM");
  const auto next = r.on_response(encode(upper), a.to, 2);
  CHECK(next.kind == ResolverAction::Kind::Send);
  CHECK(next.to == ip("192.0.2.1"));
  CHECK(errors().empty());
  // A late duplicate of the answer already taken is ignored too.
  CHECK(r.on_response(encode(good), a.to, 3).kind == ResolverAction::Kind::Wait);
  CHECK(errors().size() == 1);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: answer data outside the zone asked is not believed") {
  // The hogehoge.com. server also claims info.net. and slips its own address for it into
  // an answer; the resolver takes the CNAME (in zone) but asks net. servers for info.net.
  auto zones = auth_zones();
  zones[0].records.push_back(rec("smuggle.hogehoge.com. 60 IN CNAME info.net."));
  zones.push_back(zone("info.net.", {
      "info.net. 60 IN SOA ns.evil.example. h.evil.example. 1 1 1 1 60",
      "info.net. 60 IN A 192.0.2.66",
  }));
  net.servers[ip("203.0.113.53")] = zones;
  const auto res = net.resolve(r, "smuggle.hogehoge.com", Type::A);
  CHECK(res.outcome == Resolution::Outcome::Answer);
  CHECK(texts(res.final_records()) == std::vector<std::string>{"info.net. 3600 IN A 192.0.2.80"});
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 A? smuggle.hogehoge.com",
                                             "192.0.2.1 A? smuggle.hogehoge.com",
                                             "203.0.113.53 A? smuggle.hogehoge.com",
                                             "198.51.100.1 A? info.net",
                                             "192.0.2.1 A? info.net"});
}

TEST_CASE("dns resolver: stub mode is one RD=1 query to the recursive server") {
  FakeNet net;
  DnsCache cache;
  Resolver recursive(config(), cache);
  const StubQuery stub = make_stub_query(0x5151, Name::of("www.hogehoge.com"), Type::A);
  const auto q = decode(stub.packet);
  REQUIRE(q.ok());
  CHECK(q.message->header.rd);
  CHECK(summary(*q.message) == "A? www.hogehoge.com");
  // The recursive server resolves and answers.
  const auto res = net.resolve(recursive, "www.hogehoge.com", Type::A);
  const Message resp = recursive_response(*q.message, res);
  CHECK(resp.header.ra);
  CHECK(resp.header.rd);
  CHECK(summary(resp) == "A? www.hogehoge.com -> CNAME web.hogehoge.com, 203.0.113.80");
  std::string error;
  const auto got = read_stub_response(stub.query, encode(resp), error);
  REQUIRE(got.has_value());
  CHECK(got->outcome == Resolution::Outcome::Answer);
  CHECK(texts(got->final_records()) == std::vector<std::string>{"web.hogehoge.com. 300 IN A 203.0.113.80"});
  // NXDOMAIN and SERVFAIL come through; a wrong id is not the answer.
  const auto nx = net.resolve(recursive, "nosuch.hogehoge.com", Type::A);
  const StubQuery stub2 = make_stub_query(7, Name::of("nosuch.hogehoge.com"), Type::A);
  const auto got_nx = read_stub_response(stub2.query, encode(recursive_response(stub2.query, nx)), error);
  REQUIRE(got_nx.has_value());
  CHECK(got_nx->outcome == Resolution::Outcome::NxDomain);
  CHECK(got_nx->soa.has_value());
  Message sf = recursive_response(stub2.query, Resolution{});
  CHECK(sf.header.rcode == Rcode::ServFail);
  const auto got_sf = read_stub_response(stub2.query, encode(sf), error);
  REQUIRE(got_sf.has_value());
  CHECK(got_sf->outcome == Resolution::Outcome::ServFail);
  CHECK(got_sf->reason == "the recursive server answered SERVFAIL");
  sf.header.id = 8;
  CHECK_FALSE(read_stub_response(stub2.query, encode(sf), error).has_value());
  CHECK(error == "response does not match the query (id 8, expected 7)");
  CHECK_FALSE(read_stub_response(stub2.query, "junk", error).has_value());
  CHECK(error == "undecodable response: truncated header: 4 of 12 octets");
}

TEST_CASE("dns cache: entries, expiry and replacement") {
  DnsCache cache;
  const Record mx = rec("hogehoge.com. 100 IN MX 10 mx1.hogehoge.com.");
  cache.put_records({mx}, 0);
  auto hit = cache.get(Name::of("HOGEHOGE.com"), Type::MX, 40 * kSecond);
  REQUIRE(hit.has_value());
  CHECK(hit->kind == DnsCache::Kind::Records);
  CHECK(hit->records.front().ttl == 60);
  CHECK_FALSE(cache.get(Name::of("hogehoge.com"), Type::A, 0).has_value());
  CHECK_FALSE(cache.get(Name::of("hogehoge.com"), Type::MX, 100 * kSecond).has_value());
  // TTL 0 is not stored.
  cache.put_records({rec("zero.example. 0 IN A 192.0.2.1")}, 0);
  CHECK_FALSE(cache.get(Name::of("zero.example"), Type::A, 0).has_value());
  // NXDOMAIN hides every type until positive data for the name arrives.
  const Record soa = rec("example. 60 IN SOA ns.example. h.example. 1 2 3 4 60");
  cache.put_nxdomain(Name::of("gone.example"), soa, 60, 0);
  CHECK(cache.get(Name::of("gone.example"), Type::TXT, 0)->kind == DnsCache::Kind::NxDomain);
  cache.put_records({rec("gone.example. 60 IN A 192.0.2.9")}, 1);
  CHECK(cache.get(Name::of("gone.example"), Type::A, 1)->kind == DnsCache::Kind::Records);
  CHECK_FALSE(cache.get(Name::of("gone.example"), Type::TXT, 1).has_value());
  cache.put_nodata(Name::of("x.example"), Type::AAAA, soa, 30, 0);
  CHECK(cache.get(Name::of("x.example"), Type::AAAA, 0)->kind == DnsCache::Kind::NoData);
  CHECK(cache.size() == 3);
  cache.expire(61 * kSecond + 1);
  CHECK(cache.size() == 1);
}

TEST_CASE("dns resolver: records of another class are not used") {
  DnsCache cache;
  Resolver r(config(), cache);
  ResolverAction a = r.start(Name::of("hogehoge.com"), Type::MX, 0);
  REQUIRE(a.kind == ResolverAction::Kind::Send);
  Message ref = answer(root_zones(), *decode(a.packet).message);
  for (auto& g : ref.additional) {  // glue in class CH: opaque, not an address
    g.rclass = 3;
    g.data = OpaqueData{std::string(4, '\x01')};
  }
  // The referral stands, but without glue the resolver must look the servers up itself
  // and the lookup of a.gtld.example leads back to com.: it would loop, so SERVFAIL.
  a = r.on_response(encode(ref), a.to, 1);
  CHECK(a.kind == ResolverAction::Kind::Send);
  CHECK(a.to == ip("198.51.100.1"));
  const auto q2 = decode(a.packet);
  REQUIRE(q2.ok());
  CHECK(summary(*q2.message) == "A? a.gtld.example");
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: state changes are reported") {
  CHECK(r.state() == Resolver::State::Idle);
  net.resolve(r, "web.hogehoge.com", Type::A);
  std::vector<std::string> changes;
  for (const auto& e : r.take_events())
    if (e.kind == mailsim::proto::ProtocolEvent::Kind::StateChanged) changes.push_back(e.text);
  CHECK(changes == std::vector<std::string>{"Idle -> Waiting", "Waiting -> Done"});
  CHECK(r.take_events().empty());
  // A late timeout or response after the end changes nothing.
  CHECK(r.on_timeout(net.now).kind == ResolverAction::Kind::Done);
  CHECK(r.result().outcome == Resolution::Outcome::Answer);
}

TEST_CASE("dns resolver: limits - queries per resolution") {
  // com. has 10 servers, all unreachable, 7 tries each: the resolver stops after 64 queries.
  FakeNet net;
  Zone root = root_zones()[0];
  root.records.clear();
  for (int i = 0; i < 10; ++i) {
    const std::string host = "ns" + std::to_string(i) + ".dead.example.";
    root.records.push_back(rec("com. 3600 IN NS " + host));
    root.records.push_back(rec(host + " 3600 IN A 203.0.113." + std::to_string(100 + i)));
    net.down.insert(ip("203.0.113." + std::to_string(100 + i)));
  }
  net.servers[ip("198.51.100.1")] = {root};
  DnsCache cache;
  ResolverConfig c = config();
  c.tries_per_server = 7;
  Resolver r(c, cache);
  const auto res = net.resolve(r, "hogehoge.com", Type::MX);
  CHECK(res.outcome == Resolution::Outcome::ServFail);
  CHECK(res.reason == "gave up after 64 queries");
  CHECK(net.sent.size() == kMaxQueriesPerResolution);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: limits - referrals per lookup") {
  // z1. -> z2.z1. -> ... each level delegated to its own server: 18 referrals in a row.
  Zone root = root_zones()[0];
  std::string child = "z1.";
  root.records = {rec(child + " 3600 IN NS ns." + child), rec("ns." + child + " 3600 IN A 192.0.2.101")};
  net.servers[ip("198.51.100.1")] = {root};
  for (int level = 1; level <= 18; ++level) {
    const std::string origin = child;
    child = "z" + std::to_string(level + 1) + "." + origin;
    Zone z = zone(origin, {origin + " 60 IN SOA ns." + origin + " h." + origin + " 1 1 1 1 60",
                           child + " 60 IN NS ns." + child,
                           "ns." + child + " 60 IN A 192.0.2." + std::to_string(101 + level)});
    net.servers[ip("192.0.2." + std::to_string(100 + level))] = {z};
  }
  const auto res = net.resolve(r, "host." + child, Type::A);
  CHECK(res.outcome == Resolution::Outcome::ServFail);
  CHECK(res.reason == "more than 16 referrals");
  CHECK(net.sent.size() == kMaxReferrals + 1);
}

TEST_CASE_METHOD(ResolverWorld, "dns resolver: limits - server address lookups that loop or nest too deep") {
  Zone root = root_zones()[0];
  root.records.push_back(rec("loop. 3600 IN NS ns.loop."));  // no glue: cannot be found
  // a. needs the address of ns.b, which needs ns.c, ns.d, ns.e: four nested lookups.
  root.records.push_back(rec("a. 3600 IN NS ns.b."));
  root.records.push_back(rec("b. 3600 IN NS ns.c."));
  root.records.push_back(rec("c. 3600 IN NS ns.d."));
  root.records.push_back(rec("d. 3600 IN NS ns.e."));
  root.records.push_back(rec("e. 3600 IN NS ns.e."));
  net.servers[ip("198.51.100.1")] = {root};
  const auto loop = net.resolve(r, "x.loop", Type::A);
  CHECK(loop.outcome == Resolution::Outcome::ServFail);
  CHECK(loop.reason ==
        "no server for loop. gave an answer (ns.loop: address lookup failed (no server for loop. "
        "gave an answer (ns.loop: address lookup would loop)))");
  const auto deep = net.resolve(r, "x.a", Type::A);
  CHECK(deep.outcome == Resolution::Outcome::ServFail);
  CHECK(deep.reason.rfind("no server for a. gave an answer (ns.b: address lookup failed", 0) == 0);
  CHECK(deep.reason.find("(ns.e: address lookups nested too deep)") != std::string::npos);
  CHECK(net.sent == std::vector<std::string>{"198.51.100.1 A? x.a", "198.51.100.1 A? ns.b",
                                             "198.51.100.1 A? ns.c", "198.51.100.1 A? ns.d"});
}

TEST_CASE("dns cache: limit - the soonest-expiring entry makes room") {
  DnsCache cache;
  for (std::size_t i = 0; i < kMaxCacheEntries; ++i)
    cache.put_records({rec("h" + std::to_string(i) + ".example. " + std::to_string(100 + i) + " IN A 192.0.2.1")}, 0);
  CHECK(cache.size() == kMaxCacheEntries);
  cache.put_records({rec("new.example. 50 IN A 192.0.2.2")}, 0);
  CHECK(cache.size() == kMaxCacheEntries);
  CHECK_FALSE(cache.get(Name::of("h0.example"), Type::A, 0).has_value());
  CHECK(cache.get(Name::of("h1.example"), Type::A, 0).has_value());
  CHECK(cache.get(Name::of("new.example"), Type::A, 0).has_value());
}
