// A border rule is named from what it does in the scenario (the OP25B kind), not from its id, and
// by one function (sim::rule_name) wherever it is shown: the CLI's text report (en, ja), the
// words of a record (the app's event table and narration), the map's router and block pills.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/words/describe.hpp"
#include "sim/words/rule_names.hpp"
#ifdef MAILSIM_TEST_CLI_REPORT
#include "cli/report.hpp"
#endif

using namespace mailsim;

namespace {
nlohmann::json lesson_doc(const std::string& name) {
  std::ifstream in((std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios" / (name + ".json")).string());
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}
sim::Scenario load(const nlohmann::json& doc) {
  auto loaded = sim::load_scenario_text(doc.dump(), "lesson-copy.json");
  for (const auto& d : loaded.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(loaded.scenario);
  return std::move(*loaded.scenario);
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("rule name: an OP25B rule with any id is named OP25B; another rule keeps its id") {
  auto doc = lesson_doc("mail/op25b-submission");
  // The lesson as written: the preset's own id.
  const auto as_written = load(doc);
  CHECK(sim::rule_name(&as_written, "op25b", "en") == "OP25B (port 25 blocked)");
  CHECK(sim::rule_name(&as_written, "op25b", "ja") == "OP25B（25番ポートの遮断）");

  // The same rule under an id that says nothing of OP25B (the expectation follows the id).
  doc["networks"][0]["policies"][0]["id"] = "isp-filter-7";
  doc["expectations"][0]["policy"] = "isp-filter-7";
  const auto renamed = load(doc);
  REQUIRE(renamed.networks[0].policies.size() == 1);
  CHECK(renamed.networks[0].policies[0].id == "isp-filter-7");
  CHECK(sim::is_op25b_rule(renamed.networks[0].policies[0]));
  CHECK(sim::rule_name(&renamed, "isp-filter-7", "en") == "OP25B (port 25 blocked)");
  CHECK(sim::rule_name(&renamed, "isp-filter-7", "ja", true) == "OP25B");

  // A rule whose id says "op25b" but which blocks the web is not named OP25B, nor one that lets
  // port 25 through, nor an ingress rule.
  doc["networks"][0]["policies"][0] = {{"id", "op25b-web"}, {"action", "drop"}, {"protocol", "tcp"}, {"dst_port", 80}};
  doc["expectations"].erase(0);
  const auto web = load(doc);
  CHECK_FALSE(sim::is_op25b_rule(web.networks[0].policies[0]));
  CHECK(sim::rule_name(&web, "op25b-web", "en") == "op25b-web");
  CHECK(sim::rule_name(&web, "op25b-web", "ja", true) == "op25b-web");
  sim::PolicyRule allow = renamed.networks[0].policies[0];
  allow.action = sim::PolicyRule::Action::Allow;
  CHECK(sim::rule_name(allow, "en") == allow.id);
  sim::PolicyRule ingress = renamed.networks[0].policies[0];
  ingress.direction = sim::PolicyRule::Direction::Ingress;
  CHECK(sim::rule_name(ingress, "en") == ingress.id);
  // An id that is no rule of the world (or no world at all) is shown as it is.
  CHECK(sim::rule_name(&web, "nothing", "en") == "nothing");
  CHECK(sim::rule_name(nullptr, "op25b", "en") == "op25b");
}

TEST_CASE("rule name: a renamed OP25B rule is OP25B in the record's words, the report and the map; a custom rule keeps its id") {
  auto doc = lesson_doc("mail/op25b-submission");
  doc["networks"][0]["policies"][0]["id"] = "isp-filter-7";
  doc["expectations"][0]["policy"] = "isp-filter-7";
  const auto renamed = load(doc);
  const auto run = sim::run_scenario(renamed);
  const sim::Record* drop = nullptr;
  for (const auto& r : run.trace.records())
    if (r.kind == sim::RecordKind::Policy && (r.event == "drop" || r.event == "reject")) drop = &r;
  REQUIRE(drop != nullptr);
  // The words of the record: what the event table, the narration strip and the report show.
  const std::string en = sim::describe_record(*drop, "en", &renamed);
  const std::string ja = sim::describe_record(*drop, "ja", &renamed);
  INFO(en << "\n" << ja);
  CHECK(has(en, "rule OP25B of "));
  CHECK(has(ja, "のルール OP25B が"));
  CHECK_FALSE(has(en + ja, "isp-filter-7"));
  // The map's pills ask the same function with the rule's id from the trace.
  CHECK(sim::rule_name(&renamed, "isp-filter-7", "ja", true) == "OP25B");

#ifdef MAILSIM_TEST_CLI_REPORT
  for (const char* lang : {"en", "ja"}) {
    std::ostringstream out;
    cli::ReportOptions o;
    o.verbose = true;  // every record ("What happened"), the policy's among them
    o.lang = lang;
    cli::print_text_report(out, renamed, run, o);
    INFO(out.str());
    CHECK(has(out.str(), std::string(lang) == "ja" ? "のルール OP25B が" : "rule OP25B of "));
    CHECK_FALSE(has(out.str(), std::string(lang) == "ja" ? "のルール isp-filter-7" : "rule isp-filter-7"));
  }
#endif

  // A custom rule (it blocks the submission port, so it is no OP25B) keeps its id everywhere.
  doc = lesson_doc("mail/op25b-submission");
  doc["networks"][0]["policies"][0] = {{"id", "no-587"}, {"action", "drop"}, {"protocol", "tcp"}, {"dst_port", 587}};
  doc["expectations"] = nlohmann::json::array();
  const auto custom = load(doc);
  const auto run2 = sim::run_scenario(custom);
  const sim::Record* drop2 = nullptr;
  for (const auto& r : run2.trace.records())
    if (r.kind == sim::RecordKind::Policy && (r.event == "drop" || r.event == "reject")) drop2 = &r;
  REQUIRE(drop2 != nullptr);
  CHECK(has(sim::describe_record(*drop2, "en", &custom), "rule no-587 of "));
  CHECK(has(sim::describe_record(*drop2, "ja", &custom), "のルール no-587 が"));
  CHECK(sim::rule_name(&custom, "no-587", "en") == "no-587");
}
