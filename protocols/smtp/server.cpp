// SMTP server session: command dispatch, AUTH, STARTTLS, DATA framing and limits.
#include "protocols/smtp/server.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"

namespace mailsim::smtp {

namespace {

using State = ServerSession::State;

constexpr unsigned bit(State s) { return 1u << static_cast<unsigned>(s); }
constexpr unsigned kSession = bit(State::Connected) | bit(State::Ready) | bit(State::MailGiven) | bit(State::RcptGiven);
constexpr unsigned kTransaction = bit(State::MailGiven) | bit(State::RcptGiven);

using proto::to_upper;

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses the digits of a SIZE= value (already limited to kMaxSizeDigits).
std::optional<std::uint64_t> parse_size(std::string_view v) {
  if (v.empty() || v.size() > kMaxSizeDigits) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  return n;
}

Reply ok_reply() { return Reply::make(250, "2.0.0", "OK"); }

}  // namespace

std::string_view mechanism_name(AuthMechanism m) {
  switch (m) {
    case AuthMechanism::Plain: return "PLAIN";
    case AuthMechanism::Login: return "LOGIN";
  }
  return "?";
}

std::optional<AuthMechanism> parse_mechanism(std::string_view name) {
  const std::string u = to_upper(name);
  if (u == "PLAIN") return AuthMechanism::Plain;
  if (u == "LOGIN") return AuthMechanism::Login;
  return std::nullopt;
}

std::string_view to_string(ServerSession::State s) {
  switch (s) {
    case State::Connected: return "Connected";
    case State::Ready: return "Ready";
    case State::MailGiven: return "MailGiven";
    case State::RcptGiven: return "RcptGiven";
    case State::Data: return "Data";
    case State::AuthPlain: return "AuthPlain";
    case State::AuthLoginUser: return "AuthLoginUser";
    case State::AuthLoginPassword: return "AuthLoginPassword";
    case State::TlsPending: return "TlsPending";
    case State::Closed: return "Closed";
  }
  return "?";
}

// The command table: verb, the states in which it may be used, its handler, and whether it
// may come before STARTTLS where TLS is required. A verb used in any other state gets a
// 503 5.5.1 from sequence_error().
const ServerSession::Command ServerSession::kCommands[] = {
    {"HELO", kSession, &ServerSession::cmd_helo, true},
    {"EHLO", kSession, &ServerSession::cmd_ehlo, true},
    {"MAIL", bit(State::Ready), &ServerSession::cmd_mail},
    {"RCPT", kTransaction, &ServerSession::cmd_rcpt},
    {"DATA", bit(State::RcptGiven), &ServerSession::cmd_data},
    {"RSET", kSession, &ServerSession::cmd_rset},
    {"NOOP", kSession, &ServerSession::cmd_noop, true},
    {"VRFY", kSession, &ServerSession::cmd_vrfy},
    {"EXPN", kSession, &ServerSession::cmd_expn},
    {"HELP", kSession, &ServerSession::cmd_help},
    {"QUIT", kSession, &ServerSession::cmd_quit, true},
    {"STARTTLS", bit(State::Connected) | bit(State::Ready), &ServerSession::cmd_starttls, true},
    {"AUTH", bit(State::Ready), &ServerSession::cmd_auth},
};

ServerSession::ServerSession(ServerConfig config, ServerBackend& backend, std::string client_ip)
    : config_(std::move(config)), backend_(backend) {
  config_.max_message_size = std::min(config_.max_message_size, kMaxMessageSizeCap);
  if (config_.max_message_size == 0) config_.max_message_size = kMaxMessageSizeCap;
  ctx_.client_ip = std::move(client_ip);
  ctx_.tls = config_.implicit_tls;
  send(Reply::make(220, "", config_.hostname + " " + config_.banner));
}

void ServerSession::set_state(State s) {
  if (s == state_) return;
  emit_state_changed(std::string(to_string(state_)), std::string(to_string(s)));
  state_ = s;
}

void ServerSession::send(const Reply& reply) {
  if (reply.positive() || reply.intermediate()) errors_ = 0;
  for (const auto& line : reply.format_lines()) {
    proto::ProtocolEvent e;
    e.kind = proto::ProtocolEvent::Kind::ReplySent;
    e.text = line;
    e.code = reply.code;
    e.status = reply.enhanced;
    emit(std::move(e));
  }
  write(reply.format());
}

void ServerSession::error(Reply reply, std::string why) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ProtocolError;
  e.text = std::move(why);
  e.code = reply.code;
  e.status = reply.enhanced;
  emit(std::move(e));
  send(reply);
  if (++errors_ >= kMaxConsecutiveErrors) {
    send(Reply::make(421, "4.7.0", config_.hostname + " Too many errors, closing connection"));
    set_state(State::Closed);
  }
}

