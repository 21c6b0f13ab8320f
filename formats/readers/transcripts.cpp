// Transcript readers: each turns the lines of a tool's output back into the bytes of a Stream.
#include "formats/readers/transcripts.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <sstream>

#include "formats/readers/pcap.hpp"
#include "protocols/common/base64.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::formats {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Splits into lines (without CR/LF); fails on a line longer than the limit.
bool split_lines(std::string_view in, std::size_t max_line, std::vector<std::string_view>& out, std::string& error) {
  std::size_t start = 0, n = 0;
  while (start < in.size()) {
    auto nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    auto line = in.substr(start, nl - start);
    ++n;
    if (line.size() > max_line) {
      error = "line " + std::to_string(n) + " is longer than " + std::to_string(max_line) + " bytes";
      return false;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = nl + 1;
  }
  return true;
}

// "HH:MM:SS[.ffffff] " at the start of a line (smtplib, curl --trace-time); microseconds of the day.
bool leading_clock(std::string_view& line, std::int64_t& us) {
  if (line.size() < 9 || line[2] != ':' || line[5] != ':') return false;
  auto digits = [&](std::size_t at, std::size_t n, std::int64_t& v) {
    v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (i >= line.size() || line[i] < '0' || line[i] > '9') return false;
      v = v * 10 + (line[i] - '0');
    }
    return true;
  };
  std::int64_t h, m, s;
  if (!digits(0, 2, h) || !digits(3, 2, m) || !digits(6, 2, s)) return false;
  std::size_t at = 8;
  std::int64_t frac = 0, scale = 1000000;
  if (at < line.size() && line[at] == '.') {
    ++at;
    while (at < line.size() && line[at] >= '0' && line[at] <= '9') {
      if (scale > 1) scale /= 10, frac += (line[at] - '0') * scale;
      ++at;
    }
  }
  if (at >= line.size() || line[at] != ' ') return false;
  us = ((h * 60 + m) * 60 + s) * 1000000 + frac;
  line.remove_prefix(at + 1);
  return true;
}

// Adds bytes to the single stream of a transcript, merging nothing (one chunk per line).
struct Builder {
  Capture& out;
  const ReadLimits& limits;
  std::size_t payload = 0;
  std::string error;

  Stream& stream() {
    if (out.streams.empty()) open();
    return out.streams.back();
  }
  Stream& open() {
    out.streams.emplace_back();
    auto& s = out.streams.back();
    s.client = {"client", 0};
    s.server = {"server", 0};
    return s;
  }
  bool add(Stream& s, Direction d, std::int64_t t, std::string bytes) {
    payload += bytes.size();
    if (payload > limits.max_payload) {
      error = "more than " + std::to_string(limits.max_payload) + " bytes of session text";
      return false;
    }
    s.chunks.push_back({t, d, std::move(bytes)});
    return true;
  }
  bool add(Direction d, std::int64_t t, std::string bytes) { return add(stream(), d, t, std::move(bytes)); }
};

bool no_lines(const Capture& c, std::string_view format, std::string& error) {
  for (const auto& s : c.streams)
    if (!s.chunks.empty()) return false;
  error = "no line of the input marks who sent it (expected " + std::string(format) + " lines)";
  return true;
}

// ---- mailsim's own transcript: "C: line" / "S: line" ----
bool read_cs(const std::vector<std::string_view>& lines, Builder& b) {
  for (auto line : lines) {
    std::int64_t t = 0;
    leading_clock(line, t);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.size() < 2 || line[1] != ':' || (line[0] != 'C' && line[0] != 'S')) continue;
    auto text = line.substr(2);
    if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
    if (!b.add(line[0] == 'C' ? Direction::ToServer : Direction::ToClient, t, std::string(text) + "\r\n")) return false;
  }
  return true;
}

