// Loading the fault plan ("faults" in a scenario, or a --faults file) and its expectation.
#include "sim/scenario/faults_loader.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "protocols/dns/presentation.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/runner.hpp"

namespace mailsim::sim {

namespace {

using faults::Action;
using faults::Stage;

const std::vector<std::string> kStageNames{"connect", "greeting", "ehlo", "auth",  "mail",    "rcpt",
                                           "data",    "end_of_data", "retr", "fetch", "command", "dns"};
const std::vector<std::string> kActionNames{"reply", "delay", "close", "reset", "cut", "drop", "servfail", "limit",
                                           "throttle"};
const std::vector<std::string> kProtocols{"smtp", "pop3", "imap", "dns"};
constexpr Time kMaxFaultDelay = 24 * kHour;

const HostSpec* find_host(const Scenario& s, const std::string& id) {
  for (const auto& h : s.hosts)
    if (h.info.id == id) return &h;
  return nullptr;
}

std::vector<std::string> host_ids(const Scenario& s) {
  std::vector<std::string> ids;
  for (const auto& h : s.hosts) ids.push_back(h.info.id);
  return ids;
}

void unknown_host(Checker& c, const std::string& ptr, const std::string& name, const Scenario& s) {
  std::string msg = "unknown host " + in_quotes(name);
  if (auto near = closest_match(name, host_ids(s))) msg += " (did you mean \"" + *near + "\"?)";
  c.error(ptr, msg);
}

bool printable_line(const std::string& t) {
  for (const char ch : t)
    if (ch == '\r' || ch == '\n' || static_cast<unsigned char>(ch) < 0x20) return false;
  return true;
}

void load_rule(Checker& c, const nlohmann::json& j, const std::string& p, Scenario& s, std::set<std::string>& ids) {
  if (!c.expect_object(j, p, "a fault rule object ({\"id\": ..., \"at\": ..., \"action\": ...})")) return;
  c.allowed_keys(j, p, {"id", "host", "client", "protocol", "port", "at", "command", "qtype", "nth", "every",
                        "after", "until", "sender", "recipient", "probability", "times", "action", "code", "text",
                        "delay", "bytes", "messages", "window", "rate"});
  faults::FaultRule r;
  r.pointer = p;
  bool ok = true;
  if (auto id = c.identifier(j, p, "id", true)) {
    r.id = *id;
    if (!ids.insert(*id).second) {
      c.error(p + "/id", "another fault rule already has the id " + in_quotes(*id) + " (ids name rules in the trace, so they must differ)");
      ok = false;
    }
  } else {
    ok = false;
  }
  const auto at = c.choice(j, p, "at", true, kStageNames, "fault stage");
  const auto action = c.choice(j, p, "action", true, kActionNames, "fault action");
  if (!at || !action) return;
  r.stage = *faults::stage_from_string(*at);
  r.action = *faults::action_from_string(*action);
  const bool dns = r.stage == Stage::Dns;
  const std::string implied(faults::stage_protocol(r.stage));

  if (auto proto = c.choice(j, p, "protocol", false, kProtocols, "protocol")) {
    if (!implied.empty() && *proto != implied) {
      c.error(p + "/protocol", fmt::format("stage \"{}\" belongs to {}, not {}", *at, implied, *proto));
      ok = false;
    } else if (implied.empty() && *proto == "dns") {
      c.error(p + "/protocol", fmt::format("stage \"{}\" is a TCP conversation's; for DNS write \"at\": \"dns\"", *at));
      ok = false;
    }
    r.protocol = *proto;
  } else {
    r.protocol = implied;
  }
  if (auto host = c.string(j, p, "host", false)) {
    const HostSpec* h = find_host(s, *host);
    if (!h) {
      unknown_host(c, p + "/host", *host, s);
      ok = false;
    } else if (dns && !h->dns_server) {
      c.error(p + "/host", in_quotes(*host) + " is not a DNS server (it has no \"dns_server\"), so it answers no DNS question");
      ok = false;
    } else if (!dns && !h->mail_server) {
      c.error(p + "/host", in_quotes(*host) + " is not a mail server (it has no \"mail_server\"); faults at \"" + *at +
                               "\" happen where a mail server answers");
      ok = false;
    }
    r.host = *host;
  }
  if (auto client = c.string(j, p, "client", false)) {
    if (!find_host(s, *client)) {
      unknown_host(c, p + "/client", *client, s);
      ok = false;
    }
    r.client = *client;
  }
  if (j.contains("port")) {
    if (dns) {
      c.error(p + "/port", "DNS faults have no port (a DNS server answers on 53)");
      ok = false;
    } else if (auto port = c.integer(j, p, "port", false, 1, 65535)) {
      r.port = static_cast<std::uint16_t>(*port);
    }
  }
  if (r.stage == Stage::Command) {
    if (auto cmd = c.string(j, p, "command", true)) {
      bool letters = !cmd->empty() && cmd->size() <= 20;
      for (const char ch : *cmd) letters &= std::isalpha(static_cast<unsigned char>(ch)) != 0;
      if (!letters) {
        c.error(p + "/command", "a command verb is 1 to 20 letters, such as \"NOOP\" or \"QUIT\", not " + in_quotes(*cmd));
        ok = false;
      }
      for (const char ch : *cmd) r.command += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    } else {
      ok = false;
    }
  } else if (j.contains("command")) {
    c.error(p + "/command", "\"command\" goes with \"at\": \"command\" (the other stages name their command already)");
    ok = false;
  }
  if (j.contains("qtype")) {
    if (!dns) {
      c.error(p + "/qtype", "\"qtype\" goes with \"at\": \"dns\"");
      ok = false;
    } else if (auto q = c.string(j, p, "qtype", false)) {
      if (auto t = dns::parse_type(*q)) {
        r.qtype = dns::type_name(*t);
      } else {
        c.error(p + "/qtype", "unknown DNS record type " + in_quotes(*q) + " (such as \"A\", \"MX\", \"TXT\")");
        ok = false;
      }
    }
  }
  const auto count = [&](const char* key, std::uint64_t& out, std::int64_t min) {
    if (auto n = c.integer(j, p, key, false, min, static_cast<std::int64_t>(faults::kMaxCount)))
      out = static_cast<std::uint64_t>(*n);
  };
  count("nth", r.nth, 1);
  count("every", r.every, 1);
  count("times", r.times, 1);
  if (auto t = c.duration(j, p, "after", false)) r.after = *t;
  if (auto t = c.duration(j, p, "until", false)) {
    r.until = *t;
    if (*t < r.after) {
      c.error(p + "/until", "\"until\" is before \"after\": the rule could never fire");
      ok = false;
    }
  }
  for (const char* key : {"sender", "recipient"}) {
    if (!j.contains(key)) continue;
    const bool sender = std::string_view(key) == "sender";
    const bool fits = sender ? (r.stage == Stage::Mail || r.stage == Stage::Rcpt || r.stage == Stage::Data ||
                                r.stage == Stage::EndOfData)
                             : (r.stage == Stage::Rcpt || r.stage == Stage::Data || r.stage == Stage::EndOfData);
    if (!fits) {
      c.error(Checker::child(p, key), fmt::format("\"{}\" is known only at {}", key,
                                                  sender ? "\"mail\", \"rcpt\", \"data\" and \"end_of_data\""
                                                         : "\"rcpt\", \"data\" and \"end_of_data\""));
      ok = false;
      continue;
    }
    if (auto pat = c.string(j, p, key, false)) {
      if (pat->empty() || pat->size() > faults::kMaxPatternBytes || !printable_line(*pat)) {
        c.error(Checker::child(p, key), fmt::format("a pattern is 1 to {} printable characters ('*' for any run), such "
                                                    "as \"*@example.com\"", faults::kMaxPatternBytes));
        ok = false;
      }
      (sender ? r.sender : r.recipient) = *pat;
    }
  }
  if (auto it = j.find("probability"); it != j.end()) {
    if (!it->is_number() || it->get<double>() < 0.0 || it->get<double>() > 1.0) {
      c.error(p + "/probability", "a probability is a number from 0 to 1, such as 0.25 (drawn from the scenario's seed)");
      ok = false;
    } else {
      r.probability = static_cast<std::uint32_t>(std::llround(it->get<double>() * faults::kProbabilityScale));
    }
  }

  // What, and whether it fits where.
  const bool reply = r.action == Action::Reply || r.action == Action::Limit;
  if (dns && r.action != Action::Drop && r.action != Action::ServFail && r.action != Action::Delay) {
    c.error(p + "/action", fmt::format("a DNS answer can be dropped (\"drop\"), turned into \"servfail\" or held "
                                       "(\"delay\"), not \"{}\"", *action));
    ok = false;
  }
  if (!dns && (r.action == Action::Drop || r.action == Action::ServFail)) {
    c.error(p + "/action", fmt::format("\"{}\" is for DNS answers (\"at\": \"dns\"); a TCP conversation can get "
                                       "\"reply\", \"close\", \"reset\", \"cut\" or \"throttle\"", *action));
    ok = false;
  }
  const auto only_with = [&](const char* key, bool allowed, std::string_view which) {
    if (j.contains(key) && !allowed) {
      c.error(Checker::child(p, key), fmt::format("\"{}\" goes with \"action\": {}", key, which));
      ok = false;
      return false;
    }
    return allowed;
  };
  if (only_with("code", reply, "\"reply\" or \"limit\"")) {
    const bool smtp = r.protocol == "smtp" || r.protocol.empty();
    const bool need = r.action == Action::Reply && smtp;
    if (auto code = c.integer(j, p, "code", need, 400, 599)) r.code = static_cast<int>(*code);
    else if (r.action == Action::Limit) r.code = 421;
    else if (need) ok = false;
  }
  if (only_with("text", reply, "\"reply\" or \"limit\"")) {
    if (auto text = c.string(j, p, "text", r.action == Action::Reply)) {
      if (text->empty() || text->size() > faults::kMaxReplyTextBytes || !printable_line(*text)) {
        c.error(p + "/text", fmt::format("a reply text is one line of 1 to {} printable characters", faults::kMaxReplyTextBytes));
        ok = false;
      }
      r.text = *text;
    } else if (r.action == Action::Limit) {
      r.text = "4.7.0 Too many messages in a short time, try again later";
    } else {
      ok = false;
    }
  }
  if (only_with("delay", r.action == Action::Delay, "\"delay\"")) {
    if (auto t = c.positive_duration(j, p, "delay", true, "a fault's delay")) {
      if (*t > kMaxFaultDelay) {
        c.error(p + "/delay", "a fault's delay is at most a day of virtual time");
        ok = false;
      }
      r.delay = *t;
    } else {
      ok = false;
    }
  }
  if (only_with("bytes", r.action == Action::Cut, "\"cut\"")) {
    if (auto n = c.integer(j, p, "bytes", true, 0, static_cast<std::int64_t>(faults::kMaxCount)))
      r.bytes = static_cast<std::uint64_t>(*n);
    else ok = false;
  }
  if (only_with("rate", r.action == Action::Throttle, "\"throttle\"")) {
    if (auto n = c.integer(j, p, "rate", true, 1, static_cast<std::int64_t>(faults::kMaxThrottleRate)))
      r.rate = static_cast<std::uint64_t>(*n);
    else ok = false;
  }
  const bool limit = r.action == Action::Limit;
  if (only_with("messages", limit, "\"limit\"")) {
    if (auto n = c.integer(j, p, "messages", true, 1, static_cast<std::int64_t>(faults::kMaxCount)))
      r.messages = static_cast<std::uint64_t>(*n);
    else ok = false;
  }
  if (only_with("window", limit, "\"limit\"")) {
    if (auto t = c.positive_duration(j, p, "window", true, "a limit's window")) r.window = *t;
    else ok = false;
  }
  if (ok) s.faults.push_back(std::move(r));
}

}  // namespace

void load_faults(Checker& c, const nlohmann::json& list, const std::string& pointer, Scenario& s) {
  if (!c.expect_array(list, pointer, "an array of fault rules")) return;
  if (list.size() + s.faults.size() > faults::kMaxFaultRules) {
    c.error(pointer, fmt::format("at most {} fault rules, not {}", faults::kMaxFaultRules, list.size() + s.faults.size()));
    return;
  }
  std::set<std::string> ids;
  for (const auto& r : s.faults) ids.insert(r.id);
  for (std::size_t i = 0; i < list.size(); ++i) load_rule(c, list[i], Checker::child(pointer, i), s, ids);
}

std::vector<Diagnostic> add_faults_text(Scenario& s, std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes)
    return {Diagnostic{file, {1, 1}, "", fmt::format("the file is larger than {} MiB; a fault plan never is", kMaxScenarioBytes >> 20)}};
  JsonSyntaxError err;
  auto src = parse_json_source(text, file, err);
  if (!src) return {Diagnostic{file, err.where, "", err.message}};
  Checker c(*src);
  const std::size_t before = s.faults.size();  // nothing is added unless every rule is right
  const auto& root = src->root;
  if (root.is_array()) {
    load_faults(c, root, "", s);
  } else if (c.expect_object(root, "", "a fault plan ({\"faults\": [...]}) or an array of rules")) {
    c.allowed_keys(root, "", {"$schema", "faults"});
    if (auto it = root.find("faults"); it != root.end()) load_faults(c, *it, "/faults", s);
    else c.error("", "a fault plan file has a \"faults\" array of rules");
  }
  auto d = c.diagnostics();
  if (!d.empty()) s.faults.resize(before);
  return d;
}

