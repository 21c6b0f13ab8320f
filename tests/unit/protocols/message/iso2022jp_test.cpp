// ISO-2022-JP (RFC 1468): exact bytes, round trips over the whole JIS X 0208 table, encoded-word
// subjects, the builder, clear errors; and the table against glibc's iconv where glibc is there.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/message/builder.hpp"
#include "protocols/message/iso2022jp.hpp"
#include "protocols/message/message.hpp"

#if defined(__GLIBC__)
#include <iconv.h>
#endif

using namespace mailsim::message;

namespace {

std::string jis(std::string_view two_bytes) { return "\x1b$B" + std::string(two_bytes) + "\x1b(B"; }

}  // namespace

TEST_CASE("iso2022jp: Japanese text switches to JIS X 0208 and back to ASCII", "[message][iso2022jp]") {
  // こんにちは: hiragana row 4 (0x24xx).
  CHECK(*iso2022jp_encode("\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF") ==
        "\x1b$B$3$s$K$A$O\x1b(B");
  // ASCII stays ASCII; every line ends in ASCII (RFC 1468: CRLF only in ASCII).
  CHECK(*iso2022jp_encode("Hello") == "Hello");
  CHECK(*iso2022jp_encode("\xE6\x97\xA5\xE6\x9C\xAC\r\nok") == "\x1b$BF|K\\\x1b(B\r\nok");
  CHECK(*iso2022jp_encode("a\xE3\x80\x80" "b") == "a" + jis("!!") + "b");  // ideographic space
  CHECK(*iso2022jp_decode("\x1b$B$3$s$K$A$O\x1b(B") == "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF");
  // ESC ( J: JIS X 0201 Roman, where 0x5C is the yen sign; ESC $ @ is read as ESC $ B.
  CHECK(*iso2022jp_decode("\x1b(J\\100\x1b(B") == "\xC2\xA5" "100");
  CHECK(*iso2022jp_decode("\x1b$@$3\x1b(B") == "\xE3\x81\x93");
}

TEST_CASE("iso2022jp: every JIS X 0208 code decodes and encodes back to itself", "[message][iso2022jp]") {
  std::size_t mapped = 0;
  for (int row = 0x21; row <= 0x7E; ++row)
    for (int col = 0x21; col <= 0x7E; ++col) {
      const std::string code{static_cast<char>(row), static_cast<char>(col)};
      const auto text = iso2022jp_decode(jis(code));
      if (!text) continue;
      ++mapped;
      INFO(row << "/" << col);
      REQUIRE(iso2022jp_encode(*text));
      CHECK(*iso2022jp_encode(*text) == jis(code));
    }
  // JIS X 0208-1990: 6,879 characters (the table is generated from Python's codec at build time).
  CHECK(mapped == 6879);
}

TEST_CASE("iso2022jp: what it cannot carry is refused with the character and its place", "[message][iso2022jp]") {
  std::string why;
  CHECK_FALSE(iso2022jp_encode("ok \xF0\x9F\x98\x80", &why));  // an emoji
  CHECK(why.find("U+1F600") != std::string::npos);
  CHECK(why.find("character 4") != std::string::npos);
  CHECK_FALSE(iso2022jp_encode("\xEF\xBD\xB1", &why));  // half-width katakana: not in RFC 1468
  CHECK(why.find("JIS X 0208") != std::string::npos);
  CHECK_FALSE(iso2022jp_encode("a\x1b" "b", &why));  // an escape of its own
  CHECK_FALSE(iso2022jp_encode("\xE3\x81", &why));  // cut UTF-8
  CHECK(why.find("invalid UTF-8") != std::string::npos);
  CHECK_FALSE(iso2022jp_decode("\x1b$(D\x30\x21", &why));  // JIS X 0212: not ISO-2022-JP
  CHECK(why.find("escape") != std::string::npos);
  CHECK_FALSE(iso2022jp_decode("\x1b$B$", &why));  // half a character
  CHECK_FALSE(iso2022jp_decode("caf\xE9", &why));  // 8-bit
  CHECK_FALSE(iso2022jp_decode("\x1b$B\x22\x2F\x1b(B", &why));  // an empty cell of row 2
  CHECK(why.find("no character") != std::string::npos);
}

