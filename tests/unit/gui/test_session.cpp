// The session: compose / check mail become timeline actions, re-run, and the player lands
// on the same moment; bad commands change nothing; undo and reset; the lesson library.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "gui/model/session.hpp"
#include "sim/scenario/fix.hpp"
#include "sim/scenario/lessons.hpp"

using namespace mailsim;
using gui::CheckMailCommand;
using gui::ComposeCommand;
using gui::Session;
using sim::kSecond;

namespace {

const std::string kScenarios = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/";

Session open(const std::string& lesson) {
  Session s;
  std::string error;
  INFO(error);
  REQUIRE(s.open_file(kScenarios + lesson, error));
  return s;
}

std::vector<nlohmann::json> trace_json(const sim::RunResult& r) {
  std::vector<nlohmann::json> out;
  for (const auto& rec : r.trace.records()) out.push_back(sim::to_json(rec));
  return out;
}

// Index of the first record after `t` matching kind/event (and host when given).
std::optional<std::size_t> first_after(const sim::RunResult& r, sim::Time t, sim::RecordKind kind,
                                       const std::string& event, const std::string& host = "") {
  const auto& recs = r.trace.records();
  for (std::size_t i = 0; i < recs.size(); ++i)
    if (recs[i].time > t && recs[i].kind == kind && recs[i].event == event && (host.empty() || recs[i].host == host))
      return i;
  return std::nullopt;
}

ComposeCommand lunch() {
  ComposeCommand c;
  c.device = "shiroyagi-pc";
  c.to = {"kuroyagi@hogehoge.com"};
  c.subject = "Lunch tomorrow?";
  c.body = "Shall we meet at noon?\n";
  return c;
}

gui::StringTable table(const char* lang) {
  gui::StringTable t;
  std::string error;
  REQUIRE(t.load_file(std::string(MAILSIM_SOURCE_DIR) + "/assets/i18n/" + lang + ".json", error));
  return t;
}

}  // namespace

TEST_CASE("session: compose re-runs and the player lands on the same moment", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  const gui::TraceModel before(s.scenario(), s.run().trace);
  // Stand on a record a few seconds in (after the scripted message was submitted).
  const auto& recs = before.records();
  std::size_t at = 0;
  while (at < recs.size() && recs[at].time < 3 * kSecond) ++at;
  REQUIRE(at < recs.size());
  const double p = before.playback_of_record(at);
  const auto moment = gui::moment_at(before, p);
  REQUIRE(moment.record);
  const sim::Time now = moment.time;
  const auto rev = s.revision();

  const auto r = s.compose(lunch(), now);
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.at == now + gui::kActionDelay);
  CHECK(s.revision() == rev + 1);
  REQUIRE(s.user_actions().size() == 1);
  CHECK(s.user_actions()[0].entry.at("do") == "send");
  CHECK(s.user_actions()[0].entry.at("at") == std::to_string(now + 1) + "us");

  const gui::TraceModel after(s.scenario(), s.run().trace);
  const double q = gui::playback_of_moment(after, moment);
  CHECK(after.pace().virtual_at(q) == now);
  const auto cur = after.record_at_playback(q);
  REQUIRE(cur);
  CHECK(sim::to_json(after.records()[*cur]) == sim::to_json(recs[at]));
  // Up to that moment nothing changed.
  for (std::size_t i = 0; i <= at; ++i) CHECK(sim::to_json(after.records()[i]) == sim::to_json(recs[i]));

  // The new message: composed after that moment, then submitted and delivered.
  const auto compose = first_after(s.run(), now, sim::RecordKind::Mail, "compose", "shiroyagi-pc");
  REQUIRE(compose);
  CHECK(s.run().trace.records()[*compose].mail_info().subject == "Lunch tomorrow?");
  CHECK(s.run().trace.records()[*compose].time == now + 1);
  const auto delivered = first_after(s.run(), now, sim::RecordKind::Mail, "delivered");
  REQUIRE(delivered);
  CHECK(*delivered > *compose);
  // The scripted story still happens as well.
  CHECK(first_after(s.run(), 0, sim::RecordKind::Mail, "compose", "shiroyagi-pc") < compose);
}

