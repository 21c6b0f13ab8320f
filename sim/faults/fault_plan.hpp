// The fault plan: seeded, per-command fault rules (where, when, what) and the engine that
// decides, at each stage of a server's conversation, whether a rule fires (docs/faults.md).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/event_core.hpp"
#include "sim/core/random.hpp"

namespace mailsim::sim {
class Simulation;
}

namespace mailsim::sim::faults {

// The moment of a conversation a rule waits for. Connect and Greeting are the server's accept;
// the SMTP, POP3 and IMAP ones are the client's command arriving (EndOfData: the lone "." of
// SMTP DATA); Command is any other command verb (named in the rule); Dns is a DNS answer
// about to leave a DNS server.
enum class Stage { Connect, Greeting, Ehlo, Auth, Mail, Rcpt, Data, EndOfData, Retr, Fetch, Command, Dns };

// What a rule does when it fires.
enum class Action {
  Reply,     // answer with the rule's code and text instead of the server (SMTP 421 also closes)
  Delay,     // hold the server's answer (and everything after it) for `delay` of virtual time
  Close,     // close the connection (FIN) without an answer
  Reset,     // reset the connection (RST) without an answer
  Cut,       // let `bytes` more bytes pass (both directions), then reset
  Drop,      // DNS: the answer is never sent
  ServFail,  // DNS: the answer becomes SERVFAIL with no records
  Limit,     // a stateful limit: once `messages` occurrences fell within `window`, reply (421)
  Throttle,  // from now on the connection carries at most `rate` bytes per second each way
};

std::string_view to_string(Stage s);
std::string_view to_string(Action a);
std::optional<Stage> stage_from_string(std::string_view text);
std::optional<Action> action_from_string(std::string_view text);
// The protocol a stage belongs to ("smtp", "pop3", "imap", "dns"), or empty when it is any
// TCP service's (connect, greeting, auth, command).
std::string_view stage_protocol(Stage s);

// Bounds the loader enforces (docs/faults.md).
inline constexpr std::size_t kMaxFaultRules = 256;
inline constexpr std::size_t kMaxPatternBytes = 254;
inline constexpr std::size_t kMaxReplyTextBytes = 400;
inline constexpr std::uint64_t kMaxCount = 1'000'000;       // nth, every, times, messages, bytes
inline constexpr std::uint32_t kProbabilityScale = 1'000'000;  // probability in millionths
inline constexpr std::uint64_t kMaxThrottleRate = 1'000'000'000;  // bytes per second

struct FaultRule {
  std::string id;
  // where
  std::string host;        // the server's host id (empty: any)
  std::string client;      // the connecting (or asking) host's id (empty: any)
  std::string protocol;    // "smtp", "pop3", "imap", "dns" (empty: any)
  std::uint16_t port = 0;  // the listener's port (0: any)
  // when
  Stage stage = Stage::Connect;
  std::string command;     // Stage::Command: the verb (upper case)
  std::string qtype;       // Stage::Dns: the question type ("MX"; empty: any)
  std::uint64_t nth = 0;   // only the Nth occurrence (1-based; 0: any)
  std::uint64_t every = 0; // every Kth occurrence (0: any)
  Time after = 0;          // not before this virtual time
  std::optional<Time> until;  // not after this virtual time
  std::string sender;      // envelope sender pattern ('*' any run, case-insensitive; empty: any)
  std::string recipient;   // a recipient pattern (RCPT's address; DATA: any of the envelope's)
  std::uint32_t probability = kProbabilityScale;  // in millionths, drawn from the rule's seeded generator
  std::uint64_t times = 0; // fires at most this many times (0: no limit)
  // what
  Action action = Action::Reply;
  int code = 0;            // Reply/Limit (SMTP reply code; POP3 and IMAP say -ERR / NO, BYE for 421)
  std::string text;        // Reply/Limit
  Time delay = 0;          // Delay
  std::uint64_t bytes = 0; // Cut
  std::uint64_t messages = 0;  // Limit
  Time window = 0;             // Limit
  std::uint64_t rate = 0;      // Throttle: bytes per second
  std::string pointer;     // where it was written ("/faults/2")
};

using FaultPlan = std::vector<FaultRule>;

// '*' matches any run of characters, everything else itself, ignoring ASCII case.
bool pattern_matches(std::string_view pattern, std::string_view text);

// One moment a rule may fire at.
struct FaultPoint {
  Stage stage = Stage::Connect;
  std::string host, client, protocol;
  std::uint16_t port = 0;
  std::uint64_t conn = 0;
  std::string command;                 // the verb as sent (upper-cased)
  std::string qtype, qname;            // DNS
  std::string sender;                  // SMTP envelope sender so far
  std::vector<std::string> recipients; // SMTP recipients so far (RCPT: just the one)
};

// The run-time side of a plan: occurrence counts, windows and a generator per rule, all
// seeded from the scenario's seed so the same seed fires the same rules at the same commands.
class FaultEngine {
 public:
  FaultEngine(FaultPlan plan, std::uint64_t seed);

  // The first rule that fires at `point` (recorded in the trace as a Note "fault"), or null.
  // Every rule that matches the point's where and when counts it as an occurrence, fired or not.
  const FaultRule* check(Simulation& sim, const FaultPoint& point);
  const FaultPlan& plan() const { return plan_; }
  bool empty() const { return plan_.empty(); }
  // How often each rule fired so far.
  std::uint64_t fired(std::size_t rule) const { return state_[rule].fired; }

 private:
  struct RuleState {
    std::uint64_t seen = 0;
    std::uint64_t fired = 0;
    std::vector<Time> window;  // Limit: times of recent occurrences
    Random rng;
  };
  bool applies(const FaultRule& r, const FaultPoint& p) const;
  FaultPlan plan_;
  std::vector<RuleState> state_;
};

// The engine of a simulation (null: no plan). The runner installs it; apps ask for it.
FaultEngine* engine_of(Simulation& sim);
void install(Simulation& sim, std::shared_ptr<FaultEngine> engine);

// "fault rule greet-421 fired at smtp greeting on mx: reply 421 ..." in English (the trace's summary).
std::string describe_firing(const FaultRule& r, const FaultPoint& p);

}  // namespace mailsim::sim::faults
