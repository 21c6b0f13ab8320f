// The trace: typed, timestamped records of everything that happens; views only read it.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/address.hpp"
#include "sim/core/event_core.hpp"
#include "sim/core/name.hpp"

namespace mailsim::sim {

// Version of the JSON Lines format (docs/trace.md). Bump on incompatible changes.
constexpr int kTraceSchemaVersion = 1;

// What kind of thing a record reports. Each kind's `event` values and `detail` fields
// are listed in docs/trace.md.
enum class RecordKind {
  Meta,        // first record: schema version, scenario, seed
  Packet,      // a TCP segment or UDP datagram leaving a host (with bytes as on the wire)
  Connection,  // TCP life cycle: connecting, established, refused, timeout, closed, reset
  Policy,      // a network policy fired (e.g. OP25B dropped a SYN)
  Tls,         // TLS negotiated on a stream
  Protocol,    // an application protocol line (command or reply) or state change
  Dns,         // DNS questions and answers as the resolver/server saw them
  Mail,        // a message queued, relayed, delivered, deferred, bounced
  Mailbox,     // store changes: stored, fetched, flags, expunged, downloaded-and-deleted
  Action,      // a scenario timeline action started or finished
  Note,        // anything else for people (narration milestones, warnings)
};

std::string_view to_string(RecordKind kind);
bool record_kind_from_string(std::string_view text, RecordKind& out);

// Names read and write as JSON strings.
inline void to_json(nlohmann::json& j, const Name& n) { j = n.str(); }
inline void from_json(const nlohmann::json& j, Name& n) { n = Name(j.get_ref<const std::string&>()); }

// TCP flag bits as on the wire (RFC 9293 section 3.1).
namespace tcp_flags {
constexpr std::uint8_t kFin = 0x01;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kRst = 0x04;
constexpr std::uint8_t kPsh = 0x08;
constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flags
// "SYN,ACK": the flags in the order the trace has always written them.
std::string tcp_flag_names(std::uint8_t flags);
// Back from that form; false on an unknown name.
bool parse_tcp_flag_names(std::string_view text, std::uint8_t& out);

// A route through the simulated network: host id, network ids..., host id. Interned by the
// trace so every packet of a connection points at the same one.
using Hops = std::vector<Name>;

// What a packet record knows, typed: the fields a pcap needs and the route it took. Its
// bytes live in the trace's byte arena (or, before Trace::add, wherever the writer has them).
struct PacketInfo {
  bool udp = false;
  Endpoint src, dst;
  std::uint8_t flags = 0;          // TCP only (tcp_flags bits)
  std::uint32_t seq = 0, ack = 0;  // TCP only
  bool tls = false;                // the bytes are TLS records (ciphertext on the wire)
  std::string_view bytes;          // as on the wire
  const Hops* path = nullptr;      // null: no host has the destination address
  Time arrive = 0;                 // when it reaches the far end (with a path)
  Name blocked_by;                 // the policy rule that stopped it, if any
  Name lost;                       // why it never arrived, if it did not
  // The addresses as text when they are not IPv4 with a port (a replayed IPv6 capture, a
  // transcript without addresses); empty for every simulated packet.
  Name src_name, dst_name;
  std::string src_text() const { return src_name.empty() ? src.str() : src_name.str(); }
  std::string dst_text() const { return dst_name.empty() ? dst.str() : dst_name.str(); }

