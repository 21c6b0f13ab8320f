// SMTP (RFC 5321) server and client sessions, sans-I/O: the part's main header.
//
// Implemented:
//   RFC 5321  2.3.8 / 4.1.1.4 CRLF framing, DATA end only at CRLF "." CRLF (bare CR/LF
//             next to the dot never ends the message: SMTP smuggling), 4.5.2 dot-stuffing
//             both ways, 4.1.1 HELO EHLO MAIL RCPT DATA RSET NOOP VRFY (252) HELP QUIT,
//             4.1.2 path syntax (source routes dropped, quoted local parts, address
//             literals, <Postmaster>), 4.2 replies incl. multi-line, 4.5.3.1 limits
//             (512 command line, 1000 text line, 64/255/256 path parts, 100 recipients),
//             3.2 HELO fallback when EHLO gets 500/502, 3.3 per-recipient results.
//   RFC 1870  SIZE: advertised limit, SIZE= on MAIL (552 5.3.4 up front), size while
//             reading DATA; the client does not send what exceeds the server's SIZE.
//   RFC 2920  PIPELINING: the server answers pipelined commands in order; the client
//             sends MAIL and every RCPT together and matches replies in order.
//   RFC 2034 / 3463  enhanced status codes on every reply except greeting/HELO/EHLO.
//   RFC 3207  STARTTLS: 220 then tls_requested(); input pipelined after STARTTLS is
//             discarded; tls_established() forgets HELO, AUTH and the transaction;
//             section 4 "TLS required" (ServerConfig::require_tls): 530 5.7.0 to every
//             command but HELO EHLO STARTTLS NOOP QUIT until TLS, as Postfix's "encrypt".
//   RFC 4954  AUTH PLAIN (RFC 4616) and LOGIN, initial responses, "*" cancel (501 5.0.0),
//             strict base64 (501 5.5.2), 235 2.7.0 / 535 5.7.8 / 538 5.7.11 / 503 5.5.1,
//             12288-octet AUTH lines, AUTH= on MAIL accepted and ignored.
//   RFC 6152  8BITMIME / BODY=; RFC 6409 submission (AUTH before MAIL: 530 5.7.0);
//   RFC 8314  implicit TLS (a constructor option).
// Not implemented: CHUNKING/BDAT (RFC 3030), SMTPUTF8 (RFC 6531), DSN parameters
//   (RFC 3461), EXPN (502), other SASL mechanisms (CRAM-MD5, SCRAM, XOAUTH2), TURN/ETRN,
//   SIZE=0 meaning "no limit" on the server (a limit is always advertised), the client's
//   retry queue and MX selection (the simulator's job), real TLS (the caller's job).
#pragma once

#include "protocols/smtp/address.hpp"
#include "protocols/smtp/client.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server.hpp"
