// The compact trace (issue 13): every lesson's trace written to JSON Lines and read back
// writes the same bytes again, and packets come back as typed fields, not JSON.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include "sim/scenario/lessons.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

namespace {

std::string jsonl(const Trace& t) {
  std::ostringstream out;
  t.write_jsonl(out);
  return out.str();
}

}  // namespace

TEST_CASE("every lesson's trace reads back and writes the same bytes", "[trace]") {
  const auto lessons = list_lessons(std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios");
  REQUIRE(lessons.size() >= 23);
  for (const auto& lesson : lessons) {
    auto l = load_scenario_file(lesson.file.string());
    REQUIRE(l.scenario);
    const auto r = run_scenario(*l.scenario);
    INFO(lesson.group << "/" << lesson.name);
    const std::string first = jsonl(r.trace);
    std::istringstream in(first);
    Trace back;
    std::string error;
    REQUIRE(Trace::read_jsonl(in, back, error));
    CHECK(jsonl(back) == first);
    // A copy owns its packets: it still writes the same after the original is gone.
    const Trace copy(back);
    back = Trace();
    CHECK(jsonl(copy) == first);
  }
}

TEST_CASE("packet records are typed and share their route and bytes storage", "[trace]") {
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/basics/tcp-connection.json");
  REQUIRE(l.scenario);
  const auto r = run_scenario(*l.scenario);
  const Hops* route = nullptr;
  std::size_t packets = 0, same_route = 0;
  for (const auto& rec : r.trace.records()) {
    if (rec.kind != RecordKind::Packet) {
      CHECK(rec.packet == nullptr);
      continue;
    }
    REQUIRE(rec.packet != nullptr);
    ++packets;
    CHECK(rec.summary.empty());        // worded on demand
    CHECK(rec.detail.empty());         // no per-record JSON
    CHECK_FALSE(rec.text().empty());
    CHECK(to_json(rec)["summary"] == rec.text());
    if (rec.packet->path && rec.host == r.trace.records().front().host) {
      if (!route) route = rec.packet->path;
      same_route += rec.packet->path == route;
    }
  }
  CHECK(packets > 0);
  CHECK(same_route > 1);  // one interned route for every packet one way
  std::size_t bytes = 0;
  for (const auto& rec : r.trace.records())
    if (rec.packet) bytes += rec.packet->bytes.size();
  CHECK(r.trace.payload_bytes() == bytes);
}

TEST_CASE("interned names compare by text and by identity", "[trace]") {
  const Name a("mx1.example"), b(std::string("mx1.example")), c("mx2.example");
  CHECK(a == b);
  CHECK(a.c_str() == b.c_str());  // stored once
  CHECK_FALSE(a == c);
  CHECK(a == "mx1.example");
  CHECK(a < c);
  CHECK(Name().empty());
  CHECK(fmt::format("{}", a) == "mx1.example");
}

TEST_CASE("a packet record with broken fields is refused with its line and field", "[trace]") {
  const std::string meta = R"({"kind":"meta","schema":1})" "\n";
  const std::string head = R"({"t":1,"kind":"packet","event":"tcp","detail":)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"dst":"192.0.2.1:25"})", "\"src\" and \"dst\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","flags":"SYN,BOGUS"})", "flags"},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","seq":4294967296})", "\"seq\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","arrive":-5})", "\"arrive\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","path":"a"})", "\"path\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","path":["a",1]})", "\"path\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","bytes":7})", "\"bytes\""},
      {R"({"src":"192.0.2.2:4000","dst":"192.0.2.1:25","lost":false})", "\"lost\""},
  };
  for (const auto& [detail, field] : cases) {
    INFO(detail);
    std::istringstream in(meta + head + detail + "}\n");
    Trace t;
    std::string error;
    CHECK_FALSE(Trace::read_jsonl(in, t, error));
    CHECK(error.rfind("line 2: ", 0) == 0);
    CHECK(error.find(field) != std::string::npos);
  }
  // An address that is not IPv4 with a port is kept as written, not refused.
  std::istringstream v6(meta + head + R"({"src":"[2001:db8::1]:25","dst":"[2001:db8::2]:4000","bytes":"hi"}})" "\n");
  Trace t;
  std::string error;
  REQUIRE(Trace::read_jsonl(v6, t, error));
  CHECK(t.records()[0].packet->src_text() == "[2001:db8::1]:25");
  CHECK(t.records()[0].packet->bytes == "hi");
}

namespace {

// What the JSON Lines writer printed before it streamed: nlohmann's dump of to_json.
std::string dumped(const Trace& t) {
  std::string text;
  nlohmann::json head = t.meta;
  head["kind"] = "meta";
  head["schema"] = kTraceSchemaVersion;
  head["records"] = t.records().size();
  constexpr auto replace = nlohmann::json::error_handler_t::replace;
  text += head.dump(-1, ' ', false, replace) + "\n";
  for (const auto& r : t.records()) text += to_json(r).dump(-1, ' ', false, replace) + "\n";
  return text;
}

}  // namespace

TEST_CASE("the streaming JSON Lines writer prints exactly what nlohmann prints", "[trace]") {
  for (const auto& lesson : list_lessons(std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios")) {
    auto l = load_scenario_file(lesson.file.string());
    REQUIRE(l.scenario);
    const auto r = run_scenario(*l.scenario);
    INFO(lesson.group << "/" << lesson.name);
    CHECK(jsonl(r.trace) == dumped(r.trace));
  }
  // Strings that need every kind of escape, broken UTF-8, Japanese, and packets of each shape.
  Trace t;
  Record note;
  note.kind = RecordKind::Note;
  note.event = "odd \"quoted\" \\ name";
  note.host = std::string("ctl\x01\x1f\x7f\b\f\n\r\t", 10);
  note.peer = "しろやぎ";
  note.summary = std::string("bad \xff\xfe utf-8 \xe3\x81 cut, then \xed\xa0\x80 surrogate");
  note.detail = {{"z", 1}, {"a", "x\ty"}, {"m", {{"b", 2.5}, {"a", nullptr}}}};
  t.add(note);
  Record empty;
  t.add(empty);
  for (const bool udp : {false, true}) {
    Record pr;
    pr.kind = RecordKind::Packet;
    pr.conn = udp ? 0 : 7;
    pr.protocol = udp ? "udp" : "tcp";
    PacketInfo p;
    p.udp = udp;
    p.src = Endpoint{Ipv4::parse("10.0.0.2").value(), 49152};
    p.dst = Endpoint{Ipv4::parse("192.0.2.25").value(), 25};
    const Hops hops{"pc", "isp-router", "mail"};
    p.path = udp ? nullptr : &hops;
    p.flags = tcp_flags::kPsh | tcp_flags::kAck;
    p.seq = 0xFFFFFFFFu;
    p.ack = 12;
    p.tls = !udp;
    p.bytes = std::string_view("AUTH \"x\" \\ \x00\x01\xff \xe3\x81\x82\r\n", 21);
    p.lost = "line \"down\"";
    p.blocked_by = "op25b";
    p.arrive = 123456;
    t.add_packet(pr, p);
  }
  CHECK(jsonl(t) == dumped(t));
}
