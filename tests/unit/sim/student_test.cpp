// The real client's part of a bridge session told to the student (sim/words/student.hpp): a
// bridged device's SMTP session on the OP25B lesson, its words in English and Japanese, its letter
// followed across the relay, and the templates' placeholders.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "sim/apps/bridged_device.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/student.hpp"

using namespace mailsim::sim;

namespace {

struct Session {
  Scenario scenario;
  RunResult result;
  std::string device;
};

// The bridged device opens a stream to mail.example.com `port` at 2 s and sends `steps` one after
// another, each once the server's previous reply is complete.
Session drive(std::uint16_t port, std::vector<std::string> steps) {
  Session out;
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/op25b-submission.json");
  REQUIRE(l.scenario);
  out.scenario = std::move(*l.scenario);
  std::string why;
  const auto id = add_bridged_device(out.scenario, "home-isp", why);
  REQUIRE(id);
  out.device = *id;
  BridgedDevice* dev = nullptr;
  RunOptions o;
  o.before_start = [&](Simulation& sim, mail::MailWorld&) {
    auto app = std::make_unique<BridgedDevice>(*id);
    dev = app.get();
    sim.add_app(std::move(app));
  };
  o.until = 120 * kSecond;
  ScenarioRun run(out.scenario, o);
  run.advance(2 * kSecond);
  auto stream = dev->open(Endpoint{*Ipv4::parse("198.51.100.25"), port}, "smtp", false, "127.0.0.1:40000");
  std::size_t next = 0;
  std::string partial;
  stream->on_data = [&](std::string_view b) {
    partial.append(b);
    for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
      const std::string line = partial.substr(0, nl);
      partial.erase(0, nl + 1);
      if (line.size() > 3 && line[3] == '-') continue;  // more lines of this reply follow
      if (next < steps.size()) stream->send(steps[next++]);
    }
  };
  run.advance(120 * kSecond);
  out.result = run.finish();
  return out;
}