// ---- swaks: " -> " sent, "<-  " received, " ~> " / "<~  " inside TLS, "<** " an error reply ----
bool read_swaks(const std::vector<std::string_view>& lines, Builder& b) {
  bool tls_noted = false;
  for (auto line : lines) {
    if (starts_with(line, "=== Trying ")) {
      auto& s = b.open();
      auto target = line.substr(11);
      if (auto dots = target.rfind("..."); dots != std::string_view::npos) target = target.substr(0, dots);
      if (auto colon = target.rfind(':'); colon != std::string_view::npos) {
        s.server.address = std::string(target.substr(0, colon));
        unsigned port = 0;
        auto p = target.substr(colon + 1);
        std::from_chars(p.data(), p.data() + p.size(), port);
        s.server.port = static_cast<std::uint16_t>(port);
      }
      continue;
    }
    if (starts_with(line, "=== Connected to")) {
      b.stream().saw_open = true;
      continue;
    }
    if (starts_with(line, "=== Connection closed")) {
      b.stream().saw_close = true;
      continue;
    }
    Direction d;
    bool tls = false;
    if (starts_with(line, " -> ")) d = Direction::ToServer;
    else if (starts_with(line, " ~> ")) d = Direction::ToServer, tls = true;
    else if (starts_with(line, "<-  ") || starts_with(line, "<** ")) d = Direction::ToClient;
    else if (starts_with(line, "<~  ") || starts_with(line, "<~* ")) d = Direction::ToClient, tls = true;
    else if (line == " ->" || line == " ~>") d = Direction::ToServer, tls = line[1] == '~';
    else if (starts_with(line, "*** ")) {
      auto& s = b.stream();
      s.notes.push_back({0, s.chunks.size(), "swaks: " + std::string(line.substr(4))});
      continue;
    } else continue;
    auto& s = b.stream();
    if (tls && !tls_noted) {
      s.notes.push_back({0, s.chunks.size(), "TLS from here: swaks shows the lines it encrypted and decrypted"});
      tls_noted = true;
    }
    const auto text = line.size() > 4 ? line.substr(4) : std::string_view();
    if (!b.add(d, 0, std::string(text) + "\r\n")) return false;
  }
  return true;
}

// ---- curl --trace-ascii: "=> Send header, N bytes" then "0000: text" lines ----
bool read_curl(const std::vector<std::string_view>& lines, Builder& b) {
  std::size_t i = 0;
  while (i < lines.size()) {
    auto line = lines[i++];
    std::int64_t t = 0;
    leading_clock(line, t);
    if (starts_with(line, "== Info: ")) {
      auto info = line.substr(9);
      // "Connected to 127.0.0.1 (127.0.0.1) port 2525" names the server.
      if (auto c = info.find("Connected to "); c != std::string_view::npos) {
        auto& s = b.open();
        s.saw_open = true;
        auto rest = info.substr(c + 13);
        if (auto lp = rest.find('('), rp = rest.find(')'); lp != std::string_view::npos && rp > lp)
          s.server.address = std::string(rest.substr(lp + 1, rp - lp - 1));
        if (auto pp = rest.find("port "); pp != std::string_view::npos) {
          unsigned port = 0;
          auto p = rest.substr(pp + 5);
          std::from_chars(p.data(), p.data() + p.size(), port);
          s.server.port = static_cast<std::uint16_t>(port);
        }
      } else if (info.find("We are completely uploaded") != std::string_view::npos && !b.out.streams.empty()) {
        // curl does not trace the end-of-data line it sends after an SMTP upload.
        auto& s = b.out.streams.back();
        if (s.protocol.empty() || s.protocol == "smtp") {
          const bool crlf = !s.chunks.empty() && s.chunks.back().bytes.size() >= 2 &&
                            s.chunks.back().bytes.compare(s.chunks.back().bytes.size() - 2, 2, "\r\n") == 0;
          s.notes.push_back({t, s.chunks.size(), "curl does not show the end-of-data line; it is assumed here"});
          if (!b.add(Direction::ToServer, t, crlf ? ".\r\n" : "\r\n.\r\n")) return false;
        }
      } else if (info.find("Closing connection") != std::string_view::npos && !b.out.streams.empty()) {
        b.out.streams.back().saw_close = true;
      }
      continue;
    }
    const bool send = starts_with(line, "=> Send ");
    const bool recv = starts_with(line, "<= Recv ");
    if (!send && !recv) continue;
    const bool ssl = line.find("SSL data") != std::string_view::npos;
    std::size_t total = 0;
    if (auto comma = line.find(", "); comma != std::string_view::npos) {
      auto n = line.substr(comma + 2);
      std::from_chars(n.data(), n.data() + n.size(), total);
    }
    // The block's lines: "hhhh: text"; CR LF are not shown, a jump in the offset says they were there.
    std::string bytes;
    std::size_t expect = 0;
    while (i < lines.size()) {
      auto l = lines[i];
      std::int64_t ignore = 0;
      leading_clock(l, ignore);
      if (l.size() < 5 || l[4] != ':') break;
      std::size_t off = 0;
      const auto [p, ec] = std::from_chars(l.data(), l.data() + 4, off, 16);
      if (ec != std::errc() || p != l.data() + 4) break;
      ++i;
      if (off > expect) bytes += (off - expect == 1) ? std::string("\n") : std::string("\r\n");
      auto text = l.size() > 6 ? l.substr(6) : std::string_view();
      bytes += text;
      expect = off + text.size();
    }
    if (total > expect) bytes += (total - expect == 1) ? std::string("\n") : std::string("\r\n");
    if (ssl) continue;  // TLS records: curl also shows what they carry as header/data blocks
    if (!b.add(send ? Direction::ToServer : Direction::ToClient, t, std::move(bytes))) return false;
  }
  return true;
}

