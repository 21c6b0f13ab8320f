// SASL PLAIN / LOGIN exchanges shared by POP3 and IMAP: steps, "=" and "*", every failure.
#include <catch2/catch.hpp>

#include "protocols/common/base64.hpp"
#include "protocols/common/sasl.hpp"

using namespace mailsim::proto;
using Kind = SaslServer::Step::Kind;

TEST_CASE("SASL PLAIN: initial response, empty challenge, authzid rules (RFC 4616)") {
  SaslServer a(SaslMechanism::Plain);
  auto s = a.start(std::string_view("AGFsaWNlAHdvbmRlcmxhbmQ="));
  CHECK(s.kind == Kind::Done);
  CHECK(s.user == "alice");
  CHECK(s.password == "wonderland");
  CHECK(a.finished());

  SaslServer b(SaslMechanism::Plain);
  s = b.start(std::nullopt);
  CHECK(s.kind == Kind::Challenge);
  CHECK(s.challenge.empty());
  s = b.respond(base64_encode(std::string("alice\0alice\0pw", 14)));
  CHECK(s.kind == Kind::Done);

  CHECK(SaslServer(SaslMechanism::Plain).start(base64_encode(std::string("bob\0alice\0pw", 12))).failure ==
        SaslFailure::AuthzidMismatch);
  CHECK(SaslServer(SaslMechanism::Plain).start(std::string_view("=")).failure == SaslFailure::Malformed);
  CHECK(SaslServer(SaslMechanism::Plain).start(base64_encode(std::string("\0\0pw", 4))).failure ==
        SaslFailure::Malformed);
  CHECK(SaslServer(SaslMechanism::Plain).start(base64_encode(std::string("\0a\0b\0c", 6))).failure ==
        SaslFailure::Malformed);
  CHECK(SaslServer(SaslMechanism::Plain).start(std::string_view("abc")).failure == SaslFailure::BadBase64);
  CHECK(SaslServer(SaslMechanism::Plain).start(std::string_view("*")).failure == SaslFailure::Cancelled);
  // Longer than kMaxSaslMessage once decoded: refused before decoding.
  CHECK(SaslServer(SaslMechanism::Plain).start(base64_encode(std::string(kMaxSaslMessage + 3, 'x'))).failure ==
        SaslFailure::BadBase64);
}

TEST_CASE("SASL LOGIN: Username: then Password:, the user name as optional initial response") {
  SaslServer a(SaslMechanism::Login);
  auto s = a.start(std::nullopt);
  CHECK(s.kind == Kind::Challenge);
  CHECK(s.challenge == "VXNlcm5hbWU6");
  s = a.respond(base64_encode("alice"));
  CHECK(s.challenge == "UGFzc3dvcmQ6");
  s = a.respond(base64_encode("wonderland"));
  CHECK(s.kind == Kind::Done);
  CHECK(s.user == "alice");
  CHECK(s.password == "wonderland");

  SaslServer b(SaslMechanism::Login);
  CHECK(b.start(base64_encode("alice")).kind == Kind::Challenge);
  CHECK(b.respond("*").failure == SaslFailure::Cancelled);

  SaslServer c(SaslMechanism::Login);
  c.start(std::nullopt);
  CHECK(c.respond("").kind == Kind::Challenge);  // an empty user name ...
  CHECK(c.respond(base64_encode("pw")).failure == SaslFailure::Malformed);  // ... is refused
}

TEST_CASE("SASL helpers: mechanism names, the client's PLAIN message, response-like lines") {
  CHECK(parse_sasl_mechanism("plain") == SaslMechanism::Plain);
  CHECK(parse_sasl_mechanism("LOGIN") == SaslMechanism::Login);
  CHECK(!parse_sasl_mechanism("CRAM-MD5"));
  CHECK(std::string(sasl_mechanism_name(SaslMechanism::Login)) == "LOGIN");
  CHECK(sasl_plain_response("alice", "wonderland") == "AGFsaWNlAHdvbmRlcmxhbmQ=");
  CHECK(looks_like_sasl_response("AGFsaWNlAHdvbmRlcmxhbmQ="));
  CHECK(!looks_like_sasl_response("USER alice"));
  CHECK(!looks_like_sasl_response("*"));
  CHECK(!looks_like_sasl_response(""));
}
