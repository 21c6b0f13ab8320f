// Tests for the SMTP client session against scripted server replies.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace mailsim::smtp;
using namespace mailsim::smtp::test;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {
const char* kGreet = "220 mx.example.org ESMTP\r\n";

struct ClientHarness {
  ClientSession c;
  explicit ClientHarness(ClientJob j) : c(std::move(j)) {}
  std::string reply(std::string_view s) {
    c.receive(s);
    return c.take_output();
  }
  // Plays server replies in order, dropping what the client writes back.
  void replies(std::initializer_list<std::string_view> script) {
    for (const auto s : script) reply(s);
  }
  // Greeting, a plain EHLO reply, MAIL and the one RCPT of simple_job() accepted: the client
  // has just sent DATA.
  void until_data() { replies({kGreet, "250 mx\r\n", "250 OK\r\n", "250 OK\r\n"}); }
};

std::string b64(std::string_view s) { return mailsim::proto::base64_encode(s); }

const std::string kBody = "Subject: hi\r\n\r\nHello Alice\r\n";  // 28 octets

ClientJob three_recipients() {
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "ghost@example.org", "busy@example.org"};
  return j;
}
}  // namespace

TEST_CASE("smtp client: one recipient without pipelining") {
  ClientHarness h(simple_job());
  CHECK(h.c.take_output().empty());  // the client waits for the greeting
  CHECK(h.reply(kGreet) == "EHLO client.example\r\n");
  CHECK(h.reply("250-mx.example.org\r\n250-SIZE 1000\r\n250 8BITMIME\r\n") == "MAIL FROM:<sender@client.example> SIZE=28\r\n");
  CHECK(h.c.extensions().size_limit == 1000);
  CHECK(h.reply("250 2.1.0 OK\r\n") == "RCPT TO:<alice@example.org>\r\n");
  CHECK(h.reply("250 2.1.5 OK\r\n") == "DATA\r\n");
  CHECK(h.reply("354 go ahead\r\n") == kBody + ".\r\n");
  CHECK(h.c.result().outcome == Outcome::InProgress);
  CHECK(h.reply("250 2.0.0 queued as 42\r\n") == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::Delivered);
  CHECK(h.c.result().recipients.at(0).status == RecipientStatus::Delivered);
  CHECK(h.c.result().recipients.at(0).text == "queued as 42");
  CHECK_FALSE(h.c.closed());
  CHECK(h.reply("221 2.0.0 bye\r\n").empty());
  CHECK(h.c.closed());
  CHECK(h.c.result().summary() == "delivered: delivered 1 of 1 recipient(s)");
}

TEST_CASE("smtp client: null reverse-path") {
  ClientJob j = simple_job();
  j.sender = "";
  ClientHarness h(j);
  h.reply(kGreet);
  CHECK(h.reply("250 mx\r\n") == "MAIL FROM:<>\r\n");
}

TEST_CASE("smtp client: multi-line replies split at odd places") {
  const std::string ehlo =
      "250-mx.example.org greets you\r\n"
      "250-SIZE 5000\r\n"
      "250-PIPELINING\r\n"
      "250-8BITMIME\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-AUTH PLAIN LOGIN\r\n"
      "250 STARTTLS\r\n";
  for (std::size_t cut1 = 0; cut1 <= ehlo.size(); cut1 += 3) {
    const std::size_t cut2 = std::min(ehlo.size(), cut1 + 5);
    INFO(cut1);
    ClientHarness h(simple_job());
    h.reply(kGreet);
    std::string out = h.reply(ehlo.substr(0, cut1));
    out += h.reply(ehlo.substr(cut1, cut2 - cut1));
    out += h.reply(ehlo.substr(cut2));
    CHECK(out == "MAIL FROM:<sender@client.example> SIZE=28\r\nRCPT TO:<alice@example.org>\r\n");
    const auto& x = h.c.extensions();
    CHECK(x.size_limit == 5000);
    CHECK(x.pipelining);
    CHECK(x.starttls);
    CHECK(x.enhanced_status_codes);
    CHECK(x.auth_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN"});
  }
  ClientHarness b(simple_job());
  b.reply(kGreet);
  std::string out;
  for (char ch : ehlo) out += b.reply(std::string_view(&ch, 1));
  CHECK(out == "MAIL FROM:<sender@client.example> SIZE=28\r\nRCPT TO:<alice@example.org>\r\n");
}

TEST_CASE("smtp client: reply lines are events, one per line") {
  ClientHarness h(simple_job());
  h.c.take_events();
  h.replies({kGreet, "250-mx\r\n250 SIZE\r\n"});
  const auto ev = h.c.take_events();
  const auto replies = events_of(ev, Kind::ReplyReceived);
  REQUIRE(replies.size() == 3);
  CHECK(replies[1].text == "250-mx");
  CHECK(replies[2].code == 250);
  const auto cmds = events_of(ev, Kind::CommandSent);
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].verb == "EHLO");
  CHECK(cmds[1].text == "MAIL FROM:<sender@client.example> SIZE=28");
}

