// Column layout of networks and hosts for the network map.
#include "gui/model/layout.hpp"

#include <algorithm>

namespace mailsim::gui {

namespace {
bool is_right_kind(const std::string& kind) { return kind == "datacenter"; }
}  // namespace

Layout::Layout(const sim::Scenario& scenario) {
  // Which column each network goes to.
  std::vector<int> column(scenario.networks.size(), 0);
  std::size_t left = 0;
  std::size_t right = 0;
  for (std::size_t i = 0; i < scenario.networks.size(); ++i) {
    column[i] = is_right_kind(scenario.networks[i].kind) ? 2 : 0;
    (column[i] == 0 ? left : right)++;
  }
  if (scenario.networks.size() >= 2 && (left == 0 || right == 0)) {
    const std::size_t half = (scenario.networks.size() + 1) / 2;
    for (std::size_t i = 0; i < scenario.networks.size(); ++i) column[i] = i < half ? 0 : 2;
  }

  // Hosts per network, in file order; hosts of unknown networks sit in the Internet.
  std::map<std::string, std::vector<const sim::HostSpec*>> members;
  std::vector<const sim::HostSpec*> loose;
  for (const auto& h : scenario.hosts) {
    const bool known = std::any_of(scenario.networks.begin(), scenario.networks.end(),
                                   [&](const sim::NetworkInfo& n) { return n.id == h.info.network; });
    (known ? members[h.info.network] : loose).push_back(&h);
  }
  auto box_height = [&](std::size_t n) {
    return kHeader + static_cast<float>(std::max<std::size_t>(n, 1)) * kHostSpacing;
  };

  // Column heights, to centre the columns vertically.
  float height[3] = {0.0f, box_height(loose.size()), 0.0f};
  for (std::size_t i = 0; i < scenario.networks.size(); ++i) {
    auto& h = height[column[i]];
    if (h > 0.0f) h += kNetworkGap;
    h += box_height(members[scenario.networks[i].id].size());
  }
  const float total = std::max({height[0], height[1], height[2], kHeader + kHostSpacing});
  const float x_of[3] = {0.0f, kNetworkWidth + kColumnGap,
                         kNetworkWidth + kColumnGap + kInternetWidth + kColumnGap};
  float cursor[3] = {(total - height[0]) * 0.5f, 0.0f, (total - height[2]) * 0.5f};

  auto place_hosts = [&](const std::vector<const sim::HostSpec*>& list, const Rect& box, float x) {
    float y = box.min.y + kHeader + kHostSpacing * 0.5f - 10.0f;
    for (const auto* h : list) {
      HostPlace hp;
      hp.id = h->info.id;
      hp.kind = h->info.kind;
      hp.name = h->info.name.empty() ? h->info.id : h->info.name;
      hp.name_ja = h->info.name_ja;
      hp.network = h->info.network;
      hp.ip = h->info.ip.str();
      hp.pos = {x, y};
      host_index_[hp.id] = hosts_.size();
      hosts_.push_back(std::move(hp));
      y += kHostSpacing;
    }
  };

  for (std::size_t i = 0; i < scenario.networks.size(); ++i) {
    const auto& n = scenario.networks[i];
    const int c = column[i];
    const auto& list = members[n.id];
    NetworkPlace np;
    np.id = n.id;
    np.kind = n.kind;
    np.name = n.name.empty() ? n.id : n.name;
    np.name_ja = n.name_ja;
    np.column = c;
    for (const auto& rule : n.policies) np.policy_ids.push_back(rule.id);
    np.has_policy = !np.policy_ids.empty();
    const float h = box_height(list.size());
    np.box = {{x_of[c], cursor[c]}, {x_of[c] + kNetworkWidth, cursor[c] + h}};
    cursor[c] += h + kNetworkGap;
    const float mid_y = np.box.min.y + kHeader + (h - kHeader) * 0.5f - 10.0f;
    np.router = c == 0 ? Vec2{np.box.max.x, mid_y} : Vec2{np.box.min.x, mid_y};
    const float host_x = np.box.center().x;
    place_hosts(list, np.box, host_x);
    network_index_[np.id] = networks_.size();
    networks_.push_back(std::move(np));
  }

  NetworkPlace inet;
  inet.id = kInternetId;
  inet.kind = "internet";
  inet.name = "Internet";
  inet.column = 1;
  inet.box = {{x_of[1], 0.0f}, {x_of[1] + kInternetWidth, total}};
  inet.router = inet.box.center();
  if (!loose.empty()) place_hosts(loose, {{x_of[1], 0.0f}, {x_of[1] + kInternetWidth, total}}, inet.router.x);
  network_index_[inet.id] = networks_.size();
  networks_.push_back(std::move(inet));

  bounds_ = {{0.0f, 0.0f}, {x_of[2] + kNetworkWidth, total}};
}

const NetworkPlace* Layout::network(const std::string& id) const {
  auto it = network_index_.find(id);
  return it == network_index_.end() ? nullptr : &networks_[it->second];
}

const HostPlace* Layout::host(const std::string& id) const {
  auto it = host_index_.find(id);
  return it == host_index_.end() ? nullptr : &hosts_[it->second];
}

bool Layout::knows_hop(const std::string& hop) const { return host(hop) != nullptr || network(hop) != nullptr; }

Vec2 Layout::hop_position(const std::string& hop) const {
  if (const auto* h = host(hop)) return h->pos;
  if (const auto* n = network(hop)) return n->router;
  return bounds_.center();
}

}  // namespace mailsim::gui
