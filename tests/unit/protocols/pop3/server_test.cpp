// POP3 server: the RFC 1939 example session, every error reply, limits, UPDATE semantics, locks.
#include <catch2/catch.hpp>

#include "pop3_fakes.hpp"

using namespace pop3_test;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

constexpr const char* kTimestamp = "<1896.697170952@dbc.mtview.ca.us>";

// A message of exactly `total` octets on the wire.
std::string sized_message(const std::string& subject, std::size_t total) {
  std::string m = "Subject: " + subject + "\r\n\r\n";
  m += std::string(total - m.size() - 2, 'x') + "\r\n";
  return m;
}

ServerConfig rfc_config() {
  ServerConfig c;
  c.host = "dewey";
  c.greeting_names_host = false;
  c.apop_timestamp = kTimestamp;
  return c;
}

struct Fixture {
  FakeStore store;
  FakeBackend backend{store};
  std::optional<ServerSession> server;

  explicit Fixture(ServerConfig config = {}) {
    store.add_user("alice", "wonderland");
    store.deliver("alice", "Subject: first\r\n\r\nHello\r\n", "u1");
    store.deliver("alice", "Subject: other\r\n\r\nWorld\r\n", "u2");
    server.emplace(std::move(config), backend);
  }
  ServerSession& s() { return *server; }
  // Logs alice in and drops the output so far.
  void login() {
    s().take_output();
    REQUIRE(say(s(), "USER alice\r\nPASS wonderland\r\n") ==
            "+OK send PASS\r\n+OK alice's maildrop has 2 messages (50 octets)\r\n");
    s().take_events();
  }
};

}  // namespace

TEST_CASE("RFC 1939 section 10 example session, whole and byte at a time") {
  const std::string commands =
      "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
      "STAT\r\n"
      "LIST\r\n"
      "RETR 1\r\n"
      "DELE 1\r\n"
      "RETR 2\r\n"
      "DELE 2\r\n"
      "QUIT\r\n";
  const std::string m1 = sized_message("one", 120);
  const std::string m2 = sized_message("two", 200);
  const std::string expected =
      "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
      "+OK mrose's maildrop has 2 messages (320 octets)\r\n"
      "+OK 2 320\r\n"
      "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
      "+OK 120 octets\r\n" + m1 + ".\r\n"
      "+OK message 1 deleted\r\n"
      "+OK 200 octets\r\n" + m2 + ".\r\n"
      "+OK message 2 deleted\r\n"
      "+OK dewey POP3 server signing off (maildrop empty)\r\n";

  for (const bool bytewise : {false, true}) {
    FakeStore store;
    store.add_user("mrose", "tanstaaf");
    store.deliver("mrose", m1);
    store.deliver("mrose", m2);
    FakeBackend backend(store);
    ServerSession server(rfc_config(), backend);
    if (bytewise) {
      for (const char c : commands) server.receive(std::string_view(&c, 1));
    } else {
      server.receive(commands);
    }
    CHECK(server.take_output() == expected);
    CHECK(server.closed());
    CHECK(store.count("mrose") == 0);
    CHECK(backend.calls == std::vector<std::string>{"apop_secret mrose", "lock mrose", "snapshot", "retrieve 0",
                                                    "retrieve 1", "commit 0 1", "unlock"});
    const auto events = server.take_events();
    CHECK(has_event(events, Kind::CommandReceived, "APOP mrose ********"));
    CHECK(has_event(events, Kind::StateChanged, "AUTHORIZATION -> TRANSACTION"));
    CHECK(has_event(events, Kind::StateChanged, "TRANSACTION -> UPDATE"));
    CHECK(has_event(events, Kind::StateChanged, "UPDATE -> CLOSED"));
  }
}

TEST_CASE("greeting names the host, with and without an APOP timestamp") {
  Fixture plain;
  CHECK(plain.s().take_output() == "+OK pop.example POP3 server ready\r\n");
  ServerConfig c;
  c.host = "mail.example.net";
  c.apop_timestamp = "<42.7@mail.example.net>";
  Fixture apop(c);
  CHECK(apop.s().take_output() == "+OK mail.example.net POP3 server ready <42.7@mail.example.net>\r\n");
}

