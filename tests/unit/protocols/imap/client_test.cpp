// Client engine against the server engine (whole and byte by byte), and against scripted servers.
#include <catch2/catch.hpp>

#include "imap_test_util.hpp"

using namespace imaptest;
using mailsim::imap::ClientConfig;
using mailsim::imap::ClientSession;
using mailsim::imap::FlagSet;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerConfig;
using mailsim::imap::ServerSession;
using Kind = mailsim::proto::ProtocolEvent::Kind;
using Op = ClientSession::Op;

namespace {

ClientConfig alice() {
  ClientConfig c;
  c.user = "alice";
  c.password = "secret";
  return c;
}

struct World {
  MemoryStore store;
  ServerSession server;
  ClientSession client;
  explicit World(ClientConfig cfg = alice(), ServerConfig scfg = {}, bool bytewise = false)
      : server(init(store), scfg), client(std::move(cfg)) {
    pump(client, server, bytewise);
  }
  static MemoryStore& init(MemoryStore& s) {
    fill(s);
    return s;
  }
  std::string run(bool bytewise = false) { return pump(client, server, bytewise); }
  ClientSession::Result result_of(ClientSession::RequestId id) {
    for (auto& r : client.take_results())
      if (r.id == id) return r;
    return {};
  }
};

void check_synced(const ClientSession& c) {
  REQUIRE(c.ready());
  CHECK(c.state() == ClientSession::State::Selected);
  CHECK(c.folders() == std::vector<std::string>{"Archive", "Archive/2023", "INBOX", "Trash"});
  CHECK(c.uidvalidity() == 1);
  CHECK(c.sequence() == std::vector<std::uint32_t>{1, 2, 3});
  const auto& m = c.messages();
  REQUIRE(m.size() == 3);
  CHECK(m.at(1).subject == "Lunch");
  CHECK(m.at(1).from == "Bob Example <bob@example.org>");
  CHECK(m.at(1).flags == FlagSet{"\\Seen"});
  CHECK(m.at(1).size == 177);
  CHECK(m.at(1).message_id == "<1@example.org>");
  CHECK(m.at(1).date == "Mon, 7 Feb 1994 21:52:25 -0800");
  CHECK(m.at(2).from == "carol@example.com");
  CHECK(m.at(2).flags.empty());
  CHECK(m.at(3).subject == "Photos");
  CHECK(!m.at(3).body);
}

}  // namespace

TEST_CASE("Client syncs headers from the server: LOGIN, LIST, SELECT, UID FETCH") {
  World w;
  check_synced(w.client);
  auto results = w.client.take_results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].id == w.client.sync_request());
  CHECK(results[0].op == Op::Sync);
  CHECK(results[0].ok);
  CHECK(results[0].text == "a4 OK UID FETCH completed");
  const auto ev = w.client.take_events();
  std::vector<std::string> sent;
  for (const auto& e : ev)
    if (e.kind == Kind::CommandSent) sent.push_back(e.text);
  CHECK(sent == std::vector<std::string>{"a1 LOGIN alice ********", "a2 LIST \"\" \"*\"",
                                         "a3 SELECT INBOX",
                                         "a4 UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)"});
  CHECK(ev[0].kind == Kind::ReplyReceived);  // the greeting
}

TEST_CASE("Client and server fed one byte at a time reach the same state") {
  World w(alice(), {}, true);
  check_synced(w.client);
  const auto id = w.client.open(3);
  w.run(true);
  const auto r = w.result_of(id);
  CHECK(r.ok);
  CHECK(r.data == kMsg3);
}

TEST_CASE("Client open() downloads the body and the server marks it \\Seen") {
  World w;
  w.client.take_results();
  const auto id = w.client.open(2);
  CHECK(w.run() ==
        "C: a5 UID FETCH 2 BODY[]\r\n"
        "S: * 2 FETCH (UID 2 BODY[] {205}\r\n" + kMsg2 + " FLAGS (\\Seen \\Recent))\r\n"
        "a5 OK UID FETCH completed\r\n");
  const auto r = w.result_of(id);
  CHECK(r.ok);
  CHECK(r.op == Op::Open);
  CHECK(r.data == kMsg2);
  CHECK(w.client.messages().at(2).flags == FlagSet{"\\Seen"});
  CHECK(*w.client.messages().at(2).body == kMsg2);
  CHECK(w.store.snapshot("alice", "INBOX")->messages[1].flags == FlagSet{"\\Seen"});
  // A UID that does not exist: the server answers OK with no data; the request fails.
  const auto bad = w.client.open(99);
  w.run();
  CHECK(!w.result_of(bad).ok);
}