void ServerSession::receive(std::string_view bytes) {
  if (state_ == State::Closed) return;
  if (state_ == State::TlsPending) {
    const std::size_t room = kMaxHeldTlsInput - held_.size();
    held_.append(bytes.substr(0, room));
    return;
  }
  if (state_ == State::Data) {
    bytes.remove_prefix(feed_data(bytes));
    if (state_ == State::Data) return;
  }
  reader_.feed(bytes);
  process_input();
}

void ServerSession::process_input() {
  while (state_ != State::Closed && state_ != State::TlsPending && state_ != State::Data) {
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) break;
    if (r.status == proto::LineReader::Status::Overlong) {
      if (state_ == State::AuthPlain || state_ == State::AuthLoginUser || state_ == State::AuthLoginPassword) {
        abort_auth(Reply::make(500, "5.5.6", "Line too long"), "AUTH response longer than 12288 octets");
      } else {
        error(Reply::make(500, "5.5.6", "Line too long"), "command line longer than 512 octets");
      }
      continue;
    }
    if (state_ == State::AuthPlain || state_ == State::AuthLoginUser || state_ == State::AuthLoginPassword)
      handle_auth_response(r.line);
    else
      handle_command_line(r.line);

    if (state_ == State::Data) {
      // Pipelined bytes after DATA belong to the message; what follows its end is commands.
      const std::string rest = reader_.take_bytes(reader_.buffered()).value_or(std::string());
      const std::size_t used = feed_data(rest);
      reader_.feed(std::string_view(rest).substr(used));
    } else if (state_ == State::TlsPending && reader_.buffered() > 0) {
      // RFC 3207 section 5: anything pipelined after STARTTLS was sent in the clear and
      // must not be acted on once the stream is protected (command injection).
      emit(proto::ProtocolEvent::Kind::ProtocolError,
           "discarded " + std::to_string(reader_.buffered()) + " octet(s) pipelined after STARTTLS");
      reader_.clear();
    }
  }
}

void ServerSession::handle_command_line(std::string_view line) {
  // Length first: only AUTH may use the longer RFC 4954 limit.
  if (line.size() + 2 > kMaxCommandLine && !proto::istarts_with(line, "AUTH ")) {
    proto::ProtocolEvent e;
    e.kind = proto::ProtocolEvent::Kind::CommandReceived;
    e.text = std::string(line.substr(0, 64)) + "... (" + std::to_string(line.size()) + " octets)";
    emit(std::move(e));
    error(Reply::make(500, "5.5.6", "Line too long"), "command line longer than 512 octets");
    return;
  }
  const std::size_t sp = line.find(' ');
  const std::string verb = to_upper(line.substr(0, sp));
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  arg = trim_right(arg);

  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.verb = verb;
  e.text = std::string(line);
  if (verb == "AUTH") {
    // Mask an initial response: "AUTH PLAIN ********".
    const std::size_t sp2 = arg.find(' ');
    if (sp2 != std::string_view::npos) {
      e.clear_text = e.text;
      e.text = std::string(line.substr(0, sp + 1 + sp2)) + " ********";
    }
  }
  emit(std::move(e));

  for (const auto& c : kCommands) {
    if (c.verb != verb) continue;
    if (config_.require_tls && !ctx_.tls && !c.before_tls) {
      // Before the state check, as Postfix does: the client learns first what it must do.
      error(Reply::make(530, "5.7.0", "Must issue a STARTTLS command first"),
            verb + " before STARTTLS on a port that requires TLS");
      return;
    }
    if ((c.allowed & bit(state_)) == 0) {
      sequence_error(verb);
      return;
    }
    (this->*c.handler)(arg);
    return;
  }
  error(Reply::make(500, "5.5.2", "Command not recognized"), "unknown command \"" + verb.substr(0, 32) + "\"");
}

