// Small ASCII text helpers shared by the message codec's source files (internal).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace mailsim::message::detail {

inline bool is_wsp(char c) { return c == ' ' || c == '\t'; }

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Trims spaces, tabs, CR and LF on both ends.
inline std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 5322 3.2.3 atext.
inline bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 5322 3.2.3 dot-atom-text.
inline bool is_dot_atom_text(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

inline bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Makes any text a valid dot-atom-text (for Message-IDs): other characters and misplaced dots
// become '-'.
inline std::string dot_atom_safe(std::string_view s) {
  std::string out;
  for (char c : s) out += (is_atext(c) || c == '.') ? c : '-';
  if (out.empty()) out = "-";
  if (out.front() == '.') out.front() = '-';
  if (out.back() == '.') out.back() = '-';
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i] == '.' && out[i - 1] == '.') out[i] = '-';
  return out;
}

// The RFC 2047 encoder behind encode_header_text. With `phrase` set (display names), a plain
// prefix is kept only when it is made of atoms, so the result is always a valid phrase.
std::string encode_words(std::string_view utf8, std::size_t first_line_used, bool phrase);

}  // namespace mailsim::message::detail
