// The timeline's "repeat": expanded by the loader into the actions it stands for (the same trace as
// the timeline written out), checked with file:line:col messages, and bounded.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "loader_fixture.hpp"
#include "two_domain_world.hpp"

using namespace mailsim::sim;
using mailsim::test::one_error;

namespace {

// Two devices in two domains; line 17 is the timeline (one line, replaced by each test).
std::string world(const std::string& timeline, const std::string& settings = R"({"run_for": "10m"})") {
  return mailsim::test::two_domain_world("repeat", 3, settings, timeline);
}

// The repeat of the tests: four letters back and forth, each fetched 5 s later, and a lookup
// written beside it at a time one of the letters also has (ties keep the file's order).
const std::string kRepeat =
    R"({"at": "1s", "do": "repeat", "count": 4, "every": "2s", "with": [{"from": "pc-a", "to": "bob@b.example", "on": "pc-b"}, {"from": "pc-b", "to": "Ann <ann@a.example>", "on": "pc-a"}],
   "actions": [{"do": "send", "from": "{from}", "to": "{to}", "subject": "Letter {n} of 4 {{{i}}}"}, {"after": "5s", "do": "check_mail", "on": "{on}"}]})";
const std::string kWrittenOut =
    R"({"at": "1s", "do": "send", "from": "pc-a", "to": "bob@b.example", "subject": "Letter 1 of 4 {0}"},
    {"at": "6s", "do": "check_mail", "on": "pc-b"},
    {"at": "3s", "do": "send", "from": "pc-b", "to": "Ann <ann@a.example>", "subject": "Letter 2 of 4 {1}"},
    {"at": "8s", "do": "check_mail", "on": "pc-a"},
    {"at": "5s", "do": "send", "from": "pc-a", "to": "bob@b.example", "subject": "Letter 3 of 4 {2}"},
    {"at": "10s", "do": "check_mail", "on": "pc-b"},
    {"at": "7s", "do": "send", "from": "pc-b", "to": "Ann <ann@a.example>", "subject": "Letter 4 of 4 {3}"},
    {"at": "12s", "do": "check_mail", "on": "pc-a"})";

std::string trace_of(const std::string& text) {
  auto loaded = load_scenario_text(text, "repeat.json");
  std::string all;
  for (const auto& d : loaded.diagnostics) all += d.format() + "\n";
  CAPTURE(all);
  REQUIRE(loaded.scenario);
  const RunResult r = run_scenario(*loaded.scenario);
  std::ostringstream out;
  r.trace.write_jsonl(out);
  return out.str();
}

}  // namespace

TEST_CASE("repeat: the loader expands it into the actions it stands for, in the timeline's order", "[repeat]") {
  const auto r = load_scenario_text(world(kRepeat), "repeat.json");
  REQUIRE(r.scenario);
  const auto& t = r.scenario->timeline;
  REQUIRE(t.size() == 8);
  CHECK(t[0].at == 1 * kSecond);
  const auto* first = std::get_if<action::Send>(&t[0].what);
  REQUIRE(first);
  CHECK(first->from == "pc-a");
  CHECK(first->subject == "Letter 1 of 4 {0}");
  CHECK(t[0].pointer == "/timeline/0/actions/0");
  const auto* check = std::get_if<action::CheckMail>(&t.back().what);
  REQUIRE(check);
  CHECK(check->on == "pc-a");
  CHECK(t.back().at == 12 * kSecond);
}

TEST_CASE("repeat: the same trace, byte for byte, as the timeline written out", "[repeat]") {
  const std::string repeated = trace_of(world(kRepeat + R"(,
    {"at": "3s", "do": "check_mail", "on": "pc-a"})"));
  const std::string written = trace_of(world(kWrittenOut + R"(,
    {"at": "3s", "do": "check_mail", "on": "pc-a"})"));
  CHECK(repeated.size() > 10000);
  CHECK(repeated == written);
  CHECK(repeated.find("Letter 4 of 4 {3}") != std::string::npos);
}

TEST_CASE("repeat: each mistake gives its line, column, JSON path and a hint", "[repeat]") {
  using Catch::Matchers::Equals;
  auto err = [](const std::string& timeline, const std::string& settings = R"({"run_for": "10m"})") {
    return one_error(world(timeline, settings));
  };
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 0, "every": "1s", "actions": [{"do": "check_mail", "on": "pc-a"}]})"),
             Equals("lesson.json:17:30: /timeline/0/count: 0 is out of range (1 to 1000000)"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "actions": [{"do": "check_mail", "on": "pc-a"}]})"),
             Equals("lesson.json:17:1: /timeline/0: missing \"every\" (a duration such as \"2s\")"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "0s", "actions": [{"do": "check_mail", "on": "pc-a"}]})"),
             Equals("lesson.json:17:42: /timeline/0/every: the time between two repetitions must be longer than zero, not \"0s\""));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "actions": []})"),
             Equals("lesson.json:17:57: /timeline/0/actions: a repeat holds 1 to 16 actions, not 0"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "actions": [{"at": "2s", "do": "check_mail", "on": "pc-a"}]})"),
             Equals("lesson.json:17:70: /timeline/0/actions/0/at: inside \"repeat\", an action's time is \"after\": how long "
                    "after the start of its repetition, such as \"after\": \"8s\" (default \"0s\")"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "actions": [{"do": "repeat", "count": 2, "every": "1s", "actions": []}]})"),
             Equals("lesson.json:17:70: /timeline/0/actions/0/do: a repeat cannot hold another repeat: give the outer one "
                    "more \"count\", or its \"actions\" more entries"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "with": [{"dev": "pc-a"}], "actions": [{"do": "check_mail", "on": "{device}"}]})"),
             Equals("lesson.json:17:117: /timeline/0/actions/0/on: unknown placeholder {device}; {i} counts the repetitions "
                    "from 0, {n} from 1 (the rows of \"with\" name dev)"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "with": [{"from": "pc-a"}], "actions": [{"do": "check_mail", "on": "{frm}"}]})"),
             Equals("lesson.json:17:118: /timeline/0/actions/0/on: unknown placeholder {frm}; {i} counts the repetitions "
                    "from 0, {n} from 1: did you mean {from}? (the rows of \"with\" name from)"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "actions": [{"do": "check_mail", "on": "pc-{i"}]})"),
             Equals("lesson.json:17:90: /timeline/0/actions/0/on: a '{' starts a placeholder such as {i} or {from} and needs "
                    "its '}': write \"{{\" for a brace itself"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "with": [{"on": "pc-a"}, {"no": "pc-b"}], "actions": [{"do": "check_mail", "on": "{on}"}]})"),
             Equals("lesson.json:17:83: /timeline/0/with/1/no: \"no\" is not in the first row; every row of \"with\" names "
                    "the same values (on)"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "with": [{"i": "pc-a"}], "actions": [{"do": "check_mail", "on": "{i}"}]})"),
             Equals("lesson.json:17:67: /timeline/0/with/0/i: \"i\" is the repetition's own number ({i} from 0, {n} from 1): "
                    "give this value another name"));
  CHECK_THAT(err(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "with": [{"on": 7}], "actions": [{"do": "check_mail", "on": "{on}"}]})"),
             Equals("lesson.json:17:67: /timeline/0/with/0/on: expected text (a placeholder's value is put into the actions' text)"));
}

