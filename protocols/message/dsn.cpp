// RFC 3464 delivery status notifications: explanation text, report building and parsing.
#include "protocols/message/dsn.hpp"

#include <algorithm>
#include <cstddef>

#include "protocols/message/builder.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

constexpr std::size_t kWrapWidth = 72;  // human-readable text

// Word-wraps one paragraph at spaces; every line ends in CRLF.
std::string wrap(std::string_view text, std::string_view indent = {}) {
  std::string out;
  std::string line(indent);
  bool empty = true;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t b = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (b == i) break;
    const std::string_view word = text.substr(b, i - b);
    if (!empty && line.size() + 1 + word.size() > kWrapWidth) {
      out += line + "\r\n";
      line = std::string(indent);
      empty = true;
    }
    if (!empty) line += ' ';
    line += word;
    empty = false;
  }
  if (!empty) out += line + "\r\n";
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// "type; value" -> value when type matches, otherwise the whole text.
std::string strip_type(std::string_view v, std::string_view type) {
  const std::size_t semi = v.find(';');
  if (semi != std::string_view::npos && detail::iequals(detail::trim(v.substr(0, semi)), type))
    return std::string(detail::trim(v.substr(semi + 1)));
  return std::string(detail::trim(v));
}

std::string typed(std::string_view v, std::string_view type) {
  if (contains(v, ";")) return std::string(v);
  return std::string(type) + "; " + std::string(v);
}

std::string boundary_safe(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == '+';
    out += ok ? c : '-';
  }
  return out;
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += fold_header(name, value);
  out += "\r\n";
}

// The header section of a message without its empty line, in CRLF, ending in CRLF.
std::string header_lines(std::string_view raw) {
  std::string h = to_crlf(raw.substr(0, header_section_size(raw)));
  while (h.size() >= 4 && h.compare(h.size() - 4, 4, "\r\n\r\n") == 0) h.resize(h.size() - 2);
  if (!h.empty() && h.back() != '\n') h += "\r\n";
  return h;
}

const MimeEntity* find_part(const MimeEntity& e, std::string_view type, std::string_view subtype) {
  if (e.type == type && e.subtype == subtype) return &e;
  for (const auto& p : e.parts)
    if (const MimeEntity* f = find_part(p, type, subtype)) return f;
  return nullptr;
}

std::string decoded_body(std::string_view raw, const MimeEntity& e) {
  const std::string_view body = entity_body(raw, e);
  auto d = decode_body(body, e.encoding);
  return d ? *d : std::string(body);
}

}  // namespace

FailureReason classify_failure(std::string_view status, std::string_view diagnostic_code) {
  const std::string diag = detail::to_lower(diagnostic_code);
  const std::string_view s = detail::trim(status);
  const std::size_t dot = s.find('.');
  const std::string_view detail_code = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (detail_code == "1.1") return FailureReason::UserUnknown;
  if (detail_code == "1.2" || detail_code == "4.4" || detail_code == "1.10") return FailureReason::HostUnknown;
  if (detail_code == "2.2") return FailureReason::MailboxFull;
  if (detail_code == "2.3" || detail_code == "3.4") return FailureReason::MessageTooLarge;
  if (detail_code == "4.1" || detail_code == "4.2" || detail_code == "4.7") return FailureReason::ConnectionTimedOut;
  if (detail_code == "7.1" && contains(diag, "relay")) return FailureReason::RelayDenied;
  if (contains(diag, "user unknown") || contains(diag, "unknown user") || contains(diag, "no such user") ||
      contains(diag, "does not exist"))
    return FailureReason::UserUnknown;
  if (contains(diag, "host not found") || contains(diag, "host unknown") || contains(diag, "domain not found") ||
      contains(diag, "nxdomain"))
    return FailureReason::HostUnknown;
  if (contains(diag, "mailbox full") || contains(diag, "quota") || contains(diag, "insufficient storage"))
    return FailureReason::MailboxFull;
  if (contains(diag, "too large") || contains(diag, "too big") || contains(diag, "size limit"))
    return FailureReason::MessageTooLarge;
  if (contains(diag, "timed out") || contains(diag, "timeout")) return FailureReason::ConnectionTimedOut;
  if (contains(diag, "relay")) return FailureReason::RelayDenied;
  return FailureReason::Generic;
}

