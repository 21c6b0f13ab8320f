// pcap/pcapng reading: frames -> IP packets -> TCP segments reassembled per direction, UDP datagrams.
#include "formats/readers/pcap.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

namespace mailsim::formats {
namespace {

constexpr std::uint32_t kMaxFrame = 262144;  // the largest frame libpcap accepts

// Little or big endian reads at an offset that the caller has checked.
struct Bytes {
  std::string_view data;
  bool little = true;
  std::uint32_t u8(std::size_t at) const { return static_cast<std::uint8_t>(data[at]); }
  std::uint32_t u16(std::size_t at) const {
    return little ? (u8(at) | (u8(at + 1) << 8)) : ((u8(at) << 8) | u8(at + 1));
  }
  std::uint32_t u32(std::size_t at) const {
    return little ? (u16(at) | (u16(at + 2) << 16)) : ((u16(at) << 16) | u16(at + 2));
  }
};

std::uint32_t be16(std::string_view d, std::size_t at) { return Bytes{d, false}.u16(at); }
std::uint32_t be32(std::string_view d, std::size_t at) { return Bytes{d, false}.u32(at); }

std::string ipv4_text(std::string_view a) {
  std::string s;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i) s += '.';
    s += std::to_string(static_cast<std::uint8_t>(a[i]));
  }
  return s;
}

std::string ipv6_text(std::string_view a) {
  std::uint32_t w[8];
  for (std::size_t i = 0; i < 8; ++i) w[i] = be16(a, 2 * i);
  // The longest run of zero words (length >= 2) becomes "::" (RFC 5952).
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j;
  }
  static const char* hex = "0123456789abcdef";
  auto word = [&](std::uint32_t v) {
    std::string t;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const auto nib = (v >> shift) & 0xF;
      if (nib || started || shift == 0) t += hex[nib], started = true;
    }
    return t;
  };
  std::string s;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      s += "::";
      i += best_len - 1;
      continue;
    }
    if (!s.empty() && s.back() != ':') s += ':';
    s += word(w[i]);
  }
  return s;
}

using Packet = Segment;

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

// Per direction of a TCP connection: where the next byte goes and what waits beyond a hole.
struct Half {
  bool started = false;
  std::uint32_t next = 0;  // sequence number of the next byte we expect
  std::map<std::uint64_t, std::pair<std::int64_t, std::string>> ahead;  // offset from `next_abs` base
  std::uint64_t delivered = 0;  // bytes delivered so far (the offset of `next`)
  std::size_t ahead_bytes = 0;
  bool fin = false;
};

struct Flow {
  std::size_t stream = 0;  // index into Capture::streams
  Half half[2];            // [0] client -> server, [1] server -> client
  bool client_known = false;
};

using FlowKey = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

class Assembler {
 public:
  Assembler(const ReadLimits& limits, Capture& out) : limits_(limits), out_(out) {}

