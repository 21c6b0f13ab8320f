// Helpers for loader tests: change one line of a valid scenario, expect exactly one error.
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.hpp"

namespace mailsim::test {

// `base` with its line number `line` (1-based) replaced by `text`.
inline std::string replace_line(const std::string& base, int line, const std::string& text) {
  std::string out;
  int n = 1;
  std::size_t start = 0;
  while (start < base.size()) {
    std::size_t end = base.find('\n', start);
    if (end == std::string::npos) end = base.size();
    out += (n == line ? text : base.substr(start, end - start)) + "\n";
    start = end + 1;
    ++n;
  }
  return out;
}

// Loads `text` as lesson.json; it must be refused with exactly one diagnostic, returned formatted.
inline std::string one_error(const std::string& text) {
  const auto r = sim::load_scenario_text(text, "lesson.json");
  CHECK_FALSE(r.scenario);
  REQUIRE_FALSE(r.diagnostics.empty());
  std::string all;
  for (const auto& d : r.diagnostics) all += d.format() + "\n";
  CAPTURE(all);
  CHECK(r.diagnostics.size() == 1);
  return r.diagnostics.front().format();
}

}  // namespace mailsim::test
