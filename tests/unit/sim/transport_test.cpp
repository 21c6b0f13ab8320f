// The transport: handshakes, segmentation at any split, refused and filtered connects,
// policies (OP25B), TLS marking, UDP.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "sim/core/transport.hpp"
#include "sim_fixtures.hpp"

using namespace mailsim::sim;

namespace {

// A server on `server:port` that collects what it receives and closes when the peer does.
struct Collector {
  std::string received;
  SocketPtr sock;
  bool peer_closed = false;
  void attach(Simulation& s, const std::string& host, std::uint16_t port) {
    s.transport().listen(host, port, [this](SocketPtr p) {
      sock = p;
      p->on_data = [this](std::string_view b) { received.append(b); };
      p->on_peer_closed = [this] {
        peer_closed = true;
        sock->close();
      };
    });
  }
};

std::size_t count(const Trace& t, RecordKind k, const std::string& event = "") {
  std::size_t n = 0;
  for (const auto& r : t.records())
    if (r.kind == k && (event.empty() || r.event == event)) ++n;
  return n;
}

const Record* find(const Trace& t, RecordKind k, const std::string& event) {
  for (const auto& r : t.records())
    if (r.kind == k && r.event == event) return &r;
  return nullptr;
}

Endpoint ep(const char* ip, std::uint16_t port) { return Endpoint{*Ipv4::parse(ip), port}; }

}  // namespace

TEST_CASE("a connection is opened with SYN, SYN-ACK, ACK and closed with FINs") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  Collector server;
  server.attach(s, "server", 7);
  bool connected = false, closed = false;
  auto c = s.transport().connect("pc", ep("198.51.100.25", 7));
  c->on_connected = [&] {
    connected = true;
    c->send("hello");
    c->close();
  };
  c->on_closed = [&] { closed = true; };
  s.core().run();
  CHECK(connected);
  CHECK(closed);
  CHECK(server.received == "hello");
  CHECK(server.peer_closed);
  std::vector<std::string> flags;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet) flags.push_back(r.packet->flag_names());
  CHECK(flags == std::vector<std::string>{"SYN", "SYN,ACK", "ACK", "PSH,ACK", "FIN,ACK", "ACK", "ACK", "FIN,ACK", "ACK"});
  // One way is 5 ms (ISP) + 20 ms (Internet) + 1 ms (data centre).
  const Record* est = find(s.trace(), RecordKind::Connection, "established");
  REQUIRE(est);
  CHECK(est->time == 52 * kMilli);
  CHECK(find(s.trace(), RecordKind::Connection, "closed"));
  // Sequence numbers advance by the data and by each FIN.
  const auto& recs = s.trace().records();
  std::uint32_t syn_seq = 0, data_seq = 0, data_len = 0, fin_seq = 0;
  for (const auto& r : recs) {
    if (r.kind != RecordKind::Packet || r.host != "pc") continue;
    const auto f = r.packet->flag_names();
    if (f == "SYN") syn_seq = r.packet->seq;
    if (f == "PSH,ACK") {
      data_seq = r.packet->seq;
      data_len = static_cast<std::uint32_t>(r.packet->bytes.size());
    }
    if (f == "FIN,ACK") fin_seq = r.packet->seq;
  }
  CHECK(data_seq == syn_seq + 1);
  CHECK(fin_seq == data_seq + data_len);
}

TEST_CASE("bytes arrive intact however the sender splits them and whatever the MSS") {
  const std::string message = "EHLO client.example\r\nMAIL FROM:<a@b>\r\n";
  for (std::uint32_t mss : {1u, 2u, 7u, 1460u}) {
    for (std::size_t cut = 0; cut <= message.size(); ++cut) {
      TransportSettings ts;
      ts.mss = mss;
      Simulation s(3, ts);
      mailsim::test::two_networks(s);
      Collector server;
      server.attach(s, "server", 25);
      auto c = s.transport().connect("pc", ep("198.51.100.25", 25));
      c->on_connected = [&] {
        c->send(message.substr(0, cut));
        c->send(message.substr(cut));
        c->close();
      };
      s.core().run();
      INFO("mss " << mss << " cut " << cut);
      REQUIRE(server.received == message);
      if (mss == 1) {
        std::size_t data_packets = 0;
        for (const auto& r : s.trace().records())
          if (r.kind == RecordKind::Packet && r.host == "pc" && r.packet->bytes.size() == 1u) ++data_packets;
        CHECK(data_packets == message.size());
      }
    }
  }
}