TEST_CASE("session: check mail re-runs and fetches after the moment", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  // Late in the lesson, after kuroyagi's scripted check: fetch again (nothing new).
  const sim::Time now = s.run().end_time;
  CheckMailCommand c;
  c.device = "kuroyagi-pc";
  const auto r = s.check_mail(c, now);
  INFO(r.message);
  REQUIRE(r.ok);
  const auto& recs = s.run().trace.records();
  const bool fetched_after = std::any_of(recs.begin(), recs.end(), [&](const sim::Record& x) {
    return x.time > now && (x.protocol == "pop3" || x.protocol == "imap") && x.kind == sim::RecordKind::Protocol;
  });
  CHECK(fetched_after);

  // Compose then check mail: the new message reaches kuroyagi's PC.
  auto t = open("mail/whole-journey.json");
  const sim::Time start = 12 * kSecond;
  REQUIRE(t.compose(lunch(), start).ok);
  REQUIRE(t.check_mail(c, start + 20 * kSecond).ok);
  CHECK(t.user_actions().size() == 2);
  const auto& rr = t.run().trace.records();
  const bool downloaded = std::any_of(rr.begin(), rr.end(), [&](const sim::Record& x) {
    return x.time > start + 20 * kSecond && x.kind == sim::RecordKind::Mailbox && x.host == "kuroyagi-pc" &&
           x.text().find("Lunch tomorrow?") != std::string::npos;
  });
  CHECK(downloaded);
}

TEST_CASE("session: a bad command is refused with the loader's message and changes nothing", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  const auto trace = trace_json(s.run());
  const auto rev = s.revision();
  const sim::Time now = 2 * kSecond;
  auto unchanged = [&] {
    CHECK(s.user_actions().empty());
    CHECK(s.revision() == rev);
    CHECK(trace_json(s.run()) == trace);
  };
  using Compose = decltype(lunch());
  // The lunch invitation with one thing changed must be refused with exactly `message`.
  auto refused = [&](void (*change)(Compose&), const std::string& message) {
    auto c = lunch();
    change(c);
    const auto r = s.compose(c, now);
    CHECK_FALSE(r.ok);
    CHECK(r.message == message);
    unchanged();
  };

  SECTION("unknown device") {
    refused([](Compose& c) { c.device = "shiroyagi-pcc"; }, "from: no host has the id \"shiroyagi-pcc\" (did you mean \"shiroyagi-pc\"?)");
  }
  SECTION("the recipient without @") {
    refused([](Compose& c) { c.to = {"kuroyagi"}; }, "to: \"kuroyagi\" is not a mail address: it has no '@' (write local-part@domain, such as \"kuroyagi@hogehoge.com\")");
  }
  SECTION("one of the recipients without @") {
    refused([](Compose& c) { c.to = {"kuroyagi@hogehoge.com", "kuroyagi"}; }, "to/1: \"kuroyagi\" is not a mail address: it has no '@' (write local-part@domain, such as \"kuroyagi@hogehoge.com\")");
  }
  SECTION("no recipient") {
    refused([](Compose& c) { c.to.clear(); }, "to: no recipient given");
  }
  SECTION("port 0: refused by the loader's port rule") {
    refused([](Compose& c) { c.port = 0; }, "smtp/port: 0 is out of range (1 to 65535)");
  }
  SECTION("an unknown server") {
    refused([](Compose& c) { c.server = "mail-exampel"; }, "smtp/server: no host has the id \"mail-exampel\" (did you mean \"mail-example\"?)");
  }
  SECTION("a host that is not a mail server") {
    refused([](Compose& c) { c.server = "dns"; }, "smtp/server: host \"dns\" is not a mail server (give it \"mail_server\": {...})");
  }
  SECTION("a bad TLS mode") {
    refused([](Compose& c) { c.tls = "ssl"; }, "smtp/tls: unknown TLS mode \"ssl\" (expected one of: none, starttls, implicit)");
  }
  SECTION("the account's own settings are fine and add no override") {
    auto c = gui::compose_defaults(s.scenario(), "shiroyagi-pc");
    CHECK(c.port == 587);
    REQUIRE(s.compose(c, now).ok);
    CHECK_FALSE(s.user_actions().back().entry.contains("smtp"));
  }
  SECTION("check mail on a device without incoming settings") {
    const auto r = s.check_mail(CheckMailCommand{"shiroyagi-pc", ""}, now);
    CHECK_FALSE(r.ok);
    CHECK(r.message == "account shiroyagi@example.com has no \"incoming\" settings (POP3 or IMAP) to check mail with");
    unchanged();
  }
  SECTION("an account the device does not have") {
    const auto r = s.check_mail(CheckMailCommand{"kuroyagi-pc", "kuroyagi@example.com"}, now);
    CHECK_FALSE(r.ok);
    CHECK(r.message.rfind("account: host \"kuroyagi-pc\" has no account \"kuroyagi@example.com\"", 0) == 0);
    unchanged();
  }
  SECTION("after the end of the run") {
    const auto r = s.check_mail(CheckMailCommand{"kuroyagi-pc", ""}, s.scenario().run_for);
    CHECK_FALSE(r.ok);
    CHECK(r.message.rfind("at: this action at", 0) == 0);
    unchanged();
  }
  SECTION("a refused command after an accepted one keeps the accepted one") {
    REQUIRE(s.compose(lunch(), now).ok);
    const auto with_one = trace_json(s.run());
    auto c = lunch();
    c.to = {"@hogehoge.com"};
    CHECK_FALSE(s.compose(c, now + kSecond).ok);
    CHECK(s.user_actions().size() == 1);
    CHECK(trace_json(s.run()) == with_one);
  }
}

