// Classifies trace records into the situations of the post-office analogy.
#include "gui/model/analogy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace mailsim::gui {

namespace {

constexpr std::array<std::pair<Station, std::string_view>, kStationCount> kStationNames{{
    {Station::None, "none"},
    {Station::PostBox, "post_box"},
    {Station::Counter, "counter"},
    {Station::Sorting, "sorting"},
    {Station::Transport, "transport"},
    {Station::DestinationOffice, "destination_office"},
    {Station::PoBox, "po_box"},
    {Station::Home, "home"},
    {Station::Directory, "directory"},
    {Station::ReturnToSender, "return_to_sender"},
    {Station::Gate, "gate"},
    {Station::Envelope, "envelope"},
}};

std::string str(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool has(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

// The n-th space-separated word of a line (0-based), upper-cased.
std::string word(const std::string& line, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i <= n; ++i) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    const auto end = std::min(line.find(' ', pos), line.size());
    if (i == n) return upper(line.substr(pos, end - pos));
    pos = end;
  }
  return {};
}

int reply_code(const sim::Record& r, const std::string& line) {
  if (r.proto_info().has_code) return r.proto_info().code;
  if (line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
      std::isdigit(static_cast<unsigned char>(line[1])) && std::isdigit(static_cast<unsigned char>(line[2]))) {
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  }
  return 0;
}

// A temporary refusal's own words decide what it means: 451 4.7.1 is what both a sending limit
// and greylisting answer, so the code alone cannot tell them apart.
bool says_rate_limit(const std::string& lower_text) {
  return has(lower_text, "rate limit") || has(lower_text, "ratelimit") || has(lower_text, "sending limit") ||
         has(lower_text, "too many messages") || has(lower_text, "throttl");
}

bool says_greylisting(const std::string& lower_text) {
  return has(lower_text, "greylist") || has(lower_text, "graylist") || has(lower_text, "grey-list") ||
         has(lower_text, "gray-list") || has(lower_text, "grey list") || has(lower_text, "gray list");
}

bool is_device(const std::string& kind) { return kind == "pc" || kind == "phone" || kind == "laptop"; }

std::string the_line(const sim::Record& r) {
  std::string line(r.proto_info().line());
  if (line.empty()) line = r.text();
  if (line.rfind("C: ", 0) == 0 || line.rfind("S: ", 0) == 0) line = line.substr(3);
  return line;
}

std::string smtp_key(const sim::Record& r, const AnalogyContext& ctx) {
  const std::string line = the_line(r);
  if (r.proto_info().from_client()) {
    auto verb = upper(r.proto_info().verb.str());
    if (verb.empty()) verb = word(line, 0);
    if (verb == "STARTTLS") return "tls.starttls";
    if (verb == "AUTH") return "smtp.auth";
  }
  if (r.is(sim::ProtoEvent::Reply) || r.is(sim::ProtoEvent::Received)) {
    const int code = reply_code(r, line);
    std::string status = r.proto_info().status.str();
    const std::string l = lower(line);
    if (status.empty() && code >= 400) status = word(line.size() > 4 ? line.substr(4) : std::string{}, 0);
    if (code >= 500 || (code >= 400 && code < 500)) {
      if (says_rate_limit(l)) return "smtp.throttled";
      // Greylisting: "not now, try again later" to a sender it has not seen before; the
      // sending server keeps the letter and tries again (its own situation, not a limit).
      if (code < 500 && says_greylisting(l)) return "smtp.greylisted";
      if (status == "5.1.1" || has(l, "user unknown") || has(l, "no such user")) return "smtp.user_unknown";
      if (status == "5.7.1" || has(l, "relay")) return "smtp.relay_denied";
      if (status == "5.2.2" || status == "4.2.2" || has(l, "quota") || has(l, "mailbox full")) return "mailbox.quota";
      if (status == "5.3.4" || status == "5.2.3" || has(l, "too large") || has(l, "size")) return "message.too_large";
      if (code == 535 || status == "5.7.8") return "smtp.auth_failed";
      if (code == 530 || code == 538) return "smtp.auth";
    }
    if (code == 235 || code == 334) return "smtp.auth";
    if (code == 220 && has(l, "tls")) return "tls.starttls";
  }
  const std::uint16_t port = ctx.server_port;
  if (port == 587 || port == 465 || is_device(ctx.client_kind)) return "smtp.submission";
  return "smtp.relay";
}

std::string pop3_key(const sim::Record& r) {
  const std::string line = the_line(r);
  if (r.proto_info().from_client()) {
    auto verb = upper(r.proto_info().verb.str());
    if (verb.empty()) verb = word(line, 0);
    if (verb == "USER" || verb == "PASS" || verb == "APOP" || verb == "AUTH" || verb == "CAPA") return "pop3.login";
    if (verb == "DELE") return "pop3.delete";
    if (verb == "STLS") return "tls.starttls";
  }
  if (r.is(sim::ProtoEvent::State) && has(lower(r.proto_info().to.str()), "update")) return "pop3.delete";
  return "pop3.download";
}

std::string imap_key(const sim::Record& r) {
  const std::string line = the_line(r);
  const std::string u = upper(line);
  if (r.proto_info().from_client()) {
    auto verb = upper(r.proto_info().verb.str());
    if (verb.empty()) verb = word(line, 1);
    if (verb == "UID") verb = word(line, 2);
    if (verb == "LOGIN" || verb == "AUTHENTICATE") return "imap.login";
    if (verb == "STARTTLS") return "tls.starttls";
    if (verb == "STORE" && has(u, "\\SEEN")) return "imap.seen";
    return "imap.sync";
  }
  if (has(u, "FETCH") && has(u, "\\SEEN")) return "imap.seen";
  return "imap.sync";
}

std::string protocol_of(const sim::Record& r, const AnalogyContext& ctx) {
  if (r.protocol == "smtp" || r.protocol == "pop3" || r.protocol == "imap") return r.protocol;
  switch (ctx.server_port) {
    case 25: case 465: case 587: case 2525: return "smtp";
    case 110: case 995: return "pop3";
    case 143: case 993: return "imap";
    default: return {};
  }
}

}  // namespace

