// ISO-2022-JP encoder and decoder (RFC 1468) over a JIS X 0208 table generated at build time.
#include "protocols/message/iso2022jp.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "protocols/common/base64.hpp"

namespace mailsim::message {

namespace {

#include "jis0208_table.inc"

constexpr std::string_view kToAscii = "\x1b(B";
constexpr std::string_view kToJis = "\x1b$B";

// (UCS-2, JIS code) sorted by UCS-2: the encoder's direction, made once from the table. Where
// two codes decode to one character the lower code wins (the table has none such today).
const std::vector<std::pair<std::uint16_t, std::uint16_t>>& reverse_table() {
  static const auto table = [] {
    std::vector<std::pair<std::uint16_t, std::uint16_t>> t;
    for (std::size_t i = 0; i < 94 * 94; ++i) {
      if (kJis0208ToUcs[i] == 0) continue;
      const auto code = static_cast<std::uint16_t>(((0x21 + i / 94) << 8) | (0x21 + i % 94));
      t.emplace_back(kJis0208ToUcs[i], code);
    }
    std::stable_sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    t.erase(std::unique(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.first == b.first; }), t.end());
    return t;
  }();
  return table;
}

std::optional<std::uint16_t> to_jis(char32_t c) {
  if (c > 0xFFFF) return std::nullopt;
  const auto& t = reverse_table();
  auto it = std::lower_bound(t.begin(), t.end(), static_cast<std::uint16_t>(c),
                             [](const auto& e, std::uint16_t v) { return e.first < v; });
  if (it == t.end() || it->first != c) return std::nullopt;
  return it->second;
}

void put_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// One UTF-8 character at s[i]; advances i. nullopt on a bad sequence (overlong, surrogate, cut).
std::optional<char32_t> next_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t n = 0;
  char32_t c = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 1;
    c = static_cast<char32_t>(b0 & 0x1F);
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 2;
    c = static_cast<char32_t>(b0 & 0x0F);
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 3;
    c = static_cast<char32_t>(b0 & 0x07);
  } else {
    return std::nullopt;
  }
  if (i + n >= s.size()) return std::nullopt;
  for (std::size_t k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | static_cast<char32_t>(b & 0x3F);
  }
  static constexpr std::array<char32_t, 4> kMin{0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
  i += n + 1;
  return c;
}

std::string hex(char32_t c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string h;
  for (int shift = 20; shift >= 0; shift -= 4) h += kDigits[(c >> shift) & 0xF];
  while (h.size() > 4 && h.front() == '0') h.erase(h.begin());  // U+0041, U+1F600
  return "U+" + h;
}

}  // namespace

bool jis0208_has(char32_t c) { return to_jis(c).has_value(); }

std::optional<std::string> iso2022jp_encode(std::string_view utf8, std::string* why) {
  auto fail = [&](std::string text) -> std::optional<std::string> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  if (utf8.size() > kMaxIso2022JpInput) return fail("the text is too long");
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 2);
  bool jis = false;
  std::size_t i = 0;
  std::size_t chars = 0;
  while (i < utf8.size()) {
    const std::size_t at = i;
    const auto c = next_utf8(utf8, i);
    ++chars;
    if (!c) return fail("invalid UTF-8 at byte " + std::to_string(at + 1));
    if (*c < 0x80) {
      if (*c < 0x20 && *c != '\t' && *c != '\r' && *c != '\n')
        return fail("control character " + hex(*c) + " (character " + std::to_string(chars) + ") cannot be sent");
      if (*c == 0x7F) return fail("control character U+007F (character " + std::to_string(chars) + ") cannot be sent");
      if (jis) out += kToAscii, jis = false;  // ASCII, and every line end, in ASCII
      out += static_cast<char>(*c);
      continue;
    }
    const auto code = to_jis(*c);
    if (!code) {
      std::string glyph;
      put_utf8(glyph, *c);
      return fail("\"" + glyph + "\" (" + hex(*c) + ", character " + std::to_string(chars) +
                  ") is not in JIS X 0208, so ISO-2022-JP cannot carry it");
    }
    if (!jis) out += kToJis, jis = true;
    out += static_cast<char>(*code >> 8);
    out += static_cast<char>(*code & 0xFF);
  }
  if (jis) out += kToAscii;
  return out;
}

