// A send action's own "smtp" settings (server, port, AUTH, TLS for this message only): what
// the loader accepts and refuses, and the OP25B retry on 587 from the same PC.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "loader_fixture.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;
using mailsim::test::one_error;
using mailsim::test::replace_line;

namespace {

// A PC that sends on port 25 without AUTH; line 20 is the send action the tests change
// (its "smtp" key starts at column 72, the first key inside at column 81).
const std::string kLesson = R"({
  "mailsim": 1,
  "title": "Override",
  "networks": [
    {"id": "isp", "kind": "access", "cidr": "192.0.2.0/24"},
    {"id": "dc", "kind": "datacenter", "cidr": "198.51.100.0/24"}
  ],
  "hosts": [
    {"id": "pc", "kind": "pc", "network": "isp", "ip": "192.0.2.130",
     "mail_client": {"accounts": [{"address": "shiroyagi@example.com", "password": "mee",
       "smtp": {"server": "mail-example", "port": 25, "auth": false, "tls": "none"}}]}},
    {"id": "mail-example", "kind": "mail_server", "network": "dc", "ip": "198.51.100.25",
     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi", "password": "mee"}]}},
    {"id": "mail-other", "kind": "mail_server", "network": "dc", "ip": "198.51.100.26",
     "mail_server": {"domains": ["example.net"]}},
    {"id": "web", "kind": "server", "network": "dc", "ip": "198.51.100.80"}
  ],
  "timeline": [
    {"at": "1s", "do": "send", "from": "pc", "to": "yagi@example.com"},
    {"at": "2s", "do": "send", "from": "pc", "to": "yagi@example.com"}
  ]
}
)";

constexpr int kSendLine = 20;

std::string with_send(const std::string& smtp) {
  return replace_line(kLesson, kSendLine,
                      R"(    {"at": "2s", "do": "send", "from": "pc", "to": "yagi@example.com", "smtp": )" + smtp + "}");
}

