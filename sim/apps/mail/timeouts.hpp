// Session timeouts of the mail engines as deadlines for SessionLink (RFC 5321 4.5.3.2,
// RFC 1939 section 3, RFC 3501 section 5.4), from the scenario's SessionTimeouts.
#pragma once
#include <algorithm>

#include "protocols/smtp/client.hpp"
#include "sim/apps/mail/mail_spec.hpp"
#include "sim/core/transport.hpp"

namespace mailsim::sim::mail {

// When an SMTP client stops waiting: per state, measured from the last thing it heard or
// said; while the message is still leaving (bytes unacknowledged) the data block timeout
// runs from the last acknowledgement instead, and the end-of-data wait starts once all of
// it is acknowledged.
inline Time smtp_client_deadline(const SessionTimeouts& t, const smtp::ClientSession& s, const TcpSocket& sock,
                                 Time since) {
  using smtp::Wait;
  switch (s.waiting_for()) {
    case Wait::Nothing: return 0;
    case Wait::Greeting: return since + t.smtp_greeting;
    case Wait::Command: return since + t.smtp_command;
    case Wait::Mail: return since + t.smtp_mail;
    case Wait::Rcpt: return since + t.smtp_rcpt;
    case Wait::DataInit: return since + t.smtp_data_init;
    case Wait::DataEnd:
      if (sock.unacked() > 0) return std::max(since, sock.last_progress()) + t.smtp_data_block;
      return std::max(since, sock.last_progress()) + t.smtp_data_end;
  }
  return 0;
}

// A server's idle timer: from the last input (or the last acknowledged output).
inline Time idle_deadline(Time idle, const TcpSocket& sock, Time since) {
  return std::max(since, sock.last_progress()) + idle;
}

}  // namespace mailsim::sim::mail
