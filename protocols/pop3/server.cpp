// POP3 server session: command table, state machine, maildrop snapshot and UPDATE-state commit.
#include "protocols/pop3/server.hpp"

#include <cassert>
#include <cstdint>
#include <functional>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/md5.hpp"

namespace mailsim::pop3 {
namespace {

constexpr unsigned bit(ServerSession::State s) { return 1u << static_cast<unsigned>(s); }
constexpr unsigned kAuth = bit(ServerSession::State::Authorization);
constexpr unsigned kTrans = bit(ServerSession::State::Transaction);

// Decimal value of a digit string, saturating instead of overflowing.
std::size_t parse_count(std::string_view s) {
  // 2^40 where std::size_t has 64 bits; 2^28 where it has 32 (the web build), so v * 10 + 9
  // never wraps. Both are far beyond any message number or line count.
  constexpr std::size_t kCap =
      sizeof(std::size_t) >= 8 ? static_cast<std::size_t>(std::uint64_t{1} << 40) : std::size_t{1} << 28;
  std::size_t v = 0;
  for (const char c : s) {
    v = v * 10 + static_cast<std::size_t>(c - '0');
    if (v > kCap) return kCap;
  }
  return v;
}

// How each command is written, for "-ERR usage: ..." replies.
std::string_view usage_of(std::string_view verb) {
  if (verb == "USER") return "USER name";
  if (verb == "PASS") return "PASS password";
  if (verb == "APOP") return "APOP name digest";
  if (verb == "LIST") return "LIST [msg]";
  if (verb == "UIDL") return "UIDL [msg]";
  if (verb == "RETR") return "RETR msg";
  if (verb == "TOP") return "TOP msg lines";
  if (verb == "DELE") return "DELE msg";
  if (verb == "AUTH") return "AUTH mechanism [initial-response]";
  return verb;  // commands without arguments
}

// A line that can only be a SASL response: base64 alphabet (RFC 4648) and no command verb.
bool looks_like_sasl_data(std::string_view line) {
  if (!proto::looks_like_sasl_response(line)) return false;
  const std::string upper = proto::to_upper(line);
  for (const char* verb : {"AUTH", "CAPA", "USER", "PASS", "APOP", "STLS", "STAT", "LIST", "UIDL", "RETR", "TOP",
                           "DELE", "RSET", "NOOP", "QUIT"})
    if (upper == verb) return false;
  return true;
}

}  // namespace

const char* to_string(ServerSession::State s) {
  switch (s) {
    case ServerSession::State::Authorization: return "AUTHORIZATION";
    case ServerSession::State::Transaction: return "TRANSACTION";
    case ServerSession::State::Update: return "UPDATE";
    case ServerSession::State::Closed: return "CLOSED";
  }
  return "?";
}

const std::vector<ServerSession::Command>& ServerSession::command_table() {
  static const std::vector<Command> table = {
      {"CAPA", kAuth | kTrans, &ServerSession::cmd_capa}, {"USER", kAuth, &ServerSession::cmd_user},
      {"PASS", kAuth, &ServerSession::cmd_pass},          {"APOP", kAuth, &ServerSession::cmd_apop},
      {"AUTH", kAuth, &ServerSession::cmd_auth},
      {"STLS", kAuth, &ServerSession::cmd_stls},          {"STAT", kTrans, &ServerSession::cmd_stat},
      {"LIST", kTrans, &ServerSession::cmd_list},         {"UIDL", kTrans, &ServerSession::cmd_uidl},
      {"RETR", kTrans, &ServerSession::cmd_retr},         {"TOP", kTrans, &ServerSession::cmd_top},
      {"DELE", kTrans, &ServerSession::cmd_dele},         {"RSET", kTrans, &ServerSession::cmd_rset},
      {"NOOP", kTrans, &ServerSession::cmd_noop},         {"QUIT", kAuth | kTrans, &ServerSession::cmd_quit},
  };
  return table;
}

ServerSession::ServerSession(ServerConfig config, ServerBackend& backend)
    : config_(std::move(config)), backend_(backend), reader_(kMaxCommandLine - 2),
      tls_active_(config_.implicit_tls) {
  std::string greeting = "+OK ";
  if (config_.greeting_names_host) greeting += config_.host + " ";
  greeting += config_.greeting;
  if (!config_.apop_timestamp.empty()) greeting += " " + config_.apop_timestamp;
  reply(greeting);
}

void ServerSession::set_state(State next) {
  if (next == state_) return;
  emit_state_changed(to_string(state_), to_string(next));
  state_ = next;
}

void ServerSession::reply(std::string_view line) {
  assert(line.size() + 2 <= kMaxStatusLine && "status line over the RFC 2449 limit");
  write(line);
  write("\r\n");
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ReplySent;
  e.text = std::string(line);
  e.status = line.substr(0, 1) == "+" ? "+OK" : "-ERR";
  emit(std::move(e));
}

void ServerSession::reply_data_line(std::string_view stuffed_line) {
  write(stuffed_line);
  write("\r\n");
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ReplySent;
  e.text = std::string(stuffed_line);
  emit(std::move(e));
}

void ServerSession::end_multiline() { reply_data_line("."); }

bool ServerSession::bad_command(std::string_view reply_line, std::string_view why) {
  ++bad_commands_;
  emit(proto::ProtocolEvent::Kind::ProtocolError, std::string(why));
  if (bad_commands_ >= config_.max_bad_commands) {
    close_with("-ERR too many bad commands, closing connection");
    return false;
  }
  reply(reply_line);
  return true;
}

void ServerSession::close_with(std::string_view reply_line) {
  reply(reply_line);
  release_lock();
  set_state(State::Closed);
}

void ServerSession::release_lock() {
  if (!locked_) return;
  locked_ = false;
  backend_.unlock();
  messages_.clear();
  deleted_.clear();
}

void ServerSession::receive(std::string_view bytes) {
  if (closed() || bytes.empty()) return;
  if (tls_requested_) {
    emit(proto::ProtocolEvent::Kind::ProtocolError,
         "ignored " + std::to_string(bytes.size()) + " byte(s) sent before TLS was established");
    return;
  }
  reader_.feed(bytes);
  while (!closed() && !tls_requested_) {
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) break;
    if (r.status == proto::LineReader::Status::Overlong) {
      if (sasl_) {
        sasl_.reset();
        bad_command("-ERR SASL response too long, authentication aborted",
                    "SASL response longer than " + std::to_string(kMaxCommandLine) + " octets");
        continue;
      }
      bad_command("-ERR command line too long",
                  "command line longer than " + std::to_string(kMaxCommandLine) + " octets (RFC 2449)");
      continue;
    }
    if (sasl_) {
      on_sasl_response(r.line);
    } else {
      handle_line(r.line);
    }
  }
  if (closed()) {
    reader_.clear();
  } else if (tls_requested_ && reader_.buffered() > 0) {
    // RFC 2595 / CVE-2011-0411: anything pipelined after STLS was sent in the clear; drop it.
    emit(proto::ProtocolEvent::Kind::ProtocolError,
         "ignored " + std::to_string(reader_.buffered()) + " byte(s) sent after STLS before TLS was established");
    reader_.clear();
  }
}

