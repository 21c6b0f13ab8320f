// POP3 (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH): the engines' main header.
//
// Implemented:
//   RFC 1939 sections 3-11: AUTHORIZATION / TRANSACTION / UPDATE states; USER, PASS, APOP
//     (MD5 over the greeting timestamp, section 7), STAT, LIST, UIDL, RETR, TOP, DELE, RSET,
//     NOOP, QUIT; byte-stuffed multi-line responses; deletions only at QUIT in TRANSACTION;
//     one exclusive maildrop lock per session, released on QUIT or connection_lost().
//   RFC 2449: CAPA (TOP, UIDL, USER, RESP-CODES, PIPELINING, STLS, IMPLEMENTATION), the
//     255-octet command line limit, response codes [IN-USE], [SYS/TEMP] and pipelined
//     commands (the server answers them in order; our client does not pipeline).
//   RFC 3206: [AUTH] response code and the AUTH-RESP-CODE capability.
//   RFC 2595 section 4: STLS; the engines do no crypto (the caller runs TLS); input sent
//     after STLS before tls_established() is discarded; the client re-issues CAPA after TLS.
//   RFC 8314: implicit TLS (port 995) as a constructor option.
//   RFC 5034: AUTH with the PLAIN and LOGIN mechanisms (protocols/common/sasl.hpp), with or
//     without an initial response ("=" for an empty one), "+ " challenges, "*" to cancel,
//     CAPA "SASL PLAIN LOGIN"; the server also answers a bare "AUTH" with the list of its
//     mechanisms (the RFC 1734 habit Thunderbird and Outlook still rely on). The client
//     can log in with AUTH PLAIN (initial response when it fits in 255 octets) or LOGIN.
// Not implemented:
//   SASL security layers and other mechanisms (CRAM-MD5, SCRAM, GSSAPI, XOAUTH2), RFC 2449
//   EXPIRE / LOGIN-DELAY, RFC 6856 UTF8 and LANG. The autologout timer is the caller's
//   (ServerSession::timed_out()).
#pragma once

#include "protocols/pop3/client.hpp"
#include "protocols/pop3/server.hpp"
#include "protocols/pop3/wire.hpp"
