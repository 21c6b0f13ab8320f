// Where the network map's text goes, and the check that it hides nothing (see map_place.hpp).
#include "gui/model/map_place.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mailsim::gui {

float overlap_area(const MapBox& p, const MapBox& q) {
  const float w = std::min(p.b.x, q.b.x) - std::max(p.a.x, q.a.x);
  const float h = std::min(p.b.y, q.b.y) - std::max(p.a.y, q.a.y);
  return w > 0.0f && h > 0.0f ? w * h : 0.0f;
}

bool covers(const MapBox& p, const MapBox& q, float tolerance) {
  const float w = std::min(p.b.x, q.b.x) - std::max(p.a.x, q.a.x);
  const float h = std::min(p.b.y, q.b.y) - std::max(p.a.y, q.a.y);
  return w > tolerance && h > tolerance;
}

const char* map_item_name(MapItem item) {
  switch (item) {
    case MapItem::HostIcon: return "host icon";
    case MapItem::HostLabel: return "host label";
    case MapItem::Title: return "region title";
    case MapItem::RouterPill: return "border rule";
    case MapItem::MailMarks: return "mail marks";
    case MapItem::Capture: return "capture";
    case MapItem::BlockPill: return "blocked mark";
    case MapItem::PacketPill: return "packet label";
    case MapItem::Bubble: return "speech bubble";
    case MapItem::CountPill: return "packet count";
  }
  return "?";
}

namespace {
bool is_text(MapItem item) { return item != MapItem::HostIcon; }
}  // namespace

std::vector<MapOverlap> find_overlaps(const MapPlacement& placed, float tolerance) {
  std::vector<MapOverlap> out;
  const auto& it = placed.items;
  for (std::size_t i = 0; i < it.size(); ++i) {
    for (std::size_t j = i + 1; j < it.size(); ++j) {
      // Text over a host icon, or text over text; icons may stand close to each other.
      if (!is_text(it[i].item) && !is_text(it[j].item)) continue;
      if (covers(it[i].box, it[j].box, tolerance)) out.push_back({i, j});
    }
  }
  return out;
}

std::vector<std::string> find_escapes(const MapPlacement& placed, float tolerance) {
  std::vector<std::string> out;
  for (const auto& item : placed.items) {
    if (item.item != MapItem::MailMarks && item.item != MapItem::HostLabel && item.item != MapItem::Capture) continue;
    // The region of the host: the one its icon's centre stands in.
    const PlacedRegion* region = nullptr;
    for (const auto& icon : placed.items) {
      if (icon.item != MapItem::HostIcon || icon.what != item.what) continue;
      const Vec2 c{(icon.box.a.x + icon.box.b.x) * 0.5f, (icon.box.a.y + icon.box.b.y) * 0.5f};
      for (const auto& r : placed.regions)
        if (c.x >= r.box.a.x && c.x <= r.box.b.x && c.y >= r.box.a.y && c.y <= r.box.b.y) region = &r;
      break;
    }
    if (region == nullptr || region->internet) continue;
    const float sides[4] = {region->box.a.x - item.box.a.x, item.box.b.x - region->box.b.x,
                            region->box.a.y - item.box.a.y, item.box.b.y - region->box.b.y};
    const char* names[4] = {"left", "right", "top", "bottom"};
    const auto worst = static_cast<std::size_t>(std::max_element(sides, sides + 4) - sides);
    if (sides[worst] <= tolerance) continue;
    char by[48];
    std::snprintf(by, sizeof by, "%.0f px (%s)", static_cast<double>(sides[worst]), names[worst]);
    out.push_back(std::string(map_item_name(item.item)) + " '" + item.what + "' stick out of region '" + region->id +
                  "' by " + by);
  }
  return out;
}

std::string describe_overlap(const MapPlacement& placed, const MapOverlap& o) {
  const auto& p = placed.items.at(o.first);
  const auto& q = placed.items.at(o.second);
  const float w = std::min(p.box.b.x, q.box.b.x) - std::max(p.box.a.x, q.box.a.x);
  const float h = std::min(p.box.b.y, q.box.b.y) - std::max(p.box.a.y, q.box.a.y);
  char size[48];
  std::snprintf(size, sizeof size, " (%.0fx%.0f px)", static_cast<double>(w), static_cast<double>(h));
  return std::string(map_item_name(p.item)) + " '" + p.what + "' and " + map_item_name(q.item) + " '" + q.what +
         "' overlap" + size;
}

