// Replay check pieces: replies split per protocol, comparison keys, normalisation of variable text.
#include <catch2/catch.hpp>

#include "cli/replay_check.hpp"

using namespace mailsim::cli;

TEST_CASE("Replies are split per protocol and compared by code, enhanced code, EHLO keywords") {
  const auto smtp = split_replies("smtp", "220 a\r\n250-x\r\n250-SIZE 1\r\n250 HELP\r\n550 5.1.1 no\r\n");
  REQUIRE(smtp.size() == 3);
  CHECK(smtp[1].lines.size() == 3);
  CHECK(reply_key("smtp", smtp[1].lines, {}) == "250 [HELP SIZE]");
  CHECK(reply_key("smtp", smtp[2].lines, {}) == "550 5.1.1");
  CHECK(reply_key("smtp", smtp[2].lines, {"enhanced"}) == "550");
  CHECK(reply_key("smtp", smtp[1].lines, {"ehlo"}) == "250 (3 lines)");
  CHECK(reply_key("smtp", smtp[1].lines, {"ehlo", "count"}) == "250");

  const auto pop = split_replies("pop3", "+OK hi\r\n-ERR no\r\n+OK caps\r\nUSER\r\nSTLS\r\n.\r\n+OK go\r\n");
  REQUIRE(pop.size() == 4);
  CHECK(reply_key("pop3", pop[1].lines, {}) == "-ERR");
  CHECK(reply_key("pop3", pop[2].lines, {}) == "+OK [STLS USER]");
  CHECK(reply_key("pop3", pop[2].lines, {"ehlo"}) == "+OK (3 more lines)");
  CHECK(reply_key("pop3", pop[2].lines, {"ehlo", "count"}) == "+OK");
  CHECK(reply_key("pop3", {"+OK", "1 120", "2 300", "."}, {}) == "+OK (3 more lines)");
  CHECK(reply_key("pop3", {"+OK 29 octets", "Subject: x", "", "hi", "."}, {}) == "+OK (4 more lines)");
  CHECK(reply_key("pop3", pop[3].lines, {}) == "+OK");

  const auto imap = split_replies("imap", "* OK ready\r\n* 3 EXISTS\r\n* FLAGS (\\Seen)\r\nA7 OK [READ-WRITE] done\r\n");
  REQUIRE(imap.size() == 2);
  CHECK(reply_key("imap", imap[1].lines, {}) == "<tag> OK {3 EXISTS, FLAGS}");
  CHECK(reply_key("imap", imap[1].lines, {"untagged"}) == "<tag> OK");
}

TEST_CASE("Variable parts are normalised: dates, Message-IDs, queue ids, UIDVALIDITY, Dovecot timing") {
  CHECK(normalise_text("OK Logged in (0.001 + 0.000 secs).") == "OK Logged in <timing>.");
  CHECK(normalise_text("2.0.0 Ok: queued as 4Fh2kQ1xYz") == "2.0.0 Ok: queued as <queue-id>");
  CHECK(normalise_text("id <20261206.1@pc.example.com>") == "id <message-id>");
  CHECK(normalise_text("at Sun, 06 Dec 2026 12:00:00 +0000 ok") == "at <date> ok");
  CHECK(normalise_text("[UIDVALIDITY 1733481600] ok") == "[UIDVALIDITY <n>] ok");
}
