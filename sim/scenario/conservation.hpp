// Mail conservation: no message is lost or duplicated silently. Checked from the trace's mail
// records at the end of every run (docs/guarantees.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/trace.hpp"

namespace mailsim::sim {

// A queue entry that saw no progress for this long while the run went on is stuck, even if
// other events were still pending (every SMTP timeout of RFC 5321 4.5.3.2 is shorter).
constexpr Time kStuckAfter = 1 * kHour;

// What the check found. Every (server, queue id, recipient) a server accepted or created
// ends in exactly one of: delivered, relayed (the next server accepted it), bounced (a DSN
// went back to the sender; for a null sender the reason is logged and it is dropped), still
// queued with a next try, or in transfer when the run stopped. Every recipient of every
// message a device sent got an answer on the device (accepted or failed).
struct Conservation {
  struct Violation {
    std::string host;        // where it happened (server or device)
    std::string queue_id;    // server queue entry ("" for a device)
    std::string message_id;
    std::string subject;
    std::string recipient;
    std::string problem;     // "lost", "duplicate", "no_dsn", "relay_unconfirmed", "submit_unconfirmed", "unanswered"
    std::string what;        // in words (English): the message and what happened to it
    std::vector<std::uint64_t> records;  // seq of the records that show it
  };
  std::uint64_t messages = 0;     // server queue entries (accepted, or made by a server: bounces)
  std::uint64_t recipients = 0;   // (entry, recipient) pairs: each must end in one state
  std::uint64_t delivered = 0, relayed = 0, bounced = 0, dropped = 0, queued = 0, in_transfer = 0;
  std::uint64_t sent = 0;         // messages composed on devices
  std::uint64_t answered = 0;     // ... whose every recipient got an answer
  std::uint64_t sending = 0;      // ... still being submitted when the run stopped
  std::vector<Violation> violations;

  bool holds() const { return violations.empty(); }
  // One line: "holds: 4 message(s) ..." or "VIOLATED: ..." (English).
  std::string summary() const;
  nlohmann::json to_json() const;
};

// `quiescent`: no event was left when the run ended, so nothing can still be queued or in
// transfer. `end`: virtual time of the end of the run.
Conservation check_conservation(const Trace& trace, bool quiescent, Time end);

}  // namespace mailsim::sim
