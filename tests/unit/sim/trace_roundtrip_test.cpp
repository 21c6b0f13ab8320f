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
#include "event_names.hpp"
#include "trace_files.hpp"

using namespace mailsim::sim;
using mailsim::test::dumped;
using mailsim::test::jsonl;
using mailsim::test::read_back;

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

TEST_CASE("protocol records are typed: no JSON detail, no stored summary", "[trace]") {
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json");
  REQUIRE(l.scenario);
  const auto r = run_scenario(*l.scenario);
  std::size_t commands = 0, replies = 0, states = 0, with_verb = 0, with_code = 0;
  for (const auto& rec : r.trace.records()) {
    if (rec.kind != RecordKind::Protocol) {
      CHECK(rec.proto == nullptr);
      CHECK(rec.protocol_event() == ProtoEvent::Other);
      continue;
    }
    REQUIRE(rec.proto != nullptr);
    INFO(to_json(rec).dump());
    CHECK(rec.summary.empty());  // worded on demand
    CHECK(rec.detail.empty());   // no per-record JSON for a simulated record
    CHECK_FALSE(rec.text().empty());
    CHECK(rec.event == to_string(rec.proto->event));  // the name follows the enum
    CHECK(to_json(rec)["summary"] == rec.text());
    const auto& p = *rec.proto;
    switch (p.event) {
      case ProtoEvent::Command:
        ++commands;
        with_verb += !p.verb.empty();
        CHECK(rec.text() == "C: " + std::string(p.line()));
        CHECK(to_json(rec)["detail"]["line"] == std::string(p.line()));
        break;
      case ProtoEvent::Reply:
        ++replies;
        with_code += p.has_code;
        CHECK(rec.text() == "S: " + std::string(p.line()));
        break;
      case ProtoEvent::State:
        ++states;
        CHECK(rec.text() == p.from.str() + " -> " + p.to.str());
        CHECK(to_json(rec)["detail"] == nlohmann::json{{"from", p.from.str()}, {"to", p.to.str()}});
        break;
      default: break;
    }
    // The typed form is what the budget counts: the struct and the text, no JSON map.
    CHECK(Trace::estimate_size(rec) == Trace::estimate_size(Record{}) + sizeof(ProtocolInfo) + p.text.size());
  }
  CHECK(commands > 10);
  CHECK(replies > 10);
  CHECK(states > 5);
  CHECK(with_verb == commands);
  CHECK(with_code > 0);
}

TEST_CASE("protocol event names are spelled in one place", "[trace]") {
  for (const auto e : {ProtoEvent::Command, ProtoEvent::Reply, ProtoEvent::State, ProtoEvent::Error, ProtoEvent::Note,
                       ProtoEvent::Sent, ProtoEvent::Received, ProtoEvent::Data, ProtoEvent::NotUnderstood}) {
    ProtoEvent back = ProtoEvent::Other;
    CHECK_FALSE(to_string(e).empty());
    CHECK(protocol_event_from_string(to_string(e), back));
    CHECK(back == e);
  }
  ProtoEvent e = ProtoEvent::Command;
  CHECK_FALSE(protocol_event_from_string("frobnicate", e));
  CHECK(e == ProtoEvent::Other);
}

