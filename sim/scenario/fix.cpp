// Challenge mode (c): the student's choices as timeline actions, a re-run, and the grade.
#include "sim/scenario/fix.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace mailsim::sim {

FixChoices fix_start(const FixSpec& fix) {
  FixChoices c;
  for (const auto& s : fix.settings) c.push_back(s.current);
  return c;
}

std::vector<nlohmann::json> fix_actions(const FixSpec& fix, const FixChoices& chosen) {
  std::vector<nlohmann::json> out;
  auto changed = [&](std::size_t k) { return k < chosen.size() && chosen[k] != fix.settings[k].current; };
  auto value = [&](std::size_t k) -> const nlohmann::json& {
    const auto& s = fix.settings[k];
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

std::string fix_changes_text(const FixSpec& fix, const FixChoices& chosen) {
  std::string out;
  for (std::size_t k = 0; k < fix.settings.size() && k < chosen.size(); ++k) {
    const auto& s = fix.settings[k];
    if (chosen[k] == s.current || chosen[k] >= s.values.size()) continue;
    const auto& v = s.values[chosen[k]];
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

FixTry try_fix(const nlohmann::json& doc, const Scenario& lesson, const FixChoices& chosen) {
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
  t.actions = fix_actions(*lesson.fix, chosen);
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
