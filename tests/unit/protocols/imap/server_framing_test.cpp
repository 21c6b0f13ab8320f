// Server command framing: literals (split, non-synchronising, too large), limits, syntax errors.
#include <catch2/catch.hpp>

#include "imap_test_util.hpp"

using namespace imaptest;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerSession;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

const std::string kLoginOk =
    "a1 OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT] LOGIN completed\r\n";

struct Fresh {
  MemoryStore store;
  ServerSession server;
  Fresh() : server(init(store)) { server.take_output(); }
  static MemoryStore& init(MemoryStore& s) {
    fill(s);
    return s;
  }
  std::string operator()(std::string_view in) { return talk(server, in); }
};

bool has_protocol_error(ServerSession& s) {
  for (const auto& e : s.take_events())
    if (e.kind == Kind::ProtocolError) return true;
  return false;
}

}  // namespace

TEST_CASE("Synchronising literals split across reads get a continuation each") {
  Fresh f;
  CHECK(f("a1 LOGIN {5}\r\n") == "+ Ready for literal data\r\n");
  CHECK(f("ali").empty());
  CHECK(f("ce {6}").empty());
  CHECK(f("\r\n") == "+ Ready for literal data\r\n");
  CHECK(f("sec").empty());
  CHECK(f("ret").empty());
  CHECK(f("\r\n") == kLoginOk);
  CHECK(f.server.state() == ServerSession::State::Authenticated);
}

TEST_CASE("A literal's bytes are data, not syntax (CRLF and parentheses inside)") {
  LoggedIn s;
  const std::string msg = "Subject: (odd) {3}\r\n\r\nline one\r\na2 NOOP\r\n";
  const std::string out =
      s("a2 APPEND Trash (\\Flagged) \"01-Jan-2020 10:00:00 +0100\" {" +
        std::to_string(msg.size()) + "}\r\n");
  CHECK(out == "+ Ready for literal data\r\n");
  CHECK(s(msg + "\r\n") == "a2 OK [APPENDUID 2 1] APPEND completed\r\n");
  const auto snap = s.store.snapshot("alice", "Trash");
  REQUIRE(snap->messages.size() == 1);
  CHECK(snap->messages[0].flags == mailsim::imap::FlagSet{"\\Flagged"});
  CHECK(snap->messages[0].internal_date == 1577869200);  // 2020-01-01T09:00:00Z
  CHECK(*s.store.message_bytes("alice", "Trash", 1) == msg);
}

TEST_CASE("Non-synchronising literals (LITERAL+) need no continuation") {
  Fresh f;
  CHECK(f("a1 LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n") == kLoginOk);
}

TEST_CASE("Non-synchronising literal fed one byte at a time") {
  Fresh f;
  CHECK(talk_bytes(f.server, "a1 LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n") == kLoginOk);
}

TEST_CASE("A literal announced at 2 GB is refused before any allocation") {
  LoggedIn s;
  CHECK(s("a2 APPEND INBOX {2147483648}\r\n") ==
        "a2 NO [TOOBIG] Literal of 2147483648 octets is over the limit of 10485760\r\n");
  CHECK(has_protocol_error(s.server));
  // The client was refused, sends no literal: the connection goes on.
  CHECK(s("a3 NOOP\r\n") == "a3 OK NOOP completed\r\n");
  CHECK(s("a4 SELECT INBOX\r\n").find("a4 OK [READ-WRITE]") != std::string::npos);
}

TEST_CASE("A literal far too large for 64 bits is refused too") {
  LoggedIn s;
  CHECK(s("a2 APPEND INBOX {99999999999999999999999}\r\n") ==
        "a2 NO [TOOBIG] Literal of 18446744073709551615 octets is over the limit of 10485760\r\n");
  CHECK(s("a3 NOOP\r\n") == "a3 OK NOOP completed\r\n");
}

TEST_CASE("A too-large non-synchronising literal is skipped with the rest of its command") {
  Fresh f;
  // 64 KiB is the limit outside APPEND; the client sends the literal anyway.
  CHECK(f("a1 LOGIN alice {70000+}\r\n") ==
        "a1 BAD [TOOBIG] Literal of 70000 octets is over the limit of 65536\r\n");
  const std::string junk(70000, 'x');
  for (std::size_t i = 0; i < junk.size(); i += 4096) CHECK(f(junk.substr(i, 4096)).empty());
  // The rest of the command line after the literal, then a new command.
  CHECK(f(" more {3+}\r\nabc\r\na2 NOOP\r\n") == "a2 OK NOOP completed\r\n");
  CHECK(f("a3 LOGIN alice secret\r\n").find("a3 OK") == 0);
}

