// Authoritative answering (RFC 1034 4.3.2 without wildcards, RFC 2308 3 negative answers)
// as a pure function of the served zones and one query.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/message.hpp"

namespace mailsim::dns {

constexpr std::size_t kMaxServerCnameChain = 8;  // CNAMEs an authoritative server follows

// One zone: its origin, its SOA (owner = origin) and every other record in it, including
// NS records at the origin, delegations (NS at a cut below the origin) and their glue.
struct Zone {
  Name origin;
  Record soa;
  std::vector<Record> records;

  // The TTL of negative answers from this zone: min(SOA TTL, SOA MINIMUM) (RFC 2308 5).
  std::uint32_t negative_ttl() const;
};

// Checks a zone a scenario gave: SOA owner and type, every record inside the origin,
// no other data beside a CNAME. Returns an empty string when the zone is sound, else why
// not ("record www.other.example. is outside zone hogehoge.com.").
std::string validate_zone(const Zone& zone);

// The response a server holding `zones` gives to `query`:
//   QR set or not exactly one question      -> FORMERR
//   opcode other than QUERY                 -> NOTIMP
//   class other than IN (or ANY)            -> REFUSED
//   name in no zone served                  -> REFUSED
//   name at or under a delegation           -> referral: NS in authority, glue A/AAAA (from
//                                              the same zone) in additional, AA clear
//   data of the type                        -> answer, AA set
//   CNAME (query for another type)          -> CNAME in the answer, then followed inside
//                                              the served zones (the most specific zone each time)
//   name exists without that type           -> NODATA: NOERROR, SOA in authority
//   name does not exist                     -> NXDOMAIN, SOA in authority
// The SOA given in negative answers carries the negative TTL. MX and NS answers get the
// A/AAAA of their targets in additional when the server has them. The most specific zone
// wins. RA is never set (an authoritative server does not recurse).
Message answer(const std::vector<Zone>& zones, const Message& query);

// The same on wire bytes: a query that does not decode but has a header gets FORMERR with
// its id; fewer than 12 octets, or a response (QR set) that does not decode, get nothing.
// The query's EDNS is honoured (edns.hpp: our OPT back, FORMERR, BADVERS); over UDP the
// answer is cut to the requester's size with TC set, over TCP (`tcp`) it is whole (unframed).
std::optional<std::string> answer_packet(const std::vector<Zone>& zones, std::string_view query, bool tcp = false);

}  // namespace mailsim::dns
