// POP3 client: against our server (delete, leave-on-server, APOP, STLS, failures) and scripted replies.
#include <catch2/catch.hpp>

#include "pop3_fakes.hpp"

using namespace pop3_test;
using Kind = mailsim::proto::ProtocolEvent::Kind;

namespace {

std::vector<std::string> commands_sent(ClientSession& c) {
  std::vector<std::string> out;
  for (const auto& e : c.take_events()) {
    if (e.kind == Kind::CommandSent) out.push_back(e.text);
  }
  return out;
}

ClientJob alice_job(RetentionMode mode = RetentionMode::DeleteAfterDownload) {
  ClientJob j;
  j.user = "alice";
  j.password = "wonderland";
  j.mode = mode;
  return j;
}

struct World {
  FakeStore store;
  World() {
    store.add_user("alice", "wonderland");
    store.deliver("alice", "Subject: one\r\n\r\nfirst\r\n", "uid-a");
    store.deliver("alice", "Subject: two\r\n\r\n.dot line\r\nin\r\n.\r\nside\r\n", "uid-b");
    store.deliver("alice", "Subject: three\n\nunix\nlines\n", "uid-c");
  }
};

// Runs one client job against a fresh server session on the store.
ClientResult run(FakeStore& store, const ClientJob& job, const ServerConfig& config = {}, bool bytewise = false,
                 std::vector<std::string>* sent = nullptr) {
  FakeBackend backend(store);
  ServerSession server(config, backend);
  ClientSession client(job);
  pump(client, server, bytewise);
  CHECK(client.closed());
  CHECK(server.closed());
  if (sent) *sent = commands_sent(client);
  return client.result();
}

}  // namespace

TEST_CASE("client vs server: delete after download empties the maildrop") {
  World w;
  std::vector<std::string> sent;
  const auto r = run(w.store, alice_job(), {}, false, &sent);
  CHECK(sent == std::vector<std::string>{"CAPA", "USER alice", "PASS ********", "STAT", "UIDL", "RETR 1", "DELE 1",
                                         "RETR 2", "DELE 2", "RETR 3", "DELE 3", "QUIT"});
  REQUIRE(r.downloaded.size() == 3);
  CHECK(r.downloaded[0].uid == "uid-a");
  CHECK(r.downloaded[0].bytes == "Subject: one\r\n\r\nfirst\r\n");
  CHECK(r.downloaded[0].size == 23);
  CHECK(r.downloaded[1].bytes == "Subject: two\r\n\r\n.dot line\r\nin\r\n.\r\nside\r\n");
  CHECK(r.downloaded[2].bytes == "Subject: three\r\n\r\nunix\r\nlines\r\n");
  CHECK(r.deleted.size() == 3);
  CHECK(r.deletions_committed);
  CHECK(r.completed);
  CHECK(r.uidl_supported);
  CHECK(r.messages_on_server == 3);
  CHECK(r.errors.empty());
  CHECK(w.store.count("alice") == 0);
  CHECK(!w.store.boxes["alice"].locked);
}

TEST_CASE("client vs server, byte at a time, gives the same result") {
  World w1;
  World w2;
  const auto whole = run(w1.store, alice_job());
  const auto bytewise = run(w2.store, alice_job(), {}, true);
  REQUIRE(bytewise.downloaded.size() == whole.downloaded.size());
  for (std::size_t i = 0; i < whole.downloaded.size(); ++i) {
    CHECK(bytewise.downloaded[i].bytes == whole.downloaded[i].bytes);
    CHECK(bytewise.downloaded[i].uid == whole.downloaded[i].uid);
  }
  CHECK(bytewise.deletions_committed);
  CHECK(w2.store.count("alice") == 0);
}

TEST_CASE("client vs server: leave on server downloads only what is new") {
  World w;
  std::vector<std::string> sent;
  ClientJob job = alice_job(RetentionMode::LeaveOnServer);
  auto r = run(w.store, job, {}, false, &sent);
  CHECK(r.downloaded.size() == 3);
  CHECK(r.deleted.empty());
  CHECK(!r.deletions_committed);
  CHECK(r.completed);
  CHECK(w.store.count("alice") == 3);
  for (const auto& m : r.downloaded) job.known_uids.insert(m.uid);

  // Second run: nothing new.
  r = run(w.store, job, {}, false, &sent);
  CHECK(r.downloaded.empty());
  CHECK(sent == std::vector<std::string>{"CAPA", "USER alice", "PASS ********", "STAT", "UIDL", "QUIT"});
  CHECK(w.store.count("alice") == 3);

  // Third run after one more delivery: just that one.
  w.store.deliver("alice", "Subject: four\r\n\r\nnew\r\n", "uid-d");
  r = run(w.store, job, {}, false, &sent);
  REQUIRE(r.downloaded.size() == 1);
  CHECK(r.downloaded[0].uid == "uid-d");
  CHECK(r.downloaded[0].number == 4);
  CHECK(r.downloaded[0].bytes == "Subject: four\r\n\r\nnew\r\n");
  CHECK(sent == std::vector<std::string>{"CAPA", "USER alice", "PASS ********", "STAT", "UIDL", "RETR 4", "QUIT"});
  CHECK(w.store.count("alice") == 4);
}

