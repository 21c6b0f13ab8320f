// Fuzz target: DNS decoding of arbitrary bytes, re-encoding, text round trips, answering.
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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto d = decode(bytes);
  // Answering never crashes, and what it sends always decodes.
  if (const auto reply = answer_packet(zones(), bytes)) check(decode(*reply).ok());
  // A resolver waiting for the root's answer (id 0x1234) takes or ignores it safely.
  {
    DnsCache cache;
    ResolverConfig config;
    config.root_hints.push_back(ServerHint{Name::of("a.root-servers.example"), {198, 51, 100, 1}});
    config.next_id = [] { return std::uint16_t{0x1234}; };
    Resolver resolver(config, cache);
    resolver.start(Name::of("hogehoge.com"), Type::MX, 0);
    auto action = resolver.on_response(bytes, {198, 51, 100, 1}, 1);
    if (action.kind == ResolverAction::Kind::Send) action = resolver.on_timeout(2 * kSecond);
    (void)action;
  }
  if (!d.ok()) {
    check(!d.error.empty());
    return 0;
  }
  const Message& m = *d.message;
  (void)summary(m);
  const std::string again = encode(m);
  // Our encoder may compress less than the sender did (pointers into opaque rdata); a
  // message that no longer fits in 64 KiB cannot be decoded by anyone.
  if (again.size() <= kMaxMessageSize) {
    const auto d2 = decode(again);
    check(d2.ok());
    check(*d2.message == m);
  }
  for (const auto* section : {&m.answers, &m.authority, &m.additional}) {
    for (const auto& r : *section) {
      if (r.ttl > kMaxTtl) continue;
      std::string error;
      const auto back = parse_record(to_string(r), error);
      check(back.has_value());
      check(*back == r);
    }
  }
  return 0;
}
