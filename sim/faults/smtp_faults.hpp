// The SMTP server's side of the fault plan: which of its states read command lines or message
// data (for the gate), and a rule's reply as the engine's Reply.
#pragma once
#include <memory>
#include <string>

#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server.hpp"
#include "sim/apps/mail/session_link.hpp"

namespace mailsim::sim::faults {

using SmtpServerLink = mail::SessionLink<smtp::ServerSession>;

inline bool smtp_reads_commands(const std::weak_ptr<SmtpServerLink>& weak) {
  auto link = weak.lock();
  if (!link) return false;
  using S = smtp::ServerSession::State;
  switch (link->engine().state()) {
    case S::Connected:
    case S::Ready:
    case S::MailGiven:
    case S::RcptGiven: return true;
    default: return false;
  }
}

inline bool smtp_reads_data(const std::weak_ptr<SmtpServerLink>& weak) {
  auto link = weak.lock();
  return link && link->engine().state() == smtp::ServerSession::State::Data;
}

// "4.3.0 Try again" -> code, enhanced "4.3.0", text "Try again"; a text without a leading
// enhanced status is kept whole.
smtp::Reply smtp_reply(int code, const std::string& text);

}  // namespace mailsim::sim::faults
