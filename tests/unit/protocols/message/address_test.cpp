// Address lists (RFC 5322 3.4 and its appendix A examples), addr-spec checks and formatting.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/message/message.hpp"

using namespace mailsim::message;

TEST_CASE("address list: display names, quoted strings with commas, bare addr-spec") {
  const auto list = parse_address_list("A <a@x>, \"B, C\" <b@y>, c@z");
  REQUIRE(list.size() == 3);
  CHECK(list[0].display_name == "A");
  CHECK(list[0].address() == "a@x");
  CHECK(list[1].display_name == "B, C");
  CHECK(list[1].local_part == "b");
  CHECK(list[1].domain == "y");
  CHECK(list[2].display_name.empty());
  CHECK(list[2].address() == "c@z");
}

TEST_CASE("address list: RFC 5322 A.1.2 examples") {
  auto to = parse_address_list("\"Mary Smith: Personal Account\" <smith@home.example>");
  REQUIRE(to.size() == 1);
  CHECK(to[0].display_name == "Mary Smith: Personal Account");
  CHECK(to[0].address() == "smith@home.example");

  auto cc = parse_address_list("John Doe <jdoe@machine.example>, Mary Smith <mary@example.net>");
  REQUIRE(cc.size() == 2);
  CHECK(cc[0].display_name == "John Doe");
  CHECK(cc[1].address() == "mary@example.net");

  auto q = parse_address_list("John Q. Public <jqp@x.test>");
  REQUIRE(q.size() == 1);
  CHECK(q[0].display_name == "John Q. Public");
}

TEST_CASE("address list: comments are ignored (RFC 5322 A.5)") {
  auto from = parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
  REQUIRE(from.size() == 1);
  CHECK(from[0].display_name == "Pete");
  CHECK(from[0].address() == "pete@silly.test");

  auto to = parse_address_list(
      "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
      "         joe@example.org,\r\n  John <jdoe@one.test> (my dpt); (the end)");
  REQUIRE(to.size() == 3);
  CHECK(to[0].display_name == "Chris Jones");
  CHECK(to[0].address() == "c@public.example");
  CHECK(to[1].address() == "joe@example.org");
  CHECK(to[2].display_name == "John");
  CHECK(to[2].address() == "jdoe@one.test");
}

