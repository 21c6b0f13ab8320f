// Fuzz target: base64 codecs and SASL PLAIN/LOGIN as the SMTP and IMAP servers read them.
//
// The input is the decoded SASL payload ("authzid NUL user NUL password" when well formed);
// it is also tried as base64 text, so that broken encodings meet the decoders directly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/common/base64.hpp"
#include "protocols/imap/memory_store.hpp"
#include "protocols/imap/server.hpp"
#include "protocols/smtp/server.hpp"

namespace {

using mailsim::proto::base64_decode;
using mailsim::proto::base64_decode_mime;
using mailsim::proto::base64_encode;

void check(bool ok) {
  if (!ok) std::abort();
}

// What RFC 4616 says `payload` means, or nothing when it is not a PLAIN message.
struct Plain {
  bool ok = false;
  std::string authzid, user, password;
};
Plain plain_of(std::string_view payload) {
  Plain p;
  const auto a = payload.find('\0');
  if (a == std::string_view::npos) return p;
  const auto b = payload.find('\0', a + 1);
  if (b == std::string_view::npos || payload.find('\0', b + 1) != std::string_view::npos) return p;
  p.ok = true;
  p.authzid = payload.substr(0, a);
  p.user = payload.substr(a + 1, b - a - 1);
  p.password = payload.substr(b + 1);
  return p;
}

class Backend : public mailsim::smtp::ServerBackend {
 public:
  using Reply = mailsim::smtp::Reply;
  Reply check_sender(const mailsim::smtp::SessionContext&, const std::string&) override {
    return Reply::make(250, "2.1.0", "OK");
  }
  Reply check_recipient(const mailsim::smtp::SessionContext&, const std::string&) override {
    return Reply::make(250, "2.1.5", "OK");
  }
  bool authenticate(std::string_view, std::string_view user, std::string_view password) override {
    ++calls;
    last_user = user;
    last_password = password;
    return true;
  }
  Reply accept_message(const mailsim::smtp::SessionContext&, const mailsim::smtp::Envelope&,
                       const std::string&) override {
    return Reply::make(250, "2.0.0", "queued");
  }
  int calls = 0;
  std::string last_user, last_password;
};

// No event meant for display shows the encoded credentials.
template <typename Engine>
void events_masked(Engine& engine, const std::string& secret) {
  for (const auto& e : engine.take_events())
    if (secret.size() >= 12) check(e.text.find(secret) == std::string::npos);
}

void smtp_auth(const std::string& wire_lines, const std::string& secret, const Plain* expect) {
  mailsim::smtp::ServerConfig config;
  config.hostname = "mx.example.org";
  config.offer_auth = true;
  Backend backend;
  mailsim::smtp::ServerSession server(config, backend, "203.0.113.9");
  server.receive("EHLO client.example\r\n");
  server.receive(wire_lines);
  server.take_output();
  events_masked(server, secret);
  if (expect) {
    // Authenticated exactly with what the payload says, or not at all.
    if (expect->ok && !expect->user.empty() && (expect->authzid.empty() || expect->authzid == expect->user)) {
      check(backend.calls == 1 && backend.last_user == expect->user && backend.last_password == expect->password);
    } else {
      check(backend.calls == 0);
    }
  }
  server.connection_lost();
}

void imap_authenticate(const std::string& wire_lines, const std::string& secret, const Plain* expect) {
  mailsim::imap::MemoryStore store;
  store.add_user("alice", "secret", 1u << 20);
  mailsim::imap::ServerSession server(store);
  server.take_output();
  server.receive(wire_lines);
  const std::string out = server.take_output();
  events_masked(server, secret);
  if (expect) {
    const bool should = expect->ok && expect->user == "alice" && expect->password == "secret" &&
                        (expect->authzid.empty() || expect->authzid == "alice");
    check((server.state() == mailsim::imap::ServerSession::State::Authenticated) == should);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string payload(reinterpret_cast<const char*>(data), size);

  // base64: what we encode decodes back, strictly and leniently; what decodes re-encodes
  // to text that decodes to the same bytes.
  const std::string b64 = base64_encode(payload);
  check(b64.size() == (payload.size() + 2) / 3 * 4);
  check(base64_decode(b64) == payload);
  check(base64_decode_mime(b64) == payload);
  if (const auto d = base64_decode(payload)) {
    check(base64_decode(base64_encode(*d)) == d);
    check(base64_encode(*d).size() == payload.size());
    check(base64_decode_mime(payload) == d);
  }
  (void)base64_decode_mime(payload);

  const Plain plain = plain_of(payload);
  // Long payloads meet the servers' line limits first: only their safety is checked then.
  const Plain* expect = b64.size() <= 1000 ? &plain : nullptr;
  // SMTP AUTH PLAIN: initial response, then as a continuation; AUTH LOGIN with the payload
  // split at its first NUL into user and password; and the raw input as the response.
  smtp_auth("AUTH PLAIN " + (payload.empty() ? std::string("=") : b64) + "\r\n", b64, expect);
  smtp_auth("AUTH PLAIN\r\n" + b64 + "\r\n", b64, b64.empty() ? nullptr : expect);
  {
    const auto nul = payload.find('\0');
    const std::string user = payload.substr(0, nul);
    const std::string pass = nul == std::string::npos ? std::string() : payload.substr(nul + 1);
    smtp_auth("AUTH LOGIN\r\n" + base64_encode(user) + "\r\n" + base64_encode(pass) + "\r\n", base64_encode(pass),
              nullptr);
  }
  const auto eol = payload.find_first_of("\r\n");
  const std::string raw_line = payload.substr(0, eol);
  smtp_auth("AUTH PLAIN " + raw_line + "\r\n", {}, nullptr);
  smtp_auth("AUTH PLAIN\r\n" + raw_line + "\r\n", {}, nullptr);

  // IMAP AUTHENTICATE PLAIN: SASL-IR and continuation forms, and the raw input.
  imap_authenticate("a1 AUTHENTICATE PLAIN " + (payload.empty() ? std::string("=") : b64) + "\r\n", b64, expect);
  imap_authenticate("a1 AUTHENTICATE PLAIN\r\n" + b64 + "\r\n", b64, b64.empty() ? nullptr : expect);
  imap_authenticate("a1 AUTHENTICATE PLAIN\r\n" + raw_line + "\r\n", {}, nullptr);
  return 0;
}
