// POP3 client session: greeting, CAPA, STLS, login, STAT, UIDL, RETR/DELE per message, QUIT.
#include "protocols/pop3/client.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/common/md5.hpp"
#include "protocols/common/sasl.hpp"

namespace mailsim::pop3 {
namespace {

using proto::to_upper;

// At most 12 digits, so that to_number cannot overflow.
bool digits_only(std::string_view s) { return s.size() <= 12 && proto::all_digits(s); }

std::size_t to_number(std::string_view s) {
  std::size_t v = 0;
  for (const char c : s) v = v * 10 + static_cast<std::size_t>(c - '0');
  return v;
}

// "a b rest" -> {"a", "b rest"}
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
  const std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return {s, {}};
  return {s.substr(0, sp), s.substr(sp + 1)};
}

}  // namespace

const char* to_string(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::GreetingRejected: return "greeting rejected";
    case ClientErrorKind::TlsUnavailable: return "TLS unavailable";
    case ClientErrorKind::ApopUnavailable: return "APOP unavailable";
    case ClientErrorKind::AuthFailed: return "authentication failed";
    case ClientErrorKind::MaildropLocked: return "maildrop locked";
    case ClientErrorKind::CommandFailed: return "command failed";
    case ClientErrorKind::MessageRejected: return "message rejected";
    case ClientErrorKind::ProtocolViolation: return "protocol violation";
    case ClientErrorKind::ConnectionLost: return "connection lost";
    case ClientErrorKind::QuitFailed: return "QUIT failed";
  }
  return "?";
}

const char* to_string(ClientSession::State s) {
  switch (s) {
    case ClientSession::State::Greeting: return "GREETING";
    case ClientSession::State::Capabilities: return "CAPA";
    case ClientSession::State::StartTls: return "STLS";
    case ClientSession::State::TlsHandshake: return "TLS-HANDSHAKE";
    case ClientSession::State::User: return "USER";
    case ClientSession::State::Pass: return "PASS";
    case ClientSession::State::Apop: return "APOP";
    case ClientSession::State::Auth: return "AUTH";
    case ClientSession::State::Stat: return "STAT";
    case ClientSession::State::Uidl: return "UIDL";
    case ClientSession::State::Retrieve: return "RETR";
    case ClientSession::State::Delete: return "DELE";
    case ClientSession::State::Quit: return "QUIT";
    case ClientSession::State::Done: return "DONE";
  }
  return "?";
}

ClientSession::ClientSession(ClientJob job)
    : job_(std::move(job)), reader_(kMaxStatusLine - 2), tls_active_(job_.tls == TlsPolicy::Implicit) {}

void ClientSession::set_state(State next) {
  if (next == state_) return;
  emit_state_changed(to_string(state_), to_string(next));
  state_ = next;
}

void ClientSession::send(std::string_view line, std::string_view masked) {
  assert(line.size() + 2 <= kMaxCommandLine && "command line over the RFC 2449 limit");
  write(line);
  write("\r\n");
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandSent;
  e.verb = to_upper(split_first(line).first);
  if (masked.empty()) {
    e.text = std::string(line);
  } else {
    e.text = std::string(masked);
    e.clear_text = std::string(line);
  }
  emit(std::move(e));
}

void ClientSession::error(ClientErrorKind kind, std::string detail) {
  result_.errors.push_back({kind, std::move(detail)});
}

void ClientSession::protocol_error(std::string text) {
  emit(proto::ProtocolEvent::Kind::ProtocolError, std::move(text));
}

void ClientSession::fail_fatally(std::string detail) {
  protocol_error(detail);
  error(ClientErrorKind::ProtocolViolation, std::move(detail));
  multiline_ = false;
  reader_.clear();
  set_state(State::Done);
}

