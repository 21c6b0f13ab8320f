// Packets opened layer by layer, and the wire bytes behind a protocol line.
#include "gui/model/packet_view.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "gui/model/classify.hpp"
#include "gui/model/world_view.hpp"
#include "protocols/pop3/wire.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/presentation.hpp"

namespace mailsim::gui {

namespace {

std::string ip_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

std::string port_text(const std::string& endpoint) {
  const auto p = port_of(endpoint);
  return p ? std::to_string(*p) : std::string("?");
}

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]));
}

// The application protocol of a payload from its ports (the server's well-known port).
std::string app_protocol(const sim::Record& p) {
  switch (classify_packet(p)) {
    case PacketClass::Smtp: return "SMTP";
    case PacketClass::Pop3: return "POP3";
    case PacketClass::Imap: return "IMAP";
    case PacketClass::Dns: return "DNS";
    default: break;
  }
  // The teaching services of the basics lessons.
  if (p.packet) {
    for (const std::uint16_t port : {p.packet->dst.port, p.packet->src.port}) {
      if (port == 7) return "Echo";
      if (port == 9) return "Discard";
    }
  }
  return {};
}

// Text lines of a payload ("EHLO pc\r\nMAIL FROM:<a>\r\n" -> two lines), at most `max`.
std::vector<std::string> text_lines(std::string_view bytes, std::size_t max) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < bytes.size() && out.size() < max) {
    auto end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    std::string line(bytes.substr(at, end - at));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    at = end + 1;
  }
  return out;
}

void text_protocol_layer(const std::string& proto, std::string_view text, bool from_server, PacketLayer& layer) {
  const auto lines = text_lines(text, 6);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const auto& line = lines[k];
    if (proto == "SMTP" && from_server && line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
        std::isdigit(static_cast<unsigned char>(line[1])) && std::isdigit(static_cast<unsigned char>(line[2]))) {
      const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      std::string enhanced;
      if (line.size() > 4) {
        const auto sp = line.find(' ', 4);
        const std::string w = line.substr(4, sp == std::string::npos ? std::string::npos : sp - 4);
        if (w.size() >= 5 && w[1] == '.') enhanced = w;
      }
      layer.fields.emplace_back("reply", line);
      const auto why = smtp::explain_reply(code, enhanced);
      if (!why.empty()) layer.fields.emplace_back("meaning", std::string(why));
    } else if (proto == "POP3" && from_server && (line.rfind("+OK", 0) == 0 || line.rfind("-ERR", 0) == 0)) {
      layer.fields.emplace_back("response", line);
      const auto why = pop3::explain_response(line);
      if (!why.empty()) layer.fields.emplace_back("meaning", why);
    } else {
      layer.fields.emplace_back(from_server ? (proto == "IMAP" ? "response" : "data") : (k == 0 ? "command" : "data"),
                                line);
    }
  }
  if (lines.empty()) layer.fields.emplace_back("data", "(empty)");
}

void dns_layer(std::string_view bytes, PacketLayer& layer, bool& ok) {
  const auto d = dns::decode(bytes);
  if (!d.ok()) {
    layer.fields.emplace_back("error", d.error);
    ok = false;
    return;
  }
  const auto& m = *d.message;
  layer.fields.emplace_back("id", std::to_string(m.header.id));
  layer.fields.emplace_back("kind", m.header.qr ? "response" : "query");
  if (m.header.qr) {
    layer.fields.emplace_back("rcode", dns::rcode_name(m.header.rcode));
    layer.fields.emplace_back("authoritative", m.header.aa ? "yes" : "no");
  } else {
    layer.fields.emplace_back("recursion desired", m.header.rd ? "yes" : "no");
  }
  for (const auto& q : m.questions)
    layer.fields.emplace_back("question", q.name.to_string() + " " + dns::type_name(q.type));
  for (const auto& r : m.answers) layer.fields.emplace_back("answer", dns::to_string(r));
  for (const auto& r : m.authority) layer.fields.emplace_back("authority", dns::to_string(r));
  for (const auto& r : m.additional) layer.fields.emplace_back("additional", dns::to_string(r));
}

}  // namespace

