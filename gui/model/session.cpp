// The app's session: user actions become timeline entries, checked by the scenario loader and
// run again; the player then continues from the moment it showed.
#include "gui/model/session.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "gui/model/story.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::gui {

namespace {

std::string join_diagnostics(const std::vector<sim::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += "\n";
    out += d.format();
  }
  return out;
}

const sim::HostSpec* find_host(const sim::Scenario& s, const std::string& id) {
  for (const auto& h : s.hosts)
    if (h.info.id == id) return &h;
  return nullptr;
}

// The account a command means (nullptr when the device or account does not exist: the
// loader explains that).
const sim::mail::AccountSpec* find_account(const sim::Scenario& s, const std::string& device,
                                           const std::string& account) {
  const auto* h = find_host(s, device);
  if (!h || !h->mail_client || h->mail_client->accounts.empty()) return nullptr;
  if (account.empty()) return &h->mail_client->accounts.front();
  for (const auto& a : h->mail_client->accounts)
    if (a.address == account) return &a;
  return nullptr;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  return std::string(s);
}

bool same_record(const sim::Record& a, const sim::Record& b) {
  return a.time == b.time && a.kind == b.kind && a.event == b.event && a.host == b.host && a.peer == b.peer &&
         a.text() == b.text();
}

}  // namespace

// ---- Session ----

bool Session::open_file(const std::string& path, std::string& error) {
  auto loaded = sim::load_scenario_file(path);
  if (!loaded.scenario) {
    error = join_diagnostics(loaded.diagnostics);
    return false;
  }
  // The loader accepted the file, so it is JSON; keep the document to add actions to.
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto doc = nlohmann::json::parse(buf.str(), nullptr, false);
  if (!doc.is_object()) {
    error = path + ": cannot read the file again";
    return false;
  }
  file_ = path;
  base_ = std::move(doc);
  actions_.clear();
  loaded_ = true;
  rerun(std::move(*loaded.scenario));
  return true;
}

std::optional<sim::Scenario> Session::build(const std::vector<UserAction>& actions, std::string& error) const {
  nlohmann::json doc = base_;
  auto& timeline = doc["timeline"];
  if (!timeline.is_array()) timeline = nlohmann::json::array();
  const std::size_t first = timeline.size();
  for (const auto& a : actions) timeline.push_back(a.entry);
  auto loaded = sim::load_scenario_text(doc.dump(), file_);
  if (loaded.scenario) return std::move(loaded.scenario);
  std::string out;
  for (const auto& d : loaded.diagnostics) {
    std::string line = d.format();
    for (std::size_t k = 0; k < actions.size(); ++k) {
      // The user's action: say which of its keys is wrong, not where in a file it would be.
      const std::string prefix = "/timeline/" + std::to_string(first + k);
      if (d.pointer == prefix) line = d.message;
      else if (d.pointer.rfind(prefix + "/", 0) == 0) line = d.pointer.substr(prefix.size() + 1) + ": " + d.message;
    }
    if (!out.empty()) out += "\n";
    out += line;
  }
  error = out.empty() ? std::string("the scenario could not be loaded again") : out;
  return std::nullopt;
}

void Session::rerun(sim::Scenario scenario) {
  scenario_ = std::move(scenario);
  run_ = sim::run_scenario(scenario_);
  ++revision_;
}

CommandResult Session::add(nlohmann::json entry, sim::Time at) {
  CommandResult r;
  if (!loaded_) {
    r.message = "no scenario is open";
    return r;
  }
  entry["at"] = fmt::format("{}us", at);
  auto actions = actions_;
  actions.push_back(UserAction{at, std::move(entry)});
  auto scenario = build(actions, r.message);
  if (!scenario) return r;
  actions_ = std::move(actions);
  rerun(std::move(*scenario));
  r.ok = true;
  r.at = at;
  return r;
}