TEST_CASE("Client mark_read / mark_unread update the server and the local view") {
  World w;
  const auto r1 = w.client.mark_read(3);
  w.run();
  CHECK(w.result_of(r1).ok);
  CHECK(w.client.messages().at(3).flags == FlagSet{"\\Seen"});
  CHECK(w.store.snapshot("alice", "INBOX")->messages[2].flags == FlagSet{"\\Seen"});
  const auto r2 = w.client.mark_unread(1);
  CHECK(w.run() ==
        "C: a6 UID STORE 1 -FLAGS (\\Seen)\r\n"
        "S: * 1 FETCH (FLAGS (\\Recent) UID 1)\r\na6 OK UID STORE completed\r\n");
  CHECK(w.result_of(r2).ok);
  CHECK(w.client.messages().at(1).flags.empty());
}

TEST_CASE("Client delete_to_trash uses UID MOVE when MOVE is advertised") {
  World w;
  const auto id = w.client.delete_to_trash(2);
  CHECK(w.run() ==
        "C: a5 UID MOVE 2 Trash\r\n"
        "S: * OK [COPYUID 2 2 1] Moved\r\n* 2 EXPUNGE\r\na5 OK UID MOVE completed\r\n");
  const auto r = w.result_of(id);
  CHECK(r.ok);
  CHECK(r.untagged == std::vector<std::string>{"* OK [COPYUID 2 2 1] Moved", "* 2 EXPUNGE"});
  CHECK(w.client.sequence() == std::vector<std::uint32_t>{1, 3});
  CHECK(w.client.messages().count(2) == 0);
  CHECK(w.store.snapshot("alice", "Trash")->messages.size() == 1);
}

TEST_CASE("Client append() with LITERAL+, then the new message is fetched") {
  World w;
  const auto id = w.client.append("INBOX", kMsg2, {"\\Seen"});
  const std::string t = w.run();
  CHECK(t.find("C: a5 APPEND INBOX (\\Seen) {205+}\r\n" + kMsg2 + "\r\n") == 0);
  CHECK(t.find("S: * 4 EXISTS\r\n* 4 RECENT\r\na5 OK [APPENDUID 1 4] APPEND completed\r\n") !=
        std::string::npos);
  CHECK(t.find("C: a6 UID FETCH 4:* (UID FLAGS RFC822.SIZE ENVELOPE)\r\n") != std::string::npos);
  const auto r = w.result_of(id);
  CHECK(r.ok);
  CHECK(r.text == "a5 OK [APPENDUID 1 4] APPEND completed");
  REQUIRE(w.client.messages().count(4) == 1);
  CHECK(w.client.messages().at(4).subject == "Quarterly report");
  CHECK(w.client.messages().at(4).flags == FlagSet{"\\Seen"});
}

TEST_CASE("Client refresh() applies another session's flag change and expunge") {
  World w;
  ServerSession other(w.store);
  talk(other, "o1 LOGIN alice secret\r\no2 SELECT INBOX\r\no3 STORE 3 +FLAGS (\\Flagged)\r\n"
              "o4 STORE 1 +FLAGS (\\Deleted)\r\no5 EXPUNGE\r\n");
  const auto id = w.client.refresh();
  CHECK(w.run() ==
        "C: a5 NOOP\r\n"
        "S: * 1 EXPUNGE\r\n* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\na5 OK NOOP completed\r\n");
  CHECK(w.result_of(id).ok);
  CHECK(w.client.sequence() == std::vector<std::uint32_t>{2, 3});
  CHECK(w.client.messages().count(1) == 0);
  CHECK(w.client.messages().at(3).flags == FlagSet{"\\Flagged"});
}