  std::string flag_names() const { return tcp_flag_names(flags); }
  // "10.0.0.2:49152 -> 192.0.2.25:25 [SYN] seq=.. ack=.. len=0": the record's readable line.
  std::string summary() const;
};

// Protocol records (RecordKind::Protocol): which event, as a C++ type. The names in the file
// ("command", "reply", ...) are spelled in one place, to_string / protocol_event_from_string;
// code compares these values, never the names.
enum class ProtoEvent : std::uint8_t {
  Other,          // a name this build does not know (kept as written in Record::event)
  Command,        // a client's line, recorded by the client ("C: ...")
  Reply,          // a server's line, recorded by the server ("S: ...")
  State,          // a session's state changed (from -> to)
  Error,          // the peer broke the protocol
  Note,           // a remark of the engine ("TLS established; session state reset ...")
  Sent,           // a scripted (raw) connection's bytes out
  Received,       // ... and in
  Data,           // a replay: the message text after DATA, as one record
  NotUnderstood,  // a replay: bytes that did not decode
};
std::string_view to_string(ProtoEvent e);
// Back from the name; false (and Other) for a name this build does not know.
bool protocol_event_from_string(std::string_view text, ProtoEvent& out);

// What a protocol record knows, typed. The text lives in the trace's byte arena, the short
// words (verb, status, states, rule ids) are interned. A field that is absent in the file is
// absent here (`has_code`, `has_masked`, `text_key`), so the JSON form comes back exactly.
struct ProtocolInfo {
  // Which key of the JSON detail holds `text`: a command's or reply's `line`, an error's or
  // note's `text`, a raw connection's `bytes` (escaped as in the file, see escape_bytes).
  enum class TextKey : std::uint8_t { None, Line, Text, Bytes };

  ProtoEvent event = ProtoEvent::Other;
  TextKey text_key = TextKey::None;
  bool has_code = false;
  bool has_masked = false;
  bool masked = false;   // a command whose credentials were hidden (has_masked: it had some)
  bool worded = true;    // the summary is summary() (false: the record's own `summary`, or none)
  int code = 0;          // reply code (SMTP 250, ...), when has_code
  std::string_view text;  // the line / text / bytes
  Name verb;             // a command's verb as its engine saw it ("EHLO", "UID FETCH")
  Name status;           // a reply's enhanced status code ("2.1.5")
  Name from, to;         // a state change
  Name fault;            // the fault rule that sent this reply instead of the server

  std::string_view line() const { return text_key == TextKey::Line ? text : std::string_view(); }
  // A line that crossed the wire: a command, a reply, or a scripted connection's bytes.
  bool is_line() const {
    return event == ProtoEvent::Command || event == ProtoEvent::Reply || event == ProtoEvent::Sent ||
           event == ProtoEvent::Received;
  }
  // Sent by the client's side (a command, a scripted client's bytes).
  bool from_client() const { return event == ProtoEvent::Command || event == ProtoEvent::Sent; }
  // The line as it crossed the wire: `line`, or a raw connection's bytes unescaped; else empty.
  std::string wire_text() const;
  // "C: EHLO pc", "S: 250 ok", "Greeting -> Ready", "protocol error: ...": the readable line
  // made from the fields (empty for events that have none: data, not-understood).
  std::string summary() const;
};

// Mail records (RecordKind::Mail): the life of a message, as a C++ type. The names in the
// file ("queued", "relayed", ...) are spelled in one place, to_string / mail_event_from_string;
// code compares these values, never the names.
enum class MailEvent : std::uint8_t {
  Other,          // a name this build does not know (kept as written in Record::event)
  Compose,        // a device's user wrote a message; its mail program starts sending
  Submitted,      // the submission server accepted it for one recipient
  SendFailed,     // sending failed as the user sees it
  Queued,         // a server accepted it for relaying
  Routing,        // the mail hosts a server will try
  ConnectFailed,  // one mail host could not be reached
  Relayed,        // the next server accepted it
  Delivered,      // stored in a local mailbox
  Refused,        // refused at DATA; the client was told
  Deferred,       // a temporary failure: it stays queued
  Bounced,        // a permanent failure: MAILER-DAEMON returns a report
  Throttled,      // a sending limit refused more mail from a user
  Greylisted,     // greylisting answered 451 to a RCPT
  Waiting,        // a queued message waits for a free session to its destination
  Reusing,        // a session carries the next message to the same destination
  Delayed,        // the sender is told once that a message is late
  Loop,           // too many Received: lines (554 5.4.6)
  Duplicate,      // the same message for the same recipient a second time
};
std::string_view to_string(MailEvent e);
// Back from the name; false (and Other) for a name this build does not know.
bool mail_event_from_string(std::string_view text, MailEvent& out);
// The interned name a writer puts in Record::event.
Name event_name(MailEvent e);

// What a mail record knows, typed: the fields every reader looks for. Ids and addresses are
// interned; free text (subject, reason, error) lives in the trace's byte arena. A field is
// present (`has(F)`) exactly when its key was in the JSON detail, so the file form comes back
// byte for byte; keys the typed form has no field for stay in the record's `detail`.
struct MailInfo {
  enum Field : std::uint32_t {
    kMessageId = 1u << 0, kQueueId = 1u << 1, kSender = 1u << 2, kRecipient = 1u << 3,
    kStatus = 1u << 4, kRemoteHost = 1u << 5, kUser = 1u << 6, kFolder = 1u << 7,
    kSubject = 1u << 8, kReason = 1u << 9, kError = 1u << 10,
    kCode = 1u << 11, kSize = 1u << 12, kAttempts = 1u << 13, kRetryAt = 1u << 14, kUid = 1u << 15,
  };
  MailEvent event = MailEvent::Other;
  std::uint32_t present = 0;  // Field bits
  Name message_id;            // the Message-ID header field
  Name queue_id;              // the server's queue entry
  Name sender, recipient;     // envelope addresses (one recipient; a list stays in `detail`)
  Name status;                // enhanced status code ("5.1.1")
  Name remote_host;           // the host id of the server it was relayed to
  Name user, folder;          // where a delivery was stored
  std::string_view subject;   // as the message says (decoded)
  std::string_view reason;    // why it was deferred or bounced, in words
  std::string_view error;     // what failed, as the user or the queue saw it
  std::int64_t code = 0;      // a reply code (550, 552 ...)
  std::int64_t size = 0;      // octets
  std::int64_t attempts = 0;  // delivery attempts so far
  std::int64_t retry_at = 0;  // virtual time of the next try
  std::int64_t uid = 0;       // the stored copy's UID

