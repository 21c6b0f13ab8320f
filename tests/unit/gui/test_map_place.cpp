// The map's placement rules without a window: a packet's pill and the speech bubble go where
// they cover no host icon or text, and the overlap check names what hides what (issue 18).
#include <catch2/catch.hpp>

#include "gui/model/map_place.hpp"

using namespace mailsim::gui;

namespace {
MapBox box(float x0, float y0, float x1, float y1) { return {{x0, y0}, {x1, y1}, 1.0f}; }
bool free_of(const MapBox& b, const std::vector<MapBox>& others) {
  for (const auto& o : others)
    if (covers(b, o)) return false;
  return true;
}
}  // namespace

TEST_CASE("map place: touching edges and slivers are not overlaps, a real cover is", "[gui][map_place]") {
  CHECK_FALSE(covers(box(0, 0, 10, 10), box(10, 0, 20, 10)));     // side by side
  CHECK_FALSE(covers(box(0, 0, 10, 10), box(8.5f, 0, 20, 10)));   // 1.5 px: anti-aliasing
  CHECK(covers(box(0, 0, 10, 10), box(5, 5, 20, 20)));
  CHECK(overlap_area(box(0, 0, 10, 10), box(5, 5, 20, 20)) == Approx(25.0f));
}

TEST_CASE("map place: the check reports text over an icon and text over text, not icon by icon", "[gui][map_place]") {
  MapPlacement placed;
  placed.add(MapItem::HostIcon, {0, 0}, {40, 40}, "mx1");
  placed.add(MapItem::HostIcon, {30, 0}, {70, 40}, "mx2");  // icons close together: allowed
  placed.add(MapItem::HostLabel, {0, 42}, {40, 60}, "mx1");  // under its icon: fine
  REQUIRE(find_overlaps(placed).empty());
  placed.add(MapItem::PacketPill, {20, 20}, {60, 34}, "ACK");  // on both icons
  placed.add(MapItem::Bubble, {10, 50}, {90, 90}, "text");     // on the label
  const auto found = find_overlaps(placed);
  REQUIRE(found.size() == 3);
  CHECK(describe_overlap(placed, found[0]) == "host icon 'mx1' and packet label 'ACK' overlap (20x14 px)");
  CHECK(describe_overlap(placed, found[2]).find("speech bubble") != std::string::npos);
}

TEST_CASE("map place: a packet's pill takes the usual place when it is free", "[gui][map_place]") {
  const auto at = place_pill({100, 100}, 30, 40, 16, {0, 0}, {400, 400}, {}, {});
  REQUIRE(at);
  CHECK(at->x == Approx(103.0f));  // above, to the right
  CHECK(at->y == Approx(100 - 15 - 16));
}

TEST_CASE("map place: a packet's pill steps aside from a host icon and another pill", "[gui][map_place]") {
  // A packet leaving a server: its icon is just above and to the right of the packet.
  const std::vector<MapBox> icons = {box(95, 50, 160, 98)};
  const std::vector<MapBox> pills = {box(50, 60, 99, 80)};
  const auto at = place_pill({100, 100}, 30, 40, 16, {0, 0}, {400, 400}, icons, pills);
  REQUIRE(at);
  const MapBox drawn{*at, {at->x + 40, at->y + 16}, 1.0f};
  CHECK(free_of(drawn, icons));
  CHECK(free_of(drawn, pills));
  // Inside the map, even at its edge.
  const auto edge = place_pill({5, 5}, 30, 40, 16, {0, 0}, {400, 400}, {}, {});
  REQUIRE(edge);
  CHECK(edge->x >= 0.0f);
  CHECK(edge->y >= 0.0f);
}

TEST_CASE("map place: a pill with no free place is left out, never drawn over a host", "[gui][map_place]") {
  const std::vector<MapBox> everywhere = {box(0, 0, 400, 400)};
  CHECK_FALSE(place_pill({100, 100}, 30, 40, 16, {0, 0}, {400, 400}, everywhere, {}));
}

TEST_CASE("map place: the bubble goes to free space near its anchor", "[gui][map_place]") {
  // A host above the anchor and its label: the bubble must not go above (the default).
  const std::vector<MapBox> avoid = {box(80, 0, 220, 95)};
  const auto [at, cost] = place_bubble({150, 100}, 120, 40, 12, {0, 0}, {600, 400}, avoid);
  const MapBox drawn{at, {at.x + 120, at.y + 40}, 1.0f};
  CHECK(free_of(drawn, avoid));
  CHECK(cost < 200.0f);  // only the tail's length
  CHECK(at.x >= 0.0f);
  CHECK(at.y >= 0.0f);
}

TEST_CASE("map place: a host's mail marks or label sticking out of its region are found", "[gui][map]") {
  MapPlacement placed;
  placed.regions.push_back({{{0, 0}, {200, 100}, 1.0f}, "dc", false});
  placed.regions.push_back({{{300, 0}, {600, 300}, 1.0f}, "internet", true});
  placed.add(MapItem::HostIcon, {20, 20}, {50, 50}, "mx");
  placed.add(MapItem::MailMarks, {55, 20}, {150, 40}, "mx");  // inside
  CHECK(find_escapes(placed).empty());
  placed.add(MapItem::MailMarks, {55, 45}, {230, 60}, "mx");  // 30 px past the right side
  const auto e = find_escapes(placed);
  REQUIRE(e.size() == 1);
  CHECK(e[0] == "mail marks 'mx' stick out of region 'dc' by 30 px (right)");
  // The Internet's cloud is not checked; a host in no region neither.
  placed.items.clear();
  placed.add(MapItem::HostIcon, {320, 20}, {350, 50}, "router");
  placed.add(MapItem::HostLabel, {290, 55}, {380, 70}, "router");
  placed.add(MapItem::HostIcon, {900, 20}, {930, 50}, "lost");
  placed.add(MapItem::HostLabel, {880, 55}, {960, 70}, "lost");
  CHECK(find_escapes(placed).empty());
}
