// The sending half of a mail client on a device: composes a message and submits it to the
// account's outgoing server (port, AUTH, TLS as configured), reporting what a user would see.
#pragma once
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/apps/mail/mail_spec.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim::mail {

struct SendRequest {
  Time at = 0;
  std::string account;  // address; empty: the device's only account
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;
  std::string body;
  std::uint64_t size = 0;  // pad the body until the message is about this big (0: no padding)
  std::string label;
  // This message's own server, port, AUTH and TLS (the action's "smtp"); none: the
  // account's. AUTH still logs in with the account's user and password.
  std::optional<OutgoingSpec> smtp;
  // A reply: the parent's Message-ID and its own thread (In-Reply-To and References,
  // RFC 5322 3.6.4); empty for a new message.
  std::string in_reply_to;
  std::string parent_references;
  std::string charset;  // this message's charset ("utf-8", "iso-2022-jp"); empty: the program's
};

// What a timeline "send" at `at` asks of the device's sender.
SendRequest send_request(Time at, const action::Send& send);

class MailSenderApp : public App {
 public:
  MailSenderApp(std::string host, MailClientSpec spec);
  // As above; the AUTH line sent to a server whose `show_credentials` is on is recorded
  // unmasked, as the POP3 and IMAP readers do (the eavesdropper lesson).
  MailSenderApp(std::string host, const Scenario& scenario, MailClientSpec spec);
  // A timeline "send" at `at`. Only a pointer is kept (the action is held once, by the scenario):
  // `send` must outlive the app, as a scenario's timeline outlives its run (sim::ScenarioRun).
  void add(Time at, const action::Send& send) { sends_.push_back({at, &send}); }
  // Sends at once (a reply, whose text is known only when the device has the message).
  void send_now(const SendRequest& request) { send(request); }
  // A timeline "change_account": in force for every message sent at or after `at`.
  void change(Time at, AccountChange c) { changes_.emplace_back(at, std::move(c)); }
  void start(Simulation& sim) override;

 private:
  void send(const SendRequest& request);

  Simulation* sim_ = nullptr;
  MailClientSpec spec_;
  std::set<std::string> show_credentials_to_;  // outgoing servers (host ids) that show them
  // The timeline's sends, in timeline order; only the next one is in the event queue at a time
  // (EventCore::schedule_series), each made into a SendRequest when it runs.
  struct TimedSend {
    Time at;
    const action::Send* send;
  };
  std::vector<TimedSend> sends_;
  std::vector<std::pair<Time, AccountChange>> changes_;  // in timeline order
  std::uint64_t sent_ = 0;
  // The largest message any server of the world accepts: a "size" is padded to just over it
  // at most (a bigger message is refused the same way, and is never built in memory).
  std::uint64_t largest_accepted_;
};

}  // namespace mailsim::sim::mail
