// Simple services and a scripted client: echo (RFC 862), discard (RFC 863), and "connect",
// which talks to a port line by line like a person at a telnet prompt.
#pragma once
#include <string>
#include <vector>

#include "sim/core/simulation.hpp"

namespace mailsim::sim {

class EchoService : public App {
 public:
  EchoService(std::string host, std::uint16_t port, bool discard) : App(std::move(host)), port_(port), discard_(discard) {}
  void start(Simulation& sim) override;

 private:
  std::uint16_t port_;
  bool discard_;
  std::vector<SocketPtr> sockets_;
};

// Connects at a given time, sends each line after the previous answer (or after `wait`),
// then closes. Everything it sends and receives is recorded.
class ScriptedClient : public App {
 public:
  struct Script {
    Time at = 0;
    Endpoint to;
    std::vector<std::string> lines;
    Time wait = 2 * kSecond;
    std::string label;
  };
  ScriptedClient(std::string host, Script script) : App(std::move(host)), script_(std::move(script)) {}
  void start(Simulation& sim) override;

 private:
  void begin();
  void next_line();
  void record_raw(ProtoEvent event, std::string_view bytes);
  void done(const std::string& outcome);

  Simulation* sim_ = nullptr;
  Script script_;
  SocketPtr sock_;
  std::size_t next_ = 0;
  EventId timer_ = 0;
  bool finished_ = false;
};

}  // namespace mailsim::sim