TEST_CASE("repeat: a problem in one repetition names it", "[repeat]") {
  const auto n = load_scenario_text(
      world(R"({"at": "1s", "do": "repeat", "count": 2, "every": "1s", "actions": [{"do": "check_mail", "on": "pc-{n}"}]})"),
      "lesson.json");
  CHECK_FALSE(n.scenario);
  REQUIRE(n.diagnostics.size() == 2);
  CHECK(n.diagnostics[0].format() == "lesson.json:17:90: /timeline/0/actions/0/on: no host has the id \"pc-1\" (did you mean \"pc-a\"?)");
  CHECK(n.diagnostics[1].format() == "lesson.json:17:1: /timeline/0: the problem above is in repetition 1 of 2 ({i} = 0)");
  const auto r = load_scenario_text(
      world(R"({"at": "1s", "do": "repeat", "count": 5, "every": "1s", "with": [{"on": "pc-a"}, {"on": "pc-c"}], "actions": [{"do": "check_mail", "on": "{on}"}]})"),
      "lesson.json");
  CHECK_FALSE(r.scenario);
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].format() == "lesson.json:17:132: /timeline/0/actions/0/on: no host has the id \"pc-c\" (did you mean \"pc-a\"?)");
  CHECK(r.diagnostics[1].format() == "lesson.json:17:1: /timeline/0: the problem above is in repetition 2 of 5 ({i} = 1, row 1 of \"with\")");
}

TEST_CASE("repeat: bounded by the run's end, the timeline's size and the event budget", "[repeat]") {
  using Catch::Matchers::Equals;
  const std::string check = R"(, "actions": [{"do": "check_mail", "on": "pc-a"}, {"after": "1s", "do": "check_mail", "on": "pc-b"}]})";
  CHECK_THAT(one_error(world(R"({"at": "1s", "do": "repeat", "count": 600, "every": "1s")" + check)),
             Equals("lesson.json:17:30: /timeline/0/count: the last repetition's actions come at 10m 01.000s, after the end "
                    "of the run (10m 00.000s): lower \"count\" or \"every\", or raise \"settings\": {\"run_for\": ...}"));
  CHECK_THAT(one_error(world(R"({"at": "1s", "do": "repeat", "count": 1000000, "every": "300d")" + check)),
             Equals("lesson.json:17:30: /timeline/0/count: the last repetition's actions come at more than 30d from the "
                    "start, after the end of the run (10m 00.000s): lower \"count\" or \"every\", or raise \"settings\": "
                    "{\"run_for\": ...}"));
  CHECK_THAT(one_error(world(R"({"at": "1s", "do": "repeat", "count": 1000001, "every": "1us")" + check)),
             Equals("lesson.json:17:30: /timeline/0/count: 1000001 is out of range (1 to 1000000)"));
  const std::string three = R"(, "actions": [{"do": "check_mail", "on": "pc-a"}, {"do": "check_mail", "on": "pc-b"}, {"do": "check_mail", "on": "pc-a"}]})";
  CHECK_THAT(one_error(world(R"({"at": "1s", "do": "repeat", "count": 1000000, "every": "1us")" + three,
                             R"({"run_for": "10m", "max_events": 100000000})")),
             Equals("lesson.json:17:30: /timeline/0/count: with this repeat the timeline has 3000000 actions, more than "
                    "2000000: lower \"count\""));
  CHECK_THAT(one_error(world(R"({"at": "1s", "do": "repeat", "count": 1000, "every": "1ms")" + check,
                             R"({"run_for": "10m", "max_events": 1500})")),
             Equals("lesson.json:17:30: /timeline/0/count: with this repeat the timeline has 2000 actions, more than the "
                    "run's budget of 1500 events (each action is at least one): raise \"settings\": {\"max_events\": ...}"));
}
