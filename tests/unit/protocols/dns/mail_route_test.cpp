// Mail routing from MX answers: ordering, seeded shuffles, implicit MX, null MX, failures.
#include <map>
#include <memory>
#include <set>

#include "dns_world.hpp"

using namespace dnstest;

namespace {

Resolution mx_answer(std::initializer_list<std::string_view> lines) {
  Resolution r;
  r.qname = Name::of("hogehoge.com");
  r.qtype = Type::MX;
  r.outcome = Resolution::Outcome::Answer;
  for (auto l : lines) r.answers.push_back(rec(l));
  return r;
}

Resolution outcome(Resolution::Outcome o, std::string reason = {}) {
  Resolution r;
  r.qname = Name::of("hogehoge.com");
  r.qtype = Type::MX;
  r.outcome = o;
  r.reason = std::move(reason);
  return r;
}

std::vector<std::string> hosts(const MailRoute& route) {
  std::vector<std::string> out;
  for (const auto& h : route.hosts)
    out.push_back(std::to_string(h.preference) + " " + h.name.to_string_no_dot());
  return out;
}

// A scripted random function: returns the given values in turn (mod bound).
RandomFunction scripted(std::vector<std::size_t> values) {
  auto state = std::make_shared<std::pair<std::vector<std::size_t>, std::size_t>>(std::move(values), 0);
  return [state](std::size_t bound) {
    const std::size_t v = state->first[state->second++ % state->first.size()];
    return v % bound;
  };
}

// A seeded generator (xorshift) standing in for the scenario's.
RandomFunction seeded(std::uint32_t seed) {
  auto s = std::make_shared<std::uint32_t>(seed);
  return [s](std::size_t bound) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return static_cast<std::size_t>(*s) % bound;
  };
}

const Name kDomain = Name::of("hogehoge.com");

}  // namespace

TEST_CASE("dns mail: MX hosts sorted by preference") {
  const auto route = mail_route(kDomain,
                                mx_answer({"hogehoge.com. 60 IN MX 30 c.hogehoge.com.",
                                           "hogehoge.com. 60 IN MX 10 a.hogehoge.com.",
                                           "hogehoge.com. 60 IN MX 20 b.hogehoge.com."}),
                                seeded(1));
  CHECK(route.outcome == MailRoute::Outcome::Ok);
  CHECK(hosts(route) == std::vector<std::string>{"10 a.hogehoge.com", "20 b.hogehoge.com", "30 c.hogehoge.com"});
  CHECK(route.reason.empty());
}

TEST_CASE("dns mail: equal preferences are shuffled by the caller's random function") {
  const auto answer = mx_answer({"hogehoge.com. 60 IN MX 10 a.hogehoge.com.",
                                 "hogehoge.com. 60 IN MX 10 b.hogehoge.com.",
                                 "hogehoge.com. 60 IN MX 10 c.hogehoge.com.",
                                 "hogehoge.com. 60 IN MX 5 first.hogehoge.com.",
                                 "hogehoge.com. 60 IN MX 20 last.hogehoge.com."});
  // Fisher-Yates over the three 10s: i=3 swaps [2] with [r], i=2 swaps [1] with [r].
  CHECK(hosts(mail_route(kDomain, answer, scripted({0, 0}))) ==
        std::vector<std::string>{"5 first.hogehoge.com", "10 b.hogehoge.com", "10 c.hogehoge.com",
                                 "10 a.hogehoge.com", "20 last.hogehoge.com"});
  CHECK(hosts(mail_route(kDomain, answer, scripted({2, 1}))) ==
        std::vector<std::string>{"5 first.hogehoge.com", "10 a.hogehoge.com", "10 b.hogehoge.com",
                                 "10 c.hogehoge.com", "20 last.hogehoge.com"});
  // The same seed gives the same order every time; the groups never mix.
  const auto one = hosts(mail_route(kDomain, answer, seeded(42)));
  CHECK(one == hosts(mail_route(kDomain, answer, seeded(42))));
  CHECK(one.front() == "5 first.hogehoge.com");
  CHECK(one.back() == "20 last.hogehoge.com");
  // Every order of the group shows up across seeds.
  std::set<std::vector<std::string>> orders;
  for (std::uint32_t seed = 1; seed < 200; ++seed) orders.insert(hosts(mail_route(kDomain, answer, seeded(seed))));
  CHECK(orders.size() == 6);
}

TEST_CASE("dns mail: no MX means the domain itself (implicit MX)") {
  const auto route = mail_route(kDomain, outcome(Resolution::Outcome::NoData), seeded(1));
  CHECK(route.outcome == MailRoute::Outcome::Ok);
  CHECK(hosts(route) == std::vector<std::string>{"0 hogehoge.com"});
  CHECK(route.reason == "no MX records for hogehoge.com; using the domain itself (implicit MX)");
}

