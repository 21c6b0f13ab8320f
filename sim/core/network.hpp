// The simulated topology: networks, hosts, latencies across the Internet, and policies.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/address.hpp"
#include "sim/core/event_core.hpp"

namespace mailsim::sim {

enum class Transport { Tcp, Udp };

// A rule on a network's border, e.g. OP25B: "TCP to port 25 leaving the dynamic pool is
// dropped unless it goes to the ISP's own mail server".
struct PolicyRule {
  enum class Direction { Egress, Ingress };
  enum class Action { Drop, Reject, Allow };

  std::string id;           // named in the trace and in expectations ("op25b")
  std::string description;  // readable explanation for reports
  Direction direction = Direction::Egress;
  Action action = Action::Drop;
  std::optional<Transport> protocol;      // empty: any
  std::vector<std::uint16_t> dst_ports;   // empty: any
  std::optional<Cidr> from;               // source range (egress) / source range (ingress); empty: any
  std::vector<Ipv4> except_to;            // destinations the rule never applies to
  std::vector<std::string> except_hosts;  // the same, as host ids (kept for reports)
};

struct NetworkInfo {
  std::string id;
  std::string kind;      // "access" (home/ISP), "datacenter", "lan"
  std::string name;      // display name
  std::string name_ja;   // display name in Japanese (empty: use name)
  Cidr cidr;
  std::optional<Cidr> dynamic_pool;  // addresses handed to customers (OP25B applies here)
  Time latency = 1 * kMilli;         // one way, from a host to the network's border
  std::int64_t bandwidth_bps = 100'000'000;
  std::vector<PolicyRule> policies;
};

struct HostInfo {
  std::string id;
  std::string kind;  // "pc", "phone", "mail_server", "dns_server", "server", "gateway", "observer"
  std::string name;  // display name
  std::string name_ja;
  std::string network;
  Ipv4 ip;
};

// Where a packet goes and how long it takes.
struct Path {
  std::vector<std::string> hops;  // host id, network ids..., host id (for animation)
  Time latency = 0;
  std::int64_t bandwidth_bps = 0;  // the narrowest link on the way
  std::string cut;                 // a network on the way whose link to the Internet is down (empty: none)
};

// A policy that fired on a packet.
struct PolicyHit {
  const PolicyRule* rule = nullptr;
  const NetworkInfo* network = nullptr;
};

class Network {
 public:
  void add_network(NetworkInfo n);
  void add_host(HostInfo h);
  void set_internet_latency(Time t) {
    internet_latency_ = t;
    ++version_;
  }
  void set_path_latency(const std::string& a, const std::string& b, Time t);
  // A network's link to the Internet going down or up (a timeline's link_down / link_up):
  // while it is down, paths between its hosts and other networks are cut (Path::cut); its
  // own hosts still reach each other.
  void set_link_up(const std::string& network, bool up);
  bool link_up(const std::string& network) const;

  // Changes whenever something a route or a policy check depends on changes (a network, a
  // host, a latency, a link going down or up): a path or policy hit computed at one version
  // holds as long as the version is the same.
  std::uint64_t version() const { return version_; }

  const NetworkInfo* network(const std::string& id) const;
  const HostInfo* host(const std::string& id) const;
  const HostInfo* host_by_ip(Ipv4 ip) const;
  const std::vector<NetworkInfo>& networks() const { return networks_; }
  const std::vector<HostInfo>& hosts() const { return hosts_; }

  // The route from a host to an address; nullopt when no host has that address.
  std::optional<Path> path(const std::string& from_host, Ipv4 to) const;

  // The first policy rule that applies to a packet (egress of the source network, then
  // ingress of the destination network); an Allow rule stops the search with no hit.
  std::optional<PolicyHit> check_policy(const std::string& from_host, Ipv4 dst, Transport proto,
                                        std::uint16_t dst_port) const;

 private:
  Time internet_between(const std::string& a, const std::string& b) const;

  std::vector<NetworkInfo> networks_;
  std::vector<HostInfo> hosts_;
  std::map<std::string, std::size_t> network_index_;
  std::map<std::string, std::size_t> host_index_;
  std::map<std::uint32_t, std::size_t> ip_index_;
  std::map<std::pair<std::string, std::string>, Time> path_latency_;
  std::vector<std::string> links_down_;  // sorted network ids
  Time internet_latency_ = 20 * kMilli;
  std::uint64_t version_ = 0;
};

}  // namespace mailsim::sim
