// SMTP client session: EHLO/HELO, STARTTLS, AUTH, pipelined envelope, DATA and outcomes.
#include "protocols/smtp/client.hpp"

#include <cassert>
#include <utility>

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/smtp/address.hpp"

namespace mailsim::smtp {

namespace {

using State = ClientSession::State;

using proto::to_upper;

// Why a job cannot be sent at all (empty when it can): checked before its first command.
std::string job_problem(const ClientJob& job) {
  if (!job.sender.empty() && !valid_mailbox(job.sender)) return "invalid sender address " + job.sender;
  if (job.recipients.size() > kMaxClientRecipients) return "too many recipients in one job";
  if (job.recipients.empty()) return "no recipients";
  for (const auto& r : job.recipients)
    if (!valid_mailbox(r)) return "invalid recipient address " + r;
  return {};
}

}  // namespace

std::string_view to_string(RecipientStatus s) {
  switch (s) {
    case RecipientStatus::Pending: return "pending";
    case RecipientStatus::Delivered: return "delivered";
    case RecipientStatus::TemporaryFailure: return "temporary failure";
    case RecipientStatus::PermanentFailure: return "permanent failure";
  }
  return "?";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::InProgress: return "in progress";
    case Outcome::Delivered: return "delivered";
    case Outcome::PartiallyDelivered: return "partially delivered";
    case Outcome::TemporaryFailure: return "temporary failure";
    case Outcome::PermanentFailure: return "permanent failure";
  }
  return "?";
}

std::string_view to_string(ClientSession::State s) {
  switch (s) {
    case State::Greeting: return "Greeting";
    case State::Ehlo: return "Ehlo";
    case State::Helo: return "Helo";
    case State::StartTls: return "StartTls";
    case State::TlsPending: return "TlsPending";
    case State::Auth: return "Auth";
    case State::AuthLoginUser: return "AuthLoginUser";
    case State::AuthLoginPassword: return "AuthLoginPassword";
    case State::Envelope: return "Envelope";
    case State::Data: return "Data";
    case State::DataSent: return "DataSent";
    case State::Ready: return "Ready";
    case State::Rset: return "Rset";
    case State::Quit: return "Quit";
    case State::Closed: return "Closed";
  }
  return "?";
}

std::string_view to_string(FailedStep s) {
  switch (s) {
    case FailedStep::None: return "none";
    case FailedStep::Job: return "job";
    case FailedStep::Connect: return "connect";
    case FailedStep::Greeting: return "greeting";
    case FailedStep::ServerClosing: return "server_closing";
    case FailedStep::Hello: return "hello";
    case FailedStep::TlsRequired: return "tls_required";
    case FailedStep::Auth: return "auth";
    case FailedStep::Mail: return "mail";
    case FailedStep::Data: return "data";
    case FailedStep::Message: return "message";
    case FailedStep::Size: return "size";
    case FailedStep::Rset: return "rset";
    case FailedStep::Timeout: return "timeout";
    case FailedStep::ConnectionLost: return "connection_lost";
    case FailedStep::ProtocolError: return "protocol_error";
  }
  return "?";
}

std::size_t DeliveryResult::count(RecipientStatus s) const {
  std::size_t n = 0;
  for (const auto& r : recipients)
    if (r.status == s) ++n;
  return n;
}

std::string DeliveryResult::summary() const {
  std::string out = std::string(to_string(outcome)) + ": delivered " +
                    std::to_string(count(RecipientStatus::Delivered)) + " of " +
                    std::to_string(recipients.size()) + " recipient(s)";
  if (!reason.empty()) out += "; " + reason;
  for (const auto& r : recipients) {
    if (r.status == RecipientStatus::Delivered || r.status == RecipientStatus::Pending) continue;
    out += "; " + r.address + ": ";
    if (r.code != 0) out += std::to_string(r.code) + " ";
    if (!r.enhanced.empty()) out += r.enhanced + " ";
    out += r.text;
  }
  return out;
}

