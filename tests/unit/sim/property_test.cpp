// The property test: seeded random worlds, built as scenario JSON and loaded through the real
// loader, each run twice under a small budget. In every world mail conservation holds and the
// same seed gives a byte-identical JSON Lines trace.
//
//   MAILSIM_PROPERTY_WORLDS=10000  worlds in all (default 2000), split over the 8 test cases
//   MAILSIM_PROPERTY_SEED=N        first seed (default 1)
//   MAILSIM_PROPERTY_DOWNS=1       servers and devices go down and up mid-transfer (default off,
//                                  see docs/guarantees.md)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "world_gen.hpp"

using namespace mailsim::sim;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

std::string trace_text(const RunResult& r) {
  std::ostringstream out;
  r.trace.write_jsonl(out);
  return out.str();
}

constexpr std::uint64_t kChunks = 8;

// Runs chunk `chunk` of the worlds; returns one line per failing seed.
std::vector<std::string> run_chunk(std::uint64_t chunk) {
  const std::uint64_t total = env_number("MAILSIM_PROPERTY_WORLDS", 2000);
  const std::uint64_t first = env_number("MAILSIM_PROPERTY_SEED", 1);
  mailsim::test::WorldGenOptions opts;
  opts.downs = env_number("MAILSIM_PROPERTY_DOWNS", 1) != 0;  // outages mid-transfer: on by default
  const std::uint64_t per = (total + kChunks - 1) / kChunks;
  std::vector<std::string> failures;
  for (std::uint64_t i = chunk * per; i < std::min(total, (chunk + 1) * per); ++i) {
    const std::uint64_t seed = first + i;
    const std::string text = mailsim::test::random_world(seed, opts).dump(1);
    if (text != mailsim::test::random_world(seed, opts).dump(1)) {
      failures.push_back(fmt::format("seed {}: the generator is not deterministic", seed));
      continue;
    }
    auto loaded = load_scenario_text(text, fmt::format("world-{}.json", seed));
    if (!loaded.scenario) {
      failures.push_back(fmt::format("seed {}: the loader refused the world: {}", seed,
                                     loaded.diagnostics.front().format()));
      continue;
    }
    const auto a = run_scenario(*loaded.scenario);
    if (a.budget_stop) failures.push_back(fmt::format("seed {}: {}", seed, a.budget_stop->message()));
    for (const auto& v : a.conservation.violations) failures.push_back(fmt::format("seed {}: {}", seed, v.what));
    auto again = load_scenario_text(text, fmt::format("world-{}.json", seed));
    const auto b = run_scenario(*again.scenario);
    if (trace_text(a) != trace_text(b)) failures.push_back(fmt::format("seed {}: two runs gave different traces", seed));
  }
  return failures;
}

void check_chunk(std::uint64_t chunk) {
  const auto failures = run_chunk(chunk);
  std::string all;
  for (std::size_t i = 0; i < failures.size() && i < 20; ++i) all += failures[i] + "\n";
  INFO(failures.size() << " failure(s):\n" << all);
  CHECK(failures.empty());
}

}  // namespace

// Chunks 2-8 carry [more-worlds]: the wasm build runs only the first (the same code and checks,
// 250 worlds; under node a chunk takes about four times as long as native), web/same_results.cmake.
TEST_CASE("random worlds conserve mail and are deterministic (1/8)") { check_chunk(0); }
TEST_CASE("random worlds conserve mail and are deterministic (2/8)", "[more-worlds]") { check_chunk(1); }
TEST_CASE("random worlds conserve mail and are deterministic (3/8)", "[more-worlds]") { check_chunk(2); }
TEST_CASE("random worlds conserve mail and are deterministic (4/8)", "[more-worlds]") { check_chunk(3); }
TEST_CASE("random worlds conserve mail and are deterministic (5/8)", "[more-worlds]") { check_chunk(4); }
TEST_CASE("random worlds conserve mail and are deterministic (6/8)", "[more-worlds]") { check_chunk(5); }
TEST_CASE("random worlds conserve mail and are deterministic (7/8)", "[more-worlds]") { check_chunk(6); }
TEST_CASE("random worlds conserve mail and are deterministic (8/8)", "[more-worlds]") { check_chunk(7); }

TEST_CASE("the world generator makes varied worlds that the loader accepts") {
  std::set<std::size_t> host_counts;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    mailsim::test::WorldGenOptions o;
    o.downs = true;
    const auto j = mailsim::test::random_world(seed, o);
    host_counts.insert(j["hosts"].size());
    auto l = load_scenario_text(j.dump(), "w.json");
    std::string why;
    for (const auto& d : l.diagnostics) why += d.format() + "\n";
    INFO(why);
    REQUIRE(l.scenario);
  }
  CHECK(host_counts.size() >= 4);
}
