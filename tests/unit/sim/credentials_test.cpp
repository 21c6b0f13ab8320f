// Passwords in the trace: masked everywhere except where a server's show_credentials asks for them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "protocols/common/base64.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

const std::string& kSource = mailsim::test::kSourceDir;
Scenario load(const std::string& path) { return mailsim::test::load_lesson(path); }

// The SMTP AUTH command records written by `host`, in trace order.
std::vector<const Record*> auth_commands(const RunResult& r, const std::string& host) {
  std::vector<const Record*> out;
  for (const auto& rec : r.trace.records())
    if (rec.is(ProtoEvent::Command) && rec.protocol == "smtp" && rec.host == host &&
        rec.proto_info().verb == "AUTH")
      out.push_back(&rec);
  return out;
}

// Every form a password can take on a line: as typed, and base64 (AUTH PLAIN, AUTH LOGIN).
std::set<std::string> secrets_of(const Scenario& s) {
  std::set<std::string> out;
  auto add = [&out](const std::string& user, const std::string& password) {
    if (password.empty()) return;
    out.insert(password);
    out.insert(mailsim::proto::base64_encode(password));
    out.insert(mailsim::proto::base64_encode(std::string(1, '\0') + user + std::string(1, '\0') + password));
  };
  for (const auto& h : s.hosts) {
    if (h.mail_server) {
      for (const auto& u : h.mail_server->users) add(u.name, u.password);
      if (h.mail_server->smarthost) add(h.mail_server->smarthost->user, h.mail_server->smarthost->password);
    }
    if (h.mail_client)
      for (const auto& a : h.mail_client->accounts) add(a.user, a.password);
  }
  return out;
}

bool shows_credentials(const Scenario& s) {
  for (const auto& h : s.hosts)
    if (h.mail_server && h.mail_server->show_credentials) return true;
  return false;
}

}  // namespace

TEST_CASE("credentials: the eavesdropper lesson records the PC's AUTH PLAIN line as it was sent") {
  Scenario s = load(kSource + "/scenarios/mail/tls-eavesdropper.json");
  REQUIRE(shows_credentials(s));
  const auto r = run_scenario(s);
  CHECK(r.all_passed());
  for (const char* host : {"shiroyagi-pc", "shiroyagi-laptop"}) {
    CAPTURE(host);
    const auto auth = auth_commands(r, host);
    REQUIRE(auth.size() == 1);
    CHECK(auth[0]->text() == "C: AUTH PLAIN AHNoaXJveWFnaQBtZWUtbWVl");
    CHECK(auth[0]->proto_info().line() == "AUTH PLAIN AHNoaXJveWFnaQBtZWUtbWVl");
    CHECK(auth[0]->proto_info().has_masked);
    CHECK_FALSE(auth[0]->proto_info().masked);
  }

  // The same lesson with the flag off: the line is masked again.
  for (auto& h : s.hosts)
    if (h.mail_server) h.mail_server->show_credentials = false;
  const auto masked = run_scenario(s);
  const auto auth = auth_commands(masked, "shiroyagi-pc");
  REQUIRE(auth.size() == 1);
  CHECK(auth[0]->text() == "C: AUTH PLAIN ********");
  CHECK(auth[0]->proto_info().line() == "AUTH PLAIN ********");
  CHECK(auth[0]->proto_info().masked);
}

TEST_CASE("credentials: every other lesson keeps passwords out of the trace's readable lines") {
  std::size_t lessons = 0, masked_lines = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename().string().find("schema") != std::string::npos) continue;
    CAPTURE(e.path().string());
    const Scenario s = load(e.path().string());
    if (shows_credentials(s)) continue;
    const auto secrets = secrets_of(s);
    if (secrets.empty()) continue;
    ++lessons;
    const auto r = run_scenario(s);
    for (const auto& rec : r.trace.records()) {
      if (rec.kind == RecordKind::Note) continue;  // narration is written by the lesson's author
      if (rec.proto_info().has_masked && rec.proto_info().masked) ++masked_lines;
      const std::string line(rec.proto_info().line());
      for (const auto& secret : secrets) {
        CAPTURE(rec.text(), secret);
        CHECK(rec.text().find(secret) == std::string::npos);
        CHECK(line.find(secret) == std::string::npos);
      }
    }
  }
  CHECK(lessons >= 10);
  CHECK(masked_lines >= 10);  // the lessons do log in: the check above is not vacuous
}
