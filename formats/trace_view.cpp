// Reads packets, narration ties and SMTP transfers out of a trace (the formats' one adapter).
#include "formats/trace_view.hpp"

#include <algorithm>
#include <cctype>

#include "sim/core/address.hpp"

namespace mailsim::formats {
namespace {

template <typename T>
T num(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_number() ? it->get<T>() : T{};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::vector<WirePacket> wire_packets(const sim::Trace& trace) {
  // The application protocol of each connection, from its protocol records.
  std::map<std::uint64_t, std::string> conn_app;
  for (const auto& r : trace.records())
    if (r.kind == sim::RecordKind::Protocol && r.conn != 0 &&
        (r.protocol == "smtp" || r.protocol == "pop3" || r.protocol == "imap"))
      conn_app.try_emplace(r.conn, r.protocol);

  std::vector<WirePacket> out;
  for (const auto& r : trace.records()) {
    if (r.kind != sim::RecordKind::Packet) continue;
    const sim::PacketInfo& d = *r.packet;
    if (!d.src_name.empty() || !d.dst_name.empty()) continue;
    WirePacket p;
    p.record = r.seq;
    p.sent = r.time;
    p.tcp = !d.udp;
    p.conn = r.conn;
    p.from_host = r.host;
    p.to_host = r.peer;
    p.src_ip = d.src.ip.value;
    p.src_port = d.src.port;
    p.dst_ip = d.dst.ip.value;
    p.dst_port = d.dst.port;
    if (p.tcp) {
      p.flags = d.flags;
      p.seq = d.seq;
      p.ack = d.ack;
      auto it = conn_app.find(r.conn);
      p.app = it != conn_app.end() ? it->second : "tcp";
    } else {
      p.app = r.protocol.empty() ? "udp" : r.protocol;
    }
    p.payload = std::string(d.bytes);
    p.tls = d.tls;
    if (d.path) p.path.assign(d.path->begin(), d.path->end());
    const bool stopped = !d.blocked_by.empty() || !d.lost.empty();
    if (!stopped && d.path) p.arrived = d.arrive;
    out.push_back(std::move(p));
  }
  return out;
}

std::map<std::uint64_t, std::vector<std::string>> narration_packets(
    const sim::Trace& trace, const std::vector<sim::NarrationStep>& steps,
    const std::vector<sim::NarrationMatch>& matches, const std::string& lang) {
  std::map<std::uint64_t, std::vector<std::string>> out;
  const auto& recs = trace.records();
  for (const auto& m : matches) {
    if (!m.reached || m.step >= steps.size() || m.seq >= recs.size()) continue;
    const auto& at = recs[m.seq];
    std::optional<std::uint64_t> pick;
    if (at.kind == sim::RecordKind::Packet) pick = at.seq;
    for (std::size_t i = m.seq + 1; !pick && at.conn != 0 && i < recs.size(); ++i)
      if (recs[i].kind == sim::RecordKind::Packet && recs[i].conn == at.conn) pick = recs[i].seq;
    for (std::size_t i = m.seq + 1; !pick && i < recs.size(); ++i)
      if (recs[i].kind == sim::RecordKind::Packet) pick = recs[i].seq;
    for (std::size_t i = m.seq; !pick && i-- > 0;)
      if (recs[i].kind == sim::RecordKind::Packet) pick = recs[i].seq;
    if (pick) out[*pick].push_back(steps[m.step].text(lang));
  }
  return out;
}

std::vector<SmtpTransfer> smtp_transfers(const std::vector<WirePacket>& packets) {
  struct Stream {
    std::string client, server;
    std::uint16_t port = 0;
    std::string pending;     // client bytes not yet a whole line
    bool in_data = false;
    bool expect_content = false;  // the last command was DATA
    bool stopped = false;    // TLS began: nothing more can be read
    std::string message;
    bool too_big = false;
  };
  std::map<std::uint64_t, Stream> streams;
  std::vector<SmtpTransfer> out;
  for (const auto& p : packets) {
    if (!p.tcp || p.app != "smtp" || p.payload.empty() || out.size() >= kMaxTransfers) continue;
    auto [it, fresh] = streams.try_emplace(p.conn);
    Stream& s = it->second;
    if (fresh) {
      // The first payload of an SMTP connection is the server's greeting.
      s.server = p.from_host;
      s.client = p.to_host;
      s.port = p.src_port;
    }
    if (p.from_host != s.client) continue;
    if (p.tls) s.stopped = true;
    if (s.stopped) continue;
    s.pending += p.payload;
    std::size_t at = 0;
    for (;;) {
      const auto eol = s.pending.find("\r\n", at);
      if (eol == std::string::npos) break;
      const std::string_view line(s.pending.data() + at, eol - at);
      at = eol + 2;
      if (s.in_data) {
        if (line == ".") {
          if (!s.too_big)
            out.push_back(SmtpTransfer{p.conn, p.record, p.sent, s.client, s.server, s.port, false, std::move(s.message)});
          s.message.clear();
          s.in_data = false;
          s.too_big = false;
          continue;
        }
        const auto content = !line.empty() && line[0] == '.' ? line.substr(1) : line;
        if (s.message.size() + content.size() + 2 > kMaxTransferBytes) s.too_big = true;
        if (!s.too_big) {
          s.message.append(content);
          s.message += "\r\n";
        }
        continue;
      }
      if (s.expect_content && !iequals(line, "QUIT") && !iequals(line, "RSET")) {
        // The server said 354: this line is the message's first.
        s.in_data = true;
        s.expect_content = false;
        at -= line.size() + 2;
        continue;
      }
      s.expect_content = iequals(line, "DATA");
    }
    s.pending.erase(0, at);
  }
  return out;
}

}  // namespace mailsim::formats
