// Parsing and validation of SMTP envelope paths (RFC 5321 sections 4.1.2 and 4.5.3.1).
#include "protocols/smtp/address.hpp"

#include "protocols/common/ascii.hpp"

namespace mailsim::smtp {

namespace {

using proto::iequals;
using proto::is_digit;
bool is_let_dig(char c) { return proto::is_alnum(c); }

// RFC 5321 Dot-string is RFC 5322 dot-atom-text.
bool valid_dot_string(std::string_view s) { return proto::is_dot_atom_text(s); }

// Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE (section 4.1.2).
bool valid_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;  // the backslash would escape the closing quote
      const char n = s[++i];
      if (n < 32 || n > 126) return false;
    } else if (c == '"' || c < 32 || c > 126) {
      return false;
    }
  }
  return true;
}

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t n = 0;
    int value = 0;
    while (i + n < s.size() && is_digit(s[i + n]) && n < 4) {
      value = value * 10 + (s[i + n] - '0');
      ++n;
    }
    if (n == 0 || n > 3 || value > 255) return false;
    ++parts;
    i += n;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

bool valid_domain_name(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (!is_let_dig(label.front()) || !is_let_dig(label.back())) return false;
    for (char c : label)
      if (!is_let_dig(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_address_literal(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  const std::string_view inner = s.substr(1, s.size() - 2);
  if (valid_ipv4(inner)) return true;
  const std::size_t colon = inner.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view tag = inner.substr(0, colon);
  const std::string_view content = inner.substr(colon + 1);
  if (!is_let_dig(tag.back())) return false;
  for (char c : tag)
    if (!is_let_dig(c) && c != '-') return false;
  if (content.empty()) return false;
  if (iequals(tag, "IPv6")) {
    for (char c : content)
      if (!(proto::hex_value(c) >= 0 || c == ':' || c == '.')) return false;
    return content.find(':') != std::string_view::npos;
  }
  for (char c : content)  // dcontent: printable US-ASCII except '[', '\', ']'
    if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;
  return true;
}

bool set_error(std::string* error, const char* text) {
  if (error) *error = text;
  return false;
}

// Finds the '@' that separates local part and domain (the last one outside quotes).
std::size_t find_at(std::string_view mailbox) {
  bool quoted = false;
  std::size_t at = std::string_view::npos;
  for (std::size_t i = 0; i < mailbox.size(); ++i) {
    const char c = mailbox[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '@') {
      at = i;
    }
  }
  return at;
}

bool check_mailbox(std::string_view mailbox, Path& out, std::string* error) {
  const std::size_t at = find_at(mailbox);
  if (at == std::string_view::npos) return set_error(error, "missing '@' between local part and domain");
  const std::string_view local = mailbox.substr(0, at);
  const std::string_view domain = mailbox.substr(at + 1);
  if (local.size() > kMaxLocalPart) return set_error(error, "local part longer than 64 octets");
  if (domain.size() > kMaxDomain) return set_error(error, "domain longer than 255 octets");
  if (local.empty()) return set_error(error, "empty local part");
  if (local.front() == '"' ? !valid_quoted_string(local) : !valid_dot_string(local))
    return set_error(error, "invalid local part");
  if (domain.empty()) return set_error(error, "empty domain");
  if (domain.front() == '[' ? !valid_address_literal(domain) : !valid_domain_name(domain))
    return set_error(error, "invalid domain");
  out.local_part = std::string(local);
  out.domain = std::string(domain);
  return true;
}

// A source route "@a,@b:" before the mailbox: each element "@domain".
bool skip_source_route(std::string_view& inner) {
  if (inner.empty() || inner.front() != '@') return true;
  const std::size_t colon = inner.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view route = inner.substr(0, colon);
  std::size_t start = 0;
  while (start < route.size()) {
    std::size_t comma = route.find(',', start);
    if (comma == std::string_view::npos) comma = route.size();
    const std::string_view hop = route.substr(start, comma - start);
    if (hop.size() < 2 || hop.front() != '@' || !valid_domain_name(hop.substr(1))) return false;
    start = comma + 1;
    if (comma + 1 == route.size()) return false;  // trailing comma
  }
  inner.remove_prefix(colon + 1);
  return true;
}

}  // namespace

std::string Path::address() const {
  if (null) return {};
  if (domain.empty()) return local_part;
  return local_part + "@" + domain;
}

std::optional<Path> parse_path(std::string_view text, PathOptions options, std::string* error) {
  if (text.size() < 2 || text.front() != '<' || text.back() != '>') {
    set_error(error, "path must be enclosed in '<' and '>'");
    return std::nullopt;
  }
  std::string_view inner = text.substr(1, text.size() - 2);
  Path path;
  if (inner.empty()) {
    if (!options.allow_null) {
      set_error(error, "empty path not allowed here");
      return std::nullopt;
    }
    path.null = true;
    return path;
  }
  if (!skip_source_route(inner)) {
    set_error(error, "invalid source route");
    return std::nullopt;
  }
  if (options.allow_postmaster && iequals(inner, "postmaster")) {
    path.local_part = std::string(inner);
    return path;
  }
  if (!check_mailbox(inner, path, error)) return std::nullopt;
  // Checked after the parts so that an over-long local part or domain is named as such
  // (the caller's line limit already bounds the text).
  if (text.size() > kMaxPath) {
    set_error(error, "path longer than 256 octets");
    return std::nullopt;
  }
  return path;
}

bool valid_mailbox(std::string_view mailbox) {
  Path p;
  return mailbox.size() + 2 <= kMaxPath && check_mailbox(mailbox, p, nullptr);
}

std::optional<PathArgument> split_path_argument(std::string_view argument, std::string_view keyword) {
  if (argument.size() < keyword.size() + 1 || !iequals(argument.substr(0, keyword.size()), keyword) ||
      argument[keyword.size()] != ':')
    return std::nullopt;
  std::string_view rest = argument.substr(keyword.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) return std::nullopt;
  PathArgument out;
  std::size_t end = 0;
  if (rest.front() == '<') {
    // Find the closing '>' outside any quoted local part.
    bool quoted = false;
    std::size_t i = 1;
    for (; i < rest.size(); ++i) {
      const char c = rest[i];
      if (quoted && c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '>') {
        break;
      }
    }
    if (i >= rest.size()) return std::nullopt;
    end = i + 1;
  } else {
    end = rest.find(' ');
    if (end == std::string_view::npos) end = rest.size();
  }
  out.path = std::string(rest.substr(0, end));
  rest.remove_prefix(end);
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    std::size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) sp = rest.size();
    const std::string_view param = rest.substr(0, sp);
    rest.remove_prefix(sp);
    const std::size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    if (key.empty() || !is_let_dig(key.front())) return std::nullopt;
    for (char c : key)
      if (!is_let_dig(c) && c != '-') return std::nullopt;
    std::string upper_key = proto::to_upper(key);
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(param.substr(eq + 1));
      if (value.empty()) return std::nullopt;
    }
    if (out.params.size() >= kMaxParameters) return std::nullopt;
    out.params.emplace_back(std::move(upper_key), std::move(value));
  }
  return out;
}

}  // namespace mailsim::smtp