TEST_CASE("Client in IDLE: new mail is fetched and IDLE resumes; done() ends it") {
  World w;
  w.client.take_results();
  const auto id = w.client.idle();
  CHECK(w.run() == "C: a5 IDLE\r\nS: + idling\r\n");
  CHECK(w.client.idling());
  w.store.deliver("alice", "INBOX", kMsg1, kDate3 + 10);
  w.server.poll();
  const std::string t = w.run();
  CHECK(t ==
        "S: * 4 EXISTS\r\n* 4 RECENT\r\n"
        "C: DONE\r\n"
        "S: a5 OK IDLE terminated\r\n"
        "C: a6 UID FETCH 4:* (UID FLAGS RFC822.SIZE ENVELOPE)\r\n"
        "S: * 4 FETCH (UID 4 FLAGS (\\Recent) RFC822.SIZE 177 ENVELOPE " +
            t.substr(t.find("ENVELOPE (") + 9, t.find("\r\na6 OK") - t.find("ENVELOPE (") - 9) +
            "\r\na6 OK UID FETCH completed\r\n"
            "C: a7 IDLE\r\n"
            "S: + idling\r\n");
  CHECK(w.client.messages().count(4) == 1);
  CHECK(w.client.messages().at(4).subject == "Lunch");
  CHECK(w.client.take_results().empty());  // still idling
  w.client.done();
  CHECK(w.run() == "C: DONE\r\nS: a7 OK IDLE terminated\r\n");
  const auto r = w.result_of(id);
  CHECK(r.ok);
  CHECK(r.op == Op::Idle);
}

TEST_CASE("A request made while idling ends the IDLE first") {
  World w;
  w.client.take_results();
  const auto idle_id = w.client.idle();
  w.run();
  const auto open_id = w.client.open(1);
  CHECK(w.run().find("C: DONE\r\nS: a5 OK IDLE terminated\r\nC: a6 UID FETCH 1 BODY[]\r\n") == 0);
  auto results = w.client.take_results();
  REQUIRE(results.size() == 2);
  CHECK(results[0].id == idle_id);
  CHECK(results[1].id == open_id);
  CHECK(results[1].data == kMsg1);
}

TEST_CASE("Client logout") {
  World w;
  const auto id = w.client.logout();
  CHECK(w.run() ==
        "C: a5 LOGOUT\r\n"
        "S: * BYE imap.example.net IMAP4rev1 server logging out\r\na5 OK LOGOUT completed\r\n");
  CHECK(w.result_of(id).ok);
  CHECK(w.client.closed());
  CHECK(w.server.closed());
  CHECK(w.client.state() == ClientSession::State::Logout);
  const auto late = w.client.refresh();
  CHECK(!w.result_of(late).ok);
}