TEST_CASE("smtp client: EHLO refused with 500 or 502 falls back to HELO") {
  for (const char* refusal : {"500 5.5.2 what?\r\n", "502 5.5.1 not implemented\r\n"}) {
    ClientHarness h(simple_job());
    h.reply(kGreet);
    CHECK(h.reply(refusal) == "HELO client.example\r\n");
    CHECK(h.reply("250 mx.example.org\r\n") == "MAIL FROM:<sender@client.example>\r\n");
    CHECK_FALSE(h.c.extensions().esmtp);
  }
}

TEST_CASE("smtp client: other EHLO and HELO refusals") {
  ClientHarness h(simple_job());
  h.reply(kGreet);
  CHECK(h.reply("554 5.7.1 go away\r\n") == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::PermanentFailure);
  CHECK(h.c.result().reason == "server refused EHLO: go away");
  CHECK(h.c.result().failed_at == FailedStep::Hello);

  ClientHarness g(simple_job());
  g.replies({kGreet, "502 no\r\n"});
  CHECK(g.reply("451 4.3.0 later\r\n") == "QUIT\r\n");
  CHECK(g.c.result().outcome == Outcome::TemporaryFailure);
}

TEST_CASE("smtp client: greeting refusals") {
  ClientHarness a(simple_job());
  CHECK(a.reply("554 5.7.1 No SMTP service here\r\n") == "QUIT\r\n");
  CHECK(a.c.result().outcome == Outcome::PermanentFailure);
  CHECK(a.c.result().recipients[0].code == 554);
  CHECK(a.c.result().recipients[0].enhanced == "5.7.1");

  ClientHarness b(simple_job());
  CHECK(b.reply("421 4.3.2 busy, try later\r\n").empty());  // no QUIT after 421
  CHECK(b.c.closed());
  CHECK(b.c.result().outcome == Outcome::TemporaryFailure);
  CHECK(b.c.result().reason == "server closed the connection: busy, try later");
  CHECK(b.c.result().failed_at == FailedStep::ServerClosing);
}

TEST_CASE("smtp client: pipelined envelope, replies matched in order") {
  ClientHarness h(three_recipients());
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 PIPELINING\r\n") ==
        "MAIL FROM:<sender@client.example>\r\n"
        "RCPT TO:<alice@example.org>\r\n"
        "RCPT TO:<ghost@example.org>\r\n"
        "RCPT TO:<busy@example.org>\r\n");
  CHECK(h.reply("250 2.1.0 OK\r\n250 2.1.5 OK\r\n550 5.1.1 User unknown\r\n450 4.2.0 Mailbox busy\r\n") == "DATA\r\n");
  CHECK(h.reply("354 go\r\n") == kBody + ".\r\n");
  CHECK(h.reply("250 2.0.0 done\r\n") == "QUIT\r\n");
  const auto& r = h.c.result();
  CHECK(r.outcome == Outcome::PartiallyDelivered);
  CHECK(r.recipients[0].status == RecipientStatus::Delivered);
  CHECK(r.recipients[1].status == RecipientStatus::PermanentFailure);
  CHECK(r.recipients[1].code == 550);
  CHECK(r.recipients[1].enhanced == "5.1.1");
  CHECK(r.recipients[1].text == "User unknown");
  CHECK(r.recipients[2].status == RecipientStatus::TemporaryFailure);
  CHECK(r.count(RecipientStatus::Delivered) == 1);
  CHECK(r.summary() ==
        "partially delivered: delivered 1 of 3 recipient(s); ghost@example.org: 550 5.1.1 User unknown; "
        "busy@example.org: 450 4.2.0 Mailbox busy");
}

