// Connects a sans-I/O protocol engine to a simulated TCP socket and records its lines.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "protocols/common/events.hpp"
#include "sim/core/simulation.hpp"
#include "sim/faults/fault_gate.hpp"

namespace mailsim::sim::mail {

// Records one engine event in the trace. Only the sender of a line records it (commands
// by the client, replies by the server), so a transcript shows each line once, at the
// moment it left; state changes and protocol errors are recorded by both sides.
void record_protocol_event(Simulation& sim, const TcpSocket& sock, Name protocol,
                           const proto::ProtocolEvent& e, bool show_credentials);
// The same with the socket's hosts and id given (a session keeps them, interned once).
void record_protocol_event(Simulation& sim, Name host, Name peer, std::uint64_t conn, Name protocol,
                           const proto::ProtocolEvent& e, bool show_credentials);

// Session links alive in this process, of every engine (for the tests that check a finished
// session is freed at once, not at the end of the run).
struct SessionLinkCount {
  static inline std::atomic<std::size_t> live{0};
};
inline std::size_t live_session_links() { return SessionLinkCount::live.load(); }

// Pumps bytes between a socket and an engine. Engine must offer receive(), take_output(),
// take_events(), tls_requested(), tls_established() and closed().
template <class Engine>
class SessionLink : public std::enable_shared_from_this<SessionLink<Engine>> {
 public:
  SessionLink(Simulation& sim, SocketPtr sock, std::unique_ptr<Engine> engine, std::string protocol,
              bool show_credentials = false)
      : sim_(sim), sock_(std::move(sock)), engine_(std::move(engine)), protocol_(std::move(protocol)),
        show_credentials_(show_credentials), host_(sock_->host()), peer_(sock_->peer_host()) {
    ++SessionLinkCount::live;
  }
  ~SessionLink() { --SessionLinkCount::live; }
  SessionLink(const SessionLink&) = delete;
  SessionLink& operator=(const SessionLink&) = delete;

  // Something the engine refers to (an SMTP server's backend) that lives exactly as long as
  // the link, and so is freed when the session ends. Destroyed after the engine.
  void keep(std::shared_ptr<void> owned) { kept_ = std::move(owned); }

  // Hooks the socket's callbacks and sends whatever the engine has to say first.
  void attach() {
    auto self = this->shared_from_this();
    sock_->on_data = [self](std::string_view bytes) {
      if (self->gate_) return self->gate_->receive(bytes);
      self->engine_->receive(bytes);
      if (self->after_input) self->after_input(*self->engine_);
      self->flush();
    };
    sock_->on_tls_ready = [self] {
      self->engine_->tls_established();
      self->flush();
    };
    sock_->on_peer_closed = [self] {
      if (self->on_peer_closed) self->on_peer_closed(*self->engine_);
      self->sock_->close();
    };
    sock_->on_closed = [self] {
      self->cancel_timer();
      if (self->on_closed) self->on_closed(*self->engine_);
      // Break the socket -> callbacks -> link cycle, in a later event: this very callback
      // is one of the functions being cleared.
      self->sim_.core().schedule_in(0, [self] { self->release(); });
    };
    if (!sock_->on_error) {
      // The stream broke (aborted, or this host went down): the same end as a close.
      sock_->on_error = [self](SocketError, const std::string&) {
        self->cancel_timer();
        if (self->on_closed) self->on_closed(*self->engine_);
        self->release_later();
      };
    }
    if (gate_ && !gate_->start()) {
      engine_->take_events();  // a fault took the connection: the engine's greeting never leaves
      engine_->take_output();
      return;
    }
    flush();
  }

  // A server side under the fault plan (sim/faults): the gate sees the client's commands before
  // the engine and the engine's answers before the wire. Nothing happens without a plan. Call
  // before attach().
  void use_faults(std::uint16_t port, std::function<bool()> command_mode, std::function<bool()> in_data = nullptr) {
    std::weak_ptr<SessionLink> weak = this->shared_from_this();
    faults::GateIo io;
    io.feed = [weak](std::string_view b) {
      if (auto self = weak.lock()) {
        self->engine_->receive(b);
        self->flush();
      }
    };
    io.send = [weak](const std::string& b) {
      if (auto self = weak.lock()) self->sock_->send(b);
    };
    io.release = [weak] {
      if (auto self = weak.lock()) self->flush();
    };
    io.close = [weak] {
      if (auto self = weak.lock()) {
        self->close_sent_ = true;
        self->sock_->close();
      }
    };
    io.reset = [weak] {
      if (auto self = weak.lock()) {
        self->close_sent_ = true;
        self->sock_->abort();
      }
    };
    io.command_mode = std::move(command_mode);
    io.in_data = std::move(in_data);
    gate_ = faults::make_gate(sim_, sock_->host(), sock_->peer_host(), protocol_, port, sock_->id(), std::move(io));
  }
  faults::ConnectionGate* gate() { return gate_.get(); }

