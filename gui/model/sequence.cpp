// Builds the sequence diagram's lanes and arrows from the trace model.
#include "gui/model/sequence.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "gui/model/story.hpp"
#include "gui/model/strings.hpp"
#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {
std::string cut(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() <= kSeqLabelMax) return s;
  std::size_t n = kSeqLabelMax - 3;
  // Never cut inside a UTF-8 sequence.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

// A resource record in presentation format, "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
// as a label: "MX 10 mx1.hogehoge.com" (names without their final dot).
std::string rr_label(std::string_view rr) {
  std::vector<std::string_view> words;
  for (std::size_t at = 0; at < rr.size();) {
    const auto end = std::min(rr.find(' ', at), rr.size());
    if (end > at) words.push_back(rr.substr(at, end - at));
    at = end + 1;
  }
  const auto in = std::find(words.begin(), words.end(), "IN");
  if (in == words.end() || in + 1 == words.end()) return std::string(rr);
  std::string out;
  for (auto it = in + 1; it != words.end(); ++it) {
    auto w = *it;
    if (w.size() > 1 && w.back() == '.') w.remove_suffix(1);
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// "MX 10 mx1.hogehoge.com" for the first record of a list, " +1" for each further one.
std::string records_label(const std::vector<std::string_view>& list, bool target_only) {
  std::string out = rr_label(std::string(list.front()));
  if (target_only) out = out.substr(std::min(out.rfind(' ') + 1, out.size()));  // "NS x" -> "x"
  if (list.size() > 1) out += " +" + std::to_string(list.size() - 1);
  return out;
}

// The label of a DNS datagram from the dns record that describes it (query or response).
void dns_label(const sim::Record& d, SeqArrow& a) {
  const auto& det = d.dns_info();
  if (!d.is(sim::DnsEvent::Response)) {
    a.label = cut(det.question());
    return;
  }
  const auto rcode = det.rcode.str();
  const auto answers = det.answer_list();
  const auto authority = det.authority_list();
  if (!rcode.empty() && rcode != "NOERROR") {
    a.label = rcode;
  } else if (!answers.empty()) {
    a.label = cut(records_label(answers, false));
  } else if (!authority.empty() && rr_label(std::string(authority.front())).rfind("NS ", 0) == 0) {
    a.label = cut(records_label(authority, true));
    a.label_key = "seq.dns_referral";
  } else {
    a.label = det.qtype.str();
    a.label_key = "seq.dns_nodata";
  }
}

// Code points: a UTF-8 sequence's length from its first byte (a stray byte is one).
std::size_t utf8_length(std::string_view s, std::size_t at) {
  const auto b = static_cast<unsigned char>(s[at]);
  std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  for (std::size_t k = 1; k < n; ++k) {
    if (at + k >= s.size() || (static_cast<unsigned char>(s[at + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

char32_t code_point(std::string_view s, std::size_t at, std::size_t len) {
  if (len == 1) return static_cast<unsigned char>(s[at]);
  char32_t c = static_cast<unsigned char>(s[at]) & (0x7Fu >> len);
  for (std::size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[at + k]) & 0x3Fu);
  return c;
}

bool is_blank(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000'; }

bool is_katakana(char32_t c) { return c >= 0x30A0 && c <= 0x30FF; }

// A line may start at code point `cur` after `prev`: after spaces, after a dot of a host
// name, next to a Japanese character (not before closing punctuation or small kana, not
// after an opening bracket, not inside a katakana word: "サーバー" stays whole).
bool header_break(char32_t prev, char32_t cur) {
  constexpr std::u32string_view kNoStart = U"、。，．・：；？！ー）」』】ぁぃぅぇぉっゃゅょァィゥェォッャュョ…,.;:!?)]}";
  constexpr std::u32string_view kNoEnd = U"（「『【([{";
  if (is_blank(cur)) return false;
  if (is_blank(prev)) return true;
  if (prev == U'.') return cur != U'.';
  if (is_katakana(prev) && is_katakana(cur)) return false;
  return (is_cjk(prev) || is_cjk(cur)) && kNoStart.find(cur) == std::u32string_view::npos &&
         kNoEnd.find(prev) == std::u32string_view::npos;
}

// The piece of `s` in [from, to) without blanks at either end.
std::string_view trimmed(std::string_view s, std::size_t from, std::size_t to) {
  while (from < to && (s[from] == ' ' || s[from] == '\t')) ++from;
  while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\t')) --to;
  // A full-width space (E3 80 80) at either end.
  while (to - from >= 3 && s.substr(to - 3, 3) == "\u3000") to -= 3;
  while (to - from >= 3 && s.substr(from, 3) == "\u3000") from += 3;
  return s.substr(from, to - from);
}
}  // namespace

std::size_t SequenceModel::lane_of(const std::string& host) const {
  auto it = std::find(lanes.begin(), lanes.end(), host);
  return static_cast<std::size_t>(it - lanes.begin());
}

std::pair<std::size_t, std::size_t> SequenceModel::arrows_between(double from, double to) const {
  if (reach.size() != arrows.size()) return {0, arrows.size()};
  const auto first = std::lower_bound(reach.begin(), reach.end(), from) - reach.begin();
  const auto last = std::partition_point(arrows.begin() + first, arrows.end(),
                                         [&](const SeqArrow& a) { return a.start <= to; }) - arrows.begin();
  return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
}

SequenceModel build_sequence(const TraceModel& model) {
  SequenceModel s;
  s.duration = model.pace().duration();
  const auto& recs = model.records();
  const auto& layout = model.layout();
  // The dns records that describe datagrams, by event, host, peer and time: a query as the
  // server received it (at the datagram's arrival), a response as the server sent it, a
  // stub's lookup as it left (for a query that never arrived).
  std::unordered_map<std::string, std::deque<std::size_t>> dns_records;
  const auto dns_key = [](sim::DnsEvent event, const std::string& host, const std::string& peer, sim::Time t) {
    std::string k(1, static_cast<char>('0' + static_cast<int>(event)));
    k.append(1, '\n').append(host).append(1, '\n').append(peer).append(1, '\n').append(std::to_string(t));
    return k;
  };
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const auto ev = r.dns_event();
    if (ev == sim::DnsEvent::Query || ev == sim::DnsEvent::Response || ev == sim::DnsEvent::Lookup)
      dns_records[dns_key(ev, r.host, r.peer, r.time)].push_back(i);
  }
  const auto take_dns = [&](const std::string& key) -> const sim::Record* {
    const auto it = dns_records.find(key);
    if (it == dns_records.end() || it->second.empty()) return nullptr;
    const auto i = it->second.front();
    it->second.pop_front();
    return &recs[i];
  };
  std::unordered_map<std::string, std::size_t> lane_index;  // a busy world has hundreds of lanes
  auto lane = [&](const std::string& host) {
    const auto [it, fresh] = lane_index.try_emplace(host, s.lanes.size());
    if (fresh) s.lanes.push_back(host);
    return it->second;
  };
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (r.kind == sim::RecordKind::Packet) {
      std::string from = r.host;
      std::string to = r.peer;
      if (const auto* path = r.packet ? r.packet->path : nullptr; path && !path->empty()) {
        from = path->front();
        if (layout.host(path->back())) to = path->back();
      }
      if (from.empty() || to.empty() || from == to || !layout.host(from) || !layout.host(to)) continue;
      SeqArrow a;
      a.record = i;
      a.packet = true;
      a.from = lane(from);
      a.to = lane(to);
      a.start = model.playback_of_record(i);
      const sim::PacketInfo& pk = *r.packet;
      const sim::Time arrive = pk.path ? pk.arrive : r.time;
      a.end = std::max(a.start, model.pace().playback_at(arrive));
      a.blocked = !pk.blocked_by.empty() || !pk.lost.empty();
      a.cls = classify_packet(r);
      a.label = packet_label(r, a.cls);
      if (a.cls == PacketClass::Dns) {
        const sim::Record* d = take_dns(dns_key(sim::DnsEvent::Response, from, to, r.time));
        if (!d && !a.blocked) d = take_dns(dns_key(sim::DnsEvent::Query, to, from, arrive));
        if (!d) d = take_dns(dns_key(sim::DnsEvent::Lookup, from, to, r.time));
        if (d) dns_label(*d, a);
      }
      s.arrows.push_back(std::move(a));
    } else if (r.kind == sim::RecordKind::Protocol) {
      const auto& pi = r.proto_info();
      if (pi.event == sim::ProtoEvent::State || pi.event == sim::ProtoEvent::Error || pi.event == sim::ProtoEvent::Note)
        continue;
      if (r.peer.empty() || r.peer == r.host || !layout.host(r.host) || !layout.host(r.peer)) continue;
      SeqArrow a;
      a.record = i;
      a.from = lane(r.host);
      a.to = lane(r.peer);
      a.start = a.end = model.playback_of_record(i);
      auto text = pi.wire_text();
      if (text.empty()) {
        text = r.text();
        if (text.rfind("C: ", 0) == 0 || text.rfind("S: ", 0) == 0) text = text.substr(3);
      }
      a.label = cut(std::move(text));
      if (r.protocol == "smtp") a.cls = PacketClass::Smtp;
      else if (r.protocol == "pop3") a.cls = PacketClass::Pop3;
      else if (r.protocol == "imap") a.cls = PacketClass::Imap;
      else a.cls = PacketClass::OtherData;
      s.arrows.push_back(std::move(a));
    }
  }
  // Lanes in the order of the path, as the map lays hosts out: senders' access networks on
  // the left, the Internet in the middle, the data centres on the right (top to bottom within
  // a column); first appearance breaks ties. Neighbours on the map are neighbours here, so a
  // letter's arrows run left to right instead of crossing the diagram.
  if (s.lanes.size() > 1) {
    std::vector<std::size_t> order(s.lanes.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::vector<Vec2> pos(s.lanes.size());
    for (std::size_t k = 0; k < s.lanes.size(); ++k)
      if (const auto* h = layout.host(s.lanes[k])) pos[k] = h->pos;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (pos[a].x != pos[b].x) return pos[a].x < pos[b].x;
      return pos[a].y < pos[b].y;
    });
    std::vector<std::size_t> new_index(s.lanes.size());
    std::vector<std::string> lanes(s.lanes.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      new_index[order[k]] = k;
      lanes[k] = std::move(s.lanes[order[k]]);
    }
    s.lanes = std::move(lanes);
    for (auto& a : s.arrows) {
      a.from = new_index[a.from];
      a.to = new_index[a.to];
    }
  }
  s.reach.reserve(s.arrows.size());
  double reach = 0.0;
  for (const auto& a : s.arrows) {
    reach = std::max(reach, a.end);
    s.reach.push_back(reach);
  }
  return s;
}

std::optional<std::pair<double, double>> exchange_span(const SequenceModel& seq, const TraceModel& model,
                                                      std::optional<std::size_t> current, double window) {
  if (!current || seq.arrows.empty()) return std::nullopt;
  const auto& recs = model.records();
  if (*current >= recs.size()) return std::nullopt;
  const double now = model.playback_of_record(*current);
  // The connection in force: the current record's, else the latest arrow's at or before now.
  std::uint64_t conn = recs[*current].conn;
  if (conn == 0) {
    const auto [first, last] = seq.arrows_between(now - window, now);
    for (std::size_t k = last; k-- > first;) {
      if (seq.arrows[k].start <= now && recs[seq.arrows[k].record].conn != 0) {
        conn = recs[seq.arrows[k].record].conn;
        break;
      }
    }
  }
  if (conn != 0) {
    double from = 0.0;
    double to = 0.0;
    bool any = false;
    for (const auto& a : seq.arrows) {
      if (recs[a.record].conn != conn) continue;
      from = any ? std::min(from, a.start) : a.start;
      to = any ? std::max(to, a.end) : a.end;
      any = true;
    }
    if (any) return std::make_pair(from, std::max(to, from + 0.001));
  }
  // No connection (DNS datagrams, a blocked SYN): the arrows around now.
  const auto [first, last] = seq.arrows_between(now - window * 0.5, now + window * 0.5);
  if (first >= last) return std::nullopt;
  double from = seq.arrows[first].start;
  double to = from;
  for (std::size_t k = first; k < last; ++k) {
    from = std::min(from, seq.arrows[k].start);
    to = std::max(to, seq.arrows[k].end);
  }
  return std::make_pair(from, std::max(to, from + 0.001));
}

std::string arrow_label(const SeqArrow& arrow, const StringTable& strings) {
  if (arrow.label_key.empty()) return arrow.label;
  return format_text(strings.get(arrow.label_key), {{"name", arrow.label}});
}

LaneHeader fit_lane_header(std::string_view name, float width, std::size_t max_lines, float min_scale,
                           const MeasureText& measure) {
  LaneHeader out;
  name = trimmed(name, 0, name.size());
  // Where a line may start: byte offsets of the code points after a break opportunity.
  std::vector<std::size_t> starts{0};
  char32_t prev = 0;
  for (std::size_t at = 0; at < name.size();) {
    const auto len = utf8_length(name, at);
    const char32_t c = code_point(name, at, len);
    if (at > 0 && header_break(prev, c)) starts.push_back(at);
    prev = c;
    at += len;
  }
  starts.push_back(name.size());
  if (trimmed(name, 0, name.size()).empty() || max_lines == 0) return out;
  const auto fits = [&](std::string_view t, float scale) { return measure(t) * scale <= width; };
  // Greedy lines from unit `u` on (at most `limit`); false when a word alone is too wide or
  // the lines run out, with `u` at the first unit not placed.
  const auto pack = [&](float scale, std::size_t limit, std::vector<std::string>& lines, std::size_t& u) {
    while (u + 1 < starts.size()) {
      if (lines.size() == limit) return false;
      std::size_t v = u;
      while (v + 1 < starts.size() && fits(trimmed(name, starts[u], starts[v + 1]), scale)) ++v;
      if (v == u) return false;
      lines.emplace_back(trimmed(name, starts[u], starts[v]));
      u = v;
    }
    return true;
  };
  // Latin text in as few lines as greedy packing needs, the widest as narrow as it can be:
  // "mail." / "example.com" rather than "mail.example." / "com". (Japanese keeps greedy
  // lines: balancing would split "しろやぎさんの" / "PC" as "しろやぎ" / "さんのPC".)
  bool latin = true;
  for (std::size_t at = 0; at < name.size(); at += utf8_length(name, at))
    if (is_cjk(code_point(name, at, utf8_length(name, at)))) latin = false;
  const auto balanced = [&](std::size_t count) {
    const std::size_t n = starts.size() - 1;  // units
    constexpr float kNone = FLT_MAX;
    // widest[k][u]: the narrowest widest line setting units u.. in k lines; cut[k][u]: where its first line ends.
    std::vector<std::vector<float>> widest(count + 1, std::vector<float>(n + 1, kNone));
    std::vector<std::vector<std::size_t>> cut_at(count + 1, std::vector<std::size_t>(n + 1, n));
    widest[0][n] = 0.0f;
    for (std::size_t k = 1; k <= count; ++k) {
      for (std::size_t u = 0; u < n; ++u) {
        for (std::size_t v = u + 1; v <= n; ++v) {
          if (widest[k - 1][v] == kNone) continue;
          const float w = std::max(measure(trimmed(name, starts[u], starts[v])), widest[k - 1][v]);
          if (w < widest[k][u]) {
            widest[k][u] = w;
            cut_at[k][u] = v;
          }
        }
      }
    }
    std::vector<std::string> lines;
    for (std::size_t k = count, u = 0; k > 0 && u < n; --k) {
      const auto v = cut_at[k][u];
      lines.emplace_back(trimmed(name, starts[u], starts[v]));
      u = v;
    }
    return lines;
  };
  std::vector<float> scales;
  for (int k = 0; 1.0f - 0.1f * static_cast<float>(k) > min_scale + 0.001f; ++k) scales.push_back(1.0f - 0.1f * static_cast<float>(k));
  scales.push_back(std::min(min_scale, 1.0f));
  for (const float scale : scales) {
    std::vector<std::string> lines;
    std::size_t u = 0;
    if (pack(scale, max_lines, lines, u)) {
      if (lines.size() > 1 && latin) lines = balanced(lines.size());
      out.lines = std::move(lines);
      out.scale = scale;
      return out;
    }
  }
  // Too long even at the smallest size: the lines that fit, then the rest cut with "…".
  out.scale = scales.back();
  std::size_t u = 0;
  pack(out.scale, max_lines - 1, out.lines, u);
  std::string rest(trimmed(name, starts[u], name.size()));
  static constexpr std::string_view kEllipsis = "\u2026";
  while (!rest.empty() && !fits(rest + std::string(kEllipsis), out.scale)) {
    while (!rest.empty() && (static_cast<unsigned char>(rest.back()) & 0xC0) == 0x80) rest.pop_back();
    if (!rest.empty()) rest.pop_back();
    // No space or dot just before the "…" ("example.…" reads as dots).
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '.')) rest.pop_back();
  }
  out.lines.push_back(rest + std::string(kEllipsis));
  out.cut = true;
  return out;
}

}  // namespace mailsim::gui
