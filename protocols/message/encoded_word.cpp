// RFC 2047 encoded words: decoding B/Q words in header text and B-encoding UTF-8 header text.
#include <algorithm>
#include <cstddef>

#include "protocols/common/base64.hpp"
#include "protocols/message/iso2022jp.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

constexpr std::size_t kMaxCharsetName = 64;
constexpr std::string_view kUtf8WordPrefix = "=?UTF-8?B?";
constexpr std::size_t kWordOverhead = 12;  // "=?UTF-8?B?" + "?="

bool word_char_ok(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 32 && u < 127;
}

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < text.size() && detail::hex_value(text[i + 1]) >= 0 &&
               detail::hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(detail::hex_value(text[i + 1]) * 16 + detail::hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> decode_b(std::string_view text) {
  std::string padded(text);
  if (padded.size() % 4 == 2) padded += "==";
  if (padded.size() % 4 == 3) padded += "=";
  return proto::base64_decode(padded);
}

// Converts decoded bytes in `charset` (lower-case, language suffix removed) to UTF-8.
std::optional<std::string> to_utf8(std::string_view charset, std::string bytes) {
  if (charset == "utf-8" || charset == "utf8" || charset == "us-ascii" || charset == "ascii")
    return bytes;
  if (charset == "iso-8859-1" || charset == "iso8859-1" || charset == "iso_8859-1" ||
      charset == "latin1" || charset == "latin-1" || charset == "l1") {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x80) {
        out += c;
      } else {
        out += static_cast<char>(0xC0 | (u >> 6));
        out += static_cast<char>(0x80 | (u & 0x3F));
      }
    }
    return out;
  }
  if (charset == "iso-2022-jp" || charset == "csiso2022jp") return iso2022jp_decode(bytes);
  // Charsets that are not ASCII supersets can't take the pure-ASCII shortcut.
  if (detail::istarts_with(charset, "utf-16") || detail::istarts_with(charset, "utf-32") ||
      detail::istarts_with(charset, "utf-7") || detail::istarts_with(charset, "ucs"))
    return std::nullopt;
  if (detail::is_ascii(bytes)) return bytes;
  return std::nullopt;
}

struct Word {
  std::string text;  // UTF-8
  std::size_t end;   // offset just past "?="
};

// Parses "=?charset?X?text?=" at v[i] (v[i..i+1] == "=?").
std::optional<Word> parse_word(std::string_view v, std::size_t i, std::string_view reads_as = {}) {
  const std::size_t cs_begin = i + 2;
  std::size_t p = cs_begin;
  while (p < v.size() && v[p] != '?' && word_char_ok(v[p]) && p - cs_begin <= kMaxCharsetName) ++p;
  if (p >= v.size() || v[p] != '?' || p == cs_begin) return std::nullopt;
  std::string charset = detail::to_lower(v.substr(cs_begin, p - cs_begin));
  if (const auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
  if (p + 2 >= v.size() || v[p + 2] != '?') return std::nullopt;
  const char enc = detail::ascii_lower(v[p + 1]);
  if (enc != 'b' && enc != 'q') return std::nullopt;
  const std::size_t text_begin = p + 3;
  std::size_t q = text_begin;
  while (q < v.size() && v[q] != '?' && word_char_ok(v[q])) ++q;
  if (q + 1 >= v.size() || v[q] != '?' || v[q + 1] != '=') return std::nullopt;
  const std::string_view text = v.substr(text_begin, q - text_begin);
  std::optional<std::string> bytes = enc == 'q' ? std::optional<std::string>(decode_q(text)) : decode_b(text);
  if (!bytes) return std::nullopt;
  if (!reads_as.empty()) return Word{read_bytes_as(reads_as, *bytes), q + 2};
  auto utf8 = to_utf8(charset, std::move(*bytes));
  if (!utf8) return std::nullopt;
  return Word{std::move(*utf8), q + 2};
}

bool all_space(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

bool needs_encoding(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u < 0x20 && c != '\t') || u == 0x7F;
}

// Length of the UTF-8 sequence starting at s[k] (1 for anything malformed).
std::size_t utf8_length(std::string_view s, std::size_t k) {
  const auto lead = static_cast<unsigned char>(s[k]);
  std::size_t n = 1;
  if (lead >= 0xC0 && lead <= 0xDF) n = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) n = 3;
  else if (lead >= 0xF0 && lead <= 0xF7) n = 4;
  if (k + n > s.size()) return 1;
  for (std::size_t j = 1; j < n; ++j)
    if ((static_cast<unsigned char>(s[k + j]) & 0xC0) != 0x80) return 1;
  return n;
}

std::size_t b64_length(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

}  // namespace

std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes) {
  return to_utf8(detail::to_lower(charset), std::string(bytes));
}