  bool add(const Packet& p, std::string& error) {
    const bool forward = std::tie(p.src, p.sport) < std::tie(p.dst, p.dport);
    FlowKey key = forward ? FlowKey{p.src, p.sport, p.dst, p.dport} : FlowKey{p.dst, p.dport, p.src, p.sport};
    if (!p.tcp) return add_udp(p, key, error);
    auto it = flows_.find(key);
    const bool syn_only = (p.flags & kSyn) && !(p.flags & kAck);
    if (it != flows_.end() && syn_only) {
      // A new SYN on a finished (or already talking) 4-tuple starts a new connection.
      auto& s = out_.streams[it->second.stream];
      if (s.saw_close || !s.chunks.empty()) {
        finish(it->second);
        flows_.erase(it);
        it = flows_.end();
      }
    }
    if (it == flows_.end()) {
      if (!new_stream(error)) return false;
      Flow f;
      f.stream = out_.streams.size() - 1;
      auto& s = out_.streams.back();
      s.transport = "tcp";
      // Who is the client: the SYN's sender, the SYN-ACK's receiver, else the side without
      // a well-known port, else whoever spoke first to the other.
      bool src_is_client = true;
      if (p.flags & kSyn) {
        src_is_client = !(p.flags & kAck);
      } else if (!protocol_for_port(p.sport).empty() && protocol_for_port(p.dport).empty()) {
        src_is_client = false;
      } else if (protocol_for_port(p.sport).empty() == protocol_for_port(p.dport).empty() && p.sport < p.dport) {
        src_is_client = false;
      }
      s.client = src_is_client ? Endpoint{p.src, p.sport} : Endpoint{p.dst, p.dport};
      s.server = src_is_client ? Endpoint{p.dst, p.dport} : Endpoint{p.src, p.sport};
      s.saw_open = (p.flags & kSyn) != 0;
      if (!(p.flags & kSyn))
        s.notes.push_back({p.time, 0, "the capture starts in the middle of this connection (no SYN seen)"});
      it = flows_.emplace(key, std::move(f)).first;
    }
    Flow& f = it->second;
    auto& s = out_.streams[f.stream];
    const bool to_server = p.src == s.client.address && p.sport == s.client.port;
    Half& h = f.half[to_server ? 0 : 1];
    const Direction dir = to_server ? Direction::ToServer : Direction::ToClient;
    std::uint32_t seq = p.seq;
    if (p.flags & kSyn) {
      if (!h.started) {
        h.started = true;
        h.next = seq + 1;
      }
      seq += 1;  // a SYN takes one sequence number; data on a SYN follows it
    }
    if (p.flags & kRst) {
      s.saw_close = true;
      s.notes.push_back({p.time, s.chunks.size(),
                         std::string("reset by the ") + (to_server ? "client" : "server")});
    }
    if (!p.payload.empty()) {
      if (!h.started) {
        h.started = true;
        h.next = seq;
      }
      if (!accept(s, h, dir, seq, p.time, p.payload, error)) return false;
    }
    if (p.flags & kFin) {
      h.fin = true;
      if (f.half[0].fin && f.half[1].fin) s.saw_close = true;
    }
    return true;
  }

  void finish_all() {
    for (auto& [key, f] : flows_) finish(f);
    flows_.clear();
    udp_.clear();
  }

 private:
  bool new_stream(std::string& error) {
    if (out_.streams.size() >= limits_.max_streams) {
      error = "more than " + std::to_string(limits_.max_streams) + " connections in one capture";
      return false;
    }
    out_.streams.emplace_back();
    return true;
  }

  bool keep(std::size_t n, std::string& error) {
    payload_ += n;
    if (payload_ > limits_.max_payload) {
      error = "more than " + std::to_string(limits_.max_payload) + " bytes of payload in one capture";
      return false;
    }
    return true;
  }

  bool add_udp(const Packet& p, const FlowKey& key, std::string& error) {
    auto it = udp_.find(key);
    if (it == udp_.end()) {
      if (!new_stream(error)) return false;
      auto& s = out_.streams.back();
      s.transport = "udp";
      // The sender of the first datagram is the client unless only its port is well known.
      const bool src_is_server = !protocol_for_port(p.sport).empty() && protocol_for_port(p.dport).empty();
      s.client = src_is_server ? Endpoint{p.dst, p.dport} : Endpoint{p.src, p.sport};
      s.server = src_is_server ? Endpoint{p.src, p.sport} : Endpoint{p.dst, p.dport};
      it = udp_.emplace(key, out_.streams.size() - 1).first;
    }
    auto& s = out_.streams[it->second];
    if (!keep(p.payload.size(), error)) return false;
    const bool to_server = p.src == s.client.address && p.sport == s.client.port;
    s.chunks.push_back({p.time, to_server ? Direction::ToServer : Direction::ToClient, std::string(p.payload)});
    return true;
  }

