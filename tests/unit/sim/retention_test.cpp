// A run that keeps only what its checks read (issue 13): the same verdicts, the same story,
// the same budget stop and a byte-identical JSON Lines file as a run that keeps every record,
// with far fewer records in memory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/scenario/faults_loader.hpp"
#include "sim/scenario/retention.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"
#include "world_gen.hpp"

using namespace mailsim::sim;
using mailsim::test::kSourceDir;

namespace {

struct Both {
  RunResult full, kept;
  std::string full_file, kept_file;
};

// The scenario run twice: keeping every record (written at the end, as `mailsim run --keep all`
// does) and keeping only what the checks read (streamed as it comes, as `--keep checks`).
Both run_both(const Scenario& s) {
  Both b;
  b.full = run_scenario(s);
  std::ostringstream full;
  b.full.trace.write_jsonl(full);
  b.full_file = full.str();
  std::ostringstream stream;
  RunOptions o;
  o.retention = checks_retention(s);
  o.trace_stream = &stream;
  b.kept = run_scenario(s, o);
  b.kept.trace.flush_stream();
  b.kept_file = b.kept.trace.meta_line() + stream.str();
  return b;
}

nlohmann::json verdicts(const Scenario& s, const RunResult& r) {
  nlohmann::json j;
  j["records"] = r.trace.size();
  j["end"] = r.end_time;
  j["events"] = r.events;
  j["stopped_early"] = r.stopped_early;
  j["conservation"] = r.conservation.to_json();
  for (const auto& e : r.expectations)
    j["expectations"].push_back({{"passed", e.passed},
                                 {"actual", e.actual},
                                 {"outcome", e.outcome},
                                 {"outcome_params", e.outcome_params},
                                 {"records", e.records},
                                 // worded from the records it quotes: each must still be there
                                 {"en", describe_outcome(e, "en", &r.trace, &s)},
                                 {"ja", describe_outcome(e, "ja", &r.trace, &s)}});
  for (const auto& m : r.narration) {
    const Record* rec = m.reached ? r.trace.find(m.seq) : nullptr;
    j["narration"].push_back({{"reached", m.reached}, {"seq", m.seq}, {"t", m.time}, {"found", rec != nullptr}});
  }
  for (const auto& t : fault_tally(s, r.trace)) j["faults"].push_back({t.rule, t.fired, t.first});
  if (r.budget_stop)
    j["budget"] = {{"kind", to_string(r.budget_stop->kind)}, {"used", r.budget_stop->used},
                   {"cause", r.budget_stop->cause.code}, {"params", r.budget_stop->cause.params},
                   {"message", r.budget_stop->message()}};
  return j;
}

void check_same(const Scenario& s, const Both& b) {
  CHECK(b.kept.trace.size() == b.full.trace.size());
  CHECK(b.full.trace.complete());
  CHECK(b.kept.trace.records().size() <= b.full.trace.records().size());
  CHECK(verdicts(s, b.kept) == verdicts(s, b.full));
  const bool same_file = b.kept_file == b.full_file;  // (not CHECK(a == b): the files are long)
  CHECK(same_file);
}

}  // namespace

TEST_CASE("every lesson kept to its checks gives the same verdicts, story and file") {
  std::size_t lessons = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kSourceDir + "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename().string().find("schema") != std::string::npos) continue;
    const auto s = mailsim::test::load_lesson(e.path().string());
    INFO(e.path().string() << " keeps " << checks_retention(s).describe());
    check_same(s, run_both(s));
    ++lessons;
  }
  CHECK(lessons >= 30);
}

TEST_CASE("a whole journey keeps a small part of its records") {
  const auto s = mailsim::test::load_lesson("scenarios/mail/whole-journey.json");
  const auto b = run_both(s);
  check_same(s, b);
  INFO(b.kept.trace.records().size() << " of " << b.full.trace.size() << " records kept");
  CHECK(b.kept.trace.records().size() * 2 < b.full.trace.size());
  CHECK(b.kept.trace.memory_estimate() * 2 < b.full.trace.memory_estimate());
}