void ClientSession::receive(std::string_view bytes) {
  if (bytes.empty()) return;
  if (closed() || tls_requested_) {
    protocol_error("ignored " + std::to_string(bytes.size()) + " unexpected byte(s) from the server" +
                   (tls_requested_ ? " before TLS was established" : " after the session ended"));
    return;
  }
  reader_.feed(bytes);
  while (!closed() && !tls_requested_) {
    reader_.set_max_line(multiline_ ? kMaxDataLine : kMaxStatusLine - 2);
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) break;
    if (r.status == proto::LineReader::Status::Overlong) {
      if (!multiline_) {
        fail_fatally("status line longer than " + std::to_string(kMaxStatusLine) + " octets");
        break;
      }
      protocol_error("response line longer than " + std::to_string(kMaxDataLine) + " octets");
      if (state_ == State::Retrieve && !message_bad_) {
        message_bad_ = true;
        error(ClientErrorKind::MessageRejected,
              "message " + std::to_string(plan_[step_].number) + " has a line over " +
                  std::to_string(kMaxDataLine) + " octets");
      }
      continue;
    }
    proto::ProtocolEvent e;
    e.kind = proto::ProtocolEvent::Kind::ReplyReceived;
    e.text = r.line;
    if (multiline_) {
      emit(std::move(e));
      if (r.line == ".") {
        multiline_ = false;
        on_multiline_end();
      } else {
        on_data_line(r.line);
      }
    } else {
      const auto st = parse_status(r.line);
      if (st) e.status = st->ok ? "+OK" : "-ERR";
      emit(std::move(e));
      on_status(r.line);
    }
  }
  if (tls_requested_ && reader_.buffered() > 0) {
    protocol_error("ignored " + std::to_string(reader_.buffered()) +
                   " byte(s) the server sent after +OK to STLS, before TLS");
    reader_.clear();
  }
}

void ClientSession::on_status(const std::string& line) {
  if (state_ == State::Auth && (line == "+" || line.rfind("+ ", 0) == 0)) {
    on_sasl_challenge(line);
    return;
  }
  const auto st = parse_status(line);
  if (!st) {
    fail_fatally("reply is neither +OK nor -ERR: \"" + line.substr(0, 64) + "\"");
    return;
  }
  switch (state_) {
    case State::Greeting:
      if (!st->ok) {
        error(ClientErrorKind::GreetingRejected, line);
        set_state(State::Done);
        return;
      }
      timestamp_ = find_apop_timestamp(st->text);
      send("CAPA");
      set_state(State::Capabilities);
      return;
    case State::Capabilities:
      caps_.clear();
      if (st->ok) {
        multiline_ = true;
        caps_known_ = true;
      } else {
        caps_known_ = false;
        after_capabilities();
      }
      return;
    case State::StartTls:
      if (!st->ok) {
        error(ClientErrorKind::TlsUnavailable, line);
        quit();
        return;
      }
      tls_requested_ = true;
      set_state(State::TlsHandshake);
      return;
    case State::User:
      if (!st->ok) {
        auth_failed(*st, line);
        return;
      }
      send("PASS " + job_.password, "PASS ********");
      set_state(State::Pass);
      return;
    case State::Pass:
    case State::Apop:
    case State::Auth:
      if (!st->ok) {
        auth_failed(*st, line);
        return;
      }
      send("STAT");
      set_state(State::Stat);
      return;
    case State::Stat: {
      const auto [count, rest] = split_first(st->text);
      const auto octets = split_first(rest).first;
      if (!st->ok || !digits_only(count) || !digits_only(octets)) {
        error(ClientErrorKind::CommandFailed, "STAT: " + line);
        quit();
        return;
      }
      result_.messages_on_server = to_number(count);
      if (result_.messages_on_server == 0) {
        quit();
      } else if (caps_known_ && caps_.count("UIDL") == 0) {
        build_plan();
        next_step();
      } else {
        send("UIDL");
        set_state(State::Uidl);
      }
      return;
    }
    case State::Uidl:
      if (st->ok) {
        multiline_ = true;
        result_.uidl_supported = true;
      } else {
        build_plan();
        next_step();
      }
      return;
    case State::Retrieve:
      if (st->ok) {
        multiline_ = true;
        message_.clear();
        message_bad_ = false;
      } else {
        error(ClientErrorKind::CommandFailed, "RETR " + std::to_string(plan_[step_].number) + ": " + line);
        ++step_;
        next_step();
      }
      return;
    case State::Delete:
      if (st->ok) {
        result_.deleted.push_back({plan_[step_].number, plan_[step_].uid});
      } else {
        error(ClientErrorKind::CommandFailed, "DELE " + std::to_string(plan_[step_].number) + ": " + line);
      }
      ++step_;
      next_step();
      return;
    case State::Quit:
      if (st->ok) {
        result_.completed = true;
        result_.deletions_committed = !result_.deleted.empty();
      } else {
        error(ClientErrorKind::QuitFailed, line);
      }
      set_state(State::Done);
      return;
    case State::TlsHandshake:
    case State::Done:
      break;
  }
  assert(false && "status line in a state that expects none");
}

