// Format detection, dispatch to the readers, protocol naming and the normal form of a stream.
#include "formats/readers/capture.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "formats/readers/pcap.hpp"
#include "protocols/dns/message.hpp"
#include "formats/readers/transcripts.hpp"

namespace mailsim::formats {

std::size_t Stream::bytes(Direction d) const {
  std::size_t n = 0;
  for (const auto& c : chunks)
    if (c.dir == d) n += c.bytes.size();
  return n;
}

std::string Stream::joined(Direction d) const {
  std::string s;
  for (const auto& c : chunks)
    if (c.dir == d) s += c.bytes;
  return s;
}

const std::vector<std::string_view>& known_formats() {
  static const std::vector<std::string_view> f = {"auto",  "pcap",    "pcapng",  "transcript", "swaks",
                                                  "curl",  "smtplib", "postfix", "tshark-yaml", "jsonl"};
  return f;
}

std::string detect_format(std::string_view in) {
  if (looks_like_pcap(in)) return "pcap";
  if (looks_like_pcapng(in)) return "pcapng";
  return detect_transcript(in);
}

std::string_view protocol_for_port(std::uint16_t port) {
  switch (port) {
    case 25: case 587: case 2525: return "smtp";
    case 465: return "smtps";
    case 110: return "pop3";
    case 995: return "pop3s";
    case 143: return "imap";
    case 993: return "imaps";
    case 53: return "dns";
    default: return {};
  }
}

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
    if (a != prefix[i]) return false;
  }
  return true;
}

// The protocol the first bytes of each side suggest, with the reason.
std::pair<std::string, std::string> protocol_by_content(const Stream& s) {
  std::string_view first_server, first_client;
  for (const auto& c : s.chunks) {
    auto& slot = c.dir == Direction::ToClient ? first_server : first_client;
    if (slot.empty()) slot = c.bytes;
  }
  auto is_tls = [](std::string_view b) {
    return b.size() >= 3 && b[0] == 0x16 && b[1] == 0x03 && static_cast<unsigned char>(b[2]) <= 0x04;
  };
  if (starts_with_ci(first_server, "220 ") || starts_with_ci(first_server, "220-") ||
      starts_with_ci(first_server, "554 ") || starts_with_ci(first_client, "EHLO ") ||
      starts_with_ci(first_client, "HELO ") || starts_with_ci(first_client, "LHLO "))
    return {"smtp", "content: SMTP greeting or EHLO"};
  if (starts_with_ci(first_server, "+OK") || starts_with_ci(first_client, "CAPA\r") ||
      starts_with_ci(first_client, "USER "))
    return {"pop3", "content: POP3 greeting"};
  if (starts_with_ci(first_server, "* OK") || starts_with_ci(first_server, "* PREAUTH"))
    return {"imap", "content: IMAP greeting"};
  if (is_tls(first_client) || is_tls(first_server)) return {"tls", "content: TLS handshake"};
  // DNS on a port of its own (a test server on 5353 or 5300): a query that decodes, with one
  // question, answered by a response with the same id. Over TCP each message has a 2-byte length.
  const auto dns_message = [&](std::string_view b) -> std::optional<dns::Message> {
    if (s.transport == "tcp") {
      if (b.size() < 2) return std::nullopt;
      const std::size_t n = (static_cast<unsigned char>(b[0]) << 8) | static_cast<unsigned char>(b[1]);
      if (n + 2 != b.size()) return std::nullopt;
      b.remove_prefix(2);
    }
    auto r = dns::decode(b);
    if (!r.ok()) return std::nullopt;
    return std::move(*r.message);
  };
  if (const auto q = dns_message(first_client); q && !q->header.qr && q->questions.size() == 1) {
    const auto a = dns_message(first_server);
    if (first_server.empty() || (a && a->header.qr && a->header.id == q->header.id))
      return {"dns", "content: DNS query"};
  }
  return {};
}

}  // namespace

