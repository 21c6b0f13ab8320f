// SMTP server session (sans-I/O): one connection's dialogue from greeting to QUIT.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/smtp/address.hpp"
#include "protocols/smtp/reply.hpp"

namespace mailsim::smtp {

// Limits (RFC 5321 section 4.5.3 and our own), all checked before the input is parsed.
inline constexpr std::size_t kMaxCommandLine = 512;    // 4.5.3.1.4, including CRLF
inline constexpr std::size_t kMaxAuthLine = 12288;     // RFC 4954 section 4, AUTH lines incl. CRLF
inline constexpr std::size_t kMaxTextLine = 1000;      // 4.5.3.1.6, a DATA line including CRLF
inline constexpr std::size_t kDefaultMaxRecipients = 100;  // 4.5.3.1.8 minimum
inline constexpr std::size_t kDefaultMaxMessageSize = 10 * 1024 * 1024;
inline constexpr std::size_t kMaxMessageSizeCap = 64 * 1024 * 1024;  // a config can't go higher
inline constexpr std::size_t kMaxConsecutiveErrors = 10;  // then 421 4.7.0 and close
inline constexpr std::size_t kMaxHeldTlsInput = 16 * 1024;  // bytes kept while TLS is negotiated
inline constexpr std::size_t kMaxSizeDigits = 20;           // SIZE=n parameter

enum class AuthMechanism { Plain, Login };
std::string_view mechanism_name(AuthMechanism m);
std::optional<AuthMechanism> parse_mechanism(std::string_view name);  // case-insensitive

// What the backend may know about the client when it decides.
struct SessionContext {
  std::string client_ip;
  std::string helo_name;           // empty before HELO/EHLO (and again after STARTTLS)
  bool esmtp = false;              // the client said EHLO
  std::string authenticated_user;  // empty when not authenticated
  bool tls = false;                // the stream is protected (STARTTLS done or implicit TLS)
};

enum class BodyType { SevenBit, EightBitMime };  // RFC 6152 BODY= parameter

// The mail transaction as the server has accepted it so far.
struct Envelope {
  bool null_sender = false;
  std::string reverse_path;             // "local@domain", empty for the null reverse-path <>
  std::vector<std::string> recipients;  // accepted forward-paths, in order
  std::optional<std::uint64_t> declared_size;  // SIZE= on MAIL FROM (RFC 1870)
  BodyType body = BodyType::SevenBit;
};

// Every RCPT TO the client tried in the current transaction and what we answered.
struct RecipientResult {
  std::string address;
  Reply reply;
};

// The world's decisions. The simulator implements this; tests fake it.
class ServerBackend {
 public:
  virtual ~ServerBackend() = default;
  // Reply to MAIL FROM (e.g. 250 2.1.0 "Sender OK", 553 5.7.1 ...).
  virtual Reply check_sender(const SessionContext& ctx, const std::string& address) = 0;
  // Reply to RCPT TO (e.g. 250 2.1.5, 550 5.1.1 "User unknown", 552 5.2.2 "Mailbox full",
  // 554 5.7.1 "Relay access denied", 450 4.2.0 ...). Only 2xx adds the recipient.
  virtual Reply check_recipient(const SessionContext& ctx, const std::string& address) = 0;
  // Checks a user name and password (mechanism "PLAIN" or "LOGIN").
  virtual bool authenticate(std::string_view mechanism, std::string_view user, std::string_view password) = 0;
  // The final reply to DATA: the message (dot-unstuffed, CRLF line ends as received).
  virtual Reply accept_message(const SessionContext& ctx, const Envelope& envelope, const std::string& data) = 0;
};

// The EHLO keywords this engine implements, in the order it lists them by default. A server's
// identity may list a subset in another order (ServerConfig::extensions).
inline constexpr std::array<std::string_view, 7> kEhloKeywords{"SIZE", "8BITMIME", "PIPELINING", "ENHANCEDSTATUSCODES",
                                                               "AUTH", "STARTTLS", "HELP"};

struct ServerConfig {
  std::string hostname = "mail.example.org";  // in the greeting and the EHLO reply
  std::string banner = "ESMTP mailsim ready";  // the greeting's text after the host name
  // The EHLO keywords advertised, in this order (each one of kEhloKeywords; AUTH and STARTTLS
  // still only when offered); empty: all of kEhloKeywords in their order.
  std::vector<std::string> extensions;
  bool offer_auth = false;
  std::vector<AuthMechanism> auth_mechanisms{AuthMechanism::Plain, AuthMechanism::Login};
  bool require_auth = false;          // submission (RFC 6409): 530 5.7.0 for MAIL before AUTH
  bool offer_starttls = false;        // RFC 3207
  bool require_tls_for_auth = false;  // AUTH hidden and refused (538 5.7.11) until TLS
  // TLS required (RFC 3207 section 4; Postfix's smtpd_tls_security_level = encrypt): until the
  // stream is protected every command but HELO, EHLO, STARTTLS, NOOP and QUIT gets
  // 530 5.7.0 "Must issue a STARTTLS command first", and AUTH is not advertised.
  bool require_tls = false;
  bool implicit_tls = false;          // RFC 8314: the session starts protected (port 465)
  std::size_t max_message_size = kDefaultMaxMessageSize;  // advertised as SIZE n; capped
  std::size_t max_recipients = kDefaultMaxRecipients;
};

// The server side of one SMTP connection. Construct it when the connection opens: the
// 220 greeting is then waiting in take_output().
class ServerSession : public proto::EngineOutput {
 public:
  enum class State {
    Connected,          // greeted; waiting for HELO/EHLO
    Ready,              // HELO/EHLO done, no mail transaction
    MailGiven,          // MAIL FROM accepted
    RcptGiven,          // at least one RCPT TO accepted
    Data,               // reading the message after 354
    AuthPlain,          // waiting for the PLAIN response after "334 "
    AuthLoginUser,      // waiting for the LOGIN user name
    AuthLoginPassword,  // waiting for the LOGIN password
    TlsPending,         // 220 to STARTTLS sent; waiting for tls_established()
    Closed,
  };

