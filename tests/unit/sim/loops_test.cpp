// Mail loops end as real MTAs end them (issue 12): the hop count, an MX or smarthost that is
// the server itself, and the queue lifetime that ends at the first failed try after it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "protocols/message/dsn.hpp"
#include "protocols/message/received.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json lesson_json(const std::string& name) { return mailsim::test::mail_lesson_json(name); }

Scenario load(const nlohmann::json& j) { return mailsim::test::load_json(j, "loops.json"); }

struct Outcome {
  RunResult run;
  std::vector<std::string> inbox;
};

Outcome run(const Scenario& s, const std::string& host, const std::string& user) {
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
  return o;
}

std::vector<const Record*> mail_records(const Trace& t, const std::string& event) {
  std::vector<const Record*> out;
  for (const auto& r : t.records())
    if (r.kind == RecordKind::Mail && r.event == event) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("a smarthost ping-pong loop ends at the hop limit with 554 5.4.6 and a 5.4.6 bounce") {
  const auto o = run(load(lesson_json("smarthost-loop")), "mail-example", "shiroyagi");
  for (const auto& e : o.run.expectations) INFO(e.description << ": " << e.actual);
  CHECK(o.run.all_passed());
  CHECK(o.run.narration_reached());
  const auto loops = mail_records(o.run.trace, "loop");
  REQUIRE(loops.size() == 1);
  CHECK(loops.front()->detail.value("hops", 0) == 26);
  CHECK(loops.front()->detail.value("limit", 0) == 25);
  CHECK(mail_records(o.run.trace, "relayed").size() == 26);  // 25 hops, then the bounce to mail.example.com
  // The report in Shiroyagi's INBOX says 5.4.6 and carries the whole circle.
  REQUIRE(o.inbox.size() == 1);
  const auto dsn = mailsim::message::parse_dsn(o.inbox.front());
  REQUIRE(dsn);
  REQUIRE(dsn->recipients.size() == 1);
  CHECK(dsn->recipients[0].status == "5.4.6");
  CHECK(dsn->recipients[0].diagnostic_code.find("554 5.4.6") != std::string::npos);
  CHECK(o.run.end_time < 1 * kMinute);  // stopped in seconds, not by the run's end
}

TEST_CASE("hop_limit is set per server") {
  auto j = lesson_json("smarthost-loop");
  for (auto& h : j["hosts"])
    if (h["id"] == "gateway") h["mail_server"]["hop_limit"] = 3;
  j.erase("narration");
  const auto o = run(load(j), "mail-example", "shiroyagi");
  const auto loops = mail_records(o.run.trace, "loop");
  REQUIRE(loops.size() == 1);
  CHECK(loops.front()->host == "gateway");
  CHECK(loops.front()->detail.value("hops", 0) == 5);  // it receives odd counts: 1, 3, 5
  CHECK(o.inbox.size() == 1);
}

TEST_CASE("an MX that is the sender's own server bounces at once with 5.4.6, never deferred") {
  const auto o = run(load(lesson_json("mx-loops-back")), "mail-example", "shiroyagi");
  for (const auto& e : o.run.expectations) INFO(e.description << ": " << e.actual);
  CHECK(o.run.all_passed());
  CHECK(o.run.narration_reached());
  CHECK(mail_records(o.run.trace, "deferred").empty());
  const auto bounced = mail_records(o.run.trace, "bounced");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "5.4.6");
  CHECK(bounced.front()->mail_info().reason.find("loops back to myself") != std::string::npos);
  CHECK(bounced.front()->time < 3 * kSecond);
}

TEST_CASE("a smarthost that is the server itself is a permanent 5.4.6 failure") {
  auto j = lesson_json("smarthost-loop");
  for (auto& h : j["hosts"])
    if (h["id"] == "mail-example") h["mail_server"]["smarthost"]["host"] = "mail-example";
  j.erase("narration");
  j["expectations"] = nlohmann::json::array();
  const auto o = run(load(j), "mail-example", "shiroyagi");
  const auto bounced = mail_records(o.run.trace, "bounced");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "5.4.6");
  CHECK(mail_records(o.run.trace, "deferred").empty());
}

TEST_CASE("a message bounces at its first failed try after the lifetime, not before") {
  auto j = lesson_json("cross-domain");
  for (auto& h : j["hosts"])
    if (h["id"] == "mx-hogehoge") h["down"] = true;
  j["settings"] = {{"run_for", "2h"}};
  j["expectations"] = nlohmann::json::array();
  j.erase("narration");
  const auto o = run(load(j), "mail-example", "shiroyagi");
  const auto bounced = mail_records(o.run.trace, "bounced");
  REQUIRE(bounced.size() == 1);
  CHECK(bounced.front()->mail_info().status.str() == "4.4.7");
  // Each try fails after the 30 s connect timeout, then waits 1, 5, 15, 15, 15 minutes: the
  // sixth failure is at 54 minutes (where the old rule bounced), the seventh at 69.5.
  CHECK(bounced.front()->time > 69 * kMinute);
  CHECK(bounced.front()->time < 70 * kMinute);
  CHECK(mail_records(o.run.trace, "deferred").size() == 6);
}

TEST_CASE("relay records name the next server by host id, and the MX's DNS name stays in the detail") {
  const auto o = run(load(lesson_json("cross-domain")), "mx-hogehoge", "kuroyagi");
  const auto relayed = mail_records(o.run.trace, "relayed");
  REQUIRE(relayed.size() == 1);
  CHECK(relayed.front()->peer == "mx-hogehoge");
  CHECK(relayed.front()->detail.value("remote", "") == "mx1.hogehoge.com");
  CHECK(relayed.front()->mail_info().remote_host.str() == "mx-hogehoge");
}
