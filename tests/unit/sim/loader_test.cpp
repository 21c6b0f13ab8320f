// The scenario loader: a valid world loads; each kind of mistake gives its message at its line:col.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.hpp"
#include "loader_fixture.hpp"

using namespace mailsim::sim;

namespace {

// A valid scenario; tests replace one line of it to make one mistake. Line numbers below
// refer to this text (line 1 is the opening brace).
const std::string kBase = R"({
  "mailsim": 1,
  "title": {"en": "Loader test", "ja": "テスト"},
  "seed": 3,
  "networks": [
    {"id": "isp", "kind": "access", "cidr": "192.0.2.0/24", "dynamic_pool": "192.0.2.128/25",
     "latency": "5ms", "policies": [{"preset": "op25b", "except_to": ["isp-mail"]}]},
    {"id": "dc", "kind": "datacenter", "cidr": "198.51.100.0/24", "latency": "1ms"}
  ],
  "hosts": [
    {"id": "pc", "kind": "pc", "network": "isp", "ip": "192.0.2.130"},
    {"id": "isp-mail", "kind": "mail_server", "network": "isp", "ip": "192.0.2.25"},
    {"id": "server", "kind": "server", "network": "dc", "ip": "198.51.100.7",
     "services": [{"port": 7, "app": "echo"}]}
  ],
  "timeline": [
    {"at": "1s", "do": "connect", "from": "pc", "to": "server", "port": 7, "send": ["hi"]}
  ],
  "expectations": [
    {"type": "connection", "from": "pc", "to": "server", "port": 7, "result": "established"}
  ]
}
)";

std::string replace_line(int line, const std::string& text) { return mailsim::test::replace_line(kBase, line, text); }

using mailsim::test::one_error;

}  // namespace

TEST_CASE("the base scenario loads") {
  const auto r = load_scenario_text(kBase, "lesson.json");
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  CHECK(r.scenario->hosts.size() == 3);
  CHECK(r.scenario->networks[0].policies.size() == 1);
  CHECK(r.scenario->networks[0].policies[0].except_to.size() == 1);
  CHECK(r.scenario->title.ja == "テスト");
  CHECK(r.scenario->timeline.size() == 1);
}

TEST_CASE("loader error: bad JSON") {
  CHECK(one_error(replace_line(4, R"(  "seed": 3)")) ==
        "lesson.json:5:3: invalid JSON: syntax error while parsing object - unexpected string literal; expected '}'");
}

TEST_CASE("loader error: wrong type") {
  CHECK(one_error(replace_line(4, R"(  "seed": "three",)")) ==
        "lesson.json:4:3: /seed: expected a whole number, got the string \"three\"");
}

TEST_CASE("loader error: missing field") {
  CHECK(one_error(replace_line(11, R"(    {"id": "pc", "kind": "pc", "network": "isp"},)")) ==
        "lesson.json:11:5: /hosts/0: missing \"ip\" (a string)");
}

TEST_CASE("loader error: unknown key with a did-you-mean") {
  CHECK(one_error(replace_line(11, R"(    {"id": "pc", "kind": "pc", "netwrok": "isp", "network": "isp", "ip": "192.0.2.130"},)")) ==
        "lesson.json:11:32: /hosts/0/netwrok: unknown key \"netwrok\" (did you mean \"network\"?)");
}

TEST_CASE("loader error: duplicate host id") {
  // The second "pc" replaces isp-mail, so the OP25B exception naming isp-mail fails too.
  const auto r = load_scenario_text(
      replace_line(12, R"(    {"id": "pc", "kind": "mail_server", "network": "isp", "ip": "192.0.2.25"},)"), "lesson.json");
  CHECK_FALSE(r.scenario);
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].format() == "lesson.json:12:6: /hosts/1/id: duplicate host id \"pc\" (first defined at line 11:5)");
  CHECK(r.diagnostics[1].format() ==
        "lesson.json:7:71: /networks/0/policies/0/except_to/0: no host has the id \"isp-mail\"");
}

TEST_CASE("loader error: duplicate IP") {
  CHECK(one_error(replace_line(12, R"(    {"id": "isp-mail", "kind": "mail_server", "network": "isp", "ip": "192.0.2.130"},)")) ==
        "lesson.json:12:65: /hosts/1/ip: duplicate address 192.0.2.130: host \"pc\" already has it");
}

TEST_CASE("loader error: reference to a missing host") {
  CHECK(one_error(replace_line(17, R"(    {"at": "1s", "do": "connect", "from": "pc", "to": "sever", "port": 7, "send": ["hi"]})")) ==
        "lesson.json:17:49: /timeline/0/to: no host has the id \"sever\" (did you mean \"server\"?)");
}

