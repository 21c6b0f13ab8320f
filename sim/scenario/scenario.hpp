// A scenario: the world (networks, hosts, services), a timeline of actions, expectations.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocols/dns/authoritative.hpp"
#include "sim/scenario/budget.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/apps/mail/mail_spec.hpp"
#include "sim/words/narration.hpp"
#include "sim/core/network.hpp"
#include "sim/core/transport.hpp"
#include "sim/faults/fault_plan.hpp"

namespace mailsim::sim {

constexpr int kScenarioSchemaVersion = 1;

struct Localized {
  std::string en;
  std::string ja;
  const std::string& in(std::string_view lang) const { return lang == "ja" && !ja.empty() ? ja : en; }
};

struct ServiceSpec {
  std::uint16_t port = 0;
  std::string app;  // "echo", "discard" (more kinds come with the mail servers)
  std::string pointer;
};

// A host that runs a DNS server: the zones it is authoritative for, and whether it also
// resolves other names for its clients.
struct DnsServerSpec {
  std::vector<std::string> zones;  // zone origins (keys of Scenario::zones)
  bool recursive = false;
};

struct HostSpec {
  HostInfo info;
  std::vector<ServiceSpec> services;
  std::optional<DnsServerSpec> dns_server;
  std::optional<mail::MailServerSpec> mail_server;
  std::optional<mail::MailClientSpec> mail_client;
  std::string resolver;  // host id of the DNS server this host asks (empty: none)
  bool down = false;
  std::string pointer;
};

struct ZoneSpec {
  dns::Zone zone;
  std::string pointer;
  std::vector<std::string> record_pointers;  // parallel to zone.records
};

// A "dns_change": records taken out of and put into one zone, at the action's time, on every
// server authoritative for it (a record to remove matches by owner, type, class and data; its
// TTL does not matter). Caches that hold the old answer keep it until its TTL runs out.
struct DnsChangeSpec {
  dns::Name origin;
  std::vector<dns::Record> remove;
  std::vector<dns::Record> add;
};

// The timeline's actions, one struct per "do" of a scenario file (docs/scenarios.md), each built
// once by the loader with its fields checked and typed; the runner and the apps take them with
// std::visit. Hosts are host ids (checked to exist), accounts mail addresses of the device's.
namespace action {

// "connect": a scripted TCP client (lines sent one by one, then a wait).
struct Connect {
  std::string from;               // host id
  std::string to;                 // a host id or an IPv4 address (any: the lesson may be about it)
  std::uint16_t port = 0;
  std::vector<std::string> send;  // lines, without CRLF
  std::optional<Time> wait;       // none: the client's default
  std::string label;
};

// "lookup": a dig-like question from a host to its resolver.
struct Lookup {
  std::string from;
  dns::Name name;
  dns::Type qtype = dns::Type::A;
};

// "host_down" / "host_up": the host is switched off (forgets its connections) or on.
struct HostPower {
  std::string host;
  bool up = false;
};

// "go_offline" / "go_online": a device loses its network (keeps its state) or gets it back.
struct DeviceNetwork {
  std::string host;
  bool online = false;
};

// "link_down" / "link_up": a network's link to the Internet.
struct Link {
  std::string network;
  bool up = false;
};

// "send": a message written on a device and submitted through its account.
struct Send {
  std::string from;                  // device host id
  std::string account;               // address; empty: the device's first account
  std::vector<std::string> to;       // as written: "a@b" or "Name <a@b>" (checked by parse_recipient)
  std::vector<std::string> cc;
  std::string subject = "(no subject)";
  std::string body;
  std::uint64_t size = 0;            // pad to about this size (0: no padding)
  std::string label;
  std::string charset;               // empty: the program's
  // The action's own "smtp" settings, already merged with the account's (none: the account's).
  std::optional<mail::OutgoingSpec> smtp;
};

// "check_mail": the device's reader checks for new mail.
struct CheckMail {
  std::string on;       // device host id
  std::string account;  // empty: every account with incoming mail
};

// "open", "mark_read", "delete": what the user does to a message the device shows (by subject).
enum class MessageVerb { Open, MarkRead, Delete };
std::string_view to_string(MessageVerb v);  // "open", "mark_read", "delete"
struct OnMessage {
  MessageVerb verb = MessageVerb::Open;
  std::string on;
  std::string account;
  std::string subject;
};

// "reply": answers a message the device has, found by its subject.
struct Reply {
  std::string on;
  std::string account;
  std::string subject;
  std::string body;
  std::string label;
};

// "change_account": a device's account settings from then on.
struct ChangeAccount {
  std::string on;
  mail::AccountChange change;  // change.account: the account's address
};

// "change_server": a mail server's settings from then on.
struct ChangeServer {
  std::string host;
  mail::ServerChange change;
};

// "empty_folder": every message of a user's folder marked \Deleted and expunged.
struct EmptyFolder {
  std::string host;
  std::string user;
  std::string folder = "INBOX";
};

// "dns_change": see DnsChangeSpec.
struct DnsChange {
  DnsChangeSpec change;
};

}  // namespace action

using Action = std::variant<action::Connect, action::Lookup, action::HostPower, action::DeviceNetwork, action::Link,
                            action::Send, action::CheckMail, action::OnMessage, action::Reply, action::ChangeAccount,
                            action::ChangeServer, action::EmptyFolder, action::DnsChange>;

// The action's word in a scenario file ("send", "host_down", "mark_read" ...): what the trace's
// action records write as "action".
std::string_view action_name(const Action& a);

// One step of the timeline: when, what, and where it was written (errors point at its line).
struct ActionSpec {
  Time at = 0;
  Action what;
  std::string pointer;  // "/timeline/3"
};

struct ExpectationSpec {
  std::string kind;  // "connection", "blocked", "dns"
  nlohmann::json args;
  std::string pointer;
};

// A question the lesson writes for challenge mode (docs/scenarios.md, "Questions"): asked before
// a story step (the predict mode) or at the end (the detective). Its right answer is either fixed
// (`answer`) or tied to the trace: the one choice whose moment happens in the run.
struct QuestionChoice {
  Localized text;
  std::optional<NarrationMoment> when;  // the right choice when this moment happens
};
struct AuthoredQuestion {
  std::optional<std::size_t> before_step;  // index into narration; none: asked at the end
  Localized prompt;
  std::vector<QuestionChoice> choices;     // 2..kMaxQuestionChoices, in the author's order
  std::optional<std::size_t> answer;       // index of the right choice when no choice has a moment
  Localized explain;                       // why (empty: the step's own text)
  std::string pointer;                     // "/questions/2"
};
inline constexpr std::size_t kMaxQuestions = 64;
inline constexpr std::size_t kMaxQuestionChoices = 6;

// Challenge mode (c), "fix the broken setup" (docs/scenarios.md, "The fix block"): the settings a
// student may change, each with its choices, and the goal the changed world must reach.
struct FixSetting {
  // What it belongs to: "account" (`host` is the device, `account` the account's address),
  // "server" (`host` a mail server; `user` for "quota" and "empty_folder"), "dns" (`zone`).
  std::string target;
  std::string host;
  std::string account;
  std::string user;
  std::string zone;     // "dns": the zone's origin as written
  // "account": smtp.server, smtp.port, smtp.auth, smtp.tls, password, incoming.server,
  // incoming.port, incoming.tls; "server": quota, max_message_size, quota_refusal, open_relay,
  // subaddressing, empty_folder; "dns": record.
  std::string setting;
  std::vector<nlohmann::json> values;  // the choices as a timeline action writes them
  std::size_t current = 0;             // index of the world's own value among `values`
  Localized label;                     // the author's name for it (empty: a generated one)
  std::string pointer;                 // "/fix/settings/1"
};
struct FixSpec {
  Localized task;                         // what the student is asked to do
  std::vector<FixSetting> settings;       // 1..kMaxFixSettings
  std::vector<ExpectationSpec> goal;      // pointers "/fix/goal/N"
  std::string pointer = "/fix";
};
inline constexpr std::size_t kMaxFixSettings = 12;
inline constexpr std::size_t kMaxFixValues = 12;

struct Scenario {
  std::string file;
  std::string name;  // file name without folder and extension
  Localized title;
  Localized description;
  std::uint64_t seed = 1;
  TransportSettings transport;
  mail::SessionTimeouts timeouts;  // settings/timeouts, copied into every mail server and client
  Time run_for = 1 * kHour;  // the simulation stops here even if events remain
  RunBudget budget;          // settings "max_events", "max_records", "max_time", "max_trace_mb"
  Time internet_latency = 20 * kMilli;
  struct PathLatency {
    std::string a, b;
    Time latency;
  };
  std::vector<PathLatency> paths;
  std::vector<NetworkInfo> networks;
  std::vector<HostSpec> hosts;
  std::vector<ZoneSpec> zones;
  std::vector<ActionSpec> timeline;
  std::vector<ExpectationSpec> expectations;
  std::vector<NarrationStep> narration;  // the story, in order (may be empty)
  std::vector<AuthoredQuestion> questions;  // challenge questions written by the lesson (may be empty)
  faults::FaultPlan faults;              // "faults" (and --faults files): docs/faults.md
  std::optional<FixSpec> fix;            // "fix": challenge mode (c) (may be absent)
};

// Limits on values that can never work in a run; `check` refuses them (docs/scenarios.md, "When a
// world is wrong").
// A retry interval shorter than this would only make a storm of attempts (Postfix waits at
// least 5 minutes; a lesson may shorten that, but not below a second).
inline constexpr Time kMinRetryInterval = 1 * kSecond;
// A message stays queued at most this long (Postfix and sendmail give up after 5 days).
inline constexpr Time kMaxQueueLifetime = 7 * 24 * kHour;
// Attempts a retry schedule may make within its lifetime (e.g. every 1s for 1h is 3,600: too many).
inline constexpr std::uint64_t kMaxDeliveryAttempts = 1000;
// The longest virtual time a run may cover.
inline constexpr Time kMaxRunFor = 30 * 24 * kHour;

// A recipient as a scenario writes it: "kuroyagi@hogehoge.com", or as a mail program's To: line
// has it, "Kuroyagi <kuroyagi@hogehoge.com>" (the name goes into the To: header, the address into
// RCPT TO). Checked with the SMTP engine's own RFC 5321 rules, so whatever passes here is what
// the client will send. On failure, `why` says what is wrong and how to write it.
struct Recipient {
  std::string display_name;
  std::string address;
};
std::optional<Recipient> parse_recipient(std::string_view text, std::string* why = nullptr);

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there is no diagnostic at all
  std::vector<Diagnostic> diagnostics;
};

// Loads and validates a scenario. Never returns a partial world: any diagnostic means no
// scenario.
LoadResult load_scenario_file(const std::string& path);
LoadResult load_scenario_text(std::string_view text, const std::string& file);

}  // namespace mailsim::sim
