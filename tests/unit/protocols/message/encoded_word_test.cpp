// RFC 2047 encoded words: the section 8 examples, charsets, malformed words, and UTF-8 encoding.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocols/message/message.hpp"

using namespace mailsim::message;

namespace {

// Splits on CRLF; every line of an encoded header must stay within 76 characters and every
// encoded word within 75.
std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  for (;;) {
    const std::size_t e = s.find("\r\n", b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) return out;
    b = e + 2;
  }
}

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while ((b = s.find("=?", b)) != std::string::npos) {
    const std::size_t e = s.find("?=", b + 10);
    REQUIRE(e != std::string::npos);
    out.push_back(s.substr(b, e + 2 - b));
    b = e + 2;
  }
  return out;
}

std::string unfold(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace

TEST_CASE("RFC 2047 section 8: the header examples") {
  CHECK(decode_encoded_words("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>") == "Keith Moore <moore@cs.utk.edu>");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>") ==
        "Keld J\xC3\xB8rn Simonsen <keld@dkuug.dk>");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>") ==
        "Andr\xC3\xA9 Pirard <PIRARD@vm1.ulg.ac.be>");
  // The Subject example: two adjacent words (the second in ISO-8859-2, pure ASCII) joined.
  const auto fields = parse_header_section(
      "Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
      "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n\r\n");
  REQUIRE(fields.size() == 1);
  CHECK(decode_encoded_words(fields[0].value) == "If you can read this you understand the example.");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>") ==
        "Olle J\xC3\xA4rnefors <ojarnef@admin.kth.se>");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>") ==
        "Patrik F\xC3\xA4ltstr\xC3\xB6m <paf@nada.kth.se>");
  // ISO-8859-8 with non-ASCII text is a charset we do not convert: left as written.
  CHECK(decode_encoded_words("Nathaniel Borenstein <nsb@thumper.bellcore.com> (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)") ==
        "Nathaniel Borenstein <nsb@thumper.bellcore.com> (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)");
}

TEST_CASE("RFC 2047 section 8: the whitespace table") {
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=)") == "(a)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= b)") == "(a b)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)") == "(ab)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)") == "(ab)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a_b?=)") == "(a b)");
  CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)") == "(a b)");
}

TEST_CASE("encoded words: UTF-8, case, language suffix, split characters") {
  CHECK(decode_encoded_words("=?utf-8?b?5Lya6K2w44Gu5Lu2?=") == "\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xAE\xE4\xBB\xB6");
  CHECK(decode_encoded_words("=?UTF-8*ja?Q?=E4=BC=9A?=") == "\xE4\xBC\x9A");
  // A character split across two adjacent words still comes out whole.
  CHECK(decode_encoded_words("=?UTF-8?Q?=E4=BC?= =?UTF-8?Q?=9A?=") == "\xE4\xBC\x9A");
  // Missing base64 padding is tolerated.
  CHECK(decode_encoded_words("=?UTF-8?B?YWI?=") == "ab");
  CHECK(decode_encoded_words("Re: =?UTF-8?Q?caf=C3=A9?= time") == "Re: caf\xC3\xA9 time");
}

TEST_CASE("encoded words: malformed words stay as written") {
  for (const std::string s : {"=?", "=?UTF-8?", "=?UTF-8?X?abc?=", "=?UTF-8?B?a b?=", "=??Q?a?=",
                              "=?UTF-8?B?@@@@?=", "=?UTF-8?Q?abc", "plain text", "a =?= b"})
    CHECK(decode_encoded_words(s) == s);
  CHECK(decode_encoded_words("=?UTF-16?Q?a?=") == "=?UTF-16?Q?a?=");
}

TEST_CASE("encode_header_text: ASCII is returned unchanged") {
  CHECK(encode_header_text("Meeting tomorrow") == "Meeting tomorrow");
  CHECK(encode_header_text("") == "");
}

TEST_CASE("encode_header_text: Japanese subject round trip, words <= 75, lines <= 76") {
  const std::string subject = "\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xAE\xE4\xBB\xB6";  // 会議の件
  const std::string enc = encode_header_text(subject, 9);
  CHECK(enc == "=?UTF-8?B?5Lya6K2w44Gu5Lu2?=");
  CHECK(decode_encoded_words(enc) == subject);

  // A long subject: many words, folded, never splitting a character.
  std::string long_subject = "Re: ";
  for (int i = 0; i < 12; ++i) long_subject += subject + " ";
  long_subject += "(2025\xE5\xB9\xB4)";
  const std::string folded = encode_header_text(long_subject, 9);
  CHECK(folded.rfind("Re: =?UTF-8?B?", 0) == 0);  // the ASCII prefix stays readable
  const auto lines = lines_of(folded);
  CHECK(lines.size() > 3);
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(lines[i].size() + (i == 0 ? 9 : 0) <= 76);
  for (const auto& w : words_of(folded)) {
    CHECK(w.size() <= 75);
    // Each word decodes to whole UTF-8 characters on its own.
    const std::string d = decode_encoded_words(w);
    REQUIRE_FALSE(d.empty());
    const auto lead = static_cast<unsigned char>(d.front());
    CHECK((lead < 0x80 || lead >= 0xC0));
    const auto last = static_cast<unsigned char>(d.back());
    CHECK((last < 0x80 || (d.size() >= 3 && (static_cast<unsigned char>(d[d.size() - 3]) >= 0xE0))));
  }
  const auto fields = parse_header_section("Subject: " + folded + "\r\n\r\n");
  REQUIRE(fields.size() == 1);
  CHECK(decode_encoded_words(fields[0].value) == long_subject);
}

TEST_CASE("encode_header_text: controls and =? are encoded; no room on the first line folds first") {
  const std::string inj = "hello\r\nBcc: x@y";
  const std::string e = encode_header_text(inj);
  CHECK(e.find('\r') == std::string::npos);
  CHECK(decode_encoded_words(e) == inj);
  CHECK(decode_encoded_words(encode_header_text("price =?100?=")) == "price =?100?=");
  const std::string late = encode_header_text("\xC3\xA9t\xC3\xA9", 70);
  CHECK(late.rfind("\r\n =?UTF-8?B?", 0) == 0);
  CHECK(decode_encoded_words(unfold(late).substr(1)) == "\xC3\xA9t\xC3\xA9");
  // Invalid UTF-8 bytes are still carried exactly.
  const std::string bad = "\xFF\xFE\xE4\xBC";
  CHECK(decode_encoded_words(encode_header_text(bad)) == bad);
}
