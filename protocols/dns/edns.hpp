// EDNS(0) (RFC 6891): the OPT pseudo-record of a query read, and a server's answered with ours.
//
// Implemented: RFC 6891 section 6.1 (OPT in the additional section, owner the root, CLASS =
//   requester's UDP payload size, TTL = extended RCODE, VERSION, DO and Z flags, RDATA =
//   {code, length, data} options, checked to add up exactly), 6.1.1 (more than one OPT, or
//   an OPT whose owner is not the root or whose options do not add up -> FORMERR), 6.1.3
//   (VERSION above 0 -> BADVERS, extended RCODE 16, with an OPT of version 0 in the answer),
//   6.2.3-6.2.5 (a requester's size below 512 counts as 512; our response to an EDNS query
//   carries our own OPT with our UDP size; a UDP response larger than the smaller of the two
//   sizes is truncated with TC set, keeping the OPT). Options are not interpreted (DNS
//   COOKIE, client subnet, padding are ignored, which RFC 6891 6.1.2 allows); DO is not
//   echoed because no zone here is signed.
// Not implemented: DNSSEC, EDNS options of our own, EDNS in requests our resolver sends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocols/dns/message.hpp"

namespace mailsim::dns {

// What our servers advertise: the 2020 "DNS flag day" size, safe from IP fragmentation.
constexpr std::uint16_t kEdnsUdpSize = 1232;
// RFC 6891 6.2.5: sizes below 512 are treated as 512.
constexpr std::uint16_t kEdnsMinUdpSize = 512;
// RFC 6891 9: extended RCODE 16 is BADVERS.
constexpr std::uint16_t kRcodeBadVers = 16;

struct Edns {
  std::uint16_t udp_size = kEdnsMinUdpSize;
  std::uint8_t extended_rcode = 0;  // the upper 8 bits of the 12-bit RCODE
  std::uint8_t version = 0;
  bool dnssec_ok = false;           // DO
  std::uint16_t z = 0;              // the other 15 flag bits, as received
  std::string options;              // RDATA: the options, undecoded
  bool operator==(const Edns&) const = default;
};

// The OPT record for `edns`, and back (the record's type must be OPT).
Record make_opt(const Edns& edns);
Edns edns_of(const Record& opt);

// What a server found in a query's additional section.
struct EdnsRequest {
  enum class Status {
    Absent,   // no OPT: plain RFC 1035 (512-octet UDP answers, no OPT back)
    Present,  // one good OPT of version 0
    FormErr,  // two OPTs, an OPT not owned by the root, or options that do not add up
    BadVers,  // one OPT of a version above 0
  };
  Status status = Status::Absent;
  Edns edns;          // Present, BadVers
  std::string error;  // FormErr: why, for the trace
};
EdnsRequest read_edns(const Message& query);

// The largest UDP response this requester takes from a server advertising `our_size`.
std::size_t udp_response_limit(const EdnsRequest& request, std::uint16_t our_size = kEdnsUdpSize);

// Shapes a server's response to what the query's EDNS asked (the response is otherwise the
// answer to the question): Present -> our OPT added; BadVers -> sections emptied, RCODE
// BADVERS, OPT of version 0; FormErr -> sections after the question emptied, RCODE FORMERR,
// no OPT; Absent -> no change.
void apply_edns(const EdnsRequest& request, Message& response, std::uint16_t our_size = kEdnsUdpSize);

// The 12-bit RCODE of a response: header RCODE plus the OPT's extended bits (RFC 6891 6.1.3).
std::uint16_t full_rcode(const Message& response);

// The response's wire bytes: over TCP the whole message; over UDP at most
// udp_response_limit() octets (encode_truncated: TC set when answers are lost).
std::string encode_response(const EdnsRequest& request, const Message& response, bool tcp,
                            std::uint16_t our_size = kEdnsUdpSize);

}  // namespace mailsim::dns