TEST_CASE("session: other outgoing settings become the action's smtp override", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  const sim::Time now = 2 * kSecond;
  auto c = gui::compose_defaults(s.scenario(), "shiroyagi-pc");  // 587, AUTH, STARTTLS
  c.to = {"kuroyagi@hogehoge.com"};
  c.subject = "Implicit TLS";
  c.port = 465;
  c.tls = "implicit";
  const auto r = s.compose(c, now);
  INFO(r.message);
  REQUIRE(r.ok);
  // Only what differs, plus AUTH and TLS with a new port (as the form showed them).
  CHECK(s.user_actions().back().entry.at("smtp") == nlohmann::json{{"port", 465}, {"auth", true}, {"tls", "implicit"}});
  const auto compose = first_after(s.run(), now, sim::RecordKind::Mail, "compose", "shiroyagi-pc");
  REQUIRE(compose);
  const auto& d = s.run().trace.records()[*compose].detail;
  CHECK(d.at("port") == 465);
  CHECK(d.at("tls") == "implicit");
  CHECK(d.at("auth") == true);

  // AUTH alone: the port stays, only "auth" is carried.
  auto t = open("mail/whole-journey.json");
  auto e = gui::compose_defaults(t.scenario(), "shiroyagi-pc");
  e.auth = false;
  REQUIRE(t.compose(e, now).ok);
  CHECK(t.user_actions().back().entry.at("smtp") == nlohmann::json{{"auth", false}});
}

