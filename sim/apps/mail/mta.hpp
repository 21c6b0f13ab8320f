// A mail server host's SMTP side: MTA (listeners, relay policy, queue with retries, MX
// routing, bounces from MAILER-DAEMON) and MDA (local delivery into the mailbox store).
#pragma once
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "protocols/smtp/client.hpp"
#include "protocols/smtp/server.hpp"
#include "protocols/message/dsn.hpp"
#include "sim/apps/dns_service.hpp"
#include "sim/apps/mail/mail_spec.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim::mail {

// Dates in messages: virtual time 0 is 2025-11-01 09:00:00 +0900.
constexpr std::int64_t kScenarioEpochUnix = 1761955200;
constexpr int kZoneMinutes = 9 * 60;
std::string message_date(Time now);

// A Mail record (message life cycle) stamped by the simulation.
void record_mail(Simulation& sim, const std::string& host, const std::string& event, std::string summary,
                 nlohmann::json detail, const std::string& peer = {});

// Reads Subject and Message-ID of a raw message for the trace.
struct MessageLabel {
  std::string subject;
  std::string message_id;
};
MessageLabel label_of(std::string_view raw);

class MailServerApp : public App {
 public:
  MailServerApp(std::string host, MailServerSpec spec, MailWorld& world, std::optional<Ipv4> resolver);
  ~MailServerApp() override;
  void start(Simulation& sim) override;
  // A timeline "change_server": these settings from now on (sessions already open keep the
  // size limit they announced).
  void change(const ServerChange& c);

  // One recipient that cannot be delivered: why, and what the refusing server answered (reply
  // code and enhanced status) when one did; code 0 when no server answered (DNS, timeouts, expiry).
  struct Failure {
    std::string recipient;
    std::string why;
    int code = 0;
    std::string status;      // RFC 3463 code of this recipient's failure
    std::string diagnostic;  // the DSN's Diagnostic-Code ("smtp; 550 5.1.1 ..." or "x-mailsim; ...")
    std::string remote;      // the server that refused it, when one did
  };

  struct QueuedMessage {
    std::uint64_t id = 0;
    std::string queue_id;  // "Q1A2B" style, shown in Received: and the trace
    std::string sender;    // empty: null reverse-path (a bounce)
    std::vector<std::string> recipients;  // still to deliver
    std::string data;
    Time queued_at = 0;
    int attempts = 0;
    std::map<std::string, std::string> last_error;  // recipient -> last temporary failure
    MessageLabel label;
    // Recipients that failed for good in this delivery pass: one report for all of them
    // when the pass ends (as Postfix's queue manager sends one bounce per pass).
    std::vector<Failure> failed;
    bool local_tried = false;  // its local recipients were refused for now at arrival: the first pass skips them
    bool warned = false;       // the sender was told it is delayed (delay_warning), once
  };

 private:
  class Backend;
  struct Attempt;
  struct Outbound;
  // One domain group of one queued message, waiting for (or given) a session to its destination.
  struct GroupJob {
    std::uint64_t id = 0;
    std::string domain;  // the destination: a domain, or "(smarthost)"
    std::vector<std::string> recipients;
    bool retried = false;  // its reused session broke before it was decided; it had a session of its own
  };
  // The outbound queue's view of one destination: sessions open (or being set up) to it, and
  // the groups waiting for one (Postfix's per-destination concurrency and connection cache).
  struct Destination {
    std::deque<GroupJob> waiting;
    std::uint32_t active = 0;
    bool pumping = false;
  };

  // Receiving (SMTP server side).
  void accept_connection(SocketPtr sock, const ListenerSpec& listener);
  smtp::Reply check_recipient(const smtp::SessionContext& ctx, const std::string& address, bool submission);
  smtp::Reply accept_message(const smtp::SessionContext& ctx, const smtp::Envelope& env, const std::string& data,
                             const std::string& client_host, bool submission);
  smtp::Reply greylist(const smtp::SessionContext& ctx, const std::string& sender, const std::string& recipient,
                       const std::string& client_host);
  bool is_local(const std::string& address) const;
  // The mailbox of a local address (with sub-addressing: "user+tag" is user's).
  std::optional<std::string> user_for(const std::string& address) const;
  bool may_relay(const smtp::SessionContext& ctx) const;
  std::optional<smtp::Reply> deliver_local(const std::string& recipient, const std::string& data,
                                           const std::string& sender, const MessageLabel& label,
                                           const std::string& queue_id);

  // Sending (queue).
  std::string next_queue_id();
  std::uint64_t enqueue(std::string sender, std::vector<std::string> recipients, std::string data,
                        const MessageLabel& label, std::string queue_id = {}, std::vector<Failure> failed = {},
                        bool local_tried = false);
  void schedule_attempt(std::uint64_t id, Time delay);
  void attempt(std::uint64_t id);
  void submit_group(GroupJob job);
  void pump(const std::string& destination);
  void release(Attempt& a);
  void transaction_done(const std::shared_ptr<Outbound>& o, smtp::ClientSession& s);
  void attempt_group(GroupJob job);
  void attempt_local(std::uint64_t id, const std::vector<std::string>& recipients);
  void try_next_host(std::shared_ptr<Attempt> a);
  void try_address(std::shared_ptr<Attempt> a);
  void finish_group(std::shared_ptr<Attempt> a, const smtp::DeliveryResult& result, const std::string& remote,
                    const std::string& peer);
  void reached_myself(std::shared_ptr<Attempt> a);
  void group_failed(std::shared_ptr<Attempt> a, bool temporary, const std::string& status, const std::string& reason);
  void settle(std::uint64_t id);
  // One report (RFC 3464) for all the recipients of `m` that failed for good, with a block each.
  void bounce(const QueuedMessage& m, const std::vector<Failure>& failures);
  // The sender's "delayed" report (RFC 3464 Action: delayed) for the recipients still queued.
  void warn_delayed(const QueuedMessage& m, Time next_try);
  // Sends the report (its per-recipient blocks filled in; the rest is m's) from MAILER-DAEMON to
  // m's sender (locally, or queued with a null sender).
  void send_report(const QueuedMessage& m, message::Dsn dsn);

  Simulation* sim_ = nullptr;
  MailServerSpec spec_;
  MailWorld& world_;
  MailStore* store_ = nullptr;
  std::optional<Ipv4> resolver_;
  std::unique_ptr<StubResolver> stub_;
  std::map<std::uint64_t, QueuedMessage> queue_;
  std::map<std::uint64_t, int> groups_in_flight_;
  std::map<std::string, Destination> destinations_;
  std::uint64_t next_id_ = 0;
  std::map<std::string, std::vector<Time>> rate_;  // sender -> times of accepted messages
  // (fingerprint of the message as received, recipient) -> queue id of its first arrival
  std::map<std::pair<std::uint64_t, std::string>, std::string> accepted_;
  // Greylisting: (client address, sender, recipient) -> when that triple was first seen.
  std::map<std::tuple<std::string, std::string, std::string>, Time> greylist_;
};

}  // namespace mailsim::sim::mail
