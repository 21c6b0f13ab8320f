// Recording protocol engine events in the trace.
#include "sim/apps/mail/session_link.hpp"

namespace mailsim::sim::mail {

void record_protocol_event(Simulation& sim, const TcpSocket& sock, Name protocol,
                           const proto::ProtocolEvent& e, bool show_credentials) {
  record_protocol_event(sim, sock.host(), sock.peer_host(), sock.id(), protocol, e, show_credentials);
}

void record_protocol_event(Simulation& sim, Name host, Name peer, std::uint64_t conn, Name protocol,
                           const proto::ProtocolEvent& e, bool show_credentials) {
  using K = proto::ProtocolEvent::Kind;
  using Text = ProtocolInfo::TextKey;
  if (e.kind == K::CommandReceived || e.kind == K::ReplyReceived) return;  // the sender recorded it
  Record r;
  r.kind = RecordKind::Protocol;
  r.host = host;
  r.peer = peer;
  r.conn = conn;
  r.protocol = protocol;
  ProtocolInfo p;
  p.text = show_credentials && !e.clear_text.empty() ? e.clear_text : e.text;
  switch (e.kind) {
    case K::CommandSent:
      p.event = ProtoEvent::Command;
      p.text_key = Text::Line;
      p.verb = e.verb;
      if (!e.clear_text.empty()) p.has_masked = true, p.masked = !show_credentials;
      break;
    case K::ReplySent:
      p.event = ProtoEvent::Reply;
      p.text_key = Text::Line;
      break;
    case K::StateChanged:
      p.event = ProtoEvent::State;
      p.text = {};
      p.from = e.from_state;
      p.to = e.to_state;
      break;
    case K::ProtocolError:
      p.event = ProtoEvent::Error;
      p.text_key = Text::Text;
      break;
    default:
      p.event = ProtoEvent::Note;
      p.text_key = Text::Text;
      break;
  }
  if (e.code != 0) p.has_code = true, p.code = e.code;
  p.status = e.status;
  r.proto = &p;  // the trace keeps its own copy
  sim.record(std::move(r));
}

}  // namespace mailsim::sim::mail
