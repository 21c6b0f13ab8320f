// A server connection's fault gate and the DNS server's check (docs/faults.md).
#include "sim/faults/fault_gate.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace mailsim::sim::faults {

namespace {

// A client that sends this much without a line end gets its bytes passed on as they are: the
// engine's own line-length limit answers it.
constexpr std::size_t kMaxPendingLine = 64 * 1024;
// Output held by a delay beyond this (a client that keeps talking to a server told to wait) ends
// the connection with a reset rather than growing without bound.
constexpr std::size_t kMaxHeldOutput = 1024 * 1024;
// Bytes a throttle may have on their way in at once (a client that sends far faster than the
// rate); more resets the connection.
constexpr std::size_t kMaxPacedInput = 64 * 1024 * 1024;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string_view word(std::string_view line, std::size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ' ' && line[pos] != '\r' && line[pos] != '\n' && line[pos] != ':') ++pos;
  return line.substr(start, pos - start);
}

// "MAIL FROM:<a@b> SIZE=10" -> "a@b"; "" when there are no angle brackets.
std::string path_of(std::string_view line) {
  const auto open = line.find('<');
  if (open == std::string_view::npos) return {};
  const auto close = line.find('>', open);
  if (close == std::string_view::npos) return {};
  return std::string(line.substr(open + 1, close - open - 1));
}

}  // namespace

ConnectionGate::ConnectionGate(Simulation& sim, FaultEngine& engine, FaultPoint where, GateIo io)
    : sim_(sim), engine_(engine), where_(std::move(where)), io_(std::move(io)) {}

FaultPoint ConnectionGate::point(Stage s, const std::string& verb) const {
  FaultPoint p = where_;
  p.stage = s;
  p.command = verb;
  p.sender = sender_;
  p.recipients = recipients_;
  return p;
}

std::string ConnectionGate::reply_line(const FaultRule& rule, const std::string& tag) const {
  if (where_.protocol == "pop3") return "-ERR " + rule.text;
  if (where_.protocol == "imap") {
    if (rule.code == 421 || tag.empty()) return "* BYE " + rule.text;
    return tag + " NO " + rule.text;
  }
  return std::to_string(rule.code) + " " + rule.text;
}

bool ConnectionGate::act(const FaultRule& rule, const std::string& tag) {
  switch (rule.action) {
    case Action::Reply:
    case Action::Limit: {
      const std::string line = reply_line(rule, tag);
      const bool closing = rule.code == 421 || !greeted_ || (where_.protocol == "imap" && line.rfind("* BYE", 0) == 0);
      Record r;
      r.kind = RecordKind::Protocol;
      r.host = where_.host;
      r.peer = where_.client;
      r.conn = where_.conn;
      r.protocol = where_.protocol;
      ProtocolInfo p;
      p.event = ProtoEvent::Reply;
      p.text_key = ProtocolInfo::TextKey::Line;
      p.text = line;
      p.fault = rule.id;
      if (rule.code != 0) p.has_code = true, p.code = rule.code;
      r.proto = &p;  // the trace keeps its own copy
      sim_.record(std::move(r));
      send(line + "\r\n");
      if (closing) {
        dead_ = true;
        if (held_) return true;  // closed when the held output is out (see hold)
        if (paced_out_ > 0) {
          close_after_paced_ = true;  // closed when the throttle has let it out (see emit)
          return true;
        }
        io_.close();
      }
      return true;
    }
    case Action::Throttle:
      rate_ = rule.rate;
      return false;
    case Action::Delay: hold(rule.delay); return false;
    case Action::Close:
      dead_ = true;
      io_.close();
      return true;
    case Action::Reset:
      dead_ = true;
      io_.reset();
      return true;
    case Action::Cut:
      cut_left_ = rule.bytes;
      if (rule.bytes == 0) {
        dead_ = true;
        io_.reset();
        return true;
      }
      return false;
    case Action::Drop:
    case Action::ServFail: return false;  // DNS only (the loader allows them nowhere else)
  }
  return false;
}

bool ConnectionGate::start() {
  for (const Stage s : {Stage::Connect, Stage::Greeting}) {
    if (const FaultRule* r = engine_.check(sim_, point(s, {}))) {
      act(*r, {});
      break;
    }
  }
  greeted_ = true;
  return !dead_;
}