TEST_CASE("smtp client: pipelined MAIL refused fails every recipient") {
  ClientHarness h(three_recipients());
  h.replies({kGreet, "250-mx\r\n250 PIPELINING\r\n"});
  CHECK(h.reply("553 5.1.7 Bad sender\r\n503 5.5.1 Need MAIL\r\n503 5.5.1 Need MAIL\r\n") == "");
  CHECK(h.reply("503 5.5.1 Need MAIL\r\n") == "QUIT\r\n");
  const auto& r = h.c.result();
  CHECK(r.outcome == Outcome::PermanentFailure);
  for (const auto& x : r.recipients) {
    CHECK(x.code == 553);
    CHECK(x.text == "sender refused: Bad sender");
  }
}

TEST_CASE("smtp client: MAIL refused temporarily without pipelining") {
  ClientHarness h(three_recipients());
  h.replies({kGreet, "250 mx\r\n"});
  CHECK(h.reply("451 4.7.1 greylisted\r\n") == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
  CHECK(h.c.result().count(RecipientStatus::TemporaryFailure) == 3);
}

TEST_CASE("smtp client: every recipient refused means no DATA") {
  ClientHarness h(three_recipients());
  h.replies({kGreet, "250 mx\r\n"});
  CHECK(h.reply("250 OK\r\n") == "RCPT TO:<alice@example.org>\r\n");
  CHECK(h.reply("550 5.1.1 no\r\n") == "RCPT TO:<ghost@example.org>\r\n");
  CHECK(h.reply("550 5.1.1 no\r\n") == "RCPT TO:<busy@example.org>\r\n");
  CHECK(h.reply("452 4.5.3 Too many recipients\r\n") == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::TemporaryFailure);  // one may be retried
  CHECK(h.c.result().recipients[2].status == RecipientStatus::TemporaryFailure);
}

TEST_CASE("smtp client: DATA refused, and final reply failures") {
  {
    ClientHarness h(simple_job());
    h.until_data();
    CHECK(h.reply("554 5.5.1 No valid recipients\r\n") == "QUIT\r\n");
    CHECK(h.c.result().outcome == Outcome::PermanentFailure);
  }
  {
    ClientHarness h(simple_job());
    h.until_data();
    h.reply("354 go\r\n");
    CHECK(h.reply("451 4.3.0 disk trouble\r\n") == "QUIT\r\n");
    CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
    CHECK(h.c.result().reason == "message refused after DATA: disk trouble");
    CHECK(h.c.result().failed_at == FailedStep::Message);
    CHECK(h.c.result().recipients[0].code == 451);
  }
}

TEST_CASE("smtp client: SIZE limit means the message is not sent") {
  ClientHarness h(simple_job());
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 SIZE 20\r\n") == "QUIT\r\n");
  const auto& r = h.c.result();
  CHECK(r.outcome == Outcome::PermanentFailure);
  CHECK(r.reason == "message size 28 exceeds the server's limit of 20 octets (SIZE)");
  CHECK(r.failed_at == FailedStep::Size);
  CHECK(r.enhanced == "5.3.4");
  CHECK(r.recipients[0].status == RecipientStatus::PermanentFailure);
}

TEST_CASE("smtp client: SIZE without a number is no limit") {
  ClientHarness h(simple_job());
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 SIZE\r\n") == "MAIL FROM:<sender@client.example> SIZE=28\r\n");
}

TEST_CASE("smtp client: BODY=8BITMIME for 8-bit data when offered") {
  ClientJob j = simple_job();
  j.data = "Subject: caf\xc3\xa9\r\n\r\n\xe3\x81\x82\r\n";
  ClientHarness h(j);
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 8BITMIME\r\n") == "MAIL FROM:<sender@client.example> BODY=8BITMIME\r\n");
}

TEST_CASE("smtp client: dot-stuffing and line ends on the wire") {
  ClientJob j = simple_job();
  j.data = ".hidden\n..two\nmid.dot\r\n.\rend";
  ClientHarness h(j);
  h.until_data();
  CHECK(h.reply("354 go\r\n") == "..hidden\r\n...two\r\nmid.dot\r\n..\r\nend\r\n.\r\n");
}

TEST_CASE("smtp client: normalize_line_endings and dot_stuff") {
  CHECK(normalize_line_endings("") == "");
  CHECK(normalize_line_endings("a") == "a\r\n");
  CHECK(normalize_line_endings("a\r\n") == "a\r\n");
  CHECK(normalize_line_endings("a\nb\rc\r\n\r\n") == "a\r\nb\r\nc\r\n\r\n");
  CHECK(normalize_line_endings("\n.\n") == "\r\n.\r\n");
  CHECK(dot_stuff("") == ".\r\n");
  CHECK(dot_stuff(".\r\n") == "..\r\n.\r\n");
  CHECK(dot_stuff("a.b\r\n.c\r\n") == "a.b\r\n..c\r\n.\r\n");
}

TEST_CASE("smtp client: smuggling sequences in the job are neutralised") {
  ClientJob j = simple_job();
  j.data = "x\n.\nMAIL FROM:<evil@bad.example>\r\n";
  ClientHarness h(j);
  h.until_data();
  CHECK(h.reply("354 go\r\n") == "x\r\n..\r\nMAIL FROM:<evil@bad.example>\r\n.\r\n");
}

TEST_CASE("smtp client: STARTTLS when offered, then EHLO again") {
  ClientHarness h(tls_job(TlsPolicy::Opportunistic));
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n") == "STARTTLS\r\n");
  CHECK_FALSE(h.c.tls_requested());
  CHECK(h.reply("220 2.0.0 Ready to start TLS\r\n").empty());
  CHECK(h.c.tls_requested());
  CHECK(h.c.extensions().pipelining);
  h.c.tls_established();
  CHECK(h.c.tls_active());
  CHECK_FALSE(h.c.extensions().pipelining);  // forgotten until the new EHLO
  CHECK(h.c.take_output() == "EHLO client.example\r\n");
  CHECK(h.reply("250-mx\r\n250 PIPELINING\r\n") == "MAIL FROM:<sender@client.example>\r\nRCPT TO:<alice@example.org>\r\n");
}

TEST_CASE("smtp client: opportunistic TLS without STARTTLS stays in plain text") {
  ClientHarness h(tls_job(TlsPolicy::Opportunistic));
  h.reply(kGreet);
  CHECK(h.reply("250 mx\r\n") == "MAIL FROM:<sender@client.example>\r\n");
  CHECK_FALSE(h.c.tls_active());
}

TEST_CASE("smtp client: required STARTTLS not offered") {
  ClientHarness h(tls_job(TlsPolicy::Required));
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 PIPELINING\r\n") == "QUIT\r\n");
  const auto& r = h.c.result();
  CHECK(r.outcome == Outcome::TemporaryFailure);
  CHECK(r.reason == "TLS is required, but the server did not offer STARTTLS");
  CHECK(r.failed_at == FailedStep::TlsRequired);
  CHECK(r.enhanced == "4.7.4");
}

TEST_CASE("smtp client: STARTTLS refused") {
  ClientHarness h(tls_job(TlsPolicy::Required));
  h.replies({kGreet, "250-mx\r\n250 STARTTLS\r\n"});
  CHECK(h.reply("454 4.7.0 TLS not available due to temporary reason\r\n") == "QUIT\r\n");
  CHECK(h.c.result().reason == "TLS is required but STARTTLS failed: TLS not available due to temporary reason");
  CHECK(h.c.result().failed_at == FailedStep::TlsRequired);

  ClientHarness o(tls_job(TlsPolicy::Opportunistic));
  o.replies({kGreet, "250-mx\r\n250 STARTTLS\r\n"});
  CHECK(o.reply("454 4.7.0 TLS not available\r\n") == "MAIL FROM:<sender@client.example>\r\n");
}

TEST_CASE("smtp client: implicit TLS skips STARTTLS") {
  ClientHarness h(tls_job(TlsPolicy::Implicit));
  CHECK(h.c.tls_active());
  // The transport tells the session when the implicit TLS layer is up, before the greeting
  // (the simulator's socket does): nothing to send, no STARTTLS state to leave.
  h.c.tls_established();
  CHECK(h.c.take_output().empty());
  CHECK(h.c.state() == ClientSession::State::Greeting);
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 STARTTLS\r\n") == "MAIL FROM:<sender@client.example>\r\n");
}

TEST_CASE("smtp client: AUTH PLAIN is preferred and masked") {
  ClientJob j = alice_job();
  ClientHarness h(j);
  h.reply(kGreet);
  h.c.take_events();
  const std::string blob = b64(std::string("\0alice\0wonderland", 17));
  CHECK(h.reply("250-mx\r\n250 AUTH LOGIN PLAIN\r\n") == "AUTH PLAIN " + blob + "\r\n");
  const auto cmds = events_of(h.c.take_events(), Kind::CommandSent);
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].text == "AUTH PLAIN ********");
  CHECK(cmds[0].clear_text == "AUTH PLAIN " + blob);
  CHECK(h.reply("235 2.7.0 OK\r\n") == "MAIL FROM:<sender@client.example>\r\n");
  CHECK(h.c.authenticated());
}

