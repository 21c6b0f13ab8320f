// POP3 server session (sans-I/O): AUTHORIZATION -> TRANSACTION -> UPDATE over a backend.
#pragma once
#include <array>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/pop3/wire.hpp"

namespace mailsim::pop3 {

// One message of the maildrop as it was when the session locked it.
struct MessageInfo {
  std::size_t size = 0;  // octets as sent (lines ending in CRLF, before dot-stuffing)
  std::string uid;       // RFC 1939 unique-id: 1..70 characters in 0x21..0x7E
};

// What the server needs from the world. One backend object serves one session: it
// remembers which maildrop lock_maildrop() took. Indices are 0-based positions in the
// snapshot (POP3 message number minus one).
class ServerBackend {
 public:
  virtual ~ServerBackend() = default;
  // USER/PASS: true when the password is right for this user.
  virtual bool authenticate(std::string_view user, std::string_view password) = 0;
  // APOP: the shared secret of this user, or nullopt for an unknown user.
  virtual std::optional<std::string> apop_secret(std::string_view user) = 0;
  // Takes the exclusive lock on the user's maildrop; false when another session holds it.
  virtual bool lock_maildrop(std::string_view user) = 0;
  // The locked maildrop's messages, in order, taken once right after the lock.
  virtual std::vector<MessageInfo> snapshot() = 0;
  // The bytes of one message of the snapshot; nullopt if it cannot be read.
  virtual std::optional<std::string> retrieve(std::size_t index) = 0;
  // UPDATE state only (after QUIT in TRANSACTION), only when something was deleted:
  // removes these messages for good. False if some could not be removed.
  virtual bool commit_deletions(const std::vector<std::size_t>& indices) = 0;
  // Releases the lock (after QUIT, a lost connection, or a fatal error).
  virtual void unlock() = 0;
};

// The CAPA lines this engine can list, by keyword, in its default order. A server's identity may
// list a subset in another order (ServerConfig::capabilities); "CAPA" lists the command itself,
// as Dovecot does.
inline constexpr std::array<std::string_view, 10> kCapaKeywords{
    "TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "SASL", "STLS", "IMPLEMENTATION", "CAPA"};

struct ServerConfig {
  std::string host = "pop.example";          // our name, in the greeting and the sign-off
  std::string greeting = "POP3 server ready";  // greeting text after the host
  bool greeting_names_host = true;           // "+OK host POP3 server ready" vs "+OK POP3 server ready"
  std::string apop_timestamp;                // "<unique@host>" from the caller; empty: no APOP
  bool offer_stls = false;                   // RFC 2595 STLS
  bool implicit_tls = false;                 // port 995: the session starts protected
  bool allow_plaintext_login = true;         // USER/PASS and SASL PLAIN/LOGIN allowed before TLS
  bool offer_sasl = true;                    // RFC 5034 AUTH with PLAIN and LOGIN (CAPA "SASL PLAIN LOGIN")
  std::string implementation = "mailsim";    // CAPA IMPLEMENTATION text
  // The CAPA lines listed, in this order (keywords of kCapaKeywords; USER, SASL and STLS still
  // only when allowed); empty: the first nine of kCapaKeywords.
  std::vector<std::string> capabilities;
  std::size_t max_bad_commands = kDefaultMaxBadCommands;
  std::size_t max_auth_failures = kDefaultMaxAuthFailures;
};

class ServerSession : public proto::EngineOutput {
 public:
  enum class State { Authorization, Transaction, Update, Closed };
  static constexpr std::int64_t kAutologout = 10LL * 60 * 1'000'000;  // microseconds

  // Writes the greeting at once (take_output() right after construction gets it).
  ServerSession(ServerConfig config, ServerBackend& backend);

  void receive(std::string_view bytes);
  // The transport dropped: no deletion happens, the lock (if held) is released.
  void connection_lost();
  // The autologout timer expired (RFC 1939 section 3, at least kAutologout): the session
  // closes without a reply and without entering UPDATE, so nothing is deleted.
  void timed_out();

  // After "+OK begin TLS negotiation": input is ignored until tls_established().
  bool tls_requested() const { return tls_requested_; }
  void tls_established();
  bool tls_active() const { return tls_active_; }

  State state() const { return state_; }
  bool closed() const { return state_ == State::Closed; }
  // The user whose maildrop is locked (TRANSACTION), else empty.
  const std::string& user() const { return user_; }

 private:
  struct Command {
    std::string_view verb;
    unsigned states;  // bit set of State values allowed
    void (ServerSession::*handler)(std::string_view args);
  };
  static const std::vector<Command>& command_table();

  void set_state(State next);
  void handle_line(const std::string& line);
  void reply(std::string_view line);                   // one status line
  void reply_data_line(std::string_view stuffed_line);  // one line inside a multi-line body
  void end_multiline();
  bool bad_command(std::string_view reply_line, std::string_view why);
  void close_with(std::string_view reply_line);
  void release_lock();

  // Parses a message number; replies with the error and returns nullopt when unusable.
  std::optional<std::size_t> message_arg(std::string_view verb, std::string_view arg);
  // The same for arguments that must be exactly one message number (RETR, DELE).
  std::optional<std::size_t> single_message_arg(std::string_view verb, std::string_view args);
  // For commands without arguments: false (after the usage error) when some were given.
  bool no_argument(std::string_view verb, std::string_view args);
  // The message from the backend; replies -ERR [SYS/TEMP] and returns nullopt when unreadable.
  std::optional<std::string> read_message(std::size_t index);
  void scan_listing(std::string_view verb, std::string_view args, const std::string& listing_status,
                    const std::function<std::string(std::size_t)>& entry);
  bool enter_transaction(const std::string& user);
  struct Totals {
    std::size_t count = 0;
    std::size_t octets = 0;
  };
  Totals undeleted_totals() const;  // the messages not marked deleted
  std::string maildrop_summary() const;

  void cmd_capa(std::string_view args);
  void cmd_user(std::string_view args);
  void cmd_pass(std::string_view args);
  void login_failed(const std::string& note);
  void cmd_apop(std::string_view args);
  void cmd_auth(std::string_view args);
  void on_sasl_response(const std::string& line);
  void sasl_step(const proto::SaslServer::Step& step);
  bool sasl_allowed() const { return config_.offer_sasl && (config_.allow_plaintext_login || tls_active_); }
  void cmd_stls(std::string_view args);
  void cmd_stat(std::string_view args);
  void cmd_list(std::string_view args);
  void cmd_uidl(std::string_view args);
  void cmd_retr(std::string_view args);
  void cmd_top(std::string_view args);
  void cmd_dele(std::string_view args);
  void cmd_rset(std::string_view args);
  void cmd_noop(std::string_view args);
  void cmd_quit(std::string_view args);

  ServerConfig config_;
  ServerBackend& backend_;
  proto::LineReader reader_;
  State state_ = State::Authorization;
  bool tls_active_ = false;
  bool tls_requested_ = false;
  bool locked_ = false;
  std::string pending_user_;  // set by a successful USER, consumed by the next command
  std::string user_;
  std::vector<MessageInfo> messages_;
  std::vector<bool> deleted_;
  std::size_t bad_commands_ = 0;
  std::size_t auth_failures_ = 0;
  bool after_bare_auth_ = false;  // AUTH not offered: the last line was "AUTH mechanism" alone
  std::optional<proto::SaslServer> sasl_;  // an AUTH exchange waiting for the client's response
};

const char* to_string(ServerSession::State s);

}  // namespace mailsim::pop3
