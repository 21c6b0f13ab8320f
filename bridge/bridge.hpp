// The bridge: runs a scenario's world paced to the wall clock and exposes its servers on
// 127.0.0.1, so real mail clients (curl, swaks, Python, mutt, Thunderbird, dig) talk to it.
// One asio thread drives both the sockets and the simulation; a real client's connection is a
// stream from the bridged device (sim/apps/bridged_device.hpp) inside the world.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::bridge {

// Every limit the bridge puts on a real client (docs/bridge.md, "Limits").
struct BridgeLimits {
  std::size_t connections_per_client = 64;     // open connections from one client address
  std::size_t max_line = 64 * 1024;            // bytes a client may send without a line end
  std::size_t max_bytes = 32 * 1024 * 1024;    // bytes a client may send on one connection (the trace keeps them)
  std::size_t max_buffered = 1024 * 1024;      // client bytes held for the simulation (then reading pauses)
  std::size_t max_unsent = 8 * 1024 * 1024;    // bytes for a client that does not read (then it is cut off)
  std::size_t sim_window = 64 * 1024;          // client bytes in flight inside the simulation at once
  std::chrono::milliseconds idle_timeout{10 * 60 * 1000};  // a client that neither sends nor reads
  std::size_t udp_clients = 256;               // DNS clients remembered for their answers
  std::size_t udp_per_second = 200;            // DNS queries a second on one port (more are dropped)
};

struct BridgeOptions {
  double speed = 1.0;                 // virtual seconds per wall-clock second
  std::vector<std::string> expose;    // host ids (empty: the servers the scenario's devices use)
  int port_offset = 10000;            // local port = simulated port + offset
  bool ephemeral_ports = false;       // let the system choose every local port (tests)
  std::string attach_to;              // network of the bridged device (empty: the first access network)
  std::optional<std::chrono::milliseconds> run_for;  // stop after this much wall-clock time
  bool exit_when_idle = false;        // stop when the timeline is over and no client is connected
  bool insecure_selfsigned = false;   // a throw-away self-signed certificate instead of the local CA
  std::filesystem::path ca_dir;       // empty: default_ca_dir()
  bool handle_signals = false;        // SIGINT/SIGTERM stop the bridge (caught from open() on)
  BridgeLimits limits;
};

// One local port of the bridge and the simulated service behind it.
struct ExposedPort {
  std::string host;       // simulated host id
  std::string name;       // its display name
  std::string service;    // "smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "dns"
  std::string protocol;   // "smtp", "pop3", "imap", "dns"
  std::string transport;  // "tcp" or "udp"
  std::string tls;        // "none", "starttls", "implicit"
  std::uint16_t sim_port = 0;
  std::uint16_t local_port = 0;
};

// Picks the attach network (the first "access" network, else the first) when `name` is empty.
std::optional<std::string> choose_attach_network(const sim::Scenario& s, const std::string& name, std::string& why);
// The servers the scenario's devices use: their accounts' SMTP and POP3/IMAP servers, their resolvers.
std::vector<std::string> default_exposed_hosts(const sim::Scenario& s);

class Bridge {
 public:
  // `scenario` must already hold the bridged device `device` (sim::add_bridged_device).
  Bridge(const sim::Scenario& scenario, std::string device, BridgeOptions options);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // Builds the world, makes the certificate and opens every listening socket on 127.0.0.1.
  bool open(std::string& why);
  const std::vector<ExposedPort>& ports() const;
  const std::filesystem::path& ca_file() const;  // empty with --insecure-selfsigned
  bool created_ca() const;
  std::string device_ip() const;
  // One JSON line that says where everything is (for programs and tests).
  std::string ready_line() const;

  // Runs until Ctrl-C (SIGINT/SIGTERM), the wall-clock limit, idleness or the run budget; then
  // closes every client and returns what run_scenario would. `log` gets one line per event of
  // note (a client connected, a limit hit).
  sim::RunResult run(std::ostream& log);
  const std::string& stop_reason() const;

  // The same loop without blocking, for an app's frame (the app never waits on the network):
  // start() once; poll() each frame runs whatever the sockets and timers have ready and moves the
  // simulation up to the wall clock, and returns false once the bridge has stopped; trace() is
  // the trace so far (valid until the next poll); request_stop() and finish() end it.
  void start(std::ostream& log);
  bool poll();
  const sim::Trace& trace() const;
  void request_stop(const std::string& why);
  sim::RunResult finish();

  struct Impl;  // bridge.cpp (public only so that its connection objects can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailsim::bridge
