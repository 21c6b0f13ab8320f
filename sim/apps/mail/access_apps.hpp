// Receiving mail: POP3/IMAP service on mail servers, mail readers on devices, and the
// "mailbox" and "seen" expectations.
#pragma once
#include <optional>
#include <string>

#include "sim/apps/mail/mail_world.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim::mail {

// POP3 autologout is not modelled: the transport has no keepalive, so a device that goes
// offline cuts its own connections and the server is told at once (connection "reset").

// Call after build_mail_stores() and before sim.start(). Adds:
//  - on every mail server with pop3 / pop3s / imap / imaps ports: the POP3 and IMAP services
//    over the server's store (implicit TLS on pop3s/imaps; STLS/STARTTLS offered when the
//    port says "starttls"), each connection through a SessionLink ("pop3" / "imap" records);
//  - on every device with a mail client: a mail reader that owns the device's local mailbox
//    and runs the scenario's check_mail / open / mark_read / delete actions for it;
//  - the scenario's go_offline / go_online actions (the host's network goes down / up; a
//    device's mail connections are cut when it goes offline).
void install_mail_access(Simulation& sim, const Scenario& scenario, MailWorld& world);

// Evaluates a "mailbox" or "seen" expectation on a finished trace; nullopt for other kinds.
//   mailbox {user: address, folder = "INBOX", count?, bytes?}: the server's store records
//     (stored, appended, copied, moved, expunged, deleted via POP3 ...) replayed to the end.
//   seen {on: device, subject, seen?, present = true}: the device's records replayed.
std::optional<ExpectationResult> check_access_expectation(const Scenario& scenario, const ExpectationSpec& e,
                                                          const Trace& trace);

}  // namespace mailsim::sim::mail
