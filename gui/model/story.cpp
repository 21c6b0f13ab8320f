// Narration helpers: meaningful records, packets in words, the analogy situation over time.
#include "gui/model/story.hpp"

#include <map>

#include "gui/model/classify.hpp"
#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {
bool has_flag(const std::string& flags, std::string_view f) {
  std::size_t pos = 0;
  while (pos <= flags.size()) {
    const auto end = std::min(flags.find(',', pos), flags.size());
    if (std::string_view(flags).substr(pos, end - pos) == f) return true;
    pos = end + 1;
  }
  return false;
}
}  // namespace

bool is_meaningful(const sim::Record& r) {
  if (r.is(sim::ProtoEvent::State)) return false;  // engine bookkeeping
  switch (r.kind) {
    case sim::RecordKind::Action:
    case sim::RecordKind::Connection:
    case sim::RecordKind::Policy:
    case sim::RecordKind::Dns:
    case sim::RecordKind::Protocol:
    case sim::RecordKind::Mail:
    case sim::RecordKind::Mailbox:
    case sim::RecordKind::Tls:
      return true;
    default:
      return false;
  }
}

PacketWords describe_packet(const sim::Record& p) {
  PacketWords w;
  w.from = p.host;
  w.to = p.peer;
  const sim::PacketInfo& pk = *p.packet;
  if (pk.path && pk.path->size() >= 2) {
    w.from = pk.path->front();
    if (w.to.empty()) w.to = pk.path->back();
  }
  w.bytes = static_cast<std::int64_t>(pk.bytes.size());
  w.tls = pk.tls;
  w.blocked = !pk.blocked_by.empty();
  const PacketClass cls = classify_packet(p);
  switch (cls) {
    case PacketClass::Smtp: w.proto = "SMTP"; break;
    case PacketClass::Pop3: w.proto = "POP3"; break;
    case PacketClass::Imap: w.proto = "IMAP"; break;
    case PacketClass::Dns: w.proto = "DNS"; break;
    case PacketClass::TcpControl: w.proto = "TCP"; break;
    case PacketClass::OtherData: w.proto = p.protocol.empty() ? std::string("data") : p.protocol.str(); break;
  }
  if (cls == PacketClass::TcpControl) {
    const auto flags = pk.flag_names();
    if (has_flag(flags, "RST")) {
      w.key = "pkt.rst";
    } else if (has_flag(flags, "SYN")) {
      w.key = has_flag(flags, "ACK") ? "pkt.synack" : "pkt.syn";
    } else if (has_flag(flags, "FIN")) {
      w.key = "pkt.fin";
    } else {
      w.key = "pkt.ack";
    }
    return w;
  }
  if (cls == PacketClass::Dns) {
    const std::optional<std::uint16_t> src = pk.src.port;
    w.key = src && *src == 53 ? "pkt.dns_answer" : "pkt.dns_query";
    return w;
  }
  w.key = "pkt.data";
  return w;
}

std::string format_text(std::string_view tmpl, const std::vector<std::pair<std::string_view, std::string>>& vars) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      const auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        const auto name = tmpl.substr(i + 1, close - i - 1);
        bool done = false;
        for (const auto& [k, v] : vars) {
          if (k == name) {
            out += v;
            done = true;
            break;
          }
        }
        if (done) {
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string packet_sentence(const PacketWords& w, const StringTable& strings,
                            const std::function<std::string(const std::string&)>& host_name) {
  std::string text = format_text(strings.get(w.key), {{"from", host_name(w.from)},
                                                      {"to", host_name(w.to)},
                                                      {"proto", w.proto},
                                                      {"bytes", std::to_string(w.bytes)}});
  if (w.tls) text += strings.get("pkt.tls_suffix");
  if (w.blocked) text += strings.get("pkt.blocked_suffix");
  return text;
}

StoryIndex::StoryIndex(const TraceModel& model, const sim::Scenario* scenario) {
  const auto& recs = model.records();
  power_ = HostPower(scenario ? *scenario : sim::Scenario{}, recs);
  facts_.assign(recs.size(), false);
  std::map<std::uint64_t, AnalogyContext> contexts;
  for (const auto& ci : model.connections()) {
    AnalogyContext c;
    c.server_port = ci.port;
    if (const auto* h = model.layout().host(ci.client)) c.client_kind = h->kind;
    contexts[ci.conn] = std::move(c);
  }
  meaningful_.resize(recs.size(), -1);
  analogy_.resize(recs.size(), -1);
  keys_.resize(recs.size());
  long long last_m = -1;
  long long last_a = -1;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (is_meaningful(r)) last_m = static_cast<long long>(i);
    AnalogyContext ctx;
    if (r.conn != 0) {
      if (auto it = contexts.find(r.conn); it != contexts.end()) ctx = it->second;
    }
    keys_[i] = analogy_key(r, ctx);
    if (auto fact = situation_from_facts(model, power_, i); !fact.empty()) {
      keys_[i] = std::move(fact);
      facts_[i] = true;
    }
    if (!keys_[i].empty()) last_a = static_cast<long long>(i);
    meaningful_[i] = last_m;
    analogy_[i] = last_a;
  }
}

std::optional<std::size_t> StoryIndex::meaningful_at(std::optional<std::size_t> current) const {
  if (!current || *current >= meaningful_.size() || meaningful_[*current] < 0) return std::nullopt;
  return static_cast<std::size_t>(meaningful_[*current]);
}

std::optional<std::size_t> StoryIndex::analogy_at(std::optional<std::size_t> current) const {
  if (!current || *current >= analogy_.size() || analogy_[*current] < 0) return std::nullopt;
  return static_cast<std::size_t>(analogy_[*current]);
}

}  // namespace mailsim::gui
