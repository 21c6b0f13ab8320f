// POP3 AUTH (RFC 5034): PLAIN and LOGIN on the server, byte at a time, every refusal, masking,
// and our client's AUTH PLAIN / LOGIN against our server.
#include <catch2/catch.hpp>

#include "pop3_fakes.hpp"
#include "protocols/common/base64.hpp"

using namespace pop3_test;
using Kind = mailsim::proto::ProtocolEvent::Kind;
using mailsim::proto::base64_encode;

namespace {

// "\0alice\0wonderland"
const std::string kAlicePlain = "AGFsaWNlAHdvbmRlcmxhbmQ=";
const std::string kWelcome = "+OK alice's maildrop has 1 messages (23 octets)\r\n";

struct Fixture {
  FakeStore store;
  FakeBackend backend{store};
  std::optional<ServerSession> server;

  explicit Fixture(ServerConfig config = {}) {
    config.max_bad_commands = 100;
    config.max_auth_failures = 100;
    store.add_user("alice", "wonderland");
    store.deliver("alice", "Subject: one\r\n\r\nfirst\r\n", "u1");
    server.emplace(std::move(config), backend);
    server->take_output();
  }
  ServerSession& s() { return *server; }
};

bool no_event_shows(const std::vector<mailsim::proto::ProtocolEvent>& events, const std::string& secret) {
  for (const auto& e : events)
    if (e.text.find(secret) != std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("AUTH PLAIN with an initial response logs in, whole and byte at a time") {
  const std::string input = "AUTH PLAIN " + kAlicePlain + "\r\nSTAT\r\n";
  const std::string expected = kWelcome + "+OK 1 23\r\n";
  Fixture whole;
  CHECK(say(whole.s(), input) == expected);
  CHECK(whole.s().state() == ServerSession::State::Transaction);
  CHECK(whole.s().user() == "alice");
  Fixture bytes;
  for (const char c : input) bytes.s().receive(std::string_view(&c, 1));
  CHECK(bytes.s().take_output() == expected);
}

TEST_CASE("AUTH PLAIN without an initial response gets the empty \"+ \" challenge") {
  Fixture f;
  CHECK(say(f.s(), "auth plain\r\n") == "+ \r\n");
  CHECK(f.s().state() == ServerSession::State::Authorization);
  CHECK(say(f.s(), kAlicePlain + "\r\n") == kWelcome);
  // An authzid equal to the user is fine ("alice\0alice\0wonderland").
  Fixture g;
  CHECK(say(g.s(), "AUTH PLAIN " + base64_encode(std::string("alice\0alice\0wonderland", 22)) + "\r\n") == kWelcome);
}

TEST_CASE("AUTH LOGIN asks for the user name and the password in base64") {
  Fixture f;
  CHECK(say(f.s(), "AUTH LOGIN\r\n") == "+ VXNlcm5hbWU6\r\n");  // "Username:"
  CHECK(say(f.s(), base64_encode("alice") + "\r\n") == "+ UGFzc3dvcmQ6\r\n");  // "Password:"
  CHECK(say(f.s(), base64_encode("wonderland") + "\r\n") == kWelcome);
  // With the user name as the initial response, only the password is asked for.
  Fixture g;
  CHECK(say(g.s(), "AUTH LOGIN " + base64_encode("alice") + "\r\n") == "+ UGFzc3dvcmQ6\r\n");
  CHECK(say(g.s(), base64_encode("wonderland") + "\r\n") == kWelcome);
}

TEST_CASE("a bare AUTH lists the mechanisms; CAPA says SASL PLAIN LOGIN") {
  Fixture f;
  CHECK(say(f.s(), "AUTH\r\n") == "+OK SASL mechanisms follow\r\nPLAIN\r\nLOGIN\r\n.\r\n");
  CHECK(say(f.s(), "CAPA\r\n").find("\r\nSASL PLAIN LOGIN\r\n") != std::string::npos);
  ServerConfig off;
  off.offer_sasl = false;
  Fixture g(off);
  CHECK(say(g.s(), "CAPA\r\n").find("SASL") == std::string::npos);
  CHECK(say(g.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") == "-ERR unknown command\r\n");
}

TEST_CASE("AUTH refusals: cancel, bad base64, malformed PLAIN, wrong password, other user, unknown mechanism") {
  Fixture f;
  CHECK(say(f.s(), "AUTH PLAIN\r\n*\r\n") == "+ \r\n-ERR authentication cancelled\r\n");
  CHECK(say(f.s(), "AUTH LOGIN\r\n*\r\n") == "+ VXNlcm5hbWU6\r\n-ERR authentication cancelled\r\n");
  CHECK(say(f.s(), "AUTH PLAIN *\r\n") == "-ERR authentication cancelled\r\n");
  CHECK(say(f.s(), "AUTH PLAIN not!base64\r\n") == "-ERR invalid SASL response\r\n");
  CHECK(say(f.s(), "AUTH PLAIN\r\nAGFsaWNl\r\n") == "+ \r\n-ERR invalid SASL response\r\n");  // "\0alice"
  CHECK(say(f.s(), "AUTH PLAIN =\r\n") == "-ERR invalid SASL response\r\n");                 // empty message
  CHECK(say(f.s(), "AUTH PLAIN " + base64_encode(std::string("\0alice\0nope", 11)) + "\r\n") ==
        "-ERR [AUTH] invalid user name or password\r\n");
  CHECK(say(f.s(), "AUTH PLAIN " + base64_encode(std::string("bob\0alice\0wonderland", 20)) + "\r\n") ==
        "-ERR [AUTH] invalid user name or password\r\n");
  CHECK(say(f.s(), "AUTH CRAM-MD5\r\n") == "-ERR unsupported authentication mechanism\r\n");
  CHECK(say(f.s(), "AUTH PLAIN a b\r\n") == "-ERR usage: AUTH mechanism [initial-response]\r\n");
  CHECK(f.s().state() == ServerSession::State::Authorization);
  const auto events = f.s().take_events();
  CHECK(has_event(events, Kind::ProtocolError, "AUTH PLAIN: the SASL response is not valid base64"));
  CHECK(has_event(events, Kind::ProtocolError, "AUTH PLAIN: the PLAIN response is not [authzid] NUL user NUL password"));
  CHECK(has_event(events, Kind::ProtocolError, "AUTH mechanism \"CRAM-MD5\" not offered (PLAIN LOGIN are)"));
  CHECK(has_event(events, Kind::Note, "AUTH PLAIN cancelled by the client"));
  CHECK(has_event(events, Kind::Note, "AUTH PLAIN login failed for alice"));
  // After all that, a good exchange still works.
  CHECK(say(f.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") == kWelcome);
  CHECK(say(f.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") == "-ERR AUTH not valid in TRANSACTION state\r\n");
}

TEST_CASE("AUTH is refused before STLS when plain-text login is not allowed") {
  ServerConfig c;
  c.offer_stls = true;
  c.allow_plaintext_login = false;
  Fixture f(c);
  CHECK(say(f.s(), "CAPA\r\n").find("SASL") == std::string::npos);
  CHECK(say(f.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") ==
        "-ERR [AUTH] plaintext authentication not allowed before STLS\r\n");
  CHECK(say(f.s(), "STLS\r\n") == "+OK begin TLS negotiation\r\n");
  f.s().tls_established();
  CHECK(say(f.s(), "CAPA\r\n").find("\r\nSASL PLAIN LOGIN\r\n") != std::string::npos);
  CHECK(say(f.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") == kWelcome);
}

TEST_CASE("SASL responses are masked in events, the clear text kept aside") {
  Fixture f;
  f.s().take_events();
  f.s().receive("AUTH PLAIN " + kAlicePlain + "\r\n");
  auto events = f.s().take_events();
  REQUIRE(!events.empty());
  CHECK(events[0].kind == Kind::CommandReceived);
  CHECK(events[0].text == "AUTH PLAIN ********");
  CHECK(events[0].clear_text == "AUTH PLAIN " + kAlicePlain);
  CHECK(no_event_shows(events, kAlicePlain));

  Fixture g;
  g.s().take_events();
  const std::string user = base64_encode("alice");
  const std::string pass = base64_encode("wonderland");
  g.s().receive("AUTH LOGIN\r\n" + user + "\r\n" + pass + "\r\n");
  events = g.s().take_events();
  CHECK(no_event_shows(events, pass));
  CHECK(no_event_shows(events, user));
  int masked = 0;
  for (const auto& e : events)
    if (e.kind == Kind::CommandReceived && e.text == "********" && (e.clear_text == user || e.clear_text == pass)) ++masked;
  CHECK(masked == 2);
}

TEST_CASE("a SASL response over the line limit aborts the exchange") {
  Fixture f;
  CHECK(say(f.s(), "AUTH PLAIN\r\n") == "+ \r\n");
  CHECK(say(f.s(), std::string(400, 'A') + "\r\n") == "-ERR SASL response too long, authentication aborted\r\n");
  CHECK(say(f.s(), "AUTH PLAIN " + kAlicePlain + "\r\n") == kWelcome);
}

TEST_CASE("connection lost or timed out mid-exchange leaves nothing locked") {
  Fixture f;
  CHECK(say(f.s(), "AUTH LOGIN\r\n") == "+ VXNlcm5hbWU6\r\n");
  f.s().connection_lost();
  CHECK(f.s().closed());
  CHECK(!f.store.boxes["alice"].locked);
  Fixture g;
  CHECK(say(g.s(), "AUTH PLAIN\r\n") == "+ \r\n");
  g.s().timed_out();
  CHECK(g.s().closed());
}

namespace {

ClientResult run_job(FakeStore& store, ClientJob job, bool bytewise, std::vector<std::string>* sent,
                     ServerConfig config = {}) {
  FakeBackend backend(store);
  ServerSession server(std::move(config), backend);
  ClientSession client(std::move(job));
  pump(client, server, bytewise);
  CHECK(client.closed());
  CHECK(server.closed());
  if (sent) {
    for (const auto& e : client.take_events())
      if (e.kind == Kind::CommandSent) sent->push_back(e.text);
  }
  return client.result();
}

}  // namespace

TEST_CASE("client vs server: AUTH PLAIN and AUTH LOGIN, byte at a time") {
  for (const bool bytewise : {false, true}) {
    for (const auto method : {AuthMethod::SaslPlain, AuthMethod::SaslLogin}) {
      FakeStore store;
      store.add_user("alice", "wonderland");
      store.deliver("alice", "Subject: one\r\n\r\nfirst\r\n", "u1");
      ClientJob job;
      job.user = "alice";
      job.password = "wonderland";
      job.auth = method;
      std::vector<std::string> sent;
      const auto r = run_job(store, job, bytewise, &sent);
      CHECK(r.errors.empty());
      REQUIRE(r.downloaded.size() == 1);
      CHECK(r.downloaded[0].bytes == "Subject: one\r\n\r\nfirst\r\n");
      if (method == AuthMethod::SaslPlain) {
        CHECK(sent == std::vector<std::string>{"CAPA", "AUTH PLAIN ********", "STAT", "UIDL", "RETR 1", "DELE 1", "QUIT"});
      } else {
        CHECK(sent == std::vector<std::string>{"CAPA", "AUTH LOGIN", "********", "********", "STAT", "UIDL", "RETR 1",
                                               "DELE 1", "QUIT"});
      }
    }
  }
}

TEST_CASE("client: an initial response that would overflow 255 octets waits for the challenge") {
  FakeStore store;
  const std::string password(180, 'p');
  store.add_user("alice", password);
  ClientJob job;
  job.user = "alice";
  job.password = password;
  job.auth = AuthMethod::SaslPlain;
  std::vector<std::string> sent;
  const auto r = run_job(store, job, false, &sent);
  CHECK(r.errors.empty());
  CHECK(r.completed);
  CHECK(sent == std::vector<std::string>{"CAPA", "AUTH PLAIN", "********", "STAT", "QUIT"});
  // Credentials that cannot fit any line are refused before anything is sent.
  job.password = std::string(300, 'p');
  const auto too_long = run_job(store, job, false, nullptr);
  REQUIRE(too_long.errors.size() == 1);
  CHECK(too_long.errors[0].kind == ClientErrorKind::AuthFailed);
}

TEST_CASE("client: wrong password and a server without SASL are auth failures") {
  FakeStore store;
  store.add_user("alice", "wonderland");
  ClientJob job;
  job.user = "alice";
  job.password = "nope";
  job.auth = AuthMethod::SaslLogin;
  auto r = run_job(store, job, false, nullptr);
  REQUIRE(!r.errors.empty());
  CHECK(r.errors[0].kind == ClientErrorKind::AuthFailed);
  CHECK(r.errors[0].detail == "-ERR [AUTH] invalid user name or password");

  ServerConfig off;
  off.offer_sasl = false;
  job.password = "wonderland";
  job.auth = AuthMethod::SaslPlain;
  r = run_job(store, job, false, nullptr, off);
  REQUIRE(!r.errors.empty());
  CHECK(r.errors[0].detail == "the server does not offer SASL PLAIN");
}

TEST_CASE("client answers a challenge it does not expect with \"*\"") {
  ClientJob job;
  job.user = "alice";
  job.password = "wonderland";
  job.auth = AuthMethod::SaslPlain;
  ClientSession c(job);
  c.receive("+OK ready\r\n");
  c.receive("-ERR no CAPA\r\n");  // capabilities unknown: the client tries anyway
  CHECK(c.take_output() == "CAPA\r\nAUTH PLAIN " + kAlicePlain + "\r\n");
  c.receive("+ more?\r\n");
  CHECK(c.take_output() == "*\r\n");
  c.receive("-ERR cancelled\r\n");
  CHECK(c.take_output() == "QUIT\r\n");
  REQUIRE(!c.result().errors.empty());
  CHECK(c.result().errors[0].kind == ClientErrorKind::AuthFailed);
}

TEST_CASE("a Thunderbird-shaped POP3 session: the bare AUTH list, AUTH PLAIN, an old XTND refused, nothing hangs") {
  Fixture f;
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"CAPA", "+OK Capability list follows"},
      {"AUTH", "+OK SASL mechanisms follow"},
      {"AUTH PLAIN", "+ "},
      {kAlicePlain, "+OK alice's maildrop has 1 messages (23 octets)"},
      {"STAT", "+OK 1 23"},
      {"LIST", "+OK 1 messages (23 octets)"},
      {"UIDL", "+OK unique-id listing follows"},
      {"XTND XLST Message-Id", "-ERR unknown command"},
      {"TOP 1 0", "+OK top of message follows"},
      {"RETR 1", "+OK 23 octets"},
      {"DELE 1", "+OK message 1 deleted"},
      {"QUIT", "+OK pop.example POP3 server signing off (maildrop empty)"},
  };
  for (const auto& [line, first] : steps) {
    INFO(line);
    std::string out;
    for (const char c : line + "\r\n") f.s().receive(std::string_view(&c, 1));
    out = f.s().take_output();
    CHECK(out.substr(0, out.find("\r\n")) == first);
  }
  CHECK(f.s().closed());
  CHECK(f.store.count("alice") == 0);
  CHECK(has_event(f.s().take_events(), Kind::ProtocolError, "unknown command \"XTND\""));
}
