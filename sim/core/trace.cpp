// The trace: records, their JSON form, and the JSON Lines file format.
#include "sim/core/trace.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace mailsim::sim {
namespace {

constexpr std::array<std::pair<RecordKind, std::string_view>, 11> kKindNames{{
    {RecordKind::Meta, "meta"},
    {RecordKind::Packet, "packet"},
    {RecordKind::Connection, "connection"},
    {RecordKind::Policy, "policy"},
    {RecordKind::Tls, "tls"},
    {RecordKind::Protocol, "protocol"},
    {RecordKind::Dns, "dns"},
    {RecordKind::Mail, "mail"},
    {RecordKind::Mailbox, "mailbox"},
    {RecordKind::Action, "action"},
    {RecordKind::Note, "note"},
}};

}  // namespace

std::string_view to_string(RecordKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "note";
}

bool record_kind_from_string(std::string_view text, RecordKind& out) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string tcp_flag_names(std::uint8_t f) {
  using namespace tcp_flags;
  std::string s;
  auto add = [&](std::uint8_t bit, const char* name) {
    if (f & bit) {
      if (!s.empty()) s += ',';
      s += name;
    }
  };
  add(kSyn, "SYN");
  add(kFin, "FIN");
  add(kRst, "RST");
  add(kPsh, "PSH");
  add(kAck, "ACK");
  return s;
}

