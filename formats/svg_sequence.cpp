// The sequence diagram as SVG: lanes per host, arrows per protocol line, narration markers.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "formats/svg.hpp"
#include "formats/trace_view.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/presentation.hpp"

namespace mailsim::formats {
namespace {

constexpr std::size_t kLabelMax = 48;

// Cut to at most kLabelMax bytes at a UTF-8 boundary, with "..." when cut.
std::string cut(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() <= kLabelMax) return s;
  std::size_t n = kLabelMax - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

// "MX 10 mx1.hogehoge.com" from a record (names without their final dot).
std::string rr_label(const dns::Record& r) {
  std::string data = dns::rdata_to_string(r, false);
  return dns::type_name(r.type) + " " + data;
}

std::string dns_label(std::string_view bytes, const std::string& lang) {
  const auto res = dns::decode(bytes);
  if (!res.ok()) return fmt::format("DNS {} B", bytes.size());
  const auto& m = *res.message;
  const std::string qtype = m.questions.empty() ? std::string("?") : dns::type_name(m.questions[0].type);
  if (!m.header.qr) {
    const std::string qname = m.questions.empty() ? std::string() : m.questions[0].name.to_string_no_dot();
    return cut(qtype + "? " + qname);
  }
  if (m.header.rcode != dns::Rcode::NoError) return dns::rcode_name(m.header.rcode);
  const auto more = [](std::size_t n) { return n > 1 ? " +" + std::to_string(n - 1) : std::string(); };
  if (!m.answers.empty()) return cut(rr_label(m.answers[0]) + more(m.answers.size()));
  if (!m.authority.empty() && m.authority[0].type == dns::Type::NS) {
    const auto target = dns::rdata_to_string(m.authority[0], false) + more(m.authority.size());
    return cut(lang == "ja" ? "委任先：" + target : "referral: " + target);
  }
  return cut(lang == "ja" ? qtype + "レコードなし" : "no " + qtype + " record");
}

std::string proto_colour(const std::string& proto) {
  if (proto == "smtp") return "#1f5fbf";
  if (proto == "pop3") return "#2e8b3e";
  if (proto == "imap") return "#8a3fb0";
  if (proto == "dns") return "#c46a00";
  return "#666666";
}

// At most `max` bytes at a UTF-8 boundary, with "…" when cut.
std::string cut_to(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::string seconds(sim::Time t) { return fmt::format("{:.3f} s", static_cast<double>(t) / 1e6); }

}  // namespace

std::vector<SequenceArrow> sequence_arrows(const sim::Trace& trace, const std::string& lang) {
  std::vector<SequenceArrow> out;
  for (const auto& r : trace.records()) {
    if (r.kind == sim::RecordKind::Protocol) {
      const auto& pi = r.proto_info();
      if (pi.event == sim::ProtoEvent::State || pi.event == sim::ProtoEvent::Error || pi.event == sim::ProtoEvent::Note)
        continue;
      if (r.peer.empty() || r.peer == r.host) continue;
      auto text = pi.wire_text();
      if (text.empty()) {
        text = r.text();
        if (text.rfind("C: ", 0) == 0 || text.rfind("S: ", 0) == 0) text = text.substr(3);
      }
      out.push_back({r.seq, r.time, r.host, r.peer, r.protocol, cut(text), false});
    } else if (r.kind == sim::RecordKind::Packet) {
      const sim::PacketInfo& pk = *r.packet;
      const bool blocked = !pk.blocked_by.empty() || !pk.lost.empty();
      if (pk.udp && r.protocol == "dns") {
        out.push_back({r.seq, r.time, r.host, r.peer, "dns", dns_label(std::string(pk.bytes), lang), blocked});
      } else if (!pk.udp) {
        if (pk.flags & kTcpSyn || pk.flags & kTcpRst)
          out.push_back({r.seq, r.time, r.host, r.peer, "tcp", pk.flag_names(), blocked});
      }
    }
  }
  return out;
}

std::string sequence_svg(const sim::Trace& trace, const DiagramInput& in) {
  const auto arrows = sequence_arrows(trace, in.lang);
  std::map<std::string, const DiagramHost*> host_by_id;
  for (const auto& h : in.hosts) host_by_id[h.id] = &h;
  std::vector<std::string> lanes;
  std::map<std::string, std::size_t> lane_of;
  const auto lane = [&](const std::string& id) {
    auto [it, fresh] = lane_of.try_emplace(id, lanes.size());
    if (fresh) lanes.push_back(id);
    return it->second;
  };
  const std::size_t shown = std::min(arrows.size(), kMaxSvgArrows);
  for (std::size_t i = 0; i < shown; ++i) {
    lane(arrows[i].from);
    lane(arrows[i].to);
  }
  // Narration steps: on the row of the first arrow at or after the step's record.
  std::map<std::size_t, std::vector<std::size_t>> steps_at_row;
  for (const auto& m : in.matches) {
    if (!m.reached || m.step >= in.steps.size()) continue;
    std::size_t row = 0;
    while (row < shown && arrows[row].record < m.seq) ++row;
    if (row == shown && row > 0) --row;
    steps_at_row[row].push_back(m.step);
  }

  const double time_w = 90, lane_w = 180, note_w = 420, top = 110, row_h = 26, margin = 20;
  const double lanes_w = std::max<double>(1, static_cast<double>(lanes.size())) * lane_w;
  const double width = margin + time_w + lanes_w + note_w + margin;
  const double rows = static_cast<double>(std::max<std::size_t>(shown, 1)) + (arrows.size() > shown ? 1 : 0);
  const auto row_y = [&](std::size_t i) { return top + row_h * static_cast<double>(i) + 18; };
  // Step labels go down the narration column in step order, each on its arrow's row unless
  // the label above is still there: then just below it (a dashed line links it to its row),
  // so several steps on one row, or on rows close together, never print over each other.
  constexpr double kNoteLine = 22;  // the marker's circle is 20 high
  std::map<std::size_t, std::vector<std::pair<std::size_t, double>>> notes_at_row;  // row -> (step, y)
  double last_note = -1e9;
  for (const auto& [row, steps] : steps_at_row)
    for (std::size_t step : steps) {
      const double ny = std::max(row_y(row), last_note + kNoteLine);
      notes_at_row[row].emplace_back(step, ny);
      last_note = ny;
    }
  const double height = std::max(top + rows * row_h + 40, last_note + 30);
  const auto lane_x = [&](std::size_t i) { return margin + time_w + lane_w * (static_cast<double>(i) + 0.5); };

  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"{2}\" font-size=\"13\">\n",
      width, height, kSvgFontFamily);
  s += fmt::format("<title>{}</title>\n", xml_escape(in.title));
  s += "<defs>";
  for (const char* p : {"smtp", "pop3", "imap", "dns", "tcp"})
    s += fmt::format(
        "<marker id=\"head-{0}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
        "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{1}\"/></marker>",
        p, proto_colour(p));
  s += "</defs>\n";
  s += fmt::format("<rect width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#ffffff\"/>\n", width, height);
  s += fmt::format("<text x=\"{}\" y=\"32\" font-size=\"20\" font-weight=\"bold\">{}</text>\n", margin,
                   xml_escape(in.title));
  // Lanes: header and a vertical line.
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const auto* h = host_by_id.count(lanes[i]) ? host_by_id[lanes[i]] : nullptr;
    const double x = lane_x(i);
    s += fmt::format("<g class=\"lane\"><rect x=\"{:.1f}\" y=\"50\" width=\"{:.1f}\" height=\"44\" rx=\"6\" "
                     "fill=\"#eef2f8\" stroke=\"#9aa8bd\"/>",
                     x - lane_w / 2 + 6, lane_w - 12);
    s += fmt::format("<text x=\"{:.1f}\" y=\"69\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>", x,
                     xml_escape(cut_to(h ? h->name : lanes[i], 21)));
    s += fmt::format("<text x=\"{:.1f}\" y=\"86\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{}</text>", x,
                     xml_escape(h ? h->ip : std::string()));
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"94\" x2=\"{0:.1f}\" y2=\"{1:.1f}\" stroke=\"#c3cbd8\" "
                     "stroke-dasharray=\"4 4\"/></g>\n",
                     x, height - 20);
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"76\" font-weight=\"bold\">{}</text>\n", margin + time_w + lanes_w + 10,
                   in.lang == "ja" ? "ナレーション" : "Narration");
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& a = arrows[i];
    const double y = top + row_h * static_cast<double>(i) + 18;
    const double x1 = lane_x(lane_of[a.from]);
    double x2 = lane_x(lane_of[a.to]);
    const auto colour = proto_colour(a.proto);
    s += fmt::format("<g class=\"arrow {}\"><title>{} {}</title>", a.proto, seconds(a.time), xml_escape(a.label));
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#777\">{}</text>", margin, y + 4,
                     seconds(a.time));
    if (a.blocked) x2 = x1 + (x2 - x1) * 0.6;
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"1.6\"{}{}/>",
                     x1, y, x2, y, colour, a.blocked ? " stroke-dasharray=\"5 3\"" : "",
                     a.blocked ? "" : fmt::format(" marker-end=\"url(#head-{})\"", a.proto == "smtp" || a.proto == "pop3" ||
                                                                                     a.proto == "imap" || a.proto == "dns"
                                                                                 ? a.proto
                                                                                 : "tcp"));
    if (a.blocked)
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#c00000\" font-weight=\"bold\">✕</text>",
                       x2, y + 5);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"{}\">{}</text></g>\n",
                     (x1 + x2) / 2, y - 5, colour, xml_escape(a.label));
    if (auto it = notes_at_row.find(i); it != notes_at_row.end()) {
      for (const auto& [step, ny] : it->second) {
        const double nx = margin + time_w + lanes_w + 10;
        s += fmt::format("<g class=\"step\"><title>{}</title>", xml_escape(in.steps[step].text(in.lang)));
        s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e0a000\" "
                         "stroke-width=\"1\" stroke-dasharray=\"2 3\"/>",
                         margin + time_w, y, nx, ny);
        s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"10\" fill=\"#f5b800\"/>", nx + 10, ny);
        s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"11\" "
                         "font-weight=\"bold\">{}</text>",
                         nx + 10, ny + 4, step + 1);
        // Japanese characters are 3 bytes and about twice as wide as Latin letters.
        const std::string text = cut_to(in.steps[step].text(in.lang), in.lang == "ja" ? 84 : 54);
        s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\">{}</text></g>\n", nx + 26, ny + 4,
                         xml_escape(text));
      }
    }
  }
  if (arrows.size() > shown)
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" fill=\"#777\">… {} more</text>\n", margin,
                     top + row_h * static_cast<double>(shown) + 18, arrows.size() - shown);
  if (arrows.empty())
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" fill=\"#777\">{}</text>\n", margin, top + 18,
                     in.lang == "ja" ? "（プロトコルのやりとりはありません）" : "(no protocol lines in this run)");
  s += "</svg>\n";
  return s;
}

}  // namespace mailsim::formats
