// RFC 5322 3.3 dates: civil calendar arithmetic, formatting and lenient parsing.
#include "protocols/message/date.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t kDaysPer400Years = 146097;  // any 400 consecutive Gregorian years

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct Civil {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 -> calendar date (whole 400-year cycles first, then at most 400 years).
Civil civil_from_days(std::int64_t days) {
  const std::int64_t cycles = floor_div(days, kDaysPer400Years);
  days -= cycles * kDaysPer400Years;
  std::int64_t year = 1970 + 400 * cycles;
  for (;;) {
    const std::int64_t len = is_leap(year) ? 366 : 365;
    if (days < len) break;
    days -= len;
    ++year;
  }
  int month = 1;
  while (days >= days_in_month(year, month)) {
    days -= days_in_month(year, month);
    ++month;
  }
  return {year, month, static_cast<int>(days) + 1};
}

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  const std::int64_t cycles = floor_div(year - 1970, 400);
  std::int64_t days = cycles * kDaysPer400Years;
  for (std::int64_t y = 1970 + 400 * cycles; y < year; ++y) days += is_leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m) days += days_in_month(year, m);
  return days + day - 1;
}

std::string two_digits(std::int64_t v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

// Tokens of a date: words (letters), numbers, and the punctuation , : + -; comments (CFWS) dropped.
struct DateScanner {
  std::string_view s;
  std::size_t i = 0;

  void skip() {
    while (i < s.size()) {
      if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
        ++i;
      } else if (s[i] == '(') {
        i = detail::skip_comment(s, i);  // nested, with quoted-pairs such as "\)" (RFC 5322 3.2.2)
      } else {
        break;
      }
    }
  }
  bool eat(char c) {
    skip();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string_view word() {
    skip();
    const std::size_t b = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) ++i;
    return s.substr(b, i - b);
  }
  // Up to 9 digits; returns -1 when there are none. `digits` receives how many were read.
  std::int64_t number(std::size_t& digits) {
    skip();
    const std::size_t b = i;
    std::int64_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - b < 9) v = v * 10 + (s[i++] - '0');
    digits = i - b;
    return digits == 0 ? -1 : v;
  }
};

std::optional<int> named_zone(std::string_view z) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  constexpr std::array<Zone, 10> kZones = {{{"UT", 0}, {"GMT", 0}, {"EST", -300}, {"EDT", -240},
                                            {"CST", -360}, {"CDT", -300}, {"MST", -420},
                                            {"MDT", -360}, {"PST", -480}, {"PDT", -420}}};
  for (const auto& zone : kZones)
    if (detail::iequals(zone.name, z)) return zone.minutes;
  if (z.empty()) return std::nullopt;
  return 0;  // military and unknown zones: RFC 5322 4.3 says treat as -0000
}

}  // namespace

std::string format_date(std::int64_t unix_seconds, int zone_offset_minutes) {
  const int zone = std::clamp(zone_offset_minutes, -kMaxZoneOffsetMinutes, kMaxZoneOffsetMinutes);
  const std::int64_t local = unix_seconds + static_cast<std::int64_t>(zone) * 60;
  const std::int64_t days = floor_div(local, 86400);
  const std::int64_t secs = local - days * 86400;
  const Civil c = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  std::string year = std::to_string(c.year);
  while (year.size() < 4) year.insert(year.begin(), '0');
  std::string out;
  out += kDayNames[weekday];
  out += ", ";
  out += two_digits(c.day);
  out += ' ';
  out += kMonthNames[static_cast<std::size_t>(c.month - 1)];
  out += ' ';
  out += year;
  out += ' ';
  out += two_digits(secs / 3600) + ":" + two_digits(secs / 60 % 60) + ":" + two_digits(secs % 60);
  out += zone < 0 ? " -" : " +";
  const int a = zone < 0 ? -zone : zone;
  out += two_digits(a / 60) + two_digits(a % 60);
  return out;
}

std::string format_scenario_date(std::int64_t scenario_epoch_unix, std::int64_t virtual_seconds,
                                 int zone_offset_minutes) {
  return format_date(scenario_epoch_unix + virtual_seconds, zone_offset_minutes);
}

std::optional<ParsedDate> parse_date(std::string_view text) {
  DateScanner sc{text};
  std::size_t digits = 0;
  // [day-of-week ","] (a missing comma is tolerated)
  if (!sc.word().empty()) sc.eat(',');
  const std::int64_t day = sc.number(digits);
  if (day < 1 || digits > 2) return std::nullopt;
  const std::string_view mon = sc.word();
  int month = 0;
  for (std::size_t m = 0; m < kMonthNames.size(); ++m)
    if (detail::iequals(kMonthNames[m], mon)) month = static_cast<int>(m) + 1;
  if (month == 0) return std::nullopt;
  std::int64_t year = sc.number(digits);
  if (year < 0 || digits < 2) return std::nullopt;
  if (digits == 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 4.3
  else if (digits == 3) year += 1900;
  if (day > days_in_month(year, month)) return std::nullopt;
  const std::int64_t hour = sc.number(digits);
  if (hour < 0 || hour > 23 || digits > 2 || !sc.eat(':')) return std::nullopt;
  const std::int64_t minute = sc.number(digits);
  if (minute < 0 || minute > 59 || digits > 2) return std::nullopt;
  std::int64_t second = 0;
  if (sc.eat(':')) {
    second = sc.number(digits);
    if (second < 0 || second > 60 || digits > 2) return std::nullopt;
    if (second == 60) second = 59;
  }
  int zone = 0;
  sc.skip();
  if (sc.i < text.size() && (text[sc.i] == '+' || text[sc.i] == '-')) {
    const bool negative = text[sc.i] == '-';
    ++sc.i;
    const std::size_t b = sc.i;
    int hhmm = 0;
    while (sc.i < text.size() && sc.i - b < 4 && text[sc.i] >= '0' && text[sc.i] <= '9')
      hhmm = hhmm * 10 + (text[sc.i++] - '0');
    if (sc.i - b != 4 || hhmm % 100 > 59) return std::nullopt;
    zone = (hhmm / 100) * 60 + hhmm % 100;
    if (negative) zone = -zone;
  } else {
    zone = named_zone(sc.word()).value_or(0);
  }
  ParsedDate d;
  d.zone_offset_minutes = zone;
  d.unix_seconds = days_from_civil(year, month, static_cast<int>(day)) * 86400 + hour * 3600 +
                   minute * 60 + second - static_cast<std::int64_t>(zone) * 60;
  return d;
}

}  // namespace mailsim::message