ServerExtensions parse_ehlo_reply(const Reply& reply) {
  ServerExtensions ext;
  ext.esmtp = true;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    const std::size_t sp = line.find(' ');
    const std::string keyword = to_upper(std::string_view(line).substr(0, sp));
    const std::string_view params = sp == std::string::npos ? std::string_view() : std::string_view(line).substr(sp + 1);
    if (keyword.empty()) continue;
    ext.keywords.push_back(keyword);
    if (keyword == "SIZE") {
      ext.size = true;
      std::uint64_t n = 0;
      bool ok = !params.empty() && params.size() <= kMaxSizeDigits;
      for (char c : params) {
        if (c < '0' || c > '9' || n > UINT64_MAX / 10 - 9) {
          ok = false;
          break;
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      ext.size_limit = ok ? n : 0;
    } else if (keyword == "PIPELINING") {
      ext.pipelining = true;
    } else if (keyword == "8BITMIME") {
      ext.eight_bit_mime = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      ext.enhanced_status_codes = true;
    } else if (keyword == "STARTTLS") {
      ext.starttls = true;
    } else if (keyword == "AUTH") {
      std::string_view rest = params;
      while (!rest.empty()) {
        const std::size_t s = rest.find(' ');
        const std::string_view mech = rest.substr(0, s);
        if (!mech.empty()) ext.auth_mechanisms.push_back(to_upper(mech));
        if (s == std::string_view::npos) break;
        rest.remove_prefix(s + 1);
      }
    }
  }
  return ext;
}

std::string normalize_line_endings(std::string_view data) {
  std::string out;
  out.reserve(data.size() + data.size() / 32 + 2);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '\r') {
      if (i + 1 < data.size() && data[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) out += "\r\n";
  return out;
}

std::string dot_stuff(std::string_view crlf_data) {
  std::string out;
  out.reserve(crlf_data.size() + crlf_data.size() / 64 + 8);
  bool line_start = true;
  for (char c : crlf_data) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  out += ".\r\n";
  return out;
}

ClientSession::ClientSession(ClientJob job) : job_(std::move(job)) {
  tls_active_ = job_.tls == TlsPolicy::Implicit;
  transactions_ = 1;
  message_ = normalize_line_endings(job_.data);
  for (const auto& r : job_.recipients) result_.recipients.push_back(RecipientOutcome{r, RecipientStatus::Pending, 0, {}, {}});
  rcpt_accepted_.assign(job_.recipients.size(), false);
}

void ClientSession::set_state(State s) {
  if (s == state_) return;
  // Ready is the caller's moment to decide, not a step of the dialogue: it is not reported,
  // and leaving it is reported from the state before it (DataSent -> Quit, DataSent -> Envelope).
  if (s == State::Ready) {
    before_ready_ = state_;
    state_ = s;
    return;
  }
  const State from = state_ == State::Ready ? before_ready_ : state_;
  state_ = s;
  if (from != s) emit_state_changed(std::string(to_string(from)), std::string(to_string(s)));
}

void ClientSession::send_command(const std::string& line, std::string masked) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandSent;
  // A SASL response line has no verb; deriving one would leak the credentials it carries.
  const bool sasl_response = !masked.empty() && line.rfind("AUTH ", 0) != 0;
  if (!sasl_response) e.verb = to_upper(std::string_view(line).substr(0, line.find(' ')));
  if (masked.empty()) {
    e.text = line;
  } else {
    e.text = std::move(masked);
    e.clear_text = line;
  }
  emit(std::move(e));
  write(line);
  write("\r\n");
}

void ClientSession::protocol_error(std::string why) {
  emit(proto::ProtocolEvent::Kind::ProtocolError, why);
  if (state_ != State::Quit) fail_pending(FailedStep::ProtocolError, true, 0, "4.5.0", "protocol error from server: " + why);
  set_state(State::Closed);
}

void ClientSession::receive(std::string_view bytes) {
  if (state_ == State::Closed) return;
  if (state_ == State::TlsPending) {
    emit(proto::ProtocolEvent::Kind::ProtocolError,
         "ignored " + std::to_string(bytes.size()) + " octet(s) received while TLS was being negotiated");
    return;
  }
  reader_.feed(bytes);
  process_lines();
}

void ClientSession::process_lines() {
  // In Ready the caller decides what comes next; lines that arrived meanwhile wait in the reader.
  while (state_ != State::Closed && state_ != State::TlsPending && state_ != State::Ready) {
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) break;
    if (r.status == proto::LineReader::Status::Overlong) {
      protocol_error("reply line longer than " + std::to_string(kMaxReplyLine) + " octets");
      break;
    }
    if (const auto parsed = parse_reply_line(r.line)) {
      proto::ProtocolEvent e;
      e.kind = proto::ProtocolEvent::Kind::ReplyReceived;
      e.text = r.line;
      e.code = parsed->code;
      e.status = parsed->enhanced;
      emit(std::move(e));
    }
    const auto status = assembler_.add_line(r.line);
    if (status == ReplyAssembler::Status::Error) {
      protocol_error(assembler_.error());
      break;
    }
    if (status == ReplyAssembler::Status::Complete) handle_reply(assembler_.reply());
  }
  if (state_ == State::TlsPending) reader_.clear();
}

