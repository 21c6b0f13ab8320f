// Column layout of networks and hosts for the network map, and the user's moves on top of it.
#include "gui/model/layout.hpp"

#include <algorithm>
#include <cmath>

namespace mailsim::gui {

namespace {

bool is_right_kind(const std::string& kind) { return kind == "datacenter"; }

// A crowded world is arranged to fit best into a map panel of this size (the map at 1280x720).
constexpr float kReferenceWidth = 740.0f;
constexpr float kReferenceHeight = 300.0f;
constexpr int kMaxGridColumns = 6;
constexpr int kMaxSubColumns = 10;
// A lesson is arranged to fit best into the part of that panel the map is drawn in, with the
// margins network_map.cpp adds around the world (policy labels above routers, and so on).
constexpr float kReferenceAreaWidth = 710.0f;
constexpr float kReferenceAreaHeight = 265.0f;
constexpr float kMarginWidth = 40.0f;
constexpr float kMarginHeight = 100.0f;
// A side with more regions than this is not tried with an outer sub-column.
constexpr std::size_t kMaxCorridorRegions = 6;

float box_height(std::size_t hosts, std::size_t cols) {
  const std::size_t n = std::max<std::size_t>(hosts, 1);
  const std::size_t rows = (n + cols - 1) / cols;
  return Layout::kHeader + static_cast<float>(rows) * Layout::kHostSpacing;
}

float box_width(std::size_t cols) {
  return cols <= 1 ? Layout::kNetworkWidth
                   : std::max(Layout::kNetworkWidth, static_cast<float>(cols) * Layout::kGridCell + 2.0f * Layout::kGridPad);
}

// One side of the Internet: its regions (scenario network indices, file order) in sub-columns.
struct SidePlan {
  int cols = 1;  // host grid columns of a region at most
  std::vector<std::vector<std::size_t>> sub;  // sub-columns, left to right
  std::vector<float> sub_width;
  std::vector<float> sub_height;
  float width = Layout::kNetworkWidth;
  float height = 0.0f;
};

SidePlan plan_side(const std::vector<std::size_t>& nets, const std::vector<std::size_t>& counts, int cols, int k) {
  SidePlan p;
  p.cols = cols;
  auto cols_of = [&](std::size_t net) {
    return std::min<std::size_t>(static_cast<std::size_t>(cols), std::max<std::size_t>(counts[net], 1));
  };
  float total = 0.0f;
  for (const auto net : nets) total += box_height(counts[net], cols_of(net)) + (total > 0.0f ? Layout::kNetworkGap : 0.0f);
  const float target = total / static_cast<float>(k);
  float h = 0.0f;
  for (const auto net : nets) {
    const float bh = box_height(counts[net], cols_of(net));
    const float bw = box_width(cols_of(net));
    if (p.sub.empty() || (!p.sub.back().empty() && h + Layout::kNetworkGap + bh > target + 0.5f &&
                          p.sub.size() < static_cast<std::size_t>(k))) {
      p.sub.emplace_back();
      p.sub_width.push_back(0.0f);
      p.sub_height.push_back(0.0f);
      h = 0.0f;
    }
    h += (p.sub.back().empty() ? 0.0f : Layout::kNetworkGap) + bh;
    p.sub.back().push_back(net);
    p.sub_width.back() = std::max(p.sub_width.back(), bw);
    p.sub_height.back() = h;
  }
  float w = 0.0f;
  for (std::size_t s = 0; s < p.sub.size(); ++s) {
    w += (s == 0 ? 0.0f : Layout::kColumnGap) + p.sub_width[s];
    p.height = std::max(p.height, p.sub_height[s]);
  }
  p.width = std::max(Layout::kNetworkWidth, w);
  return p;
}

// ---- Lessons: a region's shape, and a side as one column or with an outer sub-column. ----

// A region's size and where its router stands below its top.
struct Shape {
  bool row = false;
  float w = Layout::kNetworkWidth;
  float h = 0.0f;
  float router_dy = 0.0f;
  float host_dy = 0.0f;  // a row's hosts: their icons' centre below the top
};

Shape shape_of(std::size_t hosts, bool row) {
  Shape s;
  if (row && hosts >= 2) {
    // The link to the farthest host passes the one before it kRowClear above its icon centre.
    const float n = static_cast<float>(hosts);
    const float c = Layout::kRowCell;
    const float nearest = Layout::kRowPad + c * 0.5f;  // from the router to the nearest host
    const float drop = Layout::kRowClear * (nearest + (n - 1.0f) * c) / c;
    s.row = true;
    s.w = 2.0f * Layout::kRowPad + n * c;
    s.router_dy = Layout::kHeader + Layout::kRowRouter;
    s.host_dy = s.router_dy + drop;
    s.h = s.host_dy + Layout::kHostSpacing * 0.5f + Layout::kHostRise;
    return s;
  }
  s.h = box_height(hosts, 1);
  s.router_dy = Layout::kHeader + (s.h - Layout::kHeader) * 0.5f - Layout::kHostRise;
  return s;
}

// A side: its regions in one column (centred on the Internet's router), or one of them in an
// outer sub-column whose router faces the Internet's router across a corridor left between
// the others (those before the corridor above it, the rest below).
struct SideOption {
  std::vector<std::size_t> nets;  // scenario network indices, file order
  std::vector<Shape> shape;       // per entry of nets
  std::vector<std::size_t> above, below;  // positions in nets: the column (above: all of it without corridor)
  bool corridor = false;
  int rows = 0;           // steps: 0 no rows, 1 rows of 3 or more hosts only, 2 rows of 2 too
  std::size_t outer = 0;  // position in nets
  float inner_w = 0.0f;
  float width = Layout::kNetworkWidth;
  float up = 0.0f;    // extent above the Internet's router
  float down = 0.0f;  // and below it
};

float stack_height(const SideOption& o, const std::vector<std::size_t>& part) {
  float h = 0.0f;
  for (std::size_t k = 0; k < part.size(); ++k) h += (k == 0 ? 0.0f : Layout::kNetworkGap) + o.shape[part[k]].h;
  return h;
}

void measure(SideOption& o) {
  o.inner_w = 0.0f;
  for (const auto* part : {&o.above, &o.below})
    for (const auto k : *part) o.inner_w = std::max(o.inner_w, o.shape[k].w);
  if (!o.corridor) {
    const float h = stack_height(o, o.above);
    o.up = o.down = h * 0.5f;
    o.width = std::max(Layout::kNetworkWidth, o.inner_w);
    return;
  }
  const Shape& out = o.shape[o.outer];
  const float half = Layout::kCorridor * 0.5f;
  o.up = std::max(o.above.empty() ? 0.0f : stack_height(o, o.above) + half, out.router_dy);
  o.down = std::max(o.below.empty() ? 0.0f : stack_height(o, o.below) + half, out.h - out.router_dy);
  o.width = o.inner_w + Layout::kColumnGap + out.w;
}

// The ways to lay out one side of a lesson; the first is one column of one-host-wide regions.
std::vector<SideOption> side_options(const std::vector<std::size_t>& nets, const std::vector<std::size_t>& counts) {
  std::vector<SideOption> out;
  const std::size_t m = nets.size();
  // Which regions put their hosts in a row: none, those with 3 or more hosts, all that can.
  std::vector<std::vector<bool>> rows;
  for (const std::size_t least : {std::size_t{0}, std::size_t{3}, std::size_t{2}}) {
    std::vector<bool> r(m, false);
    for (std::size_t k = 0; k < m; ++k) r[k] = least != 0 && counts[nets[k]] >= least && counts[nets[k]] <= Layout::kMaxRowHosts;
    if (std::find(rows.begin(), rows.end(), r) == rows.end()) rows.push_back(std::move(r));
  }
  for (const auto& r : rows) {
    SideOption base;
    base.nets = nets;
    for (std::size_t k = 0; k < m; ++k)
      if (r[k]) base.rows = std::max(base.rows, counts[nets[k]] >= 3 ? 1 : 2);
    for (std::size_t k = 0; k < m; ++k) base.shape.push_back(shape_of(counts[nets[k]], r[k]));
    SideOption plain = base;
    for (std::size_t k = 0; k < m; ++k) plain.above.push_back(k);
    measure(plain);
    out.push_back(std::move(plain));
    if (m < 2 || m > kMaxCorridorRegions) continue;
    for (std::size_t outer = 0; outer < m; ++outer) {
      std::vector<std::size_t> inner;
      for (std::size_t k = 0; k < m; ++k)
        if (k != outer) inner.push_back(k);
      // A true corridor: between regions, never just beside one.
      for (std::size_t split = 1; split < inner.size(); ++split) {
        SideOption o = base;
        o.corridor = true;
        o.outer = outer;
        o.above.assign(inner.begin(), inner.begin() + static_cast<std::ptrdiff_t>(split));
        o.below.assign(inner.begin() + static_cast<std::ptrdiff_t>(split), inner.end());
        measure(o);
        out.push_back(std::move(o));
      }
    }
  }
  return out;
}

float lesson_scale(float width, float height) {
  return std::min(kReferenceAreaWidth / (width + kMarginWidth), kReferenceAreaHeight / (height + kMarginHeight));
}

}  // namespace

float Layout::reference_scale() const { return lesson_scale(bounds_.width(), bounds_.height()); }

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
  std::vector<std::size_t> counts(scenario.networks.size(), 0);
  std::vector<std::size_t> side_nets[3];
  for (std::size_t i = 0; i < scenario.networks.size(); ++i) {
    counts[i] = members[scenario.networks[i].id].size();
    side_nets[column[i]].push_back(i);
  }

