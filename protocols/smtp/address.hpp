// SMTP envelope paths (RFC 5321 section 4.1.2): parsing of MAIL FROM / RCPT TO arguments.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailsim::smtp {

// RFC 5321 section 4.5.3.1 size limits.
inline constexpr std::size_t kMaxLocalPart = 64;   // 4.5.3.1.1
inline constexpr std::size_t kMaxDomain = 255;     // 4.5.3.1.2
inline constexpr std::size_t kMaxPath = 256;       // 4.5.3.1.3, including '<' and '>'
inline constexpr std::size_t kMaxParameters = 16;  // MAIL/RCPT parameters we look at

// A reverse-path or forward-path. A source route ("<@a,@b:user@c>") is accepted and
// dropped, as section 4.1.1.3 / appendix C allows.
struct Path {
  bool null = false;        // "<>" (only valid as a reverse-path)
  std::string local_part;   // as written: a dot-string or a quoted string (with its quotes)
  std::string domain;       // a domain or an address literal "[192.0.2.1]"; empty for <postmaster>
  // "local@domain", "postmaster" or "" for the null path.
  std::string address() const;
};

struct PathOptions {
  bool allow_null = false;        // MAIL FROM:<>
  bool allow_postmaster = false;  // RCPT TO:<Postmaster> (section 4.1.1.3)
};

// Parses a path written with its angle brackets. On failure returns nullopt and, when
// `error` is given, a short reason ("local part longer than 64 octets", ...).
std::optional<Path> parse_path(std::string_view text, PathOptions options, std::string* error = nullptr);

// Validates a bare mailbox "local@domain" (no brackets), e.g. for a client job.
bool valid_mailbox(std::string_view mailbox);

// The argument of MAIL / RCPT after the keyword: "FROM:<a@b> SIZE=10 BODY=8BITMIME".
struct PathArgument {
  std::string path;                                         // the "<...>" text as written
  std::vector<std::pair<std::string, std::string>> params;  // upper-cased keyword, value as written
};

// Splits "FROM:<path> params" (keyword compared case-insensitively; spaces after the
// colon tolerated). Returns nullopt when the keyword or colon is missing, a parameter is
// malformed, or there are more than kMaxParameters parameters.
std::optional<PathArgument> split_path_argument(std::string_view argument, std::string_view keyword);

}  // namespace mailsim::smtp
