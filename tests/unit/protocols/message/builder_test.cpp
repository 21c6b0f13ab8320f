// MessageBuilder output (exact bytes, CRLF only, line limits, encodings) and RFC 5322 dates.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/message/builder.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"

using namespace mailsim::message;

namespace {

constexpr std::int64_t kEpoch = 1761955200;  // 2025-11-01 00:00:00 UTC

// Every LF preceded by CR, no bare CR, no line over 998 octets.
void check_wire_form(const std::string& m) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      REQUIRE(i > 0);
      CHECK(m[i - 1] == '\r');
      CHECK(line - 1 <= kMaxLineLength);
      line = 0;
    } else {
      if (m[i] == '\r') CHECK((i + 1 < m.size() && m[i + 1] == '\n'));
      ++line;
    }
  }
  CHECK(line == 0);  // ends with CRLF
}

std::size_t longest_header_line(const std::string& m) {
  const std::size_t end = header_section_size(m);
  std::size_t longest = 0;
  std::size_t b = 0;
  while (b < end) {
    const std::size_t e = m.find("\r\n", b);
    longest = std::max(longest, e - b);
    b = e + 2;
  }
  return longest;
}

}  // namespace

TEST_CASE("format_date follows RFC 5322 3.3") {
  CHECK(format_date(kEpoch, 0) == "Sat, 01 Nov 2025 00:00:00 +0000");
  CHECK(format_scenario_date(kEpoch, 0, 9 * 60) == "Sat, 01 Nov 2025 09:00:00 +0900");
  CHECK(format_date(0, 0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(format_date(951782400, 0) == "Tue, 29 Feb 2000 00:00:00 +0000");
  CHECK(format_date(-1, 0) == "Wed, 31 Dec 1969 23:59:59 +0000");
  CHECK(format_date(kEpoch, -(4 * 60 + 30)) == "Fri, 31 Oct 2025 19:30:00 -0430");
  CHECK(format_scenario_date(kEpoch, 86400 * 60 + 61, 0) == "Wed, 31 Dec 2025 00:01:01 +0000");
  CHECK(format_date(4102444800, 0) == "Fri, 01 Jan 2100 00:00:00 +0000");
  CHECK(format_date(0, 100000) == "Mon, 05 Jan 1970 03:59:00 +9959");  // zone clamped
}

TEST_CASE("parse_date reads RFC 5322 dates, obsolete forms and rejects bad ones") {
  auto d = parse_date("Sat, 01 Nov 2025 09:00:00 +0900");
  REQUIRE(d);
  CHECK(d->unix_seconds == kEpoch);
  CHECK(d->zone_offset_minutes == 540);
  CHECK(parse_date("1 Nov 2025 00:00 GMT")->unix_seconds == kEpoch);
  CHECK(parse_date("Fri, 31 Oct 25 20:00:00 EDT (comment)")->unix_seconds == kEpoch);
  CHECK(parse_date("Thu, 01 Jan 1970 00:00:00 -0000")->unix_seconds == 0);
  CHECK(parse_date("29 Feb 2000 00:00:00 +0000")->unix_seconds == 951782400);
  // Every formatted date parses back.
  for (std::int64_t t : {std::int64_t{0}, kEpoch, std::int64_t{951782400}, std::int64_t{4102444799}})
    for (int z : {0, 540, -300, 330}) CHECK(parse_date(format_date(t, z))->unix_seconds == t);
  for (const char* bad : {"", "Sat, 32 Nov 2025 09:00:00 +0900", "29 Feb 2001 00:00:00 +0000",
                          "01 Foo 2025 00:00:00 +0000", "01 Nov 2025 24:00:00 +0000", "01 Nov 2025 09:00:00 +09",
                          "01 Nov 2025", "01 Nov 2025 09:61 +0000"})
    CHECK_FALSE(parse_date(bad).has_value());
}

TEST_CASE("parse_date skips comments with quoted-pairs and nesting (RFC 5322 3.2.2)") {
  // "\)" inside a comment is a quoted-pair, not its end.
  auto d = parse_date("Sat, 01 Nov 2025 (a \\) comment) 09:00:00 +0900");
  REQUIRE(d);
  CHECK(d->unix_seconds == kEpoch);
  CHECK(d->zone_offset_minutes == 540);
  // "\(" does not open a nested comment; a real nested one is skipped whole.
  CHECK(parse_date("Sat, 01 Nov 2025 09:00:00 +0900 (not \\( nested)")->unix_seconds == kEpoch);
  CHECK(parse_date("(sent (from (home))) Sat, 01 Nov 2025 09:00:00 +0900")->unix_seconds == kEpoch);
  CHECK(parse_date("Sat, 01 Nov 2025 09:00:00 (\\\\) +0900")->zone_offset_minutes == 540);  // an escaped backslash
  // An unterminated comment swallows the rest, so the date is incomplete.
  CHECK_FALSE(parse_date("Sat, 01 Nov 2025 (oops 09:00:00 +0900").has_value());
  CHECK_FALSE(parse_date("Sat, 01 Nov 2025 (a \\) 09:00:00 +0900").has_value());
}

TEST_CASE("MessageBuilder: a plain ASCII message, exact bytes") {
  const std::string m = MessageBuilder()
                            .from("alice@example.com", "Alice Example")
                            .to("bob@example.net")
                            .cc("carol@example.org", "Doe, Carol")
                            .subject("Lunch?")
                            .date(kEpoch, 9 * 3600, 9 * 60)
                            .message_id("20251101090000.1", "example.com")
                            .body("Hi Bob,\nlunch at noon?\n")
                            .build();
  CHECK(m ==
        "Date: Sat, 01 Nov 2025 18:00:00 +0900\r\n"
        "From: Alice Example <alice@example.com>\r\n"
        "To: bob@example.net\r\n"
        "Cc: \"Doe, Carol\" <carol@example.org>\r\n"
        "Subject: Lunch?\r\n"
        "Message-ID: <20251101090000.1@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "Hi Bob,\r\n"
        "lunch at noon?\r\n");
  check_wire_form(m);
}

TEST_CASE("MessageBuilder: Japanese names and subject survive a round trip") {
  const std::string subject = "\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xAE\xE4\xBB\xB6";  // 会議の件
  const std::string name = "\xE5\xB1\xB1\xE7\x94\xB0 \xE5\xA4\xAA\xE9\x83\x8E";  // 山田 太郎
  const std::string body = "\xE6\x98\x8E\xE6\x97\xA5\xE3\x81\xAE\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82\n";
  MessageBuilder b;
  b.from("taro@example.jp", name).to("hanako@example.jp", "\xE8\x8A\xB1\xE5\xAD\x90").subject(subject).body(body);
  const std::string m = b.build();
  check_wire_form(m);
  CHECK(b.transfer_encoding() == "8bit");
  CHECK(m.find("Subject: =?UTF-8?B?5Lya6K2w44Gu5Lu2?=\r\n") != std::string::npos);
  const auto fields = parse_header_section(m);
  CHECK(decode_encoded_words(*find_header(fields, "Subject")) == subject);
  const auto from = parse_address_list(*find_header(fields, "From"));
  REQUIRE(from.size() == 1);
  CHECK(from[0].display_name == name);
  CHECK(from[0].address() == "taro@example.jp");
  const MimeEntity e = parse_mime(m);
  CHECK(e.encoding == "8bit");
  CHECK(entity_body(m, e) == "\xE6\x98\x8E\xE6\x97\xA5\xE3\x81\xAE\xE4\xBC\x9A\xE8\xAD\xB0\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82\r\n");

  // Without 8BITMIME the same body goes base64 and decodes back.
  b.require_7bit();
  const std::string m7 = b.build();
  check_wire_form(m7);
  const MimeEntity e7 = parse_mime(m7);
  CHECK(e7.encoding == "base64");
  CHECK(decode_body(entity_body(m7, e7), e7.encoding) == std::string(body.substr(0, body.size() - 1)) + "\r\n");
  for (char c : m7) CHECK(static_cast<unsigned char>(c) < 0x80);
}

TEST_CASE("MessageBuilder: long headers fold, long body lines never exceed 998") {
  MessageBuilder b;
  b.from("a@example.com");
  for (int i = 0; i < 12; ++i) b.to("recipient" + std::to_string(i) + "@example.net", "Recipient Number " + std::to_string(i));
  b.to("jp@example.jp", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE5\x90\x8D\xE5\x89\x8D\xE3\x81\xA8\xE3\x81\x99\xE3\x81\x94\xE3\x81\x8F\xE9\x95\xB7\xE3\x81\x84\xE8\xA1\xA8\xE7\xA4\xBA\xE5\x90\x8D");
  b.subject("A rather long subject line that keeps going and going well past the seventy-eight column mark");
  b.body(std::string(3000, 'x') + "\n");
  const std::string m = b.build();
  check_wire_form(m);
  CHECK(longest_header_line(m) <= 78);
  CHECK(b.transfer_encoding() == "base64");  // a 3000-octet line cannot go as 7bit
  const auto fields = parse_header_section(m);
  CHECK(parse_address_list(*find_header(fields, "To")).size() == 13);
  CHECK(*find_header(fields, "Subject") ==
        "A rather long subject line that keeps going and going well past the seventy-eight column mark");
  const MimeEntity e = parse_mime(m);
  CHECK(decode_body(entity_body(m, e), "base64") == std::string(3000, 'x') + "\r\n");
}

TEST_CASE("MessageBuilder: recipients, Bcc never written, header injection neutralised") {
  MessageBuilder b;
  b.from("a@x.test").to("b@x.test").cc("c@x.test").bcc("hidden@x.test").subject("hi\r\nBcc: evil@x.test");
  b.header("X-Mailer", "mailsim").in_reply_to("<orig@x.test>").message_id("u id@1", "x.test");
  const std::string m = b.build();
  CHECK(b.recipients() == std::vector<std::string>{"b@x.test", "c@x.test", "hidden@x.test"});
  CHECK(m.find("hidden") == std::string::npos);
  const auto fields = parse_header_section(m);
  CHECK_FALSE(find_header(fields, "Bcc").has_value());
  CHECK(decode_encoded_words(*find_header(fields, "Subject")) == "hi\r\nBcc: evil@x.test");
  CHECK(find_header(fields, "Message-ID") == std::string("<u-id-1@x.test>"));
  CHECK(b.message_id_value() == "<u-id-1@x.test>");
  CHECK(find_header(fields, "In-Reply-To") == std::string("<orig@x.test>"));
  CHECK(find_header(fields, "References") == std::string("<orig@x.test>"));
  CHECK(find_header(fields, "X-Mailer") == std::string("mailsim"));
  check_wire_form(m);
}

TEST_CASE("to_crlf and base64_lines") {
  CHECK(to_crlf("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd");
  const std::string b = base64_lines(std::string(100, 'z'));
  CHECK(b.substr(0, 78).size() == 78);
  CHECK(b.find("\r\n") == 76);
  CHECK(b.size() == 136 + 4);
}
