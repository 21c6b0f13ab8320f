// The trace: records, their JSON form, and the JSON Lines file format.
#include "sim/core/trace.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace mailsim::sim {
namespace {

constexpr std::array<std::pair<RecordKind, std::string_view>, 11> kKindNames{{
    {RecordKind::Meta, "meta"},
    {RecordKind::Packet, "packet"},
    {RecordKind::Connection, "connection"},
    {RecordKind::Policy, "policy"},
    {RecordKind::Tls, "tls"},
    {RecordKind::Protocol, "protocol"},
    {RecordKind::Dns, "dns"},
    {RecordKind::Mail, "mail"},
    {RecordKind::Mailbox, "mailbox"},
    {RecordKind::Action, "action"},
    {RecordKind::Note, "note"},
}};

}  // namespace

std::string_view to_string(RecordKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "note";
}

bool record_kind_from_string(std::string_view text, RecordKind& out) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string tcp_flag_names(std::uint8_t f) {
  using namespace tcp_flags;
  std::string s;
  auto add = [&](std::uint8_t bit, const char* name) {
    if (f & bit) {
      if (!s.empty()) s += ',';
      s += name;
    }
  };
  add(kSyn, "SYN");
  add(kFin, "FIN");
  add(kRst, "RST");
  add(kPsh, "PSH");
  add(kAck, "ACK");
  return s;
}