TEST_CASE("both directions carry data and segments depart in order") {
  TransportSettings ts;
  ts.mss = 100;
  Simulation s(5, ts);
  mailsim::test::two_networks(s);
  std::string at_client;
  SocketPtr srv;
  s.transport().listen("server", 110, [&](SocketPtr p) {
    srv = p;
    p->send(std::string(1000, 'x'));  // a greeting bigger than one segment
    p->on_data = [&](std::string_view b) {
      if (b.find("QUIT") != std::string_view::npos) srv->close();
    };
  });
  auto c = s.transport().connect("pc", ep("198.51.100.25", 110));
  c->on_data = [&](std::string_view b) {
    at_client.append(b);
    if (at_client.size() == 1000) c->send("QUIT\r\n");
  };
  c->on_peer_closed = [&] { c->close(); };
  s.core().run();
  CHECK(at_client == std::string(1000, 'x'));
  Time last = -1;
  for (const auto& r : s.trace().records()) {
    if (r.kind == RecordKind::Packet && r.host == "server" && r.packet->bytes.size() == 100u) {
      CHECK(r.time > last);  // spaced by the serialisation time, never all at once
      last = r.time;
    }
  }
  CHECK(find(s.trace(), RecordKind::Connection, "closed"));
}

TEST_CASE("connecting to a closed port is refused with a RST") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  std::optional<SocketError> error;
  auto c = s.transport().connect("pc", ep("198.51.100.25", 25));
  c->on_error = [&](SocketError e, const std::string&) { error = e; };
  c->on_connected = [] { FAIL("must not connect"); };
  s.core().run();
  REQUIRE(error);
  CHECK(*error == SocketError::Refused);
  const Record* refused = find(s.trace(), RecordKind::Connection, "refused");
  REQUIRE(refused);
  CHECK(refused->time == 52 * kMilli);
  CHECK(refused->detail["error"] == "connection refused");
  bool rst = false;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && r.packet->flag_names() == "RST,ACK") rst = true;
  CHECK(rst);
}

TEST_CASE("a silent host makes the connect time out after SYN retries") {
  TransportSettings ts;
  ts.connect_timeout = 10 * kSecond;
  ts.initial_rto = 1 * kSecond;
  Simulation s(1, ts);
  mailsim::test::two_networks(s);
  s.transport().listen("server", 25, [](SocketPtr) { FAIL("must not accept"); });
  s.transport().set_host_up("server", false);
  std::optional<SocketError> error;
  auto c = s.transport().connect("pc", ep("198.51.100.25", 25));
  c->on_error = [&](SocketError e, const std::string&) { error = e; };
  s.core().run();
  REQUIRE(error);
  CHECK(*error == SocketError::TimedOut);
  const Record* to = find(s.trace(), RecordKind::Connection, "timeout");
  REQUIRE(to);
  CHECK(to->time == 10 * kSecond);
  // SYNs at 0, 1, 3, 7 s (1 s doubling), then the deadline.
  std::vector<Time> syns;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && r.packet->flag_names() == "SYN") syns.push_back(r.time);
  CHECK(syns == std::vector<Time>{0, 1 * kSecond, 3 * kSecond, 7 * kSecond});
}

TEST_CASE("an address nobody has times out too, and the trace says why") {
  TransportSettings ts;
  ts.connect_timeout = 3 * kSecond;
  Simulation s(1, ts);
  mailsim::test::two_networks(s);
  std::optional<SocketError> error;
  auto c = s.transport().connect("pc", ep("203.0.113.99", 25));
  c->on_error = [&](SocketError e, const std::string&) { error = e; };
  s.core().run();
  REQUIRE(error);
  CHECK(*error == SocketError::TimedOut);
  bool lost = false;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && !r.packet->lost.empty()) lost = true;
  CHECK(lost);
}