void ClientSession::fail_pending(FailedStep step, bool temporary, int code, std::string enhanced, std::string reason) {
  if (result_.reason.empty()) {
    result_.failed_at = step;
    result_.reason = reason;
    result_.code = code;
    result_.enhanced = enhanced;
  }
  for (auto& r : result_.recipients) {
    if (r.status != RecipientStatus::Pending) continue;
    r.status = temporary ? RecipientStatus::TemporaryFailure : RecipientStatus::PermanentFailure;
    r.code = code;
    r.enhanced = enhanced;
    r.text = reason;
  }
  finish();
}

void ClientSession::fail_all(FailedStep step, const Reply& reply, std::string reason) {
  const bool first = result_.reason.empty();
  fail_pending(step, !reply.permanent_failure(), reply.code, reply.enhanced, reason + ": " + reply.text());
  if (first) result_.reply = reply.text();
}

void ClientSession::finish() {
  std::size_t delivered = 0, temporary = 0, pending = 0;
  for (const auto& r : result_.recipients) {
    if (r.status == RecipientStatus::Delivered) ++delivered;
    if (r.status == RecipientStatus::TemporaryFailure) ++temporary;
    if (r.status == RecipientStatus::Pending) ++pending;
  }
  if (pending > 0) return;
  if (!result_.recipients.empty() && delivered == result_.recipients.size()) {
    result_.outcome = Outcome::Delivered;
  } else if (delivered > 0) {
    result_.outcome = Outcome::PartiallyDelivered;
  } else if (temporary > 0) {
    result_.outcome = Outcome::TemporaryFailure;
  } else {
    result_.outcome = Outcome::PermanentFailure;
  }
}

void ClientSession::quit() {
  send_command("QUIT");
  set_state(State::Quit);
}

void ClientSession::end_transaction(bool needs_rset) {
  if (!job_.reuse) {
    quit();
    return;
  }
  rset_needed_ = needs_rset;
  set_state(State::Ready);
}

void ClientSession::next_transaction(std::string sender, std::vector<std::string> recipients, std::string data) {
  assert(state_ == State::Ready && "next_transaction() outside State::Ready");
  if (state_ != State::Ready) return;
  ++transactions_;
  job_.sender = std::move(sender);
  job_.recipients = std::move(recipients);
  job_.data = std::move(data);
  message_ = normalize_line_endings(job_.data);
  result_ = DeliveryResult{};
  for (const auto& r : job_.recipients) result_.recipients.push_back(RecipientOutcome{r, RecipientStatus::Pending, 0, {}, {}});
  rcpt_accepted_.assign(job_.recipients.size(), false);
  const std::string problem = job_problem(job_);
  if (!problem.empty()) {
    fail_pending(FailedStep::Job, false, 0, "5.1.3", problem);
    if (result_.recipients.empty()) {
      result_.outcome = Outcome::PermanentFailure;
      result_.failed_at = FailedStep::Job;
      result_.reason = problem;
    }
    set_state(State::Ready);  // nothing was sent: the session is as it was
    return;
  }
  if (rset_needed_) {
    // RFC 5321 4.1.1.5: the last transaction was left half-way; clear it before the next MAIL.
    rset_needed_ = false;
    set_state(State::Rset);
    send_command("RSET");
  } else {
    start_transaction();
  }
  process_lines();
}

void ClientSession::finish_session() {
  if (state_ != State::Ready) return;
  quit();
  process_lines();
}