std::vector<Diagnostic> add_faults_file(Scenario& s, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    return {Diagnostic{path, {0, 0}, "", std::filesystem::exists(path, ec) ? "cannot read the file" : "no such file"}};
  }
  std::string text;
  char buf[64 * 1024];
  while (in && text.size() <= kMaxScenarioBytes) {
    in.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, kMaxScenarioBytes + 1 - text.size())));
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  return add_faults_text(s, text, path);
}

bool check_fault_expectation_spec(Checker& c, const nlohmann::json& e, const std::string& p, const Scenario& s) {
  c.allowed_keys(e, p, {"type", "rule", "fired", "times"});
  bool ok = true;
  if (auto rule = c.string(e, p, "rule", true)) {
    std::vector<std::string> ids;
    for (const auto& r : s.faults) ids.push_back(r.id);
    if (std::find(ids.begin(), ids.end(), *rule) == ids.end()) {
      std::string msg = "no fault rule has the id " + in_quotes(*rule);
      if (auto near = closest_match(*rule, ids)) msg += " (did you mean \"" + *near + "\"?)";
      else msg += " (the rules are in the scenario's \"faults\")";
      c.error(p + "/rule", msg);
      ok = false;
    }
  } else {
    ok = false;
  }
  if (e.contains("fired")) ok &= c.boolean(e, p, "fired", false).has_value();
  if (e.contains("times")) {
    ok &= c.integer(e, p, "times", false, 0, static_cast<std::int64_t>(faults::kMaxCount)).has_value();
    if (e.contains("fired") && e["fired"].is_boolean() && !e["fired"].get<bool>()) {
      c.error(p + "/times", "\"times\" counts firings; with \"fired\": false leave it out");
      ok = false;
    }
  }
  return ok;
}