  bool has(Field f) const { return (present & f) != 0; }
  MailInfo& set(Field f) { present |= f; return *this; }
};

// Mailbox records (RecordKind::Mailbox): changes of a mail store (protocol "store", on the
// server host) and of what a device shows (on the device host), as a C++ type. The names in
// the file ("stored", "device-synced", ...) are spelled in one place, to_string /
// mailbox_event_from_string; code compares these values, never the names.
enum class MailboxEvent : std::uint8_t {
  Other,                // a name this build does not know (kept as written in Record::event)
  // The store (sim/apps/mail/store.cpp)
  Stored,               // a delivery filed a message
  DeliveryRefused,      // a delivery was refused (no such user, mailbox full, too large ...)
  Appended,             // an IMAP APPEND filed a message
  AppendRefused,
  Fetched,              // a message was read (IMAP FETCH, POP3 RETR)
  FlagsChanged,
  Expunged,
  Copied,
  CopyRefused,
  Moved,
  DownloadedAndDeleted, // POP3: retrieved, deleted at QUIT
  DeletedViaPop3,       // POP3: deleted at QUIT without being retrieved
  FolderCreated,
  FolderDeleted,
  FolderRenamed,
  SubscriptionChanged,
  MaildropLocked,
  MaildropLockRefused,
  MaildropUnlocked,
  // A device's mail program (sim/apps/mail/access_apps.cpp, device_mailbox.cpp)
  DeviceDownloaded,     // a POP3 copy on the device
  DeviceSynced,         // an IMAP view of a message
  DeviceOpened,
  DeviceFlags,
  DeviceDeleted,
  DeviceChecked,
  CheckCoalesced,       // a check_mail came while a check was running
  CheckFailed,
  ActionFailed,
  // A replay (formats/readers/to_trace.cpp): a POP3 RETR seen on the wire
  Downloaded,
};
std::string_view to_string(MailboxEvent e);
// Back from the name; false (and Other) for a name this build does not know.
bool mailbox_event_from_string(std::string_view text, MailboxEvent& out);
Name event_name(MailboxEvent e);

// Why a store refused a delivery, an append or a copy, when the reason is one with numbers:
// the words ("mailbox full (0 + 3381 octets > quota 2048)") are made from the record's
// `quota_used`, `size`, `quota_limit` and `size_limit`, so a reader has the numbers typed.
enum class StoreRefusal : std::uint8_t {
  None,         // no such reason (the reason, if any, is free text)
  MailboxFull,  // "mailbox full (USED + SIZE octets > quota LIMIT)"   (a delivery)
  OverQuota,    // "over quota (USED + SIZE octets > quota LIMIT)"     (an append, a copy)
  TooLarge,     // "message too large (SIZE octets, limit SIZE_LIMIT)"
};

// What a mailbox record knows, typed. Names (users, folders, accounts, flags) are interned;
// free text (reason, subject, error, preview, the stored headers and body preview) lives in
// the trace's byte arena. A field is present (`has(F)`) exactly when its key was in the JSON
// detail, so the file form comes back byte for byte; keys without a field stay in `detail`.
struct MailboxInfo {
  enum Field : std::uint64_t {
    kUser = 1ull << 0, kFolder = 1ull << 1, kToFolder = 1ull << 2, kAccount = 1ull << 3, kKey = 1ull << 4,
    kBy = 1ull << 5, kHow = 1ull << 6, kAction = 1ull << 7, kFrom = 1ull << 8,
    kReason = 1ull << 9, kSubject = 1ull << 10, kError = 1ull << 11, kPreview = 1ull << 12,
    kHeaders = 1ull << 13, kBodyPreview = 1ull << 14,
    kStoreSeq = 1ull << 15, kUid = 1ull << 16, kMessageId = 1ull << 17, kOrigin = 1ull << 18, kSize = 1ull << 19,
    kToUid = 1ull << 20, kToMessageId = 1ull << 21, kQuotaUsed = 1ull << 22, kQuotaLimit = 1ull << 23,
    kSizeLimit = 1ull << 24, kVersion = 1ull << 25, kToVersion = 1ull << 26, kCount = 1ull << 27,
    kDownloaded = 1ull << 28, kDeletedOnServer = 1ull << 29,
    kSeen = 1ull << 30, kHeadersTruncated = 1ull << 31, kBodyTruncated = 1ull << 32,
    kFlags = 1ull << 33, kOldFlags = 1ull << 34, kOnServer = 1ull << 35, kId = 1ull << 36,
  };
  MailboxEvent event = MailboxEvent::Other;
  StoreRefusal refusal = StoreRefusal::None;  // with kReason: the reason is worded from the numbers
  std::uint64_t present = 0;                  // Field bits
  Name user, folder, to_folder;  // the store's user and folders (a device: the folder shown)
  Name account;                  // a device: the account's address
  Name key;                      // a device: its key for the message ("UID 3", a POP3 UIDL)
  Name by;                       // device-deleted: "user" or "server"
  Name how;                      // check-coalesced: "after" or "join"
  Name action;                   // action-failed: the timeline action ("reply", ...)
  Name from;                     // a device: the From: of the message
  Name id;                       // a device: the key again, for a message without a UID (POP3)
  Name flags, old_flags;         // flag lists, space-separated ("\\Seen \\Flagged"), in order
  std::string_view reason;       // why (refusals, removals) when refusal is None; "via ..." for a fetch
  std::string_view subject;      // as the device's mail program shows it
  std::string_view error;        // check-failed, action-failed
  std::string_view preview;      // a device: the start of the text
  std::string_view headers;      // stored, appended: the header section, escaped (escape_bytes)
  std::string_view body_preview; // stored, appended: the first octets of the body, escaped
  std::int64_t store_seq = 0, uid = 0, message_id = 0, origin = 0, size = 0, to_uid = 0, to_message_id = 0;
  std::int64_t quota_used = 0, quota_limit = 0, size_limit = 0, version = 0, to_version = 0;
  std::int64_t count = 0, downloaded = 0, deleted_on_server = 0, on_server = 0;
  bool seen = false, headers_truncated = false, body_truncated = false;