void ClientSession::handle_reply(const Reply& reply) {
  // 421 may come at any time: the server is closing; no QUIT is expected (4.2.2).
  if (reply.code == 421 && state_ != State::Quit) {
    fail_all(FailedStep::ServerClosing, reply, "server closed the connection");
    set_state(State::Closed);
    return;
  }
  switch (state_) {
    case State::Greeting: {
      if (!reply.positive()) {
        fail_all(FailedStep::Greeting, reply, "server refused the connection");
        quit();
        return;
      }
      // Check the job once the server is listening; a bad job ends politely.
      const std::string problem = job_problem(job_);
      if (!problem.empty()) {
        fail_pending(FailedStep::Job, false, 0, "5.1.3", problem);
        if (result_.recipients.empty()) {
          result_.outcome = Outcome::PermanentFailure;
          result_.failed_at = FailedStep::Job;
          result_.reason = problem;
        }
        quit();
        return;
      }
      send_command("EHLO " + job_.helo_name);
      set_state(State::Ehlo);
      return;
    }
    case State::Ehlo:
      if (reply.positive()) {
        ext_ = parse_ehlo_reply(reply);
        after_hello();
      } else if (reply.code == 500 || reply.code == 502) {
        send_command("HELO " + job_.helo_name);  // RFC 5321 3.2: fall back for old servers
        set_state(State::Helo);
      } else {
        fail_all(FailedStep::Hello, reply, "server refused EHLO");
        quit();
      }
      return;
    case State::Helo:
      if (reply.positive()) {
        ext_ = ServerExtensions{};
        after_hello();
      } else {
        fail_all(FailedStep::Hello, reply, "server refused HELO");
        quit();
      }
      return;
    case State::StartTls:
      if (reply.code == 220) {
        set_state(State::TlsPending);
      } else if (job_.tls == TlsPolicy::Required) {
        const bool first = result_.reason.empty();
        fail_pending(FailedStep::TlsRequired, true, reply.code, reply.enhanced,
                     "TLS is required but STARTTLS failed: " + reply.text());
        if (first) result_.reply = reply.text();
        quit();
      } else {
        starttls_refused_ = true;  // opportunistic: carry on in plain text
        after_hello();
      }
      return;
    case State::AuthLoginUser:
      if (reply.code == 334) {
        send_command(proto::base64_encode(job_.credentials->user), "********");
        set_state(State::AuthLoginPassword);
      } else {
        fail_all(FailedStep::Auth, reply, "authentication failed");
        quit();
      }
      return;
    case State::AuthLoginPassword:
      if (reply.code == 334) {
        send_command(proto::base64_encode(job_.credentials->password), "********");
        set_state(State::Auth);
      } else {
        fail_all(FailedStep::Auth, reply, "authentication failed");
        quit();
      }
      return;
    case State::Auth:
      if (reply.positive()) {
        authenticated_ = true;
        start_transaction();
      } else {
        fail_all(FailedStep::Auth, reply, "authentication failed");
        if (reply.intermediate()) send_command("*");  // never answer an unexpected challenge
        quit();
      }
      return;
    case State::Envelope:
      on_envelope_reply(reply);
      return;
    case State::Data:
      if (reply.code == 354) {
        const std::string wire = dot_stuff(message_);
        emit(proto::ProtocolEvent::Kind::Note,
             "sent message data: " + std::to_string(message_.size()) + " octet(s), " +
                 std::to_string(wire.size()) + " on the wire with dot-stuffing and <CRLF>.<CRLF>");
        write(wire);
        set_state(State::DataSent);
      } else {
        fail_all(FailedStep::Data, reply, "server refused DATA");
        end_transaction(true);
      }
      return;
    case State::DataSent:
      for (std::size_t i = 0; i < result_.recipients.size(); ++i) {
        auto& r = result_.recipients[i];
        if (!rcpt_accepted_[i] || r.status != RecipientStatus::Pending) continue;
        r.status = reply.positive()            ? RecipientStatus::Delivered
                   : reply.permanent_failure() ? RecipientStatus::PermanentFailure
                                               : RecipientStatus::TemporaryFailure;
        r.code = reply.code;
        r.enhanced = reply.enhanced;
        r.text = reply.text();
      }
      if (!reply.positive() && result_.reason.empty()) {
        result_.failed_at = FailedStep::Message;
        result_.reason = "message refused after DATA: " + reply.text();
        result_.reply = reply.text();
        result_.code = reply.code;
        result_.enhanced = reply.enhanced;
      }
      finish();
      end_transaction(false);
      return;
    case State::Rset:
      if (reply.positive()) {
        start_transaction();
      } else {
        fail_all(FailedStep::Rset, reply, "server refused RSET");
        quit();
      }
      return;
    case State::Quit:
      set_state(State::Closed);
      return;
    case State::Ready:
    case State::TlsPending:
    case State::Closed:
      return;
  }
}