TEST_CASE("A 2 GB non-synchronising literal is swallowed without buffering") {
  LoggedIn s;
  CHECK(s("a2 APPEND INBOX {2147483648+}\r\n") ==
        "a2 BAD [TOOBIG] Literal of 2147483648 octets is over the limit of 10485760\r\n");
  const std::string chunk(1 << 20, 'y');
  for (int i = 0; i < 8; ++i) CHECK(s(chunk).empty());
  CHECK(s("a3 NOOP\r\n").empty());  // still inside the announced literal
}

TEST_CASE("Literals of one command may not add up past the limit") {
  Fresh f;
  CHECK(f("a1 LOGIN {40000+}\r\n").empty());
  CHECK(f(std::string(40000, 'u')).empty());
  CHECK(f(" {40000}\r\n") ==
        "a1 NO [TOOBIG] Literal of 40000 octets is over the limit of 65536\r\n");
  CHECK(f("a2 NOOP\r\n") == "a2 OK NOOP completed\r\n");
}

TEST_CASE("A command line over 8 KiB is refused and the session goes on") {
  Fresh f;
  CHECK(f("a1 NOOP " + std::string(9000, 'A') + "\r\n") == "* BAD Command line too long\r\n");
  CHECK(has_protocol_error(f.server));
  CHECK(f("a2 NOOP\r\n") == "a2 OK NOOP completed\r\n");
  // Byte at a time: the reader never holds more than the limit.
  CHECK(talk_bytes(f.server, "a3 NOOP " + std::string(9000, 'B') + "\r\na4 NOOP\r\n") ==
        "* BAD Command line too long\r\na4 OK NOOP completed\r\n");
}

TEST_CASE("A command whose lines add up past 64 KiB is refused") {
  LoggedIn s;
  s("S SELECT INBOX\r\n");
  std::string cmd = "a2 SEARCH TEXT {1+}\r\nx";
  for (int i = 0; i < 10; ++i) cmd += " TEXT " + std::string(7000, 'A') + " TEXT {1+}\r\nx";
  cmd += "\r\n";
  CHECK(s(cmd) == "a2 BAD Command too long\r\n");
  CHECK(s("a3 NOOP\r\n") == "a3 OK NOOP completed\r\n");
}

TEST_CASE("Unknown commands, bad tags and empty lines get BAD") {
  Fresh f;
  CHECK(f("a1 FROBNICATE\r\n") == "a1 BAD Unknown command FROBNICATE\r\n");
  CHECK(has_protocol_error(f.server));
  CHECK(f("+x NOOP\r\n") == "* BAD Missing or invalid tag\r\n");
  CHECK(f("\r\n") == "* BAD Empty command line\r\n");
  CHECK(f("a1\r\n") == "* BAD Missing or invalid tag\r\n");
  CHECK(f("a1 \r\n") == "a1 BAD Missing command\r\n");
  CHECK(f("a2 NOOP extra\r\n") == "a2 BAD Unexpected characters after the command\r\n");
  CHECK(f("a3 noop\r\n") == "a3 OK NOOP completed\r\n");
}

TEST_CASE("Commands in the wrong state get BAD") {
  Fresh f;
  CHECK(f("a1 SELECT INBOX\r\n") ==
        "a1 BAD SELECT is not allowed in the NOT-AUTHENTICATED state\r\n");
  CHECK(f("a2 FETCH 1 FLAGS\r\n") ==
        "a2 BAD FETCH is not allowed in the NOT-AUTHENTICATED state\r\n");
  CHECK(f("a3 IDLE\r\n") == "a3 BAD IDLE is not allowed in the NOT-AUTHENTICATED state\r\n");
  CHECK(f("a4 LOGIN alice secret\r\n").find("a4 OK") == 0);
  CHECK(f("a5 LOGIN alice secret\r\n") ==
        "a5 BAD LOGIN is not allowed in the AUTHENTICATED state\r\n");
  CHECK(f("a6 STARTTLS\r\n") == "a6 BAD STARTTLS is not allowed in the AUTHENTICATED state\r\n");
  CHECK(f("a7 UID FETCH 1 FLAGS\r\n") ==
        "a7 BAD UID is not allowed in the AUTHENTICATED state\r\n");
  CHECK(f("a8 EXPUNGE\r\n") == "a8 BAD EXPUNGE is not allowed in the AUTHENTICATED state\r\n");
  CHECK(f("a9 CLOSE\r\n") == "a9 BAD CLOSE is not allowed in the AUTHENTICATED state\r\n");
}