TEST_CASE("delete mode deletes already-known messages without downloading them again") {
  World w;
  ClientJob job = alice_job();
  job.known_uids = {"uid-a", "uid-c"};
  std::vector<std::string> sent;
  const auto r = run(w.store, job, {}, false, &sent);
  CHECK(sent == std::vector<std::string>{"CAPA", "USER alice", "PASS ********", "STAT", "UIDL", "DELE 1", "RETR 2",
                                         "DELE 2", "DELE 3", "QUIT"});
  REQUIRE(r.downloaded.size() == 1);
  CHECK(r.downloaded[0].uid == "uid-b");
  CHECK(r.deleted.size() == 3);
  CHECK(w.store.count("alice") == 0);
}

TEST_CASE("client vs server: APOP with the RFC 1939 example digest") {
  FakeStore store;
  store.add_user("mrose", "tanstaaf");
  store.deliver("mrose", "Subject: hi\r\n\r\nbody\r\n");
  ServerConfig config;
  config.host = "dbc.mtview.ca.us";
  config.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
  ClientJob job;
  job.user = "mrose";
  job.password = "tanstaaf";
  job.auth = AuthMethod::Apop;
  FakeBackend backend(store);
  ServerSession server(config, backend);
  ClientSession client(job);
  pump(client, server);
  const auto events = client.take_events();
  const auto apop = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.verb == "APOP"; });
  REQUIRE(apop != events.end());
  CHECK(apop->text == "APOP mrose ********");
  CHECK(apop->clear_text == "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
  CHECK(client.result().downloaded.size() == 1);
  CHECK(client.result().deletions_committed);
  CHECK(store.count("mrose") == 0);
}

