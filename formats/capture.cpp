// Selects and places the packets of a capture (filters, interfaces, capture point, comments).
#include "formats/capture.hpp"

#include <algorithm>

namespace mailsim::formats {
namespace {

bool proto_selected(const WirePacket& p, const std::set<std::string>& protos) {
  if (protos.empty()) return true;
  if (protos.count(p.app)) return true;
  if (protos.count(p.tcp ? "tcp" : "udp")) return true;
  return p.tls && protos.count("tls");
}

std::string join(const std::vector<std::string>& texts) {
  std::string out;
  for (const auto& t : texts) out += (out.empty() ? "" : "\n") + t;
  return out;
}

}  // namespace

bool known_capture_proto(const std::string& name) {
  static const std::set<std::string> known{"smtp", "pop3", "imap", "dns", "tcp", "udp", "tls"};
  return known.count(name) > 0;
}

CaptureFrames build_capture(const std::vector<WirePacket>& packets, const std::vector<CaptureHost>& hosts,
                      const std::vector<CaptureNetwork>& networks, const CaptureOptions& options,
                      const std::map<std::uint64_t, std::vector<std::string>>& comments) {
  CaptureFrames cap;
  std::map<std::string, std::uint32_t> iface_of_network;
  const CaptureHost* at = nullptr;
  for (const auto& h : hosts)
    if (h.id == options.at) at = &h;
  if (at) {
    cap.interfaces.push_back({at->id, at->description});
  } else {
    for (const auto& n : networks) {
      iface_of_network[n.id] = static_cast<std::uint32_t>(cap.interfaces.size());
      cap.interfaces.push_back({n.id, n.description});
    }
  }
  std::map<std::string, const CaptureHost*> host_by_id;
  for (const auto& h : hosts) host_by_id[h.id] = &h;

  struct Pick {
    sim::Time time;
    std::uint64_t record;
    std::uint32_t iface;
    const WirePacket* p;
  };
  std::vector<Pick> picks;
  for (const auto& p : packets) {
    if (!proto_selected(p, options.protos)) continue;
    if (options.conn && (!p.tcp || p.conn != *options.conn)) continue;
    if (options.from && p.sent < *options.from) continue;
    if (options.to && p.sent > *options.to) continue;
    if (at) {
      if (p.from_host == at->id) {
        picks.push_back({p.sent, p.record, 0, &p});
      } else if (p.to_host == at->id) {
        if (p.arrived) picks.push_back({*p.arrived, p.record, 0, &p});
      } else if (at->kind == "observer" && std::find(p.path.begin(), p.path.end(), at->network) != p.path.end()) {
        // On the sender's network it passes as it leaves; elsewhere as it arrives.
        const bool first = p.path.size() > 1 && p.path[1] == at->network;
        if (first) picks.push_back({p.sent, p.record, 0, &p});
        else if (p.arrived) picks.push_back({*p.arrived, p.record, 0, &p});
      }
      continue;
    }
    std::string net;
    if (p.path.size() > 1) net = p.path[1];
    if (auto h = host_by_id.find(p.from_host); net.empty() && h != host_by_id.end()) net = h->second->network;
    auto it = iface_of_network.find(net);
    if (it == iface_of_network.end()) continue;  // a sender outside every network: not captured
    picks.push_back({p.sent, p.record, it->second, &p});
  }
  std::stable_sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) { return a.time < b.time; });
  std::uint16_t ident = 0;
  for (const auto& k : picks) {
    CapturedPacket c;
    c.time_us = options.epoch * 1'000'000 + k.time;
    c.interface = k.iface;
    c.datagram = ipv4_datagram(*k.p, ++ident);
    if (auto it = comments.find(k.record); it != comments.end()) c.comment = join(it->second);
    cap.packets.push_back(std::move(c));
    cap.records.push_back(k.record);
  }
  return cap;
}

}  // namespace mailsim::formats