std::string_view station_name(Station s) {
  for (const auto& [st, name] : kStationNames) {
    if (st == s) return name;
  }
  return "none";
}

std::optional<Station> station_from_name(std::string_view name) {
  for (const auto& [st, n] : kStationNames) {
    if (n == name) return st;
  }
  return std::nullopt;
}

const std::vector<std::string>& analogy_keys() {
  static const std::vector<std::string> keys{
      "dns.query", "dns.referral", "dns.cache", "dns.answer", "dns.nxdomain",
      "tcp.connect", "tcp.refused", "tcp.timeout", "tcp.closed",
      "policy.op25b", "policy.block",
      "smtp.submission", "smtp.relay", "smtp.auth", "smtp.auth_failed", "smtp.user_unknown", "smtp.relay_denied",
      "smtp.throttled", "smtp.greylisted",
      "tls.starttls", "tls.implicit", "tls.none",
      "mail.queued", "mail.deferred", "mail.delivered", "mail.bounced",
      "mailbox.quota", "message.too_large", "mailbox.fetched",
      "pop3.login", "pop3.download", "pop3.delete",
      "imap.login", "imap.sync", "imap.seen",
      "settings.account", "settings.server", "mailbox.emptied", "fault.injected",
      // For narration: a link cut, an old cached answer, a charset read wrongly.
      "net.link_down", "dns.stale", "message.charset",
      // Decided by facts beyond one record (gui/model/situation).
      "mail.compose", "mail.returned", "tcp.timeout_blocked", "tcp.server_down", "smtp.incoming"};
  return keys;
}