  bool has(Field f) const { return (present & f) != 0; }
  MailboxInfo& set(Field f) { present |= f; return *this; }
  // The reason as the file writes it: worded from the numbers for a typed refusal, else `reason`.
  std::string reason_text() const;
  // The flag lists one flag at a time.
  std::vector<std::string_view> flag_list() const;
  std::vector<std::string_view> old_flag_list() const;
};
// "mailbox full (0 + 3381 octets > quota 2048)": the words of a typed refusal.
std::string refusal_text(StoreRefusal why, std::int64_t used, std::int64_t size, std::int64_t quota,
                         std::int64_t size_limit);
// Back from those words (a reason kept as text elsewhere, e.g. an expectation's outcome): sets
// `m.refusal` and the numbers it names; false when `text` is not exactly such a reason.
bool refusal_from_text(std::string_view text, MailboxInfo& m);

// DNS records (RecordKind::Dns): DNS as the servers and resolvers saw it. The names in the
// file ("query", "resolver", ...) are spelled in one place, to_string / dns_event_from_string.
enum class DnsEvent : std::uint8_t {
  Other,      // a name this build does not know (kept as written in Record::event)
  Lookup,     // a host's stub resolver asks its recursive server
  Query,      // a query arrived at a server
  Response,   // the response a server sent
  Resolver,   // one step of a recursive server's iterative resolution (a note)
  Ignored,    // a response a recursive server refused (wrong id or question)
  Malformed,  // a packet or stream that did not decode, or an EDNS error
  Result,     // a stub resolver's final answer
};
std::string_view to_string(DnsEvent e);
bool dns_event_from_string(std::string_view text, DnsEvent& out);
Name event_name(DnsEvent e);

// One step of a recursive server's iterative resolution: which of the resolver's notes
// (protocols/dns/resolver.cpp) a `resolver` record is, read from its note when the record is
// typed (parse_resolver_note). The note stays the record's text; these are its parts.
enum class ResolverStep : std::uint8_t {
  None,          // a note of no shape below (kept as text)
  Resolving,     // "resolving QUESTION"
  Root,          // "starting at the root servers"
  Asking,        // "asking SERVER (IP) for QUESTION[ (try N of M)]"
  Answered,      // "SERVER answered: ANSWER"
  Referral,      // "referral to ZONE servers (SERVERS)[, no glue]"
  CacheNs,       // "cache hit: NS for ZONE (SERVERS)[, skipping the servers above it]"
  CacheNx,       // "cache hit: NAME does not exist (NXDOMAIN, TTL s left)"
  CacheHit,      // "cache hit: QUESTION (COUNT record(s), TTL s left)"
  AnswerNx,      // "answer: NAME does not exist (NXDOMAIN)"
  AnswerNoData,  // "answer: QUESTION has no records (NODATA)"
  Answer,        // "answer: ANSWER"
};

// What a DNS record knows, typed: the question, the header bits, the answers (in presentation
// format), the resolver's note. Short words are interned; the note, the error and the record
// lists live in the trace's byte arena (a list as lines joined with '\n'). A field is present
// exactly when its key was in the JSON detail; keys without a field stay in `detail`.
struct DnsInfo {
  enum Field : std::uint32_t {
    kQname = 1u << 0, kQtype = 1u << 1, kRcode = 1u << 2, kRole = 1u << 3, kTransport = 1u << 4,
    kOutcome = 1u << 5, kNote = 1u << 6, kError = 1u << 7, kId = 1u << 8, kEdnsUdpSize = 1u << 9,
    kEdnsVersion = 1u << 10, kRd = 1u << 11, kAa = 1u << 12, kTc = 1u << 13, kEdns = 1u << 14,
    kAnswers = 1u << 15, kAuthority = 1u << 16,
  };
  DnsEvent event = DnsEvent::Other;
  std::uint32_t present = 0;  // Field bits
  Name qname, qtype;          // the (first) question: "hogehoge.com", "MX"
  Name rcode;                 // a response: "NOERROR", "NXDOMAIN" ...
  Name role;                  // a response: "authoritative" or "recursive"
  Name transport;             // "tcp" when it came over TCP
  Name outcome;               // a result: NOERROR / NXDOMAIN / NODATA / SERVFAIL
  std::string_view note;      // a resolver step or an ignored response, in words
  std::string_view error;     // malformed: what did not decode
  std::string_view answers;   // records in presentation format, one a line
  std::string_view authority;
  std::int64_t id = 0, edns_udp_size = 0, edns_version = 0;
  bool rd = false, aa = false, tc = false, edns = false;
  // A resolver note's parts (views into `note`; not in the file: made from the note).
  ResolverStep step = ResolverStep::None;
  bool step_flag = false;  // Asking: the try count is given; Referral: no glue; CacheNs: servers above skipped
  std::string_view server, server_ip, zone, servers, question_text, answer;
  std::int64_t try_number = 0, tries = 0, ttl = 0, count = 0;