void name_protocols(Capture& capture, const std::map<std::uint16_t, std::string>& port_map) {
  for (auto& s : capture.streams) {
    if (auto it = port_map.find(s.server.port); it != port_map.end()) {
      s.protocol = it->second;
      s.protocol_reason = "--map " + std::to_string(it->first) + "=" + it->second;
      continue;
    }
    if (!s.protocol.empty()) continue;  // a transcript that says what it is
    if (auto p = protocol_for_port(s.server.port); !p.empty()) {
      s.protocol = std::string(p);
      s.protocol_reason = "port " + std::to_string(s.server.port);
      // Implicit TLS ports are only what they say when the bytes agree; a plain SMTP greeting
      // on 465 is read as SMTP.
      if (auto [proto, why] = protocol_by_content(s); !proto.empty() && proto != s.protocol &&
                                                      !(s.protocol.back() == 's' && proto == "tls")) {
        if (!(s.protocol == "dns")) {
          s.protocol = proto;
          s.protocol_reason = why + " (on port " + std::to_string(s.server.port) + ")";
        }
      }
      continue;
    }
    auto [proto, why] = protocol_by_content(s);
    s.protocol = proto;
    s.protocol_reason = why;
  }
}

bool parse_port_map(std::string_view text, std::map<std::uint16_t, std::string>& out, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    error = "--map " + std::string(text) + ": expected PORT=PROTOCOL, e.g. 10025=smtp";
    return false;
  }
  unsigned port = 0;
  const auto num = text.substr(0, eq);
  const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), port);
  if (ec != std::errc() || p != num.data() + num.size() || port == 0 || port > 65535) {
    error = "--map " + std::string(text) + ": " + std::string(num) + " is not a port number (1-65535)";
    return false;
  }
  const auto proto = std::string(text.substr(eq + 1));
  static const std::vector<std::string_view> known = {"smtp", "pop3", "imap", "dns", "tls", "smtps", "pop3s", "imaps"};
  if (std::find(known.begin(), known.end(), proto) == known.end()) {
    error = "--map " + std::string(text) + ": unknown protocol \"" + proto + "\" (smtp, pop3, imap, dns, tls)";
    return false;
  }
  out[static_cast<std::uint16_t>(port)] = proto;
  return true;
}

ReadResult read_capture(std::string_view input, const ReadOptions& options) {
  ReadResult r;
  if (input.size() > options.limits.max_input) {
    r.error = "the input is larger than " + std::to_string(options.limits.max_input) + " bytes";
    return r;
  }
  std::string format = options.format;
  if (format == "auto") {
    format = detect_format(input);
    if (format.empty()) {
      r.error = "not a format replay knows: no pcap/pcapng header, and no line marks who sent what "
                "(C:/S:, swaks ' -> '/'<-  ', curl '=> Send', smtplib 'send:'/'reply:', Postfix "
                "'< host[ip]:', tshark follow YAML, a mailsim JSON Lines trace); try --format";
      return r;
    }
  } else if (std::find(known_formats().begin(), known_formats().end(), format) == known_formats().end()) {
    r.error = "unknown format \"" + format + "\"";
    return r;
  }
  Capture c;
  bool ok = false;
  if (format == "pcap") ok = read_pcap(input, options.limits, c, r.error);
  else if (format == "pcapng") ok = read_pcapng(input, options.limits, c, r.error);
  else ok = read_transcript(input, format, options.limits, c, r.error);
  if (!ok) {
    r.error = format + ": " + r.error;
    return r;
  }
  name_protocols(c, options.port_map);
  r.capture = std::move(c);
  return r;
}

std::vector<std::string> normalised_lines(const Stream& s) {
  std::vector<std::string> out;
  std::string pending[2];
  int last = -1;
  auto flush = [&](int side, bool all) {
    std::string& buf = pending[side];
    std::size_t start = 0;
    for (;;) {
      const auto nl = buf.find('\n', start);
      if (nl == std::string::npos) break;
      std::string line = buf.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back((side == 0 ? "C: " : "S: ") + line);
      start = nl + 1;
    }
    buf.erase(0, start);
    if (all && !buf.empty()) {
      out.push_back((side == 0 ? "C: " : "S: ") + buf);
      buf.clear();
    }
  };
  for (const auto& c : s.chunks) {
    const int side = c.dir == Direction::ToServer ? 0 : 1;
    if (last != -1 && last != side) flush(last, false);
    pending[side] += c.bytes;
    flush(side, false);
    last = side;
  }
  flush(0, true);
  flush(1, true);
  return out;
}

}  // namespace mailsim::formats
