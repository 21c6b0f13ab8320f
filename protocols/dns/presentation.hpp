// DNS presentation format (RFC 1035 5.1, RFC 3597 for unknown types): records to and from
// text, one-line message summaries for traces, and names of types, classes and rcodes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/dns/message.hpp"

namespace mailsim::dns {

constexpr std::uint32_t kDefaultTtl = 3600;           // when a record text gives none
constexpr std::uint32_t kMaxTtl = 2147483647;         // RFC 2181 8
constexpr std::size_t kMaxRecordTextLength = 70000;   // checked before parsing a record line

// "MX", "AAAA", ... or "TYPE99" for a type this codec does not know.
std::string type_name(Type type);
// "MX" -> Type::MX, "TYPE99" -> 99 (case-insensitive); nullopt when unknown.
std::optional<Type> parse_type(std::string_view text);
// "IN", "CH", "HS", "ANY" or "CLASS7".
std::string class_name(std::uint16_t rclass);
// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" or "RCODE9".
std::string rcode_name(Rcode rcode);
// "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE" or "OPCODE3".
std::string opcode_name(Opcode opcode);

std::string ipv4_to_string(const Ipv4Address& address);
// Dotted quad, four decimal octets 0-255 without leading zeros ("01" is rejected).
std::optional<Ipv4Address> parse_ipv4(std::string_view text);
// RFC 5952 text: lower case, longest run of two or more zero groups written as "::".
std::string ipv6_to_string(const Ipv6Address& address);
std::optional<Ipv6Address> parse_ipv6(std::string_view text);

// The rdata in presentation form: "10 mx1.hogehoge.com." (names end with a dot when
// `trailing_dot`, as in zone files; summaries leave it out).
std::string rdata_to_string(const Record& record, bool trailing_dot = true);
// "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."
std::string to_string(const Record& record);
// "MX hogehoge.com" style text for a question: "MX? hogehoge.com".
std::string to_string(const Question& question);

// One line for a trace:
//   query                 "MX? hogehoge.com"
//   answer                "MX? hogehoge.com -> 10 mx1.hogehoge.com, 20 mx2.hogehoge.com"
//   CNAME then data       "A? www.x.example -> CNAME web.x.example, 192.0.2.1"
//   no such name          "A? nosuch.example -> NXDOMAIN"
//   name without the type "AAAA? x.example -> NODATA"
//   referral              "MX? com -> referral to a.gtld.example"
//   other errors          "A? x.example -> REFUSED"
// A truncated response gets " (truncated)" appended.
std::string summary(const Message& message);

// Reads one record in presentation form: owner, optional TTL and optional class (either
// order), type, rdata. Names are absolute whether or not they end with a dot. TXT takes
// one or more character-strings, quoted ("v=spf1 -all") or bare words; unknown types use
// RFC 3597 "TYPE99 \# 3 0a0b0c". On failure returns nullopt and sets `error`
// ("MX preference must be 0-65535", "bad IPv4 address '1.2.3'", "unknown record type 'MXX'").
std::optional<Record> parse_record(std::string_view text, std::string& error);

}  // namespace mailsim::dns