// ---- Python smtplib set_debuglevel(1 or 2): "send: 'ehlo x\r\n'", "reply: b'250 ok\r\n'" ----
bool read_smtplib(const std::vector<std::string_view>& lines, Builder& b) {
  for (auto line : lines) {
    std::int64_t t = 0;
    leading_clock(line, t);
    if (starts_with(line, "connect: ('") || starts_with(line, "connect: to ('")) {
      auto& s = b.out.streams.empty() || !b.out.streams.back().chunks.empty() ? b.open() : b.out.streams.back();
      s.saw_open = true;
      const auto q1 = line.find('\''), q2 = line.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {
        s.server.address = std::string(line.substr(q1 + 1, q2 - q1 - 1));
        auto rest = line.substr(q2 + 1);
        if (auto comma = rest.find(", "); comma != std::string_view::npos) {
          unsigned port = 0;
          auto p = rest.substr(comma + 2);
          std::from_chars(p.data(), p.data() + p.size(), port);
          s.server.port = static_cast<std::uint16_t>(port);
        }
      }
      continue;
    }
    Direction d;
    std::string_view lit;
    if (starts_with(line, "send: ")) d = Direction::ToServer, lit = line.substr(6);
    else if (starts_with(line, "reply: ") && !starts_with(line, "reply: retcode")) d = Direction::ToClient, lit = line.substr(7);
    else continue;
    std::string bytes;
    if (!python_literal(lit, bytes)) {
      auto& s = b.stream();
      s.notes.push_back({t, s.chunks.size(), "not understood: " + std::string(line)});
      continue;
    }
    if (!b.add(d, t, std::move(bytes))) return false;
  }
  return true;
}

