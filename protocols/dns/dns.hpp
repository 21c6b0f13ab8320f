// DNS for mailsim: the whole public interface (include this one header).
//
// Implemented:
//   RFC 1035 3.1-3.3, 4.1  message format, names, RR types A NS CNAME SOA PTR MX TXT,
//                          name compression (4.1.4) on encode, strict decoding
//   RFC 3596 2             AAAA
//   RFC 3597 5             unknown types as opaque rdata, "TYPE99 \# n hex" text form
//   RFC 1035 5.1           presentation format of records (no $ORIGIN/$TTL, no relative names)
//   RFC 1034 4.3.2         authoritative answering (no wildcards), referrals with glue
//   RFC 1034 5.3.3         iterative resolution from root hints; RFC 2308 negative caching
//   RFC 2181 9             TC only when answer/authority data is lost
//   RFC 6604               rcode of a CNAME chain is that of its last name
//   RFC 5321 5.1           MX ordering, implicit MX; RFC 7505 null MX
//   RFC 6891               EDNS(0) on the server side: OPT read and answered, FORMERR,
//                          BADVERS, UDP size honoured, TC kept with the OPT (edns.hpp)
//   RFC 1035 4.2.2, 7766   TCP framing with the 2-octet length, pipelined queries (tcp.hpp)
// Not implemented: TC fallback to TCP in our resolvers (they ask over UDP without EDNS),
//   DNSSEC, zone transfers, dynamic update, NOTIFY, wildcards (RFC 4592), DNAME, IDNA,
//   IPv6 transport.
#pragma once

#include "protocols/dns/authoritative.hpp"
#include "protocols/dns/cache.hpp"
#include "protocols/dns/edns.hpp"
#include "protocols/dns/mail_route.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"
#include "protocols/dns/presentation.hpp"
#include "protocols/dns/resolver.hpp"
#include "protocols/dns/tcp.hpp"
