// Which trace records a run's own checks read: the retention rule of a run that streams its
// trace to a file and keeps only those in memory (issue 13; docs/trace.md).
#pragma once
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

// The records the end-of-run checks of `scenario` read, and nothing else:
//  - mail conservation (every run): the mail events it reads (compose, submitted, send_failed,
//    queued, delivered, relayed, deferred, bounced);
//  - each expectation: the kind its check reads (connection, policy, dns "result", packet for
//    "wire", mailbox for "mailbox" and "seen", mail for the mail outcomes, note "fault");
//  - each narration step: its moment's kind (and event, when the step names one);
//  - the fault tally of the report (a scenario with a fault plan): note "fault".
// The run budget's likely cause counts every record as it is added (RunawayTally), so it needs
// none kept. An expectation type this function does not know keeps everything: a new check is
// never starved of its records before someone adds it here.
Retention checks_retention(const Scenario& scenario);

}  // namespace mailsim::sim
