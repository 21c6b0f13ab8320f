// Test doubles for POP3: an in-memory mail store, a per-session backend and a pump.
#pragma once
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocols/pop3/pop3.hpp"

namespace pop3_test {

using namespace mailsim::pop3;

// Octets a message takes on the wire before stuffing (every line ends in CRLF).
inline std::size_t wire_size(std::string_view bytes) {
  std::size_t n = 0;
  for (const auto line : split_message_lines(bytes)) n += line.size() + 2;
  return n;
}

struct Stored {
  std::string uid;
  std::string bytes;
};

struct FakeStore {
  struct Mailbox {
    std::string password;
    std::vector<Stored> messages;
    bool locked = false;
  };
  std::map<std::string, Mailbox> boxes;
  int next_uid = 1;
  bool fail_commit = false;
  bool fail_retrieve = false;

  void add_user(const std::string& user, const std::string& password) { boxes[user].password = password; }
  void deliver(const std::string& user, std::string bytes, std::string uid = {}) {
    if (uid.empty()) uid = "uid-" + std::to_string(next_uid++);
    boxes[user].messages.push_back({std::move(uid), std::move(bytes)});
  }
  std::size_t count(const std::string& user) const { return boxes.at(user).messages.size(); }
};

// One session's view of the store; records every call for assertions.
class FakeBackend : public ServerBackend {
 public:
  explicit FakeBackend(FakeStore& store) : store_(store) {}

  bool authenticate(std::string_view user, std::string_view password) override {
    calls.push_back("authenticate " + std::string(user));
    const auto it = store_.boxes.find(std::string(user));
    return it != store_.boxes.end() && it->second.password == password;
  }
  std::optional<std::string> apop_secret(std::string_view user) override {
    calls.push_back("apop_secret " + std::string(user));
    const auto it = store_.boxes.find(std::string(user));
    if (it == store_.boxes.end()) return std::nullopt;
    return it->second.password;
  }
  bool lock_maildrop(std::string_view user) override {
    calls.push_back("lock " + std::string(user));
    auto& box = store_.boxes[std::string(user)];
    if (box.locked) return false;
    box.locked = true;
    user_ = std::string(user);
    snapshot_ = box.messages;
    return true;
  }
  std::vector<MessageInfo> snapshot() override {
    calls.push_back("snapshot");
    std::vector<MessageInfo> out;
    for (const auto& m : snapshot_) out.push_back({wire_size(m.bytes), m.uid});
    return out;
  }
  std::optional<std::string> retrieve(std::size_t index) override {
    calls.push_back("retrieve " + std::to_string(index));
    if (store_.fail_retrieve || index >= snapshot_.size()) return std::nullopt;
    return snapshot_[index].bytes;
  }
  bool commit_deletions(const std::vector<std::size_t>& indices) override {
    std::string c = "commit";
    for (auto i : indices) c += " " + std::to_string(i);
    calls.push_back(c);
    if (store_.fail_commit) return false;
    auto& msgs = store_.boxes[user_].messages;
    for (auto i : indices) {
      const std::string uid = snapshot_[i].uid;
      msgs.erase(std::remove_if(msgs.begin(), msgs.end(), [&](const Stored& s) { return s.uid == uid; }), msgs.end());
    }
    return true;
  }
  void unlock() override {
    calls.push_back("unlock");
    store_.boxes[user_].locked = false;
  }

  std::vector<std::string> calls;

 private:
  FakeStore& store_;
  std::string user_;
  std::vector<Stored> snapshot_;
};

// Moves bytes both ways until neither side has anything to say; plays the TLS handshake
// when both sides ask for it. With `bytewise`, every byte is fed on its own.
inline void pump(ClientSession& client, ServerSession& server, bool bytewise = false) {
  for (int round = 0; round < 100000; ++round) {
    const std::string s2c = server.take_output();
    const std::string c2s = client.take_output();
    if (s2c.empty() && c2s.empty()) {
      if (server.tls_requested() && client.tls_requested()) {
        server.tls_established();
        client.tls_established();
        continue;
      }
      return;
    }
    if (bytewise) {
      for (const char c : s2c) client.receive(std::string_view(&c, 1));
      for (const char c : c2s) server.receive(std::string_view(&c, 1));
    } else {
      client.receive(s2c);
      server.receive(c2s);
    }
  }
}

// Feeds `input` to the server and returns everything it wrote (greeting excluded if taken).
inline std::string say(ServerSession& server, std::string_view input) {
  server.receive(input);
  return server.take_output();
}

inline bool has_event(const std::vector<mailsim::proto::ProtocolEvent>& events,
                      mailsim::proto::ProtocolEvent::Kind kind, std::string_view text) {
  return std::any_of(events.begin(), events.end(),
                     [&](const auto& e) { return e.kind == kind && e.text == text; });
}

}  // namespace pop3_test
