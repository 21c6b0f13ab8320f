// Delivery status notifications: build, parse back, explanations, classification.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "protocols/message/builder.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"

using namespace mailsim::message;

namespace {

const std::string kOriginal =
    "From: Alice <alice@home.example>\r\n"
    "To: nobody@example.net\r\n"
    "Subject: Hello\r\n"
    "Message-ID: <m1@home.example>\r\n"
    "\r\n"
    "This body must not be returned.\r\n";

// A per-recipient block with the fields every report has (and a diagnostic when given).
DsnRecipient recipient(std::string final_recipient, std::string action, std::string status,
                       std::string diagnostic_code = {}) {
  DsnRecipient r;
  r.final_recipient = std::move(final_recipient);
  r.action = std::move(action);
  r.status = std::move(status);
  r.diagnostic_code = std::move(diagnostic_code);
  return r;
}

Dsn failed_report() {
  Dsn d;
  d.reporting_mta = "smtp.home.example";
  d.original_envelope_id = "QQ314159";
  d.arrival_date = "Sat, 01 Nov 2025 09:00:00 +0900";
  DsnRecipient r = recipient("nobody@example.net", "failed", "5.1.1",
                             "smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown");
  r.original_recipient = "nobody@example.net";
  r.remote_mta = "mx.example.net";
  d.recipients.push_back(r);
  d.original_headers = kOriginal;
  return d;
}

}  // namespace

TEST_CASE("DSN: built then parsed back") {
  const std::string m = build_dsn(failed_report(), {"alice@home.example", "Sat, 01 Nov 2025 09:00:05 +0900", "bounce-1"});
  // Wire form: CRLF only.
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i] == '\n') REQUIRE((i > 0 && m[i - 1] == '\r'));

  const auto fields = parse_header_section(m);
  CHECK(find_header(fields, "From") == std::string("Mail Delivery System <MAILER-DAEMON@smtp.home.example>"));
  CHECK(find_header(fields, "To") == std::string("alice@home.example"));
  CHECK(find_header(fields, "Subject") == std::string("Delivery Status Notification (Failure)"));
  CHECK(find_header(fields, "Auto-Submitted") == std::string("auto-replied"));
  CHECK(find_header(fields, "Message-ID") == std::string("<bounce-1.dsn@smtp.home.example>"));

  const MimeEntity root = parse_mime(m);
  CHECK(root.type == "multipart");
  CHECK(root.subtype == "report");
  CHECK(root.param("report-type") == std::string("delivery-status"));
  REQUIRE(root.parts.size() == 3);
  CHECK(root.parts[0].subtype == "plain");
  CHECK(root.parts[1].type == "message");
  CHECK(root.parts[1].subtype == "delivery-status");
  CHECK(root.parts[2].subtype == "rfc822-headers");
  CHECK(entity_body(m, root.parts[1]) ==
        "Reporting-MTA: dns; smtp.home.example\r\n"
        "Original-Envelope-Id: QQ314159\r\n"
        "Arrival-Date: Sat, 01 Nov 2025 09:00:00 +0900\r\n"
        "\r\n"
        "Original-Recipient: rfc822; nobody@example.net\r\n"
        "Final-Recipient: rfc822; nobody@example.net\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Remote-MTA: dns; mx.example.net\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address\r\n"
        " rejected: User unknown\r\n");

  std::string text(entity_body(m, root.parts[0]));
  for (std::size_t at; (at = text.find("\r\n    ")) != std::string::npos;) text.replace(at, 6, " ");
  CHECK(text.find("(user unknown)") != std::string::npos);
  CHECK(text.find("  <nobody@example.net>") != std::string::npos);

  const auto back = parse_dsn(m);
  REQUIRE(back);
  CHECK(back->reporting_mta == "smtp.home.example");
  CHECK(back->original_envelope_id == "QQ314159");
  CHECK(back->arrival_date == "Sat, 01 Nov 2025 09:00:00 +0900");
  REQUIRE(back->recipients.size() == 1);
  const DsnRecipient& r = back->recipients[0];
  CHECK(r.final_recipient == "nobody@example.net");
  CHECK(r.original_recipient == "nobody@example.net");
  CHECK(r.action == "failed");
  CHECK(r.status == "5.1.1");
  CHECK(r.remote_mta == "mx.example.net");
  CHECK(r.diagnostic_code == "smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown");
  // Only the original header section came back.
  CHECK(back->original_headers ==
        "From: Alice <alice@home.example>\r\nTo: nobody@example.net\r\nSubject: Hello\r\nMessage-ID: <m1@home.example>\r\n");
  CHECK(find_header(parse_header_section(back->original_headers), "Subject") == std::string("Hello"));
  CHECK(m.find("must not be returned") == std::string::npos);
}

