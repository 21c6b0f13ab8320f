// DNS in the simulated world: authoritative/recursive servers on UDP and TCP 53, stub resolvers.
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
#include "protocols/dns/edns.hpp"
#include "protocols/dns/resolver.hpp"
#include "protocols/dns/tcp.hpp"
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
// iteratively from the root hints, with a cache shared by all its resolutions. Queries come
// over UDP or TCP (RFC 7766: several per connection, each answer framed as it is ready);
// EDNS(0) is honoured on both (dns/edns.hpp): a UDP answer larger than the requester takes
// is truncated with TC, so a client like dig asks again over TCP.
class DnsServerApp : public App {
 public:
  DnsServerApp(std::string host, DnsServerConfig config);
  ~DnsServerApp() override;
  void start(Simulation& sim) override;
  // A timeline's dns_change: records out of and into the zone `origin` if this server is
  // authoritative for it (the SOA serial goes up by one). False when it does not serve it.
  // The cache is untouched: what it learnt stays until its TTL runs out.
  bool change_zone(const dns::Name& origin, const std::vector<dns::Record>& remove,
                   const std::vector<dns::Record>& add);

  // A TCP connection with nothing to answer is closed after this long (RFC 7766 6.2.3).
  static constexpr Time kTcpIdle = 10 * kSecond;
  // Questions one TCP connection may have waiting for a recursive answer at once.
  static constexpr std::size_t kMaxTcpInFlight = 16;

 private:
  struct Pending;
  struct TcpConn;
  // Where an answer goes: a UDP endpoint, or a TCP connection (by id) when `tcp`.
  struct ReplyTo {
    Ipv4 peer;
    bool tcp = false;
    Endpoint udp;
    std::uint64_t conn = 0;
  };
  void on_query(const ReplyTo& to, std::string_view bytes);
  void on_tcp_accept(SocketPtr sock);
  void on_tcp_data(std::uint64_t conn, std::string_view bytes);
  void arm_tcp_idle(std::uint64_t conn);
  void drop_tcp(std::uint64_t conn);
  bool serves(const dns::Name& name) const;
  void drive(std::uint64_t id, dns::ResolverAction action);
  void ask_over_tcp(std::uint64_t id, Ipv4 to, std::string packet);
  void retire_upstream(Pending& p);
  void reply(const ReplyTo& to, dns::Message response, const dns::EdnsRequest& edns, const std::string& role);
  void answer_now(const ReplyTo& to, dns::Message response, const dns::EdnsRequest& edns, const std::string& role);
  void send_bytes(const ReplyTo& to, const std::string& bytes);

  Simulation* sim_ = nullptr;
  DnsServerConfig config_;
  dns::DnsCache cache_;
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;
  std::uint64_t next_pending_ = 0;
  std::map<std::uint64_t, std::unique_ptr<TcpConn>> tcp_;
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