TEST_CASE("Malformed nesting: unbalanced parentheses and depth over the limit") {
  Selected s;
  CHECK(s("a1 SEARCH (ALL\r\n") == "a1 BAD Missing ')' in the search keys\r\n");
  CHECK(s("a2 SEARCH ALL)\r\n") == "a2 BAD Unexpected characters after the command\r\n");
  CHECK(s("a3 FETCH 1 (FLAGS UID\r\n") == "a3 BAD Missing ')' after the fetch attributes\r\n");
  CHECK(s("a4 FETCH 1 ((FLAGS))\r\n") == "a4 BAD Expected a fetch attribute\r\n");
  CHECK(s("a5 STORE 1 FLAGS (\\Seen\r\n") == "a5 BAD Missing ')' after the flag list\r\n");
  CHECK(s("a6 FETCH 1 BODY[HEADER.FIELDS (FROM]\r\n") ==
        "a6 BAD Missing ')' after the header list\r\n");
  const std::string ok32 = std::string(32, '(') + "ALL" + std::string(32, ')');
  CHECK(s("a7 SEARCH " + ok32 + "\r\n") == "* SEARCH 1 2 3\r\na7 OK SEARCH completed\r\n");
  const std::string deep33 = std::string(33, '(') + "ALL" + std::string(33, ')');
  CHECK(s("a8 SEARCH " + deep33 + "\r\n") == "a8 BAD Search keys nested too deeply\r\n");
  std::string nots;
  for (int i = 0; i < 2000; ++i) nots += "NOT ";
  CHECK(s("a9 SEARCH " + nots + "ALL\r\n") == "a9 BAD Search keys nested too deeply\r\n");
  CHECK(s("b1 NOOP\r\n") == "b1 OK NOOP completed\r\n");
}

TEST_CASE("Numbers too large for 32 bits and bad sequence sets get BAD") {
  Selected s;
  CHECK(s("a1 FETCH 4294967296 FLAGS\r\n") == "a1 BAD Number too large\r\n");
  CHECK(s("a2 SEARCH LARGER 99999999999\r\n") == "a2 BAD Number too large\r\n");
  CHECK(s("a3 FETCH 0 FLAGS\r\n") == "a3 BAD Zero is not allowed here\r\n");
  CHECK(s("a4 FETCH 1:x FLAGS\r\n") == "a4 BAD Invalid sequence set\r\n");
  CHECK(s("a5 FETCH 4 FLAGS\r\n") == "a5 BAD Invalid message sequence number\r\n");
  CHECK(s("a6 FETCH 1, FLAGS\r\n") == "a6 BAD Invalid sequence set\r\n");
  CHECK(s("a7 UID FETCH 4294967295 FLAGS\r\n") == "a7 OK UID FETCH completed\r\n");
  CHECK(s("a8 FETCH 4294967295 FLAGS\r\n") == "a8 BAD Invalid message sequence number\r\n");
}

TEST_CASE("Quoted strings: escapes accepted, bad escapes and unterminated strings refused") {
  MemoryStore store;
  store.add_user("a\"b\\c", "p w");
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 LOGIN \"a\\\"b\\\\c\" \"p\\x\"\r\n") ==
        "a1 BAD Invalid escape in quoted string\r\n");
  CHECK(talk(s, "a2 LOGIN \"a\\\"b\\\\c\" \"p w\r\n") == "a2 BAD Unterminated quoted string\r\n");
  CHECK(talk(s, "a3 LOGIN alice\r\n") == "a3 BAD Missing argument\r\n");
  CHECK(talk(s, "a4 LOGIN \"a\\\"b\\\\c\" \"p w\"\r\n").find("a4 OK") == 0);
}

TEST_CASE("Bad arguments get exact BAD replies") {
  Selected s;
  CHECK(s("a1 FETCH 1 FLAGZ\r\n") == "a1 BAD Unknown fetch attribute FLAGZ\r\n");
  CHECK(s("a2 FETCH 1 BODY[FOO]\r\n") == "a2 BAD Invalid section\r\n");
  CHECK(s("a3 FETCH 1 BODY.PEEK\r\n") == "a3 BAD Expected '[' after BODY.PEEK\r\n");
  CHECK(s("a4 FETCH 1 BODY[]<5>\r\n") == "a4 BAD Invalid partial\r\n");
  CHECK(s("a5 SEARCH FOO\r\n") == "a5 BAD Unknown search key FOO\r\n");
  CHECK(s("a6 SEARCH SINCE 32-Jan-2020\r\n") == "a6 BAD Invalid date\r\n");
  CHECK(s("a7 STORE 1 FLAGS (\\Recent)\r\n") == "a7 BAD \\Recent cannot be set\r\n");
  CHECK(s("a8 STORE 1 XFLAGS (\\Seen)\r\n") == "a8 BAD Unknown STORE item XFLAGS\r\n");
  CHECK(s("a9 STATUS INBOX (MESSAGES BOGUS)\r\n") == "a9 BAD Unknown status item BOGUS\r\n");
  CHECK(s("b1 APPEND INBOX \"bad date\" {1+}\r\nx\r\n") == "b1 BAD Invalid date-time\r\n");
  CHECK(s("b2 APPEND INBOX hello\r\n") == "b2 BAD Expected a literal with the message\r\n");
  CHECK(s("b3 UID FROB 1\r\n") == "b3 BAD Unknown UID command FROB\r\n");
  CHECK(s("b4 SEARCH\r\n") == "b4 BAD Missing argument\r\n");
}
