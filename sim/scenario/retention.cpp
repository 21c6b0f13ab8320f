// The retention rule of a run that keeps only what its checks read (issue 13).
#include "sim/scenario/retention.hpp"

namespace mailsim::sim {

Retention checks_retention(const Scenario& s) {
  Retention keep = Retention::only();
  // check_conservation reads these mail events (not routing, waiting, reusing, greylisted ...).
  for (const MailEvent e : {MailEvent::Compose, MailEvent::Submitted, MailEvent::SendFailed, MailEvent::Queued,
                            MailEvent::Delivered, MailEvent::Relayed, MailEvent::Deferred, MailEvent::Bounced})
    keep.keep(RecordKind::Mail, event_name(e));
  for (const auto& e : s.expectations) {
    const std::string& k = e.kind;
    if (k == "connection") keep.keep(RecordKind::Connection);         // check_connection
    else if (k == "blocked") keep.keep(RecordKind::Policy);           // check_blocked
    else if (k == "dns") keep.keep(RecordKind::Dns, event_name(DnsEvent::Result));        // check_dns
    else if (k == "wire") keep.keep(RecordKind::Packet);              // check_wire: the bytes
    else if (k == "fault") keep.keep(RecordKind::Note, "fault");      // check_fault_expectation
    else if (k == "mailbox" || k == "seen") keep.keep(RecordKind::Mailbox);  // check_mailbox, device_view
    else if (k == "delivered" || k == "bounced" || k == "deferred" || k == "send_failed")
      keep.keep(RecordKind::Mail);  // check_mail
    else return Retention::everything();
  }
  for (const auto& step : s.narration) {  // match_narration
    if (step.when.event.empty()) keep.keep(step.when.kind);
    else keep.keep(step.when.kind, step.when.event);
  }
  if (!s.faults.empty()) keep.keep(RecordKind::Note, "fault");  // fault_tally
  return keep;
}

}  // namespace mailsim::sim
