// Scenario validation helpers: typed getters, unknown keys, durations, did-you-mean.
#include "sim/scenario/checker.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace mailsim::sim {

std::string Diagnostic::format() const {
  std::string out = where.line > 0 ? fmt::format("{}:{}:{}: ", file, where.line, where.column) : file + ": ";
  if (!pointer.empty()) out += pointer + ": ";
  return out + message;
}

std::optional<Time> parse_duration(std::string_view text, std::string* why) {
  auto fail = [&](std::string m) -> std::optional<Time> {
    if (why) *why = std::move(m);
    return std::nullopt;
  };
  if (text.empty()) return fail("empty duration");
  if (text.front() == '-') return fail("a duration cannot be negative");
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  const std::string number(text.substr(0, i));
  const std::string_view unit = text.substr(i);
  if (number.empty() || std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' ||
      number.back() == '.')
    return fail("expected a number followed by a unit, like \"250ms\" or \"2s\"");
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) return fail("bad number in duration");
  double scale = 0;
  if (unit == "us") scale = 1;
  else if (unit == "ms") scale = 1e3;
  else if (unit == "s") scale = 1e6;
  else if (unit == "m" || unit == "min") scale = 60e6;
  else if (unit == "h") scale = 3600e6;
  else if (unit == "d") scale = 86400e6;
  else return fail(unit.empty() ? "missing unit: write e.g. \"" + number + "s\" or \"" + number + "ms\""
                                : "unknown unit \"" + std::string(unit) + "\" (use us, ms, s, m, h or d)");
  const double us = value * scale;
  if (us > 365.0 * 86400e6) return fail("duration longer than a year");
  const auto t = static_cast<Time>(std::llround(us));
  if (t == 0 && value != 0) return fail("shorter than 1us, the smallest step of virtual time");
  return t;
}

std::string format_time(Time t) {
  const bool neg = t < 0;
  if (neg) t = -t;
  const Time h = t / kHour;
  const Time m = (t % kHour) / kMinute;
  const Time s = (t % kMinute) / kSecond;
  const Time ms = (t % kSecond) / kMilli;
  std::string out;
  if (h > 0) out = fmt::format("{}h {:02}m {:02}.{:03}s", h, m, s, ms);
  else if (m > 0) out = fmt::format("{}m {:02}.{:03}s", m, s, ms);
  else out = fmt::format("{}.{:03}s", s, ms);
  return neg ? "-" + out : out;
}

namespace {
// Levenshtein distance (case-insensitive) if it is at most `limit`, else limit + 1; computes
// only the band of width 2 * limit + 1 around the diagonal.
std::size_t bounded_edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t over = limit + 1;
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return over;
  std::vector<std::size_t> prev(b.size() + 1, over), cur(b.size() + 1, over);
  for (std::size_t j = 0; j <= std::min(b.size(), limit); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    const std::size_t lo = i > limit ? i - limit : 1;
    const std::size_t hi = std::min(b.size(), i + limit);
    std::fill(cur.begin(), cur.end(), over);
    if (i <= limit) cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = lo; j <= hi; ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      const std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      cur[j] = std::min(v, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return over;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], over);
}
}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > kMaxHintWordLength) return std::nullopt;
  std::optional<std::string> best;
  std::size_t best_d = 0;
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::size_t n = std::min(candidates.size(), kMaxHintCandidates);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = candidates[i];
    if (c.size() > kMaxHintWordLength) continue;
    const std::size_t d = bounded_edit_distance(word, c, best ? std::min(limit, best_d) : limit);
    if (d <= limit && (!best || d < best_d)) {
      best = c;
      best_d = d;
      if (d == 0) break;
    }
  }
  return best;
}

std::string in_quotes(std::string_view text) { return "\"" + cut_text(text, kMaxQuotedBytes) + "\""; }