std::optional<std::string> iso2022jp_decode(std::string_view bytes, std::string* why) {
  auto fail = [&](std::string text) -> std::optional<std::string> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  if (bytes.size() > kMaxIso2022JpInput) return fail("the text is too long");
  enum class Set { Ascii, Roman, Jis };
  Set set = Set::Ascii;
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b == 0x1B) {
      const std::string_view esc = bytes.substr(i, 3);
      if (esc == "\x1b(B") set = Set::Ascii;
      else if (esc == "\x1b(J") set = Set::Roman;
      else if (esc == "\x1b$B" || esc == "\x1b$@") set = Set::Jis;
      else return fail("unknown escape sequence at byte " + std::to_string(i + 1));
      i += 3;
      continue;
    }
    if (b >= 0x80) return fail("8-bit byte at byte " + std::to_string(i + 1) + " (ISO-2022-JP is 7-bit)");
    if (b == '\r' || b == '\n' || set != Set::Jis) {
      // A line end with JIS X 0208 still on is a fault of the sender; read on in ASCII.
      if (b == '\r' || b == '\n') set = set == Set::Jis ? Set::Ascii : set;
      if (set == Set::Roman && b == 0x5C) put_utf8(out, 0x00A5);
      else if (set == Set::Roman && b == 0x7E) put_utf8(out, 0x203E);
      else out += static_cast<char>(b);
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) return fail("a two-byte character is cut off at the end");
    const auto b2 = static_cast<unsigned char>(bytes[i + 1]);
    if (b < 0x21 || b > 0x7E || b2 < 0x21 || b2 > 0x7E)
      return fail("byte " + std::to_string(i + 1) + " is no JIS X 0208 code");
    const char32_t u = kJis0208ToUcs[static_cast<std::size_t>(b - 0x21) * 94 + static_cast<std::size_t>(b2 - 0x21)];
    if (u == 0) return fail("JIS X 0208 has no character at code " + std::to_string(b) + "/" + std::to_string(b2));
    put_utf8(out, u);
    i += 2;
  }
  return out;
}

std::optional<std::string> encode_header_iso2022jp(std::string_view utf8, std::size_t first_line_used,
                                                   std::string* why) {
  const bool plain = utf8.find("=?") == std::string_view::npos &&
                     std::all_of(utf8.begin(), utf8.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
  if (plain) return std::string(utf8);
  if (!iso2022jp_encode(utf8, why)) return std::nullopt;  // says which character cannot go
  constexpr std::string_view kOpen = "=?ISO-2022-JP?B?";
  constexpr std::string_view kClose = "?=";
  constexpr std::size_t kMaxWord = 75;  // RFC 2047 2
  constexpr std::size_t kMaxLine = 76;
  auto word = [&](std::string_view piece) {
    return std::string(kOpen) + proto::base64_encode(*iso2022jp_encode(piece)) + std::string(kClose);
  };
  std::string out;
  std::size_t start = 0;  // of the piece being grown
  while (start < utf8.size()) {
    // The first word shares its line with what came before; the others have a line each.
    const std::size_t room =
        out.empty() ? std::min(kMaxWord, kMaxLine > first_line_used ? kMaxLine - first_line_used : 0) : kMaxWord;
    // Grow the piece one character at a time while its word still fits the room.
    std::size_t end = start;
    std::string best;
    while (end < utf8.size()) {
      std::size_t next = end;
      const auto lead = static_cast<unsigned char>(utf8[next]);
      next += lead < 0x80 ? 1u : lead < 0xE0 ? 2u : lead < 0xF0 ? 3u : 4u;
      next = std::min(next, utf8.size());
      std::string w = word(utf8.substr(start, next - start));
      if (w.size() > room && !best.empty()) break;
      best = std::move(w);
      end = next;
      if (best.size() > room) break;  // a single character that does not fit: on a line of its own
    }
    if (!out.empty()) out += "\r\n ";
    out += best;
    start = end;
  }
  return out;
}

}  // namespace mailsim::message
