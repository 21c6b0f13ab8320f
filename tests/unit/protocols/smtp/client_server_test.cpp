// SMTP client engine against server engine: whole dialogues, RFC 5321 Appendix D adapted.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace mailsim::smtp;
using namespace mailsim::smtp::test;

namespace {

struct Pair {
  FakeBackend backend;
  ServerSession server;
  ClientSession client;
  std::string transcript;
  Pair(ServerConfig config, ClientJob job) : server(std::move(config), backend, "198.51.100.7"), client(std::move(job)) {}
  void run(std::size_t chunk = 1 << 20) { pump(client, server, &transcript, chunk); }
};

std::string b64(std::string_view s) { return mailsim::proto::base64_encode(s); }

std::string to_upper_copy(std::string s) {
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

ServerConfig submission_config() {
  ServerConfig c = test_config();
  c.offer_auth = true;
  c.require_auth = true;
  return c;
}

}  // namespace

TEST_CASE("smtp client+server: plain delivery, exact transcript") {
  Pair p(test_config(), simple_job());
  p.run();
  CHECK(p.transcript ==
        "S: " + kGreeting +
        "C: EHLO client.example\r\n"
        "S: " + kEhloPlain +
        "C: MAIL FROM:<sender@client.example> SIZE=28\r\nRCPT TO:<alice@example.org>\r\n"
        "S: 250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
        "C: DATA\r\n"
        "S: 354 End data with <CR><LF>.<CR><LF>\r\n"
        "C: Subject: hi\r\n\r\nHello Alice\r\n.\r\n"
        "S: 250 2.0.0 Ok: queued\r\n"
        "C: QUIT\r\n"
        "S: 221 2.0.0 mx.example.org closing connection\r\n");
  CHECK(p.client.closed());
  CHECK(p.server.closed());
  CHECK(p.client.result().outcome == Outcome::Delivered);
  REQUIRE(p.backend.messages.size() == 1);
  CHECK(p.backend.messages[0].data == "Subject: hi\r\n\r\nHello Alice\r\n");
  CHECK(p.backend.messages[0].envelope.declared_size == 28u);
  CHECK(p.backend.messages[0].ctx.client_ip == "198.51.100.7");
}

TEST_CASE("smtp client+server: byte-at-a-time feeding of both engines") {
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "ghost@example.org", "bob@example.org"};
  j.data = ".starts with a dot\nline\r\n..two dots\n";
  Pair whole(test_config(), j);
  whole.run();
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 13u}) {
    INFO(chunk);
    Pair p(test_config(), j);
    p.run(chunk);
    CHECK(p.transcript == whole.transcript);
    CHECK(p.client.result().summary() == whole.client.result().summary());
    REQUIRE(p.backend.messages.size() == 1);
    CHECK(p.backend.messages[0].data == ".starts with a dot\r\nline\r\n..two dots\r\n");
  }
}

TEST_CASE("smtp client+server: multiple recipients with one refused") {
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "nobody@example.org", "bob@example.org"};
  Pair p(test_config(), j);
  p.run();
  const auto& r = p.client.result();
  CHECK(r.outcome == Outcome::PartiallyDelivered);
  CHECK(r.recipients[0].status == RecipientStatus::Delivered);
  CHECK(r.recipients[1].status == RecipientStatus::PermanentFailure);
  CHECK(r.recipients[1].code == 550);
  CHECK(r.recipients[1].enhanced == "5.1.1");
  CHECK(r.recipients[1].text == "User unknown");
  CHECK(r.recipients[2].status == RecipientStatus::Delivered);
  REQUIRE(p.backend.messages.size() == 1);
  CHECK(p.backend.messages[0].envelope.recipients == std::vector<std::string>{"alice@example.org", "bob@example.org"});
  CHECK(p.server.recipient_results().size() == 3);
}