void Checker::error(const std::string& pointer, const std::string& message) {
  ++problems_;
  if (diagnostics_.size() >= kMaxDiagnostics) return;
  // The location needs the whole pointer; the printed one has each long key cut.
  const SourceLocation where = src_.locate(pointer);
  std::string shown;
  for (std::size_t pos = 0; pos < pointer.size();) {
    const std::size_t next = std::min(pointer.find('/', pos + 1), pointer.size());
    shown += "/" + cut_text(std::string_view(pointer).substr(pos + 1, next - pos - 1), kMaxQuotedBytes);
    pos = next;
  }
  std::string text = message;
  if (text.size() > kMaxMessageBytes) {
    // Keep the start and the end (where the hint is); cut the middle at character boundaries.
    std::size_t head = kMaxMessageBytes * 2 / 3, tail = text.size() - kMaxMessageBytes / 3;
    while (head > 0 && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80) --head;
    while (tail < text.size() && (static_cast<unsigned char>(text[tail]) & 0xC0) == 0x80) ++tail;
    text = text.substr(0, head) + " ... " + text.substr(tail);
  }
  diagnostics_.push_back(Diagnostic{src_.file, where, shown, text});
}

std::vector<Diagnostic> Checker::diagnostics() const {
  std::vector<Diagnostic> out = diagnostics_;
  if (problems_ > diagnostics_.size())
    out.push_back(Diagnostic{src_.file, {0, 0}, "",
                             fmt::format("... and {} more problems (only the first {} are shown)",
                                         problems_ - diagnostics_.size(), kMaxDiagnostics)});
  return out;
}

std::string Checker::describe(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string: return "the string " + in_quotes(v.get_ref<const std::string&>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "the number " + cut_text(v.dump());
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    default: return "a value of another type";
  }
}

bool Checker::expect_object(const nlohmann::json& value, const std::string& pointer, std::string_view what) {
  if (value.is_object()) return true;
  error(pointer, fmt::format("expected {}, got {}", what, describe(value)));
  return false;
}

bool Checker::expect_array(const nlohmann::json& value, const std::string& pointer, std::string_view what) {
  if (value.is_array()) return true;
  error(pointer, fmt::format("expected {}, got {}", what, describe(value)));
  return false;
}

void Checker::allowed_keys(const nlohmann::json& object, const std::string& pointer,
                           std::initializer_list<std::string_view> allowed) {
  std::vector<std::string> v;
  for (auto a : allowed) v.emplace_back(a);
  allowed_keys(object, pointer, v);
}

void Checker::allowed_keys(const nlohmann::json& object, const std::string& pointer,
                           const std::vector<std::string>& allowed) {
  if (!object.is_object()) return;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    std::string msg = "unknown key " + in_quotes(it.key());
    if (auto near = closest_match(it.key(), allowed)) msg += " (did you mean \"" + *near + "\"?)";
    else {
      msg += " (allowed here: ";
      for (std::size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + allowed[i];
      msg += ")";
    }
    error(child(pointer, it.key()), msg);
  }
}

