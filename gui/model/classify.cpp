// Packet classification by flags, payload length and well-known ports.
#include "gui/model/classify.hpp"

#include <charconv>

namespace mailsim::gui {

std::optional<std::uint16_t> port_of(std::string_view endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= endpoint.size()) return std::nullopt;
  const auto digits = endpoint.substr(colon + 1);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

PacketClass class_of_port(std::uint16_t port) {
  switch (port) {
    case 25: case 465: case 587: case 2525: return PacketClass::Smtp;
    case 110: case 995: return PacketClass::Pop3;
    case 143: case 993: return PacketClass::Imap;
    case 53: return PacketClass::Dns;
    default: return PacketClass::OtherData;
  }
}

PacketClass classify_packet(const sim::Record& packet) {
  if (!packet.packet) return packet.protocol == "dns" ? PacketClass::Dns : PacketClass::OtherData;
  const sim::PacketInfo& d = *packet.packet;
  if (!d.udp && d.bytes.empty()) return PacketClass::TcpControl;
  for (const std::uint16_t port : {d.dst.port, d.src.port}) {
    const auto c = class_of_port(port);
    if (c != PacketClass::OtherData) return c;
  }
  if (packet.protocol == "dns") return PacketClass::Dns;
  return PacketClass::OtherData;
}

std::string_view legend_key(PacketClass c) {
  switch (c) {
    case PacketClass::TcpControl: return "legend.tcp";
    case PacketClass::Smtp: return "legend.smtp";
    case PacketClass::Pop3: return "legend.pop3";
    case PacketClass::Imap: return "legend.imap";
    case PacketClass::Dns: return "legend.dns";
    case PacketClass::OtherData: return "legend.data";
  }
  return "legend.data";
}

char class_letter(PacketClass c) {
  switch (c) {
    case PacketClass::TcpControl: return 'T';
    case PacketClass::Smtp: return 'S';
    case PacketClass::Pop3: return 'P';
    case PacketClass::Imap: return 'I';
    case PacketClass::Dns: return 'D';
    case PacketClass::OtherData: return 'd';
  }
  return '?';
}

}  // namespace mailsim::gui
