// IMAP helpers: flag spelling, string quoting, RFC 3501 dates and uid-set formatting.
#include "protocols/imap/imap_util.hpp"

#include <array>
#include <cstdio>

namespace mailsim::imap {

namespace {

constexpr std::array<std::string_view, 6> kSystemFlags = {kSeen, kAnswered, kFlagged,
                                                          kDeleted, kDraft, kRecent};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool parse_digits(std::string_view s, std::size_t min_len, std::size_t max_len, int& out) {
  if (s.size() < min_len || s.size() > max_len) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Parses "d-Mon-yyyy" (day one or two digits, or space-padded) into y/m/d.
bool parse_day_month_year(std::string_view s, std::int64_t& y, unsigned& m, unsigned& d) {
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const auto dash1 = s.find('-');
  if (dash1 == std::string_view::npos) return false;
  const auto dash2 = s.find('-', dash1 + 1);
  if (dash2 == std::string_view::npos) return false;
  int day = 0;
  int year = 0;
  if (!parse_digits(s.substr(0, dash1), 1, 2, day)) return false;
  if (!parse_digits(s.substr(dash2 + 1), 4, 4, year)) return false;
  const auto mon = s.substr(dash1 + 1, dash2 - dash1 - 1);
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (iequals(mon, kMonths[i])) month = i + 1;
  if (month == 0 || day < 1 || day > 31) return false;
  y = year;
  m = month;
  d = static_cast<unsigned>(day);
  return true;
}

}  // namespace

std::string canonical_flag(std::string_view flag) {
  for (auto f : kSystemFlags)
    if (iequals(flag, f)) return std::string(f);
  return std::string(flag);
}

std::string format_flag_list(const FlagSet& flags, bool recent) {
  std::string out = "(";
  bool first = true;
  for (const auto& f : flags) {
    if (!first) out += ' ';
    out += f;
    first = false;
  }
  if (recent) {
    if (!first) out += ' ';
    out += kRecent;
  }
  out += ')';
  return out;
}

bool is_atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x1F || u >= 0x7F) return false;
  switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

std::string imap_string(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || u >= 0x80)
      return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string imap_nstring(std::string_view s, bool nil_if_empty) {
  if (s.empty() && nil_if_empty) return "NIL";
  return imap_string(s);
}

std::string imap_astring(std::string_view s) {
  bool atom = !s.empty() && !iequals(s, "NIL");
  for (char c : s) atom = atom && is_atom_char(c);
  return atom ? std::string(s) : imap_string(s);
}

std::string special_use_for_name(std::string_view name) {
  struct Rule {
    std::string_view name;
    std::string_view attribute;
  };
  static constexpr Rule kRules[] = {
      {"Sent", "\\Sent"},           {"Sent Messages", "\\Sent"},  {"Sent Items", "\\Sent"},
      {"Trash", "\\Trash"},         {"Deleted Items", "\\Trash"}, {"Deleted Messages", "\\Trash"},
      {"Drafts", "\\Drafts"},       {"Junk", "\\Junk"},           {"Spam", "\\Junk"},
      {"Archive", "\\Archive"},
  };
  for (const auto& r : kRules)
    if (iequals(name, r.name)) return std::string(r.attribute);
  return {};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

std::string format_internal_date(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02u-%s-%04lld %02lld:%02lld:%02lld +0000", d,
                std::string(kMonths[m - 1]).c_str(), static_cast<long long>(y),
                static_cast<long long>(rem / 3600), static_cast<long long>((rem / 60) % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (!parse_day_month_year(text, y, m, d)) return std::nullopt;
  return days_from_civil(y, m, d);
}

std::optional<std::int64_t> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz": the date part ends at the space before the time.
  if (text.size() != 25 && text.size() != 26) return std::nullopt;
  const std::size_t date_len = text.size() - 15;  // " hh:mm:ss +zzzz" is 15 characters
  const auto date = text.substr(0, date_len);
  const auto rest = text.substr(date_len);
  if (rest[0] != ' ' || rest[3] != ':' || rest[6] != ':' || rest[9] != ' ') return std::nullopt;
  if (rest[10] != '+' && rest[10] != '-') return std::nullopt;
  int hh = 0, mm = 0, ss = 0, zh = 0, zm = 0;
  if (!parse_digits(rest.substr(1, 2), 2, 2, hh) || !parse_digits(rest.substr(4, 2), 2, 2, mm) ||
      !parse_digits(rest.substr(7, 2), 2, 2, ss) || !parse_digits(rest.substr(11, 2), 2, 2, zh) ||
      !parse_digits(rest.substr(13, 2), 2, 2, zm))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60 || zm > 59) return std::nullopt;
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (!parse_day_month_year(date, y, m, d)) return std::nullopt;
  const std::int64_t zone = (zh * 60 + zm) * 60 * (rest[10] == '-' ? -1 : 1);
  return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss - zone;
}

std::string format_uid_set(const std::vector<std::uint32_t>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < values.size()) {
    std::size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(values[i]);
    if (j > i) out += ":" + std::to_string(values[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace mailsim::imap