bool parse_tcp_flag_names(std::string_view text, std::uint8_t& out) {
  using namespace tcp_flags;
  out = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    if (name == "SYN") out |= kSyn;
    else if (name == "FIN") out |= kFin;
    else if (name == "RST") out |= kRst;
    else if (name == "PSH") out |= kPsh;
    else if (name == "ACK") out |= kAck;
    else if (!name.empty()) return false;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

std::string PacketInfo::summary() const {
  if (udp) return fmt::format("{} -> {} UDP len={}", src_text(), dst_text(), bytes.size());
  return fmt::format("{} -> {} [{}] seq={} ack={} len={}", src_text(), dst_text(), flag_names(), seq, ack,
                     bytes.size());
}

namespace {

// An event enum's names in the file, looked up both ways (the protocol and mail tables below).
template <class Event, std::size_t N>
std::string_view name_in(const std::array<std::pair<Event, std::string_view>, N>& table, Event e) {
  for (const auto& [ev, name] : table)
    if (ev == e) return name;
  return "";
}
template <class Event, std::size_t N>
bool event_in(const std::array<std::pair<Event, std::string_view>, N>& table, std::string_view text, Event& out) {
  for (const auto& [ev, name] : table) {
    if (name == text) {
      out = ev;
      return true;
    }
  }
  out = Event::Other;
  return false;
}

constexpr std::array<std::pair<ProtoEvent, std::string_view>, 9> kProtoEventNames{{
    {ProtoEvent::Command, "command"},
    {ProtoEvent::Reply, "reply"},
    {ProtoEvent::State, "state"},
    {ProtoEvent::Error, "error"},
    {ProtoEvent::Note, "note"},
    {ProtoEvent::Sent, "sent"},
    {ProtoEvent::Received, "received"},
    {ProtoEvent::Data, "data"},
    {ProtoEvent::NotUnderstood, "not-understood"},
}};

// The interned name of each event, made once.
Name proto_event_name(ProtoEvent e) {
  static const std::array<Name, kProtoEventNames.size() + 1> names = [] {
    std::array<Name, kProtoEventNames.size() + 1> n{};
    for (const auto& [ev, text] : kProtoEventNames) n[static_cast<std::size_t>(ev)] = Name(text);
    return n;
  }();
  const auto i = static_cast<std::size_t>(e);
  return i < names.size() ? names[i] : Name();
}

}  // namespace

std::string_view to_string(ProtoEvent e) { return name_in(kProtoEventNames, e); }

bool protocol_event_from_string(std::string_view text, ProtoEvent& out) { return event_in(kProtoEventNames, text, out); }

std::string ProtocolInfo::summary() const {
  using E = ProtoEvent;
  const bool line = text_key == TextKey::Line, plain = text_key == TextKey::Text, bytes = text_key == TextKey::Bytes;
  switch (event) {
    case E::Command: return line ? "C: " + std::string(text) : std::string();
    case E::Reply: return line ? "S: " + std::string(text) : std::string();
    case E::State: return from.str() + " -> " + to.str();
    case E::Error: return plain ? "protocol error: " + std::string(text) : std::string();
    case E::Note: return plain ? std::string(text) : std::string();
    case E::Sent: return bytes ? "C: " + std::string(text) : std::string();
    case E::Received: return bytes ? "S: " + std::string(text) : std::string();
    default: return {};
  }
}

std::string Record::text() const {
  if (!summary.empty()) return summary;
  if (packet) return packet->summary();
  if (proto && proto->worded) return proto->summary();
  return summary;
}

std::string ProtocolInfo::wire_text() const {
  if (text_key == TextKey::Line) return std::string(text);
  if (text_key == TextKey::Bytes) return unescape_bytes(text);
  return {};
}

const ProtocolInfo& Record::proto_info() const {
  static const ProtocolInfo none;
  return proto ? *proto : none;
}

ProtoEvent Record::protocol_event() const {
  if (kind != RecordKind::Protocol) return ProtoEvent::Other;
  if (proto) return proto->event;
  ProtoEvent e;
  protocol_event_from_string(event.view(), e);
  return e;
}

namespace {

constexpr std::array<std::pair<MailEvent, std::string_view>, 18> kMailEventNames{{
    {MailEvent::Compose, "compose"},
    {MailEvent::Submitted, "submitted"},
    {MailEvent::SendFailed, "send_failed"},
    {MailEvent::Queued, "queued"},
    {MailEvent::Routing, "routing"},
    {MailEvent::ConnectFailed, "connect-failed"},
    {MailEvent::Relayed, "relayed"},
    {MailEvent::Delivered, "delivered"},
    {MailEvent::Refused, "refused"},
    {MailEvent::Deferred, "deferred"},
    {MailEvent::Bounced, "bounced"},
    {MailEvent::Throttled, "throttled"},
    {MailEvent::Greylisted, "greylisted"},
    {MailEvent::Waiting, "waiting"},
    {MailEvent::Reusing, "reusing"},
    {MailEvent::Delayed, "delayed"},
    {MailEvent::Loop, "loop"},
    {MailEvent::Duplicate, "duplicate"},
}};

const std::array<Name, kMailEventNames.size() + 1>& mail_event_names() {
  static const std::array<Name, kMailEventNames.size() + 1> names = [] {
    std::array<Name, kMailEventNames.size() + 1> n{};
    for (const auto& [ev, text] : kMailEventNames) n[static_cast<std::size_t>(ev)] = Name(text);
    return n;
  }();
  return names;
}

// The typed fields of a mail record and their keys in the JSON detail.
constexpr std::array<std::tuple<const char*, Name MailInfo::*, MailInfo::Field>, 8> kMailNames{{
    {"message_id", &MailInfo::message_id, MailInfo::kMessageId},
    {"queue_id", &MailInfo::queue_id, MailInfo::kQueueId},
    {"sender", &MailInfo::sender, MailInfo::kSender},
    {"recipient", &MailInfo::recipient, MailInfo::kRecipient},
    {"status", &MailInfo::status, MailInfo::kStatus},
    {"remote_host", &MailInfo::remote_host, MailInfo::kRemoteHost},
    {"user", &MailInfo::user, MailInfo::kUser},
    {"folder", &MailInfo::folder, MailInfo::kFolder},
}};
constexpr std::array<std::tuple<const char*, std::string_view MailInfo::*, MailInfo::Field>, 3> kMailTexts{{
    {"subject", &MailInfo::subject, MailInfo::kSubject},
    {"reason", &MailInfo::reason, MailInfo::kReason},
    {"error", &MailInfo::error, MailInfo::kError},
}};
constexpr std::array<std::tuple<const char*, std::int64_t MailInfo::*, MailInfo::Field>, 5> kMailNumbers{{
    {"code", &MailInfo::code, MailInfo::kCode},
    {"size", &MailInfo::size, MailInfo::kSize},
    {"attempts", &MailInfo::attempts, MailInfo::kAttempts},
    {"retry_at", &MailInfo::retry_at, MailInfo::kRetryAt},
    {"uid", &MailInfo::uid, MailInfo::kUid},
}};

}  // namespace

std::string_view to_string(MailEvent e) { return name_in(kMailEventNames, e); }

bool mail_event_from_string(std::string_view text, MailEvent& out) { return event_in(kMailEventNames, text, out); }

Name event_name(MailEvent e) {
  const auto i = static_cast<std::size_t>(e);
  return i < mail_event_names().size() ? mail_event_names()[i] : Name();
}

MailEvent Record::mail_event() const {
  if (kind != RecordKind::Mail) return MailEvent::Other;
  if (mail) return mail->event;
  const auto& names = mail_event_names();
  for (std::size_t i = 1; i < names.size(); ++i)
    if (names[i] == event) return static_cast<MailEvent>(i);
  return MailEvent::Other;
}

const MailInfo& Record::mail_info() const {
  static const MailInfo none;
  return mail ? *mail : none;
}

void mail_from_detail(const nlohmann::json& detail, std::string_view event, MailInfo& m,
                      std::vector<std::string>& texts, nlohmann::json& extras) {
  m = MailInfo{};
  mail_event_from_string(event, m.event);
  extras = nlohmann::json::object();
  texts.assign(kMailTexts.size(), std::string());
  if (!detail.is_object()) return;
  for (auto it = detail.begin(); it != detail.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = *it;
    bool typed = false;
    if (v.is_string()) {
      for (const auto& [k, field, bit] : kMailNames) {
        if (key == k) {
          m.*field = Name(v.get_ref<const std::string&>());
          m.set(bit);
          typed = true;
        }
      }
      for (std::size_t i = 0; i < kMailTexts.size(); ++i) {
        const auto& [k, field, bit] = kMailTexts[i];
        if (key == k) {
          texts[i] = v.get_ref<const std::string&>();
          m.set(bit);
          typed = true;
        }
      }
    } else if (v.is_number_integer() && (!v.is_number_unsigned() || v.get<std::uint64_t>() <= INT64_MAX)) {
      for (const auto& [k, field, bit] : kMailNumbers) {
        if (key == k) {
          m.*field = v.get<std::int64_t>();
          m.set(bit);
          typed = true;
        }
      }
    }
    if (!typed) extras[key] = v;
  }
  for (std::size_t i = 0; i < kMailTexts.size(); ++i) m.*std::get<1>(kMailTexts[i]) = texts[i];
}

nlohmann::json mail_detail(const MailInfo& m, const nlohmann::json& extras) {
  nlohmann::json d = extras.is_object() ? extras : nlohmann::json::object();
  for (const auto& [k, field, bit] : kMailNames)
    if (m.has(bit)) d[k] = (m.*field).str();
  for (const auto& [k, field, bit] : kMailTexts)
    if (m.has(bit)) d[k] = std::string(m.*field);
  for (const auto& [k, field, bit] : kMailNumbers)
    if (m.has(bit)) d[k] = m.*field;
  return d;
}

namespace {

// Typed fields of a record kind and their keys in the JSON detail (the mailbox and DNS tables
// below): interned names, text in the arena, numbers, booleans, and lists of words.
template <class Info>
struct FieldTables {
  using Bit = typename Info::Field;
  std::vector<std::tuple<const char*, Name Info::*, Bit>> names;
  std::vector<std::tuple<const char*, std::string_view Info::*, Bit>> texts;
  std::vector<std::tuple<const char*, std::int64_t Info::*, Bit>> numbers;
  std::vector<std::tuple<const char*, bool Info::*, Bit>> flags;
  // Lists: an interned Name of words joined by ' ' (flags) or arena text of lines joined by '\n'.
  std::vector<std::tuple<const char*, Name Info::*, Bit>> word_lists;
  std::vector<std::tuple<const char*, std::string_view Info::*, Bit>> line_lists;
};

bool fits_int64(const nlohmann::json& v) {
  return v.is_number_integer() && (!v.is_number_unsigned() || v.get<std::uint64_t>() <= INT64_MAX);
}

// A JSON array of non-empty strings none of which holds `sep`, joined by it; false otherwise.
bool join_list(const nlohmann::json& v, char sep, std::string& out) {
  if (!v.is_array()) return false;
  out.clear();
  for (const auto& e : v) {
    if (!e.is_string()) return false;
    const std::string& s = e.get_ref<const std::string&>();
    if (s.empty() || s.find(sep) != std::string::npos) return false;
    if (!out.empty()) out += sep;
    out += s;
  }
  return true;
}

std::vector<std::string_view> split_list(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

nlohmann::json list_json(std::string_view text, char sep) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto part : split_list(text, sep)) a.push_back(std::string(part));
  return a;
}

// Reads `detail` into `info`: `texts` gets one string per text and line-list field (in table
// order) which the info's views point at; any key that does not fit stays in `extras`.
template <class Info>
void typed_from_detail(const FieldTables<Info>& t, const nlohmann::json& detail, Info& info,
                       std::vector<std::string>& texts, nlohmann::json& extras) {
  extras = nlohmann::json::object();
  texts.assign(t.texts.size() + t.line_lists.size(), std::string());
  if (!detail.is_object()) return;
  std::string joined;
  for (auto it = detail.begin(); it != detail.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = *it;
    bool typed = false;
    if (v.is_string()) {
      for (const auto& [k, field, bit] : t.names)
        if (key == k) info.*field = Name(v.get_ref<const std::string&>()), info.set(bit), typed = true;
      for (std::size_t i = 0; i < t.texts.size(); ++i)
        if (key == std::get<0>(t.texts[i])) texts[i] = v.get_ref<const std::string&>(), info.set(std::get<2>(t.texts[i])), typed = true;
    } else if (fits_int64(v)) {
      for (const auto& [k, field, bit] : t.numbers)
        if (key == k) info.*field = v.get<std::int64_t>(), info.set(bit), typed = true;
    } else if (v.is_boolean()) {
      for (const auto& [k, field, bit] : t.flags)
        if (key == k) info.*field = v.get<bool>(), info.set(bit), typed = true;
    } else if (v.is_array()) {
      for (const auto& [k, field, bit] : t.word_lists)
        if (key == k && join_list(v, ' ', joined)) info.*field = Name(joined), info.set(bit), typed = true;
      for (std::size_t i = 0; i < t.line_lists.size(); ++i)
        if (key == std::get<0>(t.line_lists[i]) && join_list(v, '\n', joined))
          texts[t.texts.size() + i] = joined, info.set(std::get<2>(t.line_lists[i])), typed = true;
    }
    if (!typed) extras[key] = v;
  }
  for (std::size_t i = 0; i < t.texts.size(); ++i) info.*std::get<1>(t.texts[i]) = texts[i];
  for (std::size_t i = 0; i < t.line_lists.size(); ++i) info.*std::get<1>(t.line_lists[i]) = texts[t.texts.size() + i];
}

template <class Info>
nlohmann::json typed_detail(const FieldTables<Info>& t, const Info& info, const nlohmann::json& extras) {
  nlohmann::json d = extras.is_object() ? extras : nlohmann::json::object();
  for (const auto& [k, field, bit] : t.names)
    if (info.has(bit)) d[k] = (info.*field).str();
  for (const auto& [k, field, bit] : t.texts)
    if (info.has(bit)) d[k] = std::string(info.*field);
  for (const auto& [k, field, bit] : t.numbers)
    if (info.has(bit)) d[k] = info.*field;
  for (const auto& [k, field, bit] : t.flags)
    if (info.has(bit)) d[k] = info.*field;
  for (const auto& [k, field, bit] : t.word_lists)
    if (info.has(bit)) d[k] = list_json((info.*field).view(), ' ');
  for (const auto& [k, field, bit] : t.line_lists)
    if (info.has(bit)) d[k] = list_json(info.*field, '\n');
  return d;
}

// The interned names of an event table, made once.
template <class Event, std::size_t N>
Name interned_event(const std::array<std::pair<Event, std::string_view>, N>& table, Event e) {
  static const std::array<Name, N + 1> names = [&] {
    std::array<Name, N + 1> n{};
    for (const auto& [ev, text] : table) n[static_cast<std::size_t>(ev)] = Name(text);
    return n;
  }();
  const auto i = static_cast<std::size_t>(e);
  return i < names.size() ? names[i] : Name();
}

constexpr std::array<std::pair<MailboxEvent, std::string_view>, 29> kMailboxEventNames{{
    {MailboxEvent::Stored, "stored"},
    {MailboxEvent::DeliveryRefused, "delivery-refused"},
    {MailboxEvent::Appended, "appended"},
    {MailboxEvent::AppendRefused, "append-refused"},
    {MailboxEvent::Fetched, "fetched"},
    {MailboxEvent::FlagsChanged, "flags-changed"},
    {MailboxEvent::Expunged, "expunged"},
    {MailboxEvent::Copied, "copied"},
    {MailboxEvent::CopyRefused, "copy-refused"},
    {MailboxEvent::Moved, "moved"},
    {MailboxEvent::DownloadedAndDeleted, "downloaded-and-deleted"},
    {MailboxEvent::DeletedViaPop3, "deleted-via-pop3"},
    {MailboxEvent::FolderCreated, "folder-created"},
    {MailboxEvent::FolderDeleted, "folder-deleted"},
    {MailboxEvent::FolderRenamed, "folder-renamed"},
    {MailboxEvent::SubscriptionChanged, "subscription-changed"},
    {MailboxEvent::MaildropLocked, "maildrop-locked"},
    {MailboxEvent::MaildropLockRefused, "maildrop-lock-refused"},
    {MailboxEvent::MaildropUnlocked, "maildrop-unlocked"},
    {MailboxEvent::DeviceDownloaded, "device-downloaded"},
    {MailboxEvent::DeviceSynced, "device-synced"},
    {MailboxEvent::DeviceOpened, "device-opened"},
    {MailboxEvent::DeviceFlags, "device-flags"},
    {MailboxEvent::DeviceDeleted, "device-deleted"},
    {MailboxEvent::DeviceChecked, "device-checked"},
    {MailboxEvent::CheckCoalesced, "check-coalesced"},
    {MailboxEvent::CheckFailed, "check-failed"},
    {MailboxEvent::ActionFailed, "action-failed"},
    {MailboxEvent::Downloaded, "downloaded"},
}};

const FieldTables<MailboxInfo>& mailbox_tables() {
  using M = MailboxInfo;
  static const FieldTables<M> t{
      {{"user", &M::user, M::kUser},
       {"folder", &M::folder, M::kFolder},
       {"to_folder", &M::to_folder, M::kToFolder},
       {"account", &M::account, M::kAccount},
       {"key", &M::key, M::kKey},
       {"by", &M::by, M::kBy},
       {"how", &M::how, M::kHow},
       {"action", &M::action, M::kAction},
       {"from", &M::from, M::kFrom},
       {"id", &M::id, M::kId}},
      {{"reason", &M::reason, M::kReason},
       {"subject", &M::subject, M::kSubject},
       {"error", &M::error, M::kError},
       {"preview", &M::preview, M::kPreview},
       {"headers", &M::headers, M::kHeaders},
       {"body_preview", &M::body_preview, M::kBodyPreview}},
      {{"store_seq", &M::store_seq, M::kStoreSeq},
       {"uid", &M::uid, M::kUid},
       {"message_id", &M::message_id, M::kMessageId},
       {"origin", &M::origin, M::kOrigin},
       {"size", &M::size, M::kSize},
       {"to_uid", &M::to_uid, M::kToUid},
       {"to_message_id", &M::to_message_id, M::kToMessageId},
       {"quota_used", &M::quota_used, M::kQuotaUsed},
       {"quota_limit", &M::quota_limit, M::kQuotaLimit},
       {"size_limit", &M::size_limit, M::kSizeLimit},
       {"version", &M::version, M::kVersion},
       {"to_version", &M::to_version, M::kToVersion},
       {"count", &M::count, M::kCount},
       {"downloaded", &M::downloaded, M::kDownloaded},
       {"deleted_on_server", &M::deleted_on_server, M::kDeletedOnServer},
       {"on_server", &M::on_server, M::kOnServer}},
      {{"seen", &M::seen, M::kSeen},
       {"headers_truncated", &M::headers_truncated, M::kHeadersTruncated},
       {"body_truncated", &M::body_truncated, M::kBodyTruncated}},
      {{"flags", &M::flags, M::kFlags}, {"old_flags", &M::old_flags, M::kOldFlags}},
      {},
  };
  return t;
}

constexpr std::array<std::pair<DnsEvent, std::string_view>, 7> kDnsEventNames{{
    {DnsEvent::Lookup, "lookup"},
    {DnsEvent::Query, "query"},
    {DnsEvent::Response, "response"},
    {DnsEvent::Resolver, "resolver"},
    {DnsEvent::Ignored, "ignored"},
    {DnsEvent::Malformed, "malformed"},
    {DnsEvent::Result, "result"},
}};

const FieldTables<DnsInfo>& dns_tables() {
  using D = DnsInfo;
  static const FieldTables<D> t{
      {{"qname", &D::qname, D::kQname},
       {"qtype", &D::qtype, D::kQtype},
       {"rcode", &D::rcode, D::kRcode},
       {"role", &D::role, D::kRole},
       {"transport", &D::transport, D::kTransport},
       {"outcome", &D::outcome, D::kOutcome}},
      {{"note", &D::note, D::kNote}, {"error", &D::error, D::kError}},
      {{"id", &D::id, D::kId}, {"edns_udp_size", &D::edns_udp_size, D::kEdnsUdpSize},
       {"edns_version", &D::edns_version, D::kEdnsVersion}},
      {{"rd", &D::rd, D::kRd}, {"aa", &D::aa, D::kAa}, {"tc", &D::tc, D::kTc}, {"edns", &D::edns, D::kEdns}},
      {},
      {{"answers", &D::answers, D::kAnswers}, {"authority", &D::authority, D::kAuthority}},
  };
  return t;
}

}  // namespace

