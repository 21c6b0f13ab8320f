// IMAP4rev1 client session (sans-I/O): keeps one device's view of one account in sync.
//
// Implements (client side): RFC 3501 sections 6.1-6.4 as used by a mail reader (CAPABILITY,
//   STARTTLS, LOGIN, AUTHENTICATE PLAIN, LIST, SELECT, UID FETCH/STORE/COPY/MOVE/EXPUNGE,
//   EXPUNGE, NOOP, APPEND, LOGOUT), section 7 response parsing (literals in responses,
//   untagged EXISTS / EXPUNGE / FETCH applied to the local view), RFC 2177 (IDLE/DONE),
//   RFC 6851 (UID MOVE when advertised, else COPY + STORE \Deleted + EXPUNGE),
//   RFC 4315 (UID EXPUNGE when UIDPLUS is advertised), RFC 7888 (LITERAL+ used when
//   advertised), RFC 4959 (SASL-IR used when advertised).
// Does not implement: pipelining (one command in flight at a time), mechanisms other than
//   PLAIN, CONDSTORE/QRESYNC resynchronisation, folders other than the selected one in the
//   local view (LIST names are kept), BODYSTRUCTURE-based partial downloads.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/imap/imap_util.hpp"

namespace mailsim::imap {

// Longest response line (literals excluded), largest literal in a response, and the largest
// whole response the client accepts; over any of them the connection is given up.
inline constexpr std::size_t kMaxResponseLine = 64 * 1024;
inline constexpr std::uint64_t kMaxResponseLiteral = 16 * 1024 * 1024;
inline constexpr std::uint64_t kMaxResponseTotal = 32 * 1024 * 1024;
// Largest message sequence number the client keeps a slot for (EXISTS, FETCH): a server
// announcing more is refused rather than growing the local view by gigabytes.
inline constexpr std::uint32_t kMaxMailboxMessages = 1'000'000;

struct ClientConfig {
  std::string user;
  std::string password;
  bool use_starttls = false;      // STARTTLS before logging in (fails if not advertised)
  bool use_authenticate = false;  // AUTHENTICATE PLAIN instead of LOGIN
  bool implicit_tls = false;      // the stream is protected from the start (port 993)
  std::string mailbox = "INBOX";  // the folder kept in sync
  std::string trash = "Trash";    // where delete_to_trash moves messages
};

// What the device knows about one message of the synchronised folder.
struct LocalMessage {
  std::uint32_t uid = 0;
  FlagSet flags;
  std::uint64_t size = 0;
  std::string date;        // Date header as sent
  std::string subject;     // encoded words decoded
  std::string from;        // "Name <local@domain>" or "local@domain" (first From address)
  std::string message_id;
  std::optional<std::string> body;  // the full message once opened
};

class ClientSession : public proto::EngineOutput {
 public:
  enum class State { Connecting, NotAuthenticated, Authenticated, Selected, Logout };
  enum class Op { Sync, Open, MarkRead, MarkUnread, DeleteToTrash, Idle, Refresh, Append,
                  Command, Logout };
  using RequestId = std::uint64_t;

  struct Result {
    RequestId id = 0;
    Op op = Op::Command;
    bool ok = false;
    std::string status;  // "OK", "NO", "BAD"; "" when the connection failed first
    std::string text;    // the tagged response line (or why the request failed)
    std::vector<std::string> untagged;  // untagged responses during it (wire form)
    std::string data;    // Open: the message
  };

  // The session starts the sync itself: greeting, (STARTTLS), login, LIST, SELECT, header
  // fetch. Its completion is reported as the Result of request sync_request().
  explicit ClientSession(ClientConfig config);

  void receive(std::string_view bytes);

  // Requests run one after another once the initial sync is done. A request made while
  // IDLE is active ends the IDLE first (sends DONE).
  RequestId open(std::uint32_t uid);          // UID FETCH uid BODY[] (server sets \Seen)
  RequestId mark_read(std::uint32_t uid);     // UID STORE +FLAGS (\Seen)
  RequestId mark_unread(std::uint32_t uid);   // UID STORE -FLAGS (\Seen)
  RequestId delete_to_trash(std::uint32_t uid);
  RequestId idle();   // completes when the IDLE ends (done(), or another request)
  void done();        // ends IDLE
  RequestId refresh();  // NOOP: collect what changed
  RequestId append(std::string mailbox, std::string message, FlagSet flags = {});
  // Any command: parts alternate text and literal data (text, literal, text, ...); each
  // literal is announced with {n} ({n+} with LITERAL+) after the text before it.
  RequestId command(std::vector<std::string> parts);
  RequestId logout();

