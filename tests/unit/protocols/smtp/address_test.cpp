// Tests for SMTP envelope path parsing (RFC 5321 4.1.2, 4.5.3.1).
#include <catch2/catch.hpp>

#include "protocols/smtp/address.hpp"

using namespace mailsim::smtp;

namespace {
std::string parsed(std::string_view text, PathOptions o = {}) {
  std::string why;
  auto p = parse_path(text, o, &why);
  return p ? p->address() : "ERR: " + why;
}
}  // namespace

TEST_CASE("smtp address: plain mailbox") {
  auto p = parse_path("<alice@example.org>", {});
  REQUIRE(p);
  CHECK(p->local_part == "alice");
  CHECK(p->domain == "example.org");
  CHECK(p->address() == "alice@example.org");
  CHECK_FALSE(p->null);
}

TEST_CASE("smtp address: null reverse-path only where allowed") {
  auto p = parse_path("<>", PathOptions{true, false});
  REQUIRE(p);
  CHECK(p->null);
  CHECK(p->address().empty());
  CHECK(parsed("<>") == "ERR: empty path not allowed here");
}

TEST_CASE("smtp address: source route is accepted and dropped") {
  CHECK(parsed("<@relay.example,@hub.example:bob@example.org>") == "bob@example.org");
  CHECK(parsed("<@relay.example:bob@example.org>") == "bob@example.org");
  CHECK(parsed("<@relay.example,:bob@example.org>") == "ERR: invalid source route");
  CHECK(parsed("<@:bob@example.org>") == "ERR: invalid source route");
}

TEST_CASE("smtp address: quoted local parts") {
  CHECK(parsed("<\"john smith\"@example.org>") == "\"john smith\"@example.org");
  CHECK(parsed("<\"a\\\"b\"@example.org>") == "\"a\\\"b\"@example.org");
  CHECK(parsed("<\"a@b\"@example.org>") == "\"a@b\"@example.org");
  CHECK(parsed("<\"unterminated@example.org>") == "ERR: missing '@' between local part and domain");
}

TEST_CASE("smtp address: address literals") {
  CHECK(parsed("<root@[192.0.2.1]>") == "root@[192.0.2.1]");
  CHECK(parsed("<root@[IPv6:2001:db8::1]>") == "root@[IPv6:2001:db8::1]");
  CHECK(parsed("<root@[192.0.2.256]>") == "ERR: invalid domain");
  CHECK(parsed("<root@[nonsense]>") == "ERR: invalid domain");
}

TEST_CASE("smtp address: postmaster without a domain for RCPT only") {
  CHECK(parsed("<Postmaster>", PathOptions{false, true}) == "Postmaster");
  CHECK(parsed("<Postmaster>") == "ERR: missing '@' between local part and domain");
}

TEST_CASE("smtp address: length limits 64 / 255 / 256") {
  const std::string local64(64, 'a');
  const std::string local65(65, 'a');
  CHECK(parsed("<" + local64 + "@example.org>") == local64 + "@example.org");
  CHECK(parsed("<" + local65 + "@example.org>") == "ERR: local part longer than 64 octets");
  // The path limit counts the brackets: a 1-octet local part leaves 252 for the domain.
  const std::string label(63, 'd');
  const std::string domain252 = label + "." + label + "." + label + "." + std::string(60, 'd');
  REQUIRE(domain252.size() == 252);
  CHECK(parsed("<a@" + domain252 + ">") == "a@" + domain252);
  CHECK(parsed("<ab@" + domain252 + ">") == "ERR: path longer than 256 octets");
  const std::string domain253 = domain252 + "d";
  const std::string domain256 = domain253 + ".dd";
  REQUIRE(domain256.size() == 256);
  CHECK(parsed("<a@" + domain256 + ">") == "ERR: domain longer than 255 octets");
  CHECK(parsed("<" + local64 + "@" + domain253 + ">") == "ERR: path longer than 256 octets");
  CHECK(parsed("<@relay.example:a@" + domain253 + ">") == "ERR: path longer than 256 octets");
}

TEST_CASE("smtp address: syntax errors") {
  CHECK(parsed("alice@example.org") == "ERR: path must be enclosed in '<' and '>'");
  CHECK(parsed("<alice@example.org") == "ERR: path must be enclosed in '<' and '>'");
  CHECK(parsed("<alice>") == "ERR: missing '@' between local part and domain");
  CHECK(parsed("<@example.org>") == "ERR: invalid source route");
  CHECK(parsed("<a..b@example.org>") == "ERR: invalid local part");
  CHECK(parsed("<.a@example.org>") == "ERR: invalid local part");
  CHECK(parsed("<a b@example.org>") == "ERR: invalid local part");
  CHECK(parsed("<a@>") == "ERR: empty domain");
  CHECK(parsed("<a@-bad.example>") == "ERR: invalid domain");
  CHECK(parsed("<a@bad..example>") == "ERR: invalid domain");
  CHECK(parsed("<a@bad_underscore.example>") == "ERR: invalid domain");
}

TEST_CASE("smtp address: valid_mailbox for client jobs") {
  CHECK(valid_mailbox("alice@example.org"));
  CHECK_FALSE(valid_mailbox("alice"));
  CHECK_FALSE(valid_mailbox("<alice@example.org>"));
  CHECK_FALSE(valid_mailbox("alice@example.org\r\nRCPT TO:<x@y.z>"));
}

TEST_CASE("smtp address: split_path_argument") {
  auto a = split_path_argument("FROM:<a@b.example> SIZE=1000 BODY=8BITMIME", "FROM");
  REQUIRE(a);
  CHECK(a->path == "<a@b.example>");
  REQUIRE(a->params.size() == 2);
  CHECK(a->params[0] == std::pair<std::string, std::string>{"SIZE", "1000"});
  CHECK(a->params[1] == std::pair<std::string, std::string>{"BODY", "8BITMIME"});

  auto b = split_path_argument("from: <a@b.example>", "FROM");
  REQUIRE(b);
  CHECK(b->path == "<a@b.example>");

  auto c = split_path_argument("TO:<\"odd > name\"@b.example> x-flag", "TO");
  REQUIRE(c);
  CHECK(c->path == "<\"odd > name\"@b.example>");
  REQUIRE(c->params.size() == 1);
  CHECK(c->params[0].first == "X-FLAG");

  CHECK_FALSE(split_path_argument("FROM <a@b.example>", "FROM"));
  CHECK_FALSE(split_path_argument("TO:<a@b.example>", "FROM"));
  CHECK_FALSE(split_path_argument("FROM:", "FROM"));
  CHECK_FALSE(split_path_argument("FROM:<a@b.example", "FROM"));
  CHECK_FALSE(split_path_argument("FROM:<a@b.example>SIZE=1", "FROM"));
  CHECK_FALSE(split_path_argument("FROM:<a@b.example> SIZE=", "FROM"));
  CHECK_FALSE(split_path_argument("FROM:<a@b.example> =1", "FROM"));
  std::string many = "FROM:<a@b.example>";
  for (int i = 0; i < 17; ++i) many += " P" + std::to_string(i) + "=1";
  CHECK_FALSE(split_path_argument(many, "FROM"));
}