namespace {

PolicyRule op25b(Simulation& s, PolicyRule::Action action) {
  PolicyRule r;
  r.id = "op25b";
  r.description = "Outbound port 25 blocking";
  r.action = action;
  r.protocol = Transport::Tcp;
  r.dst_ports = {25};
  r.from = s.network().network("isp")->dynamic_pool;
  r.except_to = {*Ipv4::parse("192.0.2.25")};
  return r;
}

// Builds the two networks with OP25B on the ISP, then tries one connection.
struct Op25bWorld {
  Simulation s{9, [] {
                 TransportSettings t;
                 t.connect_timeout = 5 * kSecond;
                 return t;
               }()};
  std::optional<SocketError> error;
  bool connected = false;

  explicit Op25bWorld(PolicyRule::Action action) {
    using namespace mailsim::sim;
    NetworkInfo isp;
    isp.id = "isp";
    isp.kind = "access";
    isp.cidr = *Cidr::parse("192.0.2.0/24");
    isp.dynamic_pool = *Cidr::parse("192.0.2.128/25");
    NetworkInfo dc;
    dc.id = "dc";
    dc.cidr = *Cidr::parse("198.51.100.0/24");
    s.network().add_network(isp);
    s.network().add_network(dc);
    s.network().add_host(HostInfo{"pc", "pc", "PC", "", "isp", *Ipv4::parse("192.0.2.130")});
    s.network().add_host(HostInfo{"isp-mail", "mail_server", "", "", "isp", *Ipv4::parse("192.0.2.25")});
    s.network().add_host(HostInfo{"server", "mail_server", "", "", "dc", *Ipv4::parse("198.51.100.25")});
    // Rules live in the network; re-add the ISP with its policy.
    const_cast<NetworkInfo*>(s.network().network("isp"))->policies.push_back(op25b(s, action));
    for (auto host : {"server", "isp-mail"})
      for (std::uint16_t port : {std::uint16_t{25}, std::uint16_t{587}}) s.transport().listen(host, port, [](SocketPtr) {});
  }
  void connect(const char* ip, std::uint16_t port) {
    auto c = s.transport().connect("pc", ep(ip, port));
    c->on_connected = [this] { connected = true; };
    c->on_error = [this](SocketError e, const std::string&) { error = e; };
    s.core().run();
  }
};

}  // namespace

TEST_CASE("OP25B drops port 25 from the dynamic pool to outside servers") {
  Op25bWorld w(PolicyRule::Action::Drop);
  w.connect("198.51.100.25", 25);
  CHECK_FALSE(w.connected);
  REQUIRE(w.error);
  CHECK(*w.error == SocketError::TimedOut);
  const Record* p = find(w.s.trace(), RecordKind::Policy, "drop");
  REQUIRE(p);
  CHECK(p->detail["rule"] == "op25b");
  CHECK(p->detail["network"] == "isp");
  CHECK(count(w.s.trace(), RecordKind::Policy) == count(w.s.trace(), RecordKind::Packet, "tcp"));  // every SYN dropped
}

TEST_CASE("OP25B with reject makes the client see connection refused") {
  Op25bWorld w(PolicyRule::Action::Reject);
  w.connect("198.51.100.25", 25);
  REQUIRE(w.error);
  CHECK(*w.error == SocketError::Refused);
  CHECK(find(w.s.trace(), RecordKind::Policy, "reject"));
}

TEST_CASE("OP25B lets port 587 through") {
  Op25bWorld w(PolicyRule::Action::Drop);
  w.connect("198.51.100.25", 587);
  CHECK(w.connected);
  CHECK_FALSE(w.error);
  CHECK(count(w.s.trace(), RecordKind::Policy) == 0);
}

TEST_CASE("OP25B lets port 25 reach the ISP's own mail server") {
  Op25bWorld w(PolicyRule::Action::Drop);
  w.connect("192.0.2.25", 25);
  CHECK(w.connected);
  CHECK(count(w.s.trace(), RecordKind::Policy) == 0);
}