std::string_view to_string(MailboxEvent e) { return name_in(kMailboxEventNames, e); }
bool mailbox_event_from_string(std::string_view text, MailboxEvent& out) {
  return event_in(kMailboxEventNames, text, out);
}
Name event_name(MailboxEvent e) { return interned_event(kMailboxEventNames, e); }

std::string_view to_string(DnsEvent e) { return name_in(kDnsEventNames, e); }
bool dns_event_from_string(std::string_view text, DnsEvent& out) { return event_in(kDnsEventNames, text, out); }
Name event_name(DnsEvent e) { return interned_event(kDnsEventNames, e); }

std::string refusal_text(StoreRefusal why, std::int64_t used, std::int64_t size, std::int64_t quota,
                         std::int64_t size_limit) {
  switch (why) {
    case StoreRefusal::MailboxFull: return fmt::format("mailbox full ({} + {} octets > quota {})", used, size, quota);
    case StoreRefusal::OverQuota: return fmt::format("over quota ({} + {} octets > quota {})", used, size, quota);
    case StoreRefusal::TooLarge: return fmt::format("message too large ({} octets, limit {})", size, size_limit);
    case StoreRefusal::None: break;
  }
  return {};
}

bool refusal_from_text(std::string_view text, MailboxInfo& m) {
  const std::string t(text);
  long long a = 0, b = 0, c = 0;
  StoreRefusal why = StoreRefusal::None;
  if (std::sscanf(t.c_str(), "mailbox full (%lld + %lld octets > quota %lld)", &a, &b, &c) == 3) why = StoreRefusal::MailboxFull;
  else if (std::sscanf(t.c_str(), "over quota (%lld + %lld octets > quota %lld)", &a, &b, &c) == 3) why = StoreRefusal::OverQuota;
  else if (std::sscanf(t.c_str(), "message too large (%lld octets, limit %lld)", &b, &c) == 2) why = StoreRefusal::TooLarge;
  if (why == StoreRefusal::None) return false;
  const bool large = why == StoreRefusal::TooLarge;
  // The words made again from the numbers read must be the text: nothing before, after or between.
  if (refusal_text(why, a, b, large ? 0 : c, large ? c : 0) != text) return false;
  m.refusal = why;
  m.quota_used = a;
  m.size = b;
  (large ? m.size_limit : m.quota_limit) = c;
  return true;
}

std::string MailboxInfo::reason_text() const {
  if (refusal != StoreRefusal::None) return refusal_text(refusal, quota_used, size, quota_limit, size_limit);
  return std::string(reason);
}

std::vector<std::string_view> MailboxInfo::flag_list() const { return split_list(flags.view(), ' '); }
std::vector<std::string_view> MailboxInfo::old_flag_list() const { return split_list(old_flags.view(), ' '); }
std::vector<std::string_view> DnsInfo::answer_list() const { return split_list(answers, '\n'); }
std::vector<std::string_view> DnsInfo::authority_list() const { return split_list(authority, '\n'); }

void mailbox_from_detail(const nlohmann::json& detail, std::string_view event, MailboxInfo& m,
                         std::vector<std::string>& texts, nlohmann::json& extras) {
  m = MailboxInfo{};
  mailbox_event_from_string(event, m.event);
  typed_from_detail(mailbox_tables(), detail, m, texts, extras);
  // A store's reason with numbers ("mailbox full (0 + 3381 octets > quota 2048)") is typed
  // when the record's own numbers word it exactly.
  if (!m.has(MailboxInfo::kReason) || !m.has(MailboxInfo::kSize)) return;
  using M = MailboxInfo;
  for (const auto why : {StoreRefusal::MailboxFull, StoreRefusal::OverQuota, StoreRefusal::TooLarge}) {
    const bool numbers = why == StoreRefusal::TooLarge ? m.has(M::kSizeLimit) : m.has(M::kQuotaUsed) && m.has(M::kQuotaLimit);
    if (numbers && m.reason == refusal_text(why, m.quota_used, m.size, m.quota_limit, m.size_limit)) {
      m.refusal = why;
      m.reason = {};
      return;
    }
  }
}

nlohmann::json mailbox_detail(const MailboxInfo& m, const nlohmann::json& extras) {
  auto d = typed_detail(mailbox_tables(), m, extras);
  if (m.refusal != StoreRefusal::None && m.has(MailboxInfo::kReason)) d["reason"] = m.reason_text();
  return d;
}

void dns_from_detail(const nlohmann::json& detail, std::string_view event, DnsInfo& info,
                     std::vector<std::string>& texts, nlohmann::json& extras) {
  info = DnsInfo{};
  dns_event_from_string(event, info.event);
  typed_from_detail(dns_tables(), detail, info, texts, extras);
  if (info.event == DnsEvent::Resolver) parse_resolver_note(info);
}

nlohmann::json dns_detail(const DnsInfo& info, const nlohmann::json& extras) {
  return typed_detail(dns_tables(), info, extras);
}

Record& MailboxRecord::typed() {
  using M = MailboxInfo;
  const std::pair<std::string_view M::*, const std::string*> texts[] = {
      {&M::reason, &reason},   {&M::subject, &subject}, {&M::error, &error},
      {&M::preview, &preview}, {&M::headers, &headers}, {&M::body_preview, &body_preview}};
  for (const auto& [field, text] : texts) info.*field = *text;
  record.kind = RecordKind::Mailbox;
  if (info.event != MailboxEvent::Other) record.event = event_name(info.event);
  record.mailbox = &info;
  return record;
}

