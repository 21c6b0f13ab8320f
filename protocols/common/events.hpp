// Events that every sans-I/O protocol engine hands to its caller (the simulator records them).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailsim::proto {

// One thing an engine noticed or did. Engines append these as they process bytes; the
// caller drains them with `take_events()` and records them in the trace.
struct ProtocolEvent {
  enum class Kind {
    CommandSent,      // client: a command line it wrote
    CommandReceived,  // server: a command line it read
    ReplySent,        // server: one reply line it wrote (each line of a multi-line reply)
    ReplyReceived,    // client: one reply line it read
    StateChanged,     // from_state -> to_state
    ProtocolError,    // the peer broke the protocol (text says how); a reply was sent too
    Note,             // anything else worth showing (e.g. "TLS negotiation requested")
  };
  Kind kind = Kind::Note;
  std::string text;        // the line as people should see it (credentials masked)
  std::string clear_text;  // the unmasked line when it differs from `text`, else empty
  std::string verb;        // command verb, upper-case (CommandSent/CommandReceived)
  int code = 0;            // SMTP reply code; 0 where the protocol has none
  std::string status;      // "5.1.1", "+OK"/"-ERR", "OK"/"NO"/"BAD" ... where it applies
  std::string from_state;  // StateChanged only
  std::string to_state;    // StateChanged only
};

// A small mix-in holding the two outputs of an engine: bytes to send and events.
class EngineOutput {
 public:
  // Bytes the engine wants written to the peer, in order; the buffer is emptied.
  std::string take_output() { return std::exchange(out_, {}); }
  // Events since the last call, in order; the list is emptied.
  std::vector<ProtocolEvent> take_events() { return std::exchange(events_, {}); }
  bool has_output() const { return !out_.empty(); }

 protected:
  void emit(ProtocolEvent e) { events_.push_back(std::move(e)); }
  // An event that carries nothing but its kind and text (a Note or a ProtocolError).
  void emit(ProtocolEvent::Kind kind, std::string text) {
    ProtocolEvent e;
    e.kind = kind;
    e.text = std::move(text);
    emit(std::move(e));
  }
  // The StateChanged event of an engine's one state-changing function: "FROM -> TO".
  void emit_state_changed(std::string from, std::string to) {
    ProtocolEvent e;
    e.kind = ProtocolEvent::Kind::StateChanged;
    e.text = from + " -> " + to;
    e.from_state = std::move(from);
    e.to_state = std::move(to);
    emit(std::move(e));
  }
  void write(std::string_view bytes) { out_.append(bytes); }

 private:
  std::string out_;
  std::vector<ProtocolEvent> events_;
};

}  // namespace mailsim::proto
