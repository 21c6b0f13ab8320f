// Packets opened layer by layer, and the wire bytes behind a protocol line.
#include "gui/model/packet_view.hpp"

#include <algorithm>

#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {

std::string str(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::string hex_bytes(std::string_view bytes, std::size_t max) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = std::min(bytes.size(), max);
  out.reserve(n * 3 + 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  if (bytes.size() > n) out += " \u2026";
  return out;
}

std::optional<WireView> wire_of_line(const TraceModel& model, std::size_t line) {
  const auto& recs = model.records();
  if (line >= recs.size()) return std::nullopt;
  const auto& r = recs[line];
  if (r.kind != sim::RecordKind::Protocol || r.conn == 0) return std::nullopt;
  // The packets follow the line within a few records; a bound keeps a huge trace cheap.
  constexpr std::size_t kLookAhead = 400;
  for (std::size_t j = line + 1; j < recs.size() && j <= line + kLookAhead; ++j) {
    const auto& p = recs[j];
    if (p.kind != sim::RecordKind::Packet || p.conn != r.conn || p.host != r.host) continue;
    if (p.detail.value("len", std::int64_t{0}) <= 0) continue;
    WireView w;
    w.packet = j;
    w.bytes = sim::unescape_bytes(str(p.detail, "bytes"));
    w.tls = p.detail.value("tls", false);
    return w;
  }
  return std::nullopt;
}

}  // namespace mailsim::gui