void ServerSession::handle_line(const std::string& line) {
  const std::size_t space = line.find(' ');
  const std::string verb = proto::to_upper(std::string_view(line).substr(0, space));
  const std::string_view args =
      space == std::string::npos ? std::string_view() : std::string_view(line).substr(space + 1);

  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.verb = verb;
  e.text = line;
  // SASL data carries credentials (PLAIN is user and password in base64), so it is masked
  // like PASS and APOP: the initial response on the AUTH line, and -- when AUTH is not
  // offered here -- a line right after a bare "AUTH PLAIN" that is nothing but base64 (a
  // client that did not wait for the "+ " challenge). Responses to our own challenges are
  // masked in on_sasl_response().
  const bool sasl_data = std::exchange(after_bare_auth_, false) && looks_like_sasl_data(line);
  if (verb == "PASS") {
    e.text = "PASS ********";
    e.clear_text = line;
  } else if (verb == "APOP") {
    const auto w = split_words(args);
    e.text = "APOP " + (w.empty() ? std::string() : std::string(w[0]) + " ") + "********";
    e.clear_text = line;
  } else if (verb == "AUTH") {
    const auto w = split_words(args);
    if (w.size() > 1) {
      e.text = "AUTH " + std::string(w[0]) + " ********";
      e.clear_text = line;
    }
    after_bare_auth_ = w.size() == 1;  // cleared below when our own exchange starts
  } else if (sasl_data) {
    e.verb.clear();
    e.text = "********";
    e.clear_text = line;
  }
  emit(std::move(e));
  if (sasl_data) {
    pending_user_.clear();
    bad_command("-ERR unknown command", "SASL data after AUTH (hidden): AUTH is not offered");
    return;
  }

  const Command* cmd = nullptr;
  for (const auto& c : command_table()) {
    if (c.verb == verb) cmd = &c;
  }
  if (cmd == nullptr) {
    pending_user_.clear();
    bad_command("-ERR unknown command", "unknown command \"" + verb + "\"");
    return;
  }
  if ((cmd->states & bit(state_)) == 0) {
    pending_user_.clear();
    bad_command("-ERR " + verb + " not valid in " + to_string(state_) + " state",
                verb + " sent in " + to_string(state_) + " state");
    return;
  }
  // RFC 1939 section 7: PASS is only valid immediately after a successful USER.
  if (verb != "PASS") pending_user_.clear();
  (this->*(cmd->handler))(args);
  if (sasl_) after_bare_auth_ = false;  // the next line is our exchange's response
}

