// IMAP4rev1 client session: login, folder sync, requests with continuations, untagged updates.
#include "protocols/imap/client.hpp"

#include <algorithm>
#include <cassert>

#include "protocols/common/base64.hpp"
#include "protocols/message/message.hpp"

namespace mailsim::imap {

namespace {

constexpr std::size_t kMaxValueDepth = 64;

bool needs_literal(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || u >= 0x80) return true;
  }
  return false;
}

// Collects command parts: text, then a literal, then text ...
struct Builder {
  std::vector<std::string> parts{std::string()};
  Builder& text(std::string_view s) {
    parts.back() += s;
    return *this;
  }
  Builder& str(std::string_view s) {
    if (needs_literal(s)) {
      parts.emplace_back(s);
      parts.emplace_back();
    } else {
      parts.back() += imap_string(s);
    }
    return *this;
  }
  Builder& astr(std::string_view s) {
    if (needs_literal(s)) return str(s);
    parts.back() += imap_astring(s);
    return *this;
  }
  std::vector<std::string> take() {
    if (parts.size() > 1 && parts.back().empty() && parts.size() % 2 == 0) parts.pop_back();
    return std::move(parts);
  }
};

// A literal announced at the end of a response line: "{123}".
bool literal_at_end(std::string_view line, std::uint64_t& size) {
  if (line.empty() || line.back() != '}') return false;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos || open + 2 > line.size() - 1) return false;
  std::uint64_t v = 0;
  for (std::size_t i = open + 1; i + 1 < line.size(); ++i) {
    const char c = line[i];
    if (c < '0' || c > '9') return false;
    v = v > (~0ull - 9) / 10 ? ~0ull : v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  size = v;
  return true;
}

// The text from `pos` on, or "" when the line is shorter ("* BYE" has no text at 6).
std::string_view text_from(std::string_view s, std::size_t pos) { return pos < s.size() ? s.substr(pos) : std::string_view(); }

std::string word_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {};
  const auto end = s.find(' ', pos);
  return std::string(s.substr(pos, end == std::string_view::npos ? s.npos : end - pos));
}

std::string status_word(std::string_view line) {
  if (!line.empty() && line[0] == '+') return "+";
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos) return {};
  const std::string w = to_upper(word_at(line, sp + 1));
  if (w == "OK" || w == "NO" || w == "BAD" || w == "BYE" || w == "PREAUTH") return w;
  return {};
}

// "[CODE ...]" right after the status word, or "".
std::string response_code(std::string_view line) {
  const auto open = line.find('[');
  const auto close = line.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  return std::string(line.substr(open + 1, close - open - 1));
}

}  // namespace

const char* ClientSession::state_name(State s) {
  switch (s) {
    case State::Connecting: return "CONNECTING";
    case State::NotAuthenticated: return "NOT-AUTHENTICATED";
    case State::Authenticated: return "AUTHENTICATED";
    case State::Selected: return "SELECTED";
    case State::Logout: return "LOGOUT";
  }
  return "?";
}

ClientSession::ClientSession(ClientConfig config)
    : config_(std::move(config)), tls_active_(config_.implicit_tls) {
  current_op_ = PendingOp{1, Op::Sync, {}};
}

bool ClientSession::has_capability(std::string_view cap) const {
  return caps_.count(to_upper(cap)) > 0;
}

void ClientSession::set_state(State s) {
  if (s == state_) return;
  emit_state_changed(state_name(state_), state_name(s));
  state_ = s;
}

void ClientSession::tls_established() {
  if (!tls_requested_) return;
  tls_requested_ = false;
  tls_active_ = true;
  reader_.clear();
  caps_.clear();  // RFC 3501 6.2.1: capabilities must be asked again
  push({{"CAPABILITY"}, {}, [this](const Tagged&) { step_login(); }, 0, false, false, {}});
  pump();
}

void ClientSession::connection_lost() {
  if (closed_) return;
  fail_connection("Connection lost");
}

void ClientSession::fail_connection(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  idling_ = false;
  emit(proto::ProtocolEvent::Kind::Note, "Connection closed: " + why);
  if (current_op_) finish_failed(current_op_->id, current_op_->op, why);
  for (const auto& op : ops_) finish_failed(op.id, op.op, why);
  ops_.clear();
  queue_.clear();
  inflight_.reset();
  set_state(State::Logout);
}

