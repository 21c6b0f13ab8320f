// Fuzz target: a DNS-over-TCP stream (RFC 7766 framing) of queries with EDNS(0), answered.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/dns/dns.hpp"
#include "tests/fuzz/fuzz_dns_zone.hpp"

namespace {

using namespace mailsim::dns;

using mailsim::fuzz::check;

const std::vector<Zone>& zones() { return mailsim::fuzz::hogehoge_zones(); }

}  // namespace

// The input is a TCP byte stream, fed in pieces whose sizes come from its first byte.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  TcpMessageReader reader;
  for (std::size_t at = 0; at < stream.size(); at += step) {
    if (!reader.feed(stream.substr(at, step))) break;
    while (auto message = reader.next()) {
      check(message->size() >= kHeaderSize);
      // Over TCP the answer is whole; over UDP it fits what the query's EDNS allows.
      const auto whole = answer_packet(zones(), *message, true);
      const auto udp = answer_packet(zones(), *message, false);
      check(whole.has_value() == udp.has_value());
      if (!udp) continue;
      const auto d = decode(*message);
      const std::size_t limit = d.ok() ? udp_response_limit(read_edns(*d.message)) : kMaxUdpPayload;
      check(udp->size() <= limit);
      const auto reply = decode(*whole);
      check(reply.ok());
      // Never more than one OPT in what we send.
      int opts = 0;
      for (const auto& rec : reply.message->additional) opts += rec.type == Type::OPT ? 1 : 0;
      check(opts <= 1);
      check(decode(frame_tcp(*whole).substr(2)).ok());
    }
    if (reader.failed()) break;
  }
  return 0;
}
