// POP3 status-line parsing, dot-stuffing (RFC 1939 section 3) and plain-English explanations.
#include "protocols/pop3/wire.hpp"

#include "protocols/common/ascii.hpp"

namespace mailsim::pop3 {
namespace {

using proto::all_digits;
bool contains_ci(std::string_view s, std::string_view needle) { return proto::icontains(s, needle); }

}  // namespace

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<StatusLine> parse_status(std::string_view line) {
  StatusLine st;
  std::string_view rest;
  if (line.substr(0, 3) == "+OK" && (line.size() == 3 || line[3] == ' ')) {
    st.ok = true;
    rest = line.substr(3);
  } else if (line.substr(0, 4) == "-ERR" && (line.size() == 4 || line[4] == ' ')) {
    rest = line.substr(4);
  } else {
    return std::nullopt;
  }
  if (!rest.empty()) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      st.code = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
  }
  st.text = std::string(rest);
  return st;
}

std::vector<std::string_view> split_message_lines(std::string_view message) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < message.size()) {
    const std::size_t lf = message.find('\n', pos);
    if (lf == std::string_view::npos) {
      lines.push_back(message.substr(pos));
      break;
    }
    std::size_t end = lf;
    if (end > pos && message[end - 1] == '\r') --end;
    lines.push_back(message.substr(pos, end - pos));
    pos = lf + 1;
  }
  return lines;
}

std::string stuff_line(std::string_view line) {
  std::string out;
  out.reserve(line.size() + 1);
  if (!line.empty() && line.front() == '.') out += '.';
  out.append(line);
  return out;
}

std::string stuff_message(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32 + 8);
  for (const auto line : split_message_lines(message)) {
    out += stuff_line(line);
    out += "\r\n";
  }
  out += ".\r\n";
  return out;
}

std::string_view unstuff_line(std::string_view line) {
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  return line;
}

bool is_md5_hex(std::string_view digest) {
  if (digest.size() != 32) return false;
  for (const char c : digest) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string find_apop_timestamp(std::string_view greeting) {
  const std::size_t open = greeting.find('<');
  if (open == std::string_view::npos) return {};
  const std::size_t close = greeting.find('>', open);
  if (close == std::string_view::npos) return {};
  const std::string_view ts = greeting.substr(open, close - open + 1);
  if (ts.find('@') == std::string_view::npos) return {};
  return std::string(ts);
}

std::string explain_response(std::string_view line) {
  if (line == ".") return "End of a multi-line response: the single dot means \"that's everything\".";
  if (line == "+" || line.substr(0, 2) == "+ ") {
    if (line == "+ UGFzc3dvcmQ6")
      return "AUTH LOGIN challenge \"Password:\" (in base64): the client sends the password, base64-encoded.";
    if (line == "+ VXNlcm5hbWU6")
      return "AUTH LOGIN challenge \"Username:\" (in base64): the client sends the user name, base64-encoded.";
    return "A SASL challenge (RFC 5034): the server waits for the client's next AUTH response line, in base64 "
           "(empty here: for PLAIN the client sends user and password together). \"*\" would cancel.";
  }
  const auto st = parse_status(line);
  if (!st) {
    return "One line of a multi-line response (a listing entry, a capability or a line of the message). "
           "A line that starts with a dot was given an extra dot so it cannot be mistaken for the end.";
  }
  const std::string& t = st->text;
  const auto w = split_words(t);
  if (!st->ok) {
    if (st->code == "IN-USE")
      return "The mailbox is already open in another POP3 session (perhaps another device). POP3 lets only "
             "one session hold it at a time; try again later.";
    if (st->code == "AUTH") {
      if (contains_ci(t, "too many"))
        return "Too many wrong logins: the server is closing the connection.";
      return "The server did not accept the user name and password (or APOP digest).";
    }
    if (st->code == "LOGIN-DELAY") return "You are checking mail too often; wait before logging in again.";
    if (st->code == "SYS/TEMP") return "A temporary problem on the server; trying again later may work.";
    if (st->code == "SYS/PERM") return "A lasting problem on the server; ask its administrator.";
    if (contains_ci(t, "already deleted"))
      return "That message is already marked for deletion in this session (RSET would unmark it).";
    if (contains_ci(t, "no such message"))
      return "There is no message with that number in the mailbox.";
    if (contains_ci(t, "unknown command")) return "The server does not know this command.";
    if (contains_ci(t, "not valid in"))
      return "This command cannot be used now: some commands work only before login, others only after.";
    if (contains_ci(t, "usage")) return "The command's arguments are missing or malformed.";
    if (contains_ci(t, "too long")) return "The command line is over the 255-octet limit of RFC 2449.";
    if (contains_ci(t, "too many bad commands"))
      return "Too many mistakes in a row: the server is closing the connection.";
    if (contains_ci(t, "STLS")) return "The server insists on a sealed (TLS) connection before a plain-text login.";
    if (contains_ci(t, "authentication cancelled"))
      return "The client cancelled the AUTH exchange with \"*\"; it may log in another way.";
    if (contains_ci(t, "SASL response"))
      return "The AUTH response was not valid base64 or not in the mechanism's form.";
    if (contains_ci(t, "authentication mechanism"))
      return "The server does not offer that AUTH mechanism (CAPA's SASL line lists those it does).";
    if (contains_ci(t, "not removed"))
      return "Some messages marked for deletion could not be removed; they are still on the server.";
    return "The command failed; the text after -ERR says why.";
  }
  if (find_apop_timestamp(t).size() > 0)
    return "The server is ready for a login. The <...> part is a one-time timestamp for APOP: the client "
           "proves it knows the password by sending MD5(timestamp + password) instead of the password.";
  if (contains_ci(t, "signing off"))
    return "Goodbye. The session has ended; messages marked for deletion have now been removed.";
  if (contains_ci(t, "ready")) return "The server is ready: the client may now log in.";
  if (contains_ci(t, "capability")) return "A list of the server's optional features follows, one per line.";
  if (contains_ci(t, "SASL mechanisms")) return "The AUTH mechanisms the server offers follow, one per line.";
  if (contains_ci(t, "TLS")) return "The server agrees to seal the connection with TLS before anything else is said.";
  if (contains_ci(t, "'s maildrop has"))
    return "Logged in: the mailbox is now locked for this session and the messages in it are listed.";
  if (contains_ci(t, "maildrop has"))
    return "All deletion marks are cleared (RSET): every message will stay on the server.";
  if (contains_ci(t, "send PASS")) return "The user name is noted; now the client must send the password.";
  if (contains_ci(t, "deleted"))
    return "The message is marked for deletion; it is really removed only when the client says QUIT.";
  if (w.size() == 2 && all_digits(w[0]) && all_digits(w[1]))
    return "Two numbers: after STAT, how many messages (" + std::string(w[0]) + ") and their total size (" +
           std::string(w[1]) + " octets); after LIST n, message " + std::string(w[0]) + " and its size.";
  if (w.size() == 2 && all_digits(w[0]) && w[1] == "octets")
    return "The message follows (" + std::string(w[0]) + " octets), ending with a line holding a single dot.";
  if (w.size() >= 2 && all_digits(w[0]) && w[1] == "messages")
    return "A listing follows: one line per message with its number and size.";
  if (contains_ci(t, "unique-id") || contains_ci(t, "UIDL"))
    return "A listing follows: each message's number and its unique id, which never changes between sessions.";
  if (contains_ci(t, "top of message")) return "The headers and the first lines of the message follow.";
  return "The command succeeded.";
}

}  // namespace mailsim::pop3