// ---------------------------------------------------------------------------------------
// Requests

// RFC 2177: DONE ends a running IDLE (sent once per IDLE).
void ClientSession::send_done() {
  done_sent_ = true;
  write("DONE\r\n");
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandSent;
  e.verb = "DONE";
  e.text = "DONE";
  emit(std::move(e));
}

ClientSession::RequestId ClientSession::enqueue(Op op, std::function<void()> start) {
  const RequestId id = next_request_++;
  if (closed_) {
    finish_failed(id, op, "Connection closed");
    return id;
  }
  ops_.push_back({id, op, std::move(start)});
  // A request ends a running IDLE.
  if (idling_ && !done_sent_) send_done();
  pump();
  return id;
}

void ClientSession::finish(RequestId id, Op op, const Tagged& t, std::string data) {
  Result r;
  r.id = id;
  r.op = op;
  r.status = t.status;
  r.ok = t.status == "OK";
  r.text = t.text;
  r.untagged = std::move(inflight_untagged_);
  inflight_untagged_.clear();
  r.data = std::move(data);
  deliver(std::move(r));
}

void ClientSession::finish_failed(RequestId id, Op op, const std::string& why) {
  Result r;
  r.id = id;
  r.op = op;
  r.text = why;
  deliver(std::move(r));
}

void ClientSession::deliver(Result r) {
  const RequestId id = r.id;
  results_.push_back(std::move(r));
  if (current_op_ && current_op_->id == id) current_op_.reset();
}

ClientSession::RequestId ClientSession::open(std::uint32_t uid) {
  RequestId id = next_request_;
  return enqueue(Op::Open, [this, id, uid] {
    open_body_.clear();
    push({{"UID FETCH " + std::to_string(uid) + " BODY[]"}, {}, [this, id](const Tagged& t) {
            Tagged r = t;
            if (t.status == "OK" && open_body_.empty() && inflight_untagged_.empty()) {
              r.status = "NO";
            }
            finish(id, Op::Open, r, std::exchange(open_body_, {}));
          }, id, false, false, {}});
  });
}

ClientSession::RequestId ClientSession::enqueue_command(Op op, std::vector<std::string> parts) {
  const RequestId id = next_request_;
  return enqueue(op, [this, id, op, parts = std::move(parts)] {
    push({parts, {}, [this, id, op](const Tagged& t) { finish(id, op, t); }, id, false, false, {}});
  });
}

ClientSession::RequestId ClientSession::mark_read(std::uint32_t uid) {
  return enqueue_command(Op::MarkRead, {"UID STORE " + std::to_string(uid) + " +FLAGS (\\Seen)"});
}

ClientSession::RequestId ClientSession::mark_unread(std::uint32_t uid) {
  return enqueue_command(Op::MarkUnread, {"UID STORE " + std::to_string(uid) + " -FLAGS (\\Seen)"});
}

ClientSession::RequestId ClientSession::delete_to_trash(std::uint32_t uid) {
  RequestId id = next_request_;
  return enqueue(Op::DeleteToTrash, [this, id, uid] {
    const std::string u = std::to_string(uid);
    Builder target;
    target.astr(config_.trash);
    auto trash = target.take();
    if (has_capability("MOVE")) {
      trash.front() = "UID MOVE " + u + " " + trash.front();
      push({trash, {}, [this, id](const Tagged& t) { finish(id, Op::DeleteToTrash, t); }, id,
            false, false, {}});
      return;
    }
    // Without MOVE: COPY, flag \Deleted, then expunge (only this UID with UIDPLUS).
    trash.front() = "UID COPY " + u + " " + trash.front();
    push({trash, {}, [this, id, u](const Tagged& t) {
            if (t.status != "OK") return finish(id, Op::DeleteToTrash, t);
            push({{"UID STORE " + u + " +FLAGS.SILENT (\\Deleted)"}, {},
                  [this, id, u](const Tagged& t2) {
                    if (t2.status != "OK") return finish(id, Op::DeleteToTrash, t2);
                    const std::string cmd =
                        has_capability("UIDPLUS") ? "UID EXPUNGE " + u : std::string("EXPUNGE");
                    push({{cmd}, {}, [this, id](const Tagged& t3) {
                            finish(id, Op::DeleteToTrash, t3);
                          }, id, false, false, {}}, true);
                  }, id, false, false, {}}, true);
          }, id, false, false, {}});
  });
}