TEST_CASE("session: compose on port 25 from the OP25B lesson's PC is blocked by the policy; compose again on 587 "
          "with AUTH is delivered",
          "[gui][session]") {
  auto s = open("mail/op25b-submission.json");
  // After the lesson's own messages (the laptop's is delivered by then).
  const sim::Time first = 40 * kSecond;
  auto c = gui::compose_defaults(s.scenario(), "shiroyagi-pc");
  CHECK(c.port == 25);
  CHECK(c.auth == false);
  c.to = {"kuroyagi@hogehoge.com"};
  c.subject = "Try on 25";
  const auto r1 = s.compose(c, first);
  INFO(r1.message);
  REQUIRE(r1.ok);
  CHECK_FALSE(s.user_actions().back().entry.contains("smtp"));
  // Blocked at the ISP's border after the moment, and the mail program gives up.
  const auto drop = first_after(s.run(), first, sim::RecordKind::Policy, "drop", "shiroyagi-pc");
  REQUIRE(drop);
  const auto failed = first_after(s.run(), first, sim::RecordKind::Mail, "send_failed", "shiroyagi-pc");
  REQUIRE(failed);
  CHECK(s.run().trace.records()[*failed].detail.at("port") == 25);
  CHECK(s.run().trace.records()[*failed].mail_info().error == "connection timed out");

  // The same PC again, on 587 with AUTH (TLS as the form offers for 587).
  const sim::Time second = s.run().trace.records()[*failed].time + kSecond;
  c.subject = "Again on 587";
  c.port = 587;
  c.auth = true;
  c.tls = "starttls";
  const auto r2 = s.compose(c, second);
  INFO(r2.message);
  REQUIRE(r2.ok);
  CHECK(s.user_actions().back().entry.at("smtp") == nlohmann::json{{"port", 587}, {"auth", true}, {"tls", "starttls"}});
  const auto compose = first_after(s.run(), second, sim::RecordKind::Mail, "compose", "shiroyagi-pc");
  REQUIRE(compose);
  CHECK(s.run().trace.records()[*compose].detail.at("port") == 587);
  CHECK_FALSE(first_after(s.run(), second, sim::RecordKind::Policy, "drop", "shiroyagi-pc"));
  const auto& recs = s.run().trace.records();
  const bool delivered = std::any_of(recs.begin(), recs.end(), [&](const sim::Record& x) {
    return x.time > second && x.kind == sim::RecordKind::Mail && x.is(sim::MailEvent::Delivered) &&
           x.mail_info().subject == "Again on 587";
  });
  CHECK(delivered);
  // The first try is still in the trace, unchanged by the second.
  CHECK(first_after(s.run(), first, sim::RecordKind::Mail, "send_failed", "shiroyagi-pc") == failed);
}

TEST_CASE("session: the same commands give the same trace", "[gui][session]") {
  auto a = open("mail/whole-journey.json");
  auto b = open("mail/whole-journey.json");
  for (auto* s : {&a, &b}) {
    REQUIRE(s->compose(lunch(), 3 * kSecond).ok);
    REQUIRE(s->check_mail(CheckMailCommand{"kuroyagi-pc", ""}, 25 * kSecond).ok);
  }
  CHECK(trace_json(a.run()) == trace_json(b.run()));
  CHECK(a.run().trace.size() > 0);
}

TEST_CASE("session: undo and reset go back to the lesson as written", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  const auto written = trace_json(s.run());
  const auto timeline = s.scenario().timeline.size();
  CHECK_FALSE(s.undo());
  CHECK_FALSE(s.reset());
  REQUIRE(s.compose(lunch(), 2 * kSecond).ok);
  const auto one = trace_json(s.run());
  REQUIRE(s.check_mail(CheckMailCommand{"kuroyagi-pc", ""}, 30 * kSecond).ok);
  CHECK(s.scenario().timeline.size() == timeline + 2);
  CHECK(s.undo());
  CHECK(s.user_actions().size() == 1);
  CHECK(trace_json(s.run()) == one);
  REQUIRE(s.check_mail(CheckMailCommand{"kuroyagi-pc", ""}, 30 * kSecond).ok);
  CHECK(s.reset());
  CHECK(s.user_actions().empty());
  CHECK(s.scenario().timeline.size() == timeline);
  CHECK(trace_json(s.run()) == written);
}