Record& DnsRecord::typed() {
  auto join = [](const std::vector<std::string>& list, std::string& out) {
    out.clear();
    for (const auto& line : list) out += (out.empty() ? "" : "\n") + line;
  };
  join(answers, answer_lines_);
  join(authority, authority_lines_);
  info.note = note;
  info.error = error;
  info.answers = answer_lines_;
  info.authority = authority_lines_;
  if (info.event == DnsEvent::Resolver) parse_resolver_note(info);
  record.kind = RecordKind::Dns;
  if (info.event != DnsEvent::Other) record.event = event_name(info.event);
  record.dns = &info;
  return record;
}

namespace {

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
std::int64_t digits_value(std::string_view s) {
  std::int64_t v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}
bool no_space(std::string_view s) { return !s.empty() && s.find_first_of(" \t\r\n\f\v") == std::string_view::npos; }
bool eat(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}
bool eat_back(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

// "NAME (LIST)" + optional tail at the end: zone and servers (no ')' inside the list).
bool zone_and_list(std::string_view s, std::string_view tail, bool& has_tail, std::string_view& zone,
                   std::string_view& list) {
  has_tail = eat_back(s, tail);
  if (!eat_back(s, ")")) return false;
  const auto open = s.find(" (");
  if (open == std::string_view::npos) return false;
  zone = s.substr(0, open);
  list = s.substr(open + 2);
  return no_space(zone) && list.find(')') == std::string_view::npos;
}

}  // namespace

bool parse_resolver_note(DnsInfo& d) {
  using S = ResolverStep;
  d.step = S::None;
  std::string_view s = d.note;
  if (s.empty()) return false;
  if (eat(s, "resolving ")) {
    d.question_text = s;
    d.step = S::Resolving;
    return true;
  }
  if (s == "starting at the root servers") {
    d.step = S::Root;
    return true;
  }
  if (eat(s, "asking ")) {
    // SERVER (IP) for QUESTION[ (try N of M)]
    const auto open = s.find(" (");
    if (open == std::string_view::npos) return false;
    const auto server = s.substr(0, open);
    std::string_view rest = s.substr(open + 2);
    const auto close = rest.find(')');
    if (close == std::string_view::npos || close == 0) return false;
    const auto ip = rest.substr(0, close);
    rest.remove_prefix(close + 1);
    if (!no_space(server) || !eat(rest, " for ") || rest.empty()) return false;
    d.try_number = d.tries = 0;
    d.step_flag = false;
    // A trailing " (try N of M)" counts the tries; the question is what comes before it.
    if (const auto t = rest.rfind(" (try "); t != std::string_view::npos && t > 0 && rest.back() == ')') {
      std::string_view counts = rest.substr(t + 6, rest.size() - t - 7);
      const auto of = counts.find(" of ");
      if (of != std::string_view::npos && all_digits(counts.substr(0, of)) && all_digits(counts.substr(of + 4))) {
        d.try_number = digits_value(counts.substr(0, of));
        d.tries = digits_value(counts.substr(of + 4));
        rest = rest.substr(0, t);
        d.step_flag = true;
      }
    }
    d.server = server;
    d.server_ip = ip;
    d.question_text = rest;
    d.step = S::Asking;
    return true;
  }
  if (eat(s, "referral to ")) {
    // ZONE servers (SERVERS)[, no glue]
    const bool no_glue = eat_back(s, ", no glue");
    const auto at = s.find(" servers (");
    if (at == std::string_view::npos || !eat_back(s, ")") || s.size() < at + 10) return false;
    const auto zone = s.substr(0, at);
    const auto list = s.substr(at + 10);
    if (!no_space(zone) || list.find(')') != std::string_view::npos) return false;
    d.zone = zone;
    d.servers = list;
    d.step_flag = no_glue;
    d.step = S::Referral;
    return true;
  }
  if (eat(s, "cache hit: ")) {
    std::string_view zone, list;
    bool skip = false;
    std::string_view ns = s;
    if (eat(ns, "NS for ") && zone_and_list(ns, ", skipping the servers above it", skip, zone, list)) {
      d.zone = zone;
      d.servers = list;
      d.step_flag = skip;
      d.step = S::CacheNs;
      return true;
    }
    std::string_view nx = s;
    if (eat_back(nx, " s left)")) {
      const auto at = nx.rfind(" does not exist (NXDOMAIN, ");
      if (at != std::string_view::npos && no_space(nx.substr(0, at)) && all_digits(nx.substr(at + 27))) {
        d.question_text = nx.substr(0, at);
        d.ttl = digits_value(nx.substr(at + 27));
        d.step = S::CacheNx;
        return true;
      }
      // QUESTION (N record(s), T s left)
      const auto comma = nx.rfind(" record(s), ");
      const auto open = nx.rfind(" (", comma);
      if (comma != std::string_view::npos && open != std::string_view::npos && open > 0 &&
          all_digits(nx.substr(open + 2, comma - open - 2)) && all_digits(nx.substr(comma + 12))) {
        d.question_text = nx.substr(0, open);
        d.count = digits_value(nx.substr(open + 2, comma - open - 2));
        d.ttl = digits_value(nx.substr(comma + 12));
        d.step = S::CacheHit;
        return true;
      }
    }
    return false;
  }
  if (eat(s, "answer: ")) {
    std::string_view a = s;
    if (eat_back(a, " does not exist (NXDOMAIN)") && no_space(a)) {
      d.question_text = a;
      d.step = S::AnswerNx;
      return true;
    }
    a = s;
    if (eat_back(a, " has no records (NODATA)") && !a.empty()) {
      d.question_text = a;
      d.step = S::AnswerNoData;
      return true;
    }
    d.answer = s;
    d.step = S::Answer;
    return true;
  }
  // SERVER answered: ANSWER
  const auto at = s.find(" answered: ");
  if (at != std::string_view::npos && no_space(s.substr(0, at)) && at + 11 < s.size()) {
    d.server = s.substr(0, at);
    d.answer = s.substr(at + 11);
    d.step = S::Answered;
    return true;
  }
  return false;
}

MailboxEvent Record::mailbox_event() const {
  if (kind != RecordKind::Mailbox) return MailboxEvent::Other;
  if (mailbox) return mailbox->event;
  MailboxEvent e;
  mailbox_event_from_string(event.view(), e);
  return e;
}

const MailboxInfo& Record::mailbox_info() const {
  static const MailboxInfo none;
  return mailbox ? *mailbox : none;
}

DnsEvent Record::dns_event() const {
  if (kind != RecordKind::Dns) return DnsEvent::Other;
  if (dns) return dns->event;
  DnsEvent e;
  dns_event_from_string(event.view(), e);
  return e;
}

const DnsInfo& Record::dns_info() const {
  static const DnsInfo none;
  return dns ? *dns : none;
}

namespace {

nlohmann::json packet_detail(const PacketInfo& p) {
  nlohmann::json d{{"src", p.src_text()}, {"dst", p.dst_text()}, {"len", p.bytes.size()}};
  if (!p.udp) {
    d["flags"] = p.flag_names();
    d["seq"] = p.seq;
    d["ack"] = p.ack;
    if (p.tls) d["tls"] = true;
  }
  if (p.udp || !p.bytes.empty()) d["bytes"] = escape_bytes(p.bytes);
  if (p.path) {
    auto& hops = d["path"] = nlohmann::json::array();
    for (const auto& h : *p.path) hops.push_back(h.str());
  }
  if (p.path || p.arrive != 0) d["arrive"] = p.arrive;
  if (!p.lost.empty()) d["lost"] = p.lost.str();
  if (!p.blocked_by.empty()) d["blocked_by"] = p.blocked_by.str();
  return d;
}

// A protocol record's "detail": its typed fields, and the keys they do not cover.
nlohmann::json protocol_detail(const ProtocolInfo& p, const nlohmann::json& extras) {
  nlohmann::json d = extras.is_object() ? extras : nlohmann::json::object();
  using K = ProtocolInfo::TextKey;
  if (p.text_key != K::None)
    d[p.text_key == K::Line ? "line" : p.text_key == K::Text ? "text" : "bytes"] = std::string(p.text);
  if (p.has_code) d["code"] = p.code;
  if (p.has_masked) d["masked"] = p.masked;
  if (!p.verb.empty()) d["verb"] = p.verb.str();
  if (!p.status.empty()) d["status"] = p.status.str();
  if (p.event == ProtoEvent::State) {
    d["from"] = p.from.str();
    d["to"] = p.to.str();
  }
  if (!p.fault.empty()) d["fault"] = p.fault.str();
  return d;
}

bool parse_endpoint(const nlohmann::json& d, const char* key, Endpoint& out) {
  const auto it = d.find(key);
  if (it == d.end() || !it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  const auto ip = Ipv4::parse(std::string_view(s).substr(0, colon));
  if (!ip) return false;
  unsigned port = 0;
  const auto digits = std::string_view(s).substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return false;
  out = Endpoint{*ip, static_cast<std::uint16_t>(port)};
  return true;
}

}  // namespace

bool packet_from_detail(const nlohmann::json& d, bool udp, PacketInfo& p, std::string& bytes, Hops& hops,
                        std::string& error) {
  p = PacketInfo{};
  p.udp = udp;
  for (auto [key, ep, name] : {std::tuple{"src", &p.src, &p.src_name}, std::tuple{"dst", &p.dst, &p.dst_name}}) {
    const auto it = d.is_object() ? d.find(key) : d.end();
    if (it == d.end() || !it->is_string()) {
      error = "a packet needs \"src\" and \"dst\" addresses";
      return false;
    }
    // IPv4 with a port is typed; anything else (IPv6, no port) is kept as it was written.
    if (!parse_endpoint(d, key, *ep)) *name = Name(it->get_ref<const std::string&>());
  }
  auto number = [&](const char* key, std::uint64_t max, std::uint64_t& out) {
    const auto it = d.find(key);
    if (it == d.end()) return true;
    const bool whole = it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
    if (!whole || it->get<std::uint64_t>() > max) {
      error = std::string("packet \"") + key + "\" must be a number up to " + std::to_string(max);
      return false;
    }
    out = it->get<std::uint64_t>();
    return true;
  };
  std::uint64_t seq = 0, ack = 0, arrive = 0;
  if (!number("seq", 0xFFFFFFFFu, seq) || !number("ack", 0xFFFFFFFFu, ack) ||
      !number("arrive", static_cast<std::uint64_t>(INT64_MAX), arrive))
    return false;
  p.seq = static_cast<std::uint32_t>(seq);
  p.ack = static_cast<std::uint32_t>(ack);
  p.arrive = static_cast<Time>(arrive);
  if (auto it = d.find("flags"); it != d.end()) {
    if (!it->is_string() || !parse_tcp_flag_names(it->get_ref<const std::string&>(), p.flags)) {
      error = "packet \"flags\" must name TCP flags (SYN,FIN,RST,PSH,ACK)";
      return false;
    }
  }
  if (auto it = d.find("tls"); it != d.end()) p.tls = it->is_boolean() && it->get<bool>();
  if (auto it = d.find("bytes"); it != d.end()) {
    if (!it->is_string()) {
      error = "packet \"bytes\" must be a string";
      return false;
    }
    bytes = unescape_bytes(it->get_ref<const std::string&>());
  } else {
    bytes.clear();
  }
  hops.clear();
  if (auto it = d.find("path"); it != d.end()) {
    if (!it->is_array()) {
      error = "packet \"path\" must be an array of names";
      return false;
    }
    for (const auto& h : *it) {
      if (!h.is_string()) {
        error = "packet \"path\" must be an array of names";
        return false;
      }
      hops.emplace_back(h.get_ref<const std::string&>());
    }
    p.path = &hops;
  }
  auto name = [&](const char* key, Name& out) {
    const auto it = d.find(key);
    if (it == d.end()) return true;
    if (!it->is_string()) {
      error = std::string("packet \"") + key + "\" must be a string";
      return false;
    }
    out = Name(it->get_ref<const std::string&>());
    return true;
  };
  return name("lost", p.lost) && name("blocked_by", p.blocked_by);
}

void protocol_from_detail(const nlohmann::json& detail, std::string_view event, const std::string& summary,
                          ProtocolInfo& p, std::string& text, nlohmann::json& extras) {
  p = ProtocolInfo{};
  protocol_event_from_string(event, p.event);
  text.clear();
  extras = nlohmann::json::object();
  using K = ProtocolInfo::TextKey;
  const bool state = p.event == ProtoEvent::State;
  const nlohmann::json& d = detail.is_object() ? detail : extras;  // no detail: no fields
  const auto from = d.find("from"), to = d.find("to");
  const bool states = state && from != d.end() && to != d.end() && from->is_string() && to->is_string();
  // Each key that fits a typed field goes there; anything else is kept as it was.
  for (auto it = d.begin(); it != d.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = *it;
    const bool str = v.is_string();
    const bool nonempty = str && !v.get_ref<const std::string&>().empty();
    if ((key == "line" || key == "text" || key == "bytes") && str && p.text_key == K::None) {
      p.text_key = key == "line" ? K::Line : key == "text" ? K::Text : K::Bytes;
      text = v.get_ref<const std::string&>();
    } else if (key == "code" && v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= INT32_MIN &&
               v.get<std::int64_t>() <= INT32_MAX) {
      p.has_code = true, p.code = v.get<int>();
    } else if (key == "code" && v.is_number_unsigned() && v.get<std::uint64_t>() <= INT32_MAX) {
      p.has_code = true, p.code = static_cast<int>(v.get<std::uint64_t>());
    } else if (key == "masked" && v.is_boolean()) {
      p.has_masked = true, p.masked = v.get<bool>();
    } else if (key == "verb" && nonempty) {
      p.verb = Name(v.get_ref<const std::string&>());
    } else if (key == "status" && nonempty) {
      p.status = Name(v.get_ref<const std::string&>());
    } else if (key == "fault" && nonempty) {
      p.fault = Name(v.get_ref<const std::string&>());
    } else if (states && key == "from") {
      p.from = Name(v.get_ref<const std::string&>());
    } else if (states && key == "to") {
      p.to = Name(v.get_ref<const std::string&>());
    } else {
      extras[key] = v;
    }
  }
  if (state && !states) p.event = ProtoEvent::Other;  // a state record without its states: kept as written
  p.text = text;
  // The summary is worded from the fields when that gives the same line; else it is kept.
  p.worded = summary == p.summary();
}

nlohmann::json to_json(const Record& r) {
  nlohmann::json j;
  j["t"] = r.time;
  j["seq"] = r.seq;
  j["kind"] = to_string(r.kind);
  if (!r.event.empty()) j["event"] = r.event;
  if (!r.host.empty()) j["host"] = r.host;
  if (!r.peer.empty()) j["peer"] = r.peer;
  if (r.conn != 0) j["conn"] = r.conn;
  if (!r.protocol.empty()) j["proto"] = r.protocol;
  if (r.packet) {
    j["summary"] = r.text();
    j["detail"] = packet_detail(*r.packet);
    return j;
  }
  if (r.proto) {
    if (const auto text = r.text(); !text.empty()) j["summary"] = text;
    if (auto d = protocol_detail(*r.proto, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (!r.summary.empty()) j["summary"] = r.summary;
  if (r.mail) {
    if (auto d = mail_detail(*r.mail, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (r.mailbox) {
    if (auto d = mailbox_detail(*r.mailbox, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (r.dns) {
    if (auto d = dns_detail(*r.dns, r.detail); !d.empty()) j["detail"] = std::move(d);
    return j;
  }
  if (!r.detail.is_null() && !r.detail.empty()) j["detail"] = r.detail;
  return j;
}

bool from_json(const nlohmann::json& j, Record& out, std::string& error) {
  if (!j.is_object()) {
    error = "a record must be a JSON object";
    return false;
  }
  auto get_string = [&](const char* key, auto& field) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_string()) {
        error = std::string("\"") + key + "\" must be a string";
        return false;
      }
      field = it->template get<std::string>();
    }
    return true;
  };
  const auto t = j.find("t");
  const auto kind = j.find("kind");
  if (t == j.end() || !t->is_number_integer()) {
    error = "missing integer \"t\"";
    return false;
  }
  if (kind == j.end() || !kind->is_string() || !record_kind_from_string(kind->get<std::string>(), out.kind)) {
    error = "missing or unknown \"kind\"";
    return false;
  }
  out.time = t->get<Time>();
  out.seq = j.value("seq", std::uint64_t{0});
  out.conn = j.value("conn", std::uint64_t{0});
  if (!get_string("event", out.event) || !get_string("host", out.host) || !get_string("peer", out.peer) ||
      !get_string("proto", out.protocol) || !get_string("summary", out.summary))
    return false;
  if (auto it = j.find("detail"); it != j.end()) {
    if (!it->is_object()) {
      error = "\"detail\" must be an object";
      return false;
    }
    out.detail = *it;
  } else {
    out.detail = nlohmann::json::object();
  }
  return true;
}

bool from_json(const nlohmann::json& j, Record& out, PacketInfo& packet, std::string& packet_bytes,
               Hops& packet_path, std::string& error) {
  if (!from_json(j, out, error)) return false;
  out.packet = nullptr;
  out.proto = nullptr;  // a protocol record is typed from its detail when a Trace adds it
  out.mail = nullptr;
  out.mailbox = nullptr;
  out.dns = nullptr;
  if (out.kind != RecordKind::Packet) return true;
  if (!packet_from_detail(out.detail, out.event == "udp", packet, packet_bytes, packet_path, error))
    return false;
  packet.bytes = packet_bytes;
  // The summary and detail are made again from the typed fields when written.
  out.summary.clear();
  out.detail = nlohmann::json::object();
  return true;
}

namespace {

// What escape_bytes does with each byte value: keeps it, writes a two-character escape
// (\\ \r \n \t), looks for a well-formed UTF-8 sequence it starts, or writes \xHH. `"` is kept
// too, but a JSON string needs it escaped (kQuote).
enum ByteClass : std::uint8_t { kKeep, kQuote, kShort, kLead, kHexByte };
constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (c == '\\' || c == '\r' || c == '\n' || c == '\t') t[c] = kShort;
    else if (c == '"') t[c] = kQuote;
    else if (c >= 0x20 && c < 0x7F) t[c] = kKeep;
    else if (c >= 0xC2 && c <= 0xF4) t[c] = kLead;
    else t[c] = kHexByte;
  }
  return t;
}();

// The length of the well-formed UTF-8 sequence that starts at bytes[i] (a kLead byte), or 0
// for overlong forms, surrogates, code points beyond U+10FFFF and cut sequences.
std::size_t utf8_length(std::string_view bytes, std::size_t i) {
  const auto c = static_cast<unsigned char>(bytes[i]);
  const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (i + len > bytes.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return 0;
  const auto second = static_cast<unsigned char>(bytes[i + 1]);
  if (c == 0xE0 && second < 0xA0) return 0;
  if (c == 0xED && second > 0x9F) return 0;
  if (c == 0xF0 && second < 0x90) return 0;
  if (c == 0xF4 && second > 0x8F) return 0;
  return len;
}

// escape_bytes(bytes) appended to `out`, whole runs of kept bytes at a time. With `json`, as
// the inside of a JSON string: backslashes doubled and `"` escaped, exactly what the JSON
// writer makes of escape_bytes' text (which has no control character left to escape).
void append_escaped(std::string& out, std::string_view bytes, bool json) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view backslash = json ? "\\\\" : "\\";
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    for (; j < n; ++j) {
      const auto cls = kByteClass[static_cast<unsigned char>(bytes[j])];
      if (cls != kKeep && (json || cls != kQuote)) break;
    }
    out.append(bytes.data() + i, j - i);
    if (j == n) break;
    i = j;
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (kByteClass[c]) {
      case kQuote:  // only in a JSON string
        out += "\\\"";
        ++i;
        break;
      case kShort:
        out += backslash;
        if (c == '\\') out += backslash;
        else out += c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
        ++i;
        break;
      case kLead:
        if (const std::size_t len = utf8_length(bytes, i); len != 0) {
          out.append(bytes.data() + i, len);
          i += len;
          break;
        }
        [[fallthrough]];
      default:
        out += backslash;
        out += 'x';
        out += kHex[c >> 4];
        out += kHex[c & 15];
        ++i;
    }
  }
}

}  // namespace

std::string escape_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_escaped(out, bytes, false);
  return out;
}

std::string unescape_bytes(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t slash = text.find('\\', i);
    if (slash == std::string_view::npos || slash + 1 >= text.size()) {  // a lone backslash at the end stays
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, slash - i));
    i = slash + 1;
    const char n = text[i];
    if (n == 'r') out += '\r';
    else if (n == 'n') out += '\n';
    else if (n == 't') out += '\t';
    else if (n == '\\') out += '\\';
    else if (n == 'x' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += '\\';
      out += n;
    }
    ++i;
  }
  return out;
}

namespace {

// Heap bytes of a string beyond the small-string buffer (15 characters in libstdc++).
std::size_t heap_of(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// A JSON value's nodes: each value is one json (16 bytes) held in a map node (about 80 with
// its key) or a vector slot; strings add their buffer.
std::size_t json_size(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      std::size_t n = 48;
      for (auto it = j.begin(); it != j.end(); ++it) n += 64 + it.key().size() + json_size(*it);
      return n;
    }
    case nlohmann::json::value_t::array: {
      std::size_t n = 24;
      for (const auto& v : j) n += json_size(v);
      return n;
    }
    case nlohmann::json::value_t::string: return 16 + 32 + j.get_ref<const std::string&>().size();
    default: return 16;
  }
}

}  // namespace

std::size_t Trace::estimate_size(const Record& r) {
  // A detail still null (nothing was put in it) is an empty object once the record is kept.
  std::size_t n = sizeof(Record) + heap_of(r.summary) + json_size(r.detail.is_null() ? nlohmann::json::object() : r.detail);
  if (r.packet) n += sizeof(PacketInfo) + r.packet->bytes.size();
  if (r.proto) n += sizeof(ProtocolInfo) + r.proto->text.size();
  if (r.mail) n += sizeof(MailInfo) + r.mail->subject.size() + r.mail->reason.size() + r.mail->error.size();
  if (r.mailbox) {
    const auto& m = *r.mailbox;
    n += sizeof(MailboxInfo) + m.reason.size() + m.subject.size() + m.error.size() + m.preview.size() +
         m.headers.size() + m.body_preview.size();
  }
  if (r.dns) n += sizeof(DnsInfo) + r.dns->note.size() + r.dns->error.size() + r.dns->answers.size() + r.dns->authority.size();
  return n;
}

namespace {
void write_record_line(std::string& buf, const Record& r);  // below: a record's JSON line
}  // namespace

Retention Retention::only() {
  Retention r;
  r.all_ = false;
  return r;
}

Retention& Retention::keep(RecordKind kind) {
  all_ = false;
  kinds_ |= 1u << static_cast<unsigned>(kind);
  return *this;
}

Retention& Retention::keep(RecordKind kind, Name event) {
  all_ = false;
  if (!keeps(kind, event)) events_.emplace_back(kind, event);
  return *this;
}

bool Retention::keeps(RecordKind kind, Name event) const {
  if (all_ || (kinds_ & (1u << static_cast<unsigned>(kind))) != 0) return true;
  for (const auto& [k, e] : events_)
    if (k == kind && e == event) return true;
  return false;
}

std::string Retention::describe() const {
  if (all_) return "everything";
  std::string out;
  for (const auto& [kind, name] : kKindNames) {
    if (kinds_ & (1u << static_cast<unsigned>(kind))) {
      out += (out.empty() ? "" : ", ") + std::string(name);
      continue;
    }
    for (const auto& [k, e] : events_)
      if (k == kind) out += (out.empty() ? "" : ", ") + std::string(name) + " " + e.str();
  }
  return out.empty() ? "nothing" : out;
}

Trace::Trace(const Trace& other) { *this = other; }

Trace& Trace::operator=(const Trace& other) {
  if (this == &other) return *this;
  Trace copy;
  copy.meta = other.meta;
  copy.retention_ = other.retention_;
  for (const auto& r : other.records_) {
    copy.added_ = r.seq;  // the copy numbers its records as the original did (with gaps when it kept only some)
    if (r.packet) copy.add_packet(r, *r.packet);
    else copy.add(r);
  }
  copy.added_ = other.added_;
  *this = std::move(copy);
  return *this;
}

Record& Trace::add(Record r) {
  if (r.kind == RecordKind::Protocol) return add_protocol(std::move(r));
  if (r.kind == RecordKind::Mail) return add_mail(std::move(r));
  if (r.kind == RecordKind::Mailbox) return add_mailbox(std::move(r));
  if (r.kind == RecordKind::Dns) return add_dns(std::move(r));
  if (!retention_.keeps(r)) return pass(std::move(r));
  return push(std::move(r));
}

Record& Trace::push(Record r) {
  if (r.detail.is_null()) r.detail = nlohmann::json::object();  // a kept record's detail is an object
  bytes_ += estimate_size(r);
  r.seq = added_++;
  records_.push_back(std::move(r));
  emit(records_.back());
  return records_.back();
}

Record& Trace::pass(Record r) {
  r.seq = added_++;
  emit(r);
  passed_ = std::move(r);
  // The typed parts it points at live with the caller: the copy is only good for its fields.
  passed_.packet = nullptr;
  passed_.proto = nullptr;
  passed_.mail = nullptr;
  passed_.mailbox = nullptr;
  passed_.dns = nullptr;
  return passed_;
}

void Trace::emit(const Record& r) {
  if (observer_) observer_(r);
  if (!stream_) return;
  write_record_line(stream_buf_, r);
  if (stream_buf_.size() >= (1u << 16)) flush_stream();
}

void Trace::stream_to(std::ostream* out) {
  flush_stream();
  stream_ = out;
  if (stream_) stream_buf_.reserve(1 << 17);
}

void Trace::flush_stream() {
  if (stream_ && !stream_buf_.empty()) stream_->write(stream_buf_.data(), static_cast<std::streamsize>(stream_buf_.size()));
  stream_buf_.clear();
}

const Record* Trace::find(std::uint64_t seq) const {
  // Records are in seq order: a full trace finds it at its index, a partial one by bisection.
  if (seq < records_.size() && records_[static_cast<std::size_t>(seq)].seq == seq)
    return &records_[static_cast<std::size_t>(seq)];
  auto it = std::lower_bound(records_.begin(), records_.end(), seq,
                             [](const Record& r, std::uint64_t s) { return r.seq < s; });
  return it != records_.end() && it->seq == seq ? &*it : nullptr;
}

std::string_view Trace::store_bytes(std::string_view bytes) {
  if (bytes.empty()) return {};
  constexpr std::size_t kArenaBlock = 1 << 20;
  if (bytes.size() > kArenaBlock / 4) {  // a big payload gets a block of its own
    auto block = std::make_unique<char[]>(bytes.size());
    std::memcpy(block.get(), bytes.data(), bytes.size());
    const std::string_view view(block.get(), bytes.size());
    // Keep the current block last so small payloads still fill it.
    arena_.insert(arena_.empty() ? arena_.end() : arena_.end() - 1, std::move(block));
    return view;
  }
  if (arena_.empty() || arena_used_ + bytes.size() > arena_cap_) {
    arena_.push_back(std::make_unique<char[]>(kArenaBlock));
    arena_used_ = 0;
    arena_cap_ = kArenaBlock;
  }
  char* at = arena_.back().get() + arena_used_;
  std::memcpy(at, bytes.data(), bytes.size());
  arena_used_ += bytes.size();
  return {at, bytes.size()};
}

const Hops* Trace::intern_path(const Hops& hops) {
  const Hops* p = &*paths_.insert(hops).first;
  own_paths_.insert(p);
  return p;
}

const Hops* Trace::intern_path(const std::vector<std::string>& hops) {
  Hops names;
  names.reserve(hops.size());
  for (const auto& h : hops) names.emplace_back(h);
  return intern_path(names);
}

Record& Trace::add_protocol(Record r) {
  ProtocolInfo info;
  std::string text;
  if (r.proto) {
    info = *r.proto;
    if (!r.summary.empty()) info.worded = r.summary == info.summary();
  } else {
    nlohmann::json extras;
    protocol_from_detail(r.detail, r.event.view(), r.summary, info, text, extras);
    r.detail = std::move(extras);
  }
  if (info.worded) r.summary.clear();
  if (info.event != ProtoEvent::Other) r.event = proto_event_name(info.event);
  if (!retention_.keeps(r)) {
    r.proto = &info;  // `info.text` still points at the writer's text (or `text`)
    return pass(std::move(r));
  }
  ProtocolInfo& p = protocols_.emplace_back(info);
  p.text = store_bytes(info.text);
  r.proto = &p;
  return push(std::move(r));
}

Record& Trace::add_mail(Record r) {
  MailInfo info;
  std::vector<std::string> texts;
  if (r.mail) {
    info = *r.mail;
  } else {
    nlohmann::json extras;
    mail_from_detail(r.detail, r.event.view(), info, texts, extras);
    r.detail = std::move(extras);
  }
  if (info.event != MailEvent::Other) r.event = event_name(info.event);
  if (!retention_.keeps(r)) {
    r.mail = &info;
    return pass(std::move(r));
  }
  MailInfo& m = mails_.emplace_back(info);
  m.subject = store_bytes(info.subject);
  m.reason = store_bytes(info.reason);
  m.error = store_bytes(info.error);
  r.mail = &m;
  return push(std::move(r));
}

Record& Trace::add_mailbox(Record r) {
  MailboxInfo info;
  std::vector<std::string> texts;
  if (r.mailbox) {
    info = *r.mailbox;
  } else {
    nlohmann::json extras;
    mailbox_from_detail(r.detail, r.event.view(), info, texts, extras);
    r.detail = std::move(extras);
  }
  if (info.event != MailboxEvent::Other) r.event = event_name(info.event);
  if (!retention_.keeps(r)) {
    r.mailbox = &info;
    return pass(std::move(r));
  }
  MailboxInfo& m = mailboxes_.emplace_back(info);
  for (auto field : {&MailboxInfo::reason, &MailboxInfo::subject, &MailboxInfo::error, &MailboxInfo::preview,
                     &MailboxInfo::headers, &MailboxInfo::body_preview})
    m.*field = store_bytes(info.*field);
  r.mailbox = &m;
  return push(std::move(r));
}

Record& Trace::add_dns(Record r) {
  DnsInfo info;
  std::vector<std::string> texts;
  if (r.dns) {
    info = *r.dns;
  } else {
    nlohmann::json extras;
    dns_from_detail(r.detail, r.event.view(), info, texts, extras);
    r.detail = std::move(extras);
  }
  if (info.event != DnsEvent::Other) r.event = event_name(info.event);
  if (!retention_.keeps(r)) {
    r.dns = &info;
    return pass(std::move(r));
  }
  DnsInfo& d = dnses_.emplace_back(info);
  for (auto field : {&DnsInfo::note, &DnsInfo::error, &DnsInfo::answers, &DnsInfo::authority})
    d.*field = store_bytes(info.*field);
  if (d.event == DnsEvent::Resolver) parse_resolver_note(d);  // its parts point into the stored note
  r.dns = &d;
  return push(std::move(r));
}

Record& Trace::add_packet(Record r, const PacketInfo& packet) {
  r.kind = RecordKind::Packet;
  if (!r.detail.is_null()) r.detail = nlohmann::json();  // a packet's detail is its typed fields
  if (!retention_.keeps(r)) {  // written from the writer's own bytes and route, never stored
    r.packet = &packet;
    return pass(std::move(r));
  }
  PacketInfo& p = packets_.emplace_back(packet);
  p.bytes = store_bytes(packet.bytes);
  arena_bytes_ += packet.bytes.size();  // payload_bytes(): the packets' share of the arena
  // A route the writer interned here already (the transport does, once per connection end) is
  // not looked up again.
  if (packet.path && !own_paths_.count(packet.path)) p.path = intern_path(*packet.path);
  r.kind = RecordKind::Packet;
  r.packet = &p;
  return push(std::move(r));  // its detail becomes an empty object: readers that look up keys on any record still work
}

namespace {

// Text that is not valid UTF-8 (a hostile subject, say) is replaced, never fatal.
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// Writes a record's JSON line straight into a buffer, without building an nlohmann::json for
// it: the bytes are exactly what `to_json(r).dump(-1, ' ', false, replace)` gives (keys in
// byte order, as nlohmann's std::map-backed objects print them; the same string escapes), at
// a fraction of the cost. A record's free-form `detail` is still printed by nlohmann.
class LineWriter {
 public:
  explicit LineWriter(std::string& buf) : buf_(buf) {}