ClientSession::RequestId ClientSession::idle() {
  RequestId id = next_request_;
  return enqueue(Op::Idle, [this, id] {
    done_sent_ = false;
    idle_restart_ = false;
    push({{"IDLE"}, {}, [this, id](const Tagged& t) {
            idling_ = false;
            const bool restart = idle_restart_ && ops_.empty() && t.status == "OK";
            idle_restart_ = false;
            done_sent_ = false;
            if (!restart) return finish(id, Op::Idle, t);
            // New mail ended the IDLE: fetch it (queued already), then idle again.
            push({{"IDLE"}, {}, inflight_->on_done, id, true, false, {}});
          }, id, true, false, {}});
  });
}

void ClientSession::done() {
  idle_restart_ = false;
  if (idling_ && !done_sent_) {
    send_done();
  } else if (!idling_) {
    done_sent_ = true;  // sent as soon as the server accepts the IDLE
  }
}

ClientSession::RequestId ClientSession::refresh() { return enqueue_command(Op::Refresh, {"NOOP"}); }

ClientSession::RequestId ClientSession::append(std::string mailbox, std::string message,
                                               FlagSet flags) {
  Builder b;
  b.text("APPEND ").astr(mailbox).text(" ");
  if (!flags.empty()) b.text(format_flag_list(flags)).text(" ");
  std::vector<std::string> parts = b.take();
  parts.push_back(std::move(message));
  parts.emplace_back();
  return enqueue_command(Op::Append, std::move(parts));
}

ClientSession::RequestId ClientSession::command(std::vector<std::string> parts) {
  if (parts.empty()) parts.emplace_back();
  if (parts.size() % 2 == 0) parts.emplace_back();
  return enqueue_command(Op::Command, std::move(parts));
}

ClientSession::RequestId ClientSession::logout() {
  RequestId id = next_request_;
  return enqueue(Op::Logout, [this, id] {
    push({{"LOGOUT"}, {}, [this, id](const Tagged& t) {
            finish(id, Op::Logout, t);
            closed_ = true;
            set_state(State::Logout);
          }, id, false, false, {}});
  });
}

// ---------------------------------------------------------------------------------------
// Sending

void ClientSession::push(Command c, bool front) {
  if (closed_) return;
  if (front) queue_.push_front(std::move(c));
  else queue_.push_back(std::move(c));
  pump();
}

void ClientSession::pump() {
  if (closed_ || tls_requested_ || inflight_ || state_ == State::Connecting) return;
  if (!queue_.empty()) {
    start_command();
    return;
  }
  if (ready_ && !current_op_ && !ops_.empty()) {
    current_op_ = std::move(ops_.front());
    ops_.pop_front();
    auto start = current_op_->start;
    start();
  }
}

std::string ClientSession::literal_marker(std::size_t n) const {
  return "{" + std::to_string(n) + (has_capability("LITERAL+") ? "+}" : "}");
}

void ClientSession::start_command() {
  inflight_ = std::move(queue_.front());
  queue_.pop_front();
  inflight_tag_ = "a" + std::to_string(++tag_counter_);
  inflight_untagged_.clear();
  auto& c = *inflight_;
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::CommandSent;
  std::string shown = inflight_tag_ + " ";
  for (std::size_t i = 0; i < c.parts.size(); ++i)
    shown += i % 2 == 0 ? c.parts[i] : literal_marker(c.parts[i].size()) + " [" +
                                           std::to_string(c.parts[i].size()) + " octets] ";
  const auto sp = c.parts[0].find(' ');
  e.verb = to_upper(c.parts[0].substr(0, sp));
  if (e.verb == "UID" && sp != std::string::npos) e.verb += " " + to_upper(word_at(c.parts[0], sp + 1));
  if (!c.display.empty()) {
    e.text = inflight_tag_ + " " + c.display;
    e.clear_text = shown;
  } else {
    e.text = shown;
  }
  emit(std::move(e));
  write(inflight_tag_ + " ");
  next_piece_ = 0;
  send_next_piece();
}