TEST_CASE("dns mail: null MX means the domain accepts no mail") {
  const auto route = mail_route(kDomain, mx_answer({"hogehoge.com. 60 IN MX 0 ."}), seeded(1));
  CHECK(route.outcome == MailRoute::Outcome::PermanentFailure);
  CHECK(route.hosts.empty());
  CHECK(route.reason == "domain does not accept mail: hogehoge.com publishes a null MX");
  // A "." among real hosts is skipped.
  const auto mixed = mail_route(kDomain,
                                mx_answer({"hogehoge.com. 60 IN MX 0 .", "hogehoge.com. 60 IN MX 10 a.hogehoge.com."}),
                                seeded(1));
  CHECK(hosts(mixed) == std::vector<std::string>{"10 a.hogehoge.com"});
}

TEST_CASE("dns mail: NXDOMAIN is permanent, SERVFAIL temporary") {
  const auto nx = mail_route(kDomain, outcome(Resolution::Outcome::NxDomain), seeded(1));
  CHECK(nx.outcome == MailRoute::Outcome::PermanentFailure);
  CHECK(nx.reason == "host unknown: hogehoge.com does not exist");
  const auto sf = mail_route(kDomain, outcome(Resolution::Outcome::ServFail, "all servers for com. timed out"),
                             seeded(1));
  CHECK(sf.outcome == MailRoute::Outcome::TemporaryFailure);
  CHECK(sf.reason == "MX lookup for hogehoge.com failed: all servers for com. timed out");
}

TEST_CASE("dns mail: MX through a CNAME uses the records at the end of the chain") {
  const auto route = mail_route(kDomain,
                                mx_answer({"hogehoge.com. 60 IN CNAME mail.example.",
                                           "mail.example. 60 IN MX 10 mx.mail.example."}),
                                seeded(1));
  CHECK(hosts(route) == std::vector<std::string>{"10 mx.mail.example"});
}

TEST_CASE("dns mail: the simulator's walk - MX lookup, then A for each host in order") {
  // Resolve for real against the fake world: MX, then A of each host.
  DnsCache cache;
  ResolverConfig c;
  c.root_hints.push_back(ServerHint{Name::of("a.root-servers.example"), ip("198.51.100.1")});
  Resolver resolver(c, cache);
  std::map<Ipv4Address, std::vector<Zone>> servers{{ip("198.51.100.1"), root_zones()},
                                                    {ip("192.0.2.1"), tld_zones()},
                                                    {ip("203.0.113.53"), auth_zones()}};
  auto resolve = [&](const Name& name, Type type) {
    ResolverAction a = resolver.start(name, type, 0);
    while (a.kind == ResolverAction::Kind::Send)
      a = resolver.on_response(*answer_packet(servers[a.to], a.packet), a.to, 0);
    return resolver.result();
  };
  MailHostWalk walk(mail_route(kDomain, resolve(kDomain, Type::MX), seeded(7)));
  std::vector<std::string> tried;
  while (auto host = walk.next_host()) {
    for (const auto& addr : walk.on_address_lookup(resolve(host->name, Type::A)))
      tried.push_back(host->name.to_string_no_dot() + " " + ipv4_to_string(addr));
    walk.on_host_unreachable("connection refused");
  }
  CHECK(tried == std::vector<std::string>{"mx1.hogehoge.com 203.0.113.25", "mx2.hogehoge.com 203.0.113.26"});
  const auto final_route = walk.final();
  CHECK(final_route.outcome == MailRoute::Outcome::TemporaryFailure);
  CHECK(final_route.reason ==
        "no mail host reachable: mx1.hogehoge.com: connection refused; mx2.hogehoge.com: connection refused");

  // Hosts that do not exist: permanent.
  MailHostWalk unknown(mail_route(Name::of("nomail.example"),
                                  mx_answer({"nomail.example. 60 IN MX 10 gone.hogehoge.com."}), seeded(1)));
  const auto h = unknown.next_host();
  REQUIRE(h.has_value());
  CHECK(unknown.on_address_lookup(resolve(h->name, Type::A)).empty());
  CHECK_FALSE(unknown.next_host().has_value());
  CHECK(unknown.final().outcome == MailRoute::Outcome::PermanentFailure);
  CHECK(unknown.final().reason == "no mail host has an address: gone.hogehoge.com: host unknown");

  // A failed route walks nothing and stays as it was.
  MailHostWalk none(mail_route(kDomain, outcome(Resolution::Outcome::NxDomain), seeded(1)));
  CHECK_FALSE(none.next_host().has_value());
  CHECK(none.final().reason == "host unknown: hogehoge.com does not exist");
}
