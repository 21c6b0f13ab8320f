// Narration: steps matched to trace records in order, unreached steps, the lessons' stories, analogy tables.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/words/narration.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

namespace {

Record rec(RecordKind kind, std::string event, std::string host, std::string summary, Time t) {
  Record r;
  r.kind = kind;
  r.event = std::move(event);
  r.host = std::move(host);
  r.summary = std::move(summary);
  r.time = t;
  r.protocol = kind == RecordKind::Dns ? "dns" : "smtp";
  return r;
}

// dns result (a), mail queued, dns result (b), dns result (c), protocol reply 550
Trace sample() {
  Trace t;
  t.add(rec(RecordKind::Dns, "result", "mx", "MX? a.example -> 10 mx.a.example", 1 * kSecond));
  t.add(rec(RecordKind::Mail, "queued", "mx", "queued \"Hi\"", 2 * kSecond));
  t.add(rec(RecordKind::Dns, "result", "mx", "A? mx.b.example -> 198.51.100.2", 3 * kSecond));
  t.add(rec(RecordKind::Dns, "result", "pc", "MX? c.example -> 10 mx.c.example", 4 * kSecond));
  t.add(rec(RecordKind::Protocol, "reply", "mx", "S: 550 5.1.1 User unknown", 5 * kSecond));
  return t;
}

NarrationStep step(RecordKind kind, std::string event = "", int nth = 1) {
  NarrationStep s;
  s.when.kind = kind;
  s.when.event = std::move(event);
  s.when.nth = nth;
  s.en = "step";
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream b;
  b << in.rdbuf();
  return b.str();
}

}  // namespace

TEST_CASE("narration: steps are matched in order, each after the previous moment") {
  const Trace t = sample();
  // The second dns step must come after the queued record, so it is record 2, not record 0.
  const auto m = match_narration({step(RecordKind::Dns, "result"), step(RecordKind::Mail, "queued"),
                                  step(RecordKind::Dns, "result")},
                                 t);
  REQUIRE(m.size() == 3);
  CHECK(m[0].reached);
  CHECK(m[0].seq == 0);
  CHECK(m[0].time == 1 * kSecond);
  CHECK(m[1].seq == 1);
  CHECK(m[2].seq == 2);
  CHECK(m[2].time == 3 * kSecond);
  CHECK(m[2].step == 2);
}

TEST_CASE("narration: nth counts matching records after the previous step") {
  const Trace t = sample();
  auto m = match_narration({step(RecordKind::Dns, "result", 2)}, t);
  CHECK(m[0].seq == 2);
  m = match_narration({step(RecordKind::Mail), step(RecordKind::Dns, "result", 2)}, t);
  CHECK(m[1].seq == 3);
  m = match_narration({step(RecordKind::Dns, "result", 4)}, t);
  CHECK_FALSE(m[0].reached);
}

TEST_CASE("narration: host, proto and contains narrow the moment") {
  const Trace t = sample();
  auto s = step(RecordKind::Dns);
  s.when.host = "pc";
  auto c = step(RecordKind::Protocol);
  c.when.contains = "550";
  c.when.proto = "smtp";
  auto m = match_narration({s, c}, t);
  CHECK(m[0].seq == 3);
  CHECK(m[1].seq == 4);
  c.when.contains = "user unknown";  // case-sensitive
  m = match_narration({c}, t);
  CHECK_FALSE(m[0].reached);
}

TEST_CASE("narration: a step whose moment never happens is unreached, later steps still match") {
  const Trace t = sample();
  const auto m = match_narration({step(RecordKind::Mail, "queued"), step(RecordKind::Mail, "bounced"),
                                  step(RecordKind::Protocol, "reply")},
                                 t);
  CHECK(m[0].reached);
  CHECK_FALSE(m[1].reached);
  CHECK(m[2].reached);
  CHECK(m[2].seq == 4);
  // An earlier moment does not count: the queued record is before the 550 reply.
  const auto back = match_narration({step(RecordKind::Protocol), step(RecordKind::Mail, "queued")}, t);
  CHECK_FALSE(back[1].reached);
}

TEST_CASE("narration: moments describe themselves for reports") {
  auto s = step(RecordKind::Dns, "result", 2);
  s.when.host = "pc";
  CHECK(s.when.describe() == "the 2nd dns record with event \"result\", host \"pc\"");
  auto c = step(RecordKind::Protocol);
  c.when.contains = "550";
  CHECK(c.when.describe() == "the next protocol record with summary containing \"550\"");
}

TEST_CASE("narration: an unreached step is reported by the run") {
  auto loaded = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/user-unknown.json");
  REQUIRE(loaded.scenario);
  auto s = *loaded.scenario;
  REQUIRE_FALSE(s.narration.empty());
  auto r = run_scenario(s);
  CHECK(r.all_passed());
  CHECK(r.narration_reached());
  s.narration.back().when.contains = "this never appears";
  r = run_scenario(s);
  CHECK(r.all_passed());  // the expectations still hold
  CHECK_FALSE(r.narration_reached());
  CHECK_FALSE(r.narration.back().reached);
  CHECK(r.narration.size() == s.narration.size());
}

TEST_CASE("narration: every step of every lesson is reached") {
  int with_story = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(MAILSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().stem().string().find("schema") != std::string::npos) continue;
    auto loaded = load_scenario_file(e.path().string());
    CAPTURE(e.path().string());
    REQUIRE(loaded.scenario);
    if (loaded.scenario->narration.empty()) continue;
    ++with_story;
    const auto r = run_scenario(*loaded.scenario);
    REQUIRE(r.narration.size() == loaded.scenario->narration.size());
    for (const auto& m : r.narration) {
      const auto& st = loaded.scenario->narration[m.step];
      CAPTURE(st.pointer, st.en);
      CHECK(m.reached);
      CHECK_FALSE(st.ja.empty());
    }
    // Steps are tied to moments in time order.
    for (std::size_t i = 1; i < r.narration.size(); ++i) CHECK(r.narration[i].seq > r.narration[i - 1].seq);
  }
  CHECK(with_story >= 4);
}

TEST_CASE("analogy tables: en and ja have the same keys, and every key has a title and a text") {
  const std::string dir = std::string(MAILSIM_SOURCE_DIR) + "/assets/analogy/";
  const auto en = nlohmann::json::parse(read_file(dir + "en.json"));
  const auto ja = nlohmann::json::parse(read_file(dir + "ja.json"));
  std::set<std::string> ke, kj;
  for (const auto& [k, _] : en.items()) ke.insert(k);
  for (const auto& [k, _] : ja.items()) kj.insert(k);
  CHECK(ke == kj);
  AnalogyTables t;
  std::string error;
  REQUIRE(t.load(std::string(MAILSIM_SOURCE_DIR) + "/assets", error));
  CHECK(t.keys().size() >= 20);
  for (const auto& k : t.keys()) {
    CAPTURE(k);
    auto a = t.lookup(k, "ja");
    REQUIRE(a);
    CHECK_FALSE(a->title.empty());
    CHECK_FALSE(a->text.empty());
  }
  CHECK(t.lookup("smtp.submission", "en")->title == "Posting the letter at your post office");
  CHECK_FALSE(t.lookup("smtp.submision", "en"));
  CHECK_FALSE(t.load("/nonexistent", error));
}