TEST_CASE("smtp client: AUTH LOGIN when that is all that is offered") {
  ClientJob j = alice_job();
  ClientHarness h(j);
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 AUTH LOGIN\r\n") == "AUTH LOGIN\r\n");
  h.c.take_events();
  CHECK(h.reply("334 VXNlcm5hbWU6\r\n") == b64("alice") + "\r\n");
  CHECK(h.reply("334 UGFzc3dvcmQ6\r\n") == b64("wonderland") + "\r\n");
  const auto cmds = events_of(h.c.take_events(), Kind::CommandSent);
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].text == "********");
  CHECK(cmds[1].text == "********");
  CHECK(h.reply("235 2.7.0 OK\r\n") == "MAIL FROM:<sender@client.example>\r\n");
}

TEST_CASE("smtp client: preferred LOGIN is used when offered") {
  ClientJob j = alice_job(AuthMechanism::Login);
  ClientHarness h(j);
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 AUTH PLAIN LOGIN\r\n") == "AUTH LOGIN\r\n");
}

TEST_CASE("smtp client: AUTH failures") {
  ClientJob j = simple_job();
  j.credentials = Credentials{"alice", "bad", AuthMechanism::Plain};
  ClientHarness h(j);
  h.replies({kGreet, "250-mx\r\n250 AUTH PLAIN\r\n"});
  CHECK(h.reply("535 5.7.8 Authentication credentials invalid\r\n") == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::PermanentFailure);
  CHECK(h.c.result().reason == "authentication failed: Authentication credentials invalid");
  CHECK(h.c.result().failed_at == FailedStep::Auth);
  CHECK_FALSE(h.c.authenticated());

  ClientHarness t(j);
  t.replies({kGreet, "250-mx\r\n250 AUTH PLAIN\r\n"});
  CHECK(t.reply("454 4.7.0 Temporary authentication failure\r\n") == "QUIT\r\n");
  CHECK(t.c.result().outcome == Outcome::TemporaryFailure);

  ClientHarness odd(j);
  odd.replies({kGreet, "250-mx\r\n250 AUTH PLAIN\r\n"});
  CHECK(odd.reply("334 \r\n") == "*\r\nQUIT\r\n");  // an unexpected challenge is cancelled
}

