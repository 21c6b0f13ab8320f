// IMAP4rev1 server session (sans-I/O) over an abstract MailStore.
//
// Implements: RFC 3501 (IMAP4rev1) sections 2.3 (flags, \Recent), 5.1-5.5, 6.1-6.4
//   (CAPABILITY, NOOP, LOGOUT, STARTTLS, AUTHENTICATE, LOGIN, SELECT, EXAMINE, CREATE,
//   DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS, APPEND, CHECK, CLOSE,
//   EXPUNGE, SEARCH, FETCH, STORE, COPY, UID), 7 (responses, untagged EXISTS / RECENT /
//   EXPUNGE / FETCH for other sessions' changes), 9 (grammar);
//   RFC 2177 (IDLE); RFC 6851 (MOVE, UID MOVE); RFC 4315 (UIDPLUS: UID EXPUNGE, APPENDUID,
//   COPYUID); RFC 7888 (LITERAL+ non-synchronising literals); RFC 4959 (SASL-IR);
//   RFC 3691 (UNSELECT); AUTHENTICATE with RFC 4616 PLAIN and LOGIN (protocols/common/sasl.hpp);
//   RFC 2971 (ID); RFC 2342 (NAMESPACE: one personal namespace "" with "/");
//   RFC 6154 (SPECIAL-USE attributes on LIST, from MailboxEntry::special_use, and the
//   SPECIAL-USE selection and return options of RFC 5258's extended LIST syntax);
//   RFC 5530 response codes where they apply (AUTHENTICATIONFAILED, PRIVACYREQUIRED,
//   TRYCREATE, ALREADYEXISTS, NONEXISTENT, OVERQUOTA, TOOBIG).
// Does not implement: SEARCH SENTBEFORE/SENTON/SENTSINCE, NEW charset conversion (only
//   US-ASCII and UTF-8 are accepted), other SASL mechanisms, PREAUTH greetings, mailbox
//   names in modified UTF-7 (names are passed through as bytes), DELETE of a mailbox with
//   inferiors (refused with NO instead of becoming \Noselect), RFC 9051 (IMAP4rev2),
//   CONDSTORE/QRESYNC, ENABLE, QUOTA, the rest of LIST-EXTENDED (not advertised: other
//   selection/return options and pattern lists get BAD), CREATE-SPECIAL-USE. Every command
//   not in the table gets "BAD Unknown command" and a ProtocolError event.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/imap/command_parser.hpp"
#include "protocols/imap/mail_store.hpp"

namespace mailsim::imap {

// One command line, literals excluded (RFC 7162 section 4 recommends at least 8000 octets).
inline constexpr std::size_t kMaxCommandLine = 8 * 1024;
// All lines of one command together, literals excluded.
inline constexpr std::size_t kMaxCommandText = 64 * 1024;
// Largest literal accepted in APPEND, and in every other command.
inline constexpr std::uint64_t kMaxAppendLiteral = 10 * 1024 * 1024;
inline constexpr std::uint64_t kMaxLiteral = 64 * 1024;

// The CAPABILITY atoms this engine implements, in its default order (STARTTLS, AUTH=PLAIN,
// AUTH=LOGIN and LOGINDISABLED only before login, and only when they apply). A server's
// identity may list a subset in another order (ServerConfig::capabilities).
inline constexpr std::array<std::string_view, 14> kCapabilityAtoms{
    "IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "NAMESPACE", "SPECIAL-USE", "IDLE",
    "MOVE",      "UIDPLUS",  "UNSELECT", "STARTTLS", "LOGINDISABLED", "AUTH=PLAIN", "AUTH=LOGIN"};

struct ServerConfig {
  std::string host = "imap.example.net";
  bool starttls_available = true;   // advertise and accept STARTTLS (before TLS is active)
  bool login_requires_tls = false;  // LOGINDISABLED (and no AUTH=PLAIN) until TLS is active
  bool implicit_tls = false;        // the stream is protected from the start (port 993)
  std::string implementation = "mailsim";  // RFC 2971 ID "name"
  // The greeting's text after the capabilities; empty: "HOST IMAP4rev1 service ready".
  std::string greeting;
  // The atoms of CAPABILITY, in this order (each one of kCapabilityAtoms); empty: all of them.
  std::vector<std::string> capabilities;
  // After LOGIN/AUTHENTICATE: the new capabilities as an untagged CAPABILITY response (as
  // Dovecot does) instead of a [CAPABILITY] response code in the tagged OK.
  bool untagged_capabilities_after_login = false;
};

// RFC 2971 section 3.3: at most 30 field-value pairs, fields up to 30 octets, values up to 1024.
inline constexpr std::size_t kMaxIdPairs = 30;
inline constexpr std::size_t kMaxIdField = 30;
inline constexpr std::size_t kMaxIdValue = 1024;

class ServerSession : public proto::EngineOutput {
 public:
  enum class State { NotAuthenticated, Authenticated, Selected, Logout };

  // Writes the greeting at once (take_output() returns it).
  explicit ServerSession(MailStore& store, ServerConfig config = {});

  void receive(std::string_view bytes);
  // Call after the store changed (another session, a delivery): while the session is in
  // IDLE the changes are pushed at once as untagged responses; otherwise they are
  // reported at the end of the client's next command (see MailStore).
  void poll();
  // The time APPEND uses when the client gives no date-time (seconds since the epoch).
  void set_now(std::int64_t seconds) { now_ = seconds; }

