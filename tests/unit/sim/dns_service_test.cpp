// DNS in the simulated world: iterative resolution, caching, failures, hostile packets.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/apps/dns_service.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim::sim;
namespace dns = mailsim::dns;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kDelegation = read_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/dns/delegation.json");

RunResult run_text(const std::string& text) {
  auto loaded = load_scenario_text(text, "dns.json");
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  return run_scenario(*loaded.scenario);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::size_t packets_from(const RunResult& r, const std::string& host, Time after, Time before) {
  std::size_t n = 0;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Packet && rec.host == host && rec.time >= after && rec.time < before) ++n;
  return n;
}

}  // namespace

TEST_CASE("the resolver walks root -> com. -> hogehoge.com., then answers from its cache") {
  const auto r = run_text(kDelegation);
  REQUIRE(r.all_passed());
  // First lookup: the resolver asks three servers and answers the PC.
  CHECK(packets_from(r, "isp-resolver", 0, 4 * kSecond) == 4);
  CHECK(packets_from(r, "root-server", 0, 4 * kSecond) == 1);
  CHECK(packets_from(r, "com-server", 0, 4 * kSecond) == 1);
  CHECK(packets_from(r, "hogehoge-ns", 0, 4 * kSecond) == 1);
  // Second lookup: only the answer to the PC.
  CHECK(packets_from(r, "isp-resolver", 4 * kSecond, 10 * kSecond) == 1);
  CHECK(packets_from(r, "root-server", 4 * kSecond, 10 * kSecond) == 0);
  bool cache_note = false;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Dns && rec.text().rfind("cache hit", 0) == 0) cache_note = true;
  CHECK(cache_note);
}

TEST_CASE("a name that does not exist is NXDOMAIN, cached negatively") {
  const auto r = run_text(read_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/dns/nxdomain.json"));
  CHECK(r.all_passed());
  CHECK(packets_from(r, "com-server", 4 * kSecond, 10 * kSecond) == 0);
}

TEST_CASE("an authoritative server that is down ends in SERVFAIL after retries") {
  std::string text = replaced(kDelegation, R"("dns_server": {"zones": ["hogehoge.com"]}})",
                              R"("dns_server": {"zones": ["hogehoge.com"]}, "down": true})");
  text = replaced(text, R"("outcome": "NOERROR")", R"("outcome": "SERVFAIL")");
  text = replaced(text, R"(,
     "answer_contains": "mx1.hogehoge.com")", "");
  const auto r = run_text(text);
  for (const auto& e : r.expectations) INFO(e.description << ": " << e.actual);
  CHECK(r.all_passed());
  // The resolver asked the dead server more than once before giving up.
  std::size_t asks = 0;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Packet && rec.host == "isp-resolver" && rec.peer == "hogehoge-ns") ++asks;
  CHECK(asks >= 2);
}

TEST_CASE("a hostile packet to a DNS server is reported and nothing breaks") {
  Simulation sim(1);
  NetworkInfo n;
  n.id = "net";
  n.cidr = *Cidr::parse("192.0.2.0/24");
  sim.network().add_network(n);
  sim.network().add_host(HostInfo{"attacker", "pc", "", "", "net", *Ipv4::parse("192.0.2.66")});
  sim.network().add_host(HostInfo{"ns", "dns_server", "", "", "net", *Ipv4::parse("192.0.2.53")});
  DnsServerConfig cfg;
  dns::Zone z;
  z.origin = dns::Name::of("example.com");
  z.soa = dns::Record::make(z.origin, 300, dns::SoaData{dns::Name::of("ns.example.com"), dns::Name::of("h.example.com"), 1, 1, 1, 1, 60});
  cfg.zones.push_back(z);
  sim.add_app(std::make_unique<DnsServerApp>("ns", cfg));
  sim.start();
  std::string replies;
  sim.transport().udp_bind("attacker", 4000, [&](Endpoint, std::string_view b) { replies.append(b); });
  // A header then a compression pointer that points at itself.
  const std::string loop("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", 18);
  sim.transport().udp_send("attacker", 4000, Endpoint{*Ipv4::parse("192.0.2.53"), 53}, loop, "dns");
  sim.transport().udp_send("attacker", 4000, Endpoint{*Ipv4::parse("192.0.2.53"), 53}, "xy", "dns");
  sim.core().run();
  bool malformed = false;
  for (const auto& rec : sim.trace().records())
    if (rec.is(DnsEvent::Malformed)) malformed = true;
  CHECK(malformed);
  REQUIRE(replies.size() >= 12);  // FORMERR to the packet with a header, nothing to "xy"
  CHECK((static_cast<unsigned char>(replies[3]) & 0x0F) == 1);
}

TEST_CASE("DNS mistakes in a scenario are clear errors") {
  auto first_error = [](const std::string& text) {
    auto r = load_scenario_text(text, "dns.json");
    CHECK_FALSE(r.scenario);
    REQUIRE_FALSE(r.diagnostics.empty());
    return r.diagnostics.front().message;
  };
  CHECK(first_error(replaced(kDelegation, "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                             "hogehoge.com. 3600 IN MX 99999 mx1.hogehoge.com.")) ==
        "bad record: MX preference must be 0-65535");
  CHECK(first_error(replaced(kDelegation, R"("dns_server": {"zones": ["hogehoge.com"]})",
                             R"("dns_server": {"zones": ["hogehoge.co"]})"))
            .rfind("no zone \"hogehoge.co\" is defined in /dns/zones (did you mean \"hogehoge.com\"?)", 0) == 0);
  CHECK(first_error(replaced(kDelegation, R"("lookup", "from": "shiroyagi-pc", "name": "hogehoge.com", "qtype": "MX"})",
                             R"("lookup", "from": "shiroyagi-pc", "name": "hogehoge.com", "qtype": "MXX"})")) ==
        "unknown record type \"MXX\" (A, AAAA, MX, NS, CNAME, TXT, SOA, PTR)");
  CHECK(first_error(replaced(kDelegation, "\"mx1.hogehoge.com. 3600 IN A 203.0.113.25\"",
                             "\"mx1.example.org. 3600 IN A 203.0.113.25\"")) ==
        "record mx1.example.org. is outside zone hogehoge.com.");
}
