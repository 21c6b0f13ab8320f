// Tests for the SMTP server session: every command, error reply, limit and framing rule.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace mailsim::smtp;
using namespace mailsim::smtp::test;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {
std::string b64(std::string_view s) { return mailsim::proto::base64_encode(s); }

ServerConfig auth_config() {
  ServerConfig c = test_config();
  c.offer_auth = true;
  return c;
}

const std::string kEhloAuth =
    "250-mx.example.org Hello client.example\r\n"
    "250-SIZE 10485760\r\n"
    "250-8BITMIME\r\n"
    "250-PIPELINING\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250 HELP\r\n";

// Starts a transaction with one accepted recipient.
void to_rcpt(ServerHarness& h) {
  h.ehlo();
  REQUIRE(h.send("MAIL FROM:<s@client.example>\r\nRCPT TO:<alice@example.org>\r\n") ==
          "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n");
}
}  // namespace

TEST_CASE("smtp server: greeting and EHLO reply") {
  ServerHarness h;
  CHECK(h.greeting == kGreeting);
  CHECK(h.server.state() == ServerSession::State::Connected);
  CHECK(h.send("EHLO client.example\r\n") == kEhloPlain);
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.server.context().helo_name == "client.example");
  CHECK(h.server.context().esmtp);
}

TEST_CASE("smtp server: HELO gives a one-line reply without extensions") {
  ServerHarness h;
  CHECK(h.send("HELO client.example\r\n") == "250 mx.example.org Hello client.example\r\n");
  CHECK_FALSE(h.server.context().esmtp);
  // Parameters need EHLO.
  CHECK(h.send("MAIL FROM:<a@b.example> SIZE=10\r\n") == "555 5.5.4 MAIL parameters require EHLO\r\n");
}

TEST_CASE("smtp server: EHLO advertises AUTH and STARTTLS as configured") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.max_message_size = 5000;
  ServerHarness h(c);
  CHECK(h.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-SIZE 5000\r\n"
        "250-8BITMIME\r\n"
        "250-PIPELINING\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-AUTH PLAIN LOGIN\r\n"
        "250-STARTTLS\r\n"
        "250 HELP\r\n");
}

TEST_CASE("smtp server: HELO/EHLO without a name") {
  ServerHarness h;
  CHECK(h.send("EHLO\r\n") == "501 5.5.4 Syntax: EHLO hostname\r\n");
  CHECK(h.send("HELO \r\n") == "501 5.5.4 Syntax: HELO hostname\r\n");
  CHECK(h.server.state() == ServerSession::State::Connected);
}

