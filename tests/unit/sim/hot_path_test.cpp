// The per-packet shortcuts of the simulator (docs/performance.md, "Per journey"): they must
// change no byte of a trace. A connection end keeps its route until the network changes; a
// record with nothing in its detail allocates none; bytes are escaped in one pass.
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/transport.hpp"
#include "sim_fixtures.hpp"
#include "trace_files.hpp"

using namespace mailsim::sim;
using mailsim::test::jsonl;

namespace {

Endpoint ep(const char* ip, std::uint16_t port) { return Endpoint{*Ipv4::parse(ip), port}; }


// The record lines the trace streams (no meta line).
std::string streamed(const std::vector<std::pair<Record, std::optional<PacketInfo>>>& records, Retention keep) {
  std::ostringstream out;
  Trace t;
  t.set_retention(std::move(keep));
  t.stream_to(&out);
  for (const auto& [r, p] : records) {
    if (p) t.add_packet(r, *p);
    else t.add(r);
  }
  t.flush_stream();
  return out.str();
}

}  // namespace

TEST_CASE("a link that goes down mid-connection loses the next packets, and they get through once it is up") {
  Simulation s(1);
  mailsim::test::two_networks(s);
  std::string received;
  SocketPtr server;
  s.transport().listen("server", 7, [&](SocketPtr p) {
    server = p;
    p->on_data = [&](std::string_view b) { received.append(b); };
  });
  auto c = s.transport().connect("pc", ep("198.51.100.25", 7));
  c->on_connected = [&] { c->send("before "); };
  s.core().run_until(1 * kSecond);
  REQUIRE(received == "before ");
  const auto version = s.network().version();
  s.network().set_link_up("dc", false);
  CHECK(s.network().version() != version);  // a route computed before is stale
  c->send("during ");
  s.core().run_until(2 * kSecond);
  CHECK(received == "before ");  // the data segment was lost on the cut link
  bool lost = false;
  for (const auto& r : s.trace().records())
    if (r.kind == RecordKind::Packet && r.packet->lost == "the link of dc is down") lost = true;
  CHECK(lost);
  s.network().set_link_up("dc", true);
  s.core().run_until(10 * kSecond);  // the retransmission timer sends it again
  CHECK(received == "before during ");
  // Setting a link to the state it is in changes nothing: the version stays.
  const auto now = s.network().version();
  s.network().set_link_up("dc", true);
  CHECK(s.network().version() == now);
}

TEST_CASE("a record with nothing in its detail allocates none, and is written and kept as before") {
  Record note;
  note.kind = RecordKind::Note;
  note.event = "budget";
  note.summary = "a note";
  CHECK(note.detail.is_null());  // no allocation until a writer puts a key in it
  Trace t;
  const Record& kept = t.add(note);
  CHECK(kept.detail.is_object());  // a kept record's detail is an object: value() works on it
  CHECK(kept.detail.empty());
  CHECK(kept.detail.value("anything", 7) == 7);
  const std::string line = jsonl(t).substr(jsonl(t).find('\n') + 1);
  CHECK(line.find("\"detail\"") == std::string::npos);  // an empty detail is not written, as before
  CHECK(line == to_json(kept).dump() + "\n");
  // A record streamed and not kept writes the same line.
  CHECK(streamed({{note, std::nullopt}}, Retention::only()) == line);
  // A writer may still fill the detail of a record it gets back (it becomes an object).
  Record& back = t.add(note);
  back.detail["by"] = "user";
  CHECK(back.detail == nlohmann::json{{"by", "user"}});
  // A packet's detail is its typed fields: written the same whether the record is kept or not.
  Record pr;
  pr.kind = RecordKind::Packet;
  pr.protocol = "tcp";
  pr.detail = {{"stale", true}};  // ignored: the typed fields are the detail
  PacketInfo p;
  p.src = ep("10.0.0.2", 49152);
  p.dst = ep("192.0.2.25", 25);
  p.flags = tcp_flags::kSyn;
  const std::string all = streamed({{pr, p}}, Retention::everything());
  CHECK(all == streamed({{pr, p}}, Retention::only()));
  CHECK(all.find("stale") == std::string::npos);
  Trace tp;
  CHECK(tp.add_packet(pr, p).detail == nlohmann::json::object());
}

TEST_CASE("escaping bytes: every byte value comes back, and the one-pass JSON form is nlohmann's") {
  std::vector<std::string> cases;
  std::string all;
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    all += c;
    cases.emplace_back(1, c);                                // alone
    cases.push_back(std::string(1, c) + "\x80\x80\x80 a");  // before continuation bytes
    cases.push_back("x" + std::string(1, c));               // cut at the end
  }
  cases.push_back(all);
  cases.push_back("メール \"quoted\" \\x41 \\ \r\n\t \xe3\x81 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xc0\xaf");
  Random rng(7);
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise += static_cast<char>(rng.next() & 0xFF);
  cases.push_back(noise);
  for (std::size_t i = 0; i + 1 < cases.size(); ++i) {
    INFO("case " << i);
    CHECK(unescape_bytes(escape_bytes(cases[i])) == cases[i]);
  }
  CHECK(unescape_bytes(escape_bytes(all)) == all);
  CHECK(unescape_bytes(escape_bytes(noise)) == noise);
  // A backslash that escapes nothing, or ends the text, stays as it is.
  CHECK(unescape_bytes("a\\qb\\") == "a\\qb\\");
  CHECK(unescape_bytes("\\x4") == "\\x4");
  CHECK(unescape_bytes("\\x4g\\x41") == "\\x4gA");
  // The writer escapes a packet's bytes and JSON-escapes the result in one pass: the line must
  // be what nlohmann prints for the record.
  Trace t;
  for (const auto& bytes : cases) {
    Record pr;
    pr.kind = RecordKind::Packet;
    pr.protocol = "udp";
    PacketInfo p;
    p.udp = true;
    p.src = ep("10.0.0.2", 53);
    p.dst = ep("192.0.2.25", 53);
    p.bytes = bytes;
    t.add_packet(pr, p);
  }
  std::string expected = t.meta_line();
  for (const auto& r : t.records()) {
    CHECK(r.packet->summary().size() > 0);
    expected += to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) + "\n";
  }
  CHECK(jsonl(t) == expected);
}