TEST_CASE("DSN: several recipients, delayed and delivered, no envelope id") {
  Dsn d;
  d.reporting_mta = "mx.example.net";
  const DsnRecipient full = recipient("carol@example.net", "failed", "5.2.2", "smtp; 552 5.2.2 Mailbox full");
  DsnRecipient later = recipient("dave@far.example", "delayed", "4.4.1", "X-Mailsim; connection timed out");
  later.will_retry_until = "Mon, 03 Nov 2025 09:00:00 +0900";
  const DsnRecipient ok = recipient("erin@example.net", "delivered", "2.0.0");
  d.recipients = {full, later, ok};
  d.original_headers = "Subject: x\r\n";
  const std::string m = build_dsn(d, {"alice@home.example", "Sat, 01 Nov 2025 10:00:00 +0900", "b2"});
  const auto back = parse_dsn(m);
  REQUIRE(back);
  CHECK(back->original_envelope_id.empty());
  REQUIRE(back->recipients.size() == 3);
  CHECK(back->recipients[0].status == "5.2.2");
  CHECK(back->recipients[1].action == "delayed");
  CHECK(back->recipients[1].will_retry_until == "Mon, 03 Nov 2025 09:00:00 +0900");
  CHECK(back->recipients[1].diagnostic_code == "X-Mailsim; connection timed out");
  CHECK(back->recipients[2].action == "delivered");
  CHECK(back->recipients[2].remote_mta.empty());
  CHECK(back->original_headers == "Subject: x\r\n");
  const std::string text = dsn_explanation(d);
  CHECK(text.find("(over quota)") != std::string::npos);
  CHECK(text.find("connection timed out") != std::string::npos);
  CHECK(text.find("was delivered") != std::string::npos);
  CHECK(text.find("Retrying until: Mon, 03 Nov 2025 09:00:00 +0900") != std::string::npos);
}

TEST_CASE("DSN: classify_failure and explanations") {
  CHECK(classify_failure("5.1.1", "") == FailureReason::UserUnknown);
  CHECK(classify_failure("5.1.2", "") == FailureReason::HostUnknown);
  CHECK(classify_failure("5.4.4", "") == FailureReason::HostUnknown);
  CHECK(classify_failure("4.2.2", "") == FailureReason::MailboxFull);
  CHECK(classify_failure("5.2.2", "") == FailureReason::MailboxFull);
  CHECK(classify_failure("5.3.4", "") == FailureReason::MessageTooLarge);
  CHECK(classify_failure("5.2.3", "") == FailureReason::MessageTooLarge);
  CHECK(classify_failure("4.4.1", "") == FailureReason::ConnectionTimedOut);
  CHECK(classify_failure("5.7.1", "smtp; 554 5.7.1 <x@y>: Relay access denied") == FailureReason::RelayDenied);
  CHECK(classify_failure("5.7.1", "smtp; 550 5.7.1 spam") == FailureReason::Generic);
  CHECK(classify_failure("5.0.0", "smtp; 550 User unknown") == FailureReason::UserUnknown);
  CHECK(classify_failure("5.0.0", "Host not found") == FailureReason::HostUnknown);
  CHECK(classify_failure("", "smtp; 552 message size exceeds size limit") == FailureReason::MessageTooLarge);
  CHECK(classify_failure("", "") == FailureReason::Generic);
  CHECK(explain_failure(FailureReason::HostUnknown).find("(host unknown)") != std::string::npos);
  CHECK(explain_failure(FailureReason::MessageTooLarge).find("(message too large)") != std::string::npos);
  CHECK(explain_failure(FailureReason::RelayDenied).find("(relay access denied)") != std::string::npos);
  CHECK(explain_failure(FailureReason::ConnectionTimedOut).find("timed out") != std::string::npos);
  CHECK(explain_failure(FailureReason::Generic).find("server's reply") != std::string::npos);
}

TEST_CASE("DSN: the boundary avoids the content; parse_dsn rejects non-reports") {
  Dsn d = failed_report();
  d.original_headers = "X-Trap: --=_dsn_b3-smtp.home.example\r\n";
  const std::string m = build_dsn(d, {"alice@home.example", "Sat, 01 Nov 2025 09:00:05 +0900", "b3"});
  const MimeEntity root = parse_mime(m);
  REQUIRE(root.parts.size() == 3);
  CHECK(root.param("boundary") == std::string("=_dsn_b3-smtp.home.example_"));
  CHECK(parse_dsn(m)->original_headers == d.original_headers);

  CHECK_FALSE(parse_dsn("Subject: hi\r\n\r\nnot a report\r\n").has_value());
  CHECK_FALSE(parse_dsn("").has_value());
}

TEST_CASE("DSN: a foreign report with a returned message/rfc822 and lower-case fields") {
  const std::string m =
      "From: MAILER-DAEMON@mx.example\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
      "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
      "reporting-mta: dns;mx.example\r\n\r\n"
      "final-recipient: RFC822;u@x.example\r\naction: Failed\r\nstatus: 5.1.1 (bad mailbox)\r\n\r\n"
      "--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: orig\r\nFrom: a@b\r\n\r\nbody\r\n"
      "--B--\r\n";
  const auto d = parse_dsn(m);
  REQUIRE(d);
  CHECK(d->reporting_mta == "mx.example");
  REQUIRE(d->recipients.size() == 1);
  CHECK(d->recipients[0].final_recipient == "u@x.example");
  CHECK(d->recipients[0].action == "failed");
  CHECK(d->recipients[0].status == "5.1.1");
  CHECK(d->original_headers == "Subject: orig\r\nFrom: a@b\r\n");
}