std::string read_bytes_as(std::string_view charset, std::string_view bytes) {
  const std::string cs = detail::to_lower(charset);
  if (cs == "utf-8" || cs == "utf8") {
    // Bad sequences show as U+FFFD, one per byte, as a mail program's screen does.
    std::string out;
    for (std::size_t k = 0; k < bytes.size();) {
      const std::size_t n = utf8_length(bytes, k);
      const auto lead = static_cast<unsigned char>(bytes[k]);
      if (n == 1 && lead >= 0x80) out += "\xEF\xBF\xBD";
      else out.append(bytes.substr(k, n));
      k += n;
    }
    return out;
  }
  if (auto u = to_utf8(cs, std::string(bytes))) return *u;
  return *to_utf8("iso-8859-1", std::string(bytes));  // unknown or broken: byte by byte
}

std::string decode_encoded_words(std::string_view v) { return decode_encoded_words(v, {}); }

std::string decode_encoded_words(std::string_view v, std::string_view reads_as) {
  std::string out;
  out.reserve(v.size());
  std::size_t i = 0;
  std::size_t plain_start = 0;
  bool after_word = false;
  while (i + 1 < v.size()) {
    if (v[i] == '=' && v[i + 1] == '?') {
      if (auto w = parse_word(v, i, reads_as)) {
        const std::string_view between = v.substr(plain_start, i - plain_start);
        // RFC 2047 6.2: whitespace between two adjacent encoded words is not displayed.
        if (!(after_word && all_space(between))) out.append(between);
        out += w->text;
        i = w->end;
        plain_start = i;
        after_word = true;
        continue;
      }
    }
    ++i;
  }
  out.append(v.substr(plain_start));
  return out;
}

namespace detail {

std::string encode_words(std::string_view s, std::size_t first_line_used, bool phrase) {
  std::size_t first = std::string_view::npos;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (needs_encoding(s[i])) {
      first = i;
      break;
    }
  const std::size_t marker = s.find("=?");
  if (first == std::string_view::npos && marker == std::string_view::npos) return std::string(s);
  if (marker != std::string_view::npos) first = std::min(first, marker);

  // Plain prefix: the words before the word holding the first character that needs encoding.
  std::string_view prefix;
  std::string_view rest = s;
  const std::size_t sp = first == 0 ? std::string_view::npos : s.rfind(' ', first - 1);
  if (sp != std::string_view::npos && sp > 0) {
    prefix = s.substr(0, sp);
    rest = s.substr(sp + 1);
    bool ok = !is_wsp(prefix.front());
    for (char c : prefix)
      if (phrase ? !(is_atext(c) || c == ' ') : needs_encoding(c)) ok = false;
    if (!ok) {
      prefix = {};
      rest = s;
    }
  }

  std::string out;
  std::size_t col = first_line_used;
  bool need_sep = false;
  if (!prefix.empty()) {
    std::size_t k = 0;
    bool first_piece = true;
    while (k <= prefix.size()) {
      std::size_t e = prefix.find(' ', k);
      if (e == std::string_view::npos) e = prefix.size();
      const std::string_view piece = prefix.substr(k, e - k);
      if (first_piece) {
        out += piece;
        col += piece.size();
        first_piece = false;
      } else if (!piece.empty() && col + 1 + piece.size() > kMaxEncodedLineLength) {
        out += "\r\n ";
        out += piece;
        col = 1 + piece.size();
      } else {
        out += ' ';
        out += piece;
        col += 1 + piece.size();
      }
      k = e + 1;
    }
    need_sep = true;
  }

  std::size_t k = 0;
  while (k < rest.size()) {
    const std::size_t sep = need_sep ? 1 : 0;
    const std::size_t room = col + sep < kMaxEncodedLineLength ? kMaxEncodedLineLength - col - sep : 0;
    std::size_t max_word = std::min(room, kMaxEncodedWordLength);
    const std::size_t next_char = utf8_length(rest, k);
    if (max_word < kWordOverhead + b64_length(next_char)) {
      out += "\r\n ";
      col = 1;
      max_word = kMaxEncodedWordLength;
    } else if (need_sep) {
      out += ' ';
      col += 1;
    }
    std::size_t n = next_char;
    while (k + n < rest.size()) {
      const std::size_t len = utf8_length(rest, k + n);
      if (kWordOverhead + b64_length(n + len) > max_word) break;
      n += len;
    }
    std::string word(kUtf8WordPrefix);
    word += proto::base64_encode(rest.substr(k, n));
    word += "?=";
    out += word;
    col += word.size();
    k += n;
    need_sep = true;
  }
  return out;
}

}  // namespace detail

std::string encode_header_text(std::string_view utf8, std::size_t first_line_used) {
  return detail::encode_words(utf8, first_line_used, false);
}

}  // namespace mailsim::message
