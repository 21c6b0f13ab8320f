// POP3 wire details shared by server and client: limits, status lines, dot-stuffing, hover help.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::pop3 {

// RFC 2449 section 4: a command line is at most 255 octets including its CRLF.
inline constexpr std::size_t kMaxCommandLine = 255;
// RFC 2449 section 4: a status (first) response line is at most 512 octets including CRLF.
inline constexpr std::size_t kMaxStatusLine = 512;
// Longest line the client accepts inside a multi-line response (message text is 998+CRLF
// by RFC 5322; we are lenient up to this).
inline constexpr std::size_t kMaxDataLine = 16384;
// Largest message the client stores; bigger ones are read to their end and discarded.
inline constexpr std::size_t kMaxMessageOctets = 32u * 1024u * 1024u;
// Most lines the client accepts in a CAPA response and most entries in a UIDL listing.
inline constexpr std::size_t kMaxCapabilities = 64;
inline constexpr std::size_t kMaxListing = 100000;
// Server defaults (overridable in ServerConfig): bad commands and failed logins before closing.
inline constexpr std::size_t kDefaultMaxBadCommands = 10;
inline constexpr std::size_t kDefaultMaxAuthFailures = 3;
// RFC 1939 section 7: a unique-id is 1 to 70 characters in the range 0x21..0x7E.
inline constexpr std::size_t kMaxUniqueId = 70;

// A parsed status line: "+OK text" or "-ERR [CODE] text".
struct StatusLine {
  bool ok = false;
  std::string code;  // RFC 2449 extended response code without brackets ("IN-USE", "SYS/TEMP"), or empty
  std::string text;  // the text after the indicator (and after the code, if any)
};

// Parses a status line (without CRLF); nullopt when it starts with neither "+OK" nor "-ERR".
std::optional<StatusLine> parse_status(std::string_view line);

// Splits on spaces, dropping empty pieces ("  a b " -> {"a", "b"}).
std::vector<std::string_view> split_words(std::string_view s);

// Splits message bytes into lines: CRLF and bare LF both end a line (bare LF is how a
// message stored with Unix line endings arrives); a final line without an ending counts too.
std::vector<std::string_view> split_message_lines(std::string_view message);

// Byte-stuffs one line of a multi-line response (RFC 1939 section 3): a leading "." is doubled.
std::string stuff_line(std::string_view line);

// The whole multi-line body as sent: every line stuffed and ended with CRLF, then ".\r\n".
std::string stuff_message(std::string_view message);

// Undoes stuff_line for one received line (not the terminating ".").
std::string_view unstuff_line(std::string_view line);

// True when `digest` is exactly 32 lower- or upper-case hex digits.
bool is_md5_hex(std::string_view digest);

// The APOP timestamp ("<...@...>") in a greeting, or empty when the greeting has none.
std::string find_apop_timestamp(std::string_view greeting);

// A short plain-English meaning of a POP3 response line (status line, data line or "."),
// for the GUI's hover help. Never empty.
std::string explain_response(std::string_view line);

}  // namespace mailsim::pop3
