// Server extensions real clients use: AUTHENTICATE LOGIN, ID (RFC 2971), NAMESPACE (RFC 2342),
// SPECIAL-USE (RFC 6154) with the extended LIST options, and unknown commands.
#include <catch2/catch.hpp>

#include <map>

#include "imap_test_util.hpp"
#include "protocols/common/base64.hpp"

using namespace imaptest;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerConfig;
using mailsim::imap::ServerSession;
using mailsim::proto::base64_encode;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

const std::string kCapsAuth = "IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT";
const std::string kDone = "a1 OK [CAPABILITY " + kCapsAuth + "] AUTHENTICATE completed\r\n";

bool has_event(const std::vector<mailsim::proto::ProtocolEvent>& events, Kind kind, const std::string& text) {
  for (const auto& e : events)
    if (e.kind == kind && e.text == text) return true;
  return false;
}

}  // namespace

TEST_CASE("AUTHENTICATE LOGIN: two challenges, or one with the user name as SASL-IR, byte at a time") {
  const std::string user = base64_encode("alice");
  const std::string pass = base64_encode("secret");
  for (const bool bytewise : {false, true}) {
    MemoryStore store;
    fill(store);
    ServerSession s(store);
    s.take_output();
    s.take_events();
    auto say = [&](const std::string& in) { return bytewise ? talk_bytes(s, in) : talk(s, in); };
    CHECK(say("a1 AUTHENTICATE LOGIN\r\n") == "+ VXNlcm5hbWU6\r\n");
    CHECK(say(user + "\r\n") == "+ UGFzc3dvcmQ6\r\n");
    CHECK(say(pass + "\r\n") == kDone);
    CHECK(s.state() == ServerSession::State::Authenticated);
    const auto events = s.take_events();
    for (const auto& e : events) {
      CHECK(e.text.find(user) == std::string::npos);
      CHECK(e.text.find(pass) == std::string::npos);
    }
  }
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 AUTHENTICATE LOGIN " + user + "\r\n") == "+ UGFzc3dvcmQ6\r\n");
  CHECK(talk(s, pass + "\r\n") == kDone);
}

TEST_CASE("AUTHENTICATE LOGIN failures: cancel, wrong password, overlong response") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 AUTHENTICATE LOGIN\r\n*\r\n") == "+ VXNlcm5hbWU6\r\na1 BAD AUTHENTICATE cancelled\r\n");
  CHECK(talk(s, "a2 AUTHENTICATE LOGIN " + base64_encode("alice") + "\r\n" + base64_encode("nope") + "\r\n") ==
        "+ UGFzc3dvcmQ6\r\na2 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  CHECK(talk(s, "a3 AUTHENTICATE LOGIN\r\n") == "+ VXNlcm5hbWU6\r\n");
  CHECK(talk(s, std::string(9000, 'A') + "\r\n") == "a3 BAD Line too long\r\n");
  CHECK(s.state() == ServerSession::State::NotAuthenticated);
  CHECK(has_event(s.take_events(), Kind::Note, "AUTHENTICATE LOGIN failed for alice"));
  // The session is still usable.
  CHECK(talk(s, "a4 LOGIN alice secret\r\n").rfind("a4 OK", 0) == 0);
}

