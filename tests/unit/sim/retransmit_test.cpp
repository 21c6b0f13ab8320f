// TCP retransmission in the simulated transport: backoff, the same sequence numbers on the
// wire, the abort after the limit, hosts that go down or offline and what that costs.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "sim/core/transport.hpp"
#include "sim_fixtures.hpp"

using namespace mailsim::sim;

namespace {

Endpoint ep(const char* ip, std::uint16_t port) { return Endpoint{*Ipv4::parse(ip), port}; }

struct Sink {
  std::string received;
  SocketPtr sock;
  std::optional<SocketError> error;
  void attach(Simulation& s) {
    s.transport().listen("server", 9, [this](SocketPtr p) {
      sock = p;
      p->on_data = [this](std::string_view b) { received.append(b); };
      p->on_error = [this](SocketError e, const std::string&) { error = e; };
    });
  }
};

std::vector<const Record*> data_packets(const Trace& t, const std::string& from) {
  std::vector<const Record*> out;
  for (const auto& r : t.records())
    if (r.kind == RecordKind::Packet && r.host == from && r.packet->bytes.size() > 0) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("data lost while the receiver is offline is sent again with the same seq, and arrives once") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  Sink sink;
  sink.attach(s);
  auto c = s.transport().connect("pc", ep("198.51.100.25", 9));
  c->on_connected = [&] {
    s.transport().set_host_offline("server", true);
    c->send("hello, are you there?");
  };
  s.core().schedule_at(5 * kSecond, [&] { s.transport().set_host_offline("server", false); });
  s.core().run_until(60 * kSecond);
  CHECK(sink.received == "hello, are you there?");
  const auto sent = data_packets(s.trace(), "pc");
  REQUIRE(sent.size() >= 3);
  for (const auto* r : sent) {
    CHECK(r->packet->seq == sent.front()->packet->seq);
    CHECK(r->packet->bytes.size() == sent.front()->packet->bytes.size());
  }
  // Backoff: 1 s, then 2 s, then 4 s after the first try.
  const Time first = sent[0]->time;
  CHECK(sent[1]->time - first == 1 * kSecond);
  CHECK(sent[2]->time - first == 3 * kSecond);
  CHECK(c->unacked() == 0);
}

TEST_CASE("unacknowledged data is retransmitted up to the limit, then the connection aborts with a reason") {
  TransportSettings ts;
  ts.max_retransmissions = 4;
  ts.max_rto = 4 * kSecond;
  Simulation s(1, ts);
  mailsim::test::two_networks(s);
  Sink sink;
  sink.attach(s);
  std::optional<SocketError> error;
  std::string why;
  auto c = s.transport().connect("pc", ep("198.51.100.25", 9));
  c->on_error = [&](SocketError e, const std::string& w) {
    error = e;
    why = w;
  };
  c->on_connected = [&] { c->send("hello"); };
  s.core().schedule_at(1 * kSecond, [&] {
    s.transport().set_host_up("server", false);
    c->send("anyone?");
  });
  s.core().run();
  REQUIRE(error);
  CHECK(*error == SocketError::Aborted);
  CHECK(why.find("after 4 retransmissions") != std::string::npos);
  CHECK(sink.received == "hello");
  std::size_t copies = 0;
  for (const auto* r : data_packets(s.trace(), "pc")) copies += r->packet->bytes.size() == 7;
  CHECK(copies == 5);  // the original and 4 copies
  // The server's program was told at once that its host went down (it had a connection).
  REQUIRE(sink.error);
  CHECK(*sink.error == SocketError::Aborted);
  bool aborted_record = false;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Connection && r.event == "aborted" && r.detail.value("host", "") == "pc")
      aborted_record = r.detail.value("reason", "").find("retransmissions") != std::string::npos;
  CHECK(aborted_record);
  CHECK(s.transport().open_connections() == 0);
}

TEST_CASE("a host that went down and came back answers an old connection's segment with a RST") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  Sink sink;
  sink.attach(s);
  std::optional<SocketError> error;
  auto c = s.transport().connect("pc", ep("198.51.100.25", 9));
  c->on_error = [&](SocketError e, const std::string&) { error = e; };
  c->on_connected = [&] { c->send("first"); };
  s.core().schedule_at(1 * kSecond, [&] {
    s.transport().set_host_up("server", false);
    c->send("second");
  });
  s.core().schedule_at(2 * kSecond, [&] { s.transport().set_host_up("server", true); });
  s.core().run();
  REQUIRE(error);
  CHECK(*error == SocketError::Reset);
  CHECK(sink.received == "first");
  bool rst = false;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && r.host == "server" && r.packet->flag_names() == "RST,ACK") rst = true;
  CHECK(rst);
}

TEST_CASE("a host that is offline sends nothing, and what it had in flight is lost") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  Sink sink;
  sink.attach(s);
  auto c = s.transport().connect("pc", ep("198.51.100.25", 9));
  c->on_connected = [&] {
    c->send("in flight");
    // The segment has left but not arrived when the PC's network goes.
    s.core().schedule_in(2 * kMilli, [&] { s.transport().set_host_offline("pc", true); });
  };
  s.core().run_until(30 * kSecond);
  CHECK(sink.received.empty());
  // Only the first copy reached the wire; the retransmissions stayed on the offline PC.
  CHECK(data_packets(s.trace(), "pc").size() == 1);
  CHECK(c->unacked() == 9);
}
