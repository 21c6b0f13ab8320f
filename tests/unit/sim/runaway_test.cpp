// Runs that would run away (issue 12): a mail loop, a retry storm, thousands of sends, an
// 8 GB message. Each stops within its budget, says why, and stays within a bound on memory
// measured in a child process.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "child_process.hpp"

using namespace mailsim::sim;

namespace {

// Two providers a.example (mx-a) and b.example (mx-b) and a PC of a.example.
nlohmann::json two_servers() {
  nlohmann::json s;
  s["mailsim"] = 1;
  s["title"] = "runaway";
  s["networks"] = nlohmann::json::array(
      {{{"id", "home"}, {"kind", "access"}, {"cidr", "192.0.2.0/24"}, {"latency", "5ms"}},
       {{"id", "dc"}, {"kind", "datacenter"}, {"cidr", "198.51.100.0/24"}, {"latency", "1ms"}}});
  s["dns"]["zones"] = nlohmann::json::array(
      {{{"origin", "a.example"},
        {"records", {"a.example. 300 IN MX 10 mx.a.example.", "mx.a.example. 300 IN A 198.51.100.10"}}},
       {{"origin", "b.example"},
        {"records", {"b.example. 300 IN MX 10 mx.b.example.", "mx.b.example. 300 IN A 198.51.100.11"}}}});
  auto server = [](const std::string& id, const std::string& dom, const std::string& ip) {
    return nlohmann::json{{"id", id},
                          {"kind", "mail_server"},
                          {"network", "dc"},
                          {"ip", ip},
                          {"mail_server",
                           {{"hostname", "mx." + dom},
                            {"domains", {dom}},
                            {"users", {{{"name", "u"}, {"password", "pw"}}}},
                            {"relay_from", {"198.51.100.0/24"}}}}};
  };
  s["hosts"] = nlohmann::json::array(
      {server("mx-a", "a.example", "198.51.100.10"), server("mx-b", "b.example", "198.51.100.11"),
       {{"id", "dns"},
        {"kind", "dns_server"},
        {"network", "dc"},
        {"ip", "198.51.100.53"},
        {"dns_server", {{"zones", {"a.example", "b.example"}}, {"recursive", true}}}},
       {{"id", "pc"},
        {"kind", "pc"},
        {"network", "home"},
        {"ip", "192.0.2.130"},
        {"mail_client",
         {{"accounts",
           {{{"address", "u@a.example"},
             {"password", "pw"},
             {"smtp", {{"server", "mx-a"}, {"port", 587}, {"auth", true}, {"tls", "none"}}}}}}}}}});
  s["timeline"] = nlohmann::json::array();
  return s;
}

nlohmann::json send(const std::string& at, const std::string& to, const std::string& subject) {
  return {{"at", at}, {"do", "send"}, {"from", "pc"}, {"to", to}, {"subject", subject}};
}

LoadResult load(const nlohmann::json& j) { return load_scenario_text(j.dump(2), "runaway.json"); }

Scenario loaded(const nlohmann::json& j) {
  auto r = load(j);
  std::string why;
  for (const auto& d : r.diagnostics) why += d.format() + "\n";
  INFO(why);
  REQUIRE(r.scenario);
  return *r.scenario;
}

}  // namespace

TEST_CASE("two servers that use each other as smarthost stop at the budget, named as a mail loop") {
  auto j = two_servers();
  for (auto& h : j["hosts"])
    if (h["id"] == "mx-a" || h["id"] == "mx-b")
      h["mail_server"]["smarthost"] = {{"host", h["id"] == "mx-a" ? "mx-b" : "mx-a"}, {"port", 25}, {"tls", "none"}};
  j["timeline"].push_back(send("1s", "someone@elsewhere.example", "round and round"));
  // Far more than the message needs, far less than the loop would take (even with a hop limit of 25).
  j["settings"] = {{"run_for", "2h"}, {"max_records", 1200}};
  const auto r = run_scenario(loaded(j));
  REQUIRE(r.budget_stop);
  CHECK(r.budget_stop->kind == BudgetKind::Records);
  CHECK(r.budget_stop->cause.code == "loop");
  const std::string m = r.budget_stop->message();
  CAPTURE(m);
  CHECK(m.find("1,200 trace records") != std::string::npos);
  CHECK(m.find("\"round and round\") was relayed") != std::string::npos);
  CHECK(m.find("between mx-a and mx-b: a mail loop?") != std::string::npos);
  CHECK(r.trace.size() <= 1200 + 2);  // the record over the budget and the note that says so
  CHECK(r.trace.records().back().event == "budget");
  // Conservation still holds: every hop handed the message on, the last one is in transfer.
  CAPTURE(r.conservation.summary());
  CHECK(r.conservation.holds());
  CHECK(r.conservation.relayed >= 10);
  CHECK(r.conservation.in_transfer + r.conservation.queued >= 1);
}

