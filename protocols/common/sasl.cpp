// SASL PLAIN and LOGIN exchanges: base64, "=" and "*", and the mechanisms' messages.
#include "protocols/common/sasl.hpp"

#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"

namespace mailsim::proto {

std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name) {
  if (iequals(name, "PLAIN")) return SaslMechanism::Plain;
  if (iequals(name, "LOGIN")) return SaslMechanism::Login;
  return std::nullopt;
}

const char* sasl_mechanism_name(SaslMechanism m) {
  switch (m) {
    case SaslMechanism::Plain: return "PLAIN";
    case SaslMechanism::Login: return "LOGIN";
  }
  return "?";
}

const char* describe(SaslFailure f) {
  switch (f) {
    case SaslFailure::None: return "no failure";
    case SaslFailure::Cancelled: return "the client cancelled the SASL exchange with \"*\"";
    case SaslFailure::BadBase64: return "the SASL response is not valid base64";
    case SaslFailure::Malformed: return "the PLAIN response is not [authzid] NUL user NUL password";
    case SaslFailure::AuthzidMismatch: return "the PLAIN response asks to act as another user";
  }
  return "?";
}

SaslServer::Step SaslServer::fail(SaslFailure f) {
  finished_ = true;
  Step s;
  s.kind = Step::Kind::Failed;
  s.failure = f;
  return s;
}

SaslServer::Step SaslServer::done(std::string user, std::string password) {
  finished_ = true;
  Step s;
  s.kind = Step::Kind::Done;
  s.user = std::move(user);
  s.password = std::move(password);
  return s;
}

SaslServer::Step SaslServer::challenge(std::string base64) {
  Step s;
  s.kind = Step::Kind::Challenge;
  s.challenge = std::move(base64);
  return s;
}

SaslServer::Step SaslServer::start(std::optional<std::string_view> initial) {
  if (!initial) {
    // PLAIN: an empty challenge asks for the message; LOGIN asks for the user name.
    return challenge(mech_ == SaslMechanism::Plain ? std::string() : base64_encode("Username:"));
  }
  return take(*initial, true);
}

SaslServer::Step SaslServer::respond(std::string_view line) {
  if (finished_) return fail(SaslFailure::Malformed);
  return take(line, false);
}

SaslServer::Step SaslServer::take(std::string_view text, bool initial) {
  if (text == "*") return fail(SaslFailure::Cancelled);
  std::optional<std::string> decoded;
  // "=" is the empty initial response; as a later response an empty line is empty data.
  if ((initial && text == "=") || (!initial && text.empty())) {
    decoded = std::string();
  } else if (text.size() <= (kMaxSaslMessage + 2) / 3 * 4) {
    decoded = base64_decode(text);
  }
  if (!decoded) return fail(SaslFailure::BadBase64);
  if (mech_ == SaslMechanism::Login) {
    if (stage_ == 0) {
      user_ = std::move(*decoded);
      stage_ = 1;
      return challenge(base64_encode("Password:"));
    }
    if (user_.empty()) return fail(SaslFailure::Malformed);
    return done(std::move(user_), std::move(*decoded));
  }
  // RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
  const std::string& m = *decoded;
  const std::size_t n1 = m.find('\0');
  const std::size_t n2 = n1 == std::string::npos ? std::string::npos : m.find('\0', n1 + 1);
  if (n2 == std::string::npos || m.find('\0', n2 + 1) != std::string::npos) return fail(SaslFailure::Malformed);
  std::string authzid = m.substr(0, n1);
  std::string user = m.substr(n1 + 1, n2 - n1 - 1);
  std::string password = m.substr(n2 + 1);
  if (user.empty()) return fail(SaslFailure::Malformed);
  if (!authzid.empty() && authzid != user) return fail(SaslFailure::AuthzidMismatch);
  return done(std::move(user), std::move(password));
}

std::string sasl_plain_response(std::string_view user, std::string_view password) {
  std::string m;
  m.reserve(user.size() + password.size() + 2);
  m += '\0';
  m.append(user);
  m += '\0';
  m.append(password);
  return base64_encode(m);
}

bool looks_like_sasl_response(std::string_view line) {
  if (line.empty() || line == "*") return false;
  for (const char c : line) {
    if (!is_alnum(c) && c != '+' && c != '/' && c != '=') return false;
  }
  return true;
}

}  // namespace mailsim::proto
