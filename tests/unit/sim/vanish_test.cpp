// Peers that vanish mid-transfer (issue 12): retransmission, aborts, session timeouts, the
// queue's retry, the device being told, and the duplicate RFC 5321 6.1 warns about.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json lesson_json(const std::string& name) { return mailsim::test::mail_lesson_json(name); }

Scenario load(const nlohmann::json& j) { return mailsim::test::load_json(j, "vanish.json"); }

// cross-domain with a slow link into hogehoge.com's provider and a message that takes
// about 16 s to cross it, so a fault can land in the middle of DATA.
nlohmann::json slow_relay() {
  auto j = lesson_json("cross-domain");
  for (auto& n : j["networks"])
    if (n["id"] == "hogehoge") n["bandwidth_mbps"] = 1;
  j["timeline"][0]["size"] = "2MB";
  j["timeline"][0]["subject"] = "Big letter";
  j["expectations"] = nlohmann::json::array();
  j.erase("narration");
  return j;
}

struct Outcome {
  RunResult run;
  std::size_t inbox = 0;  // messages in kuroyagi's INBOX at the end
};

Outcome run(const Scenario& s, const std::string& host = "mx-hogehoge", const std::string& user = "kuroyagi") {
  Outcome o;
  RunOptions opt;
  opt.at_end = [&](Simulation&, mail::MailWorld& world) {
    auto* store = world.store(host);
    REQUIRE(store);
    store->check_invariants();
    if (auto snap = store->snapshot(user, "INBOX")) o.inbox = snap->messages.size();
  };
  o.run = run_scenario(s, opt);
  return o;
}

std::vector<const Record*> records_of(const Trace& t, RecordKind kind, const std::string& event, const std::string& host = {}) {
  std::vector<const Record*> out;
  for (const auto& r : t.records())
    if (r.kind == kind && r.event == event && (host.empty() || r.host == host)) out.push_back(&r);
  return out;
}

ActionSpec power(Time at, bool up, const std::string& host) {
  ActionSpec a;
  a.at = at;
  a.what = action::HostPower{host, up};
  return a;
}

void add_actions(Scenario& s, std::vector<ActionSpec> acts) {
  for (auto& a : acts) s.timeline.push_back(std::move(a));
  std::stable_sort(s.timeline.begin(), s.timeline.end(), [](const ActionSpec& x, const ActionSpec& y) { return x.at < y.at; });
}

}  // namespace

TEST_CASE("a destination that goes down during DATA and is back 3 minutes later gets the message after a retry") {
  Scenario s = load(slow_relay());
  add_actions(s, {power(8 * kSecond, false, "mx-hogehoge"), power(3 * kMinute + 8 * kSecond, true, "mx-hogehoge")});
  const auto o = run(s);
  const auto& t = o.run.trace;
  // The relay was under way when the server went down.
  const auto data = records_of(t, RecordKind::Protocol, "command", "mail-example");
  bool data_sent_before = false;
  for (const auto* r : data)
    if (r->peer == "mx-hogehoge" && r->text() == "C: DATA" && r->time < 8 * kSecond) data_sent_before = true;
  CHECK(data_sent_before);
  // The sender gave up on that session, deferred, retried and delivered exactly once.
  const auto deferred = records_of(t, RecordKind::Mail, "deferred", "mail-example");
  REQUIRE_FALSE(deferred.empty());
  CHECK(deferred.front()->time > 8 * kSecond);
  const auto delivered = records_of(t, RecordKind::Mail, "delivered", "mx-hogehoge");
  REQUIRE(delivered.size() == 1);
  CHECK(delivered.front()->time > 3 * kMinute + 8 * kSecond);
  CHECK(o.inbox == 1);
  CHECK(records_of(t, RecordKind::Mail, "bounced").empty());
  CHECK(records_of(t, RecordKind::Mail, "duplicate").empty());
  CAPTURE(o.run.conservation.summary());
  CHECK(o.run.conservation.holds());  // mail conservation (docs/guarantees.md)
  // Nothing reached the server while it was down, and retransmissions reused the original seq.
  std::map<std::uint64_t, std::set<std::string>> seen;  // conn -> "seq/len" already sent
  bool retransmitted = false;
  for (const auto& r : t.records()) {
    if (r.kind != RecordKind::Packet || r.event != "tcp" || r.host != "mail-example" || r.peer != "mx-hogehoge") continue;
    if (r.packet->bytes.size() == 0) continue;
    const std::string key = std::to_string(r.packet->seq) + "/" + std::to_string(r.packet->bytes.size());
    if (!seen[r.conn].insert(key).second) retransmitted = true;
  }
  CHECK(retransmitted);
}