TEST_CASE("a retry interval of 1 us with a lifetime of a year stops at the budget as a retry storm") {
  auto j = two_servers();
  for (auto& h : j["hosts"])
    if (h["id"] == "mx-a") {
      h["mail_server"]["retry"] = {"1us"};
      h["mail_server"]["give_up_after"] = "7d";  // the longest lifetime check allows
    }
  for (auto& h : j["hosts"])
    if (h["id"] == "mx-b") h["down"] = true;  // nobody answers for b.example
  j["settings"] = {{"run_for", "30d"}, {"max_events", 100000}};  // the longest run check allows
  j["timeline"].push_back(send("1s", "u@b.example", "never arrives"));
  const auto loaded_result = load(j);
  // `check` refuses such a schedule outright (a floor on retry intervals, docs/scenarios.md "When a
  // world is wrong")...
  REQUIRE_FALSE(loaded_result.scenario);
  REQUIRE_FALSE(loaded_result.diagnostics.empty());
  INFO(loaded_result.diagnostics.front().format());
  CHECK(loaded_result.diagnostics.front().pointer.find("/retry") != std::string::npos);
  // ... and should one reach the runner another way (a program building its Scenario itself), the
  // budget still stops it: the same world, loaded with a sane schedule, then given the storm.
  for (auto& h : j["hosts"])
    if (h["id"] == "mx-a") {
      h["mail_server"]["retry"] = {"1m"};
      h["mail_server"]["give_up_after"] = "1h";
    }
  auto storm = loaded(j);
  for (auto& h : storm.hosts)
    if (h.info.id == "mx-a" && h.mail_server) {
      h.mail_server->retry_schedule = {1};  // 1 µs
      h.mail_server->give_up_after = 360 * 24 * kHour;
    }
  storm.run_for = 365 * 24 * kHour;
  const auto r = run_scenario(storm);
  REQUIRE(r.budget_stop);
  CHECK(r.budget_stop->kind == BudgetKind::Events);
  CHECK(r.budget_stop->cause.code == "retry_storm");
  const std::string m = r.budget_stop->message();
  CAPTURE(m);
  CHECK(m.find("100,000 events") != std::string::npos);
  CHECK(m.find("retries of one queue entry") != std::string::npos);
  CHECK(m.find("at mx-a, next try every 1 µs): a retry interval too short?") != std::string::npos);
  CHECK(r.end_time < 7 * 24 * kHour);  // a year of retries never happened (each waits for a connect timeout)
  CHECK(r.conservation.holds());
}

TEST_CASE("the virtual-time budget stops a run that is meant to last longer") {
  auto j = two_servers();
  j["settings"] = {{"run_for", "10d"}, {"max_time", "1h"}};
  j["timeline"].push_back(send("1s", "u@b.example", "late"));
  j["timeline"].push_back(send("2h", "u@b.example", "too late"));
  const auto r = run_scenario(loaded(j));
  REQUIRE(r.budget_stop);
  CHECK(r.budget_stop->kind == BudgetKind::VirtualTime);
  INFO(r.budget_stop->message());
  CHECK(r.budget_stop->message().find("the run stopped at 1h 00m 00.000s: the budget of 1h of virtual time") !=
        std::string::npos);
  CHECK(r.budget_stop->cause.code == "long_run");
  CHECK(r.budget_stop->message().find("the scenario runs until 10d") != std::string::npos);
  CHECK(r.end_time <= kHour);
}

TEST_CASE("the trace-memory budget counts the bytes of every record") {
  auto j = two_servers();
  j["settings"] = {{"max_trace_mb", 1}};
  j["timeline"].push_back(nlohmann::json{{"at", "1s"}, {"do", "send"}, {"from", "pc"}, {"to", "u@b.example"},
                                         {"subject", "big"}, {"size", "3MB"}});
  const auto r = run_scenario(loaded(j));
  REQUIRE(r.budget_stop);
  CHECK(r.budget_stop->kind == BudgetKind::TraceMemory);
  CHECK(r.budget_stop->used > (1u << 20));
  CHECK(r.budget_stop->message().find("1.0 MB of trace memory") != std::string::npos);
}

TEST_CASE("run options override the scenario's budget") {
  auto j = two_servers();
  j["timeline"].push_back(send("1s", "u@a.example", "hello"));
  const Scenario s = loaded(j);
  CHECK(run_scenario(s).budget_stop == std::nullopt);
  RunOptions o;
  o.budget = RunBudget{};
  o.budget->max_events = 10;
  const auto r = run_scenario(s, o);
  REQUIRE(r.budget_stop);
  CHECK(r.budget_stop->kind == BudgetKind::Events);
  CHECK(r.events == 11);
}

