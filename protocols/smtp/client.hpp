// SMTP client session (sans-I/O): delivers one message to one server, from greeting to QUIT, or
// (with ClientJob::reuse) several messages one after another over the same session.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server.hpp"
#include "protocols/smtp/timeouts.hpp"

namespace mailsim::smtp {

inline constexpr std::size_t kMaxReplyLine = 2048;  // lenient: RFC 5321 4.5.3.1.5 says 512
inline constexpr std::size_t kMaxClientRecipients = 1000;  // a job with more is refused

enum class TlsPolicy {
  None,           // never STARTTLS
  Opportunistic,  // STARTTLS when offered, plain text otherwise
  Required,       // STARTTLS or give up
  Implicit,       // the stream is protected from the start (RFC 8314, port 465)
};

struct Credentials {
  std::string user;
  std::string password;
  AuthMechanism preferred = AuthMechanism::Plain;
};

// What to deliver and how.
struct ClientJob {
  std::string helo_name = "client.example";
  std::optional<Credentials> credentials;
  TlsPolicy tls = TlsPolicy::None;
  std::string sender;                   // "local@domain"; empty for the null reverse-path <>
  std::vector<std::string> recipients;  // "local@domain"
  std::string data;                     // the message; line ends are made CRLF before sending
  // Connection reuse (as Postfix's connection cache): after a transaction ends the session
  // waits in State::Ready instead of sending QUIT; the caller then gives the next message
  // (next_transaction) or ends the session (finish_session).
  bool reuse = false;
};

// What the server said it supports (RFC 5321 4.1.1.1 EHLO keywords).
struct ServerExtensions {
  bool esmtp = false;  // the server answered EHLO (not just HELO)
  bool size = false;
  std::uint64_t size_limit = 0;  // 0: SIZE without a number (no fixed limit)
  bool pipelining = false;
  bool eight_bit_mime = false;
  bool enhanced_status_codes = false;
  bool starttls = false;
  std::vector<std::string> auth_mechanisms;  // upper-case
  std::vector<std::string> keywords;         // every keyword as sent, upper-case
};

// Reads the extension lines of a 250 reply to EHLO (the first line is the greeting).
ServerExtensions parse_ehlo_reply(const Reply& reply);

enum class RecipientStatus { Pending, Delivered, TemporaryFailure, PermanentFailure };
std::string_view to_string(RecipientStatus s);

struct RecipientOutcome {
  std::string address;
  RecipientStatus status = RecipientStatus::Pending;
  int code = 0;          // the server's reply code (0: decided by the client or the connection)
  std::string enhanced;  // "5.1.1"
  std::string text;
};

enum class Outcome { InProgress, Delivered, PartiallyDelivered, TemporaryFailure, PermanentFailure };
std::string_view to_string(Outcome o);

// Which step of the session failed as a whole (not one recipient): set where the client
// gives up, so a caller never reads it back out of `reason`.
enum class FailedStep {
  None,            // the session did not fail as a whole
  Job,             // the job cannot be sent (bad or missing addresses); nothing was sent
  Connect,         // no connection (refused, unreachable): connection_failed()
  Greeting,        // the server's greeting was negative
  ServerClosing,   // a 421 at any point: the server is closing the connection
  Hello,           // EHLO refused (and HELO, when it was the fallback)
  TlsRequired,     // TLS is required: STARTTLS refused, or not offered
  Auth,            // AUTH refused, not offered, or no mechanism in common
  Mail,            // MAIL FROM refused
  Data,            // DATA refused (no 354)
  Message,         // the message refused by the final reply after its data
  Size,            // the message exceeds the server's SIZE limit (not sent)
  Rset,            // (reuse) RSET refused
  Timeout,         // no reply in time: timed_out()
  ConnectionLost,  // the stream closed or broke: connection_lost()
  ProtocolError,   // a reply the client cannot read
};
std::string_view to_string(FailedStep s);

struct DeliveryResult {
  Outcome outcome = Outcome::InProgress;
  std::vector<RecipientOutcome> recipients;
  FailedStep failed_at = FailedStep::None;  // the step behind `reason`
  std::string reason;    // why the session failed as a whole, for testers (empty when it did not)
  int code = 0;          // the reply behind `reason`, when there was one
  std::string enhanced;
  std::string reply;     // that reply's text (empty when no reply decided)