  bool has(Field f) const { return (present & f) != 0; }
  DnsInfo& set(Field f) { present |= f; return *this; }
  std::vector<std::string_view> answer_list() const;
  std::vector<std::string_view> authority_list() const;
  // "MX? hogehoge.com": the question as the summaries write it.
  std::string question() const { return qtype.str() + "? " + qname.str(); }
};

struct Record {
  Time time = 0;
  std::uint64_t seq = 0;  // position in the trace, from 0
  RecordKind kind = RecordKind::Note;
  Name event;             // sub-kind, e.g. "syn", "established", "refused", "drop"
  Name host;              // host id where it happened (the sender for packets)
  Name peer;              // the other host id, if any
  std::uint64_t conn = 0; // connection id (0 = none)
  Name protocol;          // "tcp", "udp", "smtp", "pop3", "imap", "dns", ...
  std::string summary;    // one readable line (empty for packets: worded from `packet`)
  // Kind-specific fields (empty for packets: see `packet`). Null until a writer puts a key in
  // it, so a record that has none costs no allocation; a record the trace keeps always has an
  // object here (an empty one for packets), so readers may call value() on any kept record.
  nlohmann::json detail;
  const PacketInfo* packet = nullptr;  // packets only; owned by the trace that holds the record
  // Protocol records only; owned by the trace that holds the record (Trace::add copies one
  // that points elsewhere). `detail` then holds only keys the typed form has no field for
  // (a replay's annotations); it is empty for every simulated record.
  const ProtocolInfo* proto = nullptr;
  // Mail records only; owned by the trace that holds the record (Trace::add copies one that
  // points elsewhere, and types one added with a JSON detail). `detail` then holds only the
  // keys MailInfo has no field for.
  const MailInfo* mail = nullptr;
  // Mailbox and DNS records only, in the same way (`detail`: only the keys without a field).
  const MailboxInfo* mailbox = nullptr;
  const DnsInfo* dns = nullptr;

