// Loading a scenario of the source tree in simulator tests (fails the test with the loader's
// diagnostics when it does not load).
#pragma once
#include <string>

#include <catch2/catch.hpp>

#include "sim/scenario.hpp"

namespace mailsim::test {

inline const std::string kSourceDir = MAILSIM_SOURCE_DIR;

// `path` is relative to the source tree ("scenarios/mail/whole-journey.json") or absolute.
inline sim::Scenario load_lesson(const std::string& path) {
  const std::string full = !path.empty() && path.front() == '/' ? path : kSourceDir + "/" + path;
  auto r = sim::load_scenario_file(full);
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  return *r.scenario;
}

}  // namespace mailsim::test