  ServerSession(ServerConfig config, ServerBackend& backend, std::string client_ip = {});

  // Bytes from the client, any split.
  void receive(std::string_view bytes);

  // STARTTLS: after the 220 the session stops reading until the caller protects the stream.
  bool tls_requested() const { return state_ == State::TlsPending; }
  // The stream is now protected: everything learned before is forgotten (RFC 3207 4.2).
  void tls_established();
  // The client went away without QUIT: an open transaction is dropped.
  void connection_lost();
  // The client said nothing for too long (RFC 5321 4.5.3.2.7, kServerTimeout): 421 4.4.2
  // and close; a message being received is discarded.
  void timed_out();

  bool closed() const { return state_ == State::Closed; }
  State state() const { return state_; }
  const SessionContext& context() const { return ctx_; }
  const Envelope& envelope() const { return envelope_; }
  // RCPT results of the current transaction (or of the last one, until the next MAIL).
  const std::vector<RecipientResult>& recipient_results() const { return rcpt_results_; }
  std::size_t messages_accepted() const { return messages_accepted_; }
  const ServerConfig& config() const { return config_; }

 private:
  using Handler = void (ServerSession::*)(std::string_view argument);
  struct Command {
    std::string_view verb;
    unsigned allowed;  // bit mask of states (1u << State)
    Handler handler;
    bool before_tls = false;  // allowed before STARTTLS where TLS is required
  };
  static const Command kCommands[];

  void set_state(State s);
  void process_input();
  void handle_command_line(std::string_view line);
  void handle_auth_response(std::string_view line);
  void sequence_error(std::string_view verb);

  void cmd_helo(std::string_view arg);
  void cmd_ehlo(std::string_view arg);
  void cmd_mail(std::string_view arg);
  void cmd_rcpt(std::string_view arg);
  void cmd_data(std::string_view arg);
  void cmd_rset(std::string_view arg);
  void cmd_noop(std::string_view arg);
  void cmd_vrfy(std::string_view arg);
  void cmd_expn(std::string_view arg);
  void cmd_help(std::string_view arg);
  void cmd_quit(std::string_view arg);
  void cmd_starttls(std::string_view arg);
  void cmd_auth(std::string_view arg);

  void greet(std::string_view arg, bool extended);
  bool auth_advertised() const;
  void finish_plain(std::string_view base64);
  void finish_auth(const std::string& user, const std::string& password);
  void abort_auth(Reply reply, std::string why);

  // DATA: consumes bytes up to and including the end marker; returns how many it used.
  std::size_t feed_data(std::string_view bytes);
  void end_data_line(bool crlf);
  void finish_data();

  void reset_transaction();
  State idle_state() const { return ctx_.helo_name.empty() ? State::Connected : State::Ready; }
  void send(const Reply& reply);
  void error(Reply reply, std::string why);

  ServerConfig config_;
  ServerBackend& backend_;
  State state_ = State::Connected;
  SessionContext ctx_;
  Envelope envelope_;
  std::vector<RecipientResult> rcpt_results_;
  proto::LineReader reader_{kMaxAuthLine - 2};
  std::size_t errors_ = 0;
  std::size_t messages_accepted_ = 0;
  std::string held_;                    // input that arrived while TLS was being negotiated
  AuthMechanism auth_mechanism_ = AuthMechanism::Plain;
  std::string auth_user_;               // LOGIN: the user name until the password arrives

  // DATA scanner.
  std::string message_;
  std::string line_;             // the current data line (capped), without its LF
  std::size_t line_length_ = 0;  // its full length, even past the cap
  char last_byte_ = 0;           // the line's last byte before LF (CR for a CRLF line)
  bool line_start_crlf_ = true;  // the line began after CRLF (or is the first line)
  bool line_too_long_ = false;
  bool over_size_ = false;
  std::size_t message_size_ = 0;
  std::size_t data_lines_ = 0;
};

std::string_view to_string(ServerSession::State s);

}  // namespace mailsim::smtp