TEST_CASE("the loader reads the budget from settings and refuses values out of range") {
  auto j = two_servers();
  j["settings"] = {{"max_events", 5000}, {"max_records", 700}, {"max_time", "2d"}, {"max_trace_mb", 8}};
  const Scenario s = loaded(j);
  CHECK(s.budget.max_events == 5000);
  CHECK(s.budget.max_records == 700);
  CHECK(s.budget.max_time == 48 * kHour);
  CHECK(s.budget.max_trace_bytes == 8u << 20);
  j["settings"] = {{"max_events", 10}};
  auto bad = load(j);
  REQUIRE_FALSE(bad.scenario);
  CHECK(bad.diagnostics.front().format().find("/settings/max_events: 10 is out of range") != std::string::npos);
  j["settings"] = {{"max_trace_mb", 100000}};
  CHECK_FALSE(load(j).scenario);
  j["settings"] = {{"max_time", "0s"}};
  CHECK_FALSE(load(j).scenario);
}

TEST_CASE("5,000 sends in a 400 KB scenario stay within a bounded memory", "[child]") {
  // Each message costs about 130 trace records (56 of them packets), about 1.4 KB each in
  // memory: that, not the scenario, made this run reach 1.5 GB. The trace-memory budget now
  // bounds it; a scenario that needs all of it raises "max_trace_mb".
  auto j = two_servers();
  j["settings"] = {{"run_for", "3h"}};
  for (int i = 0; i < 5000; ++i)
    j["timeline"].push_back(send(fmt::format("{}ms", 1000 + i * 2000), i % 2 ? "u@b.example" : "u@a.example",
                                 fmt::format("message number {}", i)));
  const std::string text = j.dump();
  CHECK(text.size() > 350'000);
  const auto child = mailsim::test::run_in_child([&] {
    auto l = load_scenario_text(text, "many.json");
    if (!l.scenario) return 2;
    const auto r = run_scenario(*l.scenario);
    if (!r.conservation.holds()) return 1;
    if (r.budget_stop) return r.budget_stop->kind == BudgetKind::TraceMemory ? 3 : 4;
    return r.conservation.delivered == 5000 ? 0 : 5;
  });
  CHECK((child.exit_code == 0 || child.exit_code == 3));
  INFO("peak RSS " << child.peak_rss_kb / 1024 << " MB, " << child.grown_kb() / 1024 << " MB more than at the start");
  CHECK(child.grown_kb() < 600 * 1024);
}

TEST_CASE("5,000 sends complete when the scenario raises its trace budget", "[child]") {
  // The same run with room for its trace: every message arrives (run in a child only to keep
  // the test binary small; 1,000 sends keep it quick).
  auto j = two_servers();
  j["settings"] = {{"run_for", "1h"}, {"max_trace_mb", 1024}};
  for (int i = 0; i < 1000; ++i)
    j["timeline"].push_back(send(fmt::format("{}ms", 1000 + i * 2000), "u@b.example", fmt::format("m{}", i)));
  const auto child = mailsim::test::run_in_child([&] {
    auto l = load_scenario_text(j.dump(), "thousand.json");
    if (!l.scenario) return 2;
    const auto r = run_scenario(*l.scenario);
    return !r.budget_stop && r.conservation.holds() && r.conservation.delivered == 1000 ? 0 : 1;
  });
  CHECK(child.exit_code == 0);
}

TEST_CASE("a send of 8GB builds no 8 GB message: refused for its size, within a bounded memory", "[child]") {
  auto j = two_servers();
  j["timeline"].push_back(nlohmann::json{{"at", "1s"}, {"do", "send"}, {"from", "pc"}, {"to", "u@b.example"},
                                         {"subject", "huge"}, {"size", "8GB"}});
  const auto l = load(j);
  if (!l.scenario) {
    // `check` may refuse a size no server accepts (the loader's limits): safe as well.
    REQUIRE_FALSE(l.diagnostics.empty());
    INFO(l.diagnostics.front().format());
    CHECK(l.diagnostics.front().pointer.find("/size") != std::string::npos);
    return;
  }
  const Scenario s = *l.scenario;
  const auto child = mailsim::test::run_in_child([&] {
    const auto r = run_scenario(s);
    bool refused = false;
    for (const auto& rec : r.trace.records())
      if (rec.kind == RecordKind::Mail && rec.is(MailEvent::SendFailed) &&
          rec.mail_info().error.find("exceeds the server's limit") != std::string::npos)
        refused = true;  // the client compares with the server's SIZE (RFC 1870) before sending
    return refused && r.conservation.holds() ? 0 : 1;
  });
  CHECK(child.exit_code == 0);
  INFO("peak RSS " << child.peak_rss_kb / 1024 << " MB, " << child.grown_kb() / 1024 << " MB more than at the start");
  CHECK(child.grown_kb() < 256 * 1024);  // a message just over 10 MB is built, not 8 GB
}
