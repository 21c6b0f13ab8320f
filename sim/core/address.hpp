// IPv4 addresses and CIDR ranges for the simulated network.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::sim {

struct Ipv4 {
  std::uint32_t value = 0;

  // Dotted quad, four decimal parts 0-255, no leading zeros beyond "0", nothing else.
  static std::optional<Ipv4> parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

struct Cidr {
  Ipv4 base;
  int prefix = 32;

  // "192.0.2.0/24"; the base must have no bits set outside the prefix.
  static std::optional<Cidr> parse(std::string_view text, std::string* why = nullptr);
  bool contains(Ipv4 ip) const;
  std::string str() const;
  std::uint32_t mask() const { return prefix == 0 ? 0u : ~0u << (32 - prefix); }
};

// An address and a port: one end of a TCP connection or a UDP exchange.
struct Endpoint {
  Ipv4 ip;
  std::uint16_t port = 0;
  std::string str() const { return ip.str() + ":" + std::to_string(port); }
};

}  // namespace mailsim::sim
