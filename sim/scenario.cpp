// The scenario loader: JSON -> validated Scenario, with file:line:col errors and hints.
#include "sim/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "protocols/dns/presentation.hpp"

namespace mailsim::sim {
namespace {

const std::vector<std::string> kNetworkKinds{"access", "datacenter", "lan"};
const std::vector<std::string> kHostKinds{"pc", "phone", "mail_server", "dns_server", "server", "gateway", "observer"};
const std::vector<std::string> kServiceApps{"echo", "discard"};
const std::vector<std::string> kPolicyActions{"drop", "reject", "allow"};
const std::vector<std::string> kPolicyPresets{"op25b"};
const std::vector<std::string> kActionKinds{"connect", "lookup", "host_down", "host_up"};
const std::vector<std::string> kExpectationKinds{"connection", "blocked", "dns"};
const std::vector<std::string> kDnsOutcomes{"NOERROR", "NXDOMAIN", "NODATA", "SERVFAIL"};
const std::vector<std::string> kConnectionResults{"established", "refused", "timeout"};

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
                               "internet", "dns", "hosts", "timeline", "expectations"});
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
    for (const auto& z : s.zones) {
      bool served = false;
      for (const auto& h : s.hosts)
        if (h.dns_server)
          for (const auto& k : h.dns_server->zones)
            if (k == z.zone.origin.key()) served = true;
      if (!served)
        c_.error(z.pointer + "/origin", "no host serves zone " + z.zone.origin.to_string() +
                                            " (list it in a host's \"dns_server\": {\"zones\": [...]})");
    }
    policies_targets(root, s);
    timeline(root, s);
    expectations(root, s);
    return finish(s);
  }

 private:
  LoadResult finish(Scenario& s) {
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
    c_.allowed_keys(*it, p, {"mss", "connect_timeout", "syn_retry", "run_for"});
    if (auto mss = c_.integer(*it, p, "mss", false, 64, 65495)) s.transport.mss = static_cast<std::uint32_t>(*mss);
    if (auto t = c_.duration(*it, p, "connect_timeout", false)) {
      if (*t <= 0) c_.error(p + "/connect_timeout", "the connect timeout must be longer than zero");
      else s.transport.connect_timeout = *t;
    }
    if (auto t = c_.duration(*it, p, "syn_retry", false)) {
      if (*t <= 0) c_.error(p + "/syn_retry", "the SYN retry interval must be longer than zero");
      else s.transport.initial_rto = *t;
    }
    if (auto t = c_.duration(*it, p, "run_for", false)) {
      if (*t <= 0) c_.error(p + "/run_for", "run_for must be longer than zero");
      else s.run_for = *t;
    }
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
          c_.error(p + "/id", fmt::format("duplicate network id \"{}\" (first defined at {})", *id,
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
      for (const auto& other : s.networks) {
        if (other.cidr.contains(cidr->base) || cidr->contains(other.cidr.base))
          c_.error(p + "/cidr", fmt::format("the range {} overlaps network \"{}\" ({})", cidr->str(), other.id,
                                            other.cidr.str()));
      }
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
      auto net = std::find_if(s.networks.begin(), s.networks.end(),
                              [&](const NetworkInfo& x) { return n.value("id", "") == x.id; });
      const auto* list = array_member(n, p, "policies", false);
      if (!list || net == s.networks.end()) continue;
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
        auto h = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const HostSpec& x) { return x.info.id == name; });
        if (h == s.hosts.end()) {
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
    std::map<std::uint32_t, std::string> ips;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& h = (*list)[i];
      const std::string p = Checker::child("/hosts", i);
      if (!c_.expect_object(h, p, "a host object")) continue;
      c_.allowed_keys(h, p, {"id", "kind", "name", "network", "ip", "services", "dns_server", "resolver", "down"});
      HostSpec spec;
      spec.pointer = p;
      auto id = c_.identifier(h, p, "id", true);
      if (id) {
        if (host_ptr_.count(*id)) {
          c_.error(p + "/id", fmt::format("duplicate host id \"{}\" (first defined at {})", *id, where(host_ptr_[*id])));
          continue;
        }
        host_ptr_[*id] = p;
        spec.info.id = *id;
      }
      spec.info.kind = c_.choice(h, p, "kind", true, kHostKinds, "host kind").value_or("server");
      if (auto nm = c_.localized(h, p, "name", false)) {
        spec.info.name = nm->first;
        spec.info.name_ja = nm->second;
      } else {
        spec.info.name = spec.info.id;
      }
      auto net = c_.string(h, p, "network", true);
      const NetworkInfo* ni = nullptr;
      if (net) {
        for (const auto& n : s.networks)
          if (n.id == *net) ni = &n;
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
      if (id && net && ip) s.hosts.push_back(std::move(spec));
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
      for (const auto& other : s.zones)
        if (other.zone.origin == *origin)
          c_.error(zp + "/origin", "zone " + origin->to_string() + " is defined twice (first at " + where(other.pointer) + ")");
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
        if (!problem.empty()) c_.error(zp, problem);
        else s.zones.push_back(std::move(spec));
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
        bool found = false;
        std::vector<std::string> origins;
        for (const auto& z : s.zones) {
          origins.push_back(z.zone.origin.to_string_no_dot());
          if (name && z.zone.origin == *name) found = true;
        }
        if (!found) {
          std::string msg = "no zone \"" + text + "\" is defined in /dns/zones";
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
      auto h = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const HostSpec& x) { return x.pointer == p; });
      if (h == s.hosts.end()) continue;
      if (auto r = host_ref(hj, p, "resolver", s, false)) {
        auto target = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const HostSpec& x) { return x.info.id == *r; });
        if (target != s.hosts.end() && !(target->dns_server && target->dns_server->recursive))
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
      ActionSpec spec;
      spec.pointer = p;
      auto at = c_.duration(a, p, "at", true);
      auto kind = c_.choice(a, p, "do", true, kActionKinds, "action");
      if (!at || !kind) continue;
      spec.at = *at;
      spec.kind = *kind;
      spec.args = a;
      bool ok = true;
      if (*kind == "connect") {
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
      } else if (*kind == "lookup") {
        c_.allowed_keys(a, p, {"at", "do", "from", "name", "type"});
        auto from = host_ref(a, p, "from", s, true);
        ok &= from.has_value();
        ok &= dns_question(a, p);
        if (from) {
          auto h = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const HostSpec& x) { return x.info.id == *from; });
          if (h != s.hosts.end() && h->resolver.empty()) {
            c_.error(p + "/from", "host \"" + *from + "\" has no DNS resolver to ask (give it \"resolver\")");
            ok = false;
          }
        }
      } else {
        c_.allowed_keys(a, p, {"at", "do", "host"});
        ok &= host_ref(a, p, "host", s, true).has_value();
      }
      if (ok) s.timeline.push_back(std::move(spec));
    }
    std::stable_sort(s.timeline.begin(), s.timeline.end(),
                     [](const ActionSpec& x, const ActionSpec& y) { return x.at < y.at; });
  }

  void expectations(const nlohmann::json& root, Scenario& s) {
    const auto* list = array_member(root, "", "expectations", false);
    if (!list) return;
    std::set<std::string> policy_ids;
    for (const auto& n : s.networks)
      for (const auto& r : n.policies) policy_ids.insert(r.id);
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& e = (*list)[i];
      const std::string p = Checker::child("/expectations", i);
      if (!c_.expect_object(e, p, "an expectation object")) continue;
      auto kind = c_.choice(e, p, "type", true, kExpectationKinds, "expectation type");
      if (!kind) continue;
      bool ok = true;
      if (*kind == "connection") {
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
      if (ok) s.expectations.push_back(ExpectationSpec{*kind, e, p});
    }
  }

  // ---- helpers ----

  bool dns_question(const nlohmann::json& obj, const std::string& p, const char* type_key = "type") {
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

  void unknown_host(const std::string& ptr, const std::string& name, const Scenario&) {
    std::vector<std::string> ids;
    for (const auto& [id, _] : host_ptr_) ids.push_back(id);
    std::string msg = "no host has the id \"" + name + "\"";
    if (auto near = closest_match(name, ids)) msg += " (did you mean \"" + *near + "\"?)";
    c_.error(ptr, msg);
  }

  void unknown_network(const std::string& ptr, const std::string& name) {
    std::vector<std::string> ids;
    for (const auto& [id, _] : network_ptr_) ids.push_back(id);
    std::string msg = "no network has the id \"" + name + "\"";
    if (auto near = closest_match(name, ids)) msg += " (did you mean \"" + *near + "\"?)";
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
};

}  // namespace

LoadResult load_scenario_text(std::string_view text, const std::string& file) {
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
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.size() > 16 * 1024 * 1024) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{path, {1, 1}, "", "the file is larger than 16 MiB; a scenario never is"});
    return r;
  }
  return load_scenario_text(text, path);
}

}  // namespace mailsim::sim
