// Small IMAP helpers shared by the server and client: flags, quoting, dates, sequence sets.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/ascii.hpp"

namespace mailsim::imap {

// Message flags. System flags are kept in their canonical spelling ("\Seen"), keywords as
// given; the set order is the output order.
using FlagSet = std::set<std::string>;

inline constexpr std::string_view kSeen = "\\Seen";
inline constexpr std::string_view kAnswered = "\\Answered";
inline constexpr std::string_view kFlagged = "\\Flagged";
inline constexpr std::string_view kDeleted = "\\Deleted";
inline constexpr std::string_view kDraft = "\\Draft";
inline constexpr std::string_view kRecent = "\\Recent";

// "\seen" -> "\Seen"; unknown "\Xyz" and keywords are returned unchanged.
std::string canonical_flag(std::string_view flag);
// "(\Seen \Flagged)" with \Recent added when `recent`.
std::string format_flag_list(const FlagSet& flags, bool recent = false);

// ASCII case helpers (protocols/common/ascii.hpp), also reachable as imap::to_upper etc.
// icontains: case-insensitive substring test; an empty needle is always found.
using proto::icontains;
using proto::iequals;
using proto::to_upper;

// True when `c` may appear in an IMAP atom (RFC 3501 section 9, ATOM-CHAR).
bool is_atom_char(char c);
// The shortest IMAP string for `s`: an atom-safe quoted string, or a literal {n}CRLF...
// when it holds CR, LF, NUL or 8-bit bytes.
std::string imap_string(std::string_view s);
// imap_string, or NIL when `s` is empty and `nil_if_empty`.
std::string imap_nstring(std::string_view s, bool nil_if_empty = true);
// A mailbox name as an astring: a bare atom when possible, else quoted/literal.
std::string imap_astring(std::string_view s);

// RFC 6154: the special-use attribute mail clients expect for a folder of this name ("Sent",
// "Sent Messages", "Sent Items" -> "\\Sent"; "Trash", "Deleted Items"/"Messages" -> "\\Trash";
// "Drafts"; "Junk", "Spam"; "Archive"; case-insensitive, top level only), or empty.
std::string special_use_for_name(std::string_view name);

// Dates. Seconds are counted from 1970-01-01T00:00:00Z; days likewise.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t& y, unsigned& m, unsigned& d);
// RFC 3501 date-time in UTC: "17-Jul-1996 09:44:25 +0000".
std::string format_internal_date(std::int64_t seconds);
// Parses "d-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded) to UTC seconds.
std::optional<std::int64_t> parse_date_time(std::string_view text);
// Parses "d-Mon-yyyy" to a day number.
std::optional<std::int64_t> parse_date(std::string_view text);

// Ascending distinct values -> compact "1:3,5,7:9" (RFC 4315 uid-set); order is preserved
// and only runs of consecutive increasing values are merged.
std::string format_uid_set(const std::vector<std::uint32_t>& values);

}  // namespace mailsim::imap