void ClientSession::send_next_piece() {
  auto& c = *inflight_;
  std::size_t i = next_piece_;
  const bool plus = has_capability("LITERAL+");
  for (;;) {
    write(c.parts[i]);
    if (i + 1 >= c.parts.size()) {
      write("\r\n");
      next_piece_ = c.parts.size();
      return;
    }
    write(literal_marker(c.parts[i + 1].size()));
    write("\r\n");
    if (!plus) {
      next_piece_ = i + 1;  // wait for "+"
      return;
    }
    write(c.parts[i + 1]);
    i += 2;
  }
}

void ClientSession::on_continuation(const std::string& line) {
  if (!inflight_) {
    fail_connection("Unexpected continuation request");
    return;
  }
  auto& c = *inflight_;
  if (c.idle) {
    idling_ = true;
    if (done_sent_ || !ops_.empty() || idle_restart_) send_done();
    return;
  }
  if (c.auth_continuation) {
    c.auth_continuation = false;
    write(c.auth_response + "\r\n");
    proto::ProtocolEvent e;
    e.kind = proto::ProtocolEvent::Kind::CommandSent;
    e.verb = "AUTHENTICATE";
    e.text = "********";
    e.clear_text = c.auth_response;
    emit(std::move(e));
    return;
  }
  if (next_piece_ % 2 == 1 && next_piece_ < c.parts.size()) {
    write(c.parts[next_piece_]);
    next_piece_ += 1;
    send_next_piece();
    return;
  }
  (void)line;
  fail_connection("Unexpected continuation request");
}

// ---------------------------------------------------------------------------------------
// Receiving

void ClientSession::receive(std::string_view bytes) {
  if (closed_ || bytes.empty() || tls_requested_) return;
  reader_.feed(bytes);
  process();
}

void ClientSession::process() {
  while (!closed_ && !tls_requested_) {
    if (literal_left_ > 0) {
      const std::size_t have = reader_.buffered();
      if (have == 0) return;
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, have));
      auto chunk = reader_.take_bytes(n);
      assert(chunk);
      resp_ += *chunk;
      literal_left_ -= n;
      continue;
    }
    auto r = reader_.next_line();
    if (r.status == proto::LineReader::Status::NeedMore) return;
    if (r.status == proto::LineReader::Status::Overlong) {
      emit(proto::ProtocolEvent::Kind::ProtocolError,
           "Response line longer than " + std::to_string(kMaxResponseLine) + " octets");
      fail_connection("Response line too long");
      return;
    }
    resp_ += r.line;
    resp_display_ += r.line;
    std::uint64_t size = 0;
    if (literal_at_end(r.line, size)) {
      if (size > kMaxResponseLiteral || resp_.size() + size > kMaxResponseTotal) {
        emit(proto::ProtocolEvent::Kind::ProtocolError,
             "Literal of " + std::to_string(size) + " octets in a response is too large");
        fail_connection("Response literal too large");
        return;
      }
      resp_ += "\r\n";
      resp_display_ += " [" + std::to_string(size) + " octets] ";
      literal_left_ = size;
      continue;
    }
    if (resp_.size() > kMaxResponseTotal) {
      fail_connection("Response too large");
      return;
    }
    const std::string wire = std::exchange(resp_, {});
    const std::string display = std::exchange(resp_display_, {});
    on_response(wire, display);
  }
}

void ClientSession::on_response(const std::string& wire, const std::string& display) {
  proto::ProtocolEvent e;
  e.kind = proto::ProtocolEvent::Kind::ReplyReceived;
  e.text = display;
  e.status = status_word(display);
  emit(std::move(e));
  if (state_ == State::Connecting) {
    const std::string status = status_word(wire);
    if (wire.rfind("* ", 0) != 0 || (status != "OK" && status != "PREAUTH")) {
      fail_connection("Server refused the connection");
      return;
    }
    parse_capabilities(wire);
    set_state(status == "PREAUTH" ? State::Authenticated : State::NotAuthenticated);
    step_after_greeting();
    return;
  }
  if (wire.rfind("+", 0) == 0) {
    on_continuation(wire);
  } else if (wire.rfind("* ", 0) == 0) {
    if (inflight_) inflight_untagged_.push_back(wire);
    on_untagged(wire);
  } else {
    on_tagged(wire);
  }
}

