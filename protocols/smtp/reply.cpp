// SMTP reply formatting, parsing, multi-line assembly and the plain-English explanation table.
#include "protocols/smtp/reply.hpp"

#include <array>
#include <utility>

#include "protocols/common/ascii.hpp"

namespace mailsim::smtp {

namespace {

using proto::is_digit;

// Counts 1-3 digits at `pos`; returns how many (0 when none or more than 3).
std::size_t digit_run(std::string_view s, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < s.size() && is_digit(s[pos + n])) ++n;
  return n >= 1 && n <= 3 ? n : 0;
}

}  // namespace

Reply Reply::make(int code_value, std::string enhanced_status, std::string text_line) {
  Reply r;
  r.code = code_value;
  r.enhanced = std::move(enhanced_status);
  r.lines.push_back(std::move(text_line));
  return r;
}

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += ' ';
    out += l;
  }
  return out;
}

std::vector<std::string> Reply::format_lines() const {
  std::vector<std::string> out;
  const std::string code_text = std::to_string(code);
  const std::size_t n = lines.empty() ? 1 : lines.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::string line = code_text;
    line += (i + 1 < n) ? '-' : ' ';
    if (!enhanced.empty()) {
      line += enhanced;
      line += ' ';
    }
    if (!lines.empty()) line += lines[i];
    out.push_back(std::move(line));
  }
  return out;
}

std::string Reply::format() const {
  std::string out;
  for (const auto& l : format_lines()) {
    out += l;
    out += "\r\n";
  }
  return out;
}

std::size_t enhanced_status_length(std::string_view text) {
  if (text.size() < 5) return 0;
  if (text[0] != '2' && text[0] != '4' && text[0] != '5') return 0;
  if (text[1] != '.') return 0;
  const std::size_t subject = digit_run(text, 2);
  if (subject == 0) return 0;
  std::size_t pos = 2 + subject;
  if (pos >= text.size() || text[pos] != '.') return 0;
  const std::size_t detail = digit_run(text, pos + 1);
  if (detail == 0) return 0;
  pos += 1 + detail;
  if (pos < text.size() && text[pos] != ' ') return 0;
  return pos;
}

std::optional<ReplyLine> parse_reply_line(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) return std::nullopt;
  if (line[0] < '2' || line[0] > '5' || line[1] > '5') return std::nullopt;
  ReplyLine r;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return r;
  if (line[3] != ' ' && line[3] != '-') return std::nullopt;
  r.last = line[3] == ' ';
  std::string_view text = line.substr(4);
  const std::size_t elen = enhanced_status_length(text);
  if (elen != 0 && text[0] == line[0]) {
    r.enhanced = std::string(text.substr(0, elen));
    text.remove_prefix(elen);
    if (!text.empty()) text.remove_prefix(1);
  }
  r.text = std::string(text);
  return r;
}

ReplyAssembler::Status ReplyAssembler::add_line(std::string_view line) {
  if (complete_) {
    reply_ = Reply{};
    complete_ = false;
  }
  const auto parsed = parse_reply_line(line);
  if (!parsed) {
    error_ = "malformed reply line: does not start with a reply code";
    reply_ = Reply{};
    complete_ = true;
    return Status::Error;
  }
  if (!reply_.lines.empty() && parsed->code != reply_.code) {
    error_ = "reply code changed inside a multi-line reply (" + std::to_string(reply_.code) + " then " +
             std::to_string(parsed->code) + ")";
    reply_ = Reply{};
    complete_ = true;
    return Status::Error;
  }
  if (reply_.lines.size() >= kMaxLines) {
    error_ = "multi-line reply longer than " + std::to_string(kMaxLines) + " lines";
    reply_ = Reply{};
    complete_ = true;
    return Status::Error;
  }
  if (reply_.lines.empty()) {
    reply_.code = parsed->code;
    reply_.enhanced = parsed->enhanced;
  }
  reply_.lines.push_back(parsed->text);
  if (!parsed->last) return Status::NeedMore;
  complete_ = true;
  return Status::Complete;
}

