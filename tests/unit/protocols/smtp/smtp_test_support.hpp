// Shared helpers for the SMTP tests: a fake backend, a server harness and a client/server pump.
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/common/base64.hpp"
#include "protocols/smtp/smtp.hpp"

namespace mailsim::smtp::test {

// Local domain example.org with alice, bob and carol; other domains are relayed only for
// authenticated clients; `special` overrides the reply for one address.
class FakeBackend : public ServerBackend {
 public:
  std::set<std::string> users{"alice@example.org", "bob@example.org", "carol@example.org"};
  std::map<std::string, Reply> special;
  std::map<std::string, std::string> passwords{{"alice", "wonderland"}};
  Reply data_reply = Reply::make(250, "2.0.0", "Ok: queued");
  struct Stored {
    SessionContext ctx;
    Envelope envelope;
    std::string data;
  };
  std::vector<Stored> messages;
  std::vector<SessionContext> sender_contexts;
  std::vector<std::string> auth_attempts;  // "MECH user password"

  Reply check_sender(const SessionContext& ctx, const std::string& address) override {
    sender_contexts.push_back(ctx);
    if (auto it = special.find(address); it != special.end()) return it->second;
    return Reply::make(250, "2.1.0", "Sender OK");
  }
  Reply check_recipient(const SessionContext& ctx, const std::string& address) override {
    if (auto it = special.find(address); it != special.end()) return it->second;
    if (users.count(address)) return Reply::make(250, "2.1.5", "Recipient OK");
    const auto at = address.rfind('@');
    const std::string domain = at == std::string::npos ? std::string() : address.substr(at + 1);
    if (domain == "example.org" || domain.empty()) {
      if (address == "postmaster" || address == "Postmaster") return Reply::make(250, "2.1.5", "Recipient OK");
      return Reply::make(550, "5.1.1", "User unknown");
    }
    if (ctx.authenticated_user.empty()) return Reply::make(554, "5.7.1", "Relay access denied");
    return Reply::make(250, "2.1.5", "Recipient OK (relay)");
  }
  bool authenticate(std::string_view mechanism, std::string_view user, std::string_view password) override {
    auth_attempts.push_back(std::string(mechanism) + " " + std::string(user) + " " + std::string(password));
    const auto it = passwords.find(std::string(user));
    return it != passwords.end() && it->second == password;
  }
  Reply accept_message(const SessionContext& ctx, const Envelope& envelope, const std::string& data) override {
    messages.push_back(Stored{ctx, envelope, data});
    return data_reply;
  }
};

inline ServerConfig test_config() {
  ServerConfig c;
  c.hostname = "mx.example.org";
  return c;
}

inline const std::string kGreeting = "220 mx.example.org ESMTP mailsim ready\r\n";
inline const std::string kEhloPlain =
    "250-mx.example.org Hello client.example\r\n"
    "250-SIZE 10485760\r\n"
    "250-8BITMIME\r\n"
    "250-PIPELINING\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250 HELP\r\n";

// A server session fed by the test; `send` returns what the server wrote back.
struct ServerHarness {
  FakeBackend backend;
  ServerSession server;
  std::string greeting;

  explicit ServerHarness(ServerConfig config = test_config(), std::string ip = "192.0.2.10")
      : server(std::move(config), backend, std::move(ip)) {
    greeting = server.take_output();
  }
  std::string send(std::string_view bytes) {
    server.receive(bytes);
    return server.take_output();
  }
  std::string send_bytewise(std::string_view bytes) {
    for (char c : bytes) server.receive(std::string_view(&c, 1));
    return server.take_output();
  }
  // EHLO client.example and drop the reply.
  void ehlo() { send("EHLO client.example\r\n"); }
};

inline std::vector<proto::ProtocolEvent> events_of(std::vector<proto::ProtocolEvent> all, proto::ProtocolEvent::Kind k) {
  std::vector<proto::ProtocolEvent> out;
  for (auto& e : all)
    if (e.kind == k) out.push_back(std::move(e));
  return out;
}

// Runs a client against a server until both are quiet. Writes "C: "/"S: " transcript
// chunks (one per write) to `transcript` when given. `chunk` bytes are delivered at a
// time (1 = byte-at-a-time). `filter` may rewrite the server's output (a middlebox).
template <typename Filter>
void pump(ClientSession& client, ServerSession& server, std::string* transcript, std::size_t chunk, Filter filter) {
  for (int round = 0; round < 10000; ++round) {
    std::string s = filter(server.take_output());
    std::string c = client.take_output();
    if (s.empty() && c.empty()) {
      if (server.tls_requested() && client.tls_requested()) {
        server.tls_established();
        client.tls_established();
        if (transcript) *transcript += "-- TLS established --\n";
        continue;
      }
      if (server.closed() && !client.closed()) client.connection_lost();
      return;
    }
    if (transcript) {
      if (!s.empty()) *transcript += "S: " + s;
      if (!c.empty()) *transcript += "C: " + c;
    }
    for (std::size_t i = 0; i < s.size(); i += chunk) client.receive(std::string_view(s).substr(i, chunk));
    for (std::size_t i = 0; i < c.size(); i += chunk) server.receive(std::string_view(c).substr(i, chunk));
  }
}

inline void pump(ClientSession& client, ServerSession& server, std::string* transcript = nullptr, std::size_t chunk = 1 << 20) {
  pump(client, server, transcript, chunk, [](std::string s) { return s; });
}

inline ClientJob simple_job() {
  ClientJob j;
  j.helo_name = "client.example";
  j.sender = "sender@client.example";
  j.recipients = {"alice@example.org"};
  j.data = "Subject: hi\r\n\r\nHello Alice\r\n";
  return j;
}

// simple_job() logging in as alice with the password the FakeBackend knows.
inline ClientJob alice_job(AuthMechanism mechanism = AuthMechanism::Plain) {
  ClientJob j = simple_job();
  j.credentials = Credentials{"alice", "wonderland", mechanism};
  return j;
}

// simple_job() with a TLS policy.
inline ClientJob tls_job(TlsPolicy tls) {
  ClientJob j = simple_job();
  j.tls = tls;
  return j;
}

}  // namespace mailsim::smtp::test
