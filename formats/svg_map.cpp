// The network map at one narration step as SVG: networks, hosts, the step's exchange.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "formats/svg.hpp"

namespace mailsim::formats {
namespace {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  double cx() const { return x + w / 2; }
  double cy() const { return y + h / 2; }
};

// Breaks text into lines of at most `max` bytes, between words where there are spaces and
// anywhere between UTF-8 characters otherwise (Japanese has no spaces).
std::vector<std::string> wrap(const std::string& text, std::size_t max) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = 1;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xF0) n = 4;
    else if (c >= 0xE0) n = 3;
    else if (c >= 0xC0) n = 2;
    const std::string ch = text.substr(i, n);
    i += n;
    if (line.size() + ch.size() > max) {
      const auto sp = line.rfind(' ');
      if (sp != std::string::npos && sp > max / 2) {
        lines.push_back(line.substr(0, sp));
        line = line.substr(sp + 1);
      } else {
        lines.push_back(line);
        line.clear();
      }
    }
    line += ch;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::string map_svg(const sim::Trace& trace, const DiagramInput& in, std::size_t step) {
  const double width = 1280, margin = 24, top = 70, host_h = 46, host_gap = 10, net_pad = 34, col_w = 420;
  // Columns: access and other networks at the left, the Internet in the middle, data centres right.
  std::vector<const DiagramNetwork*> left, right;
  for (const auto& n : in.networks) (n.kind == "datacenter" ? right : left).push_back(&n);
  if (left.empty() && right.size() > 1) {
    left.push_back(right.front());
    right.erase(right.begin());
  }
  std::map<std::string, std::vector<const DiagramHost*>> hosts_of;
  for (const auto& h : in.hosts) hosts_of[h.network].push_back(&h);

  std::map<std::string, Box> host_box;
  std::map<std::string, Box> net_box;
  double bottom = top;
  const auto place = [&](const std::vector<const DiagramNetwork*>& nets, double x) {
    double y = top;
    for (const auto* n : nets) {
      const auto& hs = hosts_of[n->id];
      const double h = net_pad + static_cast<double>(hs.size()) * (host_h + host_gap) + host_gap;
      net_box[n->id] = {x, y, col_w, h};
      double hy = y + net_pad;
      for (const auto* host : hs) {
        host_box[host->id] = {x + 16, hy, col_w - 32, host_h};
        hy += host_h + host_gap;
      }
      y += h + 20;
    }
    bottom = std::max(bottom, y);
  };
  place(left, margin);
  place(right, width - margin - col_w);
  const Box internet{width / 2 - 90, top + 40, 180, 70};

  // The step: its record's hosts and a few words.
  const sim::NarrationMatch* match = nullptr;
  for (const auto& m : in.matches)
    if (m.step + 1 == step) match = &m;
  std::string from, to, caption, when;
  if (match && match->reached && match->seq < trace.records().size()) {
    const auto& r = trace.records()[match->seq];
    from = r.host;
    to = r.peer;
    when = fmt::format("{:.3f} s", static_cast<double>(r.time) / 1e6);
  }
  if (step >= 1 && step <= in.steps.size()) caption = in.steps[step - 1].text(in.lang);
  const auto lines = wrap(caption, 110);
  const double cap_top = bottom + 10;
  const double height = cap_top + 40 + static_cast<double>(lines.size()) * 20 + 20;

  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"{2}\" font-size=\"13\">\n",
      width, height, kSvgFontFamily);
  s += fmt::format("<title>{}</title>\n", xml_escape(in.title));
  s += "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
       "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d06000\"/></marker></defs>\n";
  s += fmt::format("<rect width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#ffffff\"/>\n", width, height);
  s += fmt::format("<text x=\"{}\" y=\"34\" font-size=\"20\" font-weight=\"bold\">{}</text>\n", margin,
                   xml_escape(in.title));
  s += fmt::format("<ellipse cx=\"{:.1f}\" cy=\"{:.1f}\" rx=\"{:.1f}\" ry=\"{:.1f}\" fill=\"#eef6ff\" stroke=\"#8fb3d9\"/>",
                   internet.cx(), internet.cy(), internet.w / 2, internet.h / 2);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                   internet.cx(), internet.cy() + 5, in.lang == "ja" ? "インターネット" : "Internet");
  for (const auto& n : in.networks) {
    const auto& b = net_box[n.id];
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#8fb3d9\" stroke-width=\"2\"/>",
                     b.x < internet.x ? b.x + b.w : b.x, b.y + 20, b.x < internet.x ? internet.x : internet.x + internet.w,
                     internet.cy());
    s += fmt::format("<g class=\"network\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"10\" "
                     "fill=\"#f6f8fb\" stroke=\"#9aa8bd\"/>",
                     b.x, b.y, b.w, b.h);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-weight=\"bold\">{} <tspan fill=\"#666\" "
                     "font-weight=\"normal\" font-size=\"11\">{}</tspan></text></g>\n",
                     b.x + 12, b.y + 22, xml_escape(n.name), xml_escape(n.cidr));
  }
  for (const auto& h : in.hosts) {
    auto it = host_box.find(h.id);
    if (it == host_box.end()) continue;
    const auto& b = it->second;
    const bool lit = h.id == from || h.id == to;
    s += fmt::format("<g class=\"host{}\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"6\" "
                     "fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                     lit ? " active" : "", b.x, b.y, b.w, b.h, lit ? "#fff4d6" : "#ffffff", lit ? "#d06000" : "#9aa8bd",
                     lit ? 2.5 : 1);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-weight=\"bold\">{}</text>", b.x + 10, b.y + 19,
                     xml_escape(h.name));
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#555\">{}  ·  {}</text></g>\n", b.x + 10,
                     b.y + 36, xml_escape(h.ip), xml_escape(h.kind));
  }
  if (host_box.count(from) && host_box.count(to) && from != to) {
    const auto& a = host_box[from];
    const auto& b = host_box[to];
    const bool same_side = (a.x < internet.x) == (b.x < internet.x);
    std::string path;
    if (same_side) {
      const double x = a.x < internet.x ? a.x + a.w : a.x;
      const double bend = a.x < internet.x ? x + 60 : x - 60;
      path = fmt::format("M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}", x, a.cy(), bend, a.cy(), bend,
                         b.cy(), x, b.cy());
    } else {
      const double x1 = a.x < internet.x ? a.x + a.w : a.x;
      const double x2 = b.x < internet.x ? b.x + b.w : b.x;
      path = fmt::format("M{:.1f},{:.1f} Q{:.1f},{:.1f} {:.1f},{:.1f}", x1, a.cy(), internet.cx(), internet.cy(), x2,
                         b.cy());
    }
    s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#d06000\" stroke-width=\"3\" marker-end=\"url(#head)\"/>\n",
                     path);
  }
  s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"8\" fill=\"#fffbe8\" "
                   "stroke=\"#e0c060\"/>\n",
                   margin, cap_top, width - 2 * margin, height - cap_top - 12);
  const std::string heading =
      step >= 1 && step <= in.steps.size()
          ? fmt::format("{} {} / {}{}", in.lang == "ja" ? "ステップ" : "Step", step, in.steps.size(),
                        when.empty() ? std::string() : "  (" + when + ")")
          : std::string(in.lang == "ja" ? "ナレーションなし" : "No narration step");
  s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-weight=\"bold\">{}</text>\n", margin + 14, cap_top + 24,
                   xml_escape(heading));
  for (std::size_t i = 0; i < lines.size(); ++i)
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\">{}</text>\n", margin + 14, cap_top + 46 + 20 * static_cast<double>(i),
                     xml_escape(lines[i]));
  s += "</svg>\n";
  return s;
}

}  // namespace mailsim::formats