std::string explain_failure(FailureReason reason) {
  switch (reason) {
    case FailureReason::UserUnknown:
      return "The receiving mail server has no mailbox with this name (user unknown). "
             "Please check the part of the address before the @.";
    case FailureReason::HostUnknown:
      return "The domain of this address could not be found in the DNS, so there is no mail "
             "server to deliver to (host unknown). Please check the part of the address after the @.";
    case FailureReason::MailboxFull:
      return "The recipient's mailbox is full (over quota). The recipient has to delete some "
             "messages before new mail fits.";
    case FailureReason::MessageTooLarge:
      return "The message is bigger than the receiving server accepts (message too large). "
             "Try again with smaller attachments.";
    case FailureReason::ConnectionTimedOut:
      return "The recipient's mail server could not be reached: the connection timed out.";
    case FailureReason::RelayDenied:
      return "The server refused to pass the message on to another domain (relay access denied). "
             "Send through your own provider's submission server and log in first.";
    case FailureReason::Generic:
      break;
  }
  return "The mail system reported a problem with this recipient; the server's reply is shown below.";
}

std::string dsn_explanation(const Dsn& report) {
  std::string out = wrap("This is an automatic report from the mail system at " + report.reporting_mta + ".");
  out += "\r\n";
  struct Group {
    std::vector<std::string_view> actions;
    std::string_view intro;
  };
  const Group groups[] = {
      {{"failed"}, "Your message could not be delivered to the recipient(s) below. This is a "
                   "permanent error: the mail system will not try again."},
      {{"delayed"}, "Your message has not been delivered yet to the recipient(s) below. This is "
                    "only a warning: the mail system keeps trying, you do not need to send it again."},
      {{"delivered", "relayed", "expanded"}, "Your message was delivered to the recipient(s) below."},
  };
  for (const Group& g : groups) {
    std::vector<const DsnRecipient*> list;
    for (const auto& r : report.recipients)
      if (std::find(g.actions.begin(), g.actions.end(), detail::to_lower(r.action)) != g.actions.end())
        list.push_back(&r);
    if (list.empty()) continue;
    out += wrap(g.intro);
    out += "\r\n";
    for (const DsnRecipient* r : list) {
      out += "  <" + strip_type(r->final_recipient, "rfc822") + ">\r\n";
      if (g.intro != groups[2].intro)
        out += wrap(explain_failure(classify_failure(r->status, r->diagnostic_code)), "    ");
      if (!r->diagnostic_code.empty()) out += wrap("The server said: " + r->diagnostic_code, "    ");
      if (!r->will_retry_until.empty()) out += wrap("Retrying until: " + r->will_retry_until, "    ");
      out += "\r\n";
    }
  }
  out += wrap("The headers of your message are attached.");
  return out;
}

