// IMAP4rev1 server session: command framing with literals, dispatch table, mailbox view sync.
#include "protocols/imap/server.hpp"

#include <algorithm>
#include <cassert>

#include "protocols/common/base64.hpp"
#include "protocols/imap/message_view.hpp"

namespace mailsim::imap {

namespace {

constexpr unsigned kNotAuth = 1u << static_cast<unsigned>(ServerSession::State::NotAuthenticated);
constexpr unsigned kAuth = 1u << static_cast<unsigned>(ServerSession::State::Authenticated);
constexpr unsigned kSelected = 1u << static_cast<unsigned>(ServerSession::State::Selected);
constexpr unsigned kAny = kNotAuth | kAuth | kSelected;

constexpr std::string_view kSystemFlagList = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

// A literal announced at the end of a command line: "{123}" or "{123+}".
struct LiteralMarker {
  bool present = false;
  bool non_sync = false;
  std::uint64_t size = 0;  // saturates: "too large" is all we need to know then
};

LiteralMarker literal_marker(std::string_view line) {
  LiteralMarker m;
  if (line.empty() || line.back() != '}') return m;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return m;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  if (!inside.empty() && inside.back() == '+') {
    m.non_sync = true;
    inside.remove_suffix(1);
  }
  if (inside.empty()) return m;
  std::uint64_t v = 0;
  for (char c : inside) {
    if (c < '0' || c > '9') return m;
    v = v > (~0ull - 9) / 10 ? ~0ull : v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  m.present = true;
  m.size = v;
  return m;
}

std::string status_of(std::string_view line) {
  if (line.rfind("+", 0) == 0) return "+";
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos) return {};
  auto rest = line.substr(sp + 1);
  for (std::string_view s : {"OK", "NO", "BAD", "BYE", "PREAUTH"})
    if (rest.substr(0, s.size()) == s && (rest.size() == s.size() || rest[s.size()] == ' '))
      return std::string(s);
  return {};
}

// Wildcard match for LIST: '*' matches anything, '%' anything but the delimiter.
// Dynamic programming over (pattern, name) positions, so no pattern can take exponential time.
bool wildcard_match(std::string_view pattern, std::string_view name, bool fold) {
  auto up = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; };
  const std::size_t n = name.size();
  std::vector<char> next(n + 1, 0);  // row i + 1
  std::vector<char> cur(n + 1, 0);   // row i
  next[n] = 1;                       // empty pattern matches only the empty rest
  for (std::size_t i = pattern.size(); i-- > 0;) {
    const char pc = pattern[i];
    for (std::size_t j = n + 1; j-- > 0;) {
      bool m = false;
      if (pc == '*' || pc == '%') {
        m = next[j] || (j < n && (pc == '*' || name[j] != '/') && cur[j + 1]);
      } else if (j < n) {
        m = (fold ? up(pc) == up(name[j]) : pc == name[j]) && next[j + 1];
      }
      cur[j] = m ? 1 : 0;
    }
    std::swap(cur, next);
  }
  return next[0] != 0;
}

bool has_flag(const FlagSet& f, std::string_view flag) { return f.count(std::string(flag)) > 0; }

}  // namespace

void ServerSession::Response::add_literal(std::string_view data) {
  const std::string head = "{" + std::to_string(data.size()) + "}";
  wire += head;
  wire += "\r\n";
  wire.append(data);
  display += head;
}

const char* ServerSession::state_name(State s) {
  switch (s) {
    case State::NotAuthenticated: return "NOT-AUTHENTICATED";
    case State::Authenticated: return "AUTHENTICATED";
    case State::Selected: return "SELECTED";
    case State::Logout: return "LOGOUT";
  }
  return "?";
}

const std::vector<ServerSession::CommandSpec>& ServerSession::command_table() {
  static const std::vector<CommandSpec> table = {
      {"CAPABILITY", kAny, &ServerSession::cmd_capability},
      {"NOOP", kAny, &ServerSession::cmd_noop},
      {"LOGOUT", kAny, &ServerSession::cmd_logout},
      {"STARTTLS", kNotAuth, &ServerSession::cmd_starttls},
      {"LOGIN", kNotAuth, &ServerSession::cmd_login},
      {"AUTHENTICATE", kNotAuth, &ServerSession::cmd_authenticate},
      {"ID", kAny, &ServerSession::cmd_id},
      {"NAMESPACE", kAuth | kSelected, &ServerSession::cmd_namespace},
      {"SELECT", kAuth | kSelected, &ServerSession::cmd_select},
      {"EXAMINE", kAuth | kSelected, &ServerSession::cmd_examine},
      {"CREATE", kAuth | kSelected, &ServerSession::cmd_create},
      {"DELETE", kAuth | kSelected, &ServerSession::cmd_delete},
      {"RENAME", kAuth | kSelected, &ServerSession::cmd_rename},
      {"SUBSCRIBE", kAuth | kSelected, &ServerSession::cmd_subscribe},
      {"UNSUBSCRIBE", kAuth | kSelected, &ServerSession::cmd_unsubscribe},
      {"LIST", kAuth | kSelected, &ServerSession::cmd_list},
      {"LSUB", kAuth | kSelected, &ServerSession::cmd_lsub},
      {"STATUS", kAuth | kSelected, &ServerSession::cmd_status},
      {"APPEND", kAuth | kSelected, &ServerSession::cmd_append},
      {"IDLE", kAuth | kSelected, &ServerSession::cmd_idle},
      {"CHECK", kSelected, &ServerSession::cmd_check},
      {"CLOSE", kSelected, &ServerSession::cmd_close},
      {"UNSELECT", kSelected, &ServerSession::cmd_unselect},
      {"EXPUNGE", kSelected, &ServerSession::cmd_expunge},
      {"SEARCH", kSelected, &ServerSession::cmd_search},
      {"FETCH", kSelected, &ServerSession::cmd_fetch},
      {"STORE", kSelected, &ServerSession::cmd_store},
      {"COPY", kSelected, &ServerSession::cmd_copy},
      {"MOVE", kSelected, &ServerSession::cmd_move},
      {"UID", kSelected, &ServerSession::cmd_uid},
  };
  return table;
}

ServerSession::ServerSession(MailStore& store, ServerConfig config)
    : store_(store), config_(std::move(config)), tls_active_(config_.implicit_tls) {
  send("* OK [CAPABILITY " + capabilities() + "] " +
       (config_.greeting.empty() ? config_.host + " IMAP4rev1 service ready" : config_.greeting));
}

std::string ServerSession::capabilities() const {
  const bool before_login = state_ == State::NotAuthenticated;
  std::string caps;
  auto add = [&](std::string_view atom) {
    if (atom == "STARTTLS" && !(before_login && !tls_active_ && config_.starttls_available)) return;
    if (atom == "LOGINDISABLED" && !(before_login && login_disabled())) return;
    if (atom.starts_with("AUTH=") && !(before_login && !login_disabled())) return;
    if (!caps.empty()) caps += ' ';
    caps += atom;
  };
  if (config_.capabilities.empty()) {
    for (auto a : kCapabilityAtoms) add(a);
  } else {
    for (const auto& a : config_.capabilities) add(a);
  }
  return caps;
}