TEST_CASE("PASS and APOP are masked in events, the clear line kept aside") {
  ServerConfig c = rfc_config();
  Fixture f(c);
  f.s().take_events();
  f.s().receive("USER alice\r\nPASS wonder land\r\n");
  auto events = f.s().take_events();
  REQUIRE(events.size() >= 3);
  CHECK(events[0].text == "USER alice");
  CHECK(events[0].verb == "USER");
  CHECK(events[2].kind == Kind::CommandReceived);
  CHECK(events[2].text == "PASS ********");
  CHECK(events[2].clear_text == "PASS wonder land");
  CHECK(events[3].kind == Kind::Note);
  CHECK(events[3].text == "login failed for alice");
  CHECK(events[4].kind == Kind::ReplySent);
  CHECK(events[4].text == "-ERR [AUTH] invalid user name or password");
  CHECK(events[4].status == "-ERR");
  f.s().receive("APOP alice 0123456789abcdef0123456789abcdef\r\n");
  events = f.s().take_events();
  CHECK(events[0].text == "APOP alice ********");
  CHECK(events[0].clear_text == "APOP alice 0123456789abcdef0123456789abcdef");
}

TEST_CASE("CAPA lists what is offered in each state") {
  ServerConfig c;
  c.offer_stls = true;
  Fixture f(c);
  f.s().take_output();
  CHECK(say(f.s(), "CAPA\r\n") ==
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
        "SASL PLAIN LOGIN\r\nSTLS\r\nIMPLEMENTATION mailsim\r\n.\r\n");
  f.login();
  CHECK(say(f.s(), "capa\r\n") ==
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
        "IMPLEMENTATION mailsim\r\n.\r\n");
}

TEST_CASE("CAPA hides USER until TLS when plain-text login is not allowed") {
  ServerConfig c;
  c.offer_stls = true;
  c.allow_plaintext_login = false;
  Fixture f(c);
  f.s().take_output();
  CHECK(say(f.s(), "CAPA\r\n") ==
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
        "STLS\r\nIMPLEMENTATION mailsim\r\n.\r\n");
  CHECK(say(f.s(), "USER alice\r\n") == "-ERR [AUTH] plaintext login not allowed before STLS\r\n");
  CHECK(say(f.s(), "STLS\r\n") == "+OK begin TLS negotiation\r\n");
  REQUIRE(f.s().tls_requested());
  f.s().tls_established();
  CHECK(f.s().tls_active());
  CHECK(say(f.s(), "CAPA\r\n") ==
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
        "SASL PLAIN LOGIN\r\nIMPLEMENTATION mailsim\r\n.\r\n");
  CHECK(say(f.s(), "USER alice\r\nPASS wonderland\r\n") ==
        "+OK send PASS\r\n+OK alice's maildrop has 2 messages (50 octets)\r\n");
}

TEST_CASE("STLS discards commands pipelined before TLS and forgets USER") {
  ServerConfig c;
  c.offer_stls = true;
  Fixture f(c);
  f.s().take_output();
  f.s().take_events();
  CHECK(say(f.s(), "USER alice\r\nSTLS\r\nPASS wonderland\r\n") == "+OK send PASS\r\n+OK begin TLS negotiation\r\n");
  auto events = f.s().take_events();
  CHECK(has_event(events, Kind::ProtocolError, "ignored 17 byte(s) sent after STLS before TLS was established"));
  CHECK(say(f.s(), "STAT\r\n").empty());
  events = f.s().take_events();
  CHECK(has_event(events, Kind::ProtocolError, "ignored 6 byte(s) sent before TLS was established"));
  f.s().tls_established();
  CHECK(f.s().take_output().empty());  // POP3 sends no new greeting after STLS
  CHECK(say(f.s(), "PASS wonderland\r\n") == "-ERR give USER first\r\n");
  CHECK(say(f.s(), "STLS\r\n") == "-ERR already using TLS\r\n");
}

TEST_CASE("implicit TLS: the session starts protected and refuses STLS") {
  ServerConfig c;
  c.implicit_tls = true;
  c.offer_stls = true;
  c.allow_plaintext_login = false;
  Fixture f(c);
  CHECK(f.s().tls_active());
  f.s().take_output();
  CHECK(say(f.s(), "STLS\r\n") == "-ERR already using TLS\r\n");
  CHECK(say(f.s(), "USER alice\r\n") == "+OK send PASS\r\n");
}