TEST_CASE("ID (RFC 2971): NIL or pairs in any state, limits, our name back") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  s.take_events();
  CHECK(talk(s, "a1 ID NIL\r\n") == "* ID (\"name\" \"mailsim\")\r\na1 OK ID completed\r\n");
  CHECK(talk_bytes(s, "a2 ID (\"name\" \"Thunderbird\" \"version\" \"128.5.0\" \"os\" NIL)\r\n") ==
        "* ID (\"name\" \"mailsim\")\r\na2 OK ID completed\r\n");
  CHECK(talk(s, "a3 id ()\r\n") == "* ID (\"name\" \"mailsim\")\r\na3 OK ID completed\r\n");
  const auto events = s.take_events();
  CHECK(has_event(events, Kind::Note, "client sent no identification (ID NIL)"));
  CHECK(has_event(events, Kind::Note, "client identified itself: name=Thunderbird, version=128.5.0, os=NIL"));

  CHECK(talk(s, "b1 ID\r\n") == "b1 BAD Missing argument\r\n");
  CHECK(talk(s, "b2 ID (\"name\")\r\n") == "b2 BAD Expected a space\r\n");
  CHECK(talk(s, "b3 ID (\"name\" foo)\r\n") == "b3 BAD Expected a string or NIL as an ID value\r\n");
  CHECK(talk(s, "b4 ID FOO\r\n") == "b4 BAD ID takes a parenthesised list or NIL\r\n");
  CHECK(talk(s, "b5 ID (\"" + std::string(31, 'f') + "\" \"v\")\r\n") == "b5 BAD ID field longer than 30 octets\r\n");
  CHECK(talk(s, "b6 ID (\"f\" \"" + std::string(1025, 'v') + "\")\r\n") == "b6 BAD ID value longer than 1024 octets\r\n");
  std::string many = "b7 ID (";
  for (int i = 0; i < 31; ++i) many += (i ? " " : "") + std::string("\"f") + std::to_string(i) + "\" \"v\"";
  CHECK(talk(s, many + ")\r\n") == "b7 BAD More than 30 ID field-value pairs\r\n");
  CHECK(has_event(s.take_events(), Kind::ProtocolError, "ID takes a parenthesised list or NIL"));
  // Still usable after all that; ID works once logged in and selected too.
  CHECK(talk(s, "c1 LOGIN alice secret\r\nc2 SELECT INBOX\r\n").find("c2 OK") != std::string::npos);
  CHECK(talk(s, "c3 ID NIL\r\n") == "* ID (\"name\" \"mailsim\")\r\nc3 OK ID completed\r\n");
}

TEST_CASE("NAMESPACE (RFC 2342): one personal namespace, only after login") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 NAMESPACE\r\n") == "a1 BAD NAMESPACE is not allowed in the NOT-AUTHENTICATED state\r\n");
  talk(s, "a2 LOGIN alice secret\r\n");
  CHECK(talk(s, "a3 NAMESPACE\r\n") == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\na3 OK NAMESPACE completed\r\n");
  CHECK(talk(s, "a4 NAMESPACE x\r\n").rfind("a4 BAD", 0) == 0);
}

