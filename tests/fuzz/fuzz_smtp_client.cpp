// Fuzz target: arbitrary server bytes into an SMTP client session, in input-derived chunks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/smtp/client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailsim::smtp;
  if (size == 0) return 0;
  // The first byte picks the job; the rest is what the server sends.
  const std::uint8_t flags = data[0];
  ClientJob job;
  job.helo_name = "client.example";
  job.sender = (flags & 0x01) != 0 ? "" : "sender@client.example";
  job.recipients = {"alice@example.org", "bob@example.org"};
  if ((flags & 0x02) != 0) job.recipients.push_back("carol@example.org");
  job.data = ".leading dot\nbody\r\n..\r\n";
  if ((flags & 0x04) != 0) job.credentials = Credentials{"alice", "pw", (flags & 0x08) != 0 ? AuthMechanism::Login : AuthMechanism::Plain};
  switch ((flags >> 4) & 0x03) {
    case 0: job.tls = TlsPolicy::None; break;
    case 1: job.tls = TlsPolicy::Opportunistic; break;
    case 2: job.tls = TlsPolicy::Required; break;
    default: job.tls = TlsPolicy::Implicit; break;
  }
  ClientSession client(job);

  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::uint32_t rng = 2166136261u;
  for (char c : input) rng = (rng ^ static_cast<std::uint8_t>(c)) * 16777619u;
  std::size_t out_bytes = 0;
  std::size_t pos = 0;
  while (pos < input.size()) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    const std::size_t chunk = 1 + rng % 61;
    client.receive(input.substr(pos, chunk));
    pos += chunk;
    out_bytes += client.take_output().size();
    client.take_events();
    if (client.tls_requested()) client.tls_established();
  }
  if ((flags & 0x40) != 0) client.timed_out(); else client.connection_lost();
  const auto& r = client.result();
  // Every ending leaves every recipient decided, and the outcome agrees with them.
  if (!client.closed() || r.outcome == Outcome::InProgress) std::abort();
  if (r.count(RecipientStatus::Pending) != 0) std::abort();
  if (r.outcome == Outcome::Delivered && r.count(RecipientStatus::Delivered) != r.recipients.size()) std::abort();
  // The client never sends more than its commands and one copy of the message.
  if (out_bytes > 4096) std::abort();
  return 0;
}