  // The readable line: `summary`, or for a packet or protocol record the line worded from its fields.
  std::string text() const;
  // A protocol record's event (Other for any other kind).
  ProtoEvent protocol_event() const;
  bool is(ProtoEvent e) const { return kind == RecordKind::Protocol && protocol_event() == e; }
  // `*proto`, or an empty ProtocolInfo (event Other, no fields) when there is none.
  const ProtocolInfo& proto_info() const;
  // A mail record's event (Other for any other kind).
  MailEvent mail_event() const;
  bool is(MailEvent e) const { return kind == RecordKind::Mail && mail_event() == e; }
  // `*mail`, or an empty MailInfo (event Other, no fields) when there is none.
  const MailInfo& mail_info() const;
  // A mailbox record's event (Other for any other kind), and its typed fields.
  MailboxEvent mailbox_event() const;
  bool is(MailboxEvent e) const { return kind == RecordKind::Mailbox && mailbox_event() == e; }
  const MailboxInfo& mailbox_info() const;
  // A DNS record's event (Other for any other kind), and its typed fields.
  DnsEvent dns_event() const;
  bool is(DnsEvent e) const { return kind == RecordKind::Dns && dns_event() == e; }
  const DnsInfo& dns_info() const;
};

// A mailbox or DNS record being written: the record, its typed fields, and the text they
// point at, owned here until a Trace copies it. A writer fills `record` (host, peer, protocol,
// summary), `info` (event, names, numbers, presence bits) and the strings, then adds typed():
// the record pointing at the fields (call it after the last copy; valid while this lives).
struct MailboxRecord {
  Record record;
  MailboxInfo info;
  std::string reason, subject, error, preview, headers, body_preview;
  Record& typed();
};
struct DnsRecord {
  Record record;
  DnsInfo info;
  std::string note, error;
  std::vector<std::string> answers, authority;  // records in presentation format
  Record& typed();

