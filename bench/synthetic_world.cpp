// Builds the large synthetic scenario of synthetic_world.hpp as JSON text.
#include "bench/synthetic_world.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/random.hpp"

namespace mailsim::bench {

namespace {

using nlohmann::json;

json names(const std::string& en, const std::string& ja) { return {{"en", en}, {"ja", ja}}; }

}  // namespace

std::string synthetic_world_json(const SyntheticWorldSize& size) {
  // Address plan: ISP i is 10.i.0.0/16 (devices in its dynamic pool 10.i.128.0/17), provider
  // k is 172.16.k.0/24 (its mail server .25), the DNS server 192.168.0.53.
  const std::size_t providers = std::clamp<std::size_t>(size.providers, 2, 250);
  const std::size_t isps = std::clamp<std::size_t>(size.isps, 1, 99);
  const std::size_t devices = std::max<std::size_t>(size.hosts, providers + 1 + 2) - providers - 1;

  json networks = json::array();
  networks.push_back({{"id", "dns-net"}, {"kind", "datacenter"}, {"name", names("DNS provider", "DNS事業者")},
                      {"cidr", "192.168.0.0/24"}, {"latency", "1ms"}});
  for (std::size_t k = 0; k < providers; ++k) {
    networks.push_back({{"id", fmt::format("prov{}", k)},
                        {"kind", "datacenter"},
                        {"name", names(fmt::format("p{}.example's provider", k), fmt::format("p{}.exampleの事業者", k))},
                        {"cidr", fmt::format("172.16.{}.0/24", k)},
                        {"latency", "1ms"}});
  }
  for (std::size_t i = 0; i < isps; ++i) {
    networks.push_back({{"id", fmt::format("isp{}", i)},
                        {"kind", "access"},
                        {"name", names(fmt::format("ISP {}", i), fmt::format("プロバイダ{}", i))},
                        {"cidr", fmt::format("10.{}.0.0/16", i)},
                        {"dynamic_pool", fmt::format("10.{}.128.0/17", i)},
                        {"latency", "5ms"}});
  }

  json zones = json::array();
  json zone_names = json::array();
  for (std::size_t k = 0; k < providers; ++k) {
    const std::string domain = fmt::format("p{}.example", k);
    zone_names.push_back(domain);
    zones.push_back({{"origin", domain},
                     {"records", {fmt::format("{}. 3600 IN MX 10 mail.{}.", domain, domain),
                                  fmt::format("mail.{}. 3600 IN A 172.16.{}.25", domain, k)}}});
  }

  // Device d belongs to ISP d % isps and has the account u<d>@p<d % providers>.example.
  std::vector<json> users(providers, json::array());
  for (std::size_t d = 0; d < devices; ++d) users[d % providers].push_back({{"name", fmt::format("u{}", d)}, {"password", "pw"}});

  json hosts = json::array();
  hosts.push_back({{"id", "dns"},
                   {"kind", "dns_server"},
                   {"name", names("DNS server", "DNSサーバー")},
                   {"network", "dns-net"},
                   {"ip", "192.168.0.53"},
                   {"dns_server", {{"zones", zone_names}, {"recursive", true}}}});
  for (std::size_t k = 0; k < providers; ++k) {
    const std::string domain = fmt::format("p{}.example", k);
    hosts.push_back({{"id", fmt::format("mail{}", k)},
                     {"kind", "mail_server"},
                     {"name", names("mail." + domain, "mail." + domain)},
                     {"network", fmt::format("prov{}", k)},
                     {"ip", fmt::format("172.16.{}.25", k)},
                     {"mail_server", {{"hostname", "mail." + domain}, {"domains", {domain}}, {"users", users[k]}}}});
  }
  for (std::size_t d = 0; d < devices; ++d) {
    const std::size_t i = d % isps;
    const std::size_t n = d / isps;  // the device's number inside its ISP
    const std::size_t k = d % providers;
    hosts.push_back({{"id", fmt::format("dev{}", d)},
                     {"kind", d % 3 == 0 ? "phone" : "pc"},
                     {"name", names(fmt::format("Device {}", d), fmt::format("端末{}", d))},
                     {"network", fmt::format("isp{}", i)},
                     {"ip", fmt::format("10.{}.{}.{}", i, 128 + n / 250, 1 + n % 250)},
                     {"mail_client",
                      {{"accounts",
                        {{{"address", fmt::format("u{}@p{}.example", d, k)},
                          {"password", "pw"},
                          {"smtp", {{"server", fmt::format("mail{}", k)}, {"port", 587}, {"auth", true}, {"tls", "starttls"}}}}}}}}});
  }

  // Sends: a random device writes to a random user of another provider.
  sim::Random rng(size.seed);
  const auto window_us = static_cast<std::uint64_t>(std::max(size.send_window_s, 0.001) * 1e6);
  json timeline = json::array();
  for (std::size_t m = 0; m < size.messages; ++m) {
    const auto from = static_cast<std::size_t>(rng.below(devices));
    auto to = static_cast<std::size_t>(rng.below(devices));
    while (to % providers == from % providers) to = static_cast<std::size_t>(rng.below(devices));
    const std::uint64_t at_us = 1000000 + rng.below(window_us);
    timeline.push_back({{"at", fmt::format("{}us", at_us)},
                        {"do", "send"},
                        {"from", fmt::format("dev{}", from)},
                        {"to", fmt::format("u{}@p{}.example", to, to % providers)},
                        {"subject", fmt::format("Message {}", m)},
                        {"body", "Hello,\nthis is a synthetic message for the benchmark.\n"}});
  }

  json doc = {{"mailsim", 1},
              {"title", names("Large synthetic world (benchmark)", "大きな合成の世界（ベンチマーク）")},
              {"description", names(fmt::format("{} hosts, {} messages", size.hosts, size.messages),
                                    fmt::format("ホスト{}台、メール{}通", size.hosts, size.messages))},
              {"seed", 1},
              // The run budget's ceilings (docs/guarantees.md): the large world is meant to be large.
              {"settings", {{"max_events", 100000000}, {"max_records", 20000000}, {"max_trace_mb", 4096}}},
              {"networks", networks},
              {"internet", {{"latency", "20ms"}}},
              {"dns", {{"zones", zones}}},
              {"hosts", hosts},
              {"timeline", timeline},
              {"expectations", json::array()}};
  return doc.dump();
}

}  // namespace mailsim::bench
