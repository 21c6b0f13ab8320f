// Mail conservation, read from the trace: each accepted recipient ends in exactly one state.
#include "sim/scenario/conservation.hpp"

#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/scenario/checker.hpp"

namespace mailsim::sim {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

enum class State { Pending, Delivered, Relayed, Bounced, Dropped };

const char* state_name(State s) {
  switch (s) {
    case State::Pending: return "queued";
    case State::Delivered: return "delivered";
    case State::Relayed: return "relayed";
    case State::Bounced: return "bounced";
    case State::Dropped: return "dropped";
  }
  return "queued";
}

struct RecipientState {
  std::string address;  // as the records wrote it
  State state = State::Pending;
  std::uint64_t final_seq = 0;
  Time since = 0;                  // last progress: queued, deferred's next try
  std::optional<Time> retry_at;    // the last deferral's next try
  std::uint64_t last_seq = 0;
  Time last_time = 0;
};

struct Entry {
  std::string host, queue_id, message_id, subject;
  Time first = 0;
  std::uint64_t first_seq = 0;
  std::map<std::string, RecipientState> recipients;  // by lower-case address
};

struct DeviceMessage {
  std::string host, message_id, subject, server;
  Time at = 0;
  std::uint64_t seq = 0;
  std::map<std::string, bool> answered;  // lower-case recipient -> answered
  std::string first_address;
};

// A bounce whose DSN must follow at the same host and moment (MailServerApp::bounce).
struct PendingDsn {
  std::string host, sender, recipient, queue_id, message_id, subject;
  Time at = 0;
  std::uint64_t seq = 0;
};

std::string describe_message(const std::string& subject, const std::string& message_id) {
  std::string s = "\"" + subject + "\"";
  if (!message_id.empty()) s += " " + message_id;
  return s;
}

}  // namespace

std::string Conservation::summary() const {
  std::string s = holds() ? "holds" : fmt::format("VIOLATED ({} problem(s))", violations.size());
  s += fmt::format(": {} message(s) on servers for {} recipient(s): {} delivered, {} relayed on, {} bounced, {} dropped "
                   "by rule, {} still queued, {} in transfer; {} sent from devices, {} answered",
                   messages, recipients, delivered, relayed, bounced, dropped, queued, in_transfer, sent, answered);
  if (sending > 0) s += fmt::format(", {} still sending", sending);
  return s;
}

nlohmann::json Conservation::to_json() const {
  nlohmann::json j{{"holds", holds()},     {"messages", messages},   {"recipients", recipients},
                   {"delivered", delivered}, {"relayed", relayed},   {"bounced", bounced},
                   {"dropped", dropped},     {"queued", queued},     {"in_transfer", in_transfer},
                   {"sent", sent},           {"answered", answered}, {"sending", sending}};
  j["violations"] = nlohmann::json::array();
  for (const auto& v : violations)
    j["violations"].push_back({{"host", v.host},
                               {"queue_id", v.queue_id},
                               {"message_id", v.message_id},
                               {"subject", v.subject},
                               {"recipient", v.recipient},
                               {"problem", v.problem},
                               {"what", v.what},
                               {"records", v.records}});
  return j;
}