  // Places a segment's bytes: old bytes (retransmissions, overlaps) are cut off, bytes
  // beyond a hole wait (bounded), and whatever becomes contiguous is delivered.
  bool accept(Stream& s, Half& h, Direction dir, std::uint32_t seq, std::int64_t time, std::string_view data,
              std::string& error) {
    const auto diff = static_cast<std::int32_t>(seq - h.next);
    if (diff <= 0) {
      const auto old = static_cast<std::size_t>(-static_cast<std::int64_t>(diff));
      if (old >= data.size()) return true;  // a retransmission of what we have
      data.remove_prefix(old);
      if (!keep(data.size(), error)) return false;
      s.chunks.push_back({time, dir, std::string(data)});
      h.next += static_cast<std::uint32_t>(data.size());
      h.delivered += data.size();
      return drain(s, h, dir, time, error);
    }
    const std::uint64_t at = h.delivered + static_cast<std::uint64_t>(diff);
    auto& slot = h.ahead[at];
    if (slot.second.size() < data.size()) {  // keep the longer copy of a repeated segment
      h.ahead_bytes += data.size() - slot.second.size();
      slot = {time, std::string(data)};
    }
    if (h.ahead_bytes > limits_.max_out_of_order) skip_hole(s, h, dir, time);
    return drain(s, h, dir, time, error);
  }

  bool drain(Stream& s, Half& h, Direction dir, std::int64_t time, std::string& error) {
    while (!h.ahead.empty() && h.ahead.begin()->first <= h.delivered) {
      auto node = h.ahead.extract(h.ahead.begin());
      h.ahead_bytes -= node.mapped().second.size();
      const std::uint64_t old = h.delivered - node.key();
      std::string_view data = node.mapped().second;
      if (old >= data.size()) continue;
      data.remove_prefix(static_cast<std::size_t>(old));
      if (!keep(data.size(), error)) return false;
      s.chunks.push_back({std::max(time, node.mapped().first), dir, std::string(data)});
      h.next += static_cast<std::uint32_t>(data.size());
      h.delivered += data.size();
    }
    return true;
  }

  // Gives up waiting for the bytes of a hole: says how many are missing and goes on after it.
  void skip_hole(Stream& s, Half& h, Direction dir, std::int64_t time) {
    if (h.ahead.empty()) return;
    const std::uint64_t missing = h.ahead.begin()->first - h.delivered;
    s.notes.push_back({time, s.chunks.size(),
                       std::to_string(missing) + " byte(s) " + (dir == Direction::ToServer ? "to the server" : "to the client") +
                           " missing from the capture"});
    h.next += static_cast<std::uint32_t>(missing);
    h.delivered += missing;
  }

  void finish(Flow& f) {
    auto& s = out_.streams[f.stream];
    for (int i = 0; i < 2; ++i) {
      Half& h = f.half[i];
      const Direction dir = i == 0 ? Direction::ToServer : Direction::ToClient;
      std::string ignored;
      while (!h.ahead.empty()) {
        const auto t = h.ahead.begin()->second.first;
        skip_hole(s, h, dir, t);
        if (!drain(s, h, dir, t, ignored)) break;
      }
    }
    // Chunks were appended as they became readable; keep them in time order across directions.
    std::stable_sort(s.chunks.begin(), s.chunks.end(), [](const Chunk& a, const Chunk& b) { return a.time < b.time; });
  }

  const ReadLimits& limits_;
  Capture& out_;
  std::map<FlowKey, Flow> flows_;
  std::map<FlowKey, std::size_t> udp_;
  std::size_t payload_ = 0;
};

// Link types (https://www.tcpdump.org/linktypes.html).
constexpr std::uint32_t kLinkNull = 0, kLinkEthernet = 1, kLinkRaw = 101, kLinkLoop = 108, kLinkSll = 113,
                        kLinkIpv4 = 228, kLinkIpv6 = 229, kLinkSll2 = 276, kLinkRawOld = 12, kLinkRawOld2 = 14;

bool link_supported(std::uint32_t link) {
  switch (link) {
    case kLinkNull: case kLinkEthernet: case kLinkRaw: case kLinkLoop: case kLinkSll: case kLinkIpv4:
    case kLinkIpv6: case kLinkSll2: case kLinkRawOld: case kLinkRawOld2: return true;
    default: return false;
  }
}

