// Echo and discard services, and the scripted line-by-line client.
#include "sim/apps/basic_apps.hpp"

#include <fmt/format.h>

namespace mailsim::sim {

void EchoService::start(Simulation& sim) {
  Simulation* s = &sim;
  sim.transport().listen(host(), port_, [this, s](SocketPtr sock) {
    sockets_.push_back(sock);
    TcpSocket* raw = sock.get();
    sock->on_data = [this, raw, s](std::string_view bytes) {
      if (!discard_) raw->send(bytes);
      (void)s;
    };
    sock->on_peer_closed = [raw] { raw->close(); };
  });
}

void ScriptedClient::start(Simulation& sim) {
  sim_ = &sim;
  sim.core().schedule_at(script_.at, [this] { begin(); });
}

void ScriptedClient::begin() {
  Record r;
  r.kind = RecordKind::Action;
  r.event = "start";
  r.host = host();
  r.summary = script_.label.empty() ? fmt::format("{} opens a connection to {}", host(), script_.to.str())
                                    : script_.label;
  r.detail = {{"action", "connect"}, {"to", script_.to.str()}};
  sim_->record(std::move(r));
  sock_ = sim_->transport().connect(host(), script_.to);
  sock_->on_connected = [this] { next_line(); };
  sock_->on_data = [this](std::string_view bytes) {
    Record r2;
    record_raw(ProtoEvent::Received, bytes);
    sim_->core().cancel(timer_);
    next_line();
  };
  sock_->on_peer_closed = [this] { sock_->close(); };
  sock_->on_closed = [this] { done("closed"); };
  sock_->on_error = [this](SocketError e, const std::string&) { done(std::string(to_string(e))); };
}

// A raw line as the trace shows it: its bytes escaped (docs/trace.md "Bytes").
void ScriptedClient::record_raw(ProtoEvent event, std::string_view bytes) {
  Record r;
  r.kind = RecordKind::Protocol;
  r.host = host();
  r.peer = sock_->peer_host();
  r.conn = sock_->id();
  r.protocol = "raw";
  const std::string escaped = escape_bytes(bytes);
  ProtocolInfo p;
  p.event = event;
  p.text_key = ProtocolInfo::TextKey::Bytes;
  p.text = escaped;
  r.proto = &p;  // the trace keeps its own copy
  sim_->record(std::move(r));
}

void ScriptedClient::next_line() {
  if (finished_) return;
  if (next_ >= script_.lines.size()) {
    sock_->close();
    return;
  }
  std::string line = script_.lines[next_++];
  if (line.empty() || line.back() != '\n') line += "\r\n";
  record_raw(ProtoEvent::Sent, line);
  sock_->send(line);
  // Go on after the answer, or after `wait` if none comes.
  timer_ = sim_->core().schedule_in(script_.wait, [this] { next_line(); });
}

void ScriptedClient::done(const std::string& outcome) {
  if (finished_) return;
  finished_ = true;
  sim_->core().cancel(timer_);
  Record r;
  r.kind = RecordKind::Action;
  r.event = "done";
  r.host = host();
  r.summary = fmt::format("{}: connection to {} ended: {}", host(), script_.to.str(), outcome);
  r.detail = {{"action", "connect"}, {"outcome", outcome}};
  sim_->record(std::move(r));
}

}  // namespace mailsim::sim