CommandResult Session::compose(const ComposeCommand& c, sim::Time now) {
  nlohmann::json entry{{"do", "send"}, {"from", c.device}};
  if (!c.account.empty()) entry["account"] = c.account;
  // One recipient as a plain address, several as a list (both as a scenario file has them).
  if (c.to.size() == 1) entry["to"] = c.to.front();
  else entry["to"] = c.to;
  if (!c.subject.empty()) entry["subject"] = c.subject;
  if (!c.body.empty()) entry["body"] = c.body;
  // Outgoing settings other than the account's: the action's own "smtp" (only what differs,
  // so a message sent as the account is set up reads exactly like a lesson's). A new port
  // also carries AUTH and TLS as the form shows them, since the loader would otherwise give
  // that port's defaults. The loader checks the values (port 0, unknown server, ...).
  if (const auto* acc = find_account(scenario_, c.device, c.account)) {
    nlohmann::json smtp = nlohmann::json::object();
    if (c.server && *c.server != acc->smtp.server) smtp["server"] = *c.server;
    const bool new_port = c.port && *c.port != acc->smtp.port;
    if (new_port) smtp["port"] = *c.port;
    const bool auth = c.auth.value_or(acc->smtp.auth);
    const std::string tls = c.tls.value_or(acc->smtp.tls);
    if (new_port || auth != acc->smtp.auth) smtp["auth"] = auth;
    if (new_port || tls != acc->smtp.tls) smtp["tls"] = tls;
    if (!smtp.empty()) entry["smtp"] = std::move(smtp);
  } else if (c.server || c.port || c.auth || c.tls) {
    // No account to compare with: pass everything on (the loader names the real mistake).
    nlohmann::json smtp = nlohmann::json::object();
    if (c.server) smtp["server"] = *c.server;
    if (c.port) smtp["port"] = *c.port;
    if (c.auth) smtp["auth"] = *c.auth;
    if (c.tls) smtp["tls"] = *c.tls;
    entry["smtp"] = std::move(smtp);
  }
  return add(std::move(entry), now + kActionDelay);
}

CommandResult Session::check_mail(const CheckMailCommand& c, sim::Time now) {
  nlohmann::json entry{{"do", "check_mail"}, {"on", c.device}};
  if (!c.account.empty()) entry["account"] = c.account;
  return add(std::move(entry), now + kActionDelay);
}

CommandResult Session::set_actions(const std::vector<nlohmann::json>& entries) {
  CommandResult r;
  if (!loaded_) {
    r.message = "no scenario is open";
    return r;
  }
  std::vector<UserAction> actions;
  for (const auto& e : entries) {
    const auto at = sim::parse_duration(e.value("at", std::string("0s")));
    actions.push_back(UserAction{at.value_or(0), e});
  }
  auto scenario = build(actions, r.message);
  if (!scenario) return r;
  actions_ = std::move(actions);
  rerun(std::move(*scenario));
  r.ok = true;
  return r;
}

bool Session::undo() {
  if (actions_.empty()) return false;
  auto actions = actions_;
  actions.pop_back();
  std::string error;
  auto scenario = build(actions, error);
  if (!scenario) return false;  // cannot happen: these actions were accepted before
  actions_ = std::move(actions);
  rerun(std::move(*scenario));
  return true;
}

bool Session::reset() {
  if (actions_.empty()) return false;
  std::string error;
  auto scenario = build({}, error);
  if (!scenario) return false;
  actions_.clear();
  rerun(std::move(*scenario));
  return true;
}

// ---- what the panels offer ----

bool MailDevice::can_check() const {
  return std::any_of(accounts.begin(), accounts.end(), [](const auto& a) { return a.incoming.has_value(); });
}

std::vector<MailDevice> mail_devices(const sim::Scenario& scenario) {
  std::vector<MailDevice> out;
  for (const auto& h : scenario.hosts) {
    if (!h.mail_client || h.mail_client->accounts.empty()) continue;
    out.push_back(MailDevice{h.info.id, h.info.kind, h.mail_client->accounts});
  }
  return out;
}

std::vector<std::string> known_addresses(const sim::Scenario& scenario) {
  std::set<std::string> all;
  for (const auto& h : scenario.hosts) {
    if (h.mail_client)
      for (const auto& a : h.mail_client->accounts) all.insert(a.address);
    if (h.mail_server)
      for (const auto& d : h.mail_server->domains)
        for (const auto& u : h.mail_server->users) all.insert(u.name + "@" + d);
  }
  return {all.begin(), all.end()};
}

