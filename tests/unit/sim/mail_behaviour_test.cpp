// Mail behaviour that real systems have (issue 17): a full mailbox that refuses for now (452
// 4.2.2) and the sender's queue that tries again, one combined bounce per message and pass,
// greylisting, and a second check on a device that waits instead of being refused.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "protocols/message/dsn.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json lesson_json(const std::string& name) { return mailsim::test::bare_mail_lesson_json(name); }
nlohmann::json& server(nlohmann::json& j, const std::string& id) { return mailsim::test::mail_server_json(j, id); }

struct Outcome {
  RunResult run;
  std::vector<std::string> inbox;  // the raw messages of one user's INBOX at the end
};

Outcome run(const nlohmann::json& j, const std::string& host, const std::string& user) {
  const Scenario s = mailsim::test::load_json(j, "behaviour.json");
  Outcome o;
  RunOptions opt;
  opt.at_end = [&](Simulation&, mail::MailWorld& world) {
    auto* store = world.store(host);
    REQUIRE(store);
    store->check_invariants();
    if (auto snap = store->snapshot(user, "INBOX"))
      for (const auto& m : snap->messages) o.inbox.push_back(*store->raw(user, "INBOX", m.uid));
  };
  o.run = run_scenario(s, opt);
  INFO(o.run.conservation.summary());
  CHECK(o.run.conservation.holds());
  return o;
}

std::vector<const Record*> records(const Trace& t, RecordKind kind, const std::string& event,
                                   const std::string& host = {}) {
  std::vector<const Record*> out;
  for (const auto& r : t.records())
    if (r.kind == kind && r.event == event && (host.empty() || r.host == host)) out.push_back(&r);
  return out;
}

std::vector<const Record*> mail_records(const Trace& t, const std::string& event, const std::string& host = {}) {
  return records(t, RecordKind::Mail, event, host);
}

}  // namespace

TEST_CASE("quota_refusal temporary: 452 4.2.2, the sending queue tries again and finally gives up with 4.4.7") {
  auto j = lesson_json("mailbox-full");
  server(j, "mx-hogehoge")["quota_refusal"] = "temporary";
  server(j, "mail-example")["give_up_after"] = "20m";  // tries at 0, 1, 6 and 21 minutes
  const auto o = run(j, "mail-example", "shiroyagi");
  // Never 552: every try is refused for now, and the sender keeps the message.
  const auto deferred = mail_records(o.run.trace, "deferred", "mail-example");
  REQUIRE(deferred.size() >= 3);
  for (const auto* d : deferred) {
    CHECK(d->mail_info().status.str() == "4.2.2");
    CHECK(d->mail_info().reason.find("452 4.2.2") != std::string::npos);
  }
  for (const auto& r : o.run.trace.records())
    if (r.is(ProtoEvent::Reply)) CHECK(r.text().find("552") == std::string::npos);
  const auto bounced = mail_records(o.run.trace, "bounced", "mail-example");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "4.4.7");
  REQUIRE(o.inbox.size() == 1);
  const auto dsn = mailsim::message::parse_dsn(o.inbox.front());
  REQUIRE(dsn);
  CHECK(dsn->recipients.at(0).status == "4.4.7");
  CHECK(dsn->recipients.at(0).diagnostic_code.find("452 4.2.2") != std::string::npos);
}

TEST_CASE("quota_refusal permanent is the default: 552 5.2.2 and no retry") {
  auto j = lesson_json("mailbox-full");
  server(j, "mx-hogehoge")["quota_refusal"] = "permanent";
  const auto o = run(j, "mail-example", "shiroyagi");
  CHECK(mail_records(o.run.trace, "deferred").empty());
  const auto bounced = mail_records(o.run.trace, "bounced", "mail-example");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "5.2.2");
}

TEST_CASE("a temporary quota refusal among accepted recipients waits in the receiving server's own queue") {
  auto j = lesson_json("mailbox-full");
  auto& mx = server(j, "mx-hogehoge");
  mx["quota_refusal"] = "temporary";
  mx["give_up_after"] = "20m";
  mx["users"].push_back({{"name", "yagi"}, {"password", "x"}});
  j["timeline"][0]["to"] = nlohmann::json::array({"kuroyagi@hogehoge.com", "yagi@hogehoge.com"});
  const auto o = run(j, "mx-hogehoge", "yagi");
  CHECK(o.inbox.size() == 1);  // yagi has it at once
  // Kuroyagi's copy is queued at mx1.hogehoge.com and tried locally on the schedule.
  const auto deferred = mail_records(o.run.trace, "deferred", "mx-hogehoge");
  REQUIRE(deferred.size() >= 2);
  CHECK(deferred.front()->mail_info().recipient.str() == "kuroyagi@hogehoge.com");
  CHECK(deferred.front()->mail_info().status.str() == "4.2.2");
  // Only one refusal at arrival: the first pass does not try the local copy again at once.
  CHECK(deferred.front()->mail_info().attempts == 1);
  const auto bounced = mail_records(o.run.trace, "bounced", "mx-hogehoge");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "4.4.7");
}

