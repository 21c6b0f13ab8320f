// ASCII helpers: character classes, case mapping that leaves 8-bit bytes alone, RFC 5322 atoms.
#include <catch2/catch.hpp>

#include <string_view>

#include "protocols/common/ascii.hpp"

using namespace mailsim::proto;

TEST_CASE("ascii: character classes ignore 8-bit bytes") {
  struct Row {
    char c;
    bool alpha, digit, alnum, wsp, atext;
    int hex;
  };
  const Row rows[] = {
      {'a', true, false, true, false, true, 10},   {'Z', true, false, true, false, true, -1},
      {'9', false, true, true, false, true, 9},    {'F', true, false, true, false, true, 15},
      {' ', false, false, false, true, false, -1}, {'\t', false, false, false, true, false, -1},
      {'\r', false, false, false, false, false, -1}, {'-', false, false, false, false, true, -1},
      {'~', false, false, false, false, true, -1}, {'.', false, false, false, false, false, -1},
      {'@', false, false, false, false, false, -1}, {'\xc3', false, false, false, false, false, -1},
  };
  for (const Row& r : rows) {
    INFO("byte " << static_cast<int>(static_cast<unsigned char>(r.c)));
    CHECK(is_alpha(r.c) == r.alpha);
    CHECK(is_digit(r.c) == r.digit);
    CHECK(is_alnum(r.c) == r.alnum);
    CHECK(is_wsp(r.c) == r.wsp);
    CHECK(is_atext(r.c) == r.atext);
    CHECK(hex_value(r.c) == r.hex);
  }
}

TEST_CASE("ascii: whole-string tests") {
  struct Row {
    std::string_view s;
    bool digits, ascii, dot_atom;
  };
  const Row rows[] = {
      {"", false, true, false},          {"0123", true, true, true},
      {"12a", false, true, true},        {"first.last+tag", false, true, true},
      {".lead", false, true, false},     {"trail.", false, true, false},
      {"two..dots", false, true, false}, {"a b", false, true, false},
      {"caf\xc3\xa9", false, false, false},
  };
  for (const Row& r : rows) {
    INFO(r.s);
    CHECK(all_digits(r.s) == r.digits);
    CHECK(is_ascii(r.s) == r.ascii);
    CHECK(is_dot_atom_text(r.s) == r.dot_atom);
  }
}

TEST_CASE("ascii: case mapping and case-insensitive comparison") {
  CHECK(to_upper("Mail From:<a@b>") == "MAIL FROM:<A@B>");
  CHECK(to_lower("EHLO X.Example") == "ehlo x.example");
  CHECK(to_upper("caf\xc3\xa9") == "CAF\xc3\xa9");  // only ASCII letters change
  struct Row {
    std::string_view a, b;
    bool equal, starts, contains;  // iequals(a, b), istarts_with(a, b), icontains(a, b)
  };
  const Row rows[] = {
      {"AUTH", "auth", true, true, true},
      {"AUTH", "AUTH ", false, false, false},
      {"auth plain", "AUTH ", false, true, true},
      {"-ERR Maildrop Already Locked", "already locked", false, false, true},
      {"anything", "", false, true, true},
      {"", "", true, true, true},
      {"\xc3\xa9", "\xc3\x89", false, false, false},
  };
  for (const Row& r : rows) {
    INFO(r.a << " / " << r.b);
    CHECK(iequals(r.a, r.b) == r.equal);
    CHECK(istarts_with(r.a, r.b) == r.starts);
    CHECK(icontains(r.a, r.b) == r.contains);
  }
}