void ClientSession::on_data_line(const std::string& line) {
  switch (state_) {
    case State::Capabilities: {
      if (caps_.size() >= kMaxCapabilities) {
        protocol_error("more than " + std::to_string(kMaxCapabilities) + " capabilities; ignoring the rest");
        return;
      }
      const auto [name, rest] = split_first(unstuff_line(line));
      caps_[to_upper(name)] = std::string(rest);
      return;
    }
    case State::Uidl: {
      const auto [num, uid] = split_first(line);
      if (!digits_only(num) || uid.empty() || uid.size() > kMaxUniqueId || uid.find(' ') != std::string_view::npos) {
        protocol_error("malformed UIDL line \"" + line.substr(0, 64) + "\"");
        return;
      }
      const std::size_t n = to_number(num);
      if (n == 0 || n > result_.messages_on_server || uids_.size() >= kMaxListing) {
        protocol_error("UIDL line for a message STAT did not count: \"" + line.substr(0, 64) + "\"");
        return;
      }
      uids_[n] = std::string(uid);
      return;
    }
    case State::Retrieve: {
      if (message_bad_) return;
      const auto text = unstuff_line(line);
      if (message_.size() + text.size() + 2 > kMaxMessageOctets) {
        message_bad_ = true;
        message_.clear();
        error(ClientErrorKind::MessageRejected, "message " + std::to_string(plan_[step_].number) +
                                                    " is over " + std::to_string(kMaxMessageOctets) + " octets");
        return;
      }
      message_.append(text);
      message_ += "\r\n";
      return;
    }
    default:
      break;
  }
  assert(false && "multi-line data in a state that expects none");
}

void ClientSession::on_multiline_end() {
  switch (state_) {
    case State::Capabilities:
      after_capabilities();
      return;
    case State::Uidl:
      build_plan();
      next_step();
      return;
    case State::Retrieve: {
      Step& s = plan_[step_];
      if (message_bad_) {
        message_.clear();
        ++step_;
        next_step();
        return;
      }
      DownloadedMessage m;
      m.number = s.number;
      m.uid = s.uid;
      m.size = message_.size();
      m.bytes = std::exchange(message_, {});
      result_.downloaded.push_back(std::move(m));
      if (s.remove) {
        send("DELE " + std::to_string(s.number));
        set_state(State::Delete);
      } else {
        ++step_;
        next_step();
      }
      return;
    }
    default:
      break;
  }
  assert(false && "end of multi-line data in a state that expects none");
}

void ClientSession::after_capabilities() {
  if (job_.tls == TlsPolicy::Stls && !tls_active_) {
    if (caps_known_ && caps_.count("STLS") == 0) {
      error(ClientErrorKind::TlsUnavailable, "the server does not offer STLS");
      quit();
      return;
    }
    send("STLS");
    set_state(State::StartTls);
    return;
  }
  start_auth();
}

void ClientSession::tls_established() {
  assert(tls_requested_ && "tls_established() without +OK to STLS");
  tls_requested_ = false;
  tls_active_ = true;
  reader_.clear();
  // RFC 2595 section 4: forget the capabilities learnt in the clear and ask again.
  caps_.clear();
  caps_known_ = false;
  send("CAPA");
  set_state(State::Capabilities);
}

void ClientSession::start_auth() {
  if (job_.auth == AuthMethod::SaslPlain || job_.auth == AuthMethod::SaslLogin) {
    start_sasl();
    return;
  }
  const bool use_apop =
      job_.auth == AuthMethod::Apop || (job_.auth == AuthMethod::ApopIfOffered && !timestamp_.empty());
  // "PASS " + password + CRLF, or "APOP " + user + " " + 32 digits + CRLF, must fit in 255 octets.
  const std::size_t longest = std::max(job_.user.size() + 5, job_.password.size() + 5) + 2;
  if (longest > kMaxCommandLine || (use_apop && job_.user.size() + 40 > kMaxCommandLine)) {
    error(ClientErrorKind::AuthFailed, "user name or password too long for a POP3 command line (" +
                                           std::to_string(kMaxCommandLine) + " octets)");
    quit();
    return;
  }
  if (use_apop) {
    if (timestamp_.empty()) {
      error(ClientErrorKind::ApopUnavailable, "the greeting has no APOP timestamp");
      quit();
      return;
    }
    const std::string digest = proto::md5_hex(timestamp_ + job_.password);
    send("APOP " + job_.user + " " + digest, "APOP " + job_.user + " ********");
    set_state(State::Apop);
    return;
  }
  send("USER " + job_.user);
  set_state(State::User);
}