 private:
  std::string answer_lines_, authority_lines_;
};

// A protocol record's JSON detail and summary read into typed fields (keys that do not fit
// stay in `extras`). `text` holds what `info.text` points at until Trace::add copies it.
void protocol_from_detail(const nlohmann::json& detail, std::string_view event, const std::string& summary,
                          ProtocolInfo& info, std::string& text, nlohmann::json& extras);

// A mail record's JSON detail read into typed fields (keys that do not fit stay in `extras`).
// `texts` holds what the info's text fields point at until Trace::add copies them.
void mail_from_detail(const nlohmann::json& detail, std::string_view event, MailInfo& info,
                      std::vector<std::string>& texts, nlohmann::json& extras);
// The JSON detail of a mail record: its typed fields and the keys they do not cover.
nlohmann::json mail_detail(const MailInfo& info, const nlohmann::json& extras);

// Reads `info.note` into its step and parts (views into the note); false (step None) when the
// note has none of the shapes of ResolverStep.
bool parse_resolver_note(DnsInfo& info);

// A mailbox record's JSON detail read into typed fields (keys that do not fit stay in `extras`);
// `texts` holds what the info's text fields point at until Trace::add copies them.
void mailbox_from_detail(const nlohmann::json& detail, std::string_view event, MailboxInfo& info,
                         std::vector<std::string>& texts, nlohmann::json& extras);
nlohmann::json mailbox_detail(const MailboxInfo& info, const nlohmann::json& extras);
// The same for a DNS record.
void dns_from_detail(const nlohmann::json& detail, std::string_view event, DnsInfo& info,
                     std::vector<std::string>& texts, nlohmann::json& extras);
nlohmann::json dns_detail(const DnsInfo& info, const nlohmann::json& extras);

// A packet record's JSON "detail" read into typed fields: `bytes` and `hops` hold what
// `packet.bytes` and `packet.path` point at until Trace::add_packet copies them.
bool packet_from_detail(const nlohmann::json& detail, bool udp, PacketInfo& packet, std::string& bytes, Hops& hops,
                        std::string& error);

// A record's JSON form; a packet's typed fields are written as its "detail" object.
nlohmann::json to_json(const Record& r);
// Reads a record back; returns false (and sets error) when the object is not a record. A
// packet's detail is parsed into `packet` (its bytes unescaped into `packet_bytes`, its route
// into `packet_path`), and `out.packet` is left null: Trace::add_packet stores it.
bool from_json(const nlohmann::json& j, Record& out, std::string& error);
bool from_json(const nlohmann::json& j, Record& out, PacketInfo& packet, std::string& packet_bytes,
               Hops& packet_path, std::string& error);

// Bytes in a trace: printable text is kept as it is; anything else is hex-escaped so the
// JSON stays valid UTF-8 and the file is still readable ("EHLO a\r\n" -> "EHLO a\\r\\n").
std::string escape_bytes(std::string_view bytes);
std::string unescape_bytes(std::string_view text);

// Records in contiguous chunks (no regrowth copies; a record's address never changes).
using RecordStore = std::deque<Record>;

// Which records a trace keeps in memory (docs/trace.md, "Keeping only what the checks read").
// By default every record. A run that needs only its own checks keeps the kinds (or the events
// of a kind) they read; any other record is written to the trace's stream (if it has one) the
// moment it is added, and then forgotten.
class Retention {
 public:
  // Every record (the default: the app, the lessons, exports and tests read whole traces).
  static Retention everything() { return Retention(); }
  // No record until keep() names some.
  static Retention only();
  Retention& keep(RecordKind kind);              // every record of `kind`
  Retention& keep(RecordKind kind, Name event);  // the records of `kind` with this event
  bool keeps_everything() const { return all_; }
  bool keeps(RecordKind kind, Name event) const;
  bool keeps(const Record& r) const { return keeps(r.kind, r.event); }
  // "mail, note fault, policy" (kinds in the order of RecordKind), or "everything".
  std::string describe() const;

 private:
  bool all_ = true;
  std::uint32_t kinds_ = 0;  // bit (1 << RecordKind): every event of that kind
  std::vector<std::pair<RecordKind, Name>> events_;
};

class Trace {
 public:
  Trace() = default;
  Trace(Trace&&) = default;
  Trace& operator=(Trace&&) = default;
  // A copy re-homes every packet in the copy's own storage.
  Trace(const Trace& other);
  Trace& operator=(const Trace& other);