TEST_CASE("several failed recipients of one message get one combined report with a block each") {
  auto j = lesson_json("user-unknown");
  // Two unknown users at hogehoge.com and a domain that does not exist: two groups, one report.
  j["timeline"][0]["to"] =
      nlohmann::json::array({"nobody@hogehoge.com", "noone@hogehoge.com", "kuroyagi@hogehoge.cmo"});
  const auto o = run(j, "mail-example", "shiroyagi");
  const auto bounced = mail_records(o.run.trace, "bounced", "mail-example");
  REQUIRE(bounced.size() == 3);
  for (const auto* b : bounced) {
    CHECK(b->time == bounced.front()->time);
    CHECK(b->detail.value("report_size", 0) == 3);
  }
  REQUIRE(o.inbox.size() == 1);
  const auto dsn = mailsim::message::parse_dsn(o.inbox.front());
  REQUIRE(dsn);
  REQUIRE(dsn->recipients.size() == 3);
  std::map<std::string, std::string> status;
  for (const auto& r : dsn->recipients) status[r.final_recipient] = r.status;
  CHECK(status["nobody@hogehoge.com"] == "5.1.1");
  CHECK(status["noone@hogehoge.com"] == "5.1.1");
  CHECK(status["kuroyagi@hogehoge.cmo"] == "5.1.2");
}

TEST_CASE("greylisting: 451 4.7.1 on the first try, accepted on the retry after the delay") {
  auto j = lesson_json("cross-domain");
  server(j, "mx-hogehoge")["greylisting"] = {{"delay", "3m"}};
  const auto o = run(j, "mx-hogehoge", "kuroyagi");
  const auto grey = mail_records(o.run.trace, "greylisted", "mx-hogehoge");
  // First try at once (greylisted), retry after 1m (too soon), after 5m more: accepted.
  REQUIRE(grey.size() == 2);
  CHECK(grey[0]->detail.value("first", false));
  CHECK_FALSE(grey[1]->detail.value("first", true));
  const auto deferred = mail_records(o.run.trace, "deferred", "mail-example");
  REQUIRE(deferred.size() == 2);
  CHECK(deferred[0]->mail_info().status.str() == "4.7.1");
  CHECK(o.inbox.size() == 1);
  CHECK(mail_records(o.run.trace, "delivered", "mx-hogehoge").size() == 1);
}

TEST_CASE("greylisting leaves a server's own authenticated users alone") {
  auto j = lesson_json("same-domain");
  for (auto& h : j["hosts"])
    if (h.contains("mail_server")) h["mail_server"]["greylisting"] = nlohmann::json::object();
  const auto o = run(j, "mail-example", "kuroyagi");
  CHECK(mail_records(o.run.trace, "greylisted").empty());
}

namespace {

nlohmann::json receiving_json(const std::string& name) {
  std::ifstream in(mailsim::test::kSourceDir + "/scenarios/receiving/" + name + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str());
  j.erase("narration");
  j.erase("questions");
  j.erase("expectations");
  return j;
}

std::vector<const Record*> device(const Trace& t, const std::string& event, const std::string& host) {
  return records(t, RecordKind::Mailbox, event, host);
}

}  // namespace

TEST_CASE("a second POP3 check while one runs is not refused: it runs when the first ends") {
  auto j = receiving_json("pop3-download-and-delete");
  j["timeline"].push_back({{"at", "10001ms"}, {"do", "check_mail"}, {"on", "shiroyagi-pc"}});
  const auto o = run(j, "mail", "shiroyagi");
  CHECK(device(o.run.trace, "check-failed", "shiroyagi-pc").empty());
  const auto coalesced = device(o.run.trace, "check-coalesced", "shiroyagi-pc");
  REQUIRE(coalesced.size() == 1);
  CHECK(coalesced.front()->mailbox_info().how == "after");
  const auto checked = device(o.run.trace, "device-checked", "shiroyagi-pc");
  REQUIRE(checked.size() == 2);
  CHECK(checked[0]->seq < checked[1]->seq);
  CHECK(checked[1]->time > coalesced.front()->time);
}

TEST_CASE("a second IMAP check during the first synchronisation joins it") {
  auto j = receiving_json("imap-two-devices");
  j["timeline"].push_back({{"at", "1001ms"}, {"do", "check_mail"}, {"on", "shiroyagi-pc"}});
  const auto o = run(j, "mail", "shiroyagi");
  CHECK(device(o.run.trace, "check-failed", "shiroyagi-pc").empty());
  const auto coalesced = device(o.run.trace, "check-coalesced", "shiroyagi-pc");
  REQUIRE(coalesced.size() == 1);
  CHECK(coalesced.front()->mailbox_info().how == "join");
}

TEST_CASE("subaddressing: user+tag is delivered to user's mailbox; without it the address is unknown") {
  auto j = lesson_json("cross-domain");
  j["timeline"][0]["to"] = "kuroyagi+tea@hogehoge.com";
  SECTION("on") {
    server(j, "mx-hogehoge")["subaddressing"] = true;
    const auto o = run(j, "mx-hogehoge", "kuroyagi");
    CHECK(o.inbox.size() == 1);
    const auto delivered = mail_records(o.run.trace, "delivered", "mx-hogehoge");
    REQUIRE(delivered.size() == 1);
    CHECK(delivered.front()->mail_info().recipient.str() == "kuroyagi+tea@hogehoge.com");
    CHECK(delivered.front()->mail_info().user.str() == "kuroyagi");
  }
  SECTION("off") {
    const auto o = run(j, "mx-hogehoge", "kuroyagi");
    CHECK(o.inbox.empty());
    const auto bounced = mail_records(o.run.trace, "bounced", "mail-example");
    REQUIRE(bounced.size() == 1);
    CHECK(bounced.front()->mail_info().status.str() == "5.1.1");
  }
}
