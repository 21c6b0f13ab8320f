// The world frees what is finished (issue 13): a journey's connections and sessions are gone
// once it is over, and a long run holds no more live objects than a short one at the same pace.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/apps/mail/session_link.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

namespace {

// `journeys` full journeys as bench/journeys.py makes them (submission on 587 with STARTTLS
// and AUTH, MX lookup, relay on 25, retrieval), on a smaller world: `devices` devices in two
// domains, one journey every `gap_ms` of virtual time, each recipient checking 8 s later.
// Devices read with POP3, or (when `imap`) odd devices with IMAP (which stays connected, in IDLE).
std::string journeys_world(int journeys, int devices, bool imap, int gap_ms = 500) {
  nlohmann::json networks = nlohmann::json::array();
  networks.push_back({{"id", "dns-net"}, {"kind", "datacenter"}, {"cidr", "198.51.100.0/28"}, {"latency", "1ms"}});
  networks.push_back({{"id", "isp"}, {"kind", "access"}, {"cidr", "10.0.0.0/16"}, {"dynamic_pool", "10.0.0.0/16"},
                      {"latency", "5ms"}});
  nlohmann::json zones = nlohmann::json::array();
  nlohmann::json hosts = nlohmann::json::array();
  hosts.push_back({{"id", "dns"}, {"kind", "dns_server"}, {"network", "dns-net"}, {"ip", "198.51.100.2"},
                   {"dns_server", {{"zones", {"d0.example", "d1.example"}}, {"recursive", true}}}});
  for (int k = 0; k < 2; ++k) {
    const std::string dom = fmt::format("d{}.example", k);
    networks.push_back({{"id", fmt::format("prov{}", k)}, {"kind", "datacenter"},
                        {"cidr", fmt::format("203.0.113.{}/28", 16 * k)}, {"latency", "1ms"}});
    zones.push_back({{"origin", dom},
                     {"records", {fmt::format("{}. 3600 IN MX 10 mail.{}.", dom, dom),
                                  fmt::format("mail.{}. 3600 IN A 203.0.113.{}", dom, 16 * k + 2)}}});
    nlohmann::json users = nlohmann::json::array();
    for (int d = k; d < devices; d += 2) users.push_back({{"name", fmt::format("u{}", d)}, {"password", "pw"}});
    hosts.push_back({{"id", fmt::format("mail{}", k)}, {"kind", "mail_server"}, {"network", fmt::format("prov{}", k)},
                     {"ip", fmt::format("203.0.113.{}", 16 * k + 2)},
                     {"mail_server",
                      {{"hostname", "mail." + dom}, {"domains", {dom}}, {"users", users},
                       {"ports", {{{"port", 25}, {"role", "mx"}}, {{"port", 587}, {"role", "submission"}},
                                  {{"port", 110}, {"role", "pop3"}}, {{"port", 143}, {"role", "imap"}}}}}}});
  }
  for (int d = 0; d < devices; ++d) {
    const int k = d % 2;
    const bool uses_imap = imap && d % 2 == 1;
    nlohmann::json incoming = {{"protocol", uses_imap ? "imap" : "pop3"},
                               {"server", fmt::format("mail{}", k)},
                               {"port", uses_imap ? 143 : 110}};
    hosts.push_back(
        {{"id", fmt::format("dev{}", d)}, {"kind", "pc"}, {"network", "isp"}, {"ip", fmt::format("10.0.1.{}", d + 1)},
         {"mail_client",
          {{"accounts",
            {{{"address", fmt::format("u{}@d{}.example", d, k)}, {"password", "pw"},
              {"smtp", {{"server", fmt::format("mail{}", k)}, {"port", 587}, {"auth", true}, {"tls", "starttls"}}},
              {"incoming", incoming}}}}}}});
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (int m = 0; m < journeys; ++m) {
    const int from = m % devices;
    const int to = (from + 1 + 2 * (m / devices)) % devices;  // the other domain: from and to differ in parity
    const std::int64_t at = 1'000'000 + static_cast<std::int64_t>(m) * gap_ms * 1000;
    timeline.push_back({{"at", fmt::format("{}us", at)}, {"do", "send"}, {"from", fmt::format("dev{}", from)},
                        {"to", fmt::format("u{}@d{}.example", to, to % 2)}, {"subject", fmt::format("Journey {}", m)},
                        {"body", "Hello,\nthis letter makes the whole journey.\n"}});
    timeline.push_back({{"at", fmt::format("{}us", at + 8'000'000)}, {"do", "check_mail"},
                        {"on", fmt::format("dev{}", to)}});
  }
  std::stable_sort(timeline.begin(), timeline.end(), [](const auto& a, const auto& b) {
    const auto t = [](const nlohmann::json& x) { return std::stoll(x["at"].get<std::string>()); };
    return t(a) < t(b);
  });
  nlohmann::json s = {{"mailsim", 1},
                      {"title", "journeys"},
                      {"seed", 1},
                      {"settings", {{"run_for", fmt::format("{}s", 60 + journeys * gap_ms / 1000)}}},
                      {"networks", networks},
                      {"internet", {{"latency", "20ms"}}},
                      {"dns", {{"zones", zones}}},
                      {"hosts", hosts},
                      {"timeline", timeline},
                      {"expectations", nlohmann::json::array()}};
  return s.dump();
}

struct Live {
  std::size_t connections = 0, links = 0, pending = 0;  // pending: events in the queue
};

// Runs the world second by second; returns the most of each seen at once, and (in `end`) what
// is still alive when the run is over, before the world is taken down.
// Session links are counted for the whole process: the counts here are what this run added.
Live run_and_watch(const std::string& text, Live& end, std::size_t& delivered) {
  const std::size_t before = mail::live_session_links();
  auto loaded = load_scenario_text(text, "journeys.json");
  for (const auto& d : loaded.diagnostics) INFO(d.format());
  REQUIRE(loaded.scenario);
  Live most;
  ScenarioRun run(*loaded.scenario);
  const Time stop = loaded.scenario->run_for;
  for (Time t = kSecond; t <= stop; t += kSecond) {
    run.advance(t);
    auto& core = run.sim().core();
    most.connections = std::max(most.connections, run.sim().transport().open_connections());
    most.links = std::max(most.links, mail::live_session_links() - before);
    // The timeline is queued one action per device app at a time (EventCore::schedule_series),
    // so what is pending is the world's own events and at most two timeline events per device.
    most.pending = std::max(most.pending, core.pending());
  }
  end.connections = run.sim().transport().open_connections();
  end.links = mail::live_session_links() - before;
  end.pending = run.sim().core().pending();  // nothing of the timeline is left by then
  const auto result = run.finish();
  delivered = 0;
  for (const auto& r : result.trace.records())
    if (r.is(MailEvent::Delivered)) ++delivered;
  return most;
}

}  // namespace

TEST_CASE("every connection and session of a finished journey is freed while the world runs on") {
  const std::size_t before = mail::live_session_links();
  Live end;
  std::size_t delivered = 0;
  run_and_watch(journeys_world(20, 8, false), end, delivered);
  CHECK(delivered == 20);
  // POP3 readers log out and the queue's sessions QUIT: nothing is left open.
  CHECK(end.connections == 0);
  CHECK(end.links == 0);
  CHECK(mail::live_session_links() == before);
}

TEST_CASE("a run four times longer holds no more live connections, sessions or events") {
  Live end_short, end_long;
  std::size_t delivered_short = 0, delivered_long = 0;
  const Live short_run = run_and_watch(journeys_world(30, 8, true), end_short, delivered_short);
  const Live long_run = run_and_watch(journeys_world(120, 8, true), end_long, delivered_long);
  CHECK(delivered_short == 30);
  CHECK(delivered_long == 120);
  INFO("short: " << short_run.connections << " connections, " << short_run.links << " links, " << short_run.pending
                 << " pending events");
  INFO("long: " << long_run.connections << " connections, " << long_run.links << " links, " << long_run.pending
                << " pending events");
  // The same pace: the same few journeys in flight at once, however many there are in all
  // (a little slack for how they happen to overlap).
  CHECK(long_run.connections <= short_run.connections + 4);
  CHECK(long_run.links <= short_run.links + 4);
  CHECK(long_run.pending <= short_run.pending + 16);
  // What is still open at the end is the IMAP readers' IDLE sessions (4 of the 8 devices, both
  // ends), in either run.
  CHECK(end_long.connections == end_short.connections);
  CHECK(end_long.connections <= 4);
  CHECK(end_long.links == end_short.links);
}
