// State-changing timeline actions (issue 17): an account's settings changed on a device, a
// mail server's settings changed, and a folder emptied on the server, each with its record.
#include <catch2/catch.hpp>

#include "protocols/message/dsn.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json lesson_json(const std::string& name) { return mailsim::test::bare_mail_lesson_json(name); }
nlohmann::json& server(nlohmann::json& j, const std::string& id) { return mailsim::test::mail_server_json(j, id); }

RunResult run(const nlohmann::json& j, std::size_t* inbox = nullptr, const std::string& host = {},
              const std::string& user = {}) {
  const Scenario s = mailsim::test::load_json(j, "change.json");
  RunOptions opt;
  opt.at_end = [&](Simulation&, mail::MailWorld& world) {
    if (!inbox) return;
    auto* store = world.store(host);
    REQUIRE(store);
    store->check_invariants();
    auto snap = store->snapshot(user, "INBOX");
    *inbox = snap ? snap->messages.size() : 0;
  };
  auto r = run_scenario(s, opt);
  INFO(r.conservation.summary());
  CHECK(r.conservation.holds());
  return r;
}

using mailsim::test::records_of;

}  // namespace

TEST_CASE("change_account: the password fixed on the same PC, and the next send gets through") {
  auto j = lesson_json("auth-wrong-password");
  j["timeline"].push_back({{"at", "30s"}, {"do", "change_account"}, {"on", "shiroyagi-pc"}, {"password", "mee-mee"}});
  j["timeline"].push_back({{"at", "40s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Second try"}});
  std::size_t inbox = 0;
  const auto r = run(j, &inbox, "mx-hogehoge", "kuroyagi");
  CHECK(records_of(r.trace, RecordKind::Mail, "send_failed").size() == 1);
  CHECK(inbox == 1);
  const auto changed = records_of(r.trace, RecordKind::Action, "account_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed.front()->host == "shiroyagi-pc");
  CHECK(changed.front()->time == 30 * kSecond);
  // Never the password itself, in the record or its words.
  CHECK(changed.front()->detail.dump().find("mee-mee") == std::string::npos);
  CHECK(describe_record(*changed.front(), "ja", nullptr) ==
        "shiroyagi-pc で shiroyagi@example.com の設定を変更しました：新しいパスワード");
}

TEST_CASE("change_account: a new port brings its usual AUTH and TLS, and the change holds for later sends only") {
  auto j = lesson_json("cross-domain");
  j["timeline"].push_back({{"at", "20s"}, {"do", "change_account"}, {"on", "shiroyagi-pc"},
                           {"smtp", {{"port", 465}}}});
  j["timeline"].push_back({{"at", "30s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Over 465"}});
  for (auto& h : j["hosts"])
    if (h["id"] == "mail-example")
      h["mail_server"]["ports"] = {{{"port", 25}, {"role", "mx"}}, {{"port", 587}, {"role", "submission"}},
                                   {{"port", 465}, {"role", "submissions"}}};
  std::size_t inbox = 0;
  const auto r = run(j, &inbox, "mx-hogehoge", "kuroyagi");
  CHECK(inbox == 2);
  std::vector<int> ports;
  for (const auto* c : records_of(r.trace, RecordKind::Mail, "compose")) ports.push_back(c->detail.value("port", 0));
  CHECK(ports == std::vector<int>{587, 465});
  const auto changed = records_of(r.trace, RecordKind::Action, "account_changed");
  REQUIRE(changed.size() == 1);
  CHECK(describe_record(*changed.front(), "ja", nullptr).find("送信ポート 465番") != std::string::npos);
}

TEST_CASE("change_server and empty_folder: the full mailbox is emptied and the 452 retry is delivered") {
  auto j = lesson_json("mailbox-full");
  auto& mx = server(j, "mx-hogehoge");
  mx["quota_refusal"] = "temporary";
  // His quota is raised to 8KB at 3 minutes, after two refusals.
  j["timeline"].push_back({{"at", "3m"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"user", "kuroyagi"},
                           {"quota", "8KB"}});
  std::size_t inbox = 0;
  const auto r = run(j, &inbox, "mx-hogehoge", "kuroyagi");
  CHECK(inbox == 1);
  CHECK(records_of(r.trace, RecordKind::Mail, "bounced").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "deferred").size() == 2);  // at once and after 1 min; then 5 min: room
  const auto changed = records_of(r.trace, RecordKind::Action, "server_changed");
  REQUIRE(changed.size() == 1);
  CHECK(describe_record(*changed.front(), "ja", nullptr) == "mx-hogehoge の設定が変わりました：kuroyagi の容量 8192バイト");
}

TEST_CASE("empty_folder empties a mailbox on the server (IMAP-style \\Deleted and EXPUNGE)") {
  auto j = lesson_json("same-domain");
  j["timeline"].push_back({{"at", "30s"}, {"do", "empty_folder"}, {"host", "mail-example"}, {"user", "kuroyagi"}});
  std::size_t inbox = 99;
  const auto r = run(j, &inbox, "mail-example", "kuroyagi");
  CHECK(inbox == 0);
  const auto emptied = records_of(r.trace, RecordKind::Action, "folder_emptied");
  REQUIRE(emptied.size() == 1);
  CHECK(emptied.front()->detail.value("count", 0) == 1);
  CHECK(records_of(r.trace, RecordKind::Mailbox, "expunged").size() == 1);
  CHECK(describe_record(*emptied.front(), "ja", nullptr).find("受信箱（INBOX）を空にしました（1通") != std::string::npos);
}

TEST_CASE("change_server: greylisting switched on at a moment greylists only what comes after") {
  auto j = lesson_json("cross-domain");
  j["timeline"].push_back({{"at", "10s"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"greylisting", true}});
  j["timeline"].push_back({{"at", "20s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "After the change"}});
  j["timeline"].push_back({{"at", "30m"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"greylisting", false}});
  std::size_t inbox = 0;
  const auto r = run(j, &inbox, "mx-hogehoge", "kuroyagi");
  CHECK(inbox == 2);
  const auto grey = records_of(r.trace, RecordKind::Mail, "greylisted");
  REQUIRE_FALSE(grey.empty());
  for (const auto* g : grey) CHECK(g->time > 20 * kSecond);
  CHECK(describe_record(*records_of(r.trace, RecordKind::Action, "server_changed").back(), "ja", nullptr) ==
        "mx-hogehoge の設定が変わりました：グレーリスティングなし");
}
