// POP3 (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS): the engines' main header.
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
// Not implemented:
//   RFC 5034 AUTH (SASL), RFC 2449 EXPIRE / LOGIN-DELAY / SASL capabilities, RFC 6856 UTF8
//   and LANG, the RFC 1939 autologout timer (time belongs to the caller: close the
//   connection and call connection_lost()).
#pragma once

#include "protocols/pop3/client.hpp"
#include "protocols/pop3/server.hpp"
#include "protocols/pop3/wire.hpp"
