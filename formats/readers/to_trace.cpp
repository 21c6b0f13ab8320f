// Capture -> trace: each stream's bytes cut into protocol lines and decoded with mailsim's parsers.
#include "formats/readers/to_trace.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>

#include "protocols/dns/dns.hpp"
#include "protocols/smtp/reply.hpp"

namespace mailsim::formats {
namespace {

// The one place where replay makes trace records. A protocol record's JSON detail is typed by
// Trace::add (sim::ProtocolInfo); the keys it has no field for (a replay's annotations such as
// "meaning", "understood", "tag") stay in the record's detail. Mailbox and DNS records are built
// typed (add_typed), with such keys ("message") in their detail.
class RecordWriter {
 public:
  explicit RecordWriter(sim::Trace& trace) : trace_(trace) {}
  void add(sim::Time t, sim::RecordKind kind, std::string event, const std::string& host, const std::string& peer,
           std::uint64_t conn, std::string proto, std::string summary, nlohmann::json detail = nlohmann::json::object()) {
    sim::Record r = make(t, kind, std::move(event), host, peer, conn, std::move(proto), std::move(summary));
    r.detail = std::move(detail);
    trace_.add(std::move(r));
  }
  // A mailbox or DNS record built typed (sim::MailboxRecord, sim::DnsRecord): its info and the
  // keys it has no field for (in `typed.record.detail`) are set; the rest is set here.
  template <class Typed>
  void add_typed(sim::Time t, Typed& typed, const std::string& host, const std::string& peer, std::uint64_t conn,
                 std::string proto, std::string summary) {
    nlohmann::json extras = std::move(typed.record.detail);
    typed.record = make(t, sim::RecordKind::Note, std::string(), host, peer, conn, std::move(proto), std::move(summary));
    typed.record.detail = std::move(extras);
    trace_.add(typed.typed());
  }
  void add_packet(sim::Time t, std::string event, const std::string& host, const std::string& peer,
                  std::uint64_t conn, std::string proto, std::string summary, const sim::PacketInfo& packet) {
    trace_.add_packet(make(t, sim::RecordKind::Packet, std::move(event), host, peer, conn, std::move(proto),
                           std::move(summary)),
                      packet);
  }

 private:
  static sim::Record make(sim::Time t, sim::RecordKind kind, std::string event, const std::string& host,
                          const std::string& peer, std::uint64_t conn, std::string proto, std::string summary) {
    sim::Record r;
    r.time = t;
    r.kind = kind;
    r.event = std::move(event);
    r.host = host;
    r.peer = peer;
    r.conn = conn;
    r.protocol = std::move(proto);
    r.summary = std::move(summary);
    return r;
  }
  sim::Trace& trace_;
};

std::string event_name(sim::ProtoEvent e) { return std::string(sim::to_string(e)); }

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return u;
}

std::string first_word(std::string_view s) {
  const auto sp = s.find(' ');
  return std::string(s.substr(0, sp));
}

bool looks_like_domain(std::string_view s) {
  if (s.empty() || s.find('.') == std::string_view::npos) return s == "localhost";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '[' || c == ']' || c == ':';
  });
}

const std::set<std::string>& smtp_verbs() {
  static const std::set<std::string> v = {"HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY",
                                          "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN"};
  return v;
}
const std::set<std::string>& pop3_verbs() {
  static const std::set<std::string> v = {"USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET",
                                          "QUIT", "TOP",  "UIDL", "CAPA", "STLS", "AUTH"};
  return v;
}
const std::set<std::string>& imap_verbs() {
  static const std::set<std::string> v = {
      "CAPABILITY", "NOOP",   "LOGOUT",  "STARTTLS", "AUTHENTICATE", "LOGIN", "SELECT", "EXAMINE",  "CREATE",
      "DELETE",     "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST",    "LSUB",  "STATUS", "APPEND",   "CHECK",
      "CLOSE",      "EXPUNGE", "SEARCH", "FETCH",    "STORE",        "COPY",  "MOVE",   "UID",      "IDLE",
      "NAMESPACE",  "ENABLE", "ID",      "UNSELECT", "DONE"};
  return v;
}

