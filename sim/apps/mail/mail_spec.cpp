// Sizes in scenario files.
#include "sim/apps/mail/mail_spec.hpp"

#include <charconv>
#include <cmath>

namespace mailsim::sim::mail {

std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  const std::string_view number = text.substr(0, i);
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double value = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || p != number.data() + number.size()) {
    if (why) *why = "expected a size such as \"10MB\", \"512KB\" or \"2048B\"";
    return std::nullopt;
  }
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KB" || unit == "kB" || unit == "KiB") scale = 1024;
  else if (unit == "MB" || unit == "MiB") scale = 1024.0 * 1024;
  else if (unit == "GB" || unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else {
    if (why) *why = "unknown size unit \"" + std::string(unit) + "\" (use B, KB, MB or GB)";
    return std::nullopt;
  }
  const double bytes = value * scale;
  if (bytes > 1e12) {
    if (why) *why = "size larger than 1 TB";
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(std::llround(bytes));
}

void AccountChange::apply(AccountSpec& a) const {
  if (password) a.password = *password;
  if (smtp_server) a.smtp.server = *smtp_server;
  if (smtp_port) {
    a.smtp.port = *smtp_port;
    a.smtp.auth = *smtp_port != 25;
    a.smtp.tls = *smtp_port == 465 ? "implicit" : *smtp_port == 25 ? "none" : "starttls";
  }
  if (smtp_auth) a.smtp.auth = *smtp_auth;
  if (smtp_tls) a.smtp.tls = *smtp_tls;
  if (!a.incoming) return;
  IncomingSpec& in = *a.incoming;
  if (incoming_server) in.server = *incoming_server;
  if (incoming_tls) {
    in.tls = *incoming_tls;
    if (!incoming_port) {
      const bool implicit = in.tls == "implicit";
      in.port = in.protocol == "pop3" ? (implicit ? 995 : 110) : (implicit ? 993 : 143);
    }
  }
  if (incoming_port) in.port = *incoming_port;
}

}  // namespace mailsim::sim::mail