void ClientSession::parse_capabilities(std::string_view text) {
  std::string list;
  const std::string code = response_code(text);
  if (to_upper(code.substr(0, 11)) == "CAPABILITY ") {
    list = code.substr(11);
  } else if (to_upper(word_at(text, 2)) == "CAPABILITY") {
    list = std::string(text_from(text, 13));
  } else {
    return;
  }
  caps_.clear();
  std::size_t pos = 0;
  while (pos < list.size()) {
    const auto end = list.find(' ', pos);
    const std::string cap = list.substr(pos, end == std::string::npos ? list.npos : end - pos);
    if (!cap.empty()) caps_.insert(to_upper(cap));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
}

bool ClientSession::parse_value(std::string_view s, std::size_t& pos, Value& out,
                                std::size_t depth) {
  if (depth > kMaxValueDepth || pos >= s.size()) return false;
  if (s[pos] == '(') {
    out.kind = Value::Kind::List;
    ++pos;
    if (pos < s.size() && s[pos] == ')') {
      ++pos;
      return true;
    }
    for (;;) {
      Value v;
      if (!parse_value(s, pos, v, depth + 1)) return false;
      const bool was_list = v.kind == Value::Kind::List;
      out.items.push_back(std::move(v));
      if (pos < s.size() && s[pos] == ' ') {
        ++pos;
        continue;
      }
      // RFC 3501 section 9 writes some lists of lists without separators: address-list is
      // "(" 1*address ")" and body-type-mpart is 1*body, so ")(" continues the list.
      if (was_list && pos < s.size() && s[pos] == '(') continue;
      if (pos < s.size() && s[pos] == ')') {
        ++pos;
        return true;
      }
      return false;
    }
  }
  if (s[pos] == '"') {
    out.kind = Value::Kind::String;
    ++pos;
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      out.text += s[pos++];
    }
    if (pos >= s.size()) return false;
    ++pos;
    return true;
  }
  if (s[pos] == '{') {
    const auto close = s.find('}', pos);
    if (close == std::string_view::npos || close + 2 >= s.size() + 1) return false;
    std::uint64_t n = 0;
    for (std::size_t i = pos + 1; i < close; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (n > kMaxResponseTotal) return false;
    }
    if (s.substr(close + 1, 2) != "\r\n" || s.size() - (close + 3) < n) return false;
    const auto len = static_cast<std::size_t>(n);  // <= s.size(): fits a 32-bit size_t too
    out.kind = Value::Kind::String;
    out.text = std::string(s.substr(close + 3, len));
    pos = close + 3 + len;
    return true;
  }
  const std::size_t start = pos;
  while (pos < s.size() && s[pos] != ' ' && s[pos] != '(' && s[pos] != ')') {
    if (s[pos] == '[') {
      const auto close = s.find(']', pos);
      if (close == std::string_view::npos) return false;
      pos = close;
    }
    ++pos;
  }
  if (pos == start) return false;
  out.text = std::string(s.substr(start, pos - start));
  if (iequals(out.text, "NIL")) {
    out.kind = Value::Kind::Nil;
    out.text.clear();
  }
  return true;
}