// The header value of `name` in a message's header section ("" when absent).
std::string header_value(std::string_view msg, std::string_view name) {
  std::size_t at = 0;
  while (at < msg.size()) {
    auto nl = msg.find('\n', at);
    if (nl == std::string_view::npos) nl = msg.size();
    auto line = msg.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.size() > name.size() && line[name.size()] == ':' && upper(line.substr(0, name.size())) == upper(name)) {
      auto v = line.substr(name.size() + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return std::string(v);
    }
    at = nl + 1;
  }
  return {};
}

// Decodes one stream; state per protocol.
class StreamDecoder {
 public:
  StreamDecoder(ReplayTrace& out, RecordWriter& w, const Stream& s, std::uint64_t conn, std::string client_id,
                std::string server_id, std::map<std::string, std::string>& names)
      : out_(out), w_(w), s_(s), conn_(conn), client_(std::move(client_id)), server_(std::move(server_id)),
        names_(names) {}

  void chunk(sim::Time t, const Chunk& c) {
    t_ = t;
    const bool from_client = c.dir == Direction::ToServer;
    const auto& p = s_.protocol;
    if (tls_) {
      undecoded(from_client, c.bytes.size(), "encrypted (TLS after STARTTLS): mailsim cannot see into it");
      return;
    }
    if (p == "smtp" || p == "lmtp" || p == "pop3" || p == "imap") {
      auto& buf = from_client ? cbuf_ : sbuf_;
      buf += c.bytes;
      lines(from_client);
    } else if (p == "dns") {
      dns_bytes(from_client, c.bytes);
    } else {
      undecoded(from_client, c.bytes.size(),
                p == "tls" || p == "smtps" || p == "pop3s" || p == "imaps"
                    ? "encrypted (TLS): mailsim cannot see into it"
                    : "a protocol mailsim does not know (try --map PORT=PROTOCOL)");
    }
  }

  void finish() {
    for (bool side : {true, false}) {
      auto& buf = side ? cbuf_ : sbuf_;
      if (!buf.empty()) undecoded(side, buf.size(), "an unfinished line at the end of the connection");
      buf.clear();
    }
    if (data_mode_ && !data_.empty()) note("the message text was cut off by the end of the capture");
  }

 private:
  const std::string& who(bool from_client) const { return from_client ? client_ : server_; }
  const std::string& other(bool from_client) const { return from_client ? server_ : client_; }

  void note(const std::string& text) {
    w_.add(t_, sim::RecordKind::Note, "replay", server_, client_, conn_, s_.protocol, text, {{"text", text}});
  }

  void undecoded(bool from_client, std::size_t n, const std::string& why) {
    ++out_.not_understood;
    w_.add(t_, sim::RecordKind::Protocol, event_name(sim::ProtoEvent::NotUnderstood), who(from_client), other(from_client), conn_,
           s_.protocol.empty() ? "raw" : s_.protocol,
           std::string(from_client ? "C: " : "S: ") + "[" + std::to_string(n) + " bytes not understood: " + why + "]",
           {{"bytes", n}, {"reason", why}, {"side", from_client ? "client" : "server"}});
  }

  // After STARTTLS/STLS succeeded: what follows is ciphertext; what was buffered is too.
  void start_tls() {
    tls_ = true;
    note("TLS starts here: the rest of this connection is encrypted");
    for (bool side : {true, false}) {
      auto& buf = side ? cbuf_ : sbuf_;
      if (!buf.empty()) undecoded(side, buf.size(), "encrypted (TLS after STARTTLS): mailsim cannot see into it");
      buf.clear();
    }
  }