  // Breaks the socket -> callbacks -> link cycle in a later event (safe inside a callback).
  void release_later() {
    auto self = this->shared_from_this();
    sim_.core().schedule_in(0, [self] { self->release(); });
  }

  // Sends pending output, records events, starts TLS or closes as the engine asks.
  void flush() {
    for (const auto& e : engine_->take_events()) record(e);
    std::string out = engine_->take_output();
    if (gate_ && gate_->dead()) return;  // a fault closed or reset the stream
    if (!out.empty()) {
      if (gate_) gate_->send(std::move(out));
      else sock_->send(out);
    }
    if (gate_ && gate_->dead()) return;
    // A held answer (a fault's delay) leaves first: TLS starts after the 220 to STARTTLS is out.
    if (engine_->tls_requested() && !tls_started_ && !(gate_ && gate_->holding())) {
      tls_started_ = true;
      sock_->start_tls();
    }
    if (engine_->closed() && !close_sent_ && !(gate_ && gate_->holding())) {
      close_sent_ = true;
      sock_->close();
    }
    last_activity_ = sim_.now();
    arm();
  }

  // Session timeouts: `deadline` says when the engine's present wait ends (0: no timer),
  // given the socket and when the link last heard or said something; it is asked again when
  // the timer fires, so a wait that made progress (bytes acknowledged) goes on. When the
  // deadline has passed, `on_timeout` tells the engine (its timed_out()); then the link
  // either aborts the stream (a client that gives up) or sends what the engine said and
  // closes (a server's 421 or BYE).
  std::function<Time(Engine&, const TcpSocket&, Time since)> deadline;
  std::function<void(Engine&)> on_timeout;
  bool abort_on_timeout = false;

  Engine& engine() { return *engine_; }

  // Drops every callback the link set (and so the socket's hold on the link).
  void release() {
    cancel_timer();
    deadline = nullptr;
    on_timeout = nullptr;
    sock_->on_data = nullptr;
    sock_->on_tls_ready = nullptr;
    sock_->on_peer_closed = nullptr;
    sock_->on_closed = nullptr;
    sock_->on_error = nullptr;
    sock_->on_connected = nullptr;
    on_closed = nullptr;
    on_peer_closed = nullptr;
    after_input = nullptr;
  }
  TcpSocket& socket() { return *sock_; }

  std::function<void(Engine&)> on_peer_closed;  // before the socket is closed in turn
  std::function<void(Engine&)> on_closed;       // the connection is gone
  // After the engine took the peer's bytes, before its output leaves: the owner may give the
  // engine more to do (an SMTP client's next message over the same session).
  std::function<void(Engine&)> after_input;

 private:
  Simulation& sim_;
  SocketPtr sock_;
  std::shared_ptr<void> kept_;  // declared before engine_: outlives it
  std::unique_ptr<Engine> engine_;
  Name protocol_;  // interned once: every record of the session names it
  bool show_credentials_;
  Name host_, peer_;  // the socket's two hosts, interned once for the records
  bool tls_started_ = false;
  bool close_sent_ = false;
  std::shared_ptr<faults::ConnectionGate> gate_;
  Time last_activity_ = 0;
  EventId timer_ = 0;

  void record(const proto::ProtocolEvent& e) {
    // A connection the transport has already dropped names no hosts (as the socket then says).
    const bool known = !sock_->host().empty();
    record_protocol_event(sim_, known ? host_ : Name(), known ? peer_ : Name(), sock_->id(), protocol_, e,
                          show_credentials_);
  }

  void cancel_timer() {
    if (timer_) sim_.core().cancel(timer_);
    timer_ = 0;
  }

  void arm() {
    cancel_timer();
    if (!deadline || engine_->closed() || close_sent_) return;
    const Time at = deadline(*engine_, *sock_, last_activity_);
    if (at <= 0) return;
    std::weak_ptr<SessionLink> weak = this->shared_from_this();
    timer_ = sim_.core().schedule_at(std::max(at, sim_.now()), [weak] {
      if (auto self = weak.lock()) self->fire();
    });
  }

  void fire() {
    timer_ = 0;
    if (!deadline || engine_->closed() || close_sent_) return;
    const Time at = deadline(*engine_, *sock_, last_activity_);
    if (at <= 0) return;
    if (at > sim_.now()) {
      std::weak_ptr<SessionLink> weak = this->shared_from_this();
      timer_ = sim_.core().schedule_at(at, [weak] {
        if (auto self = weak.lock()) self->fire();
      });
      return;
    }
    if (on_timeout) on_timeout(*engine_);
    if (abort_on_timeout) {
      for (const auto& e : engine_->take_events()) record(e);
      close_sent_ = true;
      auto keep = this->shared_from_this();
      sock_->abort();
      return;
    }
    flush();
  }
};

}  // namespace mailsim::sim::mail
