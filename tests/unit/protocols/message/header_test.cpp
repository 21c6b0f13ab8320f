// Header section parsing (folding, bare LF, missing empty line, limits) and header folding.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/message/message.hpp"

using namespace mailsim::message;

TEST_CASE("header section: unfolding keeps the WSP and trims the value") {
  const std::string raw =
      "From: Alice <alice@example.com>\r\n"
      "Subject: This is a test\r\n"
      "  of folding\r\n"
      "\tacross three lines\r\n"
      "X-Empty:\r\n"
      "\r\n"
      "Body line\r\n";
  const HeaderSection hs = parse_header_block(raw);
  REQUIRE(hs.fields.size() == 3);
  CHECK(hs.fields[0].name == "From");
  CHECK(hs.fields[0].value == "Alice <alice@example.com>");
  CHECK(hs.fields[1].value == "This is a test  of folding\tacross three lines");
  CHECK(hs.fields[2].name == "X-Empty");
  CHECK(hs.fields[2].value == "");
  CHECK(hs.has_empty_line);
  CHECK_FALSE(hs.bare_lf);
  CHECK(hs.body_offset == raw.find("Body line"));
  CHECK(header_section_size(raw) == raw.find("Body line"));
}

TEST_CASE("header section: bare LF line endings") {
  const std::string raw = "To: bob@example.net\nSubject: hi\n there\n\nbody\n";
  const HeaderSection hs = parse_header_block(raw);
  REQUIRE(hs.fields.size() == 2);
  CHECK(hs.fields[1].value == "hi there");
  CHECK(hs.bare_lf);
  CHECK(hs.body_offset == raw.size() - 5);
}

TEST_CASE("header section: a missing empty line ends the header at the first non-field line") {
  const std::string raw = "From: a@x\r\nSubject: s\r\nHello Bob, how are you?\r\nBye\r\n";
  const HeaderSection hs = parse_header_block(raw);
  REQUIRE(hs.fields.size() == 2);
  CHECK_FALSE(hs.has_empty_line);
  CHECK(hs.body_offset == raw.find("Hello"));

  // A message that is only headers, the last one without CRLF.
  const std::string only = "From: a@x\r\nSubject: s";
  const HeaderSection h2 = parse_header_block(only);
  REQUIRE(h2.fields.size() == 2);
  CHECK(h2.fields[1].value == "s");
  CHECK(h2.body_offset == only.size());
}

TEST_CASE("header section: odd lines") {
  // A continuation before any field is ignored; WSP before the colon is tolerated (obs).
  const std::string raw = " stray\r\nSubject : x\r\n:no name\r\nrest\r\n";
  const HeaderSection hs = parse_header_block(raw);
  REQUIRE(hs.fields.size() == 1);
  CHECK(hs.fields[0].name == "Subject");
  CHECK(hs.fields[0].value == "x");
  CHECK(hs.body_offset == raw.find(":no name"));
  CHECK(parse_header_section("").empty());
  CHECK(header_section_size("\r\nbody") == 2);
}

TEST_CASE("header section: limits on field count and field size") {
  std::string raw;
  for (std::size_t i = 0; i < kMaxHeaderFields + 5; ++i) raw += "X-N: " + std::to_string(i) + "\r\n";
  raw += "\r\nbody";
  const HeaderSection hs = parse_header_block(raw);
  CHECK(hs.fields.size() == kMaxHeaderFields);
  CHECK(hs.truncated);
  CHECK(hs.body_offset == raw.size() - 4);

  std::string big = "Subject: " + std::string(kMaxLineLength + 1, 'a') + "\r\n";
  for (int i = 0; i < 70; ++i) big += " " + std::string(1000, 'b') + "\r\n";
  big += "\r\n";
  const HeaderSection h2 = parse_header_block(big);
  REQUIRE(h2.fields.size() == 1);
  CHECK(h2.fields[0].value.size() <= kMaxHeaderFieldSize);
  CHECK(h2.fields[0].value.size() >= kMaxHeaderFieldSize - 1);  // the leading space was trimmed
  CHECK(h2.overlong_line);
  CHECK(h2.truncated);
}

TEST_CASE("find_header is case-insensitive and returns the first match") {
  const auto fields = parse_header_section("Received: one\r\nreceived: two\r\nSUBJECT: s\r\n\r\n");
  CHECK(find_header(fields, "subject") == std::string("s"));
  CHECK(find_header(fields, "Received") == std::string("one"));
  CHECK_FALSE(find_header(fields, "From").has_value());
  CHECK(find_all_headers(fields, "RECEIVED") == std::vector<std::string>{"one", "two"});
}

TEST_CASE("fold_header folds at 78 columns on whitespace") {
  const std::string value =
      "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma";
  const std::string folded = fold_header("X-Words", value);
  CHECK(folded ==
        "X-Words: alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu\r\n"
        " xi omicron pi rho sigma");
  // Unfolding gives the value back.
  const auto fields = parse_header_section(folded + "\r\n\r\n");
  REQUIRE(fields.size() == 1);
  CHECK(fields[0].value == value);
  // A word longer than the width stays whole; short values are untouched.
  const std::string longword(100, 'w');
  CHECK(fold_header("X", "a " + longword) == "X: a\r\n " + longword);
  CHECK(fold_header("Subject", "short") == "Subject: short");
  CHECK(fold_header("Subject", "") == "Subject:");
}

TEST_CASE("fold_header neutralises line breaks in values (no header injection)") {
  CHECK(fold_header("Subject", "hi\r\nBcc: victim@example.com") == "Subject: hi Bcc: victim@example.com");
  CHECK(fold_header("Subject", "a\r\n b") == "Subject: a b");
  CHECK(fold_header("Subject", "a\nb") == "Subject: a b");
}

TEST_CASE("prepend_header puts a folded field on top") {
  CHECK(prepend_header("Subject: x\r\n\r\nbody", "X-Test", "yes") == "X-Test: yes\r\nSubject: x\r\n\r\nbody");
}

TEST_CASE("count_lines") {
  CHECK(count_lines("") == 0);
  CHECK(count_lines("a") == 1);
  CHECK(count_lines("a\r\n") == 1);
  CHECK(count_lines("a\r\nb") == 2);
  CHECK(count_lines("a\nb\n\n") == 3);
}
