// Building the world from a scenario, running it, and checking expectations on the trace.
#include "sim/runner.hpp"

#include <fmt/format.h>

#include "protocols/dns/presentation.hpp"
#include "sim/basic_apps.hpp"
#include "sim/dns_service.hpp"
#include "sim/simulation.hpp"

namespace mailsim::sim {
namespace {

Endpoint resolve_destination(const Network& net, const std::string& to, std::uint16_t port) {
  if (auto ip = Ipv4::parse(to)) return Endpoint{*ip, port};
  const HostInfo* h = net.host(to);
  return Endpoint{h ? h->ip : Ipv4{}, port};
}

void build_world(Simulation& sim, const Scenario& s) {
  for (const auto& n : s.networks) sim.network().add_network(n);
  sim.network().set_internet_latency(s.internet_latency);
  for (const auto& p : s.paths) sim.network().set_path_latency(p.a, p.b, p.latency);
  for (const auto& h : s.hosts) {
    sim.network().add_host(h.info);
    if (h.down) sim.transport().set_host_up(h.info.id, false);
    for (const auto& svc : h.services) {
      if (svc.app == "echo" || svc.app == "discard")
        sim.add_app(std::make_unique<EchoService>(h.info.id, svc.port, svc.app == "discard"));
    }
  }
  // DNS servers: their zones, and root hints from whoever serves the root zone.
  std::vector<dns::ServerHint> hints;
  for (const auto& h : s.hosts) {
    if (!h.dns_server) continue;
    for (const auto& z : h.dns_server->zones) {
      if (z != dns::Name().key()) continue;
      dns::ServerHint hint;
      hint.address = to_dns(h.info.ip);
      std::string error;
      hint.name = *dns::Name::parse(h.info.id, error);
      for (const auto& zs : s.zones) {
        if (!zs.zone.origin.is_root()) continue;
        for (const auto& r : zs.zone.records)
          if (r.type == dns::Type::A && std::get<dns::AData>(r.data).address == hint.address) hint.name = r.name;
      }
      hints.push_back(hint);
    }
  }
  for (const auto& h : s.hosts) {
    if (!h.dns_server) continue;
    DnsServerConfig cfg;
    cfg.recursive = h.dns_server->recursive;
    if (cfg.recursive) cfg.root_hints = hints;
    for (const auto& key : h.dns_server->zones)
      for (const auto& zs : s.zones)
        if (zs.zone.origin.key() == key) cfg.zones.push_back(zs.zone);
    sim.add_app(std::make_unique<DnsServerApp>(h.info.id, std::move(cfg)));
  }
  for (const auto& a : s.timeline) {
    if (a.kind == "lookup") {
      const std::string from = a.args.at("from").get<std::string>();
      std::string resolver;
      for (const auto& h : s.hosts)
        if (h.info.id == from) resolver = h.resolver;
      std::string error;
      const auto name = *dns::Name::parse(a.args.at("name").get<std::string>(), error);
      const auto type = dns::parse_type(a.args.value("type", "A")).value_or(dns::Type::A);
      sim.add_app(std::make_unique<LookupApp>(from, a.at, sim.network().host(resolver)->ip, name, type));
      continue;
    }
    if (a.kind == "connect") {
      ScriptedClient::Script script;
      script.at = a.at;
      script.to = resolve_destination(sim.network(), a.args.at("to").get<std::string>(),
                                      static_cast<std::uint16_t>(a.args.at("port").get<int>()));
      if (auto it = a.args.find("send"); it != a.args.end())
        for (const auto& l : *it) script.lines.push_back(l.get<std::string>());
      if (auto it = a.args.find("wait"); it != a.args.end())
        script.wait = parse_duration(it->get<std::string>()).value_or(2 * kSecond);
      script.label = a.args.value("label", "");
      sim.add_app(std::make_unique<ScriptedClient>(a.args.at("from").get<std::string>(), std::move(script)));
    } else if (a.kind == "host_down" || a.kind == "host_up") {
      const std::string host = a.args.at("host").get<std::string>();
      const bool up = a.kind == "host_up";
      Simulation* sp = &sim;
      sim.core().schedule_at(a.at, [sp, host, up] {
        sp->transport().set_host_up(host, up);
        Record r;
        r.kind = RecordKind::Action;
        r.event = up ? "host_up" : "host_down";
        r.host = host;
        r.summary = host + (up ? " is back up" : " goes down");
        sp->record(std::move(r));
      });
    }
  }
}

std::string host_of_destination(const Scenario& s, const std::string& to) {
  if (auto ip = Ipv4::parse(to)) {
    for (const auto& h : s.hosts)
      if (h.info.ip == *ip) return h.info.id;
    return to;
  }
  return to;
}

ExpectationResult check_connection(const Scenario& s, const ExpectationSpec& e, const Trace& trace) {
  const std::string from = e.args.at("from").get<std::string>();
  const std::string to = host_of_destination(s, e.args.at("to").get<std::string>());
  const auto port = e.args.at("port").get<int>();
  const std::string want = e.args.at("result").get<std::string>();
  ExpectationResult r;
  r.pointer = e.pointer;
  const char* verb = want == "established" ? "is established" : want == "refused" ? "is refused" : "times out";
  r.description = fmt::format("a connection from {} to {} port {} {}", from, to, port, verb);
  std::vector<std::string> seen;
  const std::string suffix = ":" + std::to_string(port);
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Connection || rec.host != from || rec.peer != to) continue;
    const std::string server = rec.detail.value("server", "");
    if (server.size() < suffix.size() || server.compare(server.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    if (rec.event == "established" || rec.event == "refused" || rec.event == "timeout") {
      seen.push_back(rec.event + " at " + format_time(rec.time));
      if (rec.event == want) {
        r.passed = true;
        r.actual = rec.summary;
        return r;
      }
    }
  }
  if (seen.empty()) {
    r.actual = "no connection from " + from + " to " + to + " port " + std::to_string(port) + " was attempted";
  } else {
    r.actual = "instead: ";
    for (std::size_t i = 0; i < seen.size(); ++i) r.actual += (i ? ", " : "") + seen[i];
  }
  return r;
}

ExpectationResult check_blocked(const ExpectationSpec& e, const Trace& trace) {
  const std::string policy = e.args.at("policy").get<std::string>();
  const std::string from = e.args.value("from", "");
  const int port = e.args.value("port", 0);
  ExpectationResult r;
  r.pointer = e.pointer;
  r.description = "policy " + policy + " blocks traffic" + (from.empty() ? "" : " from " + from) +
                  (port ? " to port " + std::to_string(port) : "");
  std::size_t other = 0;
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Policy) continue;
    if (rec.detail.value("rule", "") != policy) {
      ++other;
      continue;
    }
    if (!from.empty() && rec.host != from) continue;
    if (port && rec.detail.value("dst_port", 0) != port) continue;
    r.passed = true;
    r.actual = rec.summary;
    return r;
  }
  r.actual = other ? fmt::format("policy {} never fired ({} other policy decision(s))", policy, other)
                   : "no policy fired at all";
  return r;
}