Conservation check_conservation(const Trace& trace, bool quiescent, Time end) {
  Conservation out;
  std::map<std::pair<std::string, std::string>, Entry> entries;  // (host, queue id)
  std::map<std::pair<std::string, std::string>, DeviceMessage> devices;  // (device, message id)
  std::vector<PendingDsn> dsns;
  struct Relay {
    std::string host, queue_id, message_id, subject, recipient, remote;
    Time at;
    std::uint64_t seq;
  };
  std::vector<Relay> relays;
  struct Submit {
    std::string device, server, message_id, subject, recipient;
    std::uint64_t seq;
  };
  std::vector<Submit> submits;

  auto violation = [&](std::string host, std::string queue_id, std::string message_id, std::string subject,
                       std::string recipient, std::string problem, std::string what,
                       std::vector<std::uint64_t> records) {
    out.violations.push_back({std::move(host), std::move(queue_id), std::move(message_id), std::move(subject),
                              std::move(recipient), std::move(problem), std::move(what), std::move(records)});
  };
  auto entry_for = [&](const Record& r) -> Entry& {
    std::string qid = r.mail_info().queue_id.str();
    if (qid.empty()) qid = "<" + r.mail_info().message_id.str() + ">";  // a trace without queue ids
    auto [it, fresh] = entries.try_emplace({r.host, qid});
    Entry& e = it->second;
    if (fresh) {
      e.host = r.host;
      e.queue_id = qid;
      e.first = r.time;
      e.first_seq = r.seq;
    }
    if (e.message_id.empty()) e.message_id = r.mail_info().message_id.str();
    if (e.subject.empty()) e.subject = std::string(r.mail_info().subject);
    return e;
  };
  auto recipient_in = [&](Entry& e, const std::string& address, const Record& r) -> RecipientState& {
    auto [it, fresh] = e.recipients.try_emplace(lower(address));
    if (fresh) {
      it->second.address = address;
      it->second.since = r.time;
    }
    it->second.last_seq = r.seq;
    it->second.last_time = r.time;
    return it->second;
  };
  auto finish = [&](Entry& e, RecipientState& rs, State to, const Record& r) {
    if (rs.state != State::Pending) {
      violation(e.host, e.queue_id, e.message_id, e.subject, rs.address, "duplicate",
                fmt::format("{} (queue id {} at {}) for {} was {} and then {} again", describe_message(e.subject, e.message_id),
                            e.queue_id, e.host, rs.address, state_name(rs.state), state_name(to)),
                {rs.final_seq, r.seq});
      return;
    }
    rs.state = to;
    rs.final_seq = r.seq;
  };
  // A DSN outcome at `host` and `t` for `address`: resolves the first pending bounce it answers.
  auto dsn_outcome = [&](const std::string& host, Time t, const std::string& address) {
    for (auto it = dsns.begin(); it != dsns.end(); ++it) {
      if (it->host == host && it->at == t && lower(it->sender) == lower(address)) {
        const std::string sender = it->sender;
        // Every bounced record of the same bounce (one per failed recipient) is answered by this one DSN.
        std::erase_if(dsns, [&](const PendingDsn& d) { return d.host == host && d.at == t && d.sender == sender; });
        return;
      }
    }
  };

  for (const auto& r : trace.records()) {
    if (r.kind != RecordKind::Mail) continue;
    const auto& d = r.detail;
    const MailInfo& mi = r.mail_info();
    const MailEvent ev = r.mail_event();
    if (ev == MailEvent::Compose) {
      DeviceMessage m;
      m.host = r.host;
      m.message_id = mi.message_id.str();
      m.subject = std::string(mi.subject);
      m.server = d.value("server", r.peer);
      m.at = r.time;
      m.seq = r.seq;
      for (const auto& a : d.value("recipients", nlohmann::json::array())) {
        if (!a.is_string()) continue;
        if (m.first_address.empty()) m.first_address = a.get<std::string>();
        m.answered[lower(a.get<std::string>())] = false;
      }
      devices[{r.host, m.message_id}] = std::move(m);
      continue;
    }
    if (ev == MailEvent::Submitted || ev == MailEvent::SendFailed) {
      auto it = devices.find({r.host, mi.message_id.str()});
      if (it == devices.end()) continue;
      const std::string rcpt = mi.recipient.str();
      if (ev == MailEvent::Submitted || !rcpt.empty()) {
        it->second.answered[lower(rcpt)] = true;
      } else {
        for (auto& [a, answered] : it->second.answered) answered = true;  // the session failed as a whole
      }
      if (ev == MailEvent::Submitted)
        submits.push_back({r.host, r.peer, it->second.message_id, it->second.subject, rcpt, r.seq});
      continue;
    }
    if (ev == MailEvent::Queued) {
      Entry& e = entry_for(r);
      for (const auto& a : d.value("recipients", nlohmann::json::array()))
        if (a.is_string()) recipient_in(e, a.get<std::string>(), r);
      if ((mi.has(MailInfo::kSender) && mi.sender.empty()))
        for (const auto& a : d.value("recipients", nlohmann::json::array()))
          if (a.is_string()) dsn_outcome(r.host, r.time, a.get<std::string>());
      continue;
    }
    if (ev == MailEvent::Delivered) {
      Entry& e = entry_for(r);
      const std::string rcpt = mi.recipient.str();
      finish(e, recipient_in(e, rcpt, r), State::Delivered, r);
      dsn_outcome(r.host, r.time, rcpt);
      continue;
    }
    if (ev == MailEvent::Relayed) {
      Entry& e = entry_for(r);
      const std::string rcpt = mi.recipient.str();
      finish(e, recipient_in(e, rcpt, r), State::Relayed, r);
      relays.push_back({r.host, e.queue_id, e.message_id, e.subject, rcpt, d.value("remote", r.peer), r.time, r.seq});
      continue;
    }
    if (ev == MailEvent::Deferred) {
      Entry& e = entry_for(r);
      RecipientState& rs = recipient_in(e, mi.recipient.str(), r);
      rs.retry_at = mi.has(MailInfo::kRetryAt) ? mi.retry_at : r.time;
      rs.since = *rs.retry_at;
      continue;
    }
    if (ev == MailEvent::Bounced) {
      const std::string rcpt = mi.recipient.str();
      if (!mi.has(MailInfo::kQueueId)) {
        // "cannot deliver the bounce to SENDER; it is dropped": the DSN's own end, reason logged.
        dsn_outcome(r.host, r.time, rcpt);
        continue;
      }
      Entry& e = entry_for(r);
      const bool null_sender = mi.sender.empty();
      finish(e, recipient_in(e, rcpt, r), null_sender ? State::Dropped : State::Bounced, r);
      if (!null_sender)
        dsns.push_back({r.host, mi.sender.str(), rcpt, e.queue_id, e.message_id, e.subject, r.time, r.seq});
      continue;
    }
  }

  // Servers: every recipient of every entry in exactly one state.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, Time>>> holders;  // (message id, rcpt)
  for (auto& [key, e] : entries) {
    ++out.messages;
    for (auto& [addr, rs] : e.recipients) {
      ++out.recipients;
      if (!e.message_id.empty()) holders[{e.message_id, addr}].emplace_back(e.host, e.first);
      switch (rs.state) {
        case State::Delivered: ++out.delivered; continue;
        case State::Relayed: ++out.relayed; continue;
        case State::Bounced: ++out.bounced; continue;
        case State::Dropped: ++out.dropped; continue;
        case State::Pending: break;
      }
      const std::string msg = describe_message(e.subject, e.message_id);
      if (quiescent) {
        violation(e.host, e.queue_id, e.message_id, e.subject, rs.address, "lost",
                  fmt::format("{} (queue id {} at {}) for {} was neither delivered, relayed, bounced nor dropped, and "
                              "nothing was left to do for it when the run ended (last seen at {})",
                              msg, e.queue_id, e.host, rs.address, format_time(rs.last_time)),
                  {e.first_seq, rs.last_seq});
      } else if (rs.retry_at && *rs.retry_at >= end) {
        ++out.queued;
      } else if (end - rs.since > kStuckAfter) {
        violation(e.host, e.queue_id, e.message_id, e.subject, rs.address, "lost",
                  fmt::format("{} (queue id {} at {}) for {} has been in transfer since {} with no outcome: stuck for "
                              "longer than {}",
                              msg, e.queue_id, e.host, rs.address, format_time(rs.since), format_time(kStuckAfter)),
                  {e.first_seq, rs.last_seq});
      } else {
        ++out.in_transfer;
      }
    }
  }
  for (const auto& p : dsns)
    violation(p.host, p.queue_id, p.message_id, p.subject, p.recipient, "no_dsn",
              fmt::format("{} (queue id {} at {}) bounced for {}, but no delivery status notification went back to {}",
                          describe_message(p.subject, p.message_id), p.queue_id, p.host, p.recipient, p.sender),
              {p.seq});
  // A relay counts only if the next server took the message (it recorded it before its 250).
  for (const auto& rl : relays) {
    if (rl.message_id.empty()) continue;
    bool taken = false;
    if (auto it = holders.find({rl.message_id, lower(rl.recipient)}); it != holders.end())
      for (const auto& [h, t] : it->second)
        if (h != rl.host && t <= rl.at) taken = true;
    if (!taken)
      violation(rl.host, rl.queue_id, rl.message_id, rl.subject, rl.recipient, "relay_unconfirmed",
                fmt::format("{} (queue id {} at {}) was handed to {} for {}, but no server recorded taking it",
                            describe_message(rl.subject, rl.message_id), rl.queue_id, rl.host, rl.remote, rl.recipient),
                {rl.seq});
  }
  for (const auto& s : submits) {
    if (s.message_id.empty()) continue;
    bool taken = false;
    if (auto it = holders.find({s.message_id, lower(s.recipient)}); it != holders.end())
      for (const auto& [h, t] : it->second)
        if (h == s.server) taken = true;
    if (!taken)
      violation(s.device, "", s.message_id, s.subject, s.recipient, "submit_unconfirmed",
                fmt::format("{} from {}: the device was told {} accepted it for {}, but {} has no record of it",
                            describe_message(s.subject, s.message_id), s.device, s.server, s.recipient, s.server),
                {s.seq});
  }
  // Devices: every recipient of every message sent got an answer.
  for (const auto& [key, m] : devices) {
    ++out.sent;
    std::string missing;
    for (const auto& [addr, answered] : m.answered)
      if (!answered) missing = addr;
    if (missing.empty()) {
      ++out.answered;
      continue;
    }
    if (!quiescent && end - m.at <= kStuckAfter) {
      ++out.sending;
      continue;
    }
    violation(m.host, "", m.message_id, m.subject, missing, "unanswered",
              fmt::format("{} sent from {} via {}: the device never learned whether it was accepted for {}{}",
                          describe_message(m.subject, m.message_id), m.host, m.server, missing,
                          quiescent ? "" : fmt::format(" (still waiting after {})", format_time(kStuckAfter))),
              {m.seq});
  }
  return out;
}

}  // namespace mailsim::sim
