// The simulated DNS server over TCP (RFC 7766) and with EDNS(0) (RFC 6891): pipelined queries
// on one connection, TC over UDP then the whole answer over TCP, BADVERS, broken streams.
#include <catch2/catch.hpp>

#include "protocols/dns/dns.hpp"
#include "sim/apps/dns_service.hpp"

using namespace mailsim::sim;
namespace dns = mailsim::dns;

namespace {

dns::Record rec(const std::string& text) {
  std::string error;
  auto r = dns::parse_record(text, error);
  INFO(text << ": " << error);
  REQUIRE(r);
  return *r;
}

struct World {
  Simulation sim{1};
  const Endpoint ns{*Ipv4::parse("192.0.2.53"), 53};

  World() {
    NetworkInfo n;
    n.id = "net";
    n.cidr = *Cidr::parse("192.0.2.0/24");
    sim.network().add_network(n);
    sim.network().add_host(HostInfo{"pc", "pc", "", "", "net", *Ipv4::parse("192.0.2.10")});
    sim.network().add_host(HostInfo{"ns", "dns_server", "", "", "net", *Ipv4::parse("192.0.2.53")});
    DnsServerConfig cfg;
    dns::Zone z;
    z.origin = dns::Name::of("example.com");
    z.soa = rec("example.com. 300 IN SOA ns.example.com. h.example.com. 1 1 1 1 60");
    z.records.push_back(rec("example.com. 300 IN MX 10 mx.example.com."));
    z.records.push_back(rec("mx.example.com. 300 IN A 192.0.2.25"));
    for (int i = 0; i < 12; ++i) {
      dns::Record t = rec("big.example.com. 300 IN TXT \"x\"");
      std::get<dns::TxtData>(t.data).strings = {std::to_string(i) + std::string(100, 'a')};
      z.records.push_back(t);
    }
    cfg.zones.push_back(z);
    sim.add_app(std::make_unique<DnsServerApp>("ns", cfg));
    sim.start();
  }

  std::size_t records(const std::string& event, const std::string& text = {}) {
    std::size_t n = 0;
    for (const auto& r : sim.trace().records())
      if (r.kind == RecordKind::Dns && r.event == event && r.text().find(text) != std::string::npos) ++n;
    return n;
  }
};

std::string query(std::uint16_t id, const std::string& name, dns::Type type, std::optional<dns::Edns> edns = {}) {
  dns::Message m;
  m.header.id = id;
  m.header.rd = true;
  m.questions.push_back(dns::Question{dns::Name::of(name), type, dns::kClassIn});
  if (edns) m.additional.push_back(dns::make_opt(*edns));
  return dns::encode(m);
}

dns::Message decoded(const std::string& bytes) {
  auto d = dns::decode(bytes);
  INFO(d.error);
  REQUIRE(d.ok());
  return *d.message;
}

}  // namespace

TEST_CASE("dns over TCP: two pipelined queries on one connection get two framed answers") {
  World w;
  auto sock = w.sim.transport().connect("pc", w.ns);
  std::string got;
  bool closed = false;
  sock->on_data = [&](std::string_view b) { got.append(b); };
  sock->on_peer_closed = [&] { closed = true; };
  sock->on_connected = [&] {
    dns::Edns e;
    e.udp_size = 1232;
    sock->send(dns::frame_tcp(query(1, "example.com", dns::Type::MX, e)) +
               dns::frame_tcp(query(2, "mx.example.com", dns::Type::A)));
  };
  w.sim.core().run_until(5 * kSecond);
  dns::TcpMessageReader reader;
  REQUIRE(reader.feed(got));
  const auto first = reader.next();
  const auto second = reader.next();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(decoded(*first).header.id == 1);
  CHECK(decoded(*first).answers.size() == 1);
  CHECK(dns::full_rcode(decoded(*first)) == 0);
  CHECK(decoded(*second).header.id == 2);
  CHECK(w.records("query") == 2);
  CHECK_FALSE(closed);
  // An idle connection is closed by the server after kTcpIdle.
  w.sim.core().run_until(20 * kSecond);
  CHECK(closed);
}

TEST_CASE("dns: an answer too big for UDP is truncated (TC), and whole over TCP") {
  World w;
  std::string udp;
  w.sim.transport().udp_bind("pc", 4000, [&](Endpoint, std::string_view b) { udp.assign(b); });
  w.sim.transport().udp_send("pc", 4000, w.ns, query(7, "big.example.com", dns::Type::TXT), "dns");
  w.sim.core().run_until(kSecond);
  REQUIRE(!udp.empty());
  CHECK(udp.size() <= 512);
  CHECK(decoded(udp).header.tc);
  CHECK(w.records("response", "(truncated: TC set)") == 1);

  auto sock = w.sim.transport().connect("pc", w.ns);
  std::string tcp;
  sock->on_data = [&](std::string_view b) { tcp.append(b); };
  sock->on_connected = [&] { sock->send(dns::frame_tcp(query(8, "big.example.com", dns::Type::TXT))); };
  w.sim.core().run_until(3 * kSecond);
  dns::TcpMessageReader reader;
  REQUIRE(reader.feed(tcp));
  const auto whole = reader.next();
  REQUIRE(whole);
  CHECK_FALSE(decoded(*whole).header.tc);
  CHECK(decoded(*whole).answers.size() == 12);
}

