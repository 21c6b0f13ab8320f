// Builds export files from a scenario and its run (names, interfaces, comments, mailboxes).
#include "formats/scenario_export.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sim/apps/mail/mail_world.hpp"

namespace mailsim::formats {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

DiagramInput diagram_input(const sim::Scenario& scenario, const std::vector<sim::NarrationMatch>& matches,
                           const std::string& lang) {
  DiagramInput in;
  in.title = scenario.title.in(lang);
  in.lang = lang;
  for (const auto& n : scenario.networks)
    in.networks.push_back({n.id, lang == "ja" && !n.name_ja.empty() ? n.name_ja : (n.name.empty() ? n.id : n.name),
                           n.kind, n.cidr.str()});
  for (const auto& h : scenario.hosts) {
    const auto& i = h.info;
    in.hosts.push_back({i.id, lang == "ja" && !i.name_ja.empty() ? i.name_ja : (i.name.empty() ? i.id : i.name), i.kind,
                        i.network, i.ip.str()});
  }
  in.steps = scenario.narration;
  in.matches = matches;
  return in;
}

std::string capture_file(const sim::Scenario& scenario, const sim::RunResult& run, const CaptureOptions& options,
                         bool ng, const std::string& lang) {
  std::vector<CaptureHost> hosts;
  for (const auto& h : scenario.hosts)
    hosts.push_back({h.info.id, h.info.kind, h.info.network,
                     fmt::format("{} ({}) on {}", h.info.name.empty() ? h.info.id : h.info.name, h.info.ip.str(),
                                 h.info.network)});
  std::vector<CaptureNetwork> networks;
  for (const auto& n : scenario.networks)
    networks.push_back({n.id, fmt::format("{} ({})", n.name.empty() ? n.id : n.name, n.cidr.str())});
  const auto comments = ng ? narration_packets(run.trace, scenario.narration, run.narration, lang)
                           : std::map<std::uint64_t, std::vector<std::string>>{};
  const auto cap = build_capture(wire_packets(run.trace), hosts, networks, options, comments);
  if (!ng) return write_pcap(cap.packets);
  return write_pcapng(cap.interfaces, cap.packets, "mailsim (simulated; TLS payloads are not real cryptography)");
}

std::vector<std::string> host_ids(const sim::Scenario& scenario) {
  std::vector<std::string> out;
  for (const auto& h : scenario.hosts) out.push_back(h.info.id);
  return out;
}

RunWithMessages run_with_messages(const sim::Scenario& scenario, sim::RunOptions options) {
  RunWithMessages out;
  options.before_start = [&out](sim::Simulation&, sim::mail::MailWorld& world) { collect_messages(world, out.messages); };
  options.at_end = [&out](sim::Simulation&, sim::mail::MailWorld& world) {
    out.at_end = stored_messages(world);
    world.on_accepted = nullptr;  // `out` moves on return; nothing may write to it after the run
    world.on_store_change = nullptr;
  };
  out.run = sim::run_scenario(scenario, options);
  return out;
}

bool resolve_mailbox(const sim::Scenario& scenario, const std::string& address, std::string& host, std::string& user,
                     std::string& why) {
  const auto at = address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size()) {
    why = "expected USER@DOMAIN, e.g. kuroyagi@hogehoge.com";
    return false;
  }
  const auto local = lower(address.substr(0, at));
  const auto domain = lower(address.substr(at + 1));
  std::vector<std::string> known;
  for (const auto& h : scenario.hosts) {
    if (!h.mail_server) continue;
    for (const auto& d : h.mail_server->domains) {
      for (const auto& u : h.mail_server->users) known.push_back(u.name + "@" + d);
      if (lower(d) != domain) continue;
      for (const auto& u : h.mail_server->users) {
        if (lower(u.name) != local) continue;
        host = h.info.id;
        user = u.name;
        return true;
      }
    }
  }
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  why = "no mail server of this scenario has the mailbox " + address +
        (list.empty() ? std::string(" (it has no mailboxes)") : " (mailboxes: " + list + ")");
  return false;
}

}  // namespace mailsim::formats