// Syslog time: "Dec  6 23:10:01" or ISO "2026-12-06T23:10:01.123456+00:00"; microseconds (year ignored).
std::int64_t syslog_time(std::string_view line) {
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto num = [&](std::size_t at, std::size_t n) {
    std::int64_t v = 0;
    for (std::size_t i = at; i < at + n && i < line.size(); ++i)
      if (line[i] >= '0' && line[i] <= '9') v = v * 10 + (line[i] - '0');
    return v;
  };
  if (line.size() >= 19 && line[4] == '-' && line[10] == 'T') {
    std::int64_t us = ((num(8, 2) * 24 + num(11, 2)) * 60 + num(14, 2)) * 60 + num(17, 2);
    us *= 1000000;
    if (line.size() > 20 && line[19] == '.') {
      std::int64_t scale = 1000000;
      for (std::size_t i = 20; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
        if (scale > 1) scale /= 10, us += (line[i] - '0') * scale;
    }
    return us;
  }
  if (line.size() >= 15) {
    for (int m = 0; m < 12; ++m)
      if (line.substr(0, 3) == months[m])
        return ((((m * 31 + num(4, 2)) * 24 + num(7, 2)) * 60 + num(10, 2)) * 60 + num(13, 2)) * 1000000;
  }
  return 0;
}

// ---- Postfix debug_peer_list: "postfix/smtpd[123]: < client[1.2.3.4]: EHLO x" ----
bool read_postfix(const std::vector<std::string_view>& lines, Builder& b) {
  std::map<std::string, std::size_t> sessions;  // "pid peer" -> stream
  for (auto line : lines) {
    const auto pf = line.find("postfix");
    if (pf == std::string_view::npos) continue;
    const auto lb = line.find('[', pf), rb = line.find("]: ", pf);
    if (lb == std::string_view::npos || rb == std::string_view::npos || lb > rb) continue;
    const auto program = line.substr(pf, lb - pf);      // postfix/smtpd, postfix/submission/smtpd, postfix/smtp
    const auto pid = line.substr(lb + 1, rb - lb - 1);
    auto rest = line.substr(rb + 3);
    const bool is_server = program.find("smtpd") != std::string_view::npos;
    if (rest.size() < 3 || (rest[0] != '<' && rest[0] != '>') || rest[1] != ' ') continue;
    const auto peer_end = rest.find("]: ");
    const auto peer_lb = rest.find('[');
    if (peer_end == std::string_view::npos || peer_lb == std::string_view::npos || peer_lb > peer_end) continue;
    const auto name = rest.substr(2, peer_lb - 2);
    const auto addr = rest.substr(peer_lb + 1, peer_end - peer_lb - 1);
    const auto text = rest.substr(peer_end + 3);
    const std::string key = std::string(pid) + " " + std::string(addr);
    auto it = sessions.find(key);
    if (it == sessions.end()) {
      if (b.out.streams.size() >= b.limits.max_streams) {
        b.error = "more than " + std::to_string(b.limits.max_streams) + " sessions";
        return false;
      }
      auto& s = b.open();
      s.protocol = program.find("lmtp") != std::string_view::npos ? "lmtp" : "smtp";
      s.protocol_reason = "Postfix " + std::string(program);
      // smtpd is the server and the peer its client; smtp/lmtp is the client of the peer.
      (is_server ? s.client : s.server) = Endpoint{std::string(addr), 0};
      (is_server ? s.server : s.client) = Endpoint{"postfix", 0};
      if (!name.empty() && name != "unknown") (is_server ? s.client : s.server).address = std::string(addr);
      s.notes.push_back({0, 0, "Postfix logs commands and replies, not the message text; " +
                                   std::string(is_server ? "client " : "server ") + std::string(name) + "[" +
                                   std::string(addr) + "]"});
      it = sessions.emplace(key, b.out.streams.size() - 1).first;
    }
    // '>' is what the logging program sent, '<' what it received.
    const bool sent = rest[0] == '>';
    const Direction d = (sent == is_server) ? Direction::ToClient : Direction::ToServer;
    if (!b.add(b.out.streams[it->second], d, syslog_time(line), std::string(text) + "\r\n")) return false;
  }
  return true;
}

// ---- tshark -q -z follow,tcp,yaml,N ----
bool read_tshark_yaml(const std::vector<std::string_view>& lines, Builder& b) {
  struct Peer {
    std::string host;
    std::uint16_t port = 0;
  };
  std::map<int, Peer> peers;
  int current_peer = -1, packet_peer = -1;
  std::int64_t packet_time = 0;
  bool in_data = false, in_packets = false;
  std::string data;
  auto strip = [](std::string_view s) {
    const auto a = s.find_first_not_of(' ');
    return a == std::string_view::npos ? std::string_view() : s.substr(a);
  };
  auto flush = [&]() -> bool {
    if (!in_data) return true;
    in_data = false;
    auto decoded = proto::base64_decode(data);
    if (!decoded) {
      auto& s = b.stream();
      s.notes.push_back({packet_time, s.chunks.size(), "a data block that is not base64 was not read"});
      data.clear();
      return true;
    }
    data.clear();
    return b.add(packet_peer == 0 ? Direction::ToServer : Direction::ToClient, packet_time, std::move(*decoded));
  };
  for (auto raw : lines) {
    if (raw.empty() || raw[0] == '#' ) continue;
    if (starts_with(raw, "=====")) continue;
    const auto line = strip(raw);
    if (in_data && raw.size() > line.size() && line.find(':') == std::string_view::npos) {
      data += line;
      continue;
    }
    if (!flush()) return false;
    if (raw == "packets:") {
      in_packets = true;
      auto& s = b.stream();
      s.saw_open = true;
      if (peers.count(0)) s.client = {peers[0].host, peers[0].port};
      if (peers.count(1)) s.server = {peers[1].host, peers[1].port};
      continue;
    }
    auto field = [&](std::string_view name) -> std::string_view {
      for (std::string_view p : {std::string_view("- "), std::string_view("")}) {
        const auto full = std::string(p) + std::string(name) + ": ";
        if (starts_with(line, full)) return line.substr(full.size());
      }
      return {};
    };
    auto to_int = [](std::string_view v) {
      long n = 0;
      std::from_chars(v.data(), v.data() + v.size(), n);
      return n;
    };
    if (!in_packets) {
      if (auto v = field("peer"); !v.empty()) current_peer = static_cast<int>(to_int(v));
      else if (auto h = field("host"); !h.empty() && current_peer >= 0) peers[current_peer].host = std::string(h);
      else if (auto p = field("port"); !p.empty() && current_peer >= 0)
        peers[current_peer].port = static_cast<std::uint16_t>(to_int(p));
      continue;
    }
    if (auto v = field("peer"); !v.empty()) packet_peer = static_cast<int>(to_int(v));
    else if (auto ts = field("timestamp"); !ts.empty()) {
      const auto dot = ts.find('.');
      std::int64_t us = to_int(ts.substr(0, dot)) * 1000000;
      if (dot != std::string_view::npos) {
        std::int64_t scale = 1000000;
        for (std::size_t i = dot + 1; i < ts.size() && ts[i] >= '0' && ts[i] <= '9'; ++i)
          if (scale > 1) scale /= 10, us += (ts[i] - '0') * scale;
      }
      packet_time = us;
    } else if (auto d = field("data"); starts_with(d, "!!binary")) {
      in_data = true;
    }
  }
  return flush();
}

// ---- mailsim's JSON Lines trace: packet records put back together like a capture ----
bool read_jsonl(std::string_view input, const ReadLimits& limits, Capture& out, std::string& error) {
  std::istringstream in{std::string(input)};
  sim::Trace trace;
  if (!sim::Trace::read_jsonl(in, trace, error)) return false;
  SegmentAssembler assembler(limits, out);
  auto endpoint = [](const std::string& text, std::string& ip, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    ip = text.substr(0, colon);
    unsigned p = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), p);
    port = static_cast<std::uint16_t>(p);
    return ec == std::errc() && p <= 65535;
  };
  for (const auto& r : trace.records()) {
    if (r.kind != sim::RecordKind::Packet || !r.packet) continue;
    const sim::PacketInfo& d = *r.packet;
    if (!d.lost.empty() || !d.blocked_by.empty()) continue;  // it never reached its peer
    Segment s;
    s.time = r.time;
    s.tcp = !d.udp;
    if (!endpoint(d.src_text(), s.src, s.sport) || !endpoint(d.dst_text(), s.dst, s.dport)) {
      error = "record " + std::to_string(r.seq) + ": a packet without src/dst addresses";
      return false;
    }
    s.seq = d.seq;
    s.flags = d.flags;
    s.payload = d.bytes;  // the trace's arena holds the bytes while `trace` lives
    if (!assembler.add(s, error)) {
      error = "record " + std::to_string(r.seq) + ": " + error;
      return false;
    }
  }
  assembler.finish();
  if (trace.meta.contains("scenario") && trace.meta["scenario"].is_string())
    out.notes.push_back("a mailsim trace of the scenario " + trace.meta["scenario"].get<std::string>());
  return true;
}