  std::size_t count(RecipientStatus s) const;
  // One line: "delivered 2 of 3 recipient(s); bob@b: 550 5.1.1 User unknown".
  std::string summary() const;
};

// Prepares message data for the wire: every line end made CRLF, a final CRLF added, lines
// starting with '.' doubled (RFC 5321 4.5.2), and the "." end line appended.
std::string normalize_line_endings(std::string_view data);
std::string dot_stuff(std::string_view crlf_data);

class ClientSession : public proto::EngineOutput {
 public:
  enum class State {
    Greeting,           // waiting for the 220
    Ehlo,               // EHLO sent
    Helo,               // HELO sent (the server refused EHLO)
    StartTls,           // STARTTLS sent
    TlsPending,         // 220 received; waiting for tls_established()
    Auth,               // AUTH sent (or the last LOGIN step); waiting for 235
    AuthLoginUser,      // AUTH LOGIN sent; waiting for the user name prompt
    AuthLoginPassword,  // user name sent; waiting for the password prompt
    Envelope,           // MAIL / RCPT sent; waiting for their replies
    Data,               // DATA sent; waiting for 354
    DataSent,           // message sent; waiting for the final reply
    Ready,              // (reuse) a transaction ended; the caller gives the next one or QUITs
    Rset,               // (reuse) RSET sent before the next MAIL; waiting for its 250
    Quit,               // QUIT sent
    Closed,
  };

  explicit ClientSession(ClientJob job);

  // Bytes from the server, any split.
  void receive(std::string_view bytes);

  bool tls_requested() const { return state_ == State::TlsPending; }
  void tls_established();

  // Connection-level outcomes the caller observes.
  void connection_failed(std::string reason, bool temporary);  // e.g. refused, unreachable
  void timed_out();        // no (complete) reply in time (see waiting_for())
  void connection_lost();  // the server closed the stream
  void connection_lost(const std::string& why);  // the stream broke (reset, aborted)

  // What the session waits for now (RFC 5321 4.5.3.2): the caller times it and calls
  // timed_out() when the wait is over. DataEnd covers the message leaving too: the caller
  // applies the data block timeout while bytes are unacknowledged.
  Wait waiting_for() const;

  bool closed() const { return state_ == State::Closed; }
  // (reuse) A transaction has ended and the session waits for the caller's decision; result()
  // is that transaction's.
  bool ready() const { return state_ == State::Ready; }
  // (reuse) The next message over the same session: MAIL FROM right away after the final reply
  // to a message's data (RFC 5321 4.1.4: the transaction is over), or RSET first when the last
  // transaction ended earlier (refused at MAIL, RCPT or DATA). result() starts afresh.
  void next_transaction(std::string sender, std::vector<std::string> recipients, std::string data);
  // (reuse) No more messages: QUIT.
  void finish_session();
  // Transactions started in this session (1 for a session without reuse).
  std::size_t transactions() const { return transactions_; }
  State state() const { return state_; }
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return authenticated_; }
  const ServerExtensions& extensions() const { return ext_; }
  const DeliveryResult& result() const { return result_; }

 private:
  enum class Pending { Mail, Rcpt };

  void set_state(State s);
  void send_command(const std::string& line, std::string masked = {});
  void handle_reply(const Reply& reply);
  void process_lines();
  void after_hello();
  void start_auth();
  void start_transaction();
  void on_envelope_reply(const Reply& reply);
  void send_rcpt(std::size_t index);
  void after_envelope();
  void quit();
  void end_transaction(bool clean);
  void fail_all(FailedStep step, const Reply& reply, std::string reason);
  void fail_pending(FailedStep step, bool temporary, int code, std::string enhanced, std::string reason);
  void finish();
  void protocol_error(std::string why);

  ClientJob job_;
  State state_ = State::Greeting;
  proto::LineReader reader_{kMaxReplyLine};
  ReplyAssembler assembler_;
  ServerExtensions ext_;
  DeliveryResult result_;
  bool tls_active_ = false;
  bool authenticated_ = false;
  bool starttls_refused_ = false;
  std::string message_;  // CRLF-normalised message data
  std::deque<std::pair<Pending, std::size_t>> expected_;
  bool mail_accepted_ = false;
  std::optional<Reply> mail_refusal_;
  std::vector<bool> rcpt_accepted_;
  bool rset_needed_ = false;
  State before_ready_ = State::Closed;    // the last transaction ended before the final reply to its data
  std::size_t transactions_ = 0;
};

std::string_view to_string(ClientSession::State s);

}  // namespace mailsim::smtp