void ServerSession::sequence_error(std::string_view verb) {
  std::string text = "Bad sequence of commands";
  if (state_ == State::Connected && verb != "AUTH") {
    text = "Send HELO/EHLO first";
  } else if (verb == "MAIL") {
    text = "Sender already specified";
  } else if (verb == "RCPT") {
    text = "Need MAIL command";
  } else if (verb == "DATA") {
    if (state_ == State::Ready) {
      text = "Need MAIL command";
    } else if (!rcpt_results_.empty()) {
      error(Reply::make(554, "5.5.1", "No valid recipients"), "DATA with every recipient refused");
      return;
    } else {
      text = "Need RCPT command";
    }
  } else if (verb == "AUTH") {
    text = state_ == State::Connected ? "Send EHLO first" : "AUTH not allowed during a mail transaction";
  } else if (verb == "STARTTLS") {
    text = "STARTTLS not allowed during a mail transaction";
  }
  error(Reply::make(503, "5.5.1", text), std::string(verb) + " not allowed in state " + std::string(to_string(state_)));
}

void ServerSession::reset_transaction() {
  envelope_ = Envelope{};
  rcpt_results_.clear();
}

bool ServerSession::auth_advertised() const {
  return config_.offer_auth && !config_.auth_mechanisms.empty() &&
         (ctx_.tls || (!config_.require_tls_for_auth && !config_.require_tls));
}

void ServerSession::greet(std::string_view arg, bool extended) {
  const std::string_view name = arg.substr(0, arg.find(' '));
  if (name.empty()) {
    error(Reply::make(501, "5.5.4", extended ? "Syntax: EHLO hostname" : "Syntax: HELO hostname"),
          "HELO/EHLO without a host name");
    return;
  }
  reset_transaction();
  ctx_.helo_name = std::string(name);
  ctx_.esmtp = extended;
  Reply r;
  r.code = 250;
  r.lines.push_back(config_.hostname + " Hello " + std::string(name));
  if (extended) {
    auto add = [&](std::string_view keyword) {
      if (keyword == "SIZE") {
        r.lines.push_back("SIZE " + std::to_string(config_.max_message_size));
      } else if (keyword == "AUTH") {
        if (!auth_advertised()) return;
        std::string line = "AUTH";
        for (auto m : config_.auth_mechanisms) {
          line += ' ';
          line += mechanism_name(m);
        }
        r.lines.push_back(std::move(line));
      } else if (keyword == "STARTTLS") {
        if (config_.offer_starttls && !ctx_.tls) r.lines.emplace_back("STARTTLS");
      } else {
        r.lines.emplace_back(keyword);
      }
    };
    if (config_.extensions.empty()) {
      for (auto k : kEhloKeywords) add(k);
    } else {
      for (const auto& k : config_.extensions) add(k);
    }
  }
  send(r);
  set_state(State::Ready);
}

void ServerSession::cmd_helo(std::string_view arg) { greet(arg, false); }
void ServerSession::cmd_ehlo(std::string_view arg) { greet(arg, true); }