ServerSession::Done ServerSession::logged_in(std::string_view command) {
  if (config_.untagged_capabilities_after_login) {
    send("* CAPABILITY " + capabilities());
    return {Done::Kind::Ok, std::string(command) + " completed"};
  }
  return {Done::Kind::Ok, "[CAPABILITY " + capabilities() + "] " + std::string(command) + " completed"};
}

bool ServerSession::login_disabled() const { return config_.login_requires_tls && !tls_active_; }

void ServerSession::set_state(State s) {
  if (s == state_) return;
  emit_state_changed(state_name(state_), state_name(s));
  state_ = s;
}

void ServerSession::send(std::string line) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ReplySent;
  e.status = status_of(line);
  write(line);
  write("\r\n");
  e.text = std::move(line);
  emit(std::move(e));
}

void ServerSession::send(const Response& r) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ReplySent;
  e.status = status_of(r.display);
  e.text = r.display;
  write(r.wire);
  write("\r\n");
  emit(std::move(e));
}

void ServerSession::protocol_error(std::string text) {
  emit(proto::ProtocolEvent::Kind::ProtocolError, std::move(text));
}

void ServerSession::tagged(const std::string& tag, const Done& d) {
  const char* word = d.kind == Done::Kind::Ok ? "OK" : d.kind == Done::Kind::No ? "NO" : "BAD";
  if (d.kind == Done::Kind::Bad) protocol_error(d.text);
  send(tag + " " + word + " " + d.text);
}

void ServerSession::tls_established() {
  if (!tls_requested_) return;
  tls_requested_ = false;
  tls_active_ = true;
  reader_.clear();
  mode_ = Mode::Line;
  emit(proto::ProtocolEvent::Kind::Note, "TLS established; the session starts again without capabilities");
}

void ServerSession::timed_out() {
  if (closed_) return;
  send("* BYE Autologout; idle for too long");
  closed_ = true;
  if (state_ != State::Logout) set_state(State::Logout);
}

void ServerSession::connection_lost() {
  if (closed_) return;
  closed_ = true;
  if (state_ != State::Logout) set_state(State::Logout);
}

void ServerSession::receive(std::string_view bytes) {
  if (closed_ || bytes.empty()) return;
  if (tls_requested_) {
    // Bytes before the handshake completes would be plaintext injected ahead of TLS.
    emit(proto::ProtocolEvent::Kind::Note, "Ignored " + std::to_string(bytes.size()) + " octet(s) received before TLS");
    return;
  }
  reader_.feed(bytes);
  process();
}

void ServerSession::poll() {
  if (closed_ || state_ != State::Selected) return;
  if (mode_ == Mode::Idle) sync(true);
}

void ServerSession::process() {
  while (!closed_ && !tls_requested_) {
    if (mode_ == Mode::Literal || mode_ == Mode::SkipLiteral) {
      const std::size_t have = reader_.buffered();
      if (have == 0) return;
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(literal_left_, static_cast<std::uint64_t>(have)));
      auto chunk = reader_.take_bytes(n);
      assert(chunk);
      if (mode_ == Mode::Literal) cmd_ += *chunk;
      literal_left_ -= n;
      if (literal_left_ == 0) mode_ = Mode::Line;
      continue;
    }
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) return;
    if (r.status == proto::LineReader::Status::Overlong) {
      on_overlong();
      continue;
    }
    switch (mode_) {
      case Mode::Line: on_line(std::move(r.line)); break;
      case Mode::AuthResponse: on_auth_response(r.line); break;
      case Mode::Idle: on_idle_line(r.line); break;
      case Mode::Literal:
      case Mode::SkipLiteral: break;
    }
  }
}

void ServerSession::reset_command() {
  cmd_.clear();
  cmd_display_.clear();
  cmd_tag_.clear();
  cmd_verb_.clear();
  cmd_literals_ = 0;
  uid_command_ = false;
}

void ServerSession::on_overlong() {
  const std::string tag = cmd_tag_.empty() ? "*" : cmd_tag_;
  if (mode_ == Mode::AuthResponse || mode_ == Mode::Idle) {
    sasl_.reset();
    tagged(pending_tag_, {Done::Kind::Bad, "Line too long"});
    pending_tag_.clear();
    mode_ = Mode::Line;
    return;
  }
  reset_command();
  discarding_ = false;
  protocol_error("Command line longer than " + std::to_string(kMaxCommandLine) + " octets");
  send(tag + " BAD Command line too long");
}

void ServerSession::discard_after_error(std::string_view line) {
  // The command was answered already; a non-synchronising literal at the end of this line
  // will arrive anyway and must be skipped, with the rest of the command after it.
  const auto m = literal_marker(line);
  if (m.present && m.non_sync) {
    literal_left_ = m.size;
    mode_ = Mode::SkipLiteral;
    discarding_ = true;
  } else {
    discarding_ = false;
  }
}

void ServerSession::refuse_literal(std::uint64_t size, bool non_sync, std::uint64_t limit) {
  const std::string text = "[TOOBIG] Literal of " + std::to_string(size) +
                           " octets is over the limit of " + std::to_string(limit);
  protocol_error(text);
  const std::string tag = cmd_tag_;
  reset_command();
  if (non_sync) {
    send(tag + " BAD " + text);
    literal_left_ = size;
    mode_ = Mode::SkipLiteral;
    discarding_ = true;
  } else {
    // The client waits for "+" and, refused, sends nothing more of this command.
    send(tag + " NO " + text);
  }
}

void ServerSession::on_line(std::string line) {
  if (discarding_) {
    discard_after_error(line);
    return;
  }
  const bool first = cmd_.empty() && cmd_tag_.empty();
  if (first) {
    CommandParser p(line);
    cmd_tag_ = p.tag();
    if (!p.ok() || !p.consume(' ')) {
      cmd_tag_.clear();
      protocol_error(line.empty() ? "Empty command line" : "Missing or invalid tag");
      send(line.empty() ? "* BAD Empty command line" : "* BAD Missing or invalid tag");
      discard_after_error(line);
      return;
    }
    std::string verb = to_upper(p.atom());
    if (verb == "UID" && p.consume(' ')) {
      const std::string sub = to_upper(p.atom());
      if (p.ok()) verb += " " + sub;
    }
    cmd_verb_ = p.ok() ? verb : std::string();
  }
  if (cmd_.size() + line.size() > kMaxCommandText) {
    const std::string tag = cmd_tag_;
    reset_command();
    protocol_error("Command longer than " + std::to_string(kMaxCommandText) + " octets");
    send(tag + " BAD Command too long");
    discard_after_error(line);
    return;
  }
  const auto m = literal_marker(line);
  cmd_ += line;
  cmd_display_ += line;
  if (!m.present) {
    execute();
    return;
  }
  const std::uint64_t limit = cmd_verb_ == "APPEND" ? kMaxAppendLiteral : kMaxLiteral;
  if (m.size > limit || cmd_literals_ + m.size > limit) {
    refuse_literal(m.size, m.non_sync, limit);
    return;
  }
  cmd_literals_ += m.size;
  cmd_ += "\r\n";
  cmd_display_ += " [" + std::to_string(m.size) + " octets] ";
  literal_left_ = m.size;
  mode_ = m.size > 0 ? Mode::Literal : Mode::Line;
  if (!m.non_sync) send("+ Ready for literal data");
}

