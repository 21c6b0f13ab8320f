// RFC 5322 3.3 date-time: formatting from virtual time and parsing (including obsolete forms).
//
// Implements RFC 5322 3.3 (date-time, zone as +hhmm) and 4.3 (obsolete: two/three-digit years,
// named zones UT/GMT/EST/EDT/CST/CDT/MST/MDT/PST/PDT; other names count as -0000).
// Does not implement leap seconds (second 60 is accepted and read as 59).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::message {

inline constexpr int kMaxZoneOffsetMinutes = 99 * 60 + 59;  // what "+hhmm" can carry

// "Sat, 01 Nov 2025 09:00:00 +0900" for a Unix time shown in a fixed zone (minutes east of UTC,
// clamped to +-kMaxZoneOffsetMinutes).
std::string format_date(std::int64_t unix_seconds, int zone_offset_minutes);

// The same for simulated time: the scenario's epoch (Unix seconds) plus seconds of virtual time.
std::string format_scenario_date(std::int64_t scenario_epoch_unix, std::int64_t virtual_seconds,
                                 int zone_offset_minutes);

struct ParsedDate {
  std::int64_t unix_seconds = 0;  // the instant, UTC
  int zone_offset_minutes = 0;    // the zone as written
};

// Reads an RFC 5322 date-time (comments and the day name optional). nullopt when malformed
// (bad day for the month, hour > 23, ...).
std::optional<ParsedDate> parse_date(std::string_view text);

}  // namespace mailsim::message
