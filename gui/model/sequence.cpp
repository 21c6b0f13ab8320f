// Builds the sequence diagram's lanes and arrows from the trace model.
#include "gui/model/sequence.hpp"

#include <algorithm>
#include <unordered_map>

#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {
std::string str(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string cut(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() <= kSeqLabelMax) return s;
  std::size_t n = kSeqLabelMax - 3;
  // Never cut inside a UTF-8 sequence.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
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
      if (auto it = r.detail.find("path"); it != r.detail.end() && it->is_array() && !it->empty()) {
        if ((*it)[0].is_string()) from = (*it)[0].get<std::string>();
        if (it->back().is_string() && layout.host(it->back().get<std::string>())) to = it->back().get<std::string>();
      }
      if (from.empty() || to.empty() || from == to || !layout.host(from) || !layout.host(to)) continue;
      SeqArrow a;
      a.record = i;
      a.packet = true;
      a.from = lane(from);
      a.to = lane(to);
      a.start = model.playback_of_record(i);
      const auto arrive = r.detail.value("arrive", r.time);
      a.end = std::max(a.start, model.pace().playback_at(arrive));
      a.blocked = !str(r.detail, "blocked_by").empty() || !str(r.detail, "lost").empty();
      a.cls = classify_packet(r);
      a.label = packet_label(r, a.cls);
      s.arrows.push_back(std::move(a));
    } else if (r.kind == sim::RecordKind::Protocol) {
      if (r.event == "state" || r.event == "error" || r.event == "note") continue;
      if (r.peer.empty() || r.peer == r.host || !layout.host(r.host) || !layout.host(r.peer)) continue;
      SeqArrow a;
      a.record = i;
      a.from = lane(r.host);
      a.to = lane(r.peer);
      a.start = a.end = model.playback_of_record(i);
      auto text = str(r.detail, "line");
      if (text.empty() && r.detail.contains("bytes")) text = sim::unescape_bytes(str(r.detail, "bytes"));
      if (text.empty()) {
        text = r.summary;
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
  s.reach.reserve(s.arrows.size());
  double reach = 0.0;
  for (const auto& a : s.arrows) {
    reach = std::max(reach, a.end);
    s.reach.push_back(reach);
  }
  return s;
}

}  // namespace mailsim::gui
