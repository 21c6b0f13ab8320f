// JSON documents that remember where each value came from (file, line, column).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mailsim::sim {

struct SourceLocation {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

// A parsed document plus the location of every value, keyed by JSON pointer
// ("/hosts/3/ip"). For an object member the location is that of its key, which is what
// an editor should jump to; for an array element, the start of the element.
struct JsonSource {
  std::string file;
  nlohmann::json root;
  std::map<std::string, SourceLocation> locations;

  // The location of a pointer, or of its nearest ancestor that has one.
  SourceLocation locate(const std::string& pointer) const;
};

struct JsonSyntaxError {
  SourceLocation where;
  std::string message;
};

// Parses text; on a syntax error returns nullopt and fills `error`. Duplicate keys in an
// object are reported as errors too (JSON allows them, but in a scenario one is a mistake).
std::optional<JsonSource> parse_json_source(std::string_view text, std::string file, JsonSyntaxError& error);

// The JSON pointer escaping of one key ("a/b" -> "a~1b").
std::string pointer_escape(std::string_view key);

}  // namespace mailsim::sim
