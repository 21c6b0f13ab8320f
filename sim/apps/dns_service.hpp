// DNS in the simulated world: authoritative/recursive servers on UDP 53 and stub resolvers.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/dns/authoritative.hpp"
#include "protocols/dns/cache.hpp"
#include "protocols/dns/resolver.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim {

constexpr std::uint16_t kDnsPort = 53;

dns::Ipv4Address to_dns(Ipv4 ip);
Ipv4 from_dns(const dns::Ipv4Address& a);

struct DnsServerConfig {
  std::vector<dns::Zone> zones;  // answered with authority
  bool recursive = false;        // resolves other names for clients that ask (RD=1)
  std::vector<dns::ServerHint> root_hints;
};

// A DNS server: answers from its zones (AA) and, when recursive, resolves everything else
// iteratively from the root hints, with a cache shared by all its resolutions.
class DnsServerApp : public App {
 public:
  DnsServerApp(std::string host, DnsServerConfig config);
  ~DnsServerApp() override;
  void start(Simulation& sim) override;

 private:
  struct Pending;
  void on_query(Endpoint from, std::string_view bytes);
  bool serves(const dns::Name& name) const;
  void drive(std::uint64_t id, dns::ResolverAction action);
  void reply(Endpoint to, const dns::Message& response, const std::string& role);

  Simulation* sim_ = nullptr;
  DnsServerConfig config_;
  dns::DnsCache cache_;
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;
  std::uint64_t next_pending_ = 0;
};

// A host's stub resolver: one RD=1 query to its configured recursive server, retried once.
class StubResolver {
 public:
  using Done = std::function<void(const dns::Resolution&)>;
  StubResolver(Simulation& sim, std::string host, Ipv4 server);
  void lookup(const dns::Name& name, dns::Type type, Done done);

  static constexpr Time kTimeout = 3 * kSecond;
  static constexpr int kTries = 2;

  // Lookups whose state is still allocated, in all simulations of this process (for the
  // leak tests: a finished lookup must free its state and what its callback captured).
  static std::size_t live_lookups() { return live_lookups_.load(); }

  struct Lookup;

 private:
  static std::atomic<std::size_t> live_lookups_;
  Simulation& sim_;
  std::string host_;
  Ipv4 server_;
};

// The timeline action "lookup": a dig-like question from a host, told in the trace.
class LookupApp : public App {
 public:
  LookupApp(std::string host, Time at, Ipv4 server, dns::Name name, dns::Type type)
      : App(std::move(host)), at_(at), server_(server), name_(std::move(name)), type_(type) {}
  void start(Simulation& sim) override;

 private:
  Time at_;
  Ipv4 server_;
  dns::Name name_;
  dns::Type type_;
  std::unique_ptr<StubResolver> stub_;
};

// One line for a finished resolution: "MX? hogehoge.com -> 10 mx1.hogehoge.com".
std::string describe(const dns::Resolution& r);

}  // namespace mailsim::sim