  // Cuts complete lines (IMAP: with their literals) out of a direction's buffer.
  void lines(bool from_client) {
    auto& buf = from_client ? cbuf_ : sbuf_;
    auto& literal = from_client ? cliteral_ : sliteral_;
    auto& line = from_client ? cline_ : sline_;
    std::size_t at = 0;
    while (at < buf.size()) {
      if (literal > 0) {
        const auto take = std::min<std::size_t>(literal, buf.size() - at);
        line_literal_ += take;
        literal -= take;
        at += take;
        continue;
      }
      const auto nl = buf.find('\n', at);
      if (nl == std::string::npos) break;
      std::string piece = buf.substr(at, nl - at);
      at = nl + 1;
      if (!piece.empty() && piece.back() == '\r') piece.pop_back();
      line += piece;
      // An IMAP literal announced at the end of the line: its bytes belong to this line.
      if (s_.protocol == "imap" && !line.empty() && line.back() == '}' && !(from_client && data_mode_)) {
        const auto open = line.rfind('{');
        if (open != std::string::npos) {
          std::string n = line.substr(open + 1, line.size() - open - 2);
          if (!n.empty() && n.back() == '+') n.pop_back();
          if (!n.empty() && n.size() <= 9 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            literal = std::stoul(n);
            line += " <literal>";
            continue;
          }
        }
      }
      std::string whole = std::move(line);
      line.clear();
      const std::size_t lit = line_literal_;
      line_literal_ = 0;
      one_line(from_client, whole, lit);
      if (tls_) return;  // the buffers were handed over as ciphertext
    }
    buf.erase(0, at);
  }

  void one_line(bool from_client, const std::string& line, std::size_t literal_bytes) {
    const auto& p = s_.protocol;
    if (p == "smtp" || p == "lmtp") return smtp_line(from_client, line);
    if (p == "pop3") return pop3_line(from_client, line);
    return imap_line(from_client, line, literal_bytes);
  }

  void command(const std::string& line, const std::string& verb, bool known, nlohmann::json extra = {}) {
    nlohmann::json d{{"line", line}, {"verb", verb}};
    if (!known) {
      d["understood"] = false;
      ++out_.not_understood;
    }
    if (extra.is_object()) d.update(extra);
    w_.add(t_, sim::RecordKind::Protocol, event_name(sim::ProtoEvent::Command), client_, server_, conn_, s_.protocol,
           "C: " + line + (known ? "" : "   [a command mailsim does not know]"), std::move(d));
  }

  void reply(const std::string& line, nlohmann::json d, const std::string& meaning = {}) {
    d["line"] = line;
    if (!meaning.empty()) d["meaning"] = meaning;
    w_.add(t_, sim::RecordKind::Protocol, event_name(sim::ProtoEvent::Reply), server_, client_, conn_, s_.protocol, "S: " + line, std::move(d));
  }