bool parse_tcp_flag_names(std::string_view text, std::uint8_t& out) {
  using namespace tcp_flags;
  out = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    if (name == "SYN") out |= kSyn;
    else if (name == "FIN") out |= kFin;
    else if (name == "RST") out |= kRst;
    else if (name == "PSH") out |= kPsh;
    else if (name == "ACK") out |= kAck;
    else if (!name.empty()) return false;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

std::string PacketInfo::summary() const {
  if (udp) return fmt::format("{} -> {} UDP len={}", src_text(), dst_text(), bytes.size());
  return fmt::format("{} -> {} [{}] seq={} ack={} len={}", src_text(), dst_text(), flag_names(), seq, ack,
                     bytes.size());
}

namespace {

// An event enum's names in the file, looked up both ways (the protocol and mail tables below).
template <class Event, std::size_t N>
std::string_view name_in(const std::array<std::pair<Event, std::string_view>, N>& table, Event e) {
  for (const auto& [ev, name] : table)
    if (ev == e) return name;
  return "";
}
template <class Event, std::size_t N>
bool event_in(const std::array<std::pair<Event, std::string_view>, N>& table, std::string_view text, Event& out) {
  for (const auto& [ev, name] : table) {
    if (name == text) {
      out = ev;
      return true;
    }
  }
  out = Event::Other;
  return false;
}

constexpr std::array<std::pair<ProtoEvent, std::string_view>, 9> kProtoEventNames{{
    {ProtoEvent::Command, "command"},
    {ProtoEvent::Reply, "reply"},
    {ProtoEvent::State, "state"},
    {ProtoEvent::Error, "error"},
    {ProtoEvent::Note, "note"},
    {ProtoEvent::Sent, "sent"},
    {ProtoEvent::Received, "received"},
    {ProtoEvent::Data, "data"},
    {ProtoEvent::NotUnderstood, "not-understood"},
}};

// The interned name of each event, made once.
Name proto_event_name(ProtoEvent e) {
  static const std::array<Name, kProtoEventNames.size() + 1> names = [] {
    std::array<Name, kProtoEventNames.size() + 1> n{};
    for (const auto& [ev, text] : kProtoEventNames) n[static_cast<std::size_t>(ev)] = Name(text);
    return n;
  }();
  const auto i = static_cast<std::size_t>(e);
  return i < names.size() ? names[i] : Name();
}

}  // namespace

std::string_view to_string(ProtoEvent e) { return name_in(kProtoEventNames, e); }

bool protocol_event_from_string(std::string_view text, ProtoEvent& out) { return event_in(kProtoEventNames, text, out); }

std::string ProtocolInfo::summary() const {
  using E = ProtoEvent;
  const bool line = text_key == TextKey::Line, plain = text_key == TextKey::Text, bytes = text_key == TextKey::Bytes;
  switch (event) {
    case E::Command: return line ? "C: " + std::string(text) : std::string();
    case E::Reply: return line ? "S: " + std::string(text) : std::string();
    case E::State: return from.str() + " -> " + to.str();
    case E::Error: return plain ? "protocol error: " + std::string(text) : std::string();
    case E::Note: return plain ? std::string(text) : std::string();
    case E::Sent: return bytes ? "C: " + std::string(text) : std::string();
    case E::Received: return bytes ? "S: " + std::string(text) : std::string();
    default: return {};
  }
}

std::string Record::text() const {
  if (!summary.empty()) return summary;
  if (packet) return packet->summary();
  if (proto && proto->worded) return proto->summary();
  return summary;
}

std::string ProtocolInfo::wire_text() const {
  if (text_key == TextKey::Line) return std::string(text);
  if (text_key == TextKey::Bytes) return unescape_bytes(text);
  return {};
}

const ProtocolInfo& Record::proto_info() const {
  static const ProtocolInfo none;
  return proto ? *proto : none;
}

ProtoEvent Record::protocol_event() const {
  if (kind != RecordKind::Protocol) return ProtoEvent::Other;
  if (proto) return proto->event;
  ProtoEvent e;
  protocol_event_from_string(event.view(), e);
  return e;
}

namespace {

constexpr std::array<std::pair<MailEvent, std::string_view>, 18> kMailEventNames{{
    {MailEvent::Compose, "compose"},
    {MailEvent::Submitted, "submitted"},
    {MailEvent::SendFailed, "send_failed"},
    {MailEvent::Queued, "queued"},
    {MailEvent::Routing, "routing"},
    {MailEvent::ConnectFailed, "connect-failed"},
    {MailEvent::Relayed, "relayed"},
    {MailEvent::Delivered, "delivered"},
    {MailEvent::Refused, "refused"},
    {MailEvent::Deferred, "deferred"},
    {MailEvent::Bounced, "bounced"},
    {MailEvent::Throttled, "throttled"},
    {MailEvent::Greylisted, "greylisted"},
    {MailEvent::Waiting, "waiting"},
    {MailEvent::Reusing, "reusing"},
    {MailEvent::Delayed, "delayed"},
    {MailEvent::Loop, "loop"},
    {MailEvent::Duplicate, "duplicate"},
}};

const std::array<Name, kMailEventNames.size() + 1>& mail_event_names() {
  static const std::array<Name, kMailEventNames.size() + 1> names = [] {
    std::array<Name, kMailEventNames.size() + 1> n{};
    for (const auto& [ev, text] : kMailEventNames) n[static_cast<std::size_t>(ev)] = Name(text);
    return n;
  }();
  return names;
}

// The typed fields of a mail record and their keys in the JSON detail.
constexpr std::array<std::tuple<const char*, Name MailInfo::*, MailInfo::Field>, 8> kMailNames{{
    {"message_id", &MailInfo::message_id, MailInfo::kMessageId},
    {"queue_id", &MailInfo::queue_id, MailInfo::kQueueId},
    {"sender", &MailInfo::sender, MailInfo::kSender},
    {"recipient", &MailInfo::recipient, MailInfo::kRecipient},
    {"status", &MailInfo::status, MailInfo::kStatus},
    {"remote_host", &MailInfo::remote_host, MailInfo::kRemoteHost},
    {"user", &MailInfo::user, MailInfo::kUser},
    {"folder", &MailInfo::folder, MailInfo::kFolder},
}};
constexpr std::array<std::tuple<const char*, std::string_view MailInfo::*, MailInfo::Field>, 3> kMailTexts{{
    {"subject", &MailInfo::subject, MailInfo::kSubject},
    {"reason", &MailInfo::reason, MailInfo::kReason},
    {"error", &MailInfo::error, MailInfo::kError},
}};
constexpr std::array<std::tuple<const char*, std::int64_t MailInfo::*, MailInfo::Field>, 5> kMailNumbers{{
    {"code", &MailInfo::code, MailInfo::kCode},
    {"size", &MailInfo::size, MailInfo::kSize},
    {"attempts", &MailInfo::attempts, MailInfo::kAttempts},
    {"retry_at", &MailInfo::retry_at, MailInfo::kRetryAt},
    {"uid", &MailInfo::uid, MailInfo::kUid},
}};

}  // namespace

std::string_view to_string(MailEvent e) { return name_in(kMailEventNames, e); }

bool mail_event_from_string(std::string_view text, MailEvent& out) { return event_in(kMailEventNames, text, out); }

Name event_name(MailEvent e) {
  const auto i = static_cast<std::size_t>(e);
  return i < mail_event_names().size() ? mail_event_names()[i] : Name();
}

MailEvent Record::mail_event() const {
  if (kind != RecordKind::Mail) return MailEvent::Other;
  if (mail) return mail->event;
  const auto& names = mail_event_names();
  for (std::size_t i = 1; i < names.size(); ++i)
    if (names[i] == event) return static_cast<MailEvent>(i);
  return MailEvent::Other;
}

const MailInfo& Record::mail_info() const {
  static const MailInfo none;
  return mail ? *mail : none;
}

void mail_from_detail(const nlohmann::json& detail, std::string_view event, MailInfo& m,
                      std::vector<std::string>& texts, nlohmann::json& extras) {
  m = MailInfo{};
  mail_event_from_string(event, m.event);
  extras = nlohmann::json::object();
  texts.assign(kMailTexts.size(), std::string());
  if (!detail.is_object()) return;
  for (auto it = detail.begin(); it != detail.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = *it;
    bool typed = false;
    if (v.is_string()) {
      for (const auto& [k, field, bit] : kMailNames) {
        if (key == k) {
          m.*field = Name(v.get_ref<const std::string&>());
          m.set(bit);
          typed = true;
        }
      }
      for (std::size_t i = 0; i < kMailTexts.size(); ++i) {
        const auto& [k, field, bit] = kMailTexts[i];
        if (key == k) {
          texts[i] = v.get_ref<const std::string&>();
          m.set(bit);
          typed = true;
        }
      }
    } else if (v.is_number_integer() && (!v.is_number_unsigned() || v.get<std::uint64_t>() <= INT64_MAX)) {
      for (const auto& [k, field, bit] : kMailNumbers) {
        if (key == k) {
          m.*field = v.get<std::int64_t>();
          m.set(bit);
          typed = true;
        }
      }
    }
    if (!typed) extras[key] = v;
  }
  for (std::size_t i = 0; i < kMailTexts.size(); ++i) m.*std::get<1>(kMailTexts[i]) = texts[i];
}

nlohmann::json mail_detail(const MailInfo& m, const nlohmann::json& extras) {
  nlohmann::json d = extras.is_object() ? extras : nlohmann::json::object();
  for (const auto& [k, field, bit] : kMailNames)
    if (m.has(bit)) d[k] = (m.*field).str();
  for (const auto& [k, field, bit] : kMailTexts)
    if (m.has(bit)) d[k] = std::string(m.*field);
  for (const auto& [k, field, bit] : kMailNumbers)
    if (m.has(bit)) d[k] = m.*field;
  return d;
}

namespace {

nlohmann::json packet_detail(const PacketInfo& p) {
  nlohmann::json d{{"src", p.src_text()}, {"dst", p.dst_text()}, {"len", p.bytes.size()}};
  if (!p.udp) {
    d["flags"] = p.flag_names();
    d["seq"] = p.seq;
    d["ack"] = p.ack;
    if (p.tls) d["tls"] = true;
  }
  if (p.udp || !p.bytes.empty()) d["bytes"] = escape_bytes(p.bytes);
  if (p.path) {
    auto& hops = d["path"] = nlohmann::json::array();
    for (const auto& h : *p.path) hops.push_back(h.str());
  }
  if (p.path || p.arrive != 0) d["arrive"] = p.arrive;
  if (!p.lost.empty()) d["lost"] = p.lost.str();
  if (!p.blocked_by.empty()) d["blocked_by"] = p.blocked_by.str();
  return d;
}

// A protocol record's "detail": its typed fields, and the keys they do not cover.
nlohmann::json protocol_detail(const ProtocolInfo& p, const nlohmann::json& extras) {
  nlohmann::json d = extras.is_object() ? extras : nlohmann::json::object();
  using K = ProtocolInfo::TextKey;
  if (p.text_key != K::None)
    d[p.text_key == K::Line ? "line" : p.text_key == K::Text ? "text" : "bytes"] = std::string(p.text);
  if (p.has_code) d["code"] = p.code;
  if (p.has_masked) d["masked"] = p.masked;
  if (!p.verb.empty()) d["verb"] = p.verb.str();
  if (!p.status.empty()) d["status"] = p.status.str();
  if (p.event == ProtoEvent::State) {
    d["from"] = p.from.str();
    d["to"] = p.to.str();
  }
  if (!p.fault.empty()) d["fault"] = p.fault.str();
  return d;
}

bool parse_endpoint(const nlohmann::json& d, const char* key, Endpoint& out) {
  const auto it = d.find(key);
  if (it == d.end() || !it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  const auto ip = Ipv4::parse(std::string_view(s).substr(0, colon));
  if (!ip) return false;
  unsigned port = 0;
  const auto digits = std::string_view(s).substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return false;
  out = Endpoint{*ip, static_cast<std::uint16_t>(port)};
  return true;
}

}  // namespace

bool packet_from_detail(const nlohmann::json& d, bool udp, PacketInfo& p, std::string& bytes, Hops& hops,
                        std::string& error) {
  p = PacketInfo{};
  p.udp = udp;
  for (auto [key, ep, name] : {std::tuple{"src", &p.src, &p.src_name}, std::tuple{"dst", &p.dst, &p.dst_name}}) {
    const auto it = d.is_object() ? d.find(key) : d.end();
    if (it == d.end() || !it->is_string()) {
      error = "a packet needs \"src\" and \"dst\" addresses";
      return false;
    }
    // IPv4 with a port is typed; anything else (IPv6, no port) is kept as it was written.
    if (!parse_endpoint(d, key, *ep)) *name = Name(it->get_ref<const std::string&>());
  }
  auto number = [&](const char* key, std::uint64_t max, std::uint64_t& out) {
    const auto it = d.find(key);
    if (it == d.end()) return true;
    const bool whole = it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
    if (!whole || it->get<std::uint64_t>() > max) {
      error = std::string("packet \"") + key + "\" must be a number up to " + std::to_string(max);
      return false;
    }
    out = it->get<std::uint64_t>();
    return true;
  };
  std::uint64_t seq = 0, ack = 0, arrive = 0;
  if (!number("seq", 0xFFFFFFFFu, seq) || !number("ack", 0xFFFFFFFFu, ack) ||
      !number("arrive", static_cast<std::uint64_t>(INT64_MAX), arrive))
    return false;
  p.seq = static_cast<std::uint32_t>(seq);
  p.ack = static_cast<std::uint32_t>(ack);
  p.arrive = static_cast<Time>(arrive);
  if (auto it = d.find("flags"); it != d.end()) {
    if (!it->is_string() || !parse_tcp_flag_names(it->get_ref<const std::string&>(), p.flags)) {
      error = "packet \"flags\" must name TCP flags (SYN,FIN,RST,PSH,ACK)";
      return false;
    }
  }
  if (auto it = d.find("tls"); it != d.end()) p.tls = it->is_boolean() && it->get<bool>();
  if (auto it = d.find("bytes"); it != d.end()) {
    if (!it->is_string()) {
      error = "packet \"bytes\" must be a string";
      return false;
    }
    bytes = unescape_bytes(it->get_ref<const std::string&>());
  } else {
    bytes.clear();
  }
  hops.clear();
  if (auto it = d.find("path"); it != d.end()) {
    if (!it->is_array()) {
      error = "packet \"path\" must be an array of names";
      return false;
    }
    for (const auto& h : *it) {
      if (!h.is_string()) {
        error = "packet \"path\" must be an array of names";
        return false;
      }
      hops.emplace_back(h.get_ref<const std::string&>());
    }
    p.path = &hops;
  }
  auto name = [&](const char* key, Name& out) {
    const auto it = d.find(key);
    if (it == d.end()) return true;
    if (!it->is_string()) {
      error = std::string("packet \"") + key + "\" must be a string";
      return false;
    }
    out = Name(it->get_ref<const std::string&>());
    return true;
  };
  return name("lost", p.lost) && name("blocked_by", p.blocked_by);
}

void protocol_from_detail(const nlohmann::json& detail, std::string_view event, const std::string& summary,
                          ProtocolInfo& p, std::string& text, nlohmann::json& extras) {
  p = ProtocolInfo{};
  protocol_event_from_string(event, p.event);
  text.clear();
  extras = nlohmann::json::object();
  using K = ProtocolInfo::TextKey;
  const bool state = p.event == ProtoEvent::State;
  const nlohmann::json& d = detail.is_object() ? detail : extras;  // no detail: no fields
  const auto from = d.find("from"), to = d.find("to");
  const bool states = state && from != d.end() && to != d.end() && from->is_string() && to->is_string();
  // Each key that fits a typed field goes there; anything else is kept as it was.
  for (auto it = d.begin(); it != d.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = *it;
    const bool str = v.is_string();
    const bool nonempty = str && !v.get_ref<const std::string&>().empty();
    if ((key == "line" || key == "text" || key == "bytes") && str && p.text_key == K::None) {
      p.text_key = key == "line" ? K::Line : key == "text" ? K::Text : K::Bytes;
      text = v.get_ref<const std::string&>();
    } else if (key == "code" && v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= INT32_MIN &&
               v.get<std::int64_t>() <= INT32_MAX) {
      p.has_code = true, p.code = v.get<int>();
    } else if (key == "code" && v.is_number_unsigned() && v.get<std::uint64_t>() <= INT32_MAX) {
      p.has_code = true, p.code = static_cast<int>(v.get<std::uint64_t>());
    } else if (key == "masked" && v.is_boolean()) {
      p.has_masked = true, p.masked = v.get<bool>();
    } else if (key == "verb" && nonempty) {
      p.verb = Name(v.get_ref<const std::string&>());
    } else if (key == "status" && nonempty) {
      p.status = Name(v.get_ref<const std::string&>());
    } else if (key == "fault" && nonempty) {
      p.fault = Name(v.get_ref<const std::string&>());
    } else if (states && key == "from") {
      p.from = Name(v.get_ref<const std::string&>());
    } else if (states && key == "to") {
      p.to = Name(v.get_ref<const std::string&>());
    } else {
      extras[key] = v;
    }
  }
  if (state && !states) p.event = ProtoEvent::Other;  // a state record without its states: kept as written
  p.text = text;
  // The summary is worded from the fields when that gives the same line; else it is kept.
  p.worded = summary == p.summary();
}

nlohmann::json to_json(const Record& r) {
  nlohmann::json j;
  j["t"] = r.time;
  j["seq"] = r.seq;
  j["kind"] = to_string(r.kind);
  if (!r.event.empty()) j["event"] = r.event;
  if (!r.host.empty()) j["host"] = r.host;
  if (!r.peer.empty()) j["peer"] = r.peer;
  if (r.conn != 0) j["conn"] = r.conn;
  if (!r.protocol.empty()) j["proto"] = r.protocol;
  if (r.packet) {
    j["summary"] = r.text();
    j["detail"] = packet_detail(*r.packet);
    return j;
  }
  if (r.proto) {
    if (const auto text = r.text(); !text.empty()) j["summary"] = text;
    if (auto d = protocol_detail(*r.proto, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (!r.summary.empty()) j["summary"] = r.summary;
  if (r.mail) {
    if (auto d = mail_detail(*r.mail, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (!r.detail.is_null() && !r.detail.empty()) j["detail"] = r.detail;
  return j;
}

bool from_json(const nlohmann::json& j, Record& out, std::string& error) {
  if (!j.is_object()) {
    error = "a record must be a JSON object";
    return false;
  }
  auto get_string = [&](const char* key, auto& field) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_string()) {
        error = std::string("\"") + key + "\" must be a string";
        return false;
      }
      field = it->template get<std::string>();
    }
    return true;
  };
  const auto t = j.find("t");
  const auto kind = j.find("kind");
  if (t == j.end() || !t->is_number_integer()) {
    error = "missing integer \"t\"";
    return false;
  }
  if (kind == j.end() || !kind->is_string() || !record_kind_from_string(kind->get<std::string>(), out.kind)) {
    error = "missing or unknown \"kind\"";
    return false;
  }
  out.time = t->get<Time>();
  out.seq = j.value("seq", std::uint64_t{0});
  out.conn = j.value("conn", std::uint64_t{0});
  if (!get_string("event", out.event) || !get_string("host", out.host) || !get_string("peer", out.peer) ||
      !get_string("proto", out.protocol) || !get_string("summary", out.summary))
    return false;
  if (auto it = j.find("detail"); it != j.end()) {
    if (!it->is_object()) {
      error = "\"detail\" must be an object";
      return false;
    }
    out.detail = *it;
  } else {
    out.detail = nlohmann::json::object();
  }
  return true;
}

bool from_json(const nlohmann::json& j, Record& out, PacketInfo& packet, std::string& packet_bytes,
               Hops& packet_path, std::string& error) {
  if (!from_json(j, out, error)) return false;
  out.packet = nullptr;
  out.proto = nullptr;  // a protocol record is typed from its detail when a Trace adds it
  if (out.kind != RecordKind::Packet) return true;
  if (!packet_from_detail(out.detail, out.event == "udp", packet, packet_bytes, packet_path, error))
    return false;
  packet.bytes = packet_bytes;
  // The summary and detail are made again from the typed fields when written.
  out.summary.clear();
  out.detail = nlohmann::json::object();
  return true;
}

namespace {

// What escape_bytes does with each byte value: keeps it, writes a two-character escape
// (\\ \r \n \t), looks for a well-formed UTF-8 sequence it starts, or writes \xHH. `"` is kept
// too, but a JSON string needs it escaped (kQuote).
enum ByteClass : std::uint8_t { kKeep, kQuote, kShort, kLead, kHexByte };
constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (c == '\\' || c == '\r' || c == '\n' || c == '\t') t[c] = kShort;
    else if (c == '"') t[c] = kQuote;
    else if (c >= 0x20 && c < 0x7F) t[c] = kKeep;
    else if (c >= 0xC2 && c <= 0xF4) t[c] = kLead;
    else t[c] = kHexByte;
  }
  return t;
}();

// The length of the well-formed UTF-8 sequence that starts at bytes[i] (a kLead byte), or 0
// for overlong forms, surrogates, code points beyond U+10FFFF and cut sequences.
std::size_t utf8_length(std::string_view bytes, std::size_t i) {
  const auto c = static_cast<unsigned char>(bytes[i]);
  const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (i + len > bytes.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return 0;
  const auto second = static_cast<unsigned char>(bytes[i + 1]);
  if (c == 0xE0 && second < 0xA0) return 0;
  if (c == 0xED && second > 0x9F) return 0;
  if (c == 0xF0 && second < 0x90) return 0;
  if (c == 0xF4 && second > 0x8F) return 0;
  return len;
}

// escape_bytes(bytes) appended to `out`, whole runs of kept bytes at a time. With `json`, as
// the inside of a JSON string: backslashes doubled and `"` escaped, exactly what the JSON
// writer makes of escape_bytes' text (which has no control character left to escape).
void append_escaped(std::string& out, std::string_view bytes, bool json) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view backslash = json ? "\\\\" : "\\";
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    for (; j < n; ++j) {
      const auto cls = kByteClass[static_cast<unsigned char>(bytes[j])];
      if (cls != kKeep && (json || cls != kQuote)) break;
    }
    out.append(bytes.data() + i, j - i);
    if (j == n) break;
    i = j;
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (kByteClass[c]) {
      case kQuote:  // only in a JSON string
        out += "\\\"";
        ++i;
        break;
      case kShort:
        out += backslash;
        if (c == '\\') out += backslash;
        else out += c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
        ++i;
        break;
      case kLead:
        if (const std::size_t len = utf8_length(bytes, i); len != 0) {
          out.append(bytes.data() + i, len);
          i += len;
          break;
        }
        [[fallthrough]];
      default:
        out += backslash;
        out += 'x';
        out += kHex[c >> 4];
        out += kHex[c & 15];
        ++i;
    }
  }
}

}  // namespace

std::string escape_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_escaped(out, bytes, false);
  return out;
}

std::string unescape_bytes(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t slash = text.find('\\', i);
    if (slash == std::string_view::npos || slash + 1 >= text.size()) {  // a lone backslash at the end stays
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, slash - i));
    i = slash + 1;
    const char n = text[i];
    if (n == 'r') out += '\r';
    else if (n == 'n') out += '\n';
    else if (n == 't') out += '\t';
    else if (n == '\\') out += '\\';
    else if (n == 'x' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += '\\';
      out += n;
    }
    ++i;
  }
  return out;
}