std::vector<std::string> told(const Session& s, std::string_view lang) {
  const StudentStory story(s.result.trace, s.device);
  std::vector<std::string> out;
  for (const auto i : story.steps()) out.push_back(*story.words(s.result.trace.records()[i], lang, &s.scenario));
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("student story: a real client's submission on 587 told step by step, in English and Japanese") {
  const auto s = drive(587, {"EHLO student-laptop\r\n", "AUTH PLAIN AHNoaXJveWFnaQBtZWUtbWVl\r\n",
                             "MAIL FROM:<shiroyagi@example.com>\r\n", "RCPT TO:<kuroyagi@hogehoge.com>\r\n", "DATA\r\n",
                             "Subject: From my laptop\r\n\r\nHello!\r\n.\r\n", "QUIT\r\n"});
  const auto en = told(s, "en");
  CHECK(has(en, "Your mail program connects to mail.example.com, port 587 (SMTP)."));
  CHECK(has(en, "Your mail program greets mail.example.com (EHLO) and asks what it can do."));
  CHECK(has(en, "Your mail program logs in to mail.example.com with SMTP AUTH PLAIN (the password is hidden)."));
  CHECK(has(en, "Your mail program logged in with SMTP AUTH: mail.example.com answered \"235 2.7.0 Authentication successful\"."));
  CHECK(has(en, "Your mail program gives the sender: shiroyagi@example.com (MAIL FROM)."));
  CHECK(has(en, "Your mail program names the recipient: kuroyagi@hogehoge.com (RCPT TO)."));
  CHECK(has(en, "Your mail program hands over the letter itself (DATA)."));
  CHECK(has(en, "mail.example.com took your letter"));
  CHECK(has(en, "Your mail program says goodbye to mail.example.com (QUIT)."));
  // The letter followed across the relay to its delivery at mx1.hogehoge.com.
  CHECK(has(en, "Your letter: "));
  bool delivered = false;
  const StudentStory story(s.result.trace, s.device);
  for (const auto i : story.steps()) {
    const auto& r = s.result.trace.records()[i];
    if (r.kind == RecordKind::Mail && r.is(MailEvent::Delivered) && r.host == "mx-hogehoge") delivered = true;
  }
  CHECK(delivered);
  CHECK(story.queue_ids().size() >= 2);  // its queue id at mail.example.com and at mx1.hogehoge.com
  const auto ja = told(s, "ja");
  REQUIRE(ja.size() == en.size());
  CHECK(has(ja, "あなたのメールソフトが SMTP AUTH でログインしました。"));
  CHECK(has(ja, "あなたのメールソフトが宛先 kuroyagi@hogehoge.com を伝えます（RCPT TO）。"));
  // Never a password, never the SASL blob.
  for (const auto& line : en) CHECK(line.find("AHNoaXJveWFnaQ") == std::string::npos);
  // step_at: the newest step at or before a record.
  CHECK_FALSE(story.step_at(std::nullopt));
  CHECK(story.step_at(story.steps().back() + 5) == story.steps().back());
  CHECK(story.step_at(story.steps().front()) == story.steps().front());
}

TEST_CASE("student story: a wrong password and OP25B on port 25 are told with what to do") {
  const auto wrong = told(drive(587, {"EHLO laptop\r\n", "AUTH PLAIN AHNoaXJveWFnaQB3cm9uZw==\r\n", "QUIT\r\n"}), "en");
  CHECK(has(wrong, "mail.example.com refused your mail program's login (\"535 5.7.8 Authentication credentials invalid\"): "
                   "check the user name and password."));
  const auto blocked = told(drive(25, {}), "en");
  CHECK(has(blocked, "OP25B at "));
  CHECK(has(blocked, "stops your mail program's connection to mail.example.com port 25: from this network, mail leaves "
                     "only through your provider's server, on port 587 with a password."));
  CHECK(has(blocked, "Your mail program's connection to mail.example.com got no answer and timed out."));
}

TEST_CASE("student story: nothing is told without a bridged device") {
  const auto s = drive(587, {"QUIT\r\n"});
  const StudentStory none(s.result.trace, "");
  CHECK(none.steps().empty());
  CHECK_FALSE(none.words(s.result.trace.records().front(), "en"));
}

TEST_CASE("student story: every template has the same placeholders in English and Japanese") {
  const std::regex ph(R"(\{[a-z_]+\})");
  for (const auto& t : student_templates()) {
    std::multiset<std::string> en, ja;
    const std::string e(t.en), j(t.ja);
    for (std::sregex_iterator i(e.begin(), e.end(), ph), end; i != end; ++i) en.insert(i->str());
    for (std::sregex_iterator i(j.begin(), j.end(), ph), end; i != end; ++i) ja.insert(i->str());
    INFO(t.key);
    CHECK(en == ja);
    CHECK_FALSE(j.empty());
  }
}

TEST_CASE("student story: OP25B is judged from the scenario's rule, never from its id") {
  const auto s = drive(25, {});
  const StudentStory story(s.result.trace, s.device);
  const Record* blocked = nullptr;
  for (const auto i : story.steps())
    if (s.result.trace.records()[i].kind == RecordKind::Policy) blocked = &s.result.trace.records()[i];
  REQUIRE(blocked != nullptr);
  const std::string id = blocked->detail.value("rule", "");
  // The same rule under an id that says nothing: still OP25B, named as the reports name it.
  Scenario renamed = s.scenario;
  PolicyRule* rule = nullptr;
  for (auto& n : renamed.networks)
    for (auto& p : n.policies)
      if (p.id == id) rule = &p;
  REQUIRE(rule != nullptr);
  rule->id = "smtp-out";
  Record r = *blocked;
  r.detail["rule"] = "smtp-out";
  const auto en = *story.words(r, "en", &renamed);
  CHECK(en.rfind("OP25B at ", 0) == 0);
  CHECK(en.find("from this network, mail leaves only through your provider's server") != std::string::npos);
  CHECK(story.words(r, "ja", &renamed)->find("の OP25B が") != std::string::npos);
  // An id that says OP25B on a rule that does not block port 25 only is told by its id.
  rule->id = "OP25B-lookalike";
  rule->dst_ports = {25, 587};
  r.detail["rule"] = "OP25B-lookalike";
  const auto other = *story.words(r, "en", &renamed);
  CHECK(other.rfind("OP25B-lookalike at ", 0) == 0);
  CHECK(other.find("from this network") == std::string::npos);
}
