// Server extensions real clients use: AUTHENTICATE LOGIN, ID (RFC 2971), NAMESPACE (RFC 2342),
// SPECIAL-USE (RFC 6154) with the extended LIST options, and unknown commands.
#include <catch2/catch.hpp>

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