TEST_CASE("Client drives every server command through command()") {
  World w;
  w.client.take_results();
  struct Case {
    std::vector<std::string> parts;
    std::string status;
    std::vector<std::string> untagged;
  };
  const std::vector<Case> cases = {
      {{"CAPABILITY"}, "OK", {"* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT"}},
      {{"NOOP"}, "OK", {}},
      {{"ID NIL"}, "OK", {"* ID (\"name\" \"mailsim\")"}},
      {{"ID (\"name\" \"Thunderbird\" \"version\" \"128.5.0\")"}, "OK", {"* ID (\"name\" \"mailsim\")"}},
      {{"NAMESPACE"}, "OK", {"* NAMESPACE ((\"\" \"/\")) NIL NIL"}},
      {{"LIST (SPECIAL-USE) \"\" \"*\""}, "OK",
       {"* LIST (\\HasChildren \\Archive) \"/\" Archive", "* LIST (\\HasNoChildren \\Trash) \"/\" Trash"}},
      {{"LIST \"\" \"T*\" RETURN (SPECIAL-USE)"}, "OK", {"* LIST (\\HasNoChildren \\Trash) \"/\" Trash"}},
      {{"CREATE Work"}, "OK", {}},
      {{"RENAME Work Jobs"}, "OK", {}},
      {{"SUBSCRIBE Jobs"}, "OK", {}},
      {{"LSUB \"\" *"}, "OK", {"* LSUB () \"/\" INBOX", "* LSUB () \"/\" Jobs"}},
      {{"UNSUBSCRIBE Jobs"}, "OK", {}},
      {{"LIST \"\" J*"}, "OK", {"* LIST (\\HasNoChildren) \"/\" Jobs"}},
      {{"STATUS Jobs (MESSAGES UIDNEXT)"}, "OK", {"* STATUS Jobs (MESSAGES 0 UIDNEXT 1)"}},
      {{"APPEND Jobs (\\Draft) ", "Subject: x\r\n\r\nbody\r\n", ""}, "OK", {}},
      {{"CHECK"}, "OK", {}},
      {{"SEARCH FROM bob UNSEEN"}, "OK", {"* SEARCH 3"}},
      {{"UID SEARCH SUBJECT ", "Lunch", ""}, "OK", {"* SEARCH 1"}},
      {{"FETCH 1 (FLAGS RFC822.SIZE)"}, "OK", {"* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.SIZE 177)"}},
      {{"STORE 1 +FLAGS (\\Answered)"}, "OK", {"* 1 FETCH (FLAGS (\\Answered \\Seen \\Recent))"}},
      {{"UID STORE 1 -FLAGS.SILENT (\\Answered)"}, "OK", {}},
      {{"COPY 1 Jobs"}, "OK", {}},
      {{"UID COPY 2 Jobs"}, "OK", {}},
      {{"MOVE 1 Nowhere"}, "NO", {}},
      {{"UID FETCH 3 BODY.PEEK[1]"}, "OK", {"* 3 FETCH (UID 3 BODY[1] {20}\r\nHere are the photos.)"}},
      {{"STORE 3 +FLAGS.SILENT (\\Deleted)"}, "OK", {}},
      {{"UID EXPUNGE 3"}, "OK", {"* 3 EXPUNGE"}},
      {{"UID MOVE 2 Jobs"}, "OK", {"* OK [COPYUID 5 2 4] Moved", "* 2 EXPUNGE"}},
      {{"EXPUNGE"}, "OK", {}},
      {{"EXAMINE Jobs"}, "OK", {}},
      {{"UNSELECT"}, "OK", {}},
      {{"SELECT Jobs"}, "OK", {}},
      {{"MOVE 1 INBOX"}, "OK", {"* OK [COPYUID 1 1 4] Moved", "* 1 EXPUNGE"}},
      {{"CLOSE"}, "OK", {}},
      {{"DELETE Jobs"}, "OK", {}},
      {{"FROB"}, "BAD", {}},
      {{"SELECT INBOX"}, "OK", {}},
  };
  for (const auto& c : cases) {
    INFO(c.parts[0]);
    const auto id = w.client.command(c.parts);
    w.run();
    const auto r = w.result_of(id);
    CHECK(r.status == c.status);
    if (!c.untagged.empty() || c.parts[0].rfind("SELECT", 0) != 0) {
      if (c.parts[0] != "EXAMINE Jobs" && c.parts[0] != "SELECT Jobs" && c.parts[0] != "SELECT INBOX")
        CHECK(r.untagged == c.untagged);
    }
  }
  // INBOX kept UID 1 and got the message moved back from Jobs.
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 2);
}

TEST_CASE("Client with STARTTLS and AUTHENTICATE PLAIN (SASL-IR) against LOGINDISABLED") {
  ClientConfig cfg = alice();
  cfg.use_starttls = true;
  cfg.use_authenticate = true;
  ServerConfig scfg;
  scfg.login_requires_tls = true;
  World w(cfg, scfg);
  CHECK(w.client.tls_requested());
  CHECK(w.server.tls_requested());
  CHECK(!w.client.ready());
  w.server.tls_established();
  w.client.tls_established();
  const std::string t = w.run();
  CHECK(t.find("C: a2 CAPABILITY\r\n") == 0);
  CHECK(t.find("C: a3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n") != std::string::npos);
  check_synced(w.client);
  bool masked = false;
  for (const auto& e : w.client.take_events())
    if (e.kind == Kind::CommandSent && e.text == "a3 AUTHENTICATE PLAIN ********") masked = true;
  CHECK(masked);
}

TEST_CASE("Client fails the sync when STARTTLS is required but not offered") {
  ClientConfig cfg = alice();
  cfg.use_starttls = true;
  ServerConfig scfg;
  scfg.starttls_available = false;
  World w(cfg, scfg);
  CHECK(w.client.closed());
  const auto r = w.result_of(1);
  CHECK(!r.ok);
  CHECK(r.text == "The server does not offer STARTTLS");
}

TEST_CASE("Client login failure fails the sync") {
  ClientConfig cfg = alice();
  cfg.password = "wrong";
  World w(cfg);
  CHECK(w.client.closed());
  const auto r = w.result_of(1);
  CHECK(!r.ok);
  CHECK(r.text == "Login failed: a1 NO [AUTHENTICATIONFAILED] Invalid credentials");
}

