// Mail routing from DNS (RFC 5321 5.1, RFC 7505 null MX): which hosts to try, in which order.
// Not implemented: AAAA-only hosts (the simulated network is IPv4), SRV, MTA-STS/DANE.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/dns/resolver.hpp"

namespace mailsim::dns {

struct MailHost {
  Name name;
  std::uint16_t preference = 0;
  bool operator==(const MailHost&) const = default;
};

struct MailRoute {
  enum class Outcome { Ok, PermanentFailure, TemporaryFailure };
  Outcome outcome = Outcome::TemporaryFailure;
  std::vector<MailHost> hosts;  // Ok: in the order to try them
  std::string reason;           // failures: why; Ok with implicit MX: says so
};

// A random number in [0, bound) (bound >= 1); the scenario's seeded generator.
using RandomFunction = std::function<std::size_t(std::size_t bound)>;

// Turns the MX lookup for `domain` into the hosts to try:
//   MX records              -> sorted by preference, equal preferences shuffled by `random`
//   null MX (one MX "0 .")  -> permanent failure "domain does not accept mail"
//   no MX (NODATA)          -> implicit MX: the domain itself, preference 0
//   NXDOMAIN                -> permanent failure "host unknown"
//   SERVFAIL / timeout      -> temporary failure (try again later)
// MX records whose exchange is "." next to real ones are skipped.
MailRoute mail_route(const Name& domain, const Resolution& mx_lookup, const RandomFunction& random);

// Walks a route the way an MTA does: take the next host, look up its A records, try the
// addresses; when every host has been tried without delivery, final() tells whether the
// message is to be bounced (every host was unknown) or retried later.
class MailHostWalk {
 public:
  explicit MailHostWalk(MailRoute route) : route_(std::move(route)) {}

  // The next host to look up, or nullopt when every host has been tried.
  std::optional<MailHost> next_host();
  // The A lookup for the host last returned: the addresses to try, in order (empty when
  // the host has none; the failure is remembered).
  std::vector<Ipv4Address> on_address_lookup(const Resolution& a_lookup);
  // The caller could not deliver to any address of the current host (no connection,
  // 4xx greeting ...).
  void on_host_unreachable(const std::string& why);
  // After the last host: PermanentFailure when no host had an address (every lookup was
  // NXDOMAIN or NODATA), else TemporaryFailure; with a reason naming each host's problem.
  // A route that was a failure from the start is returned unchanged.
  MailRoute final() const;

 private:
  MailRoute route_;
  std::size_t next_ = 0;
  bool any_temporary_ = false;
  std::vector<std::string> problems_;
};

}  // namespace mailsim::dns
