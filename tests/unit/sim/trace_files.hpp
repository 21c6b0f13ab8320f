// Helpers for trace file tests: a trace as its JSON Lines text, as nlohmann would print it, and
// record lines read back into a trace that must write the same bytes.
#pragma once
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "sim/core/trace.hpp"

namespace mailsim::test {

// The whole file, as Trace::write_jsonl writes it.
inline std::string jsonl(const sim::Trace& t) {
  std::ostringstream out;
  t.write_jsonl(out);
  return out.str();
}

// What the JSON Lines writer printed before it streamed: nlohmann's dump of to_json.
inline std::string dumped(const sim::Trace& t) {
  nlohmann::json head = t.meta;
  head["kind"] = "meta";
  head["schema"] = sim::kTraceSchemaVersion;
  head["records"] = t.records().size();
  constexpr auto replace = nlohmann::json::error_handler_t::replace;
  std::string text = head.dump(-1, ' ', false, replace) + "\n";
  for (const auto& r : t.records()) text += to_json(r).dump(-1, ' ', false, replace) + "\n";
  return text;
}

// A file of these record lines read back: it writes the same bytes (streamed and through
// to_json, and each record's to_json is its line), and so does a copy that outlives the trace it
// was copied from (the copy owns its typed parts). Returns that copy.
inline sim::Trace read_back(const std::vector<std::string>& lines) {
  std::string file =
      nlohmann::json{{"kind", "meta"}, {"schema", sim::kTraceSchemaVersion}, {"records", lines.size()}}.dump() + "\n";
  for (const auto& l : lines) file += l;
  std::istringstream in(file);
  sim::Trace t;
  std::string error;
  REQUIRE(sim::Trace::read_jsonl(in, t, error));
  CHECK(jsonl(t) == file);
  CHECK(dumped(t) == file);
  sim::Trace copy(t);
  t = sim::Trace();
  CHECK(jsonl(copy) == file);
  std::size_t i = 0;
  for (const auto& r : copy.records())
    CHECK(to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n" == lines[i++]);
  return copy;
}

}  // namespace mailsim::test