std::pair<Vec2, float> place_bubble(Vec2 anchor, float bw, float bh, float gap, Vec2 clip_min, Vec2 clip_max,
                                    const std::vector<MapBox>& avoid) {
  auto clamp_box = [&](Vec2 a) {
    a.x = std::clamp(a.x, clip_min.x + 4.0f, std::max(clip_min.x + 4.0f, clip_max.x - bw - 4.0f));
    a.y = std::clamp(a.y, clip_min.y + 4.0f, std::max(clip_min.y + 4.0f, clip_max.y - bh - 4.0f));
    return a;
  };
  // Candidates: above, below, right, left of the anchor (each also slid along that side) and
  // the diagonals, at growing distances (a crowded region may leave room only further out).
  // The one with the least covered area wins; distance costs a little, and a long tail (past
  // a few line heights) costs more and more, so a crowded map keeps the bubble near its
  // anchor, over the least of the map, instead of in a far corner.
  std::vector<Vec2> candidates;
  for (const float k : {1.0f, 2.0f, 3.5f, 6.0f, 10.0f}) {
    const float g = gap * k;
    const Vec2 ring[] = {
        {anchor.x - bw * 0.5f, anchor.y - g - bh}, {anchor.x - bw * 0.5f, anchor.y + g},
        {anchor.x + g, anchor.y - bh * 0.5f},      {anchor.x - g - bw, anchor.y - bh * 0.5f},
        {anchor.x + g, anchor.y - g - bh},         {anchor.x - g - bw, anchor.y - g - bh},
        {anchor.x + g, anchor.y + g},              {anchor.x - g - bw, anchor.y + g},
        {anchor.x - bw * 0.15f, anchor.y - g - bh}, {anchor.x - bw * 0.85f, anchor.y - g - bh},
        {anchor.x - bw * 0.15f, anchor.y + g},      {anchor.x - bw * 0.85f, anchor.y + g},
        {anchor.x + g, anchor.y - bh * 0.15f},      {anchor.x + g, anchor.y - bh * 0.85f},
        {anchor.x - g - bw, anchor.y - bh * 0.15f}, {anchor.x - g - bw, anchor.y - bh * 0.85f},
    };
    candidates.insert(candidates.end(), std::begin(ring), std::end(ring));
  }
  Vec2 best = clamp_box(candidates[0]);
  float best_cost = 1e30f;
  const float near = gap * 5.0f;
  for (const auto& c : candidates) {
    const Vec2 a = clamp_box(c);
    const MapBox box{{a.x - 6.0f, a.y - 6.0f}, {a.x + bw + 6.0f, a.y + bh + 6.0f}};  // with a clearance
    float cost = 0.0f;
    for (const auto& o : avoid) cost += overlap_area(box, o) * o.weight;
    // The tail: from the nearest point of the bubble to the anchor.
    const float dx = std::max({a.x - anchor.x, 0.0f, anchor.x - (a.x + bw)});
    const float dy = std::max({a.y - anchor.y, 0.0f, anchor.y - (a.y + bh)});
    const float tail = std::sqrt(dx * dx + dy * dy);
    cost += tail * 0.5f + (tail > near ? (tail - near) * (tail - near) * 0.15f : 0.0f);
    // A bubble over its own anchor hides what it talks about.
    if (tail <= 0.0f) cost += bw * bh * 0.5f;
    if (cost < best_cost - 0.5f) {
      best_cost = cost;
      best = a;
    }
  }
  return {best, best_cost};
}

std::optional<Vec2> place_pill(Vec2 c, float item, float pw, float ph, Vec2 clip_min, Vec2 clip_max,
                               const std::vector<MapBox>& avoid, const std::vector<MapBox>& pills) {
  for (const float k : {1.0f, 1.8f}) {
    const float up = item * 0.5f * k;
    const float side = item * 0.75f * k;
    const Vec2 options[] = {
        {c.x + item * 0.1f, c.y - up - ph},  // above, to the right (the usual place)
        {c.x - item * 0.1f - pw, c.y - up - ph},
        {c.x + item * 0.1f, c.y + up * 1.1f},
        {c.x - item * 0.1f - pw, c.y + up * 1.1f},
        {c.x + side, c.y - ph * 0.5f},
        {c.x - side - pw, c.y - ph * 0.5f},
    };
    for (const auto& o : options) {
      const MapBox box{o, {o.x + pw, o.y + ph}};
      if (box.a.x < clip_min.x || box.a.y < clip_min.y || box.b.x > clip_max.x || box.b.y > clip_max.y) continue;
      const auto hits = [&](const MapBox& q) { return covers(box, q); };
      if (std::any_of(avoid.begin(), avoid.end(), hits) || std::any_of(pills.begin(), pills.end(), hits)) continue;
      return o;
    }
  }
  return std::nullopt;
}

std::optional<Vec2> first_free(const std::vector<Vec2>& candidates, float w, float h, Vec2 clip_min, Vec2 clip_max,
                               const std::vector<MapBox>& avoid) {
  for (const auto& o : candidates) {
    const MapBox box{o, {o.x + w, o.y + h}};
    if (box.a.x < clip_min.x || box.a.y < clip_min.y || box.b.x > clip_max.x || box.b.y > clip_max.y) continue;
    if (std::none_of(avoid.begin(), avoid.end(), [&](const MapBox& q) { return covers(box, q); })) return o;
  }
  return std::nullopt;
}

}  // namespace mailsim::gui
