// Helpers for the DNS tests: packets written as bytes, records and zones from text.
#pragma once
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/dns.hpp"

namespace dnstest {

using namespace mailsim::dns;

// Bytes from a list of octets and strings: pkt({0x03, "www", 0x00}).
struct Piece {
  std::string bytes;
  Piece(int octet) : bytes(1, static_cast<char>(static_cast<unsigned char>(octet))) {}
  Piece(const char* text) : bytes(text) {}
};
inline std::string pkt(std::initializer_list<Piece> pieces) {
  std::string out;
  for (const auto& p : pieces) out += p.bytes;
  return out;
}

inline Record rec(std::string_view text) {
  std::string error;
  auto r = parse_record(text, error);
  INFO(std::string(text) + ": " + error);
  REQUIRE(r.has_value());
  return *r;
}

inline Zone zone(std::string_view origin, std::initializer_list<std::string_view> lines) {
  Zone z;
  z.origin = Name::of(origin);
  for (auto line : lines) {
    Record r = rec(line);
    if (r.type == Type::SOA)
      z.soa = r;
    else
      z.records.push_back(r);
  }
  INFO(validate_zone(z));
  REQUIRE(validate_zone(z).empty());
  return z;
}

inline Message query(std::string_view name, Type type, std::uint16_t id = 0x1234) {
  Message m;
  m.header.id = id;
  m.questions.push_back(Question{Name::of(name), type, kClassIn});
  return m;
}

inline std::vector<std::string> texts(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(to_string(r));
  return out;
}

inline Ipv4Address ip(std::string_view text) {
  auto a = parse_ipv4(text);
  REQUIRE(a.has_value());
  return *a;
}

}  // namespace dnstest