  // ---- SMTP ----
  void smtp_line(bool from_client, const std::string& line) {
    if (from_client) {
      if (data_mode_) {
        if (line == ".") {
          data_mode_ = false;
          w_.add(t_, sim::RecordKind::Protocol, event_name(sim::ProtoEvent::Data), client_, server_, conn_, s_.protocol,
                 "C: [the message: " + std::to_string(data_lines_) + " lines, " + std::to_string(data_.size()) +
                     " bytes]",
                 {{"lines", data_lines_}, {"size", data_.size()}, {"subject", header_value(data_, "Subject")}});
          command(".", ".", true);
          pending_.push_back(".");
          return;
        }
        if (data_.size() < 65536) data_ += line + "\r\n";
        ++data_lines_;
        return;
      }
      const auto verb = upper(first_word(line));
      if ((verb == "EHLO" || verb == "HELO" || verb == "LHLO") && line.size() > 5) {
        const auto name = line.substr(5);
        if (looks_like_domain(name)) names_.emplace(client_, name);
      }
      if (verb == "MAIL") {
        sender_ = line.substr(std::min<std::size_t>(line.size(), 10));
        rcpt_.clear();
        pending_rcpt_.clear();
      }
      if (verb == "RCPT") pending_rcpt_.push_back(line.substr(std::min<std::size_t>(line.size(), 8)));
      nlohmann::json extra = nlohmann::json::object();
      std::string shown = line;
      if (verb == "AUTH") extra["masked"] = false;  // shown as captured: a replay shows what was on the wire
      command(shown, verb, smtp_verbs().count(verb) > 0, extra);
      pending_.push_back(verb);
      return;
    }
    const auto parsed = smtp::parse_reply_line(line);
    if (!parsed) {
      ++out_.not_understood;
      w_.add(t_, sim::RecordKind::Protocol, event_name(sim::ProtoEvent::Reply), server_, client_, conn_, s_.protocol,
             "S: " + line + "   [not an SMTP reply line]", {{"line", line}, {"understood", false}});
      return;
    }
    nlohmann::json d{{"code", parsed->code}, {"last", parsed->last}};
    if (!parsed->enhanced.empty()) d["status"] = parsed->enhanced;
    std::string meaning;
    if (parsed->last) meaning = std::string(smtp::explain_reply(parsed->code, parsed->enhanced));
    reply(line, d, meaning);
    if (!parsed->last) return;
    std::string to;  // the command this reply answers
    if (greeted_) {
      if (!pending_.empty()) {
        to = pending_.front();
        pending_.pop_front();
      }
    } else {
      greeted_ = true;
      const auto name = first_word(parsed->text);
      if (parsed->code == 220 && looks_like_domain(name)) names_.emplace(server_, name);
    }
    if (to == "DATA" && parsed->code == 354) {
      data_mode_ = true;
      data_.clear();
      data_lines_ = 0;
    }
    if (to == "." ) {
      const bool ok = parsed->code >= 200 && parsed->code < 300;
      nlohmann::json m{{"subject", header_value(data_, "Subject")}, {"message_id", header_value(data_, "Message-ID")},
                       {"sender", sender_}, {"recipients", rcpt_}, {"reply", line}, {"code", parsed->code}};
      if (ok && !parsed->text.empty()) m["queue_id"] = parsed->text;
      w_.add(t_, sim::RecordKind::Mail, ok ? "queued" : "refused", server_, client_, conn_, s_.protocol,
             ok ? "the server took the message (" + std::to_string(parsed->code) + " after DATA): it is queued"
                : "the server refused the message: " + line,
             std::move(m));
    }
    if (to == "RCPT" && !pending_rcpt_.empty()) {
      if (parsed->code >= 200 && parsed->code < 300) rcpt_.push_back(pending_rcpt_.front());
      pending_rcpt_.pop_front();
    }
    if (to == "STARTTLS" && parsed->code == 220) {
      start_tls();
    }
  }