namespace {

// Heap bytes of a string beyond the small-string buffer (15 characters in libstdc++).
std::size_t heap_of(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// A JSON value's nodes: each value is one json (16 bytes) held in a map node (about 80 with
// its key) or a vector slot; strings add their buffer.
std::size_t json_size(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      std::size_t n = 48;
      for (auto it = j.begin(); it != j.end(); ++it) n += 64 + it.key().size() + json_size(*it);
      return n;
    }
    case nlohmann::json::value_t::array: {
      std::size_t n = 24;
      for (const auto& v : j) n += json_size(v);
      return n;
    }
    case nlohmann::json::value_t::string: return 16 + 32 + j.get_ref<const std::string&>().size();
    default: return 16;
  }
}

}  // namespace

std::size_t Trace::estimate_size(const Record& r) {
  // A detail still null (nothing was put in it) is an empty object once the record is kept.
  std::size_t n = sizeof(Record) + heap_of(r.summary) + json_size(r.detail.is_null() ? nlohmann::json::object() : r.detail);
  if (r.packet) n += sizeof(PacketInfo) + r.packet->bytes.size();
  if (r.proto) n += sizeof(ProtocolInfo) + r.proto->text.size();
  if (r.mail) n += sizeof(MailInfo) + r.mail->subject.size() + r.mail->reason.size() + r.mail->error.size();
  return n;
}

