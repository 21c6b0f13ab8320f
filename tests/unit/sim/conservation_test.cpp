// Mail conservation: every lesson satisfies it, and each way of losing or duplicating a
// message in a trace is named.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/scenario/conservation.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

namespace {

Record mail_record(Time t, std::string host, std::string event, nlohmann::json detail, std::string peer = {}) {
  Record r;
  r.time = t;
  r.kind = RecordKind::Mail;
  r.host = std::move(host);
  r.event = std::move(event);
  r.peer = std::move(peer);
  r.detail = std::move(detail);
  return r;
}

const nlohmann::json kQueued{{"queue_id", "Q1"}, {"sender", "a@x.example"}, {"recipients", {"b@y.example"}},
                             {"message_id", "<m1@x>"}, {"subject", "hi"}};

}  // namespace

TEST_CASE("every lesson conserves mail") {
  const std::filesystem::path root = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  std::size_t lessons = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = f.path().filename().string();
    if (f.path().extension() != ".json" || name.find(".schema.") != std::string::npos) continue;
    auto l = load_scenario_file(f.path().string());
    REQUIRE(l.scenario);
    const auto r = run_scenario(*l.scenario);
    INFO(name << ": " << r.conservation.summary());
    std::string why;
    for (const auto& v : r.conservation.violations) why += v.what + "\n";
    INFO(why);
    CHECK(r.conservation.holds());
    CHECK_FALSE(r.budget_stop);
    ++lessons;
  }
  CHECK(lessons >= 23);
}

TEST_CASE("conservation counts each outcome of a lesson") {
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/user-unknown.json");
  REQUIRE(l.scenario);
  const auto r = run_scenario(*l.scenario);
  CAPTURE(r.conservation.summary());
  CHECK(r.conservation.holds());
  CHECK(r.conservation.sent == 1);
  CHECK(r.conservation.answered == 1);
  CHECK(r.conservation.messages == 2);   // the message and its bounce
  CHECK(r.conservation.bounced == 1);    // refused by the recipient's server: the sender's gives up
  CHECK(r.conservation.delivered == 1);  // ... and delivers the DSN into the sender's mailbox
  const auto j = r.conservation.to_json();
  CHECK(j["holds"] == true);
  CHECK(j["violations"].empty());
}

TEST_CASE("a queued message with no outcome in a finished run is lost") {
  Trace t;
  t.add(mail_record(0, "mx", "queued", kQueued));
  auto c = check_conservation(t, true, 10 * kSecond);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].problem == "lost");
  CHECK(c.violations[0].queue_id == "Q1");
  CHECK(c.violations[0].recipient == "b@y.example");
  CHECK(c.violations[0].what.find("\"hi\" <m1@x> (queue id Q1 at mx) for b@y.example was neither delivered") !=
        std::string::npos);
  // The same trace cut short by the end of the run: the message is in transfer.
  c = check_conservation(t, false, 10 * kSecond);
  CHECK(c.holds());
  CHECK(c.in_transfer == 1);
  // ... unless nothing happened to it for longer than kStuckAfter.
  c = check_conservation(t, false, kStuckAfter + 1);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].what.find("stuck") != std::string::npos);
}

TEST_CASE("a deferred message with a next try is still queued") {
  Trace t;
  t.add(mail_record(0, "mx", "queued", kQueued));
  t.add(mail_record(kSecond, "mx", "deferred",
             {{"queue_id", "Q1"}, {"recipient", "b@y.example"}, {"retry_at", 61 * kSecond}}));
  const auto c = check_conservation(t, false, 30 * kSecond);
  CHECK(c.holds());
  CHECK(c.queued == 1);
}