// Frame -> Packet. Returns false for frames that carry no TCP/UDP over IP (they are counted).
bool decode_frame(std::uint32_t link, std::string_view f, Packet& p, bool& fragment) {
  std::uint32_t ethertype = 0;
  std::string_view ip;
  switch (link) {
    case kLinkEthernet: {
      if (f.size() < 14) return false;
      std::size_t at = 12;
      ethertype = be16(f, at);
      at += 2;
      while ((ethertype == 0x8100 || ethertype == 0x88A8) && f.size() >= at + 4) {  // VLAN tags
        ethertype = be16(f, at + 2);
        at += 4;
      }
      ip = f.substr(at);
      break;
    }
    case kLinkSll:
      if (f.size() < 16) return false;
      ethertype = be16(f, 14);
      ip = f.substr(16);
      break;
    case kLinkSll2:
      if (f.size() < 20) return false;
      ethertype = be16(f, 0);
      ip = f.substr(20);
      break;
    case kLinkNull: case kLinkLoop: {
      if (f.size() < 4) return false;
      // The address family in the sender's byte order (BSD loopback).
      std::uint32_t fam = Bytes{f, true}.u32(0);
      if (fam > 0xFFFF) fam = Bytes{f, false}.u32(0);
      ethertype = fam == 2 ? 0x0800 : (fam == 24 || fam == 28 || fam == 30) ? 0x86DD : 0;
      ip = f.substr(4);
      break;
    }
    default:  // raw IP: the version nibble says which
      if (f.empty()) return false;
      ethertype = (static_cast<std::uint8_t>(f[0]) >> 4) == 6 ? 0x86DD : 0x0800;
      ip = f;
      break;
  }
  std::uint32_t proto = 0;
  std::string_view l4;
  if (ethertype == 0x0800) {
    if (ip.size() < 20 || (static_cast<std::uint8_t>(ip[0]) >> 4) != 4) return false;
    const std::size_t ihl = (static_cast<std::uint8_t>(ip[0]) & 0xF) * 4u;
    const std::size_t total = be16(ip, 2);
    if (ihl < 20 || total < ihl || ip.size() < ihl) return false;
    const auto frag = be16(ip, 6);
    if ((frag & 0x2000) || (frag & 0x1FFF)) {
      fragment = true;
      return false;
    }
    proto = static_cast<std::uint8_t>(ip[9]);
    p.src = ipv4_text(ip.substr(12, 4));
    p.dst = ipv4_text(ip.substr(16, 4));
    // The IP length wins over the frame's (Ethernet pads short frames); a cut frame keeps what is there.
    l4 = ip.substr(ihl, std::min(total, ip.size()) - ihl);
  } else if (ethertype == 0x86DD) {
    if (ip.size() < 40 || (static_cast<std::uint8_t>(ip[0]) >> 4) != 6) return false;
    const std::size_t plen = be16(ip, 4);
    proto = static_cast<std::uint8_t>(ip[6]);
    p.src = ipv6_text(ip.substr(8, 16));
    p.dst = ipv6_text(ip.substr(24, 16));
    l4 = ip.substr(40, std::min(plen, ip.size() - 40));
    for (int hops = 0; hops < 8 && (proto == 0 || proto == 43 || proto == 60 || proto == 44); ++hops) {
      if (proto == 44) {
        fragment = true;
        return false;
      }
      if (l4.size() < 8) return false;
      const std::size_t len = (static_cast<std::uint8_t>(l4[1]) + 1u) * 8u;
      if (l4.size() < len) return false;
      proto = static_cast<std::uint8_t>(l4[0]);
      l4.remove_prefix(len);
    }
  } else {
    return false;
  }
  if (proto == 6) {
    if (l4.size() < 20) return false;
    const std::size_t off = (static_cast<std::uint8_t>(l4[12]) >> 4) * 4u;
    if (off < 20 || off > l4.size()) return false;
    p.tcp = true;
    p.sport = static_cast<std::uint16_t>(be16(l4, 0));
    p.dport = static_cast<std::uint16_t>(be16(l4, 2));
    p.seq = be32(l4, 4);
    p.ack = be32(l4, 8);
    p.flags = static_cast<std::uint8_t>(l4[13]);
    p.payload = l4.substr(off);
    return true;
  }
  if (proto == 17) {
    if (l4.size() < 8) return false;
    const std::size_t len = be16(l4, 4);
    p.tcp = false;
    p.sport = static_cast<std::uint16_t>(be16(l4, 0));
    p.dport = static_cast<std::uint16_t>(be16(l4, 2));
    p.payload = l4.substr(8, len >= 8 ? std::min(len - 8, l4.size() - 8) : 0);
    return true;
  }
  return false;
}