  // Where each region goes, how its hosts stand in it, and where the Internet's router is.
  const std::size_t nn = scenario.networks.size();
  std::vector<Rect> box_of(nn);
  std::vector<std::size_t> cols_of(nn, 1);  // grid columns (crowded world)
  std::vector<Shape> shape(nn);
  std::vector<float> router_y(nn, 0.0f);
  float total = 0.0f;
  float centre_y = 0.0f;
  float x_of[3] = {0.0f, 0.0f, 0.0f};
  float right_width = kNetworkWidth;
  const float loose_h = box_height(loose.size(), 1);

  // One region per row of hosts, one sub-column per side; a crowded world tries host grids
  // and more sub-columns and keeps what fits the reference panel at the largest scale.
  auto whole_height = [&](const SidePlan& l, const SidePlan& r) {
    return std::max({l.height, loose_h, r.height, kHeader + kHostSpacing});
  };
  SidePlan plan[3] = {plan_side(side_nets[0], counts, 1, 1), {}, plan_side(side_nets[2], counts, 1, 1)};
  if (std::max(plan[0].height, plan[2].height) > kCrowdedHeight) {
    std::vector<SidePlan> options[3];
    for (const int s : {0, 2}) {
      for (int c = 1; c <= kMaxGridColumns; ++c)
        for (int k = 1; k <= kMaxSubColumns; ++k) options[s].push_back(plan_side(side_nets[s], counts, c, k));
    }
    float best = -1.0f;
    for (const auto& l : options[0]) {
      for (const auto& r : options[2]) {
        const float w = l.width + r.width + kInternetWidth + 2.0f * kColumnGap;
        const float score = std::min(kReferenceWidth / w, kReferenceHeight / whole_height(l, r));
        if (score > best) {
          best = score;
          plan[0] = l;
          plan[2] = r;
        }
      }
    }
    total = whole_height(plan[0], plan[2]);
    centre_y = total * 0.5f;
    x_of[1] = plan[0].width + kColumnGap;
    x_of[2] = x_of[1] + kInternetWidth + kColumnGap;
    right_width = plan[2].width;
    for (const int s : {0, 2}) {
      const auto& p = plan[s];
      float x = x_of[s];
      for (std::size_t c = 0; c < p.sub.size(); ++c) {
        float y = (total - p.sub_height[c]) * 0.5f;
        for (const auto net : p.sub[c]) {
          cols_of[net] = std::min<std::size_t>(static_cast<std::size_t>(p.cols), std::max<std::size_t>(counts[net], 1));
          const float h = box_height(counts[net], cols_of[net]);
          const float w = p.sub.size() == 1 && p.cols == 1 ? kNetworkWidth : p.sub_width[c];
          box_of[net] = {{x, y}, {x + w, y + h}};
          router_y[net] = y + kHeader + (h - kHeader) * 0.5f - kHostRise;
          y += h + kNetworkGap;
        }
        x += p.sub_width[c] + kColumnGap;
      }
    }
  } else {
    // A lesson: every combination of the sides' options, scored by the scale at which the
    // picture fits the reference panel. Changes from one column per side cost: rows of 3 or
    // more hosts one step, rows of 2 two steps (a short column of 2 reads well), a corridor one
    // step; each step must make the scale kBetterBy larger. Ties keep the earlier option, so
    // the choice is stable.
    const auto left_options = side_options(side_nets[0], counts);
    const auto right_options = side_options(side_nets[2], counts);
    auto extent = [&](const SideOption& l, const SideOption& r, float& up, float& down) {
      up = std::max(l.up, r.up);
      down = std::max(l.down, r.down);
      const float h = std::max({up + down, loose_h, kHeader + kHostSpacing});
      const float extra = h - (up + down);
      up += extra * 0.5f;
      down += extra * 0.5f;
    };
    auto score = [&](const SideOption& l, const SideOption& r) {
      float up = 0.0f;
      float down = 0.0f;
      extent(l, r, up, down);
      const float scale = lesson_scale(l.width + r.width + kInternetWidth + 2.0f * kColumnGap, up + down);
      const int steps = std::max(l.rows, r.rows) + (l.corridor || r.corridor ? 1 : 0);
      return scale / std::pow(kBetterBy, static_cast<float>(steps));
    };
    std::size_t bl = 0;
    std::size_t br = 0;
    float best = score(left_options.front(), right_options.front());
    for (std::size_t a = 0; a < left_options.size(); ++a) {
      for (std::size_t b = 0; b < right_options.size(); ++b) {
        const float sc = score(left_options[a], right_options[b]);
        if (sc > best + 1e-6f) {
          best = sc;
          bl = a;
          br = b;
        }
      }
    }
    const SideOption* chosen[3] = {&left_options[bl], nullptr, &right_options[br]};
    float up = 0.0f;
    float down = 0.0f;
    extent(*chosen[0], *chosen[2], up, down);
    total = up + down;
    centre_y = up;
    x_of[1] = chosen[0]->width + kColumnGap;
    x_of[2] = x_of[1] + kInternetWidth + kColumnGap;
    right_width = chosen[2]->width;
    for (const int s : {0, 2}) {
      const SideOption& o = *chosen[s];
      // Regions line up on the edge facing the Internet.
      const float face = s == 0 ? chosen[0]->width : x_of[2];
      auto put = [&](std::size_t k, float depth, float top) {
        const std::size_t net = o.nets[k];
        const Shape& sh = o.shape[k];
        shape[net] = sh;
        const float x = s == 0 ? face - depth - sh.w : face + depth;
        box_of[net] = {{x, top}, {x + sh.w, top + sh.h}};
        router_y[net] = top + sh.router_dy;
      };
      if (!o.corridor) {
        float y = centre_y - stack_height(o, o.above) * 0.5f;
        for (const auto k : o.above) {
          put(k, 0.0f, y);
          y += o.shape[k].h + kNetworkGap;
        }
        continue;
      }
      float y = centre_y - kCorridor * 0.5f - stack_height(o, o.above);
      for (const auto k : o.above) {
        put(k, 0.0f, y);
        y += o.shape[k].h + kNetworkGap;
      }
      y = centre_y + kCorridor * 0.5f;
      for (const auto k : o.below) {
        put(k, 0.0f, y);
        y += o.shape[k].h + kNetworkGap;
      }
      put(o.outer, o.inner_w + kColumnGap, centre_y - o.shape[o.outer].router_dy);
    }
  }