void ServerSession::execute() {
  const std::string wire = std::exchange(cmd_, {});
  std::string display = std::exchange(cmd_display_, {});
  const std::string tag = cmd_tag_;
  const std::string verb = cmd_verb_;
  reset_command();

  CommandParser p(wire);
  p.tag();
  p.consume(' ');
  const std::string first_verb = to_upper(p.atom());

  // Events: the command as received, credentials masked.
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.verb = verb;
  if (verb == "LOGIN" || verb == "AUTHENTICATE") {
    CommandParser q(wire);
    q.tag();
    q.consume(' ');
    q.atom();
    std::string shown = tag + " " + verb;
    if (q.consume(' ')) {
      const std::string first_arg = verb == "LOGIN" ? q.astring() : q.atom();
      shown += " " + (verb == "LOGIN" ? imap_astring(first_arg) : first_arg);
      if (q.consume(' ') || !q.ok()) shown += " ********";
    }
    if (shown != display) {
      e.clear_text = display;
      display = shown;
    }
  }
  e.text = display;
  emit(std::move(e));

  if (!p.ok() || first_verb.empty()) {
    tagged(tag, {Done::Kind::Bad, "Missing command"});
    return;
  }
  const CommandSpec* spec = nullptr;
  for (const auto& c : command_table())
    if (c.verb == first_verb) spec = &c;
  if (!spec) {
    tagged(tag, {Done::Kind::Bad, "Unknown command " + first_verb});
    return;
  }
  if ((spec->states & (1u << static_cast<unsigned>(state_))) == 0) {
    tagged(tag, {Done::Kind::Bad, first_verb + " is not allowed in the " + state_name(state_) +
                                      " state"});
    return;
  }
  pending_tag_ = tag;
  Done d = (this->*(spec->handler))(p);
  if (d.kind == Done::Kind::Pending) return;
  pending_tag_.clear();
  if (state_ == State::Selected) {
    // RFC 3501 7.4.1: no EXPUNGE while answering FETCH, STORE or SEARCH (UID forms may).
    const bool quiet = verb == "FETCH" || verb == "STORE" || verb == "SEARCH";
    sync(!quiet);
  }
  tagged(tag, d);
}

// ---------------------------------------------------------------------------------------
// Mailbox view

void ServerSession::select_mailbox(const std::string& name, bool read_only,
                                   const MailboxSnapshot& snap) {
  mailbox_ = name;
  read_only_ = read_only;
  uidvalidity_ = snap.uidvalidity;
  seen_version_ = snap.version;
  view_.clear();
  std::vector<std::uint32_t> recent;
  if (!read_only) recent = store_.claim_recent(user_, name);
  for (const auto& m : snap.messages) {
    ViewMessage v;
    v.uid = m.uid;
    v.flags = m.flags;
    v.recent = std::find(recent.begin(), recent.end(), m.uid) != recent.end();
    view_.push_back(std::move(v));
  }
  set_state(State::Selected);
}

void ServerSession::deselect() {
  mailbox_.clear();
  view_.clear();
  read_only_ = false;
  set_state(State::Authenticated);
}

