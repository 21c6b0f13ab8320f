// Test helper: the keys of a string table, checking on the way that no value is empty.
#pragma once
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "gui/model/strings.hpp"

namespace mailsim::gui::testing {

inline std::set<std::string> non_empty_keys(const StringTable& table) {
  std::set<std::string> keys;
  for (const auto& [k, v] : table.entries()) {
    INFO(k);
    CHECK_FALSE(v.empty());
    keys.insert(k);
  }
  return keys;
}

}  // namespace mailsim::gui::testing
