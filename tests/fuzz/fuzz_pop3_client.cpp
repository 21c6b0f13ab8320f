// Fuzz target: arbitrary server bytes into the POP3 client, whole and one byte at a time.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/pop3/client.hpp"

using namespace mailsim::pop3;

namespace {

// A first byte below 0x20 selects the job; otherwise a default job is used.
ClientJob job_for(std::string_view& input) {
  ClientJob j;
  j.user = "alice";
  j.password = "wonderland";
  j.known_uids = {"u1"};
  if (!input.empty() && static_cast<unsigned char>(input[0]) < 0x20) {
    const auto flags = static_cast<unsigned char>(input[0]);
    input.remove_prefix(1);
    if (flags & 1u) j.auth = AuthMethod::ApopIfOffered;
    if (flags & 2u) j.tls = TlsPolicy::Stls;
    if (flags & 4u) j.mode = RetentionMode::LeaveOnServer;
    if (flags & 8u) j.tls = TlsPolicy::Implicit;
  }
  return j;
}

std::string run(std::string_view input, const ClientJob& job, std::size_t chunk, ClientResult& result) {
  ClientSession client(job);
  std::string sent;
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    client.receive(input.substr(pos, chunk));
    if (client.tls_requested()) client.tls_established();
    sent += client.take_output();
    client.take_events();
  }
  client.connection_lost();
  if (!client.closed()) std::abort();
  result = client.result();
  for (const auto& m : result.downloaded) {
    if (m.size != m.bytes.size() || m.size > kMaxMessageOctets) std::abort();
  }
  if (result.deletions_committed && result.deleted.empty()) std::abort();
  return sent;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const ClientJob job = job_for(input);
  ClientResult a;
  ClientResult b;
  const std::string whole = run(input, job, input.size() + 1, a);
  const std::string bytewise = run(input, job, 1, b);
  if (job.tls != TlsPolicy::Stls && (whole != bytewise || a.downloaded.size() != b.downloaded.size())) std::abort();
  return 0;
}