namespace {
void write_record_line(std::string& buf, const Record& r);  // below: a record's JSON line
}  // namespace

Retention Retention::only() {
  Retention r;
  r.all_ = false;
  return r;
}

Retention& Retention::keep(RecordKind kind) {
  all_ = false;
  kinds_ |= 1u << static_cast<unsigned>(kind);
  return *this;
}

Retention& Retention::keep(RecordKind kind, Name event) {
  all_ = false;
  if (!keeps(kind, event)) events_.emplace_back(kind, event);
  return *this;
}

bool Retention::keeps(RecordKind kind, Name event) const {
  if (all_ || (kinds_ & (1u << static_cast<unsigned>(kind))) != 0) return true;
  for (const auto& [k, e] : events_)
    if (k == kind && e == event) return true;
  return false;
}

std::string Retention::describe() const {
  if (all_) return "everything";
  std::string out;
  for (const auto& [kind, name] : kKindNames) {
    if (kinds_ & (1u << static_cast<unsigned>(kind))) {
      out += (out.empty() ? "" : ", ") + std::string(name);
      continue;
    }
    for (const auto& [k, e] : events_)
      if (k == kind) out += (out.empty() ? "" : ", ") + std::string(name) + " " + e.str();
  }
  return out.empty() ? "nothing" : out;
}

