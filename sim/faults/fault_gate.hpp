// A server connection's fault gate: sits between the socket and the protocol engine, reads the
// client's commands line by line, and applies the fault plan's rules at each stage.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/faults/fault_plan.hpp"

namespace mailsim::sim::faults {

// What the gate may do to the connection. The engine stays sans-I/O: the gate only decides
// which bytes reach it and when its answers leave.
struct GateIo {
  std::function<void(std::string_view)> feed;      // bytes to the engine (the link flushes after)
  std::function<void(const std::string&)> send;    // bytes to the client
  std::function<void()> release;                  // held output went out: the link may close now
  std::function<void()> close;                     // FIN
  std::function<void()> reset;                     // RST
  // True while the engine reads command lines (not SMTP message data nor an AUTH exchange).
  std::function<bool()> command_mode;
  std::function<bool()> in_data;                   // SMTP: reading the message after 354
};

class ConnectionGate : public std::enable_shared_from_this<ConnectionGate> {
 public:
  // `where`: host, client, protocol, port and conn of this connection (stage unused).
  ConnectionGate(Simulation& sim, FaultEngine& engine, FaultPoint where, GateIo io);

  // At accept, before the greeting: false when a rule took the connection (the link must not
  // greet; the gate already closed, reset or answered).
  bool start();
  // The client's bytes.
  void receive(std::string_view bytes);
  // The engine's output: sent now, or held while a delay lasts; counted for a cut.
  void send(std::string out);
  // True while output is held (the link must not close the stream before it is out).
  bool holding() const { return held_ || !pending_.empty() || paced_out_ > 0; }
  // SMTP: the reply a rule chose for the end of data; the MTA answers it instead of accepting.
  std::optional<std::pair<int, std::string>> take_data_reply();
  bool dead() const { return dead_; }

 private:
  void pump();
  bool act(const FaultRule& rule, const std::string& tag);
  void feed(std::string_view bytes);
  void count(std::size_t n);
  void hold(Time delay);
  // A throttle (Action::Throttle): bytes leave (or reach the gate) no faster than rate_.
  void emit(std::string out);
  Time pace(Time& free_at, std::size_t bytes) const;
  FaultPoint point(Stage s, const std::string& verb) const;
  std::string reply_line(const FaultRule& rule, const std::string& tag) const;

  Simulation& sim_;
  FaultEngine& engine_;
  FaultPoint where_;
  GateIo io_;
  std::string in_;
  std::string pending_;         // output held by a delay
  bool held_ = false;
  Time held_until_ = 0;
  std::optional<std::uint64_t> cut_left_;  // bytes until a cut resets the stream
  bool dead_ = false;
  bool greeted_ = false;
  std::string sender_;
  std::vector<std::string> recipients_;
  std::optional<std::pair<int, std::string>> data_reply_;
  std::uint64_t rate_ = 0;         // throttle: bytes per second each way (0: none)
  Time in_free_at_ = 0;            // when the throttled inbound pipe is free again
  Time out_free_at_ = 0;           // the same outbound
  std::size_t paced_in_ = 0;       // bytes on their way in through the throttle
  std::size_t paced_out_ = 0;      // chunks on their way out through the throttle
  bool close_after_paced_ = false; // a closing reply waits behind paced output
};

// The gate for a new server connection, or null when the simulation has no fault plan.
std::shared_ptr<ConnectionGate> make_gate(Simulation& sim, const std::string& host, const std::string& client,
                                          const std::string& protocol, std::uint16_t port, std::uint64_t conn,
                                          GateIo io);

// DNS: what a DNS server does with an answer it is about to send.
struct DnsVerdict {
  bool drop = false;
  bool servfail = false;
  Time delay = 0;
};
DnsVerdict check_dns(Simulation& sim, const std::string& host, const std::string& client, const std::string& qname,
                     const std::string& qtype, bool tcp);

}  // namespace mailsim::sim::faults
