// Challenge mode (c), "fix the broken setup": a scripted student's choices, the re-run and the grade.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "sim/scenario/fix.hpp"
#include "sim/words/fix_words.hpp"

using namespace mailsim::sim;

namespace {

struct Lesson {
  Scenario scenario;
  nlohmann::json doc;
};

Lesson lesson(const std::string& name) {
  const auto path = (std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios" / (name + ".json")).string();
  auto loaded = load_scenario_file(path);
  for (const auto& d : loaded.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(loaded.scenario);
  REQUIRE(loaded.scenario->fix);
  auto doc = read_scenario_document(path);
  REQUIRE(doc);
  return {std::move(*loaded.scenario), std::move(*doc)};
}

// The choices with setting `k` at the value `v` (as JSON), the others as the world has them.
FixChoices with(const FixSpec& f, FixChoices c, std::size_t k, const nlohmann::json& v) {
  const auto& values = f.settings.at(k).values;
  const auto at = std::find(values.begin(), values.end(), v);
  REQUIRE(at != values.end());
  c.at(k) = static_cast<std::size_t>(at - values.begin());
  return c;
}

}  // namespace

TEST_CASE("fix: OP25B: port 587 with AUTH gets 100 %, port 587 without AUTH less; the same every time") {
  const auto l = lesson("mail/op25b-submission");
  const auto& f = *l.scenario.fix;
  const auto start = fix_start(f);
  CHECK(fix_actions(f, start).empty());
  const auto as_written = try_fix(l.doc, l.scenario, start);
  REQUIRE(as_written.ok);
  CHECK(as_written.grade.percent < 100);
  CHECK_FALSE(as_written.grade.complete());

  auto right = with(f, start, 0, 587);
  right = with(f, right, 1, true);
  right = with(f, right, 2, "starttls");
  const auto actions = fix_actions(f, right);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0]["do"] == "change_account");
  CHECK(actions[0]["at"] == "0s");
  CHECK(actions[0]["smtp"]["port"] == 587);
  CHECK(actions[0]["smtp"]["auth"] == true);
  const auto good = try_fix(l.doc, l.scenario, right);
  INFO(good.error);
  REQUIRE(good.ok);
  CHECK(good.grade.percent == 100);
  CHECK(good.grade.complete());
  CHECK(fix_failing(*good.scenario, good.grade, &good.run.trace, "en").empty());

  // 587 with the old PC's "no AUTH, no TLS" (every offered setting is carried: no port default sneaks AUTH in).
  const auto wrong_choice = with(f, start, 0, 587);
  CHECK(fix_actions(f, wrong_choice)[0]["smtp"]["auth"] == false);
  const auto wrong = try_fix(l.doc, l.scenario, wrong_choice);
  REQUIRE(wrong.ok);
  CHECK(wrong.grade.percent < 100);
  const auto failing = fix_failing(*wrong.scenario, wrong.grade, &wrong.run.trace, "ja");
  CHECK_FALSE(failing.empty());
  // Each failing goal says "what happened" once, not 「起きたこと：代わりに：…」, and names hosts.
  for (const auto& lang : {"ja", "en"}) {
    for (const auto& line : fix_failing(*wrong.scenario, wrong.grade, &wrong.run.trace, lang)) {
      INFO(line);
      CHECK(line.find("起きたこと：代わりに") == std::string::npos);
      CHECK(line.find("What happened: instead") == std::string::npos);
      CHECK(line.find("shiroyagi-pc") == std::string::npos);
    }
  }
  CHECK(fix_changes_text(f, wrong_choice) == "shiroyagi-pc:smtp.port=587");

  // Deterministic: the same choices give the same grade and the same trace.
  const auto again = try_fix(l.doc, l.scenario, right);
  CHECK(again.grade.percent == good.grade.percent);
  CHECK(again.run.trace.records().size() == good.run.trace.records().size());
  const auto wrong_again = try_fix(l.doc, l.scenario, wrong_choice);
  CHECK(wrong_again.grade.passed == wrong.grade.passed);
  CHECK(wrong_again.run.trace.records().size() == wrong.run.trace.records().size());
}