  // A protocol record is stored typed: its `proto` (if it points outside this trace) is copied
  // here with its text in the arena; one without `proto` is typed from its `detail`.
  // A record the retention rule does not keep is streamed (see stream_to) and not stored: the
  // reference returned is then valid only until the next record is added.
  Record& add(Record r);
  // A packet record: its typed fields and bytes are stored once, in this trace.
  Record& add_packet(Record r, const PacketInfo& packet);

  // Which records stay in memory (everything unless set). Set it before the first record.
  void set_retention(Retention keep) { retention_ = std::move(keep); }
  const Retention& retention() const { return retention_; }
  // From now on every record added, kept or not, is also written to `out` as its JSON line
  // (the lines write_jsonl writes, in the same order), through a 64 KiB buffer: call
  // flush_stream() before `out` is closed. The meta line is not written: it counts the
  // records, so it comes last (meta_line()). Null: no stream.
  void stream_to(std::ostream* out);
  void flush_stream();
  // Called with every record as it is added, kept or not (after it is typed and numbered):
  // a way to count what the trace does not keep (the run budget's likely cause). Empty: none.
  void watch(std::function<void(const Record&)> observer) { observer_ = std::move(observer); }
  // The same route, stored once per trace.
  const Hops* intern_path(const std::vector<std::string>& hops);
  const Hops* intern_path(const Hops& hops);

  // The records kept in memory, in seq order: all of them unless a retention rule is set.
  const RecordStore& records() const { return records_; }
  // Records added so far, kept or not (the next record's seq; the meta line's "records").
  std::size_t size() const { return static_cast<std::size_t>(added_); }  // under 2^32 in a 32-bit build: the budget caps records
  // Every record added is in records() (no retention rule dropped one).
  bool complete() const { return records_.size() == added_; }
  // The kept record with this seq, or null.
  const Record* find(std::uint64_t seq) const;
  // Bytes the kept records take in memory, as estimated by estimate_size() when each was added
  // (the run budget's "trace memory"; the deque's spare capacity is not counted; a record the
  // retention rule did not keep is not counted).
  std::uint64_t memory_estimate() const { return bytes_; }
  // A record's footprint: the struct, its summary's heap buffer, its JSON detail's nodes, and
  // for a packet or protocol record its typed fields and bytes (interned names are shared and
  // not counted).
  static std::size_t estimate_size(const Record& r);
  // The byte arena's size (every packet's bytes, once).
  std::uint64_t payload_bytes() const { return arena_bytes_; }

  // Header information written in the first (meta) line.
  nlohmann::json meta = nlohmann::json::object();

  // The file's first line (with its newline): `meta`, the schema and the count of records.
  std::string meta_line() const;
  // The whole file; only for a complete() trace (throws std::logic_error otherwise: its
  // records were streamed as they came, see stream_to).
  void write_jsonl(std::ostream& out) const;
  // Parses a JSON Lines trace; on failure returns false with "line N: message".
  static bool read_jsonl(std::istream& in, Trace& out, std::string& error);

 private:
  std::string_view store_bytes(std::string_view bytes);
  Record& add_protocol(Record r);
  Record& add_mail(Record r);
  Record& add_mailbox(Record r);
  Record& add_dns(Record r);
  Record& push(Record r);
  // A record not kept: streamed, watched and numbered, not stored.
  Record& pass(Record r);
  void emit(const Record& r);

  RecordStore records_;
  std::deque<PacketInfo> packets_;
  std::deque<ProtocolInfo> protocols_;
  std::deque<MailInfo> mails_;
  std::deque<MailboxInfo> mailboxes_;
  std::deque<DnsInfo> dnses_;
  std::set<Hops> paths_;
  std::unordered_set<const Hops*> own_paths_;  // the nodes of paths_: a route already interned here
  std::vector<std::unique_ptr<char[]>> arena_;  // blocks of kArenaBlock bytes (or one payload)
  std::size_t arena_used_ = 0;                   // in the last block
  std::size_t arena_cap_ = 0;
  std::uint64_t arena_bytes_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t added_ = 0;
  Retention retention_;
  std::ostream* stream_ = nullptr;
  std::string stream_buf_;
  std::function<void(const Record&)> observer_;
  Record passed_;  // the last record not kept (what add returns for it)
};

}  // namespace mailsim::sim