TEST_CASE("APOP if offered falls back to USER/PASS without a timestamp; APOP required fails") {
  World w;
  ClientJob job = alice_job(RetentionMode::LeaveOnServer);
  job.auth = AuthMethod::ApopIfOffered;
  std::vector<std::string> sent;
  auto r = run(w.store, job, {}, false, &sent);
  CHECK(sent[1] == "USER alice");
  CHECK(r.downloaded.size() == 3);

  job.auth = AuthMethod::Apop;
  r = run(w.store, job, {}, false, &sent);
  CHECK(sent == std::vector<std::string>{"CAPA", "QUIT"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::ApopUnavailable);
  CHECK(r.downloaded.empty());

  ServerConfig config;
  config.apop_timestamp = "<7.8@pop.example>";
  job.auth = AuthMethod::ApopIfOffered;
  r = run(w.store, job, config, false, &sent);
  CHECK(sent[1] == "APOP alice ********");
  CHECK(r.downloaded.size() == 3);
}

TEST_CASE("client vs server: STLS, then CAPA again, then login") {
  World w;
  ServerConfig config;
  config.offer_stls = true;
  config.allow_plaintext_login = false;
  ClientJob job = alice_job();
  job.tls = TlsPolicy::Stls;
  FakeBackend backend(w.store);
  ServerSession server(config, backend);
  ClientSession client(job);
  pump(client, server, true);
  CHECK(server.tls_active());
  CHECK(client.tls_active());
  CHECK(commands_sent(client) == std::vector<std::string>{"CAPA", "STLS", "CAPA", "USER alice", "PASS ********",
                                                          "STAT", "UIDL", "RETR 1", "DELE 1", "RETR 2", "DELE 2",
                                                          "RETR 3", "DELE 3", "QUIT"});
  CHECK(client.capabilities().count("STLS") == 0);
  CHECK(client.capabilities().count("USER") == 1);
  CHECK(client.result().deletions_committed);
  CHECK(w.store.count("alice") == 0);
}

TEST_CASE("STLS required but not offered: no login, error reported") {
  World w;
  ClientJob job = alice_job();
  job.tls = TlsPolicy::Stls;
  std::vector<std::string> sent;
  const auto r = run(w.store, job, {}, false, &sent);
  CHECK(sent == std::vector<std::string>{"CAPA", "QUIT"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::TlsUnavailable);
  CHECK(w.store.count("alice") == 3);
}

TEST_CASE("plain-text login refused before TLS is an auth failure") {
  World w;
  ServerConfig config;
  config.offer_stls = true;
  config.allow_plaintext_login = false;
  const auto r = run(w.store, alice_job(), config);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::AuthFailed);
  CHECK(r.errors[0].detail == "-ERR [AUTH] plaintext login not allowed before STLS");
}

TEST_CASE("implicit TLS on both sides: no STLS needed") {
  World w;
  ServerConfig config;
  config.implicit_tls = true;
  config.allow_plaintext_login = false;
  ClientJob job = alice_job();
  job.tls = TlsPolicy::Implicit;
  std::vector<std::string> sent;
  const auto r = run(w.store, job, config, false, &sent);
  CHECK(sent[1] == "USER alice");
  CHECK(r.downloaded.size() == 3);
  CHECK(r.errors.empty());
}

TEST_CASE("credentials too long for a 255-octet command line are refused before sending") {
  ClientJob job = alice_job();
  job.password = std::string(249, 'p');  // "PASS " + 249 + CRLF = 256 octets
  ClientSession c(job);
  c.receive("+OK hi\r\n-ERR\r\n");
  CHECK(c.take_output() == "CAPA\r\nQUIT\r\n");
  REQUIRE(c.result().errors.size() == 1);
  CHECK(c.result().errors[0].kind == ClientErrorKind::AuthFailed);
  CHECK(c.result().errors[0].detail == "user name or password too long for a POP3 command line (255 octets)");
  job.password = std::string(248, 'p');  // exactly 255 octets: allowed
  ClientSession ok(job);
  ok.receive("+OK hi\r\n-ERR\r\n+OK\r\n");
  CHECK(ok.take_output() == "CAPA\r\nUSER alice\r\nPASS " + std::string(248, 'p') + "\r\n");
}

TEST_CASE("client vs server: wrong password") {
  World w;
  ClientJob job = alice_job();
  job.password = "looking-glass";
  std::vector<std::string> sent;
  const auto r = run(w.store, job, {}, false, &sent);
  CHECK(sent == std::vector<std::string>{"CAPA", "USER alice", "PASS ********", "QUIT"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::AuthFailed);
  CHECK(r.errors[0].detail == "-ERR [AUTH] invalid user name or password");
  CHECK(r.downloaded.empty());
  CHECK(!r.deletions_committed);
  CHECK(w.store.count("alice") == 3);
}

TEST_CASE("client vs server: maildrop locked by another session") {
  World w;
  FakeBackend holder_backend(w.store);
  ServerSession holder({}, holder_backend);
  holder.receive("USER alice\r\nPASS wonderland\r\n");
  REQUIRE(holder.state() == ServerSession::State::Transaction);
  const auto r = run(w.store, alice_job());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::MaildropLocked);
  CHECK(r.errors[0].detail == "-ERR [IN-USE] maildrop already locked");
  CHECK(r.downloaded.empty());
  CHECK(w.store.boxes["alice"].locked);  // still the holder's
}

TEST_CASE("connection lost mid-way: deletions marked but not committed, mail kept") {
  World w;
  FakeBackend backend(w.store);
  ServerSession server({}, backend);
  ClientSession client(alice_job());
  // Pump until the first DELE has been acknowledged.
  for (int i = 0; i < 100 && client.result().deleted.empty(); ++i) {
    client.receive(server.take_output());
    server.receive(client.take_output());
  }
  REQUIRE(client.result().deleted.size() == 1);
  client.connection_lost();
  server.connection_lost();
  const auto& r = client.result();
  CHECK(client.closed());
  CHECK(r.downloaded.size() == 1);
  CHECK(!r.deletions_committed);
  CHECK(!r.completed);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].kind == ClientErrorKind::ConnectionLost);
  CHECK(w.store.count("alice") == 3);
  CHECK(!w.store.boxes["alice"].locked);
}