  void key(std::string_view k) {
    // keys are ours: short plain ASCII, appended at once
    char text[40];
    std::size_t n = 0;
    text[n++] = first_ ? '{' : ',';
    text[n++] = '"';
    if (k.size() > sizeof text - 4) {
      buf_.append(text, n);
      buf_ += k;
      buf_ += "\":";
    } else {
      std::memcpy(text + n, k.data(), k.size());
      n += k.size();
      text[n++] = '"';
      text[n++] = ':';
      buf_.append(text, n);
    }
    first_ = false;
  }
  void number(std::uint64_t v) { integer(v); }
  void number(std::int64_t v) { integer(v); }
  void string(std::string_view text) {
    const std::size_t mark = buf_.size();
    if (escape_ascii(text, true)) return;
    // Not plain ASCII: nlohmann checks the UTF-8 and replaces what is broken.
    buf_.resize(mark);
    buf_ += nlohmann::json(std::string(text)).dump(-1, ' ', false, kReplace);
  }
  // `text` is valid UTF-8 already (escape_bytes' output): only JSON's escapes are needed.
  void utf8_string(std::string_view text) { escape_ascii(text, false); }
  // escape_bytes(bytes) as a JSON string, made in one pass (no escaped copy in between).
  void escaped_bytes(std::string_view bytes) {
    buf_ += '"';
    append_escaped(buf_, bytes, true);
    buf_ += '"';
  }
  std::string& buffer() { return buf_; }
  void close() {
    if (first_) buf_ += '{';
    buf_ += '}';
  }

