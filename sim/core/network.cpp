// The simulated topology: routes, latencies and border policies.
#include "sim/core/network.hpp"

#include <algorithm>
#include <stdexcept>

namespace mailsim::sim {

void Network::add_network(NetworkInfo n) {
  if (network_index_.count(n.id)) throw std::logic_error("duplicate network " + n.id);
  network_index_[n.id] = networks_.size();
  networks_.push_back(std::move(n));
  ++version_;
}

void Network::add_host(HostInfo h) {
  if (host_index_.count(h.id)) throw std::logic_error("duplicate host " + h.id);
  if (ip_index_.count(h.ip.value)) throw std::logic_error("duplicate address " + h.ip.str());
  host_index_[h.id] = hosts_.size();
  ip_index_[h.ip.value] = hosts_.size();
  hosts_.push_back(std::move(h));
  ++version_;
}

void Network::set_path_latency(const std::string& a, const std::string& b, Time t) {
  path_latency_[std::minmax(a, b)] = t;
  ++version_;
}

const NetworkInfo* Network::network(const std::string& id) const {
  auto it = network_index_.find(id);
  return it == network_index_.end() ? nullptr : &networks_[it->second];
}

const HostInfo* Network::host(const std::string& id) const {
  auto it = host_index_.find(id);
  return it == host_index_.end() ? nullptr : &hosts_[it->second];
}

const HostInfo* Network::host_by_ip(Ipv4 ip) const {
  auto it = ip_index_.find(ip.value);
  return it == ip_index_.end() ? nullptr : &hosts_[it->second];
}

void Network::set_link_up(const std::string& network, bool up) {
  auto it = std::lower_bound(links_down_.begin(), links_down_.end(), network);
  const bool listed = it != links_down_.end() && *it == network;
  if (up && listed) links_down_.erase(it);
  if (!up && !listed) links_down_.insert(it, network);
  if (up == listed) ++version_;  // it changed
}

bool Network::link_up(const std::string& network) const {
  return !std::binary_search(links_down_.begin(), links_down_.end(), network);
}

Time Network::internet_between(const std::string& a, const std::string& b) const {
  auto it = path_latency_.find(std::minmax(a, b));
  return it == path_latency_.end() ? internet_latency_ : it->second;
}

std::optional<Path> Network::path(const std::string& from_host, Ipv4 to) const {
  const HostInfo* src = host(from_host);
  const HostInfo* dst = host_by_ip(to);
  if (!src || !dst) return std::nullopt;
  const NetworkInfo* sn = network(src->network);
  const NetworkInfo* dn = network(dst->network);
  if (!sn || !dn) return std::nullopt;
  Path p;
  p.hops.push_back(src->id);
  if (src == dst) {
    p.latency = 10;  // loopback: 10 microseconds
    p.bandwidth_bps = 10'000'000'000;
    p.hops.push_back(dst->id);
    return p;
  }
  p.hops.push_back(sn->id);
  if (sn == dn) {
    p.latency = 2 * sn->latency;
    p.bandwidth_bps = sn->bandwidth_bps;
  } else {
    p.hops.push_back("internet");
    p.hops.push_back(dn->id);
    p.latency = sn->latency + internet_between(sn->id, dn->id) + dn->latency;
    p.bandwidth_bps = std::min(sn->bandwidth_bps, dn->bandwidth_bps);
    if (!link_up(sn->id)) p.cut = sn->id;
    else if (!link_up(dn->id)) p.cut = dn->id;
  }
  p.hops.push_back(dst->id);
  return p;
}

namespace {

bool rule_matches(const PolicyRule& r, Ipv4 src, Ipv4 dst, Transport proto, std::uint16_t port) {
  if (r.protocol && *r.protocol != proto) return false;
  if (!r.dst_ports.empty() && std::find(r.dst_ports.begin(), r.dst_ports.end(), port) == r.dst_ports.end())
    return false;
  if (r.from && !r.from->contains(src)) return false;
  if (std::find(r.except_to.begin(), r.except_to.end(), dst) != r.except_to.end()) return false;
  return true;
}

}  // namespace

std::optional<PolicyHit> Network::check_policy(const std::string& from_host, Ipv4 dst, Transport proto,
                                               std::uint16_t dst_port) const {
  const HostInfo* src = host(from_host);
  if (!src) return std::nullopt;
  const NetworkInfo* sn = network(src->network);
  const HostInfo* dh = host_by_ip(dst);
  const NetworkInfo* dn = dh ? network(dh->network) : nullptr;
  // Egress: the packet leaves the source network.
  if (sn && !sn->cidr.contains(dst) && (!dn || dn != sn)) {
    for (const auto& r : sn->policies) {
      if (r.direction != PolicyRule::Direction::Egress) continue;
      if (!rule_matches(r, src->ip, dst, proto, dst_port)) continue;
      if (r.action == PolicyRule::Action::Allow) return std::nullopt;
      return PolicyHit{&r, sn};
    }
  }
  // Ingress: the packet enters the destination network from outside.
  if (dn && dn != sn) {
    for (const auto& r : dn->policies) {
      if (r.direction != PolicyRule::Direction::Ingress) continue;
      if (!rule_matches(r, src->ip, dst, proto, dst_port)) continue;
      if (r.action == PolicyRule::Action::Allow) return std::nullopt;
      return PolicyHit{&r, dn};
    }
  }
  return std::nullopt;
}

}  // namespace mailsim::sim