ComposeCommand compose_defaults(const sim::Scenario& scenario, const std::string& device) {
  ComposeCommand c;
  c.device = device;
  const auto* acc = find_account(scenario, device, "");
  if (!acc) return c;
  c.account = acc->address;
  c.server = acc->smtp.server;
  c.port = acc->smtp.port;
  c.auth = acc->smtp.auth;
  c.tls = acc->smtp.tls;
  // Someone else, preferably a person with a device of their own in the lesson.
  std::string to;
  for (const auto& d : mail_devices(scenario))
    for (const auto& a : d.accounts)
      if (to.empty() && a.address != acc->address) to = a.address;
  if (to.empty())
    for (const auto& a : known_addresses(scenario))
      if (to.empty() && a != acc->address) to = a;
  if (!to.empty()) c.to.push_back(to);
  c.subject = "Hello";
  c.body = "Hello!\n";
  return c;
}

std::vector<std::string> split_addresses(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (const char ch : text) {
    if (ch == ',' || ch == ';' || ch == ' ' || ch == '\t' || ch == '\n') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string describe_action(const UserAction& action, const StringTable& strings, bool japanese) {
  const auto& e = action.entry;
  const std::string time = clock_text(japanese, action.at);  // "2.000s", in Japanese "2.000秒"
  if (e.value("do", "") == "send") {
    std::string to;
    const auto list = e.value("to", nlohmann::json::array());
    for (const auto& t : list.is_array() ? list : nlohmann::json::array({list})) {
      if (!to.empty()) to += ", ";
      to += t.is_string() ? t.get<std::string>() : t.dump();
    }
    return format_text(strings.get("session.did_send"),
                       {{"time", time}, {"from", e.value("from", "")}, {"to", to},
                        {"subject", e.value("subject", "(no subject)")}});
  }
  return format_text(strings.get("session.did_check"), {{"time", time}, {"on", e.value("on", "")}});
}

// ---- the same moment in another run ----

Moment moment_at(const TraceModel& model, double playback) {
  Moment m;
  m.time = model.pace().virtual_at(playback);
  const auto cur = model.record_at_playback(playback);
  if (!cur) return m;
  const auto& recs = model.records();
  m.record = recs[*cur];
  for (std::size_t i = *cur; i-- > 0 && recs[i].time == recs[*cur].time;)
    if (same_record(recs[i], recs[*cur])) ++m.occurrence;
  return m;
}

double playback_of_moment(const TraceModel& model, const Moment& m) {
  if (!m.record) return m.time == 0 ? 0.0 : model.pace().playback_at(m.time);
  if (m.record->time == m.time) {
    const auto& recs = model.records();
    // Records are sorted by time: look among those at the record's time.
    auto it = std::lower_bound(recs.begin(), recs.end(), m.time,
                               [](const sim::Record& r, sim::Time t) { return r.time < t; });
    std::size_t seen = 0;
    for (; it != recs.end() && it->time == m.time; ++it) {
      if (!same_record(*it, *m.record)) continue;
      if (seen++ == m.occurrence) return model.playback_of_record(static_cast<std::size_t>(it - recs.begin()));
    }
  }
  // Between records: the same virtual time (a hair later if rounding lands a microsecond short).
  double p = model.pace().playback_at(m.time);
  for (int i = 0; i < 64 && model.pace().virtual_at(p) < m.time; ++i) p += 5e-8;
  return p;
}

std::vector<std::string> description_paragraphs(std::string_view text) {
  static const char* const kMarkers[] = {"What to notice:", "Question for the class:", "Question:",
                                         "注目点：", "注目点:", "質問：", "質問:"};
  std::vector<std::size_t> cuts;
  for (const char* m : kMarkers) {
    const auto at = text.find(m);
    if (at != std::string_view::npos && at > 0) cuts.push_back(at);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<std::string> out;
  std::size_t from = 0;
  cuts.push_back(text.size());
  for (const auto cut : cuts) {
    auto part = trim(text.substr(from, cut - from));
    if (!part.empty()) out.push_back(std::move(part));
    from = cut;
  }
  return out;
}

}  // namespace mailsim::gui
