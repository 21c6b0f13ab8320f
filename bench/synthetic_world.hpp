// A large synthetic scenario for benchmarks: many ISPs full of devices, providers' mail servers, one DNS server, and many overlapping cross-domain sends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace mailsim::bench {

struct SyntheticWorldSize {
  std::size_t hosts = 500;       // every host: 1 DNS server + providers' mail servers + devices
  std::size_t providers = 20;    // mail providers (a data-centre network and a mail server each)
  std::size_t isps = 20;         // access networks the devices sit in
  std::size_t messages = 5000;   // sends, each to a user of another provider
  double send_window_s = 2.0;    // the sends start at 1 s + a uniform spread over this window
  std::uint64_t seed = 20240601; // who writes to whom and when
};

// The scenario as JSON text (mailsim schema version 1), ready for sim::load_scenario_text.
// Every device has one account at a provider (submission on 587 with AUTH and STARTTLS); a
// send goes device -> its provider's server -> DNS MX lookup -> the recipient's provider's
// server on port 25, so each message is two SMTP sessions and a DNS exchange.
std::string synthetic_world_json(const SyntheticWorldSize& size);

}  // namespace mailsim::bench