void ClientSession::on_untagged(const std::string& wire) {
  const std::string first = word_at(wire, 2);
  const std::string upper = to_upper(first);
  if (!first.empty() && first[0] >= '0' && first[0] <= '9') {
    std::uint64_t n = 0;
    for (char c : first) {
      if (c < '0' || c > '9') return;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
      if (n > 0xFFFFFFFFull) return;
    }
    const auto seq = static_cast<std::uint32_t>(n);
    if (seq > kMaxMailboxMessages) {
      emit(proto::ProtocolEvent::Kind::ProtocolError,
           "Message number " + std::to_string(seq) + " is over the client's limit of " +
               std::to_string(kMaxMailboxMessages));
      fail_connection("Mailbox too large");
      return;
    }
    const std::size_t kw_at = 2 + first.size() + 1;
    const std::string kind = to_upper(word_at(wire, std::min(kw_at, wire.size())));
    if (kind == "EXISTS") {
      if (seq > seq_uids_.size()) {
        seq_uids_.resize(seq, 0);
        if (ready_) fetch_new_messages();
      }
    } else if (kind == "EXPUNGE") {
      if (seq >= 1 && seq <= seq_uids_.size()) {
        messages_.erase(seq_uids_[seq - 1]);
        seq_uids_.erase(seq_uids_.begin() + static_cast<std::ptrdiff_t>(seq - 1));
      }
    } else if (kind == "FETCH" && seq >= 1) {
      std::size_t pos = kw_at + 6;
      Value v;
      if (pos < wire.size() && parse_value(wire, pos, v, 0) && v.kind == Value::Kind::List) {
        apply_fetch(seq, v.items);
      } else {
        emit(proto::ProtocolEvent::Kind::ProtocolError, "Unreadable FETCH response for message " + std::to_string(seq));
      }
    }
    return;
  }
  if (upper == "OK" || upper == "NO" || upper == "BAD") {
    parse_capabilities(wire);
    const std::string code = to_upper(response_code(wire));
    if (code.rfind("UIDVALIDITY ", 0) == 0) {
      std::uint64_t v = 0;
      for (char c : code.substr(12)) {
        if (c < '0' || c > '9') break;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > 0xFFFFFFFFull) break;
      }
      if (v <= 0xFFFFFFFFull) uidvalidity_ = static_cast<std::uint32_t>(v);
    }
  } else if (upper == "CAPABILITY") {
    parse_capabilities(wire);
  } else if (upper == "BYE") {
    const bool logging_out = inflight_ && inflight_->parts[0] == "LOGOUT";
    if (!logging_out) {
      const std::string_view why = text_from(wire, 6);
      fail_connection(why.empty() ? std::string("Server closed the session") : "Server closed the session: " + std::string(why));
    }
  } else if (upper == "LIST") {
    std::size_t pos = 7;
    Value attrs, delim, name;
    if (parse_value(wire, pos, attrs, 0) && pos < wire.size() && wire[pos] == ' ' &&
        parse_value(wire, ++pos, delim, 0) && pos < wire.size() && wire[pos] == ' ' &&
        parse_value(wire, ++pos, name, 0)) {
      bool noselect = false;
      for (const auto& a : attrs.items) noselect = noselect || iequals(a.text, "\\Noselect");
      if (!noselect) folders_.push_back(name.text);
    }
  }
}

void ClientSession::apply_fetch(std::uint32_t seq, const std::vector<Value>& items) {
  if (seq > seq_uids_.size()) seq_uids_.resize(seq, 0);
  std::uint32_t uid = seq_uids_[seq - 1];
  for (std::size_t i = 0; i + 1 < items.size(); i += 2)
    if (iequals(items[i].text, "UID")) {
      std::uint64_t v = 0;
      for (char c : items[i + 1].text) v = v * 10 + static_cast<std::uint64_t>(c - '0');
      if (v > 0 && v <= 0xFFFFFFFFull) uid = static_cast<std::uint32_t>(v);
    }
  if (uid == 0) return;
  seq_uids_[seq - 1] = uid;
  auto& m = messages_[uid];
  m.uid = uid;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string key = to_upper(items[i].text);
    const Value& v = items[i + 1];
    if (key == "FLAGS") {
      m.flags.clear();
      for (const auto& f : v.items)
        if (!iequals(f.text, "\\Recent")) m.flags.insert(canonical_flag(f.text));
    } else if (key == "RFC822.SIZE") {
      std::uint64_t n = 0;
      for (char c : v.text) n = n * 10 + static_cast<std::uint64_t>(c - '0');
      m.size = n;
    } else if (key == "BODY[]" || key == "RFC822") {
      m.body = v.text;
      open_body_ = v.text;
    } else if (key == "ENVELOPE" && v.items.size() >= 10) {
      m.date = v.items[0].text;
      m.subject = message::decode_encoded_words(v.items[1].text);
      m.message_id = v.items[9].text;
      const Value& from = v.items[2];
      if (!from.items.empty() && from.items[0].items.size() >= 4) {
        const auto& a = from.items[0].items;
        const std::string addr =
            a[2].text + (a[3].kind == Value::Kind::Nil ? "" : "@" + a[3].text);
        const std::string name = message::decode_encoded_words(a[0].text);
        m.from = name.empty() ? addr : name + " <" + addr + ">";
      }
    }
  }
}