TEST_CASE("STAT, LIST, UIDL, RETR, TOP, DELE, RSET and NOOP in TRANSACTION") {
  Fixture f;
  f.login();
  CHECK(say(f.s(), "STAT\r\n") == "+OK 2 50\r\n");
  CHECK(say(f.s(), "LIST\r\n") == "+OK 2 messages (50 octets)\r\n1 25\r\n2 25\r\n.\r\n");
  CHECK(say(f.s(), "LIST 2\r\n") == "+OK 2 25\r\n");
  CHECK(say(f.s(), "UIDL\r\n") == "+OK unique-id listing follows\r\n1 u1\r\n2 u2\r\n.\r\n");
  CHECK(say(f.s(), "UIDL 1\r\n") == "+OK 1 u1\r\n");
  CHECK(say(f.s(), "RETR 1\r\n") == "+OK 25 octets\r\nSubject: first\r\n\r\nHello\r\n.\r\n");
  CHECK(say(f.s(), "TOP 2 0\r\n") == "+OK top of message follows\r\nSubject: other\r\n\r\n.\r\n");
  CHECK(say(f.s(), "TOP 2 5\r\n") == "+OK top of message follows\r\nSubject: other\r\n\r\nWorld\r\n.\r\n");
  CHECK(say(f.s(), "DELE 1\r\n") == "+OK message 1 deleted\r\n");
  CHECK(say(f.s(), "STAT\r\n") == "+OK 1 25\r\n");
  CHECK(say(f.s(), "LIST\r\n") == "+OK 1 messages (25 octets)\r\n2 25\r\n.\r\n");
  CHECK(say(f.s(), "UIDL\r\n") == "+OK unique-id listing follows\r\n2 u2\r\n.\r\n");
  CHECK(say(f.s(), "RSET\r\n") == "+OK maildrop has 2 messages (50 octets)\r\n");
  CHECK(say(f.s(), "NOOP\r\n") == "+OK\r\n");
  CHECK(say(f.s(), "QUIT\r\n") == "+OK pop.example POP3 server signing off (2 messages left)\r\n");
}

TEST_CASE("TOP counts body lines after the blank line") {
  FakeStore store;
  store.add_user("bob", "pw");
  store.deliver("bob", "From: a\r\nTo: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n");
  FakeBackend backend(store);
  ServerSession s({}, backend);
  s.take_output();
  say(s, "USER bob\r\nPASS pw\r\n");
  CHECK(say(s, "TOP 1 2\r\n") == "+OK top of message follows\r\nFrom: a\r\nTo: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n");
  CHECK(say(s, "TOP 1 99999999999999999999999\r\n") ==
        "+OK top of message follows\r\nFrom: a\r\nTo: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n");
}

TEST_CASE("RETR byte-stuffs dot lines, converts bare LF and ends an unterminated last line") {
  FakeStore store;
  store.add_user("bob", "pw");
  store.deliver("bob", "Subject: dots\r\n\r\n.leading\r\n..two\r\nin\r\n.\r\nside\r\n.");
  store.deliver("bob", "Subject: unix\n\nbare\nLF\n");
  store.deliver("bob", "no newline at end");
  FakeBackend backend(store);
  ServerSession s({}, backend);
  s.take_output();
  say(s, "USER bob\r\nPASS pw\r\n");
  CHECK(say(s, "RETR 1\r\n") ==
        "+OK 50 octets\r\nSubject: dots\r\n\r\n..leading\r\n...two\r\nin\r\n..\r\nside\r\n..\r\n.\r\n");
  CHECK(say(s, "RETR 2\r\n") == "+OK 27 octets\r\nSubject: unix\r\n\r\nbare\r\nLF\r\n.\r\n");
  CHECK(say(s, "RETR 3\r\n") == "+OK 19 octets\r\nno newline at end\r\n.\r\n");
}

