// The analogy never contradicts the story: every step of every lesson lights the station of its
// own analogy key, and situations are decided by who acts and what happened.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "gui/model/situation.hpp"
#include "gui/model/steps.hpp"
#include "gui/model/story.hpp"
#include "gui/model/strings.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = MAILSIM_SOURCE_DIR;

gui::StringTable asset(const std::string& name) {
  gui::StringTable t;
  std::string error;
  REQUIRE(t.load_file(kSource / "assets" / "analogy" / name, error));
  return t;
}

std::vector<fs::path> lesson_files() {
  std::vector<fs::path> out;
  for (const auto& group : fs::directory_iterator(kSource / "scenarios")) {
    if (!group.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(group.path()))
      if (f.path().extension() == ".json") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A lesson run and what the analogy panel reads, with the situation at each reached step.
struct Played {
  sim::Scenario scenario;
  sim::RunResult run;
  std::unique_ptr<gui::TraceModel> model;
  gui::StoryIndex story;
  std::vector<std::string> at_step;  // "" for a step never reached
};

Played play(const fs::path& file) {
  auto loaded = sim::load_scenario_file(file.string());
  REQUIRE(loaded.scenario);
  Played p;
  p.scenario = std::move(*loaded.scenario);
  p.run = sim::run_scenario(p.scenario);
  p.model = std::make_unique<gui::TraceModel>(p.scenario, p.run.trace);
  p.story = gui::StoryIndex(*p.model, &p.scenario);
  const gui::StepTimeline steps(p.run.narration, *p.model);
  for (std::size_t s = 0; s < p.scenario.narration.size(); ++s) {
    const auto at = steps.playback_of_step(s);
    if (!at) {
      p.at_step.emplace_back();
      continue;
    }
    p.at_step.push_back(gui::situation_at(*p.model, p.story, steps, p.scenario.narration, p.run.narration, *at,
                                          p.model->record_at_playback(*at)));
  }
  return p;
}

}  // namespace

TEST_CASE("situation: every step of every lesson lights the station of its analogy key", "[gui][analogy]") {
  const auto stations = asset("stations.json");
  const auto en = asset("en.json");
  const auto ja = asset("ja.json");
  std::size_t checked = 0;
  for (const auto& file : lesson_files()) {
    const auto p = play(file);
    for (std::size_t s = 0; s < p.scenario.narration.size(); ++s) {
      const auto& step = p.scenario.narration[s];
      if (step.analogy.empty() || p.at_step[s].empty()) continue;
      INFO(file.filename().string() << " step " << s + 1 << ": written " << step.analogy << ", shown " << p.at_step[s]);
      CHECK(stations.get(p.at_step[s]) == stations.get(step.analogy));
      // The situation shown has its words in both languages.
      CHECK(en.has(p.at_step[s] + ".title"));
      CHECK(ja.has(p.at_step[s] + ".text"));
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("situation: decided by who acts and what happened", "[gui][analogy]") {
  SECTION("a bounce in the sender's own box is return to sender, not delivery") {
    const auto p = play(kSource / "scenarios/mail/user-unknown.json");
    CHECK(p.at_step[6] == "mail.returned");
    CHECK(p.at_step[4] == "smtp.user_unknown");
  }
  SECTION("a letter stopped by OP25B never left home; the gate is lit while it is stopped") {
    const auto p = play(kSource / "scenarios/mail/op25b-submission.json");
    CHECK(p.at_step[1] == "policy.op25b");
    CHECK(p.at_step[3] == "tcp.timeout_blocked");
  }
  SECTION("a server that is switched off is a closed post office, not a blocked gate") {
    const auto p = play(kSource / "scenarios/mail/backup-mx.json");
    CHECK(p.at_step[2] == "tcp.server_down");
    CHECK(p.story.power().down("mx-hogehoge", p.model->index_of_seq(p.run.narration[2].seq)));
    // Back up at the sixth step, and delivered at the last.
    CHECK_FALSE(p.story.power().down("mx-hogehoge", p.model->index_of_seq(p.run.narration[7].seq)));
  }
  SECTION("writing a letter is the post box; reaching their MX is their post office") {
    const auto p = play(kSource / "scenarios/mail/whole-journey.json");
    CHECK(p.at_step[0] == "mail.compose");
    CHECK(p.at_step[5] == "smtp.incoming");
  }
}

TEST_CASE("situation: hosts switched off over time", "[gui][analogy]") {
  sim::Scenario s;
  sim::HostSpec h;
  h.info.id = "off";
  h.down = true;
  s.hosts.push_back(h);
  sim::RecordStore recs(3);
  recs[1].kind = sim::RecordKind::Action;
  recs[1].event = "host_up";
  recs[1].host = "off";
  recs[2].kind = sim::RecordKind::Action;
  recs[2].event = "host_down";
  recs[2].host = "b";
  const gui::HostPower power(s, recs);
  CHECK(power.down("off", std::nullopt));
  CHECK(power.down("off", 0));
  CHECK_FALSE(power.down("off", 1));
  CHECK_FALSE(power.down("b", 1));
  CHECK(power.down("b", 2));
  CHECK(power.down_hosts(2) == std::vector<std::string>{"b"});
  CHECK_FALSE(power.down("nobody", 2));
}
