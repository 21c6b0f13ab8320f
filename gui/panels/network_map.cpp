// Network map: regions, links, host icons, mailbox gauges and queue badges, moving packets, policy blocks, legend.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gui/icons.hpp"
#include "gui/frame.hpp"
#include "gui/model/line_break.hpp"
#include "gui/model/map_place.hpp"
#include "gui/model/packet_view.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::gui::panels {

namespace {

using theme::rgb;

// Above this many packets on the map, packets are plain marks and only the current one is labelled.
constexpr std::size_t kDetailedPackets = 200;

struct View {
  ImVec2 origin;  // screen position of the world centre
  float scale = 1.0f;   // for sizes (icons, lines)
  float sx = 1.0f;      // for positions: the layout stretches (within limits) to fill the panel
  float sy = 1.0f;
  Vec2 centre;
  ImVec2 to_screen(Vec2 w) const {
    return ImVec2(origin.x + (w.x - centre.x) * sx, origin.y + (w.y - centre.y) * sy);
  }
};

struct Box {
  ImVec2 a;
  ImVec2 b;
  float weight = 1.0f;  // how much covering it costs per pixel (region titles: more)
};
constexpr float kTitleWeight = 4.0f;  // a region's title is what tells the viewer where things are
MapBox mbox(const Box& b) { return {{b.a.x, b.a.y}, {b.b.x, b.b.y}, b.weight}; }
std::vector<MapBox> mboxes(const std::vector<Box>& bs) {
  std::vector<MapBox> out;
  out.reserve(bs.size());
  for (const auto& b : bs) out.push_back(mbox(b));
  return out;
}
float overlap(const Box& p, const Box& q) { return overlap_area(mbox(p), mbox(q)); }
Vec2 vec(ImVec2 p) { return {p.x, p.y}; }
void record(MapState& ms, MapItem item, ImVec2 a, ImVec2 b, std::string what = {}, std::string text = {}) {
  ms.placed.add(item, vec(a), vec(b), std::move(what), std::move(text));
}

// break_lines() with each line's size, remembered per (font, size, width, text) in the app's map
// state: host labels and titles are the same frame after frame (a change of language or zoom
// makes new entries).
const std::vector<MapState::Line>& wrapped(MapState& ms, ImFont* font, float size, const std::string& text,
                                           float width, bool after_dots = false) {
  auto& cache = ms.wrapped;
  constexpr std::size_t kMaxEntries = 8192;
  // The glyph count too: a rebuilt atlas (Japanese glyphs added) may keep the same ImFont.
  const int glyphs = font->Glyphs.Size;
  std::string key(sizeof(ImFont*) + 2 * sizeof(float) + sizeof(int), '\0');
  char* k = key.data();
  std::memcpy(k, &font, sizeof(ImFont*));
  std::memcpy(k + sizeof(ImFont*), &size, sizeof(float));
  std::memcpy(k + sizeof(ImFont*) + sizeof(float), &width, sizeof(float));
  std::memcpy(k + sizeof(ImFont*) + 2 * sizeof(float), &glyphs, sizeof(int));
  key += after_dots ? '.' : ' ';
  key += text;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= kMaxEntries) cache.clear();
  std::vector<MapState::Line> lines;
  const MeasureText measure = [&](std::string_view piece) {
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
  };
  for (auto& l : break_lines(text, width, measure, after_dots)) {
    const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, l.c_str());
    lines.push_back({std::move(l), ts});
  }
  return cache.emplace(std::move(key), std::move(lines)).first->second;
}

// True when `lines` (the wrapped `text`) break only where cut_words would: after a whole word,
// a name's dot, or between Japanese phrases; never inside a word.
bool breaks_between_words(const std::vector<std::string>& lines, std::string_view text, const MeasureText& measure) {
  std::string_view rest = text;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string prefix = cut_words(rest, measure(line) + 0.5f, measure, "");
    auto trimmed = [](std::string_view t) {
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      return t;
    };
    if (trimmed(prefix) != trimmed(line)) return false;
    const auto at = rest.find(trimmed(line));
    if (at == std::string_view::npos) return false;
    rest = trimmed(rest.substr(at + trimmed(line).size()));
  }
  return true;
}

// Centred lines starting at top-centre `at`; returns the height used.
float centred_text(MapState& ms, ImDrawList* dl, ImFont* font, float size, ImVec2 at, const std::string& text,
                   float width, ImU32 colour, float max_height = 1e9f) {
  float y = at.y;
  for (const auto& line : wrapped(ms, font, size, text, width)) {
    if (y > at.y && y + line.size.y > at.y + max_height) break;
    dl->AddText(font, size, ImVec2(std::floor(at.x - line.size.x * 0.5f), std::floor(y)), colour, line.text.c_str());
    y += line.size.y;
  }
  return y - at.y;
}

void pill(ImDrawList* dl, ImFont* font, float size, ImVec2 at, const std::string& text, ImU32 fg, ImU32 bg,
          ImU32 border) {
  const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, text.c_str());
  const ImVec2 pad(size * 0.35f, size * 0.12f);
  const ImVec2 a(at.x, at.y);
  const ImVec2 b(at.x + ts.x + pad.x * 2.0f, at.y + ts.y + pad.y * 2.0f);
  dl->AddRectFilled(a, b, bg, size * 0.3f);
  if (border != 0) dl->AddRect(a, b, border, size * 0.3f, 0, 1.5f);
  dl->AddText(font, size, ImVec2(a.x + pad.x, a.y + pad.y), fg, text.c_str());
}

// The widest piece of `name` that a host label may not break inside: a run of Latin letters
// and digits up to and including a '.', '/', '-' or '@' (Japanese breaks between characters).
float widest_part(ImFont* font, float size, std::string_view name) {
  float widest = 0.0f;
  std::size_t from = 0;
  auto close = [&](std::size_t to) {
    if (to > from) widest = std::max(widest, font->CalcTextSizeA(size, FLT_MAX, 0.0f, name.data() + from, name.data() + to).x);
    from = to;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (static_cast<unsigned char>(c) >= 0x80 || c == ' ') {
      close(i);
      from = i + 1;
    } else if (c == '.' || c == '/' || c == '-' || c == '@') {
      close(i + 1);
    }
  }
  close(name.size());
  return widest;
}

// A speech bubble with wrapped text near `anchor`, kept inside the clip rectangle, placed
// where it covers the fewest host icons, labels and titles (`avoid`), with a tail to the anchor.
std::optional<Box> bubble(MapState& ms, ImDrawList* dl, ImFont* font, float size, ImVec2 anchor, const std::string& text,
                          float max_w, ImVec2 clip_min, ImVec2 clip_max, const std::vector<Box>& avoid) {
  const float pad = size * 0.45f;
  const float gap = size * 1.1f;
  // The shape too is chosen: the usual width, or wider and flatter (a short strip of free map,
  // such as under the regions, may hold it where the usual shape would cover a title).
  const float widest = std::max(max_w, clip_max.x - clip_min.x - 8.0f - pad * 2.0f);
  const float widths[] = {max_w, std::min(widest, max_w * 1.5f), std::min(widest, max_w * 2.1f)};
  std::vector<MapState::Line> lines;  // a copy: a later wrapped() may clear the cache
  const std::vector<MapBox> model_avoid = mboxes(avoid);
  std::size_t prev_count = 0;
  float bw = 0.0f;
  float bh = 0.0f;
  ImVec2 best;
  float best_cost = 1e30f;
  for (std::size_t wi = 0; wi < std::size(widths); ++wi) {
    if (wi > 0 && widths[wi] <= widths[wi - 1] + 1.0f) continue;
    const auto& ls = wrapped(ms, font, size, text, widths[wi]);
    float w = 0.0f;
    float h = 0.0f;
    for (const auto& l : ls) {
      w = std::max(w, l.size.x);
      h += l.size.y;
    }
    if (wi > 0 && ls.size() >= prev_count) continue;  // no flatter than the narrower shape
    prev_count = ls.size();
    const float cw = w + pad * 2.0f;
    const float ch = h + pad * 2.0f;
    // A wider shape must do clearly better than the usual one.
    const float extra = wi == 0 ? 0.0f : cw * ch * 0.01f * static_cast<float>(wi);
    const auto [pa, cost] = place_bubble(vec(anchor), cw, ch, gap, vec(clip_min), vec(clip_max), model_avoid);
    const ImVec2 a(pa.x, pa.y);
    if (cost + extra < best_cost - 0.5f) {
      best_cost = cost + extra;
      best = a;
      lines = ls;
      bw = cw;
      bh = ch;
    }
  }
  if (lines.empty()) return std::nullopt;
  const ImVec2 a = best;
  const ImVec2 b(a.x + bw, a.y + bh);
  // A map too crowded to hold it in free space near its anchor: the narration strip says the
  // same thing ("On the wire: ..." or the record's own line), so it hides no host, label or
  // title for it, and neither does its tail (which may only touch what it points at).
  const MapBox drawn{vec(a), vec(b)};
  for (const auto& o : model_avoid) {
    if (covers(drawn, o)) return std::nullopt;
  }
  const ImVec2 edge(std::clamp(anchor.x, a.x + pad, b.x - pad), std::clamp(anchor.y, a.y, b.y));
  for (const auto& o : avoid) {
    if (anchor.x >= o.a.x - 2.0f && anchor.x <= o.b.x + 2.0f && anchor.y >= o.a.y - 2.0f && anchor.y <= o.b.y + 2.0f)
      continue;  // what the tail points at
    // Sampled along the tail: enough for boxes of at least a few pixels.
    for (int k = 1; k < 16; ++k) {
      const float t = static_cast<float>(k) / 16.0f;
      const ImVec2 q(edge.x + (anchor.x - edge.x) * t, edge.y + (anchor.y - edge.y) * t);
      if (q.x > o.a.x && q.x < o.b.x && q.y > o.a.y && q.y < o.b.y) return std::nullopt;
    }
  }
  // The tail: from the bubble's nearest edge point to the anchor.
  if (anchor.x < a.x || anchor.x > b.x || anchor.y < a.y || anchor.y > b.y) {
    dl->AddLine(edge, anchor, rgb(theme::kInk), 2.0f);
    dl->AddCircleFilled(anchor, 3.5f, rgb(theme::kInk));
  }
  dl->AddRectFilled(ImVec2(a.x + 3, a.y + 3), ImVec2(b.x + 3, b.y + 3), IM_COL32(0, 0, 0, 40), size * 0.4f);
  dl->AddRectFilled(a, b, rgb(theme::kBubbleFill), size * 0.4f);
  dl->AddRect(a, b, rgb(theme::kInk), size * 0.4f, 0, 2.0f);
  float y = a.y + pad;
  for (const auto& l : lines) {
    dl->AddText(font, size, ImVec2(a.x + pad, y), rgb(theme::kInk), l.text.c_str());
    y += l.size.y;
  }
  return Box{a, b};
}

// Octets in the unit of `unit_of` (or of n): "677 B", "3.3 KB", "2 MB"; `with_unit` false drops the unit.
std::string size_text(std::uint64_t n, std::uint64_t unit_of, bool with_unit = true) {
  const std::uint64_t u = unit_of != 0 ? unit_of : n;
  const char* unit = "B";
  double v = static_cast<double>(n);
  if (u >= (std::uint64_t{1} << 20)) {
    unit = "MB";
    v /= 1048576.0;
  } else if (u >= 1024) {
    unit = "KB";
    v /= 1024.0;
  }
  char buf[32];
  if (std::string(unit) == "B" || v >= 100.0 || std::abs(v - std::round(v)) < 0.05) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  }
  return with_unit ? std::string(buf) + " " + unit : std::string(buf);
}

// What the mouse is over among the mail marks of the map.
struct MailTip {
  enum class Kind { None, Mailboxes, Queue, Device } kind = Kind::None;
  std::string host;
};

bool inside(ImVec2 p, const Box& b) { return p.x >= b.a.x && p.x <= b.b.x && p.y >= b.a.y && p.y <= b.b.y; }

// A rounded label with an optional envelope glyph in front; returns its box.
Box badge(ImDrawList* dl, ImFont* font, float size, ImVec2 at, const std::string& text, ImU32 fg, ImU32 bg,
          bool envelope_glyph) {
  const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, text.c_str());
  const float pad = size * 0.3f;
  const float glyph = envelope_glyph ? size * 1.1f : 0.0f;
  const ImVec2 a = at;
  const ImVec2 b(at.x + ts.x + pad * 2.0f + glyph, at.y + ts.y + pad * 0.8f);
  dl->AddRectFilled(a, b, bg, size * 0.35f);
  dl->AddRect(a, b, rgb(0xFFFFFF), size * 0.35f, 0, 1.0f);
  if (envelope_glyph) icons::envelope(dl, ImVec2(a.x + pad + glyph * 0.42f, (a.y + b.y) * 0.5f), glyph * 0.85f, rgb(0xFFFFFF));
  dl->AddText(font, size, ImVec2(a.x + pad + glyph, a.y + pad * 0.4f), fg, text.c_str());
  return {a, b};
}

// Mail marks of one host, stacked in a column beside the icon (on the side away from the
// network's router) and centred on it: a queue badge when the MTA holds mail, then a row per
// mailbox user (a fill gauge when the user has a quota, else the number of messages), then
// what the store last refused. A device gets a badge with the number of messages it shows.
// The column ends above `bottom` (the top of the host's label where the label reaches under
// it) and, if it can, starts below `top` (the label of the host above). Where there is no room beside the icon (a grid cell) only a device's badge is drawn,
// above the icon. Adds what it drew to `avoid`; sets `tip` when the mouse is over it.
// What the IMAP flags say of a mailbox, after its count: " (1 unread)", " (1 unread, 1 deleted)".
// "+2 more mailboxes": the mailbox rows left out of a column (they count mailboxes, not
// messages or people; the tooltip and the Inspector list them all).
std::string more_mailboxes_text(AppState& app, std::size_t n) {
  return format_text(app.tr(n == 1 ? "map.more_mailbox" : "map.more_mailboxes"), {{"n", std::to_string(n)}});
}

std::string flag_suffix(AppState& app, const MailboxState& mb) {
  const auto unread = mb.unread_count();
  const auto deleted = mb.deleted_count();
  if (unread == 0 && deleted == 0) return {};
  std::string parts;
  if (unread > 0) parts = format_text(app.tr("map.unread"), {{"n", std::to_string(unread)}});
  if (deleted > 0) {
    if (!parts.empty()) parts += app.tr("map.flag_sep");
    parts += format_text(app.tr("map.deleted"), {{"n", std::to_string(deleted)}});
  }
  return format_text(app.tr("map.flags"), {{"flags", parts}});
}