void ClientSession::after_hello() {
  const bool wants_tls = job_.tls == TlsPolicy::Opportunistic || job_.tls == TlsPolicy::Required;
  if (!tls_active_ && wants_tls && !starttls_refused_) {
    if (ext_.starttls) {
      send_command("STARTTLS");
      set_state(State::StartTls);
      return;
    }
    if (job_.tls == TlsPolicy::Required) {
      fail_pending(FailedStep::TlsRequired, true, 0, "4.7.4", "TLS is required, but the server did not offer STARTTLS");
      quit();
      return;
    }
  }
  if (job_.credentials && !authenticated_) {
    start_auth();
    return;
  }
  start_transaction();
}

void ClientSession::start_auth() {
  const auto offered = [this](AuthMechanism m) {
    for (const auto& name : ext_.auth_mechanisms)
      if (name == mechanism_name(m)) return true;
    return false;
  };
  if (ext_.auth_mechanisms.empty()) {
    std::string reason = "credentials are configured but the server does not offer AUTH";
    if (!tls_active_ && ext_.starttls) reason += " (it may require STARTTLS first)";
    fail_pending(FailedStep::Auth, false, 0, "5.7.0", reason);
    quit();
    return;
  }
  AuthMechanism mech = job_.credentials->preferred;
  if (!offered(mech)) {
    if (offered(AuthMechanism::Plain)) {
      mech = AuthMechanism::Plain;
    } else if (offered(AuthMechanism::Login)) {
      mech = AuthMechanism::Login;
    } else {
      fail_pending(FailedStep::Auth, false, 0, "5.7.0", "the server offers no AUTH mechanism we support (PLAIN, LOGIN)");
      quit();
      return;
    }
  }
  if (mech == AuthMechanism::Plain) {
    std::string blob;
    blob += '\0';
    blob += job_.credentials->user;
    blob += '\0';
    blob += job_.credentials->password;
    send_command("AUTH PLAIN " + proto::base64_encode(blob), "AUTH PLAIN ********");
    set_state(State::Auth);
  } else {
    send_command("AUTH LOGIN");
    set_state(State::AuthLoginUser);
  }
}

void ClientSession::start_transaction() {
  if (ext_.size && ext_.size_limit > 0 && message_.size() > ext_.size_limit) {
    // RFC 1870 section 4: don't send what the server has said it will refuse.
    fail_pending(FailedStep::Size, false, 0, "5.3.4",
                 "message size " + std::to_string(message_.size()) + " exceeds the server's limit of " +
                     std::to_string(ext_.size_limit) + " octets (SIZE)");
    end_transaction(false);
    return;
  }
  std::string mail = "MAIL FROM:<" + job_.sender + ">";
  if (ext_.size) mail += " SIZE=" + std::to_string(message_.size());
  if (ext_.eight_bit_mime && !proto::is_ascii(message_)) mail += " BODY=8BITMIME";
  mail_accepted_ = false;
  mail_refusal_.reset();
  expected_.clear();
  set_state(State::Envelope);
  send_command(mail);
  expected_.emplace_back(Pending::Mail, 0);
  if (ext_.pipelining) {
    // RFC 2920: MAIL and every RCPT in one go; the replies come back in the same order.
    for (std::size_t i = 0; i < job_.recipients.size(); ++i) send_rcpt(i);
  }
}

void ClientSession::send_rcpt(std::size_t index) {
  send_command("RCPT TO:<" + job_.recipients[index] + ">");
  expected_.emplace_back(Pending::Rcpt, index);
}