std::size_t count_prefixed(const std::vector<std::string_view>& lines, std::initializer_list<std::string_view> prefixes,
                           bool allow_clock) {
  std::size_t n = 0;
  for (auto line : lines) {
    if (allow_clock) {
      std::int64_t t;
      leading_clock(line, t);
    }
    for (auto p : prefixes)
      if (starts_with(line, p)) {
        ++n;
        break;
      }
  }
  return n;
}

bool is_cs_line(std::string_view line) {
  std::int64_t t;
  leading_clock(line, t);
  const auto first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return false;
  line.remove_prefix(first);
  return line.size() >= 2 && (line[0] == 'C' || line[0] == 'S') && line[1] == ':' && (line.size() == 2 || line[2] == ' ');
}

bool is_postfix_line(std::string_view line) {
  const auto pf = line.find("postfix");
  if (pf == std::string_view::npos) return false;
  const auto rb = line.find("]: ", pf);
  if (rb == std::string_view::npos || line.size() < rb + 6) return false;
  const auto rest = line.substr(rb + 3);
  return (rest[0] == '<' || rest[0] == '>') && rest[1] == ' ' && rest.find("]: ") != std::string_view::npos;
}

}  // namespace

bool python_literal(std::string_view t, std::string& out) {
  out.clear();
  if (!t.empty() && t[0] == 'b') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.size() < 2 || (t[0] != '\'' && t[0] != '"') || t.back() != t[0]) return false;
  const char quote = t[0];
  t = t.substr(1, t.size() - 2);
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == quote) return false;  // an unescaped quote inside: not one literal
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= t.size()) return false;
    switch (t[i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '0': out += '\0'; break;
      case 'x': case 'u': case 'U': {
        const std::size_t n = t[i] == 'x' ? 2 : t[i] == 'u' ? 4 : 8;
        std::uint32_t v = 0;
        for (std::size_t k = 1; k <= n; ++k) {
          if (i + k >= t.size()) return false;
          const int h = hex(t[i + k]);
          if (h < 0) return false;
          v = v * 16 + static_cast<std::uint32_t>(h);
        }
        i += n;
        if (v < 0x80) out += static_cast<char>(v);
        else if (n == 2) out += static_cast<char>(v);  // a byte of bytes (or Latin-1 of a str)
        else if (v < 0x800) {
          out += static_cast<char>(0xC0 | (v >> 6));
          out += static_cast<char>(0x80 | (v & 0x3F));
        } else if (v < 0x10000) {
          out += static_cast<char>(0xE0 | (v >> 12));
          out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (v & 0x3F));
        } else if (v < 0x110000) {
          out += static_cast<char>(0xF0 | (v >> 18));
          out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (v & 0x3F));
        } else {
          return false;
        }
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::string detect_transcript(std::string_view in) {
  // Binary noise is no transcript: text has no NUL and few control bytes.
  const auto head = in.substr(0, 65536);
  std::size_t controls = 0;
  for (const char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) return {};
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') ++controls;
  }
  if (controls * 20 > head.size() + 1) return {};
  std::vector<std::string_view> lines;
  std::string ignored;
  if (!split_lines(head, head.size() + 1, lines, ignored)) return {};
  if (!lines.empty() && lines.back().size() > 0 && head.size() < in.size()) lines.pop_back();  // cut at 64 KiB
  const auto first = std::find_if(lines.begin(), lines.end(), [](std::string_view l) { return !l.empty(); });
  if (first == lines.end()) return {};
  if (starts_with(*first, "{") && first->find("\"kind\"") != std::string_view::npos) return "jsonl";
  if (std::find(lines.begin(), lines.end(), std::string_view("peers:")) != lines.end() &&
      std::find(lines.begin(), lines.end(), std::string_view("packets:")) != lines.end())
    return "tshark-yaml";
  if (count_prefixed(lines, {"=> Send ", "<= Recv "}, true) > 0) return "curl";
  if (count_prefixed(lines, {" -> ", "<-  ", " ~> ", "<~  ", "<** "}, false) > 0) return "swaks";
  if (count_prefixed(lines, {"send: ", "reply: "}, true) > 0) return "smtplib";
  if (std::any_of(lines.begin(), lines.end(), is_postfix_line)) return "postfix";
  if (std::any_of(lines.begin(), lines.end(), is_cs_line)) return "transcript";
  return {};
}

