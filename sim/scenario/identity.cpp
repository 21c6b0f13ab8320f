// A mail server's "identity": what a tester sets so a simulated server presents itself like the
// real one they recorded (banner, greeting texts, the order and choice of advertised keywords).
#include "sim/scenario/identity.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/imap/server.hpp"
#include "protocols/pop3/server.hpp"
#include "protocols/smtp/server.hpp"

namespace mailsim::sim {
namespace {

constexpr std::size_t kMaxIdentityText = 200;

// A greeting or banner: printable US-ASCII on one line, bounded.
std::optional<std::string> text(Checker& c, const nlohmann::json& j, const std::string& p, const char* key) {
  auto t = c.string(j, p, key, false);
  if (!t) return std::nullopt;
  const bool printable = std::all_of(t->begin(), t->end(), [](char ch) { return ch >= 0x20 && ch < 0x7F; });
  if (t->empty() || t->size() > kMaxIdentityText || !printable) {
    c.error(Checker::child(p, key), fmt::format("expected 1 to {} printable ASCII characters on one line",
                                                kMaxIdentityText));
    return std::nullopt;
  }
  return t;
}

template <std::size_t N>
void keywords(Checker& c, const nlohmann::json& j, const std::string& p, const char* key,
              const std::array<std::string_view, N>& known, std::string_view what, std::vector<std::string>& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  const std::string kp = Checker::child(p, key);
  if (!c.expect_array(*it, kp, "an array of keywords")) return;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    const std::string ip = Checker::child(kp, i);
    if (!v.is_string() || std::find(known.begin(), known.end(), v.get<std::string>()) == known.end()) {
      c.error(ip, fmt::format("mailsim's {} does not implement {}; list only what it does: {}", what,
                              v.is_string() ? "\"" + v.get<std::string>() + "\"" : std::string("this"),
                              fmt::join(known, ", ")));
      continue;
    }
    if (!seen.insert(v.get<std::string>()).second) {
      c.error(ip, "\"" + v.get<std::string>() + "\" is listed twice");
      continue;
    }
    out.push_back(v.get<std::string>());
  }
}

}  // namespace

void read_server_identity(Checker& c, const nlohmann::json& j, const std::string& p, mail::ServerIdentity& out) {
  if (!c.expect_object(j, p, "an object with \"smtp\", \"pop3\" and/or \"imap\"")) return;
  c.allowed_keys(j, p, {"smtp", "pop3", "imap", "implementation"});
  out.implementation = text(c, j, p, "implementation");
  if (const auto it = j.find("smtp"); it != j.end()) {
    const std::string sp = Checker::child(p, "smtp");
    if (c.expect_object(*it, sp)) {
      c.allowed_keys(*it, sp, {"banner", "extensions"});
      out.smtp_banner = text(c, *it, sp, "banner");
      keywords(c, *it, sp, "extensions", smtp::kEhloKeywords, "SMTP server (EHLO)", out.smtp_extensions);
    }
  }
  if (const auto it = j.find("pop3"); it != j.end()) {
    const std::string pp = Checker::child(p, "pop3");
    if (c.expect_object(*it, pp)) {
      c.allowed_keys(*it, pp, {"greeting", "capabilities"});
      out.pop3_greeting = text(c, *it, pp, "greeting");
      keywords(c, *it, pp, "capabilities", pop3::kCapaKeywords, "POP3 server (CAPA)", out.pop3_capabilities);
    }
  }
  if (const auto it = j.find("imap"); it != j.end()) {
    const std::string ip = Checker::child(p, "imap");
    if (c.expect_object(*it, ip)) {
      c.allowed_keys(*it, ip, {"greeting", "capabilities", "capabilities_after_login"});
      out.imap_greeting = text(c, *it, ip, "greeting");
      keywords(c, *it, ip, "capabilities", imap::kCapabilityAtoms, "IMAP server (CAPABILITY)", out.imap_capabilities);
      if (auto after = c.choice(*it, ip, "capabilities_after_login", false, {"response-code", "untagged"},
                                "way to report capabilities after login"))
        out.imap_untagged_capabilities = *after == "untagged";
    }
  }
}

}  // namespace mailsim::sim
