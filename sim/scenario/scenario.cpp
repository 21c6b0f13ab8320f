// The scenario loader: JSON -> validated Scenario, with file:line:col errors and hints.
#include "sim/scenario/scenario.hpp"

#include "sim/scenario/identity.hpp"
#include "sim/scenario/preload.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/dns/presentation.hpp"
#include "protocols/message/iso2022jp.hpp"
#include "protocols/message/message.hpp"
#include "protocols/smtp/address.hpp"
#include "protocols/smtp/server.hpp"
#include "sim/scenario/faults_loader.hpp"
#include "sim/scenario/fix.hpp"

namespace mailsim::sim {
namespace {

const std::vector<std::string> kNetworkKinds{"access", "datacenter", "lan"};
const std::vector<std::string> kHostKinds{"pc", "phone", "mail_server", "dns_server", "server", "gateway", "observer"};
const std::vector<std::string> kServiceApps{"echo", "discard"};
const std::vector<std::string> kPolicyActions{"drop", "reject", "allow"};
const std::vector<std::string> kPolicyPresets{"op25b"};
const std::vector<std::string> kActionKinds{"connect", "lookup", "host_down", "host_up", "send", "check_mail",
                                            "open", "delete", "mark_read", "go_offline", "go_online", "change_account", "change_server", "empty_folder",
                                            "link_down", "link_up", "reply", "dns_change", "repeat"};
// Bounds of "repeat" (docs/scenarios.md, "Repeating actions"). A repeat's count and a timeline's
// size stay under what one run can hold (every action is at least one event and one ActionSpec in
// memory; 100,000 full journeys are 200,000 actions); a repeat's actions and rows are a pattern,
// not a second timeline.
constexpr std::uint64_t kMaxRepeatCount = 1'000'000;
constexpr std::size_t kMaxRepeatActions = 16;
constexpr std::size_t kMaxRepeatRows = 100'000;
constexpr std::uint64_t kMaxTimelineActions = 2'000'000;
const std::vector<std::string> kExpectationKinds{"connection", "blocked", "dns", "delivered", "bounced",
                                                 "deferred", "send_failed", "mailbox", "seen", "wire", "fault"};
// A mail program writes in one of these (docs/scenarios.md "Charsets")...
const std::vector<std::string> kCharsets{"utf-8", "iso-2022-jp"};
// ... and a misconfigured one reads every message as one of these, whatever it declares.
const std::vector<std::string> kReadsAs{"utf-8", "iso-8859-1"};
const std::vector<std::string> kListenerRoles{"mx", "submission", "submissions", "pop3", "pop3s", "imap", "imaps"};
bool implicit_tls_role(const std::string& role) { return role == "submissions" || role == "pop3s" || role == "imaps"; }
const std::vector<std::string> kTlsModes{"none", "starttls", "implicit"};
// What a "change_server" may change (besides "at", "do" and "host").
constexpr const char* kServerChangeKeys[] = {"quota_refusal", "max_message_size", "greylisting", "open_relay",
                                             "relay_from", "hop_limit", "rate_limit", "subaddressing",
                                             "destination_concurrency_limit", "delay_warning", "require_tls", "user",
                                             "quota"};
// Sessions at once to one destination: Postfix's default is 20; far more would only hide the
// limit a lesson shows.
constexpr std::int64_t kMaxDestinationConcurrency = 1000;
const std::vector<std::string> kDnsOutcomes{"NOERROR", "NXDOMAIN", "NODATA", "SERVFAIL"};
const std::vector<std::string> kConnectionResults{"established", "refused", "timeout"};
// The `event` values each record kind has (docs/trace.md), for narration steps: a step waiting
// for an event its kind never has could never be reached. A new event needs its name here.
const std::map<std::string, std::vector<std::string>, std::less<>> kEventsByKind{
    {"packet", {"tcp", "udp"}},
    {"connection", {"connecting", "established", "refused", "timeout", "reset", "closed", "aborted"}},
    {"policy", {"drop", "reject"}},
    {"tls", {"established", "alert"}},
    {"protocol", {"sent", "received", "command", "reply", "state", "error", "note"}},
    {"dns", {"lookup", "query", "response", "resolver", "ignored", "malformed", "result"}},
    {"mail", {"compose", "submitted", "send_failed", "queued", "routing", "connect-failed", "relayed", "delivered",
              "refused", "deferred", "bounced", "throttled", "loop", "duplicate", "greylisted", "waiting", "reusing",
              "delayed"}},
    {"mailbox", {"stored", "delivery-refused", "appended", "append-refused", "fetched", "flags-changed", "expunged",
                 "copied", "copy-refused", "moved", "downloaded-and-deleted", "deleted-via-pop3", "folder-created",
                 "folder-deleted", "folder-renamed", "subscription-changed", "maildrop-locked",
                 "maildrop-lock-refused", "maildrop-unlocked", "device-downloaded", "device-synced", "device-opened",
                 "device-flags", "device-deleted", "device-checked", "check-coalesced", "check-failed",
                 "action-failed"}},
    {"action", {"start", "done", "host_down", "host_up", "account_changed", "server_changed", "folder_emptied", "link_down",
                "link_up", "dns_changed"}},
};

class Loader {
 public:
  explicit Loader(const JsonSource& src) : src_(src), c_(src) {}

  LoadResult load() {
    Scenario s;
    s.file = src_.file;
    s.name = std::filesystem::path(src_.file).stem().string();
    const auto& root = src_.root;
    if (!c_.expect_object(root, "", "a scenario object ({ ... })")) return finish(s);
    c_.allowed_keys(root, "", {"$schema", "mailsim", "title", "description", "seed", "settings", "networks",
                               "internet", "dns", "hosts", "timeline", "expectations", "narration", "faults",
                               "questions", "fix"});
    auto version = c_.integer(root, "", "mailsim", true, 0, 1000);
    if (version && *version != kScenarioSchemaVersion)
      c_.error("/mailsim", fmt::format("scenario format version {} is not supported (this build reads version {})",
                                       *version, kScenarioSchemaVersion));
    if (auto t = c_.localized(root, "", "title", true)) s.title = {t->first, t->second};
    if (auto d = c_.localized(root, "", "description", false)) s.description = {d->first, d->second};
    if (auto seed = c_.integer(root, "", "seed", false, 0, INT64_MAX)) s.seed = static_cast<std::uint64_t>(*seed);
    settings(root, s);
    networks(root, s);
    internet(root, s);
    zones(root, s);
    hosts(root, s);
    resolvers(root, s);
    mail_clients(root, s);
    std::set<std::string> served_zones;
    for (const auto& h : s.hosts)
      if (h.dns_server) served_zones.insert(h.dns_server->zones.begin(), h.dns_server->zones.end());
    for (const auto& z : s.zones) {
      if (!served_zones.count(z.zone.origin.key()))
        c_.error(z.pointer + "/origin", "no host serves zone " + z.zone.origin.to_string() +
                                            " (list it in a host's \"dns_server\": {\"zones\": [...]})");
    }
    zone_targets(s);
    policies_targets(root, s);
    timeline(root, s);
    if (auto f = root.find("faults"); f != root.end()) load_faults(c_, *f, "/faults", s);
    expectations(root, s);
    narration(root, s);
    questions(root, s);
    fix(root, s);
    return finish(s);
  }

 private:
  LoadResult finish(Scenario& s) {
    for (auto& h : s.hosts) {
      if (h.mail_server) h.mail_server->timeouts = s.timeouts;
      if (h.mail_client) h.mail_client->timeouts = s.timeouts;
    }
    LoadResult r;
    r.diagnostics = c_.diagnostics();
    if (r.diagnostics.empty()) r.scenario = std::move(s);
    return r;
  }

  void settings(const nlohmann::json& root, Scenario& s) {
    auto it = root.find("settings");
    if (it == root.end()) return;
    const std::string p = "/settings";
    if (!c_.expect_object(*it, p)) return;
    c_.allowed_keys(*it, p, {"mss", "connect_timeout", "syn_retry", "max_rto", "retransmissions", "timeouts", "run_for",
                             "max_events", "max_records", "max_time", "max_trace_mb"});
    if (auto mss = c_.integer(*it, p, "mss", false, 64, 65495)) s.transport.mss = static_cast<std::uint32_t>(*mss);
    if (auto t = c_.positive_duration(*it, p, "connect_timeout", false, "the connect timeout"))
      s.transport.connect_timeout = *t;
    if (auto t = c_.positive_duration(*it, p, "syn_retry", false, "the SYN retry interval")) s.transport.initial_rto = *t;
    if (auto t = c_.positive_duration(*it, p, "run_for", false, "run_for")) {
      if (*t > kMaxRunFor)
        c_.error(p + "/run_for", fmt::format("a run covers at most {} days of virtual time, not {}",
                                             kMaxRunFor / (24 * kHour), in_quotes((*it)["run_for"].get<std::string>())));
      s.run_for = *t;
    }
    if (auto t = c_.positive_duration(*it, p, "max_rto", false, "the longest retransmission interval")) s.transport.max_rto = *t;
    if (auto n = c_.integer(*it, p, "retransmissions", false, 1, 30)) s.transport.max_retransmissions = static_cast<int>(*n);
    if (auto t = it->find("timeouts"); t != it->end()) session_timeouts(*t, p + "/timeouts", s.timeouts);
    // The run budget (sim/budget.hpp): a lesson may lower it, or raise it up to the named limits.
    if (auto n = c_.integer(*it, p, "max_events", false, 1000, static_cast<std::int64_t>(kMaxEventsLimit)))
      s.budget.max_events = static_cast<std::uint64_t>(*n);
    if (auto n = c_.integer(*it, p, "max_records", false, 100, static_cast<std::int64_t>(kMaxRecordsLimit)))
      s.budget.max_records = static_cast<std::uint64_t>(*n);
    if (auto t = c_.positive_duration(*it, p, "max_time", false, "max_time")) s.budget.max_time = *t;
    if (auto n = c_.integer(*it, p, "max_trace_mb", false, 1, static_cast<std::int64_t>(kMaxTraceMbLimit)))
      s.budget.max_trace_bytes = static_cast<std::uint64_t>(*n) << 20;
  }

  // settings/timeouts: the session timeouts a lesson may shorten (docs/scenarios.md).
  void session_timeouts(const nlohmann::json& j, const std::string& p, mail::SessionTimeouts& t) {
    if (!c_.expect_object(j, p)) return;
    const std::vector<std::pair<const char*, Time mail::SessionTimeouts::*>> keys{
        {"smtp_greeting", &mail::SessionTimeouts::smtp_greeting}, {"smtp_command", &mail::SessionTimeouts::smtp_command},
        {"smtp_mail", &mail::SessionTimeouts::smtp_mail},         {"smtp_rcpt", &mail::SessionTimeouts::smtp_rcpt},
        {"smtp_data_init", &mail::SessionTimeouts::smtp_data_init},
        {"smtp_data_block", &mail::SessionTimeouts::smtp_data_block},
        {"smtp_data_end", &mail::SessionTimeouts::smtp_data_end},
        {"smtp_server", &mail::SessionTimeouts::smtp_server_idle}, {"pop3", &mail::SessionTimeouts::pop3_idle},
        {"imap", &mail::SessionTimeouts::imap_idle}};
    std::vector<std::string> names;
    for (const auto& [k, m] : keys) names.emplace_back(k);
    c_.allowed_keys(j, p, names);
    for (const auto& [k, m] : keys)
      if (auto d = c_.positive_duration(j, p, k, false, std::string("the ") + k + " timeout")) t.*m = *d;
  }

  void networks(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "networks", true);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& n = (*list)[i];
      const std::string p = Checker::child("/networks", i);
      if (!c_.expect_object(n, p, "a network object")) continue;
      c_.allowed_keys(n, p, {"id", "kind", "name", "cidr", "dynamic_pool", "latency", "bandwidth_mbps", "policies"});
      NetworkInfo info;
      auto id = c_.identifier(n, p, "id", true);
      if (id) {
        if (network_ptr_.count(*id)) {
          c_.error(p + "/id", fmt::format("duplicate network id {} (first defined at {})", in_quotes(*id),
                                          where(network_ptr_[*id])));
          continue;
        }
        network_ptr_[*id] = p;
        info.id = *id;
      }
      info.kind = c_.choice(n, p, "kind", false, kNetworkKinds, "network kind").value_or("datacenter");
      if (auto nm = c_.localized(n, p, "name", false)) {
        info.name = nm->first;
        info.name_ja = nm->second;
      } else {
        info.name = info.id;
      }
      auto cidr = c_.cidr(n, p, "cidr", true);
      if (cidr) info.cidr = *cidr;
      if (auto pool = c_.cidr(n, p, "dynamic_pool", false)) {
        if (cidr && !(cidr->contains(pool->base) && pool->prefix >= cidr->prefix))
          c_.error(p + "/dynamic_pool", fmt::format("the dynamic pool {} is not inside the network {}", pool->str(),
                                                    cidr->str()));
        info.dynamic_pool = pool;
      }
      if (auto l = c_.duration(n, p, "latency", false)) info.latency = *l;
      if (auto bw = c_.integer(n, p, "bandwidth_mbps", false, 1, 100000)) info.bandwidth_bps = *bw * 1'000'000;
      if (!id || !cidr) continue;
      // Ranges are either nested or apart, so the one that could hold this base is the nearest
      // below it, and one that this range holds starts inside it (indexed: no scan of them all).
      const NetworkInfo* other = nullptr;
      if (auto below = ranges_.upper_bound(cidr->base.value); below != ranges_.begin()) {
        const NetworkInfo& holder = s.networks[std::prev(below)->second];
        if (holder.cidr.contains(cidr->base)) other = &holder;
      }
      if (auto inside = ranges_.lower_bound(cidr->base.value); !other && inside != ranges_.end() &&
                                                               cidr->contains(Ipv4{inside->first}))
        other = &s.networks[inside->second];
      if (other)
        c_.error(p + "/cidr", fmt::format("the range {} overlaps network \"{}\" ({})", cidr->str(), other->id,
                                          other->cidr.str()));
      else
        ranges_[cidr->base.value] = s.networks.size();
      network_index_[info.id] = s.networks.size();
      s.networks.push_back(std::move(info));
    }
  }