  auto place_host = [&](const sim::HostSpec& h, Vec2 pos, std::size_t region) {
    HostPlace hp;
    hp.id = h.info.id;
    hp.kind = h.info.kind;
    hp.name = h.info.name.empty() ? h.info.id : h.info.name;
    hp.name_ja = h.info.name_ja;
    hp.network = h.info.network;
    hp.ip = h.info.ip.str();
    hp.pos = pos;
    host_index_[hp.id] = hosts_.size();
    hosts_.push_back(std::move(hp));
    host_region_.push_back(region);
  };

  // Regions in file order (so indices and hosts keep the scenario's order).
  for (std::size_t i = 0; i < nn; ++i) {
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
    np.box = box_of[i];
    np.router = c == 0 ? Vec2{np.box.max.x, router_y[i]} : Vec2{np.box.min.x, router_y[i]};
    const std::size_t region = networks_.size();
    if (shape[i].row) {
      // Side by side in file order, in cells from the region's left edge.
      np.row = true;
      np.cell_width = kRowCell - 16.0f;
      for (std::size_t k = 0; k < list.size(); ++k) {
        const float x = np.box.min.x + kRowPad + kRowCell * (static_cast<float>(k) + 0.5f);
        place_host(*list[k], {x, np.box.min.y + shape[i].host_dy}, region);
      }
    } else {
      const std::size_t cols = cols_of[i];
      np.cell_width = cols == 1 ? kNetworkWidth - 24.0f : kGridCell - 10.0f;
      const float grid_left = np.box.min.x + (np.box.width() - static_cast<float>(cols) * kGridCell) * 0.5f;
      for (std::size_t k = 0; k < list.size(); ++k) {
        const float x = cols == 1 ? np.box.center().x : grid_left + kGridCell * (static_cast<float>(k % cols) + 0.5f);
        const float y = np.box.min.y + kHeader + kHostSpacing * 0.5f - kHostRise + kHostSpacing * static_cast<float>(k / cols);
        place_host(*list[k], {x, y}, region);
      }
    }
    network_index_[np.id] = region;
    networks_.push_back(std::move(np));
  }