void ServerSession::cmd_mail(std::string_view arg) {
  if (config_.require_auth && ctx_.authenticated_user.empty()) {
    error(Reply::make(530, "5.7.0", "Authentication required"), "MAIL before AUTH on a port that requires it");
    return;
  }
  const auto split = split_path_argument(arg, "FROM");
  if (!split) {
    error(Reply::make(501, "5.5.4", "Syntax: MAIL FROM:<address>"), "malformed MAIL command");
    return;
  }
  std::string why;
  const auto path = parse_path(split->path, PathOptions{true, false}, &why);
  if (!path) {
    error(Reply::make(501, "5.1.7", "Bad sender address syntax"), "bad reverse-path: " + why);
    return;
  }
  Envelope env;
  env.null_sender = path->null;
  env.reverse_path = path->address();
  if (!split->params.empty() && !ctx_.esmtp) {
    error(Reply::make(555, "5.5.4", "MAIL parameters require EHLO"), "MAIL parameters after HELO");
    return;
  }
  bool seen_size = false, seen_body = false, seen_auth = false;
  for (const auto& [key, value] : split->params) {
    if (key == "SIZE" && !seen_size) {
      seen_size = true;
      const auto n = parse_size(value);
      if (!n) {
        error(Reply::make(501, "5.5.4", "Invalid SIZE parameter"), "SIZE=" + value.substr(0, 32) + " is not a number");
        return;
      }
      env.declared_size = *n;
    } else if (key == "BODY" && !seen_body) {
      seen_body = true;
      const std::string v = to_upper(value);
      if (v == "7BIT") {
        env.body = BodyType::SevenBit;
      } else if (v == "8BITMIME") {
        env.body = BodyType::EightBitMime;
      } else {
        error(Reply::make(501, "5.5.4", "Invalid BODY parameter"), "unsupported BODY=" + value.substr(0, 32));
        return;
      }
    } else if (key == "AUTH" && !seen_auth && config_.offer_auth) {
      seen_auth = true;  // RFC 4954 section 5: accepted and not relayed further here
    } else {
      error(Reply::make(555, "5.5.4", "Unsupported parameter " + key.substr(0, 32)),
            "unsupported or repeated MAIL parameter " + key.substr(0, 32));
      return;
    }
  }
  if (env.declared_size && *env.declared_size > config_.max_message_size) {
    // RFC 1870 section 6: refuse before any data is sent.
    send(Reply::make(552, "5.3.4", "Message size exceeds fixed maximum message size"));
    return;
  }
  const Reply r = backend_.check_sender(ctx_, env.reverse_path);
  send(r);
  if (r.positive()) {
    reset_transaction();
    envelope_ = std::move(env);
    set_state(State::MailGiven);
  }
}

void ServerSession::cmd_rcpt(std::string_view arg) {
  const auto split = split_path_argument(arg, "TO");
  if (!split) {
    error(Reply::make(501, "5.5.4", "Syntax: RCPT TO:<address>"), "malformed RCPT command");
    return;
  }
  std::string why;
  const auto path = parse_path(split->path, PathOptions{false, true}, &why);
  if (!path) {
    error(Reply::make(501, "5.1.3", "Bad recipient address syntax"), "bad forward-path: " + why);
    return;
  }
  if (!split->params.empty()) {
    error(Reply::make(555, "5.5.4", "Unsupported parameter " + split->params.front().first.substr(0, 32)),
          "unsupported RCPT parameter");
    return;
  }
  const std::string address = path->address();
  Reply r;
  if (envelope_.recipients.size() >= config_.max_recipients) {
    r = Reply::make(452, "4.5.3", "Too many recipients");
  } else {
    r = backend_.check_recipient(ctx_, address);
  }
  send(r);
  rcpt_results_.push_back(RecipientResult{address, r});
  if (r.positive()) {
    envelope_.recipients.push_back(address);
    set_state(State::RcptGiven);
  }
}

void ServerSession::cmd_data(std::string_view arg) {
  if (!arg.empty()) {
    error(Reply::make(501, "5.5.4", "Syntax: DATA"), "DATA with an argument");
    return;
  }
  message_.clear();
  line_.clear();
  line_length_ = 0;
  last_byte_ = 0;
  line_start_crlf_ = true;
  line_too_long_ = false;
  over_size_ = false;
  message_size_ = 0;
  data_lines_ = 0;
  send(Reply::make(354, "", "End data with <CR><LF>.<CR><LF>"));
  set_state(State::Data);
}

