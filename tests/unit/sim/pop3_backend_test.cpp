// The POP3 backend over the mail store, driven by a real pop3::ServerSession.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "protocols/pop3/server.hpp"
#include "sim/apps/mail/pop3_backend.hpp"

using namespace mailsim;
using namespace mailsim::sim::mail;

namespace {

const std::string kMsg1 = "From: bob@example.org\r\nSubject: one\r\n\r\nFirst\r\n";
const std::string kMsg2 = "From: bob@example.org\r\nSubject: two\r\n\r\n.dot line\r\nSecond\r\n";

// One POP3 connection: a server session over its own backend.
struct Connection {
  Pop3Backend backend;
  pop3::ServerSession session;
  std::string greeting;
  explicit Connection(MailStore& store) : backend(store), session(pop3::ServerConfig{}, backend) {
    greeting = session.take_output();
  }
  // Sends one command line (byte at a time) and returns the server's answer.
  std::string send(const std::string& line) {
    for (const char c : line + "\r\n") session.receive(std::string_view(&c, 1));
    return session.take_output();
  }
  std::string login(const std::string& user, const std::string& password) {
    send("USER " + user);
    return send("PASS " + password);
  }
};

struct World {
  MailStore store;
  std::vector<ChangeRecord> records;
  World() {
    store.set_hook([this](const ChangeRecord& r) { records.push_back(r); });
    store.add_user("alice", "wonderland");
    store.deliver("alice", "INBOX", kMsg1, 10, 101);
    store.deliver("alice", "INBOX", kMsg2, 20, 102);
  }
  std::vector<std::string> events_since(std::size_t from) const {
    std::vector<std::string> out;
    for (std::size_t i = from; i < records.size(); ++i) out.emplace_back(to_string(records[i].kind));
    return out;
  }
};

std::string sizes() { return std::to_string(kMsg1.size() + kMsg2.size()); }

}  // namespace

TEST_CASE("pop3 backend: login, listing and retrieval come from the store") {
  World w;
  Connection c(w.store);
  CHECK(c.greeting == "+OK pop.example POP3 server ready\r\n");
  CHECK(c.login("alice", "wrong") == "-ERR [AUTH] invalid user name or password\r\n");
  CHECK(c.login("nobody", "wonderland") == "-ERR [AUTH] invalid user name or password\r\n");
  CHECK(c.login("alice", "wonderland") == "+OK alice's maildrop has 2 messages (" + sizes() + " octets)\r\n");
  CHECK(c.backend.locked());
  CHECK(w.store.maildrop_locked("alice"));
  CHECK(c.send("STAT") == "+OK 2 " + sizes() + "\r\n");
  CHECK(c.send("LIST") == "+OK 2 messages (" + sizes() + " octets)\r\n1 " + std::to_string(kMsg1.size()) +
                              "\r\n2 " + std::to_string(kMsg2.size()) + "\r\n.\r\n");
  // Unique-ids are "<UIDVALIDITY>.<UID>" of INBOX.
  const auto uv = std::to_string(w.store.snapshot("alice", "INBOX")->uidvalidity);
  CHECK(c.send("UIDL") == "+OK unique-id listing follows\r\n1 " + uv + ".1\r\n2 " + uv + ".2\r\n.\r\n");
  const auto before = w.records.size();
  CHECK(c.send("RETR 2") == "+OK " + std::to_string(kMsg2.size()) +
                                " octets\r\nFrom: bob@example.org\r\nSubject: two\r\n\r\n..dot line\r\nSecond\r\n.\r\n");
  CHECK(w.events_since(before) == std::vector<std::string>{"fetched"});
  CHECK(w.records.back().reason == "pop3");
  CHECK(w.records.back().id == 2);
  CHECK(w.records.back().origin == 102);
  // Reading over POP3 changes no flag in the store.
  CHECK(w.store.message("alice", "INBOX", 2)->flags.empty());
  CHECK(c.send("QUIT") == "+OK pop.example POP3 server signing off (2 messages left)\r\n");
  CHECK_FALSE(w.store.maildrop_locked("alice"));
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 2);
}