std::optional<std::size_t> ServerSession::message_arg(std::string_view verb, std::string_view arg) {
  if (!proto::all_digits(arg)) {
    bad_command("-ERR usage: " + std::string(usage_of(verb)),
                verb == "TOP" ? "TOP needs a message number and a line count" : std::string(verb) + " needs a message number");
    return std::nullopt;
  }
  const std::size_t n = parse_count(arg);
  if (n == 0 || n > messages_.size()) {
    reply("-ERR no such message");
    return std::nullopt;
  }
  if (deleted_[n - 1]) {
    reply("-ERR message " + std::to_string(n) + " already deleted");
    return std::nullopt;
  }
  return n - 1;
}

std::optional<std::size_t> ServerSession::single_message_arg(std::string_view verb, std::string_view args) {
  const auto w = split_words(args);
  if (w.size() != 1) {
    bad_command("-ERR usage: " + std::string(usage_of(verb)), std::string(verb) + " needs exactly one message number");
    return std::nullopt;
  }
  return message_arg(verb, w[0]);
}

bool ServerSession::no_argument(std::string_view verb, std::string_view args) {
  if (args.empty()) return true;
  bad_command("-ERR usage: " + std::string(verb), std::string(verb) + " takes no argument");
  return false;
}

std::optional<std::string> ServerSession::read_message(std::size_t index) {
  auto body = backend_.retrieve(index);
  if (!body) reply("-ERR [SYS/TEMP] message could not be read");
  return body;
}

ServerSession::Totals ServerSession::undeleted_totals() const {
  Totals t;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) continue;
    ++t.count;
    t.octets += messages_[i].size;
  }
  return t;
}

std::string ServerSession::maildrop_summary() const {
  const Totals t = undeleted_totals();
  return std::to_string(t.count) + " messages (" + std::to_string(t.octets) + " octets)";
}

bool ServerSession::enter_transaction(const std::string& user) {
  if (!backend_.lock_maildrop(user)) {
    reply("-ERR [IN-USE] maildrop already locked");
    return false;
  }
  locked_ = true;
  user_ = user;
  messages_ = backend_.snapshot();
  deleted_.assign(messages_.size(), false);
  for ([[maybe_unused]] const auto& m : messages_) {
    assert(!m.uid.empty() && m.uid.size() <= kMaxUniqueId && "backend gave an invalid unique-id");
  }
  reply("+OK " + user + "'s maildrop has " + maildrop_summary());
  set_state(State::Transaction);
  return true;
}

