// Automatic, stable map layout: network columns left to right, hosts inside, the Internet between.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "gui/model/geometry.hpp"
#include "sim/scenario.hpp"

namespace mailsim::gui {

// The id paths use for the Internet between networks.
inline constexpr const char* kInternetId = "internet";

struct NetworkPlace {
  std::string id;       // scenario network id, or kInternetId
  std::string kind;     // "access", "datacenter", "lan", "internet"
  std::string name;     // display names (the Internet's come from the string table)
  std::string name_ja;
  Rect box;             // the region, world units
  Vec2 router;          // where the network meets the Internet (its border)
  int column = 0;       // 0 left, 1 the Internet, 2 right
  bool has_policy = false;
  std::vector<std::string> policy_ids;
};

struct HostPlace {
  std::string id;
  std::string kind;
  std::string name;
  std::string name_ja;
  std::string network;
  std::string ip;
  Vec2 pos;             // centre of the icon, world units
};

// The layout depends only on the scenario's networks and hosts, in file order: the same
// scenario always gives the same picture. Left: access/LAN networks (where senders sit),
// middle: the Internet, right: data centres. A side left empty takes half of the others.
class Layout {
 public:
  static constexpr float kHostSpacing = 170.0f;   // vertical distance between hosts
  static constexpr float kNetworkWidth = 320.0f;
  static constexpr float kInternetWidth = 180.0f;
  static constexpr float kColumnGap = 80.0f;
  static constexpr float kNetworkGap = 50.0f;
  static constexpr float kHeader = 64.0f;         // room for the network name
  static constexpr float kIconSize = 64.0f;

  Layout() = default;
  explicit Layout(const sim::Scenario& scenario);

  const std::vector<NetworkPlace>& networks() const { return networks_; }
  const std::vector<HostPlace>& hosts() const { return hosts_; }
  const NetworkPlace* network(const std::string& id) const;
  const HostPlace* host(const std::string& id) const;
  // Position of a path hop: a host's icon, a network's router, the Internet's centre.
  Vec2 hop_position(const std::string& hop) const;
  bool knows_hop(const std::string& hop) const;
  Rect bounds() const { return bounds_; }

 private:
  std::vector<NetworkPlace> networks_;
  std::vector<HostPlace> hosts_;
  std::map<std::string, std::size_t> network_index_;
  std::map<std::string, std::size_t> host_index_;
  Rect bounds_;
};

}  // namespace mailsim::gui