  // ---- POP3 ----
  void pop3_line(bool from_client, const std::string& line) {
    if (from_client) {
      const auto verb = upper(first_word(line));
      const bool known = pop3_verbs().count(verb) > 0;
      std::string shown = line;
      if (!pop3_auth_ && known) {
        command(shown, verb, true);
        pending_.push_back(line);
      } else if (pop3_auth_) {
        command(shown, "", true, {{"sasl", true}});  // a SASL response line
      } else {
        command(shown, verb, false);
        pending_.push_back(line);
      }
      return;
    }
    if (multi_) {
      if (line == ".") {
        multi_ = false;
        reply(".", {{"end_of_multiline", true}, {"lines", multi_lines_}});
        if (upper(first_word(multi_cmd_)) == "RETR") {
          const auto arg = multi_cmd_.size() > 5 ? multi_cmd_.substr(5) : std::string();
          sim::MailboxRecord rec;
          rec.info.event = sim::MailboxEvent::Downloaded;
          rec.subject = header_value(data_, "Subject");
          rec.info.size = static_cast<std::int64_t>(data_.size());
          rec.info.set(sim::MailboxInfo::kSubject).set(sim::MailboxInfo::kSize);
          rec.record.detail = {{"message", arg}};
          w_.add_typed(t_, rec, server_, client_, conn_, "pop3", "message " + arg + " was downloaded (RETR)");
        }
        return;
      }
      ++multi_lines_;
      if (data_.size() < 65536) data_ += line + "\r\n";
      if (multi_lines_ <= 20 || upper(first_word(multi_cmd_)) != "RETR")
        reply(line, {{"in_multiline", true}});
      return;
    }
    const bool ok = line.rfind("+OK", 0) == 0;
    const bool err = line.rfind("-ERR", 0) == 0;
    const bool cont = line.rfind("+ ", 0) == 0 || line == "+";
    if (!ok && !err && !cont) {
      ++out_.not_understood;
      reply(line + "   [not a POP3 status line]", {{"understood", false}});
      return;
    }
    reply(line, {{"status", ok ? "+OK" : err ? "-ERR" : "+"}});
    if (cont) {
      pop3_auth_ = true;
      return;
    }
    pop3_auth_ = false;
    if (!greeted_) {
      greeted_ = true;
      return;
    }
    if (pending_.empty()) return;
    const std::string cmd = pending_.front();
    pending_.pop_front();
    const auto verb = upper(first_word(cmd));
    const bool has_arg = cmd.find(' ') != std::string::npos;
    if (ok && (verb == "RETR" || verb == "TOP" || verb == "CAPA" || ((verb == "LIST" || verb == "UIDL") && !has_arg))) {
      multi_ = true;
      multi_cmd_ = cmd;
      multi_lines_ = 0;
      data_.clear();
    }
    if (ok && verb == "DELE")
    {
      const std::string which = cmd.substr(std::min<std::size_t>(cmd.size(), 5));
      sim::MailboxRecord rec;
      rec.info.event = sim::MailboxEvent::DeletedViaPop3;
      rec.record.detail = {{"message", which}};
      w_.add_typed(t_, rec, server_, client_, conn_, "pop3", "message " + which + " marked for deletion (DELE)");
    }
    if (ok && verb == "AUTH") pop3_auth_ = false;
    if (ok && verb == "STLS") start_tls();
  }

