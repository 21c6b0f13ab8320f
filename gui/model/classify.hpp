// What a packet carries, for colouring: TCP control, or SMTP/POP3/IMAP/DNS data by port.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/core/trace.hpp"

namespace mailsim::gui {

enum class PacketClass { TcpControl, Smtp, Pop3, Imap, Dns, OtherData };
constexpr int kPacketClassCount = 6;

// The port of "ip:port" (nullopt when there is none or it is not a number 0-65535).
std::optional<std::uint16_t> port_of(std::string_view endpoint);
// The application protocol a well-known port belongs to (OtherData when none).
PacketClass class_of_port(std::uint16_t port);
// Classifies a Packet record: a TCP segment without payload is TcpControl; otherwise the
// protocol of the first well-known port among destination then source.
PacketClass classify_packet(const sim::Record& packet);
// The i18n key of a class's legend label ("legend.smtp", ...).
std::string_view legend_key(PacketClass c);
// A one-letter tag drawn on the item so colour is never the only cue.
char class_letter(PacketClass c);

}  // namespace mailsim::gui