std::string_view explain_reply(int code, std::string_view enhanced) {
  struct Entry {
    std::string_view key;
    std::string_view meaning;
  };
  static constexpr std::array kEnhanced = {
      Entry{"2.0.0", "Success: the command was accepted."},
      Entry{"2.1.0", "The sender address was accepted."},
      Entry{"2.1.5", "The recipient address was accepted."},
      Entry{"2.5.2", "The server will not confirm the mailbox but will try to deliver to it."},
      Entry{"2.6.0", "The message was accepted for delivery."},
      Entry{"2.7.0", "Authentication succeeded: you are logged in."},
      Entry{"4.2.0", "The mailbox is temporarily unavailable; try again later."},
      Entry{"4.2.2", "The mailbox is full for now; try again later."},
      Entry{"4.3.0", "The server had a temporary problem; try again later."},
      Entry{"4.4.1", "No answer from the receiving server; delivery will be retried."},
      Entry{"4.4.2", "The connection was lost; delivery will be retried."},
      Entry{"4.5.3", "Too many recipients in one message; send the rest in another transaction."},
      Entry{"4.7.0", "A temporary security or policy refusal (for example too many errors)."},
      Entry{"4.7.4", "A required security feature (such as TLS) is not available."},
      Entry{"5.0.0", "A permanent error that has no more specific code (e.g. AUTH was cancelled)."},
      Entry{"5.1.1", "The recipient's mailbox does not exist (user unknown)."},
      Entry{"5.1.2", "The recipient's domain does not exist or does not accept mail (host unknown)."},
      Entry{"5.1.3", "The recipient address is not written correctly."},
      Entry{"5.1.7", "The sender address is not written correctly."},
      Entry{"5.2.2", "The recipient's mailbox is full (over quota)."},
      Entry{"5.3.4", "The message is larger than the server accepts."},
      Entry{"5.4.1", "The receiving server refused the recipient (no such mailbox or access denied)."},
      Entry{"5.5.1", "Commands were sent in the wrong order."},
      Entry{"5.5.2", "The server did not understand the command or its encoding."},
      Entry{"5.5.4", "The command's arguments are wrong or not supported."},
      Entry{"5.5.6", "A line was longer than SMTP allows."},
      Entry{"5.7.0", "Refused for security or policy reasons (for example: log in first)."},
      Entry{"5.7.1", "Not allowed: the server will not relay this mail for you."},
      Entry{"5.7.8", "Authentication failed: wrong user name or password."},
      Entry{"5.7.11", "Encryption (TLS) is required before this command."},
  };
  static constexpr std::array kCodes = {
      Entry{"211", "System status or help reply."},
      Entry{"214", "Help text for people reading the session."},
      Entry{"220", "The server is ready (greeting, or ready to start TLS)."},
      Entry{"221", "The server is closing the connection (goodbye)."},
      Entry{"235", "Authentication succeeded."},
      Entry{"250", "OK: the requested action was completed."},
      Entry{"251", "The user is not local; the server will forward the mail."},
      Entry{"252", "The server cannot verify the user but will accept the message and try to deliver it."},
      Entry{"334", "The server is waiting for the next piece of authentication data (base64)."},
      Entry{"354", "Go ahead: send the message, ending with a line holding only a dot."},
      Entry{"421", "The service is closing the connection; try again later."},
      Entry{"450", "The mailbox is unavailable for now (busy or blocked); try again later."},
      Entry{"451", "The server hit a local error; try again later."},
      Entry{"452", "Not enough storage, or too many recipients; try again later."},
      Entry{"454", "Temporary authentication or TLS failure; try again later."},
      Entry{"455", "The server cannot accept the parameters now."},
      Entry{"500", "Syntax error: the command was not recognised (or the line was too long)."},
      Entry{"501", "Syntax error in the command's arguments."},
      Entry{"502", "The command is not implemented."},
      Entry{"503", "Bad sequence of commands: something else must come first."},
      Entry{"504", "The command parameter (e.g. an AUTH mechanism) is not implemented."},
      Entry{"530", "Authentication required: log in before sending mail."},
      Entry{"534", "The authentication mechanism is too weak."},
      Entry{"535", "Authentication failed: the credentials were not accepted."},
      Entry{"538", "Encryption is required before this authentication mechanism may be used."},
      Entry{"550", "The mailbox is unavailable (user unknown, or refused by policy)."},
      Entry{"551", "The user is not local; the mail must be sent elsewhere."},
      Entry{"552", "Exceeded storage allocation: the message is too large or the mailbox is full."},
      Entry{"553", "The mailbox name is not allowed (bad address syntax)."},
      Entry{"554", "Transaction failed (refused, e.g. relay denied or no valid recipients)."},
      Entry{"555", "A MAIL FROM or RCPT TO parameter is not recognised or not implemented."},
  };
  if (!enhanced.empty()) {
    for (const auto& e : kEnhanced)
      if (e.key == enhanced) return e.meaning;
  }
  if (code >= 0 && code <= 999) {
    const std::string key = std::to_string(code);
    for (const auto& e : kCodes)
      if (e.key == key) return e.meaning;
  }
  if (code >= 200 && code < 300) return "Success.";
  if (code >= 300 && code < 400) return "The server is waiting for more from the client.";
  if (code >= 400 && code < 500) return "Temporary failure: the client should try again later.";
  if (code >= 500 && code < 600) return "Permanent failure: repeating the same thing will not work.";
  return "Not an SMTP reply code.";
}

}  // namespace mailsim::smtp
