// Validation of a JSON scenario with errors that name file:line:col, the JSON path and a hint.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/address.hpp"
#include "sim/core/event_core.hpp"
#include "sim/scenario/json_source.hpp"

namespace mailsim::sim {

struct Diagnostic {
  std::string file;
  SourceLocation where;
  std::string pointer;  // JSON pointer of the offending value ("" = the whole document)
  std::string message;
  // "file:line:col: /pointer: message"
  std::string format() const;
};

// Parses a duration such as "250ms", "2s", "1.5s", "5m", "1h", "2d" or "100us". Zero ("0s") is a
// duration; a value that is not zero but shorter than a microsecond (the step of virtual time,
// e.g. "0.2us") is refused rather than silently becoming zero.
std::optional<Time> parse_duration(std::string_view text, std::string* why = nullptr);
// Formats a virtual time for people: "0.000s", "1.250s", "2m 03.500s", "1h 02m 03s".
std::string format_time(Time t);

// "Did you mean" hints are looked for only for words up to this long (a typo of a host id or
// a key), and only among this many candidates; anything longer or larger gets no hint.
inline constexpr std::size_t kMaxHintWordLength = 64;
inline constexpr std::size_t kMaxHintCandidates = 10'000;
// At most this many problems are kept (and printed) per file; the rest are counted and
// summed up in a last line "... and N more problems".
inline constexpr std::size_t kMaxDiagnostics = 50;
// Values quoted in messages are cut to this many bytes; a whole message to kMaxMessageBytes.
inline constexpr std::size_t kMaxQuotedBytes = 60;
inline constexpr std::size_t kMaxMessageBytes = 400;

// The closest candidate within a small edit distance, for "did you mean" hints. Costs at most
// kMaxHintCandidates x kMaxHintWordLength x (a small band): candidates much longer or shorter
// than `word` are skipped without computing anything.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// `"text"` for a message, cut to kMaxQuotedBytes.
std::string in_quotes(std::string_view text);

// Reads values out of a JsonSource, collecting every problem instead of stopping at the
// first. Each getter returns nullopt (and records an error) when the value is missing
// (if required) or of the wrong type or out of range.
class Checker {
 public:
  explicit Checker(const JsonSource& src) : src_(src) {}

  void error(const std::string& pointer, const std::string& message);
  bool ok() const { return problems_ == 0; }
  // Every problem found so far, including those beyond kMaxDiagnostics that were not kept.
  std::size_t problems() const { return problems_; }
  // True once kMaxDiagnostics problems are kept: a caller may skip costly hints from here on.
  bool full() const { return problems_ >= kMaxDiagnostics; }
  // The problems kept, plus a last "... and N more problems" when some were not kept.
  std::vector<Diagnostic> diagnostics() const;

  // True when `value` is an object; otherwise records "expected an object".
  bool expect_object(const nlohmann::json& value, const std::string& pointer, std::string_view what = "an object");
  bool expect_array(const nlohmann::json& value, const std::string& pointer, std::string_view what = "an array");
  // Records an error for each key not in `allowed`, with a "did you mean" when close.
  void allowed_keys(const nlohmann::json& object, const std::string& pointer, std::initializer_list<std::string_view> allowed);
  void allowed_keys(const nlohmann::json& object, const std::string& pointer, const std::vector<std::string>& allowed);

  std::optional<std::string> string(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  std::optional<std::int64_t> integer(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required,
                                      std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  std::optional<Time> duration(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  // A duration that must be longer than zero (a timeout, a retry interval, a time window): "0s"
  // is refused as "WHAT must be longer than zero, not \"0s\"". `what` names it for people.
  std::optional<Time> positive_duration(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                        bool required, std::string_view what);
  // The same for an array element (`value` at `ptr`).
  std::optional<Time> positive_duration(const nlohmann::json& value, const std::string& ptr, std::string_view what);
  std::optional<Ipv4> ipv4(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  std::optional<Cidr> cidr(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  // An identifier: letters, digits, '-', '_' and '.', starting with a letter or digit.
  std::optional<std::string> identifier(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required);
  // One of a fixed set of words.
  std::optional<std::string> choice(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required,
                                    const std::vector<std::string>& choices, std::string_view what);
  // Either "text" or {"en": "...", "ja": "..."}; returns {en, ja} (ja may be empty).
  std::optional<std::pair<std::string, std::string>> localized(const nlohmann::json& obj, const std::string& ptr,
                                                               const char* key, bool required);

  static std::string child(const std::string& ptr, std::string_view key) { return ptr + "/" + pointer_escape(key); }
  static std::string child(const std::string& ptr, std::size_t index) { return ptr + "/" + std::to_string(index); }

 private:
  const nlohmann::json* member(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required,
                               std::string_view what);
  static std::string describe(const nlohmann::json& v);

  const JsonSource& src_;
  std::vector<Diagnostic> diagnostics_;
  std::size_t problems_ = 0;
};

}  // namespace mailsim::sim