TEST_CASE("smtp server: a complete transaction") {
  ServerHarness h;
  h.ehlo();
  CHECK(h.send("MAIL FROM:<sender@client.example>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.server.state() == ServerSession::State::MailGiven);
  CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "250 2.1.5 Recipient OK\r\n");
  CHECK(h.server.state() == ServerSession::State::RcptGiven);
  CHECK(h.send("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(h.server.state() == ServerSession::State::Data);
  CHECK(h.send("Subject: t\r\n\r\nbody\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
  REQUIRE(h.backend.messages.size() == 1);
  CHECK(h.backend.messages[0].data == "Subject: t\r\n\r\nbody\r\n");
  CHECK(h.backend.messages[0].envelope.reverse_path == "sender@client.example");
  CHECK(h.backend.messages[0].envelope.recipients == std::vector<std::string>{"alice@example.org"});
  CHECK(h.backend.messages[0].ctx.client_ip == "192.0.2.10");
  CHECK(h.backend.messages[0].ctx.helo_name == "client.example");
  CHECK(h.server.messages_accepted() == 1);
  CHECK(h.send("QUIT\r\n") == "221 2.0.0 mx.example.org closing connection\r\n");
  CHECK(h.server.closed());
  CHECK(h.send("NOOP\r\n").empty());
}

TEST_CASE("smtp server: events for commands, replies and states") {
  ServerHarness h;
  h.server.take_events();
  h.send("EHLO client.example\r\nFOO\r\n");
  const auto ev = h.server.take_events();
  REQUIRE(ev.size() >= 4);
  CHECK(ev[0].kind == Kind::CommandReceived);
  CHECK(ev[0].verb == "EHLO");
  CHECK(ev[0].text == "EHLO client.example");
  const auto replies = events_of(ev, Kind::ReplySent);
  REQUIRE(replies.size() == 7);
  CHECK(replies[0].text == "250-mx.example.org Hello client.example");
  CHECK(replies[0].code == 250);
  CHECK(replies[6].text == "500 5.5.2 Command not recognized");
  CHECK(replies[6].status == "5.5.2");
  const auto states = events_of(ev, Kind::StateChanged);
  REQUIRE(states.size() == 1);
  CHECK(states[0].from_state == "Connected");
  CHECK(states[0].to_state == "Ready");
  const auto errors = events_of(ev, Kind::ProtocolError);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].text == "unknown command \"FOO\"");
}

TEST_CASE("smtp server: null reverse-path is accepted") {
  ServerHarness h;
  h.ehlo();
  CHECK(h.send("MAIL FROM:<>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.server.envelope().null_sender);
  CHECK(h.server.envelope().reverse_path.empty());
}

TEST_CASE("smtp server: unknown command") {
  ServerHarness h;
  CHECK(h.send("BDAT 10 LAST\r\n") == "500 5.5.2 Command not recognized\r\n");
  CHECK(h.send("\r\n") == "500 5.5.2 Command not recognized\r\n");
}

TEST_CASE("smtp server: sequence errors") {
  ServerHarness h;
  CHECK(h.send("MAIL FROM:<a@b.example>\r\n") == "503 5.5.1 Send HELO/EHLO first\r\n");
  CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "503 5.5.1 Send HELO/EHLO first\r\n");
  CHECK(h.send("DATA\r\n") == "503 5.5.1 Send HELO/EHLO first\r\n");
  h.ehlo();
  CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "503 5.5.1 Need MAIL command\r\n");
  CHECK(h.send("DATA\r\n") == "503 5.5.1 Need MAIL command\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.send("DATA\r\n") == "503 5.5.1 Need RCPT command\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example>\r\n") == "503 5.5.1 Sender already specified\r\n");
  CHECK(h.send("RCPT TO:<nobody@example.org>\r\n") == "550 5.1.1 User unknown\r\n");
  CHECK(h.send("DATA\r\n") == "554 5.5.1 No valid recipients\r\n");
}

TEST_CASE("smtp server: MAIL and RCPT syntax errors") {
  ServerHarness h;
  h.ehlo();
  CHECK(h.send("MAIL\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(h.send("MAIL TO:<a@b.example>\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(h.send("MAIL FROM:a@b.example\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(h.send("MAIL FROM:<a..b@b.example>\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(h.send("MAIL FROM:<" + std::string(65, 'x') + "@b.example>\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example> SIZE=12x\r\n") == "501 5.5.4 Invalid SIZE parameter\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example> SIZE=123456789012345678901\r\n") == "501 5.5.4 Invalid SIZE parameter\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n") == "501 5.5.4 Invalid BODY parameter\r\n");
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");  // stay under the error limit
  CHECK(h.send("MAIL FROM:<a@b.example> RET=HDRS\r\n") == "555 5.5.4 Unsupported parameter RET\r\n");
  CHECK(h.send("MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n") == "555 5.5.4 Unsupported parameter SIZE\r\n");
  CHECK(h.send("mail from: <a@b.example> body=8bitmime\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.server.envelope().body == BodyType::EightBitMime);
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");
  CHECK(h.send("RCPT\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
  CHECK(h.send("RCPT TO:<>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(h.send("RCPT TO:<bob>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(h.send("RCPT TO:<a@" + std::string(256, 'd') + ">\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(h.send("RCPT TO:<alice@example.org> NOTIFY=NEVER\r\n") == "555 5.5.4 Unsupported parameter NOTIFY\r\n");
  CHECK(h.send("RCPT TO:<Postmaster>\r\n") == "250 2.1.5 Recipient OK\r\n");
  CHECK(h.send("RCPT TO:<@hub.example:alice@example.org>\r\n") == "250 2.1.5 Recipient OK\r\n");
  CHECK(h.server.envelope().recipients == std::vector<std::string>{"Postmaster", "alice@example.org"});
}

TEST_CASE("smtp server: other commands with bad arguments") {
  ServerHarness h;
  h.ehlo();
  CHECK(h.send("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address\r\n");
  CHECK(h.send("RSET now\r\n") == "501 5.5.4 Syntax: RSET\r\n");
  CHECK(h.send("STARTTLS\r\n") == "502 5.5.1 STARTTLS not available\r\n");
  CHECK(h.send("EXPN staff\r\n") == "502 5.5.1 EXPN not available\r\n");
  CHECK(h.send("AUTH PLAIN\r\n") == "502 5.5.1 AUTH not available\r\n");
  to_rcpt(h);
  CHECK(h.send("DATA now\r\n") == "501 5.5.4 Syntax: DATA\r\n");
}

TEST_CASE("smtp server: VRFY, HELP, NOOP, RSET") {
  ServerHarness h;
  CHECK(h.send("VRFY alice\r\n") == "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  CHECK(h.send("HELP\r\n") ==
        "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS AUTH\r\n"
        "214 2.0.0 See RFC 5321 for details\r\n");
  CHECK(h.send("NOOP anything\r\n") == "250 2.0.0 OK\r\n");
  CHECK(h.send("RSET\r\n") == "250 2.0.0 OK\r\n");
  CHECK(h.server.state() == ServerSession::State::Connected);
  to_rcpt(h);
  CHECK(h.send("RSET\r\n") == "250 2.0.0 OK\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.server.envelope().recipients.empty());
  CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "503 5.5.1 Need MAIL command\r\n");
}

TEST_CASE("smtp server: EHLO in the middle of a transaction resets it") {
  ServerHarness h;
  to_rcpt(h);
  h.ehlo();
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.server.envelope().recipients.empty());
}

TEST_CASE("smtp server: backend refusals are kept per recipient") {
  ServerHarness h;
  h.backend.special["full@example.org"] = Reply::make(552, "5.2.2", "Mailbox full");
  h.backend.special["busy@example.org"] = Reply::make(450, "4.2.0", "Mailbox busy");
  h.ehlo();
  CHECK(h.send("MAIL FROM:<s@client.example>\r\n"
               "RCPT TO:<alice@example.org>\r\n"
               "RCPT TO:<nobody@example.org>\r\n"
               "RCPT TO:<full@example.org>\r\n"
               "RCPT TO:<busy@example.org>\r\n"
               "RCPT TO:<someone@elsewhere.example>\r\n"
               "RCPT TO:<bob@example.org>\r\n") ==
        "250 2.1.0 Sender OK\r\n"
        "250 2.1.5 Recipient OK\r\n"
        "550 5.1.1 User unknown\r\n"
        "552 5.2.2 Mailbox full\r\n"
        "450 4.2.0 Mailbox busy\r\n"
        "554 5.7.1 Relay access denied\r\n"
        "250 2.1.5 Recipient OK\r\n");
  const auto& r = h.server.recipient_results();
  REQUIRE(r.size() == 6);
  CHECK(r[1].address == "nobody@example.org");
  CHECK(r[1].reply.enhanced == "5.1.1");
  CHECK(r[4].reply.code == 554);
  CHECK(h.server.envelope().recipients == std::vector<std::string>{"alice@example.org", "bob@example.org"});
  CHECK(h.send("DATA\r\nx\r\n.\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n");
  REQUIRE(h.backend.messages.size() == 1);
  CHECK(h.backend.messages[0].envelope.recipients.size() == 2);
}

TEST_CASE("smtp server: sender refused by the backend leaves no transaction") {
  ServerHarness h;
  h.backend.special["spammer@bad.example"] = Reply::make(550, "5.7.1", "Sender blocked");
  h.ehlo();
  CHECK(h.send("MAIL FROM:<spammer@bad.example>\r\n") == "550 5.7.1 Sender blocked\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
}

TEST_CASE("smtp server: backend's final reply to DATA") {
  ServerHarness h;
  h.backend.data_reply = Reply::make(451, "4.3.0", "Temporary local problem");
  to_rcpt(h);
  CHECK(h.send("DATA\r\nhi\r\n.\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n451 4.3.0 Temporary local problem\r\n");
  CHECK(h.server.messages_accepted() == 0);
}

TEST_CASE("smtp server: dot-unstuffing") {
  ServerHarness h;
  to_rcpt(h);
  h.send("DATA\r\n");
  CHECK(h.send("..leading dot\r\n...\r\nmid . dot\r\n.x\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  REQUIRE(h.backend.messages.size() == 1);
  CHECK(h.backend.messages[0].data == ".leading dot\r\n..\r\nmid . dot\r\nx\r\n");
}

TEST_CASE("smtp server: empty message") {
  ServerHarness h;
  to_rcpt(h);
  CHECK(h.send("DATA\r\n.\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n");
  REQUIRE(h.backend.messages.size() == 1);
  CHECK(h.backend.messages[0].data.empty());
}

TEST_CASE("smtp server: smuggling sequences never end the message") {
  // Each sequence is followed by an attempt to smuggle a second transaction.
  const char* sequences[] = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"};
  for (const char* seq : sequences) {
    INFO(seq);
    ServerHarness h;
    to_rcpt(h);
    h.send("DATA\r\n");
    const std::string smuggled = std::string("first") + seq +
                                 "MAIL FROM:<evil@bad.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nforged\r\n";
    CHECK(h.send(smuggled).empty());
    CHECK(h.server.state() == ServerSession::State::Data);
    CHECK(h.send(".\r\n") == "250 2.0.0 Ok: queued\r\n");
    REQUIRE(h.backend.messages.size() == 1);
    // RFC 5321 lines end only at CRLF: after "\r\n" the line ".\nMAIL ..." starts with a
    // dot, which dot-unstuffing removes; every other sequence stays byte for byte.
    const std::string expected = std::string(seq) == "\r\n.\n" ? "first\r\n\n" + smuggled.substr(9) : smuggled;
    CHECK(h.backend.messages[0].data == expected);
    CHECK(h.backend.messages[0].envelope.recipients == std::vector<std::string>{"alice@example.org"});
    CHECK(h.backend.sender_contexts.size() == 1);
  }
}

TEST_CASE("smtp server: smuggling sequences byte at a time") {
  for (const char* seq : {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"}) {
    INFO(seq);
    ServerHarness h;
    to_rcpt(h);
    const std::string input = std::string("DATA\r\nfirst") + seq + "QUIT\r\n.\r\nNOOP\r\n";
    CHECK(h.send_bytewise(input) == "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n250 2.0.0 OK\r\n");
    REQUIRE(h.backend.messages.size() == 1);
    const std::string body = std::string(seq) == "\r\n.\n" ? "\r\n\n" : seq;
    CHECK(h.backend.messages[0].data == "first" + body + "QUIT\r\n");
  }
}

TEST_CASE("smtp server: a lone dot after a bare-LF line is content, not unstuffed") {
  ServerHarness h;
  to_rcpt(h);
  h.send("DATA\r\n");
  CHECK(h.send("a\n..b\r\n..c\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  CHECK(h.backend.messages.at(0).data == "a\n..b\r\n.c\r\n");
}

TEST_CASE("smtp server: pipelined commands are answered in order") {
  ServerHarness h;
  const std::string all =
      "EHLO client.example\r\n"
      "MAIL FROM:<s@client.example>\r\n"
      "RCPT TO:<alice@example.org>\r\n"
      "RCPT TO:<nobody@example.org>\r\n"
      "RCPT TO:<bob@example.org>\r\n"
      "DATA\r\n"
      "Subject: pipelined\r\n\r\nhello\r\n.\r\n"
      "MAIL FROM:<>\r\n"
      "RCPT TO:<carol@example.org>\r\n"
      "DATA\r\n"
      "second\r\n.\r\n"
      "QUIT\r\n";
  const std::string expected = kEhloPlain +
                               "250 2.1.0 Sender OK\r\n"
                               "250 2.1.5 Recipient OK\r\n"
                               "550 5.1.1 User unknown\r\n"
                               "250 2.1.5 Recipient OK\r\n"
                               "354 End data with <CR><LF>.<CR><LF>\r\n"
                               "250 2.0.0 Ok: queued\r\n"
                               "250 2.1.0 Sender OK\r\n"
                               "250 2.1.5 Recipient OK\r\n"
                               "354 End data with <CR><LF>.<CR><LF>\r\n"
                               "250 2.0.0 Ok: queued\r\n"
                               "221 2.0.0 mx.example.org closing connection\r\n";
  SECTION("one packet") { CHECK(h.send(all) == expected); }
  SECTION("byte at a time") { CHECK(h.send_bytewise(all) == expected); }
  SECTION("odd chunks") {
    std::string out;
    for (std::size_t i = 0; i < all.size(); i += 7) out += h.send(std::string_view(all).substr(i, 7));
    CHECK(out == expected);
  }
  REQUIRE(h.backend.messages.size() == 2);
  CHECK(h.backend.messages[0].data == "Subject: pipelined\r\n\r\nhello\r\n");
  CHECK(h.backend.messages[1].data == "second\r\n");
  CHECK(h.backend.messages[1].envelope.null_sender);
  CHECK(h.server.closed());
}

TEST_CASE("smtp server: bare LF ends command lines (lenient)") {
  ServerHarness h;
  CHECK(h.send("EHLO client.example\nNOOP\n") == kEhloPlain + "250 2.0.0 OK\r\n");
}

TEST_CASE("smtp server: command line limit is 512 octets with CRLF") {
  ServerHarness h;
  const std::string ok = "NOOP " + std::string(510 - 5, 'x');
  REQUIRE(ok.size() + 2 == kMaxCommandLine);
  CHECK(h.send(ok + "\r\n") == "250 2.0.0 OK\r\n");
  CHECK(h.send(ok + "y\r\n") == "500 5.5.6 Line too long\r\n");
  // Far over every limit, with no line end for a while: nothing is buffered without bound.
  CHECK(h.send(std::string(20000, 'z')) == "500 5.5.6 Line too long\r\n");
  CHECK(h.send(std::string(20000, 'z')).empty());
  CHECK(h.send("zz\r\nNOOP\r\n") == "250 2.0.0 OK\r\n");
  CHECK_FALSE(h.server.closed());
}

TEST_CASE("smtp server: AUTH lines may use the RFC 4954 12288-octet limit") {
  ServerHarness h(auth_config());
  h.ehlo();
  const std::string long_user(700, 'u');
  h.backend.passwords[long_user] = "pw";
  const std::string line = "AUTH PLAIN " + b64(std::string("\0", 1) + long_user + std::string("\0", 1) + "pw");
  REQUIRE(line.size() > 512);
  CHECK(h.send(line + "\r\n") == "235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("smtp server: text line limit of 1000 octets in DATA") {
  ServerHarness h;
  to_rcpt(h);
  h.send("DATA\r\n");
  const std::string ok(998, 'a');
  CHECK(h.send(ok + "\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  CHECK(h.backend.messages.at(0).data == ok + "\r\n");

  h.send("MAIL FROM:<s@client.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
  CHECK(h.send("short\r\n" + std::string(999, 'b') + "\r\nmore\r\n").empty());  // keeps reading
  CHECK(h.server.state() == ServerSession::State::Data);
  CHECK(h.send(std::string(100000, 'c') + "\r\n.\r\n") == "500 5.5.6 Line too long\r\n");
  CHECK(h.backend.messages.size() == 1);
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");
}

TEST_CASE("smtp server: SIZE parameter over the limit is refused before any data") {
  ServerConfig c = test_config();
  c.max_message_size = 1000;
  ServerHarness h(c);
  h.ehlo();
  CHECK(h.send("MAIL FROM:<s@client.example> SIZE=1001\r\n") == "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.send("MAIL FROM:<s@client.example> SIZE=1000\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.server.envelope().declared_size == 1000u);
}

TEST_CASE("smtp server: message over the size limit is read to the end and refused") {
  ServerConfig c = test_config();
  c.max_message_size = 100;
  ServerHarness h(c);
  to_rcpt(h);
  h.send("DATA\r\n");
  const std::string line(48, 'x');
  // 2 lines of 50 octets fit exactly.
  CHECK(h.send(line + "\r\n" + line + "\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  h.send("MAIL FROM:<s@client.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
  CHECK(h.send(line + "\r\n" + line + "\r\n" + "y\r\n").empty());
  CHECK(h.server.state() == ServerSession::State::Data);
  for (int i = 0; i < 100; ++i) CHECK(h.send(line + "\r\n").empty());
  CHECK(h.send(".\r\n") == "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  CHECK(h.backend.messages.size() == 1);
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");
}

TEST_CASE("smtp server: recipient limit gives 452 4.5.3") {
  ServerConfig c = test_config();
  c.max_recipients = 2;
  ServerHarness h(c);
  h.ehlo();
  CHECK(h.send("MAIL FROM:<s@client.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
               "RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\n") ==
        "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n550 5.1.1 User unknown\r\n250 2.1.5 Recipient OK\r\n"
        "452 4.5.3 Too many recipients\r\n");
  CHECK(h.server.envelope().recipients.size() == 2);
  CHECK(h.server.recipient_results().back().reply.code == 452);
}

TEST_CASE("smtp server: default recipient limit is 100") {
  ServerHarness h;
  h.ehlo();
  h.send("MAIL FROM:<s@client.example>\r\n");
  h.backend.users.clear();
  h.backend.special.clear();
  for (int i = 0; i < 100; ++i) {
    const std::string a = "u" + std::to_string(i) + "@example.org";
    h.backend.special[a] = Reply::make(250, "2.1.5", "OK");
    REQUIRE(h.send("RCPT TO:<" + a + ">\r\n") == "250 2.1.5 OK\r\n");
  }
  CHECK(h.send("RCPT TO:<alice@example.org>\r\n") == "452 4.5.3 Too many recipients\r\n");
}

TEST_CASE("smtp server: too many errors in a row closes with 421 4.7.0") {
  ServerHarness h;
  std::string out;
  for (std::size_t i = 0; i + 1 < kMaxConsecutiveErrors; ++i) out += h.send("WHAT\r\n");
  CHECK_FALSE(h.server.closed());
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");  // a success resets the count
  for (std::size_t i = 0; i + 1 < kMaxConsecutiveErrors; ++i) CHECK(h.send("WHAT\r\n") == "500 5.5.2 Command not recognized\r\n");
  CHECK(h.send("MAIL FROM:<x@y.example>\r\nNOOP\r\n") ==
        "503 5.5.1 Send HELO/EHLO first\r\n421 4.7.0 mx.example.org Too many errors, closing connection\r\n");
  CHECK(h.server.closed());
  CHECK(h.send("NOOP\r\n").empty());
}

TEST_CASE("smtp server: submission port refuses MAIL before AUTH") {
  ServerConfig c = auth_config();
  c.require_auth = true;
  ServerHarness h(c);
  h.ehlo();
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n") == "530 5.7.0 Authentication required\r\n");
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.backend.sender_contexts.back().authenticated_user == "alice");
  CHECK(h.send("RCPT TO:<friend@elsewhere.example>\r\n") == "250 2.1.5 Recipient OK (relay)\r\n");
}

TEST_CASE("smtp server: AUTH PLAIN with initial response, masked in events") {
  ServerHarness h(auth_config());
  CHECK(h.send("EHLO client.example\r\n") == kEhloAuth);
  h.server.take_events();
  const std::string blob = b64(std::string("\0alice\0wonderland", 17));
  CHECK(h.send("AUTH PLAIN " + blob + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(h.server.context().authenticated_user == "alice");
  CHECK(h.backend.auth_attempts == std::vector<std::string>{"PLAIN alice wonderland"});
  const auto cmds = events_of(h.server.take_events(), Kind::CommandReceived);
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].text == "AUTH PLAIN ********");
  CHECK(cmds[0].clear_text == "AUTH PLAIN " + blob);
  CHECK(h.send("AUTH PLAIN " + blob + "\r\n") == "503 5.5.1 Already authenticated\r\n");
}

TEST_CASE("smtp server: AUTH PLAIN with an empty challenge") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(h.server.state() == ServerSession::State::AuthPlain);
  h.server.take_events();
  CHECK(h.send(b64(std::string("alice\0alice\0wonderland", 22)) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  const auto cmds = events_of(h.server.take_events(), Kind::CommandReceived);
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].text == "********");
}

TEST_CASE("smtp server: AUTH LOGIN") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(h.send(b64("alice") + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(h.send(b64("wonderland") + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(h.backend.auth_attempts == std::vector<std::string>{"LOGIN alice wonderland"});
}

TEST_CASE("smtp server: AUTH LOGIN with the user name as initial response") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH LOGIN " + b64("alice") + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(h.send(b64("wrong") + "\r\n") == "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(h.server.context().authenticated_user.empty());
  CHECK(h.server.state() == ServerSession::State::Ready);
}

TEST_CASE("smtp server: AUTH failures") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0nope", 11)) + "\r\n") == "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0mallory\0x", 10)) + "\r\n") == "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(h.send("AUTH PLAIN " + b64(std::string("bob\0alice\0wonderland", 20)) + "\r\n") ==
        "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(h.send("AUTH PLAIN " + b64("no nul at all") + "\r\n") == "501 5.5.2 Malformed PLAIN response\r\n");
  CHECK(h.send("AUTH PLAIN =\r\n") == "501 5.5.2 Malformed PLAIN response\r\n");
  CHECK(h.send("AUTH CRAM-MD5\r\n") == "504 5.5.4 Unrecognized authentication type\r\n");
  CHECK(h.send("AUTH\r\n") == "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n");
  CHECK(h.send("AUTH PLAIN a b\r\n") == "501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n");
}

TEST_CASE("smtp server: AUTH with bad base64") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH PLAIN not*base64\r\n") == "501 5.5.2 Invalid base64 data\r\n");
  CHECK(h.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(h.send("AHVzZXI\r\n") == "501 5.5.2 Invalid base64 data\r\n");  // missing padding
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(h.send("!!!!\r\n") == "501 5.5.2 Invalid base64 data\r\n");
  CHECK(h.send("AUTH LOGIN ###\r\n") == "501 5.5.2 Invalid base64 data\r\n");
  CHECK(h.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(h.send(b64("alice") + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(h.send("d29 uZGVy\r\n") == "501 5.5.2 Invalid base64 data\r\n");
  CHECK(h.backend.auth_attempts.empty());
}

TEST_CASE("smtp server: AUTH cancelled with *") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH PLAIN\r\n*\r\n") == "334 \r\n501 5.0.0 Authentication cancelled\r\n");
  CHECK(h.send("AUTH LOGIN\r\n*\r\n") == "334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n");
  CHECK(h.send("AUTH LOGIN\r\n" + b64("alice") + "\r\n*\r\n") ==
        "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n501 5.0.0 Authentication cancelled\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
  CHECK(h.backend.auth_attempts.empty());
  // After a cancel a new AUTH is allowed.
  CHECK(h.send("AUTH LOGIN " + b64("alice") + "\r\n" + b64("wonderland") + "\r\n") ==
        "334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("smtp server: AUTH in the wrong place") {
  ServerHarness h(auth_config());
  CHECK(h.send("AUTH PLAIN\r\n") == "503 5.5.1 Send EHLO first\r\n");
  CHECK(h.send("HELO client.example\r\n") == "250 mx.example.org Hello client.example\r\n");
  CHECK(h.send("AUTH PLAIN\r\n") == "503 5.5.1 Send EHLO first\r\n");
  to_rcpt(h);
  CHECK(h.send("AUTH PLAIN\r\n") == "503 5.5.1 AUTH not allowed during a mail transaction\r\n");
}

TEST_CASE("smtp server: an over-long AUTH response aborts the exchange") {
  ServerHarness h(auth_config());
  h.ehlo();
  CHECK(h.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(h.send(std::string(kMaxAuthLine + 10, 'A') + "\r\n") == "500 5.5.6 Line too long\r\n");
  CHECK(h.server.state() == ServerSession::State::Ready);
}

TEST_CASE("smtp server: TLS required before AUTH") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.require_tls_for_auth = true;
  ServerHarness h(c);
  CHECK(h.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-SIZE 10485760\r\n"
        "250-8BITMIME\r\n"
        "250-PIPELINING\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-STARTTLS\r\n"
        "250 HELP\r\n");
  CHECK(h.send("AUTH PLAIN\r\n") == "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
  CHECK(h.send("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  h.server.tls_established();
  CHECK(h.send("EHLO client.example\r\n") == kEhloAuth);
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("smtp server: TLS required answers 530 5.7.0 until STARTTLS (as Postfix's encrypt level)") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.require_tls = true;
  c.require_auth = true;
  ServerHarness h(c);
  // EHLO, NOOP work; AUTH is not advertised before TLS (smtpd_tls_auth_only is implied).
  CHECK(h.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-SIZE 10485760\r\n"
        "250-8BITMIME\r\n"
        "250-PIPELINING\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-STARTTLS\r\n"
        "250 HELP\r\n");
  CHECK(h.send("NOOP\r\n") == "250 2.0.0 OK\r\n");
  h.server.take_events();
  const std::string must = "530 5.7.0 Must issue a STARTTLS command first\r\n";
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n") == must);
  const auto errs = events_of(h.server.take_events(), Kind::ProtocolError);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].text == "MAIL before STARTTLS on a port that requires TLS");
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") == must);
  CHECK(h.send("RCPT TO:<bob@example.org>\r\n") == must);
  CHECK(h.send("DATA\r\n") == must);
  CHECK(h.send("RSET\r\n") == must);
  CHECK(h.send("VRFY alice\r\n") == must);
  CHECK(h.send("HELP\r\n") == must);
  CHECK(h.send("HELO client.example\r\n") == "250 mx.example.org Hello client.example\r\n");
  CHECK(h.send("BOGUS\r\n") == "500 5.5.2 Command not recognized\r\n");  // unknown stays unknown
  CHECK(h.backend.messages.empty());
  // After STARTTLS everything works as on any submission port.
  CHECK(h.send("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  h.server.tls_established();
  CHECK(h.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-SIZE 10485760\r\n"
        "250-8BITMIME\r\n"
        "250-PIPELINING\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-AUTH PLAIN LOGIN\r\n"
        "250 HELP\r\n");
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n") == "530 5.7.0 Authentication required\r\n");
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") ==
        "235 2.7.0 Authentication successful\r\n");
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@elsewhere.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n") ==
        "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK (relay)\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued\r\n221 2.0.0 mx.example.org closing connection\r\n");
  CHECK(h.backend.messages.size() == 1);
}

TEST_CASE("smtp server: TLS required, fed one byte at a time, answers as in one packet") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.require_tls = true;
  const std::string input = "EHLO a.example\r\nMAIL FROM:<alice@example.org>\r\nAUTH LOGIN\r\nRCPT TO:<b@example.org>\r\n"
                            "NOOP\r\nQUIT\r\n";
  ServerHarness a(c);
  ServerHarness b(c);
  const std::string whole = a.send(input);
  CHECK(b.send_bytewise(input) == whole);
  const std::string must = "530 5.7.0 Must issue a STARTTLS command first\r\n";
  CHECK(whole.find(must + must + must + "250 2.0.0 OK\r\n221 2.0.0") != std::string::npos);
}

TEST_CASE("smtp server: TLS required is already met on an implicit-TLS port") {
  ServerConfig c = auth_config();
  c.implicit_tls = true;
  c.require_tls = true;
  ServerHarness h(c);
  CHECK(h.send("EHLO client.example\r\n") == kEhloAuth);
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") ==
        "235 2.7.0 Authentication successful\r\n");
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n") == "250 2.1.0 Sender OK\r\n");
}

TEST_CASE("smtp server: TLS required, ten refused commands close the session like other errors") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.require_tls = true;
  ServerHarness h(c);
  h.ehlo();
  std::string out;
  for (int i = 0; i < 10; ++i) out += h.send("MAIL FROM:<a@example.org>\r\n");
  CHECK(out.find("421 4.7.0 mx.example.org Too many errors, closing connection\r\n") != std::string::npos);
  CHECK(h.server.closed());
}

TEST_CASE("smtp server: STARTTLS resets the session and drops pipelined plain text") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  ServerHarness h(c);
  h.ehlo();
  CHECK(h.send("AUTH PLAIN " + b64(std::string("\0alice\0wonderland", 17)) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  h.server.take_events();
  // A command injected after STARTTLS in the same packet (CVE-2011-0411 style).
  CHECK(h.send("STARTTLS\r\nMAIL FROM:<evil@bad.example>\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(h.server.tls_requested());
  const auto errs = events_of(h.server.take_events(), Kind::ProtocolError);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].text == "discarded 30 octet(s) pipelined after STARTTLS");
  // Input while the handshake runs is held, then read once TLS is up.
  CHECK(h.send("MAIL FROM:<alice@example.org>\r\n").empty());
  h.server.tls_established();
  CHECK_FALSE(h.server.tls_requested());
  CHECK(h.server.context().tls);
  CHECK(h.server.context().helo_name.empty());
  CHECK(h.server.context().authenticated_user.empty());
  CHECK(h.server.take_output() == "503 5.5.1 Send HELO/EHLO first\r\n");
  CHECK(h.send("EHLO client.example\r\n") == kEhloAuth);  // no STARTTLS any more
  CHECK(h.send("STARTTLS\r\n") == "503 5.5.1 TLS already active\r\n");
  CHECK(h.send("MAIL FROM:<s@client.example>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(h.backend.sender_contexts.back().tls);
  CHECK(h.send("STARTTLS\r\n") == "503 5.5.1 STARTTLS not allowed during a mail transaction\r\n");
}

TEST_CASE("smtp server: STARTTLS with an argument") {
  ServerConfig c = test_config();
  c.offer_starttls = true;
  ServerHarness h(c);
  h.ehlo();
  CHECK(h.send("STARTTLS now\r\n") == "501 5.5.4 Syntax: STARTTLS\r\n");
}

TEST_CASE("smtp server: implicit TLS starts protected") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.implicit_tls = true;
  c.require_tls_for_auth = true;
  ServerHarness h(c);
  CHECK(h.server.context().tls);
  CHECK(h.send("EHLO client.example\r\n") == kEhloAuth);
  CHECK(h.send("STARTTLS\r\n") == "503 5.5.1 TLS already active\r\n");
}

TEST_CASE("smtp server: connection lost during DATA drops the message") {
  ServerHarness h;
  to_rcpt(h);
  h.send("DATA\r\npartial\r\n");
  h.server.connection_lost();
  CHECK(h.server.closed());
  CHECK(h.backend.messages.empty());
}

TEST_CASE("smtp server: byte-at-a-time equals one packet for a whole AUTH session") {
  const std::string input = "EHLO client.example\r\nAUTH LOGIN\r\n" + b64("alice") + "\r\n" + b64("wonderland") +
                            "\r\nMAIL FROM:<alice@example.org> SIZE=20\r\nRCPT TO:<x@elsewhere.example>\r\n"
                            "DATA\r\n.hidden\r\nbody\r\n.\r\nQUIT\r\n";
  ServerHarness a(auth_config());
  ServerHarness b(auth_config());
  const std::string whole = a.send(input);
  CHECK(b.send_bytewise(input) == whole);
  CHECK(whole == kEhloAuth +
                     "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n"
                     "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK (relay)\r\n"
                     "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n"
                     "221 2.0.0 mx.example.org closing connection\r\n");
  CHECK(b.backend.messages.at(0).data == "hidden\r\nbody\r\n");
}

TEST_CASE("smtp server: an identity sets the banner and the EHLO keywords' choice and order") {
  ServerConfig c = auth_config();
  c.offer_starttls = true;
  c.banner = "ESMTP Postfix (Debian/GNU)";
  c.extensions = {"PIPELINING", "SIZE", "STARTTLS", "AUTH", "ENHANCEDSTATUSCODES", "8BITMIME"};
  ServerHarness h(c);
  CHECK(h.greeting == "220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n");
  CHECK(h.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-PIPELINING\r\n"
        "250-SIZE 10485760\r\n"
        "250-STARTTLS\r\n"
        "250-AUTH PLAIN LOGIN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250 8BITMIME\r\n");
  // AUTH and STARTTLS are still only listed when offered: without them the list is shorter.
  ServerConfig plain = test_config();
  plain.extensions = c.extensions;
  ServerHarness p(plain);
  CHECK(p.send("EHLO client.example\r\n") ==
        "250-mx.example.org Hello client.example\r\n"
        "250-PIPELINING\r\n"
        "250-SIZE 10485760\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250 8BITMIME\r\n");
}
