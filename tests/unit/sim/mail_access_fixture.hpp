// A small mail world for the receiving-mail tests: one server, a PC and a phone.
#pragma once
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/apps/mail/access_apps.hpp"
#include "sim/apps/mail/device_mailbox.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::test {

// An account on example.com for a device; incoming protocol/port/tls as given.
inline nlohmann::json access_account(const std::string& protocol, int port, const std::string& tls, bool leave = false) {
  nlohmann::json in = {{"protocol", protocol}, {"server", "mail"}, {"port", port}, {"tls", tls}};
  if (leave) in["leave_on_server"] = true;
  return {{"address", "shiroyagi@example.com"},
          {"password", "meadow"},
          {"smtp", {{"server", "mail"}, {"port", 587}}},
          {"incoming", in}};
}

// The scenario: ISP network with a PC and a phone, a provider with the mail server.
inline nlohmann::json access_scenario(const nlohmann::json& pc_account, const nlohmann::json& phone_account,
                                      const std::vector<nlohmann::json>& timeline, const std::string& quota = "") {
  nlohmann::json user = {{"name", "shiroyagi"}, {"password", "meadow"}};
  if (!quota.empty()) user["quota"] = quota;
  return {
      {"mailsim", 1},
      {"title", {{"en", "t"}, {"ja", "t"}}},
      {"description", {{"en", "t"}, {"ja", "t"}}},
      {"seed", 3},
      {"networks",
       {{{"id", "home"}, {"kind", "access"}, {"cidr", "192.0.2.0/24"}, {"latency", "5ms"}},
        {{"id", "provider"}, {"kind", "datacenter"}, {"cidr", "203.0.113.0/24"}, {"latency", "1ms"}}}},
      {"hosts",
       {{{"id", "pc"}, {"kind", "pc"}, {"network", "home"}, {"ip", "192.0.2.10"},
         {"mail_client", {{"accounts", {pc_account}}}}},
        {{"id", "phone"}, {"kind", "phone"}, {"network", "home"}, {"ip", "192.0.2.11"},
         {"mail_client", {{"accounts", {phone_account}}}}},
        {{"id", "mail"}, {"kind", "mail_server"}, {"network", "provider"}, {"ip", "203.0.113.25"},
         {"mail_server",
          {{"hostname", "mail.example.com"},
           {"domains", {"example.com"}},
           {"users", {user}},
           {"ports",
            {{{"port", 110}, {"role", "pop3"}},
             {{"port", 995}, {"role", "pop3s"}},
             {{"port", 143}, {"role", "imap"}},
             {{"port", 993}, {"role", "imaps"}}}}}}}}},
      {"timeline", nlohmann::json(timeline)},
  };
}

inline std::string letter(const std::string& subject, const std::string& body = "Hello from Kuroyagi.") {
  return "From: kuroyagi@example.com\r\nTo: shiroyagi@example.com\r\nSubject: " + subject +
         "\r\nDate: Sat, 1 Nov 2025 09:00:00 +0900\r\nMessage-ID: <" + subject + "@example.com>\r\n\r\n" + body + "\r\n";
}

// The world built the way the runner does: network, stores, access apps.
struct AccessWorld {
  sim::Scenario sc;
  sim::Simulation sim;
  sim::mail::MailWorld world;

  static sim::Scenario load(const nlohmann::json& j) {
    auto r = sim::load_scenario_text(j.dump(), "test.json");
    std::string all;
    for (const auto& d : r.diagnostics) all += d.format() + "\n";
    INFO(all);
    REQUIRE(r.scenario);
    return *r.scenario;
  }

  explicit AccessWorld(const nlohmann::json& j, std::vector<sim::ActionSpec> extra = {})
      : AccessWorld(load(j), std::move(extra)) {}

  AccessWorld(sim::Scenario scenario, std::vector<sim::ActionSpec> extra)
      : sc(std::move(scenario)), sim(sc.seed, sc.transport) {
    for (auto& a : extra) sc.timeline.push_back(std::move(a));
    std::stable_sort(sc.timeline.begin(), sc.timeline.end(),
                     [](const sim::ActionSpec& x, const sim::ActionSpec& y) { return x.at < y.at; });
    for (const auto& n : sc.networks) sim.network().add_network(n);
    sim.network().set_internet_latency(sc.internet_latency);
    for (const auto& h : sc.hosts) sim.network().add_host(h.info);
    sim::mail::build_mail_stores(sim, sc, world);
    sim::mail::install_mail_access(sim, sc, world);
    sim.start();
  }

  sim::mail::MailStore& store() { return *world.store("mail"); }
  sim::mail::DeliveryResult deliver(const std::string& subject, const std::string& body = "Hello from Kuroyagi.") {
    return store().deliver("shiroyagi", "INBOX", letter(subject, body), sim.now());
  }
  void run_until(sim::Time t) { sim.core().run_until(t); }
  std::size_t inbox() { return store().snapshot("shiroyagi", "INBOX")->messages.size(); }

  // Device records of one host with this event.
  std::vector<sim::Record> device(const std::string& host, std::string_view event) const {
    std::vector<sim::Record> out;
    for (const auto& r : sim.trace().records())
      if (r.kind == sim::RecordKind::Mailbox && r.host == host && r.event == event) out.push_back(r);
    return out;
  }
  // Protocol lines (summaries) recorded on a host.
  std::vector<std::string> lines(const std::string& host, const std::string& protocol) const {
    std::vector<std::string> out;
    for (const auto& r : sim.trace().records())
      if (r.kind == sim::RecordKind::Protocol && r.host == host && r.protocol == protocol &&
          (r.protocol_event() == sim::ProtoEvent::Command || r.protocol_event() == sim::ProtoEvent::Reply))
        out.push_back(r.text());
    return out;
  }
  const sim::Record* first_line(const std::string& host, const std::string& prefix) const {
    for (const auto& r : sim.trace().records())
      if (r.kind == sim::RecordKind::Protocol && r.host == host && r.text().rfind(prefix, 0) == 0) return &r;
    return nullptr;
  }
};

inline sim::ActionSpec timeline_entry(sim::Time at, sim::Action what) {
  sim::ActionSpec a;
  a.at = at;
  a.what = std::move(what);
  return a;
}

}  // namespace mailsim::test