TEST_CASE("a message delivered twice from one queue entry is a duplicate") {
  Trace t;
  t.add(mail_record(0, "mx", "queued", kQueued));
  t.add(mail_record(1, "mx", "relayed", {{"queue_id", "Q1"}, {"recipient", "b@y.example"}, {"message_id", "<m1@x>"}}));
  t.add(mail_record(1, "mx2", "delivered", {{"queue_id", "R1"}, {"recipient", "b@y.example"}, {"message_id", "<m1@x>"}}));
  t.add(mail_record(2, "mx", "relayed", {{"queue_id", "Q1"}, {"recipient", "b@y.example"}, {"message_id", "<m1@x>"}}));
  const auto c = check_conservation(t, true, 10);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].problem == "duplicate");
  CHECK(c.violations[0].what.find("was relayed and then relayed again") != std::string::npos);
  CHECK(c.violations[0].records == std::vector<std::uint64_t>{1, 3});
}

TEST_CASE("a bounce needs a DSN back to the sender, a null sender's bounce only a reason") {
  Trace t;
  t.add(mail_record(0, "mx", "queued", kQueued));
  t.add(mail_record(5, "mx", "bounced",
             {{"queue_id", "Q1"}, {"recipient", "b@y.example"}, {"sender", "a@x.example"}, {"dropped", false}}));
  auto c = check_conservation(t, true, 10);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].problem == "no_dsn");
  // The DSN queued for the sender at the same moment answers it.
  t.add(mail_record(5, "mx", "queued", {{"queue_id", "D1"}, {"sender", ""}, {"recipients", {"a@x.example"}}}));
  t.add(mail_record(6, "mx", "relayed", {{"queue_id", "D1"}, {"recipient", "a@x.example"}}));
  c = check_conservation(t, true, 10);
  CHECK(c.holds());
  CHECK(c.bounced == 1);
  // A bounce of a bounce is dropped with its reason.
  Trace n;
  n.add(mail_record(0, "mx", "queued", {{"queue_id", "D2"}, {"sender", ""}, {"recipients", {"a@x.example"}}}));
  n.add(mail_record(5, "mx", "bounced", {{"queue_id", "D2"}, {"recipient", "a@x.example"}, {"sender", ""}, {"dropped", true}}));
  c = check_conservation(n, true, 10);
  CHECK(c.holds());
  CHECK(c.dropped == 1);
}

TEST_CASE("a relay no server took, and a submission no server has, are named") {
  Trace t;
  t.add(mail_record(0, "mx", "queued", kQueued));
  t.add(mail_record(1, "mx", "relayed", {{"queue_id", "Q1"}, {"recipient", "b@y.example"}, {"message_id", "<m1@x>"}}));
  t.add(mail_record(0, "pc", "compose", {{"message_id", "<m2@x>"}, {"recipients", {"c@y.example"}}, {"server", "mx"}}, "mx"));
  t.add(mail_record(1, "pc", "submitted", {{"message_id", "<m2@x>"}, {"recipient", "c@y.example"}}, "mx"));
  const auto c = check_conservation(t, true, 10);
  REQUIRE(c.violations.size() == 2);
  CHECK(c.violations[0].problem == "relay_unconfirmed");
  CHECK(c.violations[1].problem == "submit_unconfirmed");
  CHECK(c.violations[1].what.find("the device was told mx accepted it for c@y.example, but mx has no record") !=
        std::string::npos);
}

TEST_CASE("a device that never learns what became of its message is a violation") {
  Trace t;
  t.add(mail_record(0, "pc", "compose",
             {{"message_id", "<m3@x>"}, {"subject", "where?"}, {"recipients", {"c@y.example", "d@y.example"}},
              {"server", "mx"}}, "mx"));
  t.add(mail_record(1, "pc", "send_failed", {{"message_id", "<m3@x>"}, {"recipient", "c@y.example"}}, "mx"));
  auto c = check_conservation(t, true, 10);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].problem == "unanswered");
  CHECK(c.violations[0].recipient == "d@y.example");
  // A failure of the whole session answers every recipient.
  t.add(mail_record(2, "pc", "send_failed", {{"message_id", "<m3@x>"}, {"error", "timeout"}}, "mx"));
  c = check_conservation(t, true, 10);
  CHECK(c.holds());
  CHECK(c.answered == 1);
}
