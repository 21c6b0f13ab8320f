// A recipient written as in a mail program's To: line ("Name <address>") is checked, sent and delivered with its name.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lesson_fixture.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

TEST_CASE("a recipient with a display name is delivered, the name in the To: header") {
  std::ifstream in(mailsim::test::kSourceDir + "/scenarios/mail/cross-domain.json");
  std::ostringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str());
  bool changed = false;
  for (auto& a : j["timeline"])
    if (a["do"] == "send") {
      a["to"] = "Kuroyagi <kuroyagi@hogehoge.com>";
      changed = true;
    }
  REQUIRE(changed);
  const auto loaded = load_scenario_text(j.dump(2), "cross-domain-named.json");
  for (const auto& d : loaded.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(loaded.scenario);
  const auto result = run_scenario(*loaded.scenario);
  CHECK(result.all_passed());
  bool stored = false;
  for (const auto& r : result.trace.records())
    if (r.is(MailboxEvent::Stored)) {
      stored = true;
      const std::string headers(r.mailbox_info().headers);
      CHECK(headers.find("To: Kuroyagi <kuroyagi@hogehoge.com>") != std::string::npos);
    }
  CHECK(stored);
}

TEST_CASE("parse_recipient: bare addresses, names, and what it refuses") {
  std::string why;
  auto r = parse_recipient("kuroyagi@hogehoge.com", &why);
  REQUIRE(r);
  CHECK(r->address == "kuroyagi@hogehoge.com");
  CHECK(r->display_name.empty());
  r = parse_recipient("  Kuroyagi  <kuroyagi@hogehoge.com> ", &why);
  REQUIRE(r);
  CHECK(r->display_name == "Kuroyagi");
  CHECK(r->address == "kuroyagi@hogehoge.com");
  for (const char* bad : {"", "<a@b>", "a@@b", "a b@c", "kuroyagi", "Kuroyagi <kuroyagi@hogehoge.com", "@hogehoge.com",
                          "kuroyagi@", "Name <a@b> extra", "a..b@c"}) {
    CAPTURE(bad);
    why.clear();
    CHECK_FALSE(parse_recipient(bad, &why));
    CHECK_FALSE(why.empty());
  }
}
