// Server commands: mailboxes, APPEND, FETCH (sections, partials, BODYSTRUCTURE), STORE,
// SEARCH, COPY/MOVE with UIDPLUS codes, EXPUNGE, EXAMINE, AUTHENTICATE, STARTTLS, IDLE.
#include <catch2/catch.hpp>

#include "imap_test_util.hpp"

using namespace imaptest;
using mailsim::imap::FlagSet;
using mailsim::imap::MemoryStore;
using mailsim::imap::ServerConfig;
using mailsim::imap::ServerSession;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

const std::string kCapsAuth = "IMAP4rev1 LITERAL+ SASL-IR ID NAMESPACE SPECIAL-USE IDLE MOVE UIDPLUS UNSELECT";

std::string search(Selected& s, const std::string& keys, const std::string& expect_hits) {
  const std::string out = s("T SEARCH " + keys + "\r\n");
  const std::string done = "T OK SEARCH completed\r\n";
  if (out.size() < done.size() || out.substr(out.size() - done.size()) != done) return out;
  return out.substr(0, out.size() - done.size()) == "* SEARCH" + expect_hits + "\r\n"
             ? "match"
             : out;
}

}  // namespace

TEST_CASE("CAPABILITY and NOOP in every state") {
  LoggedIn s;
  CHECK(s("a1 CAPABILITY\r\n") == "* CAPABILITY " + kCapsAuth + "\r\na1 OK CAPABILITY completed\r\n");
  CHECK(s("a2 NOOP\r\n") == "a2 OK NOOP completed\r\n");
}