TEST_CASE("fix: a full mailbox: a larger quota gets 100 %, emptying the (empty) box or a temporary refusal does not") {
  const auto l = lesson("mail/mailbox-full");
  const auto& f = *l.scenario.fix;
  const auto start = fix_start(f);
  CHECK(try_fix(l.doc, l.scenario, start).grade.percent == 0);
  CHECK(try_fix(l.doc, l.scenario, with(f, start, 0, "8KB")).grade.percent == 100);
  CHECK(try_fix(l.doc, l.scenario, with(f, start, 0, "0")).grade.percent == 100);
  CHECK(try_fix(l.doc, l.scenario, with(f, start, 0, "3KB")).grade.percent < 100);
  CHECK(try_fix(l.doc, l.scenario, with(f, start, 1, true)).grade.percent < 100);
  const auto temporary = try_fix(l.doc, l.scenario, with(f, start, 2, "temporary"));
  CHECK(temporary.grade.percent > 0);  // nothing comes back...
  CHECK(temporary.grade.percent < 100);  // ... but nothing is delivered either
}

TEST_CASE("fix: a wrong MX: the domain's own server gets 100 %, a typo in the record does not") {
  const auto l = lesson("mail/mx-loops-back");
  const auto& f = *l.scenario.fix;
  const auto start = fix_start(f);
  const auto right = with(f, start, 0, "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.");
  const auto actions = fix_actions(f, right);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0]["do"] == "dns_change");
  CHECK(try_fix(l.doc, l.scenario, start).grade.percent < 100);
  CHECK(try_fix(l.doc, l.scenario, right).grade.percent == 100);
  CHECK(try_fix(l.doc, l.scenario, with(f, start, 0, "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.cmo.")).grade.percent < 100);
}

TEST_CASE("fix: every lesson's fix starts broken, can be completed, and is worded in en and ja") {
  const auto root = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  int with_fix = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json" || entry.path().filename().string().find("schema") != std::string::npos)
      continue;
    auto loaded = load_scenario_file(entry.path().string());
    REQUIRE(loaded.scenario);
    if (!loaded.scenario->fix) continue;
    ++with_fix;
    const auto& s = *loaded.scenario;
    const auto& f = *s.fix;
    INFO(entry.path().string());
    const auto doc = read_scenario_document(entry.path().string());
    REQUIRE(doc);
    CHECK_FALSE(f.task.en.empty());
    CHECK_FALSE(f.task.ja.empty());
    for (const auto& setting : f.settings) {
      CHECK(fix_setting_label(s, setting, "en") != fix_setting_label(s, setting, "ja"));
      for (std::size_t v = 0; v < setting.values.size(); ++v) CHECK_FALSE(fix_value_text(s, setting, v, "ja").empty());
    }
    CHECK_FALSE(try_fix(*doc, s, fix_start(f)).grade.complete());
    // Some choice of values completes it (every combination, at most a few dozen).
    FixChoices c(f.settings.size(), 0);
    bool complete = false;
    for (int n = 0; n < 64 && !complete; ++n) {
      const auto t = try_fix(*doc, s, c);
      REQUIRE(t.ok);
      complete = t.grade.complete();
      std::size_t k = 0;
      while (k < c.size() && ++c[k] == f.settings[k].values.size()) c[k++] = 0;
      if (k == c.size()) break;
    }
    CHECK(complete);
  }
  CHECK(with_fix >= 3);
}

namespace {
// The lesson's document with `range` put on fix setting `k`, loaded again: the diagnostics' text
// (empty when it loads).
std::string load_with_range(const nlohmann::json& doc, std::size_t k, const nlohmann::json& range,
                            std::optional<Scenario>* out = nullptr) {
  nlohmann::json d = doc;
  d["fix"]["settings"][k]["range"] = range;
  auto loaded = load_scenario_text(d.dump(), "lesson-copy.json");
  std::string text;
  for (const auto& x : loaded.diagnostics) text += x.format() + "\n";
  if (out) *out = std::move(loaded.scenario);
  return text;
}
}  // namespace