void mail_marks(AppState& app, ImDrawList* dl, ImFont* font, float fs, const HostPlace& h, ImVec2 c, float icon,
                float side_room, bool right_side, float top, float bottom, std::optional<ImVec2> mouse,
                std::vector<Box>& avoid,
                MailTip& tip, ImU32 plate = 0, float right_edge = 1e9f) {
  const auto& mail = app.view.mail;
  const float least = min_text(app, fs);
  const float small = std::max(fs * 0.78f, least);
  const float room = side_room;  // never more: a mark past the region's side reads as another network's
  const float x0 = right_side ? c.x + icon * 0.72f : c.x - icon * 0.72f;
  const bool column = side_room >= fs * 2.0f;

  struct Row {
    enum class Kind { Device, Queue, Gauge, Count, Refused, More } kind;
    std::string text;
    const MailboxState* mb = nullptr;
  };
  std::vector<Row> rows;
  const auto* d = mail.device(h.id);
  const bool device_badge = d && !d->items.empty();
  if (device_badge && column) rows.push_back({Row::Kind::Device, std::to_string(d->items.size())});
  const auto* q = mail.queue(h.id);
  if (q && !q->entries.empty()) {
    rows.push_back({Row::Kind::Queue, format_text(app.tr("map.queue_badge"), {{"n", std::to_string(q->entries.size())}})});
  }
  const auto boxes = mail.mailboxes_of(h.id);
  constexpr std::size_t kMaxUsers = 3;
  for (std::size_t i = 0; i < boxes.size() && i < kMaxUsers; ++i) {
    const auto* mb = boxes[i];
    if (mb->quota_limit != 0) {
      rows.push_back({Row::Kind::Gauge,
                      mb->user + " " + size_text(mb->quota_used, mb->quota_limit, false) + "/" +
                          size_text(mb->quota_limit, mb->quota_limit),
                      mb});
    } else {
      rows.push_back({Row::Kind::Count,
                      format_text(app.tr("map.mailbox_count"),
                                  {{"user", mb->user}, {"n", std::to_string(mb->message_count())}}) +
                          flag_suffix(app, *mb),
                      mb});
    }
    if (mb->refused_record) {
      rows.push_back({Row::Kind::Refused, format_text(app.tr("map.refused_short"), {{"size", size_text(mb->refused_size, 0)}}), mb});
    }
  }
  if (boxes.size() > kMaxUsers) {
    rows.push_back({Row::Kind::More, more_mailboxes_text(app, boxes.size() - kMaxUsers)});
  }
  if (!column) rows.clear();

  if (!rows.empty()) {
    // On a plate (where links may pass beside the icon, as in a row): drawn under the marks.
    if (plate != 0) {
      dl->ChannelsSplit(2);
      dl->ChannelsSetCurrent(1);
    }
    // One type size for the column: shrink (to 62% of the map's type) before running past the network's edge.
    float widest = 0.0f;
    for (const auto& r : rows) {
      const float extra = r.kind == Row::Kind::Queue || r.kind == Row::Kind::Device ? small * 1.7f
                          : r.kind == Row::Kind::Count                              ? small * 1.05f
                                                                                    : 0.0f;
      widest = std::max(widest, font->CalcTextSizeA(small, 1e9f, 0.0f, r.text.c_str()).x + extra);
    }
    float row_fs = widest > room ? std::max(least, small * room / widest) : small;
    // Still too wide at the smallest type: the user's name is left out (never cut: "shir… 1"
    // reads as another name); the count and the gauge stay, the tooltip names the owner.
    auto text_w = [&](const std::string& t) { return font->CalcTextSizeA(row_fs, 1e9f, 0.0f, t.c_str()).x; };
    for (auto& r : rows) {
      if (r.kind != Row::Kind::Count && r.kind != Row::Kind::Gauge) continue;
      const float glyph = r.kind == Row::Kind::Count ? row_fs * 1.05f : 0.0f;
      if (text_w(r.text) + glyph <= room) continue;
      auto with_user = [&](const std::string& user) {
        return r.kind == Row::Kind::Gauge
                   ? user + (user.empty() ? "" : " ") + size_text(r.mb->quota_used, r.mb->quota_limit, false) + "/" +
                         size_text(r.mb->quota_limit, r.mb->quota_limit)
                   : format_text(app.tr("map.mailbox_count"), {{"user", user}, {"n", std::to_string(r.mb->message_count())}}) +
                         flag_suffix(app, *r.mb);
      };
      r.text = with_user(std::string());
      r.text.erase(0, r.text.find_first_not_of(' '));  // "{user} {n}" without its user
    }
    // Still too wide (a narrow region, a row's neighbour close by): the shorter forms — a count
    // without its flags, the queue's number alone (the badge's colour and envelope say what it
    // counts), "+N" — and a row that does not fit even so is left out (the tooltip and the
    // Inspector still list it). A mark never runs past the region's side.
    auto row_w = [&](const Row& r) {
      const float extra = r.kind == Row::Kind::Queue || r.kind == Row::Kind::Device ? row_fs * 1.7f
                          : r.kind == Row::Kind::Count                              ? row_fs * 1.05f
                                                                                    : 0.0f;
      return text_w(r.text) + extra;
    };
    std::size_t left_out = 0;  // mailbox rows left out for their width
    for (auto it = rows.begin(); it != rows.end();) {
      if (row_w(*it) > room && it->kind == Row::Kind::Count)
        it->text = format_text(app.tr("map.mailbox_count"), {{"user", ""}, {"n", std::to_string(it->mb->message_count())}});
      if (it->kind == Row::Kind::Count) it->text.erase(0, it->text.find_first_not_of(' '));
      if (row_w(*it) > room && it->kind == Row::Kind::Queue) it->text = std::to_string(q->entries.size());
      if (row_w(*it) > room && it->kind == Row::Kind::More) it->text = "+" + std::to_string(boxes.size() - kMaxUsers);
      if (row_w(*it) > room) {
        if (it->kind == Row::Kind::Count || it->kind == Row::Kind::Gauge) ++left_out;
        it = rows.erase(it);
        continue;
      }
      ++it;
    }
    if (left_out > 0) {
      const std::size_t n = left_out + (boxes.size() > kMaxUsers ? boxes.size() - kMaxUsers : 0);
      if (!rows.empty() && rows.back().kind == Row::Kind::More) rows.pop_back();
      Row more{Row::Kind::More, more_mailboxes_text(app, n)};
      if (row_w(more) > room) more.text = "+" + std::to_string(n);
      if (row_w(more) <= room) rows.push_back(std::move(more));
    }
    auto height_of = [&](const Row& r) {
      const float bar_h = std::max(3.0f, row_fs * 0.28f);
      return r.kind == Row::Kind::Gauge                                  ? row_fs * 1.1f + bar_h + 3.0f
             : r.kind == Row::Kind::Queue || r.kind == Row::Kind::Device ? row_fs * 1.45f
                                                                         : row_fs * 1.15f;
    };
    float total_h = 0.0f;
    for (const auto& r : rows) total_h += height_of(r);
    if (total_h > bottom - top && bottom > top) {
      // Squeezed between the title (or the label above) and the label below: smaller type.
      row_fs = std::max(least, std::min(row_fs, row_fs * (bottom - top) / total_h));
      total_h = 0.0f;
      for (const auto& r : rows) total_h += height_of(r);
    }
    if (bottom <= top) rows.clear();  // no room at all between the label above and the one below
    if (bottom > top && total_h > bottom - top) {
      // Still too tall at the least type: the last mailboxes give way to "+N more" (the
      // tooltip and the Inspector list them all), so the column never runs into a label.
      std::size_t more = (boxes.size() > kMaxUsers ? boxes.size() - kMaxUsers : 0) + left_out;
      if (!rows.empty() && rows.back().kind == Row::Kind::More) rows.pop_back();
      auto more_row = [&] {
        std::string t = more_mailboxes_text(app, more);
        if (text_w(t) > room) t = "+" + std::to_string(more);  // the tooltip says what they are
        return Row{Row::Kind::More, t};
      };
      auto only_badges = [&] {
        return std::all_of(rows.begin(), rows.end(),
                           [](const Row& r) { return r.kind == Row::Kind::Queue || r.kind == Row::Kind::Device; });
      };
      auto height_with_more = [&] {
        float t = more > 0 ? height_of(more_row()) : 0.0f;
        for (const auto& r : rows) t += height_of(r);
        return t;
      };
      // Mailbox rows give way first (from the last); the queue and device badges, which
      // count messages, stay while anything can.
      while (!rows.empty() && height_with_more() > bottom - top) {
        if (only_badges() && more > 0) {
          // Only the message counts are left: they stay, and the "+N more mailboxes" row gives way.
          more = 0;
          continue;
        }
        auto at = rows.end();
        for (auto it = rows.begin(); it != rows.end(); ++it)
          if (it->kind != Row::Kind::Queue && it->kind != Row::Kind::Device) at = it;
        if (at == rows.end()) at = rows.end() - 1;
        const auto k = at->kind;
        rows.erase(at);
        if (k == Row::Kind::Count || k == Row::Kind::Gauge) ++more;
      }
      if (more > 0 && height_with_more() <= bottom - top && text_w(more_row().text) <= room) rows.push_back(more_row());
      total_h = 0.0f;
      for (const auto& r : rows) total_h += height_of(r);
    }
    float y = std::max(std::min(c.y - total_h * 0.5f, bottom - total_h), top);
    const float bar_h = std::max(3.0f, row_fs * 0.28f);
    Box all{ImVec2(1e9f, 1e9f), ImVec2(-1e9f, -1e9f)};
    auto grow = [&](float l, float t, float r, float b) {
      all.a = ImVec2(std::min(all.a.x, l), std::min(all.a.y, t));
      all.b = ImVec2(std::max(all.b.x, r), std::max(all.b.y, b));
    };
    for (const auto& r : rows) {
      const ImVec2 ts = font->CalcTextSizeA(row_fs, 1e9f, 0.0f, r.text.c_str());
      const float h_row = height_of(r);
      if (r.kind == Row::Kind::Queue || r.kind == Row::Kind::Device) {
        const bool device = r.kind == Row::Kind::Device;
        const bool deferred = !device && q->deferred_count() > 0;
        const float w = ts.x + row_fs * 0.6f + row_fs * 1.1f;
        // A badge wider than the room beside the icon moves in towards it, never past the
        // region's side (pc-breaks, ja, 1024x640 at scale 2: the phone's badge stuck out).
        const float left = right_side ? std::min(x0, x0 + room - w) : std::max(x0 - w, x0 - room);
        const ImU32 bg = device ? theme::packet_colour(PacketClass::Pop3) : rgb(deferred ? theme::kBlock : 0x0072B2u);
        const Box b = badge(dl, font, row_fs, ImVec2(left, y), r.text, rgb(0xFFFFFF), bg, true);
        grow(b.a.x, b.a.y, b.b.x, b.b.y);
        if (mouse && inside(*mouse, b)) tip = {device ? MailTip::Kind::Device : MailTip::Kind::Queue, h.id};
        y += h_row;
        continue;
      }
      const float glyph = r.kind == Row::Kind::Count ? row_fs * 1.05f : 0.0f;
      const float w = std::min(room, std::max(ts.x + glyph, r.kind == Row::Kind::Gauge ? fs * 3.5f : 0.0f));
      const float left = right_side ? x0 : x0 - w;
      ImU32 ink = rgb(theme::kInk);
      if (r.kind == Row::Kind::Gauge) {
        const double f = r.mb->fill();
        const bool refused = r.mb->refused_record.has_value();
        const unsigned colour = f >= 1.0 || refused ? theme::kBlock : f >= 0.8 ? 0xE69F00u : 0x009E73u;
        if (f >= 0.8 || refused) ink = rgb(theme::kBlock);
        const ImVec2 ba(left, y + row_fs * 1.1f);
        const ImVec2 bb(left + w, ba.y + bar_h);
        dl->AddRectFilled(ba, bb, rgb(0xD8DCE0), 2.0f);
        const float fw = w * static_cast<float>(std::clamp(f, 0.0, 1.0));
        if (fw > 0.5f) dl->AddRectFilled(ba, ImVec2(ba.x + fw, bb.y), rgb(colour), 2.0f);
        if (refused) dl->AddRect(ImVec2(ba.x - 1, ba.y - 1), ImVec2(bb.x + 1, bb.y + 1), rgb(theme::kBlock), 2.0f, 0, 1.5f);
      } else if (r.kind == Row::Kind::Count) {
        icons::envelope(dl, ImVec2(left + glyph * 0.45f, y + ts.y * 0.55f), glyph * 0.9f,
                        r.mb->message_count() > 0 ? theme::packet_colour(PacketClass::Smtp) : rgb(0xB0B6BC));
      } else if (r.kind == Row::Kind::Refused) {
        ink = rgb(theme::kBlock);
      } else {
        ink = rgb(theme::kInkSoft);
      }
      dl->AddText(font, row_fs, ImVec2(left + glyph, y), ink, r.text.c_str());
      grow(left, y, left + w, y + h_row);
      y += h_row;
    }
    if (plate != 0) {
      dl->ChannelsSetCurrent(0);
      dl->AddRectFilled(ImVec2(all.a.x - 2.0f, all.a.y - 1.0f), ImVec2(all.b.x + 2.0f, all.b.y + 1.0f), plate, 3.0f);
      dl->ChannelsMerge();
    }
    if (!rows.empty()) avoid.push_back(all);
    if (!rows.empty() && mouse && inside(*mouse, all) && tip.kind == MailTip::Kind::None) tip = {MailTip::Kind::Mailboxes, h.id};
  }

  // A device without room beside it: how many messages its mail program shows, above the icon.
  if (device_badge && !column) {
    const std::string text = std::to_string(d->items.size());
    // Towards the icon's centre where the room to the region's side is short (pc-breaks, ja,
    // 1024x640 at scale 2: the phone's badge stuck out of its network).
    float bx = c.x + icon * 0.3f;
    const float w = font->CalcTextSizeA(small, 1e9f, 0.0f, text.c_str()).x + small * 0.6f + small * 1.1f;
    bx = std::max(std::min(bx, right_edge - w), c.x - w * 0.5f);
    const Box b = badge(dl, font, small, ImVec2(bx, c.y - icon * 0.62f - small * 1.2f), text,
                        rgb(0xFFFFFF), theme::packet_colour(PacketClass::Pop3), true);
    avoid.push_back(b);
    if (mouse && inside(*mouse, b)) tip = {MailTip::Kind::Device, h.id};
  }
}

void mail_tooltip(AppState& app, const MailTip& tip) {
  const auto& mail = app.view.mail;
  const auto& letters = app.model.mail().letters();
  auto subject_of = [&](std::size_t letter, const std::string& fallback) {
    if (letter < letters.size() && !letters[letter].subject.empty()) return letters[letter].subject;
    return fallback;
  };
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(app.host_name(tip.host).c_str());
  if (tip.kind == MailTip::Kind::Mailboxes) {
    for (const auto* mb : mail.mailboxes_of(tip.host)) {
      const std::string quota =
          mb->quota_limit == 0
              ? std::string(app.tr("map.no_quota"))
              : size_text(mb->quota_used, 0) + " / " + size_text(mb->quota_limit, 0);
      ImGui::Text("%s: %s  (%s)", mb->user.c_str(),
                  format_text(app.tr("map.messages"), {{"n", std::to_string(mb->message_count())}}).c_str(),
                  quota.c_str());
      if (mb->refused_record) {
        ImGui::TextColored(ImColor(rgb(theme::kBlock)).Value, "  %s",
                           format_text(app.tr("map.refused"), {{"size", size_text(mb->refused_size, 0)},
                                                               {"reason", mb->refused_reason}})
                               .c_str());
      }
    }
  } else if (tip.kind == MailTip::Kind::Queue) {
    if (const auto* q = mail.queue(tip.host)) {
      for (const auto& e : q->entries) {
        std::string to;
        for (const auto& r : e.recipients) to += (to.empty() ? "" : ", ") + r;
        std::string state = e.deferred ? format_text(app.tr("map.retry_at"), {{"n", std::to_string(e.attempts)},
                                                                             {"time", clock_text(app.japanese(), e.retry_at)}})
                                       : std::string(app.tr("map.waiting"));
        ImGui::Text("%s  \"%s\" -> %s", e.queue_id.c_str(), subject_of(e.letter, e.subject).c_str(), to.c_str());
        ImGui::TextDisabled("    %s", state.c_str());
      }
    }
  } else if (tip.kind == MailTip::Kind::Device) {
    if (const auto* d = mail.device(tip.host)) {
      for (const auto& it : d->items) {
        ImGui::Text("%s %s", it.seen ? " " : "*", it.subject.c_str());
      }
    }
  }
  ImGui::TextDisabled("%s", app.tr("map.click_inspect"));
  ImGui::EndTooltip();
}