void ServerSession::sync(bool allow_expunge) {
  if (state_ != State::Selected) return;
  const std::uint64_t version = store_.version(user_, mailbox_);
  const bool pending_expunge =
      std::any_of(view_.begin(), view_.end(), [](const ViewMessage& v) { return v.expunged; });
  if (version == seen_version_ && !(allow_expunge && pending_expunge)) return;
  MailboxSnapshot snap;
  if (version != 0) {
    if (auto s = store_.snapshot(user_, mailbox_)) snap = std::move(*s);
  }
  // Which of our messages are gone; which changed flags (reported after the expunges,
  // with the final sequence numbers).
  std::vector<std::uint32_t> changed;
  std::size_t j = 0;
  for (auto& v : view_) {
    while (j < snap.messages.size() && snap.messages[j].uid < v.uid) ++j;
    if (j < snap.messages.size() && snap.messages[j].uid == v.uid) {
      if (snap.messages[j].flags != v.flags) {
        v.flags = snap.messages[j].flags;
        changed.push_back(v.uid);
      }
    } else {
      v.expunged = true;
    }
  }
  if (allow_expunge) {
    for (std::size_t i = 0; i < view_.size();) {
      if (view_[i].expunged) {
        send("* " + std::to_string(i + 1) + " EXPUNGE");
        view_.erase(view_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  for (std::size_t i = 0; i < view_.size(); ++i) {
    const auto& v = view_[i];
    if (!v.expunged && std::find(changed.begin(), changed.end(), v.uid) != changed.end())
      send("* " + std::to_string(i + 1) + " FETCH (FLAGS " + format_flag_list(v.flags, v.recent) +
           ")");
  }
  // New arrivals (UIDs above the last one we know).
  const std::uint32_t last = view_.empty() ? 0 : view_.back().uid;
  std::vector<std::uint32_t> recent;
  bool added = false;
  for (const auto& m : snap.messages) {
    if (m.uid <= last) continue;
    if (!added && !read_only_) recent = store_.claim_recent(user_, mailbox_);
    added = true;
    ViewMessage v;
    v.uid = m.uid;
    v.flags = m.flags;
    v.recent = std::find(recent.begin(), recent.end(), m.uid) != recent.end();
    view_.push_back(std::move(v));
  }
  if (added) {
    send("* " + std::to_string(view_.size()) + " EXISTS");
    const auto n = std::count_if(view_.begin(), view_.end(),
                                 [](const ViewMessage& v) { return v.recent; });
    send("* " + std::to_string(n) + " RECENT");
  }
  seen_version_ = version;
}

bool ServerSession::resolve(const SequenceSet& set, bool uid, std::vector<std::size_t>& out,
                            std::string& error) const {
  out.clear();
  if (uid) {
    const std::uint32_t max_uid = view_.empty() ? 0 : view_.back().uid;
    if (view_.empty()) return true;
    for (std::size_t i = 0; i < view_.size(); ++i)
      if (set.contains(view_[i].uid, max_uid)) out.push_back(i);
    return true;
  }
  const auto count = static_cast<std::uint32_t>(view_.size());
  if (count == 0 && set.uses_star()) return true;
  if (set.max_value(count) > count || set.max_value(count) == 0) {
    error = "Invalid message sequence number";
    return false;
  }
  for (std::uint32_t n = 1; n <= count; ++n)
    if (set.contains(n, count)) out.push_back(n - 1);
  return true;
}

// ---------------------------------------------------------------------------------------
// Commands: any state

ServerSession::Done ServerSession::cmd_capability(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  send("* CAPABILITY " + capabilities());
  return {Done::Kind::Ok, "CAPABILITY completed"};
}

ServerSession::Done ServerSession::cmd_noop(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  return {Done::Kind::Ok, "NOOP completed"};
}

ServerSession::Done ServerSession::cmd_logout(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  send("* BYE " + config_.host + " IMAP4rev1 server logging out");
  if (state_ == State::Selected) {
    mailbox_.clear();
    view_.clear();
  }
  set_state(State::Logout);
  tagged(pending_tag_, {Done::Kind::Ok, "LOGOUT completed"});
  pending_tag_.clear();
  closed_ = true;
  return {Done::Kind::Pending, {}};
}

// ---------------------------------------------------------------------------------------
// Commands: not authenticated

ServerSession::Done ServerSession::cmd_starttls(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (tls_active_) return {Done::Kind::Bad, "TLS is already active"};
  if (!config_.starttls_available) return {Done::Kind::Bad, "STARTTLS is not available"};
  tagged(pending_tag_, {Done::Kind::Ok, "Begin TLS negotiation now"});
  pending_tag_.clear();
  if (reader_.buffered() > 0) {
    emit(proto::ProtocolEvent::Kind::Note,
         "Discarded " + std::to_string(reader_.buffered()) + " octet(s) pipelined after STARTTLS");
  }
  reader_.clear();
  tls_requested_ = true;
  return {Done::Kind::Pending, {}};
}

ServerSession::Done ServerSession::cmd_login(CommandParser& p) {
  p.sp();
  const std::string user = p.astring();
  p.sp();
  const std::string pass = p.astring();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (login_disabled())
    return {Done::Kind::No, "[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS"};
  if (!store_.authenticate(user, pass))
    return {Done::Kind::No, "[AUTHENTICATIONFAILED] Invalid credentials"};
  user_ = user;
  set_state(State::Authenticated);
  return logged_in("LOGIN");
}

// The end of an AUTHENTICATE exchange, or its next challenge (RFC 3501 6.2.2, RFC 4959).
ServerSession::Done ServerSession::sasl_step(const proto::SaslServer::Step& step) {
  using Kind = proto::SaslServer::Step::Kind;
  if (step.kind == Kind::Challenge) {
    send("+ " + step.challenge);
    mode_ = Mode::AuthResponse;
    return {Done::Kind::Pending, {}};
  }
  const std::string mech = proto::sasl_mechanism_name(sasl_->mechanism());
  sasl_.reset();
  mode_ = Mode::Line;
  if (step.kind == Kind::Failed) {
    switch (step.failure) {
      case proto::SaslFailure::Cancelled:
        emit(proto::ProtocolEvent::Kind::Note, "AUTHENTICATE " + mech + " cancelled by the client");
        return {Done::Kind::Bad, "AUTHENTICATE cancelled"};
      case proto::SaslFailure::AuthzidMismatch:
        emit(proto::ProtocolEvent::Kind::Note, "AUTHENTICATE " + mech + ": " + proto::describe(step.failure));
        return {Done::Kind::No, "[AUTHENTICATIONFAILED] Invalid credentials"};
      case proto::SaslFailure::BadBase64: return {Done::Kind::Bad, "Invalid base64 data"};
      default: return {Done::Kind::Bad, "Invalid " + mech + " response"};
    }
  }
  if (!store_.authenticate(step.user, step.password)) {
    emit(proto::ProtocolEvent::Kind::Note, "AUTHENTICATE " + mech + " failed for " + step.user);
    return {Done::Kind::No, "[AUTHENTICATIONFAILED] Invalid credentials"};
  }
  user_ = step.user;
  set_state(State::Authenticated);
  return logged_in("AUTHENTICATE");
}

ServerSession::Done ServerSession::cmd_authenticate(CommandParser& p) {
  p.sp();
  const std::string mech_name = to_upper(p.atom());
  std::optional<std::string> initial;
  if (p.consume(' ')) {
    // RFC 4959: base64 or "=" (an empty response); both are atoms.
    initial = p.atom();
  }
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  const auto mech = proto::parse_sasl_mechanism(mech_name);
  if (!mech) return {Done::Kind::No, "Unsupported authentication mechanism"};
  if (login_disabled())
    return {Done::Kind::No, "[PRIVACYREQUIRED] Authentication is disabled until STARTTLS"};
  sasl_.emplace(*mech);
  return sasl_step(initial ? sasl_->start(*initial) : sasl_->start(std::nullopt));
}

void ServerSession::on_auth_response(const std::string& line) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.verb = "AUTHENTICATE";
  e.text = line == "*" ? "*" : "********";
  if (e.text != line) e.clear_text = line;
  emit(std::move(e));
  mode_ = Mode::Line;
  const Done d = sasl_step(sasl_->respond(line));
  if (d.kind == Done::Kind::Pending) return;
  tagged(std::exchange(pending_tag_, {}), d);
}

// RFC 2971: the client's identification (logged as a note) and ours.
ServerSession::Done ServerSession::cmd_id(CommandParser& p) {
  p.sp();
  std::string said;
  if (p.consume('(')) {
    std::size_t pairs = 0;
    while (p.ok() && !p.peek(')')) {
      if (pairs > 0) p.sp();
      const std::string field = p.string();
      p.sp();
      std::string value = "NIL";
      if (p.peek('"') || p.peek('{')) {
        value = p.string();
      } else if (!iequals(p.atom(), "NIL")) {
        p.fail("Expected a string or NIL as an ID value");
      }
      if (!p.ok()) break;
      if (++pairs > kMaxIdPairs) p.fail("More than " + std::to_string(kMaxIdPairs) + " ID field-value pairs");
      if (field.size() > kMaxIdField) p.fail("ID field longer than " + std::to_string(kMaxIdField) + " octets");
      if (value.size() > kMaxIdValue) p.fail("ID value longer than " + std::to_string(kMaxIdValue) + " octets");
      if (!said.empty()) said += ", ";
      said += field + "=" + value;
    }
    p.expect(')', "Missing ')' after the ID list");
  } else if (!iequals(p.atom(), "NIL")) {
    p.fail("ID takes a parenthesised list or NIL");
  }
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  emit(proto::ProtocolEvent::Kind::Note, said.empty() ? std::string("client sent no identification (ID NIL)")
                                                      : "client identified itself: " + said);
  send("* ID (\"name\" " + imap_string(config_.implementation) + ")");
  return {Done::Kind::Ok, "ID completed"};
}

// RFC 2342: one personal namespace with no prefix; no other users' or shared namespaces.
ServerSession::Done ServerSession::cmd_namespace(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  send("* NAMESPACE ((\"\" \"/\")) NIL NIL");
  return {Done::Kind::Ok, "NAMESPACE completed"};
}

// ---------------------------------------------------------------------------------------
// Commands: authenticated

ServerSession::Done ServerSession::do_select(CommandParser& p, bool read_only) {
  p.sp();
  const std::string name = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (state_ == State::Selected) deselect();
  auto snap = store_.snapshot(user_, name);
  if (!snap) return {Done::Kind::No, "[NONEXISTENT] Mailbox does not exist"};
  select_mailbox(name, read_only, *snap);
  std::uint32_t recent = 0;
  if (read_only) {
    recent = store_.recent_count(user_, name);
  } else {
    for (const auto& v : view_) recent += v.recent ? 1 : 0;
  }
  send("* " + std::to_string(view_.size()) + " EXISTS");
  send("* " + std::to_string(recent) + " RECENT");
  for (std::size_t i = 0; i < view_.size(); ++i)
    if (!has_flag(view_[i].flags, kSeen)) {
      send("* OK [UNSEEN " + std::to_string(i + 1) + "] Message " + std::to_string(i + 1) +
           " is the first unseen");
      break;
    }
  send("* OK [UIDVALIDITY " + std::to_string(snap->uidvalidity) + "] UIDs valid");
  send("* OK [UIDNEXT " + std::to_string(snap->uidnext) + "] Predicted next UID");
  send("* FLAGS " + std::string(kSystemFlagList));
  send(read_only ? std::string("* OK [PERMANENTFLAGS ()] No permanent flags permitted")
                 : "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] "
                   "Flags permitted");
  return {Done::Kind::Ok, read_only ? "[READ-ONLY] EXAMINE completed"
                                    : "[READ-WRITE] SELECT completed"};
}

ServerSession::Done ServerSession::cmd_select(CommandParser& p) { return do_select(p, false); }
ServerSession::Done ServerSession::cmd_examine(CommandParser& p) { return do_select(p, true); }

ServerSession::Done ServerSession::cmd_create(CommandParser& p) {
  p.sp();
  std::string name = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name == "INBOX") return {Done::Kind::No, "[ALREADYEXISTS] INBOX always exists"};
  switch (store_.create_mailbox(user_, name)) {
    case StoreResult::Ok: return {Done::Kind::Ok, "CREATE completed"};
    case StoreResult::AlreadyExists: return {Done::Kind::No, "[ALREADYEXISTS] Mailbox exists"};
    default: return {Done::Kind::No, "[CANNOT] Invalid mailbox name"};
  }
}

ServerSession::Done ServerSession::cmd_delete(CommandParser& p) {
  p.sp();
  const std::string name = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  switch (store_.delete_mailbox(user_, name)) {
    case StoreResult::Ok: return {Done::Kind::Ok, "DELETE completed"};
    case StoreResult::NoSuchMailbox:
      return {Done::Kind::No, "[NONEXISTENT] Mailbox does not exist"};
    case StoreResult::HasChildren:
      return {Done::Kind::No, "[INUSE] Mailbox has inferior hierarchical names"};
    default: return {Done::Kind::No, "[CANNOT] INBOX cannot be deleted"};
  }
}

ServerSession::Done ServerSession::cmd_rename(CommandParser& p) {
  p.sp();
  const std::string from = p.mailbox();
  p.sp();
  const std::string to = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  switch (store_.rename_mailbox(user_, from, to)) {
    case StoreResult::Ok: return {Done::Kind::Ok, "RENAME completed"};
    case StoreResult::NoSuchMailbox:
      return {Done::Kind::No, "[NONEXISTENT] Mailbox does not exist"};
    case StoreResult::AlreadyExists:
      return {Done::Kind::No, "[ALREADYEXISTS] Target mailbox exists"};
    default: return {Done::Kind::No, "[CANNOT] Invalid mailbox name"};
  }
}

ServerSession::Done ServerSession::do_subscribe(CommandParser& p, bool subscribe) {
  p.sp();
  const std::string name = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (store_.set_subscribed(user_, name, subscribe) != StoreResult::Ok)
    return {Done::Kind::No, "[NONEXISTENT] Mailbox does not exist"};
  return {Done::Kind::Ok, subscribe ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed"};
}

ServerSession::Done ServerSession::cmd_subscribe(CommandParser& p) {
  return do_subscribe(p, true);
}
ServerSession::Done ServerSession::cmd_unsubscribe(CommandParser& p) {
  return do_subscribe(p, false);
}

ServerSession::Done ServerSession::do_list(CommandParser& p, bool lsub) {
  p.sp();
  // RFC 5258 extended LIST, as far as RFC 6154 needs it: "LIST (SPECIAL-USE) ref pattern"
  // and "LIST ref pattern RETURN (SPECIAL-USE)". Other options are refused with BAD.
  bool only_special = false;
  bool show_subscribed = false;
  if (!lsub && p.consume('(')) {
    while (p.ok() && !p.peek(')')) {
      const std::string option = to_upper(p.atom());
      if (!p.ok()) break;
      if (option == "SPECIAL-USE") {
        only_special = true;
      } else {
        p.fail("Unsupported LIST selection option " + option);
      }
      if (!p.peek(')')) p.sp();
    }
    p.expect(')', "Missing ')' after the LIST selection options");
    p.sp();
  }
  const std::string reference = p.mailbox();
  p.sp();
  if (p.peek('(')) p.fail("Lists of mailbox patterns are not supported");
  const std::string pattern = p.list_mailbox();
  if (!lsub && p.consume(' ')) {
    if (to_upper(p.atom()) != "RETURN" && p.ok()) p.fail("Expected RETURN");
    p.sp();
    p.expect('(', "Expected a list of LIST return options");
    while (p.ok() && !p.peek(')')) {
      const std::string option = to_upper(p.atom());
      if (!p.ok()) break;
      if (option == "SUBSCRIBED") {
        show_subscribed = true;
      } else if (option != "SPECIAL-USE" && option != "CHILDREN") {
        p.fail("Unsupported LIST return option " + option);
      }
      if (!p.peek(')')) p.sp();
    }
    p.expect(')', "Missing ')' after the LIST return options");
  }
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  const char* verb = lsub ? "LSUB" : "LIST";
  if (pattern.empty() && !lsub) {
    // RFC 3501 6.3.8: the hierarchy delimiter and the root of the reference.
    send(std::string("* LIST (\\Noselect) \"/\" \"\""));
    return {Done::Kind::Ok, "LIST completed"};
  }
  std::string full = reference;
  if (!full.empty() && full.back() != '/' && !pattern.empty()) full += '/';
  if (reference.empty()) full.clear();
  full += pattern;
  const auto boxes = store_.list_mailboxes(user_);
  struct Candidate {
    const MailboxEntry* entry;  // nullptr: a level that exists only as a parent
    std::string name;
  };
  std::vector<Candidate> candidates;
  for (const auto& b : boxes)
    if ((!lsub || b.subscribed) && (!only_special || !b.special_use.empty())) candidates.push_back({&b, b.name});
  if (full.find('*') == std::string::npos && !only_special) {
    // With '%', a level that exists only as a parent is listed as \Noselect.
    for (const auto& b : boxes) {
      if (lsub && !b.subscribed) continue;
      for (auto slash = b.name.find('/'); slash != std::string::npos;
           slash = b.name.find('/', slash + 1)) {
        const std::string parent = b.name.substr(0, slash);
        const bool known = std::any_of(candidates.begin(), candidates.end(),
                                       [&](const Candidate& c) { return c.name == parent; });
        if (!known) candidates.push_back({nullptr, parent});
      }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.name < b.name; });
  }
  for (const auto& c : candidates) {
    if (!wildcard_match(full, c.name, c.name == "INBOX")) continue;
    std::vector<std::string> attrs;
    if (!c.entry) attrs.emplace_back("\\Noselect");
    if (!lsub) {
      const bool children = std::any_of(boxes.begin(), boxes.end(), [&](const MailboxEntry& b) {
        return b.name.size() > c.name.size() + 1 && b.name.compare(0, c.name.size(), c.name) == 0 &&
               b.name[c.name.size()] == '/';
      });
      attrs.emplace_back(children ? "\\HasChildren" : "\\HasNoChildren");
      if (show_subscribed && c.entry && c.entry->subscribed) attrs.emplace_back("\\Subscribed");
      // RFC 6154: a server may show the special-use attributes in every LIST response.
      if (c.entry && !c.entry->special_use.empty()) attrs.push_back(c.entry->special_use);
    }
    std::string joined;
    for (const auto& a : attrs) joined += (joined.empty() ? "" : " ") + a;
    send(std::string("* ") + verb + " (" + joined + ") \"/\" " + imap_astring(c.name));
  }
  return {Done::Kind::Ok, std::string(verb) + " completed"};
}

ServerSession::Done ServerSession::cmd_list(CommandParser& p) { return do_list(p, false); }
ServerSession::Done ServerSession::cmd_lsub(CommandParser& p) { return do_list(p, true); }

ServerSession::Done ServerSession::cmd_status(CommandParser& p) {
  p.sp();
  const std::string name = p.mailbox();
  p.sp();
  p.expect('(', "Expected a list of status items");
  std::vector<std::string> items;
  do {
    const std::string item = to_upper(p.atom());
    if (!p.ok()) break;
    if (item != "MESSAGES" && item != "RECENT" && item != "UIDNEXT" && item != "UIDVALIDITY" &&
        item != "UNSEEN") {
      p.fail("Unknown status item " + item);
      break;
    }
    items.push_back(item);
  } while (p.consume(' '));
  p.expect(')', "Missing ')' after the status items");
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  const auto snap = store_.snapshot(user_, name);
  if (!snap) return {Done::Kind::No, "[NONEXISTENT] Mailbox does not exist"};
  std::string out;
  for (const auto& item : items) {
    std::uint64_t v = 0;
    if (item == "MESSAGES") v = snap->messages.size();
    if (item == "RECENT") v = store_.recent_count(user_, name);
    if (item == "UIDNEXT") v = snap->uidnext;
    if (item == "UIDVALIDITY") v = snap->uidvalidity;
    if (item == "UNSEEN")
      v = static_cast<std::uint64_t>(std::count_if(
          snap->messages.begin(), snap->messages.end(),
          [](const MessageMeta& m) { return !has_flag(m.flags, kSeen); }));
    if (!out.empty()) out += ' ';
    out += item + " " + std::to_string(v);
  }
  send("* STATUS " + imap_astring(name) + " (" + out + ")");
  return {Done::Kind::Ok, "STATUS completed"};
}

ServerSession::Done ServerSession::cmd_append(CommandParser& p) {
  p.sp();
  const std::string name = p.mailbox();
  p.sp();
  FlagSet flags;
  if (p.peek('(')) {
    flags = p.flag_list();
    p.sp();
  }
  std::int64_t date = now_;
  if (p.peek('"')) {
    date = p.date_time();
    p.sp();
  }
  if (p.ok() && !p.peek('{')) p.fail("Expected a literal with the message");
  const std::string message = p.string();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  const auto r = store_.append(user_, name, message, flags, date);
  switch (r.result) {
    case StoreResult::Ok:
      return {Done::Kind::Ok, "[APPENDUID " + std::to_string(r.uidvalidity) + " " +
                                  std::to_string(r.uid) + "] APPEND completed"};
    case StoreResult::OverQuota: return {Done::Kind::No, "[OVERQUOTA] Quota exceeded"};
    case StoreResult::NoSuchMailbox:
      return {Done::Kind::No, "[TRYCREATE] Mailbox does not exist"};
    default: return {Done::Kind::No, "[CANNOT] APPEND failed"};
  }
}

ServerSession::Done ServerSession::cmd_idle(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  send("+ idling");
  mode_ = Mode::Idle;
  sync(true);  // anything already pending goes out at once
  return {Done::Kind::Pending, {}};
}

void ServerSession::on_idle_line(const std::string& line) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandReceived;
  e.verb = "DONE";
  e.text = line;
  emit(std::move(e));
  mode_ = Mode::Line;
  const std::string tag = std::exchange(pending_tag_, {});
  if (!iequals(line, "DONE")) {
    tagged(tag, {Done::Kind::Bad, "Expected DONE to end IDLE"});
    return;
  }
  sync(true);
  tagged(tag, {Done::Kind::Ok, "IDLE terminated"});
}

// ---------------------------------------------------------------------------------------
// Commands: selected

ServerSession::Done ServerSession::cmd_check(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  return {Done::Kind::Ok, "CHECK completed"};
}

ServerSession::Done ServerSession::cmd_close(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (!read_only_) {
    std::vector<std::uint32_t> uids;
    for (const auto& v : view_)
      if (has_flag(v.flags, kDeleted)) uids.push_back(v.uid);
    if (!uids.empty()) store_.expunge(user_, mailbox_, uids);
  }
  deselect();
  return {Done::Kind::Ok, "CLOSE completed"};
}

ServerSession::Done ServerSession::cmd_unselect(CommandParser& p) {
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  deselect();
  return {Done::Kind::Ok, "UNSELECT completed"};
}

ServerSession::Done ServerSession::cmd_expunge(CommandParser& p) {
  SequenceSet set;
  if (uid_command_) {
    p.sp();
    set = p.sequence_set();
  }
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  if (read_only_) return {Done::Kind::No, "[READ-ONLY] Mailbox is read-only"};
  std::vector<std::uint32_t> uids;
  const std::uint32_t max_uid = view_.empty() ? 0 : view_.back().uid;
  for (const auto& v : view_)
    if (has_flag(v.flags, kDeleted) && (!uid_command_ || set.contains(v.uid, max_uid)))
      uids.push_back(v.uid);
  if (!uids.empty()) store_.expunge(user_, mailbox_, uids);
  return {Done::Kind::Ok, "EXPUNGE completed"};
}

bool ServerSession::search_matches(const SearchKey& key, std::size_t index,
                                   std::uint32_t max_uid,
                                   std::shared_ptr<const std::string>& raw) {
  using K = SearchKey::Kind;
  const auto& v = view_[index];
  auto bytes = [&]() -> std::string_view {
    if (!raw) raw = store_.message_bytes(user_, mailbox_, v.uid);
    return raw ? std::string_view(*raw) : std::string_view();
  };
  auto header_has = [&](std::string_view name, std::string_view needle) {
    for (const auto& value : header_values(bytes(), name))
      if (icontains(value, needle)) return true;
    return false;
  };
  auto meta = [&]() -> std::optional<MessageMeta> {
    if (auto snap = store_.snapshot(user_, mailbox_))
      for (const auto& m : snap->messages)
        if (m.uid == v.uid) return m;
    return std::nullopt;
  };
  switch (key.kind) {
    case K::All: return true;
    case K::Answered: return has_flag(v.flags, kAnswered);
    case K::Deleted: return has_flag(v.flags, kDeleted);
    case K::Flagged: return has_flag(v.flags, kFlagged);
    case K::Seen: return has_flag(v.flags, kSeen);
    case K::Draft: return has_flag(v.flags, kDraft);
    case K::Recent: return v.recent;
    case K::New: return v.recent && !has_flag(v.flags, kSeen);
    case K::Old: return !v.recent;
    case K::Unanswered: return !has_flag(v.flags, kAnswered);
    case K::Undeleted: return !has_flag(v.flags, kDeleted);
    case K::Unflagged: return !has_flag(v.flags, kFlagged);
    case K::Unseen: return !has_flag(v.flags, kSeen);
    case K::Undraft: return !has_flag(v.flags, kDraft);
    case K::Keyword: return has_flag(v.flags, key.arg);
    case K::Unkeyword: return !has_flag(v.flags, key.arg);
    case K::From: return header_has("From", key.arg);
    case K::To: return header_has("To", key.arg);
    case K::Cc: return header_has("Cc", key.arg);
    case K::Bcc: return header_has("Bcc", key.arg);
    case K::Subject: return header_has("Subject", key.arg);
    case K::Header: return header_has(key.arg, key.arg2);
    case K::Body: return icontains(text_section(bytes()), key.arg);
    case K::Text: return icontains(bytes(), key.arg);
    case K::Larger: {
      const auto m = meta();
      return m && m->size > key.number;
    }
    case K::Smaller: {
      const auto m = meta();
      return m && m->size < key.number;
    }
    case K::Before:
    case K::On:
    case K::Since: {
      const auto m = meta();
      if (!m) return false;
      std::int64_t day = m->internal_date / 86400;
      if (m->internal_date < 0 && m->internal_date % 86400 != 0) --day;
      if (key.kind == K::Before) return day < key.day;
      if (key.kind == K::On) return day == key.day;
      return day >= key.day;
    }
    case K::Uid: return key.set.contains(v.uid, max_uid);
    case K::Sequence:
      return key.set.contains(static_cast<std::uint32_t>(index + 1),
                              static_cast<std::uint32_t>(view_.size()));
    case K::Not: return !search_matches(key.children[0], index, max_uid, raw);
    case K::Or:
      return search_matches(key.children[0], index, max_uid, raw) ||
             search_matches(key.children[1], index, max_uid, raw);
    case K::And:
      for (const auto& c : key.children)
        if (!search_matches(c, index, max_uid, raw)) return false;
      return true;
  }
  return false;
}

ServerSession::Done ServerSession::cmd_search(CommandParser& p) {
  p.sp();
  if (p.ok() && (p.peek('C') || p.peek('c'))) {
    // CHARSET is a key word only when followed by its argument.
    CommandParser probe = p;
    if (to_upper(probe.atom()) == "CHARSET" && probe.consume(' ')) {
      p.atom();
      p.consume(' ');
      const std::string charset = to_upper(p.astring());
      p.sp();
      if (p.ok() && charset != "US-ASCII" && charset != "UTF-8") {
        return {Done::Kind::No, "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset"};
      }
    }
  }
  const SearchKey key = p.search_keys();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  const std::uint32_t max_uid = view_.empty() ? 0 : view_.back().uid;
  std::string out = "* SEARCH";
  for (std::size_t i = 0; i < view_.size(); ++i) {
    if (view_[i].expunged) continue;
    std::shared_ptr<const std::string> raw;
    if (search_matches(key, i, max_uid, raw))
      out += " " + std::to_string(uid_command_ ? view_[i].uid : i + 1);
  }
  send(out);
  return {Done::Kind::Ok, "SEARCH completed"};
}

ServerSession::Done ServerSession::cmd_fetch(CommandParser& p) {
  p.sp();
  const SequenceSet set = p.sequence_set();
  p.sp();
  std::vector<FetchAtt> atts = p.fetch_atts();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  std::vector<std::size_t> indexes;
  std::string error;
  if (!resolve(set, uid_command_, indexes, error)) return {Done::Kind::Bad, error};
  using K = FetchAtt::Kind;
  const bool wants_flags =
      std::any_of(atts.begin(), atts.end(), [](const FetchAtt& a) { return a.kind == K::Flags; });
  const bool wants_uid =
      std::any_of(atts.begin(), atts.end(), [](const FetchAtt& a) { return a.kind == K::Uid; });
  const bool marks_seen = std::any_of(atts.begin(), atts.end(), [](const FetchAtt& a) {
    return (a.kind == K::BodySection && !a.peek) || a.kind == K::Rfc822 || a.kind == K::Rfc822Text;
  });
  std::optional<MailboxSnapshot> snap;
  for (std::size_t index : indexes) {
    auto& v = view_[index];
    if (v.expunged) continue;
    auto raw = store_.message_bytes(user_, mailbox_, v.uid);
    if (!raw) continue;  // expunged by another session meanwhile (RFC 2180 4.1.2)
    if (!snap || snap->version != store_.version(user_, mailbox_))
      snap = store_.snapshot(user_, mailbox_);
    const MessageMeta* meta = nullptr;
    if (snap)
      for (const auto& m : snap->messages)
        if (m.uid == v.uid) meta = &m;
    if (!meta) continue;
    bool flags_changed = false;
    if (marks_seen && !read_only_ && !has_flag(v.flags, kSeen)) {
      v.flags.insert(std::string(kSeen));
      store_.set_flags(user_, mailbox_, v.uid, v.flags);
      flags_changed = true;
    }
    const std::string_view msg(*raw);
    Response r;
    r.add("* " + std::to_string(index + 1) + " FETCH (");
    bool first = true;
    auto item = [&](const std::string& s) {
      if (!first) r.add(" ");
      first = false;
      r.add(s);
    };
    if (uid_command_ && !wants_uid) item("UID " + std::to_string(v.uid));
    for (const auto& a : atts) {
      switch (a.kind) {
        case K::Flags: item("FLAGS " + format_flag_list(v.flags, v.recent)); break;
        case K::Uid: item("UID " + std::to_string(v.uid)); break;
        case K::InternalDate:
          item("INTERNALDATE \"" + format_internal_date(meta->internal_date) + "\"");
          break;
        case K::Rfc822Size: item("RFC822.SIZE " + std::to_string(meta->size)); break;
        case K::Envelope: item("ENVELOPE " + envelope(msg)); break;
        case K::Body: item("BODY " + body_structure(msg, false)); break;
        case K::BodyStructure: item("BODYSTRUCTURE " + body_structure(msg, true)); break;
        case K::Rfc822:
          item("RFC822 ");
          r.add_literal(msg);
          break;
        case K::Rfc822Header:
          item("RFC822.HEADER ");
          r.add_literal(header_section(msg));
          break;
        case K::Rfc822Text:
          item("RFC822.TEXT ");
          r.add_literal(text_section(msg));
          break;
        case K::BodySection: {
          std::string name = "BODY[" + a.section.spec() + "]";
          const auto data = section_data(msg, a.section);
          if (!data) {
            item(name + " NIL");
            break;
          }
          std::string_view piece(*data);
          if (a.has_partial) {
            name += "<" + std::to_string(a.partial_offset) + ">";
            piece = a.partial_offset >= piece.size() ? std::string_view()
                                                     : piece.substr(a.partial_offset);
            piece = piece.substr(0, a.partial_count);
          }
          item(name + " ");
          r.add_literal(piece);
          break;
        }
      }
    }
    if (flags_changed && !wants_flags) item("FLAGS " + format_flag_list(v.flags, v.recent));
    r.add(")");
    send(r);
  }
  return {Done::Kind::Ok, uid_command_ ? "UID FETCH completed" : "FETCH completed"};
}

ServerSession::Done ServerSession::cmd_store(CommandParser& p) {
  p.sp();
  const SequenceSet set = p.sequence_set();
  p.sp();
  const std::string item = to_upper(p.atom());
  p.sp();
  const FlagSet flags = p.store_flags();
  p.end();
  int mode = 0;  // 0 replace, 1 add, -1 remove
  bool silent = false;
  if (p.ok()) {
    std::string base = item;
    if (base.size() > 7 && base.compare(base.size() - 7, 7, ".SILENT") == 0) {
      silent = true;
      base.resize(base.size() - 7);
    }
    if (base == "+FLAGS") mode = 1;
    else if (base == "-FLAGS") mode = -1;
    else if (base != "FLAGS") p.fail("Unknown STORE item " + item);
  }
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  std::vector<std::size_t> indexes;
  std::string error;
  if (!resolve(set, uid_command_, indexes, error)) return {Done::Kind::Bad, error};
  if (read_only_) return {Done::Kind::No, "[READ-ONLY] Mailbox is read-only"};
  for (std::size_t index : indexes) {
    auto& v = view_[index];
    if (v.expunged) continue;
    FlagSet next = mode == 0 ? flags : v.flags;
    if (mode == 1) next.insert(flags.begin(), flags.end());
    if (mode == -1)
      for (const auto& f : flags) next.erase(f);
    if (!store_.set_flags(user_, mailbox_, v.uid, next)) continue;
    v.flags = next;
    if (!silent) {
      std::string line = "* " + std::to_string(index + 1) + " FETCH (FLAGS " +
                         format_flag_list(v.flags, v.recent);
      if (uid_command_) line += " UID " + std::to_string(v.uid);
      send(line + ")");
    }
  }
  // The view already holds what we stored, so sync() reports only other sessions' changes.
  return {Done::Kind::Ok, uid_command_ ? "UID STORE completed" : "STORE completed"};
}

ServerSession::Done ServerSession::do_copy(CommandParser& p, bool move) {
  p.sp();
  const SequenceSet set = p.sequence_set();
  p.sp();
  const std::string dest = p.mailbox();
  p.end();
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  std::vector<std::size_t> indexes;
  std::string error;
  if (!resolve(set, uid_command_, indexes, error)) return {Done::Kind::Bad, error};
  if (move && read_only_) return {Done::Kind::No, "[READ-ONLY] Mailbox is read-only"};
  const std::string verb = std::string(uid_command_ ? "UID " : "") + (move ? "MOVE" : "COPY");
  if (store_.version(user_, dest) == 0)
    return {Done::Kind::No, "[TRYCREATE] Mailbox does not exist"};
  std::vector<std::uint32_t> uids;
  for (auto i : indexes)
    if (!view_[i].expunged) uids.push_back(view_[i].uid);
  if (uids.empty()) return {Done::Kind::Ok, "No messages, " + verb + " completed"};
  const auto r = move ? store_.move(user_, mailbox_, uids, dest)
                      : store_.copy(user_, mailbox_, uids, dest);
  switch (r.result) {
    case StoreResult::Ok: break;
    case StoreResult::OverQuota: return {Done::Kind::No, "[OVERQUOTA] Quota exceeded"};
    case StoreResult::NoSuchMailbox: return {Done::Kind::No, "[TRYCREATE] Mailbox does not exist"};
    default: return {Done::Kind::No, "[CANNOT] " + verb + " failed"};
  }
  const std::string code = "[COPYUID " + std::to_string(r.uidvalidity) + " " +
                           format_uid_set(r.source_uids) + " " + format_uid_set(r.dest_uids) +
                           "]";
  if (move) {
    send("* OK " + code + " Moved");
    return {Done::Kind::Ok, verb + " completed"};
  }
  return {Done::Kind::Ok, code + " " + verb + " completed"};
}

ServerSession::Done ServerSession::cmd_copy(CommandParser& p) { return do_copy(p, false); }
ServerSession::Done ServerSession::cmd_move(CommandParser& p) { return do_copy(p, true); }

ServerSession::Done ServerSession::cmd_uid(CommandParser& p) {
  p.sp();
  const std::string sub = to_upper(p.atom());
  if (!p.ok()) return {Done::Kind::Bad, p.error()};
  uid_command_ = true;
  Done d;
  if (sub == "FETCH") d = cmd_fetch(p);
  else if (sub == "STORE") d = cmd_store(p);
  else if (sub == "COPY") d = cmd_copy(p);
  else if (sub == "MOVE") d = cmd_move(p);
  else if (sub == "SEARCH") d = cmd_search(p);
  else if (sub == "EXPUNGE") d = cmd_expunge(p);
  else d = {Done::Kind::Bad, "Unknown UID command " + sub};
  uid_command_ = false;
  return d;
}

}  // namespace mailsim::imap
