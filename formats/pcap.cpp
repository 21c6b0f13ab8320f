// pcap / pcapng writers and IPv4 + TCP/UDP packet building with real checksums.
#include "formats/pcap.hpp"

#include <algorithm>

namespace mailsim::formats {
namespace {

// Network byte order for the packet headers.
void be16(std::string& out, std::uint32_t v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
void be32(std::string& out, std::uint32_t v) {
  be16(out, v >> 16);
  be16(out, v & 0xFFFF);
}
// Little-endian for the file headers (the reader learns the order from the magic numbers).
void le16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void le32(std::string& out, std::uint32_t v) {
  le16(out, v & 0xFFFF);
  le16(out, v >> 16);
}
void set_be16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xFF);
}
void pad4(std::string& out) {
  while (out.size() % 4 != 0) out += '\0';
}

constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kTcpHeader = 20;
constexpr std::size_t kUdpHeader = 8;

// The pseudo-header's contribution (RFC 9293 3.1, RFC 768).
std::uint32_t pseudo_sum(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, std::size_t length) {
  std::uint32_t sum = 0;
  sum += src >> 16;
  sum += src & 0xFFFF;
  sum += dst >> 16;
  sum += dst & 0xFFFF;
  sum += proto;
  sum += static_cast<std::uint32_t>(length);
  return sum;
}

}  // namespace

std::uint16_t internet_checksum(std::string_view bytes, std::uint32_t sum) {
  std::uint64_t s = sum;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
    s += static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i]) << 8 | static_cast<std::uint8_t>(bytes[i + 1]));
  if (bytes.size() % 2) s += static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes.back()) << 8);
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(~s & 0xFFFF);
}

std::string ipv4_datagram(const WirePacket& p, std::uint16_t identification) {
  const std::size_t l4_header = p.tcp ? kTcpHeader : kUdpHeader;
  const std::string_view payload =
      std::string_view(p.payload).substr(0, std::min(p.payload.size(), 65535 - kIpHeader - l4_header));
  const std::size_t l4_len = l4_header + payload.size();
  const std::uint8_t proto = p.tcp ? 6 : 17;

  std::string l4;
  l4.reserve(l4_len);
  be16(l4, p.src_port);
  be16(l4, p.dst_port);
  if (p.tcp) {
    be32(l4, p.seq);
    be32(l4, p.flags & kTcpAck ? p.ack : 0);
    l4 += static_cast<char>((kTcpHeader / 4) << 4);  // data offset, no options
    l4 += static_cast<char>(p.flags);
    be16(l4, 65535);  // window
    be16(l4, 0);      // checksum, below
    be16(l4, 0);      // urgent pointer
  } else {
    be16(l4, static_cast<std::uint32_t>(l4_len));
    be16(l4, 0);
  }
  l4.append(payload);
  std::uint16_t sum = internet_checksum(l4, pseudo_sum(p.src_ip, p.dst_ip, proto, l4_len));
  if (!p.tcp && sum == 0) sum = 0xFFFF;  // UDP: 0 would mean "no checksum"
  set_be16(l4, p.tcp ? 16 : 6, sum);

  std::string ip;
  ip.reserve(kIpHeader + l4_len);
  ip += static_cast<char>(0x45);  // version 4, header length 5 words
  ip += '\0';                     // DSCP/ECN
  be16(ip, static_cast<std::uint32_t>(kIpHeader + l4_len));
  be16(ip, identification);
  be16(ip, p.tcp ? 0x4000 : 0);  // DF for TCP
  ip += static_cast<char>(64);   // TTL
  ip += static_cast<char>(proto);
  be16(ip, 0);
  be32(ip, p.src_ip);
  be32(ip, p.dst_ip);
  set_be16(ip, 10, internet_checksum(ip));
  ip += l4;
  return ip;
}

std::string write_pcap(const std::vector<CapturedPacket>& packets) {
  std::string out;
  le32(out, 0xA1B2C3D4);  // microsecond timestamps
  le16(out, 2);
  le16(out, 4);
  le32(out, 0);  // thiszone
  le32(out, 0);  // sigfigs
  le32(out, kSnapLen);
  le32(out, kLinkTypeRaw);
  for (const auto& p : packets) {
    const auto len = static_cast<std::uint32_t>(p.datagram.size());
    le32(out, static_cast<std::uint32_t>(p.time_us / 1'000'000));
    le32(out, static_cast<std::uint32_t>(p.time_us % 1'000'000));
    le32(out, len);
    le32(out, len);
    out += p.datagram;
  }
  return out;
}

namespace {

void option(std::string& out, std::uint16_t code, std::string_view value) {
  le16(out, code);
  le16(out, static_cast<std::uint32_t>(value.size()));
  out.append(value);
  pad4(out);
}

// A block: type, total length, body, total length again (pcapng section 3.1).
void block(std::string& out, std::uint32_t type, std::string body) {
  pad4(body);
  const auto total = static_cast<std::uint32_t>(body.size() + 12);
  le32(out, type);
  le32(out, total);
  out += body;
  le32(out, total);
}

// Option values are at most 65535 octets; a comment is cut at a UTF-8 boundary below that.
std::string_view fit_option(std::string_view s) {
  constexpr std::size_t kMax = 65000;
  if (s.size() <= kMax) return s;
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string write_pcapng(const std::vector<CaptureInterface>& interfaces, const std::vector<CapturedPacket>& packets,
                         std::string_view application) {
  std::string out;
  {
    std::string b;
    le32(b, 0x1A2B3C4D);  // byte-order magic
    le16(b, 1);
    le16(b, 0);
    le32(b, 0xFFFFFFFF);  // section length unknown
    le32(b, 0xFFFFFFFF);
    option(b, 4, fit_option(application));  // shb_userappl
    option(b, 0, {});                       // opt_endofopt
    block(out, 0x0A0D0D0A, std::move(b));
  }
  for (const auto& i : interfaces) {
    std::string b;
    le16(b, kLinkTypeRaw);
    le16(b, 0);
    le32(b, kSnapLen);
    option(b, 2, fit_option(i.name));  // if_name
    if (!i.description.empty()) option(b, 3, fit_option(i.description));  // if_description
    option(b, 9, std::string_view("\x06", 1));  // if_tsresol: 10^-6
    option(b, 0, {});
    block(out, 1, std::move(b));
  }
  for (const auto& p : packets) {
    std::string b;
    const auto ts = static_cast<std::uint64_t>(p.time_us);
    const auto len = static_cast<std::uint32_t>(p.datagram.size());
    le32(b, p.interface);
    le32(b, static_cast<std::uint32_t>(ts >> 32));
    le32(b, static_cast<std::uint32_t>(ts & 0xFFFFFFFF));
    le32(b, len);
    le32(b, len);
    b += p.datagram;
    pad4(b);
    if (!p.comment.empty()) {
      option(b, 1, fit_option(p.comment));  // opt_comment
      option(b, 0, {});
    }
    block(out, 6, std::move(b));
  }
  return out;
}

}  // namespace mailsim::formats
