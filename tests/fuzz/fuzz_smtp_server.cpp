// Fuzz target: arbitrary client bytes into an SMTP server session, in input-derived chunks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/smtp/server.hpp"

namespace {

using namespace mailsim::smtp;

// Accepts every sender, recipient, password and message.
class PermissiveBackend : public ServerBackend {
 public:
  Reply check_sender(const SessionContext&, const std::string&) override { return Reply::make(250, "2.1.0", "OK"); }
  Reply check_recipient(const SessionContext&, const std::string& address) override {
    // A little variety so refusal paths run too.
    if (!address.empty() && address[0] == 'x') return Reply::make(550, "5.1.1", "User unknown");
    return Reply::make(250, "2.1.5", "OK");
  }
  bool authenticate(std::string_view, std::string_view user, std::string_view) override { return !user.empty(); }
  Reply accept_message(const SessionContext&, const Envelope& envelope, const std::string& data) override {
    if (envelope.recipients.empty()) std::abort();  // DATA must never be accepted without one
    bytes += data.size();
    return Reply::make(250, "2.0.0", "queued");
  }
  std::size_t bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the configuration; the rest is what the client sends.
  const std::uint8_t flags = data[0];
  ServerConfig config;
  config.hostname = "mx.example.org";
  config.offer_auth = (flags & 0x01) != 0;
  config.offer_starttls = (flags & 0x02) != 0;
  config.require_auth = (flags & 0x04) != 0;
  config.require_tls_for_auth = (flags & 0x08) != 0;
  config.implicit_tls = (flags & 0x10) != 0;
  config.require_tls = (flags & 0x40) != 0;  // 530 5.7.0 until STARTTLS
  if ((flags & 0x20) != 0) {
    config.max_message_size = 300;
    config.max_recipients = 3;
  }
  PermissiveBackend backend;
  ServerSession server(config, backend, "203.0.113.9");

  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::uint32_t rng = 2166136261u;  // FNV-1a of the input seeds the chunk sizes
  for (char c : input) rng = (rng ^ static_cast<std::uint8_t>(c)) * 16777619u;

  std::size_t out_bytes = server.take_output().size();
  std::size_t events = server.take_events().size();
  std::size_t pos = 0;
  while (pos < input.size()) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    const std::size_t chunk = 1 + rng % 97;
    const bool was_closed = server.closed();
    server.receive(input.substr(pos, chunk));
    pos += chunk;
    const std::string out = server.take_output();
    if (was_closed && !out.empty()) std::abort();  // nothing is said after closing
    out_bytes += out.size();
    events += server.take_events().size();
    if (server.tls_requested() && (rng & 1) != 0) {
      server.tls_established();  // replays held input: collect what that says too
      out_bytes += server.take_output().size();
      events += server.take_events().size();
    }
  }
  if (server.tls_requested()) server.tls_established();
  out_bytes += server.take_output().size();
  events += server.take_events().size();
  server.connection_lost();
  // Bounded output: a few dozen reply octets and events per input octet at most.
  if (out_bytes > 1024 + 48 * size) std::abort();
  if (events > 64 + 16 * size) std::abort();
  return 0;
}