TEST_CASE("dns: EDNS version 1 gets BADVERS; two OPTs get FORMERR; both are in the trace") {
  World w;
  std::vector<std::string> replies;
  w.sim.transport().udp_bind("pc", 4000, [&](Endpoint, std::string_view b) { replies.emplace_back(b); });
  dns::Edns v1;
  v1.version = 1;
  w.sim.transport().udp_send("pc", 4000, w.ns, query(1, "example.com", dns::Type::MX, v1), "dns");
  dns::Message two = decoded(query(2, "example.com", dns::Type::MX, dns::Edns{}));
  two.additional.push_back(dns::make_opt(dns::Edns{}));
  w.sim.transport().udp_send("pc", 4000, w.ns, dns::encode(two), "dns");
  w.sim.core().run_until(kSecond);
  REQUIRE(replies.size() == 2);
  CHECK(dns::full_rcode(decoded(replies[0])) == dns::kRcodeBadVers);
  CHECK(decoded(replies[1]).header.rcode == dns::Rcode::FormErr);
  CHECK(w.records("malformed", "BADVERS") == 1);
  CHECK(w.records("malformed", "more than one OPT record") == 1);
}

TEST_CASE("dns over TCP: a frame shorter than a header breaks the stream and is reported") {
  World w;
  auto sock = w.sim.transport().connect("pc", w.ns);
  bool ended = false;
  sock->on_error = [&](SocketError, const std::string&) { ended = true; };
  sock->on_closed = [&] { ended = true; };
  sock->on_connected = [&] { sock->send(std::string("\x00\x03" "abc", 5)); };
  w.sim.core().run_until(3 * kSecond);
  CHECK(ended);
  CHECK(w.records("malformed", "shorter than a DNS header") == 1);
  // The server still answers others.
  std::string udp;
  w.sim.transport().udp_bind("pc", 4000, [&](Endpoint, std::string_view b) { udp.assign(b); });
  w.sim.transport().udp_send("pc", 4000, w.ns, query(9, "example.com", dns::Type::MX), "dns");
  w.sim.core().run_until(4 * kSecond);
  CHECK(!udp.empty());
}

TEST_CASE("a recursive resolver asks again over TCP when a server's UDP answer is truncated") {
  World w;
  w.sim.network().add_host(HostInfo{"rec", "dns_server", "", "", "net", *Ipv4::parse("192.0.2.54")});
  DnsServerConfig rc;
  rc.recursive = true;
  rc.root_hints.push_back(dns::ServerHint{dns::Name::of("ns.example.com"), dns::Ipv4Address{192, 0, 2, 53}});
  w.sim.add_app(std::make_unique<DnsServerApp>("rec", rc));

  // The pc asks over TCP too (as dig does after a TC), so the whole answer reaches it.
  auto sock = w.sim.transport().connect("pc", Endpoint{*Ipv4::parse("192.0.2.54"), 53});
  dns::TcpMessageReader reader;
  std::string got;
  sock->on_connected = [&] { sock->send(dns::frame_tcp(query(7, "big.example.com", dns::Type::TXT))); };
  sock->on_data = [&](std::string_view b) {
    REQUIRE(reader.feed(b));
    if (auto m = reader.next()) got = *m;
  };
  w.sim.core().run_until(10'000'000);
  REQUIRE_FALSE(got.empty());
  const auto answer = decoded(got);
  CHECK(answer.header.rcode == dns::Rcode::NoError);
  CHECK_FALSE(answer.header.tc);
  CHECK(answer.answers.size() == 12);  // all of them, fetched over TCP by the resolver
  bool told = false, asked_tcp = false, tcp_to_ns = false;
  for (const auto& r : w.sim.trace().records()) {
    if (r.host == "rec" && r.text().find("truncated its answer (TC); asking again over TCP") != std::string::npos)
      told = true;
    if (r.host == "rec" && r.text().find("over TCP for TXT big.example.com") != std::string::npos) asked_tcp = true;
    if (r.packet && !r.packet->udp && r.host == "rec" && r.packet->dst.port == 53 &&
        (r.packet->flags & tcp_flags::kSyn))
      tcp_to_ns = true;
  }
  CHECK(told);
  CHECK(asked_tcp);
  CHECK(tcp_to_ns);
}