TEST_CASE("SPECIAL-USE (RFC 6154): attributes on LIST, the selection and return options") {
  LoggedIn s;
  CHECK(s("a1 CREATE Sent\r\na2 CREATE Drafts\r\na3 CREATE junk\r\n") ==
        "a1 OK CREATE completed\r\na2 OK CREATE completed\r\na3 OK CREATE completed\r\n");
  const std::string all =
      "* LIST (\\HasChildren \\Archive) \"/\" Archive\r\n"
      "* LIST (\\HasNoChildren) \"/\" Archive/2023\r\n"
      "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
      "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
      "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
      "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
      "* LIST (\\HasNoChildren \\Junk) \"/\" junk\r\n";
  CHECK(s("b1 LIST \"\" *\r\n") == all + "b1 OK LIST completed\r\n");
  CHECK(s("b2 LIST \"\" * RETURN (SPECIAL-USE)\r\n") == all + "b2 OK LIST completed\r\n");
  // Thunderbird's question: only the special-use mailboxes.
  CHECK(s("b3 LIST (SPECIAL-USE) \"\" \"*\"\r\n") ==
        "* LIST (\\HasChildren \\Archive) \"/\" Archive\r\n"
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "* LIST (\\HasNoChildren \\Junk) \"/\" junk\r\n"
        "b3 OK LIST completed\r\n");
  CHECK(s("b4 LIST (special-use) \"\" \"%\" RETURN (SPECIAL-USE CHILDREN)\r\n").find("b4 OK LIST completed") !=
        std::string::npos);
  CHECK(s("b5 LIST () \"\" \"S*\"\r\n") == "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\nb5 OK LIST completed\r\n");
  CHECK(s("b6 SUBSCRIBE Sent\r\n") == "b6 OK SUBSCRIBE completed\r\n");
  CHECK(s("b7 LIST \"\" \"S*\" RETURN (SUBSCRIBED)\r\n") ==
        "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent\r\nb7 OK LIST completed\r\n");
  // LSUB keeps its RFC 3501 form.
  CHECK(s("b8 LSUB \"\" \"S*\"\r\n") == "* LSUB () \"/\" Sent\r\nb8 OK LSUB completed\r\n");
  // Options we do not have are refused, not ignored.
  CHECK(s("c1 LIST (REMOTE) \"\" *\r\n") == "c1 BAD Unsupported LIST selection option REMOTE\r\n");
  CHECK(s("c2 LIST \"\" * RETURN (STATUS (MESSAGES))\r\n") == "c2 BAD Unsupported LIST return option STATUS\r\n");
  CHECK(s("c3 LIST \"\" (INBOX Sent)\r\n") == "c3 BAD Lists of mailbox patterns are not supported\r\n");
  CHECK(s("c4 LIST \"\" * RETRUN (SPECIAL-USE)\r\n") == "c4 BAD Expected RETURN\r\n");
  CHECK(s("c5 LIST (SPECIAL-USE \"\" *\r\n").rfind("c5 BAD", 0) == 0);
}

TEST_CASE("commands mainstream clients may send that are not implemented get BAD and a ProtocolError") {
  Selected s;
  // ENABLE (RFC 5161), GETQUOTAROOT (RFC 2087), XLIST (Gmail), COMPRESS (RFC 4978), GETMETADATA
  // (RFC 5464): none is advertised, and each is refused at once instead of left waiting.
  for (const std::string verb : {"ENABLE QRESYNC", "GETQUOTAROOT INBOX", "XLIST \"\" *", "COMPRESS DEFLATE",
                                 "GETMETADATA \"\" /shared/comment", "XAPPLEPUSHSERVICE"}) {
    INFO(verb);
    const std::string first = verb.substr(0, verb.find(' '));
    CHECK(s("t " + verb + "\r\n") == "t BAD Unknown command " + first + "\r\n");
    CHECK(has_event(s.server.take_events(), Kind::ProtocolError, "Unknown command " + first));
  }
  CHECK(s("u NOOP\r\n") == "u OK NOOP completed\r\n");
}

