// Building the mail stores of a scenario.
#include "sim/apps/mail/mail_world.hpp"

namespace mailsim::sim::mail {

std::pair<std::string, MailStore*> MailWorld::store_for_address(const std::string& address) const {
  const auto at = address.rfind('@');
  if (at == std::string::npos) return {"", nullptr};
  const std::string domain = address.substr(at + 1);
  for (const auto& [host, store] : stores)
    if (store->hosts_domain(domain)) return {host, store.get()};
  return {"", nullptr};
}

void build_mail_stores(Simulation& sim, const Scenario& scenario, MailWorld& world) {
  std::uint32_t uidvalidity = 1;
  for (const auto& h : scenario.hosts) {
    if (!h.mail_server) continue;
    StoreConfig cfg;
    cfg.max_message_size = h.mail_server->max_message_size;
    cfg.first_uidvalidity = uidvalidity;
    uidvalidity += 1000;
    auto store = std::make_shared<MailStore>(cfg);
    for (const auto& d : h.mail_server->domains) store->add_domain(d);
    for (const auto& u : h.mail_server->users) store->add_user(u.name, u.password, u.quota);
    const std::string host = h.info.id;
    Simulation* s = &sim;
    MailStore* self = store.get();
    MailWorld* w = &world;
    store->set_hook([s, host, self, w](const ChangeRecord& change) {
      auto rec = to_record(change, host);
      s->record(rec.typed());
      if (w->on_store_change) w->on_store_change(host, *self, change);
    });
    // Preloaded mailboxes: their messages are there from the start (appended records at 0).
    for (const auto& u : h.mail_server->users)
      for (const auto& m : u.preload)
        self->append(u.name, "INBOX", m.raw, FlagSet(m.flags.begin(), m.flags.end()), 0);
    world.stores[host] = std::move(store);
    auto& required = world.tls_required[host];
    for (const auto& l : h.mail_server->listeners)
      if (l.require_tls) required.insert(l.port);
  }
}

}  // namespace mailsim::sim::mail
