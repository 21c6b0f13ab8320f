// Delivery status notifications: RFC 3464 reports inside RFC 6522 multipart/report messages.
//
// Implements RFC 3464 2.2 per-message fields (Reporting-MTA, Original-Envelope-Id,
// Arrival-Date), 2.3 per-recipient fields (Original-Recipient, Final-Recipient, Action, Status,
// Remote-MTA, Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until), RFC 6522 (formerly 3462)
// multipart/report; report-type=delivery-status with a human-readable first part and the
// returned headers as text/rfc822-headers; RFC 3834 Auto-Submitted; RFC 3463 status codes for
// the explanation. Does not implement: returning the full original message (message/rfc822),
// DSN-Gateway, Received-From-MTA, X-* extension fields (they are ignored when read).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::message {

struct DsnRecipient {
  std::string final_recipient;     // address; written "rfc822; addr" (a value with ';' is kept as is)
  std::string original_recipient;  // optional, same convention
  std::string action;              // "failed", "delayed", "delivered", "relayed", "expanded"
  std::string status;              // RFC 3463 code, e.g. "5.1.1"
  std::string remote_mta;          // optional host name; written "dns; host"
  std::string diagnostic_code;     // optional, typed as given: "smtp; 550 5.1.1 User unknown"
  std::string last_attempt_date;   // optional
  std::string will_retry_until;    // optional (delayed)
};

struct Dsn {
  std::string reporting_mta;         // host name; written "dns; host"
  std::string original_envelope_id;  // optional (ENVID)
  std::string arrival_date;          // optional RFC 5322 date
  std::vector<DsnRecipient> recipients;
  // Headers of the message being reported. When building, passing the whole original message is
  // fine: only its header section is attached. When parsing: the text/rfc822-headers body (or
  // the header section of a returned message/rfc822).
  std::string original_headers;
};

// The envelope of the report message itself.
struct DsnMessageInfo {
  std::string to;         // the original sender (its MAIL FROM), receives the report
  std::string date;       // RFC 5322 date of the report (see format_date)
  std::string unique_id;  // makes the Message-ID and boundary unique; no randomness inside
};

// What went wrong, for the plain-English explanation (and for the GUI's analogy).
enum class FailureReason {
  UserUnknown,
  HostUnknown,
  MailboxFull,
  MessageTooLarge,
  ConnectionTimedOut,
  RelayDenied,
  Generic,
};

// From the RFC 3463 status code, then keywords of the diagnostic text.
FailureReason classify_failure(std::string_view status, std::string_view diagnostic_code);

// One sentence (English) explaining the reason to a non-expert.
std::string explain_failure(FailureReason reason);

// The human-readable first part of the report.
std::string dsn_explanation(const Dsn& report);

// The complete report message: From "Mail Delivery System <MAILER-DAEMON@reporting_mta>",
// multipart/report with text/plain, message/delivery-status and text/rfc822-headers parts.
// CRLF line endings. Send it with a null reverse path (MAIL FROM:<>).
std::string build_dsn(const Dsn& report, const DsnMessageInfo& info);

// Reads a report back (nullopt when the message has no message/delivery-status part).
std::optional<Dsn> parse_dsn(std::string_view raw_message);

}  // namespace mailsim::message