TEST_CASE("a PC that goes offline in the middle of DATA stops sending; the server delivers nothing; the PC is told") {
  auto j = lesson_json("cross-domain");
  for (auto& n : j["networks"])
    if (n["id"] == "home-isp") n["bandwidth_mbps"] = 1;
  j["timeline"][0]["size"] = "2MB";
  j["timeline"].push_back({{"at", "6s"}, {"do", "go_offline"}, {"host", "shiroyagi-pc"}});
  j["expectations"] = nlohmann::json::array({{{"type", "send_failed"}, {"from", "shiroyagi-pc"}}});
  j.erase("narration");
  const auto o = run(load(j), "mail-example", "shiroyagi");
  const auto& t = o.run.trace;
  for (const auto& e : o.run.expectations) INFO(e.description << ": " << e.actual);
  CHECK(o.run.all_passed());
  // Not one segment leaves the PC once it is offline.
  std::size_t before = 0, after = 0;
  for (const auto& r : t.records()) {
    if (r.kind != RecordKind::Packet || r.host != "shiroyagi-pc") continue;
    (r.time > 6 * kSecond ? after : before)++;
  }
  CHECK(before > 10);
  CHECK(after == 0);
  // The server neither queued nor delivered a partial message.
  CHECK(records_of(t, RecordKind::Mail, "queued", "mail-example").empty());
  CHECK(records_of(t, RecordKind::Mail, "delivered").empty());
  // The device was told.
  const auto failed = records_of(t, RecordKind::Mail, "send_failed", "shiroyagi-pc");
  REQUIRE(failed.size() == 1);
  CHECK(failed.front()->time > 6 * kSecond);
  // The server's side ended by its own timeout (421) or by TCP giving up, not by a message.
  bool server_gave_up = false;
  for (const auto& r : t.records())
    if ((r.kind == RecordKind::Protocol && r.host == "mail-example" && r.text().find("421 4.4.2") != std::string::npos) ||
        (r.kind == RecordKind::Connection && r.event == "aborted" && r.detail.value("host", "") == "mail-example"))
      server_gave_up = true;
  CHECK(server_gave_up);
  CAPTURE(o.run.conservation.summary());
  CHECK(o.run.conservation.holds());
}

TEST_CASE("a relay whose 250 after the final dot is lost retries, and the second copy is named a duplicate") {
  const nlohmann::json j = slow_relay();
  // First run: when does mx-hogehoge send its 250 for the message?
  Time t_reply = 0;
  {
    const auto o = run(load(j));
    for (const auto& r : o.run.trace.records())
      if (r.is(ProtoEvent::Reply) && r.host == "mx-hogehoge" && r.text().find("queued as") != std::string::npos)
        t_reply = r.time;
    REQUIRE(t_reply > 0);
    CHECK(o.inbox == 1);
  }
  // Second run, the same world: the server goes down just after it said 250, so the 250 is lost.
  Scenario s = load(j);
  add_actions(s, {power(t_reply + 1, false, "mx-hogehoge"), power(t_reply + 30 * kSecond, true, "mx-hogehoge")});
  const auto o = run(s);
  const auto& t = o.run.trace;
  const auto dup = records_of(t, RecordKind::Mail, "duplicate", "mx-hogehoge");
  REQUIRE(dup.size() == 1);
  const auto& d = dup.front()->detail;
  CHECK(d.value("first_queue_id", "") != dup.front()->mail_info().queue_id.str());
  CHECK(dup.front()->mail_info().recipient == "kuroyagi@hogehoge.com");
  CHECK(dup.front()->peer == "mail-example");
  // The sender deferred (it could not know) and retried; the mailbox holds both copies.
  const auto deferred = records_of(t, RecordKind::Mail, "deferred", "mail-example");
  REQUIRE_FALSE(deferred.empty());
  CHECK(deferred.front()->mail_info().reason.find("RFC 5321 6.1") != std::string::npos);
  CHECK(records_of(t, RecordKind::Mail, "delivered", "mx-hogehoge").size() == 2);
  CHECK(o.inbox == 2);
  CHECK(records_of(t, RecordKind::Mail, "relayed", "mail-example").size() == 1);
  // The second delivery is the duplicate RFC 5321 6.1 warns about, named as such: not a silent one.
  CAPTURE(o.run.conservation.summary());
  CHECK(o.run.conservation.holds());
}

TEST_CASE("a connection whose peer never acknowledges again aborts after its retransmissions, with the reason") {
  auto j = slow_relay();
  j["settings"] = {{"retransmissions", 3}, {"max_rto", "4s"}, {"timeouts", {{"smtp_data_block", "30m"}}}};
  Scenario s = load(j);
  add_actions(s, {power(8 * kSecond, false, "mx-hogehoge")});
  const auto o = run(s);
  const auto aborted = records_of(o.run.trace, RecordKind::Connection, "aborted");
  const Record* by_retries = nullptr;
  for (const auto* r : aborted)
    if (r->detail.value("host", "") == "mail-example") by_retries = r;
  REQUIRE(by_retries);
  CHECK(by_retries->detail.value("reason", "").find("after 3 retransmissions") != std::string::npos);
  // 1 + 2 + 4 + 4 s of backoff after the first loss.
  CHECK(by_retries->time < 8 * kSecond + 20 * kSecond);
  CHECK_FALSE(records_of(o.run.trace, RecordKind::Mail, "deferred", "mail-example").empty());
}

