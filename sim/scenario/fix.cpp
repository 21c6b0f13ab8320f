// Challenge mode (c): the student's choices as timeline actions, a re-run, and the grade.
#include "sim/scenario/fix.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "protocols/smtp/server.hpp"
#include "sim/apps/mail/mail_spec.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::sim {

namespace {
bool is_port(const FixSetting& s) { return s.target == "account" && (s.setting == "smtp.port" || s.setting == "incoming.port"); }
bool is_size(const FixSetting& s) { return s.target == "server" && (s.setting == "quota" || s.setting == "max_message_size"); }
std::string size_words(std::uint64_t n) {
  if (n % (1024 * 1024) == 0 && n > 0) return std::to_string(n >> 20) + "MB";
  if (n % 1024 == 0 && n > 0) return std::to_string(n >> 10) + "KB";
  return std::to_string(n) + "B";
}
std::string number_words(const FixRange& r, std::uint64_t n) { return r.size ? size_words(n) : std::to_string(n); }
// A number of a "range" member: a port as a number; a size as "8KB" or a number of bytes.
std::optional<std::uint64_t> range_number(const nlohmann::json& v, bool size, std::string* why) {
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0)) return v.get<std::uint64_t>();
  if (size && v.is_string()) return mail::parse_size(v.get<std::string>(), why);
  if (why) *why = size ? "expected a size such as \"8KB\" (or a number of bytes)" : "expected a whole number, such as 587";
  return std::nullopt;
}
std::string setting_words(const FixSetting& s) {
  std::string id = s.setting;
  if (!s.user.empty()) id += " of " + s.user;
  return id + " on " + (s.target == "dns" ? s.zone : s.host);
}
}  // namespace

std::optional<FixRange> fix_own_range(const FixSetting& s) {
  if (is_port(s)) return FixRange{1, 65535, 1, false};
  if (s.target == "server" && s.setting == "quota") return FixRange{0, smtp::kMaxMessageSizeCap, 1024, true};
  if (s.target == "server" && s.setting == "max_message_size") return FixRange{1, smtp::kMaxMessageSizeCap, 1024, true};
  return std::nullopt;
}

std::optional<std::uint64_t> fix_number(const FixSetting& s, const nlohmann::json& value) {
  if (is_port(s)) {
    if (value.is_number_integer() && value.get<long long>() >= 1 && value.get<long long>() <= 65535)
      return value.get<std::uint64_t>();
    return std::nullopt;
  }
  if (is_size(s) && value.is_string()) return mail::parse_size(value.get<std::string>());
  return std::nullopt;
}

nlohmann::json fix_number_value(const FixSetting& s, std::uint64_t n) {
  if (is_size(s)) return size_words(n);
  return n;
}

bool check_fix_range(Checker& c, const nlohmann::json& j, const std::string& p, const FixSetting& s) {
  const auto it = j.find("range");
  if (it == j.end()) return true;
  const std::string rp = p + "/range";
  const auto own = fix_own_range(s);
  if (!own) {
    c.error(rp, "\"" + s.setting + "\" is not a number: only a port, \"quota\" and \"max_message_size\" have a range");
    return false;
  }
  if (!c.expect_object(*it, rp, "a range ({\"min\": ..., \"max\": ..., \"step\": ...})")) return false;
  const std::size_t before = c.problems();
  c.allowed_keys(*it, rp, {"min", "max", "step"});
  FixRange r = *own;
  const std::string limits = number_words(*own, own->min) + " to " + number_words(*own, own->max);
  for (const char* key : {"min", "max", "step"}) {
    if (!it->contains(key)) continue;
    std::string why;
    const auto n = range_number((*it)[key], own->size, &why);
    const std::string kp = rp + "/" + key;
    if (!n) {
      c.error(kp, why);
      continue;
    }
    if (std::string(key) == "step") {
      r.step = *n;
    } else if (*n < own->min || *n > own->max) {
      c.error(kp, fmt::format("{} is outside what the loader allows for {} ({})", number_words(*own, *n), s.setting, limits));
    } else {
      (std::string(key) == "min" ? r.min : r.max) = *n;
    }
  }
  if (c.problems() != before) return false;
  if (r.min > r.max) {
    c.error(rp, fmt::format("min ({}) is above max ({})", number_words(r, r.min), number_words(r, r.max)));
    return false;
  }
  if (r.step == 0 || (r.max > r.min && r.step > r.max - r.min)) {
    c.error(rp + "/step", fmt::format("a step of 1 to {} (max - min)", number_words(r, std::max<std::uint64_t>(1, r.max - r.min))));
    return false;
  }
  for (std::size_t k = 0; k < s.values.size(); ++k) {
    const auto n = fix_number(s, s.values[k]);
    if (n && (*n < r.min || *n > r.max)) {
      c.error(rp, fmt::format("value {} of this setting ({}) is outside its range {} to {}",
                              s.values[k].is_string() ? s.values[k].get<std::string>() : s.values[k].dump(),
                              k == s.current ? "the world's own" : "a choice", number_words(r, r.min), number_words(r, r.max)));
      return false;
    }
  }
  return true;
}