TEST_CASE("session: user actions survive a language switch", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  REQUIRE(s.compose(lunch(), 2 * kSecond).ok);
  const auto trace = trace_json(s.run());
  const auto en = table("en");
  const auto ja = table("ja");
  // The list of "your actions" in either language; the session itself has no language.
  const auto in_en = gui::describe_action(s.user_actions()[0], en);
  const auto in_ja = gui::describe_action(s.user_actions()[0], ja);
  CHECK(in_en == "2.000s: shiroyagi-pc sends \"Lunch tomorrow?\" to kuroyagi@hogehoge.com");
  CHECK(in_ja != in_en);
  CHECK(in_ja.find("Lunch tomorrow?") != std::string::npos);
  CHECK(in_ja.find("kuroyagi@hogehoge.com") != std::string::npos);
  CHECK(s.user_actions().size() == 1);
  CHECK(trace_json(s.run()) == trace);
  CHECK(s.scenario().title.in("ja") != s.scenario().title.in("en"));
  // Several recipients are listed; a check is described too.
  auto c = lunch();
  c.to = {"kuroyagi@hogehoge.com", "shiroyagi@example.com"};
  REQUIRE(s.compose(c, 3 * kSecond).ok);
  REQUIRE(s.check_mail(CheckMailCommand{"kuroyagi-pc", ""}, 30 * kSecond).ok);
  CHECK(gui::describe_action(s.user_actions()[1], en) ==
        "3.000s: shiroyagi-pc sends \"Lunch tomorrow?\" to kuroyagi@hogehoge.com, shiroyagi@example.com");
  CHECK(gui::describe_action(s.user_actions()[2], en) == "30.000s: kuroyagi-pc checks mail");
  CHECK(gui::describe_action(s.user_actions()[2], ja).find("kuroyagi-pc") != std::string::npos);
  // In Japanese its moment too: no English units in a Japanese screen.
  CHECK(gui::describe_action(s.user_actions()[2], ja, true).rfind("30.000秒", 0) == 0);
}

TEST_CASE("session: a file that does not load leaves the session as it was", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  REQUIRE(s.compose(lunch(), 2 * kSecond).ok);
  const auto rev = s.revision();
  std::string error;
  CHECK_FALSE(s.open_file(kScenarios + "mail/no-such-lesson.json", error));
  CHECK(error.find("no such file") != std::string::npos);
  CHECK(s.revision() == rev);
  CHECK(s.user_actions().size() == 1);
  CHECK(s.file() == kScenarios + "mail/whole-journey.json");
  // Opening another lesson starts without user actions.
  REQUIRE(s.open_file(kScenarios + "basics/blocked-port.json", error));
  CHECK(s.user_actions().empty());
  CHECK(s.scenario().name == "blocked-port");
}

TEST_CASE("session: devices, addresses and the Compose form's defaults", "[gui][session]") {
  auto s = open("mail/op25b-submission.json");
  const auto devices = gui::mail_devices(s.scenario());
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].id == "shiroyagi-pc");
  CHECK(devices[0].accounts[0].smtp.port == 25);
  CHECK_FALSE(devices[0].can_check());
  const auto c = gui::compose_defaults(s.scenario(), "shiroyagi-laptop");
  CHECK(c.account == "shiroyagi@example.com");
  CHECK(c.server == "mail-example");
  CHECK(c.port == 587);
  CHECK(c.auth == true);
  CHECK(c.tls == "starttls");
  REQUIRE(c.to.size() == 1);
  CHECK(c.to[0] != "shiroyagi@example.com");
  const auto known = gui::known_addresses(s.scenario());
  CHECK(std::is_sorted(known.begin(), known.end()));
  CHECK(std::find(known.begin(), known.end(), c.to[0]) != known.end());
  // A lesson without mail programs offers no device.
  auto b = open("basics/blocked-port.json");
  CHECK(gui::mail_devices(b.scenario()).empty());

  CHECK(gui::split_addresses("a@x.jp, b@y.jp;c@z.jp  d@w.jp") ==
        std::vector<std::string>{"a@x.jp", "b@y.jp", "c@z.jp", "d@w.jp"});
  CHECK(gui::split_addresses(" , ").empty());
}