TEST_CASE("a shortened SMTP server timeout answers 421 4.4.2 to a client that says nothing") {
  auto j = lesson_json("cross-domain");
  j["settings"] = {{"timeouts", {{"smtp_server", "20s"}}}};
  j["timeline"] = nlohmann::json::array(
      {{{"at", "1s"}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "mail-example"}, {"port", 25}, {"wait", "10m"},
        {"send", {"EHLO pc", "MAIL FROM:<x@y.example>", "RCPT TO:<shiroyagi@example.com>", "DATA", "Subject: hi", "",
                  "and then silence"}}}});
  j["expectations"] = nlohmann::json::array();
  j.erase("narration");
  const auto o = run(load(j), "mail-example", "shiroyagi");
  const Record* timeout = nullptr;
  for (const auto& r : o.run.trace.records())
    if (r.is(ProtoEvent::Reply) && r.text().find("421 4.4.2") != std::string::npos) timeout = &r;
  REQUIRE(timeout);
  CHECK(timeout->time >= 21 * kSecond);  // 20 s after the last line (sent just after 1 s)
  CHECK(timeout->time < 23 * kSecond);
  CHECK(records_of(o.run.trace, RecordKind::Mail, "delivered").empty());  // the half-received message is dropped
}

TEST_CASE("settings/timeouts refuses unknown keys and zero durations") {
  auto j = lesson_json("cross-domain");
  j["settings"] = {{"timeouts", {{"smtp_greting", "1m"}, {"pop3", "0s"}}}};
  auto loaded = load_scenario_text(j.dump(), "bad.json");
  REQUIRE_FALSE(loaded.scenario);
  std::string all;
  for (const auto& d : loaded.diagnostics) all += d.format() + "\n";
  CHECK(all.find("smtp_greting") != std::string::npos);
  CHECK(all.find("/settings/timeouts") != std::string::npos);
  CHECK(all.find("pop3") != std::string::npos);
}

// POP3 and IMAP servers log out a client that went silent (RFC 1939 section 3, RFC 3501 5.4).
namespace {

// The client types one line and then says nothing more: at `offline_at` its host drops off the
// network before any answer arrives (so it never types again, and never closes).
RunResult silent_client(int port, const std::string& first_line, const nlohmann::json& timeouts,
                        const std::string& offline_at) {
  std::ifstream in(mailsim::test::kSourceDir + "/scenarios/receiving/pop3-download-and-delete.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str());
  j["settings"] = {{"timeouts", timeouts}};
  j["timeline"] = nlohmann::json::array({{{"at", "1s"}, {"do", "connect"}, {"from", "kuroyagi-pc"}, {"to", "mail"},
                                          {"port", port}, {"wait", "10m"}, {"send", {first_line}}}});
  j["timeline"].push_back({{"at", offline_at}, {"do", "go_offline"}, {"host", "kuroyagi-pc"}});
  j["expectations"] = nlohmann::json::array();
  j.erase("narration");
  return run_scenario(load(j));
}

}  // namespace

TEST_CASE("a POP3 client that goes silent is logged out after the autologout timer, and nothing is deleted") {
  const auto r = silent_client(110, "USER kuroyagi", {{"pop3", "30s"}}, "1090ms");
  const Record* logout = nullptr;
  for (const auto& rec : r.trace.records())
    if (rec.host == "mail" && rec.text().find("autologout") != std::string::npos && !logout) logout = &rec;
  REQUIRE(logout);
  CHECK(logout->time >= 31 * kSecond);  // 30 s after the last line (sent just after 1 s)
  CHECK(logout->time < 33 * kSecond);
  CHECK(records_of(r.trace, RecordKind::Mailbox, "downloaded-and-deleted").empty());
  CHECK(r.conservation.holds());
}

TEST_CASE("an IMAP client that goes silent gets * BYE Autologout after the autologout timer") {
  const auto r = silent_client(143, "a1 LOGIN kuroyagi {5+}", {{"imap", "45s"}}, "1090ms");  // a literal that never comes
  const Record* bye = nullptr;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Protocol && rec.host == "mail" && rec.text().find("* BYE Autologout") != std::string::npos)
      bye = &rec;
  REQUIRE(bye);
  CHECK(bye->time >= 46 * kSecond);
  CHECK(bye->time < 48 * kSecond);
  CHECK(r.conservation.holds());
}