std::size_t ServerSession::feed_data(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size() && state_ == State::Data) {
    const std::size_t lf = bytes.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? bytes.size() : lf;
    const std::string_view piece = bytes.substr(pos, end - pos);
    if (!piece.empty()) {
      // Keep at most one text line's worth; only the length is counted beyond that.
      if (line_.size() < kMaxTextLine) line_.append(piece.substr(0, kMaxTextLine - line_.size()));
      line_length_ += piece.size();
      last_byte_ = piece.back();
    }
    if (lf == std::string_view::npos) return bytes.size();
    pos = lf + 1;
    end_data_line(line_length_ > 0 && last_byte_ == '\r');
  }
  return pos;
}

void ServerSession::end_data_line(bool crlf) {
  // The end of data is CRLF "." CRLF and nothing else (RFC 5321 4.1.1.4): a "." line
  // counts only if it and the line before it both end with CRLF, so bare LF or CR next
  // to the dot (SMTP smuggling) stays inside the message.
  if (crlf && line_start_crlf_ && line_length_ == 2 && line_[0] == '.') {
    finish_data();
    return;
  }
  ++data_lines_;
  const std::size_t content = line_length_ - (crlf ? 1 : 0);
  if (content + 2 > kMaxTextLine) line_too_long_ = true;
  if (!line_too_long_ && !over_size_) {
    std::string_view text(line_);
    if (line_start_crlf_ && !text.empty() && text.front() == '.') text.remove_prefix(1);  // 4.5.2
    const std::size_t adding = text.size() + 1;
    if (message_size_ + adding > config_.max_message_size) {
      over_size_ = true;
    } else {
      message_.append(text);
      message_ += '\n';
      message_size_ += adding;
    }
  }
  if (line_too_long_ || over_size_) {
    // Keep reading to the end, but hold nothing of a message we will refuse.
    message_.clear();
    message_.shrink_to_fit();
  }
  line_start_crlf_ = crlf;
  line_.clear();
  line_length_ = 0;
  last_byte_ = 0;
}

void ServerSession::finish_data() {
  proto::ProtocolEvent note;
  note.kind = proto::ProtocolEvent::Kind::Note;
  note.text = "message data ended by <CRLF>.<CRLF>: " + std::to_string(data_lines_) + " line(s), " +
              std::to_string(message_size_) + " octet(s)" + (over_size_ || line_too_long_ ? " (discarded)" : "");
  emit(std::move(note));
  line_.clear();
  line_length_ = 0;
  set_state(State::Ready);
  if (line_too_long_) {
    error(Reply::make(500, "5.5.6", "Line too long"), "message text line longer than 1000 octets");
  } else if (over_size_) {
    send(Reply::make(552, "5.3.4", "Message size exceeds fixed maximum message size"));
  } else {
    const Reply r = backend_.accept_message(ctx_, envelope_, message_);
    send(r);
    if (r.positive()) ++messages_accepted_;
  }
  message_.clear();
  envelope_ = Envelope{};
}

void ServerSession::cmd_rset(std::string_view arg) {
  if (!arg.empty()) {
    error(Reply::make(501, "5.5.4", "Syntax: RSET"), "RSET with an argument");
    return;
  }
  reset_transaction();
  send(ok_reply());
  set_state(idle_state());
}

void ServerSession::cmd_noop(std::string_view) { send(ok_reply()); }

