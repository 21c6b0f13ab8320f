// SMTP replies: the Reply type (code, enhanced status, text lines), wire formatting and parsing.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::smtp {

// A reply as RFC 5321 section 4.2 describes it: a three-digit code, optionally an RFC 3463
// enhanced status code ("5.1.1") that RFC 2034 puts at the start of every text line, and
// one or more lines of text. `lines` holds the text without code or enhanced status.
struct Reply {
  int code = 0;
  std::string enhanced;            // "2.1.0", or empty when the reply carries none
  std::vector<std::string> lines;  // at least one line once formatted (may be empty text)

  static Reply make(int code, std::string enhanced, std::string text);

  bool positive() const { return code >= 200 && code < 300; }
  bool intermediate() const { return code >= 300 && code < 400; }
  bool transient_failure() const { return code >= 400 && code < 500; }
  bool permanent_failure() const { return code >= 500 && code < 600; }

  // The text lines joined with a space (for summaries).
  std::string text() const;

  // Wire form: "250-2.0.0 first\r\n250 2.0.0 last\r\n"; every line but the last uses '-'.
  std::string format() const;
  // The wire lines without CRLF, in order (what a ReplySent event shows per line).
  std::vector<std::string> format_lines() const;

  bool operator==(const Reply&) const = default;
};

// One parsed reply line.
struct ReplyLine {
  int code = 0;
  bool last = true;       // ' ' or end of line: the final line; '-': more follow
  std::string enhanced;   // recognised enhanced status at the start of the text, else empty
  std::string text;       // the text after the enhanced status (or all of it)
};

// Parses "250-2.1.0 text" / "250 text" / "250". Returns nullopt when the line does not
// start with a valid reply code (2yz..5yz) followed by ' ', '-' or the end of the line.
std::optional<ReplyLine> parse_reply_line(std::string_view line);

// Recognises an RFC 3463 status code "c.sss.ddd" at the start of `text` (class 2, 4 or 5,
// subject and detail 1-3 digits), followed by a space or the end. Returns its length or 0.
std::size_t enhanced_status_length(std::string_view text);

// Collects reply lines into whole replies (multi-line replies end at the line with ' ').
class ReplyAssembler {
 public:
  static constexpr std::size_t kMaxLines = 100;  // lines in one multi-line reply

  enum class Status { NeedMore, Complete, Error };
  // Adds one line (without CRLF). On Complete, `reply()` holds the finished reply; on Error,
  // `error()` says what was wrong and the assembler starts afresh.
  Status add_line(std::string_view line);
  const Reply& reply() const { return reply_; }
  const std::string& error() const { return error_; }
  bool in_progress() const { return !reply_.lines.empty() && !complete_; }

 private:
  Reply reply_;
  std::string error_;
  bool complete_ = true;
};

// A one-line plain-English meaning of a reply, for hover help: the enhanced status when it
// is known ("5.1.1" -> the mailbox does not exist), else the basic code, else its class.
std::string_view explain_reply(int code, std::string_view enhanced = {});

}  // namespace mailsim::smtp
