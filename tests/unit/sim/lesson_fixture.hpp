// Loading a scenario of the source tree in simulator tests (fails the test with the loader's
// diagnostics when it does not load).
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::test {

inline const std::string kSourceDir = MAILSIM_SOURCE_DIR;

// `path` is relative to the source tree ("scenarios/mail/whole-journey.json") or absolute.
inline sim::Scenario load_lesson(const std::string& path) {
  const std::string full = !path.empty() && path.front() == '/' ? path : kSourceDir + "/" + path;
  auto r = sim::load_scenario_file(full);
  std::string why;  // (an INFO inside a loop would be gone before the REQUIRE)
  for (const auto& d : r.diagnostics) why += d.format() + "\n";
  INFO(why);
  REQUIRE(r.scenario);
  return *r.scenario;
}

// A mail lesson's JSON ("cross-domain" -> scenarios/mail/cross-domain.json), to change before loading.
inline nlohmann::json mail_lesson_json(const std::string& name) {
  std::ifstream in(kSourceDir + "/scenarios/mail/" + name + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// A mail lesson's world and timeline only (no narration, no questions, no expectations), to
// change before running (a question asked before a story step needs the story).
inline nlohmann::json bare_mail_lesson_json(const std::string& name) {
  auto j = mail_lesson_json(name);
  j.erase("narration");
  j.erase("questions");
  j.erase("expectations");
  return j;
}

// The "mail_server" object of host `id` in a scenario's JSON.
inline nlohmann::json& mail_server_json(nlohmann::json& j, const std::string& id) {
  for (auto& h : j["hosts"])
    if (h["id"] == id) return h["mail_server"];
  FAIL("no host " << id);
  throw;
}

// Loads a scenario given as JSON (`file` names it in diagnostics).
inline sim::Scenario load_json(const nlohmann::json& j, const std::string& file) {
  auto loaded = sim::load_scenario_text(j.dump(), file);
  std::string why;  // (an INFO inside a loop would be gone before the REQUIRE)
  for (const auto& d : loaded.diagnostics) why += d.format() + "\n";
  INFO(why);
  REQUIRE(loaded.scenario);
  return *loaded.scenario;
}

// Runs a scenario given as JSON; every message must be accounted for at the end.
inline sim::RunResult run_checked(const nlohmann::json& j, const std::string& file, const sim::RunOptions& options = {}) {
  auto r = sim::run_scenario(load_json(j, file), options);
  INFO(r.conservation.summary());
  CHECK(r.conservation.holds());
  return r;
}

// The records of one kind and event, in trace order.
inline std::vector<const sim::Record*> records_of(const sim::Trace& t, sim::RecordKind kind, const std::string& event) {
  std::vector<const sim::Record*> out;
  for (const auto& r : t.records())
    if (r.kind == kind && r.event == event) out.push_back(&r);
  return out;
}

}  // namespace mailsim::test