ExpectationResult check_dns(const ExpectationSpec& e, const Trace& trace) {
  const std::string host = e.args.value("host", "");
  std::string error;
  const std::string name = dns::Name::parse(e.args.at("name").get<std::string>(), error)->to_string_no_dot();
  const std::string qtype = e.args.value("qtype", "A");
  const std::string outcome = e.args.value("outcome", "");
  const std::string contains = e.args.value("answer_contains", "");
  ExpectationResult r;
  r.pointer = e.pointer;
  r.description = fmt::format("{} lookup of {} {}{}{}", host.empty() ? "a" : host + "'s", qtype, name,
                              outcome.empty() ? "" : " gives " + outcome,
                              contains.empty() ? "" : " with an answer containing \"" + contains + "\"");
  std::vector<std::string> seen;
  auto lower = [](std::string v) {
    for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v;
  };
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Dns || rec.event != "result") continue;
    if (!host.empty() && rec.host != host) continue;
    if (lower(rec.detail.value("qname", "")) != lower(name) || rec.detail.value("qtype", "") != qtype) continue;
    seen.push_back(rec.summary);
    if (!outcome.empty() && rec.detail.value("outcome", "") != outcome) continue;
    if (!contains.empty()) {
      bool found = false;
      for (const auto& a : rec.detail.value("answers", nlohmann::json::array()))
        if (a.get<std::string>().find(contains) != std::string::npos) found = true;
      if (!found) continue;
    }
    r.passed = true;
    r.actual = rec.summary;
    return r;
  }
  if (seen.empty()) {
    r.actual = "no such lookup happened";
  } else {
    r.actual = "instead: ";
    for (std::size_t i = 0; i < seen.size(); ++i) r.actual += (i ? "; " : "") + seen[i];
  }
  return r;
}

}  // namespace

bool RunResult::all_passed() const {
  for (const auto& e : expectations)
    if (!e.passed) return false;
  return true;
}

std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace) {
  std::vector<ExpectationResult> out;
  for (const auto& e : scenario.expectations) {
    if (e.kind == "connection") out.push_back(check_connection(scenario, e, trace));
    else if (e.kind == "blocked") out.push_back(check_blocked(e, trace));
    else if (e.kind == "dns") out.push_back(check_dns(e, trace));
  }
  return out;
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  Simulation sim(scenario.seed, scenario.transport);
  sim.trace().meta = {{"scenario", scenario.name},
                      {"title", scenario.title.en},
                      {"seed", scenario.seed}};
  build_world(sim, scenario);
  sim.start();
  const Time stop = options.until ? std::min(*options.until, scenario.run_for) : scenario.run_for;
  RunResult result;
  for (;;) {
    const Time next = sim.core().next_time();
    if (next < 0) break;
    if (next > stop) {
      result.stopped_early = true;
      break;
    }
    sim.core().step();
  }
  result.end_time = sim.now();
  result.events = sim.core().executed();
  result.trace = std::move(sim.trace());
  result.expectations = check_expectations(scenario, result.trace);
  return result;
}

}  // namespace mailsim::sim