void ConnectionGate::receive(std::string_view bytes) {
  if (dead_) return;
  if (rate_ > 0 && !bytes.empty()) {
    // A throttled connection: the bytes reach the server when the slow pipe has carried them.
    paced_in_ += bytes.size();
    if (paced_in_ > kMaxPacedInput) {
      dead_ = true;
      io_.reset();
      return;
    }
    std::weak_ptr<ConnectionGate> weak = shared_from_this();
    const Time at = pace(in_free_at_, bytes.size());
    sim_.core().schedule_at(at, [weak, data = std::string(bytes)] {
      auto self = weak.lock();
      if (!self) return;
      self->paced_in_ -= data.size();
      if (self->dead_) return;
      self->in_.append(data);
      self->pump();
    });
    return;
  }
  in_.append(bytes);
  pump();
}

Time ConnectionGate::pace(Time& free_at, std::size_t bytes) const {
  // Integer arithmetic only: the same virtual times on every platform.
  const Time took = static_cast<Time>((static_cast<std::uint64_t>(bytes) * static_cast<std::uint64_t>(kSecond) +
                                       rate_ - 1) / rate_);
  free_at = std::max(free_at, sim_.now()) + took;
  return free_at;
}

void ConnectionGate::emit(std::string out) {
  if (rate_ == 0) {
    io_.send(out);
    return;
  }
  ++paced_out_;
  std::weak_ptr<ConnectionGate> weak = shared_from_this();
  const Time at = pace(out_free_at_, out.size());  // before `out` is moved into the callback
  sim_.core().schedule_at(at, [weak, data = std::move(out)] {
    auto self = weak.lock();
    if (!self) return;
    --self->paced_out_;
    if (self->dead_ && !self->close_after_paced_) return;  // reset or cut meanwhile
    self->io_.send(data);
    if (self->paced_out_ > 0) return;
    if (self->close_after_paced_) {
      self->close_after_paced_ = false;
      self->io_.close();
      return;
    }
    if (self->io_.release) self->io_.release();  // the link may close now
  });
}

void ConnectionGate::feed(std::string_view bytes) {
  if (dead_ || bytes.empty()) return;
  if (cut_left_) {
    if (bytes.size() >= *cut_left_) {
      const std::size_t n = static_cast<std::size_t>(*cut_left_);
      cut_left_ = 0;
      if (n > 0) io_.feed(bytes.substr(0, n));
      dead_ = true;
      io_.reset();
      return;
    }
    *cut_left_ -= bytes.size();
  }
  io_.feed(bytes);
}

void ConnectionGate::pump() {
  const bool smtp = where_.protocol == "smtp";
  while (!dead_ && !in_.empty()) {
    const auto nl = in_.find('\n');
    if (nl == std::string::npos) {
      if (in_.size() > kMaxPendingLine) {
        const std::string all = std::move(in_);
        in_.clear();
        feed(all);
      }
      return;
    }
    const std::string line = in_.substr(0, nl + 1);
    in_.erase(0, nl + 1);
    if (io_.in_data && io_.in_data()) {
      if (line == ".\r\n" || line == ".\n") {
        if (const FaultRule* r = engine_.check(sim_, point(Stage::EndOfData, {}))) {
          if (r->action == Action::Reply || r->action == Action::Limit) {
            // The MTA answers this instead of accepting (take_data_reply), so nothing is queued.
            data_reply_ = {r->code, r->text};
          } else if (act(*r, {})) {
            return;
          }
        }
        feed(line);
        sender_.clear();
        recipients_.clear();
        continue;
      }
      feed(line);
      continue;
    }
    if (io_.command_mode && !io_.command_mode()) {
      feed(line);
      continue;
    }
    std::size_t pos = 0;
    std::string tag;
    if (where_.protocol == "imap") tag = std::string(word(line, pos));
    std::string verb = upper(word(line, pos));
    if (where_.protocol == "imap" && verb == "UID") verb = upper(word(line, pos));
    Stage stage = Stage::Command;
    if (smtp) {
      if (verb == "EHLO" || verb == "HELO") stage = Stage::Ehlo;
      else if (verb == "AUTH") stage = Stage::Auth;
      else if (verb == "MAIL") {
        stage = Stage::Mail;
        sender_ = path_of(line);
        recipients_.clear();
      } else if (verb == "RCPT") {
        stage = Stage::Rcpt;
      } else if (verb == "DATA") stage = Stage::Data;
      else if (verb == "RSET") {
        sender_.clear();
        recipients_.clear();
      }
    } else if (where_.protocol == "pop3") {
      if (verb == "USER" || verb == "PASS" || verb == "APOP" || verb == "AUTH") stage = Stage::Auth;
      else if (verb == "RETR" || verb == "TOP") stage = Stage::Retr;
    } else if (where_.protocol == "imap") {
      if (verb == "LOGIN" || verb == "AUTHENTICATE") stage = Stage::Auth;
      else if (verb == "FETCH") stage = Stage::Fetch;
    }
    FaultPoint p = point(stage, verb);
    if (stage == Stage::Rcpt) p.recipients = {path_of(line)};
    const FaultRule* r = engine_.check(sim_, p);
    if (stage == Stage::Rcpt && !(r && (r->action == Action::Reply || r->action == Action::Limit)))
      recipients_.push_back(path_of(line));
    if (r && act(*r, tag)) continue;
    feed(line);
  }
}