std::optional<FixRange> fix_range(const FixSetting& s, const nlohmann::json* setting_json) {
  auto r = fix_own_range(s);
  if (!r || setting_json == nullptr || !setting_json->is_object()) return r;
  const auto it = setting_json->find("range");
  if (it == setting_json->end() || !it->is_object()) return r;
  FixRange n = *r;
  for (const char* key : {"min", "max", "step"}) {
    if (!it->contains(key)) continue;
    const auto v = range_number((*it)[key], r->size, nullptr);
    if (!v) return r;
    (std::string(key) == "min" ? n.min : std::string(key) == "max" ? n.max : n.step) = *v;
  }
  if (n.min < r->min || n.max > r->max || n.min > n.max || n.step == 0) return r;
  return n;
}

std::string fix_numbers_error(const nlohmann::json& doc, const FixSpec& fix, const FixNumbers& numbers) {
  for (std::size_t k = 0; k < numbers.size() && k < fix.settings.size(); ++k) {
    if (!numbers[k]) continue;
    const auto& s = fix.settings[k];
    const nlohmann::json* sj = nullptr;
    try {
      sj = &doc.at(nlohmann::json::json_pointer(s.pointer));
    } catch (const nlohmann::json::exception&) {
      sj = nullptr;
    }
    const auto r = fix_range(s, sj);
    if (!r) return setting_words(s) + ": not a number, so it takes one of its listed values";
    if (*numbers[k] < r->min || *numbers[k] > r->max)
      return fmt::format("{}: {} is outside {} to {}", setting_words(s), number_words(*r, *numbers[k]), number_words(*r, r->min),
                         number_words(*r, r->max));
  }
  return {};
}

FixChoices fix_start(const FixSpec& fix) {
  FixChoices c;
  for (const auto& s : fix.settings) c.push_back(s.current);
  return c;
}

std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen) { return fix_actions(fix, chosen, {}); }

std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen, const FixNumbers& numbers) {
  std::vector<nlohmann::json> out;
  auto own_number = [&](std::size_t k) -> std::optional<std::uint64_t> {
    return k < numbers.size() && numbers[k] ? numbers[k] : std::nullopt;
  };
  auto changed = [&](std::size_t k) {
    const auto& s = fix.settings[k];
    if (const auto n = own_number(k)) return fix_number(s, s.values[s.current]) != n;
    return k < chosen.size() && chosen[k] != s.current;
  };
  auto value = [&](std::size_t k) -> nlohmann::json {
    const auto& s = fix.settings[k];
    if (const auto n = own_number(k)) return fix_number_value(s, *n);
    return s.values[k < chosen.size() && chosen[k] < s.values.size() ? chosen[k] : s.current];
  };
  // Accounts: one change per (device, account) with something changed, in the order offered.
  std::vector<std::pair<std::string, std::string>> accounts;
  for (std::size_t k = 0; k < fix.settings.size(); ++k) {
    const auto& s = fix.settings[k];
    if (s.target != "account" || !changed(k)) continue;
    const std::pair<std::string, std::string> key{s.host, s.account};
    if (std::find(accounts.begin(), accounts.end(), key) == accounts.end()) accounts.push_back(key);
  }
  for (const auto& [host, account] : accounts) {
    nlohmann::json e{{"at", "0s"}, {"do", "change_account"}, {"on", host}, {"account", account}};
    for (std::size_t k = 0; k < fix.settings.size(); ++k) {
      const auto& s = fix.settings[k];
      if (s.target != "account" || s.host != host || s.account != account) continue;
      if (s.setting == "password") {
        e["password"] = value(k);
      } else {
        const auto dot = s.setting.find('.');
        e[s.setting.substr(0, dot)][s.setting.substr(dot + 1)] = value(k);
      }
    }
    out.push_back(std::move(e));
  }
  for (std::size_t k = 0; k < fix.settings.size(); ++k) {
    const auto& s = fix.settings[k];
    if (!changed(k)) continue;
    if (s.target == "server") {
      if (s.setting == "empty_folder") {
        if (value(k) == true) out.push_back({{"at", "0s"}, {"do", "empty_folder"}, {"host", s.host}, {"user", s.user}});
      } else if (s.setting == "quota") {
        out.push_back({{"at", "0s"}, {"do", "change_server"}, {"host", s.host}, {"user", s.user}, {"quota", value(k)}});
      } else {
        out.push_back({{"at", "0s"}, {"do", "change_server"}, {"host", s.host}, {s.setting, value(k)}});
      }
    } else if (s.target == "dns") {
      out.push_back({{"at", "0s"},
                     {"do", "dns_change"},
                     {"zone", s.zone},
                     {"remove", nlohmann::json::array({s.values[s.current]})},
                     {"add", nlohmann::json::array({value(k)})}});
    }
  }
  return out;
}