  NetworkPlace inet;
  inet.id = kInternetId;
  inet.kind = "internet";
  inet.name = "Internet";
  inet.column = 1;
  inet.box = {{x_of[1], 0.0f}, {x_of[1] + kInternetWidth, total}};
  inet.router = {inet.box.center().x, centre_y};
  inet.cell_width = kInternetWidth - 24.0f;
  const std::size_t inet_index = networks_.size();
  float y = kHeader + kHostSpacing * 0.5f - kHostRise;
  for (const auto* h : loose) {
    place_host(*h, {inet.router.x, y}, inet_index);
    y += kHostSpacing;
  }
  network_index_[inet.id] = inet_index;
  networks_.push_back(std::move(inet));

  bounds_ = {{0.0f, 0.0f}, {x_of[2] + right_width, total}};
  for (const auto& n : networks_) {
    base_boxes_.push_back(n.box);
    base_routers_.push_back(n.router);
  }
  for (const auto& h : hosts_) base_hosts_.push_back(h.pos);
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

Vec2 Layout::hop_position(const std::string& hop) const { return position(anchor(hop)); }

Anchor Layout::anchor(const std::string& hop) const {
  if (auto it = host_index_.find(hop); it != host_index_.end()) return {Anchor::Kind::Host, static_cast<std::uint32_t>(it->second)};
  if (auto it = network_index_.find(hop); it != network_index_.end())
    return {Anchor::Kind::Network, static_cast<std::uint32_t>(it->second)};
  return {};
}

Vec2 Layout::position(Anchor a) const {
  switch (a.kind) {
    case Anchor::Kind::Host: return hosts_[a.index].pos;
    case Anchor::Kind::Network: return networks_[a.index].router;
    case Anchor::Kind::None: break;
  }
  return bounds_.center();
}

Rect Layout::host_area(const Rect& box) {
  Rect r{{box.min.x + kHostMargin, box.min.y + kHeader + kHostTop}, {box.max.x - kHostMargin, box.max.y - kHostBottom}};
  if (r.max.x < r.min.x) r.min.x = r.max.x = box.center().x;
  if (r.max.y < r.min.y) r.min.y = r.max.y = (r.min.y + r.max.y) * 0.5f;
  return r;
}

Vec2 Layout::network_offset(std::size_t n, const LayoutMoves& moves) const {
  if (moves.networks.empty()) return {};
  auto it = moves.networks.find(networks_[n].id);
  return it == moves.networks.end() ? Vec2{} : it->second;
}

void Layout::apply(const LayoutMoves& moves) {
  for (std::size_t n = 0; n < networks_.size(); ++n) {
    const Vec2 off = network_offset(n, moves);
    networks_[n].box = {base_boxes_[n].min + off, base_boxes_[n].max + off};
    networks_[n].router = base_routers_[n] + off;
  }
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const std::size_t r = host_region_[i];
    Vec2 pos = base_hosts_[i] + network_offset(r, moves);
    if (auto it = moves.hosts.find(hosts_[i].id); it != moves.hosts.end()) {
      const Rect area = host_area(networks_[r].box);
      pos = pos + it->second;
      pos = {std::clamp(pos.x, area.min.x, area.max.x), std::clamp(pos.y, area.min.y, area.max.y)};
    }
    hosts_[i].pos = pos;
  }
}

bool Layout::move_host(LayoutMoves& moves, const std::string& id, Vec2 pos) const {
  auto it = host_index_.find(id);
  if (it == host_index_.end()) return false;
  const std::size_t i = it->second;
  const std::size_t r = host_region_[i];
  const Vec2 off = network_offset(r, moves);
  const Rect area = host_area({base_boxes_[r].min + off, base_boxes_[r].max + off});
  const Vec2 at{std::clamp(pos.x, area.min.x, area.max.x), std::clamp(pos.y, area.min.y, area.max.y)};
  moves.hosts[id] = at - (base_hosts_[i] + off);
  return true;
}

bool Layout::move_network(LayoutMoves& moves, const std::string& id, Vec2 corner) const {
  auto it = network_index_.find(id);
  if (it == network_index_.end()) return false;
  const Rect& base = base_boxes_[it->second];
  Vec2 off = corner - base.min;
  const Vec2 c = base.center() + off;
  off = off + Vec2{std::clamp(c.x, bounds_.min.x, bounds_.max.x) - c.x, std::clamp(c.y, bounds_.min.y, bounds_.max.y) - c.y};
  moves.networks[id] = off;
  return true;
}

}  // namespace mailsim::gui