// RFC 5034 section 4: "AUTH mechanism [initial-response]", then one line per "+ " challenge.
void ClientSession::start_sasl() {
  const bool plain = job_.auth == AuthMethod::SaslPlain;
  const char* mech = plain ? "PLAIN" : "LOGIN";
  if (caps_known_) {
    const auto it = caps_.find("SASL");
    const std::string offered = it == caps_.end() ? std::string() : " " + to_upper(it->second) + " ";
    if (offered.find(std::string(" ") + mech + " ") == std::string::npos) {
      error(ClientErrorKind::AuthFailed, std::string("the server does not offer SASL ") + mech);
      quit();
      return;
    }
  }
  const std::string response = plain ? proto::sasl_plain_response(job_.user, job_.password) : std::string();
  // Every response line must fit a command line too (the server reads them alike).
  const std::size_t longest =
      plain ? response.size()
            : std::max(proto::base64_encode(job_.user).size(), proto::base64_encode(job_.password).size());
  if (longest + 2 > kMaxCommandLine || job_.user.empty()) {
    error(ClientErrorKind::AuthFailed, "user name or password too long for a POP3 line (" +
                                           std::to_string(kMaxCommandLine) + " octets)");
    quit();
    return;
  }
  sasl_step_ = 0;
  const std::string bare = std::string("AUTH ") + mech;
  // RFC 5034 section 4: the initial response only when the whole command fits in 255 octets.
  if (plain && bare.size() + 1 + response.size() + 2 <= kMaxCommandLine) {
    send(bare + " " + response, bare + " ********");
    sasl_step_ = 1;
  } else {
    send(bare);
  }
  set_state(State::Auth);
}

void ClientSession::on_sasl_challenge(const std::string& line) {
  const bool plain = job_.auth == AuthMethod::SaslPlain;
  const std::string_view challenge = line.size() > 2 ? std::string_view(line).substr(2) : std::string_view();
  const auto decoded = proto::base64_decode(challenge);
  std::string response;
  if (plain && sasl_step_ == 0) {
    response = proto::sasl_plain_response(job_.user, job_.password);
  } else if (!plain && sasl_step_ == 0) {
    response = proto::base64_encode(job_.user);
  } else if (!plain && sasl_step_ == 1) {
    response = proto::base64_encode(job_.password);
  } else {
    // A challenge the mechanism has no answer for: cancel (RFC 5034: "*").
    protocol_error("unexpected SASL challenge \"" + line.substr(0, 64) + "\"; cancelling");
    send("*");
    sasl_step_ = 99;
    return;
  }
  if (!plain && !decoded) protocol_error("SASL challenge is not valid base64: \"" + line.substr(0, 64) + "\"");
  ++sasl_step_;
  send(response, "********");
}

void ClientSession::auth_failed(const StatusLine& st, const std::string& line) {
  error(st.code == "IN-USE" ? ClientErrorKind::MaildropLocked : ClientErrorKind::AuthFailed, line);
  // A server that closes after too many failures may not answer QUIT; connection_lost() covers it.
  quit();
}

void ClientSession::build_plan() {
  plan_.clear();
  step_ = 0;
  const std::size_t count = std::min(result_.messages_on_server, kMaxListing);
  const bool delete_mode = job_.mode == RetentionMode::DeleteAfterDownload;
  for (std::size_t n = 1; n <= count; ++n) {
    const auto it = uids_.find(n);
    const std::string uid = it == uids_.end() ? std::string() : it->second;
    const bool known = !uid.empty() && job_.known_uids.count(uid) > 0;
    if (delete_mode) {
      plan_.push_back({n, uid, !known, true});
    } else if (!known) {
      plan_.push_back({n, uid, true, false});
    }
  }
}

void ClientSession::next_step() {
  if (step_ >= plan_.size()) {
    quit();
    return;
  }
  const Step& s = plan_[step_];
  if (s.fetch) {
    send("RETR " + std::to_string(s.number));
    set_state(State::Retrieve);
  } else {
    send("DELE " + std::to_string(s.number));
    set_state(State::Delete);
  }
}

void ClientSession::quit() {
  send("QUIT");
  set_state(State::Quit);
}

void ClientSession::connection_lost() {
  if (closed()) return;
  error(ClientErrorKind::ConnectionLost, std::string("connection lost while in ") + to_string(state_));
  tls_requested_ = false;
  multiline_ = false;
  reader_.clear();
  set_state(State::Done);
}

}  // namespace mailsim::pop3