const nlohmann::json* Checker::member(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                      bool required, std::string_view what) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) error(ptr, fmt::format("missing \"{}\" ({})", key, what));
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> Checker::string(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                           bool required) {
  const auto* v = member(obj, ptr, key, required, "a string");
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(child(ptr, key), "expected a string, got " + describe(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> Checker::integer(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                             bool required, std::int64_t min, std::int64_t max) {
  const auto* v = member(obj, ptr, key, required, "a whole number");
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    error(child(ptr, key), "expected a whole number, got " + describe(*v));
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    error(child(ptr, key), fmt::format("{} is out of range ({} to {})", v->dump(), min, max));
    return std::nullopt;
  }
  const auto n = v->get<std::int64_t>();
  if (n < min || n > max) {
    error(child(ptr, key), fmt::format("{} is out of range ({} to {})", n, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> Checker::boolean(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                     bool required) {
  const auto* v = member(obj, ptr, key, required, "true or false");
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    error(child(ptr, key), "expected true or false, got " + describe(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<Time> Checker::duration(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                      bool required) {
  const auto* v = member(obj, ptr, key, required, "a duration such as \"2s\"");
  if (!v) return std::nullopt;
  if (v->is_number()) {
    error(child(ptr, key), fmt::format("a duration needs a unit: write \"{}ms\" or \"{}s\", not a bare number",
                                       v->dump(), v->dump()));
    return std::nullopt;
  }
  if (!v->is_string()) {
    error(child(ptr, key), "expected a duration such as \"2s\", got " + describe(*v));
    return std::nullopt;
  }
  std::string why;
  auto d = parse_duration(v->get<std::string>(), &why);
  if (!d) error(child(ptr, key), "bad duration " + in_quotes(v->get<std::string>()) + ": " + why);
  return d;
}

std::optional<Time> Checker::positive_duration(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                               bool required, std::string_view what) {
  auto d = duration(obj, ptr, key, required);
  if (d && *d <= 0) {
    error(child(ptr, key), fmt::format("{} must be longer than zero, not \"{}\"", what, obj.at(key).get<std::string>()));
    return std::nullopt;
  }
  return d;
}

std::optional<Time> Checker::positive_duration(const nlohmann::json& value, const std::string& ptr,
                                               std::string_view what) {
  if (!value.is_string()) {
    error(ptr, value.is_number() ? fmt::format("a duration needs a unit: write \"{}ms\" or \"{}s\", not a bare number",
                                               value.dump(), value.dump())
                                 : "expected a duration such as \"5m\", got " + describe(value));
    return std::nullopt;
  }
  std::string why;
  auto d = parse_duration(value.get<std::string>(), &why);
  if (!d) {
    error(ptr, "bad duration " + in_quotes(value.get<std::string>()) + ": " + why);
    return std::nullopt;
  }
  if (*d <= 0) {
    error(ptr, fmt::format("{} must be longer than zero, not \"{}\"", what, value.get<std::string>()));
    return std::nullopt;
  }
  return d;
}

std::optional<Ipv4> Checker::ipv4(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required) {
  auto s = string(obj, ptr, key, required);
  if (!s) return std::nullopt;
  auto ip = Ipv4::parse(*s);
  if (!ip) error(child(ptr, key), "bad IPv4 address " + in_quotes(*s) + " (expected four numbers 0-255, like 192.0.2.10)");
  return ip;
}

std::optional<Cidr> Checker::cidr(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required) {
  auto s = string(obj, ptr, key, required);
  if (!s) return std::nullopt;
  std::string why;
  auto c = Cidr::parse(*s, &why);
  if (!c) error(child(ptr, key), "bad address range " + in_quotes(*s) + ": " + why);
  return c;
}

std::optional<std::string> Checker::identifier(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                               bool required) {
  auto s = string(obj, ptr, key, required);
  if (!s) return std::nullopt;
  bool good = !s->empty() && s->size() <= 64 && std::isalnum(static_cast<unsigned char>((*s)[0]));
  for (char c : *s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') good = false;
  if (!good) {
    error(child(ptr, key), "bad identifier " + in_quotes(*s) +
                               " (use letters, digits, '-', '_' or '.', starting with a letter or digit)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Checker::choice(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                           bool required, const std::vector<std::string>& choices,
                                           std::string_view what) {
  auto s = string(obj, ptr, key, required);
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string msg = fmt::format("unknown {} {}", what, in_quotes(*s));
  if (auto near = closest_match(*s, choices)) {
    msg += " (did you mean \"" + *near + "\"?)";
  } else {
    msg += " (expected one of: ";
    for (std::size_t i = 0; i < choices.size(); ++i) msg += (i ? ", " : "") + choices[i];
    msg += ")";
  }
  error(child(ptr, key), msg);
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> Checker::localized(const nlohmann::json& obj,
                                                                      const std::string& ptr, const char* key,
                                                                      bool required) {
  const auto* v = member(obj, ptr, key, required, "text, or {\"en\": ..., \"ja\": ...}");
  if (!v) return std::nullopt;
  if (v->is_string()) return std::make_pair(v->get<std::string>(), std::string());
  const std::string p = child(ptr, key);
  if (!v->is_object()) {
    error(p, "expected text or {\"en\": ..., \"ja\": ...}, got " + describe(*v));
    return std::nullopt;
  }
  allowed_keys(*v, p, {"en", "ja"});
  auto en = string(*v, p, "en", true);
  auto ja = string(*v, p, "ja", false);
  if (!en) return std::nullopt;
  return std::make_pair(*en, ja.value_or(""));
}

}  // namespace mailsim::sim
