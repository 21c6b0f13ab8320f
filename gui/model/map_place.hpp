// Where the network map's text goes: the searches that put a packet's pill or the speech bubble
// in free space, the record of what one frame placed (host icons, labels, titles, badges, pills,
// the bubble) and the check that no text covers a host icon or other text (issue 18, item 4).
// No ImGui here: the panel (gui/panels/network_map.cpp) measures and draws, this decides and checks.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gui/model/geometry.hpp"

namespace mailsim::gui {

// An axis-aligned rectangle on screen; `weight` is what covering it costs per pixel in the
// searches (a region's title more than an icon).
struct MapBox {
  Vec2 a;
  Vec2 b;
  float weight = 1.0f;
};
inline constexpr float kMapTolerance = 2.0f;
float overlap_area(const MapBox& p, const MapBox& q);
// p covers q: they share more than a sliver (`tolerance` pixels both ways: anti-aliased edges
// and rounding touch without hiding anything).
bool covers(const MapBox& p, const MapBox& q, float tolerance = kMapTolerance);

// What the map put on screen in one frame.
enum class MapItem {
  HostIcon,    // a host's icon (its halo and power mark are inside)
  HostLabel,   // a host's name and IP address under it
  Title,       // a region's title
  RouterPill,  // the border rule's name above a router ("op25b")
  MailMarks,   // a host's queue / mailbox badges and gauges
  Capture,     // what an eavesdropper captures ("sees: AUTH PLAIN ...")
  BlockPill,   // "blocked: OP25B" under a red cross
  PacketPill,  // a packet's label ("SMTP MAIL FROM")
  Bubble,      // the speech bubble of the current moment
  CountPill,   // "1234 packets in flight" on a crowded map
};
const char* map_item_name(MapItem item);

struct PlacedItem {
  MapItem item;
  MapBox box;
  std::string what;  // the host id, the text: for messages
  std::string text;  // what it says, where the check reads it (an eavesdropper's capture)
};

// A region (network) as drawn: the box its hosts' labels and mail marks must stay inside.
struct PlacedRegion {
  MapBox box;
  std::string id;
  bool internet = false;  // the Internet's cloud (rounded far in: not checked)
};

struct MapPlacement {
  std::vector<PlacedItem> items;
  std::vector<PlacedRegion> regions;
  void clear() {
    items.clear();
    regions.clear();
  }
  void add(MapItem item, Vec2 a, Vec2 b, std::string what = {}, std::string text = {}) {
    items.push_back({item, {a, b, 1.0f}, std::move(what), std::move(text)});
  }
};

// Two placed items where one hides the other: text over a host icon, or text over text.
struct MapOverlap {
  std::size_t first = 0;
  std::size_t second = 0;
};
std::vector<MapOverlap> find_overlaps(const MapPlacement& placed, float tolerance = kMapTolerance);
// "PacketPill 'ACK' covers HostIcon 'mx1' (12x9 px)".
std::string describe_overlap(const MapPlacement& placed, const MapOverlap& o);

// A host's label, mail marks (badges, gauges) or capture (what = the host id) that stick out of the region its icon stands in
// by more than `tolerance` px: "mail marks 'mx1' stick out of region 'dc' by 12 px".
std::vector<std::string> find_escapes(const MapPlacement& placed, float tolerance = kMapTolerance);

// Where a speech bubble of size bw x bh goes near `anchor` (its top-left corner), inside the
// clip rectangle, and what that costs: the covered area of `avoid` (weighted) and the tail's
// length. The caller leaves the bubble out when the cheapest place still covers something.
std::pair<Vec2, float> place_bubble(Vec2 anchor, float bw, float bh, float gap, Vec2 clip_min, Vec2 clip_max,
                                    const std::vector<MapBox>& avoid);

// Where a packet's pill (pw x ph) goes beside its item (centred at `c`, `item` pixels wide):
// the first of the usual places (above right, above left, below, beside; then the same a little
// further out) that covers nothing of `avoid` nor another pill, inside the clip rectangle.
// None: the pill is left out (the narration strip and the bubble say what is on the wire).
std::optional<Vec2> place_pill(Vec2 c, float item, float pw, float ph, Vec2 clip_min, Vec2 clip_max,
                               const std::vector<MapBox>& avoid, const std::vector<MapBox>& pills);

// The first of `candidates` (top-left corners of a w x h box) that covers nothing of `avoid`
// and stays inside the clip rectangle; none when every one would hide something.
std::optional<Vec2> first_free(const std::vector<Vec2>& candidates, float w, float h, Vec2 clip_min, Vec2 clip_max,
                               const std::vector<MapBox>& avoid);

}  // namespace mailsim::gui