  std::vector<Result> take_results() { return std::exchange(results_, {}); }

  RequestId sync_request() const { return 1; }
  bool ready() const { return ready_; }
  State state() const { return state_; }
  static const char* state_name(State s);
  bool idling() const { return idling_; }
  bool closed() const { return closed_; }
  bool tls_requested() const { return tls_requested_; }
  void tls_established();
  bool tls_active() const { return tls_active_; }
  void connection_lost();

  const std::set<std::string>& capabilities() const { return caps_; }
  bool has_capability(std::string_view cap) const;
  const std::vector<std::string>& folders() const { return folders_; }
  const std::map<std::uint32_t, LocalMessage>& messages() const { return messages_; }
  // UIDs in sequence-number order (0 where the UID is not known yet).
  const std::vector<std::uint32_t>& sequence() const { return seq_uids_; }
  std::uint32_t uidvalidity() const { return uidvalidity_; }

 private:
  struct Tagged {
    std::string status;
    std::string text;  // the whole line
  };
  struct Command {
    std::vector<std::string> parts;  // text, literal, text, ...
    std::string display;             // for events, credentials masked ("" = derive)
    std::function<void(const Tagged&)> on_done;
    RequestId request = 0;           // the user request it belongs to (0: internal)
    bool idle = false;
    bool auth_continuation = false;  // AUTHENTICATE PLAIN without SASL-IR
    std::string auth_response;
  };
  struct PendingOp {
    RequestId id;
    Op op;
    std::function<void()> start;
  };
  // An IMAP value in a response: atom, string (quoted or literal), NIL or list.
  struct Value {
    enum class Kind { Atom, String, Nil, List } kind = Kind::Atom;
    std::string text;
    std::vector<Value> items;
  };

  void set_state(State s);
  void process();
  void on_response(const std::string& wire, const std::string& display);
  void on_untagged(const std::string& wire);
  void on_continuation(const std::string& line);
  void on_tagged(const std::string& wire);
  void fail_connection(const std::string& why);
  void send_next_piece();
  void start_command();
  void push(Command c, bool front = false);
  void pump();
  void send_done();
  // A request made of one command whose tagged response completes it.
  RequestId enqueue_command(Op op, std::vector<std::string> parts);
  RequestId enqueue(Op op, std::function<void()> start);
  void finish(RequestId id, Op op, const Tagged& t, std::string data = {});
  void finish_failed(RequestId id, Op op, const std::string& why);
  void deliver(Result r);  // records a request's result; the request is no longer current
  void step_after_greeting();
  void step_login();
  void step_list();
  void step_select();
  void after_capabilities_known(const std::function<void()>& next);
  void parse_capabilities(std::string_view text);
  void apply_fetch(std::uint32_t seq, const std::vector<Value>& items);
  void fetch_new_messages();
  std::string literal_marker(std::size_t n) const;
  static bool parse_value(std::string_view s, std::size_t& pos, Value& out, std::size_t depth);

  ClientConfig config_;
  proto::LineReader reader_{kMaxResponseLine};
  State state_ = State::Connecting;
  bool closed_ = false;
  bool tls_requested_ = false;
  bool tls_active_ = false;
  bool ready_ = false;
  bool idling_ = false;          // IDLE accepted by the server ("+" seen)
  bool done_sent_ = false;
  bool idle_restart_ = false;    // resume IDLE after fetching new mail
  bool fetch_pending_ = false;
  unsigned tag_counter_ = 0;
  RequestId next_request_ = 2;   // 1 is the sync

  // Response assembly.
  std::string resp_;
  std::string resp_display_;
  std::uint64_t literal_left_ = 0;

  // Commands.
  std::deque<Command> queue_;
  std::optional<Command> inflight_;
  std::string inflight_tag_;
  std::size_t next_piece_ = 0;   // index into inflight_->parts still to send
  std::vector<std::string> inflight_untagged_;
  std::string open_body_;        // BODY[] data seen during the current Open
  std::deque<PendingOp> ops_;
  std::optional<PendingOp> current_op_;
  std::vector<Result> results_;

  std::set<std::string> caps_;
  std::vector<std::string> folders_;
  std::map<std::uint32_t, LocalMessage> messages_;
  std::vector<std::uint32_t> seq_uids_;
  std::uint32_t uidvalidity_ = 0;
};

}  // namespace mailsim::imap