float legend(AppState& app, ImDrawList* dl, ImVec2 min, ImVec2 max, bool measure_only) {
  ImFont* font = ImGui::GetFont();
  // A compact screen's map shorter than twelve lines (1280x720 or 1024x640 at scale 2) has no row
  // to spare: its hosts' names come first (the packets' own labels say what they carry).
  if (app.compact && max.y - min.y < ImGui::GetFontSize() * 12.0f) return 0.0f;
  const float size = ImGui::GetFontSize() * 0.85f;
  const float sw = size * 1.3f;  // swatch width
  struct Entry {
    int kind;  // 0..5 packet classes, 6 block, 7 TLS
    std::string text;
  };
  std::vector<Entry> entries;
  for (int c = 0; c < kPacketClassCount; ++c) {
    entries.push_back({c, app.tr(legend_key(static_cast<PacketClass>(c)))});
  }
  entries.push_back({6, app.tr("legend.block")});
  entries.push_back({7, app.tr("legend.tls")});
  const float spacing = size * 0.9f;
  const float row_h = size * 1.45f;
  float rows = 1.0f;
  std::vector<ImVec2> where;
  auto arrange = [&] {
    float x = min.x + size * 0.6f;
    rows = 1.0f;
    where.clear();
    for (const auto& e : entries) {
      const float w = sw + size * 0.4f + font->CalcTextSizeA(size, 1e9f, 0.0f, e.text.c_str()).x;
      if (x + w > max.x - size * 0.6f && x > min.x + size) {
        x = min.x + size * 0.6f;
        rows += 1.0f;
      }
      where.emplace_back(x, rows);
      x += w + spacing;
    }
  };
  arrange();
  // A short map (a projector's scale): the legend gives way to the map. Its entries lose what
  // is in brackets ("SMTP (25/465/587)" -> "SMTP"; the ports are in the tooltip), so that it
  // takes one row where it can instead of a third of the map.
  bool short_form = false;
  if (rows > 1.0f && (rows * row_h + size * 0.6f) > (max.y - min.y) * 0.16f) {
    short_form = true;
    for (auto& e : entries) {
      auto cut = std::min(e.text.find(" ("), e.text.find("\xEF\xBC\x88"));  // " (" or a full-width "（"
      if (cut != std::string::npos && cut > 0) e.text.erase(cut);
    }
    arrange();
  }
  if (rows > 1.0f && (rows * row_h + size * 0.6f) > (max.y - min.y) * 0.16f) {
    // Still more than a row: only what this lesson's packets are (a lesson without TLS needs no
    // padlock in its legend).
    MapState& ms = app.map;
    if (ms.legend_run != app.run_serial) {
      ms.legend_run = app.run_serial;
      ms.legend_kinds = 0;
      for (const auto& r : app.model.records()) {
        if (r.kind != sim::RecordKind::Packet || !r.packet) continue;
        ms.legend_kinds |= 1u << static_cast<unsigned>(classify_packet(r));
        if (!r.packet->blocked_by.empty()) ms.legend_kinds |= 1u << 6;
        if (r.packet->tls) ms.legend_kinds |= 1u << 7;
      }
    }
    if (ms.legend_kinds != 0) {
      std::erase_if(entries, [&](const Entry& e) { return (ms.legend_kinds & (1u << static_cast<unsigned>(e.kind))) == 0; });
      arrange();
    }
  }
  const float height = rows * row_h + size * 0.6f;
  if (measure_only) return height;
  if (short_form && !app.headless && ImGui::IsMouseHoveringRect(ImVec2(min.x, max.y - height), max)) {
    ImGui::BeginTooltip();
    for (int c = 0; c < kPacketClassCount; ++c) ImGui::TextUnformatted(app.tr(legend_key(static_cast<PacketClass>(c))));
    ImGui::TextUnformatted(app.tr("legend.block"));
    ImGui::TextUnformatted(app.tr("legend.tls"));
    ImGui::EndTooltip();
  }
  const ImVec2 top(min.x, max.y - height);
  dl->AddRectFilled(top, max, rgb(0xFFFFFF, 235));
  dl->AddLine(top, ImVec2(max.x, top.y), rgb(0xD0D7DE), 1.0f);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ImVec2 p(where[i].x, top.y + size * 0.3f + (where[i].y - 1.0f) * row_h);
    const ImVec2 c(p.x + sw * 0.5f, p.y + row_h * 0.5f);
    const int k = entries[i].kind;
    if (k == static_cast<int>(PacketClass::TcpControl)) {
      icons::control_tag(dl, c, sw, theme::packet_colour(PacketClass::TcpControl));
    } else if (k < kPacketClassCount) {
      icons::envelope(dl, c, sw, theme::packet_colour(static_cast<PacketClass>(k)));
    } else if (k == 6) {
      icons::cross(dl, c, sw * 0.7f, rgb(theme::kBlock));
    } else {
      icons::padlock(dl, ImVec2(c.x, c.y - sw * 0.12f), sw * 0.8f, rgb(theme::kInk));
    }
    const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, entries[i].text.c_str());
    dl->AddText(font, size, ImVec2(p.x + sw + size * 0.4f, c.y - ts.y * 0.5f), rgb(theme::kInk),
                entries[i].text.c_str());
  }
  return height;
}

}  // namespace