TEST_CASE("generated worlds without story or expectations keep only the mail records conservation reads") {
  for (const std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{4}}) {
    const auto s = mailsim::test::load_json(mailsim::test::random_world(seed), "random.json");
    INFO("seed " << seed);
    const auto b = run_both(s);
    check_same(s, b);
    CHECK(checks_retention(s).describe() ==
          "mail compose, mail submitted, mail send_failed, mail queued, mail delivered, mail relayed, mail deferred, "
          "mail bounced");
    for (const auto& r : b.kept.trace.records()) CHECK(r.kind == RecordKind::Mail);
    INFO(b.kept.trace.records().size() << " of " << b.full.trace.size() << " records kept");
    CHECK(b.kept.trace.records().size() * 10 < b.full.trace.size());
    CHECK(b.kept.trace.payload_bytes() == 0);  // no packet bytes in the arena
  }
}

TEST_CASE("a run stopped by its budget names the same cause when it keeps only what its checks read") {
  const auto s = mailsim::test::load_lesson(kSourceDir + "/tests/cli/data/smarthost-loop.json");
  const auto b = run_both(s);
  REQUIRE(b.kept.budget_stop);
  CHECK(b.kept.budget_stop->cause.code == "loop");
  check_same(s, b);
}

TEST_CASE("a check is never starved of the records it reads") {
  // OP25B: a policy expectation passes with only the kept records ...
  const auto s = mailsim::test::load_lesson("scenarios/mail/op25b-submission.json");
  const Retention keep = checks_retention(s);
  CHECK(keep.keeps(RecordKind::Policy, "drop"));
  RunOptions o;
  o.retention = keep;
  const auto r = run_scenario(s, o);
  bool blocked = false;
  for (const auto& e : r.expectations) {
    INFO(e.description << ": " << e.actual);
    CHECK(e.passed);
    if (e.kind == "blocked") blocked = true;
  }
  CHECK(blocked);
  CHECK(r.narration_reached());
  CHECK_FALSE(r.trace.complete());
  // ... and fails when the policy records are not kept (so the rule above is what saves it).
  RunOptions starved;
  starved.retention = Retention::only().keep(RecordKind::Mail);
  const auto w = run_scenario(s, starved);
  bool failed = false;
  for (const auto& e : w.expectations)
    if (e.kind == "blocked" && !e.passed) failed = true;
  CHECK(failed);
  // An expectation this build's rule does not know keeps everything.
  Scenario future = s;
  future.expectations.push_back({"a-check-from-the-future", nlohmann::json::object(), "/expectations/9"});
  CHECK(checks_retention(future).keeps_everything());
}

TEST_CASE("a trace that keeps some records numbers, finds and copies them as a full one") {
  Trace t;
  t.set_retention(Retention::only().keep(RecordKind::Mail).keep(RecordKind::Note, "fault"));
  std::ostringstream out;
  t.stream_to(&out);
  std::uint64_t watched = 0;
  t.watch([&](const Record&) { ++watched; });
  for (int i = 0; i < 6; ++i) {
    Record r;
    r.time = i;
    r.kind = i % 3 == 0 ? RecordKind::Note : RecordKind::Connection;
    r.event = i == 3 ? "fault" : "closed";
    r.summary = "record " + std::to_string(i);
    CHECK(t.add(r).seq == static_cast<std::uint64_t>(i));
  }
  t.flush_stream();
  CHECK(t.size() == 6);
  CHECK(watched == 6);
  REQUIRE(t.records().size() == 1);
  CHECK(t.records().front().seq == 3);
  CHECK(t.find(3) == &t.records().front());
  CHECK(t.find(2) == nullptr);
  CHECK_FALSE(t.complete());
  CHECK(t.meta_line().find("\"records\":6") != std::string::npos);
  const std::string lines = out.str();
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 6);
  const Trace copy = t;
  CHECK(copy.size() == 6);
  REQUIRE(copy.records().size() == 1);
  CHECK(copy.records().front().seq == 3);
  std::ostringstream whole;
  CHECK_THROWS_AS(t.write_jsonl(whole), std::logic_error);
  CHECK(Retention::only().keep(RecordKind::Mail).keep(RecordKind::Note, "fault").describe() == "mail, note fault");
  CHECK(Retention::everything().describe() == "everything");
}