  bool tls_requested() const { return tls_requested_; }
  void tls_established();
  bool tls_active() const { return tls_active_; }
  bool closed() const { return closed_; }
  void connection_lost();
  // The autologout timer expired (RFC 3501 section 5.4, at least kAutologout): "* BYE" and close.
  void timed_out();
  static constexpr std::int64_t kAutologout = 30LL * 60 * 1'000'000;  // microseconds

  State state() const { return state_; }
  static const char* state_name(State s);
  const std::string& user() const { return user_; }
  const std::string& selected_mailbox() const { return mailbox_; }
  bool read_only() const { return read_only_; }
  bool idling() const { return mode_ == Mode::Idle; }
  std::string capabilities() const;

 private:
  enum class Mode { Line, Literal, SkipLiteral, AuthResponse, Idle };
  struct Done {
    enum class Kind { Ok, No, Bad, Pending } kind = Kind::Ok;
    std::string text;
  };
  using Handler = Done (ServerSession::*)(CommandParser&);
  // The tagged OK of a successful LOGIN or AUTHENTICATE, with the new capabilities.
  Done logged_in(std::string_view command);
  struct CommandSpec {
    std::string_view verb;
    unsigned states;  // bit (1 << State)
    Handler handler;
  };
  struct ViewMessage {
    std::uint32_t uid = 0;
    FlagSet flags;
    bool recent = false;
    bool expunged = false;  // gone from the store, EXPUNGE not yet reported
  };
  // A response being built: bytes for the wire and the same with literals elided.
  struct Response {
    std::string wire;
    std::string display;
    void add(std::string_view s) { wire += s; display += s; }
    void add_literal(std::string_view data);
  };

  static const std::vector<CommandSpec>& command_table();

  void set_state(State s);
  void process();
  void on_line(std::string line);
  void on_overlong();
  void finish_command_text();
  void execute();
  void reset_command();
  void refuse_literal(std::uint64_t size, bool non_sync, std::uint64_t limit);
  void discard_after_error(std::string_view line);
  void on_auth_response(const std::string& line);
  void on_idle_line(const std::string& line);
  void send(std::string line);
  void send(const Response& r);
  void tagged(const std::string& tag, const Done& d);
  void protocol_error(std::string text);
  bool login_disabled() const;

  // Reports what changed in the selected mailbox since the session last looked.
  void sync(bool allow_expunge);
  void select_mailbox(const std::string& name, bool read_only, const MailboxSnapshot& snap);
  void deselect();
  // Resolves a sequence set (or a UID set) to 0-based indexes into view_, ascending.
  bool resolve(const SequenceSet& set, bool uid, std::vector<std::size_t>& out,
               std::string& error) const;
  Done sasl_step(const proto::SaslServer::Step& step);

  Done cmd_capability(CommandParser& p);
  Done cmd_noop(CommandParser& p);
  Done cmd_logout(CommandParser& p);
  Done cmd_starttls(CommandParser& p);
  Done cmd_login(CommandParser& p);
  Done cmd_authenticate(CommandParser& p);
  Done cmd_id(CommandParser& p);
  Done cmd_namespace(CommandParser& p);
  Done cmd_select(CommandParser& p);
  Done cmd_examine(CommandParser& p);
  Done cmd_create(CommandParser& p);
  Done cmd_delete(CommandParser& p);
  Done cmd_rename(CommandParser& p);
  Done cmd_subscribe(CommandParser& p);
  Done cmd_unsubscribe(CommandParser& p);
  Done cmd_list(CommandParser& p);
  Done cmd_lsub(CommandParser& p);
  Done cmd_status(CommandParser& p);
  Done cmd_append(CommandParser& p);
  Done cmd_idle(CommandParser& p);
  Done cmd_check(CommandParser& p);
  Done cmd_close(CommandParser& p);
  Done cmd_unselect(CommandParser& p);
  Done cmd_expunge(CommandParser& p);
  Done cmd_search(CommandParser& p);
  Done cmd_fetch(CommandParser& p);
  Done cmd_store(CommandParser& p);
  Done cmd_copy(CommandParser& p);
  Done cmd_move(CommandParser& p);
  Done cmd_uid(CommandParser& p);
  Done do_select(CommandParser& p, bool read_only);
  Done do_list(CommandParser& p, bool lsub);
  Done do_subscribe(CommandParser& p, bool subscribe);
  Done do_copy(CommandParser& p, bool move);
  bool search_matches(const SearchKey& key, std::size_t index, std::uint32_t max_uid,
                      std::shared_ptr<const std::string>& raw);

  MailStore& store_;
  ServerConfig config_;
  proto::LineReader reader_{kMaxCommandLine};
  State state_ = State::NotAuthenticated;
  Mode mode_ = Mode::Line;
  bool tls_requested_ = false;
  bool tls_active_ = false;
  bool closed_ = false;
  std::int64_t now_ = 0;
  std::string user_;

  // The command being assembled.
  std::string cmd_;          // wire form: lines joined with CRLF, literals inline
  std::string cmd_display_;  // for events: literal data elided
  std::string cmd_tag_;
  std::string cmd_verb_;
  std::uint64_t cmd_literals_ = 0;   // literal octets so far
  std::uint64_t literal_left_ = 0;   // Mode::Literal / SkipLiteral
  bool discarding_ = false;          // skipping the rest of a refused command
  bool uid_command_ = false;
  std::string pending_tag_;          // AUTHENTICATE / IDLE in progress
  std::optional<proto::SaslServer> sasl_;  // AUTHENTICATE waiting for a response

  // The selected mailbox.
  std::string mailbox_;
  bool read_only_ = false;
  std::uint32_t uidvalidity_ = 0;
  std::uint64_t seen_version_ = 0;
  std::vector<ViewMessage> view_;
};

}  // namespace mailsim::imap