  // Policies are parsed after hosts so that exceptions can name hosts.
  void policies_targets(const nlohmann::json& root, Scenario& s) {
    const auto it = root.find("networks");
    if (it == root.end() || !it->is_array()) return;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& n = (*it)[i];
      if (!n.is_object() || !n.contains("policies")) continue;
      const std::string p = Checker::child("/networks", i);
      const auto found = n.contains("id") && n["id"].is_string() ? network_index_.find(n["id"].get<std::string>())
                                                                 : network_index_.end();
      const auto* list = array_member(n, p, "policies", false);
      if (!list || found == network_index_.end()) continue;
      auto net = s.networks.begin() + static_cast<std::ptrdiff_t>(found->second);
      for (std::size_t k = 0; k < list->size(); ++k) {
        auto rule = policy((*list)[k], Checker::child(p + "/policies", k), *net, s);
        if (rule) net->policies.push_back(std::move(*rule));
      }
    }
  }

  std::optional<PolicyRule> policy(const nlohmann::json& j, const std::string& p, const NetworkInfo& net,
                                   const Scenario& s) {
    if (!c_.expect_object(j, p, "a policy object")) return std::nullopt;
    c_.allowed_keys(j, p, {"id", "preset", "description", "direction", "action", "protocol", "dst_port", "from",
                           "except_to"});
    PolicyRule r;
    auto preset = c_.choice(j, p, "preset", false, kPolicyPresets, "policy preset");
    if (j.contains("preset") && !preset) return std::nullopt;
    if (preset && *preset == "op25b") {
      // Outbound Port 25 Blocking: customers' dynamic addresses may not reach port 25
      // outside the ISP; the ISP's own mail servers are listed in except_to.
      r.id = "op25b";
      r.description = "OP25B: TCP to port 25 from the dynamic pool may not leave " + net.id;
      r.protocol = Transport::Tcp;
      r.dst_ports = {25};
      r.from = net.dynamic_pool ? net.dynamic_pool : std::optional<Cidr>(net.cidr);
      r.action = PolicyRule::Action::Drop;
    }
    if (auto id = c_.identifier(j, p, "id", !preset)) r.id = *id;
    if (auto d = c_.string(j, p, "description", false)) r.description = *d;
    if (auto dir = c_.choice(j, p, "direction", false, {"egress", "ingress"}, "direction"))
      r.direction = *dir == "egress" ? PolicyRule::Direction::Egress : PolicyRule::Direction::Ingress;
    if (auto a = c_.choice(j, p, "action", !preset, kPolicyActions, "policy action")) {
      r.action = *a == "drop" ? PolicyRule::Action::Drop : *a == "reject" ? PolicyRule::Action::Reject
                                                                          : PolicyRule::Action::Allow;
    }
    if (auto proto = c_.choice(j, p, "protocol", false, {"tcp", "udp", "any"}, "protocol")) {
      if (*proto == "any") r.protocol.reset();
      else r.protocol = *proto == "tcp" ? Transport::Tcp : Transport::Udp;
    }
    if (auto it = j.find("dst_port"); it != j.end()) {
      r.dst_ports.clear();
      const std::string pp = p + "/dst_port";
      auto one = [&](const nlohmann::json& v, const std::string& at) {
        if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 65535) {
          c_.error(at, "a port must be a whole number from 1 to 65535");
          return;
        }
        r.dst_ports.push_back(static_cast<std::uint16_t>(v.get<std::int64_t>()));
      };
      if (it->is_array()) {
        for (std::size_t i = 0; i < it->size(); ++i) one((*it)[i], Checker::child(pp, i));
      } else {
        one(*it, pp);
      }
    }
    if (auto from = c_.string(j, p, "from", false)) {
      if (*from == "dynamic") {
        if (!net.dynamic_pool)
          c_.error(p + "/from", "\"dynamic\" needs a dynamic_pool on network \"" + net.id + "\"");
        r.from = net.dynamic_pool;
      } else if (*from == "any") {
        r.from.reset();
      } else {
        std::string why;
        auto cidr = Cidr::parse(*from, &why);
        if (!cidr) c_.error(p + "/from", "expected \"dynamic\", \"any\" or an address range: " + why);
        r.from = cidr;
      }
    }
    if (const auto* ex = array_member(j, p, "except_to", false)) {
      for (std::size_t i = 0; i < ex->size(); ++i) {
        const std::string ep = Checker::child(p + "/except_to", i);
        const auto& v = (*ex)[i];
        if (!v.is_string()) {
          c_.error(ep, "expected a host id or an IPv4 address");
          continue;
        }
        const std::string name = v.get<std::string>();
        if (auto ip = Ipv4::parse(name)) {
          r.except_to.push_back(*ip);
          continue;
        }
        const HostSpec* h = find_host(s, name);
        if (!h) {
          if (!host_ptr_.count(name)) unknown_host(ep, name, s);
          continue;
        }
        r.except_to.push_back(h->info.ip);
        r.except_hosts.push_back(name);
      }
    }
    return r;
  }

  void internet(const nlohmann::json& root, Scenario& s) {
    auto it = root.find("internet");
    if (it == root.end()) return;
    const std::string p = "/internet";
    if (!c_.expect_object(*it, p)) return;
    c_.allowed_keys(*it, p, {"latency", "paths"});
    if (auto l = c_.duration(*it, p, "latency", false)) s.internet_latency = *l;
    if (const auto* paths = array_member(*it, p, "paths", false)) {
      for (std::size_t i = 0; i < paths->size(); ++i) {
        const std::string pp = Checker::child(p + "/paths", i);
        const auto& j = (*paths)[i];
        if (!c_.expect_object(j, pp)) continue;
        c_.allowed_keys(j, pp, {"between", "latency"});
        auto l = c_.duration(j, pp, "latency", true);
        const auto* between = array_member(j, pp, "between", true);
        if (!between) continue;
        if (between->size() != 2 || !(*between)[0].is_string() || !(*between)[1].is_string()) {
          c_.error(pp + "/between", "expected two network ids, like [\"home-isp\", \"provider\"]");
          continue;
        }
        Scenario::PathLatency pl{(*between)[0].get<std::string>(), (*between)[1].get<std::string>(), l.value_or(0)};
        for (int k = 0; k < 2; ++k) {
          const std::string& id = k == 0 ? pl.a : pl.b;
          if (!network_ptr_.count(id)) unknown_network(Checker::child(pp + "/between", static_cast<std::size_t>(k)), id);
        }
        if (l) s.paths.push_back(pl);
      }
    }
  }

  void hosts(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "hosts", true);
    if (!list) return;
    host_entry_.assign(list->size(), kNoHost);
    std::map<std::uint32_t, std::string> ips;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& h = (*list)[i];
      const std::string p = Checker::child("/hosts", i);
      if (!c_.expect_object(h, p, "a host object")) continue;
      c_.allowed_keys(h, p, {"id", "kind", "name", "network", "ip", "services", "dns_server", "mail_server", "mail_client",
                             "resolver", "down"});
      HostSpec spec;
      spec.pointer = p;
      auto id = c_.identifier(h, p, "id", true);
      if (id) {
        if (host_ptr_.count(*id)) {
          c_.error(p + "/id", fmt::format("duplicate host id {} (first defined at {})", in_quotes(*id),
                                          where(host_ptr_[*id])));
          continue;
        }
        host_ptr_[*id] = p;
        spec.info.id = *id;
      }
      spec.info.kind = c_.choice(h, p, "kind", true, kHostKinds, "host kind").value_or("server");
      if (auto nm = c_.localized(h, p, "name", false)) {
        spec.info.name = nm->first;
        spec.info.name_ja = nm->second;
        // Two hosts that look alike on the map and in reports cannot be told apart.
        if (auto first = host_names_.find(nm->first); first != host_names_.end())
          c_.error(p + "/name", "duplicate host name " + in_quotes(nm->first) + " (first at " + where(first->second) +
                                    "); give each host its own name");
        else
          host_names_.emplace(nm->first, p + "/name");
      } else {
        spec.info.name = spec.info.id;
      }
      auto net = c_.string(h, p, "network", true);
      const NetworkInfo* ni = nullptr;
      if (net) {
        if (auto n = network_index_.find(*net); n != network_index_.end()) ni = &s.networks[n->second];
        if (!ni && !network_ptr_.count(*net)) unknown_network(p + "/network", *net);
        spec.info.network = *net;
      }
      auto ip = c_.ipv4(h, p, "ip", true);
      if (ip) {
        spec.info.ip = *ip;
        if (ni && !ni->cidr.contains(*ip))
          c_.error(p + "/ip", fmt::format("{} is not inside network \"{}\" ({})", ip->str(), ni->id, ni->cidr.str()));
        if (auto dup = ips.find(ip->value); dup != ips.end()) {
          c_.error(p + "/ip", fmt::format("duplicate address {}: host \"{}\" already has it", ip->str(), dup->second));
        } else {
          ips[ip->value] = spec.info.id;
        }
      }
      spec.down = c_.boolean(h, p, "down", false).value_or(false);
      if (const auto* svcs = array_member(h, p, "services", false)) {
        std::set<int> ports;
        for (std::size_t k = 0; k < svcs->size(); ++k) {
          const std::string sp = Checker::child(p + "/services", k);
          const auto& sv = (*svcs)[k];
          if (!c_.expect_object(sv, sp, "a service object")) continue;
          c_.allowed_keys(sv, sp, {"port", "app"});
          auto port = c_.integer(sv, sp, "port", true, 1, 65535);
          auto app = c_.choice(sv, sp, "app", true, kServiceApps, "service app");
          if (port && !ports.insert(static_cast<int>(*port)).second)
            c_.error(sp + "/port", fmt::format("port {} is already used by another service on this host", *port));
          if (port && app) spec.services.push_back(ServiceSpec{static_cast<std::uint16_t>(*port), *app, sp});
        }
      }
      if (auto it = h.find("dns_server"); it != h.end()) spec.dns_server = dns_server(*it, p + "/dns_server", s);
      if (auto it = h.find("mail_server"); it != h.end()) spec.mail_server = mail_server(*it, p + "/mail_server", spec);
      if (id && net && ip) {
        host_index_[spec.info.id] = s.hosts.size();
        host_entry_[i] = s.hosts.size();
        s.hosts.push_back(std::move(spec));
      }
    }
  }

  void zones(const nlohmann::json& root, Scenario& s) {
    auto it = root.find("dns");
    if (it == root.end()) return;
    const std::string p = "/dns";
    if (!c_.expect_object(*it, p)) return;
    c_.allowed_keys(*it, p, {"zones"});
    const auto* list = array_member(*it, p, "zones", true);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& z = (*list)[i];
      const std::string zp = Checker::child(p + "/zones", i);
      if (!c_.expect_object(z, zp, "a zone object")) continue;
      c_.allowed_keys(z, zp, {"origin", "soa", "records"});
      auto origin_text = c_.string(z, zp, "origin", true);
      if (!origin_text) continue;
      std::string why;
      auto origin = dns::Name::parse(*origin_text, why);
      if (!origin) {
        c_.error(zp + "/origin", "bad domain name \"" + *origin_text + "\": " + why);
        continue;
      }
      if (auto other = zone_index_.find(origin->key()); other != zone_index_.end())
        c_.error(zp + "/origin", "zone " + origin->to_string() + " is defined twice (first at " +
                                     where(s.zones[other->second].pointer) + ")");
      ZoneSpec spec;
      spec.pointer = zp;
      spec.zone.origin = *origin;
      bool ok = true;
      if (const auto* recs = array_member(z, zp, "records", false)) {
        for (std::size_t k = 0; k < recs->size(); ++k) {
          const std::string rp = Checker::child(zp + "/records", k);
          if (!(*recs)[k].is_string()) {
            c_.error(rp, "expected a record such as \"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.\"");
            ok = false;
            continue;
          }
          std::string error;
          auto rec = dns::parse_record((*recs)[k].get<std::string>(), error);
          if (!rec) {
            c_.error(rp, "bad record: " + error);
            ok = false;
            continue;
          }
          if (rec->type == dns::Type::SOA) {
            c_.error(rp, "put the SOA record in \"soa\", not in \"records\"");
            ok = false;
            continue;
          }
          if (!rec->name.is_subdomain_of(*origin)) {
            c_.error(rp, "record " + rec->name.to_string() + " is outside zone " + origin->to_string());
            ok = false;
            continue;
          }
          spec.zone.records.push_back(std::move(*rec));
          spec.record_pointers.push_back(rp);
        }
      }
      if (auto soa = c_.string(z, zp, "soa", false)) {
        std::string error;
        auto rec = dns::parse_record(*soa, error);
        if (!rec || rec->type != dns::Type::SOA || rec->name != *origin) {
          c_.error(zp + "/soa", rec ? "expected an SOA record owned by " + origin->to_string() : "bad record: " + error);
          ok = false;
        } else {
          spec.zone.soa = *rec;
        }
      } else {
        // A sensible default: the first NS of the zone as primary, 5-minute negative TTL.
        dns::Name mname = *origin;
        for (const auto& r : spec.zone.records)
          if (r.type == dns::Type::NS && r.name == *origin) {
            mname = std::get<dns::NsData>(r.data).host;
            break;
          }
        std::string error;
        auto rname = dns::Name::parse("hostmaster." + origin->to_string(), error);
        spec.zone.soa = dns::Record::make(*origin, 3600,
                                          dns::SoaData{mname, rname.value_or(*origin), 1, 3600, 600, 86400, 300});
      }
      if (ok) {
        const std::string problem = dns::validate_zone(spec.zone);
        if (!problem.empty()) {
          c_.error(zp, problem);
        } else {
          zone_index_.emplace(spec.zone.origin.key(), s.zones.size());
          s.zones.push_back(std::move(spec));
        }
      }
    }
  }

  std::optional<DnsServerSpec> dns_server(const nlohmann::json& j, const std::string& p, const Scenario& s) {
    if (!c_.expect_object(j, p)) return std::nullopt;
    c_.allowed_keys(j, p, {"zones", "recursive"});
    DnsServerSpec spec;
    spec.recursive = c_.boolean(j, p, "recursive", false).value_or(false);
    if (const auto* list = array_member(j, p, "zones", false)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string zp = Checker::child(p + "/zones", i);
        if (!(*list)[i].is_string()) {
          c_.error(zp, "expected a zone origin such as \"hogehoge.com\"");
          continue;
        }
        const std::string text = (*list)[i].get<std::string>();
        std::string why;
        auto name = dns::Name::parse(text, why);
        const bool found = name && zone_index_.count(name->key());
        if (!found) {
          std::string msg = "no zone " + in_quotes(text) + " is defined in /dns/zones";
          std::vector<std::string> origins;
          if (!c_.full())
            for (const auto& z : s.zones) origins.push_back(z.zone.origin.to_string_no_dot());
          if (auto near = closest_match(text, origins)) msg += " (did you mean \"" + *near + "\"?)";
          c_.error(zp, msg);
          continue;
        }
        spec.zones.push_back(name->key());
      }
    }
    if (spec.zones.empty() && !spec.recursive)
      c_.error(p, "a DNS server needs zones to serve, or \"recursive\": true");
    return spec;
  }

  // Which DNS server each host asks: its own "resolver", else the only recursive server.
  void resolvers(const nlohmann::json& root, Scenario& s) {
    const auto it = root.find("hosts");
    if (it == root.end() || !it->is_array()) return;
    std::vector<std::string> recursive;
    for (const auto& h : s.hosts)
      if (h.dns_server && h.dns_server->recursive) recursive.push_back(h.info.id);
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& hj = (*it)[i];
      if (!hj.is_object()) continue;
      const std::string p = Checker::child("/hosts", i);
      if (i >= host_entry_.size() || host_entry_[i] == kNoHost) continue;
      HostSpec* h = &s.hosts[host_entry_[i]];
      if (auto r = host_ref(hj, p, "resolver", s, false)) {
        const HostSpec* target = find_host(s, *r);
        if (target && !(target->dns_server && target->dns_server->recursive))
          c_.error(p + "/resolver", "host \"" + *r + "\" is not a recursive DNS server (give it \"dns_server\": {\"recursive\": true})");
        h->resolver = *r;
      } else if (!hj.contains("resolver") && recursive.size() == 1 && !(h->dns_server && h->dns_server->recursive)) {
        h->resolver = recursive.front();
      } else if (!hj.contains("resolver") && h->dns_server && h->dns_server->recursive) {
        h->resolver = h->info.id;
      }
    }
  }

  void timeline(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "timeline", false);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& a = (*list)[i];
      const std::string p = Checker::child("/timeline", i);
      if (!c_.expect_object(a, p, "an action object")) continue;
      if (const auto d = a.find("do"); d != a.end() && d->is_string() && *d == "repeat") {
        repeat(a, p, s);
        continue;
      }
      ActionSpec spec;
      spec.pointer = p;
      auto at = c_.duration(a, p, "at", true);
      auto kind = c_.choice(a, p, "do", true, kActionKinds, "action");
      if (!at || !kind) continue;
      spec.at = *at;
      bool ok = true;
      if (*at > s.run_for) {
        c_.error(p + "/at", fmt::format("this action at {} comes after the end of the run ({}; raise \"settings\": "
                                        "{{\"run_for\": ...}})", format_time(*at), format_time(s.run_for)));
        ok = false;
      }
      ok &= action_entry(a, p, *kind, s, spec);
      if (ok) s.timeline.push_back(std::move(spec));
    }
    std::stable_sort(s.timeline.begin(), s.timeline.end(),
                     [](const ActionSpec& x, const ActionSpec& y) { return x.at < y.at; });
  }

  // One timeline entry of kind `kind` (not "repeat") at `p`: its fields checked, and typed into
  // spec.what. "at" is read by the caller.
  bool action_entry(const nlohmann::json& a, const std::string& p, const std::string& kind, Scenario& s,
                    ActionSpec& spec) {
    bool ok = true;
    if (kind == "connect") {
      c_.allowed_keys(a, p, {"at", "do", "from", "to", "port", "send", "wait", "label"});
      ok &= host_ref(a, p, "from", s, true).has_value();
      ok &= destination(a, p, "to", s);
      ok &= c_.integer(a, p, "port", true, 1, 65535).has_value();
      if (a.contains("wait")) ok &= c_.duration(a, p, "wait", false).has_value();
      if (a.contains("label")) ok &= c_.string(a, p, "label", false).has_value();
      if (const auto* send = array_member(a, p, "send", false)) {
        for (std::size_t k = 0; k < send->size(); ++k)
          if (!(*send)[k].is_string()) {
            c_.error(Checker::child(p + "/send", k), "expected a line of text to send");
            ok = false;
          }
      }
      if (ok) {
        action::Connect c;
        c.from = a["from"].get<std::string>();
        c.to = a["to"].get<std::string>();
        c.port = static_cast<std::uint16_t>(a["port"].get<int>());
        if (const auto it = a.find("send"); it != a.end())
          for (const auto& line : *it) c.send.push_back(line.get<std::string>());
        if (a.contains("wait")) c.wait = parse_duration(a["wait"].get<std::string>());
        c.label = a.value("label", "");
        spec.what = std::move(c);
      }
    } else if (kind == "lookup") {
      // The question's record type is "qtype" everywhere (lookups, "dns" expectations, the trace).
      c_.allowed_keys(a, p, {"at", "do", "from", "name", "qtype", "type"});
      if (a.contains("type")) {
        c_.error(p + "/type", "a lookup's record type is \"qtype\" (as in \"dns\" expectations): write \"qtype\": " +
                                  (a["type"].is_string() ? "\"" + a["type"].get<std::string>() + "\"" : std::string("\"MX\"")));
        ok = false;
      }
      auto from = host_ref(a, p, "from", s, true);
      ok &= from.has_value();
      ok &= dns_question(a, p, "qtype");
      if (from) {
        const HostSpec* h = find_host(s, *from);
        if (h && h->resolver.empty()) {
          c_.error(p + "/from", "host \"" + *from + "\" has no DNS resolver to ask (give it \"resolver\")");
          ok = false;
        }
      }
      if (ok) {
        std::string why;
        action::Lookup l;
        l.from = *from;
        l.name = *dns::Name::parse(a["name"].get<std::string>(), why);
        l.qtype = dns::parse_type(a.value("qtype", "A")).value_or(dns::Type::A);
        spec.what = std::move(l);
      }
    } else if (kind == "send") {
      c_.allowed_keys(a, p, {"at", "do", "from", "account", "to", "cc", "subject", "body", "size", "label", "smtp",
                             "charset"});
      {
        // ISO-2022-JP carries only ASCII and JIS X 0208: say which character will not go.
        std::string charset;
        if (a.contains("charset")) charset = c_.choice(a, p, "charset", false, kCharsets, "charset").value_or("");
        else if (const HostSpec* fh = a.contains("from") && a["from"].is_string() ? find_host(s, a["from"].get<std::string>()) : nullptr;
                 fh && fh->mail_client)
          charset = fh->mail_client->charset;
        if (charset == "iso-2022-jp")
          for (const char* key : {"subject", "body"}) {
            if (!a.contains(key) || !a[key].is_string()) continue;
            std::string why;
            if (!message::iso2022jp_encode(a[key].get<std::string>(), &why)) {
              c_.error(Checker::child(p, key), why + " (write it with characters of JIS X 0208, or send it as \"utf-8\")");
              ok = false;
            }
          }
      }
      const mail::AccountSpec* account = nullptr;
      std::optional<mail::OutgoingSpec> smtp;
      ok &= device_account(a, p, "from", s, false, &account);
      for (const char* key : {"to", "cc"}) {
        auto it = a.find(key);
        if (it == a.end()) {
          if (std::string(key) == "to") {
            c_.error(p, "missing \"to\" (a mail address or a list of them)");
            ok = false;
          }
          continue;
        }
        const std::string tp = Checker::child(p, key);
        std::vector<std::pair<nlohmann::json, std::string>> items;
        if (it->is_array()) {
          for (std::size_t k = 0; k < it->size(); ++k) items.emplace_back((*it)[k], Checker::child(tp, k));
        } else {
          items.emplace_back(*it, tp);
        }
        if (items.empty()) {
          c_.error(tp, "no recipient given");
          ok = false;
        }
        for (const auto& [v, vp] : items) {
          if (!v.is_string()) {
            c_.error(vp, "expected a mail address such as \"kuroyagi@hogehoge.com\"");
            ok = false;
            continue;
          }
          std::string why;
          if (!parse_recipient(v.get_ref<const std::string&>(), &why)) {
            c_.error(vp, why);
            ok = false;
          }
        }
      }
      ok &= c_.string(a, p, "subject", false).has_value() || !a.contains("subject");
      ok &= c_.string(a, p, "body", false).has_value() || !a.contains("body");
      if (a.contains("size")) {
        const auto size = size_value(a, p, "size");
        ok &= size.has_value();
        // A message no server of this world would take (and that only costs memory to build).
        if (!world_known_) know_world(s);
        const std::uint64_t largest = largest_message_;
        const std::string& largest_host = largest_host_;
        if (size && *size > smtp::kMaxMessageSizeCap) {
          c_.error(p + "/size", fmt::format("no SMTP server accepts a message larger than {} MiB", smtp::kMaxMessageSizeCap >> 20));
          ok = false;
        } else if (size && largest > 0 && *size > largest) {
          c_.error(p + "/size", fmt::format("no mail server of this world accepts a message that large: the largest "
                                            "limit is {} bytes (\"max_message_size\" of {})", largest, largest_host));
          ok = false;
        }
      }
      if (a.contains("label")) ok &= c_.string(a, p, "label", false).has_value();
      if (auto sm = a.find("smtp"); sm != a.end()) {
        // This message only: the account's "smtp" settings, changed (same rules as there).
        const mail::OutgoingSpec none;
        smtp = outgoing(*sm, Checker::child(p, "smtp"), s, account ? &account->smtp : &none);
        ok &= smtp.has_value();
      }
      if (ok) {
        action::Send m;
        m.from = a["from"].get<std::string>();
        m.account = a.value("account", "");
        for (const char* key : {"to", "cc"}) {
          const auto it = a.find(key);
          if (it == a.end()) continue;
          auto& addresses = std::string_view(key) == "to" ? m.to : m.cc;
          if (it->is_array()) {
            for (const auto& v : *it) addresses.push_back(v.get<std::string>());
          } else {
            addresses.push_back(it->get<std::string>());
          }
        }
        m.subject = a.value("subject", "(no subject)");
        m.body = a.value("body", "");
        if (a.contains("size")) m.size = mail::parse_size(a["size"].get<std::string>()).value_or(0);
        m.label = a.value("label", "");
        m.charset = a.value("charset", "");
        m.smtp = std::move(smtp);
        spec.what = std::move(m);
      }
    } else if (kind == "change_account") {
      c_.allowed_keys(a, p, {"at", "do", "on", "account", "password", "smtp", "incoming"});
      const mail::AccountSpec* account = nullptr;
      ok &= device_account(a, p, "on", s, false, &account);
      auto change = account_change(a, p, s, account);
      ok &= change.has_value();
      if (ok) spec.what = action::ChangeAccount{a["on"].get<std::string>(), std::move(*change)};
    } else if (kind == "change_server") {
      std::vector<std::string> keys{"at", "do", "host"};
      keys.insert(keys.end(), std::begin(kServerChangeKeys), std::end(kServerChangeKeys));
      c_.allowed_keys(a, p, keys);
      auto change = server_change(a, p, s);
      ok &= change.has_value();
      if (ok) spec.what = action::ChangeServer{a["host"].get<std::string>(), std::move(*change)};
    } else if (kind == "empty_folder") {
      c_.allowed_keys(a, p, {"at", "do", "host", "user", "folder"});
      const HostSpec* h = mail_server_host(a, p, s);
      ok &= h != nullptr;
      ok &= server_user(a, p, h) && c_.string(a, p, "user", true).has_value();
      if (a.contains("folder")) {
        auto f = c_.string(a, p, "folder", false);
        if (f && (f->empty() || f->size() > 200)) {
          c_.error(p + "/folder", "a folder name of 1 to 200 characters, such as \"INBOX\" or \"Trash\"");
          f.reset();
        }
        ok &= f.has_value();
      }
      if (ok) spec.what = action::EmptyFolder{a["host"].get<std::string>(), a["user"].get<std::string>(), a.value("folder", "INBOX")};
    } else if (kind == "link_down" || kind == "link_up") {
      // A network's link to the Internet: "network" names it, as hosts name theirs.
      c_.allowed_keys(a, p, {"at", "do", "network", "host"});  // "host": the hint below
      if (a.contains("host"))
        c_.error(p + "/host", "\"" + kind + "\" takes a network, not a host: write \"network\": \"...\" (for a host, use \"" +
                                  (kind == "link_down" ? "host_down" : "host_up") + "\")");
      auto n = c_.string(a, p, "network", true);
      if (n && !network_ptr_.count(*n)) {
        unknown_network(p + "/network", *n);
        n.reset();
      }
      ok &= n.has_value() && !a.contains("host");
      if (ok) spec.what = action::Link{*n, kind == "link_up"};
    } else if (kind == "dns_change") {
      c_.allowed_keys(a, p, {"at", "do", "zone", "add", "remove"});
      auto change = dns_change(a, p, s);
      ok &= change.has_value();
      if (ok) spec.what = action::DnsChange{std::move(*change)};
    } else if (kind == "reply") {
      // Answers a message the device has, found by its subject as "open" finds it.
      c_.allowed_keys(a, p, {"at", "do", "on", "account", "subject", "body", "label"});
      const mail::AccountSpec* account = nullptr;
      ok &= device_account(a, p, "on", s, true, &account);
      ok &= c_.string(a, p, "subject", true).has_value();
      if (a.contains("body")) ok &= c_.string(a, p, "body", false).has_value();
      if (a.contains("label")) ok &= c_.string(a, p, "label", false).has_value();
      if (ok)
        spec.what = action::Reply{a["on"].get<std::string>(), a.value("account", ""), a["subject"].get<std::string>(),
                                  a.value("body", ""), a.value("label", "")};
    } else if (kind == "check_mail" || kind == "open" || kind == "delete" || kind == "mark_read") {
      if (kind == "check_mail") c_.allowed_keys(a, p, {"at", "do", "on", "account"});
      else c_.allowed_keys(a, p, {"at", "do", "on", "account", "subject"});
      ok &= device_account(a, p, "on", s, true);
      if (kind != "check_mail") ok &= c_.string(a, p, "subject", true).has_value();
      if (ok && kind == "check_mail") {
        spec.what = action::CheckMail{a["on"].get<std::string>(), a.value("account", "")};
      } else if (ok) {
        const auto verb = kind == "open" ? action::MessageVerb::Open
                          : kind == "delete" ? action::MessageVerb::Delete
                                              : action::MessageVerb::MarkRead;
        spec.what = action::OnMessage{verb, a["on"].get<std::string>(), a.value("account", ""), a["subject"].get<std::string>()};
      }
    } else {
      c_.allowed_keys(a, p, {"at", "do", "host"});
      auto host = host_ref(a, p, "host", s, true);
      ok &= host.has_value();
      if (ok && (kind == "host_down" || kind == "host_up")) spec.what = action::HostPower{*host, kind == "host_up"};
      else if (ok) spec.what = action::DeviceNetwork{*host, kind == "go_online"};
    }
    return ok;
  }

  // A "repeat" (docs/scenarios.md, "Repeating actions"): `count` repetitions, one every `every`
  // from `at`, of the `actions` (each at its "after" from the start of its repetition), with
  // {placeholders} in their strings taken from row i % rows of "with" ({i}: the repetition from
  // 0, {n}: from 1). Every repetition is expanded here into ordinary timeline actions and checked
  // like one written out; the first repetition with a problem is reported, not every one.
  void repeat(const nlohmann::json& a, const std::string& p, Scenario& s) {
    c_.allowed_keys(a, p, {"at", "do", "count", "every", "with", "actions"});
    uses_number_ = false;
    const auto at = c_.duration(a, p, "at", true);
    const auto count = c_.integer(a, p, "count", true, 1, static_cast<std::int64_t>(kMaxRepeatCount));
    std::optional<Time> every = Time{0};
    if (a.contains("every") || (count && *count > 1)) every = c_.positive_duration(a, p, "every", true, "the time between two repetitions");
    // The rows: objects of strings, every row with the keys of the first.
    std::vector<std::string> keys;
    const nlohmann::json* rows = nullptr;
    bool ok = at && count && every;
    if (const auto it = a.find("with"); it != a.end()) {
      rows = array_member(a, p, "with", false);
      const std::string wp = Checker::child(p, "with");
      if (!rows) {
        ok = false;
      } else if (rows->empty() || rows->size() > kMaxRepeatRows) {
        c_.error(wp, fmt::format("\"with\" has 1 to {} rows, not {}", kMaxRepeatRows, rows->size()));
        ok = false;
      } else {
        for (std::size_t r = 0; r < rows->size() && ok; ++r) {
          const auto& row = (*rows)[r];
          const std::string rp = Checker::child(wp, r);
          if (!c_.expect_object(row, rp, "a row: an object of names and their text, such as {\"from\": \"pc1\"}")) {
            ok = false;
            break;
          }
          if (r == 0) {
            if (row.empty()) {
              c_.error(rp, "a row names at least one value, such as {\"from\": \"pc1\"}");
              ok = false;
            }
            for (const auto& [k, v] : row.items()) {
              if (k == "i" || k == "n") {
                c_.error(Checker::child(rp, k), "\"" + k + "\" is the repetition's own number ({i} from 0, {n} from 1): "
                                                "give this value another name");
                ok = false;
              } else if (!repeat_name(k)) {
                c_.error(Checker::child(rp, k), "a value's name is letters, digits and '_', such as \"from\" or \"to_2\"");
                ok = false;
              }
              keys.push_back(k);
            }
          }
          for (const auto& [k, v] : row.items()) {
            if (r > 0 && std::find(keys.begin(), keys.end(), k) == keys.end()) {
              c_.error(Checker::child(rp, k), fmt::format("{} is not in the first row; every row of \"with\" names the same "
                                                          "values ({})", in_quotes(k), repeat_names(keys)));
              ok = false;
            } else if (!v.is_string()) {
              c_.error(Checker::child(rp, k), "expected text (a placeholder's value is put into the actions' text)");
              ok = false;
            }
          }
          if (r > 0 && row.is_object() && row.size() < keys.size())
            for (const auto& k : keys)
              if (!row.contains(k)) {
                c_.error(rp, fmt::format("this row has no {}; every row of \"with\" names the same values ({})",
                                         in_quotes(k), repeat_names(keys)));
                ok = false;
                break;
              }
        }
      }
    }
    // The actions: ordinary actions with "after" instead of "at", no repeat inside.
    const auto* templates = array_member(a, p, "actions", true);
    const std::string ap = Checker::child(p, "actions");
    std::vector<Time> afters;
    if (!templates) {
      ok = false;
    } else if (templates->empty() || templates->size() > kMaxRepeatActions) {
      c_.error(ap, fmt::format("a repeat holds 1 to {} actions, not {}", kMaxRepeatActions, templates->size()));
      ok = false;
    } else {
      for (std::size_t k = 0; k < templates->size(); ++k) {
        const auto& t = (*templates)[k];
        const std::string tp = Checker::child(ap, k);
        if (!c_.expect_object(t, tp, "an action object")) {
          ok = false;
          continue;
        }
        if (t.contains("at")) {
          c_.error(tp + "/at", "inside \"repeat\", an action's time is \"after\": how long after the start of its "
                               "repetition, such as \"after\": \"8s\" (default \"0s\")");
          ok = false;
        }
        if (const auto d = t.find("do"); d != t.end() && *d == "repeat") {
          c_.error(tp + "/do", "a repeat cannot hold another repeat: give the outer one more \"count\", or its "
                               "\"actions\" more entries");
          ok = false;
        }
        const auto after = t.contains("after") ? c_.duration(t, tp, "after", false) : std::optional<Time>(0);
        ok &= after.has_value();
        afters.push_back(after.value_or(0));
        ok &= repeat_placeholders(t, tp, keys);
      }
    }
    if (!ok) return;
    // Bounds: the run's end, the timeline's size, and the run's event budget (each action is at
    // least one event).
    const std::uint64_t n = static_cast<std::uint64_t>(*count);
    const Time max_after = *std::max_element(afters.begin(), afters.end());
    // In long double first: a million repetitions a year apart would overflow the microseconds.
    const long double last_exact = static_cast<long double>(n - 1) * static_cast<long double>(*every) +
                                   static_cast<long double>(*at) + static_cast<long double>(max_after);
    if (last_exact > static_cast<long double>(s.run_for)) {
      const std::string when = last_exact > static_cast<long double>(kMaxRunFor)
                                   ? "more than " + format_span(kMaxRunFor) + " from the start"
                                   : format_time(*at + static_cast<Time>(n - 1) * *every + max_after);
      c_.error(p + "/count", fmt::format("the last repetition's actions come at {}, after the end of the run ({}): "
                                         "lower \"count\" or \"every\", or raise \"settings\": {{\"run_for\": ...}}",
                                         when, format_time(s.run_for)));
      return;
    }
    const std::uint64_t total = s.timeline.size() + n * templates->size();
    if (total > kMaxTimelineActions) {
      c_.error(p + "/count", fmt::format("with this repeat the timeline has {} actions, more than {}: lower \"count\"",
                                         total, kMaxTimelineActions));
      return;
    }
    if (total > s.budget.max_events) {
      c_.error(p + "/count", fmt::format("with this repeat the timeline has {} actions, more than the run's budget of {} "
                                         "events (each action is at least one): raise \"settings\": {{\"max_events\": ...}}",
                                         total, s.budget.max_events));
      return;
    }
    // Expand and check each repetition as if it were written out.
    s.timeline.reserve(total);
    for (std::uint64_t i = 0; i < n; ++i) {
      const nlohmann::json* row = rows ? &(*rows)[i % rows->size()] : nullptr;
      const std::size_t before = c_.problems();
      for (std::size_t k = 0; k < templates->size(); ++k) {
        const std::string tp = Checker::child(ap, k);
        nlohmann::json concrete = repeat_fill((*templates)[k], row, i);
        concrete.erase("after");
        const std::string kind = concrete["do"].is_string() ? concrete["do"].get<std::string>() : std::string();
        ActionSpec spec;
        spec.pointer = tp;
        spec.at = *at + static_cast<Time>(i) * *every + afters[k];
        if (!c_.choice(concrete, tp, "do", true, kActionKinds, "action")) continue;
        if (action_entry(concrete, tp, kind, s, spec)) s.timeline.push_back(std::move(spec));
      }
      if (c_.problems() != before) {
        // The first repetition with a problem is enough; say which one it was when it matters.
        if (!keys.empty() || uses_number_)
          c_.error(p, fmt::format("the problem above is in repetition {} of {} ({{i}} = {}{})", i + 1, n, i,
                                  rows ? fmt::format(", row {} of \"with\"", i % rows->size()) : std::string()));
        return;
      }
    }
  }

  static bool repeat_name(std::string_view k) {
    if (k.empty() || k.size() > 32) return false;
    for (const char ch : k)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
    return true;
  }
  static std::string repeat_names(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  // Checks the {placeholders} of every string in `t` (keys are not templates); sets uses_number_
  // when {i} or {n} appears.
  bool repeat_placeholders(const nlohmann::json& t, const std::string& tp, const std::vector<std::string>& keys) {
    if (t.is_object()) {
      bool ok = true;
      for (const auto& [k, v] : t.items()) ok &= repeat_placeholders(v, Checker::child(tp, k), keys);
      return ok;
    }
    if (t.is_array()) {
      bool ok = true;
      for (std::size_t k = 0; k < t.size(); ++k) ok &= repeat_placeholders(t[k], Checker::child(tp, k), keys);
      return ok;
    }
    if (!t.is_string()) return true;
    const std::string& text = t.get_ref<const std::string&>();
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
      if (text[pos] != '{') continue;
      if (pos + 1 < text.size() && text[pos + 1] == '{') {
        ++pos;
        continue;
      }
      const std::size_t close = text.find('}', pos);
      if (close == std::string::npos) {
        c_.error(tp, "a '{' starts a placeholder such as {i} or {from} and needs its '}': write \"{{\" for a brace itself");
        return false;
      }
      const std::string name = text.substr(pos + 1, close - pos - 1);
      if (name == "i" || name == "n") {
        uses_number_ = true;
      } else if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        std::string hint = keys.empty() ? std::string(" (this repeat has no \"with\" rows)")
                                        : " (the rows of \"with\" name " + repeat_names(keys) + ")";
        if (const auto close_name = closest_match(name, keys)) hint = ": did you mean {" + *close_name + "}?" + hint;
        c_.error(tp, fmt::format("unknown placeholder {}{}; {{i}} counts the repetitions from 0, {{n}} from 1{}",
                                 "{" + cut_text(name, kMaxQuotedBytes) + "}", "", hint));
        return false;
      }
      pos = close;
    }
    return true;
  }

  // `t` with every placeholder of its strings replaced for repetition i and its row.
  static nlohmann::json repeat_fill(const nlohmann::json& t, const nlohmann::json* row, std::uint64_t i) {
    if (t.is_object()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : t.items()) out[k] = repeat_fill(v, row, i);
      return out;
    }
    if (t.is_array()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : t) out.push_back(repeat_fill(v, row, i));
      return out;
    }
    if (!t.is_string()) return t;
    const std::string& text = t.get_ref<const std::string&>();
    if (text.find('{') == std::string::npos) return t;
    std::string out;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
      if (text[pos] == '}' && pos + 1 < text.size() && text[pos + 1] == '}') ++pos;  // "}}": one '}'
      if (text[pos] != '{') {
        out += text[pos];
        continue;
      }
      if (pos + 1 < text.size() && text[pos + 1] == '{') {
        out += '{';
        ++pos;
        continue;
      }
      const std::size_t close = text.find('}', pos);
      const std::string name = text.substr(pos + 1, close - pos - 1);
      if (name == "i") out += std::to_string(i);
      else if (name == "n") out += std::to_string(i + 1);
      else out += (*row)[name].get_ref<const std::string&>();
      pos = close;
    }
    return out;
  }

  void expectations(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "expectations", false);
    if (!list) return;
    expectation_list(*list, "/expectations", s, s.expectations);
  }

  // A list of expectations (the lesson's, or a fix block's goal) into `out`.
  void expectation_list(const nlohmann::json& list_json, const std::string& list_ptr, const Scenario& s,
                        std::vector<ExpectationSpec>& out) {
    const auto* list = &list_json;
    std::set<std::string> policy_ids;
    for (const auto& n : s.networks)
      for (const auto& r : n.policies) policy_ids.insert(r.id);
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& e = (*list)[i];
      const std::string p = Checker::child(list_ptr, i);
      if (!c_.expect_object(e, p, "an expectation object")) continue;
      if (const auto t = e.find("type"); t != e.end() && t->is_string() && dns::parse_type(t->get<std::string>())) {
        // {"type": "MX", ...}: a DNS record type where the expectation's type belongs.
        c_.error(p + "/type", "\"" + t->get<std::string>() + "\" is a DNS record type, not an expectation type: write "
                              "{\"type\": \"dns\", \"qtype\": \"" + t->get<std::string>() + "\", ...}");
        continue;
      }
      auto kind = c_.choice(e, p, "type", true, kExpectationKinds, "expectation type");
      if (!kind) continue;
      bool ok = true;
      if (*kind == "fault") {
        ok &= check_fault_expectation_spec(c_, e, p, s);
      } else if (*kind == "connection") {
        c_.allowed_keys(e, p, {"type", "from", "to", "port", "result"});
        ok &= host_ref(e, p, "from", s, true).has_value();
        ok &= destination(e, p, "to", s);
        ok &= c_.integer(e, p, "port", true, 1, 65535).has_value();
        ok &= c_.choice(e, p, "result", true, kConnectionResults, "connection result").has_value();
      } else if (*kind == "dns") {
        c_.allowed_keys(e, p, {"type", "host", "name", "qtype", "outcome", "answer_contains"});
        if (e.contains("host")) ok &= host_ref(e, p, "host", s, false).has_value();
        ok &= dns_question(e, p, "qtype");
        if (e.contains("outcome")) ok &= c_.choice(e, p, "outcome", false, kDnsOutcomes, "DNS outcome").has_value();
        if (e.contains("answer_contains")) ok &= c_.string(e, p, "answer_contains", false).has_value();
      } else if (*kind == "wire") {
        c_.allowed_keys(e, p, {"type", "text", "visible", "network"});
        ok &= c_.string(e, p, "text", true).has_value();
        ok &= c_.boolean(e, p, "visible", true).has_value();
        if (auto n = c_.string(e, p, "network", false)) {
          if (!network_ptr_.count(*n)) {
            unknown_network(p + "/network", *n);
            ok = false;
          }
        }
      } else if (*kind == "delivered") {
        c_.allowed_keys(e, p, {"type", "to", "folder", "subject", "host"});
        ok &= hosted_address(e, p, "to", true);
        if (e.contains("host")) {  // which mail server delivered it (when two serve the domain)
          auto h = host_ref(e, p, "host", s, false);
          const HostSpec* hs = h ? find_host(s, *h) : nullptr;
          if (hs && !hs->mail_server) {
            c_.error(p + "/host", "host \"" + *h + "\" is not a mail server");
            h.reset();
          }
          ok &= h.has_value();
        }
        if (e.contains("folder")) ok &= c_.string(e, p, "folder", false).has_value();
        if (e.contains("subject")) ok &= c_.string(e, p, "subject", false).has_value();
      } else if (*kind == "bounced") {
        c_.allowed_keys(e, p, {"type", "from", "recipient", "status"});
        ok &= bounce_sender(e, p, s);
        if (e.contains("recipient")) ok &= c_.string(e, p, "recipient", false).has_value();
        if (e.contains("status")) {
          const bool good = status_code(e, p);
          ok &= good;
          // Bounces follow permanent refusals: a reply code there is 5xx (an expired 4.4.7 has none).
          if (const std::string v = good ? e["status"].get<std::string>() : ""; v.size() == 3 && v[0] != '5') {
            c_.error(p + "/status", "a bounce follows a permanent refusal, so its reply code is 5xx (such as \"550\" "
                                    "or \"552\"), never \"" + v + "\"");
            ok = false;
          }
        }
      } else if (*kind == "deferred") {
        c_.allowed_keys(e, p, {"type", "to", "status"});
        ok &= c_.string(e, p, "to", true).has_value();
        if (e.contains("status")) ok &= status_code(e, p);
      } else if (*kind == "send_failed") {
        c_.allowed_keys(e, p, {"type", "from", "error", "status"});
        ok &= host_ref(e, p, "from", s, true).has_value();
        if (e.contains("error")) ok &= c_.string(e, p, "error", false).has_value();
        if (e.contains("status")) ok &= status_code(e, p);
      } else if (*kind == "mailbox") {
        c_.allowed_keys(e, p, {"type", "user", "folder", "count", "bytes"});
        ok &= hosted_address(e, p, "user", true);
        if (e.contains("folder")) ok &= c_.string(e, p, "folder", false).has_value();
        if (e.contains("count")) ok &= c_.integer(e, p, "count", false, 0, 1000000).has_value();
        if (e.contains("bytes")) ok &= c_.integer(e, p, "bytes", false, 0, INT64_MAX).has_value();
        if (!e.contains("count") && !e.contains("bytes")) {
          c_.error(p, "say what the mailbox should hold: \"count\" and/or \"bytes\"");
          ok = false;
        }
      } else if (*kind == "seen") {
        c_.allowed_keys(e, p, {"type", "on", "subject", "seen", "present"});
        ok &= host_ref(e, p, "on", s, true).has_value();
        ok &= c_.string(e, p, "subject", true).has_value();
        if (e.contains("seen")) ok &= c_.boolean(e, p, "seen", false).has_value();
        if (e.contains("present")) ok &= c_.boolean(e, p, "present", false).has_value();
      } else {
        c_.allowed_keys(e, p, {"type", "policy", "from", "port"});
        auto pol = c_.string(e, p, "policy", true);
        if (pol && !policy_ids.count(*pol)) {
          std::vector<std::string> ids(policy_ids.begin(), policy_ids.end());
          std::string msg = "no network has a policy \"" + *pol + "\"";
          if (auto near = closest_match(*pol, ids)) msg += " (did you mean \"" + *near + "\"?)";
          c_.error(p + "/policy", msg);
          ok = false;
        }
        if (e.contains("from")) ok &= host_ref(e, p, "from", s, false).has_value();
        if (e.contains("port")) ok &= c_.integer(e, p, "port", false, 1, 65535).has_value();
      }
      if (ok) out.push_back(ExpectationSpec{*kind, e, p});
    }
  }


  // Every MX/NS target that lies inside a zone of the scenario needs an address (an A
  // record in some zone); otherwise mail or resolution would stop there for no visible reason.
  void zone_targets(const Scenario& s) {
    std::set<std::string> with_address;
    for (const auto& z : s.zones)
      for (const auto& r : z.zone.records)
        if (r.type == dns::Type::A) with_address.insert(r.name.key());
    for (const auto& z : s.zones) {
      for (std::size_t i = 0; i < z.zone.records.size() && i < z.record_pointers.size(); ++i) {
        const auto& r = z.zone.records[i];
        const dns::Name* target = nullptr;
        if (r.type == dns::Type::MX) target = &std::get<dns::MxData>(r.data).exchange;
        else if (r.type == dns::Type::NS) target = &std::get<dns::NsData>(r.data).host;
        if (!target || with_address.count(target->key())) continue;
        bool inside = false;
        for (dns::Name n = *target; !inside; n = n.parent()) {
          inside = zone_index_.count(n.key()) > 0;
          if (n.is_root()) break;
        }
        if (!inside) continue;
        c_.error(z.record_pointers[i],
                 fmt::format("{} points at {}, which has no address: no zone has an A record for it (add \"{} 3600 IN A "
                             "...\")", dns::type_name(r.type), target->to_string(), target->to_string()));
      }
    }
  }

  // ---- narration ----

  void narration(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "narration", false);
    if (!list) return;
    std::vector<std::string> kinds;
    for (auto k : {RecordKind::Packet, RecordKind::Connection, RecordKind::Policy, RecordKind::Tls,
                   RecordKind::Protocol, RecordKind::Dns, RecordKind::Mail, RecordKind::Mailbox, RecordKind::Action,
                   RecordKind::Note})
      kinds.emplace_back(to_string(k));
    const auto& tables = analogy_tables();
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& j = (*list)[i];
      const std::string p = Checker::child("/narration", i);
      if (!c_.expect_object(j, p, "a narration step ({\"when\": {...}, \"en\": \"...\", \"ja\": \"...\"})")) continue;
      c_.allowed_keys(j, p, {"when", "en", "ja", "analogy"});
      NarrationStep step;
      step.pointer = p;
      bool ok = true;
      if (auto en = c_.string(j, p, "en", true)) step.en = *en;
      else ok = false;
      if (j.contains("ja")) {
        if (auto ja = c_.string(j, p, "ja", false)) step.ja = *ja;
        else ok = false;
      }
      if (j.contains("analogy")) {
        auto key = c_.string(j, p, "analogy", false);
        if (!key) {
          ok = false;
        } else if (tables.loaded() && !tables.has(*key)) {
          std::string msg = "no post-office analogy \"" + *key + "\" in assets/analogy/en.json";
          if (auto near = closest_match(*key, tables.keys())) msg += " (did you mean \"" + *near + "\"?)";
          c_.error(p + "/analogy", msg);
          ok = false;
        } else {
          step.analogy = *key;
        }
      }
      auto w = j.find("when");
      if (w == j.end()) {
        c_.error(p, "missing \"when\" (the moment of the trace this step tells about, e.g. {\"kind\": \"mail\", "
                    "\"event\": \"compose\"})");
        continue;
      }
      const std::string wp = p + "/when";
      if (!c_.expect_object(*w, wp)) continue;
      ok &= moment(*w, wp, s, kinds, step.when);
      if (ok) s.narration.push_back(std::move(step));
    }
  }

  // ---- questions (challenge mode) ----

  void questions(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "questions", false);
    if (!list) return;
    if (list->size() > kMaxQuestions) {
      c_.error("/questions", fmt::format("a lesson writes at most {} questions, not {}", kMaxQuestions, list->size()));
      return;
    }
    std::vector<std::string> kinds;
    for (auto k : {RecordKind::Packet, RecordKind::Connection, RecordKind::Policy, RecordKind::Tls,
                   RecordKind::Protocol, RecordKind::Dns, RecordKind::Mail, RecordKind::Mailbox, RecordKind::Action,
                   RecordKind::Note})
      kinds.emplace_back(to_string(k));
    const auto narration = root.find("narration");
    const std::size_t steps = narration != root.end() && narration->is_array() ? narration->size() : 0;
    std::set<std::size_t> asked_before;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& j = (*list)[i];
      const std::string p = Checker::child("/questions", i);
      if (!c_.expect_object(j, p, "a question ({\"before_step\": N or \"at_end\": true, \"en\": \"...\", \"choices\": [...]})"))
        continue;
      c_.allowed_keys(j, p, {"before_step", "at_end", "en", "ja", "choices", "answer", "explain"});
      AuthoredQuestion q;
      q.pointer = p;
      bool ok = true;
      const bool has_step = j.contains("before_step");
      const auto at_end = c_.boolean(j, p, "at_end", false);
      if (j.contains("at_end") && !at_end) ok = false;
      if (has_step == (at_end && *at_end)) {
        c_.error(p, has_step ? "give either \"before_step\" or \"at_end\", not both"
                             : "missing \"before_step\" (the story step the question is asked before, 2, 3, ...) or "
                               "\"at_end\": true (asked at the end, in the detective mode)");
        ok = false;
      }
      if (has_step) {
        if (steps < 2) {
          c_.error(Checker::child(p, "before_step"),
                   "this lesson has no story step to ask before (\"before_step\" needs a \"narration\" of two steps or "
                   "more; use \"at_end\": true)");
          ok = false;
        } else if (auto n = c_.integer(j, p, "before_step", false, 2, static_cast<std::int64_t>(steps))) {
          q.before_step = static_cast<std::size_t>(*n - 1);
          if (!asked_before.insert(*q.before_step).second) {
            c_.error(Checker::child(p, "before_step"),
                     fmt::format("step {} already has a question: one question per step", *n));
            ok = false;
          }
        } else {
          ok = false;
        }
      }
      if (auto en = c_.string(j, p, "en", true)) q.prompt.en = *en;
      else ok = false;
      if (j.contains("ja")) {
        if (auto ja = c_.string(j, p, "ja", false)) q.prompt.ja = *ja;
        else ok = false;
      }
      if (j.contains("explain")) {
        if (auto e = c_.localized(j, p, "explain", false)) q.explain = {e->first, e->second};
        else ok = false;
      }
      const auto* choices = array_member(j, p, "choices", true);
      if (!choices) {
        ok = false;
      } else if (choices->size() < 2 || choices->size() > kMaxQuestionChoices) {
        c_.error(Checker::child(p, "choices"),
                 fmt::format("a question has 2 to {} choices, not {}", kMaxQuestionChoices, choices->size()));
        ok = false;
      } else {
        for (std::size_t k = 0; k < choices->size(); ++k) {
          const auto& c = (*choices)[k];
          const std::string cp = Checker::child(Checker::child(p, "choices"), k);
          QuestionChoice choice;
          if (c.is_string()) {
            choice.text.en = c.get<std::string>();
          } else if (c_.expect_object(c, cp, "a choice: \"text\" or {\"en\": \"...\", \"ja\": \"...\", \"when\": {...}}")) {
            c_.allowed_keys(c, cp, {"en", "ja", "when"});
            if (auto en = c_.string(c, cp, "en", true)) choice.text.en = *en;
            else ok = false;
            if (c.contains("ja")) {
              if (auto ja = c_.string(c, cp, "ja", false)) choice.text.ja = *ja;
              else ok = false;
            }
            if (auto w = c.find("when"); w != c.end()) {
              const std::string wp = cp + "/when";
              NarrationMoment m;
              if (c_.expect_object(*w, wp) && moment(*w, wp, s, kinds, m)) choice.when = m;
              else ok = false;
            }
          } else {
            ok = false;
            continue;
          }
          if (choice.text.en.empty()) {
            c_.error(cp, "a choice needs its text");
            ok = false;
          }
          for (const auto& other : q.choices)
            if (other.text.en == choice.text.en) {
              c_.error(cp, "two choices say the same: " + in_quotes(choice.text.en));
              ok = false;
            }
          q.choices.push_back(std::move(choice));
        }
        const bool tied = std::any_of(q.choices.begin(), q.choices.end(), [](const auto& c) { return c.when.has_value(); });
        if (j.contains("answer")) {
          if (tied) {
            c_.error(Checker::child(p, "answer"),
                     "give either \"answer\" or a \"when\" on the choices (the right one is the choice whose moment "
                     "happens), not both");
            ok = false;
          } else if (auto a = c_.integer(j, p, "answer", false, 1, static_cast<std::int64_t>(q.choices.size()))) {
            q.answer = static_cast<std::size_t>(*a - 1);
          } else {
            ok = false;
          }
        } else if (!tied && ok) {
          c_.error(p, "missing \"answer\" (the right choice: 1, 2, ...) or a \"when\" on the choices");
          ok = false;
        }
      }
      if (ok) s.questions.push_back(std::move(q));
    }
  }

  // ---- fix (challenge mode (c): fix the broken setup) ----

  // The settings a fix may offer, by target.
  static const std::vector<std::string>& fix_account_settings() {
    static const std::vector<std::string> v{"smtp.server", "smtp.port", "smtp.auth", "smtp.tls", "password",
                                            "incoming.server", "incoming.port", "incoming.tls"};
    return v;
  }
  static const std::vector<std::string>& fix_server_settings() {
    static const std::vector<std::string> v{"quota", "max_message_size", "quota_refusal", "open_relay", "subaddressing",
                                            "empty_folder"};
    return v;
  }

  void fix(const nlohmann::json& root, Scenario& s) {
    const auto it = root.find("fix");
    if (it == root.end()) return;
    const std::string p = "/fix";
    if (!c_.expect_object(*it, p, "a fix block ({\"en\": \"...\", \"settings\": [...], \"goal\": [...]})")) return;
    const auto& j = *it;
    c_.allowed_keys(j, p, {"en", "ja", "settings", "goal"});
    const std::size_t errors_before = c_.problems();
    FixSpec fx;
    if (auto en = c_.string(j, p, "en", true)) fx.task.en = *en;
    if (j.contains("ja"))
      if (auto ja = c_.string(j, p, "ja", false)) fx.task.ja = *ja;
    if (const auto* list = array_member(j, p, "settings", true)) {
      if (list->empty() || list->size() > kMaxFixSettings) {
        c_.error(p + "/settings", fmt::format("a fix offers 1 to {} settings, not {}", kMaxFixSettings, list->size()));
      } else {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < list->size(); ++i) {
          const std::string sp = Checker::child(p + "/settings", i);
          auto setting = fix_setting((*list)[i], sp, s);
          if (!setting) continue;
          const std::string key = setting->target + "|" + setting->host + "|" + setting->account + "|" + setting->user +
                                  "|" + setting->zone + "|" + setting->setting +
                                  (setting->target == "dns" ? "|" + fix_dns_owner(setting->values.front()) : "");
          if (!seen.insert(key).second) {
            c_.error(sp, "this setting is offered twice in the fix: once is enough");
            continue;
          }
          fx.settings.push_back(std::move(*setting));
        }
      }
    }
    if (const auto* goal = array_member(j, p, "goal", true)) {
      if (goal->empty() || goal->size() > 64) {
        c_.error(p + "/goal", fmt::format("a fix's goal has 1 to 64 expectations (as in \"expectations\"), not {}",
                                          goal->size()));
      } else {
        expectation_list(*goal, p + "/goal", s, fx.goal);
      }
    }
    if (c_.problems() == errors_before) s.fix = std::move(fx);
  }

  // "hogehoge.com. MX" of a record text (to tell two DNS settings apart); empty when it does not parse.
  static std::string fix_dns_owner(const nlohmann::json& v) {
    if (!v.is_string()) return {};
    std::string error;
    const auto rec = dns::parse_record(v.get<std::string>(), error);
    return rec ? rec->name.key() + " " + dns::type_name(rec->type) : std::string();
  }

  // One offered setting: {"on": DEVICE, "account"?, "setting", "values"}, {"host": SERVER, "user"?,
  // "setting", "values"?}, or {"zone": ORIGIN, "setting": "record", "values": [RECORD...]}.
  std::optional<FixSetting> fix_setting(const nlohmann::json& j, const std::string& p, const Scenario& s) {
    if (!c_.expect_object(j, p, "a setting ({\"on\": \"device\", \"setting\": \"smtp.port\", \"values\": [25, 587]})"))
      return std::nullopt;
    const std::size_t errors_before = c_.problems();
    c_.allowed_keys(j, p, {"on", "account", "host", "user", "zone", "setting", "values", "range", "en", "ja"});
    FixSetting f;
    f.pointer = p;
    if (j.contains("en"))
      if (auto en = c_.string(j, p, "en", false)) f.label.en = *en;
    if (j.contains("ja"))
      if (auto ja = c_.string(j, p, "ja", false)) f.label.ja = *ja;
    const int targets = (j.contains("on") ? 1 : 0) + (j.contains("host") ? 1 : 0) + (j.contains("zone") ? 1 : 0);
    if (targets != 1) {
      c_.error(p, targets == 0 ? "say whose setting it is: \"on\" (a device's account), \"host\" (a mail server) or "
                                 "\"zone\" (a DNS zone)"
                               : "give one of \"on\", \"host\" and \"zone\", not several");
      return std::nullopt;
    }
    auto setting = c_.string(j, p, "setting", true);
    if (!setting) return std::nullopt;
    f.setting = *setting;
    const std::string vp = p + "/values";
    // The world's own value, as a timeline action would write it.
    nlohmann::json own;
    // Canonical text of a value (to find the world's own among the choices); nullopt: not valid.
    std::function<std::optional<std::string>(const nlohmann::json&, const std::string&)> canon;
    if (j.contains("on")) {
      f.target = "account";
      if (!c_.choice(j, p, "setting", true, fix_account_settings(), "account setting")) return std::nullopt;
      const mail::AccountSpec* acc = nullptr;
      if (!device_account(j, p, "on", s, false, &acc) || !acc) return std::nullopt;
      f.host = j["on"].get<std::string>();
      f.account = acc->address;
      const bool incoming = f.setting.rfind("incoming.", 0) == 0;
      if (incoming && !acc->incoming) {
        c_.error(p + "/setting", "account " + acc->address + " has no \"incoming\" settings to change");
        return std::nullopt;
      }
      const std::string leaf = f.setting.substr(f.setting.find('.') + 1);
      if (f.setting == "password") {
        own = acc->password;
        canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 200) {
            c_.error(at, "expected a password (1 to 200 characters)");
            return std::nullopt;
          }
          return v.get<std::string>();
        };
      } else if (leaf == "port") {
        own = incoming ? acc->incoming->port : acc->smtp.port;
        canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 65535) {
            c_.error(at, "expected a port number (1 to 65535), such as 587");
            return std::nullopt;
          }
          return std::to_string(v.get<long long>());
        };
      } else if (leaf == "auth") {
        own = acc->smtp.auth;
        canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          if (!v.is_boolean()) {
            c_.error(at, "expected true (log in with SMTP AUTH) or false");
            return std::nullopt;
          }
          return v.get<bool>() ? "true" : "false";
        };
      } else if (leaf == "tls") {
        own = incoming ? acc->incoming->tls : acc->smtp.tls;
        canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          if (!v.is_string() || std::find(kTlsModes.begin(), kTlsModes.end(), v.get<std::string>()) == kTlsModes.end()) {
            c_.error(at, "expected a TLS mode: \"none\", \"starttls\" or \"implicit\"");
            return std::nullopt;
          }
          return v.get<std::string>();
        };
      } else {  // server
        own = incoming ? acc->incoming->server : acc->smtp.server;
        canon = [this, &s](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          const HostSpec* h = v.is_string() ? find_host(s, v.get<std::string>()) : nullptr;
          if (!h || !h->mail_server) {
            c_.error(at, "expected the id of a mail server of this world");
            return std::nullopt;
          }
          return v.get<std::string>();
        };
      }
    } else if (j.contains("host")) {
      f.target = "server";
      if (!c_.choice(j, p, "setting", true, fix_server_settings(), "mail server setting")) return std::nullopt;
      const HostSpec* h = mail_server_host(j, p, s);
      if (!h) return std::nullopt;
      f.host = h->info.id;
      const auto& m = *h->mail_server;
      const bool per_user = f.setting == "quota" || f.setting == "empty_folder";
      if (per_user) {
        if (!j.contains("user")) {
          c_.error(p, "missing \"user\" (whose " + std::string(f.setting == "quota" ? "quota" : "mailbox") + " it is)");
          return std::nullopt;
        }
        if (!server_user(j, p, h)) return std::nullopt;
        f.user = j["user"].get<std::string>();
      } else if (j.contains("user")) {
        c_.error(p + "/user", "\"user\" goes with \"quota\" and \"empty_folder\" only");
        return std::nullopt;
      }
      auto size_canon = [this](const nlohmann::json& v, const std::string& at, bool zero_ok) -> std::optional<std::string> {
        std::string why;
        const auto n = v.is_string() ? mail::parse_size(v.get<std::string>(), &why) : std::nullopt;
        if (!n) {
          c_.error(at, "expected a size such as \"8KB\"" + std::string(zero_ok ? " (\"0\": none)" : "") +
                           (why.empty() ? "" : ": " + why));
          return std::nullopt;
        }
        if ((*n == 0 && !zero_ok) || *n > smtp::kMaxMessageSizeCap) {
          c_.error(at, fmt::format("a size of 1 byte to {} MiB", smtp::kMaxMessageSizeCap >> 20));
          return std::nullopt;
        }
        return std::to_string(*n);
      };
      auto bool_canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
        if (!v.is_boolean()) {
          c_.error(at, "expected true or false");
          return std::nullopt;
        }
        return v.get<bool>() ? "true" : "false";
      };
      if (f.setting == "quota") {
        std::uint64_t q = 0;
        for (const auto& u : m.users)
          if (u.name == f.user) q = u.quota;
        own = std::to_string(q);
        canon = [size_canon](const nlohmann::json& v, const std::string& at) { return size_canon(v, at, true); };
      } else if (f.setting == "max_message_size") {
        own = std::to_string(m.max_message_size);
        canon = [size_canon](const nlohmann::json& v, const std::string& at) { return size_canon(v, at, false); };
      } else if (f.setting == "quota_refusal") {
        own = m.quota_temporary ? "temporary" : "permanent";
        canon = [this](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
          if (!v.is_string() || (v != "permanent" && v != "temporary")) {
            c_.error(at, "expected \"permanent\" or \"temporary\"");
            return std::nullopt;
          }
          return v.get<std::string>();
        };
      } else if (f.setting == "open_relay") {
        own = m.open_relay;
        canon = bool_canon;
      } else if (f.setting == "subaddressing") {
        own = m.subaddressing;
        canon = bool_canon;
      } else {  // empty_folder: keep the mailbox (false, the world's own) or empty it (true)
        own = false;
        canon = bool_canon;
      }
    } else {
      f.target = "dns";
      if (f.setting != "record") {
        c_.error(p + "/setting", "a zone's setting is \"record\" (one record, chosen among \"values\")");
        return std::nullopt;
      }
      auto zone_text = c_.string(j, p, "zone", true);
      if (!zone_text) return std::nullopt;
      std::string why;
      const auto origin = dns::Name::parse(*zone_text, why);
      const auto zi = origin ? zone_index_.find(origin->key()) : zone_index_.end();
      if (zi == zone_index_.end()) {
        c_.error(p + "/zone", "no zone \"" + *zone_text + "\" in \"dns\": {\"zones\": [...]}");
        return std::nullopt;
      }
      f.zone = *zone_text;
      const auto& zone = s.zones[zi->second].zone;
      // The owner and type come from the first value; the world's own is the zone's one record of them.
      const auto values = j.find("values");
      if (values == j.end() || !values->is_array() || values->empty() || !(*values)[0].is_string()) {
        c_.error(vp, "expected a list of records such as [\"" + origin->to_string() + " 3600 IN MX 10 mx1." +
                         origin->to_string() + "\", ...]: the choices for one record of the zone");
        return std::nullopt;
      }
      std::string error;
      const auto first = dns::parse_record((*values)[0].get<std::string>(), error);
      if (!first) {
        c_.error(vp + "/0", "bad record: " + error);
        return std::nullopt;
      }
      std::vector<const dns::Record*> same;
      for (const auto& r : zone.records)
        if (r.name == first->name && r.type == first->type) same.push_back(&r);
      if (same.size() != 1) {
        c_.error(vp + "/0", fmt::format("zone {} has {} {} records at {}: a fix chooses one record, which must be there "
                                        "exactly once", origin->to_string(), same.size(), dns::type_name(first->type),
                                        first->name.to_string()));
        return std::nullopt;
      }
      own = dns::to_string(*same.front());
      const dns::Name owner = first->name;
      const dns::Type type = first->type;
      const dns::Name zone_origin = *origin;
      canon = [this, owner, type, zone_origin](const nlohmann::json& v, const std::string& at) -> std::optional<std::string> {
        std::string err;
        const auto rec = v.is_string() ? dns::parse_record(v.get<std::string>(), err) : std::nullopt;
        if (!rec) {
          c_.error(at, v.is_string() ? "bad record: " + err : "expected a record such as \"" + owner.to_string() + " 3600 IN " +
                                                                  dns::type_name(type) + " ...\"");
          return std::nullopt;
        }
        if (rec->name != owner || rec->type != type) {
          c_.error(at, "every choice is a " + dns::type_name(type) + " record of " + owner.to_string() +
                           " (the first choice says so)");
          return std::nullopt;
        }
        if (!rec->name.is_subdomain_of(zone_origin)) {
          c_.error(at, "record " + rec->name.to_string() + " is outside zone " + zone_origin.to_string());
          return std::nullopt;
        }
        return rec->name.key() + " " + dns::type_name(rec->type) + " " + dns::rdata_to_string(*rec);
      };
    }
    // The choices.
    if (f.setting == "empty_folder") {
      if (j.contains("values")) {
        c_.error(vp, "\"empty_folder\" has no values: the student keeps the mailbox or empties it");
        return std::nullopt;
      }
      f.values = {false, true};
      f.current = 0;
      return f;
    }
    const auto values = j.find("values");
    if (values == j.end() || !values->is_array() || values->empty() || values->size() > kMaxFixValues) {
      c_.error(values == j.end() ? p : vp,
               fmt::format("\"values\": a list of 1 to {} choices (the world's own value is always one of them)", kMaxFixValues));
      return std::nullopt;
    }
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < values->size(); ++k) {
      const std::string at = Checker::child(vp, k);
      auto key = canon((*values)[k], at);
      if (!key) continue;
      if (std::find(keys.begin(), keys.end(), *key) != keys.end()) {
        c_.error(at, "this choice is given twice");
        continue;
      }
      keys.push_back(*key);
      f.values.push_back((*values)[k]);
    }
    if (c_.problems() != errors_before) return std::nullopt;
    // The world's own value is a choice (the first, unless the author listed it).
    const auto own_key = canon(own, p);
    const auto at = std::find(keys.begin(), keys.end(), own_key.value_or(""));
    if (at == keys.end()) {
      f.values.insert(f.values.begin(), own);
      f.current = 0;
    } else {
      f.current = static_cast<std::size_t>(at - keys.begin());
    }
    if (f.values.size() < 2) {
      c_.error(vp, "give at least one choice other than the world's own value (" + own.dump() + ")");
      return std::nullopt;
    }
    if (!check_fix_range(c_, j, p, f)) return std::nullopt;  // "range" of a numeric setting (fix.cpp)
    return f;
  }

  // A moment of the trace ("when" of a narration step, or of a question's choice): true when valid.
  bool moment(const nlohmann::json& w, const std::string& wp, Scenario& s, const std::vector<std::string>& kinds,
              NarrationMoment& out) {
    bool ok = true;
    c_.allowed_keys(w, wp, {"kind", "event", "host", "peer", "proto", "contains", "nth"});
    if (auto kind = c_.choice(w, wp, "kind", true, kinds, "trace record kind")) {
      record_kind_from_string(*kind, out.kind);
    } else {
      ok = false;
    }
    for (const char* key : {"host", "peer"}) {
      if (!w.contains(key)) continue;
      auto h = host_ref(w, wp, key, s, false);
      if (!h) ok = false;
      else (std::string(key) == "host" ? out.host : out.peer) = *h;
    }
    if (w.contains("proto")) {
      if (auto pr = c_.choice(w, wp, "proto", false, {"tcp", "udp", "tls", "dns", "smtp", "pop3", "imap", "raw", "store"},
                              "protocol"))
        out.proto = *pr;
      else
        ok = false;
    }
    for (const char* key : {"event", "contains"}) {
      if (!w.contains(key)) continue;
      auto v = c_.string(w, wp, key, false);
      if (!v) ok = false;
      else if (v->empty()) {
        c_.error(Checker::child(wp, key), "an empty text matches everything: leave the key out instead");
        ok = false;
      } else {
        (std::string(key) == "event" ? out.event : out.contains) = *v;
      }
    }
    ok &= moment_can_happen(w, wp, out, s);
    if (w.contains("nth")) {
      if (auto n = c_.integer(w, wp, "nth", false, 1, 1000000)) out.nth = static_cast<int>(*n);
      else ok = false;
    }
    return ok;
  }

  // What the world's servers can do, found once (not once per action or narration step).
  void know_world(const Scenario& s) {
    world_known_ = true;
    for (const auto& h : s.hosts) {
      speaks_.dns |= h.dns_server.has_value();
      if (!h.mail_server) continue;
      speaks_.mail = true;
      if (h.mail_server->max_message_size > largest_message_) {
        largest_message_ = h.mail_server->max_message_size;
        largest_host_ = h.info.id;
      }
      for (const auto& l : h.mail_server->listeners) {
        speaks_.pop3 |= l.role == "pop3" || l.role == "pop3s";
        speaks_.imap |= l.role == "imap" || l.role == "imaps";
        speaks_.tls |= l.starttls || l.role == "submissions" || l.role == "pop3s" || l.role == "imaps";
      }
    }
  }
  bool world_known_ = false;
  bool uses_number_ = false;  // the repeat being read has {i} or {n} in an action
  struct {
    bool dns = false, mail = false, pop3 = false, imap = false, tls = false;
  } speaks_;
  std::uint64_t largest_message_ = 0;
  std::string largest_host_;

  // A narration moment that no run of this world could produce: an event its kind never has, or
  // a protocol that no host of the scenario speaks.
  bool moment_can_happen(const nlohmann::json& w, const std::string& wp, const NarrationMoment& m, const Scenario& s) {
    bool ok = true;
    const std::string kind(to_string(m.kind));
    if (auto events = kEventsByKind.find(kind); events != kEventsByKind.end() && !m.event.empty() &&
                                                std::find(events->second.begin(), events->second.end(), m.event) ==
                                                    events->second.end()) {
      std::string msg = "a " + kind + " record never has the event " + in_quotes(m.event);
      if (auto near = closest_match(m.event, events->second)) msg += " (did you mean \"" + *near + "\"?)";
      else msg += " (" + kind + " events: " + fmt::format("{}", fmt::join(events->second, ", ")) + ")";
      c_.error(wp + "/event", msg);
      ok = false;
    }
    if (!m.proto.empty() && w.contains("proto")) {
      if (!world_known_) know_world(s);
      const bool dns = speaks_.dns, mail = speaks_.mail, pop3 = speaks_.pop3, imap = speaks_.imap, tls = speaks_.tls;
      std::string missing;
      if ((m.proto == "dns" || m.proto == "udp") && !dns) missing = "no host is a DNS server (\"dns_server\")";
      else if ((m.proto == "smtp" || m.proto == "store") && !mail) missing = "no host is a mail server (\"mail_server\")";
      else if (m.proto == "pop3" && !pop3) missing = "no mail server has a POP3 port (role \"pop3\" or \"pop3s\")";
      else if (m.proto == "imap" && !imap) missing = "no mail server has an IMAP port (role \"imap\" or \"imaps\")";
      else if (m.proto == "tls" && !tls) missing = "no mail server offers TLS";
      if (!missing.empty()) {
        c_.error(wp + "/proto", "no record of this world can have \"proto\": \"" + m.proto + "\": " + missing);
        ok = false;
      }
    }
    return ok;
  }

  // ---- mail ----

  std::optional<std::uint64_t> size_value(const nlohmann::json& obj, const std::string& p, const char* key) {
    auto text = c_.string(obj, p, key, false);
    if (!text) return std::nullopt;
    std::string why;
    auto v = mail::parse_size(*text, &why);
    if (!v) c_.error(Checker::child(p, key), "bad size \"" + *text + "\": " + why);
    return v;
  }

  std::optional<mail::MailServerSpec> mail_server(const nlohmann::json& j, const std::string& p, const HostSpec& host) {
    if (!c_.expect_object(j, p)) return std::nullopt;
    c_.allowed_keys(j, p, {"hostname", "domains", "users", "ports", "relay_from", "relay_domains", "open_relay", "max_message_size",
                           "retry", "give_up_after", "smarthost", "rate_limit", "show_credentials", "hop_limit",
                           "identity", "quota_refusal", "greylisting", "subaddressing", "destination_concurrency_limit",
                           "connection_reuse_limit", "connection_reuse_time", "delay_warning"});
    mail::MailServerSpec m;
    m.hostname = c_.string(j, p, "hostname", false).value_or(host.info.id);
    if (const auto it = j.find("identity"); it != j.end()) read_server_identity(c_, *it, p + "/identity", m.identity);
    {
      // A server knows itself by its hostname (greetings, Received: lines, loop checks).
      std::string key = m.hostname;
      for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto first = server_hostnames_.find(key); first != server_hostnames_.end())
        c_.error(j.contains("hostname") ? p + "/hostname" : p,
                 "mail server hostname " + in_quotes(m.hostname) + " is already the hostname of host \"" +
                     first->second + "\"; each server needs its own");
      else
        server_hostnames_.emplace(key, host.info.id);
    }
    if (const auto* domains = array_member(j, p, "domains", false)) {
      for (std::size_t i = 0; i < domains->size(); ++i) {
        const auto& d = (*domains)[i];
        std::string why;
        if (!d.is_string() || !dns::Name::parse(d.get<std::string>(), why)) {
          c_.error(Checker::child(p + "/domains", i), "expected a mail domain such as \"example.com\"");
          continue;
        }
        std::string lower = d.get<std::string>();
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!lower.empty() && lower.back() == '.') lower.pop_back();
        if (mail_domains_.count(lower))
          c_.error(Checker::child(p + "/domains", i), "domain " + lower + " is already hosted by " + mail_domains_[lower]);
        mail_domains_[lower] = host.info.id;
        m.domains.push_back(lower);
      }
    }
    if (const auto* users = array_member(j, p, "users", false)) {
      std::set<std::string> names;
      for (std::size_t i = 0; i < users->size(); ++i) {
        const std::string up = Checker::child(p + "/users", i);
        const auto& u = (*users)[i];
        if (!c_.expect_object(u, up, "a user object")) continue;
        c_.allowed_keys(u, up, {"name", "password", "quota", "preload"});
        mail::MailUserSpec us;
        auto name = c_.string(u, up, "name", true);
        if (!name) continue;
        if (name->empty() || name->find('@') != std::string::npos || name->size() > 64) {
          c_.error(up + "/name", "a user name is the part before the @ (1 to 64 characters), e.g. \"kuroyagi\"");
          continue;
        }
        std::string lower_name = *name;
        for (auto& ch : lower_name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        // Mail addresses are matched without case here, so "Kuroyagi" and "kuroyagi" are one box.
        if (!names.insert(lower_name).second) {
          c_.error(up + "/name", "duplicate user " + in_quotes(*name) + " on this server (user names are compared "
                                 "without regard to case)");
          continue;
        }
        us.name = *name;
        us.password = c_.string(u, up, "password", false).value_or("");
        if (auto q = size_value(u, up, "quota")) us.quota = *q;
        if (auto pre = c_.string(u, up, "preload", false)) {
          // Relative to the scenario file's folder.
          std::filesystem::path path(*pre);
          if (path.is_relative()) path = std::filesystem::path(src_.file).parent_path() / path;
          auto read = read_preload(path);
          if (!read.error.empty())
            c_.error(up + "/preload", read.error + " (expected a folder of .eml files, an mbox file or a Maildir, "
                                                   "relative to the scenario file)");
          else
            us.preload = std::move(read.messages);
        }
        for (const auto& d : m.domains) mail_users_.insert(us.name + "@" + d);
        m.users.push_back(std::move(us));
      }
    }
    if (!m.users.empty() && m.domains.empty()) c_.error(p, "a mail server with users needs \"domains\"");
    if (const auto* ports = array_member(j, p, "ports", false)) {
      std::set<int> used;
      for (std::size_t i = 0; i < ports->size(); ++i) {
        const std::string lp = Checker::child(p + "/ports", i);
        const auto& l = (*ports)[i];
        if (!c_.expect_object(l, lp, "a port object such as {\"port\": 587, \"role\": \"submission\"}")) continue;
        c_.allowed_keys(l, lp, {"port", "role", "starttls", "require_tls"});
        auto port = c_.integer(l, lp, "port", true, 1, 65535);
        auto role = c_.choice(l, lp, "role", true, kListenerRoles, "port role");
        if (port && !used.insert(static_cast<int>(*port)).second)
          c_.error(lp + "/port", fmt::format("port {} is listed twice", *port));
        for (const auto& svc : host.services)
          if (port && svc.port == *port) c_.error(lp + "/port", fmt::format("port {} is also a service of this host", *port));
        if (!port || !role) continue;
        mail::ListenerSpec ls;
        ls.port = static_cast<std::uint16_t>(*port);
        ls.role = *role;
        ls.starttls = c_.boolean(l, lp, "starttls", false).value_or(true);
        ls.require_tls = c_.boolean(l, lp, "require_tls", false).value_or(false);
        if (ls.require_tls && implicit_tls_role(ls.role)) {
          c_.error(lp + "/require_tls", fmt::format("port {} ({}) is protected from the first byte (implicit TLS); "
                                                    "\"require_tls\" is for a port that offers STARTTLS", ls.port, ls.role));
        } else if (ls.require_tls && !ls.starttls) {
          c_.error(lp + "/require_tls", fmt::format("port {} requires TLS but does not offer STARTTLS, so no client "
                                                    "could ever use it: remove \"starttls\": false", ls.port));
        }
        m.listeners.push_back(ls);
      }
    } else {
      m.listeners = {{25, "mx", true}, {587, "submission", true}, {110, "pop3", true}, {143, "imap", true}};
    }
    if (auto rf = relay_from(j, p)) m.relay_from = std::move(*rf);
    if (const auto* rd = array_member(j, p, "relay_domains", false)) {
      for (std::size_t i = 0; i < rd->size(); ++i) {
        std::string why;
        const auto& v = (*rd)[i];
        if (!v.is_string() || !dns::Name::parse(v.get<std::string>(), why)) {
          c_.error(Checker::child(p + "/relay_domains", i), "expected a domain such as \"hogehoge.com\"");
          continue;
        }
        std::string d = v.get<std::string>();
        for (auto& ch : d) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        m.relay_domains.push_back(d);
      }
    }
    m.open_relay = c_.boolean(j, p, "open_relay", false).value_or(false);
    m.show_credentials = c_.boolean(j, p, "show_credentials", false).value_or(false);
    if (auto sz = size_value(j, p, "max_message_size")) {
      if (*sz > smtp::kMaxMessageSizeCap)
        c_.error(p + "/max_message_size", fmt::format("the SMTP server accepts messages of at most {} MiB; a larger "
                                                      "limit could never be used", smtp::kMaxMessageSizeCap >> 20));
      m.max_message_size = *sz;
    }
    bool schedule_ok = true;
    if (const auto* retry = array_member(j, p, "retry", false)) {
      m.retry_schedule.clear();
      for (std::size_t i = 0; i < retry->size(); ++i) {
        const std::string rp = Checker::child(p + "/retry", i);
        auto d = c_.positive_duration((*retry)[i], rp, "a retry interval");
        if (d && *d < kMinRetryInterval) {
          c_.error(rp, fmt::format("a retry interval of {} would only make a storm of attempts: wait at least {}s "
                                   "(real servers wait minutes)", in_quotes((*retry)[i].get<std::string>()),
                                   kMinRetryInterval / kSecond));
          d.reset();
        }
        if (d) m.retry_schedule.push_back(*d);
        else schedule_ok = false;
      }
      if (retry->empty()) {
        c_.error(p + "/retry", "give at least one retry interval, such as [\"1m\", \"5m\"] (or leave \"retry\" out)");
        schedule_ok = false;
      }
    }
    if (auto g = c_.duration(j, p, "give_up_after", false)) {
      if (*g > kMaxQueueLifetime) {
        c_.error(p + "/give_up_after", fmt::format("a message may wait in the queue at most {} days (real servers give "
                                                   "up after about 5), not {}", kMaxQueueLifetime / (24 * kHour),
                                                   in_quotes(j["give_up_after"].get<std::string>())));
        schedule_ok = false;
      }
      m.give_up_after = *g;
    }
    if (schedule_ok) {
      // Tries within the lifetime: the intervals in turn, then the last one again and again.
      std::uint64_t tries = 1;
      Time t = 0;
      for (std::size_t i = 0; tries <= kMaxDeliveryAttempts; ++i, ++tries) {
        t += m.retry_schedule.empty() ? 5 * kMinute : m.retry_schedule[std::min(i, m.retry_schedule.size() - 1)];
        if (t > m.give_up_after) break;
      }
      if (tries > kMaxDeliveryAttempts)
        c_.error(j.contains("retry") ? p + "/retry" : p + "/give_up_after",
                 fmt::format("this retry schedule would try a message more than {} times within give_up_after ({}): "
                             "wait longer between tries or give up sooner", kMaxDeliveryAttempts,
                             j.contains("give_up_after") ? in_quotes(j["give_up_after"].get<std::string>())
                                                         : std::string("the default \"1h\"")));
    }
    if (auto h = c_.integer(j, p, "hop_limit", false, 1, 500)) m.hop_limit = static_cast<int>(*h);
    if (auto q = c_.choice(j, p, "quota_refusal", false, {"permanent", "temporary"}, "quota refusal"))
      m.quota_temporary = *q == "temporary";
    if (auto it = j.find("greylisting"); it != j.end()) m.greylisting = greylisting(*it, p + "/greylisting");
    m.subaddressing = c_.boolean(j, p, "subaddressing", false).value_or(false);
    if (auto n = c_.integer(j, p, "destination_concurrency_limit", false, 1, kMaxDestinationConcurrency))
      m.destination_concurrency_limit = static_cast<std::uint32_t>(*n);
    if (auto n = c_.integer(j, p, "connection_reuse_limit", false, 0, 1000000))
      m.connection_reuse_count = static_cast<std::uint32_t>(*n);
    if (j.contains("connection_reuse_time")) {
      auto d = c_.duration(j, p, "connection_reuse_time", false);
      if (d && *d > kHour) {
        c_.error(p + "/connection_reuse_time", fmt::format("a session may be reused for at most 1h (Postfix's default "
                                                           "is 300s), not {}",
                                                           in_quotes(j["connection_reuse_time"].get<std::string>())));
      } else if (d) {
        m.connection_reuse_time = *d;
      }
    }
    if (auto it = j.find("delay_warning"); it != j.end()) m.delay_warning = delay_warning(j, p);
    if (auto it = j.find("smarthost"); it != j.end()) {
      const std::string sp = p + "/smarthost";
      if (c_.expect_object(*it, sp)) {
        c_.allowed_keys(*it, sp, {"host", "port", "user", "password", "tls"});
        mail::SmarthostSpec sh;
        sh.host = c_.string(*it, sp, "host", true).value_or("");
        smarthost_refs_.push_back(sp + "/host");
        smarthost_names_.push_back(sh.host);
        if (auto port = c_.integer(*it, sp, "port", false, 1, 65535)) sh.port = static_cast<std::uint16_t>(*port);
        sh.user = c_.string(*it, sp, "user", false).value_or("");
        sh.password = c_.string(*it, sp, "password", false).value_or("");
        sh.tls = c_.choice(*it, sp, "tls", false, kTlsModes, "TLS mode").value_or("starttls");
        m.smarthost = sh;
      }
    }
    if (auto it = j.find("rate_limit"); it != j.end()) m.rate_limit = rate_limit(*it, p + "/rate_limit");
    return m;
  }

  // "rate_limit": {"max_messages": 2, "per": "1m"}.
  std::optional<mail::RateLimitSpec> rate_limit(const nlohmann::json& j, const std::string& rp) {
    if (!c_.expect_object(j, rp)) return std::nullopt;
    c_.allowed_keys(j, rp, {"max_messages", "per"});
    mail::RateLimitSpec rl;
    rl.max_messages = static_cast<std::uint32_t>(c_.integer(j, rp, "max_messages", true, 1, 1000000).value_or(1));
    rl.per = c_.positive_duration(j, rp, "per", true, "the rate limit's time window").value_or(kHour);
    return rl;
  }

  // "relay_from": ["192.0.2.0/24", ...] (nullopt when absent or wrong).
  std::optional<std::vector<Cidr>> relay_from(const nlohmann::json& j, const std::string& p) {
    const auto* rf = array_member(j, p, "relay_from", false);
    if (!rf) return std::nullopt;
    std::vector<Cidr> out;
    bool ok = true;
    for (std::size_t i = 0; i < rf->size(); ++i) {
      std::string why;
      const auto& v = (*rf)[i];
      auto c = v.is_string() ? Cidr::parse(v.get<std::string>(), &why) : std::nullopt;
      if (!c) {
        c_.error(Checker::child(p + "/relay_from", i), "expected an address range such as \"192.0.2.0/24\"" +
                                                           (why.empty() ? std::string() : ": " + why));
        ok = false;
      } else {
        out.push_back(*c);
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // "delay_warning": "4h" (a server's option, and change_server's, where false turns it off).
  std::optional<Time> delay_warning(const nlohmann::json& j, const std::string& p) {
    auto d = c_.positive_duration(j, p, "delay_warning", false, "the delay warning time");
    if (d && *d > kMaxQueueLifetime) {
      c_.error(p + "/delay_warning", fmt::format("a delay warning after {} would come after every message has left "
                                                 "the queue: at most {} days",
                                                 in_quotes(j["delay_warning"].get<std::string>()),
                                                 kMaxQueueLifetime / (24 * kHour)));
      return std::nullopt;
    }
    return d;
  }

  // A "host" that must be a mail server: the host, or nullptr after an error.
  const HostSpec* mail_server_host(const nlohmann::json& a, const std::string& p, const Scenario& s) {
    auto id = host_ref(a, p, "host", s, true);
    if (!id) return nullptr;
    const HostSpec* h = find_host(s, *id);
    if (h && !h->mail_server) {
      c_.error(p + "/host", "host \"" + *id + "\" is not a mail server (give it \"mail_server\": {...})");
      return nullptr;
    }
    return h;
  }

  // "user": one of the users of mail server `h` (false after an error; true when absent).
  bool server_user(const nlohmann::json& a, const std::string& p, const HostSpec* h) {
    auto user = c_.string(a, p, "user", false);
    if (!user) return !a.contains("user");
    if (!h || !h->mail_server) return true;
    std::vector<std::string> known;
    for (const auto& u : h->mail_server->users) {
      if (u.name == *user) return true;
      known.push_back(u.name);
    }
    std::string msg = "mail server \"" + h->info.id + "\" has no user \"" + *user + "\"";
    if (auto near = closest_match(*user, known)) msg += " (did you mean \"" + *near + "\"?)";
    else msg += " (a user is the part before the @)";
    c_.error(p + "/user", msg);
    return false;
  }

  std::optional<mail::AccountChange> account_change(const nlohmann::json& a, const std::string& p, const Scenario& s,
                                                    const mail::AccountSpec* account) {
    const std::size_t errors_before = c_.problems();
    mail::AccountChange ch;
    if (account) ch.account = account->address;
    if (a.contains("password")) ch.password = c_.string(a, p, "password", false);
    if (auto sm = a.find("smtp"); sm != a.end()) {
      const std::string sp = p + "/smtp";
      const mail::OutgoingSpec none;
      // The same rules as a send's "smtp"; the change keeps only the keys given.
      if (outgoing(*sm, sp, s, account ? &account->smtp : &none) && sm->is_object()) {
        if (sm->contains("server")) ch.smtp_server = (*sm)["server"].get<std::string>();
        if (sm->contains("port")) ch.smtp_port = static_cast<std::uint16_t>((*sm)["port"].get<int>());
        if (sm->contains("auth")) ch.smtp_auth = (*sm)["auth"].get<bool>();
        if (sm->contains("tls")) ch.smtp_tls = (*sm)["tls"].get<std::string>();
        if (sm->empty()) c_.error(sp, "nothing to change: give \"server\", \"port\", \"auth\" or \"tls\"");
      }
    }
    if (auto in = a.find("incoming"); in != a.end()) {
      const std::string ip = p + "/incoming";
      if (account && !account->incoming) {
        c_.error(ip, "account " + account->address + " has no \"incoming\" settings (POP3 or IMAP) to change");
      } else if (c_.expect_object(*in, ip)) {
        c_.allowed_keys(*in, ip, {"server", "port", "tls"});
        if (in->contains("server")) ch.incoming_server = mail_server_ref(*in, ip, s);
        if (auto port = c_.integer(*in, ip, "port", false, 1, 65535)) ch.incoming_port = static_cast<std::uint16_t>(*port);
        ch.incoming_tls = c_.choice(*in, ip, "tls", false, kTlsModes, "TLS mode");
        if (in->empty()) c_.error(ip, "nothing to change: give \"server\", \"port\" or \"tls\"");
      }
    }
    if (!a.contains("password") && !a.contains("smtp") && !a.contains("incoming"))
      c_.error(p, "nothing to change: give \"password\", \"smtp\" or \"incoming\"");
    if (c_.problems() != errors_before) return std::nullopt;
    return ch;
  }

  std::optional<mail::ServerChange> server_change(const nlohmann::json& a, const std::string& p, const Scenario& s) {
    const std::size_t errors_before = c_.problems();
    const HostSpec* h = mail_server_host(a, p, s);
    mail::ServerChange ch;
    if (auto q = c_.choice(a, p, "quota_refusal", false, {"permanent", "temporary"}, "quota refusal"))
      ch.quota_temporary = *q == "temporary";
    if (a.contains("max_message_size")) {
      ch.max_message_size = size_value(a, p, "max_message_size");
      if (ch.max_message_size && *ch.max_message_size > smtp::kMaxMessageSizeCap)
        c_.error(p + "/max_message_size", fmt::format("the SMTP server accepts messages of at most {} MiB; a larger "
                                                      "limit could never be used", smtp::kMaxMessageSizeCap >> 20));
    }
    if (auto g = a.find("greylisting"); g != a.end()) {
      if (g->is_boolean()) {
        ch.greylisting = g->get<bool>() ? std::optional<mail::GreylistSpec>(mail::GreylistSpec{}) : std::nullopt;
      } else if (g->is_object()) {
        if (auto gs = greylisting(*g, p + "/greylisting")) ch.greylisting = gs;
      } else {
        c_.error(p + "/greylisting", "expected true, false or {\"delay\": \"5m\"}");
      }
    }
    if (a.contains("open_relay")) ch.open_relay = c_.boolean(a, p, "open_relay", false);
    if (a.contains("relay_from")) ch.relay_from = relay_from(a, p);
    if (a.contains("hop_limit"))
      if (auto hl = c_.integer(a, p, "hop_limit", false, 1, 500)) ch.hop_limit = static_cast<int>(*hl);
    if (auto r = a.find("rate_limit"); r != a.end()) {
      if (r->is_boolean() && !r->get<bool>()) ch.rate_limit = std::optional<mail::RateLimitSpec>();
      else if (r->is_object()) {
        if (auto rl = rate_limit(*r, p + "/rate_limit")) ch.rate_limit = rl;
      } else c_.error(p + "/rate_limit", "expected {\"max_messages\": 2, \"per\": \"1m\"} or false (no limit)");
    }
    if (a.contains("subaddressing")) ch.subaddressing = c_.boolean(a, p, "subaddressing", false);
    if (a.contains("destination_concurrency_limit"))
      if (auto n = c_.integer(a, p, "destination_concurrency_limit", false, 1, kMaxDestinationConcurrency))
        ch.destination_concurrency_limit = static_cast<std::uint32_t>(*n);
    if (auto w = a.find("delay_warning"); w != a.end()) {
      if (w->is_boolean() && !w->get<bool>()) ch.delay_warning = std::optional<Time>();
      else if (w->is_string()) {
        if (auto d = delay_warning(a, p)) ch.delay_warning = d;
      } else c_.error(p + "/delay_warning", "expected a duration such as \"4h\", or false (no warning)");
    }
    if (a.contains("require_tls") && h) ch.require_tls = tls_required_ports(a["require_tls"], p + "/require_tls", *h);
    if (a.contains("user") || a.contains("quota")) {
      if (!a.contains("user")) c_.error(p, "missing \"user\" (whose quota changes)");
      else if (server_user(a, p, h)) ch.user = a["user"].get<std::string>();
      if (!a.contains("quota")) c_.error(p, "missing \"quota\" (a size such as \"10KB\", or \"0\" for none)");
      else ch.quota = size_value(a, p, "quota");
    }
    bool any = false;
    for (const char* k : kServerChangeKeys) any = any || a.contains(k);
    if (!any)
      c_.error(p, "nothing to change: give \"quota_refusal\", \"max_message_size\", \"greylisting\", "
                  "\"open_relay\", \"relay_from\", \"hop_limit\", \"rate_limit\", \"subaddressing\", "
                  "\"destination_concurrency_limit\", \"delay_warning\", \"require_tls\", or \"user\" with \"quota\"");
    if (c_.problems() != errors_before) return std::nullopt;
    return ch;
  }

  // change_server's "require_tls": true (every STARTTLS port but mx: the ports people's mail
  // programs use), false (none), or a list of this server's STARTTLS ports.
  std::optional<std::vector<std::uint16_t>> tls_required_ports(const nlohmann::json& v, const std::string& p,
                                                               const HostSpec& h) {
    std::vector<std::uint16_t> out;
    const auto& listeners = h.mail_server->listeners;
    if (v.is_boolean()) {
      if (v.get<bool>()) {
        for (const auto& l : listeners)
          if (l.starttls && !implicit_tls_role(l.role) && l.role != "mx") out.push_back(l.port);
        if (out.empty()) {
          c_.error(p, h.info.id + " has no STARTTLS port for mail programs (587, 110, 143 ...) to require TLS on; "
                                  "name ports in a list, e.g. [25]");
          return std::nullopt;
        }
      }
      return out;
    }
    if (!v.is_array() || v.empty()) {
      c_.error(p, "expected true (every STARTTLS port but 25), false, or a list of ports such as [587, 143]");
      return std::nullopt;
    }
    bool ok = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string ip = Checker::child(p, i);
      const auto it = v[i].is_number_integer()
                          ? std::find_if(listeners.begin(), listeners.end(),
                                         [&](const mail::ListenerSpec& l) { return l.port == v[i].get<long long>(); })
                          : listeners.end();
      if (it == listeners.end()) {
        std::string ports;
        for (const auto& l : listeners)
          if (l.starttls && !implicit_tls_role(l.role)) ports += (ports.empty() ? "" : ", ") + std::to_string(l.port);
        c_.error(ip, fmt::format("expected a port of {} that offers STARTTLS ({})", h.info.id,
                                 ports.empty() ? "it has none" : ports));
        ok = false;
      } else if (implicit_tls_role(it->role) || !it->starttls) {
        c_.error(ip, fmt::format("port {} ({}) {}", it->port, it->role,
                                 implicit_tls_role(it->role) ? "is implicit TLS already" : "does not offer STARTTLS"));
        ok = false;
      } else {
        out.push_back(it->port);
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // "greylisting": {"delay": "5m"} (the delay may be left out).
  std::optional<mail::GreylistSpec> greylisting(const nlohmann::json& j, const std::string& p) {
    if (!c_.expect_object(j, p)) return std::nullopt;
    c_.allowed_keys(j, p, {"delay"});
    mail::GreylistSpec g;
    if (j.contains("delay")) {
      auto d = c_.positive_duration(j, p, "delay", false, "the greylisting delay");
      if (d && *d > 24 * kHour) {
        c_.error(p + "/delay", fmt::format("a greylisting delay of {} would outlast most senders' queues: at most 24h",
                                           in_quotes(j["delay"].get<std::string>())));
        d.reset();
      }
      if (!d) return std::nullopt;
      g.delay = *d;
    }
    return g;
  }

  const HostSpec* find_host(const Scenario& s, const std::string& id) const {
    const auto it = host_index_.find(id);
    return it == host_index_.end() ? nullptr : &s.hosts[it->second];
  }

  void mail_clients(const nlohmann::json& root, Scenario& s) {
    for (std::size_t i = 0; i < smarthost_refs_.size(); ++i) {
      const HostSpec* h = find_host(s, smarthost_names_[i]);
      if (!host_ptr_.count(smarthost_names_[i])) unknown_host(smarthost_refs_[i], smarthost_names_[i], s);
      else if (h && !h->mail_server) c_.error(smarthost_refs_[i], "host \"" + h->info.id + "\" is not a mail server");
    }
    const auto it = root.find("hosts");
    if (it == root.end() || !it->is_array()) return;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& hj = (*it)[i];
      if (!hj.is_object() || !hj.contains("mail_client")) continue;
      const std::string p = Checker::child("/hosts", i) + "/mail_client";
      HostSpec* h = i < host_entry_.size() && host_entry_[i] != kNoHost ? &s.hosts[host_entry_[i]] : nullptr;
      const auto& j = hj["mail_client"];
      if (!c_.expect_object(j, p)) continue;
      c_.allowed_keys(j, p, {"accounts", "charset", "reads_as"});
      mail::MailClientSpec mc;
      if (auto cs = c_.choice(j, p, "charset", false, kCharsets, "charset")) mc.charset = *cs;
      if (auto ra = c_.choice(j, p, "reads_as", false, kReadsAs, "charset to read every message as")) mc.reads_as = *ra;
      const auto* accounts = array_member(j, p, "accounts", true);
      if (!accounts) continue;
      std::map<std::string, std::string> device_accounts;  // lower-case address -> pointer
      for (std::size_t k = 0; k < accounts->size(); ++k) {
        const std::string ap = Checker::child(p + "/accounts", k);
        const auto& a = (*accounts)[k];
        if (!c_.expect_object(a, ap, "an account object")) continue;
        c_.allowed_keys(a, ap, {"address", "user", "password", "name", "smtp", "incoming"});
        mail::AccountSpec acc;
        auto address = c_.string(a, ap, "address", true);
        if (!address) continue;
        std::string why;
        const auto rcpt = parse_recipient(*address, &why);
        if (!rcpt || !rcpt->display_name.empty()) {
          c_.error(ap + "/address", rcpt ? "an account's address is the bare address, \"" + rcpt->address +
                                               "\"; put the name in \"name\": \"" + cut_text(rcpt->display_name) + "\""
                                         : why);
          continue;
        }
        const auto at = address->rfind('@');
        // One device, one account per address: "account" could not tell two apart.
        std::string lower_address = *address;
        for (auto& ch : lower_address) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (auto first = device_accounts.find(lower_address); first != device_accounts.end()) {
          c_.error(ap + "/address", "duplicate account " + in_quotes(*address) + " on this device (first at " +
                                        where(first->second) + "); a device has one account per address");
          continue;
        }
        device_accounts.emplace(lower_address, ap);
        acc.address = *address;
        acc.user = c_.string(a, ap, "user", false).value_or(address->substr(0, at));
        acc.password = c_.string(a, ap, "password", false).value_or("");
        acc.display_name = c_.string(a, ap, "name", false).value_or("");
        if (auto sm = a.find("smtp"); sm != a.end()) {
          if (auto out = outgoing(*sm, ap + "/smtp", s, nullptr)) acc.smtp = *out;
        } else {
          c_.error(ap, "missing \"smtp\" (the server that sends this account's mail)");
        }
        if (auto in = a.find("incoming"); in != a.end()) {
          const std::string ip = ap + "/incoming";
          if (c_.expect_object(*in, ip)) {
            c_.allowed_keys(*in, ip, {"protocol", "server", "port", "tls", "leave_on_server"});
            mail::IncomingSpec inc;
            inc.protocol = c_.choice(*in, ip, "protocol", true, {"pop3", "imap"}, "protocol").value_or("pop3");
            inc.server = mail_server_ref(*in, ip, s).value_or("");
            inc.tls = c_.choice(*in, ip, "tls", false, kTlsModes, "TLS mode").value_or("none");
            const bool implicit = inc.tls == "implicit";
            inc.port = inc.protocol == "pop3" ? (implicit ? 995 : 110) : (implicit ? 993 : 143);
            if (auto port = c_.integer(*in, ip, "port", false, 1, 65535)) inc.port = static_cast<std::uint16_t>(*port);
            inc.leave_on_server = c_.boolean(*in, ip, "leave_on_server", false).value_or(false);
            if (inc.leave_on_server && inc.protocol == "imap")
              c_.error(ip + "/leave_on_server", "leave_on_server is a POP3 setting (IMAP always leaves mail on the server)");
            acc.incoming = inc;
          }
        }
        mc.accounts.push_back(acc);
        accounts_[acc.address] = h ? h->info.id : "";
      }
      if (h) h->mail_client = mc;
    }
  }

  // How a message is sent: an account's "smtp" (base == nullptr: "server" required) or a
  // send action's per-message "smtp" override of the account's settings `base` (every key
  // optional; a key not given keeps the account's value, except that a new "port" brings
  // that port's defaults for "auth" and "tls"). One set of rules for both.
  std::optional<mail::OutgoingSpec> outgoing(const nlohmann::json& obj, const std::string& p, const Scenario& s,
                                             const mail::OutgoingSpec* base) {
    if (!c_.expect_object(obj, p)) return std::nullopt;
    const std::size_t errors_before = c_.problems();
    c_.allowed_keys(obj, p, {"server", "port", "auth", "tls"});
    mail::OutgoingSpec out = base ? *base : mail::OutgoingSpec{};
    if (!base || obj.contains("server")) out.server = mail_server_ref(obj, p, s, !base).value_or("");
    const bool new_port = !base || obj.contains("port");
    if (auto port = c_.integer(obj, p, "port", false, 1, 65535)) out.port = static_cast<std::uint16_t>(*port);
    if (new_port) {
      out.auth = out.port != 25;
      out.tls = out.port == 465 ? "implicit" : out.port == 25 ? "none" : "starttls";
    }
    if (auto auth = c_.boolean(obj, p, "auth", false)) out.auth = *auth;
    if (auto tls = c_.choice(obj, p, "tls", false, kTlsModes, "TLS mode")) out.tls = *tls;
    if (c_.problems() != errors_before) return std::nullopt;
    return out;
  }

  std::optional<std::string> mail_server_ref(const nlohmann::json& obj, const std::string& p, const Scenario& s,
                                             bool required = true) {
    auto id = host_ref(obj, p, "server", s, required);
    if (!id) return std::nullopt;
    const HostSpec* h = find_host(s, *id);
    if (h && !h->mail_server) {
      c_.error(p + "/server", "host \"" + *id + "\" is not a mail server (give it \"mail_server\": {...})");
      return std::nullopt;
    }
    return id;
  }

  // A mail address that some server in the scenario hosts, with a hint when not.
  bool hosted_address(const nlohmann::json& obj, const std::string& p, const char* key, bool required) {
    auto a = c_.string(obj, p, key, required);
    if (!a) return !required;
    std::string lower = *a;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (mail_users_.count(lower)) return true;
    std::vector<std::string> known;
    if (!c_.full()) known.assign(mail_users_.begin(), mail_users_.end());
    const auto at = lower.find('@');
    std::string msg;
    if (const auto r = parse_recipient(*a); r && !r->display_name.empty()) {
      // An expectation names a mailbox, not a To: line.
      c_.error(Checker::child(p, key), "write just the mail address here, \"" + r->address + "\" (a name in "
                                       "front of it belongs only in a send's \"to\")");
      return false;
    }
    if (at == std::string::npos) msg = "expected a mail address such as \"kuroyagi@hogehoge.com\"";
    else if (!mail_domains_.count(lower.substr(at + 1))) msg = "no mail server hosts the domain " + lower.substr(at + 1);
    else msg = "no user \"" + lower.substr(0, at) + "\" on " + mail_domains_[lower.substr(at + 1)];
    if (auto near = closest_match(lower, known)) msg += " (did you mean \"" + *near + "\"?)";
    c_.error(Checker::child(p, key), msg);
    return false;
  }

  std::map<std::string, std::string> mail_domains_;  // domain -> host id
  std::set<std::string> mail_users_;                 // user@domain
  std::map<std::string, std::string> accounts_;      // address -> device host id
  std::vector<std::string> smarthost_refs_, smarthost_names_;
  std::set<std::string> senders_;  // who sends mail in this scenario (for "bounced"), made once
  bool senders_made_ = false;


  // "bounced"/"from": the envelope sender the bounce goes back to, so a mail address that sends
  // in this scenario (a device's account, a server's user, or a MAIL FROM of a scripted connect).
  bool bounce_sender(const nlohmann::json& e, const std::string& p, const Scenario& s) {
    auto from = c_.string(e, p, "from", true);
    if (!from) return false;
    const auto lower = [](std::string v) {
      for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return v;
    };
    if (!senders_made_) {  // made once: every expectation asks the same question
      senders_made_ = true;
      senders_.insert(mail_users_.begin(), mail_users_.end());
      for (const auto& [address, host] : accounts_) senders_.insert(lower(address));
      for (const auto& a : s.timeline) {
        const auto* connect = std::get_if<action::Connect>(&a.what);
        if (!connect) continue;
        for (const auto& line : connect->send) {
          const std::string l = lower(line);
          const auto lt = l.find('<'), gt = l.find('>');
          if (l.rfind("mail from:", 0) == 0 && lt != std::string::npos && gt != std::string::npos && gt > lt)
            senders_.insert(l.substr(lt + 1, gt - lt - 1));
        }
      }
    }
    const auto& senders = senders_;
    if (senders.count(lower(*from))) return true;
    std::string msg;
    if (const auto acc = std::find_if(accounts_.begin(), accounts_.end(),
                                      [&](const auto& kv) { return kv.second == *from; });
        acc != accounts_.end()) {
      msg = "expected the sender's mail address, not a host: host \"" + *from + "\" sends as \"" + acc->first +
            "\" (the bounce goes back to that address)";
    } else {
      msg = from->find('@') == std::string::npos
                ? "expected the sender's mail address, such as \"shiroyagi@example.com\" (the bounce goes back to it)"
                : "nobody in this scenario sends mail as \"" + *from + "\", so no bounce can go back to it";
      std::vector<std::string> known;
      if (!c_.full()) known.assign(senders.begin(), senders.end());
      if (auto near = closest_match(lower(*from), known)) msg += " (did you mean \"" + *near + "\"?)";
    }
    c_.error(p + "/from", msg);
    return false;
  }

  bool status_code(const nlohmann::json& e, const std::string& p) {
    auto st = c_.string(e, p, "status", false);
    if (!st) return false;
    const std::string& v = *st;
    const bool basic = v.size() == 3 && std::isdigit(static_cast<unsigned char>(v[0])) &&
                       std::isdigit(static_cast<unsigned char>(v[1])) && std::isdigit(static_cast<unsigned char>(v[2]));
    bool enhanced = v.size() >= 5 && (v[0] == '2' || v[0] == '4' || v[0] == '5') && v[1] == '.';
    if (enhanced) {
      const auto dot = v.find('.', 2);
      enhanced = dot != std::string::npos && dot > 2 && dot + 1 < v.size();
      for (std::size_t i = 2; enhanced && i < v.size(); ++i)
        if (i != dot && !std::isdigit(static_cast<unsigned char>(v[i]))) enhanced = false;
    }
    if (!basic && !enhanced) {
      c_.error(p + "/status", "expected a status such as \"5.1.1\" or \"550\"");
      return false;
    }
    return true;
  }

  // A device host with a mail client; `account` (optional) must be one of its accounts.
  // `found` (when given) receives the account the action uses, when it can be told.
  bool device_account(const nlohmann::json& a, const std::string& p, const char* key, const Scenario& s, bool incoming,
                      const mail::AccountSpec** found = nullptr) {
    auto host = host_ref(a, p, key, s, true);
    if (!host) return false;
    const HostSpec* h = find_host(s, *host);
    if (!h) return true;  // declared but broken: reported there
    if (!h->mail_client || h->mail_client->accounts.empty()) {
      c_.error(Checker::child(p, key), "host \"" + *host + "\" has no mail client (give it \"mail_client\": {\"accounts\": [...]})");
      return false;
    }
    const mail::AccountSpec* acc = &h->mail_client->accounts.front();
    if (auto name = c_.string(a, p, "account", false)) {
      acc = nullptr;
      std::vector<std::string> known;
      for (const auto& x : h->mail_client->accounts) {
        known.push_back(x.address);
        if (x.address == *name) acc = &x;
      }
      if (!acc) {
        std::string msg = "host \"" + *host + "\" has no account \"" + *name + "\"";
        if (auto near = closest_match(*name, known)) msg += " (did you mean \"" + *near + "\"?)";
        c_.error(p + "/account", msg);
        return false;
      }
    } else if (h->mail_client->accounts.size() > 1) {
      c_.error(p, "host \"" + *host + "\" has several accounts: say which with \"account\"");
      return false;
    }
    if (incoming && !acc->incoming) {
      c_.error(p, "account " + acc->address + " has no \"incoming\" settings (POP3 or IMAP) to check mail with");
      return false;
    }
    if (found) *found = acc;
    return true;
  }

  // A "dns_change": {"zone": ORIGIN, "remove": [RECORD...], "add": [RECORD...]}, records written
  // as in a zone. Removals must name a record the zone has by then (the zone as loaded, with the
  // earlier changes in the file applied); additions must lie inside the zone.
  std::optional<DnsChangeSpec> dns_change(const nlohmann::json& a, const std::string& p, const Scenario& s) {
    auto zone_text = c_.string(a, p, "zone", true);
    if (!zone_text) return std::nullopt;
    std::string why;
    auto origin = dns::Name::parse(*zone_text, why);
    if (!origin) {
      c_.error(p + "/zone", "bad domain name \"" + *zone_text + "\": " + why);
      return std::nullopt;
    }
    auto zi = zone_index_.find(origin->key());
    if (zi == zone_index_.end()) {
      std::vector<std::string> known;
      for (const auto& z : s.zones) known.push_back(z.zone.origin.to_string_no_dot());
      std::string msg = "no zone " + origin->to_string() + " in \"dns\": {\"zones\": [...]}";
      if (auto near = closest_match(origin->to_string_no_dot(), known)) msg += " (did you mean \"" + *near + "\"?)";
      c_.error(p + "/zone", msg);
      return std::nullopt;
    }
    auto& current = dns_zone_now_[origin->key()];
    if (!dns_zone_seen_.count(origin->key())) {
      current = s.zones[zi->second].zone.records;
      dns_zone_seen_.insert(origin->key());
    }
    DnsChangeSpec change;
    change.origin = *origin;
    bool ok = true;
    auto same = [](const dns::Record& x, const dns::Record& y) {
      return x.name == y.name && x.type == y.type && x.rclass == y.rclass && x.data == y.data;
    };
    auto records = [&](const char* key, std::vector<dns::Record>& out) {
      auto it = a.find(key);
      if (it == a.end()) return;
      const std::string kp = Checker::child(p, key);
      if (!it->is_array() || it->empty() || it->size() > 100) {
        c_.error(kp, "expected a list of 1 to 100 records such as [\"" + origin->to_string() + " 300 IN MX 10 mx2." +
                         origin->to_string() + "\"]");
        ok = false;
        return;
      }
      for (std::size_t k = 0; k < it->size(); ++k) {
        const std::string rp = Checker::child(kp, k);
        if (!(*it)[k].is_string()) {
          c_.error(rp, "expected a record such as \"" + origin->to_string() + " 300 IN MX 10 mx2." + origin->to_string() + "\"");
          ok = false;
          continue;
        }
        std::string error;
        auto rec = dns::parse_record((*it)[k].get<std::string>(), error);
        if (!rec) {
          c_.error(rp, "bad record: " + error);
          ok = false;
        } else if (rec->type == dns::Type::SOA) {
          c_.error(rp, "the SOA record cannot be changed by a dns_change (its serial goes up by itself)");
          ok = false;
        } else if (!rec->name.is_subdomain_of(*origin)) {
          c_.error(rp, "record " + rec->name.to_string() + " is outside zone " + origin->to_string());
          ok = false;
        } else if (std::string(key) == "remove" &&
                   std::none_of(current.begin(), current.end(), [&](const dns::Record& r) { return same(r, *rec); })) {
          std::string msg = "zone " + origin->to_string() + " has no record " + dns::to_string(*rec) + " to remove";
          std::vector<std::string> alike;
          for (const auto& r : current)
            if (r.name == rec->name && r.type == rec->type) alike.push_back(dns::to_string(r));
          if (!alike.empty()) msg += fmt::format(" (it has: {})", fmt::join(alike, "; "));
          c_.error(rp, msg);
          ok = false;
        } else {
          out.push_back(std::move(*rec));
        }
      }
    };
    records("remove", change.remove);
    records("add", change.add);
    if (!a.contains("remove") && !a.contains("add")) {
      c_.error(p, "nothing to change: give \"remove\" and/or \"add\" (lists of records, as in a zone)");
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
    // The zone as the next change in the file will find it; it must stay a sound zone.
    for (const auto& r : change.remove)
      current.erase(std::remove_if(current.begin(), current.end(), [&](const dns::Record& x) { return same(x, r); }),
                    current.end());
    for (const auto& r : change.add) current.push_back(r);
    dns::Zone after = s.zones[zi->second].zone;
    after.records = current;
    if (const std::string problem = dns::validate_zone(after); !problem.empty()) {
      c_.error(p, "after this change " + problem);
      return std::nullopt;
    }
    return change;
  }

  // ---- helpers ----

  bool dns_question(const nlohmann::json& obj, const std::string& p, const char* type_key) {
    bool ok = true;
    if (auto name = c_.string(obj, p, "name", true)) {
      std::string why;
      if (!dns::Name::parse(*name, why)) {
        c_.error(p + "/name", "bad domain name \"" + *name + "\": " + why);
        ok = false;
      }
    } else {
      ok = false;
    }
    if (auto t = c_.string(obj, p, type_key, false)) {
      if (!dns::parse_type(*t)) {
        c_.error(Checker::child(p, type_key), "unknown record type \"" + *t + "\" (A, AAAA, MX, NS, CNAME, TXT, SOA, PTR)");
        ok = false;
      }
    }
    return ok;
  }

  const nlohmann::json* array_member(const nlohmann::json& obj, const std::string& ptr, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) c_.error(ptr, fmt::format("missing \"{}\" (an array)", key));
      return nullptr;
    }
    if (!c_.expect_array(*it, Checker::child(ptr, key))) return nullptr;
    return &*it;
  }

  std::string where(const std::string& pointer) const {
    const auto l = src_.locate(pointer);
    return fmt::format("line {}:{}", l.line, l.column);
  }

  // "Did you mean" for an unknown id: only while the problems still get printed, and against
  // a list of ids made once (not one list per unknown reference).
  void unknown_host(const std::string& ptr, const std::string& name, const Scenario&) {
    std::string msg = "no host has the id " + in_quotes(name);
    if (!c_.full()) {
      if (host_ids_.size() != host_ptr_.size()) {
        host_ids_.clear();
        for (const auto& [id, _] : host_ptr_) host_ids_.push_back(id);
      }
      if (auto near = closest_match(name, host_ids_)) msg += " (did you mean \"" + *near + "\"?)";
    }
    c_.error(ptr, msg);
  }

  void unknown_network(const std::string& ptr, const std::string& name) {
    std::string msg = "no network has the id " + in_quotes(name);
    if (!c_.full()) {
      if (network_ids_.size() != network_ptr_.size()) {
        network_ids_.clear();
        for (const auto& [id, _] : network_ptr_) network_ids_.push_back(id);
      }
      if (auto near = closest_match(name, network_ids_)) msg += " (did you mean \"" + *near + "\"?)";
    }
    c_.error(ptr, msg);
  }

  std::optional<std::string> host_ref(const nlohmann::json& obj, const std::string& ptr, const char* key,
                                      const Scenario& s, bool required) {
    auto name = c_.string(obj, ptr, key, required);
    if (!name) return std::nullopt;
    if (host_ptr_.count(*name)) return name;  // declared (its own mistakes are reported there)
    unknown_host(Checker::child(ptr, key), *name, s);
    return std::nullopt;
  }

  // A destination: a host id, or any IPv4 address (an address nobody has is allowed: the
  // lesson may be about exactly that).
  bool destination(const nlohmann::json& obj, const std::string& ptr, const char* key, const Scenario& s) {
    auto name = c_.string(obj, ptr, key, true);
    if (!name) return false;
    if (Ipv4::parse(*name)) return true;
    if (host_ptr_.count(*name)) return true;
    unknown_host(Checker::child(ptr, key), *name, s);
    return false;
  }

  const JsonSource& src_;
  Checker c_;
  std::map<std::string, std::string> network_ptr_;
  std::map<std::string, std::string> host_ptr_;
  // Indexes, so that a world of 200,000 hosts is checked in linear time.
  static constexpr std::size_t kNoHost = static_cast<std::size_t>(-1);
  std::unordered_map<std::string, std::size_t> host_index_;     // host id -> Scenario::hosts index
  std::vector<std::size_t> host_entry_;                         // /hosts/i -> Scenario::hosts index
  std::unordered_map<std::string, std::size_t> network_index_;  // network id -> Scenario::networks index
  std::map<std::uint32_t, std::size_t> ranges_;                 // network base -> Scenario::networks index
  std::unordered_map<std::string, std::size_t> zone_index_;     // origin key -> Scenario::zones index
  // dns_change actions: each zone's records as the file's changes so far leave it.
  std::map<std::string, std::vector<dns::Record>> dns_zone_now_;
  std::set<std::string> dns_zone_seen_;
  std::vector<std::string> host_ids_, network_ids_;             // for hints, made once
  std::unordered_map<std::string, std::string> host_names_;     // host name (en) -> its pointer
  std::unordered_map<std::string, std::string> server_hostnames_;  // lower-case hostname -> host id
};

}  // namespace

std::string_view action::to_string(MessageVerb v) {
  switch (v) {
    case MessageVerb::Open: return "open";
    case MessageVerb::MarkRead: return "mark_read";
    case MessageVerb::Delete: return "delete";
  }
  return "?";
}

std::string_view action_name(const Action& a) {
  struct Word {
    std::string_view operator()(const action::Connect&) const { return "connect"; }
    std::string_view operator()(const action::Lookup&) const { return "lookup"; }
    std::string_view operator()(const action::HostPower& x) const { return x.up ? "host_up" : "host_down"; }
    std::string_view operator()(const action::DeviceNetwork& x) const { return x.online ? "go_online" : "go_offline"; }
    std::string_view operator()(const action::Link& x) const { return x.up ? "link_up" : "link_down"; }
    std::string_view operator()(const action::Send&) const { return "send"; }
    std::string_view operator()(const action::CheckMail&) const { return "check_mail"; }
    std::string_view operator()(const action::OnMessage& x) const { return action::to_string(x.verb); }
    std::string_view operator()(const action::Reply&) const { return "reply"; }
    std::string_view operator()(const action::ChangeAccount&) const { return "change_account"; }
    std::string_view operator()(const action::ChangeServer&) const { return "change_server"; }
    std::string_view operator()(const action::EmptyFolder&) const { return "empty_folder"; }
    std::string_view operator()(const action::DnsChange&) const { return "dns_change"; }
  };
  return std::visit(Word{}, a);
}

std::optional<Recipient> parse_recipient(std::string_view text, std::string* why) {
  auto fail = [&](std::string m) -> std::optional<Recipient> {
    if (why) *why = std::move(m);
    return std::nullopt;
  };
  const std::string shown = in_quotes(text);
  if (text.empty()) return fail("expected a mail address such as \"kuroyagi@hogehoge.com\", not an empty text");
  Recipient r;
  std::string_view addr = text;
  if (const auto lt = text.find('<'); lt != std::string_view::npos) {
    // "Name <address>", as in a To: line (RFC 5322 3.4 name-addr).
    const std::string_view name = text.substr(0, lt);
    const bool no_name = name.find_first_not_of(" \t") == std::string_view::npos;
    const auto gt = text.find('>', lt);
    if (gt == std::string_view::npos || text.find_first_not_of(" \t", gt + 1) != std::string_view::npos)
      return fail(shown + " is not a mail address: write a name and address as \"Kuroyagi <kuroyagi@hogehoge.com>\" "
                          "(one '<', one '>', nothing after it)");
    addr = text.substr(lt + 1, gt - lt - 1);
    if (no_name)
      return fail(shown + ": write the address without angle brackets, \"" + cut_text(addr, kMaxQuotedBytes) +
                  "\" (the brackets belong to SMTP's RCPT TO:<...>, which the mail program writes itself)");
    const auto parsed = message::parse_addresses(text);
    if (parsed.size() != 1 || parsed.front().is_group || parsed.front().mailbox.domain.empty())
      return fail(shown + " is not a name and mail address: write it as \"Kuroyagi <kuroyagi@hogehoge.com>\" (put a name "
                          "with dots or commas in double quotes)");
    r.display_name = parsed.front().mailbox.display_name;
  }
  const std::string a(addr);
  if (a.find('@') == std::string::npos)
    return fail(shown + " is not a mail address: it has no '@' (write local-part@domain, such as "
                        "\"kuroyagi@hogehoge.com\")");
  if (a.find_first_of(" \t") != std::string::npos) {
    const auto sp = a.find_last_of(" \t");
    const std::string before = a.substr(0, a.find_first_of(" \t")), after = a.substr(sp + 1);
    if (addr.size() == text.size() && after.find('@') != std::string::npos && before.find('@') == std::string::npos)
      return fail(shown + " has a space, and a mail address never does: if \"" + cut_text(before, kMaxQuotedBytes) +
                  "\" is a name, write \"" + cut_text(a.substr(0, sp), kMaxQuotedBytes) + " <" +
                  cut_text(after, kMaxQuotedBytes) + ">\"");
    return fail(shown + " has a space, and a mail address never does");
  }
  if (a.front() != '"' && std::count(a.begin(), a.end(), '@') > 1)
    return fail(shown + " has more than one '@' (a mail address is local-part@domain with a single '@')");
  if (!smtp::valid_mailbox(a)) {
    std::string reason;
    smtp::parse_path("<" + a + ">", smtp::PathOptions{}, &reason);
    return fail(shown + " is not a valid mail address" + (reason.empty() ? std::string() : ": " + reason) +
                " (RFC 5321: local-part@domain, such as \"kuroyagi@hogehoge.com\")");
  }
  r.address = a;
  return r;
}

LoadResult load_scenario_text(std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{file, {1, 1}, "", fmt::format("the file is larger than {} MiB; a scenario never is",
                                                                     kMaxScenarioBytes >> 20)});
    return r;
  }
  JsonSyntaxError err;
  auto src = parse_json_source(text, file, err);
  if (!src) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{file, err.where, "", err.message});
    return r;
  }
  return Loader(*src).load();
}

LoadResult load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    r.diagnostics.push_back(
        Diagnostic{path, {0, 0}, "", exists ? "cannot read the file" : "no such file"});
    return r;
  }
  // Read in pieces and stop one byte past the limit: /dev/zero or a 50 MB file is refused
  // after 16 MiB, never read whole.
  std::string text;
  char buf[64 * 1024];
  while (in && text.size() <= kMaxScenarioBytes) {
    in.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, kMaxScenarioBytes + 1 - text.size())));
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > kMaxScenarioBytes) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{path, {1, 1}, "", fmt::format("the file is larger than {} MiB; a scenario never is "
                                                                     "(stopped reading there)", kMaxScenarioBytes >> 20)});
    return r;
  }
  return load_scenario_text(text, path);
}

}  // namespace mailsim::sim