Trace::Trace(const Trace& other) { *this = other; }

Trace& Trace::operator=(const Trace& other) {
  if (this == &other) return *this;
  Trace copy;
  copy.meta = other.meta;
  copy.retention_ = other.retention_;
  for (const auto& r : other.records_) {
    copy.added_ = r.seq;  // the copy numbers its records as the original did (with gaps when it kept only some)
    if (r.packet) copy.add_packet(r, *r.packet);
    else copy.add(r);
  }
  copy.added_ = other.added_;
  *this = std::move(copy);
  return *this;
}

Record& Trace::add(Record r) {
  if (r.kind == RecordKind::Protocol) return add_protocol(std::move(r));
  if (r.kind == RecordKind::Mail) return add_mail(std::move(r));
  if (!retention_.keeps(r)) return pass(std::move(r));
  return push(std::move(r));
}

Record& Trace::push(Record r) {
  if (r.detail.is_null()) r.detail = nlohmann::json::object();  // a kept record's detail is an object
  bytes_ += estimate_size(r);
  r.seq = added_++;
  records_.push_back(std::move(r));
  emit(records_.back());
  return records_.back();
}

Record& Trace::pass(Record r) {
  r.seq = added_++;
  emit(r);
  passed_ = std::move(r);
  // The typed parts it points at live with the caller: the copy is only good for its fields.
  passed_.packet = nullptr;
  passed_.proto = nullptr;
  passed_.mail = nullptr;
  return passed_;
}

void Trace::emit(const Record& r) {
  if (observer_) observer_(r);
  if (!stream_) return;
  write_record_line(stream_buf_, r);
  if (stream_buf_.size() >= (1u << 16)) flush_stream();
}