TEST_CASE("smtp client+server: pipelining sends the envelope in one packet, replies in order") {
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "nobody@example.org", "bob@example.org"};
  Pair p(test_config(), j);
  p.run();
  CHECK(p.transcript.find("C: MAIL FROM:<sender@client.example> SIZE=28\r\n"
                          "RCPT TO:<alice@example.org>\r\n"
                          "RCPT TO:<nobody@example.org>\r\n"
                          "RCPT TO:<bob@example.org>\r\n"
                          "S: 250 2.1.0 Sender OK\r\n"
                          "250 2.1.5 Recipient OK\r\n"
                          "550 5.1.1 User unknown\r\n"
                          "250 2.1.5 Recipient OK\r\n"
                          "C: DATA\r\n") != std::string::npos);
}

TEST_CASE("smtp client+server: recipient limit leaves the rest for later") {
  ServerConfig c = test_config();
  c.max_recipients = 2;
  ClientJob j = simple_job();
  j.recipients = {"alice@example.org", "bob@example.org", "carol@example.org"};
  Pair p(c, j);
  p.run();
  const auto& r = p.client.result();
  CHECK(r.outcome == Outcome::PartiallyDelivered);
  CHECK(r.recipients[2].status == RecipientStatus::TemporaryFailure);
  CHECK(r.recipients[2].enhanced == "4.5.3");
}

TEST_CASE("smtp client+server: AUTH PLAIN success and failure") {
  ClientJob j = simple_job();
  j.sender = "alice@example.org";
  j.recipients = {"friend@elsewhere.example"};
  j.credentials = Credentials{"alice", "wonderland", AuthMechanism::Plain};
  {
    Pair p(submission_config(), j);
    p.run();
    CHECK(p.client.result().outcome == Outcome::Delivered);
    CHECK(p.transcript.find("C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\nS: 235 2.7.0 Authentication successful\r\n") !=
          std::string::npos);
    CHECK(p.backend.messages.at(0).ctx.authenticated_user == "alice");
  }
  j.credentials->password = "guess";
  {
    Pair p(submission_config(), j);
    p.run();
    CHECK(p.client.result().outcome == Outcome::PermanentFailure);
    CHECK(p.client.result().code == 535);
    CHECK(p.client.result().enhanced == "5.7.8");
    CHECK(p.client.result().reason == "authentication failed: Authentication credentials invalid");
    CHECK(p.client.result().failed_at == FailedStep::Auth);
    CHECK(p.backend.messages.empty());
    CHECK(p.server.closed());
  }
}

TEST_CASE("smtp client+server: AUTH LOGIN success and failure") {
  ServerConfig c = submission_config();
  c.auth_mechanisms = {AuthMechanism::Login};
  ClientJob j = alice_job();
  {
    Pair p(c, j);
    p.run();
    CHECK(p.client.result().outcome == Outcome::Delivered);
    CHECK(p.transcript.find("C: AUTH LOGIN\r\nS: 334 VXNlcm5hbWU6\r\nC: YWxpY2U=\r\nS: 334 UGFzc3dvcmQ6\r\n"
                            "C: d29uZGVybGFuZA==\r\nS: 235 2.7.0 Authentication successful\r\n") != std::string::npos);
    CHECK(p.backend.auth_attempts == std::vector<std::string>{"LOGIN alice wonderland"});
  }
  j.credentials->user = "mallory";
  {
    Pair p(c, j);
    p.run();
    CHECK(p.client.result().outcome == Outcome::PermanentFailure);
    CHECK(p.client.result().recipients[0].code == 535);
  }
}

TEST_CASE("smtp client+server: submission port refuses MAIL without AUTH") {
  Pair p(submission_config(), simple_job());
  p.run();
  const auto& r = p.client.result();
  CHECK(r.outcome == Outcome::PermanentFailure);
  CHECK(r.recipients[0].code == 530);
  CHECK(r.recipients[0].enhanced == "5.7.0");
  CHECK(r.reason == "sender refused: Authentication required");
  CHECK(r.failed_at == FailedStep::Mail);
  CHECK(p.transcript.find("S: 530 5.7.0 Authentication required\r\n503 5.5.1 Need MAIL command\r\n") != std::string::npos);
}

