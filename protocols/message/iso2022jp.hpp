// ISO-2022-JP (RFC 1468): Japanese text in 7 bits, ASCII and JIS X 0208 switched by escapes.
//
// Implements RFC 1468: ESC ( B (ASCII), ESC ( J (JIS X 0201 Roman, read as ASCII but 0x5C = YEN
// SIGN and 0x7E = OVERLINE), ESC $ @ and ESC $ B (JIS X 0208, both read with the 1990 table);
// the encoder writes only ESC $ B and ESC ( B and is back in ASCII at the end of every line and
// of the text, as RFC 1468 requires. Does not implement: JIS X 0212 and the other sets of
// ISO-2022-JP-1/-2 (RFC 2237, RFC 1554), half-width katakana (JIS X 0201 Katakana, which RFC 1468
// does not allow), vendor rows (NEC/IBM extensions of CP50220/CP50221).
// The JIS X 0208 table is generated at build time (gen_jis0208.py; docs/architecture.md).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::message {

// Longest input either direction takes (a message body is far below this).
inline constexpr std::size_t kMaxIso2022JpInput = 16u << 20;

// UTF-8 -> ISO-2022-JP. Fails (nullopt, `why` says which character and where) on invalid UTF-8,
// on a character that JIS X 0208 and ASCII do not have, on a control character other than
// TAB/CR/LF, on ESC, SO and SI, and on input over kMaxIso2022JpInput.
std::optional<std::string> iso2022jp_encode(std::string_view utf8, std::string* why = nullptr);

// ISO-2022-JP -> UTF-8. Fails on an unknown escape, an 8-bit byte, a code JIS X 0208 does not
// have, a two-byte code cut in half, and on input over kMaxIso2022JpInput.
std::optional<std::string> iso2022jp_decode(std::string_view bytes, std::string* why = nullptr);

// Does the JIS X 0208 table know this character (U+3042 -> true)? ASCII is not in it.
bool jis0208_has(char32_t c);

// Header text (a Subject) as RFC 2047 B-encoded words in ISO-2022-JP ("=?ISO-2022-JP?B?...?="),
// each word a whole ISO-2022-JP string ending in ASCII (RFC 1468 section 3) of at most 75
// characters, separated by CRLF SP so that no line is longer than 76 counting the
// `first_line_used` characters before it (9 for "Subject: "). Printable ASCII without "=?" is
// returned as it is. Fails as iso2022jp_encode does.
std::optional<std::string> encode_header_iso2022jp(std::string_view utf8, std::size_t first_line_used = 0,
                                                   std::string* why = nullptr);

}  // namespace mailsim::message
