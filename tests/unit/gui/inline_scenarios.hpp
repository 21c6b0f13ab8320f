// Test helper: small scenarios written inline for the GUI model's tests.
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.hpp"

namespace mailsim::gui::testing {

// Loads scenario JSON text; the test fails with the loader's messages if it is refused.
inline sim::Scenario load_text(const std::string& text) {
  auto r = sim::load_scenario_text(text, "inline.json");
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  return *r.scenario;
}

// One access network n1 with host a (left), one data centre n2 with host b (right).
inline sim::Scenario two_networks() {
  return load_text(R"({
    "mailsim": 1, "title": {"en": "t", "ja": "t"},
    "networks": [
      {"id": "n1", "kind": "access", "name": {"en": "Home", "ja": "家"}, "cidr": "192.0.2.0/24"},
      {"id": "n2", "kind": "datacenter", "name": {"en": "DC", "ja": "DC"}, "cidr": "198.51.100.0/24"}],
    "hosts": [
      {"id": "a", "kind": "pc", "name": {"en": "A", "ja": "A"}, "network": "n1", "ip": "192.0.2.10"},
      {"id": "b", "kind": "mail_server", "name": {"en": "B", "ja": "B"}, "network": "n2", "ip": "198.51.100.25"}],
    "timeline": []})");
}

}  // namespace mailsim::gui::testing