TEST_CASE("protocol records of every shape read back typed and write the same bytes", "[trace]") {
  using nlohmann::json;
  auto line = [](std::uint64_t seq, const std::string& event, json detail, const char* summary = nullptr) {
    json j{{"t", 1000 + seq}, {"seq", seq}, {"kind", "protocol"}, {"event", event}, {"host", "pc"}, {"peer", "mx"},
           {"conn", 3}, {"proto", "smtp"}};
    if (summary) j["summary"] = summary;
    if (!detail.empty()) j["detail"] = std::move(detail);
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  };
  const std::vector<std::string> lines = {
      line(0, "command", {{"line", "AUTH PLAIN ********"}, {"verb", "AUTH"}, {"masked", true}}, "C: AUTH PLAIN ********"),
      line(1, "reply", {{"line", "550 5.1.1 no"}, {"code", 550}, {"status", "5.1.1"}, {"fault", "r1"}}, "S: 550 5.1.1 no"),
      line(2, "state", {{"from", ""}, {"to", "Ready"}}, " -> Ready"),
      // A replay's annotations stay beside the typed keys; its own summary is kept.
      line(3, "reply", {{"line", "250 ok"}, {"code", 250}, {"last", true}, {"meaning", "fine"}},
           "S: 250 ok   [not an SMTP reply line]"),
      line(4, "command", {{"line", "AHNoaQ=="}, {"verb", ""}, {"sasl", true}}, "C: AHNoaQ=="),
      line(5, "frobnicate", {{"line", "x"}}, "x"),
      line(6, "reply", {{"line", "220 hi"}}),  // no summary at all
      line(7, "reply", {{"line", "250 x"}, {"code", "250"}}, "S: 250 x"),  // a code that is not a number
      line(8, "note", {{"text", "TLS が確立 \xff"}}, "TLS が確立 \xff"),
      line(9, "sent", {{"bytes", "EHLO a\\r\\n"}}, "C: EHLO a\\r\\n"),
      line(10, "data", {{"lines", 3}, {"size", 40}}, "C: [the message: 3 lines, 40 bytes]"),
      line(11, "state", {{"to", "Ready"}}, "? -> Ready"),  // a state without its "from"
      line(12, "error", {}, "protocol error: out of order"),
  };
  const Trace copy = read_back(lines);

  const auto& rs = copy.records();
  REQUIRE(rs.size() == lines.size());
  for (const auto& rec : rs) REQUIRE(rec.proto != nullptr);
  CHECK(rs[0].is(ProtoEvent::Command));
  CHECK(rs[0].proto->verb == "AUTH");
  CHECK(rs[0].proto->masked);
  CHECK(rs[0].detail.empty());
  CHECK(rs[0].summary.empty());
  CHECK(rs[1].proto->code == 550);
  CHECK(rs[1].proto->status == "5.1.1");
  CHECK(rs[1].proto->fault == "r1");
  CHECK(rs[2].proto->to == "Ready");
  CHECK(rs[3].detail == json{{"last", true}, {"meaning", "fine"}});
  CHECK(rs[3].proto->has_code);
  CHECK(rs[3].text() == "S: 250 ok   [not an SMTP reply line]");
  CHECK(rs[4].detail == json{{"sasl", true}, {"verb", ""}});
  CHECK(rs[5].protocol_event() == ProtoEvent::Other);
  CHECK(rs[5].event == "frobnicate");
  CHECK(rs[6].text().empty());
  CHECK(rs[7].detail == json{{"code", "250"}});
  CHECK_FALSE(rs[7].proto->has_code);
  CHECK(rs[9].proto->wire_text() == "EHLO a\r\n");
  CHECK(rs[9].proto->from_client());
  CHECK(rs[10].is(ProtoEvent::Data));
  CHECK(rs[11].protocol_event() == ProtoEvent::Other);  // kept as written
  CHECK(rs[12].is(ProtoEvent::Error));
  CHECK(rs[12].text() == "protocol error: out of order");
}

TEST_CASE("a protocol record written in code is stored typed, in the trace's own storage", "[trace]") {
  Trace t;
  const std::string line = "EHLO pc";
  ProtocolInfo p;
  p.event = ProtoEvent::Command;
  p.text_key = ProtocolInfo::TextKey::Line;
  p.text = line;
  p.verb = "EHLO";
  Record r;
  r.kind = RecordKind::Protocol;
  r.host = "pc";
  r.proto = &p;
  const Record& in = t.add(r);
  CHECK(in.proto != &p);
  CHECK(in.proto->text.data() != line.data());
  CHECK(in.event == to_string(ProtoEvent::Command));
  CHECK(in.text() == "C: EHLO pc");
  CHECK(to_json(in)["detail"] == nlohmann::json{{"line", "EHLO pc"}, {"verb", "EHLO"}});
  CHECK(t.memory_estimate() == Trace::estimate_size(in));
  CHECK(Trace::estimate_size(in) == Trace::estimate_size(Record{}) + sizeof(ProtocolInfo) + line.size());
  // The same record with a JSON detail (the old way) is typed the same.
  Record old;
  old.kind = RecordKind::Protocol;
  old.event = "command";
  old.host = "pc";
  old.summary = "C: EHLO pc";
  old.detail = {{"line", "EHLO pc"}, {"verb", "EHLO"}};
  const Record& typed = t.add(old);
  CHECK(typed.summary.empty());
  CHECK(typed.detail.empty());
  CHECK(to_json(typed)["detail"] == to_json(in)["detail"]);
  CHECK(to_json(typed)["summary"] == "C: EHLO pc");
}

TEST_CASE("mail event names are spelled in one place", "[trace]") {
  mailsim::test::check_event_names(MailEvent::Compose, MailEvent::Duplicate, mail_event_from_string, "dsn");
}