namespace {

// Feeds a client's lines (byte at a time) and returns the tagged status word of each tag.
std::map<std::string, std::string> tagged_statuses(ServerSession& s, const std::vector<std::string>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& line : lines) {
    const std::string reply = talk_bytes(s, line + "\r\n");
    std::size_t at = 0;
    while (at < reply.size()) {
      const std::size_t end = reply.find("\r\n", at);
      const std::string l = reply.substr(at, end - at);
      at = end == std::string::npos ? reply.size() : end + 2;
      const std::size_t sp = l.find(' ');
      if (l.empty() || l[0] == '*' || l[0] == '+' || sp == std::string::npos) continue;
      const std::size_t sp2 = l.find(' ', sp + 1);
      out[l.substr(0, sp)] = l.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a Thunderbird-shaped and a mutt-shaped session: every command answered, none refused") {
  // The commands as these clients write them when the server advertises what ours does
  // (case, quoting and item lists as in their protocol logs).
  const std::vector<std::string> thunderbird = {
      "1 capability",
      "2 ID (\"name\" \"Thunderbird\" \"version\" \"128.5.0\")",
      "3 authenticate PLAIN",
      "AGFsaWNlAHNlY3JldA==",
      "4 namespace",
      "5 list (special-use) \"\" \"*\"",
      "6 lsub \"\" \"*\"",
      "7 list \"\" \"INBOX\"",
      "8 select \"INBOX\"",
      "9 UID fetch 1:* (FLAGS)",
      "10 UID fetch 1:3 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID "
      "Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])",
      "11 IDLE",
      "DONE",
      "12 UID fetch 2 (UID RFC822.SIZE BODY.PEEK[])",
      "13 uid store 2 +Flags (\\Seen)",
      "14 STATUS \"Trash\" (UIDNEXT MESSAGES UNSEEN RECENT)",
      "15 UID copy 1 \"Trash\"",
      "16 logout"};
  MemoryStore store;
  fill(store);
  ServerSession tb(store);
  tb.take_output();
  auto got = tagged_statuses(tb, thunderbird);
  for (int i = 1; i <= 16; ++i) {
    INFO("Thunderbird command " << i);
    CHECK(got[std::to_string(i)] == "OK");
  }
  const std::vector<std::string> mutt = {
      "a0000 CAPABILITY",
      "a0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
      "a0002 LIST \"\" \"\"",
      "a0003 LSUB \"\" \"*\"",
      "a0004 SELECT \"INBOX\"",
      "a0005 FETCH 1:3 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER SUBJECT TO CC "
      "MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES LIST-POST X-LABEL "
      "X-ORIGINAL-TO)])",
      "a0006 UID FETCH 3 BODY.PEEK[]",
      "a0007 UID STORE 3 +FLAGS.SILENT (\\Seen)",
      "a0008 NOOP",
      "a0009 CLOSE",
      "a0010 LOGOUT"};
  MemoryStore store2;
  fill(store2);
  ServerSession mu(store2);
  mu.take_output();
  got = tagged_statuses(mu, mutt);
  for (int i = 0; i <= 10; ++i) {
    const std::string tag = "a000" + std::to_string(i);
    INFO("mutt command " << i);
    CHECK(got[i == 10 ? "a0010" : tag] == "OK");
  }
}

TEST_CASE("a server identity: greeting text, CAPABILITY choice and order, untagged capabilities after login") {
  MemoryStore store;
  fill(store);
  ServerConfig c;
  c.starttls_available = false;
  c.greeting = "Dovecot (Debian) ready.";
  c.implementation = "Dovecot";
  c.capabilities = {"IMAP4rev1", "SASL-IR", "ID", "IDLE", "UNSELECT", "NAMESPACE", "UIDPLUS", "MOVE",
                    "LITERAL+", "SPECIAL-USE", "AUTH=PLAIN", "AUTH=LOGIN"};
  c.untagged_capabilities_after_login = true;
  ServerSession s(store, c);
  CHECK(s.take_output() ==
        "* OK [CAPABILITY IMAP4rev1 SASL-IR ID IDLE UNSELECT NAMESPACE UIDPLUS MOVE LITERAL+ SPECIAL-USE AUTH=PLAIN "
        "AUTH=LOGIN] Dovecot (Debian) ready.\r\n");
  CHECK(talk(s, "a1 ID NIL\r\n") == "* ID (\"name\" \"Dovecot\")\r\na1 OK ID completed\r\n");
  CHECK(talk(s, "a2 LOGIN alice secret\r\n") ==
        "* CAPABILITY IMAP4rev1 SASL-IR ID IDLE UNSELECT NAMESPACE UIDPLUS MOVE LITERAL+ SPECIAL-USE\r\n"
        "a2 OK LOGIN completed\r\n");
  // Without an identity: mailsim's own order, and the capabilities as a response code.
  ServerSession plain(store);
  plain.take_output();
  CHECK(talk(plain, "b1 LOGIN alice secret\r\n") == "b1 OK [CAPABILITY " + kCapsAuth + "] LOGIN completed\r\n");
}