// What frames the file held besides the ones read, said once at the end.
struct FrameCounts {
  std::size_t frames = 0, skipped = 0, fragments = 0, cut = 0;
  void report(Capture& out) const {
    if (skipped)
      out.notes.push_back(std::to_string(skipped) + " frame(s) carried no TCP or UDP over IP and were not read");
    if (fragments) out.notes.push_back(std::to_string(fragments) + " IP fragment(s) were not reassembled");
    if (cut)
      out.notes.push_back(std::to_string(cut) +
                          " frame(s) were cut short by the capture's snapshot length; their missing bytes are gaps");
  }
};

bool handle_frame(Assembler& a, FrameCounts& counts, std::uint32_t link, std::int64_t time, std::string_view frame,
                  bool cut, std::string& error) {
  ++counts.frames;
  if (cut) ++counts.cut;
  Packet p;
  p.time = time;
  bool fragment = false;
  if (!decode_frame(link, frame, p, fragment)) {
    ++(fragment ? counts.fragments : counts.skipped);
    return true;
  }
  return a.add(p, error);
}

std::string at_record(std::size_t n, std::size_t offset) {
  return "record " + std::to_string(n) + " at offset " + std::to_string(offset) + ": ";
}

}  // namespace

struct SegmentAssembler::Impl {
  Assembler a;
};
SegmentAssembler::SegmentAssembler(const ReadLimits& limits, Capture& out)
    : impl_(std::make_unique<Impl>(Impl{Assembler(limits, out)})) {}
SegmentAssembler::~SegmentAssembler() = default;
bool SegmentAssembler::add(const Segment& s, std::string& error) { return impl_->a.add(s, error); }
void SegmentAssembler::finish() { impl_->a.finish_all(); }

bool looks_like_pcap(std::string_view in) {
  if (in.size() < 4) return false;
  const auto le = Bytes{in, true}.u32(0);
  return le == 0xA1B2C3D4 || le == 0xA1B23C4D || le == 0xD4C3B2A1 || le == 0x4D3CB2A1;
}

bool looks_like_pcapng(std::string_view in) { return in.size() >= 4 && Bytes{in, true}.u32(0) == 0x0A0D0D0A; }