DecodedPacket decode_packet(const TraceModel& model, std::size_t record) {
  DecodedPacket out;
  const auto& recs = model.records();
  if (record >= recs.size() || recs[record].kind != sim::RecordKind::Packet) {
    out.ok = false;
    return out;
  }
  const auto& p = recs[record];
  const sim::PacketInfo& d = *p.packet;
  const std::string src = d.src.str();
  const std::string dst = d.dst.str();
  const bool tcp = !d.udp;
  const std::string bytes(d.bytes);
  const bool tls = d.tls;

  // IP: the addresses and the TTL left on arrival (64, less one per router on the path).
  PacketLayer ip{"IP", {}};
  ip.fields.emplace_back("source", ip_of(src));
  ip.fields.emplace_back("destination", ip_of(dst));
  std::size_t routers = 0;
  if (d.path && d.path->size() >= 2) routers = d.path->size() - 2;
  ip.fields.emplace_back("TTL", std::to_string(64 - std::min<std::size_t>(routers, 63)));
  ip.fields.emplace_back("protocol", tcp ? "TCP (6)" : "UDP (17)");
  if (!d.blocked_by.empty()) ip.fields.emplace_back("dropped by", d.blocked_by.str());
  if (!d.lost.empty()) ip.fields.emplace_back("lost", d.lost.str());
  out.layers.push_back(std::move(ip));

  // TCP or UDP.
  PacketLayer transport{tcp ? "TCP" : "UDP", {}};
  transport.fields.emplace_back("source port", port_text(src));
  transport.fields.emplace_back("destination port", port_text(dst));
  if (tcp) {
    transport.fields.emplace_back("flags", d.flag_names());
    transport.fields.emplace_back("seq", std::to_string(d.seq));
    transport.fields.emplace_back("ack", std::to_string(d.ack));
    transport.fields.emplace_back("window", "65535 (not simulated)");
  }
  transport.fields.emplace_back("payload", std::to_string(bytes.size()) + " bytes");
  out.layers.push_back(std::move(transport));
  if (bytes.empty()) return out;
  out.hex = hex_bytes(bytes, kMaxHex);

  // A TLS record: its header, and what the endpoints read in its place.
  const std::string proto = app_protocol(p);
  const auto server_port = [&] {
    const auto sp = port_of(src);
    const auto dp = port_of(dst);
    return sp && class_of_port(*sp) != PacketClass::OtherData && (!dp || class_of_port(*dp) == PacketClass::OtherData);
  }();
  // (A segment sent while TLS is being started may still be clear text: the reply that says
  // "go ahead" or the STLS/STARTTLS line itself. A TLS record starts with its type, 20..23.)
  const auto first = bytes.empty() ? 0u : static_cast<unsigned>(static_cast<unsigned char>(bytes[0]));
  if (tls && bytes.size() >= 5 && first >= 20 && first <= 23) {
    PacketLayer rec{"TLS record", {}};
    const auto type = static_cast<unsigned char>(bytes[0]);
    const std::string type_name = type == 20 ? "change_cipher_spec (20)"
                                  : type == 21 ? "alert (21)"
                                  : type == 22 ? "handshake (22)"
                                  : type == 23 ? "application_data (23)"
                                               : "unknown (" + std::to_string(type) + ")";
    if (type < 20 || type > 23) out.ok = false;
    rec.fields.emplace_back("content type", type_name);
    const auto version = be16(bytes, 1);
    rec.fields.emplace_back("version", version == 0x0303 ? "TLS 1.2 (0x0303)" : version == 0x0301 ? "TLS 1.0 (0x0301)"
                                                                                                : hex_bytes(bytes.substr(1, 2), 2));
    rec.fields.emplace_back("length", std::to_string(be16(bytes, 3)));
    out.layers.push_back(std::move(rec));
    if (type == 23) {
      // What the sender's endpoint wrote: the protocol line it sent on this connection just before.
      for (std::size_t j = record; j-- > 0 && record - j < 400;) {
        const auto& r = recs[j];
        if (r.kind == sim::RecordKind::Protocol && r.conn == p.conn && r.host == p.host && is_protocol_line(r)) {
          const auto line = r.proto_info().line();
          out.endpoint_text = !line.empty() ? std::string(line) : r.text();
          break;
        }
      }
      PacketLayer app{proto.empty() ? std::string("data") : proto, {}};
      app.fields.emplace_back("on the wire", "encrypted (" + std::to_string(bytes.size() - 5) + " bytes)");
      if (!out.endpoint_text.empty()) app.fields.emplace_back("endpoints read", out.endpoint_text);
      out.layers.push_back(std::move(app));
    } else {
      PacketLayer app{"TLS handshake", {}};
      app.fields.emplace_back("message", type == 22 ? "handshake (hello, keys)" : type_name);
      out.layers.push_back(std::move(app));
    }
    return out;
  }

  // The application layer in clear.
  if (proto == "DNS") {
    PacketLayer dnsl{"DNS", {}};
    bool ok = true;
    dns_layer(bytes, dnsl, ok);
    out.ok = out.ok && ok;
    out.layers.push_back(std::move(dnsl));
  } else if (proto == "Echo" || proto == "Discard") {
    PacketLayer app{proto, {}};
    for (const auto& l : text_lines(bytes, 4)) app.fields.emplace_back("text", l);
    out.layers.push_back(std::move(app));
  } else if (!proto.empty()) {
    PacketLayer app{proto, {}};
    text_protocol_layer(proto, bytes, server_port, app);
    out.layers.push_back(std::move(app));
  } else {
    PacketLayer app{"data", {}};
    const auto lines = text_lines(bytes, 4);
    for (const auto& l : lines) app.fields.emplace_back("text", l);
    out.layers.push_back(std::move(app));
  }
  return out;
}

