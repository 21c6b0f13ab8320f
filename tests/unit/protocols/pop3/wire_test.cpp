// POP3 wire helpers: status lines, dot-stuffing, APOP timestamps and the hover-help texts.
#include <catch2/catch.hpp>

#include "protocols/pop3/wire.hpp"

using namespace mailsim::pop3;

TEST_CASE("parse_status reads +OK, -ERR and RFC 2449 response codes") {
  auto st = parse_status("+OK 2 320");
  REQUIRE(st);
  CHECK(st->ok);
  CHECK(st->text == "2 320");
  CHECK(st->code.empty());
  st = parse_status("-ERR [IN-USE] maildrop already locked");
  REQUIRE(st);
  CHECK(!st->ok);
  CHECK(st->code == "IN-USE");
  CHECK(st->text == "maildrop already locked");
  st = parse_status("+OK");
  REQUIRE(st);
  CHECK(st->text.empty());
  st = parse_status("-ERR");
  REQUIRE(st);
  CHECK(!st->ok);
  CHECK(!parse_status("+OKAY"));
  CHECK(!parse_status("+ok fine"));
  CHECK(!parse_status("220 ready"));
  CHECK(!parse_status(""));
}

TEST_CASE("stuffing doubles a leading dot and ends with CRLF.CRLF; unstuffing undoes it") {
  CHECK(stuff_line(".") == "..");
  CHECK(stuff_line(".hidden") == "..hidden");
  CHECK(stuff_line("a.b") == "a.b");
  CHECK(stuff_line("") == "");
  CHECK(stuff_message("a\r\n.\r\nb\r\n") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(stuff_message("x\ny") == "x\r\ny\r\n.\r\n");
  CHECK(stuff_message("") == ".\r\n");
  CHECK(unstuff_line("..") == ".");
  CHECK(unstuff_line("..x") == ".x");
  CHECK(unstuff_line("x") == "x");
  CHECK(split_message_lines("a\r\nb\nc") == std::vector<std::string_view>{"a", "b", "c"});
  CHECK(split_message_lines("a\r\n\r\n") == std::vector<std::string_view>{"a", ""});
}

TEST_CASE("APOP timestamps and digests") {
  CHECK(find_apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") ==
        "<1896.697170952@dbc.mtview.ca.us>");
  CHECK(find_apop_timestamp("pop.example POP3 server ready").empty());
  CHECK(find_apop_timestamp("ready <no-at-sign>").empty());
  CHECK(find_apop_timestamp("ready <unterminated@x").empty());
  CHECK(is_md5_hex("c4c9334bac560ecc979e58001b3e22fb"));
  CHECK(!is_md5_hex("c4c9334bac560ecc979e58001b3e22f"));
  CHECK(!is_md5_hex("c4c9334bac560ecc979e58001b3e22fz"));
}

TEST_CASE("explain_response gives plain-English meanings") {
  CHECK(explain_response("-ERR [IN-USE] maildrop already locked") ==
        "The mailbox is already open in another POP3 session (perhaps another device). POP3 lets only one "
        "session hold it at a time; try again later.");
  CHECK(explain_response("-ERR [AUTH] invalid user name or password") ==
        "The server did not accept the user name and password (or APOP digest).");
  CHECK(explain_response("-ERR [AUTH] too many failed logins, closing connection") ==
        "Too many wrong logins: the server is closing the connection.");
  CHECK(explain_response("-ERR message 2 already deleted") ==
        "That message is already marked for deletion in this session (RSET would unmark it).");
  CHECK(explain_response("-ERR no such message") == "There is no message with that number in the mailbox.");
  CHECK(explain_response("-ERR unknown command") == "The server does not know this command.");
  CHECK(explain_response("+ ").rfind("A SASL challenge (RFC 5034)", 0) == 0);
  CHECK(explain_response("+ UGFzc3dvcmQ6").rfind("AUTH LOGIN challenge \"Password:\"", 0) == 0);
  CHECK(explain_response("-ERR authentication cancelled").rfind("The client cancelled", 0) == 0);
  CHECK(explain_response("-ERR invalid SASL response").rfind("The AUTH response was not valid", 0) == 0);
  CHECK(explain_response("-ERR unsupported authentication mechanism").rfind("The server does not offer", 0) == 0);
  CHECK(explain_response("+OK SASL mechanisms follow") == "The AUTH mechanisms the server offers follow, one per line.");
  CHECK(explain_response("-ERR command line too long") == "The command line is over the 255-octet limit of RFC 2449.");
  CHECK(explain_response("-ERR STAT not valid in AUTHORIZATION state") ==
        "This command cannot be used now: some commands work only before login, others only after.");
  CHECK(explain_response("+OK message 1 deleted") ==
        "The message is marked for deletion; it is really removed only when the client says QUIT.");
  CHECK(explain_response("+OK 2 320") ==
        "Two numbers: after STAT, how many messages (2) and their total size (320 octets); after LIST n, "
        "message 2 and its size.");
  CHECK(explain_response("+OK 120 octets") ==
        "The message follows (120 octets), ending with a line holding a single dot.");
  CHECK(explain_response("+OK dewey POP3 server signing off (maildrop empty)") ==
        "Goodbye. The session has ended; messages marked for deletion have now been removed.");
  CHECK(explain_response("+OK begin TLS negotiation") ==
        "The server agrees to seal the connection with TLS before anything else is said.");
  CHECK(explain_response(".") == "End of a multi-line response: the single dot means \"that's everything\".");
  CHECK(explain_response("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>").find("APOP") != std::string::npos);
  CHECK(explain_response("+OK pop.example POP3 server ready") == "The server is ready: the client may now log in.");
  CHECK(explain_response("+OK alice's maildrop has 2 messages (50 octets)") ==
        "Logged in: the mailbox is now locked for this session and the messages in it are listed.");
  CHECK(explain_response("+OK maildrop has 2 messages (50 octets)") ==
        "All deletion marks are cleared (RSET): every message will stay on the server.");
  CHECK(explain_response("-ERR something odd") == "The command failed; the text after -ERR says why.");
  CHECK(explain_response("+OK") == "The command succeeded.");
  CHECK(!explain_response("1 120").empty());
}