TEST_CASE("smtp client+server: STARTTLS, then EHLO again with state reset") {
  ServerConfig c = submission_config();
  c.offer_starttls = true;
  c.require_tls_for_auth = true;
  ClientJob j = alice_job();
  j.tls = TlsPolicy::Required;
  Pair p(c, j);
  p.run();
  CHECK(p.client.result().outcome == Outcome::Delivered);
  CHECK(p.client.tls_active());
  CHECK(p.server.context().tls);
  const std::string first_ehlo =
      "S: 250-mx.example.org Hello client.example\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 HELP\r\n"
      "C: STARTTLS\r\n"
      "S: 220 2.0.0 Ready to start TLS\r\n"
      "-- TLS established --\n"
      "C: EHLO client.example\r\n"
      "S: 250-mx.example.org Hello client.example\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN\r\n250 HELP\r\n"
      "C: AUTH PLAIN ";
  CHECK(p.transcript.find(first_ehlo) != std::string::npos);
  REQUIRE(p.backend.messages.size() == 1);
  CHECK(p.backend.messages[0].ctx.tls);
  CHECK(p.backend.messages[0].ctx.authenticated_user == "alice");
  CHECK(p.backend.messages[0].ctx.helo_name == "client.example");
}

TEST_CASE("smtp client+server: required STARTTLS not offered") {
  ClientJob j = simple_job();
  j.tls = TlsPolicy::Required;
  Pair p(test_config(), j);
  p.run();
  CHECK(p.client.result().outcome == Outcome::TemporaryFailure);
  CHECK(p.client.result().reason == "TLS is required, but the server did not offer STARTTLS");
  CHECK(p.client.result().failed_at == FailedStep::TlsRequired);
  CHECK(p.backend.sender_contexts.empty());
  CHECK(p.server.closed());
}

TEST_CASE("smtp client+server: implicit TLS on both sides") {
  ServerConfig c = submission_config();
  c.implicit_tls = true;
  c.require_tls_for_auth = true;
  ClientJob j = alice_job();
  j.tls = TlsPolicy::Implicit;
  Pair p(c, j);
  p.run();
  CHECK(p.client.result().outcome == Outcome::Delivered);
  CHECK(p.transcript.find("STARTTLS") == std::string::npos);
  CHECK(p.backend.messages.at(0).ctx.tls);
}

TEST_CASE("smtp client+server: SIZE refusal up front") {
  ServerConfig c = test_config();
  c.max_message_size = 100;
  ClientJob j = simple_job();
  j.data = std::string(200, 'x');
  Pair p(c, j);
  p.run();
  CHECK(p.client.result().outcome == Outcome::PermanentFailure);
  CHECK(p.client.result().reason == "message size 202 exceeds the server's limit of 100 octets (SIZE)");
  CHECK(p.client.result().failed_at == FailedStep::Size);
  CHECK(p.backend.sender_contexts.empty());
  CHECK(p.transcript.find("MAIL") == std::string::npos);
}

TEST_CASE("smtp client+server: server-side size limit during DATA") {
  // A middlebox hides SIZE from the client, so only the server's DATA check can stop it.
  ServerConfig c = test_config();
  c.max_message_size = 100;
  ClientJob j = simple_job();
  j.data = std::string(60, 'x') + "\n" + std::string(60, 'y') + "\n";
  FakeBackend backend;
  ServerSession server(c, backend);
  ClientSession client(j);
  std::string transcript;
  pump(client, server, &transcript, 1 << 20, [](std::string s) {
    const auto at = s.find("250-SIZE 100\r\n");
    if (at != std::string::npos) s.erase(at, 14);
    return s;
  });
  CHECK_FALSE(client.extensions().size);
  CHECK(transcript.find("S: 552 5.3.4 Message size exceeds fixed maximum message size\r\n") != std::string::npos);
  CHECK(client.result().outcome == Outcome::PermanentFailure);
  CHECK(client.result().recipients[0].code == 552);
  CHECK(client.result().recipients[0].enhanced == "5.3.4");
  CHECK(backend.messages.empty());
}