TEST_CASE("smtp client: credentials but no AUTH offered") {
  ClientJob j = alice_job();
  ClientHarness h(j);
  h.reply(kGreet);
  CHECK(h.reply("250-mx\r\n250 STARTTLS\r\n") == "QUIT\r\n");
  CHECK(h.c.result().reason == "credentials are configured but the server does not offer AUTH (it may require STARTTLS first)");
  CHECK(h.c.result().failed_at == FailedStep::Auth);
  CHECK(h.c.result().outcome == Outcome::PermanentFailure);

  ClientHarness g(j);
  g.reply(kGreet);
  CHECK(g.reply("250-mx\r\n250 AUTH CRAM-MD5\r\n") == "QUIT\r\n");
  CHECK(g.c.result().reason == "the server offers no AUTH mechanism we support (PLAIN, LOGIN)");
  CHECK(g.c.result().failed_at == FailedStep::Auth);
}

TEST_CASE("smtp client: malformed replies are protocol errors") {
  {
    ClientHarness h(simple_job());
    h.c.take_events();
    CHECK(h.reply("hello there\r\n").empty());
    CHECK(h.c.closed());
    CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
    CHECK(h.c.result().reason == "protocol error from server: malformed reply line: does not start with a reply code");
    CHECK(h.c.result().failed_at == FailedStep::ProtocolError);
    CHECK(events_of(h.c.take_events(), Kind::ProtocolError).size() == 1);
  }
  {
    ClientHarness h(simple_job());
    h.reply(kGreet);
    CHECK(h.reply("250-mx\r\n251 oops\r\n").empty());
    CHECK(h.c.closed());
    CHECK(h.c.result().reason == "protocol error from server: reply code changed inside a multi-line reply (250 then 251)");
    CHECK(h.c.result().failed_at == FailedStep::ProtocolError);
  }
  {
    ClientHarness h(simple_job());
    CHECK(h.reply("220 " + std::string(kMaxReplyLine + 10, 'x') + "\r\n").empty());
    CHECK(h.c.closed());
    CHECK(h.c.result().reason == "protocol error from server: reply line longer than 2048 octets");
    CHECK(h.c.result().failed_at == FailedStep::ProtocolError);
  }
}