 private:
  // `text` as a JSON string, runs of bytes that need no escape appended at once. With
  // `ascii_only`, stops at the first byte over 0x7F and returns false (the caller then lets
  // nlohmann check the UTF-8).
  bool escape_ascii(std::string_view text, bool ascii_only) {
    static constexpr char kHex[] = "0123456789abcdef";
    buf_ += '"';
    std::size_t run = 0;  // start of the bytes that need no escape, appended at once
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || !ascii_only)) continue;
      if (c >= 0x80) return false;
      buf_.append(text.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': buf_ += "\\\""; break;
        case '\\': buf_ += "\\\\"; break;
        case '\b': buf_ += "\\b"; break;
        case '\f': buf_ += "\\f"; break;
        case '\n': buf_ += "\\n"; break;
        case '\r': buf_ += "\\r"; break;
        case '\t': buf_ += "\\t"; break;
        default:
          buf_ += "\\u00";
          buf_ += kHex[c >> 4];
          buf_ += kHex[c & 15];
      }
    }
    buf_.append(text.data() + run, text.size() - run);
    buf_ += '"';
    return true;
  }

  template <class Int>
  void integer(Int v) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    buf_.append(digits, static_cast<std::size_t>(end - digits));
  }

  std::string& buf_;
  bool first_ = true;
};