TEST_CASE("scripted server without UIDL: leave-on-server downloads everything") {
  ClientJob job = alice_job(RetentionMode::LeaveOnServer);
  job.known_uids = {"whatever"};
  ClientSession c(job);
  CHECK(c.take_output().empty());
  c.receive("+OK old server\r\n");
  CHECK(c.take_output() == "CAPA\r\n");
  c.receive("-ERR unknown command\r\n");
  CHECK(c.take_output() == "USER alice\r\n");
  c.receive("+OK\r\n");
  CHECK(c.take_output() == "PASS wonderland\r\n");
  c.receive("+OK\r\n");
  CHECK(c.take_output() == "STAT\r\n");
  c.receive("+OK 2 30\r\n");
  CHECK(c.take_output() == "UIDL\r\n");
  c.receive("-ERR unknown command\r\n");
  CHECK(c.take_output() == "RETR 1\r\n");
  c.receive("+OK\r\nA\r\n.\r\n");
  CHECK(c.take_output() == "RETR 2\r\n");
  c.receive("+OK\r\nB\r\n.\r\n");
  CHECK(c.take_output() == "QUIT\r\n");
  c.receive("+OK bye\r\n");
  CHECK(c.closed());
  const auto& r = c.result();
  CHECK(!r.uidl_supported);
  REQUIRE(r.downloaded.size() == 2);
  CHECK(r.downloaded[0].uid.empty());
  CHECK(r.downloaded[1].bytes == "B\r\n");
  CHECK(r.completed);
}

TEST_CASE("scripted server whose CAPA lacks UIDL: the client does not ask for it") {
  ClientSession c(alice_job(RetentionMode::LeaveOnServer));
  c.receive("+OK hi\r\n+OK\r\nUSER\r\nTOP\r\n.\r\n+OK\r\n+OK\r\n+OK 1 3\r\n");
  CHECK(c.take_output() == "CAPA\r\nUSER alice\r\nPASS wonderland\r\nSTAT\r\nRETR 1\r\n");
}

TEST_CASE("client unstuffs dot lines split at every byte position") {
  const std::string reply = "+OK 40 octets\r\n..a\r\n...\r\nx\r\n..\r\nend\r\n.\r\n";
  for (std::size_t cut = 0; cut <= reply.size(); ++cut) {
    ClientSession c(alice_job(RetentionMode::LeaveOnServer));
    c.receive("+OK hi\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 1 40\r\n-ERR no UIDL\r\n");
    c.receive(reply.substr(0, cut));
    c.receive(reply.substr(cut));
    REQUIRE(c.result().downloaded.size() == 1);
    CHECK(c.result().downloaded[0].bytes == ".a\r\n..\r\nx\r\n.\r\nend\r\n");
  }
}

TEST_CASE("client error replies: greeting, RETR, DELE, QUIT") {
  SECTION("greeting -ERR") {
    ClientSession c(alice_job());
    c.receive("-ERR go away\r\n");
    CHECK(c.closed());
    CHECK(c.take_output().empty());
    REQUIRE(c.result().errors.size() == 1);
    CHECK(c.result().errors[0].kind == ClientErrorKind::GreetingRejected);
  }
  SECTION("RETR and DELE -ERR are recorded and the job goes on; QUIT -ERR means nothing committed") {
    ClientSession c(alice_job());
    c.receive("+OK hi\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 2 10\r\n+OK\r\n1 a\r\n2 b\r\n.\r\n");
    c.take_output();
    c.receive("-ERR [SYS/TEMP] message could not be read\r\n");
    CHECK(c.take_output() == "RETR 2\r\n");
    c.receive("+OK\r\nhello\r\n.\r\n");
    CHECK(c.take_output() == "DELE 2\r\n");
    c.receive("+OK message 2 deleted\r\n");
    CHECK(c.take_output() == "QUIT\r\n");
    c.receive("-ERR [SYS/TEMP] some deleted messages not removed\r\n");
    const auto& r = c.result();
    CHECK(c.closed());
    CHECK(r.deleted.size() == 1);
    CHECK(!r.deletions_committed);
    CHECK(!r.completed);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].kind == ClientErrorKind::CommandFailed);
    CHECK(r.errors[0].detail == "RETR 1: -ERR [SYS/TEMP] message could not be read");
    CHECK(r.errors[1].kind == ClientErrorKind::QuitFailed);
  }
  SECTION("DELE -ERR") {
    ClientSession c(alice_job());
    c.receive("+OK hi\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 1 10\r\n-ERR\r\n+OK\r\nx\r\n.\r\n-ERR no\r\n+OK\r\n");
    const auto& r = c.result();
    CHECK(r.deleted.empty());
    CHECK(r.completed);
    CHECK(!r.deletions_committed);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].detail == "DELE 1: -ERR no");
  }
  SECTION("STAT -ERR") {
    ClientSession c(alice_job());
    c.receive("+OK hi\r\n-ERR\r\n+OK\r\n+OK\r\n-ERR broken\r\n");
    CHECK(c.take_output() == "CAPA\r\nUSER alice\r\nPASS wonderland\r\nSTAT\r\nQUIT\r\n");
    CHECK(c.result().errors[0].detail == "STAT: -ERR broken");
  }
}