TEST_CASE("fix: numeric settings have the loader's range; a lesson may narrow it, and bad ranges are refused clearly") {
  const auto l = lesson("mail/op25b-submission");
  const auto& f = *l.scenario.fix;
  // The loader's own limits.
  const auto port = fix_range(f.settings[0], nullptr);
  REQUIRE(port);
  CHECK(port->min == 1);
  CHECK(port->max == 65535);
  CHECK_FALSE(port->size);
  CHECK_FALSE(fix_range(f.settings[1], nullptr));  // AUTH on or off: no number
  const auto m = lesson("mail/mailbox-full");
  const auto quota = fix_range(m.scenario.fix->settings[0], nullptr);
  REQUIRE(quota);
  CHECK(quota->min == 0);
  CHECK(quota->size);
  CHECK(quota->step == 1024);

  // Narrowed by the lesson.
  std::optional<Scenario> s;
  CHECK(load_with_range(l.doc, 0, {{"min", 1}, {"max", 3000}, {"step", 1}}, &s).empty());
  REQUIRE(s);
  nlohmann::json d = l.doc;
  d["fix"]["settings"][0]["range"] = {{"min", 1}, {"max", 3000}};
  const auto narrowed = fix_range(s->fix->settings[0], &d["fix"]["settings"][0]);
  REQUIRE(narrowed);
  CHECK(narrowed->max == 3000);
  CHECK(load_with_range(m.doc, 0, {{"min", "0"}, {"max", "64KB"}, {"step", "1KB"}}).empty());

  // Refused, each with its pointer and why.
  const auto outside = load_with_range(l.doc, 0, {{"min", 600}, {"max", 3000}});
  CHECK(outside.find("/fix/settings/0/range") != std::string::npos);
  CHECK(outside.find("outside its range") != std::string::npos);
  CHECK(load_with_range(l.doc, 0, {{"max", 70000}}).find("outside what the loader allows") != std::string::npos);
  CHECK(load_with_range(l.doc, 0, {{"min", 3000}, {"max", 2000}}).find("above max") != std::string::npos);
  CHECK(load_with_range(l.doc, 0, {{"step", 0}}).find("/fix/settings/0/range/step") != std::string::npos);
  CHECK(load_with_range(l.doc, 0, {{"min", "five"}}).find("whole number") != std::string::npos);
  CHECK(load_with_range(l.doc, 0, {{"least", 1}}).find("/fix/settings/0/range") != std::string::npos);
  CHECK(load_with_range(l.doc, 1, {{"min", 0}}).find("is not a number") != std::string::npos);
  CHECK(load_with_range(m.doc, 0, {{"max", "2KB"}}).find("outside its range") != std::string::npos);  // 3KB, 8KB listed
}

TEST_CASE("fix: a number typed in the range replaces the listed value; one outside it is refused") {
  const auto l = lesson("mail/op25b-submission");
  const auto& f = *l.scenario.fix;
  auto right = with(f, fix_start(f), 1, true);
  right = with(f, right, 2, "starttls");
  FixNumbers numbers(f.settings.size());
  numbers[0] = 587;  // typed, not picked from the list
  const auto actions = fix_actions(f, right, numbers);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0]["smtp"]["port"] == 587);
  const auto good = try_fix(l.doc, l.scenario, right, numbers);
  INFO(good.error);
  REQUIRE(good.ok);
  CHECK(good.grade.percent == 100);
  CHECK(fix_changes_text(f, right, numbers).find("smtp.port=587") != std::string::npos);
  numbers[0] = 70000;
  const auto refused = try_fix(l.doc, l.scenario, right, numbers);
  CHECK_FALSE(refused.ok);
  CHECK(refused.error.find("70000 is outside 1 to 65535") != std::string::npos);
  numbers[1] = 1;  // AUTH is no number
  numbers[0] = 587;
  CHECK(try_fix(l.doc, l.scenario, right, numbers).error.find("not a number") != std::string::npos);

  // A quota typed in KB: 5 KB holds the 3 KB letter, 2 KB does not.
  const auto m = lesson("mail/mailbox-full");
  const auto& mf = *m.scenario.fix;
  FixNumbers q(mf.settings.size());
  q[0] = 5 * 1024;
  CHECK(fix_actions(mf, fix_start(mf), q).at(0)["quota"] == "5KB");
  CHECK(try_fix(m.doc, m.scenario, fix_start(mf), q).grade.percent == 100);
  q[0] = 2 * 1024;  // the world's own: nothing changes
  CHECK(fix_actions(mf, fix_start(mf), q).empty());
  q[0] = 65ull * 1024 * 1024;
  CHECK_FALSE(try_fix(m.doc, m.scenario, fix_start(mf), q).ok);
}