TEST_CASE("session: a moment before the first record and in a quiet stretch", "[gui][session]") {
  auto s = open("mail/whole-journey.json");
  const gui::TraceModel before(s.scenario(), s.run().trace);
  const auto start = gui::moment_at(before, 0.0);
  // Somewhere between two knots: the same virtual time after the re-run.
  double p = before.pace().duration() * 0.4;
  auto m = gui::moment_at(before, p);
  while (m.record && m.record->time == m.time && p > 0.1) m = gui::moment_at(before, p -= 0.05);
  REQUIRE(s.compose(lunch(), m.time).ok);
  const gui::TraceModel after(s.scenario(), s.run().trace);
  CHECK(after.pace().virtual_at(gui::playback_of_moment(after, m)) == m.time);
  CHECK(gui::playback_of_moment(after, start) == Approx(0.0));
}

TEST_CASE("session: lesson descriptions split into story, what to notice and question", "[gui][session]") {
  const auto en = gui::description_paragraphs(
      "Mail travels. What to notice: the red cross. Question for the class: why?");
  CHECK(en == std::vector<std::string>{"Mail travels.", "What to notice: the red cross.", "Question for the class: why?"});
  const auto ja = gui::description_paragraphs("手紙が届きます。注目点：赤い×印。質問：なぜ？");
  CHECK(ja == std::vector<std::string>{"手紙が届きます。", "注目点：赤い×印。", "質問：なぜ？"});
  CHECK(gui::description_paragraphs("Just a story.") == std::vector<std::string>{"Just a story."});
  CHECK(gui::description_paragraphs("").empty());
}

TEST_CASE("lessons: the library is in sim and lists titles and descriptions", "[gui][session]") {
  const auto dir = sim::find_scenario_dir({});
  REQUIRE_FALSE(dir.empty());
  const auto lessons = sim::list_lessons(dir);
  REQUIRE(lessons.size() >= 20);
  for (const auto& l : lessons) {
    INFO(l.file.string());
    CHECK_FALSE(l.group.empty());
    CHECK_FALSE(l.title.en.empty());
    CHECK_FALSE(l.title.ja.empty());
    CHECK(l.description.en.find("What to notice") != std::string::npos);
  }
  std::string error;
  const auto op = sim::resolve_lesson("op25b", dir, error);
  REQUIRE(op);
  CHECK(op->filename() == "op25b-submission.json");
}

TEST_CASE("session: a fix try replaces the user's actions with the fix's changes, re-runs and is graded; reset undoes it") {
  auto s = open("mail/op25b-submission.json");
  REQUIRE(s.scenario().fix);
  const auto fix = *s.scenario().fix;
  CHECK_FALSE(sim::grade_fix(s.scenario(), s.run().trace).complete());
  auto chosen = sim::fix_start(fix);
  chosen[0] = 2;  // port 587
  chosen[1] = 1;  // AUTH on
  const auto r = s.set_actions(sim::fix_actions(fix, chosen));
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(s.user_actions().size() == 1);
  CHECK(sim::grade_fix(s.scenario(), s.run().trace).percent == 100);
  // A second try replaces the first (no pile of changes).
  chosen[1] = 0;
  REQUIRE(s.set_actions(sim::fix_actions(fix, chosen)).ok);
  CHECK(s.user_actions().size() == 1);
  CHECK(sim::grade_fix(s.scenario(), s.run().trace).percent < 100);
  REQUIRE(s.reset());
  CHECK(s.user_actions().empty());
  // A refused entry changes nothing.
  const auto bad = s.set_actions({nlohmann::json{{"at", "0s"}, {"do", "change_account"}, {"on", "nope"}, {"password", "x"}}});
  CHECK_FALSE(bad.ok);
  CHECK(s.user_actions().empty());
}