TEST_CASE("smtp client: 421 in the middle of a session") {
  ClientHarness h(three_recipients());
  h.replies({kGreet, "250 mx\r\n", "250 OK\r\n"});
  CHECK(h.reply("550 5.1.1 no\r\n") == "RCPT TO:<ghost@example.org>\r\n");
  CHECK(h.reply("421 4.7.0 Too many errors\r\n").empty());
  CHECK(h.c.closed());
  const auto& r = h.c.result();
  CHECK(r.recipients[0].status == RecipientStatus::PermanentFailure);
  CHECK(r.recipients[1].status == RecipientStatus::TemporaryFailure);
  CHECK(r.recipients[1].code == 421);
  CHECK(r.outcome == Outcome::TemporaryFailure);
}

TEST_CASE("smtp client: connection-level outcomes") {
  {
    ClientHarness h(simple_job());
    h.c.connection_failed("connection refused by 192.0.2.25:25", true);
    CHECK(h.c.closed());
    CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
    CHECK(h.c.result().reason == "connection refused by 192.0.2.25:25");
    CHECK(h.c.result().failed_at == FailedStep::Connect);
    CHECK(h.c.result().recipients[0].enhanced == "4.4.1");
  }
  {
    ClientHarness h(simple_job());
    h.c.connection_failed("no such host", false);
    CHECK(h.c.result().outcome == Outcome::PermanentFailure);
  }
  {
    ClientHarness h(simple_job());
    h.until_data();
    h.reply("354 go\r\n");
    h.c.timed_out();
    CHECK(h.c.closed());
    CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
    CHECK(h.c.result().reason ==
          "timed out waiting for the server (state DataSent); the message may or may not have been accepted "
          "(RFC 5321 6.1), will retry");
    CHECK(h.c.result().failed_at == FailedStep::Timeout);
  }
  {
    ClientHarness h(simple_job());
    h.reply(kGreet);
    h.c.connection_lost();
    CHECK(h.c.result().reason == "connection closed by the server in state Ehlo");
    CHECK(h.c.result().failed_at == FailedStep::ConnectionLost);
    CHECK(h.c.result().outcome == Outcome::TemporaryFailure);
  }
  {
    // Losing the connection after the final reply changes nothing.
    ClientHarness h(simple_job());
    h.until_data();
    h.replies({"354 go\r\n", "250 OK\r\n"});
    h.c.connection_lost();
    CHECK(h.c.closed());
    CHECK(h.c.result().outcome == Outcome::Delivered);
    CHECK(h.c.result().reason.empty());
  }
}