void ServerSession::cmd_capa(std::string_view args) {
  if (!no_argument("CAPA", args)) return;
  reply("+OK Capability list follows");
  auto line = [&](std::string_view keyword) {
    const bool authorization = state_ == State::Authorization;
    if (keyword == "USER") {
      if (authorization && (config_.allow_plaintext_login || tls_active_)) reply_data_line("USER");
    } else if (keyword == "SASL") {
      if (authorization && sasl_allowed()) reply_data_line("SASL PLAIN LOGIN");
    } else if (keyword == "STLS") {
      if (authorization && config_.offer_stls && !tls_active_) reply_data_line("STLS");
    } else if (keyword == "IMPLEMENTATION") {
      reply_data_line(stuff_line("IMPLEMENTATION " + config_.implementation));
    } else {
      reply_data_line(std::string(keyword));
    }
  };
  if (config_.capabilities.empty()) {
    for (std::size_t i = 0; i + 1 < kCapaKeywords.size(); ++i) line(kCapaKeywords[i]);
  } else {
    for (const auto& k : config_.capabilities) line(k);
  }
  end_multiline();
}

void ServerSession::cmd_user(std::string_view args) {
  const auto w = split_words(args);
  if (w.size() != 1) {
    bad_command("-ERR usage: USER name", "USER needs exactly one user name");
    return;
  }
  if (!config_.allow_plaintext_login && !tls_active_) {
    reply("-ERR [AUTH] plaintext login not allowed before STLS");
    return;
  }
  pending_user_ = std::string(w[0]);
  reply("+OK send PASS");
}

void ServerSession::cmd_pass(std::string_view args) {
  const std::string user = std::exchange(pending_user_, {});
  if (user.empty()) {
    bad_command("-ERR give USER first", "PASS without a preceding USER");
    return;
  }
  if (args.empty()) {
    bad_command("-ERR usage: PASS password", "PASS without a password");
    return;
  }
  // RFC 1939: the password is everything after "PASS " (it may contain spaces).
  if (!backend_.authenticate(user, args)) {
    login_failed("login failed for " + user);
    return;
  }
  enter_transaction(user);
}

// A wrong password (USER/PASS or APOP): said once, and the connection closed after too many.
void ServerSession::login_failed(const std::string& note) {
  ++auth_failures_;
  emit(proto::ProtocolEvent::Kind::Note, note);
  if (auth_failures_ >= config_.max_auth_failures) {
    close_with("-ERR [AUTH] too many failed logins, closing connection");
  } else {
    reply("-ERR [AUTH] invalid user name or password");
  }
}

void ServerSession::cmd_apop(std::string_view args) {
  if (config_.apop_timestamp.empty()) {
    bad_command("-ERR APOP not available", "APOP used but the greeting offered no timestamp");
    return;
  }
  const auto w = split_words(args);
  if (w.size() != 2 || !is_md5_hex(w[1])) {
    bad_command("-ERR usage: APOP name digest", "APOP needs a user name and a 32-digit hex MD5 digest");
    return;
  }
  const std::string user(w[0]);
  const auto secret = backend_.apop_secret(user);
  if (!secret || !proto::iequals(proto::md5_hex(config_.apop_timestamp + *secret), w[1])) {
    login_failed("APOP login failed for " + user);
    return;
  }
  enter_transaction(user);
}

// RFC 5034 section 4. A bare "AUTH" lists the mechanisms (RFC 1734 servers did; Thunderbird
// and Outlook ask that way when CAPA has no SASL line).
void ServerSession::cmd_auth(std::string_view args) {
  if (!config_.offer_sasl) {
    pending_user_.clear();
    bad_command("-ERR unknown command", "AUTH used but SASL is not offered here");
    return;
  }
  const auto w = split_words(args);
  if (w.empty()) {
    if (!sasl_allowed()) {
      reply("-ERR [AUTH] plaintext authentication not allowed before STLS");
      return;
    }
    reply("+OK SASL mechanisms follow");
    reply_data_line("PLAIN");
    reply_data_line("LOGIN");
    end_multiline();
    return;
  }
  if (w.size() > 2) {
    bad_command("-ERR usage: AUTH mechanism [initial-response]", "AUTH with more than a mechanism and a response");
    return;
  }
  const auto mech = proto::parse_sasl_mechanism(w[0]);
  if (!mech) {
    bad_command("-ERR unsupported authentication mechanism",
                "AUTH mechanism \"" + std::string(w[0].substr(0, 32)) + "\" not offered (PLAIN LOGIN are)");
    return;
  }
  if (!sasl_allowed()) {
    reply("-ERR [AUTH] plaintext authentication not allowed before STLS");
    return;
  }
  sasl_.emplace(*mech);
  const auto step = w.size() == 2 ? sasl_->start(w[1]) : sasl_->start(std::nullopt);
  sasl_step(step);
}

