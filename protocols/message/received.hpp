// Trace fields (RFC 5321 4.4): building Received: and Return-Path:, reading a Received chain.
//
// Implements RFC 5321 4.4 Time-stamp-line / Stamp ("from" Extended-Domain, "by", "with",
// "id", "for", ";" date-time) and Return-path-line; RFC 3848 "with" keywords (SMTP, ESMTP,
// ESMTPA, ESMTPS, ESMTPSA). Reads Received fields of other MTAs leniently (clauses in any
// order, comments, "via", missing parts). Does not implement Resent-* trace blocks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::message {

// One hop, i.e. one Received: field.
struct ReceivedHop {
  std::string from_helo;  // the name the client gave in HELO/EHLO
  std::string from_rdns;  // reverse-DNS name of the client address (empty: none)
  std::string from_ip;    // the client address, without brackets or "IPv6:"
  std::string by;         // the receiving host
  std::string with;       // protocol keyword: "SMTP", "ESMTP", "ESMTPS", "ESMTPSA", ...
  std::string id;         // the receiver's queue id
  std::string for_addr;   // the recipient, without angle brackets
  std::string date;       // RFC 5322 date-time after ';'
  std::string raw;        // parse only: the unfolded field value as written
};

// RFC 3848 keyword: "SMTP" (HELO), "ESMTP", plus "S" with TLS and "A" with authentication.
std::string with_protocol(bool esmtp, bool tls, bool authenticated);

// The field value on one line:
// "from helo (rdns [ip]) by host with ESMTPS id X for <rcpt>; date" (absent parts are omitted).
std::string received_value(const ReceivedHop& hop);

// The whole field, folded before "by" and "for" as MTAs usually write it, with its CRLF.
std::string received_header(const ReceivedHop& hop);

// raw with the hop's Received: field on top (a relay does this for every message it accepts).
std::string add_received(std::string_view raw, const ReceivedHop& hop);

// raw with "Return-Path: <reverse_path>" on top ("<>" for the null sender), as the delivering
// server adds at final delivery (RFC 5321 4.4).
std::string add_return_path(std::string_view raw, std::string_view reverse_path);

// Reads one Received: value.
ReceivedHop parse_received(std::string_view value);

// Every Received: field of the message, in path order: the first element is the oldest hop
// (the bottom-most field, nearest the sender), the last is the newest (top-most).
std::vector<ReceivedHop> parse_received_chain(std::string_view raw_message);

}  // namespace mailsim::message