void Trace::stream_to(std::ostream* out) {
  flush_stream();
  stream_ = out;
  if (stream_) stream_buf_.reserve(1 << 17);
}

void Trace::flush_stream() {
  if (stream_ && !stream_buf_.empty()) stream_->write(stream_buf_.data(), static_cast<std::streamsize>(stream_buf_.size()));
  stream_buf_.clear();
}

const Record* Trace::find(std::uint64_t seq) const {
  // Records are in seq order: a full trace finds it at its index, a partial one by bisection.
  if (seq < records_.size() && records_[static_cast<std::size_t>(seq)].seq == seq)
    return &records_[static_cast<std::size_t>(seq)];
  auto it = std::lower_bound(records_.begin(), records_.end(), seq,
                             [](const Record& r, std::uint64_t s) { return r.seq < s; });
  return it != records_.end() && it->seq == seq ? &*it : nullptr;
}

std::string_view Trace::store_bytes(std::string_view bytes) {
  if (bytes.empty()) return {};
  constexpr std::size_t kArenaBlock = 1 << 20;
  if (bytes.size() > kArenaBlock / 4) {  // a big payload gets a block of its own
    auto block = std::make_unique<char[]>(bytes.size());
    std::memcpy(block.get(), bytes.data(), bytes.size());
    const std::string_view view(block.get(), bytes.size());
    // Keep the current block last so small payloads still fill it.
    arena_.insert(arena_.empty() ? arena_.end() : arena_.end() - 1, std::move(block));
    return view;
  }
  if (arena_.empty() || arena_used_ + bytes.size() > arena_cap_) {
    arena_.push_back(std::make_unique<char[]>(kArenaBlock));
    arena_used_ = 0;
    arena_cap_ = kArenaBlock;
  }
  char* at = arena_.back().get() + arena_used_;
  std::memcpy(at, bytes.data(), bytes.size());
  arena_used_ += bytes.size();
  return {at, bytes.size()};
}

const Hops* Trace::intern_path(const Hops& hops) {
  const Hops* p = &*paths_.insert(hops).first;
  own_paths_.insert(p);
  return p;
}

const Hops* Trace::intern_path(const std::vector<std::string>& hops) {
  Hops names;
  names.reserve(hops.size());
  for (const auto& h : hops) names.emplace_back(h);
  return intern_path(names);
}

Record& Trace::add_protocol(Record r) {
  ProtocolInfo info;
  std::string text;
  if (r.proto) {
    info = *r.proto;
    if (!r.summary.empty()) info.worded = r.summary == info.summary();
  } else {
    nlohmann::json extras;
    protocol_from_detail(r.detail, r.event.view(), r.summary, info, text, extras);
    r.detail = std::move(extras);
  }
  if (info.worded) r.summary.clear();
  if (info.event != ProtoEvent::Other) r.event = proto_event_name(info.event);
  if (!retention_.keeps(r)) {
    r.proto = &info;  // `info.text` still points at the writer's text (or `text`)
    return pass(std::move(r));
  }
  ProtocolInfo& p = protocols_.emplace_back(info);
  p.text = store_bytes(info.text);
  r.proto = &p;
  return push(std::move(r));
}

Record& Trace::add_mail(Record r) {
  MailInfo info;
  std::vector<std::string> texts;
  if (r.mail) {
    info = *r.mail;
  } else {
    nlohmann::json extras;
    mail_from_detail(r.detail, r.event.view(), info, texts, extras);
    r.detail = std::move(extras);
  }
  if (info.event != MailEvent::Other) r.event = event_name(info.event);
  if (!retention_.keeps(r)) {
    r.mail = &info;
    return pass(std::move(r));
  }
  MailInfo& m = mails_.emplace_back(info);
  m.subject = store_bytes(info.subject);
  m.reason = store_bytes(info.reason);
  m.error = store_bytes(info.error);
  r.mail = &m;
  return push(std::move(r));
}

Record& Trace::add_packet(Record r, const PacketInfo& packet) {
  r.kind = RecordKind::Packet;
  if (!r.detail.is_null()) r.detail = nlohmann::json();  // a packet's detail is its typed fields
  if (!retention_.keeps(r)) {  // written from the writer's own bytes and route, never stored
    r.packet = &packet;
    return pass(std::move(r));
  }
  PacketInfo& p = packets_.emplace_back(packet);
  p.bytes = store_bytes(packet.bytes);
  arena_bytes_ += packet.bytes.size();  // payload_bytes(): the packets' share of the arena
  // A route the writer interned here already (the transport does, once per connection end) is
  // not looked up again.
  if (packet.path && !own_paths_.count(packet.path)) p.path = intern_path(*packet.path);
  r.kind = RecordKind::Packet;
  r.packet = &p;
  return push(std::move(r));  // its detail becomes an empty object: readers that look up keys on any record still work
}

namespace {

// Text that is not valid UTF-8 (a hostile subject, say) is replaced, never fatal.
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// Writes a record's JSON line straight into a buffer, without building an nlohmann::json for
// it: the bytes are exactly what `to_json(r).dump(-1, ' ', false, replace)` gives (keys in
// byte order, as nlohmann's std::map-backed objects print them; the same string escapes), at
// a fraction of the cost. A record's free-form `detail` is still printed by nlohmann.
class LineWriter {
 public:
  explicit LineWriter(std::string& buf) : buf_(buf) {}

