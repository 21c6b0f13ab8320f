// RFC 3501 section 8 sample dialogue, replayed against the server (whole and byte by byte).
#include <catch2/catch.hpp>

#include "imap_test_util.hpp"

using namespace imaptest;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerSession;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

std::string crlf(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (auto l : lines) {
    out += l;
    out += "\r\n";
  }
  return out;
}

// The RFC's mailbox had 18 messages; ours has the three sample messages of mrc.
void fill_mrc(MemoryStore& store) {
  store.add_user("mrc", "secret");
  store.deliver("mrc", "INBOX", kMsg1, kDate1, {"\\Seen"});
  store.deliver("mrc", "INBOX", kMsg2, kDate2);
  store.deliver("mrc", "INBOX", kMsg3, kDate3);
}

// mrc's mailbox and a fresh session on it (the greeting not yet read).
struct MrcStore {
  MemoryStore store;
  MrcStore() { fill_mrc(store); }
};
struct MrcSession : MrcStore {
  ServerSession s{store};
};

const std::string kEnvelope1 =
    "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Lunch\" ((\"Bob Example\" NIL \"bob\" \"example.org\")) "
    "((\"Bob Example\" NIL \"bob\" \"example.org\")) ((\"Bob Example\" NIL \"bob\" "
    "\"example.org\")) ((\"Alice\" NIL \"alice\" \"example.net\")) NIL NIL NIL "
    "\"<1@example.org>\")";

const std::string kHeader1 =
    "From: Bob Example <bob@example.org>\r\n"
    "To: Alice <alice@example.net>\r\n"
    "Subject: Lunch\r\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n";

struct Step {
  std::string client;
  std::string server;
};

std::vector<Step> dialogue() {
  return {
      {"a001 login mrc secret\r\n",
       "a001 OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT] LOGIN "
       "completed\r\n"},
      {"a002 select inbox\r\n",
       crlf({"* 3 EXISTS", "* 3 RECENT", "* OK [UNSEEN 2] Message 2 is the first unseen",
             "* OK [UIDVALIDITY 1] UIDs valid", "* OK [UIDNEXT 4] Predicted next UID",
             "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
             "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
             "permitted",
             "a002 OK [READ-WRITE] SELECT completed"})},
      {"a003 fetch 1 full\r\n",
       "* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \"08-Feb-1994 05:52:25 +0000\" "
       "RFC822.SIZE 177 ENVELOPE " +
           kEnvelope1 +
           " BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 24 1))\r\n"
           "a003 OK FETCH completed\r\n"},
      {"a004 fetch 1 body[header]\r\n",
       "* 1 FETCH (BODY[HEADER] {153}\r\n" + kHeader1 + ")\r\na004 OK FETCH completed\r\n"},
      {"a005 store 1 +flags \\deleted\r\n",
       "* 1 FETCH (FLAGS (\\Deleted \\Seen \\Recent))\r\na005 OK STORE completed\r\n"},
      {"a006 logout\r\n",
       "* BYE imap.example.net IMAP4rev1 server logging out\r\na006 OK LOGOUT completed\r\n"},
  };
}

const std::string kGreeting =
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT STARTTLS AUTH=PLAIN AUTH=LOGIN] "
    "imap.example.net IMAP4rev1 service ready\r\n";

}  // namespace

TEST_CASE_METHOD(MrcSession, "RFC 3501 section 8 sample dialogue") {
  CHECK(s.take_output() == kGreeting);
  for (const auto& step : dialogue()) {
    INFO(step.client);
    CHECK(talk(s, step.client) == step.server);
  }
  CHECK(s.closed());
  CHECK(s.state() == ServerSession::State::Logout);
  // The \Deleted flag was stored.
  CHECK(store.snapshot("mrc", "INBOX")->messages[0].flags ==
        mailsim::imap::FlagSet{"\\Deleted", "\\Seen"});
}

TEST_CASE_METHOD(MrcSession, "RFC 3501 sample dialogue fed one byte at a time") {
  CHECK(s.take_output() == kGreeting);
  for (const auto& step : dialogue()) {
    INFO(step.client);
    CHECK(talk_bytes(s, step.client) == step.server);
  }
}

TEST_CASE_METHOD(MrcSession, "RFC 3501 sample dialogue sent in one read (pipelined)") {
  s.take_output();
  std::string all_in, all_out;
  for (const auto& step : dialogue()) {
    all_in += step.client;
    all_out += step.server;
  }
  CHECK(talk(s, all_in) == all_out);
}

TEST_CASE_METHOD(MrcSession, "Events: commands, replies and state changes; LOGIN password masked") {
  auto ev = s.take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == Kind::ReplySent);
  CHECK(ev[0].status == "OK");
  talk(s, "a001 LOGIN mrc secret\r\n");
  ev = s.take_events();
  REQUIRE(ev.size() == 3);
  CHECK(ev[0].kind == Kind::CommandReceived);
  CHECK(ev[0].verb == "LOGIN");
  CHECK(ev[0].text == "a001 LOGIN mrc ********");
  CHECK(ev[0].clear_text == "a001 LOGIN mrc secret");
  CHECK(ev[1].kind == Kind::StateChanged);
  CHECK(ev[1].from_state == "NOT-AUTHENTICATED");
  CHECK(ev[1].to_state == "AUTHENTICATED");
  CHECK(ev[2].kind == Kind::ReplySent);
  CHECK(ev[2].status == "OK");
  talk(s, "a002 SELECT INBOX\r\na003 UID FETCH 1 BODY.PEEK[]\r\n");
  ev = s.take_events();
  REQUIRE(ev.size() >= 4);
  CHECK(ev[1].kind == Kind::StateChanged);
  CHECK(ev[1].to_state == "SELECTED");
  const auto& last = ev[ev.size() - 2];
  CHECK(last.kind == Kind::ReplySent);
  CHECK(last.text == "* 1 FETCH (UID 1 BODY[] {177})");  // literal data elided
  CHECK(ev[ev.size() - 3].verb == "UID FETCH");
}
