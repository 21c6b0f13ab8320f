// "TLS required" on a mail server's port (issue 16): SMTP answers 530 5.7.0 until STARTTLS, POP3
// and IMAP refuse to log in before STLS/STARTTLS; set per port in the scenario or from a moment on
// with change_server; mail programs that use STARTTLS are not affected.
#include <catch2/catch.hpp>

#include "sim/apps/mail/mail_world.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json& server(nlohmann::json& j, const std::string& id) { return mailsim::test::mail_server_json(j, id); }

nlohmann::json& account(nlohmann::json& j, const std::string& host) {
  for (auto& h : j["hosts"])
    if (h["id"] == host) return h["mail_client"]["accounts"][0];
  FAIL("no host " << host);
  throw;
}

RunResult run(const nlohmann::json& j) { return mailsim::test::run_checked(j, "tls-required.json"); }

using mailsim::test::records_of;

// Replies a server sent to `peer`, in order (their summaries hold the line as sent).
std::vector<std::string> replies_to(const Trace& t, const std::string& server_host, const std::string& peer) {
  std::vector<std::string> out;
  for (const auto& r : t.records())
    if (r.kind == RecordKind::Protocol && r.host == server_host && r.peer == peer && r.protocol_event() == ProtoEvent::Reply)
      out.push_back(r.text());
  return out;
}

bool any_has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

const nlohmann::json kPortsRequiringTls = {{{"port", 25}, {"role", "mx"}},
                                           {{"port", 587}, {"role", "submission"}, {"require_tls", true}},
                                           {{"port", 110}, {"role", "pop3"}, {"require_tls", true}},
                                           {{"port", 143}, {"role", "imap"}, {"require_tls", true}}};

}  // namespace

TEST_CASE("require_tls: a mail program without STARTTLS gets 530 5.7.0; with STARTTLS the next letter goes") {
  auto j = mailsim::test::bare_mail_lesson_json("cross-domain");
  server(j, "mail-example")["ports"] = kPortsRequiringTls;
  account(j, "shiroyagi-pc")["smtp"] = {{"server", "mail-example"}, {"port", 587}, {"auth", false}, {"tls", "none"}};
  j["timeline"].push_back({{"at", "20s"}, {"do", "change_account"}, {"on", "shiroyagi-pc"},
                           {"smtp", {{"tls", "starttls"}, {"auth", true}}}});
  j["timeline"].push_back({{"at", "30s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Sealed this time"}});
  const auto r = run(j);
  const auto replies = replies_to(r.trace, "mail-example", "shiroyagi-pc");
  CHECK(any_has(replies, "530 5.7.0 Must issue a STARTTLS command first"));
  const auto failed = records_of(r.trace, RecordKind::Mail, "send_failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed.front()->time < 20 * kSecond);
  const auto delivered = records_of(r.trace, RecordKind::Mail, "delivered");
  REQUIRE(delivered.size() == 1);
  CHECK(delivered.front()->text().find("Sealed this time") != std::string::npos);
  // The second session was sealed before anything else was said.
  bool sealed = false;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Tls && rec.host == "mail-example" && rec.peer == "shiroyagi-pc" && rec.event == "established")
      sealed = rec.time > 30 * kSecond;
  CHECK(sealed);
}

TEST_CASE("require_tls: mail programs that use STARTTLS (POP3 STLS, IMAP) read as before") {
  auto j = mailsim::test::bare_mail_lesson_json("cross-domain");
  j = mailsim::test::mail_lesson_json("cross-domain");  // keep the lesson's own expectations
  j.erase("narration");
  server(j, "mail-example")["ports"] = kPortsRequiringTls;
  const auto r = run(j);
  CHECK(r.all_passed());
  CHECK_FALSE(any_has(replies_to(r.trace, "mail-example", "shiroyagi-pc"), "530"));
}

TEST_CASE("require_tls: change_server turns it on from that moment, for SMTP, POP3 and IMAP alike") {
  auto j = mailsim::test::bare_mail_lesson_json("cross-domain");
  j["timeline"] = nlohmann::json::array();
  auto probe = [&](const std::string& at, int port, std::vector<std::string> lines) {
    j["timeline"].push_back({{"at", at}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "mail-example"},
                             {"port", port}, {"send", lines}, {"wait", "2s"}});
  };
  for (const std::string at : {"1s", "20s"}) {
    probe(at, 587, {"EHLO pc.example", "MAIL FROM:<shiroyagi@example.com>", "QUIT"});
    probe(at, 110, {"USER shiroyagi", "QUIT"});
    probe(at, 143, {"a1 LOGIN shiroyagi mee-mee", "a2 LOGOUT"});
  }
  j["timeline"].push_back({{"at", "10s"}, {"do", "change_server"}, {"host", "mail-example"}, {"require_tls", true}});
  const auto r = run(j);
  std::vector<std::string> before, after;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Protocol && rec.host == "mail-example" && rec.protocol_event() == ProtoEvent::Reply)
      (rec.time < 10 * kSecond ? before : after).push_back(rec.text());
  CHECK(any_has(before, "530 5.7.0 Authentication required"));
  CHECK_FALSE(any_has(before, "Must issue a STARTTLS"));
  CHECK(any_has(before, "+OK"));
  CHECK(any_has(before, "a1 OK"));
  CHECK(any_has(after, "530 5.7.0 Must issue a STARTTLS command first"));
  CHECK(any_has(after, "-ERR [AUTH] plaintext login not allowed before STLS"));
  CHECK(any_has(after, "a1 NO [PRIVACYREQUIRED]"));
  const auto changed = records_of(r.trace, RecordKind::Action, "server_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed.front()->text().find("TLS required on port(s) 587, 110, 143 (STARTTLS first, or 530 5.7.0)") !=
        std::string::npos);
  const Scenario s = mailsim::test::load_json(j, "tls-required.json");
  CHECK(describe_record(*changed.front(), "ja", &s).find("587, 110, 143番ポートで TLS 必須") != std::string::npos);
}

TEST_CASE("require_tls: change_server with a list of ports, and false to end it") {
  auto j = mailsim::test::bare_mail_lesson_json("cross-domain");
  server(j, "mail-example")["ports"] = kPortsRequiringTls;
  j["timeline"] = nlohmann::json::array();
  j["timeline"].push_back({{"at", "5s"}, {"do", "change_server"}, {"host", "mail-example"}, {"require_tls", {143}}});
  j["timeline"].push_back({{"at", "15s"}, {"do", "change_server"}, {"host", "mail-example"}, {"require_tls", false}});
  for (const std::string at : {"1s", "10s", "20s"}) {
    j["timeline"].push_back({{"at", at}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "mail-example"},
                             {"port", 110}, {"send", {"USER shiroyagi", "QUIT"}}, {"wait", "2s"}});
  }
  const auto r = run(j);
  std::vector<std::pair<Time, bool>> refused;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Protocol && rec.host == "mail-example" && rec.protocol_event() == ProtoEvent::Reply &&
        rec.text().find("USER") == std::string::npos && rec.text().find("-ERR [AUTH]") != std::string::npos)
      refused.emplace_back(rec.time, true);
  REQUIRE(refused.size() == 1);
  CHECK(refused.front().first < 5 * kSecond);  // only the first: 110 was in the scenario's list, not in [143]
  const auto changed = records_of(r.trace, RecordKind::Action, "server_changed");
  REQUIRE(changed.size() == 2);
  CHECK(changed[1]->text().find("TLS no longer required") != std::string::npos);
}
