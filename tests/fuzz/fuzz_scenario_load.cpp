// Fuzz target: scenario bytes through the loader, the same path as `mailsim check`.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/scenario/scenario.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto loaded = mailsim::sim::load_scenario_text(text, "fuzz.json");
  // Either a whole world and no diagnostic, or no world and at least one diagnostic.
  check(loaded.scenario.has_value() == loaded.diagnostics.empty());
  for (const auto& d : loaded.diagnostics) {
    const std::string line = d.format();  // what `check` prints
    check(!d.message.empty() && !line.empty());
  }
  return 0;
}