TEST_CASE("pop3 backend: DELE then QUIT removes the messages from the store") {
  World w;
  Connection c(w.store);
  c.login("alice", "wonderland");
  c.send("RETR 1");
  CHECK(c.send("DELE 1") == "+OK message 1 deleted\r\n");
  CHECK(c.send("DELE 2") == "+OK message 2 deleted\r\n");
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 2);  // nothing before QUIT
  const auto before = w.records.size();
  CHECK(c.send("QUIT") == "+OK pop.example POP3 server signing off (maildrop empty)\r\n");
  CHECK(c.session.closed());
  CHECK(w.store.snapshot("alice", "INBOX")->messages.empty());
  CHECK(w.store.used("alice") == 0);
  CHECK(w.events_since(before) ==
        std::vector<std::string>{"downloaded-and-deleted", "deleted-via-pop3", "maildrop-unlocked"});
  CHECK(w.records[before].uid == 1);
  CHECK(w.records[before].id == 1);
  CHECK(w.records[before].size == kMsg1.size());
  CHECK(w.records[before + 1].uid == 2);
  CHECK_FALSE(w.store.maildrop_locked("alice"));
  // The next delivery gets a fresh UID: POP3 deletion does not reuse UIDs.
  CHECK(w.store.deliver("alice", "INBOX", kMsg1, 30).uid == 3);
  w.store.check_invariants();
}

TEST_CASE("pop3 backend: DELE then a lost connection keeps everything") {
  World w;
  Connection c(w.store);
  c.login("alice", "wonderland");
  c.send("DELE 1");
  const auto before = w.records.size();
  c.session.connection_lost();
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 2);
  CHECK(w.events_since(before) == std::vector<std::string>{"maildrop-unlocked"});
  CHECK_FALSE(w.store.maildrop_locked("alice"));
  // RSET also keeps them.
  Connection d(w.store);
  d.login("alice", "wonderland");
  d.send("DELE 2");
  CHECK(d.send("RSET") == "+OK maildrop has 2 messages (" + sizes() + " octets)\r\n");
  d.send("QUIT");
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 2);
}

TEST_CASE("pop3 backend: a second session gets [IN-USE] until the first quits") {
  World w;
  Connection first(w.store);
  Connection second(w.store);
  CHECK(first.login("alice", "wonderland").rfind("+OK alice's maildrop has 2 messages", 0) == 0);
  CHECK(second.login("alice", "wonderland") == "-ERR [IN-USE] maildrop already locked\r\n");
  CHECK(w.records.back().kind == ChangeKind::MaildropLockRefused);
  CHECK_FALSE(second.backend.locked());
  first.send("QUIT");
  CHECK(second.login("alice", "wonderland").rfind("+OK alice's maildrop has 2 messages", 0) == 0);
  second.send("QUIT");
  // A backend destroyed while holding the lock releases it.
  {
    auto dropped = std::make_unique<Connection>(w.store);
    dropped->login("alice", "wonderland");
    CHECK(w.store.maildrop_locked("alice"));
  }
  CHECK_FALSE(w.store.maildrop_locked("alice"));
}

TEST_CASE("pop3 backend: the snapshot is fixed at lock time") {
  World w;
  Connection c(w.store);
  c.login("alice", "wonderland");
  w.store.deliver("alice", "INBOX", kMsg1, 40);  // arrives during the session
  CHECK(c.send("STAT") == "+OK 2 " + sizes() + "\r\n");
  // A message removed meanwhile (e.g. by an IMAP client) cannot be read or deleted.
  w.store.store_flags("alice", "INBOX", 1, FlagOp::Add, {"\\Deleted"});
  w.store.expunge("alice", "INBOX");
  CHECK(c.send("RETR 1") == "-ERR [SYS/TEMP] message could not be read\r\n");
  c.send("DELE 1");
  c.send("DELE 2");
  CHECK(c.send("QUIT") == "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
  // Message 2 went; the new one stays for the next session.
  CHECK(w.store.snapshot("alice", "INBOX")->messages.size() == 1);
  Connection next(w.store);
  CHECK(next.login("alice", "wonderland") ==
        "+OK alice's maildrop has 1 messages (" + std::to_string(kMsg1.size()) + " octets)\r\n");
  const auto uv = std::to_string(w.store.snapshot("alice", "INBOX")->uidvalidity);
  CHECK(next.send("UIDL 1") == "+OK 1 " + uv + ".3\r\n");
  CHECK(*next.backend.apop_secret("alice") == "wonderland");
  CHECK_FALSE(next.backend.apop_secret("nobody"));
  w.store.check_invariants();
}
