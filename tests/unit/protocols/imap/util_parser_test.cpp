// Unit tests of the IMAP helpers and the command parser on their own.
#include <catch2/catch.hpp>

#include "protocols/imap/imap.hpp"

using namespace mailsim::imap;

TEST_CASE("Dates: RFC 3501 date-time and date parsing and formatting") {
  CHECK(parse_date_time("17-Jul-1996 02:44:25 -0700") == 837596665);
  CHECK(parse_date_time(" 7-Jul-1996 02:44:25 +0000") == 836707465);
  CHECK(parse_date_time("7-Jul-1996 02:44:25 +0000") == 836707465);
  CHECK(!parse_date_time("17-Jux-1996 02:44:25 -0700"));
  CHECK(!parse_date_time("17-Jul-1996 24:44:25 -0700"));
  CHECK(!parse_date_time("17-Jul-1996 02:44:25 0700"));
  CHECK(format_internal_date(837596665) == "17-Jul-1996 09:44:25 +0000");
  CHECK(format_internal_date(0) == "01-Jan-1970 00:00:00 +0000");
  CHECK(parse_date("1-Feb-1994") == days_from_civil(1994, 2, 1));
  CHECK(!parse_date("1-Feb-94"));
}

TEST_CASE("uid-set formatting and sequence sets") {
  CHECK(format_uid_set({1, 2, 3, 5, 7, 8}) == "1:3,5,7:8");
  CHECK(format_uid_set({4}) == "4");
  CHECK(format_uid_set({}).empty());
  CommandParser p("2,4:7,9,12:*");
  const SequenceSet s = p.sequence_set();
  REQUIRE(p.ok());
  CHECK(s.contains(2, 20));
  CHECK(!s.contains(3, 20));
  CHECK(s.contains(6, 20));
  CHECK(s.contains(20, 20));
  CHECK(!s.contains(11, 20));
  CHECK(s.uses_star());
  CommandParser q("7:3");
  CHECK(q.sequence_set().contains(5, 10));  // a range may be written backwards
}

TEST_CASE("Strings: quoting, literals and atoms") {
  CHECK(imap_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(imap_string("x\r\ny") == "{4}\r\nx\r\ny");
  CHECK(imap_astring("INBOX") == "INBOX");
  CHECK(imap_astring("two words") == "\"two words\"");
  CHECK(imap_astring("nil") == "\"nil\"");
  CHECK(imap_nstring("") == "NIL");
  CommandParser p("{5}\r\nhello \"q\\\"t\" atom");
  CHECK(p.astring() == "hello");
  p.sp();
  CHECK(p.astring() == "q\"t");
  p.sp();
  CHECK(p.astring() == "atom");
  p.end();
  CHECK(p.ok());
  CommandParser t("{9}\r\nabc");
  t.string();
  CHECK(t.error() == "Truncated literal");
}

TEST_CASE("Fetch attributes with sections and partials") {
  CommandParser p("(FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]<0.100> BODY[1.2.MIME] BODY[])");
  const auto atts = p.fetch_atts();
  REQUIRE(p.ok());
  REQUIRE(atts.size() == 4);
  CHECK(atts[1].kind == FetchAtt::Kind::BodySection);
  CHECK(atts[1].peek);
  CHECK(atts[1].section.spec() == "HEADER.FIELDS (FROM SUBJECT)");
  CHECK(atts[1].has_partial);
  CHECK(atts[1].partial_offset == 0);
  CHECK(atts[1].partial_count == 100);
  CHECK(atts[2].section.parts == std::vector<std::uint32_t>{1, 2});
  CHECK(atts[2].section.spec() == "1.2.MIME");
  CHECK(atts[3].section.spec().empty());
  CommandParser m("BODY[MIME]");
  m.fetch_atts();
  CHECK(m.error() == "Invalid section");  // MIME needs a part number
  CommandParser full("full");
  CHECK(full.fetch_atts().size() == 5);
}

TEST_CASE("Search program tree") {
  CommandParser p("OR (FROM bob SEEN) NOT UID 1:3 LARGER 5");
  const auto k = p.search_keys();
  REQUIRE(p.ok());
  REQUIRE(k.children.size() == 2);
  CHECK(k.children[0].kind == SearchKey::Kind::Or);
  CHECK(k.children[0].children[0].kind == SearchKey::Kind::And);
  CHECK(k.children[0].children[1].kind == SearchKey::Kind::Not);
  CHECK(k.children[1].kind == SearchKey::Kind::Larger);
  CHECK(k.children[1].number == 5);
}
