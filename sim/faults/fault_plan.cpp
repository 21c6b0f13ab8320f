// The fault plan's rules and the engine that decides which one fires (docs/faults.md).
#include "sim/faults/fault_plan.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sim/core/simulation.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::sim::faults {

namespace {

struct StageName {
  Stage stage;
  std::string_view name;
  std::string_view protocol;
};
constexpr std::array<StageName, 12> kStages{{
    {Stage::Connect, "connect", ""},
    {Stage::Greeting, "greeting", ""},
    {Stage::Ehlo, "ehlo", "smtp"},
    {Stage::Auth, "auth", ""},
    {Stage::Mail, "mail", "smtp"},
    {Stage::Rcpt, "rcpt", "smtp"},
    {Stage::Data, "data", "smtp"},
    {Stage::EndOfData, "end_of_data", "smtp"},
    {Stage::Retr, "retr", "pop3"},
    {Stage::Fetch, "fetch", "imap"},
    {Stage::Command, "command", ""},
    {Stage::Dns, "dns", "dns"},
}};

constexpr std::array<std::pair<Action, std::string_view>, 9> kActions{{
    {Action::Reply, "reply"},
    {Action::Delay, "delay"},
    {Action::Close, "close"},
    {Action::Reset, "reset"},
    {Action::Cut, "cut"},
    {Action::Throttle, "throttle"},
    {Action::Drop, "drop"},
    {Action::ServFail, "servfail"},
    {Action::Limit, "limit"},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A stream of its own per rule: the scenario's seed mixed with the rule's position and id, so
// adding a rule never shifts another rule's draws (nor the world's own random numbers).
std::uint64_t rule_seed(std::uint64_t seed, std::size_t index, std::string_view id) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the id
  for (const char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  Random mix(seed ^ (h + 0x9E3779B97F4A7C15ull * (index + 1)));
  return mix.next();
}

}  // namespace

std::string_view to_string(Stage s) {
  for (const auto& n : kStages)
    if (n.stage == s) return n.name;
  return "?";
}

std::string_view to_string(Action a) {
  for (const auto& [k, n] : kActions)
    if (k == a) return n;
  return "?";
}

std::optional<Stage> stage_from_string(std::string_view text) {
  for (const auto& n : kStages)
    if (n.name == text) return n.stage;
  return std::nullopt;
}

std::optional<Action> action_from_string(std::string_view text) {
  for (const auto& [k, n] : kActions)
    if (n == text) return k;
  return std::nullopt;
}

std::string_view stage_protocol(Stage s) {
  for (const auto& n : kStages)
    if (n.stage == s) return n.protocol;
  return "";
}

bool pattern_matches(std::string_view pattern, std::string_view text) {
  // Iterative glob with one backtrack point: linear in practice, never recursive.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && lower(pattern[p]) == lower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

FaultEngine::FaultEngine(FaultPlan plan, std::uint64_t seed) : plan_(std::move(plan)) {
  state_.resize(plan_.size());
  for (std::size_t i = 0; i < plan_.size(); ++i) state_[i].rng = Random(rule_seed(seed, i, plan_[i].id));
}

bool FaultEngine::applies(const FaultRule& r, const FaultPoint& p) const {
  if (r.stage != p.stage) return false;
  if (!r.host.empty() && r.host != p.host) return false;
  if (!r.client.empty() && r.client != p.client) return false;
  if (!r.protocol.empty() && r.protocol != p.protocol) return false;
  if (r.port != 0 && r.port != p.port) return false;
  if (r.stage == Stage::Command && r.command != p.command) return false;
  if (r.stage == Stage::Dns && !r.qtype.empty() && r.qtype != p.qtype) return false;
  if (!r.sender.empty() && !pattern_matches(r.sender, p.sender)) return false;
  if (!r.recipient.empty() &&
      std::none_of(p.recipients.begin(), p.recipients.end(),
                   [&](const std::string& a) { return pattern_matches(r.recipient, a); }))
    return false;
  return true;
}

const FaultRule* FaultEngine::check(Simulation& sim, const FaultPoint& p) {
  const Time now = sim.now();
  const FaultRule* chosen = nullptr;
  std::uint64_t occurrence = 0;
  for (std::size_t i = 0; i < plan_.size(); ++i) {
    const FaultRule& r = plan_[i];
    if (!applies(r, p)) continue;
    RuleState& st = state_[i];
    const std::uint64_t n = ++st.seen;
    if (chosen) continue;  // counted; an earlier rule already took this moment
    if (now < r.after || (r.until && now > *r.until)) continue;
    if (r.nth != 0 && n != r.nth) continue;
    if (r.every != 0 && n % r.every != 0) continue;
    if (r.times != 0 && st.fired >= r.times) continue;
    if (r.action == Action::Limit) {
      auto& w = st.window;
      w.erase(std::remove_if(w.begin(), w.end(), [&](Time t) { return t + r.window <= now; }), w.end());
      if (w.size() < r.messages) {
        w.push_back(now);
        continue;
      }
    }
    // The draw comes last, so it is made for exactly the occurrences that could fire.
    if (r.probability < kProbabilityScale && st.rng.below(kProbabilityScale) >= r.probability) continue;
    ++st.fired;
    chosen = &r;
    occurrence = n;
  }
  if (!chosen) return nullptr;
  Record rec;
  rec.kind = RecordKind::Note;
  rec.event = "fault";
  rec.host = p.host;
  rec.peer = p.client;
  rec.conn = p.conn;
  rec.protocol = p.protocol;
  rec.summary = describe_firing(*chosen, p);
  nlohmann::json d{{"rule", chosen->id},
                   {"stage", std::string(to_string(p.stage))},
                   {"action", std::string(to_string(chosen->action))},
                   {"occurrence", occurrence}};
  if (!p.command.empty()) d["command"] = p.command;
  if (!p.qtype.empty()) d["qtype"] = p.qtype;
  if (!p.qname.empty()) d["qname"] = p.qname;
  if (p.port != 0) d["port"] = p.port;
  if (chosen->code != 0) d["code"] = chosen->code;
  if (!chosen->text.empty()) d["text"] = chosen->text;
  if (chosen->action == Action::Delay) d["delay_us"] = chosen->delay;
  if (chosen->action == Action::Cut) d["bytes"] = chosen->bytes;
  if (chosen->action == Action::Throttle) d["rate"] = chosen->rate;
  if (chosen->action == Action::Limit) {
    d["messages"] = chosen->messages;
    d["window_us"] = chosen->window;
  }
  rec.detail = std::move(d);
  sim.record(std::move(rec));
  return chosen;
}

FaultEngine* engine_of(Simulation& sim) {
  FaultEngine* e = sim.faults();
  return e && !e->empty() ? e : nullptr;
}

void install(Simulation& sim, std::shared_ptr<FaultEngine> engine) { sim.set_faults(std::move(engine)); }

std::string describe_firing(const FaultRule& r, const FaultPoint& p) {
  // The same sentence as the "fault.*" wordings of sim/words/describe.cpp, with host ids.
  std::string where;
  switch (p.stage) {
    case Stage::Connect: where = "the connection"; break;
    case Stage::Greeting: where = "the greeting"; break;
    case Stage::EndOfData: where = "the end of the message (\".\")"; break;
    case Stage::Dns: where = fmt::format("the {} question for {}", p.qtype, p.qname); break;
    default: where = p.command; break;
  }
  const std::string reply = r.code != 0 ? fmt::format("{} {}", r.code, r.text) : r.text;
  const std::string head = "fault rule " + r.id + ": ";
  switch (r.action) {
    case Action::Reply: return head + fmt::format("{} answers {} from {} with \"{}\"", p.host, where, p.client, reply);
    case Action::Limit:
      return head + fmt::format("more than {} within {}, so {} answers {} from {} with \"{}\"", r.messages,
                                format_duration(r.window, "en"), p.host, where, p.client, reply);
    case Action::Delay:
      return head + fmt::format("{} holds its answer to {} from {} for {}", p.host, where, p.client,
                                format_duration(r.delay, "en"));
    case Action::Close: return head + fmt::format("{} closes the connection from {} at {}", p.host, p.client, where);
    case Action::Reset: return head + fmt::format("{} resets the connection from {} at {}", p.host, p.client, where);
    case Action::Cut:
      return head + fmt::format("{} cuts the connection from {} {} bytes after {}", p.host, p.client, r.bytes, where);
    case Action::Throttle:
      return head + fmt::format("{} slows the connection from {} to {} bytes per second from {} on", p.host, p.client,
                                r.rate, where);
    case Action::Drop: return head + fmt::format("{} throws away its answer to {} from {}", p.host, where, p.client);
    case Action::ServFail:
      return head + fmt::format("{} answers {} from {} with SERVFAIL (\"I could not find out\")", p.host, where, p.client);
  }
  return head + "fired";
}

}  // namespace mailsim::sim::faults
