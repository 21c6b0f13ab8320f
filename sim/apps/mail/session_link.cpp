// Recording protocol engine events in the trace.
#include "sim/apps/mail/session_link.hpp"

namespace mailsim::sim::mail {

void record_protocol_event(Simulation& sim, const TcpSocket& sock, const std::string& protocol,
                           const proto::ProtocolEvent& e, bool show_credentials) {
  using K = proto::ProtocolEvent::Kind;
  if (e.kind == K::CommandReceived || e.kind == K::ReplyReceived) return;  // the sender recorded it
  Record r;
  r.kind = RecordKind::Protocol;
  r.host = sock.host();
  r.peer = sock.peer_host();
  r.conn = sock.id();
  r.protocol = protocol;
  const std::string& text = show_credentials && !e.clear_text.empty() ? e.clear_text : e.text;
  nlohmann::json d;
  switch (e.kind) {
    case K::CommandSent:
      r.event = "command";
      r.summary = "C: " + text;
      d["line"] = text;
      if (!e.verb.empty()) d["verb"] = e.verb;
      if (!e.clear_text.empty()) d["masked"] = !show_credentials;
      break;
    case K::ReplySent:
      r.event = "reply";
      r.summary = "S: " + text;
      d["line"] = text;
      break;
    case K::StateChanged:
      r.event = "state";
      r.summary = e.from_state + " -> " + e.to_state;
      d["from"] = e.from_state;
      d["to"] = e.to_state;
      break;
    case K::ProtocolError:
      r.event = "error";
      r.summary = "protocol error: " + text;
      d["text"] = text;
      break;
    default:
      r.event = "note";
      r.summary = text;
      d["text"] = text;
      break;
  }
  if (e.code != 0) d["code"] = e.code;
  if (!e.status.empty()) d["status"] = e.status;
  r.detail = std::move(d);
  sim.record(std::move(r));
}

}  // namespace mailsim::sim::mail
