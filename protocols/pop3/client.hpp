// POP3 client session (sans-I/O): runs one mail-download job and reports what happened.
#pragma once
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/common/line_reader.hpp"
#include "protocols/pop3/wire.hpp"

namespace mailsim::pop3 {

enum class AuthMethod {
  UserPass,       // USER + PASS
  Apop,           // APOP only; fails if the greeting has no timestamp (never falls back)
  ApopIfOffered,  // APOP when the greeting has a timestamp, else USER + PASS
  SaslPlain,      // RFC 5034 AUTH PLAIN, with the initial response when it fits the line
  SaslLogin,      // AUTH LOGIN: user name and password answer the server's two challenges
};
enum class TlsPolicy {
  None,      // plain text all along
  Stls,      // STLS required before logging in (RFC 2595); fails if refused
  Implicit,  // port 995: the connection is protected from the start
};
enum class RetentionMode { DeleteAfterDownload, LeaveOnServer };

struct ClientJob {
  std::string user;
  std::string password;  // APOP uses it as the shared secret
  AuthMethod auth = AuthMethod::UserPass;
  TlsPolicy tls = TlsPolicy::None;
  RetentionMode mode = RetentionMode::DeleteAfterDownload;
  // UIDs downloaded by earlier runs. LeaveOnServer fetches only the others (when the server
  // has UIDL); DeleteAfterDownload deletes them without downloading them again.
  std::set<std::string> known_uids;
};

struct DownloadedMessage {
  std::size_t number = 0;  // message number in this session
  std::string uid;         // empty when the server has no UIDL
  std::size_t size = 0;    // octets received (after un-stuffing, CRLF line endings)
  std::string bytes;
};

struct DeletedMessage {
  std::size_t number = 0;
  std::string uid;
};

enum class ClientErrorKind {
  GreetingRejected,   // -ERR greeting
  TlsUnavailable,     // STLS required but not offered or refused
  ApopUnavailable,    // APOP required but the greeting has no timestamp
  AuthFailed,         // -ERR to USER, PASS or APOP
  MaildropLocked,     // -ERR [IN-USE]
  CommandFailed,      // -ERR to STAT, RETR or DELE
  MessageRejected,    // a message over kMaxMessageOctets or with a line over kMaxDataLine
  ProtocolViolation,  // the server's reply made no sense
  ConnectionLost,     // connection_lost() before the job finished
  QuitFailed,         // -ERR to QUIT: deletions not committed
};

struct ClientError {
  ClientErrorKind kind;
  std::string detail;
};

struct ClientResult {
  std::vector<DownloadedMessage> downloaded;
  std::vector<DeletedMessage> deleted;  // DELE answered +OK (marked; see deletions_committed)
  // True only when something was marked deleted and QUIT was answered +OK (RFC 1939
  // UPDATE state): then the messages in `deleted` are really gone from the server.
  bool deletions_committed = false;
  bool completed = false;       // the session ended with +OK to QUIT
  bool uidl_supported = false;  // UIDL answered +OK
  std::size_t messages_on_server = 0;  // from STAT
  std::vector<ClientError> errors;
};

const char* to_string(ClientErrorKind kind);

class ClientSession : public proto::EngineOutput {
 public:
  enum class State {
    Greeting, Capabilities, StartTls, TlsHandshake, User, Pass, Apop, Auth,
    Stat, Uidl, Retrieve, Delete, Quit, Done,
  };

  explicit ClientSession(ClientJob job);

  void receive(std::string_view bytes);
  void connection_lost();

  // After +OK to STLS: the caller runs the TLS handshake, then calls tls_established().
  bool tls_requested() const { return tls_requested_; }
  void tls_established();
  bool tls_active() const { return tls_active_; }

  State state() const { return state_; }
  bool closed() const { return state_ == State::Done; }
  const ClientResult& result() const { return result_; }
  // Capabilities from the last CAPA (upper-case keyword -> rest of the line).
  const std::map<std::string, std::string>& capabilities() const { return caps_; }

 private:
  struct Step {
    std::size_t number;
    std::string uid;
    bool fetch;
    bool remove;
  };

  void set_state(State next);
  void send(std::string_view line, std::string_view masked = {});
  void error(ClientErrorKind kind, std::string detail);
  void protocol_error(std::string text);
  void fail_fatally(std::string detail);

  void on_status(const std::string& line);
  void on_data_line(const std::string& line);
  void on_multiline_end();

  void after_capabilities();
  void start_auth();
  void start_sasl();
  void on_sasl_challenge(const std::string& line);
  void auth_failed(const StatusLine& st, const std::string& line);
  void build_plan();
  void next_step();
  void quit();

  ClientJob job_;
  ClientResult result_;
  proto::LineReader reader_;
  State state_ = State::Greeting;
  bool tls_active_ = false;
  bool tls_requested_ = false;
  bool multiline_ = false;
  std::string timestamp_;
  int sasl_step_ = 0;  // AUTH: challenges answered so far
  bool caps_known_ = false;
  std::map<std::string, std::string> caps_;
  std::map<std::size_t, std::string> uids_;
  std::vector<Step> plan_;
  std::size_t step_ = 0;
  std::string message_;      // message being received
  bool message_bad_ = false;  // over a limit: read to its end, then drop
};

const char* to_string(ClientSession::State s);

}  // namespace mailsim::pop3