// "192.0.2.25:25", as Endpoint::str() writes it (without its temporary strings).
void append_endpoint(std::string& buf, const Endpoint& e) {
  char text[24];
  char* at = text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    at = std::to_chars(at, text + sizeof text, (e.ip.value >> shift) & 255u).ptr;
    *at++ = shift != 0 ? '.' : ':';
  }
  at = std::to_chars(at, text + sizeof text, e.port).ptr;
  buf.append(text, static_cast<std::size_t>(at - text));
}

// A packet's address as a JSON string: typed, or as it was written (PacketInfo::src_text).
void write_address(LineWriter& w, const Endpoint& e, Name name) {
  if (!name.empty()) return w.string(name.view());
  std::string& buf = w.buffer();
  buf += '"';
  append_endpoint(buf, e);
  buf += '"';
}

// tcp_flag_names(flags), appended.
void append_flag_names(std::string& buf, std::uint8_t f) {
  using namespace tcp_flags;
  bool first = true;
  for (const auto& [bit, name] : {std::pair{kSyn, "SYN"}, std::pair{kFin, "FIN"}, std::pair{kRst, "RST"},
                                  std::pair{kPsh, "PSH"}, std::pair{kAck, "ACK"}}) {
    if (!(f & bit)) continue;
    if (!first) buf += ',';
    first = false;
    buf.append(name, 3);
  }
}