  // ---- IMAP ----
  void imap_line(bool from_client, const std::string& line, std::size_t literal_bytes) {
    nlohmann::json extra = nlohmann::json::object();
    if (literal_bytes) extra["literal_bytes"] = literal_bytes;
    if (from_client) {
      if (imap_idle_ && upper(line) == "DONE") {
        imap_idle_ = false;
        command(line, "DONE", true, extra);
        return;
      }
      const auto sp = line.find(' ');
      const auto tag = line.substr(0, sp);
      auto rest = sp == std::string::npos ? std::string() : line.substr(sp + 1);
      auto verb = upper(first_word(rest));
      if (verb == "UID" && rest.size() > 4) verb = "UID " + upper(first_word(rest.substr(4)));
      const bool known = imap_verbs().count(upper(first_word(rest))) > 0;
      extra["tag"] = tag;
      if (!known && imap_auth_) {
        command(line, "", true, {{"sasl", true}});
        return;
      }
      command(line, verb, known, extra);
      if (verb == "IDLE") imap_idle_ = true;
      if (verb == "STARTTLS") starttls_tag_ = tag;
      if (verb == "AUTHENTICATE") imap_auth_ = true;
      return;
    }
    if (line.rfind("* ", 0) == 0) {
      auto rest = line.substr(2);
      const auto w1 = first_word(rest);
      nlohmann::json d{{"untagged", true}};
      if (literal_bytes) d["literal_bytes"] = literal_bytes;
      if (!w1.empty() && std::all_of(w1.begin(), w1.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const auto what = upper(first_word(rest.substr(w1.size() + (rest.size() > w1.size() ? 1 : 0))));
        d["number"] = std::stoul(w1.substr(0, 9));
        d["response"] = what;
        reply(line, d);
        if (what == "EXPUNGE") {
          sim::MailboxRecord rec;
          rec.info.event = sim::MailboxEvent::Expunged;
          rec.record.detail = {{"message", w1}};
          w_.add_typed(t_, rec, server_, client_, conn_, "imap", "message " + w1 + " was removed (EXPUNGE)");
        }
        if (what == "FETCH" && literal_bytes) {
          sim::MailboxRecord rec;
          rec.info.event = sim::MailboxEvent::Fetched;
          rec.info.size = static_cast<std::int64_t>(literal_bytes);
          rec.info.set(sim::MailboxInfo::kSize);
          rec.record.detail = {{"message", w1}};
          w_.add_typed(t_, rec, server_, client_, conn_, "imap",
                       "message " + w1 + " was read (" + std::to_string(literal_bytes) + " bytes fetched)");
        }
        return;
      }
      d["response"] = upper(w1);
      if (!greeted_) {
        greeted_ = true;
        const auto words = rest.substr(std::min(rest.size(), w1.size() + 1));
        const auto name = first_word(words.rfind("[", 0) == 0 ? words.substr(std::min(words.size(), words.find("] ") + 2)) : words);
        if (looks_like_domain(name) && name.find('.') != std::string::npos) names_.emplace(server_, name);
      }
      reply(line, d);
      return;
    }
    if (line.rfind("+", 0) == 0) {
      reply(line, {{"continuation", true}});
      return;
    }
    const auto sp = line.find(' ');
    const auto tag = line.substr(0, sp);
    const auto status = sp == std::string::npos ? std::string() : upper(first_word(line.substr(sp + 1)));
    if (status == "OK" || status == "NO" || status == "BAD") {
      imap_auth_ = false;
      reply(line, {{"tag", tag}, {"status", status}});
      if (status == "OK" && !starttls_tag_.empty() && tag == starttls_tag_) start_tls();
      return;
    }
    ++out_.not_understood;
    reply(line + "   [not an IMAP response]", {{"understood", false}});
  }

  // ---- DNS ----
  void dns_bytes(bool from_client, const std::string& bytes) {
    if (s_.transport == "udp") return dns_message(from_client, bytes);
    auto& buf = from_client ? cbuf_ : sbuf_;
    buf += bytes;
    while (buf.size() >= 2) {
      const std::size_t len = (static_cast<unsigned char>(buf[0]) << 8) | static_cast<unsigned char>(buf[1]);
      if (buf.size() < 2 + len) break;
      dns_message(from_client, buf.substr(2, len));
      buf.erase(0, 2 + len);
    }
  }

  void dns_message(bool from_client, const std::string& bytes) {
    const auto d = dns::decode(bytes);
    if (!d.ok()) {
      undecoded(from_client, bytes.size(), "a DNS message that does not decode: " + d.error);
      return;
    }
    const auto& m = *d.message;
    sim::DnsRecord rec;
    using D = sim::DnsInfo;
    auto& info = rec.info;
    info.event = m.header.qr ? sim::DnsEvent::Response : sim::DnsEvent::Query;
    info.id = m.header.id;
    info.rcode = dns::rcode_name(m.header.rcode);
    info.set(D::kId).set(D::kRcode);
    if (!m.questions.empty()) {
      info.qname = m.questions[0].name.to_string();
      info.qtype = dns::type_name(m.questions[0].type);
      info.set(D::kQname).set(D::kQtype);
    }
    for (const auto& r : m.answers) {
      rec.answers.push_back(dns::to_string(r));
      if (const auto* a = std::get_if<dns::AData>(&r.data)) {
        std::string addr;
        for (std::size_t i = 0; i < 4; ++i) addr += (i ? "." : "") + std::to_string(a->address[i]);
        names_.emplace(addr, r.name.to_string_no_dot());
      }
    }
    if (m.header.qr) info.set(D::kAnswers);
    else rec.answers.clear();
    w_.add_typed(t_, rec, who(from_client), other(from_client), conn_, "dns",
                 (from_client ? "C: " : "S: ") + dns::summary(m));
  }

  ReplayTrace& out_;
  RecordWriter& w_;
  const Stream& s_;
  std::uint64_t conn_;
  std::string client_, server_;
  std::map<std::string, std::string>& names_;
  sim::Time t_ = 0;
  std::string cbuf_, sbuf_, cline_, sline_;
  std::size_t cliteral_ = 0, sliteral_ = 0, line_literal_ = 0;
  std::deque<std::string> pending_, pending_rcpt_;
  bool greeted_ = false, data_mode_ = false, multi_ = false, pop3_auth_ = false, imap_auth_ = false,
       imap_idle_ = false, tls_ = false;
  std::string starttls_tag_;
  std::string data_, sender_, multi_cmd_;
  std::size_t data_lines_ = 0, multi_lines_ = 0;
  std::vector<std::string> rcpt_;
};

std::string endpoint_text(const Endpoint& e) {
  if (e.port == 0) return e.address;
  return e.address.find(':') != std::string::npos ? "[" + e.address + "]:" + std::to_string(e.port)
                                                  : e.address + ":" + std::to_string(e.port);
}

}  // namespace

