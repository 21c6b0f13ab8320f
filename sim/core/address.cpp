// IPv4 address and CIDR parsing.
#include "sim/core/address.hpp"

#include <charconv>

namespace mailsim::sim {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint32_t value = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i - start > 3 || (i - start > 1 && text[start] == '0')) return std::nullopt;
    unsigned part = 0;
    std::from_chars(text.data() + start, text.data() + i, part);
    if (part > 255) return std::nullopt;
    value = (value << 8) | part;
    ++parts;
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != text.size()) return std::nullopt;
  return Ipv4{value};
}

std::string Ipv4::str() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
         std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

std::optional<Cidr> Cidr::parse(std::string_view text, std::string* why) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (why) *why = "expected a range like 192.0.2.0/24";
    return std::nullopt;
  }
  auto ip = Ipv4::parse(text.substr(0, slash));
  if (!ip) {
    if (why) *why = "bad address before the '/'";
    return std::nullopt;
  }
  const auto rest = text.substr(slash + 1);
  int prefix = -1;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), prefix);
  if (ec != std::errc() || ptr != rest.data() + rest.size() || prefix < 0 || prefix > 32) {
    if (why) *why = "the prefix length after '/' must be 0-32";
    return std::nullopt;
  }
  Cidr c{*ip, prefix};
  if ((ip->value & ~c.mask()) != 0) {
    if (why) *why = "host bits are set; did you mean " + Ipv4{ip->value & c.mask()}.str() + "/" + std::to_string(prefix) + "?";
    return std::nullopt;
  }
  return c;
}

bool Cidr::contains(Ipv4 ip) const { return (ip.value & mask()) == base.value; }

std::string Cidr::str() const { return base.str() + "/" + std::to_string(prefix); }

}  // namespace mailsim::sim