TEST_CASE("Client against a minimal server: synchronising literals, AUTHENTICATE continuation, "
          "COPY + STORE + EXPUNGE instead of MOVE") {
  ClientConfig cfg;
  cfg.user = "jos\xc3\xa9";  // 8-bit: must go as a literal
  cfg.password = "pw";
  ClientSession c(cfg);
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  CHECK(c.take_output() == "a1 LOGIN {5}\r\n");
  c.receive("+ go ahead\r\n");
  CHECK(c.take_output() == "jos\xc3\xa9 \"pw\"\r\n");
  c.receive("a1 OK done\r\n");
  CHECK(c.take_output() == "a2 CAPABILITY\r\n");  // no capabilities in the OK
  c.receive("* CAPABILITY IMAP4rev1\r\na2 OK\r\n");
  CHECK(c.take_output() == "a3 LIST \"\" \"*\"\r\n");
  c.receive("* LIST (\\Noselect) \"/\" Shared\r\n* LIST () \"/\" INBOX\r\n* LIST () \"/\" {5}\r\nTrash\r\na3 OK\r\n");
  CHECK(c.folders() == std::vector<std::string>{"INBOX", "Trash"});
  CHECK(c.take_output() == "a4 SELECT INBOX\r\n");
  c.receive("* 1 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\na4 OK [READ-WRITE] selected\r\n");
  CHECK(c.take_output() == "a5 UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)\r\n");
  c.receive("* 1 FETCH (UID 42 FLAGS (\\Seen) RFC822.SIZE 10 ENVELOPE (NIL {5}\r\nHello NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
  c.receive("a5 OK\r\n");
  REQUIRE(c.ready());
  CHECK(c.uidvalidity() == 7);
  CHECK(c.messages().at(42).subject == "Hello");
  const auto id = c.delete_to_trash(42);
  CHECK(c.take_output() == "a6 UID COPY 42 Trash\r\n");
  c.receive("a6 OK copied\r\n");
  CHECK(c.take_output() == "a7 UID STORE 42 +FLAGS.SILENT (\\Deleted)\r\n");
  c.receive("a7 OK stored\r\n");
  CHECK(c.take_output() == "a8 EXPUNGE\r\n");  // no UIDPLUS
  c.receive("* 1 EXPUNGE\r\na8 OK expunged\r\n");
  auto results = c.take_results();
  REQUIRE(results.size() == 2);
  CHECK(results[1].id == id);
  CHECK(results[1].ok);
  CHECK(c.messages().empty());
  // AUTHENTICATE without SASL-IR waits for the continuation.
  ClientConfig cfg2 = alice();
  cfg2.use_authenticate = true;
  ClientSession d(cfg2);
  d.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  CHECK(d.take_output() == "a1 AUTHENTICATE PLAIN\r\n");
  d.receive("+ \r\n");
  CHECK(d.take_output() == "AGFsaWNlAHNlY3JldA==\r\n");
  bool masked = false;
  for (const auto& e : d.take_events())
    if (e.kind == Kind::CommandSent && e.text == "********") masked = true;
  CHECK(masked);
}

TEST_CASE("Client protocol errors: unknown tag, oversized literal, refused greeting") {
  ClientSession c(alice());
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  c.take_output();
  c.receive("zz OK what\r\n");
  bool error = false;
  for (const auto& e : c.take_events())
    if (e.kind == Kind::ProtocolError && e.text == "Response with an unknown tag: zz") error = true;
  CHECK(error);
  CHECK(!c.closed());
  c.receive("* 1 FETCH (BODY[] {99999999999}\r\n");
  CHECK(c.closed());
  CHECK(!c.take_results().empty());

  ClientSession d(alice());
  d.receive("* BYE too busy\r\n");
  CHECK(d.closed());
  ClientSession e(alice());
  e.receive(std::string(70000, 'x'));
  CHECK(e.closed());
}

TEST_CASE("Client reads ENVELOPE address lists written back to back: ((...)(...))") {
  // RFC 3501 section 9: address-list = "(" 1*address ")" -- no SP between addresses.
  ClientSession c(alice());
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  CHECK(c.take_output() == "a1 LOGIN alice \"secret\"\r\n");
  c.receive("a1 OK [CAPABILITY IMAP4rev1] in\r\n");
  CHECK(c.take_output() == "a2 LIST \"\" \"*\"\r\n");
  c.receive("* LIST () \"/\" INBOX\r\na2 OK\r\n");
  CHECK(c.take_output() == "a3 SELECT INBOX\r\n");
  c.receive("* 1 EXISTS\r\n* OK [UIDVALIDITY 4] x\r\na3 OK [READ-WRITE] selected\r\n");
  CHECK(c.take_output() == "a4 UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)\r\n");
  c.take_events();
  c.receive(
      "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 474 ENVELOPE (\"Sat, 01 Nov 2025 09:00:01 +0900\" "
      "\"Class notice\" ((\"Yagi Sensei\" NIL \"sensei\" \"hogehoge.com\")(NIL NIL \"other\" "
      "\"hogehoge.com\")) ((NIL NIL \"sensei\" \"hogehoge.com\")) ((NIL NIL \"sensei\" "
      "\"hogehoge.com\")) ((NIL NIL \"shiroyagi\" \"hogehoge.com\")(NIL NIL \"kuroyagi\" "
      "\"hogehoge.com\")) NIL NIL NIL \"<1000.1.sensei-pc@hogehoge.com>\"))\r\n"
      "a4 OK\r\n");
  REQUIRE(c.ready());
  REQUIRE(c.messages().size() == 1);
  const auto& m = c.messages().at(1);
  CHECK(m.subject == "Class notice");
  CHECK(m.from == "Yagi Sensei <sensei@hogehoge.com>");
  CHECK(m.size == 474);
  CHECK(m.flags.empty());
  CHECK(m.message_id == "<1000.1.sensei-pc@hogehoge.com>");
  for (const auto& e : c.take_events()) CHECK(e.kind != Kind::ProtocolError);

  // A FETCH the client cannot read is reported, not silently dropped.
  c.receive("* 1 FETCH (UID 1 FLAGS (\\Seen)\r\n");
  bool reported = false;
  for (const auto& e : c.take_events())
    if (e.kind == Kind::ProtocolError && e.text == "Unreadable FETCH response for message 1")
      reported = true;
  CHECK(reported);
  CHECK(c.messages().at(1).flags.empty());
}

TEST_CASE("Client syncs a message with two To addresses from the server engine") {
  MemoryStore store;
  store.add_user("alice", "secret");
  store.deliver("alice", "INBOX",
                "From: bob@example.org\r\nTo: alice@example.net, carol@example.com\r\n"
                "Cc: Dave <dave@example.com>, erin@example.com\r\nSubject: Both of you\r\n\r\nHi\r\n",
                kDate1);
  ServerSession server(store);
  ClientSession client(alice());
  pump(client, server, true);
  REQUIRE(client.ready());
  REQUIRE(client.messages().size() == 1);
  CHECK(client.messages().at(1).subject == "Both of you");
  CHECK(client.messages().at(1).from == "bob@example.org");
}

TEST_CASE("Client survives an untagged BYE with no text (issue 12)") {
  // "* BYE" is 5 octets: the reason used to be read from offset 6 and threw out_of_range.
  ClientSession c(alice());
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  c.take_output();
  REQUIRE_NOTHROW(c.receive("* BYE\r\n"));
  CHECK(c.closed());
  bool noted = false;
  for (const auto& e : c.take_events())
    if (e.kind == Kind::Note && e.text == "Connection closed: Server closed the session") noted = true;
  CHECK(noted);
  // The same, before the greeting and with a lone space after the word.
  ClientSession d(alice());
  REQUIRE_NOTHROW(d.receive("* BYE\r\n"));
  CHECK(d.closed());
  ClientSession e(alice());
  e.receive("* OK hi\r\n");
  REQUIRE_NOTHROW(e.receive("* BYE \r\n"));
  CHECK(e.closed());
  // A bare "* CAPABILITY" (12 octets) was read from offset 13 the same way.
  ClientSession f(alice());
  REQUIRE_NOTHROW(f.receive("* OK hi\r\n* CAPABILITY\r\n"));
  CHECK(!f.closed());
}

TEST_CASE("Client refuses a message number over kMaxMailboxMessages instead of allocating for it") {
  ClientSession c(alice());
  c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  c.take_output();
  c.receive("* 4000000000 EXISTS\r\n");
  CHECK(c.closed());
  CHECK(c.sequence().size() <= mailsim::imap::kMaxMailboxMessages);
  ClientSession d(alice());
  d.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
  d.receive("* 4294967295 FETCH (UID 7)\r\n");
  CHECK(d.closed());
  CHECK(d.sequence().empty());
}