bool read_pcap(std::string_view in, const ReadLimits& limits, Capture& out, std::string& error) {
  out.format = "pcap";
  if (in.size() > limits.max_input) {
    error = "the file is larger than " + std::to_string(limits.max_input) + " bytes";
    return false;
  }
  if (in.size() < 24) {
    error = "truncated pcap file: the 24-byte file header is incomplete (" + std::to_string(in.size()) + " bytes)";
    return false;
  }
  const auto magic = Bytes{in, true}.u32(0);
  const bool little = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;
  const Bytes b{in, little};
  const bool nanos = b.u32(0) == 0xA1B23C4D;
  const std::uint32_t snaplen = b.u32(16);
  const std::uint32_t link = b.u32(20) & 0x0FFFFFFF;
  if (!link_supported(link)) {
    error = "link type " + std::to_string(link) + " is not one this reader knows (Ethernet, Linux cooked SLL/SLL2, raw IPv4/IPv6, BSD loopback)";
    return false;
  }
  Assembler a(limits, out);
  FrameCounts counts;
  std::size_t at = 24, n = 0;
  while (at < in.size()) {
    ++n;
    if (in.size() - at < 16) {
      error = at_record(n, at) + "truncated record header (" + std::to_string(in.size() - at) + " of 16 bytes)";
      return false;
    }
    const std::uint32_t sec = b.u32(at), frac = b.u32(at + 4), incl = b.u32(at + 8), orig = b.u32(at + 12);
    if (incl > kMaxFrame) {
      error = at_record(n, at) + "captured length " + std::to_string(incl) + " is more than the " +
              std::to_string(kMaxFrame) + " bytes a frame may have";
      return false;
    }
    if (snaplen != 0 && incl > snaplen) {
      error = at_record(n, at) + "captured length " + std::to_string(incl) + " is more than the file's snapshot length " +
              std::to_string(snaplen);
      return false;
    }
    if (in.size() - at - 16 < incl) {
      error = at_record(n, at) + "truncated: the record says " + std::to_string(incl) + " bytes, only " +
              std::to_string(in.size() - at - 16) + " remain";
      return false;
    }
    if (!nanos && frac >= 1000000) {
      error = at_record(n, at) + "microseconds field " + std::to_string(frac) + " is not below 1000000";
      return false;
    }
    const std::int64_t time = static_cast<std::int64_t>(sec) * 1000000 + (nanos ? frac / 1000 : frac);
    if (!handle_frame(a, counts, link, time, in.substr(at + 16, incl), orig > incl, error)) {
      error = at_record(n, at) + error;
      return false;
    }
    at += 16 + incl;
  }
  a.finish_all();
  counts.report(out);
  return true;
}

