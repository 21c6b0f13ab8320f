// The mail server end to end: what ends up in the mailboxes after real SMTP hops.
#include <catch2/catch.hpp>

#include "protocols/message/dsn.hpp"
#include "protocols/message/received.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim::sim;

namespace {

std::string lesson(const std::string& name) { return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/" + name + ".json"; }

// Runs a lesson and returns the raw messages in one user's INBOX at the end.
std::vector<std::string> inbox_after(const std::string& name, const std::string& host, const std::string& user,
                                     RunResult* out = nullptr) {
  auto loaded = load_scenario_file(lesson(name));
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  std::vector<std::string> messages;
  RunOptions o;
  o.at_end = [&](Simulation&, mail::MailWorld& world) {
    mail::MailStore* store = world.store(host);
    REQUIRE(store);
    store->check_invariants();
    auto snap = store->snapshot(user, "INBOX");
    REQUIRE(snap);
    for (const auto& m : snap->messages) messages.push_back(*store->raw(user, "INBOX", m.uid));
  };
  auto r = run_scenario(*loaded.scenario, o);
  for (const auto& e : r.expectations) INFO(e.description << ": " << e.actual);
  CHECK(r.all_passed());
  if (out) *out = std::move(r);
  return messages;
}

}  // namespace

TEST_CASE("a relayed message carries a Received chain of both hops and a Return-Path") {
  const auto inbox = inbox_after("cross-domain", "mx-hogehoge", "kuroyagi");
  REQUIRE(inbox.size() == 1);
  const std::string& raw = inbox.front();
  CHECK(raw.rfind("Return-Path: <shiroyagi@example.com>\r\n", 0) == 0);
  const auto chain = mailsim::message::parse_received_chain(raw);
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].from_helo == "shiroyagi-pc");
  CHECK(chain[0].by == "mail.example.com");
  CHECK(chain[0].with == "ESMTPSA");  // TLS and AUTH on the submission port
  CHECK(chain[1].from_helo == "mail.example.com");
  CHECK(chain[1].by == "mx1.hogehoge.com");
  CHECK(chain[1].with == "ESMTPS");
  CHECK(raw.find("Subject: =?UTF-8?B?") != std::string::npos);  // the Japanese subject, encoded
}

TEST_CASE("a user-unknown bounce is an RFC 3464 report from MAILER-DAEMON in the sender's INBOX") {
  const auto inbox = inbox_after("user-unknown", "mail-example", "shiroyagi");
  REQUIRE(inbox.size() == 1);
  const std::string& raw = inbox.front();
  CHECK(raw.rfind("Return-Path: <>\r\n", 0) == 0);  // a bounce has the null sender
  CHECK(raw.find("MAILER-DAEMON@mail.example.com") != std::string::npos);
  const auto dsn = mailsim::message::parse_dsn(raw);
  REQUIRE(dsn);
  REQUIRE(dsn->recipients.size() == 1);
  CHECK(dsn->recipients[0].final_recipient.find("kurooyagi@hogehoge.com") != std::string::npos);
  CHECK(dsn->recipients[0].action == "failed");
  CHECK(dsn->recipients[0].status == "5.1.1");
  CHECK(dsn->recipients[0].diagnostic_code.find("550 5.1.1") != std::string::npos);
  CHECK(dsn->original_headers.find("Subject: Hello from Shiroyagi") != std::string::npos);
}

TEST_CASE("the backup MX keeps the message until the primary is back, then nothing is left queued") {
  RunResult r;
  const auto inbox = inbox_after("backup-mx", "mx-hogehoge", "kuroyagi", &r);
  REQUIRE(inbox.size() == 1);
  std::size_t deferred = 0, delivered = 0;
  for (const auto& rec : r.trace.records()) {
    if (rec.kind != RecordKind::Mail) continue;
    if (rec.is(MailEvent::Deferred)) ++deferred;
    if (rec.is(MailEvent::Delivered)) ++delivered;
  }
  CHECK(deferred >= 2);
  CHECK(delivered == 1);  // exactly once: nothing duplicated by the retries
  CHECK(mailsim::message::parse_received_chain(inbox.front()).size() == 3);  // PC -> mail.example -> mx2 -> mx1
}

TEST_CASE("a message over the quota is refused whole and the mailbox stays as it was") {
  const auto inbox = inbox_after("mailbox-full", "mx-hogehoge", "kuroyagi");
  CHECK(inbox.empty());
  const auto sender = inbox_after("mailbox-full", "mail-example", "shiroyagi");
  REQUIRE(sender.size() == 1);
  const auto dsn = mailsim::message::parse_dsn(sender.front());
  REQUIRE(dsn);
  CHECK(dsn->recipients[0].status == "5.2.2");
}

namespace {

// The "bounced" records of a lesson's run.
std::vector<Record> bounced_records(const RunResult& r) {
  std::vector<Record> out;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Mail && rec.is(MailEvent::Bounced)) out.push_back(rec);
  return out;
}

struct LessonRun {
  Scenario scenario;
  RunResult result;
};

LessonRun run_lesson(const std::string& name) {
  auto loaded = load_scenario_file(lesson(name));
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  auto result = run_scenario(*loaded.scenario);
  return {std::move(*loaded.scenario), std::move(result)};
}

// Checks one "bounced" expectation (from shiroyagi@example.com) against a finished run.
ExpectationResult check_bounced(const Scenario& s, const Trace& trace, const std::string& status) {
  Scenario only = s;
  only.expectations = {ExpectationSpec{"bounced", {{"from", "shiroyagi@example.com"}, {"status", status}}, "/x"}};
  return check_expectations(only, trace).at(0);
}

}  // namespace

TEST_CASE("a bounce record carries the refusing server's reply code, and an expectation can ask for it") {
  const auto full = run_lesson("mailbox-full");
  const auto bounces = bounced_records(full.result);
  REQUIRE(bounces.size() == 1);
  CHECK(bounces[0].mail_info().code == 552);
  CHECK(bounces[0].mail_info().status == "5.2.2");
  CHECK(check_bounced(full.scenario, full.result.trace, "552").passed);
  CHECK(check_bounced(full.scenario, full.result.trace, "5.2.2").passed);
  const auto wrong = check_bounced(full.scenario, full.result.trace, "550");
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.outcome == "instead");

  // User unknown: 550 from the receiving server.
  const auto unknown = run_lesson("user-unknown");
  REQUIRE(bounced_records(unknown.result).size() == 1);
  CHECK(bounced_records(unknown.result)[0].mail_info().code == 550);
  CHECK(check_bounced(unknown.scenario, unknown.result.trace, "550").passed);
}

TEST_CASE("a bounce that no server answered (DNS said the domain does not exist) has no reply code") {
  const auto run = run_lesson("host-unknown");
  const auto bounces = bounced_records(run.result);
  REQUIRE(bounces.size() == 1);
  CHECK_FALSE(bounces[0].mail_info().has(MailInfo::kCode));
  CHECK(bounces[0].mail_info().status == "5.1.2");
  CHECK_FALSE(check_bounced(run.scenario, run.result.trace, "550").passed);
  CHECK(check_bounced(run.scenario, run.result.trace, "5.1.2").passed);
}
