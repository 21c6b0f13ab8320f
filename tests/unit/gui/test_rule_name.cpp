// A border rule's name on the map comes from what the rule does in the scenario (the OP25B kind),
// not from its id: a lesson copy whose OP25B rule has an unusual id is still named "OP25B".
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gui/model/layout.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/words/describe.hpp"

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
}  // namespace

TEST_CASE("border rule name: an OP25B rule with any id is named OP25B; another rule keeps its id") {
  auto doc = lesson_doc("mail/op25b-submission");
  // The lesson as written: the preset's own id.
  const auto as_written = load(doc);
  CHECK(gui::border_rule_name(as_written, "op25b", "en") == "OP25B (port 25 blocked)");
  CHECK(gui::border_rule_name(as_written, "op25b", "ja") == "OP25B（25番ポートの遮断）");

  // The same rule under an id that says nothing of OP25B (the expectation follows the id).
  doc["networks"][0]["policies"][0]["id"] = "isp-filter-7";
  doc["expectations"][0]["policy"] = "isp-filter-7";
  const auto renamed = load(doc);
  REQUIRE(renamed.networks[0].policies.size() == 1);
  CHECK(renamed.networks[0].policies[0].id == "isp-filter-7");
  CHECK(gui::is_op25b_rule(renamed.networks[0].policies[0]));
  CHECK(gui::border_rule_name(renamed, "isp-filter-7", "en") == "OP25B (port 25 blocked)");
  CHECK(gui::border_rule_name(renamed, "isp-filter-7", "ja", true) == "OP25B");

  // A rule whose id says "op25b" but which blocks the web is not named OP25B.
  doc["networks"][0]["policies"][0] = {{"id", "op25b-web"}, {"action", "drop"}, {"protocol", "tcp"}, {"dst_port", 80}};
  doc["expectations"].erase(0);
  const auto web = load(doc);
  CHECK_FALSE(gui::is_op25b_rule(web.networks[0].policies[0]));
  CHECK(gui::border_rule_name(web, "op25b-web", "en") == "op25b-web");
  // An id that is no rule of the world is shown as it is.
  CHECK(gui::border_rule_name(web, "nothing", "en") == "nothing");
}
