// Two sessions on one mailbox: flag changes, expunges and new mail reach the other session.
#include <catch2/catch.hpp>

#include "imap_test_util.hpp"

using namespace imaptest;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerSession;

namespace {

struct Pair {
  MemoryStore store;
  ServerSession a{init(store)};
  ServerSession b{store};
  static MemoryStore& init(MemoryStore& s) {
    fill(s);
    return s;
  }
  Pair() {
    a.take_output();
    b.take_output();
    talk(a, "a0 LOGIN alice secret\r\na0 SELECT INBOX\r\n");  // A sees the messages first
    talk(b, "b0 LOGIN alice secret\r\nb0 SELECT INBOX\r\n");
  }
};

}  // namespace

TEST_CASE("Two sessions: \\Recent goes to the first one only") {
  MemoryStore store;
  fill(store);
  ServerSession a(store), b(store);
  talk(a, "a0 LOGIN alice secret\r\n");
  talk(b, "b0 LOGIN alice secret\r\n");
  CHECK(talk(a, "a1 SELECT INBOX\r\n").find("* 3 RECENT\r\n") != std::string::npos);
  CHECK(talk(b, "b1 SELECT INBOX\r\n").find("* 0 RECENT\r\n") != std::string::npos);
}

TEST_CASE("Two sessions see each other's flag changes at the next command") {
  Pair p;
  CHECK(talk(p.a, "a1 STORE 2 +FLAGS (\\Flagged)\r\n") ==
        "* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\na1 OK STORE completed\r\n");
  CHECK(talk(p.b, "b1 NOOP\r\n") == "* 2 FETCH (FLAGS (\\Flagged))\r\nb1 OK NOOP completed\r\n");
  CHECK(talk(p.b, "b2 NOOP\r\n") == "b2 OK NOOP completed\r\n");  // reported once
  // A's own change is not echoed back to A.
  CHECK(talk(p.a, "a2 NOOP\r\n") == "a2 OK NOOP completed\r\n");
  // B's fetch of BODY[] sets \Seen; A learns it.
  CHECK(talk(p.b, "b3 FETCH 3 BODY[TEXT]<0.4>\r\n") ==
        "* 3 FETCH (BODY[TEXT]<0> {4}\r\n--XX FLAGS (\\Seen))\r\nb3 OK FETCH completed\r\n");
  CHECK(talk(p.a, "a3 CHECK\r\n") ==
        "* 3 FETCH (FLAGS (\\Seen \\Recent))\r\na3 OK CHECK completed\r\n");
}

TEST_CASE("Two sessions: expunges are renumbered and held back during FETCH/STORE/SEARCH") {
  Pair p;
  talk(p.a, "a1 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(talk(p.a, "a2 EXPUNGE\r\n") == "* 1 EXPUNGE\r\na2 OK EXPUNGE completed\r\n");
  // No EXPUNGE while answering FETCH; the vanished message is simply left out.
  CHECK(talk(p.b, "b1 FETCH 1:* UID\r\n") ==
        "* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\nb1 OK FETCH completed\r\n");
  CHECK(talk(p.b, "b2 SEARCH ALL\r\n") == "* SEARCH 2 3\r\nb2 OK SEARCH completed\r\n");
  CHECK(talk(p.b, "b3 STORE 2 +FLAGS (\\Answered)\r\n") ==
        "* 2 FETCH (FLAGS (\\Answered))\r\nb3 OK STORE completed\r\n");
  CHECK(talk(p.b, "b4 NOOP\r\n") == "* 1 EXPUNGE\r\nb4 OK NOOP completed\r\n");
  CHECK(talk(p.b, "b5 FETCH 1:* UID\r\n") ==
        "* 1 FETCH (UID 2)\r\n* 2 FETCH (UID 3)\r\nb5 OK FETCH completed\r\n");
  CHECK(talk(p.a, "a3 NOOP\r\n") == "* 1 FETCH (FLAGS (\\Answered \\Recent))\r\na3 OK NOOP completed\r\n");
}

TEST_CASE("Two sessions: UID FETCH may report expunges; several at once are renumbered") {
  Pair p;
  talk(p.a, "a1 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
  talk(p.a, "a2 EXPUNGE\r\n");
  CHECK(talk(p.b, "b1 UID FETCH 3 FLAGS\r\n") ==
        "* 3 FETCH (UID 3 FLAGS ())\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nb1 OK UID FETCH completed\r\n");
}

TEST_CASE("A session in IDLE gets EXISTS, FETCH and EXPUNGE pushed at once") {
  Pair p;
  CHECK(talk(p.b, "b1 IDLE\r\n") == "+ idling\r\n");
  // New mail delivered by the MDA.
  p.store.deliver("alice", "INBOX", kMsg2, kDate3 + 60);
  p.b.poll();
  p.a.poll();  // A is not idling: nothing is pushed
  CHECK(p.b.take_output() == "* 4 EXISTS\r\n* 1 RECENT\r\n");
  CHECK(p.a.take_output().empty());
  // A changes flags and expunges: B hears it immediately.
  CHECK(talk(p.a, "a1 STORE 1 +FLAGS.SILENT (\\Flagged)\r\n") ==
        "* 4 EXISTS\r\n* 3 RECENT\r\na1 OK STORE completed\r\n");  // EXISTS may go with STORE
  p.b.poll();
  CHECK(p.b.take_output() == "* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\n");
  talk(p.a, "a2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(talk(p.a, "a3 EXPUNGE\r\n") == "* 2 EXPUNGE\r\na3 OK EXPUNGE completed\r\n");
  p.b.poll();
  CHECK(p.b.take_output() == "* 2 EXPUNGE\r\n");
  p.b.poll();
  CHECK(p.b.take_output().empty());
  CHECK(talk(p.b, "DONE\r\n") == "b1 OK IDLE terminated\r\n");
  CHECK(talk(p.b, "b2 FETCH 1:* UID\r\n") ==
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nb2 OK FETCH completed\r\n");
}

TEST_CASE("IDLE entered with changes pending reports them right after the continuation") {
  Pair p;
  talk(p.a, "a1 STORE 3 +FLAGS.SILENT (\\Draft)\r\n");
  CHECK(talk(p.b, "b1 IDLE\r\n") == "+ idling\r\n* 3 FETCH (FLAGS (\\Draft))\r\n");
}

TEST_CASE("A mailbox moved away under a selected session shows as expunges") {
  Pair p;
  talk(p.a, "a1 MOVE 1:3 Trash\r\n");
  CHECK(talk(p.b, "b1 NOOP\r\n") ==
        "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nb1 OK NOOP completed\r\n");
}