TEST_CASE("smtp client+server: relay denied by the backend") {
  ClientJob j = simple_job();
  j.recipients = {"someone@elsewhere.example"};
  Pair p(test_config(), j);
  p.run();
  const auto& r = p.client.result();
  CHECK(r.outcome == Outcome::PermanentFailure);
  CHECK(r.recipients[0].code == 554);
  CHECK(r.recipients[0].enhanced == "5.7.1");
  CHECK(r.recipients[0].text == "Relay access denied");
  CHECK(explain_reply(r.recipients[0].code, r.recipients[0].enhanced) ==
        "Not allowed: the server will not relay this mail for you.");
  CHECK(p.transcript.find("DATA") == std::string::npos);
}

TEST_CASE("smtp client+server: dot-stuffing both ways keeps lines starting with '.'") {
  ClientJob j = simple_job();
  j.data = ".\r\n..\r\n.leading\r\nnormal\r\n. space\r\n";
  Pair p(test_config(), j);
  p.run();
  CHECK(p.transcript.find("C: ..\r\n...\r\n..leading\r\nnormal\r\n.. space\r\n.\r\n") != std::string::npos);
  REQUIRE(p.backend.messages.size() == 1);
  CHECK(p.backend.messages[0].data == j.data);
}

TEST_CASE("smtp client+server: smuggling attempts in the message stay inside it") {
  for (const char* seq : {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n"}) {
    INFO(seq);
    ClientJob j = simple_job();
    j.data = std::string("first") + seq + "MAIL FROM:<evil@bad.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n";
    Pair p(test_config(), j);
    p.run();
    CHECK(p.client.result().outcome == Outcome::Delivered);
    REQUIRE(p.backend.messages.size() == 1);
    CHECK(p.backend.messages[0].data == normalize_line_endings(j.data));
    CHECK(p.backend.sender_contexts.size() == 1);
  }
}

TEST_CASE("smtp client+server: RFC 5321 D.1 a typical SMTP transaction") {
  ServerConfig c;
  c.hostname = "foo.com";
  FakeBackend backend;
  backend.special["Jones@foo.com"] = Reply::make(250, "2.1.5", "OK");
  backend.special["Green@foo.com"] = Reply::make(550, "5.1.1", "No such user here");
  backend.special["Brown@foo.com"] = Reply::make(250, "2.1.5", "OK");
  backend.special["Smith@bar.com"] = Reply::make(250, "2.1.0", "OK");
  backend.data_reply = Reply::make(250, "2.0.0", "OK");

  SECTION("server engine, commands one at a time") {
    ServerSession s(c, backend);
    std::string t = s.take_output();
    for (const char* line : {"EHLO bar.com\r\n", "MAIL FROM:<Smith@bar.com>\r\n", "RCPT TO:<Jones@foo.com>\r\n",
                             "RCPT TO:<Green@foo.com>\r\n", "RCPT TO:<Brown@foo.com>\r\n", "DATA\r\n",
                             "Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n", "QUIT\r\n"}) {
      s.receive(line);
      t += std::string("C: ") + line + s.take_output();
    }
    CHECK(t ==
          "220 foo.com ESMTP mailsim ready\r\n"
          "C: EHLO bar.com\r\n"
          "250-foo.com Hello bar.com\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
          "250-ENHANCEDSTATUSCODES\r\n250 HELP\r\n"
          "C: MAIL FROM:<Smith@bar.com>\r\n250 2.1.0 OK\r\n"
          "C: RCPT TO:<Jones@foo.com>\r\n250 2.1.5 OK\r\n"
          "C: RCPT TO:<Green@foo.com>\r\n550 5.1.1 No such user here\r\n"
          "C: RCPT TO:<Brown@foo.com>\r\n250 2.1.5 OK\r\n"
          "C: DATA\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
          "C: Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n250 2.0.0 OK\r\n"
          "C: QUIT\r\n221 2.0.0 foo.com closing connection\r\n");
    REQUIRE(backend.messages.size() == 1);
    CHECK(backend.messages[0].data == "Blah blah blah...\r\n..etc. etc. etc.\r\n");  // unstuffed
  }
  SECTION("client engine against it") {
    ClientJob j;
    j.helo_name = "bar.com";
    j.sender = "Smith@bar.com";
    j.recipients = {"Jones@foo.com", "Green@foo.com", "Brown@foo.com"};
    j.data = "Blah blah blah...\r\n..etc. etc. etc.\r\n";
    ServerSession s(c, backend);
    ClientSession cl(j);
    pump(cl, s);
    CHECK(cl.result().outcome == Outcome::PartiallyDelivered);
    CHECK(cl.result().summary() ==
          "partially delivered: delivered 2 of 3 recipient(s); Green@foo.com: 550 5.1.1 No such user here");
    REQUIRE(backend.messages.size() == 1);
    CHECK(backend.messages[0].data == j.data);
    CHECK(backend.messages[0].envelope.recipients == std::vector<std::string>{"Jones@foo.com", "Brown@foo.com"});
  }
}

TEST_CASE("smtp client+server: RFC 5321 D.2 aborted SMTP transaction") {
  ServerConfig c;
  c.hostname = "foo.com";
  FakeBackend backend;
  backend.special["Jones@foo.com"] = Reply::make(250, "2.1.5", "OK");
  backend.special["Green@foo.com"] = Reply::make(550, "5.1.1", "No such user here");
  ServerSession s(c, backend);
  s.take_output();
  s.receive("EHLO bar.com\r\n");
  s.take_output();
  s.receive("MAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\nRCPT TO:<Green@foo.com>\r\nRSET\r\nQUIT\r\n");
  CHECK(s.take_output() ==
        "250 2.1.0 Sender OK\r\n250 2.1.5 OK\r\n550 5.1.1 No such user here\r\n250 2.0.0 OK\r\n"
        "221 2.0.0 foo.com closing connection\r\n");
  CHECK(backend.messages.empty());
  CHECK(s.envelope().recipients.empty());
  CHECK(s.closed());
}

TEST_CASE("smtp client+server: RFC 5321 D.3 relayed mail scenario") {
  // Step 1: bar.com submits to the relay foo.com, which relays for XYZ.COM.
  ServerConfig relay_config;
  relay_config.hostname = "foo.com";
  FakeBackend relay_backend;
  relay_backend.special["Jones@XYZ.COM"] = Reply::make(250, "2.1.5", "OK, will relay");
  ServerSession relay(relay_config, relay_backend, "192.0.2.1");
  ClientJob j;
  j.helo_name = "bar.com";
  j.sender = "JQP@bar.com";
  j.recipients = {"Jones@XYZ.COM"};
  j.data = "Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\n"
           "Subject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\n"
           "The next meeting of the board of directors will be\r\non Tuesday.\r\n\t\t\t\t\t\tJohn.\r\n";
  ClientSession submit(j);
  pump(submit, relay);
  CHECK(submit.result().outcome == Outcome::Delivered);
  REQUIRE(relay_backend.messages.size() == 1);
  const auto& queued = relay_backend.messages[0];

  // Step 2: foo.com delivers to xyz.com, adding its Received: line.
  ServerConfig dest_config;
  dest_config.hostname = "xyz.com";
  FakeBackend dest_backend;
  dest_backend.special["Jones@XYZ.COM"] = Reply::make(250, "2.1.5", "OK");
  ServerSession dest(dest_config, dest_backend, "192.0.2.2");
  ClientJob relay_job;
  relay_job.helo_name = "foo.com";
  relay_job.sender = queued.envelope.reverse_path;
  relay_job.recipients = queued.envelope.recipients;
  relay_job.data = "Received: from " + queued.ctx.helo_name + " by foo.com; Thu, 21 May 1998 05:33:29 -0700\r\n" +
                   queued.data;
  ClientSession forward(relay_job);
  std::string transcript;
  pump(forward, dest, &transcript);
  CHECK(forward.result().outcome == Outcome::Delivered);
  CHECK(transcript.find("C: MAIL FROM:<JQP@bar.com>") != std::string::npos);
  REQUIRE(dest_backend.messages.size() == 1);
  CHECK(dest_backend.messages[0].data == "Received: from bar.com by foo.com; Thu, 21 May 1998 05:33:29 -0700\r\n" + j.data);
  CHECK(dest_backend.messages[0].ctx.helo_name == "foo.com");
}

TEST_CASE("smtp client+server: RFC 5321 D.4 verifying and sending, adapted") {
  ServerConfig c;
  c.hostname = "foo.com";
  FakeBackend backend;
  backend.special["Admin.MRC@foo.com"] = Reply::make(250, "2.1.5", "OK");
  ServerSession s(c, backend);
  s.take_output();
  s.receive("EHLO bar.com\r\n");
  s.take_output();
  // VRFY is answered 252 (we neither confirm nor deny); SEND (a terminal-delivery command
  // from RFC 821) is not implemented, so the client falls back to MAIL.
  s.receive("VRFY Crispin\r\nSEND FROM:<EAK@bar.com>\r\nMAIL FROM:<EAK@bar.com>\r\nRCPT TO:<Admin.MRC@foo.com>\r\n"
            "DATA\r\nBlah blah blah...\r\n...etc. etc. etc.\r\n.\r\nQUIT\r\n");
  CHECK(s.take_output() ==
        "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n"
        "500 5.5.2 Command not recognized\r\n"
        "250 2.1.0 Sender OK\r\n"
        "250 2.1.5 OK\r\n"
        "354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued\r\n"
        "221 2.0.0 foo.com closing connection\r\n");
  REQUIRE(backend.messages.size() == 1);
  CHECK(backend.messages[0].envelope.reverse_path == "EAK@bar.com");
}

TEST_CASE("smtp client+server: server closing mid-session is a temporary failure") {
  ClientJob j = simple_job();
  Pair p(test_config(), j);
  // Deliver only the greeting and EHLO, then the server goes away.
  p.client.receive(p.server.take_output());
  p.server.receive(p.client.take_output());
  p.client.receive(p.server.take_output());
  p.server.connection_lost();
  p.client.connection_lost();
  CHECK(p.client.result().outcome == Outcome::TemporaryFailure);
  CHECK(p.client.result().reason == "connection closed by the server in state Envelope");
  CHECK(p.client.result().failed_at == FailedStep::ConnectionLost);
}

TEST_CASE("smtp client+server: credentials appear only in clear_text of events") {
  for (auto mech : {AuthMechanism::Plain, AuthMechanism::Login}) {
    ServerConfig c = submission_config();
    c.auth_mechanisms = {mech};
    ClientJob j = alice_job(mech);
    Pair p(c, j);
    std::vector<mailsim::proto::ProtocolEvent> all;
    for (int round = 0; round < 100 && !p.client.closed(); ++round) {
      p.client.receive(p.server.take_output());
      p.server.receive(p.client.take_output());
      for (auto& e : p.client.take_events()) all.push_back(std::move(e));
      for (auto& e : p.server.take_events()) all.push_back(std::move(e));
    }
    REQUIRE(p.client.result().outcome == Outcome::Delivered);
    const std::string secrets[] = {b64("wonderland"), b64(std::string("\0alice\0wonderland", 17)), "wonderland"};
    std::size_t in_clear_text = 0;
    for (const auto& e : all) {
      for (const auto& secret : secrets) {
        INFO(e.text);
        CHECK(e.text.find(secret) == std::string::npos);
        CHECK(e.verb.find(to_upper_copy(secret)) == std::string::npos);
        if (e.clear_text.find(secret) != std::string::npos) ++in_clear_text;
      }
    }
    CHECK(in_clear_text >= 2);  // the client's line and the server's copy
  }
}

TEST_CASE("smtp client+server: connection reuse sends the next MAIL FROM right after the 250 to the data") {
  ClientJob j = simple_job();
  j.reuse = true;
  Pair p(test_config(), j);
  p.run();
  REQUIRE(p.client.ready());
  CHECK(p.client.result().outcome == Outcome::Delivered);
  p.transcript.clear();
  p.client.next_transaction("sender@client.example", {"bob@example.org"}, "Subject: two\r\n\r\nHello Bob\r\n");
  p.run();
  CHECK(p.transcript ==
        "C: MAIL FROM:<sender@client.example> SIZE=27\r\nRCPT TO:<bob@example.org>\r\n"
        "S: 250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
        "C: DATA\r\n"
        "S: 354 End data with <CR><LF>.<CR><LF>\r\n"
        "C: Subject: two\r\n\r\nHello Bob\r\n.\r\n"
        "S: 250 2.0.0 Ok: queued\r\n");
  REQUIRE(p.client.ready());
  CHECK(p.client.result().outcome == Outcome::Delivered);
  CHECK(p.client.result().recipients.size() == 1);
  CHECK(p.client.transactions() == 2);
  p.client.finish_session();
  p.run();
  CHECK(p.client.closed());
  REQUIRE(p.backend.messages.size() == 2);
  CHECK(p.backend.messages[1].envelope.recipients == std::vector<std::string>{"bob@example.org"});
}

TEST_CASE("smtp client+server: a reused session sends RSET after a transaction refused before its data") {
  ClientJob j = simple_job();
  j.reuse = true;
  j.recipients = {"nobody@example.org"};
  Pair p(test_config(), j);
  p.run();
  REQUIRE(p.client.ready());
  CHECK(p.client.result().outcome == Outcome::PermanentFailure);
  p.transcript.clear();
  p.client.next_transaction("sender@client.example", {"alice@example.org"}, "Subject: hi\r\n\r\nagain\r\n");
  p.run();
  CHECK(p.transcript.rfind("C: RSET\r\nS: 250", 0) == 0);
  REQUIRE(p.client.ready());
  CHECK(p.client.result().outcome == Outcome::Delivered);
  REQUIRE(p.backend.messages.size() == 1);
  // A bad next job is refused by the client without a word on the wire; the session stays ready.
  p.transcript.clear();
  p.client.next_transaction("sender@client.example", {"not an address"}, "x\r\n");
  CHECK(p.client.ready());
  CHECK(p.client.result().outcome == Outcome::PermanentFailure);
  p.run();
  CHECK(p.transcript.empty());
  p.client.finish_session();
  p.run();
  CHECK(p.client.closed());
}

TEST_CASE("smtp client+server: a 421 in the middle of a reused session ends it with the message pending as temporary") {
  ClientJob j = simple_job();
  j.reuse = true;
  Pair p(test_config(), j);
  p.run();
  REQUIRE(p.client.ready());
  p.backend.special["sender@client.example"] = Reply::make(421, "4.3.2", "Too busy");
  p.client.next_transaction("sender@client.example", {"bob@example.org"}, "Subject: two\r\n\r\nx\r\n");
  p.run();
  CHECK(p.client.closed());
  CHECK(p.client.result().outcome == Outcome::TemporaryFailure);
  CHECK(p.client.result().recipients.at(0).status == RecipientStatus::TemporaryFailure);
}
