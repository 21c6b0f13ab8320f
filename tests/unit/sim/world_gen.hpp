// Seeded random mail worlds as scenario JSON (for the property test and the runaway tests):
// 2-6 domains, random MX layouts with backup MXs, quotas, sizes, unknown users and domains,
// and hosts going down and up in the middle of transfers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/random.hpp"

namespace mailsim::test {

struct WorldGenOptions {
  // Servers and devices going down and up during the run. Off by default until the
  // vanishing-peer fixes land (docs/guarantees.md says how to turn it on in the test).
  bool downs = false;
  int min_domains = 2, max_domains = 6;
};

// The world of `seed`: the same seed always gives the same JSON.
inline nlohmann::json random_world(std::uint64_t seed, const WorldGenOptions& o = {}) {
  // Seeds 1, 2, 3 ... as SplitMix64 states would give one stream shifted by a step: mix first.
  sim::Random rng(sim::Random(seed).next());
  auto pick = [&](std::uint64_t n) { return static_cast<int>(rng.below(n)); };
  auto chance = [&](int percent) { return pick(100) < percent; };
  const int domains = o.min_domains + pick(static_cast<std::uint64_t>(o.max_domains - o.min_domains + 1));

  nlohmann::json s;
  s["mailsim"] = 1;
  s["title"] = fmt::format("random world {}", seed);
  s["seed"] = seed;
  // Short retries and lifetimes, so that every queue empties long before the end of the run.
  s["settings"] = {{"run_for", "3h"}, {"max_events", 400000}, {"max_records", 200000}, {"max_trace_mb", 64}};
  s["networks"] = nlohmann::json::array(
      {{{"id", "home"}, {"kind", "access"}, {"cidr", "192.0.2.0/24"}, {"latency", "5ms"}},
       {{"id", "dc"}, {"kind", "datacenter"}, {"cidr", "198.51.100.0/24"}, {"latency", "1ms"}}});
  nlohmann::json zones = nlohmann::json::array();
  nlohmann::json hosts = nlohmann::json::array();
  std::vector<std::string> zone_names, servers, devices;
  std::vector<std::vector<std::string>> users(static_cast<std::size_t>(domains));
  int next_ip = 10;
  for (int d = 0; d < domains; ++d) {
    const std::string dom = fmt::format("d{}.example", d);
    zone_names.push_back(dom);
    nlohmann::json records = nlohmann::json::array();
    nlohmann::json mail{{"hostname", "mx." + dom}, {"domains", {dom}}, {"users", nlohmann::json::array()},
                        {"retry", {"20s", "1m"}}, {"give_up_after", "4m"}};
    const int n_users = 1 + pick(3);
    for (int u = 0; u < n_users; ++u) {
      nlohmann::json user{{"name", fmt::format("u{}", u)}, {"password", "pw"}};
      if (chance(30)) user["quota"] = std::vector<std::string>{"4KB", "20KB", "200KB"}[static_cast<std::size_t>(pick(3))];
      mail["users"].push_back(user);
      users[static_cast<std::size_t>(d)].push_back(fmt::format("u{}@{}", u, dom));
    }
    if (chance(25)) mail["max_message_size"] = "60KB";
    const std::string mx_ip = fmt::format("198.51.100.{}", next_ip++);
    hosts.push_back({{"id", fmt::format("mx-{}", d)}, {"kind", "mail_server"}, {"network", "dc"}, {"ip", mx_ip},
                     {"mail_server", mail}});
    servers.push_back(fmt::format("mx-{}", d));
    records.push_back(fmt::format("{}. 300 IN MX 10 mx.{}.", dom, dom));
    records.push_back(fmt::format("mx.{}. 300 IN A {}", dom, mx_ip));
    const int layout = pick(4);  // 0-1: one MX; 2: a backup MX; 3: an unreachable MX first
    if (layout == 2) {
      const std::string bk_ip = fmt::format("198.51.100.{}", next_ip++);
      nlohmann::json backup{{"hostname", "bk." + dom}, {"relay_domains", {dom}}, {"retry", {"20s", "1m"}},
                            {"give_up_after", "4m"}};
      hosts.push_back({{"id", fmt::format("bk-{}", d)}, {"kind", "mail_server"}, {"network", "dc"}, {"ip", bk_ip},
                       {"mail_server", backup}});
      servers.push_back(fmt::format("bk-{}", d));
      records.push_back(fmt::format("{}. 300 IN MX 20 bk.{}.", dom, dom));
      records.push_back(fmt::format("bk.{}. 300 IN A {}", dom, bk_ip));
    } else if (layout == 3) {
      // A more preferred MX whose address nobody answers on: connections to it time out.
      records.push_back(fmt::format("{}. 300 IN MX 5 gone.{}.", dom, dom));
      records.push_back(fmt::format("gone.{}. 300 IN A 198.51.100.{}", dom, 200 + d));
    }
    zones.push_back({{"origin", dom}, {"records", records}});
  }
  hosts.push_back({{"id", "dns"}, {"kind", "dns_server"}, {"network", "dc"}, {"ip", "198.51.100.53"},
                   {"dns_server", {{"zones", zone_names}, {"recursive", true}}}});
  const int n_devices = 1 + pick(3);
  nlohmann::json timeline = nlohmann::json::array();
  struct Timed {
    int at_ms;
    nlohmann::json action;
  };
  // `check` refuses a message no server of the world accepts: when every server has the 60 KB
  // limit, the largest size drawn is kept under it.
  bool some_server_unlimited = false;
  for (const auto& h : hosts)
    if (h.value("kind", "") == "mail_server" && !h["mail_server"].contains("max_message_size")) some_server_unlimited = true;
  std::vector<Timed> actions;
  for (int i = 0; i < n_devices; ++i) {
    const int d = pick(static_cast<std::uint64_t>(domains));
    const std::string address = users[static_cast<std::size_t>(d)].front();
    const std::string id = fmt::format("pc-{}", i);
    devices.push_back(id);
    nlohmann::json account{{"address", address},
                           {"password", "pw"},
                           {"smtp", {{"server", fmt::format("mx-{}", d)}, {"port", 587}, {"auth", true},
                                     {"tls", chance(50) ? "starttls" : "none"}}}};
    hosts.push_back({{"id", id}, {"kind", "pc"}, {"network", "home"}, {"ip", fmt::format("192.0.2.{}", 130 + i)},
                     {"mail_client", {{"accounts", {account}}}}});
    const int sends = 1 + pick(3);
    for (int k = 0; k < sends; ++k) {
      nlohmann::json to = nlohmann::json::array();
      const int n_to = 1 + pick(2);
      for (int t = 0; t < n_to; ++t) {
        const int kind = pick(10);
        const int td = pick(static_cast<std::uint64_t>(domains));
        const auto& us = users[static_cast<std::size_t>(td)];
        std::string rcpt;
        if (kind < 7) rcpt = us[static_cast<std::size_t>(pick(us.size()))];
        else if (kind < 9) rcpt = fmt::format("nobody@d{}.example", td);  // an unknown user
        else rcpt = "someone@nowhere.example";                             // an unknown domain
        bool dup = false;
        for (const auto& x : to) dup = dup || x == rcpt;
        if (!dup) to.push_back(rcpt);
      }
      nlohmann::json send{{"do", "send"}, {"from", id}, {"to", to}, {"subject", fmt::format("m{}-{}", i, k)}};
      if (chance(35))
        send["size"] = std::vector<std::string>{"3KB", "30KB", some_server_unlimited ? "120KB" : "50KB"}[static_cast<std::size_t>(pick(3))];
      actions.push_back({1000 + pick(60000), send});
    }
  }
  if (o.downs) {
    const int n_downs = pick(4);
    for (int k = 0; k < n_downs; ++k) {
      const bool server = chance(70);
      const auto& pool = server ? servers : devices;
      const std::string host = pool[static_cast<std::size_t>(pick(pool.size()))];
      const int down_at = 1000 + pick(70000);
      actions.push_back({down_at, {{"do", "host_down"}, {"host", host}}});
      actions.push_back({down_at + 500 + pick(150000), {{"do", "host_up"}, {"host", host}}});
    }
  }
  std::stable_sort(actions.begin(), actions.end(), [](const Timed& a, const Timed& b) { return a.at_ms < b.at_ms; });
  for (auto& a : actions) {
    a.action["at"] = fmt::format("{}ms", a.at_ms);
    timeline.push_back(a.action);
  }
  s["dns"] = {{"zones", zones}};
  s["hosts"] = hosts;
  s["timeline"] = timeline;
  return s;
}

}  // namespace mailsim::test
