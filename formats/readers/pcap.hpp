// pcap and pcapng files: link layers, IPv4/IPv6, UDP and TCP reassembly into Streams.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "formats/readers/capture.hpp"

namespace mailsim::formats {

// One TCP segment or UDP datagram, as a pcap frame or a mailsim packet record carries it.
struct Segment {
  std::int64_t time = 0;
  bool tcp = true;
  std::string src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;  // TCP flags as on the wire (FIN 1, SYN 2, RST 4, PSH 8, ACK 16)
  std::string_view payload;
};

// Puts segments back together into Streams: TCP per direction in sequence order (old bytes
// of retransmissions and overlaps cut off, bytes beyond a hole held up to
// ReadLimits::max_out_of_order, then the hole is noted as missing), UDP one chunk per datagram.
class SegmentAssembler {
 public:
  SegmentAssembler(const ReadLimits& limits, Capture& out);
  ~SegmentAssembler();
  SegmentAssembler(const SegmentAssembler&) = delete;
  SegmentAssembler& operator=(const SegmentAssembler&) = delete;
  bool add(const Segment& s, std::string& error);
  void finish();  // flushes what waits beyond holes; call once at the end

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

bool looks_like_pcap(std::string_view input);
bool looks_like_pcapng(std::string_view input);

// Both return false with a message ("record 12 at offset 4096: captured length 4294967295
// is more than the 262144 bytes a packet may have") when the file is not readable.
bool read_pcap(std::string_view input, const ReadLimits& limits, Capture& out, std::string& error);
bool read_pcapng(std::string_view input, const ReadLimits& limits, Capture& out, std::string& error);

}  // namespace mailsim::formats