TEST_CASE("client protocol violations and limits") {
  SECTION("a reply that is neither +OK nor -ERR") {
    ClientSession c(alice_job());
    c.receive("220 smtp.example ESMTP\r\n");
    CHECK(c.closed());
    REQUIRE(c.result().errors.size() == 1);
    CHECK(c.result().errors[0].kind == ClientErrorKind::ProtocolViolation);
    CHECK(c.result().errors[0].detail == "reply is neither +OK nor -ERR: \"220 smtp.example ESMTP\"");
  }
  SECTION("a status line over 512 octets") {
    ClientSession c(alice_job());
    c.receive("+OK " + std::string(600, 'x'));
    CHECK(c.closed());
    CHECK(c.result().errors[0].detail == "status line longer than 512 octets");
  }
  SECTION("a 510-octet status line is fine") {
    ClientSession c(alice_job());
    c.receive("+OK " + std::string(506, 'x') + "\r\n");
    CHECK(!c.closed());
    CHECK(c.take_output() == "CAPA\r\n");
  }
  SECTION("a message line over the data-line limit drops that message only") {
    ClientSession c(alice_job(RetentionMode::LeaveOnServer));
    c.receive("+OK hi\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 2 10\r\n-ERR\r\n");
    c.take_output();
    c.receive("+OK\r\n" + std::string(kMaxDataLine + 10, 'y') + "\r\nshort\r\n.\r\n");
    CHECK(c.take_output() == "RETR 2\r\n");
    c.receive("+OK\r\nfine\r\n.\r\n+OK\r\n");
    const auto& r = c.result();
    REQUIRE(r.downloaded.size() == 1);
    CHECK(r.downloaded[0].number == 2);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].kind == ClientErrorKind::MessageRejected);
    CHECK(r.errors[0].detail == "message 1 has a line over 16384 octets");
  }
  SECTION("bytes after STLS +OK are discarded, then CAPA is sent again after TLS") {
    ClientJob job = alice_job();
    job.tls = TlsPolicy::Stls;
    ClientSession c(job);
    c.receive("+OK hi\r\n+OK\r\nSTLS\r\n.\r\n+OK go\r\n+OK injected\r\n");
    CHECK(c.tls_requested());
    CHECK(c.take_output() == "CAPA\r\nSTLS\r\n");
    c.receive("+OK more\r\n");
    const auto events = c.take_events();
    CHECK(has_event(events, Kind::ProtocolError, "ignored 14 byte(s) the server sent after +OK to STLS, before TLS"));
    CHECK(has_event(events, Kind::ProtocolError, "ignored 10 unexpected byte(s) from the server before TLS was established"));
    c.tls_established();
    CHECK(c.take_output() == "CAPA\r\n");
  }
  SECTION("STLS refused") {
    ClientJob job = alice_job();
    job.tls = TlsPolicy::Stls;
    ClientSession c(job);
    c.receive("+OK hi\r\n-ERR\r\n-ERR no TLS here\r\n");
    CHECK(c.take_output() == "CAPA\r\nSTLS\r\nQUIT\r\n");
    CHECK(c.result().errors[0].kind == ClientErrorKind::TlsUnavailable);
  }
  SECTION("bytes after the session ended are ignored with a ProtocolError") {
    ClientSession c(alice_job());
    c.receive("-ERR no\r\n");
    c.take_events();
    c.receive("+OK late\r\n");
    CHECK(has_event(c.take_events(), Kind::ProtocolError, "ignored 10 unexpected byte(s) from the server after the session ended"));
  }
}

TEST_CASE("a message containing CRLF.CRLF survives the round trip through both engines") {
  FakeStore store;
  store.add_user("alice", "wonderland");
  const std::string tricky = "Subject: tricky\r\n\r\nbefore\r\n.\r\nafter\r\n..\r\n.x\r\n";
  store.deliver("alice", tricky);
  for (const bool bytewise : {false, true}) {
    FakeStore copy = store;
    const auto r = run(copy, alice_job(RetentionMode::LeaveOnServer), {}, bytewise);
    REQUIRE(r.downloaded.size() == 1);
    CHECK(r.downloaded[0].bytes == tricky);
    CHECK(r.downloaded[0].size == tricky.size());
  }
}