void ServerSession::on_sasl_response(const std::string& line) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.text = line == "*" ? std::string("*") : std::string("********");
  if (line != "*") e.clear_text = line;
  emit(std::move(e));
  sasl_step(sasl_->respond(line));
}

void ServerSession::sasl_step(const proto::SaslServer::Step& step) {
  using Kind = proto::SaslServer::Step::Kind;
  const std::string mech = proto::sasl_mechanism_name(sasl_->mechanism());
  if (step.kind == Kind::Challenge) {
    reply("+ " + step.challenge);
    return;
  }
  sasl_.reset();
  if (step.kind == Kind::Failed) {
    switch (step.failure) {
      case proto::SaslFailure::Cancelled:
        emit(proto::ProtocolEvent::Kind::Note, std::string("AUTH ") + mech + " cancelled by the client");
        reply("-ERR authentication cancelled");
        return;
      case proto::SaslFailure::AuthzidMismatch:
        login_failed(std::string("AUTH ") + mech + ": " + proto::describe(step.failure));
        return;
      default:
        bad_command("-ERR invalid SASL response", std::string("AUTH ") + mech + ": " + proto::describe(step.failure));
        return;
    }
  }
  if (!backend_.authenticate(step.user, step.password)) {
    login_failed("AUTH " + mech + " login failed for " + step.user);
    return;
  }
  enter_transaction(step.user);
}

void ServerSession::cmd_stls(std::string_view args) {
  if (!no_argument("STLS", args)) return;
  if (!config_.offer_stls) {
    bad_command("-ERR STLS not available", "STLS used but not offered");
    return;
  }
  if (tls_active_) {
    bad_command("-ERR already using TLS", "STLS on a connection that is already protected");
    return;
  }
  reply("+OK begin TLS negotiation");
  tls_requested_ = true;
  emit(proto::ProtocolEvent::Kind::Note, "TLS negotiation requested");
}

void ServerSession::tls_established() {
  assert(tls_requested_ && "tls_established() without a pending STLS");
  tls_requested_ = false;
  tls_active_ = true;
  reader_.clear();
  pending_user_.clear();
  sasl_.reset();
  emit(proto::ProtocolEvent::Kind::Note, "TLS established; still in AUTHORIZATION, earlier knowledge discarded");
}

void ServerSession::cmd_stat(std::string_view args) {
  if (!no_argument("STAT", args)) return;
  const Totals t = undeleted_totals();
  reply("+OK " + std::to_string(t.count) + " " + std::to_string(t.octets));
}

// LIST and UIDL: "n entry" for one message, or a multi-line listing of every undeleted one.
void ServerSession::scan_listing(std::string_view verb, std::string_view args, const std::string& listing_status,
                                 const std::function<std::string(std::size_t)>& entry) {
  const auto w = split_words(args);
  if (w.size() > 1) {
    bad_command("-ERR usage: " + std::string(usage_of(verb)), std::string(verb) + " takes at most one message number");
    return;
  }
  if (w.size() == 1) {
    const auto idx = message_arg(verb, w[0]);
    if (idx) reply("+OK " + std::to_string(*idx + 1) + " " + entry(*idx));
    return;
  }
  reply(listing_status);
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!deleted_[i]) reply_data_line(std::to_string(i + 1) + " " + entry(i));
  }
  end_multiline();
}