bool read_pcapng(std::string_view in, const ReadLimits& limits, Capture& out, std::string& error) {
  out.format = "pcapng";
  if (in.size() > limits.max_input) {
    error = "the file is larger than " + std::to_string(limits.max_input) + " bytes";
    return false;
  }
  struct Interface {
    std::uint32_t link = 0, snaplen = 0;
    std::uint64_t units_per_second = 1000000;
  };
  std::vector<Interface> ifaces;
  Assembler a(limits, out);
  FrameCounts counts;
  Bytes b{in, true};
  std::size_t at = 0, n = 0;
  while (at < in.size()) {
    ++n;
    if (in.size() - at < 12) {
      error = at_record(n, at) + "truncated block header (" + std::to_string(in.size() - at) + " bytes left)";
      return false;
    }
    const std::uint32_t type = Bytes{in, true}.u32(at);
    if (type == 0x0A0D0D0A) {  // section header: its byte-order magic decides the endianness
      const auto bom = Bytes{in, true}.u32(at + 8);
      if (bom == 0x1A2B3C4D) b.little = true;
      else if (bom == 0x4D3C2B1A) b.little = false;
      else {
        error = at_record(n, at) + "section header with an unknown byte-order magic";
        return false;
      }
      ifaces.clear();
    } else if (n == 1) {
      error = "not a pcapng file: it does not start with a section header block";
      return false;
    }
    const std::uint32_t btype = b.u32(at), len = b.u32(at + 4);
    if (len < 12 || len % 4 != 0) {
      error = at_record(n, at) + "block length " + std::to_string(len) + " is not a multiple of 4 of at least 12";
      return false;
    }
    if (len > in.size() - at) {
      error = at_record(n, at) + "truncated: the block says " + std::to_string(len) + " bytes, only " +
              std::to_string(in.size() - at) + " remain";
      return false;
    }
    if (b.u32(at + len - 4) != len) {
      error = at_record(n, at) + "the block's trailing length does not match its leading length " + std::to_string(len);
      return false;
    }
    const std::string_view body = in.substr(at + 8, len - 12);
    const Bytes bb{body, b.little};
    if (btype == 1) {  // interface description
      if (body.size() < 8) {
        error = at_record(n, at) + "interface block too short";
        return false;
      }
      Interface i;
      i.link = bb.u16(0);
      i.snaplen = bb.u32(4);
      // Options: if_tsresol (9) changes the time unit.
      std::size_t o = 8;
      while (o + 4 <= body.size()) {
        const auto code = bb.u16(o), olen = bb.u16(o + 2);
        if (code == 0) break;
        if (o + 4 + olen > body.size()) break;
        if (code == 9 && olen >= 1) {
          const auto r = static_cast<std::uint8_t>(body[o + 4]);
          const unsigned exp = r & 0x7F;
          std::uint64_t units = 1;
          const bool ok_exp = (r & 0x80) ? exp <= 63 : exp <= 19;
          if (!ok_exp) {
            error = at_record(n, at) + "interface time resolution " + std::to_string(r) + " is out of range";
            return false;
          }
          for (unsigned k = 0; k < exp; ++k) units *= (r & 0x80) ? 2 : 10;
          i.units_per_second = units;
        }
        o += 4 + ((olen + 3u) & ~3u);
      }
      if (!link_supported(i.link)) out.notes.push_back("interface " + std::to_string(ifaces.size()) + " has link type " +
                                                       std::to_string(i.link) + ", which is not read");
      if (ifaces.size() >= 4096) {
        error = at_record(n, at) + "more than 4096 interfaces";
        return false;
      }
      ifaces.push_back(i);
    } else if (btype == 6 || btype == 2 || btype == 3) {  // enhanced, obsolete and simple packet blocks
      std::uint32_t iface = 0, caplen = 0, origlen = 0;
      std::uint64_t ts = 0;
      std::size_t data_at = 0;
      if (btype == 3) {
        if (body.size() < 4) {
          error = at_record(n, at) + "simple packet block too short";
          return false;
        }
        origlen = bb.u32(0);
        data_at = 4;
        caplen = static_cast<std::uint32_t>(std::min<std::size_t>(origlen, body.size() - 4));
        if (!ifaces.empty() && ifaces[0].snaplen) caplen = std::min(caplen, ifaces[0].snaplen);
      } else {
        if (body.size() < 20) {
          error = at_record(n, at) + "packet block too short";
          return false;
        }
        iface = btype == 6 ? bb.u32(0) : bb.u16(0);
        ts = (static_cast<std::uint64_t>(bb.u32(4)) << 32) | bb.u32(8);
        caplen = bb.u32(12);
        origlen = bb.u32(16);
        data_at = 20;
      }
      if (iface >= ifaces.size()) {
        error = at_record(n, at) + "packet on interface " + std::to_string(iface) + ", but only " +
                std::to_string(ifaces.size()) + " interface(s) were described";
        return false;
      }
      const auto& i = ifaces[iface];
      if (caplen > kMaxFrame || caplen > body.size() - data_at) {
        error = at_record(n, at) + "captured length " + std::to_string(caplen) + " does not fit in its block of " +
                std::to_string(len) + " bytes";
        return false;
      }
      if (i.snaplen != 0 && caplen > i.snaplen) {
        error = at_record(n, at) + "captured length " + std::to_string(caplen) +
                " is more than the interface's snapshot length " + std::to_string(i.snaplen);
        return false;
      }
      if (!link_supported(i.link)) {
        ++counts.skipped;
      } else {
        const auto secs = ts / i.units_per_second, rest = ts % i.units_per_second;
        const std::int64_t time =
            static_cast<std::int64_t>(secs) * 1000000 +
            static_cast<std::int64_t>(static_cast<double>(rest) / static_cast<double>(i.units_per_second) * 1e6);
        if (!handle_frame(a, counts, i.link, time, body.substr(data_at, caplen), origlen > caplen, error)) {
          error = at_record(n, at) + error;
          return false;
        }
      }
    }
    // Other blocks (name resolution, statistics, custom, comments) are skipped.
    at += len;
  }
  a.finish_all();
  counts.report(out);
  return true;
}

}  // namespace mailsim::formats
