// Small ASCII text helpers shared by the message codec's source files (internal).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "protocols/common/ascii.hpp"

namespace mailsim::message::detail {

// The ASCII helpers live in protocols/common/ascii.hpp; these names keep the codec's call sites short.
using proto::ascii_lower;
using proto::hex_value;
using proto::iequals;
using proto::is_ascii;
using proto::is_atext;
using proto::is_dot_atom_text;
using proto::is_wsp;
using proto::istarts_with;
using proto::to_lower;

// Trims spaces, tabs, CR and LF on both ends.
inline std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Skips one RFC 5322 comment that starts at s[i] == '(': comments nest, and a quoted-pair
// ("\)") inside one is skipped whole. An unterminated comment runs to the end of `s`.
// Returns the index just after the comment (at most s.size()).
inline std::size_t skip_comment(std::string_view s, std::size_t i) {
  std::size_t depth = 0;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return s.size();
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
