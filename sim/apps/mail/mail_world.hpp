// The mail part of a running world: each mail server's store, built from the scenario.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "sim/apps/mail/store.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim::mail {

struct MailWorld {
  // Mail server host id -> its mailbox store (users, domains, quotas from the scenario).
  std::map<std::string, std::shared_ptr<MailStore>> stores;

  MailStore* store(const std::string& host) const {
    auto it = stores.find(host);
    return it == stores.end() ? nullptr : it->second.get();
  }
  // The store that hosts `address`'s domain, and the host it belongs to.
  std::pair<std::string, MailStore*> store_for_address(const std::string& address) const;
};

// Creates a store for every mail server of the scenario; every store change becomes a
// Mailbox record of the server's host in the simulation's trace.
void build_mail_stores(Simulation& sim, const Scenario& scenario, MailWorld& world);

}  // namespace mailsim::sim::mail
