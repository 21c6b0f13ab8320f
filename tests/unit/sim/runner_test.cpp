// Running scenarios: determinism, expectations, the trace file format.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "sim/core/random.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

const std::string& kSource = mailsim::test::kSourceDir;
Scenario load(const std::string& path) { return mailsim::test::load_lesson(path); }

std::string trace_text(const RunResult& r) {
  std::ostringstream out;
  r.trace.write_jsonl(out);
  return out.str();
}

const std::string kOp25b = R"({
  "mailsim": 1,
  "title": "OP25B at the border",
  "seed": 5,
  "settings": {"connect_timeout": "8s"},
  "networks": [
    {"id": "isp", "kind": "access", "cidr": "192.0.2.0/24", "dynamic_pool": "192.0.2.128/25",
     "policies": [{"preset": "op25b", "except_to": ["isp-mail"]}]},
    {"id": "dc", "cidr": "198.51.100.0/24"}
  ],
  "hosts": [
    {"id": "pc", "kind": "pc", "network": "isp", "ip": "192.0.2.130"},
    {"id": "isp-mail", "kind": "mail_server", "network": "isp", "ip": "192.0.2.25",
     "services": [{"port": 25, "app": "discard"}]},
    {"id": "mx", "kind": "mail_server", "network": "dc", "ip": "198.51.100.25",
     "services": [{"port": 25, "app": "discard"}, {"port": 587, "app": "discard"}]}
  ],
  "timeline": [
    {"at": "1s", "do": "connect", "from": "pc", "to": "mx", "port": 25, "send": ["EHLO pc"]},
    {"at": "20s", "do": "connect", "from": "pc", "to": "mx", "port": 587, "send": ["EHLO pc"]},
    {"at": "30s", "do": "connect", "from": "pc", "to": "isp-mail", "port": 25, "send": ["EHLO pc"]}
  ],
  "expectations": [
    {"type": "connection", "from": "pc", "to": "mx", "port": 25, "result": "timeout"},
    {"type": "blocked", "policy": "op25b", "from": "pc", "port": 25},
    {"type": "connection", "from": "pc", "to": "mx", "port": 587, "result": "established"},
    {"type": "connection", "from": "pc", "to": "isp-mail", "port": 25, "result": "established"}
  ]
})";

}  // namespace

TEST_CASE("the same scenario and seed give a byte-identical trace") {
  const Scenario s = load("scenarios/basics/tcp-connection.json");
  const std::string a = trace_text(run_scenario(s));
  const std::string b = trace_text(run_scenario(s));
  CHECK(a.size() > 1000);
  CHECK(a == b);
  Scenario other = s;
  other.seed = s.seed + 1;
  CHECK(trace_text(run_scenario(other)) != a);  // the seed matters (sequence numbers)
}

TEST_CASE("the OP25B scenario blocks 25 outside, allows 587 and the ISP's own server") {
  auto loaded = load_scenario_text(kOp25b, "op25b.json");
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  const auto r = run_scenario(*loaded.scenario);
  for (const auto& e : r.expectations) {
    INFO(e.description << " -> " << e.actual);
    CHECK(e.passed);
  }
  CHECK(r.all_passed());
  CHECK(r.expectations.size() == 4);
}

TEST_CASE("a failed expectation says what happened instead") {
  std::string text = kOp25b;
  const std::string from = R"("port": 25, "result": "timeout")";
  text.replace(text.find(from), from.size(), R"("port": 25, "result": "established")");
  auto loaded = load_scenario_text(text, "op25b.json");
  REQUIRE(loaded.scenario);
  const auto r = run_scenario(*loaded.scenario);
  CHECK_FALSE(r.all_passed());
  CHECK_FALSE(r.expectations[0].passed);
  CHECK(r.expectations[0].actual == "instead: timeout at 9.000s");
  CHECK(r.expectations[0].pointer == "/expectations/0");
}

TEST_CASE("a run with a stop time ends early and says so") {
  auto loaded = load_scenario_text(kOp25b, "op25b.json");
  REQUIRE(loaded.scenario);
  RunOptions o;
  o.until = 2 * kSecond;
  const auto r = run_scenario(*loaded.scenario, o);
  CHECK(r.stopped_early);
  for (const auto& rec : r.trace.records()) CHECK(rec.time <= 2 * kSecond);
}

TEST_CASE("a trace survives a write and a read") {
  const auto r = run_scenario(load("scenarios/basics/tcp-connection.json"));
  std::istringstream in(trace_text(r));
  Trace back;
  std::string error;
  REQUIRE(Trace::read_jsonl(in, back, error));
  REQUIRE(back.size() == r.trace.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(to_json(back.records()[i]) == to_json(r.trace.records()[i]));
  }
  CHECK(back.meta["scenario"] == "tcp-connection");
}

TEST_CASE("bad trace files are rejected with the line number") {
  Trace t;
  std::string error;
  std::istringstream empty("");
  CHECK_FALSE(Trace::read_jsonl(empty, t, error));
  CHECK(error == "empty trace: no meta record");
  std::istringstream wrong_schema("{\"kind\":\"meta\",\"schema\":99}\n");
  CHECK_FALSE(Trace::read_jsonl(wrong_schema, t, error));
  CHECK(error == "line 1: trace schema 99 is not supported (this build reads schema 1)");
  std::istringstream bad("{\"kind\":\"meta\",\"schema\":1}\n{\"t\":1,\"kind\":\"bogus\"}\n");
  CHECK_FALSE(Trace::read_jsonl(bad, t, error));
  CHECK(error == "line 2: missing or unknown \"kind\"");
  std::istringstream broken("{\"kind\":\"meta\",\"schema\":1}\n{\"t\":1,\n");
  CHECK_FALSE(Trace::read_jsonl(broken, t, error));
  CHECK(error == "line 2: not valid JSON");
}

TEST_CASE("bytes in traces are escaped readably and come back exactly") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  all += "メール\\x41";
  const std::string esc = escape_bytes(all);
  CHECK(unescape_bytes(esc) == all);
  CHECK(escape_bytes("EHLO a\r\n") == "EHLO a\\r\\n");
  CHECK(escape_bytes("件名") == "件名");
  CHECK(escape_bytes(std::string("\x00\xff", 2)) == "\\x00\\xff");
  // Byte sequences that look like UTF-8 but are not valid are escaped too.
  CHECK(escape_bytes("\xE0\x9F\x80") == "\\xe0\\x9f\\x80");  // overlong
  CHECK(escape_bytes("\xED\xA0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(escape_bytes("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  // Every escaped string is valid JSON text, whatever the bytes.
  std::string noise;
  Random rng(42);
  for (int i = 0; i < 20000; ++i) noise += static_cast<char>(rng.next() & 0xFF);
  CHECK_NOTHROW(nlohmann::json(escape_bytes(noise)).dump());
  CHECK(unescape_bytes(escape_bytes(noise)) == noise);
}

TEST_CASE("every scenario in the library loads") {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename().string().find("schema") != std::string::npos) continue;
    auto r = load_scenario_file(e.path().string());
    for (const auto& d : r.diagnostics) INFO(d.format());
    CHECK(r.scenario);
    ++n;
  }
  CHECK(n >= 1);
}
