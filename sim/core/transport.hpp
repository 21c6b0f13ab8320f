// TCP-like streams and UDP datagrams between simulated hosts, with optional TLS on a stream.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sim/core/address.hpp"
#include "sim/core/event_core.hpp"
#include "sim/core/network.hpp"
#include "sim/core/random.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::sim {

enum class SocketError {
  Refused,   // RST in answer to SYN: nothing listens there (or a policy rejected it)
  TimedOut,  // no answer to SYN: filtered, dropped, or the host is down
  Reset,     // RST on an established stream
  NoRoute,   // no host has the destination address
  Aborted,   // unacknowledged data after every retransmission, or this host went down
};
std::string_view to_string(SocketError e);

struct TransportSettings {
  std::uint32_t mss = 1460;               // largest segment payload
  Time connect_timeout = 30 * kSecond;    // give up on SYN after this long
  Time initial_rto = 1 * kSecond;         // first retransmission (SYN or data), doubling after
  Time max_rto = 60 * kSecond;            // the doubling stops here
  int max_retransmissions = 10;           // of one unacknowledged segment; then the connection aborts
};

class TransportLayer;

// An application's end of a stream. Non-blocking: every outcome arrives as a callback.
class TcpSocket {
 public:
  std::function<void()> on_connected;                   // client: handshake done
  std::function<void(std::string_view)> on_data;        // bytes from the peer (plaintext)
  std::function<void()> on_peer_closed;                 // the peer sent FIN
  std::function<void()> on_closed;                      // both directions closed
  std::function<void(SocketError, const std::string&)> on_error;
  std::function<void()> on_tls_ready;                   // TLS negotiated (after start_tls)

  void send(std::string_view bytes);
  void close();      // FIN after every queued byte
  void abort();      // RST now
  void start_tls();  // client: send ClientHello; server: expect one
  bool tls_active() const;
  bool open() const;
  // Bytes sent but not acknowledged yet, and when the peer last acknowledged something (or
  // the first unacknowledged byte left): a caller's "data block" timeout measures from there.
  std::size_t unacked() const;
  Time last_progress() const;

  std::uint64_t id() const { return conn_; }
  const std::string& host() const;
  const std::string& peer_host() const;
  Endpoint local() const;
  Endpoint remote() const;

 private:
  friend class TransportLayer;
  TcpSocket(TransportLayer* tl, std::uint64_t conn, int side) : tl_(tl), conn_(conn), side_(side) {}
  TransportLayer* tl_;
  std::uint64_t conn_;
  int side_;  // 0 = the connecting side, 1 = the accepting side
};
using SocketPtr = std::shared_ptr<TcpSocket>;

class TransportLayer {
 public:
  using AcceptFn = std::function<void(SocketPtr)>;
  using DatagramFn = std::function<void(Endpoint from, std::string_view bytes)>;

  TransportLayer(EventCore& core, Trace& trace, const Network& net, Random& rng, TransportSettings s = {});
  ~TransportLayer();
  TransportLayer(const TransportLayer&) = delete;
  TransportLayer& operator=(const TransportLayer&) = delete;

  // Accepts streams on host:port. With implicit_tls, the accept callback runs only once
  // the client has negotiated TLS (SMTPS 465, IMAPS 993, POP3S 995).
  void listen(const std::string& host, std::uint16_t port, AcceptFn accept, bool implicit_tls = false);
  void unlisten(const std::string& host, std::uint16_t port);
  bool listening(const std::string& host, std::uint16_t port) const;

  // Starts a connection; set the socket's callbacks before the next event runs.
  SocketPtr connect(const std::string& host, Endpoint to);

  void udp_bind(const std::string& host, std::uint16_t port, DatagramFn fn);
  std::uint16_t udp_bind_ephemeral(const std::string& host, DatagramFn fn);
  void udp_unbind(const std::string& host, std::uint16_t port);
  void udp_send(const std::string& host, std::uint16_t src_port, Endpoint to, std::string_view bytes,
                const std::string& protocol = "udp");

  // A host that goes down (a crash or power-off) neither sends nor receives, and forgets
  // its connections: its own apps are told (SocketError::Aborted), its peers are not; a
  // segment that reaches it once it is back gets a RST. What it had in flight is lost.
  void set_host_up(const std::string& host, bool up);
  // A host that goes offline (its network is gone) neither sends nor receives either, but
  // keeps its connections: they carry on if it returns before their retransmissions give up.
  void set_host_offline(const std::string& host, bool offline);
  bool host_up(const std::string& host) const;

  const TransportSettings& settings() const { return settings_; }
  std::size_t open_connections() const { return conns_.size(); }

 private:
  friend class TcpSocket;
  struct Connection;
  struct Segment;
  struct Side;

  Connection* find(std::uint64_t id);
  std::uint16_t ephemeral_port(const std::string& host);
  void send_syn(Connection& c);
  void syn_timer(std::uint64_t id);
  void arm_rto(Connection& c, int side);
  void rto_timer(std::uint64_t id, int side);
  void on_ack(Connection& c, int side, std::uint32_t ack);
  void side_gone(Connection& c, int side, const std::string& why, bool tell_app);
  void queue_segment(Connection& c, int side, std::uint8_t flags, std::string wire);
  void transmit(std::uint64_t id, int side, std::uint8_t flags, std::uint32_t seq, std::string wire);
  void arrive(const Segment& s);
  void on_stream_bytes(Connection& c, int side, std::string_view wire);
  void tls_records(Connection& c, int side);
  void send_tls_record(Connection& c, int side, std::uint8_t type, std::string_view body);
  void tls_established(Connection& c, int side);
  void finish(Connection& c, const std::string& why);
  void fail(Connection& c, int side, SocketError e, const std::string& why);
  void record_connection(const Connection& c, const std::string& event, const std::string& summary,
                         nlohmann::json detail = nlohmann::json::object());

  void app_send(std::uint64_t id, int side, std::string_view bytes);
  void app_close(std::uint64_t id, int side);
  void app_abort(std::uint64_t id, int side);
  void app_start_tls(std::uint64_t id, int side);

  EventCore& core_;
  Trace& trace_;
  const Network& net_;
  Random& rng_;
  TransportSettings settings_;
  std::uint64_t next_conn_ = 0;
  std::map<std::uint64_t, std::unique_ptr<Connection>> conns_;
  struct Listener {
    AcceptFn accept;
    bool implicit_tls = false;
  };
  std::map<std::pair<std::string, std::uint16_t>, Listener> listeners_;
  std::map<std::pair<std::string, std::uint16_t>, DatagramFn> udp_;
  std::map<std::string, std::uint16_t> next_port_;
  enum class HostState { Up, Down, Offline };
  std::map<std::string, HostState> down_;
  std::map<std::string, std::uint64_t> epoch_;  // counts a host's departures (in-flight loss)
};

}  // namespace mailsim::sim