  void key(std::string_view k) {
    // keys are ours: short plain ASCII, appended at once
    char text[40];
    std::size_t n = 0;
    text[n++] = first_ ? '{' : ',';
    text[n++] = '"';
    if (k.size() > sizeof text - 4) {
      buf_.append(text, n);
      buf_ += k;
      buf_ += "\":";
    } else {
      std::memcpy(text + n, k.data(), k.size());
      n += k.size();
      text[n++] = '"';
      text[n++] = ':';
      buf_.append(text, n);
    }
    first_ = false;
  }
  void number(std::uint64_t v) { integer(v); }
  void number(std::int64_t v) { integer(v); }
  void string(std::string_view text) {
    const std::size_t mark = buf_.size();
    if (escape_ascii(text, true)) return;
    // Not plain ASCII: nlohmann checks the UTF-8 and replaces what is broken.
    buf_.resize(mark);
    buf_ += nlohmann::json(std::string(text)).dump(-1, ' ', false, kReplace);
  }
  // `text` is valid UTF-8 already (escape_bytes' output): only JSON's escapes are needed.
  void utf8_string(std::string_view text) { escape_ascii(text, false); }
  // escape_bytes(bytes) as a JSON string, made in one pass (no escaped copy in between).
  void escaped_bytes(std::string_view bytes) {
    buf_ += '"';
    append_escaped(buf_, bytes, true);
    buf_ += '"';
  }
  std::string& buffer() { return buf_; }
  void close() {
    if (first_) buf_ += '{';
    buf_ += '}';
  }

 private:
  // `text` as a JSON string, runs of bytes that need no escape appended at once. With
  // `ascii_only`, stops at the first byte over 0x7F and returns false (the caller then lets
  // nlohmann check the UTF-8).
  bool escape_ascii(std::string_view text, bool ascii_only) {
    static constexpr char kHex[] = "0123456789abcdef";
    buf_ += '"';
    std::size_t run = 0;  // start of the bytes that need no escape, appended at once
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || !ascii_only)) continue;
      if (c >= 0x80) return false;
      buf_.append(text.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': buf_ += "\\\""; break;
        case '\\': buf_ += "\\\\"; break;
        case '\b': buf_ += "\\b"; break;
        case '\f': buf_ += "\\f"; break;
        case '\n': buf_ += "\\n"; break;
        case '\r': buf_ += "\\r"; break;
        case '\t': buf_ += "\\t"; break;
        default:
          buf_ += "\\u00";
          buf_ += kHex[c >> 4];
          buf_ += kHex[c & 15];
      }
    }
    buf_.append(text.data() + run, text.size() - run);
    buf_ += '"';
    return true;
  }

  template <class Int>
  void integer(Int v) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    buf_.append(digits, static_cast<std::size_t>(end - digits));
  }

  std::string& buf_;
  bool first_ = true;
};

// "192.0.2.25:25", as Endpoint::str() writes it (without its temporary strings).
void append_endpoint(std::string& buf, const Endpoint& e) {
  char text[24];
  char* at = text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    at = std::to_chars(at, text + sizeof text, (e.ip.value >> shift) & 255u).ptr;
    *at++ = shift != 0 ? '.' : ':';
  }
  at = std::to_chars(at, text + sizeof text, e.port).ptr;
  buf.append(text, static_cast<std::size_t>(at - text));
}

// A packet's address as a JSON string: typed, or as it was written (PacketInfo::src_text).
void write_address(LineWriter& w, const Endpoint& e, Name name) {
  if (!name.empty()) return w.string(name.view());
  std::string& buf = w.buffer();
  buf += '"';
  append_endpoint(buf, e);
  buf += '"';
}

// tcp_flag_names(flags), appended.
void append_flag_names(std::string& buf, std::uint8_t f) {
  using namespace tcp_flags;
  bool first = true;
  for (const auto& [bit, name] : {std::pair{kSyn, "SYN"}, std::pair{kFin, "FIN"}, std::pair{kRst, "RST"},
                                  std::pair{kPsh, "PSH"}, std::pair{kAck, "ACK"}}) {
    if (!(f & bit)) continue;
    if (!first) buf += ',';
    first = false;
    buf.append(name, 3);
  }
}

void append_number(std::string& buf, std::uint64_t v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  buf.append(digits, static_cast<std::size_t>(end - digits));
}

// A simulated packet's summary (PacketInfo::summary) as a JSON string: plain ASCII, made in place.
void write_packet_summary(std::string& buf, const PacketInfo& p) {
  buf += '"';
  append_endpoint(buf, p.src);
  buf += " -> ";
  append_endpoint(buf, p.dst);
  if (p.udp) {
    buf += " UDP len=";
  } else {
    buf += " [";
    append_flag_names(buf, p.flags);
    buf += "] seq=";
    append_number(buf, p.seq);
    buf += " ack=";
    append_number(buf, p.ack);
    buf += " len=";
  }
  append_number(buf, p.bytes.size());
  buf += '"';
}

// A packet's "detail" object, keys in byte order (see packet_detail for which keys appear).
void write_packet_detail(LineWriter& w, const PacketInfo& p) {
  if (!p.udp) {
    w.key("ack");
    w.number(std::uint64_t{p.ack});
  }
  if (p.path || p.arrive != 0) {
    w.key("arrive");
    w.number(std::int64_t{p.arrive});
  }
  if (!p.blocked_by.empty()) {
    w.key("blocked_by");
    w.string(p.blocked_by.view());
  }
  if (p.udp || !p.bytes.empty()) {
    w.key("bytes");
    w.escaped_bytes(p.bytes);
  }
  w.key("dst");
  write_address(w, p.dst, p.dst_name);
  if (!p.udp) {
    w.key("flags");
    std::string& buf = w.buffer();
    buf += '"';
    append_flag_names(buf, p.flags);
    buf += '"';
  }
  w.key("len");
  w.number(std::uint64_t{p.bytes.size()});
  if (!p.lost.empty()) {
    w.key("lost");
    w.string(p.lost.view());
  }
  if (p.path) {
    w.key("path");
    std::string& buf = w.buffer();
    buf += '[';
    bool first = true;
    for (const auto& h : *p.path) {
      if (!first) buf += ',';
      first = false;
      w.string(h.view());
    }
    buf += ']';
  }
  if (!p.udp) {
    w.key("seq");
    w.number(std::uint64_t{p.seq});
  }
  w.key("src");
  write_address(w, p.src, p.src_name);
  if (!p.udp && p.tls) {
    w.key("tls");
    w.buffer() += "true";
  }
  w.close();
}

