// Stub resolver lookups free their state and their callback's captures (issue 12: they leaked).
#include <catch2/catch.hpp>

#include <memory>

#include "protocols/dns/presentation.hpp"
#include "sim/apps/dns_service.hpp"

using namespace mailsim::sim;
namespace dns = mailsim::dns;

namespace {

const Ipv4 kServerIp = *Ipv4::parse("192.0.2.53");

// A PC and (when `with_server`) a DNS server that answers A for www.example.com.
void world(Simulation& sim, bool with_server) {
  NetworkInfo n;
  n.id = "net";
  n.cidr = *Cidr::parse("192.0.2.0/24");
  n.latency = 2 * kMilli;
  sim.network().add_network(n);
  sim.network().add_host(HostInfo{"pc", "pc", "", "", "net", *Ipv4::parse("192.0.2.10")});
  sim.network().add_host(HostInfo{"ns", "dns_server", "", "", "net", kServerIp});
  if (!with_server) return;
  DnsServerConfig cfg;
  dns::Zone z;
  z.origin = dns::Name::of("example.com");
  z.soa = dns::Record::make(z.origin, 300,
                            dns::SoaData{dns::Name::of("ns.example.com"), dns::Name::of("h.example.com"), 1, 1, 1, 1, 60});
  std::string error;
  z.records.push_back(*dns::parse_record("www.example.com. 300 IN A 192.0.2.80", error));
  cfg.zones.push_back(z);
  sim.add_app(std::make_unique<DnsServerApp>("ns", cfg));
}

// Runs one lookup; the callback holds `token` (as the MTA's callback holds its attempt).
dns::Resolution::Outcome lookup_once(bool with_server, std::weak_ptr<int>& watch, bool& called) {
  Simulation sim(7);
  world(sim, with_server);
  sim.start();
  StubResolver stub(sim, "pc", kServerIp);
  auto token = std::make_shared<int>(42);
  watch = token;
  dns::Resolution::Outcome outcome = dns::Resolution::Outcome::Answer;
  stub.lookup(dns::Name::of("www.example.com"), dns::Type::A, [token, &called, &outcome](const dns::Resolution& r) {
    called = true;
    outcome = r.outcome;
  });
  token.reset();
  sim.core().run();
  // Checked while the simulation still exists: nothing in it may hold the lookup any more.
  CHECK(called);
  CHECK(watch.expired());
  CHECK(StubResolver::live_lookups() == 0);
  return outcome;
}

}  // namespace

TEST_CASE("a stub lookup that gets its answer frees its state and what its callback holds") {
  REQUIRE(StubResolver::live_lookups() == 0);
  std::weak_ptr<int> watch;
  bool called = false;
  CHECK(lookup_once(true, watch, called) == dns::Resolution::Outcome::Answer);
}

TEST_CASE("a stub lookup that times out (SERVFAIL after its tries) frees its state too") {
  REQUIRE(StubResolver::live_lookups() == 0);
  std::weak_ptr<int> watch;
  bool called = false;
  CHECK(lookup_once(false, watch, called) == dns::Resolution::Outcome::ServFail);
}

TEST_CASE("a stub lookup still waiting when the simulation ends is freed with it") {
  REQUIRE(StubResolver::live_lookups() == 0);
  std::weak_ptr<int> watch;
  {
    Simulation sim(7);
    world(sim, false);
    sim.start();
    StubResolver stub(sim, "pc", kServerIp);
    auto token = std::make_shared<int>(1);
    watch = token;
    stub.lookup(dns::Name::of("www.example.com"), dns::Type::A, [token](const dns::Resolution&) {});
    token.reset();
    sim.core().run_until(1 * kSecond);  // first try sent, no answer yet
    CHECK(StubResolver::live_lookups() == 1);
    CHECK(!watch.expired());
  }
  CHECK(watch.expired());
  CHECK(StubResolver::live_lookups() == 0);
}

TEST_CASE("many lookups in one simulation leave nothing behind") {
  REQUIRE(StubResolver::live_lookups() == 0);
  Simulation sim(3);
  world(sim, true);
  sim.start();
  StubResolver stub(sim, "pc", kServerIp);
  int answers = 0;
  for (int i = 0; i < 50; ++i)
    stub.lookup(dns::Name::of("www.example.com"), dns::Type::A, [&answers](const dns::Resolution&) { ++answers; });
  CHECK(StubResolver::live_lookups() == 50);
  sim.core().run();
  CHECK(answers == 50);
  CHECK(StubResolver::live_lookups() == 0);
}
