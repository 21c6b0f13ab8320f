// RFC 5322 3.4 address lists (mailboxes, groups, comments, obsolete forms) and addr-spec checks.
#include <cstddef>

#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

struct Token {
  enum class Kind { Atom, Quoted, Literal, Special, End };
  Kind kind = Kind::End;
  std::string text;          // atom text, unescaped quoted content, "[literal]", or the special
  bool space_before = false;  // whitespace or a comment came before it
};

bool is_special(char c) {
  switch (c) {
    case '<': case '>': case '@': case ',': case ';': case ':': case '.':
      return true;
    default:
      return false;
  }
}

// RFC 5322 3.2: splits into atoms, quoted strings, domain literals and specials; comments and
// whitespace only set `space_before`. Unterminated quotes/comments/literals run to the end.
std::vector<Token> tokenize(std::string_view v) {
  std::vector<Token> out;
  bool space = false;
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      ++i;
    } else if (c == '(') {
      i = detail::skip_comment(v, i);
      space = true;
    } else if (c == '"') {
      Token t{Token::Kind::Quoted, {}, space};
      ++i;
      while (i < v.size() && v[i] != '"') {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        if (v[i] != '\r' && v[i] != '\n') t.text += v[i];
        ++i;
      }
      ++i;  // closing quote (or past the end)
      out.push_back(std::move(t));
      space = false;
    } else if (c == '[') {
      Token t{Token::Kind::Literal, "[", space};
      ++i;
      while (i < v.size() && v[i] != ']') {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        if (!detail::is_wsp(v[i]) && v[i] != '\r' && v[i] != '\n') t.text += v[i];
        ++i;
      }
      t.text += ']';
      ++i;
      out.push_back(std::move(t));
      space = false;
    } else if (is_special(c)) {
      out.push_back(Token{Token::Kind::Special, std::string(1, c), space});
      space = false;
      ++i;
    } else {
      Token t{Token::Kind::Atom, {}, space};
      while (i < v.size()) {
        const char a = v[i];
        if (a == ' ' || a == '\t' || a == '\r' || a == '\n' || a == '(' || a == ')' || a == '"' ||
            a == '[' || a == ']' || is_special(a))
          break;
        t.text += a;
        ++i;
      }
      if (t.text.empty()) {
        ++i;  // a lone ')' or ']': skip it
        continue;
      }
      out.push_back(std::move(t));
      space = false;
    }
  }
  return out;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::vector<Address> parse_list() {
    std::vector<Address> out;
    std::size_t mailboxes = 0;
    while (!at_end() && mailboxes < kMaxAddresses) {
      if (is(",")) {
        ++pos_;
        continue;
      }
      const std::size_t before = pos_;
      auto a = parse_address(true);
      if (a) {
        mailboxes += a->is_group ? a->members.size() : 1;
        if (a->is_group && a->members.size() > kMaxAddresses) a->members.resize(kMaxAddresses);
        out.push_back(std::move(*a));
      }
      skip_to_comma();
      if (pos_ == before) ++pos_;  // always progress
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= tokens_.size(); }
  const Token& cur() const { return tokens_[pos_]; }
  bool is(std::string_view special) const {
    return !at_end() && cur().kind == Token::Kind::Special && cur().text == special;
  }
  bool is_word() const {
    return !at_end() && (cur().kind == Token::Kind::Atom || cur().kind == Token::Kind::Quoted);
  }
  void skip_to_comma() {
    while (!at_end() && !is(",")) ++pos_;
  }

  // Display-name words joined with single spaces where the input had whitespace, then decoded.
  static std::string phrase_text(const std::vector<const Token*>& words) {
    std::string s;
    for (const Token* t : words) {
      if (!s.empty() && t->space_before) s += ' ';
      s += t->text;
    }
    return decode_encoded_words(s);
  }
  // Local part / domain: the tokens concatenated without whitespace (obs-local-part allows CFWS).
  static std::string joined(const std::vector<const Token*>& words) {
    std::string s;
    for (const Token* t : words) s += t->text;
    return s;
  }

  std::string parse_domain() {
    std::vector<const Token*> parts;
    while (!at_end() && (cur().kind == Token::Kind::Atom || cur().kind == Token::Kind::Literal || is("."))) {
      parts.push_back(&cur());
      ++pos_;
    }
    return joined(parts);
  }

  // After '<': [obs-route] local-part "@" domain ">" (lenient about what is missing).
  Mailbox parse_angle() {
    Mailbox m;
    if (is("@")) {  // obs-route: "@a,@b:" is skipped
      while (!at_end() && !is(":") && !is(">")) ++pos_;
      if (is(":")) ++pos_;
    }
    std::vector<const Token*> local;
    while (!at_end() && (is_word() || is("."))) {
      local.push_back(&cur());
      ++pos_;
    }
    m.local_part = joined(local);
    if (is("@")) {
      ++pos_;
      m.domain = parse_domain();
    }
    while (!at_end() && !is(">") && !is(",") && !is(";")) ++pos_;
    if (is(">")) ++pos_;
    return m;
  }

  // address = mailbox / group; a mailbox is name-addr or addr-spec.
  std::optional<Address> parse_address(bool allow_group) {
    std::vector<const Token*> phrase;
    while (!at_end() && (is_word() || is("."))) {
      phrase.push_back(&cur());
      ++pos_;
    }
    Address a;
    if (allow_group && is(":")) {
      ++pos_;
      a.is_group = true;
      a.group_name = phrase_text(phrase);
      while (!at_end() && !is(";")) {
        if (is(",") || is(":")) {
          ++pos_;
          continue;
        }
        const std::size_t before = pos_;
        auto member = parse_address(false);
        if (member && a.members.size() < kMaxAddresses) a.members.push_back(std::move(member->mailbox));
        while (!at_end() && !is(",") && !is(";")) ++pos_;
        if (pos_ == before) ++pos_;
      }
      if (is(";")) ++pos_;
      return a;
    }
    if (is("<")) {
      ++pos_;
      a.mailbox = parse_angle();
      a.mailbox.display_name = phrase_text(phrase);
    } else if (is("@")) {
      ++pos_;
      a.mailbox.local_part = joined(phrase);
      a.mailbox.domain = parse_domain();
    } else {
      // A bare word list: a local part with no domain (e.g. "postmaster").
      a.mailbox.local_part = joined(phrase);
    }
    if (a.mailbox.local_part.empty() && a.mailbox.domain.empty() && a.mailbox.display_name.empty())
      return std::nullopt;
    return a;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

bool valid_quoted_local(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      ++i;
      continue;
    }
    if (c == '"' || c < 32 || c == 127) {
      if (c != '\t') return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomainLength) return false;
  if (d.front() == '[') {
    if (d.size() < 3 || d.back() != ']') return false;
    for (std::size_t i = 1; i + 1 < d.size(); ++i) {
      const auto c = static_cast<unsigned char>(d[i]);
      if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
    }
    return true;
  }
  return detail::is_dot_atom_text(d);
}

}  // namespace