void network_map(AppState& app) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGuiIO& io = ImGui::GetIO();
  ImFont* font = ImGui::GetFont();
  const float fs = ImGui::GetFontSize();
  const float least_px = min_text(app, fs);  // the smallest type of any label
  const ImVec2 min = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.x = std::max(avail.x, 50.0f);
  avail.y = std::max(avail.y, 50.0f);
  const ImVec2 max(min.x + avail.x, min.y + avail.y);
  ImGui::InvisibleButton("##map", avail, ImGuiButtonFlags_MouseButtonLeft);
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  const bool pressed = ImGui::IsItemActivated();
  const bool released = ImGui::IsItemDeactivated();
  MapState& ms = app.map;

  ms.placed.clear();
  dl->PushClipRect(min, max, true);
  dl->AddRectFilled(min, max, rgb(theme::kMapBg));
  const auto& layout = app.model.layout();
  if (layout.hosts().empty()) {
    const std::string msg = app.tr("map.empty");
    centred_text(ms, dl, font, fs, ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f - fs), msg, avail.x * 0.8f,
                 rgb(theme::kInkSoft));
    dl->PopClipRect();
    return;
  }

  // Fit the world into the area above the legend, then apply the user's zoom and pan. The fit
  // is that of the automatic layout, so dragging a host or a region never rescales the map.
  // A compact map with no legend row (1024x640 at scale 2) keeps one line at its bottom for an
  // eavesdropper's capture, the TLS lessons' key moment: such a map has no free spot for it
  // otherwise. Kept at every step of the lesson, so the map does not jump when a capture starts.
  const bool observer = std::any_of(layout.hosts().begin(), layout.hosts().end(),
                                    [](const auto& h) { return h.kind == "observer"; });
  const float legend_row = legend(app, dl, min, max, true);
  const float capture_h =
      legend_row == 0.0f && app.compact && observer && avail.y < fs * 12.0f ? least_px * 1.24f + 8.0f : 0.0f;
  // Everything of the map keeps above the legend and that strip.
  const float legend_h = legend_row + capture_h;
  // The area the world is fitted into: the map above the legend, less the strip kept for the key
  // of hosts when some host's label finds no room (planned below, then fitted again).
  ImVec2 area_min(min.x + fs, min.y + fs * 0.5f);
  ImVec2 area_max(max.x - fs, max.y - legend_h - fs * 0.5f);
  const Rect b = layout.bounds();
  const float pad_top = 70.0f;   // shields and policy labels above routers
  const float pad_bottom = 30.0f;
  const float world_w = b.width() + 40.0f;
  const float world_h = b.height() + pad_top + pad_bottom;
  constexpr float kMaxStretch = 2.4f;  // how far one axis may stretch beyond the other
  auto fit_of = [&](ImVec2 a, ImVec2 c) { return std::min((c.x - a.x) / world_w, (c.y - a.y) / world_h); };
  View v;
  auto fit_view = [&]() {
    const float fit_x = (area_max.x - area_min.x) / world_w;
    const float fit_y = (area_max.y - area_min.y) / world_h;
    const float fit = std::min(fit_x, fit_y);
    v.scale = std::max(0.01f, fit * app.zoom);
    v.sx = std::max(0.01f, std::min(fit_x, fit * kMaxStretch) * app.zoom);
    v.sy = std::max(0.01f, std::min(fit_y, fit * kMaxStretch) * app.zoom);
    v.centre = {b.center().x, b.center().y + (pad_bottom - pad_top) * 0.5f};
    v.origin = ImVec2((area_min.x + area_max.x) * 0.5f + app.pan.x, (area_min.y + area_max.y) * 0.5f + app.pan.y);
  };
  fit_view();

  if (hovered && io.MouseWheel != 0.0f) {
    const float old = app.zoom;
    app.zoom = std::clamp(app.zoom * std::pow(1.15f, io.MouseWheel), 0.3f, 12.0f);
    // Keep the point under the mouse where it is.
    const float k = app.zoom / old;
    const ImVec2 base((area_min.x + area_max.x) * 0.5f, (area_min.y + area_max.y) * 0.5f);
    app.pan.x = (io.MousePos.x - base.x) - (io.MousePos.x - base.x - app.pan.x) * k;
    app.pan.y = (io.MousePos.y - base.y) - (io.MousePos.y - base.y - app.pan.y) * k;
  }

  const bool ja = app.japanese();
  // Icons: by the map's scale, and never larger than the room between neighbouring hosts
  // (a crowded world's hosts stand close together in grids); hosts stacked close leave half
  // of a row to the icon, the rest to the name under it.
  float s = 0.0f;
  float icon = 0.0f;
  float router_s = 0.0f;
  auto size_icons = [&]() {
    s = v.scale;
    float min_cell = Layout::kHostSpacing * v.sy;
    for (const auto& n : layout.networks()) min_cell = std::min(min_cell, (n.cell_width + 10.0f) * v.sx);
    icon = std::max(8.0f, std::min({std::clamp(Layout::kIconSize * s, 22.0f, 110.0f), min_cell * 0.62f,
                                    std::max(16.0f, Layout::kHostSpacing * v.sy * 0.5f)}));
    router_s = std::min(std::clamp(26.0f * s, 14.0f, 34.0f), std::max(8.0f, icon * 0.8f));
  };
  size_icons();
  auto to_world = [&](ImVec2 p) {
    return Vec2{v.centre.x + (p.x - v.origin.x) / v.sx, v.centre.y + (p.y - v.origin.y) / v.sy};
  };
  // What is under a point: a host's icon, else a region's title strip.
  auto host_under = [&](ImVec2 p) -> const HostPlace* {
    for (auto it = layout.hosts().rbegin(); it != layout.hosts().rend(); ++it) {
      const ImVec2 c = v.to_screen(it->pos);
      if (std::abs(p.x - c.x) < icon * 0.6f && std::abs(p.y - c.y) < icon * 0.6f) return &*it;
    }
    return nullptr;
  };
  auto title_strip = [&](const NetworkPlace& n) {
    const ImVec2 a = v.to_screen(n.box.min);
    const ImVec2 c = v.to_screen(n.box.max);
    const float h = std::min(c.y - a.y, std::max(fs * 1.6f, Layout::kHeader * v.sy * 0.8f));
    return Box{a, ImVec2(c.x, a.y + h)};
  };
  auto region_under = [&](ImVec2 p) -> const NetworkPlace* {
    // Networks before the Internet (it is drawn first and spans the whole height).
    for (const auto& n : layout.networks()) {
      if (n.kind != "internet" && inside(p, title_strip(n))) return &n;
    }
    for (const auto& n : layout.networks()) {
      if (n.kind == "internet" && inside(p, title_strip(n))) return &n;
    }
    return nullptr;
  };

  // Dragging: a host's icon moves the host (inside its region), a region's title strip moves
  // the region with its hosts and router, anywhere else pans. A press that does not pass
  // ImGui's drag threshold is a click (it selects the host on release).
  if (pressed) {
    const ImVec2 at = io.MouseClickedPos[ImGuiMouseButton_Left];
    ms.drag = MapState::Drag::Pan;
    ms.drag_id.clear();
    ms.dragged = false;
    if (const auto* h = host_under(at)) {
      ms.drag = MapState::Drag::Host;
      ms.drag_id = h->id;
      ms.grab = h->pos - to_world(at);
    } else if (const auto* n = region_under(at)) {
      ms.drag = MapState::Drag::Network;
      ms.drag_id = n->id;
      ms.grab = n->box.min - to_world(at);
    }
  }
  if (active && ms.drag == MapState::Drag::Pan && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    ms.dragged = true;
    app.pan.x += io.MouseDelta.x;
    app.pan.y += io.MouseDelta.y;
    v.origin = ImVec2(v.origin.x + io.MouseDelta.x, v.origin.y + io.MouseDelta.y);
  } else if (active && (ms.drag == MapState::Drag::Host || ms.drag == MapState::Drag::Network) &&
             ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    ms.dragged = true;
    const Vec2 to = to_world(io.MousePos) + ms.grab;
    const bool moved = ms.drag == MapState::Drag::Host ? layout.move_host(ms.moves, ms.drag_id, to)
                                                       : layout.move_network(ms.moves, ms.drag_id, to);
    if (moved) app.model.set_layout_moves(ms.moves);  // packets follow from the next snapshot
  }
  const bool dragging_item = active && ms.dragged && ms.drag != MapState::Drag::Pan;
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !host_under(io.MousePos) &&
      !region_under(io.MousePos)) {
    // Double-click on the map itself: the automatic layout, fitted.
    app.zoom = 1.0f;
    app.pan = ImVec2(0, 0);
    v.origin = ImVec2((area_min.x + area_max.x) * 0.5f, (area_min.y + area_max.y) * 0.5f);
    if (!ms.moves.empty()) {
      ms.moves.clear();
      app.model.set_layout_moves(ms.moves);
    }
  }
  if (!app.headless && (hovered || active)) {
    if (dragging_item) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
    else if (!active && (host_under(io.MousePos) || region_under(io.MousePos))) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  }

  std::vector<Box> avoid;  // what the speech bubble and packet labels should not cover
  // Nothing of the map runs under the legend.
  dl->PushClipRect(min, ImVec2(max.x, max.y - legend_h), true);

  // Host labels, planned before the regions are drawn. A label goes under its icon, within its
  // region's sides (a grid cell's in a crowded region) and above the next host below it; a
  // region grows downwards on screen to hold its hosts' labels, down to just above the next
  // region below it (or the legend). A label that still does not fit is cut to one line, then
  // loses its IP line (the tooltip has it), then goes: no text ever crosses a region's border.
  struct LabelPlan {
    ImVec2 c;                         // the icon's centre
    float top = 0.0f;                 // where the label's first line starts
    float x = 0.0f;                   // centre of the label's lines
    float size = 0.0f;                // type of the name (0: no label)
    std::vector<std::string> lines;   // the name's lines
    float name_w = 0.0f;
    float ip_size = 0.0f;             // type of the IP line (0: none)
    float ip_w = 0.0f;
    float height = 0.0f;              // name and IP
    bool numbered = false;            // the label is the host's number in the map's key (a pill)
  };
  const auto& nets = layout.networks();
  float clip_bottom = max.y - legend_h - 4.0f;
  std::vector<Box> region_box(nets.size());
  const auto* inet_place = layout.network(kInternetId);
  std::vector<float> grow_limit(nets.size());
  std::vector<float> region_bottom(nets.size());
  const float label_pad = std::max(3.0f, fs * 0.3f);  // between a label and its region's border
  std::vector<LabelPlan> plans(layout.hosts().size());
  std::vector<std::string> number_of(layout.hosts().size());  // a host's number in the key ("" if none)
  auto plan_labels = [&]() {
  for (std::size_t n = 0; n < nets.size(); ++n) region_box[n] = {v.to_screen(nets[n].box.min), v.to_screen(nets[n].box.max)};
  // How far down each region may grow: to a little above the next region below it, and above
  // another region's link to the Internet running under it (through a corridor).
  for (std::size_t n = 0; n < nets.size(); ++n) {
    const Box& r = region_box[n];
    float limit = clip_bottom;
    for (std::size_t o = 0; o < nets.size(); ++o) {
      const Box& q = region_box[o];
      if (o == n || nets[o].kind == "internet" || nets[n].kind == "internet") continue;
      if (q.a.x < r.b.x && q.b.x > r.a.x && q.a.y > r.a.y) limit = std::min(limit, q.a.y - std::max(6.0f, fs * 0.4f));
      if (!inet_place) continue;
      const ImVec2 p = v.to_screen(nets[o].router);
      const ImVec2 q2 = v.to_screen(inet_place->router);
      const float x_lo = std::max(std::min(p.x, q2.x), r.a.x + 1.0f);
      const float x_hi = std::min(std::max(p.x, q2.x), r.b.x - 1.0f);
      if (x_lo >= x_hi || std::abs(q2.x - p.x) < 1.0f) continue;
      auto y_at = [&](float x) { return p.y + (q2.y - p.y) * (x - p.x) / (q2.x - p.x); };
      const float y = std::min(y_at(x_lo), y_at(x_hi));
      if (y > r.a.y) limit = std::min(limit, y - std::max(6.0f, fs * 0.4f));
    }
    grow_limit[n] = std::max(limit, r.b.y);
    region_bottom[n] = r.b.y;
  }
  plans.assign(layout.hosts().size(), LabelPlan{});
  {
    const auto& hs = layout.hosts();
    for (std::size_t k = 0; k < hs.size(); ++k) {
      const auto& h = hs[k];
      const auto* region = layout.region_of(h);
      const auto r = static_cast<std::size_t>(region - nets.data());
      const Box& rb = region_box[r];
      LabelPlan& p = plans[k];
      p.c = v.to_screen(h.pos);
      p.top = p.c.y + icon * 0.58f;
      // Room below: to the next host under this one (in a grid, the next row), and to the
      // lowest the region may reach.
      float room = grow_limit[r] - label_pad - p.top;
      for (std::size_t j = 0; j < hs.size(); ++j) {
        const auto& o = hs[j];
        if (j == k || layout.region_of(o) != region || o.pos.y <= h.pos.y) continue;
        const ImVec2 oc = v.to_screen(o.pos);
        if (std::abs(oc.x - p.c.x) > icon * 1.5f) continue;
        room = std::min(room, oc.y - icon * 0.55f - 2.0f - p.top);
      }
      const bool grid = region->cell_width < Layout::kGridCell;
      const bool celled = grid || region->row;  // hosts side by side: a label keeps to its cell
      // Clear of the router on the region's border too.
      const float router_pad = region->kind == "internet" ? label_pad : std::max(label_pad, router_s * 0.7f);
      const float side_a = region->column == 0 ? label_pad : router_pad;
      const float side_b = region->column == 0 ? router_pad : label_pad;
      const float inner = rb.b.x - rb.a.x - side_a - side_b;
      float label_w = celled ? std::min(region->cell_width * v.sx, inner) : inner;
      if (!number_of[k].empty()) {
        // In the key: its number under the icon, as a pill of the least type (no IP line).
        const ImVec2 ts = font->CalcTextSizeA(least_px, 1e9f, 0.0f, number_of[k].c_str());
        const float pw = ts.x + least_px * 0.7f;
        const float ph = ts.y + least_px * 0.24f;
        if (pw > label_w || ph > room) continue;
        p.numbered = true;
        p.lines = {number_of[k]};
        p.size = least_px;
        p.name_w = pw;
        p.height = ph;
        p.x = std::clamp(p.c.x, rb.a.x + side_a + pw * 0.5f, std::max(rb.a.x + side_a + pw * 0.5f, rb.b.x - side_b - pw * 0.5f));
        region_bottom[r] = std::max(region_bottom[r], std::min(grow_limit[r], p.top + p.height + label_pad));
        continue;
      }
      if (label_w < fs * 3.0f || room < fs * 0.6f) continue;
      const std::string name = app.host_name(h.id);
      // Small maps (many hosts in a short panel) get smaller type; a long name is set smaller
      // (to 80%, in a row 75%) before it wraps.
      const float base_size = s < 0.45f ? fs * 0.85f : fs;
      float size = base_size;
      const float hw = wrapped(ms, font, size, name, 1e9f).front().size.x;
      // In a row, a name wider than its cell may use what the neighbours' shorter labels (which
      // stay centred under their icons) leave free, and the margin at the row's ends.
      float reach_left = label_w * 0.5f;
      float reach_right = label_w * 0.5f;
      if (region->row && hw > label_w) {
        auto own_width = [&](std::size_t j) {
          return std::max(wrapped(ms, font, base_size, app.host_name(hs[j].id), 1e9f).front().size.x,
                          font->CalcTextSizeA(base_size * 0.85f, 1e9f, 0.0f, hs[j].ip.c_str()).x);
        };
        float to_left = p.c.x - (rb.a.x + side_a);
        float to_right = rb.b.x - side_b - p.c.x;
        for (std::size_t j = 0; j < hs.size(); ++j) {
          if (j == k || layout.region_of(hs[j]) != region) continue;
          const float ox = v.to_screen(hs[j].pos).x;
          const float ow = own_width(j);
          const float free = ow <= label_w ? std::abs(ox - p.c.x) - ow * 0.5f - fs * 0.5f : label_w * 0.5f;
          if (ox < p.c.x) to_left = std::min(to_left, free);
          else to_right = std::min(to_right, free);
        }
        reach_left = std::max(reach_left, to_left);
        reach_right = std::max(reach_right, to_right);
        label_w = reach_left + reach_right;
      }
      if (hw > label_w) size = std::max(std::max(least_px, fs * (region->row ? 0.75f : 0.8f)), size * label_w / hw);
      // Where rows are close, the name is set smaller (to 75%) so that one line fits.
      if (size > room && std::max(least_px, fs * 0.75f) <= room) size = room;
      // A name never wraps inside a word ("mail.example.c" / "om"): it breaks after a dot of a
      // host name, with the type shrunk (to 60%) until its widest part fits; else it is shortened.
      bool whole_words = true;
      if (wrapped(ms, font, size, name, label_w, true).size() > 1) {
        const float part = widest_part(font, size, name);
        if (part > label_w) size = std::max(least_px, size * label_w / part);
        whole_words = widest_part(font, size, name) <= label_w + 0.5f;
      }
      const auto& ls = wrapped(ms, font, size, name, label_w, true);
      // Japanese too breaks only between phrases ("迷惑メール業" / "者のPC" is no name).
      if (ls.size() > 1) {
        std::vector<std::string> texts;
        for (const auto& l : ls) texts.push_back(l.text);
        if (!breaks_between_words(texts, name, [&](std::string_view t) {
              return font->CalcTextSizeA(size, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
            }))
          whole_words = false;
      }
      if (whole_words && static_cast<float>(ls.size()) * size <= room) {
        for (const auto& l : ls) {
          p.lines.push_back(l.text);
          p.name_w = std::max(p.name_w, l.size.x);
        }
      } else {
        continue;  // a name cut short names no host: its number and the key say it whole
      }
      p.size = size;
      p.height = static_cast<float>(p.lines.size()) * size;
      const float ip_size = std::max(least_px, size * 0.85f);
      const float ip_w = font->CalcTextSizeA(ip_size, 1e9f, 0.0f, h.ip.c_str()).x;
      if (ip_w <= label_w && p.height + ip_size <= room) {
        p.ip_size = ip_size;
        p.ip_w = ip_w;
        p.height += ip_size;
      }
      // Centred under the icon, slid sideways if that would cross the region's side (or, in a
      // row, reach past what the neighbours leave free).
      const float half = std::max(p.name_w, p.ip_w) * 0.5f;
      p.x = std::clamp(p.c.x, p.c.x - reach_left + half, std::max(p.c.x - reach_left + half, p.c.x + reach_right - half));
      p.x = std::clamp(p.x, rb.a.x + side_a + half, std::max(rb.a.x + side_a + half, rb.b.x - side_b - half));
      // In a column, the link of a host further from the router may pass by the label on its
      // way: the label slides away from the router to clear it (as far as the region allows).
      if (!celled && region->kind != "internet") {
        const ImVec2 rt = v.to_screen(region->router);
        const bool router_left = region->column != 0;
        float clear = router_left ? -1e9f : 1e9f;
        for (std::size_t j = 0; j < hs.size(); ++j) {
          if (j == k || layout.region_of(hs[j]) != region) continue;
          const ImVec2 oc = v.to_screen(hs[j].pos);
          const float y0 = std::max(p.top, std::min(oc.y, rt.y));
          const float y1 = std::min(p.top + p.height, std::max(oc.y, rt.y));
          if (y0 > y1 || std::abs(oc.y - rt.y) < 1.0f) continue;
          for (const float y : {y0, y1}) {
            const float x = rt.x + (oc.x - rt.x) * (y - rt.y) / (oc.y - rt.y);
            clear = router_left ? std::max(clear, x + 3.0f) : std::min(clear, x - 3.0f);
          }
        }
        if (router_left && p.x - half < clear) p.x = std::min(clear + half, rb.b.x - side_b - half);
        if (!router_left && p.x + half > clear) p.x = std::max(clear - half, rb.a.x + side_a + half);
      }
      region_bottom[r] = std::max(region_bottom[r], std::min(grow_limit[r], p.top + p.height + label_pad));
    }
  }
  };
  plan_labels();

  // Hosts whose label finds no room (a small map at a large text scale, as 1280x720 with
  // --scale 2) get a number beside the icon and a line in the key of hosts. The key has a strip
  // of its own, beside or under the picture (whichever leaves the world larger), and the world
  // is fitted again into what is left; a host that then loses its label joins the key (a
  // strip sized for every host is the last try, so the key always has room for its lines).
  struct HostKey {
    std::vector<std::size_t> hosts;                  // which hosts, in the key's order
    std::vector<std::vector<std::string>> lines;     // each host's name, wrapped in its column
    float num_w = 0.0f;                              // the numbers' column
    float col_w = 0.0f;                              // one column: number and name
    int rows_per_col = 0;                            // entries per column
    ImVec2 size;
  };
  const float ks = least_px;  // the key's type: the least size of the map's labels
  const float key_pad = ks * 0.4f;
  const float key_row = ks * 1.1f;
  const float key_gap = ks * 0.9f;
  auto unnamed_hosts = [&]() {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < plans.size(); ++k)
      if (plans[k].lines.empty()) out.push_back(k);
    return out;
  };
  // The key's shape for these hosts within max_w x max_h: one column, else more, names wrapped
  // after a word in their column (never inside one); nothing when it does not fit.
  auto key_shape = [&](const std::vector<std::size_t>& hosts, float max_w, float max_h) -> std::optional<HostKey> {
    HostKey key;
    key.hosts = hosts;
    const std::string last = std::to_string(hosts.size()) + "  ";
    key.num_w = font->CalcTextSizeA(ks, 1e9f, 0.0f, last.c_str()).x;
    float widest = 0.0f;
    for (const auto k : hosts)
      widest = std::max(widest, font->CalcTextSizeA(ks, 1e9f, 0.0f, app.host_name(layout.hosts()[k].id).c_str()).x);
    for (int cols = 1; cols <= static_cast<int>(hosts.size()); ++cols) {
      const float room = (max_w - key_pad * 2.0f - key_gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
      const float name_w = std::min(widest, room - key.num_w);
      if (name_w < ks * 3.0f) break;
      key.lines.clear();
      bool whole = true;
      for (const auto k : hosts) {
        const std::string name = app.host_name(layout.hosts()[k].id);
        std::vector<std::string> ls;
        for (const auto& l : wrapped(ms, font, ks, name, name_w + 0.5f, true)) {
          if (l.size.x > name_w + 1.0f) whole = false;
          ls.push_back(l.text);
        }
        // Each break after a whole word or a name's dot ("mail." / "example.com"), never inside a
        // word ("しろやぎさ" / "んのPC"): a column that narrow is no shape for the key.
        if (!breaks_between_words(ls, name, [&](std::string_view t) {
              return font->CalcTextSizeA(ks, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
            }))
          whole = false;
        key.lines.push_back(std::move(ls));
      }
      if (!whole) continue;
      key.rows_per_col = static_cast<int>((hosts.size() + static_cast<std::size_t>(cols) - 1) / static_cast<std::size_t>(cols));
      float tallest = 0.0f;
      float col_h = 0.0f;
      for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (i % static_cast<std::size_t>(key.rows_per_col) == 0) col_h = 0.0f;
        col_h += static_cast<float>(key.lines[i].size()) * key_row;
        tallest = std::max(tallest, col_h);
      }
      key.col_w = key.num_w + name_w;
      const auto used_cols = static_cast<float>((hosts.size() + static_cast<std::size_t>(key.rows_per_col) - 1) /
                                                static_cast<std::size_t>(key.rows_per_col));
      key.size = ImVec2(key.col_w * used_cols + key_gap * (used_cols - 1.0f) + key_pad * 2.0f, tallest + key_pad * 2.0f);
      if (key.size.y <= max_h) return key;
    }
    return std::nullopt;
  };
  std::optional<HostKey> host_key;
  ImVec2 key_at;
  {
    const ImVec2 full_min = area_min;
    const ImVec2 full_max = area_max;
    const float map_w = max.x - min.x;
    const float map_h = max.y - legend_h - min.y;
    std::vector<std::size_t> keyed = unnamed_hosts();
    std::vector<std::size_t> sized = keyed;
    float side_w_max = 0.0f;   // the strip's size as kept: the key drawn in it is no larger
    float under_h_max = 0.0f;
    bool replanned = false;  // the world fitted again beside a strip
    // First the map's free space as it is (outside every region, above the legend): the picture
    // keeps its size. The key's names unwrapped, else wrapped to fit the margin beside the picture.
    if (!keyed.empty()) {
      std::vector<MapBox> regions_taken;
      float picture_l = max.x;
      float picture_r = min.x;
      for (std::size_t n = 0; n < nets.size(); ++n) {
        regions_taken.push_back({vec(region_box[n].a), {region_box[n].b.x, std::max(region_box[n].b.y, region_bottom[n])}});
        picture_l = std::min(picture_l, region_box[n].a.x);
        picture_r = std::max(picture_r, region_box[n].b.x);
      }
      const float margin = std::max(picture_l - min.x, max.x - picture_r) - 12.0f;
      std::optional<HostKey> shape = key_shape(keyed, map_w - 12.0f, map_h - 12.0f);
      if (shape && shape->size.x > margin) shape = key_shape(keyed, margin, map_h - 12.0f);
      if (shape) {
        const float kw = shape->size.x;
        const float kh = shape->size.y;
        const float bottom = max.y - legend_h - 6.0f;
        const std::vector<Vec2> places = {{max.x - kw - 6.0f, min.y + 6.0f}, {min.x + 6.0f, min.y + 6.0f},
                                          {max.x - kw - 6.0f, bottom - kh},  {min.x + 6.0f, bottom - kh},
                                          {(min.x + max.x - kw) * 0.5f, bottom - kh}, {(min.x + max.x - kw) * 0.5f, min.y + 6.0f}};
        if (const auto at = first_free(places, kw, kh, vec(min), Vec2{max.x, max.y - legend_h}, regions_taken)) {
          for (std::size_t i = 0; i < keyed.size(); ++i) number_of[keyed[i]] = std::to_string(i + 1);
          plan_labels();  // the numbers under the icons (a region may grow a little for them)
          const MapBox kb{*at, {at->x + kw, at->y + kh}};
          bool clear = true;
          for (std::size_t n = 0; n < nets.size(); ++n)
            if (covers(kb, {vec(region_box[n].a), {region_box[n].b.x, std::max(region_box[n].b.y, region_bottom[n])}})) clear = false;
          if (clear) {
            host_key = shape;
            key_at = ImVec2(at->x, at->y);
          } else {
            std::fill(number_of.begin(), number_of.end(), std::string());
            plan_labels();
          }
        }
      }
    }
    for (int pass = 0; pass < 3 && !keyed.empty() && !host_key; ++pass) {
      if (pass == 2) {  // the last try: room for every host
        sized.clear();
        for (std::size_t k = 0; k < plans.size(); ++k) sized.push_back(k);
      }
      // Beside the picture (a column at the right, as narrow as its names wrapped after a word
      // allow), or under it (across the width, as flat as its columns allow): whichever leaves
      // the world the larger picture (each axis may stretch, up to kMaxStretch, beyond the other).
      std::optional<HostKey> side;
      std::optional<HostKey> under;
      side = key_shape(sized, map_w * 0.32f, map_h - 12.0f);
      if (side && std::any_of(side->lines.begin(), side->lines.end(), [](const auto& l) { return l.size() > 1; }))
        side.reset();  // a name wrapped: the narrowest shape that fits instead
      for (const float k : {0.2f, 0.26f, 0.32f, 0.38f, 0.45f, 0.55f, 0.65f})
        if (!side) side = key_shape(sized, map_w * k, map_h - 12.0f);
      for (const float k : {0.2f, 0.3f, 0.45f, 0.55f, 0.65f})
        if (!under) under = key_shape(sized, map_w - 12.0f, map_h * k);
      side_w_max = side ? side->size.x : 0.0f;
      under_h_max = under ? under->size.y : 0.0f;
      auto picture = [&](ImVec2 c) {
        const float fit = fit_of(full_min, c);
        if (fit <= 0.0f) return -1.0f;
        return std::min((c.x - full_min.x) / world_w, fit * kMaxStretch) * std::min((c.y - full_min.y) / world_h, fit * kMaxStretch);
      };
      const float side_fit = side ? picture(ImVec2(max.x - side->size.x - 6.0f - fs * 0.5f, full_max.y)) : -1.0f;
      const float under_fit = under ? picture(ImVec2(full_max.x, max.y - legend_h - 6.0f - under->size.y - fs * 0.5f)) : -1.0f;
      if (side_fit <= 0.0f && under_fit <= 0.0f) break;  // no strip: the key looks for free space below
      area_min = full_min;
      area_max = full_max;
      clip_bottom = max.y - legend_h - 4.0f;
      if (side_fit >= under_fit) {
        key_at = ImVec2(max.x - side->size.x - 6.0f, min.y + 6.0f);
        area_max.x = key_at.x - fs * 0.5f;
      } else {
        key_at = ImVec2(min.x + 6.0f, max.y - legend_h - 6.0f - under->size.y);
        area_max.y = key_at.y - fs * 0.5f;
        clip_bottom = key_at.y - 4.0f;
      }
      fit_view();
      size_icons();
      replanned = true;
      std::fill(number_of.begin(), number_of.end(), std::string());
      plan_labels();
      keyed = unnamed_hosts();
      const bool covered = std::all_of(keyed.begin(), keyed.end(), [&](std::size_t k) {
        return std::find(sized.begin(), sized.end(), k) != sized.end();
      });
      if (covered) {
        // Their numbers take the place of their names under the icons (the regions grow for
        // them as for names); a number with no room there goes beside the icon (below).
        for (std::size_t i = 0; i < keyed.size(); ++i) number_of[keyed[i]] = std::to_string(i + 1);
        plan_labels();
        // The key as drawn: the hosts now unnamed, in the strip's shape (it fits: fewer or the same).
        host_key = side_fit >= under_fit ? key_shape(keyed, side_w_max, map_h - 12.0f)
                                         : key_shape(keyed, map_w - 12.0f, under_h_max);
        if (host_key && side_fit >= under_fit) key_at.x = max.x - host_key->size.x - 6.0f;
        break;
      }
      for (const auto k : keyed)
        if (std::find(sized.begin(), sized.end(), k) == sized.end()) sized.push_back(k);
    }
    if (host_key && host_key->hosts.empty()) host_key.reset();
    if (!host_key && std::any_of(number_of.begin(), number_of.end(), [](const std::string& n) { return !n.empty(); }))
      std::fill(number_of.begin(), number_of.end(), std::string());
    if (!host_key && replanned) {
      area_min = full_min;
      area_max = full_max;
      clip_bottom = max.y - legend_h - 4.0f;
      fit_view();
      size_icons();
      plan_labels();
    }
    // Nothing else is placed in the key's strip.
    if (host_key) avoid.push_back({key_at, ImVec2(key_at.x + host_key->size.x, key_at.y + host_key->size.y)});
  }

  // Regions (the Internet first: a region dragged onto it stays visible).
  struct TitleJob {
    std::vector<std::string> lines;
    float size = 0.0f;
    ImVec2 at;  // top centre
    ImU32 colour = 0;
    ImU32 plate = 0;
    unsigned alpha = 0;  // of the plate; 0: the region's own colour, just behind the letters
  };
  std::vector<TitleJob> titles;
  std::vector<float> title_bottom(nets.size(), 0.0f);  // per region: where its title ends
  std::vector<const NetworkPlace*> region_order;
  for (const auto& n : layout.networks()) if (n.kind == "internet") region_order.push_back(&n);
  for (const auto& n : layout.networks()) if (n.kind != "internet") region_order.push_back(&n);
  for (const auto* np : region_order) {
    const auto& n = *np;
    const ImVec2 a = v.to_screen(n.box.min);
    const ImVec2 c(v.to_screen(n.box.max).x, region_bottom[static_cast<std::size_t>(np - nets.data())]);
    ImU32 fill = rgb(theme::kNetFill);
    ImU32 line = rgb(theme::kNetLine);
    if (n.kind == "access" || n.kind == "lan") {
      fill = rgb(theme::kAccessFill);
      line = rgb(theme::kAccessLine);
    } else if (n.kind == "datacenter") {
      fill = rgb(theme::kDcFill);
      line = rgb(theme::kDcLine);
    }
    const float round = n.kind == "internet" ? 40.0f * s : 14.0f * s;
    dl->AddRectFilled(a, c, fill, round);
    ms.placed.regions.push_back({{vec(a), vec(c), 1.0f}, n.id, n.kind == "internet"});
    const bool held = dragging_item && ms.drag == MapState::Drag::Network && ms.drag_id == n.id;
    dl->AddRect(a, c, held ? rgb(theme::kSelect) : line, round, 0, held ? 3.0f : 2.0f);
    std::string name = n.kind == "internet" ? std::string(app.tr("map.internet"))
                                            : (ja && !n.name_ja.empty() ? n.name_ja : n.name);
    // The title on one line in the title strip: shrink the type (down to 70%; in a short
    // strip 55%) before wrapping. A region too small for that wraps only when it is tall
    // enough, else its title is shortened with "..."; one whose strip cannot hold the
    // smallest type shows its title on a plate in its middle. Titles are drawn after the
    // hosts (on a plate of the region's colour), so an icon or halo never hides them.
    const float room = std::max(std::min(60.0f, c.x - a.x - 4.0f), c.x - a.x - 16.0f);
    const float strip = Layout::kHeader * v.sy - 6.0f * s - 4.0f;
    const float least = strip < fs * 2.2f ? 0.55f : 0.7f;
    TitleJob job;
    job.colour = line == rgb(theme::kNetLine) ? rgb(theme::kInkSoft) : line;
    job.plate = fill;
    job.size = fs * 1.05f;
    const float tw = font->CalcTextSizeA(job.size, 1e9f, 0.0f, name.c_str()).x;
    if (tw > room) job.size = std::max(std::max(least_px, fs * least), job.size * room / tw);
    job.at = ImVec2((a.x + c.x) * 0.5f, a.y + 6.0f * s + 4.0f);
    const bool one_line = font->CalcTextSizeA(job.size, 1e9f, 0.0f, name.c_str()).x <= room + 2.0f;
    if (strip < fs * 0.55f && n.kind != "internet" && (n.cell_width < Layout::kGridCell || c.x - a.x < fs * 5.0f)) {
      job.size = std::max(least_px, std::min(fs * 0.8f, (c.y - a.y) * 0.3f));
      const float plate_w = std::max(c.x - a.x - 4.0f, fs * 2.0f);
      const auto& ls = wrapped(ms, font, job.size, name, plate_w);
      const auto rows_fit = static_cast<std::size_t>(std::clamp((c.y - a.y) / (job.size * 1.2f), 1.0f, 2.0f));
      if (ls.size() <= rows_fit) {
        for (const auto& l : ls) job.lines.push_back(l.text);
      }  // else no title: one cut short would not name the region
      job.at.y = (a.y + c.y) * 0.5f - static_cast<float>(job.lines.size()) * job.size * 0.5f;
      job.alpha = 225;
      // The plate never covers one of the region's icons or labels (a narrow region's hosts
      // stand in its middle): its middle, else its top or bottom edge, else one shortened line
      // there, else no title (the hosts' own labels say where they are).
      auto covers_host = [&](float y, const std::vector<std::string>& rows) {
        float w = 0.0f;
        for (const auto& l : rows) w = std::max(w, font->CalcTextSizeA(job.size, 1e9f, 0.0f, l.c_str()).x);
        const MapBox box{{job.at.x - w * 0.5f - 2.0f, y}, {job.at.x + w * 0.5f + 2.0f, y + static_cast<float>(rows.size()) * job.size}};
        for (std::size_t k = 0; k < plans.size(); ++k) {
          if (layout.region_of(layout.hosts()[k]) != np) continue;
          const auto& hp = plans[k];
          const MapBox ib{{hp.c.x - icon * 0.5f, hp.c.y - icon * 0.5f}, {hp.c.x + icon * 0.5f, hp.c.y + icon * 0.5f}};
          if (covers(box, ib)) return true;
          const float half = std::max(hp.name_w, hp.ip_w) * 0.5f;
          if (!hp.lines.empty() && covers(box, MapBox{{hp.x - half, hp.top}, {hp.x + half, hp.top + hp.height}})) return true;
        }
        return false;
      };
      bool clear = false;
      for (int tries = 0; tries < 2 && !clear && !job.lines.empty(); ++tries) {
        const float h = static_cast<float>(job.lines.size()) * job.size;
        for (const float y : {job.at.y, a.y + 2.0f, c.y - h - 2.0f}) {
          if (!covers_host(y, job.lines)) {
            job.at.y = y;
            clear = true;
            break;
          }
        }
        if (!clear) job.lines.clear();
      }
      if (!clear) job.lines.clear();
    } else if (one_line) {
      job.lines.push_back(name);
    } else if (n.kind != "internet" && c.y - a.y > fs * 5.0f && n.cell_width >= Layout::kGridCell) {
      // A tall region (a lesson's): wrap as before.
      for (const auto& l : wrapped(ms, font, job.size, name, room + 2.0f)) job.lines.push_back(l.text);
    } else if (n.kind != "internet" || room >= fs * 2.0f) {
      // On one line set smaller, down to the least type, or left out: never cut short
      // ("しろやぎ..." names no region) nor broken inside a word ("Intern/et", "インターネッ/ト").
      if (const float full = font->CalcTextSizeA(job.size, 1e9f, 0.0f, name.c_str()).x; full > room + 2.0f)
        job.size = std::max(least_px, job.size * (room + 2.0f) / full);
      if (font->CalcTextSizeA(job.size, 1e9f, 0.0f, name.c_str()).x <= room + 2.0f) job.lines.push_back(name);
    }
    // A small map leaves little strip above the first icon: the title is set smaller (to the
    // least type) and moved up to the region's border so that it never covers an icon.
    if (!job.lines.empty() && job.alpha == 0) {
      float icon_top = 1e9f;
      for (std::size_t k = 0; k < plans.size(); ++k) {
        if (layout.region_of(layout.hosts()[k]) != np) continue;
        icon_top = std::min(icon_top, plans[k].c.y - icon * 0.5f);
      }
      if (job.lines.size() > 1 && a.y + 2.0f + static_cast<float>(job.lines.size()) * least_px > icon_top - 2.0f) {
        job.lines.clear();  // no room for its lines: on one line at the least type, or none
        if (font->CalcTextSizeA(least_px, 1e9f, 0.0f, name.c_str()).x <= room + 2.0f) job.lines.push_back(name);
      }
      const auto rows = static_cast<float>(job.lines.size());
      if (job.at.y + rows * job.size > icon_top - 2.0f) {
        job.size = std::max(least_px, std::min(job.size, (icon_top - 2.0f - job.at.y) / rows));
        job.at.y = std::max(a.y + 2.0f, std::min(job.at.y, icon_top - 2.0f - rows * job.size));
        // Smaller type is narrower: a line that fitted still fits (never cut short).
        // Even at the least type it would cover an icon (a tiny map): left out, the hosts' own
        // labels and the Inspector still say where they are.
        if (job.at.y + rows * job.size > icon_top + kMapTolerance) job.lines.clear();
      }
    }
    float used_w = 0.0f;
    for (const auto& l : job.lines) used_w = std::max(used_w, font->CalcTextSizeA(job.size, 1e9f, 0.0f, l.c_str()).x);
    const float used_h = static_cast<float>(job.lines.size()) * job.size;
    if (!job.lines.empty()) {
      // With a margin: a bubble touching a title reads as covering it.
      const float m = fs * 0.4f;
      avoid.push_back({ImVec2(job.at.x - used_w * 0.5f - m, job.at.y - m),
                       ImVec2(job.at.x + used_w * 0.5f + m, job.at.y + used_h + m), kTitleWeight});
      std::string shown;
      for (const auto& l : job.lines) shown += (shown.empty() ? "" : " ") + l;
      record(ms, MapItem::Title, ImVec2(job.at.x - used_w * 0.5f, job.at.y),
             ImVec2(job.at.x + used_w * 0.5f, job.at.y + used_h), job.lines.front(), shown);
    }
    title_bottom[static_cast<std::size_t>(np - nets.data())] =
        job.lines.empty() ? job.at.y : job.at.y + static_cast<float>(job.lines.size()) * job.size;
    titles.push_back(std::move(job));
  }

  // What is taken when something is placed later: what the map keeps clear so far, and every
  // host's icon and planned label (the hosts are drawn last, but their places count already).
  auto taken_by_hosts = [&]() {
    std::vector<MapBox> taken = mboxes(avoid);
    for (const auto& hp : plans) {
      taken.push_back({{hp.c.x - icon * 0.6f, hp.c.y - icon * 0.6f}, {hp.c.x + icon * 0.6f, hp.c.y + icon * 0.6f}});
      if (hp.lines.empty()) continue;
      const float half = std::max(hp.name_w, hp.ip_w) * 0.5f;
      taken.push_back({{hp.x - half, hp.top}, {hp.x + half, hp.top + hp.height}});
    }
    return taken;
  };

  // Links: host to its network's router, router to the Internet.
  const float link_w = std::max(1.0f, std::min(4.0f * s, icon * 0.12f));
  const auto* inet = layout.network(kInternetId);
  for (const auto& n : layout.networks()) {
    if (n.kind == "internet" || !inet) continue;
    const ImVec2 ra = v.to_screen(n.router), ia = v.to_screen(inet->router);
    if (!app.story.power().link_down(n.id, app.view.current)) {
      dl->AddLine(ra, ia, rgb(theme::kLink), std::max(1.5f, link_w));
      continue;
    }
    // A cut link (link_down): dashed in red with a cross at its middle, so a map that shows
    // packets lost on the way also shows where.
    const float dx = ia.x - ra.x, dy = ia.y - ra.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    const float dash = std::max(4.0f, 6.0f * s);
    const ImU32 red = rgb(0xC0392B);
    for (float t = 0.0f; len > 0.0f && t < len; t += 2.0f * dash) {
      const float e = std::min(len, t + dash);
      dl->AddLine(ImVec2(ra.x + dx * t / len, ra.y + dy * t / len), ImVec2(ra.x + dx * e / len, ra.y + dy * e / len), red,
                  std::max(1.5f, link_w));
    }
    const ImVec2 m((ra.x + ia.x) * 0.5f, (ra.y + ia.y) * 0.5f);
    const float x = std::max(5.0f, 7.0f * s);
    dl->AddLine(ImVec2(m.x - x, m.y - x), ImVec2(m.x + x, m.y + x), red, std::max(2.0f, link_w * 1.5f));
    dl->AddLine(ImVec2(m.x - x, m.y + x), ImVec2(m.x + x, m.y - x), red, std::max(2.0f, link_w * 1.5f));
  }
  for (const auto& h : layout.hosts()) {
    if (const auto* n = layout.network(h.network); n && n->kind != "internet") {
      dl->AddLine(v.to_screen(h.pos), v.to_screen(n->router), rgb(theme::kLink, icon < 16.0f ? 110u : 255u), link_w);
    }
  }
  // Routers (and the shields of networks with border rules).
  for (const auto& n : layout.networks()) {
    if (n.kind == "internet") continue;
    const ImVec2 r = v.to_screen(n.router);
    icons::router(dl, r, router_s, n.has_policy);
    avoid.push_back({ImVec2(r.x - router_s * 0.6f, r.y - router_s * 0.6f), ImVec2(r.x + router_s * 0.6f, r.y + router_s * 0.6f)});
    if (n.has_policy) {
      // The rules by their names in the current language ("OP25B (port 25 blocked)"), not the
      // ids the lesson and the trace use ("op25b"); the short name where the long one has no room.
      std::string names;
      std::string short_names;
      for (const auto& id : n.policy_ids) {
        const char* sep = names.empty() ? "" : (app.lang == "ja" ? "、" : ", ");
        names += sep + sim::rule_name(&app.scenario, id, app.lang);
        short_names += sep + sim::rule_name(&app.scenario, id, app.lang, true);
      }
      const float small = std::max(least_px, fs * 0.9f);
      std::vector<MapBox> taken = taken_by_hosts();
      for (const std::string* text : {&names, &short_names}) {
        if (text == &short_names && short_names == names) break;
        const ImVec2 ts = font->CalcTextSizeA(small, 1e9f, 0.0f, text->c_str());
        // Above the router's shield; else below, or beside it, where that covers no title, host or
        // label; else left out (the shield still marks the rule, the Inspector names it).
        const float pw = ts.x + small * 0.7f;
        const float ph = ts.y + small * 0.24f;
        const float x = r.x - pw * 0.5f;
        std::vector<Vec2> places = {{x, r.y - router_s * 1.55f - ts.y - small * 0.6f},
                                    {x, r.y + router_s * 0.8f},
                                    {r.x + router_s * 0.8f, r.y - ph * 0.5f},
                                    {r.x - router_s * 0.8f - pw, r.y - ph * 0.5f}};
        // The long name only above or below the router: beside it, it would reach into the
        // hosts' room (the short name goes there).
        if (text == &names && short_names != names) places.resize(2);
        if (const auto p = first_free(places, pw, ph, vec(min), Vec2{max.x, max.y - legend_h}, taken)) {
          const ImVec2 at(p->x, p->y);
          pill(dl, font, small, at, *text, rgb(0xFFFFFF), rgb(theme::kBlock), 0);
          avoid.push_back({at, ImVec2(at.x + pw, at.y + ph)});
          record(ms, MapItem::RouterPill, avoid.back().a, avoid.back().b, *text);
          break;
        }
      }
    }
  }
  if (inet) {
    const ImVec2 c = v.to_screen(inet->router);
    dl->AddCircleFilled(c, std::max(4.0f, 8.0f * s), rgb(theme::kNetLine));
  }

  // Hosts, with the labels planned above.
  std::string hovered_host;
  MailTip mail_tip;
  const bool pointer = !app.headless && hovered && !dragging_item;
  for (std::size_t k = 0; k < layout.hosts().size(); ++k) {
    const auto& h = layout.hosts()[k];
    const LabelPlan& p = plans[k];
    const ImVec2 c = p.c;
    if (h.id == app.view.acting_host) {
      dl->AddCircleFilled(c, icon * 0.78f, rgb(theme::kHalo, 200), 40);
      dl->AddCircle(c, icon * 0.78f, rgb(0xB8A800), 40, 2.0f);
    }
    const bool held = dragging_item && ms.drag == MapState::Drag::Host && ms.drag_id == h.id;
    if (h.id == app.selected_host || held) {
      dl->AddRect(ImVec2(c.x - icon * 0.7f, c.y - icon * 0.7f), ImVec2(c.x + icon * 0.7f, c.y + icon * 0.7f),
                  rgb(theme::kSelect), 6.0f, 0, 3.0f);
    }
    icons::host(dl, h.kind, c, icon);
    // A host that is switched off (down for maintenance, a device offline): greyed out with a
    // power symbol, so a down server never looks like a working one.
    if (app.story.power().down(h.id, app.view.current)) {
      dl->AddRectFilled(ImVec2(c.x - icon * 0.62f, c.y - icon * 0.62f), ImVec2(c.x + icon * 0.62f, c.y + icon * 0.62f),
                        rgb(0xF2F2F2, 200), icon * 0.12f);
      const ImVec2 pc(c.x + icon * 0.42f, c.y - icon * 0.42f);
      const float pr = std::max(6.0f, icon * 0.24f);
      dl->AddCircleFilled(pc, pr + 2.0f, rgb(0xFFFFFF), 24);
      const float up = -3.14159265f * 0.5f;  // ImGui's angles turn clockwise from +x
      dl->PathArcTo(pc, pr * 0.7f, up + 0.65f, up + 2.0f * 3.14159265f - 0.65f, 20);
      dl->PathStroke(rgb(0xC0392B), 0, std::max(1.5f, pr * 0.22f));
      dl->AddLine(ImVec2(pc.x, pc.y - pr * 0.85f), ImVec2(pc.x, pc.y - pr * 0.15f), rgb(0xC0392B), std::max(1.5f, pr * 0.22f));
    }
    float y = p.top;
    if (p.numbered) pill(dl, font, p.size, ImVec2(std::floor(p.x - p.name_w * 0.5f), std::floor(y)), p.lines.front(),
                         rgb(0xFFFFFF), rgb(theme::kInk), 0);
    for (const auto& line : p.numbered ? std::vector<std::string>{} : p.lines) {
      const float w = font->CalcTextSizeA(p.size, 1e9f, 0.0f, line.c_str()).x;
      dl->AddText(font, p.size, ImVec2(std::floor(p.x - w * 0.5f), std::floor(y)), rgb(theme::kInk), line.c_str());
      y += p.size;
    }
    if (p.ip_size > 0.0f) {
      dl->AddText(font, p.ip_size, ImVec2(std::floor(p.x - p.ip_w * 0.5f), std::floor(y)), rgb(theme::kInkSoft),
                  h.ip.c_str());
    }
    avoid.push_back({ImVec2(c.x - icon * 0.6f, c.y - icon * 0.6f), ImVec2(c.x + icon * 0.6f, c.y + icon * 0.58f)});
    // What is drawn (the icon's picture stays within half its size each way); the placements
    // above keep a little more clear.
    record(ms, MapItem::HostIcon, ImVec2(c.x - icon * 0.5f, c.y - icon * 0.5f), ImVec2(c.x + icon * 0.5f, c.y + icon * 0.5f), h.id);
    const float label_half = std::max(p.name_w, p.ip_w) * 0.5f;
    if (!p.lines.empty()) {
      avoid.push_back({ImVec2(p.x - label_half, p.top), ImVec2(p.x + label_half, p.top + p.height)});
      std::string shown;  // what the label says (the check reads it: a cut name names no host)
      for (const auto& l : p.lines) shown += (shown.empty() ? "" : " ") + l;
      record(ms, MapItem::HostLabel, avoid.back().a, avoid.back().b, h.id, shown);
    }
    if (pointer && std::abs(io.MousePos.x - c.x) < icon * 0.6f && std::abs(io.MousePos.y - c.y) < icon * 0.6f) {
      hovered_host = h.id;
    }
    // Mail marks go beside the icon, on the side away from the link to the router (in a
    // grid, within the host's cell), above the label where the label reaches under them.
    const auto* region = layout.region_of(h);
    const bool grid = region->cell_width < Layout::kGridCell;
    const bool right_side = region->column != 0;
    float side_room = region->cell_width * v.sx * 0.5f - icon * 0.72f;
    if (region->kind != "internet" && !grid) {
      const Box& rb = region_box[static_cast<std::size_t>(region - nets.data())];
      side_room = right_side ? rb.b.x - 6.0f - (c.x + icon * 0.72f) : (c.x - icon * 0.72f) - (rb.a.x + 6.0f);
      // In a row, up to the next host's icon on that side.
      for (std::size_t j = 0; region->row && j < plans.size(); ++j) {
        if (j == k || layout.region_of(layout.hosts()[j]) != region || std::abs(plans[j].c.y - c.y) > icon) continue;
        const float gap = right_side ? plans[j].c.x - c.x : c.x - plans[j].c.x;
        if (gap > 0.0f) side_room = std::min(side_room, gap - icon * 0.72f - icon * 0.6f - 4.0f);
      }
    }
    const float x0 = right_side ? c.x + icon * 0.72f : c.x - icon * 0.72f;
    const bool under = !p.lines.empty() && (right_side ? p.x + label_half > x0 : p.x - label_half < x0);
    std::optional<ImVec2> mouse;
    if (pointer) mouse = io.MousePos;
    // ... and below the label of a host above it that reaches over to their side.
    const std::size_t ri = static_cast<std::size_t>(region - nets.data());
    const float below_title = std::max(title_bottom[ri], region_box[ri].a.y + 6.0f * s + 4.0f + fs * 1.05f);
    float ceiling = region->kind == "internet" ? -1e9f : below_title + 2.0f;
    for (std::size_t j = 0; j < plans.size(); ++j) {
      const auto& o = plans[j];
      if (j == k || o.lines.empty() || o.c.y >= c.y || layout.region_of(layout.hosts()[j]) != region) continue;
      const float o_half = std::max(o.name_w, o.ip_w) * 0.5f;
      const bool reaches = right_side ? o.x + o_half > x0 : o.x - o_half < x0;
      if (reaches && std::abs(o.c.x - c.x) < icon * 1.5f) ceiling = std::max(ceiling, o.top + o.height + 1.0f);
    }
    // ... and below the mail marks of a host above it (two hosts stacked close, each labelled
    // by its number only, would otherwise have their columns meet).
    for (const auto& it : ms.placed.items) {
      if (it.item != MapItem::MailMarks || it.what == h.id || it.box.b.y > c.y) continue;
      const float lo = right_side ? c.x : c.x - icon - side_room;
      const float hi = right_side ? c.x + icon + side_room : c.x;
      if (it.box.b.x > lo && it.box.a.x < hi) ceiling = std::max(ceiling, it.box.b.y + 1.0f);
    }
    ImU32 plate = 0;
    if (region->row) {
      const unsigned fill = region->kind == "datacenter"                         ? theme::kDcFill
                            : region->kind == "access" || region->kind == "lan" ? theme::kAccessFill
                                                                                : theme::kNetFill;
      plate = rgb(fill, 230);
    }
    const std::size_t marks_from = avoid.size();
    // ... and above the label under it, and inside the region's box (its bottom as drawn): the
    // column gives way ("+N more") rather than run out of the network.
    float floor_y = under ? p.top - 2.0f : 1e9f;
    if (region->kind != "internet") floor_y = std::min(floor_y, region_bottom[ri] - 3.0f);
    // Two hosts stacked close in one region share the height between them: each column keeps
    // to its half (the lower host's marks would otherwise meet the upper one's).
    for (std::size_t j = 0; j < plans.size(); ++j) {
      const auto& o = plans[j];
      if (j == k || layout.region_of(layout.hosts()[j]) != region || std::abs(o.c.x - c.x) > icon * 1.5f) continue;
      if (o.c.y > c.y + 1.0f) floor_y = std::min(floor_y, (c.y + o.c.y) * 0.5f - 1.0f);
      if (o.c.y < c.y - 1.0f) ceiling = std::max(ceiling, (c.y + o.c.y) * 0.5f + 1.0f);
    }
    const float right_edge = region->kind != "internet" && !grid ? region_box[ri].b.x - 6.0f : 1e9f;
    mail_marks(app, dl, font, fs, h, c, icon, side_room, right_side, ceiling, floor_y, mouse, avoid, mail_tip, plate,
               right_edge);
    for (std::size_t m = marks_from; m < avoid.size(); ++m) record(ms, MapItem::MailMarks, avoid[m].a, avoid[m].b, h.id);
    // An eavesdropper shows what it captures: the line itself while it travels in clear, only
    // ciphertext once TLS protects it (the TLS lessons' key moment, drawn on the map).
    if (h.kind == "observer") {
      if (const auto cap = observer_capture(app.model, h.network, app.view.current)) {
        std::string seen;
        if (cap->tls) {
          seen = format_text(app.tr("map.capture_sealed"), {{"hex", hex_bytes(cap->bytes, 6)}});
        } else {
          std::string line = cap->bytes.substr(0, std::min(cap->bytes.find('\r'), cap->bytes.find('\n')));
          seen = format_text(app.tr("map.capture_plain"), {{"text", line}});
        }
        const float size = least_px;
        // Beside the icon, never past the region's side (it would read as another network's):
        // on the side away from the router, or towards it (over the links, short of the router)
        // when that side has more room — the capture is the lesson's point, not to be cut short.
        const Box& rb = region_box[ri];
        const float towards = right_side ? (c.x - icon * 0.72f) - (rb.a.x + router_s) : (rb.b.x - router_s) - (c.x + icon * 0.72f);
        const bool flip = region->kind != "internet" && !region->row && towards > side_room;
        const bool on_right = flip ? !right_side : right_side;
        const float room_w = flip ? towards : side_room;
        const float cx0 = on_right ? c.x + icon * 0.72f : c.x - icon * 0.72f;
        const float pad = size * 0.35f;
        // Wrapped on up to three lines (the last one ends in "..." when there is more); where
        // the side is too narrow for a few words, under the host's label or above its icon, as
        // wide as its network allows, in free space. Never only its heading ("丸見え…").
        auto lines_in = [&](float w, std::size_t kLines = 3) {
          std::vector<std::string> out;
          for (const auto& l : wrapped(ms, font, size, seen, w)) out.push_back(l.text);
          if (out.size() > kLines) {
            std::string last = out[kLines - 1] + " " + out[kLines];
            out.resize(kLines);
            // Cut after a word where one fits (a long base64 token is cut where it must).
            const std::string by_word = fit_words(font, size, last, w);
            out.back() = by_word.size() > out.back().size() / 2 ? by_word : fit_text(font, size, last, w);
          }
          return out;
        };
        auto box_of = [&](const std::vector<std::string>& ls) {
          float w = 0.0f;
          for (const auto& l : ls) w = std::max(w, font->CalcTextSizeA(size, 1e9f, 0.0f, l.c_str()).x);
          return ImVec2(w + pad * 2.0f, static_cast<float>(ls.size()) * size + size * 0.24f);
        };
        std::vector<std::string> lines;
        ImVec2 at;
        ImVec2 bs;
        bool callout = false;  // away from its host, with a line to it
        bool in_strip = false;  // in the strip kept for it at the map's bottom
        if (capture_h > 0.0f) {
          // One line across the strip, the eavesdropper's eye first (it stands away from its host).
          lines = lines_in(avail.x - 8.0f - pad * 2.0f - size * 1.2f, 1);
          bs = box_of(lines);
          bs.x += size * 1.2f;
          at = ImVec2(min.x + 4.0f, max.y - capture_h + (capture_h - bs.y) * 0.5f);
          callout = true;
          in_strip = true;
        } else if (room_w > size * 8.0f) {
          lines = lines_in(room_w - pad * 2.0f);
          bs = box_of(lines);
          at = ImVec2(on_right ? cx0 : cx0 - bs.x, c.y - bs.y * 0.5f);
        } else {
          const float inner_w = std::max(size * 4.0f, rb.b.x - rb.a.x - 12.0f);
          lines = lines_in(inner_w - pad * 2.0f);
          bs = box_of(lines);
          const float x = std::clamp(c.x - bs.x * 0.5f, rb.a.x + 6.0f, std::max(rb.a.x + 6.0f, rb.b.x - 6.0f - bs.x));
          const float below = p.lines.empty() ? c.y + icon * 0.62f : p.top + p.height + 2.0f;
          const std::vector<Vec2> places = {{x, below}, {x, c.y - icon * 0.62f - bs.y}};
          std::vector<MapBox> taken = taken_by_hosts();
          if (const auto fp = first_free(places, bs.x, bs.y, vec(rb.a), vec(rb.b), taken)) {
            at = ImVec2(fp->x, fp->y);
          } else {
            // No room in its network: a callout in the map's free space, marked with the
            // eavesdropper's eye (it is the lesson's point), else left out (the bubble says it).
            // Just outside its network first (above, below, beside it), then anywhere near;
            // as wide as the network, else wider and flatter.
            const float rb_bottom = std::max(rb.b.y, region_bottom[ri]);
            bool placed = false;
            // Last, the whole capture on one line (its natural width): a strip along the map's
            // top or bottom often has room for one line where it has none for two (1024x640
            // at scale 2).
            const float one_line = font->CalcTextSizeA(size, 1e9f, 0.0f, seen.c_str()).x + pad * 2.0f + size * 1.2f + 2.0f;
            for (const float w : {rb.b.x - rb.a.x - 8.0f, std::min(avail.x * 0.4f, size * 16.0f), avail.x * 0.6f, avail.x * 0.9f,
                                  std::min(one_line, avail.x * 0.9f)}) {
              if (placed || w < size * 4.0f) continue;
              lines = lines_in(w - pad * 2.0f - size * 1.2f, 2);
              bs = box_of(lines);
              bs.x += size * 1.2f;  // the eye
              const float cx = std::clamp(c.x - bs.x * 0.5f, min.x + 4.0f, std::max(min.x + 4.0f, max.x - 4.0f - bs.x));
              const std::vector<Vec2> outside = {{cx, rb.a.y - bs.y - 4.0f},        {rb.a.x, rb.a.y - bs.y - 4.0f},
                                                 {cx, rb_bottom + 4.0f},             {rb.a.x, rb_bottom + 4.0f},
                                                 {rb.b.x + 4.0f, c.y - bs.y * 0.5f}, {rb.a.x - bs.x - 4.0f, c.y - bs.y * 0.5f},
                                                 // the top of the map above its network, clear of
                                                 // the margin its title keeps
                                                 {cx, min.y + 4.0f}, {rb.a.x, min.y + 4.0f},
                                                 {cx, rb_bottom + fs * 0.5f},
                                                 {cx, max.y - legend_h - bs.y - 4.0f}, {min.x + 4.0f, max.y - legend_h - bs.y - 4.0f}};
              if (const auto free_at = first_free(outside, bs.x, bs.y, vec(min), Vec2{max.x, max.y - legend_h}, taken)) {
                at = ImVec2(free_at->x, free_at->y);
                placed = true;
              } else {
                const auto [pa, cost] =
                    place_bubble(vec(c), bs.x, bs.y, icon * 0.8f, vec(min), Vec2{max.x, max.y - legend_h}, taken);
                if (cost <= 0.5f) {
                  at = ImVec2(pa.x, pa.y);
                  placed = true;
                }
              }
            }
            callout = placed;
            if (!placed && room_w > size * 4.0f) {
              // Still no room: one line beside the icon, what it captured without the heading
              // (the pill's colour says clear or sealed), as much of it as fits.
              const std::string what = cap->tls ? hex_bytes(cap->bytes, 6)
                                                : cap->bytes.substr(0, std::min(cap->bytes.find('\r'), cap->bytes.find('\n')));
              lines = {fit_text(font, size, what, room_w - pad * 2.0f)};
              bs = box_of(lines);
              at = ImVec2(on_right ? cx0 : cx0 - bs.x, c.y - bs.y * 0.5f);
              // Level with the icon, else a little higher or lower: clear of the labels around.
              std::vector<Vec2> levels;
              for (const float dy : {0.0f, -0.15f, 0.15f, -0.3f, 0.3f}) levels.push_back({at.x, at.y + dy * icon});
              if (const auto level = first_free(levels, bs.x, bs.y, vec(rb.a), Vec2{rb.b.x, std::max(rb.b.y, region_bottom[ri])}, taken))
                at = ImVec2(level->x, level->y);
            } else if (!placed) {
              lines.clear();
            }
          }
        }
        if (!lines.empty()) {
          const ImVec2 box_end(at.x + bs.x, at.y + bs.y);
          if (in_strip) dl->PushClipRect(min, max, false);  // the strip is below the map's clip

          dl->AddRectFilled(at, box_end, rgb(cap->tls ? 0x2E7D32u : theme::kBlock), size * 0.3f);
          float ly = at.y + size * 0.12f;
          std::string shown;
          float tx = at.x + pad;
          if (callout) {  // whose capture it is: the eavesdropper's eye on a white disc
            const ImVec2 ec(at.x + pad + size * 0.5f, at.y + bs.y * 0.5f);
            dl->AddCircleFilled(ec, size * 0.5f, rgb(0xFFFFFF), 20);
            icons::host(dl, h.kind, ec, size * 0.8f);
            tx += size * 1.2f;
          }
          for (const auto& l : lines) {
            dl->AddText(font, size, ImVec2(tx, ly), rgb(0xFFFFFF), l.c_str());
            ly += size;
            shown += (shown.empty() ? "" : " ") + l;
          }
          if (in_strip) dl->PopClipRect();
          avoid.push_back({at, box_end});
          // A callout stands outside its network on purpose (its line says whose it is).
          ms.placed.add(MapItem::Capture, vec(at), vec(box_end), callout ? h.id + " (callout)" : h.id, shown);
        }
      }
    }
    if (mail_tip.kind != MailTip::Kind::None && mail_tip.host == h.id) hovered_host = h.id;
  }

  // Hosts whose label found no room: the key of hosts in its strip (planned above), else, when
  // no strip could be kept, in the map's free space, outside the regions ("1  Shiroyagi's PC");
  // and a number beside each icon.
  {
    std::vector<std::size_t> unnamed;
    if (host_key) unnamed = host_key->hosts;
    else
      for (std::size_t k = 0; k < plans.size(); ++k)
        if (plans[k].lines.empty()) unnamed.push_back(k);
    if (host_key) {
      const ImVec2 ka = key_at;
      const ImVec2 kb(ka.x + host_key->size.x, ka.y + host_key->size.y);
      dl->AddRectFilled(ka, kb, rgb(theme::kBubbleFill), ks * 0.3f);
      dl->AddRect(ka, kb, rgb(theme::kInkSoft), ks * 0.3f, 0, 1.0f);
      for (std::size_t i = 0; i < unnamed.size(); ++i) {
        const auto rows = static_cast<std::size_t>(host_key->rows_per_col);
        const float x = ka.x + key_pad + static_cast<float>(i / rows) * (host_key->col_w + key_gap);
        float y = ka.y + key_pad;
        for (std::size_t j = i - i % rows; j < i; ++j) y += static_cast<float>(host_key->lines[j].size()) * key_row;
        dl->AddText(font, ks, ImVec2(x, y), rgb(theme::kInk), std::to_string(i + 1).c_str());
        for (const auto& l : host_key->lines[i]) {
          dl->AddText(font, ks, ImVec2(x + host_key->num_w, y), rgb(theme::kInk), l.c_str());
          y += key_row;
        }
      }
      record(ms, MapItem::HostLabel, ka, kb, "(key of hosts)");
    }
    if (!unnamed.empty()) {
      const float pad = key_pad;
      std::vector<std::string> entries;
      float key_w = 0.0f;
      for (std::size_t i = 0; i < unnamed.size(); ++i) {
        entries.push_back(std::to_string(i + 1) + "  " + app.host_name(layout.hosts()[unnamed[i]].id));
        key_w = std::max(key_w, font->CalcTextSizeA(ks, 1e9f, 0.0f, entries.back().c_str()).x);
      }
      // Names too wide for the free margin beside the picture are shortened after a word.
      float picture_l = max.x;
      float picture_r = min.x;
      for (std::size_t n = 0; n < nets.size(); ++n) {
        picture_l = std::min(picture_l, region_box[n].a.x);
        picture_r = std::max(picture_r, region_box[n].b.x);
      }
      const float side_w = std::max(picture_l - min.x, max.x - picture_r) - 12.0f;
      if (key_w + pad * 2.0f > side_w && side_w > ks * 3.0f) {
        key_w = 0.0f;
        for (auto& e : entries) {
          if (const auto cut = fit_words(font, ks, e, side_w - pad * 2.0f); !cut.empty()) e = cut;
          key_w = std::max(key_w, font->CalcTextSizeA(ks, 1e9f, 0.0f, e.c_str()).x);
        }
      }
      const float kw = key_w + pad * 2.0f;
      const float kh = static_cast<float>(entries.size()) * ks * 1.1f + pad * 2.0f;
      std::vector<MapBox> taken = mboxes(avoid);
      for (std::size_t n = 0; n < nets.size(); ++n)
        taken.push_back({vec(region_box[n].a), {region_box[n].b.x, std::max(region_box[n].b.y, region_bottom[n])}});
      const float bottom = max.y - legend_h - 4.0f;
      const std::vector<Vec2> places = {{min.x + 6.0f, min.y + 6.0f},       {max.x - kw - 6.0f, min.y + 6.0f},
                                        {min.x + 6.0f, bottom - kh},         {max.x - kw - 6.0f, bottom - kh},
                                        {(min.x + max.x - kw) * 0.5f, bottom - kh}, {(min.x + max.x - kw) * 0.5f, min.y + 6.0f}};
      std::optional<Vec2> free_at = host_key ? std::optional<Vec2>(vec(key_at)) : first_free(places, kw, kh, vec(min), Vec2{max.x, max.y - legend_h}, taken);
      if (!free_at) {
        const auto [pa, cost] = place_bubble(Vec2{(min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f}, kw, kh, 0.0f, vec(min),
                                             Vec2{max.x, max.y - legend_h}, mboxes(avoid));
        if (cost <= 0.5f) free_at = pa;
      }
      if (free_at) {
        const ImVec2 ka(free_at->x, free_at->y);
        const ImVec2 kb(ka.x + kw, ka.y + kh);
        if (!host_key) {
        dl->AddRectFilled(ka, kb, rgb(theme::kBubbleFill), ks * 0.3f);
        dl->AddRect(ka, kb, rgb(theme::kInkSoft), ks * 0.3f, 0, 1.0f);
        float ky = ka.y + pad;
        for (const auto& e : entries) {
          dl->AddText(font, ks, ImVec2(ka.x + pad, ky), rgb(theme::kInk), e.c_str());
          ky += ks * 1.1f;
        }
        avoid.push_back({ka, kb});
        record(ms, MapItem::HostLabel, ka, kb, "(key of hosts)");
        }
        // The numbers beside the icons, inside their regions, on free space.
        for (std::size_t i = 0; i < unnamed.size(); ++i) {
          const auto& hp = plans[unnamed[i]];
          if (hp.numbered) continue;  // its number is under its icon
          const auto& h = layout.hosts()[unnamed[i]];
          const auto ri = static_cast<std::size_t>(layout.region_of(h) - nets.data());
          const std::string num = std::to_string(i + 1);
          const ImVec2 ts = font->CalcTextSizeA(ks, 1e9f, 0.0f, num.c_str());
          const float pw = ts.x + ks * 0.7f;
          const float ph = ts.y + ks * 0.24f;
          const ImVec2 c = hp.c;
          const std::vector<Vec2> spots = {{c.x - icon * 0.62f - pw, c.y - ph * 0.5f},
                                           {c.x + icon * 0.62f, c.y - ph * 0.5f},
                                           {c.x - pw * 0.5f, c.y + icon * 0.62f},
                                           {c.x - pw * 0.5f, c.y - icon * 0.62f - ph},
                                           {c.x + icon * 0.5f, c.y - icon * 0.62f - ph},
                                           {c.x - icon * 0.5f - pw, c.y - icon * 0.62f - ph},
                                           // lower beside the icon (clear of a title above it)
                                           {c.x - icon * 0.62f - pw, c.y - ph * 0.1f},
                                           {c.x + icon * 0.62f, c.y - ph * 0.1f},
                                           {c.x - icon * 0.62f - pw, c.y + icon * 0.3f},
                                           {c.x + icon * 0.62f, c.y + icon * 0.3f}};
          const Vec2 clip_b{region_box[ri].b.x, std::max(region_box[ri].b.y, region_bottom[ri])};
          // What the pill may not cover: as for any map text, except that a region's title
          // counts as drawn (the margin bubbles keep from it would leave a small region no spot).
          std::vector<MapBox> taken_here;
          for (const auto& bx : avoid)
            if (bx.weight != kTitleWeight) taken_here.push_back(mbox(bx));
          for (const auto& it : ms.placed.items)
            if (it.item == MapItem::Title) taken_here.push_back({{it.box.a.x - 1.0f, it.box.a.y - 1.0f}, {it.box.b.x + 1.0f, it.box.b.y + 1.0f}});
          if (const auto at = first_free(spots, pw, ph, vec(region_box[ri].a), clip_b, taken_here)) {
            const ImVec2 a(at->x, at->y);
            pill(dl, font, ks, a, num, rgb(0xFFFFFF), rgb(theme::kInk), 0);
            avoid.push_back({a, ImVec2(a.x + pw, a.y + ph)});
            record(ms, MapItem::HostLabel, avoid.back().a, avoid.back().b, h.id);
          }
        }
      }
    }
  }

  // Region titles, over the hosts.
  for (const auto& t : titles) {
    float y = t.at.y;
    for (const auto& l : t.lines) {
      const ImVec2 ts = font->CalcTextSizeA(t.size, 1e9f, 0.0f, l.c_str());
      const ImVec2 p(std::floor(t.at.x - ts.x * 0.5f), std::floor(y));
      const ImU32 plate = t.alpha != 0 ? (t.plate & 0x00FFFFFFu) | (static_cast<ImU32>(t.alpha) << 24) : t.plate;
      dl->AddRectFilled(ImVec2(p.x - 2.0f, p.y), ImVec2(p.x + ts.x + 2.0f, p.y + ts.y), plate, 3.0f);
      dl->AddText(font, t.size, p, t.colour, l.c_str());
      y += ts.y;
    }
  }

  // Policy blocks: a red cross at the border and what fired.
  for (const auto& m : app.view.blocks) {
    const ImVec2 c = v.to_screen(m.pos);
    const float fade = m.age < 0.7f ? 1.0f : std::max(0.0f, 1.0f - (m.age - 0.7f) / 0.3f);
    const auto alpha = static_cast<unsigned>(255.0f * fade);
    icons::cross(dl, c, std::clamp(40.0f * s, 24.0f, 56.0f), rgb(theme::kBlock, alpha));
    const std::string rule = sim::rule_name(&app.scenario, m.rule, app.lang, true);
    const std::string text = format_text(app.tr("map.blocked_by"), {{"rule", rule}});
    const ImVec2 ts = font->CalcTextSizeA(fs, 1e9f, 0.0f, text.c_str());
    const float cross = std::clamp(40.0f * s, 24.0f, 56.0f);
    // Under the cross; else above or beside it, where it covers no host, label or title; else
    // left out (the narration and the bubble say what was blocked).
    const float pw = ts.x + fs * 0.7f;
    const float ph = ts.y + fs * 0.24f;
    const std::vector<Vec2> places = {{c.x - pw * 0.5f, c.y + cross * 0.7f},
                                      {c.x - pw * 0.5f, c.y - cross * 0.7f - ph},
                                      {c.x + cross * 0.7f, c.y - ph * 0.5f},
                                      {c.x - cross * 0.7f - pw, c.y - ph * 0.5f}};
    if (const auto p = first_free(places, pw, ph, vec(min), Vec2{max.x, max.y - legend_h}, mboxes(avoid))) {
      const ImVec2 at(p->x, p->y);
      pill(dl, font, fs, at, text, rgb(0xFFFFFF, alpha), rgb(theme::kBlock, alpha), 0);
      avoid.push_back({at, ImVec2(at.x + pw, at.y + ph)});
      record(ms, MapItem::BlockPill, avoid.back().a, avoid.back().b, text);
    }
  }

  // Packets in flight. A crowded map (thousands of packets) draws each as a plain mark in
  // its class colour and labels only the current one: piled-up labels cannot be read, and
  // they were most of the frame's vertices. A line says how many are in flight.
  const float item = std::min(std::clamp(34.0f * s, 20.0f, 44.0f), std::max(10.0f, icon * 0.9f));
  const bool crowded = app.view.packets.size() > kDetailedPackets;
  ImVec2 current_anchor(-1, -1);
  const float small = fs * 0.85f;
  // Each label goes beside its item where it covers the least of the host icons, names, titles
  // and labels already placed; a label that would still hide some of them is left out unless
  // its packet is the current one. (On a very busy map the search is skipped: too many pairs.)
  std::vector<Box> pills;
  const std::size_t labels_wanted = crowded ? 1 : app.view.packets.size();
  const bool search = avoid.size() * labels_wanted <= 300000;
  const std::vector<MapBox> pill_avoid = search ? mboxes(avoid) : std::vector<MapBox>{};
  std::vector<MapBox> pill_boxes;
  const Vec2 clip_lo = vec(min);
  const Vec2 clip_hi{max.x, max.y - legend_h};
  auto place_label = [&](ImVec2 c, const std::string& text) -> std::optional<ImVec2> {
    const ImVec2 ts = font->CalcTextSizeA(small, 1e9f, 0.0f, text.c_str());
    const float pw = ts.x + small * 0.7f;
    const float ph = ts.y + small * 0.24f;
    if (!search) return ImVec2(c.x + item * 0.1f, c.y - item * 0.5f - ph);  // the usual place
    const auto at = place_pill(vec(c), item, pw, ph, clip_lo, clip_hi, pill_avoid, pill_boxes);
    if (!at) return std::nullopt;
    pill_boxes.push_back({*at, {at->x + pw, at->y + ph}});
    pills.push_back({ImVec2(at->x, at->y), ImVec2(at->x + pw, at->y + ph)});
    record(ms, MapItem::PacketPill, pills.back().a, pills.back().b, text);
    return ImVec2(at->x, at->y);
  };
  // The current packet first: it gets the best place.
  std::vector<const InFlight*> order;
  order.reserve(app.view.packets.size());
  for (const auto& p : app.view.packets)
    if (app.view.current && p.record == *app.view.current) order.push_back(&p);
  for (const auto& p : app.view.packets)
    if (!(app.view.current && p.record == *app.view.current)) order.push_back(&p);
  std::vector<std::pair<ImVec2, const InFlight*>> labels;
  for (const auto* pp : order) {
    const auto& p = *pp;
    const ImVec2 c = v.to_screen(p.pos);
    const bool is_current = app.view.current && p.record == *app.view.current;
    if (is_current) current_anchor = c;
    const float fade = p.blocked && p.progress > 0.85f ? std::max(0.2f, 1.0f - (p.progress - 0.85f) / 0.15f) : 1.0f;
    const auto alpha = static_cast<unsigned>(255.0f * fade);
    const ImU32 col = theme::packet_colour(p.cls, alpha);
    if (crowded && !is_current) {
      const float r = item * 0.16f;
      dl->AddRectFilled(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), col);
      continue;
    }
    if (p.cls == PacketClass::TcpControl) {
      icons::control_tag(dl, c, item, col);
    } else {
      icons::envelope(dl, c, item * 1.1f, col);
    }
    if (p.tls) icons::padlock(dl, ImVec2(c.x + item * 0.55f, c.y - item * 0.55f), item * 0.55f, rgb(theme::kInk, alpha));
    // The item's own label, so colour is never the only cue (drawn over all items below).
    if (const auto at = place_label(c, p.label)) labels.emplace_back(*at, &p);
  }
  for (const auto& [at, pp] : labels) {
    const float fade =
        pp->blocked && pp->progress > 0.85f ? std::max(0.2f, 1.0f - (pp->progress - 0.85f) / 0.15f) : 1.0f;
    const auto alpha = static_cast<unsigned>(255.0f * fade);
    pill(dl, font, small, at, pp->label, rgb(0xFFFFFF, alpha), theme::packet_colour(pp->cls, alpha), 0);
  }
  if (crowded) {
    const std::string count =
        format_text(app.tr("map.in_flight"), {{"n", std::to_string(app.view.packets.size())}});
    const ImVec2 ts = font->CalcTextSizeA(small, 1e9f, 0.0f, count.c_str());
    const ImVec2 at(min.x + 8.0f, max.y - legend_h - ts.y - small * 0.24f - 6.0f);
    pill(dl, font, small, at, count, rgb(theme::kInk), rgb(theme::kBubbleFill), rgb(theme::kInkSoft));
    avoid.push_back({at, ImVec2(at.x + ts.x + small * 0.7f, at.y + ts.y + small * 0.24f)});
    record(ms, MapItem::CountPill, avoid.back().a, avoid.back().b, count);
  }

  // What is happening now: a bubble next to the packet (or the acting host, or the block),
  // placed where it hides no host, label or title.
  // A protocol engine's state change ("Greeting -> Ehlo") is the engine's own bookkeeping: the
  // bubble tells instead what the story says at that moment, the line that caused the change
  // (the last meaningful record before it that is not itself a state change).
  std::optional<Box> bubble_box;
  std::optional<std::size_t> told = app.view.current;
  auto is_state_change = [&](std::size_t i) {
    const auto& x = app.model.records()[i];
    return x.is(sim::ProtoEvent::State);
  };
  for (int hops = 0; told && is_state_change(*told) && hops < 64; ++hops) {
    told = *told == 0 ? std::nullopt : app.story.meaningful_at(*told - 1);
  }
  if (told && is_state_change(*told)) told.reset();
  if (told) {
    const auto& r = app.model.records()[*told];
    // Worded for people with the scenario's display names, in either language (describe_record
    // falls back to the summary for what it does not word, such as packets, which packet_sentence words).
    std::string text = sim::describe_record(r, ja ? "ja" : "en", &app.scenario);
    if (r.kind == sim::RecordKind::Packet) {
      text = packet_sentence(describe_packet(r), app.strings(), [&](const std::string& id) { return app.host_name(id); });
    }
    // A line the endpoints read in clear but the wire carries encrypted: what an eavesdropper
    // on the path captures instead (the key moment of the TLS lessons).
    if (r.is(sim::ProtoEvent::Command) || r.is(sim::ProtoEvent::Reply)) {
      if (const auto wire = wire_of_line(app.model, *told); wire && wire->tls) {
        text = format_text(app.tr("map.endpoints_see"), {{"line", text}}) + "\n" +
               format_text(app.tr("map.eavesdropper_sees"), {{"hex", hex_bytes(wire->bytes, 12)}});
      }
    }
    ImVec2 anchor = current_anchor;
    if (anchor.x < 0.0f) {
      if (r.kind == sim::RecordKind::Policy && !app.view.blocks.empty()) {
        anchor = v.to_screen(app.view.blocks.back().pos);
      } else if (const auto* h = layout.host(r.host)) {
        anchor = v.to_screen(h->pos);
        anchor.y -= icon * 0.5f;
      } else if (!app.view.blocks.empty()) {
        anchor = v.to_screen(app.view.blocks.back().pos);
      }
    }
    for (const auto& m : app.view.blocks) {
      const ImVec2 c = v.to_screen(m.pos);
      const float k = std::clamp(40.0f * s, 24.0f, 56.0f);
      avoid.push_back({ImVec2(c.x - k, c.y - k * 0.6f), ImVec2(c.x + k * 1.6f, c.y + k * 0.7f + fs * 1.5f)});
    }
    for (const auto& p : app.view.packets) {
      if (crowded && !(app.view.current && p.record == *app.view.current)) continue;  // a plain mark may hide
      const ImVec2 c = v.to_screen(p.pos);
      avoid.push_back({ImVec2(c.x - item * 0.6f, c.y - item * 0.6f), ImVec2(c.x + item * 0.6f, c.y + item * 0.6f)});
    }
    avoid.insert(avoid.end(), pills.begin(), pills.end());
    if (anchor.x >= 0.0f) {
      bubble_box = bubble(ms, dl, font, fs, anchor, text, std::min(avail.x * 0.42f, fs * 22.0f), min,
                          ImVec2(max.x, max.y - legend_h), avoid);
      if (bubble_box) record(ms, MapItem::Bubble, bubble_box->a, bubble_box->b, text);
    }
  }
  dl->PopClipRect();

  legend(app, dl, min, max, false);
  if (!app.headless && hovered && !active) {
    // While the mouse is over the map: the hint at the top right (on a light plate, wrapped
    // right-aligned when the panel is narrow).
    const std::string hint = app.tr("map.hint");
    const float hs = fs * 0.85f;
    const auto& lines = wrapped(ms, font, hs, hint, avail.x * 0.7f);
    float hw = 0.0f;
    float hh = 0.0f;
    for (const auto& l : lines) {
      hw = std::max(hw, l.size.x);
      hh += l.size.y;
    }
    // Never over the speech bubble: the bubble tells the story, the hint can wait.
    const Box hint_box{ImVec2(max.x - hw - 12.0f, min.y + 3.0f), ImVec2(max.x - 4.0f, min.y + 9.0f + hh)};
    if (bubble_box && overlap(*bubble_box, hint_box) > 0.0f) hh = -1.0f;
    if (hh >= 0.0f) dl->AddRectFilled(hint_box.a, hint_box.b, rgb(0xFFFFFF, 215), 4.0f);
    float y = min.y + 6.0f;
    for (const auto& l : lines) {
      if (hh < 0.0f) break;
      dl->AddText(font, hs, ImVec2(max.x - l.size.x - 8.0f, y), rgb(theme::kInkSoft), l.text.c_str());
      y += l.size.y;
    }
  }
  dl->PopClipRect();

  if (!hovered_host.empty()) {
    if (mail_tip.kind != MailTip::Kind::None && mail_tip.host == hovered_host) {
      mail_tooltip(app, mail_tip);
    } else {
      ImGui::BeginTooltip();
      ImGui::TextUnformatted(app.host_name(hovered_host).c_str());
      if (const auto* h = layout.host(hovered_host)) ImGui::TextDisabled("%s  %s", h->id.c_str(), h->ip.c_str());
      ImGui::EndTooltip();
    }
  }
  // A click on a moving packet opens it layer by layer in the Inspector.
  if (released && !ms.dragged && hovered_host.empty()) {
    for (const auto& p : app.view.packets) {
      const ImVec2 c = v.to_screen(p.pos);
      if (std::abs(io.MousePos.x - c.x) <= item * 0.6f && std::abs(io.MousePos.y - c.y) <= item * 0.6f) {
        app.selected_packet = p.record;
        app.switch_to_tab = Tab::Inspector;
        break;
      }
    }
  }
  // A click (a press and release without a drag) on a host or its mail marks opens it in the Inspector.
  if (released && !ms.dragged && !hovered_host.empty()) {
    app.selected_host = hovered_host;
    app.selected_letter.clear();
    app.selected_packet.reset();
    app.switch_to_tab = Tab::Inspector;
  }
  if (!active) {
    ms.drag = MapState::Drag::None;
    ms.drag_id.clear();
  }
}

}  // namespace mailsim::gui::panels