// The loaded override of the second send (line 20).
std::optional<mail::OutgoingSpec> override_of(const std::string& smtp) {
  const auto r = load_scenario_text(with_send(smtp), "lesson.json");
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(r.scenario);
  REQUIRE(r.scenario->timeline.size() == 2);
  const auto* first = std::get_if<action::Send>(&r.scenario->timeline[0].what);
  const auto* second = std::get_if<action::Send>(&r.scenario->timeline[1].what);
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(first->smtp);  // no "smtp": the account's settings
  return second->smtp;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("send smtp override: a new port brings that port's AUTH and TLS defaults") {
  const auto o = override_of(R"({"port": 587})");
  REQUIRE(o);
  CHECK(o->server == "mail-example");  // kept from the account
  CHECK(o->port == 587);
  CHECK(o->auth);
  CHECK(o->tls == "starttls");
  const auto s = override_of(R"({"port": 465})");
  REQUIRE(s);
  CHECK(s->tls == "implicit");
}

TEST_CASE("send smtp override: keys not given keep the account's values") {
  const auto o = override_of(R"({"auth": true})");
  REQUIRE(o);
  CHECK(o->server == "mail-example");
  CHECK(o->port == 25);
  CHECK(o->auth);
  CHECK(o->tls == "none");
  const auto all = override_of(R"({"server": "mail-other", "port": 587, "auth": false, "tls": "none"})");
  REQUIRE(all);
  CHECK(all->server == "mail-other");
  CHECK(all->port == 587);
  CHECK_FALSE(all->auth);
  CHECK(all->tls == "none");
}

TEST_CASE("send smtp override: port 0 and port 70000 are refused") {
  const std::string zero = R"({"port": 0})";
  CHECK(one_error(with_send(zero)) ==
        "lesson.json:20:81: /timeline/1/smtp/port: 0 is out of range (1 to 65535)");
  const std::string big = R"({"port": 70000})";
  CHECK(one_error(with_send(big)) == "lesson.json:20:81: /timeline/1/smtp/port: 70000 is out of range (1 to 65535)");
}

TEST_CASE("send smtp override: an unknown server or one that is not a mail server is refused") {
  const std::string typo = R"({"server": "mail-exmaple", "port": 587})";
  CHECK(one_error(with_send(typo)) ==
        "lesson.json:20:81: /timeline/1/smtp/server: no host has the id \"mail-exmaple\" (did you mean \"mail-example\"?)");
  const std::string web = R"({"server": "web"})";
  CHECK(one_error(with_send(web)) == "lesson.json:20:81: /timeline/1/smtp/server: host \"web\" is not a mail server (give it "
                                         "\"mail_server\": {...})");
}

TEST_CASE("send smtp override: a bad TLS mode, a wrong type and an unknown key are refused") {
  const std::string tls = R"({"tls": "startls"})";
  CHECK(one_error(with_send(tls)) == "lesson.json:20:81: /timeline/1/smtp/tls: unknown TLS mode \"startls\" (did you mean \"starttls\"?)");
  const std::string ssl = R"({"tls": "ssl"})";
  CHECK(one_error(with_send(ssl)) == "lesson.json:20:81: /timeline/1/smtp/tls: unknown TLS mode \"ssl\" (expected one of: none, "
                                         "starttls, implicit)");
  const std::string key = R"({"prot": 587})";
  CHECK(one_error(with_send(key)) == "lesson.json:20:81: /timeline/1/smtp/prot: unknown key \"prot\" (did you mean \"port\"?)");
  CHECK(one_error(with_send("587")) == "lesson.json:20:72: /timeline/1/smtp: expected an object, got the number 587");
}

TEST_CASE("send smtp override: the OP25B lesson's old PC is blocked on 25, then delivers on 587 with AUTH") {
  auto j = nlohmann::json::parse(read_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/op25b-submission.json"));
  j["timeline"] = nlohmann::json::parse(R"([
    {"at": "1s", "do": "send", "from": "shiroyagi-pc", "to": "kuroyagi@hogehoge.com", "subject": "First try on 25"},
    {"at": "20s", "do": "send", "from": "shiroyagi-pc", "to": "kuroyagi@hogehoge.com", "subject": "Retry on 587",
     "smtp": {"port": 587, "auth": true}}
  ])");
  j["expectations"] = nlohmann::json::parse(R"([
    {"type": "blocked", "policy": "op25b", "from": "shiroyagi-pc", "port": 25},
    {"type": "send_failed", "from": "shiroyagi-pc", "error": "connection timed out"},
    {"type": "delivered", "to": "kuroyagi@hogehoge.com", "subject": "Retry on 587"}
  ])");
  j.erase("narration");
  j.erase("questions");  // some are asked before story steps
  const auto loaded = load_scenario_text(j.dump(2), "op25b-retry.json");
  for (const auto& d : loaded.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(loaded.scenario);
  const auto r = run_scenario(*loaded.scenario);
  for (const auto& e : r.expectations) {
    INFO(e.description << " -> " << e.actual);
    CHECK(e.passed);
  }
  // The two messages as the mail program wrote them: 25 without AUTH, then 587 with AUTH
  // and STARTTLS, logging in as the account.
  std::vector<nlohmann::json> composed;
  bool auth_sent = false;
  bool submitted_587 = false;
  for (const auto& rec : r.trace.records()) {
    if (rec.host != "shiroyagi-pc") continue;
    if (rec.is(MailEvent::Compose)) composed.push_back(rec.detail);
    if (rec.is(MailEvent::Submitted) && rec.detail.value("port", 0) == 587) submitted_587 = true;
    if (rec.protocol == "smtp" && rec.text().find("AUTH PLAIN") != std::string::npos) auth_sent = true;
  }
  REQUIRE(composed.size() == 2);
  CHECK(composed[0]["port"] == 25);
  CHECK(composed[0]["auth"] == false);
  CHECK(composed[0]["tls"] == "none");
  CHECK(composed[1]["port"] == 587);
  CHECK(composed[1]["auth"] == true);
  CHECK(composed[1]["tls"] == "starttls");
  CHECK(composed[1]["server"] == "mail-example");
  CHECK(submitted_587);
  CHECK(auth_sent);
}