void ClientSession::on_tagged(const std::string& wire) {
  const std::string tag = word_at(wire, 0);
  if (!inflight_ || tag != inflight_tag_) {
    emit(proto::ProtocolEvent::Kind::ProtocolError, "Response with an unknown tag: " + tag);
    return;
  }
  Tagged t{status_word(wire), wire};
  Command c = std::move(*inflight_);
  inflight_.reset();
  // on_done may look at inflight_ (IDLE restart): keep it reachable during the call.
  inflight_ = c;
  auto on_done = c.on_done;
  if (on_done) on_done(t);
  if (inflight_ && inflight_tag_ == tag) inflight_.reset();
  pump();
}

// ---------------------------------------------------------------------------------------
// The initial sync

void ClientSession::step_after_greeting() {
  auto next = [this] {
    if (config_.use_starttls && !tls_active_) {
      if (!has_capability("STARTTLS")) {
        fail_connection("The server does not offer STARTTLS");
        return;
      }
      push({{"STARTTLS"}, {}, [this](const Tagged& t) {
              if (t.status != "OK") {
                fail_connection("STARTTLS refused: " + t.text);
                return;
              }
              tls_requested_ = true;
              reader_.clear();
            }, 0, false, false, {}});
      return;
    }
    step_login();
  };
  if (state_ == State::Authenticated) {
    step_list();
    return;
  }
  after_capabilities_known(next);
}

void ClientSession::after_capabilities_known(const std::function<void()>& next) {
  if (!caps_.empty()) {
    next();
    return;
  }
  push({{"CAPABILITY"}, {}, [next](const Tagged&) { next(); }, 0, false, false, {}});
}

void ClientSession::step_login() {
  auto after = [this](const Tagged& t) {
    if (t.status != "OK") {
      fail_connection("Login failed: " + t.text);
      return;
    }
    set_state(State::Authenticated);
    caps_.clear();
    parse_capabilities(t.text);
    if (caps_.empty()) {
      after_capabilities_known([this] { step_list(); });
      return;
    }
    step_list();
  };
  if (config_.use_authenticate) {
    std::string plain;
    plain += '\0';
    plain += config_.user;
    plain += '\0';
    plain += config_.password;
    const std::string b64 = proto::base64_encode(plain);
    if (has_capability("SASL-IR")) {
      push({{"AUTHENTICATE PLAIN " + b64}, "AUTHENTICATE PLAIN ********", after, 0, false, false,
            {}});
    } else {
      push({{"AUTHENTICATE PLAIN"}, {}, after, 0, false, true, b64});
    }
    return;
  }
  Builder b;
  b.text("LOGIN ").astr(config_.user).text(" ").str(config_.password);
  push({b.take(), "LOGIN " + imap_astring(config_.user) + " ********", after, 0, false, false, {}});
}

void ClientSession::step_list() {
  folders_.clear();
  push({{"LIST \"\" \"*\""}, {}, [this](const Tagged&) { step_select(); }, 0, false, false, {}});
}

void ClientSession::step_select() {
  Builder b;
  b.text("SELECT ").astr(config_.mailbox);
  seq_uids_.clear();
  messages_.clear();
  push({b.take(), {}, [this](const Tagged& t) {
          if (t.status != "OK") {
            fail_connection("SELECT failed: " + t.text);
            return;
          }
          set_state(State::Selected);
          if (seq_uids_.empty()) {
            ready_ = true;
            finish(1, Op::Sync, t);
            return;
          }
          push({{"UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)"}, {},
                [this](const Tagged& t2) {
                  ready_ = true;
                  finish(1, Op::Sync, t2);
                }, 0, false, false, {}});
        }, 0, false, false, {}});
}

void ClientSession::fetch_new_messages() {
  if (fetch_pending_) return;
  fetch_pending_ = true;
  if (idling_ && !done_sent_) {
    idle_restart_ = true;
    send_done();
  }
  const std::uint32_t last = messages_.empty() ? 0 : messages_.rbegin()->first;
  push({{"UID FETCH " + std::to_string(last + 1) + ":* (UID FLAGS RFC822.SIZE ENVELOPE)"}, {},
        [this](const Tagged&) { fetch_pending_ = false; }, 0, false, false, {}});
}

}  // namespace mailsim::imap
