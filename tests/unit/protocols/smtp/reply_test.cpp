// Tests for the SMTP Reply type: formatting, line parsing, multi-line assembly, explanations.
#include <catch2/catch.hpp>

#include "protocols/smtp/reply.hpp"

using namespace mailsim::smtp;

TEST_CASE("smtp reply: single line with enhanced status formats exactly") {
  CHECK(Reply::make(250, "2.1.5", "Recipient OK").format() == "250 2.1.5 Recipient OK\r\n");
  CHECK(Reply::make(354, "", "Go ahead").format() == "354 Go ahead\r\n");
  CHECK(Reply::make(334, "", "").format() == "334 \r\n");
}

TEST_CASE("smtp reply: multi-line uses '-' on every line but the last") {
  Reply r;
  r.code = 214;
  r.enhanced = "2.0.0";
  r.lines = {"one", "two", "three"};
  CHECK(r.format() == "214-2.0.0 one\r\n214-2.0.0 two\r\n214 2.0.0 three\r\n");
  CHECK(r.text() == "one two three");
  CHECK(r.format_lines().size() == 3);
}

TEST_CASE("smtp reply: classes") {
  CHECK(Reply::make(250, "", "").positive());
  CHECK(Reply::make(354, "", "").intermediate());
  CHECK(Reply::make(450, "", "").transient_failure());
  CHECK(Reply::make(550, "", "").permanent_failure());
}

TEST_CASE("smtp reply: parse_reply_line recognises code, continuation and enhanced status") {
  auto a = parse_reply_line("250-2.1.0 Sender OK");
  REQUIRE(a);
  CHECK(a->code == 250);
  CHECK_FALSE(a->last);
  CHECK(a->enhanced == "2.1.0");
  CHECK(a->text == "Sender OK");

  auto b = parse_reply_line("550 5.1.1 User unknown");
  REQUIRE(b);
  CHECK(b->last);
  CHECK(b->enhanced == "5.1.1");

  auto c = parse_reply_line("250");
  REQUIRE(c);
  CHECK(c->code == 250);
  CHECK(c->last);
  CHECK(c->text.empty());

  auto d = parse_reply_line("334 VXNlcm5hbWU6");
  REQUIRE(d);
  CHECK(d->enhanced.empty());
  CHECK(d->text == "VXNlcm5hbWU6");

  auto e = parse_reply_line("250 5.1.1 mismatched class stays text");
  REQUIRE(e);
  CHECK(e->enhanced.empty());
  CHECK(e->text == "5.1.1 mismatched class stays text");

  auto f = parse_reply_line("538 5.7.11 Encryption required");
  REQUIRE(f);
  CHECK(f->enhanced == "5.7.11");
  CHECK(f->text == "Encryption required");
}

TEST_CASE("smtp reply: parse_reply_line rejects malformed lines") {
  CHECK_FALSE(parse_reply_line(""));
  CHECK_FALSE(parse_reply_line("25"));
  CHECK_FALSE(parse_reply_line("abc def"));
  CHECK_FALSE(parse_reply_line("250x"));
  CHECK_FALSE(parse_reply_line("199 too low"));
  CHECK_FALSE(parse_reply_line("650 too high"));
  CHECK_FALSE(parse_reply_line("260 second digit"));
}

TEST_CASE("smtp reply: enhanced_status_length") {
  CHECK(enhanced_status_length("2.0.0 OK") == 5);
  CHECK(enhanced_status_length("5.7.11") == 6);
  CHECK(enhanced_status_length("4.123.456 x") == 9);
  CHECK(enhanced_status_length("3.0.0 x") == 0);
  CHECK(enhanced_status_length("2.0.0x") == 0);
  CHECK(enhanced_status_length("2.0000.0") == 0);
  CHECK(enhanced_status_length("2..0") == 0);
}

TEST_CASE("smtp reply: assembler joins a multi-line reply") {
  ReplyAssembler a;
  CHECK(a.add_line("250-mx Hello") == ReplyAssembler::Status::NeedMore);
  CHECK(a.in_progress());
  CHECK(a.add_line("250-SIZE 100") == ReplyAssembler::Status::NeedMore);
  CHECK(a.add_line("250 PIPELINING") == ReplyAssembler::Status::Complete);
  CHECK(a.reply().code == 250);
  CHECK(a.reply().lines == std::vector<std::string>{"mx Hello", "SIZE 100", "PIPELINING"});
  // The next reply starts afresh.
  CHECK(a.add_line("221 2.0.0 Bye") == ReplyAssembler::Status::Complete);
  CHECK(a.reply().code == 221);
  CHECK(a.reply().enhanced == "2.0.0");
  CHECK(a.reply().lines.size() == 1);
}

TEST_CASE("smtp reply: assembler refuses a code change inside a reply") {
  ReplyAssembler a;
  CHECK(a.add_line("250-first") == ReplyAssembler::Status::NeedMore);
  CHECK(a.add_line("251 second") == ReplyAssembler::Status::Error);
  CHECK(a.error() == "reply code changed inside a multi-line reply (250 then 251)");
  CHECK(a.add_line("garbage") == ReplyAssembler::Status::Error);
  CHECK(a.error() == "malformed reply line: does not start with a reply code");
}

TEST_CASE("smtp reply: assembler limits the number of lines") {
  ReplyAssembler a;
  for (std::size_t i = 0; i < ReplyAssembler::kMaxLines; ++i) REQUIRE(a.add_line("250-x") == ReplyAssembler::Status::NeedMore);
  CHECK(a.add_line("250-x") == ReplyAssembler::Status::Error);
  CHECK(a.error() == "multi-line reply longer than 100 lines");
}

TEST_CASE("smtp reply: explain_reply prefers the enhanced code, then the basic code, then the class") {
  CHECK(explain_reply(550, "5.1.1") == "The recipient's mailbox does not exist (user unknown).");
  CHECK(explain_reply(552, "5.2.2") == "The recipient's mailbox is full (over quota).");
  CHECK(explain_reply(552, "5.3.4") == "The message is larger than the server accepts.");
  CHECK(explain_reply(554, "5.7.1") == "Not allowed: the server will not relay this mail for you.");
  CHECK(explain_reply(535, "5.7.8") == "Authentication failed: wrong user name or password.");
  CHECK(explain_reply(550, "5.1.2").find("domain") != std::string_view::npos);
  CHECK(explain_reply(354) == "Go ahead: send the message, ending with a line holding only a dot.");
  CHECK(explain_reply(550, "5.9.9") == "The mailbox is unavailable (user unknown, or refused by policy).");
  CHECK(explain_reply(599) == "Permanent failure: repeating the same thing will not work.");
  CHECK(explain_reply(499) == "Temporary failure: the client should try again later.");
  CHECK(explain_reply(42) == "Not an SMTP reply code.");
}

TEST_CASE("smtp reply: every code the GUI hovers over has its own explanation") {
  for (int code : {220, 221, 235, 250, 251, 252, 334, 354, 421, 450, 451, 452, 500, 501, 502, 503, 504, 530, 535,
                   538, 550, 551, 552, 553, 554}) {
    INFO(code);
    const auto text = explain_reply(code);
    CHECK(text != explain_reply(code / 100 * 100 + 99));  // not the class fallback
  }
  for (const char* e : {"5.1.1", "5.1.2", "5.2.2", "5.3.4", "5.7.1", "5.7.8", "5.5.1", "5.7.0", "4.5.3", "2.7.0"}) {
    INFO(e);
    CHECK(explain_reply(500, e) != explain_reply(500));
  }
}