std::optional<WireView> observer_capture(const TraceModel& model, const std::string& network,
                                         std::optional<std::size_t> upto) {
  const auto& recs = model.records();
  if (!upto || recs.empty() || network.empty()) return std::nullopt;
  constexpr std::size_t kLookBack = 5000;
  const std::size_t last = std::min(*upto, recs.size() - 1);
  for (std::size_t j = last + 1; j-- > 0 && last - j < kLookBack;) {
    const auto& p = recs[j];
    if (p.kind != sim::RecordKind::Packet || !p.packet || p.packet->bytes.empty() || !p.packet->path) continue;
    const auto& path = *p.packet->path;
    if (std::find(path.begin(), path.end(), sim::Name(network)) == path.end()) continue;
    WireView w;
    w.packet = j;
    w.bytes = std::string(p.packet->bytes);
    const auto first = w.bytes.empty() ? 0u : static_cast<unsigned>(static_cast<unsigned char>(w.bytes[0]));
    w.tls = p.packet->tls && first >= 20 && first <= 23;
    return w;
  }
  return std::nullopt;
}

std::vector<ExchangeRow> host_exchange(const TraceModel& model, const std::string& host, std::size_t upto,
                                       std::size_t max) {
  std::vector<ExchangeRow> out;
  const auto& recs = model.records();
  if (recs.empty() || max == 0) return out;
  for (std::size_t j = std::min(upto, recs.size() - 1) + 1; j-- > 0 && out.size() < max;) {
    const auto& p = recs[j];
    if (p.kind != sim::RecordKind::Packet || (p.host != host && p.peer != host)) continue;
    ExchangeRow row;
    row.record = j;
    row.out = p.host == host;
    row.peer = row.out ? p.peer : p.host;
    const auto cls = classify_packet(p);
    row.protocol = cls == PacketClass::TcpControl ? std::string("TCP") : app_protocol(p);
    if (row.protocol.empty()) row.protocol = p.protocol == "udp" ? "UDP" : "TCP";
    out.push_back(std::move(row));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string hex_bytes(std::string_view bytes, std::size_t max) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = std::min(bytes.size(), max);
  out.reserve(n * 3 + 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  if (bytes.size() > n) out += " \u2026";
  return out;
}

std::optional<WireView> wire_of_line(const TraceModel& model, std::size_t line) {
  const auto& recs = model.records();
  if (line >= recs.size()) return std::nullopt;
  const auto& r = recs[line];
  if (r.kind != sim::RecordKind::Protocol || r.conn == 0) return std::nullopt;
  // The packets follow the line within a few records; a bound keeps a huge trace cheap.
  constexpr std::size_t kLookAhead = 400;
  for (std::size_t j = line + 1; j < recs.size() && j <= line + kLookAhead; ++j) {
    const auto& p = recs[j];
    if (p.kind != sim::RecordKind::Packet || p.conn != r.conn || p.host != r.host) continue;
    if (!p.packet || p.packet->bytes.empty()) continue;
    WireView w;
    w.packet = j;
    w.bytes = std::string(p.packet->bytes);
    w.tls = p.packet->tls;
    return w;
  }
  return std::nullopt;
}

}  // namespace mailsim::gui