TEST_CASE("address list: groups are kept by parse_addresses") {
  const auto all = parse_addresses(
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, undisclosed-recipients:;, last@x.test");
  REQUIRE(all.size() == 3);
  CHECK(all[0].is_group);
  CHECK(all[0].group_name == "A Group");
  REQUIRE(all[0].members.size() == 3);
  CHECK(all[0].members[0].display_name == "Ed Jones");
  CHECK(all[0].members[2].address() == "jdoe@one.test");
  CHECK(all[1].is_group);
  CHECK(all[1].group_name == "undisclosed-recipients");
  CHECK(all[1].members.empty());
  CHECK_FALSE(all[2].is_group);
  CHECK(all[2].mailbox.address() == "last@x.test");
  // Flattened: group members inline, empty groups contribute nothing.
  CHECK(parse_address_list("undisclosed-recipients:;").empty());
  CHECK(parse_address_list("G: a@x, b@y;").size() == 2);
}

TEST_CASE("address list: encoded-word display names are decoded to UTF-8") {
  auto l = parse_address_list("=?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>, "
                              "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>");
  REQUIRE(l.size() == 2);
  CHECK(l[0].display_name == "\xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA\xE9\x83\x8E");  // 山田太郎
  CHECK(l[1].display_name == "Keld J\xC3\xB8rn Simonsen");
}

TEST_CASE("address list: quoted local parts, literals, obsolete routes, odd input") {
  auto l = parse_address_list("\"john doe\"@example.com, <@relay.test:user@final.test>, x@[192.0.2.1]");
  REQUIRE(l.size() == 3);
  CHECK(l[0].local_part == "john doe");
  CHECK(l[0].address() == "\"john doe\"@example.com");
  CHECK(l[1].address() == "user@final.test");
  CHECK(l[2].domain == "[192.0.2.1]");

  CHECK(parse_address_list("").empty());
  CHECK(parse_address_list(" , ,, ").empty());
  auto p = parse_address_list("postmaster");
  REQUIRE(p.size() == 1);
  CHECK(p[0].address() == "postmaster");
  // Unterminated pieces degrade without throwing.
  auto u = parse_address_list("\"Unclosed <a@b>, c@d");
  CHECK(u.size() <= 2);
  auto v = parse_address_list("Name <a@b, c@d");
  REQUIRE(v.size() == 2);
  CHECK(v[0].address() == "a@b");
  CHECK(v[1].address() == "c@d");
  CHECK(parse_address_list("<>").empty());
}

TEST_CASE("address list: at most kMaxAddresses mailboxes") {
  std::string many;
  for (std::size_t i = 0; i < kMaxAddresses + 10; ++i) many += "u" + std::to_string(i) + "@x.test, ";
  CHECK(parse_address_list(many).size() == kMaxAddresses);
}

TEST_CASE("is_valid_addr_spec and split_address") {
  CHECK(is_valid_addr_spec("alice@example.com"));
  CHECK(is_valid_addr_spec("first.last+tag@sub.example.co.jp"));
  CHECK(is_valid_addr_spec("\"john doe\"@example.com"));
  CHECK(is_valid_addr_spec("user@[192.0.2.1]"));
  CHECK_FALSE(is_valid_addr_spec("alice"));
  CHECK_FALSE(is_valid_addr_spec("@example.com"));
  CHECK_FALSE(is_valid_addr_spec("alice@"));
  CHECK_FALSE(is_valid_addr_spec("a..b@example.com"));
  CHECK_FALSE(is_valid_addr_spec(".a@example.com"));
  CHECK_FALSE(is_valid_addr_spec("a b@example.com"));
  CHECK_FALSE(is_valid_addr_spec("alice@exa mple.com"));
  CHECK_FALSE(is_valid_addr_spec("<alice@example.com>"));
  CHECK(is_valid_addr_spec(std::string(64, 'a') + "@x.test"));
  CHECK_FALSE(is_valid_addr_spec(std::string(65, 'a') + "@x.test"));
  CHECK_FALSE(is_valid_addr_spec("a@" + std::string(256, 'd')));

  CHECK(split_address("alice@example.com") == std::make_pair(std::string("alice"), std::string("example.com")));
  CHECK(split_address("\"a@b\"@c") == std::make_pair(std::string("\"a@b\""), std::string("c")));
  CHECK(split_address("postmaster") == std::make_pair(std::string("postmaster"), std::string()));
}

TEST_CASE("format_mailbox quotes or encodes display names as needed") {
  CHECK(format_mailbox("", "a@x") == "a@x");
  CHECK(format_mailbox("Alice Example", "a@x") == "Alice Example <a@x>");
  CHECK(format_mailbox("Doe, John", "j@x") == "\"Doe, John\" <j@x>");
  CHECK(format_mailbox("say \"hi\"", "j@x") == "\"say \\\"hi\\\"\" <j@x>");
  const std::string jp = format_mailbox("\xE5\xB1\xB1\xE7\x94\xB0 \xE5\xA4\xAA\xE9\x83\x8E", "taro@example.jp");
  CHECK(jp == "=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@example.jp>");
  // Round trip through the parser.
  for (const std::string name : {"Alice Example", "Doe, John", "say \"hi\"", "\xE5\xB1\xB1\xE7\x94\xB0 \xE5\xA4\xAA\xE9\x83\x8E",
                                 "Ren\xC3\xA9, the =?odd?= one"}) {
    const auto back = parse_address_list(format_mailbox(name, "u@example.org"));
    REQUIRE(back.size() == 1);
    CHECK(back[0].display_name == name);
    CHECK(back[0].address() == "u@example.org");
  }
}