TEST_CASE("iso2022jp: a subject as encoded words that end in ASCII, at most 75 characters", "[message][iso2022jp]") {
  const std::string subject = "\xE6\x97\xA5\xE6\x9B\x9C\xE6\x97\xA5\xE3\x81\xAB\xE3\x81\x8A\xE8\x8C\xB6\xE3\x81\xAF"
                              "\xE3\x81\x84\xE3\x81\x8B\xE3\x81\x8C\xE3\x81\xA7\xE3\x81\x99\xE3\x81\x8B\xEF\xBC\x9F"
                              " Tea on Sunday? \xE3\x81\x97\xE3\x82\x8D\xE3\x82\x84\xE3\x81\x8E";
  const auto enc = encode_header_iso2022jp(subject, 9);
  REQUIRE(enc);
  std::size_t line = 9, words = 0;
  for (std::size_t i = 0; i < enc->size(); ++i) {
    if ((*enc)[i] == '\r') {
      CHECK(line <= 76);
      line = 0;
      ++i;  // the LF
      continue;
    }
    ++line;
  }
  CHECK(line <= 76);
  for (std::size_t p = enc->find("=?ISO-2022-JP?B?"); p != std::string::npos; p = enc->find("=?ISO-2022-JP?B?", p + 1)) {
    const auto end = enc->find("?=", p + 16);
    REQUIRE(end != std::string::npos);
    CHECK(end + 2 - p <= 75);
    ++words;
  }
  CHECK(words >= 2);
  CHECK(decode_encoded_words(*enc) == subject);
  CHECK(*encode_header_iso2022jp("plain ASCII", 9) == "plain ASCII");
  // A program that ignores the charset shows the escapes' letters: the classic mojibake.
  const auto wrong = decode_encoded_words("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "iso-8859-1");
  CHECK(wrong == "\x1b$B$3$s$K$A$O\x1b(B");
  CHECK(read_bytes_as("utf-8", "a\xFF" "b") == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("iso2022jp: the builder writes an ISO-2022-JP message", "[message][iso2022jp]") {
  MessageBuilder b;
  b.from("shiroyagi@example.com").to("kuroyagi@hogehoge.com").charset("ISO-2022-JP");
  b.subject("\xE3\x81\x8A\xE8\x8C\xB6").body("\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\n");
  const std::string m = b.build();
  CHECK(m.find("Content-Type: text/plain; charset=ISO-2022-JP\r\n") != std::string::npos);
  CHECK(m.find("Content-Transfer-Encoding: 7bit\r\n") != std::string::npos);
  CHECK(m.find("Subject: =?ISO-2022-JP?B?") != std::string::npos);
  CHECK(m.find("\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n") != std::string::npos);
  for (char c : m) CHECK(static_cast<unsigned char>(c) < 0x80);
  // Text ISO-2022-JP cannot carry: the message stays UTF-8.
  MessageBuilder u;
  u.from("a@example.com").to("b@example.com").charset("iso-2022-jp").subject("x").body("\xF0\x9F\x98\x80\n");
  CHECK(u.build().find("charset=UTF-8") != std::string::npos);
}

#if defined(__GLIBC__)
TEST_CASE("iso2022jp: the same bytes as glibc's iconv, both ways, for every JIS X 0208 character",
          "[message][iso2022jp][interop][glibc]") {
  iconv_t to = iconv_open("ISO-2022-JP", "UTF-8");
  iconv_t from = iconv_open("UTF-8", "ISO-2022-JP");
  REQUIRE(to != reinterpret_cast<iconv_t>(-1));
  REQUIRE(from != reinterpret_cast<iconv_t>(-1));
  auto convert = [](iconv_t cd, const std::string& in) -> std::optional<std::string> {
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    std::string src = in;
    char out[64];
    char* ip = src.data();
    std::size_t il = src.size();
    char* op = out;
    std::size_t ol = sizeof out;
    if (iconv(cd, &ip, &il, &op, &ol) == static_cast<std::size_t>(-1)) return std::nullopt;
    if (iconv(cd, nullptr, nullptr, &op, &ol) == static_cast<std::size_t>(-1)) return std::nullopt;  // back to ASCII
    return std::string(out, sizeof out - ol);
  };
  std::size_t agree = 0;
  for (int row = 0x21; row <= 0x7E; ++row)
    for (int col = 0x21; col <= 0x7E; ++col) {
      const std::string code = jis(std::string{static_cast<char>(row), static_cast<char>(col)});
      const auto ours = iso2022jp_decode(code);
      const auto theirs = convert(from, code);
      INFO(row << "/" << col);
      CHECK(ours.has_value() == theirs.has_value());
      if (!ours || !theirs) continue;
      CHECK(*ours == *theirs);
      CHECK(convert(to, *ours) == iso2022jp_encode(*ours));
      ++agree;
    }
  CHECK(agree == 6879);
  iconv_close(to);
  iconv_close(from);
}
#endif