TEST_CASE("every error reply in AUTHORIZATION") {
  ServerConfig c;
  c.max_bad_commands = 100;
  c.max_auth_failures = 100;
  Fixture f(c);
  f.s().take_output();
  CHECK(say(f.s(), "HELO\r\n") == "-ERR unknown command\r\n");
  CHECK(say(f.s(), "\r\n") == "-ERR unknown command\r\n");
  CHECK(say(f.s(), "STAT\r\n") == "-ERR STAT not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "LIST\r\n") == "-ERR LIST not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "RETR 1\r\n") == "-ERR RETR not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "DELE 1\r\n") == "-ERR DELE not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "NOOP\r\n") == "-ERR NOOP not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "RSET\r\n") == "-ERR RSET not valid in AUTHORIZATION state\r\n");
  CHECK(say(f.s(), "USER\r\n") == "-ERR usage: USER name\r\n");
  CHECK(say(f.s(), "USER a b\r\n") == "-ERR usage: USER name\r\n");
  CHECK(say(f.s(), "PASS wonderland\r\n") == "-ERR give USER first\r\n");
  CHECK(say(f.s(), "USER alice\r\nPASS\r\n") == "+OK send PASS\r\n-ERR usage: PASS password\r\n");
  CHECK(say(f.s(), "USER alice\r\nNOOP\r\nPASS wonderland\r\n") ==
        "+OK send PASS\r\n-ERR NOOP not valid in AUTHORIZATION state\r\n-ERR give USER first\r\n");
  CHECK(say(f.s(), "USER alice\r\nPASS wrong\r\n") == "+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n");
  CHECK(say(f.s(), "USER nobody\r\nPASS x\r\n") == "+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n");
  CHECK(say(f.s(), "APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n") == "-ERR APOP not available\r\n");
  CHECK(say(f.s(), "STLS\r\n") == "-ERR STLS not available\r\n");
  CHECK(say(f.s(), "STLS now\r\n") == "-ERR usage: STLS\r\n");
  CHECK(say(f.s(), "CAPA all\r\n") == "-ERR usage: CAPA\r\n");
  CHECK(say(f.s(), "QUIT now\r\n") == "-ERR usage: QUIT\r\n");
  CHECK(f.s().state() == ServerSession::State::Authorization);
  const auto events = f.s().take_events();
  CHECK(has_event(events, Kind::ProtocolError, "unknown command \"HELO\""));
  CHECK(has_event(events, Kind::ProtocolError, "STAT sent in AUTHORIZATION state"));
  CHECK(has_event(events, Kind::ProtocolError, "PASS without a preceding USER"));
}

TEST_CASE("APOP errors") {
  ServerConfig c = rfc_config();
  c.max_auth_failures = 100;
  Fixture f(c);
  f.store.add_user("mrose", "tanstaaf");
  f.s().take_output();
  CHECK(say(f.s(), "APOP mrose\r\n") == "-ERR usage: APOP name digest\r\n");
  CHECK(say(f.s(), "APOP mrose c4c9334bac560ecc979e58001b3e22f\r\n") == "-ERR usage: APOP name digest\r\n");
  CHECK(say(f.s(), "APOP mrose c4c9334bac560ecc979e58001b3e22fg\r\n") == "-ERR usage: APOP name digest\r\n");
  CHECK(say(f.s(), "APOP mrose 00000000000000000000000000000000\r\n") ==
        "-ERR [AUTH] invalid user name or password\r\n");
  CHECK(say(f.s(), "APOP nobody c4c9334bac560ecc979e58001b3e22fb\r\n") ==
        "-ERR [AUTH] invalid user name or password\r\n");
  // The digest's hex digits are accepted in either case.
  CHECK(say(f.s(), "APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n") ==
        "+OK mrose's maildrop has 0 messages (0 octets)\r\n");
}

