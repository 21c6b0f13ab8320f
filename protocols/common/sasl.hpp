// SASL (RFC 4422) exchanges for the PLAIN (RFC 4616) and LOGIN mechanisms, apart from any protocol.
//
// The protocol engines (POP3 AUTH, IMAP AUTHENTICATE) frame the exchange their own way
// ("+ " / "334 " challenges, "-ERR" / "NO" / "501" failures); this file does only what is
// the same everywhere: base64 on both sides, the "=" empty initial response (RFC 4422
// section 4 as profiled by RFC 4954 / 5034 / 4959), the "*" cancel, and the decoding of the
// two mechanisms' messages. Checking the password is the caller's (through its backend).
//
// Implemented: PLAIN ([authzid] NUL authcid NUL passwd; an authzid other than the authcid is
// refused, there are no proxy rights here), LOGIN (the widespread draft-murchison-sasl-login
// form: "Username:" then "Password:", with the user name as an optional initial response).
// Not implemented: security layers, CRAM-MD5, SCRAM, GSSAPI, OAUTHBEARER, XOAUTH2.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::proto {

enum class SaslMechanism { Plain, Login };

// "PLAIN" / "LOGIN" (case-insensitive); nullopt for every other name.
std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name);
const char* sasl_mechanism_name(SaslMechanism m);

// The longest decoded SASL message accepted (user name + password + authzid and NULs).
// Mechanisms here carry nothing else, so 1 KiB is far beyond any real credential.
inline constexpr std::size_t kMaxSaslMessage = 1024;

// Why an exchange failed before the credentials could be checked.
enum class SaslFailure {
  None,
  Cancelled,        // the client sent "*"
  BadBase64,        // not strict base64 (RFC 4648), or over kMaxSaslMessage once decoded
  Malformed,        // PLAIN without exactly two NULs, or an empty user name
  AuthzidMismatch,  // PLAIN asked to act as another user
};
// A sentence for ProtocolError events ("the client cancelled the SASL exchange").
const char* describe(SaslFailure f);

// The server side of one exchange. Usage: start() once with the initial response if the
// command carried one; while the step is a Challenge, send it and feed the client's next
// line to respond(); Done carries the credentials to check; Failed says why.
class SaslServer {
 public:
  struct Step {
    enum class Kind { Challenge, Done, Failed } kind = Kind::Failed;
    std::string challenge;  // base64 text to send after the continuation mark ("" = empty)
    std::string user;       // Done
    std::string password;   // Done
    SaslFailure failure = SaslFailure::None;
  };

  explicit SaslServer(SaslMechanism m) : mech_(m) {}
  SaslMechanism mechanism() const { return mech_; }

  // `initial`: the initial response as the client wrote it (base64, "=" for an empty one), or
  // nullopt when the command had none.
  Step start(std::optional<std::string_view> initial);
  // One client line after a challenge: base64, or "*" to cancel.
  Step respond(std::string_view line);
  bool finished() const { return finished_; }

 private:
  Step take(std::string_view base64_text, bool initial);
  Step fail(SaslFailure f);
  Step done(std::string user, std::string password);
  Step challenge(std::string base64);

  SaslMechanism mech_;
  int stage_ = 0;  // LOGIN: 0 before the user name, 1 before the password
  std::string user_;
  bool finished_ = false;
};

// Client side: the PLAIN message for user and password (no authzid), base64-encoded.
std::string sasl_plain_response(std::string_view user, std::string_view password);

// True when `line` could be a client's SASL response line (base64 alphabet and padding, or
// "="), used to mask such lines in displays even when no exchange is under way.
bool looks_like_sasl_response(std::string_view line);

}  // namespace mailsim::proto