std::string fix_changes_text(const FixSpec& fix, const FixChoices& chosen, const FixNumbers& numbers) {
  std::string out;
  for (std::size_t k = 0; k < fix.settings.size() && k < chosen.size(); ++k) {
    const auto& s = fix.settings[k];
    nlohmann::json v;
    if (k < numbers.size() && numbers[k]) {
      if (fix_number(s, s.values[s.current]) == numbers[k]) continue;
      v = fix_number_value(s, *numbers[k]);
    } else {
      if (chosen[k] == s.current || chosen[k] >= s.values.size()) continue;
      v = s.values[chosen[k]];
    }
    std::string id = (s.target == "dns" ? s.zone : s.host) + ":" + s.setting;
    if (!s.user.empty()) id += "(" + s.user + ")";
    if (s.target == "account" && s.host.empty()) id += "(" + s.account + ")";
    out += (out.empty() ? "" : "; ") + id + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

FixGrade grade_fix(const Scenario& s, const Trace& trace) {
  FixGrade g;
  if (!s.fix) return g;
  Scenario goal = s;
  goal.expectations = s.fix->goal;
  g.results = check_expectations(goal, trace);
  g.total = g.results.size();
  for (const auto& r : g.results)
    if (r.passed) ++g.passed;
  g.percent = g.total == 0 ? 0 : static_cast<int>(g.passed * 100 / g.total);
  return g;
}

FixTry try_fix(const nlohmann::json& doc, const Scenario& lesson, const FixChoices& chosen, const FixNumbers& numbers) {
  FixTry t;
  if (!lesson.fix) {
    t.error = "this lesson has no \"fix\" block";
    return t;
  }
  if (chosen.size() != lesson.fix->settings.size()) {
    t.error = "one choice per setting is needed";
    return t;
  }
  for (std::size_t k = 0; k < chosen.size(); ++k)
    if (chosen[k] >= lesson.fix->settings[k].values.size()) {
      t.error = "a choice is out of range";
      return t;
    }
  if (numbers.size() > chosen.size()) {
    t.error = "more numbers than settings";
    return t;
  }
  if (t.error = fix_numbers_error(doc, *lesson.fix, numbers); !t.error.empty()) return t;
  t.actions = fix_actions(*lesson.fix, chosen, numbers);
  nlohmann::json d = doc;
  auto& timeline = d["timeline"];
  if (!timeline.is_array()) timeline = nlohmann::json::array();
  for (const auto& a : t.actions) timeline.push_back(a);
  auto loaded = load_scenario_text(d.dump(), lesson.file);
  if (!loaded.scenario) {
    for (const auto& x : loaded.diagnostics) t.error += (t.error.empty() ? "" : "\n") + x.format();
    return t;
  }
  t.scenario = std::move(loaded.scenario);
  t.run = run_scenario(*t.scenario);
  t.grade = grade_fix(*t.scenario, t.run.trace);
  t.ok = true;
  return t;
}

std::optional<nlohmann::json> read_scenario_document(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  auto doc = nlohmann::json::parse(buf.str(), nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  return doc;
}

}  // namespace mailsim::sim
