// Automatic, stable map layout: network columns left to right, hosts inside, the Internet between; the user's moves on top.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gui/model/geometry.hpp"
#include "sim/scenario/scenario.hpp"

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
  float cell_width = 296.0f;  // room for one host's label (a crowded region puts hosts in a grid)
  // Hosts side by side in one row, the router at the top of the border facing the Internet:
  // links fan out above the icons, so they never cross the labels under them.
  bool row = false;
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

// What the user dragged on the map, as offsets (world units) from the automatic layout: a
// region's offset moves its box, router and hosts; a host's offset is from where its (moved)
// region puts it. Kept while the same scenario file is re-run; another file starts afresh.
struct LayoutMoves {
  std::string file;                      // the scenario file the moves were made on
  std::map<std::string, Vec2> hosts;     // host id -> offset
  std::map<std::string, Vec2> networks;  // network id (or kInternetId) -> offset
  bool empty() const { return hosts.empty() && networks.empty(); }
  void clear() {
    hosts.clear();
    networks.clear();
  }
  // Before a run of `scenario_file` is shown: moves made on another file are dropped.
  void keep_for(const std::string& scenario_file) {
    if (file != scenario_file) clear();
    file = scenario_file;
  }
};

// A place a path can go through: a host's icon or a network's router (looked up by index,
// so a snapshot follows moves without searching by name).
struct Anchor {
  enum class Kind : std::uint8_t { None, Host, Network } kind = Kind::None;
  std::uint32_t index = 0;
};

// The layout depends only on the scenario's networks and hosts, in file order: the same
// scenario always gives the same picture (never the window's size). Left: access/LAN networks
// (where senders sit), middle: the Internet, right: data centres. A side left empty takes half
// of the others. The map panel is wide and short: in a lesson, a region of 2 to 4 hosts may put
// them in one row, and one region of a side may move out to a second sub-column whose link to
// the Internet runs straight through a corridor between the other regions: the arrangement
// that fits a reference panel (the map at 1280x720) at the largest scale wins, each step away
// from one column per side having to make it clearly larger. A crowded world (a column much taller than a
// lesson's) puts the hosts of a region in a grid and a side's regions in several sub-columns.
class Layout {
 public:
  static constexpr float kHostSpacing = 170.0f;   // vertical distance between hosts
  static constexpr float kNetworkWidth = 320.0f;
  static constexpr float kInternetWidth = 180.0f;
  static constexpr float kColumnGap = 80.0f;
  static constexpr float kNetworkGap = 50.0f;
  static constexpr float kHeader = 64.0f;         // room for the network name
  static constexpr float kIconSize = 64.0f;
  static constexpr float kGridCell = 150.0f;      // width of a host's cell in a crowded region
  static constexpr float kGridPad = 20.0f;        // a grid's margin inside its region
  static constexpr float kCrowdedHeight = 2600.0f;  // a column taller than this is rearranged
  // A lesson's region of 2..kMaxRowHosts hosts may stand them in a row of cells this wide.
  static constexpr std::size_t kMaxRowHosts = 4;
  static constexpr float kRowCell = 240.0f;
  static constexpr float kRowPad = 20.0f;
  static constexpr float kRowRouter = 10.0f;  // a row region's router: this far below the title strip
  // How far above a nearer host's icon centre the link to a farther host of a row passes.
  static constexpr float kRowClear = 48.0f;
  static constexpr float kCorridor = 100.0f;  // the gap an outer region's link runs through
  // A step away from one column per side (rows of 3+ hosts one step, rows of 2 two, a corridor
  // one) is taken only when each step makes the scale this much larger.
  static constexpr float kBetterBy = 1.12f;
  static constexpr float kHostMargin = 40.0f;     // a dragged host keeps this far from its region's sides
  static constexpr float kHostTop = 36.0f;        // ... this far below the title strip
  static constexpr float kHostBottom = 90.0f;     // ... and this far above the bottom (its label)
  // A host's icon stands this far above the middle of its row, leaving room under it for its
  // label (name and IP), whose type does not shrink with the map.
  static constexpr float kHostRise = 30.0f;

  Layout() = default;
  explicit Layout(const sim::Scenario& scenario);

  const std::vector<NetworkPlace>& networks() const { return networks_; }
  const std::vector<HostPlace>& hosts() const { return hosts_; }
  const NetworkPlace* network(const std::string& id) const;
  const HostPlace* host(const std::string& id) const;
  // The region a host stands in (its network's, or the Internet's).
  const NetworkPlace* region_of(const HostPlace& h) const { return &networks_[host_region_[index_of(h)]]; }
  // Position of a path hop: a host's icon, a network's router, the Internet's centre.
  Vec2 hop_position(const std::string& hop) const;
  bool knows_hop(const std::string& hop) const;
  Anchor anchor(const std::string& hop) const;
  Vec2 position(Anchor a) const;
  // The automatic layout's extent (moves do not change it, so the fit never jumps).
  Rect bounds() const { return bounds_; }
  // The scale at which bounds() fits the reference map panel (the map at 1280x720); what the
  // arrangement is chosen by.
  float reference_scale() const;

  // Positions with the user's moves applied (the automatic ones when `moves` is empty).
  void apply(const LayoutMoves& moves);
  // Where hosts of a region with this box may stand.
  static Rect host_area(const Rect& box);
  // Records in `moves` that host `id` now stands at `pos` (clamped to its region); false if unknown.
  bool move_host(LayoutMoves& moves, const std::string& id, Vec2 pos) const;
  // Records in `moves` that the region `id` now has its top-left corner at `corner` (kept
  // so that its centre stays within bounds()); false if unknown.
  bool move_network(LayoutMoves& moves, const std::string& id, Vec2 corner) const;

 private:
  std::size_t index_of(const HostPlace& h) const { return static_cast<std::size_t>(&h - hosts_.data()); }
  Vec2 network_offset(std::size_t n, const LayoutMoves& moves) const;

  std::vector<NetworkPlace> networks_;
  std::vector<HostPlace> hosts_;
  std::vector<std::size_t> host_region_;  // hosts_[i] stands in networks_[host_region_[i]]
  std::vector<Rect> base_boxes_;          // the automatic layout, for apply()
  std::vector<Vec2> base_routers_;
  std::vector<Vec2> base_hosts_;
  std::map<std::string, std::size_t> network_index_;
  std::map<std::string, std::size_t> host_index_;
  Rect bounds_;
};

}  // namespace mailsim::gui