TEST_CASE("loader error: bad IP") {
  CHECK(one_error(replace_line(11, R"(    {"id": "pc", "kind": "pc", "network": "isp", "ip": "192.0.2.300"},)")) ==
        "lesson.json:11:50: /hosts/0/ip: bad IPv4 address \"192.0.2.300\" (expected four numbers 0-255, like 192.0.2.10)");
}

TEST_CASE("loader error: negative latency") {
  CHECK(one_error(replace_line(8, R"(    {"id": "dc", "kind": "datacenter", "cidr": "198.51.100.0/24", "latency": "-1ms"})")) ==
        "lesson.json:8:67: /networks/1/latency: bad duration \"-1ms\": a duration cannot be negative");
}

TEST_CASE("loader error: unknown policy") {
  CHECK(one_error(replace_line(7, R"(     "latency": "5ms", "policies": [{"preset": "op26b", "except_to": ["isp-mail"]}]},)")) ==
        "lesson.json:7:38: /networks/0/policies/0/preset: unknown policy preset \"op26b\" (did you mean \"op25b\"?)");
}

TEST_CASE("loader error: unknown policy action") {
  CHECK(one_error(replace_line(7, R"(     "latency": "5ms", "policies": [{"id": "block", "action": "block", "dst_port": 25}]},)")) ==
        "lesson.json:7:53: /networks/0/policies/0/action: unknown policy action \"block\" (expected one of: drop, reject, allow)");
}

TEST_CASE("loader error: an address outside its network") {
  CHECK(one_error(replace_line(11, R"(    {"id": "pc", "kind": "pc", "network": "isp", "ip": "198.51.100.9"},)")) ==
        "lesson.json:11:50: /hosts/0/ip: 198.51.100.9 is not inside network \"isp\" (192.0.2.0/24)");
}

TEST_CASE("loader error: a host on a missing network") {
  CHECK(one_error(replace_line(11, R"(    {"id": "pc", "kind": "pc", "network": "ips", "ip": "192.0.2.130"},)")) ==
        "lesson.json:11:32: /hosts/0/network: no network has the id \"ips\" (did you mean \"isp\"?)");
}

TEST_CASE("loader error: a duration without a unit") {
  CHECK(one_error(replace_line(17, R"(    {"at": 1, "do": "connect", "from": "pc", "to": "server", "port": 7, "send": ["hi"]})")) ==
        "lesson.json:17:6: /timeline/0/at: a duration needs a unit: write \"1ms\" or \"1s\", not a bare number");
}

TEST_CASE("loader error: an expectation naming a policy nobody has") {
  CHECK(one_error(replace_line(20, R"(    {"type": "blocked", "policy": "op25"})")) ==
        "lesson.json:20:25: /expectations/0/policy: no network has a policy \"op25\" (did you mean \"op25b\"?)");
}

TEST_CASE("loader error: duplicate key in an object") {
  CHECK(one_error(replace_line(4, R"(  "seed": 3, "seed": 4,)")) ==
        "lesson.json:4:14: duplicate key \"seed\" (each key may appear once in an object)");
}

TEST_CASE("loader error: unsupported format version and port out of range") {
  CHECK(one_error(replace_line(2, R"(  "mailsim": 2,)")) ==
        "lesson.json:2:3: /mailsim: scenario format version 2 is not supported (this build reads version 1)");
  CHECK(one_error(replace_line(14, R"(     "services": [{"port": 70000, "app": "echo"}]})")) ==
        "lesson.json:14:20: /hosts/2/services/0/port: 70000 is out of range (1 to 65535)");
}

TEST_CASE("the loader reports every mistake, not just the first, and never a partial world") {
  std::string text = replace_line(11, R"(    {"id": "pc", "kind": "laptop", "network": "isp", "ip": "192.0.2.300"},)");
  const auto r = load_scenario_text(text, "lesson.json");
  CHECK_FALSE(r.scenario);
  REQUIRE(r.diagnostics.size() >= 2);
  CHECK(r.diagnostics[0].message.find("unknown host kind \"laptop\"") == 0);
  CHECK(r.diagnostics[1].message.find("bad IPv4 address") == 0);
}

TEST_CASE("a missing file is a clear error") {
  const auto r = load_scenario_file("/nonexistent/lesson.json");
  CHECK_FALSE(r.scenario);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].format() == "/nonexistent/lesson.json: no such file");
}