std::string Mailbox::address() const {
  std::string out;
  if (detail::is_dot_atom_text(local_part) || local_part.empty()) {
    out = local_part;
  } else {
    out = "\"";
    for (char c : local_part) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!domain.empty()) {
    out += '@';
    out += domain;
  }
  return out;
}

std::vector<Address> parse_addresses(std::string_view value) {
  return AddressParser(tokenize(value)).parse_list();
}

std::vector<Mailbox> parse_address_list(std::string_view value) {
  std::vector<Mailbox> out;
  for (auto& a : parse_addresses(value)) {
    if (a.is_group) {
      for (auto& m : a.members)
        if (out.size() < kMaxAddresses) out.push_back(std::move(m));
    } else if (out.size() < kMaxAddresses) {
      out.push_back(std::move(a.mailbox));
    }
  }
  return out;
}

bool is_valid_addr_spec(std::string_view addr) {
  const std::size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = addr.substr(0, at);
  const std::string_view domain = addr.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPartLength) return false;
  if (local.front() == '"') {
    if (!valid_quoted_local(local)) return false;
  } else if (!detail::is_dot_atom_text(local)) {
    return false;
  }
  return valid_domain(domain);
}

std::pair<std::string, std::string> split_address(std::string_view addr) {
  const std::size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return {std::string(addr), std::string()};
  return {std::string(addr.substr(0, at)), std::string(addr.substr(at + 1))};
}

std::string format_mailbox(std::string_view display_name_utf8, std::string_view addr) {
  if (display_name_utf8.empty()) return std::string(addr);
  std::string phrase;
  bool plain = true;   // atoms separated by single spaces
  bool ascii = true;   // printable ASCII only (quotable)
  for (char c : display_name_utf8) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20 || u == 0x7F) ascii = false;
    if (!(detail::is_atext(c) || c == ' ')) plain = false;
  }
  if (display_name_utf8.find("  ") != std::string_view::npos || display_name_utf8.front() == ' ' ||
      display_name_utf8.back() == ' ' || display_name_utf8.find("=?") != std::string_view::npos)
    plain = false;
  if (ascii && plain) {
    phrase = display_name_utf8;
  } else if (ascii && display_name_utf8.find("=?") == std::string_view::npos) {
    phrase = "\"";
    for (char c : display_name_utf8) {
      if (c == '"' || c == '\\') phrase += '\\';
      phrase += c;
    }
    phrase += '"';
  } else {
    // Encoded words; the folds the encoder inserts become plain spaces here (the caller folds
    // the whole field), which is equivalent between encoded words.
    const std::string enc = detail::encode_words(display_name_utf8, 0, true);
    for (std::size_t i = 0; i < enc.size(); ++i) {
      if (enc[i] == '\r' && i + 1 < enc.size() && enc[i + 1] == '\n') {
        ++i;
        continue;
      }
      phrase += enc[i];
    }
    phrase = std::string(detail::trim(phrase));
  }
  std::string out = phrase;
  out += " <";
  out += addr;
  out += '>';
  return out;
}

}  // namespace mailsim::message
