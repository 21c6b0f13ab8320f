// The mail part of a running world: each mail server's store, built from the scenario.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "sim/apps/mail/store.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim::mail {

struct SendRequest;

struct MailWorld {
  // Mail server host id -> its mailbox store (users, domains, quotas from the scenario).
  std::map<std::string, std::shared_ptr<MailStore>> stores;

  MailStore* store(const std::string& host) const {
    auto it = stores.find(host);
    return it == stores.end() ? nullptr : it->second.get();
  }
  // Mail server host id -> its ports that require TLS now (ListenerSpec::require_tls at the
  // start; a timeline "change_server" replaces the set). SMTP, POP3 and IMAP read it when a
  // connection opens, so sessions already open keep what they started with.
  std::map<std::string, std::set<std::uint16_t>> tls_required;
  bool requires_tls(const std::string& host, std::uint16_t port) const {
    auto it = tls_required.find(host);
    return it != tls_required.end() && it->second.count(port) > 0;
  }
  // The store that hosts `address`'s domain, and the host it belongs to.
  std::pair<std::string, MailStore*> store_for_address(const std::string& address) const;

  // A device's mail reader hands a "reply" to the same device's sender (set by the runner once
  // the senders exist).
  std::function<void(const std::string& device, const SendRequest& request)> send_reply;

  // Observers for views that need whole messages, which the trace only previews (the export
  // writes every message of a run as a file). Set before the run starts; they only look.
  struct AcceptedMessage {
    std::string server;        // the receiving mail server (host id)
    std::string client;        // the sending host
    std::uint64_t conn = 0;    // the TCP connection
    std::uint16_t port = 0;    // the listener's port (25, 587, 465 ...)
    std::string role;          // the listener's role: mx, submission, submissions
    Time time = 0;
    const std::string* raw = nullptr;  // the DATA as received (dot-unstuffed, CRLF)
  };
  // Every message a server received with SMTP DATA (in clear or inside TLS), before it decides.
  std::function<void(const AcceptedMessage&)> on_accepted;
  // Every change of a store, after it is complete (the store can be asked for the bytes).
  std::function<void(const std::string& host, const MailStore& store, const ChangeRecord& change)> on_store_change;
};

// Creates a store for every mail server of the scenario; every store change becomes a
// Mailbox record of the server's host in the simulation's trace.
void build_mail_stores(Simulation& sim, const Scenario& scenario, MailWorld& world);

}  // namespace mailsim::sim::mail