TEST_CASE("mail records read back typed and write the same bytes", "[trace]") {
  using nlohmann::json;
  auto line = [](std::uint64_t seq, const std::string& event, json detail) {
    json j{{"t", 1000 + seq}, {"seq", seq}, {"kind", "mail"}, {"event", event}, {"host", "mx"}, {"proto", "smtp"},
           {"summary", "mx: " + event}};
    if (!detail.empty()) j["detail"] = std::move(detail);
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  };
  const std::vector<std::string> lines = {
      line(0, "queued", {{"queue_id", "Q1"}, {"message_id", "<a@b>"}, {"sender", ""}, {"recipients", {"x@y"}},
                         {"subject", "件名 \xff"}, {"size", 1234}}),
      line(1, "deferred", {{"queue_id", "Q1"}, {"recipient", "x@y"}, {"reason", "connection timed out"},
                           {"status", "4.4.1"}, {"attempts", 2}, {"retry_at", 61000000}}),
      line(2, "bounced", {{"recipient", "x@y"}, {"code", 550}, {"status", "5.1.1"}, {"dropped", true}}),
      line(3, "delivered", {{"user", "kuro"}, {"folder", "INBOX"}, {"uid", 7}, {"remote_host", "mx2"}}),
      line(4, "relayed", {{"code", "250"}, {"size", 1.5}, {"error", 3}}),  // not of the typed kinds: kept as written
      line(5, "dsn", {{"queue_id", "Q2"}}),                                // a name this build does not know
      line(6, "submitted", {}),
  };
  const Trace copy = read_back(lines);

  const auto& rs = copy.records();
  REQUIRE(rs.size() == lines.size());
  for (const auto& rec : rs) REQUIRE(rec.mail != nullptr);
  CHECK(rs[0].is(MailEvent::Queued));
  CHECK(rs[0].mail->queue_id == "Q1");
  CHECK(rs[0].mail->has(MailInfo::kSender));
  CHECK(rs[0].mail->sender.empty());
  CHECK(rs[0].mail->size == 1234);
  CHECK(rs[0].detail == json{{"recipients", {"x@y"}}});
  CHECK(rs[1].mail->attempts == 2);
  CHECK(rs[1].mail->retry_at == 61000000);
  CHECK(rs[1].mail->reason == "connection timed out");
  CHECK(rs[1].detail.empty());
  CHECK(rs[2].mail->code == 550);
  CHECK_FALSE(rs[2].mail->has(MailInfo::kQueueId));
  CHECK(rs[3].mail->uid == 7);
  CHECK(rs[3].mail->remote_host == "mx2");
  CHECK_FALSE(rs[4].mail->has(MailInfo::kCode));
  CHECK(rs[4].detail.size() == 3);
  CHECK(rs[5].mail_event() == MailEvent::Other);
  CHECK(rs[5].event == "dsn");
  CHECK(rs[6].is(MailEvent::Submitted));
  CHECK_FALSE(rs[6].is(ProtoEvent::Command));
  // A record of another kind never answers as a mail event.
  Record other;
  other.kind = RecordKind::Connection;
  other.event = "delivered";
  CHECK(other.mail_event() == MailEvent::Other);
}

TEST_CASE("a mail record written in code is stored typed, in the trace's own storage", "[trace]") {
  Trace t;
  const std::string subject = "Hello";
  MailInfo m;
  m.event = MailEvent::Relayed;
  m.queue_id = "Q9";
  m.set(MailInfo::kQueueId);
  m.subject = subject;
  m.set(MailInfo::kSubject);
  m.code = 250;
  m.set(MailInfo::kCode);
  Record r;
  r.kind = RecordKind::Mail;
  r.host = "mx";
  r.mail = &m;
  r.detail = {{"remote", "mx.example"}};
  const Record& in = t.add(r);
  CHECK(in.mail != &m);
  CHECK(in.mail->subject.data() != subject.data());
  CHECK(in.event == to_string(MailEvent::Relayed));
  CHECK(to_json(in)["detail"] == nlohmann::json{{"code", 250}, {"queue_id", "Q9"}, {"remote", "mx.example"}, {"subject", "Hello"}});
  // The same record with a JSON detail (the old way) is typed the same.
  Record old;
  old.kind = RecordKind::Mail;
  old.event = "relayed";
  old.host = "mx";
  old.detail = {{"code", 250}, {"queue_id", "Q9"}, {"remote", "mx.example"}, {"subject", "Hello"}};
  const Record& typed = t.add(old);
  CHECK(typed.detail == nlohmann::json{{"remote", "mx.example"}});
  CHECK(typed.is(MailEvent::Relayed));
  auto same = to_json(in);
  same["seq"] = 1;
  CHECK(to_json(typed) == same);
}