ReplayTrace to_trace(const Capture& capture, const std::string& source_name) {
  ReplayTrace out;
  RecordWriter w(out.trace);
  // t=0 is the earliest timestamp; a source without times gets a steady pace (0.1 s a chunk).
  std::int64_t first = 0;
  for (const auto& s : capture.streams)
    for (const auto& c : s.chunks)
      if (c.time > 0 && (first == 0 || c.time < first)) first = c.time;
  out.start_time = first;
  struct Item {
    std::int64_t time;
    std::size_t stream, chunk;
  };
  std::vector<Item> items;
  std::int64_t synthetic = 0;
  for (std::size_t i = 0; i < capture.streams.size(); ++i)
    for (std::size_t k = 0; k < capture.streams[i].chunks.size(); ++k) {
      const auto& c = capture.streams[i].chunks[k];
      items.push_back({c.time > 0 ? c.time - first : (synthetic += 100000), i, k});
    }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.time < b.time; });

  // Hosts by address; both ends of a loopback session still need two hosts.
  std::map<std::string, std::string> names;  // host id -> name seen
  std::vector<std::pair<std::string, std::string>> ids(capture.streams.size());
  auto host = [&](const std::string& id, const std::string& addr) {
    if (std::none_of(out.hosts.begin(), out.hosts.end(), [&](const ReplayHost& h) { return h.id == id; }))
      out.hosts.push_back({id, addr, {}});
  };
  for (std::size_t i = 0; i < capture.streams.size(); ++i) {
    const auto& s = capture.streams[i];
    const std::string server = s.server.address;
    const std::string client = s.client.address == s.server.address ? s.client.address + " (client)" : s.client.address;
    ids[i] = {client, server};
    host(client, s.client.address);
    host(server, s.server.address);
  }
  out.trace.meta = {{"source", source_name}, {"format", capture.format}, {"replay", true}};

  std::vector<StreamDecoder> decoders;
  decoders.reserve(capture.streams.size());
  std::vector<bool> opened(capture.streams.size(), false);
  std::vector<std::size_t> next_note(capture.streams.size(), 0);
  std::vector<sim::Time> last_time(capture.streams.size(), 0);
  std::vector<std::array<std::uint64_t, 2>> offsets(capture.streams.size(), {0, 0});
  for (std::size_t i = 0; i < capture.streams.size(); ++i)
    decoders.emplace_back(out, w, capture.streams[i], i + 1, ids[i].first, ids[i].second, names);
  for (const auto& note : capture.notes) w.add(0, sim::RecordKind::Note, "replay", "", "", 0, "", note, {{"text", note}});

  auto open = [&](std::size_t i, sim::Time t) {
    if (opened[i]) return;
    opened[i] = true;
    const auto& s = capture.streams[i];
    nlohmann::json d{{"client", endpoint_text(s.client)}, {"server", endpoint_text(s.server)},
                     {"transport", s.transport}, {"protocol_reason", s.protocol_reason}};
    const std::string proto = s.protocol.empty() ? "unknown protocol" : s.protocol;
    w.add(t, sim::RecordKind::Connection, s.transport == "udp" ? "flow" : "established", ids[i].first, ids[i].second,
          i + 1, s.transport,
          ids[i].first + " talks to " + endpoint_text(s.server) + " (" + proto +
              (s.protocol_reason.empty() ? "" : ", " + s.protocol_reason) + ")",
          std::move(d));
  };
  auto notes_until = [&](std::size_t i, std::size_t chunk, sim::Time t) {
    const auto& s = capture.streams[i];
    while (next_note[i] < s.notes.size() && s.notes[next_note[i]].before_chunk <= chunk) {
      const auto& n = s.notes[next_note[i]++];
      w.add(t, sim::RecordKind::Note, "replay", ids[i].second, ids[i].first, i + 1, s.protocol, n.text,
            {{"text", n.text}});
    }
  };
  for (const auto& it : items) {
    const auto& s = capture.streams[it.stream];
    const auto& c = s.chunks[it.chunk];
    open(it.stream, it.time);
    notes_until(it.stream, it.chunk, it.time);
    const bool from_client = c.dir == Direction::ToServer;
    const auto& [cid, sid] = ids[it.stream];
    // Sequence numbers count each direction's bytes from 1, so the trace reads back as the same stream.
    auto& offset = offsets[it.stream][from_client ? 0 : 1];
    sim::PacketInfo pk;
    pk.udp = s.transport != "tcp";
    pk.src_name = endpoint_text(from_client ? s.client : s.server);
    pk.dst_name = endpoint_text(from_client ? s.server : s.client);
    pk.bytes = c.bytes;
    pk.arrive = it.time;
    if (!pk.udp) {
      pk.flags = sim::tcp_flags::kPsh | sim::tcp_flags::kAck;
      pk.seq = static_cast<std::uint32_t>(offset & 0xFFFFFFFFu);
    }
    offset += c.bytes.size();
    w.add_packet(it.time, s.transport, from_client ? cid : sid, from_client ? sid : cid, it.stream + 1,
                 s.protocol.empty() ? s.transport : s.protocol,
                 std::to_string(c.bytes.size()) + " bytes " + (from_client ? "to the server" : "to the client"), pk);
    decoders[it.stream].chunk(it.time, c);
    last_time[it.stream] = it.time;
  }
  for (std::size_t i = 0; i < capture.streams.size(); ++i) {
    const auto& s = capture.streams[i];
    open(i, last_time[i]);
    decoders[i].finish();
    notes_until(i, s.chunks.size(), last_time[i]);
    if (s.saw_close && s.transport == "tcp")
      w.add(last_time[i], sim::RecordKind::Connection, "closed", ids[i].first, ids[i].second, i + 1, "tcp",
            "the connection was closed", {{"client", endpoint_text(s.client)}, {"server", endpoint_text(s.server)}});
  }
  for (auto& h : out.hosts)
    if (auto n = names.find(h.id); n != names.end()) h.name = n->second;
  // Records were added stream by stream at the end: put them in time order again.
  auto records = out.trace.records();
  std::stable_sort(records.begin(), records.end(), [](const sim::Record& a, const sim::Record& b) { return a.time < b.time; });
  sim::Trace sorted;
  sorted.meta = out.trace.meta;
  for (auto& r : records) {
    if (r.packet) sorted.add_packet(r, *r.packet);  // re-homed: its bytes are copied into `sorted`
    else sorted.add(std::move(r));
  }
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : out.hosts) hosts.push_back({{"id", h.id}, {"address", h.address}, {"name", h.name}});
  sorted.meta["hosts"] = hosts;
  out.trace = std::move(sorted);
  return out;
}

}  // namespace mailsim::formats