bool read_transcript(std::string_view input, const std::string& format, const ReadLimits& limits, Capture& out,
                     std::string& error) {
  out.format = format;
  if (input.size() > limits.max_input) {
    error = "the input is larger than " + std::to_string(limits.max_input) + " bytes";
    return false;
  }
  if (format == "jsonl") return read_jsonl(input, limits, out, error);
  if (input.find('\0') != std::string_view::npos) {
    error = "binary data (a NUL byte at offset " + std::to_string(input.find('\0')) + ") in a text transcript";
    return false;
  }
  std::vector<std::string_view> lines;
  if (!split_lines(input, limits.max_line, lines, error)) return false;
  Builder b{out, limits, 0, {}};
  bool ok = false;
  if (format == "transcript") ok = read_cs(lines, b);
  else if (format == "swaks") ok = read_swaks(lines, b);
  else if (format == "curl") ok = read_curl(lines, b);
  else if (format == "smtplib") ok = read_smtplib(lines, b);
  else if (format == "postfix") ok = read_postfix(lines, b);
  else if (format == "tshark-yaml") ok = read_tshark_yaml(lines, b);
  else {
    error = "unknown transcript format \"" + format + "\"";
    return false;
  }
  if (!ok) {
    error = b.error;
    return false;
  }
  if (no_lines(out, format, error)) return false;
  // Streams that never got a line (a connect with nothing after it) are kept: they happened.
  return true;
}

}  // namespace mailsim::formats