TEST_CASE("OP25B does not apply to hosts outside the dynamic pool") {
  Op25bWorld w(PolicyRule::Action::Drop);
  w.s.network().add_host(HostInfo{"static", "server", "", "", "isp", *Ipv4::parse("192.0.2.10")});
  bool connected = false;
  auto c = w.s.transport().connect("static", ep("198.51.100.25", 25));
  c->on_connected = [&] { connected = true; };
  w.s.core().run();
  CHECK(connected);
}

TEST_CASE("TLS on a stream: endpoints see plaintext, the wire carries ciphertext") {
  Simulation s(11);
  mailsim::test::two_networks(s);
  std::string server_got, client_got;
  bool server_tls = false, client_tls = false;
  SocketPtr srv;
  s.transport().listen("server", 587, [&](SocketPtr p) {
    srv = p;
    p->send("220 ready\r\n");
    p->on_data = [&](std::string_view b) {
      server_got.append(b);
      if (server_got == "STARTTLS\r\n") {
        srv->send("220 go ahead\r\n");
        srv->start_tls();
      } else if (server_got.find("AUTH PLAIN secret") != std::string::npos) {
        srv->send("235 ok\r\n");
      }
    };
    p->on_tls_ready = [&] { server_tls = true; };
  });
  auto c = s.transport().connect("pc", ep("198.51.100.25", 587));
  c->on_data = [&](std::string_view b) {
    client_got.append(b);
    if (client_got == "220 ready\r\n") c->send("STARTTLS\r\n");
    if (client_got.find("220 go ahead\r\n") != std::string::npos && !client_tls && c->open() && !c->tls_active())
      c->start_tls();
    if (client_got.find("235 ok") != std::string::npos) c->close();
  };
  c->on_tls_ready = [&] {
    client_tls = true;
    c->send("AUTH PLAIN secret\r\n");
  };
  c->on_peer_closed = [&] {};
  s.core().run();
  CHECK(server_tls);
  CHECK(client_tls);
  CHECK(server_got == "STARTTLS\r\nAUTH PLAIN secret\r\n");
  CHECK(client_got == "220 ready\r\n220 go ahead\r\n235 ok\r\n");
  CHECK(count(s.trace(), RecordKind::Tls, "established") == 2);
  // No packet on the wire shows the password; the STARTTLS line is still visible.
  bool saw_starttls = false;
  for (const auto& r : s.trace().records()) {
    if (r.kind != RecordKind::Packet || r.packet->bytes.empty()) continue;
    const std::string bytes(r.packet->bytes);
    CHECK(bytes.find("secret") == std::string::npos);
    CHECK(bytes.find("235 ok") == std::string::npos);
    if (bytes.find("STARTTLS") != std::string::npos) saw_starttls = true;
  }
  CHECK(saw_starttls);
}

TEST_CASE("implicit TLS: the server app sees the connection only after the handshake") {
  Simulation s(12);
  mailsim::test::two_networks(s);
  std::string got;
  SocketPtr srv;
  s.transport().listen(
      "server", 465,
      [&](SocketPtr p) {
        srv = p;
        CHECK(p->tls_active());
        p->send("220 smtps ready\r\n");
      },
      true);
  auto c = s.transport().connect("pc", ep("198.51.100.25", 465));
  c->on_connected = [&] { c->start_tls(); };
  c->on_data = [&](std::string_view b) {
    got.append(b);
    c->close();
  };
  s.core().run();
  CHECK(got == "220 smtps ready\r\n");
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && !r.packet->bytes.empty())
      CHECK(r.packet->bytes.find("smtps ready") == std::string::npos);
}

TEST_CASE("UDP datagrams reach a bound port and vanish at a closed one") {
  Simulation s(2);
  mailsim::test::two_networks(s);
  std::string got;
  Endpoint from;
  s.transport().udp_bind("server", 53, [&](Endpoint f, std::string_view b) {
    got = std::string(b);
    from = f;
  });
  s.transport().udp_send("pc", 40000, ep("198.51.100.25", 53), "query", "dns");
  s.transport().udp_send("pc", 40000, ep("198.51.100.25", 54), "lost", "dns");
  s.core().run();
  CHECK(got == "query");
  CHECK(from.str() == "192.0.2.130:40000");
  CHECK(count(s.trace(), RecordKind::Packet, "udp") == 2);
}
