// A device whose mail program runs outside the simulation (a real client reached through the
// bridge, bridge/): it opens streams and sends datagrams only when told, at the virtual time it is
// told, so the simulation stays deterministic for a given sequence of inputs. No sockets here.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sim/core/simulation.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

// Adds a device host for the bridge to `scenario` on `network` (a free address of its dynamic
// pool, else of its range), so it is part of the world that is built (and of the report). Returns
// the host id, or nullopt with `why` when the network does not exist or has no free address.
std::optional<std::string> add_bridged_device(Scenario& scenario, const std::string& network, std::string& why);

// One stream from the bridged device to a simulated server. The outside world calls send(),
// start_tls(), close(); the callbacks report what the simulated peer did. Lines the device sends
// are recorded as the client's commands (credentials masked), as a simulated mail client's are.
class BridgedStream : public std::enable_shared_from_this<BridgedStream> {
 public:
  std::function<void()> on_connected;
  std::function<void(std::string_view)> on_data;
  std::function<void()> on_tls_ready;
  std::function<void(const std::string& why)> on_closed;  // closed, reset, refused, timed out

  void send(std::string_view bytes);
  void start_tls();
  void close();
  void abort();
  bool connected() const { return connected_; }
  bool tls_ready() const { return tls_ready_; }
  bool finished() const { return finished_; }
  bool in_data() const { return in_data_; }  // SMTP: the message text is being sent
  std::size_t in_flight() const;  // bytes sent but not acknowledged by the simulated peer
  std::uint64_t id() const;
  const std::string& protocol() const { return protocol_; }

 private:
  friend class BridgedDevice;
  void record_lines(std::string_view bytes);
  void finish(const std::string& why);

  Simulation* sim_ = nullptr;
  SocketPtr sock_;
  std::string protocol_;  // "smtp", "pop3", "imap", "dns"
  std::string partial_;   // the client's line not ended yet
  bool connected_ = false, tls_ready_ = false, finished_ = false;
  bool in_data_ = false;      // SMTP: between DATA and the final "."
  bool in_auth_ = false;      // a SASL exchange: the client's lines are credentials
};
using BridgedStreamPtr = std::shared_ptr<BridgedStream>;

class BridgedDevice : public App {
 public:
  explicit BridgedDevice(std::string host) : App(std::move(host)) {}
  void start(Simulation& sim) override { sim_ = &sim; }

  // Opens a stream to `to`. `client` names the real client for the trace ("127.0.0.1:54321").
  // With implicit_tls the stream starts TLS once connected (465, 993, 995).
  BridgedStreamPtr open(Endpoint to, std::string protocol, bool implicit_tls, const std::string& client);

  // UDP: a port of the device whose answers go to `fn`, and a datagram from it.
  std::uint16_t bind_udp(std::function<void(Endpoint from, std::string_view bytes)> fn);
  void unbind_udp(std::uint16_t port);
  void send_udp(std::uint16_t port, Endpoint to, std::string_view bytes);

  // A note in the trace about the bridge (a refused client, a limit hit).
  void note(const std::string& event, const std::string& summary, nlohmann::json detail = nlohmann::json::object());

 private:
  Simulation* sim_ = nullptr;
};

}  // namespace mailsim::sim