void ClientSession::on_envelope_reply(const Reply& reply) {
  assert(!expected_.empty());
  const auto [what, index] = expected_.front();
  expected_.pop_front();
  if (what == Pending::Mail) {
    if (reply.positive()) {
      mail_accepted_ = true;
      if (!ext_.pipelining && !job_.recipients.empty()) send_rcpt(0);
    } else {
      mail_refusal_ = reply;
      fail_all(FailedStep::Mail, reply, "sender refused");
    }
  } else if (!mail_refusal_) {
    auto& r = result_.recipients[index];
    r.code = reply.code;
    r.enhanced = reply.enhanced;
    r.text = reply.text();
    if (reply.positive()) {
      rcpt_accepted_[index] = true;
    } else {
      r.status = reply.permanent_failure() ? RecipientStatus::PermanentFailure : RecipientStatus::TemporaryFailure;
    }
    if (!ext_.pipelining && index + 1 < job_.recipients.size()) send_rcpt(index + 1);
  }
  if (expected_.empty()) after_envelope();
}

void ClientSession::after_envelope() {
  bool any = false;
  for (bool a : rcpt_accepted_) any = any || a;
  if (mail_accepted_ && any) {
    send_command("DATA");
    set_state(State::Data);
    return;
  }
  finish();
  end_transaction(true);
}

void ClientSession::tls_established() {
  // Implicit TLS (RFC 8314, port 465): the stream is TLS before the greeting and the session
  // already speaks inside it, so the layer coming up changes nothing here.
  if (job_.tls == TlsPolicy::Implicit && state_ == State::Greeting) return;
  assert(state_ == State::TlsPending && "tls_established() without a STARTTLS go-ahead");
  if (state_ != State::TlsPending) return;
  tls_active_ = true;
  ext_ = ServerExtensions{};  // RFC 3207 4.2: forget what the server said in plain text
  reader_.clear();
  emit(proto::ProtocolEvent::Kind::Note, "TLS established; sending EHLO again");
  send_command("EHLO " + job_.helo_name);
  set_state(State::Ehlo);
}

void ClientSession::connection_failed(std::string reason, bool temporary) {
  if (state_ == State::Closed) return;
  fail_pending(FailedStep::Connect, temporary, 0, temporary ? "4.4.1" : "5.4.0", std::move(reason));
  set_state(State::Closed);
}

void ClientSession::timed_out() {
  if (state_ == State::Closed) return;
  if (state_ == State::Quit || state_ == State::Ready) {
    set_state(State::Closed);
    return;
  }
  std::string reason = "timed out waiting for the server (state " + std::string(to_string(state_)) + ")";
  if (state_ == State::DataSent)
    reason += "; the message may or may not have been accepted (RFC 5321 6.1), will retry";
  fail_pending(FailedStep::Timeout, true, 0, "4.4.2", reason);
  set_state(State::Closed);
}

Wait ClientSession::waiting_for() const {
  switch (state_) {
    case State::Greeting: return Wait::Greeting;
    case State::Envelope:
      if (!expected_.empty() && expected_.front().first == Pending::Mail) return Wait::Mail;
      return Wait::Rcpt;
    case State::Data: return Wait::DataInit;
    case State::DataSent: return Wait::DataEnd;
    case State::Ready:
    case State::TlsPending:
    case State::Closed: return Wait::Nothing;
    default: return Wait::Command;
  }
}

void ClientSession::connection_lost(const std::string& why) {
  if (state_ == State::Closed) return;
  if (state_ != State::Quit && state_ != State::Ready) {
    std::string reason = why + " in state " + std::string(to_string(state_));
    if (state_ == State::DataSent)
      reason += "; the message may or may not have been accepted (RFC 5321 6.1), will retry";
    fail_pending(FailedStep::ConnectionLost, true, 0, "4.4.2", reason);
  }
  set_state(State::Closed);
}

void ClientSession::connection_lost() {
  if (state_ == State::Closed) return;
  if (state_ != State::Quit && state_ != State::Ready)
    fail_pending(FailedStep::ConnectionLost, true, 0, "4.4.2", "connection closed by the server in state " + std::string(to_string(state_)));
  set_state(State::Closed);
}

}  // namespace mailsim::smtp