// The one place that reads a fault record's detail (its rule's id) for the scenario side.
namespace {
const std::string* fault_rule_of(const Record& rec) {
  if (rec.kind != RecordKind::Note || rec.event.str() != "fault") return nullptr;
  auto it = rec.detail.find("rule");
  return it != rec.detail.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}
}  // namespace

std::vector<FaultTally> fault_tally(const Scenario& s, const Trace& trace) {
  std::vector<FaultTally> out;
  std::map<std::string, std::size_t> index;
  for (const auto& r : s.faults) {
    index.emplace(r.id, out.size());
    out.push_back({r.id, 0, -1});
  }
  if (out.empty()) return out;
  for (const auto& rec : trace.records()) {
    const std::string* rule = fault_rule_of(rec);
    if (!rule) continue;
    auto it = index.find(*rule);
    if (it == index.end()) continue;
    auto& t = out[it->second];
    if (t.fired++ == 0) t.first = rec.time;
  }
  return out;
}

ExpectationResult check_fault_expectation(const ExpectationSpec& e, const Trace& trace) {
  const std::string rule = e.args.at("rule").get<std::string>();
  const bool fired = e.args.value("fired", true);
  const std::int64_t times = e.args.value("times", std::int64_t{-1});
  ExpectationResult r;
  r.pointer = e.pointer;
  r.kind = e.kind;
  r.params = {{"rule", rule}, {"fired", fired}};
  if (times >= 0) r.params["times"] = times;
  r.description = !fired      ? "fault rule " + rule + " never fires"
                  : times >= 0 ? fmt::format("fault rule {} fires {} time(s)", rule, times)
                               : "fault rule " + rule + " fires";
  std::vector<std::uint64_t> seen;
  std::string first;
  // The rule's id is the one field of a fault record's detail read here (docs/trace.md).
  for (const auto& rec : trace.records()) {
    const std::string* id = fault_rule_of(rec);
    if (!id || *id != rule) continue;
    if (seen.empty()) first = rec.text();
    seen.push_back(rec.seq);
  }
  const std::int64_t n = static_cast<std::int64_t>(seen.size());
  r.passed = !fired ? n == 0 : times >= 0 ? n == times : n > 0;
  r.outcome_params = {{"rule", rule}, {"count", n}};
  if (n == 0) {
    r.outcome = r.passed ? "fault.never" : "fault.none";
    r.actual = "fault rule " + rule + " never fired";
  } else {
    r.outcome = r.passed ? "evidence" : "fault.count";
    r.actual = r.passed ? first : fmt::format("fault rule {} fired {} time(s)", rule, n);
    r.records = seen.size() > 8 ? std::vector<std::uint64_t>(seen.begin(), seen.begin() + 8) : seen;
  }
  return r;
}

}  // namespace mailsim::sim