TEST_CASE("every error reply in TRANSACTION") {
  ServerConfig c;
  c.max_bad_commands = 100;
  Fixture f(c);
  f.login();
  CHECK(say(f.s(), "USER alice\r\n") == "-ERR USER not valid in TRANSACTION state\r\n");
  CHECK(say(f.s(), "PASS x\r\n") == "-ERR PASS not valid in TRANSACTION state\r\n");
  CHECK(say(f.s(), "APOP a b\r\n") == "-ERR APOP not valid in TRANSACTION state\r\n");
  CHECK(say(f.s(), "STLS\r\n") == "-ERR STLS not valid in TRANSACTION state\r\n");
  CHECK(say(f.s(), "XTND\r\n") == "-ERR unknown command\r\n");
  CHECK(say(f.s(), "STAT 1\r\n") == "-ERR usage: STAT\r\n");
  CHECK(say(f.s(), "LIST 1 2\r\n") == "-ERR usage: LIST [msg]\r\n");
  CHECK(say(f.s(), "LIST one\r\n") == "-ERR usage: LIST [msg]\r\n");
  CHECK(say(f.s(), "LIST -1\r\n") == "-ERR usage: LIST [msg]\r\n");
  CHECK(say(f.s(), "UIDL x\r\n") == "-ERR usage: UIDL [msg]\r\n");
  CHECK(say(f.s(), "UIDL 1 2\r\n") == "-ERR usage: UIDL [msg]\r\n");
  CHECK(say(f.s(), "RETR\r\n") == "-ERR usage: RETR msg\r\n");
  CHECK(say(f.s(), "RETR +1\r\n") == "-ERR usage: RETR msg\r\n");
  CHECK(say(f.s(), "TOP 1\r\n") == "-ERR usage: TOP msg lines\r\n");
  CHECK(say(f.s(), "TOP 1 x\r\n") == "-ERR usage: TOP msg lines\r\n");
  CHECK(say(f.s(), "TOP x 1\r\n") == "-ERR usage: TOP msg lines\r\n");
  CHECK(say(f.s(), "DELE\r\n") == "-ERR usage: DELE msg\r\n");
  CHECK(say(f.s(), "RSET 1\r\n") == "-ERR usage: RSET\r\n");
  CHECK(say(f.s(), "NOOP 1\r\n") == "-ERR usage: NOOP\r\n");
  CHECK(say(f.s(), "RETR 0\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "RETR 3\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "LIST 99999999999999999999999999\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "UIDL 3\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "TOP 3 0\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "DELE 3\r\n") == "-ERR no such message\r\n");
  CHECK(say(f.s(), "DELE 2\r\n") == "+OK message 2 deleted\r\n");
  CHECK(say(f.s(), "DELE 2\r\n") == "-ERR message 2 already deleted\r\n");
  CHECK(say(f.s(), "RETR 2\r\n") == "-ERR message 2 already deleted\r\n");
  CHECK(say(f.s(), "LIST 2\r\n") == "-ERR message 2 already deleted\r\n");
  CHECK(say(f.s(), "UIDL 2\r\n") == "-ERR message 2 already deleted\r\n");
  CHECK(say(f.s(), "TOP 2 1\r\n") == "-ERR message 2 already deleted\r\n");
  f.store.fail_retrieve = true;
  CHECK(say(f.s(), "RETR 1\r\n") == "-ERR [SYS/TEMP] message could not be read\r\n");
  CHECK(say(f.s(), "TOP 1 0\r\n") == "-ERR [SYS/TEMP] message could not be read\r\n");
  CHECK(f.s().state() == ServerSession::State::Transaction);
}

TEST_CASE("commit failure at QUIT is reported and the lock still released") {
  Fixture f;
  f.login();
  f.store.fail_commit = true;
  CHECK(say(f.s(), "DELE 1\r\nQUIT\r\n") == "+OK message 1 deleted\r\n-ERR [SYS/TEMP] some deleted messages not removed\r\n");
  CHECK(f.s().closed());
  CHECK(f.backend.calls.back() == "unlock");
  CHECK(f.store.count("alice") == 2);
}

TEST_CASE("UPDATE semantics: DELE then connection_lost keeps the mail") {
  Fixture f;
  f.login();
  CHECK(say(f.s(), "DELE 1\r\nDELE 2\r\n") == "+OK message 1 deleted\r\n+OK message 2 deleted\r\n");
  f.s().connection_lost();
  CHECK(f.s().closed());
  CHECK(f.store.count("alice") == 2);
  CHECK(!f.store.boxes["alice"].locked);
  CHECK(f.backend.calls.back() == "unlock");
  for (const auto& c : f.backend.calls) CHECK(c.rfind("commit", 0) != 0);
  const auto events = f.s().take_events();
  CHECK(has_event(events, Kind::Note, "connection lost in TRANSACTION state: nothing deleted"));
  CHECK(has_event(events, Kind::StateChanged, "TRANSACTION -> CLOSED"));
  CHECK(say(f.s(), "QUIT\r\n").empty());  // a closed session ignores input
}

TEST_CASE("UPDATE semantics: DELE then RSET then QUIT keeps the mail") {
  Fixture f;
  f.login();
  CHECK(say(f.s(), "DELE 1\r\nRSET\r\nQUIT\r\n") ==
        "+OK message 1 deleted\r\n+OK maildrop has 2 messages (50 octets)\r\n"
        "+OK pop.example POP3 server signing off (2 messages left)\r\n");
  CHECK(f.store.count("alice") == 2);
  CHECK(f.backend.calls == std::vector<std::string>{"authenticate alice", "lock alice", "snapshot", "unlock"});
}

TEST_CASE("UPDATE semantics: QUIT in AUTHORIZATION deletes nothing and takes no lock") {
  Fixture f;
  f.s().take_output();
  f.s().take_events();
  CHECK(say(f.s(), "USER alice\r\nQUIT\r\n") == "+OK send PASS\r\n+OK pop.example POP3 server signing off\r\n");
  CHECK(f.s().closed());
  CHECK(f.backend.calls.empty());
  CHECK(f.store.count("alice") == 2);
  const auto events = f.s().take_events();
  CHECK(has_event(events, Kind::StateChanged, "AUTHORIZATION -> CLOSED"));
  CHECK(!has_event(events, Kind::StateChanged, "TRANSACTION -> UPDATE"));
}

TEST_CASE("lock contention: a second session gets -ERR [IN-USE] until the first quits") {
  Fixture f;
  f.login();
  FakeBackend backend2(f.store);
  ServerSession second({}, backend2);
  second.take_output();
  CHECK(say(second, "USER alice\r\nPASS wonderland\r\n") == "+OK send PASS\r\n-ERR [IN-USE] maildrop already locked\r\n");
  CHECK(second.state() == ServerSession::State::Authorization);
  CHECK(say(f.s(), "DELE 1\r\nQUIT\r\n") ==
        "+OK message 1 deleted\r\n+OK pop.example POP3 server signing off (1 message left)\r\n");
  CHECK(say(second, "USER alice\r\nPASS wonderland\r\n") == "+OK send PASS\r\n+OK alice's maildrop has 1 messages (25 octets)\r\n");
  CHECK(say(second, "UIDL\r\n") == "+OK unique-id listing follows\r\n1 u2\r\n.\r\n");
}

TEST_CASE("command line limit: 255 octets including CRLF") {
  Fixture f;
  f.s().take_output();
  const std::string name253 = "USER " + std::string(248, 'n');  // 253 + CRLF = 255
  CHECK(say(f.s(), name253 + "\r\n") == "+OK send PASS\r\n");
  const std::string name254 = "USER " + std::string(249, 'n');  // 254 + CRLF = 256
  CHECK(say(f.s(), name254 + "\r\n") == "-ERR command line too long\r\n");
  // A huge line without CRLF is never buffered whole: one error, then the session resumes.
  CHECK(say(f.s(), std::string(100000, 'z')) == "-ERR command line too long\r\n");
  CHECK(say(f.s(), std::string(5000, 'z') + "\r\nQUIT\r\n") == "+OK pop.example POP3 server signing off\r\n");
  const auto events = f.s().take_events();
  CHECK(has_event(events, Kind::ProtocolError, "command line longer than 255 octets (RFC 2449)"));
}

TEST_CASE("too many bad commands: -ERR and close, releasing the lock") {
  ServerConfig c;
  c.max_bad_commands = 3;
  Fixture f(c);
  f.login();
  CHECK(say(f.s(), "BAD1\r\nRETR x\r\nBAD3\r\nSTAT\r\n") ==
        "-ERR unknown command\r\n-ERR usage: RETR msg\r\n-ERR too many bad commands, closing connection\r\n");
  CHECK(f.s().closed());
  CHECK(f.backend.calls.back() == "unlock");
  CHECK(f.store.count("alice") == 2);
}

TEST_CASE("too many failed logins: -ERR [AUTH] and close") {
  ServerConfig c;
  c.max_auth_failures = 2;
  Fixture f(c);
  f.s().take_output();
  CHECK(say(f.s(), "USER alice\r\nPASS a\r\nUSER alice\r\nPASS b\r\nUSER alice\r\n") ==
        "+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n"
        "+OK send PASS\r\n-ERR [AUTH] too many failed logins, closing connection\r\n");
  CHECK(f.s().closed());
}

TEST_CASE("pipelined commands are answered in order; verbs are case-insensitive") {
  Fixture f;
  f.s().take_output();
  CHECK(say(f.s(), "user alice\r\npass wonderland\r\nstat\r\nlist 1\r\nquit\r\n") ==
        "+OK send PASS\r\n+OK alice's maildrop has 2 messages (50 octets)\r\n+OK 2 50\r\n+OK 1 25\r\n"
        "+OK pop.example POP3 server signing off (2 messages left)\r\n");
}

TEST_CASE("bare LF ends a command line too") {
  Fixture f;
  f.s().take_output();
  CHECK(say(f.s(), "USER alice\nPASS wonderland\n") ==
        "+OK send PASS\r\n+OK alice's maildrop has 2 messages (50 octets)\r\n");
}

TEST_CASE("every split of a session gives the same server output") {
  const std::string input = "USER alice\r\nPASS wonderland\r\nLIST\r\nRETR 2\r\nDELE 1\r\nQUIT\r\n";
  std::string reference;
  {
    Fixture f;
    f.s().receive(input);
    reference = f.s().take_output();
  }
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    Fixture f;
    f.s().receive(input.substr(0, cut));
    f.s().receive(input.substr(cut));
    CHECK(f.s().take_output() == reference);
    CHECK(f.store.count("alice") == 1);
  }
}

TEST_CASE("AUTH PLAIN credentials are masked in events like PASS and APOP (issue 12)") {
  // "\0alice\0wonderland" in base64: the password would be readable by anyone with the trace.
  const std::string secret = "AGFsaWNlAHdvbmRlcmxhbmQ=";
  ServerConfig c = rfc_config();
  c.offer_sasl = false;  // a client that tries AUTH where it is not offered
  Fixture f(c);
  f.s().take_events();
  f.s().take_output();
  f.s().receive("AUTH PLAIN " + secret + "\r\n");
  auto events = f.s().take_events();
  REQUIRE(!events.empty());
  CHECK(events[0].kind == Kind::CommandReceived);
  CHECK(events[0].text == "AUTH PLAIN ********");
  CHECK(events[0].clear_text == "AUTH PLAIN " + secret);
  for (const auto& e : events) CHECK(e.text.find(secret) == std::string::npos);
  CHECK(f.s().take_output() == "-ERR unknown command\r\n");

  // A client that sends the response on its own line without waiting for "+ ".
  f.s().receive("AUTH PLAIN\r\n" + secret + "\r\n");
  events = f.s().take_events();
  bool masked = false;
  for (const auto& e : events) {
    CHECK(e.text.find(secret) == std::string::npos);
    if (e.kind == Kind::CommandReceived && e.text == "********" && e.clear_text == secret) masked = true;
  }
  CHECK(masked);
  CHECK(f.s().take_output() == "-ERR unknown command\r\n-ERR unknown command\r\n");

  // A client falling back to USER/PASS after the refusal is not disturbed.
  f.s().receive("AUTH PLAIN\r\nUSER alice\r\nPASS wonderland\r\n");
  f.s().take_events();
  CHECK(f.s().take_output() ==
        "-ERR unknown command\r\n+OK send PASS\r\n+OK alice's maildrop has 2 messages (50 octets)\r\n");
}

TEST_CASE("a server identity orders CAPA, drops what it does not list, and still hides what is not allowed") {
  ServerConfig c;
  c.offer_stls = true;
  c.greeting = "Dovecot (Debian) ready.";
  c.greeting_names_host = false;
  c.capabilities = {"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "USER", "SASL"};
  Fixture f(c);
  CHECK(f.s().take_output() == "+OK Dovecot (Debian) ready.\r\n");
  // Dovecot's list, in its order: no STLS and no IMPLEMENTATION because they are not listed.
  CHECK(say(f.s(), "CAPA\r\n") ==
        "+OK Capability list follows\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
        "SASL PLAIN LOGIN\r\n.\r\n");
  // Not listed is not advertised, but the command itself still works (the engine is the same).
  CHECK(say(f.s(), "STLS\r\n") == "+OK begin TLS negotiation\r\n");
  f.s().tls_established();
  f.login();
  // After login USER and SASL are gone, as without an identity.
  CHECK(say(f.s(), "CAPA\r\n") ==
        "+OK Capability list follows\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n.\r\n");
}