std::string build_dsn(const Dsn& report, const DsnMessageInfo& info) {
  // Parts first, so the boundary can be checked against their content.
  const std::string explanation = dsn_explanation(report);
  std::string status;
  add_field(status, "Reporting-MTA", typed(report.reporting_mta, "dns"));
  add_field(status, "Original-Envelope-Id", report.original_envelope_id);
  add_field(status, "Arrival-Date", report.arrival_date);
  for (const auto& r : report.recipients) {
    status += "\r\n";
    if (!r.original_recipient.empty()) add_field(status, "Original-Recipient", typed(r.original_recipient, "rfc822"));
    add_field(status, "Final-Recipient", typed(r.final_recipient, "rfc822"));
    add_field(status, "Action", r.action);
    add_field(status, "Status", r.status);
    if (!r.remote_mta.empty()) add_field(status, "Remote-MTA", typed(r.remote_mta, "dns"));
    add_field(status, "Diagnostic-Code", r.diagnostic_code);
    add_field(status, "Last-Attempt-Date", r.last_attempt_date);
    add_field(status, "Will-Retry-Until", r.will_retry_until);
  }
  const std::string headers = header_lines(report.original_headers);

  std::string boundary = boundary_safe(info.unique_id + "/" + report.reporting_mta);
  boundary = "=_dsn_" + boundary.substr(0, 50);
  while (contains(explanation, "--" + boundary) || contains(status, "--" + boundary) ||
         contains(headers, "--" + boundary))
    boundary += "_";

  bool any_failed = false;
  bool any_delayed = false;
  for (const auto& r : report.recipients) {
    any_failed = any_failed || detail::iequals(r.action, "failed");
    any_delayed = any_delayed || detail::iequals(r.action, "delayed");
  }
  const char* subject = any_failed    ? "Delivery Status Notification (Failure)"
                        : any_delayed ? "Delivery Status Notification (Delay)"
                                      : "Delivery Status Notification (Success)";

  std::string out;
  add_field(out, "From", format_mailbox("Mail Delivery System", "MAILER-DAEMON@" + report.reporting_mta));
  add_field(out, "To", info.to);
  add_field(out, "Subject", subject);
  add_field(out, "Date", info.date);
  add_field(out, "Message-ID", "<" + detail::dot_atom_safe(info.unique_id) + ".dsn@" + detail::dot_atom_safe(report.reporting_mta) + ">");
  add_field(out, "Auto-Submitted", "auto-replied");
  add_field(out, "MIME-Version", "1.0");
  add_field(out, "Content-Type", "multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"");
  out += "\r\nThis report is a MIME message (RFC 6522).\r\n";

  const bool ascii = detail::is_ascii(explanation);
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Description: Notification\r\n";
  out += ascii ? "Content-Type: text/plain; charset=us-ascii\r\n" : "Content-Type: text/plain; charset=UTF-8\r\n";
  if (!ascii) out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n" + explanation;
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  out += status;
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n";
  out += headers;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

std::optional<Dsn> parse_dsn(std::string_view raw) {
  const MimeEntity root = parse_mime(raw);
  const MimeEntity* ds = find_part(root, "message", "delivery-status");
  if (ds == nullptr) ds = find_part(root, "message", "global-delivery-status");
  if (ds == nullptr) return std::nullopt;

  Dsn out;
  const std::string body = decoded_body(raw, *ds);
  std::string_view rest = body;
  bool first_block = true;
  while (!rest.empty()) {
    // Skip empty lines between blocks.
    if (rest.front() == '\n' || (rest.size() >= 2 && rest[0] == '\r' && rest[1] == '\n')) {
      rest.remove_prefix(rest.front() == '\n' ? 1 : 2);
      continue;
    }
    const HeaderSection block = parse_header_block(rest);
    std::size_t used = block.body_offset;
    if (used == 0) {  // a line that is not a field: skip it
      const std::size_t lf = rest.find('\n');
      used = lf == std::string_view::npos ? rest.size() : lf + 1;
    }
    rest.remove_prefix(std::min(used, rest.size()));
    if (block.fields.empty()) continue;
    if (first_block) {
      first_block = false;
      if (auto v = find_header(block.fields, "Reporting-MTA")) out.reporting_mta = strip_type(*v, "dns");
      if (auto v = find_header(block.fields, "Original-Envelope-Id")) out.original_envelope_id = *v;
      if (auto v = find_header(block.fields, "Arrival-Date")) out.arrival_date = *v;
      continue;
    }
    DsnRecipient r;
    if (auto v = find_header(block.fields, "Final-Recipient")) r.final_recipient = strip_type(*v, "rfc822");
    if (auto v = find_header(block.fields, "Original-Recipient")) r.original_recipient = strip_type(*v, "rfc822");
    if (auto v = find_header(block.fields, "Action")) r.action = detail::to_lower(detail::trim(*v));
    if (auto v = find_header(block.fields, "Status")) {
      r.status = std::string(detail::trim(*v));
      if (const std::size_t sp = r.status.find_first_of(" \t("); sp != std::string::npos) r.status.resize(sp);
    }
    if (auto v = find_header(block.fields, "Remote-MTA")) r.remote_mta = strip_type(*v, "dns");
    if (auto v = find_header(block.fields, "Diagnostic-Code")) r.diagnostic_code = *v;
    if (auto v = find_header(block.fields, "Last-Attempt-Date")) r.last_attempt_date = *v;
    if (auto v = find_header(block.fields, "Will-Retry-Until")) r.will_retry_until = *v;
    out.recipients.push_back(std::move(r));
  }

  if (const MimeEntity* h = find_part(root, "text", "rfc822-headers")) {
    out.original_headers = decoded_body(raw, *h);
  } else if (const MimeEntity* m = find_part(root, "message", "rfc822")) {
    const std::string inner = decoded_body(raw, *m);
    out.original_headers = header_lines(inner);
  }
  return out;
}

}  // namespace mailsim::message