std::string analogy_key(const sim::Record& r, const AnalogyContext& ctx) {
  const auto& d = r.detail;
  switch (r.kind) {
    case sim::RecordKind::Dns: {
      const auto& dns = r.dns_info();
      switch (r.dns_event()) {
        case sim::DnsEvent::Lookup:
        case sim::DnsEvent::Query: return "dns.query";
        case sim::DnsEvent::Resolver: {
          const auto note = lower(dns.note.empty() ? r.summary : std::string(dns.note));
          if (has(note, "cache hit")) return "dns.cache";
          if (has(note, "nxdomain") || has(note, "no such")) return "dns.nxdomain";
          if (has(note, "referral")) return "dns.referral";
          if (note.rfind("answer", 0) == 0) return "dns.answer";
          return "dns.query";
        }
        case sim::DnsEvent::Response: {
          if (dns.rcode == "NXDOMAIN") return "dns.nxdomain";
          if (dns.answers.empty() && !dns.authority.empty() && !dns.aa) return "dns.referral";
          return "dns.answer";
        }
        case sim::DnsEvent::Result: return dns.outcome == "NOERROR" ? "dns.answer" : "dns.nxdomain";
        default: return {};
      }
    }
    case sim::RecordKind::Connection:
      if (r.event == "connecting" || r.event == "established") return "tcp.connect";
      if (r.event == "refused" || r.event == "reset" || r.event == "aborted") return "tcp.refused";
      if (r.event == "timeout") return "tcp.timeout";
      if (r.event == "closed") return "tcp.closed";
      return {};
    case sim::RecordKind::Policy:
      return has(lower(str(d, "rule")), "op25b") ? "policy.op25b" : "policy.block";
    case sim::RecordKind::Tls: {
      const auto p = ctx.server_port;
      return p == 465 || p == 993 || p == 995 ? "tls.implicit" : "tls.starttls";
    }
    case sim::RecordKind::Protocol: {
      const auto proto = protocol_of(r, ctx);
      if (proto == "smtp") return smtp_key(r, ctx);
      if (proto == "pop3") return pop3_key(r);
      if (proto == "imap") return imap_key(r);
      return {};
    }
    case sim::RecordKind::Mail:
      switch (r.mail_event()) {
        // The next letter on the same trip of the post office's van is still a relay.
        case sim::MailEvent::Relayed:
        case sim::MailEvent::Reusing: return "smtp.relay";
        // "Your letter is late, we keep trying": the post office's notice of a delay.
        case sim::MailEvent::Delayed:
        case sim::MailEvent::Deferred: return "mail.deferred";
        case sim::MailEvent::Delivered: return "mail.delivered";
        case sim::MailEvent::Throttled: return "smtp.throttled";
        case sim::MailEvent::Greylisted: return "smtp.greylisted";
        case sim::MailEvent::Bounced: return "mail.bounced";
        default: return "mail.queued";
      }
    case sim::RecordKind::Mailbox: {
      using E = sim::MailboxEvent;
      const auto& m = r.mailbox_info();
      switch (r.mailbox_event()) {
        case E::Stored:
        case E::Appended: return "mail.delivered";
        case E::DeliveryRefused:
        case E::AppendRefused: {
          if (m.refusal == sim::StoreRefusal::MailboxFull || m.refusal == sim::StoreRefusal::OverQuota)
            return "mailbox.quota";
          if (m.refusal == sim::StoreRefusal::TooLarge) return "message.too_large";
          const auto text = m.reason_text();
          const auto why = lower(text.empty() ? r.summary : text);
          if (has(why, "quota") || has(why, "full")) return "mailbox.quota";
          if (has(why, "size") || has(why, "large")) return "message.too_large";
          if (has(why, "user") || has(why, "no such")) return "smtp.user_unknown";
          return "mail.bounced";
        }
        case E::Fetched: return "mailbox.fetched";
        case E::DownloadedAndDeleted:
        case E::DeletedViaPop3: return "pop3.delete";
        case E::MaildropLocked:
        case E::MaildropLockRefused:
        case E::MaildropUnlocked: return "pop3.login";
        case E::FlagsChanged: return has(lower(r.summary), "\\seen") ? "imap.seen" : "imap.sync";
        default: return "imap.sync";
      }
    }
    case sim::RecordKind::Action: {
      // The state-changing actions (issue 17): a device's account, a server's rules, an emptied box.
      if (r.event == "account_changed") return "settings.account";
      if (r.event == "server_changed") return "settings.server";
      if (r.event == "folder_emptied") return "mailbox.emptied";
      if (r.event == "link_down") return "net.link_down";
      if (r.event != "start") return {};
      const auto a = str(d, "action");
      if (a == "lookup") return "dns.query";
      if (a == "connect") return "tcp.connect";
      if (a == "send") return "smtp.submission";
      if (a == "check_mail") return has(lower(r.summary), "imap") ? "imap.sync" : "pop3.download";
      return {};
    }
    case sim::RecordKind::Note:
      if (r.event == "fault") return "fault.injected";  // a fault rule of the plan fired (docs/faults.md)
      return {};
    default:
      return {};
  }
}

}  // namespace mailsim::gui