void ConnectionGate::send(std::string out) {
  if (out.empty()) return;
  if (held_) {
    pending_ += out;
    if (pending_.size() > kMaxHeldOutput) {
      pending_.clear();
      dead_ = true;
      io_.reset();
    }
    return;
  }
  if (cut_left_) {
    if (out.size() >= *cut_left_) {
      out.resize(static_cast<std::size_t>(*cut_left_));
      cut_left_ = 0;
      if (!out.empty()) io_.send(out);
      dead_ = true;
      io_.reset();
      return;
    }
    *cut_left_ -= out.size();
  }
  emit(std::move(out));
}

void ConnectionGate::hold(Time delay) {
  held_until_ = std::max(held_until_, sim_.now() + delay);
  if (held_) return;  // the running timer looks at held_until_ again when it fires
  held_ = true;
  std::weak_ptr<ConnectionGate> weak = shared_from_this();
  struct Timer {
    static void arm(Simulation& sim, std::weak_ptr<ConnectionGate> w, Time at) {
      sim.core().schedule_at(at, [&sim, w] {
        auto self = w.lock();
        if (!self) return;
        if (self->held_until_ > sim.now()) {
          arm(sim, w, self->held_until_);
          return;
        }
        self->held_ = false;
        const bool closing = self->dead_;
        std::string out = std::move(self->pending_);
        self->pending_.clear();
        if (closing) {
          // A fault's reply that closes the connection was waiting behind the delay.
          self->io_.send(out);
          self->io_.close();
          return;
        }
        self->send(std::move(out));
        if (self->io_.release) self->io_.release();
      });
    }
  };
  Timer::arm(sim_, weak, held_until_);
}

std::optional<std::pair<int, std::string>> ConnectionGate::take_data_reply() {
  auto r = std::move(data_reply_);
  data_reply_.reset();
  return r;
}

std::shared_ptr<ConnectionGate> make_gate(Simulation& sim, const std::string& host, const std::string& client,
                                          const std::string& protocol, std::uint16_t port, std::uint64_t conn,
                                          GateIo io) {
  FaultEngine* engine = engine_of(sim);
  if (!engine) return nullptr;
  FaultPoint where;
  where.host = host;
  where.client = client;
  where.protocol = protocol;
  where.port = port;
  where.conn = conn;
  return std::make_shared<ConnectionGate>(sim, *engine, std::move(where), std::move(io));
}

DnsVerdict check_dns(Simulation& sim, const std::string& host, const std::string& client, const std::string& qname,
                     const std::string& qtype, bool tcp) {
  DnsVerdict v;
  FaultEngine* engine = engine_of(sim);
  if (!engine) return v;
  FaultPoint p;
  p.stage = Stage::Dns;
  p.host = host;
  p.client = client;
  p.protocol = "dns";
  p.port = 53;
  p.qname = qname;
  p.qtype = qtype;
  (void)tcp;
  if (const FaultRule* r = engine->check(sim, p)) {
    if (r->action == Action::Drop) v.drop = true;
    else if (r->action == Action::ServFail) v.servfail = true;
    else if (r->action == Action::Delay) v.delay = r->delay;
  }
  return v;
}

}  // namespace mailsim::sim::faults