void ServerSession::cmd_list(std::string_view args) {
  scan_listing("LIST", args, "+OK " + maildrop_summary(),
               [this](std::size_t i) { return std::to_string(messages_[i].size); });
}

void ServerSession::cmd_uidl(std::string_view args) {
  scan_listing("UIDL", args, "+OK unique-id listing follows", [this](std::size_t i) { return messages_[i].uid; });
}

void ServerSession::cmd_retr(std::string_view args) {
  const auto idx = single_message_arg("RETR", args);
  if (!idx) return;
  const auto body = read_message(*idx);
  if (!body) return;
  reply("+OK " + std::to_string(messages_[*idx].size) + " octets");
  for (const auto line : split_message_lines(*body)) reply_data_line(stuff_line(line));
  end_multiline();
}

void ServerSession::cmd_top(std::string_view args) {
  const auto w = split_words(args);
  if (w.size() != 2 || !proto::all_digits(w[1])) {
    bad_command("-ERR usage: TOP msg lines", "TOP needs a message number and a line count");
    return;
  }
  const auto idx = message_arg("TOP", w[0]);
  if (!idx) return;
  const auto body = read_message(*idx);
  if (!body) return;
  const std::size_t body_lines = parse_count(w[1]);
  reply("+OK top of message follows");
  bool in_body = false;
  std::size_t sent_body = 0;
  for (const auto line : split_message_lines(*body)) {
    if (in_body) {
      if (sent_body == body_lines) break;
      ++sent_body;
    } else if (line.empty()) {
      in_body = true;  // the blank line between header and body is always sent
    }
    reply_data_line(stuff_line(line));
  }
  end_multiline();
}

void ServerSession::cmd_dele(std::string_view args) {
  const auto idx = single_message_arg("DELE", args);
  if (!idx) return;
  deleted_[*idx] = true;
  reply("+OK message " + std::to_string(*idx + 1) + " deleted");
}

void ServerSession::cmd_rset(std::string_view args) {
  if (!no_argument("RSET", args)) return;
  deleted_.assign(messages_.size(), false);
  reply("+OK maildrop has " + maildrop_summary());
}

void ServerSession::cmd_noop(std::string_view args) {
  if (!no_argument("NOOP", args)) return;
  reply("+OK");
}

void ServerSession::cmd_quit(std::string_view args) {
  if (!no_argument("QUIT", args)) return;
  const std::string sign_off = "+OK " + config_.host + " POP3 server signing off";
  if (state_ == State::Authorization) {
    // RFC 1939 section 5: QUIT before login ends the session without an UPDATE state.
    reply(sign_off);
    set_state(State::Closed);
    return;
  }
  set_state(State::Update);
  std::vector<std::size_t> doomed;
  std::size_t left = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) {
      doomed.push_back(i);
    } else {
      ++left;
    }
  }
  const bool committed = doomed.empty() || backend_.commit_deletions(doomed);
  if (!committed) {
    reply("-ERR [SYS/TEMP] some deleted messages not removed");
  } else if (left == 0) {
    reply(sign_off + " (maildrop empty)");
  } else {
    reply(sign_off + " (" + std::to_string(left) + (left == 1 ? " message left)" : " messages left)"));
  }
  if (committed && !doomed.empty()) {
    emit(proto::ProtocolEvent::Kind::Note, std::to_string(doomed.size()) + " message(s) removed from the maildrop");
  }
  release_lock();
  set_state(State::Closed);
}

void ServerSession::timed_out() {
  if (closed()) return;
  emit(proto::ProtocolEvent::Kind::Note,
       std::string("autologout timer expired in ") + to_string(state_) + " state: nothing deleted");
  tls_requested_ = false;
  sasl_.reset();
  reader_.clear();
  release_lock();
  set_state(State::Closed);
}

void ServerSession::connection_lost() {
  if (closed()) return;
  emit(proto::ProtocolEvent::Kind::Note,
       std::string("connection lost in ") + to_string(state_) + " state: nothing deleted");
  tls_requested_ = false;
  sasl_.reset();
  reader_.clear();
  release_lock();
  set_state(State::Closed);
}

}  // namespace mailsim::pop3