void append_number(std::string& buf, std::uint64_t v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  buf.append(digits, static_cast<std::size_t>(end - digits));
}

// A simulated packet's summary (PacketInfo::summary) as a JSON string: plain ASCII, made in place.
void write_packet_summary(std::string& buf, const PacketInfo& p) {
  buf += '"';
  append_endpoint(buf, p.src);
  buf += " -> ";
  append_endpoint(buf, p.dst);
  if (p.udp) {
    buf += " UDP len=";
  } else {
    buf += " [";
    append_flag_names(buf, p.flags);
    buf += "] seq=";
    append_number(buf, p.seq);
    buf += " ack=";
    append_number(buf, p.ack);
    buf += " len=";
  }
  append_number(buf, p.bytes.size());
  buf += '"';
}

// A packet's "detail" object, keys in byte order (see packet_detail for which keys appear).
void write_packet_detail(LineWriter& w, const PacketInfo& p) {
  if (!p.udp) {
    w.key("ack");
    w.number(std::uint64_t{p.ack});
  }
  if (p.path || p.arrive != 0) {
    w.key("arrive");
    w.number(std::int64_t{p.arrive});
  }
  if (!p.blocked_by.empty()) {
    w.key("blocked_by");
    w.string(p.blocked_by.view());
  }
  if (p.udp || !p.bytes.empty()) {
    w.key("bytes");
    w.escaped_bytes(p.bytes);
  }
  w.key("dst");
  write_address(w, p.dst, p.dst_name);
  if (!p.udp) {
    w.key("flags");
    std::string& buf = w.buffer();
    buf += '"';
    append_flag_names(buf, p.flags);
    buf += '"';
  }
  w.key("len");
  w.number(std::uint64_t{p.bytes.size()});
  if (!p.lost.empty()) {
    w.key("lost");
    w.string(p.lost.view());
  }
  if (p.path) {
    w.key("path");
    std::string& buf = w.buffer();
    buf += '[';
    bool first = true;
    for (const auto& h : *p.path) {
      if (!first) buf += ',';
      first = false;
      w.string(h.view());
    }
    buf += ']';
  }
  if (!p.udp) {
    w.key("seq");
    w.number(std::uint64_t{p.seq});
  }
  w.key("src");
  write_address(w, p.src, p.src_name);
  if (!p.udp && p.tls) {
    w.key("tls");
    w.buffer() += "true";
  }
  w.close();
}

// A protocol record's typed "detail" keys in byte order (see protocol_detail); false when it
// has none (no "detail" is written then).
bool has_protocol_detail(const ProtocolInfo& p) {
  return p.text_key != ProtocolInfo::TextKey::None || p.has_code || p.has_masked || !p.verb.empty() ||
         !p.status.empty() || p.event == ProtoEvent::State || !p.fault.empty();
}

void write_protocol_detail(LineWriter& w, const ProtocolInfo& p) {
  using K = ProtocolInfo::TextKey;
  if (p.text_key == K::Bytes) {
    w.key("bytes");
    w.string(p.text);
  }
  if (p.has_code) {
    w.key("code");
    w.number(std::int64_t{p.code});
  }
  if (!p.fault.empty()) {
    w.key("fault");
    w.string(p.fault.view());
  }
  const bool state = p.event == ProtoEvent::State;
  if (state) {
    w.key("from");
    w.string(p.from.view());
  }
  if (p.text_key == K::Line) {
    w.key("line");
    w.string(p.text);
  }
  if (p.has_masked) {
    w.key("masked");
    w.buffer() += p.masked ? "true" : "false";
  }
  if (!p.status.empty()) {
    w.key("status");
    w.string(p.status.view());
  }
  if (p.text_key == K::Text) {
    w.key("text");
    w.string(p.text);
  }
  if (state) {
    w.key("to");
    w.string(p.to.view());
  }
  if (!p.verb.empty()) {
    w.key("verb");
    w.string(p.verb.view());
  }
  w.close();
}

void write_record_line(std::string& buf, const Record& r) {
  LineWriter w(buf);
  if (r.conn != 0) {
    w.key("conn");
    w.number(r.conn);
  }
  const bool extras = !r.detail.is_null() && !r.detail.empty();
  if (r.packet) {
    w.key("detail");
    LineWriter d(buf);
    write_packet_detail(d, *r.packet);
  } else if (r.proto && extras) {  // a replay's annotations beside the typed keys: merged by nlohmann
    w.key("detail");
    buf += protocol_detail(*r.proto, r.detail).dump(-1, ' ', false, kReplace);
  } else if (r.proto) {
    if (has_protocol_detail(*r.proto)) {
      w.key("detail");
      LineWriter d(buf);
      write_protocol_detail(d, *r.proto);
    }
  } else if (r.mail) {
    if (auto d = mail_detail(*r.mail, r.detail); !d.empty()) {
      w.key("detail");
      buf += d.dump(-1, ' ', false, kReplace);
    }
  } else if (r.mailbox) {
    if (auto d = mailbox_detail(*r.mailbox, r.detail); !d.empty()) {
      w.key("detail");
      buf += d.dump(-1, ' ', false, kReplace);
    }
  } else if (r.dns) {
    if (auto d = dns_detail(*r.dns, r.detail); !d.empty()) {
      w.key("detail");
      buf += d.dump(-1, ' ', false, kReplace);
    }
  } else if (extras) {
    w.key("detail");
    buf += r.detail.dump(-1, ' ', false, kReplace);
  }
  if (!r.event.empty()) {
    w.key("event");
    w.string(r.event.view());
  }
  if (!r.host.empty()) {
    w.key("host");
    w.string(r.host.view());
  }
  w.key("kind");
  w.string(to_string(r.kind));
  if (!r.peer.empty()) {
    w.key("peer");
    w.string(r.peer.view());
  }
  if (!r.protocol.empty()) {
    w.key("proto");
    w.string(r.protocol.view());
  }
  w.key("seq");
  w.number(r.seq);
  if (r.packet) {
    w.key("summary");
    if (r.summary.empty() && r.packet->src_name.empty() && r.packet->dst_name.empty())
      write_packet_summary(buf, *r.packet);
    else
      w.string(r.text());
  } else if (r.proto && r.summary.empty()) {
    if (r.proto->worded) {
      if (const auto text = r.proto->summary(); !text.empty()) {
        w.key("summary");
        w.string(text);
      }
    }
  } else if (!r.summary.empty()) {
    w.key("summary");
    w.string(r.summary);
  }
  w.key("t");
  w.number(std::int64_t{r.time});
  w.close();
  buf += '\n';
}

}  // namespace

std::string Trace::meta_line() const {
  nlohmann::json head = meta;
  head["kind"] = "meta";
  head["schema"] = kTraceSchemaVersion;
  head["records"] = added_;
  return head.dump(-1, ' ', false, kReplace) + '\n';
}

void Trace::write_jsonl(std::ostream& out) const {
  if (!complete())
    throw std::logic_error("Trace::write_jsonl: the trace kept only some of its records; they were written as they "
                           "came (Trace::stream_to)");
  out << meta_line();
  std::string buf;
  buf.reserve(1 << 17);
  for (const auto& r : records_) {
    write_record_line(buf, r);
    if (buf.size() >= (1u << 16)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

bool Trace::read_jsonl(std::istream& in, Trace& out, std::string& error) {
  std::string line;
  std::string packet_bytes;
  Hops packet_path;
  std::size_t number = 0;
  bool seen_meta = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      error = "line " + std::to_string(number) + ": not valid JSON";
      return false;
    }
    if (!seen_meta) {
      if (!j.is_object() || j.value("kind", "") != "meta") {
        error = "line " + std::to_string(number) + ": the first record must be the meta record";
        return false;
      }
      const int schema = j.value("schema", 0);
      if (schema != kTraceSchemaVersion) {
        error = "line " + std::to_string(number) + ": trace schema " + std::to_string(schema) +
                " is not supported (this build reads schema " + std::to_string(kTraceSchemaVersion) + ")";
        return false;
      }
      out.meta = j;
      seen_meta = true;
      continue;
    }
    Record r;
    PacketInfo packet;
    std::string why;
    if (!from_json(j, r, packet, packet_bytes, packet_path, why)) {
      error = "line " + std::to_string(number) + ": " + why;
      return false;
    }
    if (r.kind == RecordKind::Packet) out.add_packet(std::move(r), packet);
    else out.add(std::move(r));
  }
  if (!seen_meta) {
    error = "empty trace: no meta record";
    return false;
  }
  return true;
}

}  // namespace mailsim::sim
