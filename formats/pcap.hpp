// Classic pcap and pcapng files of IPv4 packets (LINKTYPE_RAW), built in memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/trace_view.hpp"

namespace mailsim::formats {

constexpr std::uint16_t kLinkTypeRaw = 101;  // raw IPv4/IPv6, no link-layer header
constexpr std::uint32_t kSnapLen = 65535;

// The IPv4 datagram of a packet: a 20-octet IPv4 header (DF set for TCP, TTL 64, the given
// identification) and a 20-octet TCP header (window 65535, no options) or an 8-octet UDP
// header, with lengths and checksums (RFC 791, 9293, 768) filled in. Payloads longer than
// fit in one datagram are cut (the simulator never makes them).
std::string ipv4_datagram(const WirePacket& p, std::uint16_t identification);

// The Internet checksum (RFC 1071) of `bytes`, starting from a partial sum.
std::uint16_t internet_checksum(std::string_view bytes, std::uint32_t sum = 0);

struct CaptureInterface {
  std::string name;         // "home-isp", "eavesdropper"
  std::string description;  // readable: "Shiroyagi's ISP (192.0.2.0/24)"
};

struct CapturedPacket {
  std::int64_t time_us = 0;       // microseconds since 1970-01-01 (epoch + virtual time)
  std::uint32_t interface = 0;    // index into the capture's interfaces
  std::string datagram;           // IPv4 datagram
  std::string comment;            // pcapng opt_comment (UTF-8), empty: none
};

// Classic pcap (microsecond timestamps, little-endian, LINKTYPE_RAW): interfaces and comments
// have no place in it and are left out.
std::string write_pcap(const std::vector<CapturedPacket>& packets);

// pcapng: one Section Header Block (with shb_userappl), one Interface Description Block per
// interface (if_name, if_description, LINKTYPE_RAW, microsecond resolution), one Enhanced
// Packet Block per packet with its comment as opt_comment.
std::string write_pcapng(const std::vector<CaptureInterface>& interfaces, const std::vector<CapturedPacket>& packets,
                         std::string_view application);

}  // namespace mailsim::formats
