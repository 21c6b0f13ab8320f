// Iterative (recursive-server side) resolution as a sans-I/O state machine (RFC 1034 5.3.3,
// RFC 1035 7, RFC 2308 negative caching), plus the stub-resolver helpers (RFC 1034 5.3.1).
// Not implemented: TCP fallback on TC (a truncated answer counts as a failed server), EDNS,
// DNSSEC, IPv6 transport to servers (AAAA glue is ignored), QNAME minimisation, credibility
// ranking of cached data (RFC 2181 5.4.1) beyond in-bailiwick filtering.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/common/events.hpp"
#include "protocols/dns/cache.hpp"
#include "protocols/dns/message.hpp"

namespace mailsim::dns {

constexpr std::size_t kMaxCnameChain = 8;             // CNAMEs followed in one resolution
constexpr std::size_t kMaxQueriesPerResolution = 64;  // queries sent, sub-lookups included
constexpr std::size_t kMaxReferrals = 16;             // referrals followed per lookup
constexpr std::size_t kMaxNsLookupDepth = 3;          // nested "address of the NS" lookups
constexpr int kDefaultTriesPerServer = 2;
constexpr Time kDefaultQueryTimeout = 2 * kSecond;

struct ServerHint {
  Name name;
  Ipv4Address address{};
};

struct ResolverConfig {
  std::vector<ServerHint> root_hints;
  Time timeout = kDefaultQueryTimeout;  // wait for one answer
  int tries_per_server = kDefaultTriesPerServer;
  // Query ids; when empty the resolver uses its own deterministic sequence from `id_seed`.
  std::function<std::uint16_t()> next_id;
  std::uint32_t id_seed = 0x2545F491u;
};

// The end of a resolution.
struct Resolution {
  enum class Outcome { Answer, NxDomain, NoData, ServFail };
  Outcome outcome = Outcome::ServFail;
  Name qname;
  Type qtype = Type::A;
  std::vector<Record> answers;  // the CNAME chain (if any) then the records of qtype
  std::optional<Record> soa;    // NxDomain / NoData: the SOA that came with it (if any)
  std::string reason;           // ServFail: why ("all servers for com. timed out")
  bool from_cache = false;      // answered without sending anything
  std::size_t queries_sent = 0;

  Rcode rcode() const;  // NOERROR for Answer and NoData
  // The records of qtype at the end of the chain.
  std::vector<Record> final_records() const;
};

// What the caller does next.
struct ResolverAction {
  enum class Kind {
    Send,  // send `packet` to `to` port 53 (by UDP, or by TCP when `tcp`: framed, RFC 7766), then
           // call on_response with the answer (unframed) or, after `timeout`, on_timeout
    Wait,  // nothing new: keep waiting for the query already sent (its timer still runs)
    Done,  // result() is ready
  };
  Kind kind = Kind::Wait;
  Ipv4Address to{};
  Name server;  // the name of the server asked (for traces)
  std::string packet;
  Time timeout = 0;
  bool tcp = false;  // the UDP answer was truncated (TC): ask the same server again over TCP
};

// Resolves one (name, type) at a time by asking servers from the root down, using and
// filling a DnsCache that several resolvers may share. Feed it responses and timeouts;
// it validates every response (sender, id and question must match the outstanding query,
// else the response is ignored and a ProtocolError event says so), follows referrals
// (glue, or a lookup of the NS name's address when there is none), chases CNAMEs, retries
// on timeouts (tries_per_server, then the next server of the NS set) and finishes with an
// answer, NXDOMAIN, NODATA or SERVFAIL. Every step is told as a Note event.
class Resolver {
 public:
  enum class State { Idle, Waiting, Done };

  Resolver(ResolverConfig config, DnsCache& cache);

  ResolverAction start(const Name& qname, Type qtype, Time now);
  ResolverAction on_response(std::string_view bytes, const Ipv4Address& from, Time now);
  ResolverAction on_timeout(Time now);

  State state() const { return state_; }
  bool done() const { return state_ == State::Done; }
  const Resolution& result() const { return result_; }
  std::vector<proto::ProtocolEvent> take_events() { return std::exchange(events_, {}); }

 private:
  struct Server {
    Name name;
    std::optional<Ipv4Address> address;
    int tries = 0;
    bool failed = false;
    bool lookup_started = false;
    std::string failure;  // "timed out", "REFUSED", ...
  };
  struct Task {
    Name qname;
    Type qtype = Type::A;
    Name sname;  // qname after the CNAMEs followed so far
    std::vector<Record> chain;
    bool have_servers = false;
    Name zone;
    std::vector<Server> servers;
    std::size_t referrals = 0;
  };
  struct Outstanding {
    std::uint16_t id = 0;
    std::size_t server = 0;
    Ipv4Address address{};
    Question question;
    bool tcp = false;
  };

  ResolverAction run(Time now);
  ResolverAction send(Task& task, std::size_t server, Time now, bool tcp = false);
  ResolverAction finish(Resolution::Outcome outcome, std::vector<Record> records,
                        std::optional<Record> soa, std::string reason, Time now);
  // finish(), then carry on with the lookup that was waiting for it (if any).
  ResolverAction conclude(Resolution::Outcome outcome, std::vector<Record> records,
                          std::optional<Record> soa, std::string reason, Time now);
  ResolverAction process(const Message& response, Time now);
  ResolverAction server_failed(const std::string& why, Time now);
  void pick_servers(Task& task, Time now);
  bool follow_cname(Task& task, const Record& cname);
  std::uint16_t next_id();
  void set_state(State s);
  void note(std::string text);
  void protocol_error(std::string text);

  ResolverConfig config_;
  DnsCache& cache_;
  State state_ = State::Idle;
  std::vector<Task> stack_;  // front: the lookup asked for; back: the one in progress
  std::optional<Outstanding> outstanding_;
  Resolution result_;
  std::size_t queries_sent_ = 0;
  std::uint32_t id_state_;
  std::vector<proto::ProtocolEvent> events_;
};

// The response a recursive server sends its stub client for a finished resolution
// (RA set, RD copied, rcode from the outcome, SOA in authority for negative answers).
Message recursive_response(const Message& query, const Resolution& resolution);

// Stub mode: one RD=1 query to the configured recursive server.
struct StubQuery {
  Message query;
  std::string packet;
};
StubQuery make_stub_query(std::uint16_t id, const Name& qname, Type qtype);
// Reads the recursive server's answer. nullopt (with `error`) when the bytes are not the
// response to `query` (undecodable, wrong id or question): ignore them and keep waiting.
std::optional<Resolution> read_stub_response(const Message& query, std::string_view bytes,
                                             std::string& error);

}  // namespace mailsim::dns