TEST_CASE("smtp client: an invalid job ends politely after the greeting") {
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "not an address"};
  ClientHarness h(j);
  CHECK(h.reply(kGreet) == "QUIT\r\n");
  CHECK(h.c.result().outcome == Outcome::PermanentFailure);
  CHECK(h.c.result().reason == "invalid recipient address not an address");
  CHECK(h.c.result().failed_at == FailedStep::Job);

  ClientJob k = simple_job();
  k.recipients.clear();
  ClientHarness e(k);
  CHECK(e.reply(kGreet) == "QUIT\r\n");
  CHECK(e.c.result().outcome == Outcome::PermanentFailure);
  CHECK(e.c.result().reason == "no recipients");
  CHECK(e.c.result().failed_at == FailedStep::Job);

  ClientJob s = simple_job();
  s.sender = "bad sender@x";
  ClientHarness f(s);
  CHECK(f.reply(kGreet) == "QUIT\r\n");
  CHECK(f.c.result().reason == "invalid sender address bad sender@x");
  CHECK(f.c.result().failed_at == FailedStep::Job);
}

TEST_CASE("smtp client: input while TLS is negotiated is ignored") {
  ClientHarness h(tls_job(TlsPolicy::Required));
  h.replies({kGreet, "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n"});
  h.c.take_events();
  CHECK(h.reply("250 injected\r\n").empty());
  CHECK(events_of(h.c.take_events(), Kind::ProtocolError).size() == 1);
  h.c.tls_established();
  CHECK(h.c.take_output() == "EHLO client.example\r\n");
}

TEST_CASE("smtp client: parse_ehlo_reply") {
  Reply r;
  r.code = 250;
  r.lines = {"mx greets", "size 12345", "auth plain login xoauth2", "X-CUSTOM a b", "", "8BITMIME"};
  const auto x = parse_ehlo_reply(r);
  CHECK(x.esmtp);
  CHECK(x.size);
  CHECK(x.size_limit == 12345);
  CHECK(x.auth_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN", "XOAUTH2"});
  CHECK(x.keywords == std::vector<std::string>{"SIZE", "AUTH", "X-CUSTOM", "8BITMIME"});
  CHECK(x.eight_bit_mime);
  CHECK_FALSE(x.pipelining);
  Reply bad;
  bad.code = 250;
  bad.lines = {"mx", "SIZE 99999999999999999999999", "SIZE x"};
  CHECK(parse_ehlo_reply(bad).size_limit == 0);
}

TEST_CASE("smtp client: the step that failed, and its reply, are set where the session gives up") {
  {
    ClientHarness a(simple_job());
    a.reply("554 5.7.1 No SMTP service here\r\n");
    CHECK(a.c.result().failed_at == FailedStep::Greeting);
    CHECK(a.c.result().code == 554);
    CHECK(a.c.result().reply == "No SMTP service here");
  }
  {
    ClientHarness h(three_recipients());
    h.replies({kGreet, "250 mx\r\n"});
    h.reply("451 4.7.1 greylisted\r\n");
    CHECK(h.c.result().failed_at == FailedStep::Mail);
    CHECK(h.c.result().reply == "greylisted");
  }
  {
    ClientHarness h(simple_job());
    h.until_data();
    h.reply("554 5.5.1 No valid recipients\r\n");
    CHECK(h.c.result().failed_at == FailedStep::Data);
    CHECK(h.c.result().reply == "No valid recipients");
    CHECK(to_string(h.c.result().failed_at) == "data");
  }
  {
    // Recipients refused one by one: no step of the session failed as a whole.
    ClientHarness h(three_recipients());
    h.replies({kGreet, "250 mx\r\n", "250 OK\r\n", "550 5.1.1 no\r\n", "550 5.1.1 no\r\n"});
    h.reply("550 5.1.1 no\r\n");
    CHECK(h.c.result().outcome == Outcome::PermanentFailure);
    CHECK(h.c.result().failed_at == FailedStep::None);
    CHECK(h.c.result().reply.empty());
  }
  {
    ClientHarness h(simple_job());
    h.until_data();
    h.reply("354 go\r\n");
    h.reply("250 2.0.0 done\r\n");
    CHECK(h.c.result().outcome == Outcome::Delivered);
    CHECK(h.c.result().failed_at == FailedStep::None);
  }
}