// A protocol record's typed "detail" keys in byte order (see protocol_detail); false when it
// has none (no "detail" is written then).
bool has_protocol_detail(const ProtocolInfo& p) {
  return p.text_key != ProtocolInfo::TextKey::None || p.has_code || p.has_masked || !p.verb.empty() ||
         !p.status.empty() || p.event == ProtoEvent::State || !p.fault.empty();
}

void write_protocol_detail(LineWriter& w, const ProtocolInfo& p) {
  using K = ProtocolInfo::TextKey;
  if (p.text_key == K::Bytes) {
    w.key("bytes");
    w.string(p.text);
  }
  if (p.has_code) {
    w.key("code");
    w.number(std::int64_t{p.code});
  }
  if (!p.fault.empty()) {
    w.key("fault");
    w.string(p.fault.view());
  }
  const bool state = p.event == ProtoEvent::State;
  if (state) {
    w.key("from");
    w.string(p.from.view());
  }
  if (p.text_key == K::Line) {
    w.key("line");
    w.string(p.text);
  }
  if (p.has_masked) {
    w.key("masked");
    w.buffer() += p.masked ? "true" : "false";
  }
  if (!p.status.empty()) {
    w.key("status");
    w.string(p.status.view());
  }
  if (p.text_key == K::Text) {
    w.key("text");
    w.string(p.text);
  }
  if (state) {
    w.key("to");
    w.string(p.to.view());
  }
  if (!p.verb.empty()) {
    w.key("verb");
    w.string(p.verb.view());
  }
  w.close();
}

void write_record_line(std::string& buf, const Record& r) {
  LineWriter w(buf);
  if (r.conn != 0) {
    w.key("conn");
    w.number(r.conn);
  }
  const bool extras = !r.detail.is_null() && !r.detail.empty();
  if (r.packet) {
    w.key("detail");
    LineWriter d(buf);
    write_packet_detail(d, *r.packet);
  } else if (r.proto && extras) {  // a replay's annotations beside the typed keys: merged by nlohmann
    w.key("detail");
    buf += protocol_detail(*r.proto, r.detail).dump(-1, ' ', false, kReplace);
  } else if (r.proto) {
    if (has_protocol_detail(*r.proto)) {
      w.key("detail");
      LineWriter d(buf);
      write_protocol_detail(d, *r.proto);
    }
  } else if (r.mail) {
    if (auto d = mail_detail(*r.mail, r.detail); !d.empty()) {
      w.key("detail");
      buf += d.dump(-1, ' ', false, kReplace);
    }
  } else if (extras) {
    w.key("detail");
    buf += r.detail.dump(-1, ' ', false, kReplace);
  }
  if (!r.event.empty()) {
    w.key("event");
    w.string(r.event.view());
  }
  if (!r.host.empty()) {
    w.key("host");
    w.string(r.host.view());
  }
  w.key("kind");
  w.string(to_string(r.kind));
  if (!r.peer.empty()) {
    w.key("peer");
    w.string(r.peer.view());
  }
  if (!r.protocol.empty()) {
    w.key("proto");
    w.string(r.protocol.view());
  }
  w.key("seq");
  w.number(r.seq);
  if (r.packet) {
    w.key("summary");
    if (r.summary.empty() && r.packet->src_name.empty() && r.packet->dst_name.empty())
      write_packet_summary(buf, *r.packet);
    else
      w.string(r.text());
  } else if (r.proto && r.summary.empty()) {
    if (r.proto->worded) {
      if (const auto text = r.proto->summary(); !text.empty()) {
        w.key("summary");
        w.string(text);
      }
    }
  } else if (!r.summary.empty()) {
    w.key("summary");
    w.string(r.summary);
  }
  w.key("t");
  w.number(std::int64_t{r.time});
  w.close();
  buf += '\n';
}

}  // namespace

std::string Trace::meta_line() const {
  nlohmann::json head = meta;
  head["kind"] = "meta";
  head["schema"] = kTraceSchemaVersion;
  head["records"] = added_;
  return head.dump(-1, ' ', false, kReplace) + '\n';
}

void Trace::write_jsonl(std::ostream& out) const {
  if (!complete())
    throw std::logic_error("Trace::write_jsonl: the trace kept only some of its records; they were written as they "
                           "came (Trace::stream_to)");
  out << meta_line();
  std::string buf;
  buf.reserve(1 << 17);
  for (const auto& r : records_) {
    write_record_line(buf, r);
    if (buf.size() >= (1u << 16)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

bool Trace::read_jsonl(std::istream& in, Trace& out, std::string& error) {
  std::string line;
  std::string packet_bytes;
  Hops packet_path;
  std::size_t number = 0;
  bool seen_meta = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      error = "line " + std::to_string(number) + ": not valid JSON";
      return false;
    }
    if (!seen_meta) {
      if (!j.is_object() || j.value("kind", "") != "meta") {
        error = "line " + std::to_string(number) + ": the first record must be the meta record";
        return false;
      }
      const int schema = j.value("schema", 0);
      if (schema != kTraceSchemaVersion) {
        error = "line " + std::to_string(number) + ": trace schema " + std::to_string(schema) +
                " is not supported (this build reads schema " + std::to_string(kTraceSchemaVersion) + ")";
        return false;
      }
      out.meta = j;
      seen_meta = true;
      continue;
    }
    Record r;
    PacketInfo packet;
    std::string why;
    if (!from_json(j, r, packet, packet_bytes, packet_path, why)) {
      error = "line " + std::to_string(number) + ": " + why;
      return false;
    }
    if (r.kind == RecordKind::Packet) out.add_packet(std::move(r), packet);
    else out.add(std::move(r));
  }
  if (!seen_meta) {
    error = "empty trace: no meta record";
    return false;
  }
  return true;
}

}  // namespace mailsim::sim