void ServerSession::cmd_vrfy(std::string_view arg) {
  if (arg.empty()) {
    error(Reply::make(501, "5.5.4", "Syntax: VRFY address"), "VRFY without an argument");
    return;
  }
  send(Reply::make(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"));
}

void ServerSession::cmd_expn(std::string_view) {
  error(Reply::make(502, "5.5.1", "EXPN not available"), "EXPN is not implemented");
}

void ServerSession::cmd_help(std::string_view) {
  Reply r;
  r.code = 214;
  r.enhanced = "2.0.0";
  r.lines = {"Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS AUTH",
             "See RFC 5321 for details"};
  send(r);
}

void ServerSession::cmd_quit(std::string_view) {
  send(Reply::make(221, "2.0.0", config_.hostname + " closing connection"));
  envelope_ = Envelope{};  // an unfinished transaction is abandoned; results stay readable
  set_state(State::Closed);
}

void ServerSession::cmd_starttls(std::string_view arg) {
  if (ctx_.tls) {
    error(Reply::make(503, "5.5.1", "TLS already active"), "STARTTLS on a protected stream");
    return;
  }
  if (!config_.offer_starttls) {
    error(Reply::make(502, "5.5.1", "STARTTLS not available"), "STARTTLS is not offered here");
    return;
  }
  if (!arg.empty()) {
    error(Reply::make(501, "5.5.4", "Syntax: STARTTLS"), "STARTTLS with an argument");
    return;
  }
  send(Reply::make(220, "2.0.0", "Ready to start TLS"));
  set_state(State::TlsPending);
}

void ServerSession::tls_established() {
  assert(state_ == State::TlsPending && "tls_established() without a STARTTLS go-ahead");
  if (state_ != State::TlsPending) return;
  // RFC 3207 section 4.2: discard everything learned from the client (HELO, AUTH,
  // transaction); the client must say EHLO again.
  ctx_.tls = true;
  ctx_.helo_name.clear();
  ctx_.esmtp = false;
  ctx_.authenticated_user.clear();
  reset_transaction();
  reader_.clear();
  emit(proto::ProtocolEvent::Kind::Note, "TLS established; session state reset, client must send EHLO again");
  set_state(State::Connected);
  const std::string held = std::exchange(held_, {});
  if (!held.empty()) receive(held);
}

void ServerSession::timed_out() {
  if (state_ == State::Closed) return;
  emit(proto::ProtocolEvent::Kind::Note, state_ == State::Data ? "client timed out during DATA: message discarded"
                                                               : "client timed out");
  reset_transaction();
  message_.clear();
  send(Reply::make(421, "4.4.2", config_.hostname + " Error: timeout exceeded"));
  set_state(State::Closed);
}

void ServerSession::connection_lost() {
  if (state_ == State::Closed) return;
  emit(proto::ProtocolEvent::Kind::Note,
       state_ == State::Data ? "connection lost during DATA: message discarded" : "connection lost");
  reset_transaction();
  message_.clear();
  set_state(State::Closed);
}

void ServerSession::cmd_auth(std::string_view arg) {
  if (!config_.offer_auth || config_.auth_mechanisms.empty()) {
    error(Reply::make(502, "5.5.1", "AUTH not available"), "AUTH is not offered here");
    return;
  }
  if (!ctx_.authenticated_user.empty()) {
    error(Reply::make(503, "5.5.1", "Already authenticated"), "second AUTH in one session");
    return;
  }
  if (!ctx_.esmtp) {
    error(Reply::make(503, "5.5.1", "Send EHLO first"), "AUTH after HELO");
    return;
  }
  if (config_.require_tls_for_auth && !ctx_.tls) {
    error(Reply::make(538, "5.7.11", "Encryption required for requested authentication mechanism"),
          "AUTH before STARTTLS");
    return;
  }
  const std::size_t sp = arg.find(' ');
  const std::string_view name = arg.substr(0, sp);
  const std::string_view initial = sp == std::string_view::npos ? std::string_view() : arg.substr(sp + 1);
  const auto mech = parse_mechanism(name);
  if (name.empty() || initial.find(' ') != std::string_view::npos) {
    error(Reply::make(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"), "malformed AUTH command");
    return;
  }
  if (!mech || std::find(config_.auth_mechanisms.begin(), config_.auth_mechanisms.end(), *mech) ==
                   config_.auth_mechanisms.end()) {
    error(Reply::make(504, "5.5.4", "Unrecognized authentication type"),
          "AUTH mechanism " + std::string(name.substr(0, 32)) + " not offered");
    return;
  }
  auth_mechanism_ = *mech;
  if (*mech == AuthMechanism::Plain) {
    if (initial.empty()) {
      send(Reply::make(334, "", ""));
      set_state(State::AuthPlain);
    } else {
      finish_plain(initial);
    }
    return;
  }
  if (initial.empty()) {
    send(Reply::make(334, "", "VXNlcm5hbWU6"));  // "Username:"
    set_state(State::AuthLoginUser);
    return;
  }
  if (initial == "*") {
    error(Reply::make(501, "5.0.0", "Authentication cancelled"), "AUTH cancelled by the client");
    return;
  }
  const auto user = proto::base64_decode(initial);
  if (!user) {
    error(Reply::make(501, "5.5.2", "Invalid base64 data"), "AUTH LOGIN initial response is not valid base64");
    return;
  }
  auth_user_ = *user;
  send(Reply::make(334, "", "UGFzc3dvcmQ6"));  // "Password:"
  set_state(State::AuthLoginPassword);
}

void ServerSession::abort_auth(Reply reply, std::string why) {
  auth_user_.clear();
  set_state(State::Ready);
  error(std::move(reply), std::move(why));
}

void ServerSession::handle_auth_response(std::string_view line) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.text = line == "*" ? std::string("*") : std::string("********");
  if (line != "*") e.clear_text = std::string(line);
  emit(std::move(e));
  if (line == "*") {
    abort_auth(Reply::make(501, "5.0.0", "Authentication cancelled"), "AUTH cancelled by the client");
    return;
  }
  if (state_ == State::AuthPlain) {
    set_state(State::Ready);
    finish_plain(line);
    return;
  }
  const auto decoded = proto::base64_decode(line);
  if (!decoded) {
    abort_auth(Reply::make(501, "5.5.2", "Invalid base64 data"), "AUTH response is not valid base64");
    return;
  }
  if (state_ == State::AuthLoginUser) {
    auth_user_ = *decoded;
    send(Reply::make(334, "", "UGFzc3dvcmQ6"));
    set_state(State::AuthLoginPassword);
    return;
  }
  set_state(State::Ready);
  finish_auth(std::exchange(auth_user_, {}), *decoded);
}

void ServerSession::finish_plain(std::string_view base64) {
  // "=" stands for an empty initial response (RFC 4954 section 4).
  const auto decoded = base64 == "=" ? std::optional<std::string>(std::string()) : proto::base64_decode(base64);
  if (!decoded) {
    error(Reply::make(501, "5.5.2", "Invalid base64 data"), "AUTH PLAIN response is not valid base64");
    return;
  }
  // RFC 4616: [authzid] NUL authcid NUL passwd.
  const std::size_t n1 = decoded->find('\0');
  const std::size_t n2 = n1 == std::string::npos ? std::string::npos : decoded->find('\0', n1 + 1);
  if (n2 == std::string::npos || decoded->find('\0', n2 + 1) != std::string::npos) {
    error(Reply::make(501, "5.5.2", "Malformed PLAIN response"), "AUTH PLAIN response is not authzid NUL user NUL password");
    return;
  }
  const std::string authzid = decoded->substr(0, n1);
  const std::string user = decoded->substr(n1 + 1, n2 - n1 - 1);
  const std::string password = decoded->substr(n2 + 1);
  if (!authzid.empty() && authzid != user) {
    error(Reply::make(535, "5.7.8", "Authentication credentials invalid"), "AUTH PLAIN asked to act as another user");
    return;
  }
  finish_auth(user, password);
}

void ServerSession::finish_auth(const std::string& user, const std::string& password) {
  if (!user.empty() && backend_.authenticate(mechanism_name(auth_mechanism_), user, password)) {
    ctx_.authenticated_user = user;
    send(Reply::make(235, "2.7.0", "Authentication successful"));
    return;
  }
  error(Reply::make(535, "5.7.8", "Authentication credentials invalid"), "authentication failed for the given credentials");
}

}  // namespace mailsim::smtp
