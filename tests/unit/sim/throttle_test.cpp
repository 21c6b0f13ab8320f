// The fault plan's bandwidth throttle (issue 17, Toxiproxy's "bandwidth"): bytes per second on
// the matching connections, in virtual time; its loader errors, its record and its words.
#include <catch2/catch.hpp>

#include "sim/scenario/faults_loader.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

// cross-domain with one message of `size` and the given fault rules.
RunResult run_with(const std::string& size, const nlohmann::json& faults) {
  auto j = mailsim::test::bare_mail_lesson_json("cross-domain");
  j["timeline"] = {{{"at", "1s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                    {"subject", "Big"}, {"size", size}}};
  if (!faults.empty()) j["faults"] = faults;
  const Scenario s = mailsim::test::load_json(j, "throttle.json");
  auto r = run_scenario(s, RunOptions{});
  INFO(r.conservation.summary());
  CHECK(r.conservation.holds());
  return r;
}

// From mail-example's DATA to mx-hogehoge to the 250 that accepted the message.
Time relay_data_time(const RunResult& r) {
  Time data = -1;
  for (const auto& rec : r.trace.records()) {
    if (rec.kind != RecordKind::Protocol || rec.protocol != "smtp") continue;
    if (rec.protocol_event() == ProtoEvent::Command && rec.host == "mail-example" && rec.peer == "mx-hogehoge" &&
        rec.text().find("DATA") != std::string::npos)
      data = rec.time;
    if (data >= 0 && rec.protocol_event() == ProtoEvent::Reply && rec.host == "mx-hogehoge" && rec.peer == "mail-example" &&
        rec.text().find("250 2.0.0") != std::string::npos)
      return rec.time - data;
  }
  FAIL("no DATA ... 250 from mail-example to mx-hogehoge");
  return 0;
}

nlohmann::json throttle(std::uint64_t rate) {
  return nlohmann::json::array({{{"id", "slow-link"}, {"host", "mx-hogehoge"}, {"port", 25}, {"at", "data"},
                                 {"action", "throttle"}, {"rate", rate}}});
}

}  // namespace

TEST_CASE("fault throttle: a large message takes its size over the rate longer, in virtual time") {
  const Time plain = relay_data_time(run_with("40KB", {}));
  const auto slow = run_with("40KB", throttle(4000));
  const auto slower = run_with("40KB", throttle(2000));
  const Time at4000 = relay_data_time(slow) - plain;
  const Time at2000 = relay_data_time(slower) - plain;
  // 40 KB at 4000 B/s is about 10 s more (the message, dot-stuffing and line ends a little more).
  CHECK(at4000 >= 10 * kSecond);
  CHECK(at4000 <= 12 * kSecond);
  CHECK(at2000 >= 20 * kSecond);
  CHECK(at2000 <= 24 * kSecond);
  // The message still arrives, once.
  std::size_t delivered = 0;
  for (const auto& rec : slower.trace.records())
    if (rec.kind == RecordKind::Mail && rec.is(MailEvent::Delivered)) ++delivered;
  CHECK(delivered == 1);
  // One record names the rule, worded in both languages.
  const Record* fault = nullptr;
  for (const auto& rec : slow.trace.records())
    if (rec.kind == RecordKind::Note && rec.event == "fault") fault = &rec;
  REQUIRE(fault);
  CHECK(fault->detail.value("rate", 0) == 4000);
  CHECK(describe_record(*fault, "en", nullptr) ==
        "fault rule slow-link: mx-hogehoge slows the connection from mail-example to 4000 bytes per second from DATA on");
  CHECK(describe_record(*fault, "ja", nullptr) ==
        "障害ルール slow-link：mx-hogehoge は DATA コマンドから mail-example との接続を毎秒 4000バイトに絞ります");
}

TEST_CASE("fault throttle: from the connection on, the answers are slow too, and the run is deterministic") {
  const nlohmann::json rules = nlohmann::json::array(
      {{{"id", "slow"}, {"host", "mx-hogehoge"}, {"at", "connect"}, {"action", "throttle"}, {"rate", 50}}});
  const auto a = run_with("1KB", rules);
  const auto b = run_with("1KB", rules);
  REQUIRE(a.trace.records().size() == b.trace.records().size());
  for (std::size_t i = 0; i < a.trace.records().size(); ++i) {
    CHECK(a.trace.records()[i].time == b.trace.records()[i].time);
    CHECK(a.trace.records()[i].text() == b.trace.records()[i].text());
  }
  // The greeting (about 40 bytes at 50 B/s) reaches the client most of a second after the
  // connection: its EHLO, sent when the greeting arrived, is that late.
  const auto ehlo_after_connect = [](const RunResult& r) {
    Time connected = -1;
    for (const auto& rec : r.trace.records()) {
      if (connected < 0 && rec.kind == RecordKind::Connection && rec.event == "established" &&
          (rec.host == "mx-hogehoge" || rec.peer == "mx-hogehoge"))
        connected = rec.time;
      if (connected >= 0 && rec.is(ProtoEvent::Command) && rec.host == "mail-example" &&
          rec.text().find("EHLO") != std::string::npos)
        return rec.time - connected;
    }
    FAIL("no connection to mx-hogehoge followed by EHLO");
    return Time{0};
  };
  CHECK(ehlo_after_connect(a) >= 500 * kMilli);
  CHECK(ehlo_after_connect(run_with("1KB", {})) < 100 * kMilli);
}

TEST_CASE("fault loader: throttle needs a rate of 1 to 10^9 bytes per second, and no DNS stage") {
  const auto problem = [](const std::string& rule) {
    Scenario s = mailsim::test::load_lesson("scenarios/mail/cross-domain.json");
    const auto p = add_faults_text(s, "{\"faults\": [" + rule + "]}", "plan.json");
    return p.empty() ? std::string() : p.front().format();
  };
  CHECK(problem(R"({"id": "t", "at": "data", "action": "throttle"})").find("/faults/0") != std::string::npos);
  CHECK(problem(R"({"id": "t", "at": "data", "action": "throttle", "rate": 0})").find("/faults/0/rate") !=
        std::string::npos);
  CHECK(problem(R"({"id": "t", "at": "data", "action": "throttle", "rate": 2000000000})").find("/faults/0/rate") !=
        std::string::npos);
  CHECK(problem(R"({"id": "t", "at": "dns", "action": "throttle", "rate": 10})").find("/faults/0/action") !=
        std::string::npos);
  CHECK(problem(R"({"id": "t", "at": "data", "action": "reset", "rate": 10})").find("\"rate\" goes with") !=
        std::string::npos);
  CHECK(problem(R"({"id": "t", "at": "data", "action": "throttle", "rate": 1000})").empty());
}
