// What a scenario says about mail: servers (domains, users, ports, policies) and the mail
// clients on devices (accounts with their outgoing and incoming settings).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/address.hpp"
#include "sim/core/event_core.hpp"

namespace mailsim::sim::mail {

// A message a mailbox holds before the run starts ("preload" of a user).
struct PreloadedMessage {
  std::string raw;                 // RFC 5322, CRLF line ends
  std::vector<std::string> flags;  // IMAP system flags ("\\Seen" ...)
};

struct MailUserSpec {
  std::string name;      // local part ("kuroyagi")
  std::string password;
  std::uint64_t quota = 0;  // bytes; 0 = no quota
  std::vector<PreloadedMessage> preload;  // put in INBOX at time 0, in order
};

// One port of a mail server and what it is for.
//   "mx"          SMTP for mail arriving from other servers (port 25): local domains from
//                 anyone; relaying only for relay_from networks or authenticated users
//   "submission"  SMTP for the server's own users (587): AUTH required (RFC 6409)
//   "submissions" the same with implicit TLS (465, RFC 8314)
//   "pop3" / "pop3s" (110 / 995), "imap" / "imaps" (143 / 993)
struct ListenerSpec {
  std::uint16_t port = 25;
  std::string role = "mx";
  bool starttls = true;  // STARTTLS/STLS offered (never on implicit-TLS roles)
  // TLS required (a STARTTLS port only): SMTP answers 530 5.7.0 until STARTTLS (RFC 3207
  // section 4, Postfix's "encrypt"), POP3 and IMAP refuse to log in before STLS/STARTTLS
  // (Dovecot's ssl = required). A running world keeps the current value in MailWorld.
  bool require_tls = false;
};

struct SmarthostSpec {
  std::string host;  // host id of the relay service
  std::uint16_t port = 587;
  std::string user;
  std::string password;
  std::string tls = "starttls";  // "none", "starttls", "implicit"
};

// A provider's sending limit: more than `max_messages` in `per` from one authenticated
// user (or client address) gets 451 4.7.1 and is deferred by the sender.
struct RateLimitSpec {
  std::uint32_t max_messages = 0;
  Time per = 0;
};

// Greylisting: the first try from a (client address, sender, recipient) triple gets 451 4.7.1;
// a try of the same triple at least `delay` later is accepted (and the triple is remembered).
struct GreylistSpec {
  Time delay = 5 * kMinute;
};

// RFC 5321 6.3: a relayed message carries one Received: field per hop; a server refuses
// one with more than this many (sendmail's MaxHopCount is 25; Postfix's hopcount_limit is 50).
constexpr int kDefaultHopLimit = 25;

// The outbound queue's sessions per destination at once (Postfix's
// default_destination_concurrency_limit) and how long one session may be reused (Postfix's
// smtp_connection_reuse_time_limit; its smtp_connection_reuse_count_limit is 0, no limit).
constexpr std::uint32_t kDefaultDestinationConcurrency = 20;
constexpr Time kDefaultConnectionReuseTime = 300 * kSecond;

// How long a session waits for its peer before it gives up (RFC 5321 4.5.3.2 for SMTP,
// RFC 1939 section 3 for POP3, RFC 3501 section 5.4 for IMAP). A lesson may shorten them
// in "settings" to show a timeout without a long wait.
struct SessionTimeouts {
  Time smtp_greeting = 5 * kMinute;     // client: the 220 greeting
  Time smtp_command = 5 * kMinute;      // client: EHLO, STARTTLS, AUTH (no RFC value: as MAIL)
  Time smtp_mail = 5 * kMinute;         // client: the reply to MAIL
  Time smtp_rcpt = 5 * kMinute;         // client: the reply to RCPT
  Time smtp_data_init = 2 * kMinute;    // client: the 354 after DATA
  Time smtp_data_block = 3 * kMinute;   // client: progress while the message is being sent
  Time smtp_data_end = 10 * kMinute;    // client: the reply after the final "."
  Time smtp_server_idle = 5 * kMinute;  // server: waiting for the next command or data
  Time pop3_idle = 10 * kMinute;        // server: the autologout timer
  Time imap_idle = 30 * kMinute;        // server: the autologout timer
};

// How a server presents itself: what a tester sets to look like the server they recorded
// (docs/replay.md). Empty or unset fields keep mailsim's own words; lists give the advertised
// keywords in order, each one the engine implements (the loader checks it).
struct ServerIdentity {
  std::optional<std::string> smtp_banner;      // the 220 greeting's text after the hostname
  std::vector<std::string> smtp_extensions;    // EHLO keywords (smtp::kEhloKeywords)
  std::optional<std::string> pop3_greeting;    // "+OK " and this (without the hostname)
  std::vector<std::string> pop3_capabilities;  // CAPA lines by keyword (pop3::kCapaKeywords)
  std::optional<std::string> imap_greeting;    // after "* OK [CAPABILITY ...] "
  std::vector<std::string> imap_capabilities;  // CAPABILITY atoms (imap::kCapabilityAtoms)
  bool imap_untagged_capabilities = false;     // after login: "* CAPABILITY ..." (Dovecot's way)
  std::optional<std::string> implementation;   // POP3 IMPLEMENTATION and IMAP ID "name"
};

struct MailServerSpec {
  std::string hostname;  // FQDN used in greetings and Received: headers
  ServerIdentity identity;
  std::vector<std::string> domains;
  std::vector<MailUserSpec> users;
  std::vector<ListenerSpec> listeners;
  std::vector<Cidr> relay_from;
  std::vector<std::string> relay_domains;  // backup MX: accepted from anyone, relayed on
  bool open_relay = false;
  std::uint64_t max_message_size = 10 * 1024 * 1024;
  std::vector<Time> retry_schedule{1 * kMinute, 5 * kMinute, 15 * kMinute};
  Time give_up_after = 1 * kHour;
  std::optional<SmarthostSpec> smarthost;
  std::optional<RateLimitSpec> rate_limit;
  bool show_credentials = false;  // the lesson is about seeing them (an eavesdropper)
  int hop_limit = kDefaultHopLimit;  // most Received: fields a message may carry in
  // A full mailbox refuses for now (452 4.2.2, the sender's queue tries again) instead of for
  // good (552 5.2.2). Providers differ; RFC 3463 allows both.
  bool quota_temporary = false;
  // Sub-addressing (RFC 5233): "user+tag@domain" is delivered to user's mailbox.
  bool subaddressing = false;
  std::optional<GreylistSpec> greylisting;
  // The outbound queue: at most this many SMTP sessions at once to one destination (a domain,
  // or the smarthost); more messages wait, and a session that ends a transaction carries the
  // next one waiting for its destination (connection reuse) until it has carried
  // `connection_reuse_count` (0: no limit) or has been open `connection_reuse_time`.
  std::uint32_t destination_concurrency_limit = kDefaultDestinationConcurrency;
  std::uint32_t connection_reuse_count = 0;
  Time connection_reuse_time = kDefaultConnectionReuseTime;
  // A "delayed" report (RFC 3464 Action: delayed) to the sender, once, when a message has
  // waited this long (Postfix's delay_warning_time; off unless given, as there).
  std::optional<Time> delay_warning;
  SessionTimeouts timeouts;          // the scenario's "settings" (the same on every host)
};

struct OutgoingSpec {
  std::string server;  // host id
  std::uint16_t port = 587;
  bool auth = true;
  std::string tls = "starttls";  // "none", "starttls", "implicit"
};

struct IncomingSpec {
  std::string protocol = "pop3";  // "pop3" or "imap"
  std::string server;             // host id
  std::uint16_t port = 110;
  std::string tls = "none";       // "none", "starttls", "implicit"
  bool leave_on_server = false;   // POP3 only
};

struct AccountSpec {
  std::string address;   // "shiroyagi@example.com"
  std::string user;      // login name (default: the local part)
  std::string password;
  std::string display_name;
  OutgoingSpec smtp;
  std::optional<IncomingSpec> incoming;
};

struct MailClientSpec {
  std::vector<AccountSpec> accounts;
  SessionTimeouts timeouts;  // the scenario's "settings" (the same on every host)
  // The mail program's character handling: "charset" is what it writes new messages in
  // ("utf-8", or "iso-2022-jp" as Japanese mail programs long did, RFC 1468); "reads_as" empty
  // means it reads each message in the charset the message declares (as it should), otherwise
  // it ignores that and reads every message as "utf-8" or "iso-8859-1" (mojibake).
  std::string charset = "utf-8";
  std::string reads_as;
};

// A timeline "change_account": an account's settings on a device from that moment on. Only
// the settings given change; a new port brings that port's usual AUTH and TLS unless they
// are given too (as in the loader's "smtp" rules).
struct AccountChange {
  std::string account;  // the account's address
  std::optional<std::string> password;
  std::optional<std::string> smtp_server;
  std::optional<std::uint16_t> smtp_port;
  std::optional<bool> smtp_auth;
  std::optional<std::string> smtp_tls;
  std::optional<std::string> incoming_server;
  std::optional<std::uint16_t> incoming_port;
  std::optional<std::string> incoming_tls;
  void apply(AccountSpec& a) const;
};

// A timeline "change_server": a mail server's settings from that moment on (those given).
struct ServerChange {
  std::optional<bool> quota_temporary;
  std::optional<std::uint64_t> max_message_size;
  std::optional<std::optional<GreylistSpec>> greylisting;  // an empty inner value: off
  std::optional<bool> open_relay;
  std::string user;                    // whose quota changes (with `quota`)
  std::optional<std::uint64_t> quota;  // bytes; 0: none
  std::optional<std::vector<Cidr>> relay_from;                 // who may relay (empty: nobody)
  std::optional<int> hop_limit;
  std::optional<std::optional<RateLimitSpec>> rate_limit;      // an empty inner value: no limit
  std::optional<bool> subaddressing;
  std::optional<std::uint32_t> destination_concurrency_limit;
  std::optional<std::optional<Time>> delay_warning;            // an empty inner value: off
  std::optional<std::vector<std::uint16_t>> require_tls;  // the ports that require TLS from now on (empty: none)
};

// "10MB", "512KB", "2048B" or a plain number of bytes as a string ("2048").
std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why = nullptr);

}  // namespace mailsim::sim::mail
