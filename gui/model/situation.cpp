// Situations decided by who acts and what happened; hosts switched off over time.
#include "gui/model/situation.hpp"

#include <algorithm>
#include <cctype>

#include "gui/model/steps.hpp"
#include "gui/model/story.hpp"
#include "gui/model/world_view.hpp"

namespace mailsim::gui {

namespace {

std::string str(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_device(const std::string& kind) { return kind == "pc" || kind == "phone" || kind == "laptop"; }

std::string kind_of(const TraceModel& model, const std::string& host) {
  const auto* h = model.layout().host(host);
  return h ? h->kind : std::string{};
}

// A bounce report: sent by MAILER-DAEMON with the null sender, or worded as one.
bool is_bounce(const TraceModel& model, const sim::Record& r) {
  const bool mail = r.kind == sim::RecordKind::Mail;
  // A store's record numbers its copy (`message_id` is the store's number, not the header field).
  const std::string id = mail ? r.mail_info().message_id.str() : std::string();
  if (!id.empty()) {
    for (const auto& l : model.mail().letters()) {
      if (l.message_id != id) continue;
      if (lower(l.from).find("mailer-daemon") != std::string::npos) return true;
      if (l.sender.empty() && !l.recipients.empty()) return true;
    }
  }
  const std::string subject = lower(std::string(mail ? r.mail_info().subject : r.mailbox_info().subject));
  return subject.find("delivery status notification") != std::string::npos ||
         subject.find("undelivered mail") != std::string::npos;
}

bool timed_out(const sim::Record& r) {
  if (r.kind == sim::RecordKind::Connection) return r.event == "timeout";
  if (r.is(sim::MailEvent::SendFailed) || r.is(sim::MailEvent::ConnectFailed))
    return lower(std::string(r.mail_info().error)).find("timed out") != std::string::npos;
  if (r.kind == sim::RecordKind::Action && r.event == "done")
    return lower(r.summary).find("timed out") != std::string::npos;
  return false;
}

// A cut link between two hosts of different networks (either network's link to the Internet).
bool link_cut_between(const TraceModel& model, const HostPower& power, const std::string& a, const std::string& b,
                      std::size_t at) {
  const auto* ha = model.layout().host(a);
  const auto* hb = model.layout().host(b);
  if (!ha || !hb || ha->network == hb->network) return false;
  return power.link_down(ha->network, at) || power.link_down(hb->network, at);
}

}  // namespace

std::size_t HostPower::OnOff::slot(const std::string& id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  const auto k = static_cast<std::size_t>(it - ids.begin());
  if (it == ids.end() || *it != id) {
    ids.insert(it, id);
    initially.insert(initially.begin() + static_cast<std::ptrdiff_t>(k), false);
    changes.insert(changes.begin() + static_cast<std::ptrdiff_t>(k), std::vector<Change>{});
  }
  return k;
}

bool HostPower::OnOff::on(const std::string& id, std::optional<std::size_t> at) const {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) return false;
  const auto k = static_cast<std::size_t>(it - ids.begin());
  bool d = initially[k];
  if (!at) return d;
  for (const auto& c : changes[k]) {
    if (c.record > *at) break;
    d = c.on;
  }
  return d;
}

HostPower::HostPower(const sim::Scenario& scenario, const sim::RecordStore& records) {
  for (const auto& h : scenario.hosts)
    if (h.down) hosts_.initially[hosts_.slot(h.info.id)] = true;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.kind != sim::RecordKind::Action) continue;
    if (r.event == "host_down" || r.event == "host_up") hosts_.changes[hosts_.slot(r.host)].push_back({i, r.event == "host_down"});
    if (r.event == "link_down" || r.event == "link_up") {
      const std::string net = str(r.detail, "network");  // the one read of a link record's detail
      if (!net.empty()) links_.changes[links_.slot(net)].push_back({i, r.event == "link_down"});
    }
  }
}

std::vector<std::string> HostPower::down_hosts(std::optional<std::size_t> at) const {
  std::vector<std::string> out;
  for (const auto& h : hosts_.ids)
    if (down(h, at)) out.push_back(h);
  return out;
}

std::string situation_from_facts(const TraceModel& model, const HostPower& power, std::size_t i) {
  const auto& recs = model.records();
  if (i >= recs.size()) return {};
  const auto& r = recs[i];
  if (r.is(sim::MailEvent::Compose) && is_device(kind_of(model, r.host))) return "mail.compose";
  if (r.is(sim::MailEvent::Delivered) ||
      r.is(sim::MailboxEvent::Stored) || r.is(sim::MailboxEvent::Appended)) {
    if (is_bounce(model, r)) return "mail.returned";
    return {};
  }
  if (timed_out(r)) {
    // The attempt: back to the acting host's latest connection request (to the same peer
    // when the record names one).
    std::string peer = model.layout().host(r.peer) ? r.peer.str() : std::string{};
    std::size_t from = 0;
    for (std::size_t j = i; j-- > 0;) {
      const auto& c = recs[j];
      if (c.kind == sim::RecordKind::Connection && c.event == "connecting" && c.host == r.host &&
          (r.conn == 0 ? (peer.empty() || c.peer == peer) : c.conn == r.conn)) {
        from = j;
        if (peer.empty()) peer = c.peer;
        break;
      }
    }
    for (std::size_t j = from; j < i; ++j) {
      const auto& c = recs[j];
      if (c.kind == sim::RecordKind::Policy && c.host == r.host) return "tcp.timeout_blocked";
    }
    if (!peer.empty() && power.down(peer, i)) return "tcp.server_down";
    if (link_cut_between(model, power, r.host, peer, i)) return "net.link_down";
    return {};
  }
  if (r.kind == sim::RecordKind::Connection && r.event == "aborted" &&
      link_cut_between(model, power, r.host, r.peer.str(), i))
    return "net.link_down";
  if (r.kind == sim::RecordKind::Connection && r.event == "established" && r.conn != 0) {
    if (const auto k = model.connection_index(r.conn)) {
      const auto& ci = model.connections()[*k];
      const auto* client = model.layout().host(ci.client);
      const auto* server = model.layout().host(ci.server);
      if (ci.port == 25 && client && server && client->kind == "mail_server" && server->kind == "mail_server")
        return "smtp.incoming";
    }
  }
  return {};
}

std::string situation_at(const TraceModel& model, const StoryIndex& story, const StepTimeline& steps,
                         const std::vector<sim::NarrationStep>& narration,
                         const std::vector<sim::NarrationMatch>& matches, double p,
                         std::optional<std::size_t> current) {
  if (const auto s = steps.step_at(p); s && *s < narration.size()) {
    if (*s < matches.size() && matches[*s].reached) {
      if (const auto rec = model.index_of_seq(matches[*s].seq); rec && story.decided_by_facts(*rec))
        return story.key_of(*rec);
    }
    if (!narration[*s].analogy.empty()) return narration[*s].analogy;
  }
  const auto rec = story.analogy_at(current);
  return rec ? story.key_of(*rec) : std::string{};
}

}  // namespace mailsim::gui
