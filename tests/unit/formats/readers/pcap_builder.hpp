// Builds small pcap files in tests: Ethernet/SLL/raw frames of IPv4 or IPv6 TCP and UDP packets.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace mailsim::formats::testing {

inline void le32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline void be16(std::string& s, std::uint32_t v) {
  s += static_cast<char>((v >> 8) & 0xFF);
  s += static_cast<char>(v & 0xFF);
}
inline void be32(std::string& s, std::uint32_t v) {
  be16(s, v >> 16);
  be16(s, v & 0xFFFF);
}

constexpr std::uint8_t FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

struct PcapBuilder {
  std::uint32_t link = 1;  // Ethernet
  std::string file;
  bool v6 = false;

  explicit PcapBuilder(std::uint32_t link_type = 1, std::uint32_t snaplen = 65535) : link(link_type) {
    le32(file, 0xA1B2C3D4);
    file += std::string("\x02\x00\x04\x00", 4);
    le32(file, 0);
    le32(file, 0);
    le32(file, snaplen);
    le32(file, link);
  }

  static std::string ip4(std::uint8_t last) { return std::string("\x7f\x00\x00", 3) + static_cast<char>(last); }

  std::string l3(const std::string& src, const std::string& dst, std::uint8_t proto, const std::string& l4) const {
    std::string ip;
    if (!v6) {
      ip += '\x45';
      ip += '\x00';
      be16(ip, static_cast<std::uint32_t>(20 + l4.size()));
      ip += std::string("\x00\x01\x40\x00\x40", 5);
      ip += static_cast<char>(proto);
      ip += std::string("\x00\x00", 2);
      ip += src + dst;
    } else {
      ip += std::string("\x60\x00\x00\x00", 4);
      be16(ip, static_cast<std::uint32_t>(l4.size()));
      ip += static_cast<char>(proto);
      ip += '\x40';
      ip += std::string(15, '\0') + src.back();
      ip += std::string(15, '\0') + dst.back();
    }
    return ip + l4;
  }

  std::string frame(const std::string& ip) const {
    const std::uint32_t type = v6 ? 0x86DD : 0x0800;
    std::string f;
    if (link == 1) {
      f += std::string(12, '\0');
      be16(f, type);
    } else if (link == 113) {
      f += std::string(14, '\0');
      be16(f, type);
    } else if (link == 276) {
      be16(f, type);
      f += std::string(18, '\0');
    }
    return f + ip;
  }

  void record(std::uint32_t usec_total, const std::string& frame_bytes) {
    le32(file, usec_total / 1000000);
    le32(file, usec_total % 1000000);
    le32(file, static_cast<std::uint32_t>(frame_bytes.size()));
    le32(file, static_cast<std::uint32_t>(frame_bytes.size()));
    file += frame_bytes;
  }

  void tcp(std::uint32_t t, std::uint8_t src, std::uint16_t sport, std::uint8_t dst, std::uint16_t dport,
           std::uint32_t seq, std::uint8_t flags, std::string_view payload = {}) {
    std::string l4;
    be16(l4, sport);
    be16(l4, dport);
    be32(l4, seq);
    be32(l4, 0);
    l4 += '\x50';
    l4 += static_cast<char>(flags);
    be16(l4, 65535);
    be32(l4, 0);
    l4 += payload;
    record(t, frame(l3(ip4(src), ip4(dst), 6, l4)));
  }

  void udp(std::uint32_t t, std::uint8_t src, std::uint16_t sport, std::uint8_t dst, std::uint16_t dport,
           std::string_view payload) {
    std::string l4;
    be16(l4, sport);
    be16(l4, dport);
    be16(l4, static_cast<std::uint32_t>(8 + payload.size()));
    be16(l4, 0);
    l4 += payload;
    record(t, frame(l3(ip4(src), ip4(dst), 17, l4)));
  }
};

}  // namespace mailsim::formats::testing