TEST_CASE("LIST and LSUB with * and % wildcards") {
  LoggedIn s;
  CHECK(s("a1 CREATE Work/Projects\r\n") == "a1 OK CREATE completed\r\n");
  CHECK(s("a2 LIST \"\" *\r\n") ==
        "* LIST (\\HasChildren \\Archive) \"/\" Archive\r\n"
        "* LIST (\\HasNoChildren) \"/\" Archive/2023\r\n"
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "* LIST (\\HasChildren) \"/\" Work\r\n"
        "* LIST (\\HasNoChildren) \"/\" Work/Projects\r\n"
        "a2 OK LIST completed\r\n");
  CHECK(s("a3 LIST \"\" %\r\n") ==
        "* LIST (\\HasChildren \\Archive) \"/\" Archive\r\n"
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "* LIST (\\HasChildren) \"/\" Work\r\n"
        "a3 OK LIST completed\r\n");
  CHECK(s("a4 LIST Work/ %\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Work/Projects\r\na4 OK LIST completed\r\n");
  CHECK(s("a5 LIST \"\" \"*/2023\"\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Archive/2023\r\na5 OK LIST completed\r\n");
  CHECK(s("a6 LIST \"\" inbox\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\na6 OK LIST completed\r\n");
  CHECK(s("a7 LIST \"\" \"\"\r\n") == "* LIST (\\Noselect) \"/\" \"\"\r\na7 OK LIST completed\r\n");
  CHECK(s("a8 LIST \"\" %/%\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Archive/2023\r\n"
        "* LIST (\\HasNoChildren) \"/\" Work/Projects\r\na8 OK LIST completed\r\n");
  CHECK(s("a9 LSUB \"\" *\r\n") == "* LSUB () \"/\" INBOX\r\na9 OK LSUB completed\r\n");
  CHECK(s("b1 SUBSCRIBE Trash\r\n") == "b1 OK SUBSCRIBE completed\r\n");
  CHECK(s("b2 LSUB \"\" *\r\n") ==
        "* LSUB () \"/\" INBOX\r\n* LSUB () \"/\" Trash\r\nb2 OK LSUB completed\r\n");
  CHECK(s("b3 UNSUBSCRIBE Trash\r\n") == "b3 OK UNSUBSCRIBE completed\r\n");
  CHECK(s("b4 LSUB \"\" T*\r\n") == "b4 OK LSUB completed\r\n");
  CHECK(s("b5 SUBSCRIBE Nope\r\n") == "b5 NO [NONEXISTENT] Mailbox does not exist\r\n");
  // Many wildcards cannot make the matcher slow.
  std::string stars;
  for (int i = 0; i < 3000; ++i) stars += "%*";
  CHECK(s("b6 LIST \"\" " + stars + "q\r\n") == "b6 OK LIST completed\r\n");
}

TEST_CASE("CREATE, DELETE, RENAME with their failure codes") {
  LoggedIn s;
  CHECK(s("a1 CREATE INBOX\r\n") == "a1 NO [ALREADYEXISTS] INBOX always exists\r\n");
  CHECK(s("a2 CREATE Trash\r\n") == "a2 NO [ALREADYEXISTS] Mailbox exists\r\n");
  CHECK(s("a3 CREATE \"bad*name\"\r\n") == "a3 NO [CANNOT] Invalid mailbox name\r\n");
  CHECK(s("a4 CREATE Drafts/\r\n") == "a4 OK CREATE completed\r\n");
  CHECK(s("a5 DELETE Archive\r\n") == "a5 NO [INUSE] Mailbox has inferior hierarchical names\r\n");
  CHECK(s("a6 DELETE Nope\r\n") == "a6 NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(s("a7 DELETE inbox\r\n") == "a7 NO [CANNOT] INBOX cannot be deleted\r\n");
  CHECK(s("a8 DELETE Archive/2023\r\n") == "a8 OK DELETE completed\r\n");
  CHECK(s("a9 RENAME Trash Bin\r\n") == "a9 OK RENAME completed\r\n");
  CHECK(s("b1 RENAME Nope X\r\n") == "b1 NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(s("b2 RENAME Bin Drafts\r\n") == "b2 NO [ALREADYEXISTS] Target mailbox exists\r\n");
  CHECK(s("b3 LIST \"\" *\r\n") ==
        "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n"
        "* LIST (\\HasNoChildren) \"/\" Bin\r\n"
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "b3 OK LIST completed\r\n");
  // Renaming INBOX moves its messages and leaves it empty.
  CHECK(s("b4 RENAME INBOX Old\r\n") == "b4 OK RENAME completed\r\n");
  CHECK(s("b5 STATUS INBOX (MESSAGES)\r\n") == "* STATUS INBOX (MESSAGES 0)\r\nb5 OK STATUS completed\r\n");
  CHECK(s("b6 STATUS Old (MESSAGES UIDNEXT)\r\n") ==
        "* STATUS Old (MESSAGES 3 UIDNEXT 4)\r\nb6 OK STATUS completed\r\n");
}

TEST_CASE("STATUS") {
  LoggedIn s;
  CHECK(s("a1 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n") ==
        "* STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY 1 UNSEEN 2)\r\n"
        "a1 OK STATUS completed\r\n");
  CHECK(s("a2 STATUS Nope (MESSAGES)\r\n") == "a2 NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(s("a3 STATUS \"Archive/2023\" (UIDVALIDITY)\r\n") ==
        "* STATUS Archive/2023 (UIDVALIDITY 4)\r\na3 OK STATUS completed\r\n");
}

TEST_CASE("APPEND: APPENDUID, TRYCREATE and OVERQUOTA") {
  LoggedIn s;
  s.server.set_now(kDate3 + 100);
  CHECK(s("a1 APPEND Trash {7+}\r\nHi\r\n\r\nx\r\n") == "a1 OK [APPENDUID 2 1] APPEND completed\r\n");
  CHECK(s.store.snapshot("alice", "Trash")->messages[0].internal_date == kDate3 + 100);
  CHECK(s("a2 APPEND Nope {2+}\r\nHi\r\n") == "a2 NO [TRYCREATE] Mailbox does not exist\r\n");
  s.store.set_quota("alice", s.store.used("alice") + 10);
  CHECK(s("a3 APPEND INBOX {20+}\r\n01234567890123456789\r\n") ==
        "a3 NO [OVERQUOTA] Quota exceeded\r\n");
  CHECK(s("a4 APPEND INBOX {10+}\r\n0123456789\r\n") == "a4 OK [APPENDUID 1 4] APPEND completed\r\n");
}

TEST_CASE("APPEND to the selected mailbox reports EXISTS") {
  Selected s;
  CHECK(s("a1 APPEND INBOX (\\Seen) {5+}\r\nHello\r\n") ==
        "* 4 EXISTS\r\n* 4 RECENT\r\na1 OK [APPENDUID 1 4] APPEND completed\r\n");
}

TEST_CASE("SELECT, EXAMINE (read-only), CLOSE and UNSELECT") {
  LoggedIn s;
  CHECK(s("a1 SELECT Nope\r\n") == "a1 NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(s("a2 EXAMINE INBOX\r\n") ==
        "* 3 EXISTS\r\n* 3 RECENT\r\n* OK [UNSEEN 2] Message 2 is the first unseen\r\n"
        "* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n"
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
        "* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n"
        "a2 OK [READ-ONLY] EXAMINE completed\r\n");
  CHECK(s.server.read_only());
  CHECK(s("a3 STORE 1 +FLAGS (\\Deleted)\r\n") == "a3 NO [READ-ONLY] Mailbox is read-only\r\n");
  CHECK(s("a4 EXPUNGE\r\n") == "a4 NO [READ-ONLY] Mailbox is read-only\r\n");
  CHECK(s("a5 MOVE 1 Trash\r\n") == "a5 NO [READ-ONLY] Mailbox is read-only\r\n");
  // BODY[] does not set \Seen in a read-only mailbox.
  CHECK(s("a6 FETCH 2 (BODY[TEXT])\r\n") ==
        "* 2 FETCH (BODY[TEXT] {61}\r\nThe numbers are attached. Please review them before "
        "Friday.\r\n)\r\na6 OK FETCH completed\r\n");
  CHECK(s.store.snapshot("alice", "INBOX")->messages[1].flags.empty());
  // EXAMINE did not take \Recent away; SELECT does.
  CHECK(s("a7 SELECT INBOX\r\n").find("* 3 RECENT\r\n") != std::string::npos);
  CHECK(s("a8 STATUS INBOX (RECENT)\r\n") == "* STATUS INBOX (RECENT 0)\r\na8 OK STATUS completed\r\n");
  CHECK(s("a9 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n") == "a9 OK STORE completed\r\n");
  CHECK(s("b1 CLOSE\r\n") == "b1 OK CLOSE completed\r\n");  // expunged silently
  CHECK(s.server.state() == ServerSession::State::Authenticated);
  CHECK(s.store.snapshot("alice", "INBOX")->messages.size() == 2);
  CHECK(s("b2 SELECT INBOX\r\n").find("* 2 EXISTS\r\n* 0 RECENT\r\n") == 0);
  CHECK(s("b3 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n") == "b3 OK STORE completed\r\n");
  CHECK(s("b4 UNSELECT\r\n") == "b4 OK UNSELECT completed\r\n");  // no expunge
  CHECK(s.store.snapshot("alice", "INBOX")->messages.size() == 2);
  CHECK(s("b5 CHECK\r\n") == "b5 BAD CHECK is not allowed in the AUTHENTICATED state\r\n");
}

TEST_CASE("FETCH data items, macros and \\Seen side effects") {
  Selected s;
  CHECK(s("a1 FETCH 1 FAST\r\n") ==
        "* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \"08-Feb-1994 05:52:25 +0000\" "
        "RFC822.SIZE 177)\r\na1 OK FETCH completed\r\n");
  CHECK(s("a2 FETCH 2 (UID RFC822.HEADER)\r\n") ==
        "* 2 FETCH (UID 2 RFC822.HEADER {144}\r\n"
        "From: carol@example.com\r\nTo: alice@example.net\r\nCc: Dave <dave@example.com>\r\n"
        "Subject: Quarterly report\r\nDate: Tue, 8 Feb 1994 10:00:00 +0000\r\n\r\n)\r\n"
        "a2 OK FETCH completed\r\n");
  CHECK(s("a3 FETCH 2 BODY.PEEK[TEXT]\r\n") ==
        "* 2 FETCH (BODY[TEXT] {61}\r\nThe numbers are attached. Please review them before "
        "Friday.\r\n)\r\na3 OK FETCH completed\r\n");
  CHECK(s("a4 FETCH 2 FLAGS\r\n") == "* 2 FETCH (FLAGS (\\Recent))\r\na4 OK FETCH completed\r\n");
  CHECK(s("a5 FETCH 2 RFC822.TEXT\r\n") ==
        "* 2 FETCH (RFC822.TEXT {61}\r\nThe numbers are attached. Please review them before "
        "Friday.\r\n FLAGS (\\Seen \\Recent))\r\na5 OK FETCH completed\r\n");
  CHECK(s("a6 UID FETCH 3 (FLAGS BODY[1])\r\n") ==
        "* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent) BODY[1] {20}\r\nHere are the photos.)\r\n"
        "a6 OK UID FETCH completed\r\n");
  CHECK(s("a7 FETCH 1 RFC822\r\n").find("* 1 FETCH (RFC822 {177}\r\nFrom: Bob") == 0);
}

TEST_CASE("FETCH sections of a multipart message") {
  Selected s;
  CHECK(s("a1 FETCH 3 BODY.PEEK[2.MIME]\r\n") ==
        "* 3 FETCH (BODY[2.MIME] {127}\r\n"
        "Content-Type: image/png; name=\"a.png\"\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"a.png\"\r\n\r\n)\r\na1 OK FETCH completed\r\n");
  CHECK(s("a2 FETCH 3 BODY.PEEK[2]\r\n") ==
        "* 3 FETCH (BODY[2] {12}\r\niVBORw0KGgo=)\r\na2 OK FETCH completed\r\n");
  CHECK(s("a3 FETCH 3 (BODY.PEEK[3] BODY.PEEK[1.1] BODY.PEEK[1.HEADER])\r\n") ==
        "* 3 FETCH (BODY[3] NIL BODY[1.1] NIL BODY[1.HEADER] NIL)\r\na3 OK FETCH completed\r\n");
  CHECK(s("a4 FETCH 3 BODY.PEEK[HEADER.FIELDS.NOT (FROM TO DATE MIME-VERSION CONTENT-TYPE)]\r\n") ==
        "* 3 FETCH (BODY[HEADER.FIELDS.NOT (FROM TO DATE MIME-VERSION CONTENT-TYPE)] {19}\r\n"
        "Subject: Photos\r\n\r\n)\r\na4 OK FETCH completed\r\n");
  CHECK(s("a5 FETCH 1 BODY.PEEK[1]\r\n") ==
        "* 1 FETCH (BODY[1] {24}\r\nShall we meet at noon?\r\n)\r\na5 OK FETCH completed\r\n");
}

TEST_CASE("Partial FETCH <offset.count>") {
  Selected s;
  CHECK(s("a1 FETCH 1 BODY.PEEK[]<0.10>\r\n") ==
        "* 1 FETCH (BODY[]<0> {10}\r\nFrom: Bob )\r\na1 OK FETCH completed\r\n");
  CHECK(s("a2 FETCH 1 BODY.PEEK[]<170.100>\r\n") ==
        "* 1 FETCH (BODY[]<170> {7}\r\nnoon?\r\n)\r\na2 OK FETCH completed\r\n");
  CHECK(s("a3 FETCH 1 BODY.PEEK[]<500.10>\r\n") ==
        "* 1 FETCH (BODY[]<500> {0}\r\n)\r\na3 OK FETCH completed\r\n");
  CHECK(s("a4 FETCH 2 BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<6.11>\r\n") ==
        "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)]<6> {11}\r\ncarol@examp)\r\n"
        "a4 OK FETCH completed\r\n");
  // A partial fetch without PEEK still sets \Seen.
  CHECK(s("a5 FETCH 2 BODY[TEXT]<4.7>\r\n") ==
        "* 2 FETCH (BODY[TEXT]<4> {7}\r\nnumbers FLAGS (\\Seen \\Recent))\r\na5 OK FETCH completed\r\n");
}

TEST_CASE("BODYSTRUCTURE of a multipart message") {
  Selected s;
  CHECK(s("a1 FETCH 3 BODYSTRUCTURE\r\n") ==
        "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" "
        "20 1 NIL NIL NIL NIL)(\"IMAGE\" \"PNG\" (\"NAME\" \"a.png\") NIL NIL \"BASE64\" 12 NIL "
        "(\"ATTACHMENT\" (\"FILENAME\" \"a.png\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL "
        "NIL))\r\na1 OK FETCH completed\r\n");
  CHECK(s("a2 FETCH 3 BODY\r\n") ==
        "* 3 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 20 1)"
        "(\"IMAGE\" \"PNG\" (\"NAME\" \"a.png\") NIL NIL \"BASE64\" 12) \"MIXED\"))\r\n"
        "a2 OK FETCH completed\r\n");
}

TEST_CASE("BODYSTRUCTURE and sections of an encapsulated message/rfc822") {
  LoggedIn s(false);
  const std::string fwd =
      "From: a@example.org\r\nSubject: Fwd\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"
      "--b1\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
      "--b1\r\nContent-Type: message/rfc822\r\n\r\n" +
      kMsg1 + "--b1--\r\n";
  s.store.deliver("alice", "INBOX", fwd, kDate1);
  s("S SELECT INBOX\r\n");
  // The inner message ends before the CRLF that belongs to the closing delimiter.
  const std::string bs = s("a1 FETCH 1 BODYSTRUCTURE\r\n");
  INFO(bs);
  CHECK(bs.find("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 175 (\"Mon, 7 Feb 1994 21:52:25 "
                "-0800\" \"Lunch\" ") != std::string::npos);
  CHECK(bs.find("\"<1@example.org>\") (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL "
                "\"7BIT\" 22 1 NIL NIL NIL NIL) 7 NIL NIL NIL NIL)") != std::string::npos);
  CHECK(s("a2 FETCH 1 BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]\r\n") ==
        "* 1 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Lunch\r\n\r\n)\r\n"
        "a2 OK FETCH completed\r\n");
  CHECK(s("a3 FETCH 1 BODY.PEEK[2.1]\r\n") ==
        "* 1 FETCH (BODY[2.1] {22}\r\nShall we meet at noon?)\r\na3 OK FETCH completed\r\n");
  CHECK(s("a4 FETCH 1 BODY.PEEK[2.TEXT]\r\n") ==
        "* 1 FETCH (BODY[2.TEXT] {22}\r\nShall we meet at noon?)\r\na4 OK FETCH completed\r\n");
}

TEST_CASE("STORE FLAGS, +FLAGS, -FLAGS, .SILENT and UID STORE") {
  Selected s;
  CHECK(s("a1 STORE 2:3 +FLAGS (\\Flagged $Work)\r\n") ==
        "* 2 FETCH (FLAGS ($Work \\Flagged \\Recent))\r\n"
        "* 3 FETCH (FLAGS ($Work \\Flagged \\Recent))\r\na1 OK STORE completed\r\n");
  CHECK(s("a2 STORE 2 -FLAGS $Work\r\n") ==
        "* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\na2 OK STORE completed\r\n");
  CHECK(s("a3 STORE 1 FLAGS (\\answered \\DRAFT)\r\n") ==
        "* 1 FETCH (FLAGS (\\Answered \\Draft \\Recent))\r\na3 OK STORE completed\r\n");
  CHECK(s("a4 STORE 1 FLAGS.SILENT ()\r\n") == "a4 OK STORE completed\r\n");
  CHECK(s("a5 UID STORE 3 -FLAGS.SILENT (\\Flagged)\r\n") == "a5 OK UID STORE completed\r\n");
  CHECK(s("a6 UID STORE 2:* +FLAGS (\\Seen)\r\n") ==
        "* 2 FETCH (FLAGS (\\Flagged \\Seen \\Recent) UID 2)\r\n"
        "* 3 FETCH (FLAGS ($Work \\Seen \\Recent) UID 3)\r\na6 OK UID STORE completed\r\n");
  CHECK(s.store.snapshot("alice", "INBOX")->messages[0].flags.empty());
}

TEST_CASE("SEARCH keys and combinations") {
  Selected s;
  CHECK(search(s, "ALL", " 1 2 3") == "match");
  CHECK(search(s, "UNSEEN", " 2 3") == "match");
  CHECK(search(s, "SEEN", " 1") == "match");
  CHECK(search(s, "FROM bob", " 1 3") == "match");
  CHECK(search(s, "OR FROM carol SUBJECT photos", " 2 3") == "match");
  CHECK(search(s, "NOT SEEN FROM bob", " 3") == "match");
  CHECK(search(s, "(FROM bob) (SEEN)", " 1") == "match");
  CHECK(search(s, "OR (FROM carol UNSEEN) (SUBJECT lunch)", " 1 2") == "match");
  CHECK(search(s, "LARGER 200 SMALLER 400", " 2") == "match");
  CHECK(search(s, "SINCE 9-Feb-1994", " 2 3") == "match");
  CHECK(search(s, "BEFORE 9-Feb-1994", " 1") == "match");
  CHECK(search(s, "ON \"10-Feb-1994\"", " 3") == "match");
  CHECK(search(s, "UID 2:*", " 2 3") == "match");
  CHECK(search(s, "1,3", " 1 3") == "match");
  CHECK(search(s, "*", " 3") == "match");
  CHECK(search(s, "2:*  ", "") != "match");  // two spaces: a syntax error
  CHECK(search(s, "BODY numbers", " 2") == "match");
  CHECK(search(s, "TEXT \"bob example\"", " 1 3") == "match");
  CHECK(search(s, "HEADER Cc dave", " 2") == "match");
  CHECK(search(s, "HEADER Message-ID \"\"", " 1") == "match");
  CHECK(search(s, "CC dave", " 2") == "match");
  CHECK(search(s, "TO alice", " 1 2 3") == "match");
  CHECK(search(s, "BCC alice", "") == "match");
  CHECK(search(s, "NEW", " 2 3") == "match");
  CHECK(search(s, "OLD", "") == "match");
  CHECK(search(s, "RECENT", " 1 2 3") == "match");
  CHECK(search(s, "CHARSET UTF-8 FROM bob", " 1 3") == "match");
  CHECK(search(s, "DELETED", "") == "match");
  CHECK(search(s, "UNDELETED UNANSWERED UNFLAGGED UNDRAFT", " 1 2 3") == "match");
  s("x STORE 2 +FLAGS ($Work \\Flagged \\Answered \\Draft \\Deleted)\r\n");
  CHECK(search(s, "KEYWORD $Work", " 2") == "match");
  CHECK(search(s, "UNKEYWORD $Work", " 1 3") == "match");
  CHECK(search(s, "FLAGGED ANSWERED DRAFT DELETED", " 2") == "match");
  CHECK(search(s, "NOT (OR FLAGGED SEEN)", " 3") == "match");
  CHECK(s("a1 SEARCH CHARSET KOI8-R FROM bob\r\n") ==
        "a1 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
  CHECK(s("a2 UID SEARCH 2:3 FROM bob\r\n") == "* SEARCH 3\r\na2 OK SEARCH completed\r\n");
}

TEST_CASE("SEARCH on encoded-word subjects matches the decoded text") {
  LoggedIn s(false);
  s.store.deliver("alice", "INBOX", "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\n\r\nx\r\n", kDate1);
  s("S SELECT INBOX\r\n");
  CHECK(s("a1 SEARCH CHARSET UTF-8 SUBJECT \"Caf\xc3\xa9\"\r\n") == "* SEARCH 1\r\na1 OK SEARCH completed\r\n");
}

TEST_CASE("COPY and MOVE with COPYUID and TRYCREATE") {
  Selected s;
  CHECK(s("a1 COPY 2:3 Trash\r\n") == "a1 OK [COPYUID 2 2:3 1:2] COPY completed\r\n");
  CHECK(s("a2 COPY 1 Nowhere\r\n") == "a2 NO [TRYCREATE] Mailbox does not exist\r\n");
  CHECK(s("a3 UID MOVE 1 Trash\r\n") ==
        "* OK [COPYUID 2 1 3] Moved\r\n* 1 EXPUNGE\r\na3 OK UID MOVE completed\r\n");
  CHECK(s("a4 MOVE 1 Trash\r\n") ==
        "* OK [COPYUID 2 2 4] Moved\r\n* 1 EXPUNGE\r\na4 OK MOVE completed\r\n");
  CHECK(s("a5 UID COPY 99 Trash\r\n") == "a5 OK No messages, UID COPY completed\r\n");
  CHECK(s("a6 MOVE 1 Nowhere\r\n") == "a6 NO [TRYCREATE] Mailbox does not exist\r\n");
  s.store.set_quota("alice", s.store.used("alice") + 1);
  CHECK(s("a7 COPY 1 Trash\r\n") == "a7 NO [OVERQUOTA] Quota exceeded\r\n");
  CHECK(s("a8 STATUS Trash (MESSAGES UIDNEXT)\r\n") ==
        "* STATUS Trash (MESSAGES 4 UIDNEXT 5)\r\na8 OK STATUS completed\r\n");
}

TEST_CASE("EXPUNGE renumbers, UID EXPUNGE removes only the named UIDs") {
  LoggedIn s(false);
  for (int i = 0; i < 5; ++i) s.store.deliver("alice", "INBOX", kMsg1, kDate1);
  s("S SELECT INBOX\r\n");
  s("a1 STORE 2,3,5 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(s("a2 EXPUNGE\r\n") == "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 3 EXPUNGE\r\na2 OK EXPUNGE completed\r\n");
  CHECK(s("a3 FETCH 1:* UID\r\n") ==
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 4)\r\na3 OK FETCH completed\r\n");
  s("a4 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(s("a5 UID EXPUNGE 4:9\r\n") == "* 2 EXPUNGE\r\na5 OK EXPUNGE completed\r\n");
  CHECK(s("a6 UID FETCH 1:* FLAGS\r\n") ==
        "* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))\r\na6 OK UID FETCH completed\r\n");
}

TEST_CASE("FETCH on an empty mailbox with * returns nothing") {
  LoggedIn s(false);
  CHECK(s("S SELECT INBOX\r\n").find("* 0 EXISTS\r\n* 0 RECENT\r\n") == 0);
  CHECK(s("a1 FETCH 1:* FLAGS\r\n") == "a1 OK FETCH completed\r\n");
  CHECK(s("a2 UID FETCH 1:* FLAGS\r\n") == "a2 OK UID FETCH completed\r\n");
  CHECK(s("a3 FETCH 1 FLAGS\r\n") == "a3 BAD Invalid message sequence number\r\n");
}

TEST_CASE("AUTHENTICATE PLAIN with a continuation, with SASL-IR, and its failures") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 AUTHENTICATE CRAM-MD5\r\n") == "a1 NO Unsupported authentication mechanism\r\n");
  CHECK(talk(s, "a2 AUTHENTICATE PLAIN\r\n") == "+ \r\n");
  CHECK(talk(s, "*\r\n") == "a2 BAD AUTHENTICATE cancelled\r\n");
  CHECK(talk(s, "a3 AUTHENTICATE PLAIN\r\n!!!\r\n") == "+ \r\na3 BAD Invalid base64 data\r\n");
  CHECK(talk(s, "a4 AUTHENTICATE PLAIN AGFsaWNlAHdyb25n\r\n") ==
        "a4 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  CHECK(talk(s, "a5 AUTHENTICATE PLAIN Ym9iAGFsaWNlAHNlY3JldA==\r\n") ==
        "a5 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");  // authzid bob != alice
  CHECK(talk(s, "a6 AUTHENTICATE PLAIN YWxpY2U=\r\n") == "a6 BAD Invalid PLAIN response\r\n");
  CHECK(talk(s, "a7 AUTHENTICATE PLAIN =\r\n") == "a7 BAD Invalid PLAIN response\r\n");
  s.take_events();
  CHECK(talk(s, "a8 AUTHENTICATE PLAIN\r\n") == "+ \r\n");
  CHECK(talk(s, "AGFsaWNlAHNlY3JldA==\r\n") ==
        "a8 OK [CAPABILITY " + kCapsAuth + "] AUTHENTICATE completed\r\n");
  const auto ev = s.take_events();
  bool masked = false;
  for (const auto& e : ev)
    if (e.kind == Kind::CommandReceived && e.text == "********" &&
        e.clear_text == "AGFsaWNlAHNlY3JldA==")
      masked = true;
  CHECK(masked);
}

TEST_CASE("SASL-IR initial response is masked in events") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  s.take_events();
  CHECK(talk(s, "a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n") ==
        "a1 OK [CAPABILITY " + kCapsAuth + "] AUTHENTICATE completed\r\n");
  const auto ev = s.take_events();
  REQUIRE(!ev.empty());
  CHECK(ev[0].text == "a1 AUTHENTICATE PLAIN ********");
  CHECK(ev[0].clear_text == "a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==");
}

TEST_CASE("STARTTLS with LOGINDISABLED before TLS") {
  MemoryStore store;
  fill(store);
  ServerConfig cfg;
  cfg.login_requires_tls = true;
  ServerSession s(store, cfg);
  CHECK(s.take_output() ==
        "* OK [CAPABILITY " + kCapsAuth + " STARTTLS LOGINDISABLED] imap.example.net IMAP4rev1 "
        "service ready\r\n");
  CHECK(talk(s, "a1 LOGIN alice secret\r\n") ==
        "a1 NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS\r\n");
  CHECK(talk(s, "a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n") ==
        "a2 NO [PRIVACYREQUIRED] Authentication is disabled until STARTTLS\r\n");
  // Bytes pipelined after STARTTLS are dropped (they would be plaintext injection).
  CHECK(talk(s, "a3 STARTTLS\r\na4 LOGIN alice secret\r\n") == "a3 OK Begin TLS negotiation now\r\n");
  CHECK(s.tls_requested());
  CHECK(talk(s, "a5 NOOP\r\n").empty());
  s.tls_established();
  CHECK(!s.tls_requested());
  CHECK(s.tls_active());
  CHECK(talk(s, "a6 CAPABILITY\r\n") ==
        "* CAPABILITY " + kCapsAuth + " AUTH=PLAIN AUTH=LOGIN\r\na6 OK CAPABILITY completed\r\n");
  CHECK(talk(s, "a7 STARTTLS\r\n") == "a7 BAD TLS is already active\r\n");
  CHECK(talk(s, "a8 LOGIN alice secret\r\n").find("a8 OK") == 0);
}

TEST_CASE("Implicit TLS and STARTTLS not offered") {
  MemoryStore store;
  fill(store);
  ServerConfig cfg;
  cfg.implicit_tls = true;
  ServerSession s(store, cfg);
  CHECK(s.take_output() ==
        "* OK [CAPABILITY " + kCapsAuth + " AUTH=PLAIN AUTH=LOGIN] imap.example.net IMAP4rev1 service ready\r\n");
  ServerConfig no_tls;
  no_tls.starttls_available = false;
  ServerSession t(store, no_tls);
  t.take_output();
  CHECK(talk(t, "a1 STARTTLS\r\n") == "a1 BAD STARTTLS is not available\r\n");
}

TEST_CASE("LOGIN failure and LOGOUT") {
  MemoryStore store;
  fill(store);
  ServerSession s(store);
  s.take_output();
  CHECK(talk(s, "a1 LOGIN alice wrong\r\n") == "a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  CHECK(talk(s, "a2 LOGIN nobody secret\r\n") == "a2 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  CHECK(talk(s, "a3 LOGOUT\r\na4 NOOP\r\n") ==
        "* BYE imap.example.net IMAP4rev1 server logging out\r\na3 OK LOGOUT completed\r\n");
  CHECK(s.closed());
  CHECK(talk(s, "a5 NOOP\r\n").empty());
}

TEST_CASE("IDLE and DONE; anything else ends IDLE with BAD") {
  Selected s;
  CHECK(s("a1 IDLE\r\n") == "+ idling\r\n");
  CHECK(s.server.idling());
  CHECK(s("done\r\n") == "a1 OK IDLE terminated\r\n");
  CHECK(s("a2 IDLE\r\n") == "+ idling\r\n");
  CHECK(s("a3 NOOP\r\n") == "a2 BAD Expected DONE to end IDLE\r\n");
  CHECK(!s.server.idling());
  CHECK(s("a4 NOOP\r\n") == "a4 OK NOOP completed\r\n");
}

TEST_CASE("connection_lost closes the session") {
  Selected s;
  s.server.connection_lost();
  CHECK(s.server.closed());
  CHECK(s.server.state() == ServerSession::State::Logout);
}
