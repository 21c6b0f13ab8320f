// JSON documents that remember where each value came from (file, line, column).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mailsim::sim {

// Arrays and objects may nest this deep, no deeper (a scenario needs about 6 levels). Checked
// while parsing, so a hostile file of 100,000 '[' stops at the 129th.
inline constexpr std::size_t kMaxJsonDepth = 128;
// The largest scenario file read; the reader stops at this many bytes (plus one).
inline constexpr std::size_t kMaxScenarioBytes = 16 * 1024 * 1024;

struct SourceLocation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

// A parsed document plus the location of every value. For an object member the location is
// that of its key, which is what an editor should jump to; for an array element, the start of
// the element. Locations are kept per value (no pointer string per value), so memory is linear
// in the size of the file whatever its shape.
struct JsonSource {
  std::string file;
  nlohmann::json root;

  // The location of a JSON pointer ("/hosts/3/ip"), or of its nearest ancestor that exists.
  // Costs the length of the pointer plus the sizes of the containers on its path.
  SourceLocation locate(std::string_view pointer) const;

  // Filled by the parser. Values are numbered in document order (0 = the root); the children of
  // container `id` are child_ids[child_begin[id] ...], array elements in order and object
  // members in the order the object iterates its keys (sorted), so a key's index in the object
  // is its index there.
  std::vector<SourceLocation> at;
  std::vector<std::uint32_t> child_begin;
  std::vector<std::uint32_t> child_ids;
};

struct JsonSyntaxError {
  SourceLocation where;
  std::string message;
};

// Parses text; on a syntax error returns nullopt and fills `error`. Duplicate keys in an
// object are reported as errors too (JSON allows them, but in a scenario one is a mistake),
// and so is nesting deeper than kMaxJsonDepth.
std::optional<JsonSource> parse_json_source(std::string_view text, std::string file, JsonSyntaxError& error);

// The JSON pointer escaping of one key ("a/b" -> "a~1b").
std::string pointer_escape(std::string_view key);

// `text` for a message: at most `max` bytes (cut at a UTF-8 character boundary, with "..." and
// the full length), control characters shown as '?'. A 10 MB key is never printed whole.
std::string cut_text(std::string_view text, std::size_t max = 60);

}  // namespace mailsim::sim
