// Building the world from a scenario, running it, and checking expectations on the trace.
#include "sim/scenario/runner.hpp"

#include "sim/scenario/faults_loader.hpp"

#include <limits>

#include <fmt/format.h>

#include "protocols/dns/presentation.hpp"
#include "sim/apps/basic_apps.hpp"
#include "sim/apps/dns_service.hpp"
#include "sim/apps/mail/access_apps.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/mta.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/apps/mail/mua_send.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::sim {
namespace {

Endpoint resolve_destination(const Network& net, const std::string& to, std::uint16_t port) {
  if (auto ip = Ipv4::parse(to)) return Endpoint{*ip, port};
  const HostInfo* h = net.host(to);
  return Endpoint{h ? h->ip : Ipv4{}, port};
}

// The trace's words for what a "change_account" / "change_server" changes: one item each,
// {"setting": NAME, "value": TEXT} (describe words them; a password's value is never shown).
nlohmann::json change_items(const mail::AccountChange* account, const mail::ServerChange* server) {
  nlohmann::json items = nlohmann::json::array();
  auto item = [&](const char* setting, std::string value) {
    items.push_back({{"setting", setting}, {"value", std::move(value)}});
  };
  if (const auto* c = account) {
    if (c->password) item("password", "");
    if (c->smtp_server) item("smtp_server", *c->smtp_server);
    if (c->smtp_port) item("smtp_port", std::to_string(*c->smtp_port));
    if (c->smtp_auth) item("smtp_auth", *c->smtp_auth ? "on" : "off");
    if (c->smtp_tls) item("smtp_tls", *c->smtp_tls);
    if (c->incoming_server) item("incoming_server", *c->incoming_server);
    if (c->incoming_port) item("incoming_port", std::to_string(*c->incoming_port));
    if (c->incoming_tls) item("incoming_tls", *c->incoming_tls);
  }
  if (const auto* c = server) {
    if (c->quota_temporary) item("quota_refusal", *c->quota_temporary ? "temporary" : "permanent");
    if (c->max_message_size) item("max_message_size", std::to_string(*c->max_message_size));
    if (c->greylisting) item("greylisting", *c->greylisting ? format_time((*c->greylisting)->delay) : "off");
    if (c->open_relay) item("open_relay", *c->open_relay ? "on" : "off");
    if (c->quota) item("quota", c->user + " " + std::to_string(*c->quota));
    if (c->relay_from) {
      std::vector<std::string> nets;
      for (const auto& n : *c->relay_from) nets.push_back(n.str());
      item("relay_from", fmt::format("{}", fmt::join(nets, ", ")));
    }
    if (c->hop_limit) item("hop_limit", std::to_string(*c->hop_limit));
    if (c->rate_limit)
      item("rate_limit", *c->rate_limit ? std::to_string((*c->rate_limit)->max_messages) + " " +
                                              format_time((*c->rate_limit)->per)
                                        : "off");
    if (c->subaddressing) item("subaddressing", *c->subaddressing ? "on" : "off");
    if (c->destination_concurrency_limit)
      item("destination_concurrency_limit", std::to_string(*c->destination_concurrency_limit));
    if (c->delay_warning) item("delay_warning", *c->delay_warning ? format_time(**c->delay_warning) : "off");
    if (c->require_tls) item("require_tls", c->require_tls->empty() ? "off" : fmt::format("{}", fmt::join(*c->require_tls, ", ")));
  }
  return items;
}

// The changes in English as the trace's summary says them (describe's "setting.*" words).
std::string english_changes(const nlohmann::json& items) {
  std::vector<std::string> out;
  for (const auto& i : items) {
    const std::string setting = i.value("setting", "");
    const std::string v = i.value("value", "");
    if (setting == "password") out.push_back("a new password");
    else if (setting == "smtp_server") out.push_back("sending server " + v);
    else if (setting == "smtp_port") out.push_back("sending port " + v);
    else if (setting == "smtp_auth") out.push_back("SMTP AUTH " + v);
    else if (setting == "smtp_tls") out.push_back("sending TLS " + v);
    else if (setting == "incoming_server") out.push_back("receiving server " + v);
    else if (setting == "incoming_port") out.push_back("receiving port " + v);
    else if (setting == "incoming_tls") out.push_back("receiving TLS " + v);
    else if (setting == "quota_refusal")
      out.push_back(v == "temporary" ? "a full mailbox now answers 452 4.2.2 (try again later)"
                                     : "a full mailbox now answers 552 5.2.2 (for good)");
    else if (setting == "max_message_size") out.push_back("size limit " + v + " bytes");
    else if (setting == "greylisting") out.push_back(v == "off" ? "greylisting off" : "greylisting on (delay " + v + ")");
    else if (setting == "open_relay") out.push_back(v == "on" ? "open relay (anyone may relay)" : "no open relay");
    else if (setting == "relay_from") out.push_back(v.empty() ? "no relaying for other networks" : "relaying for " + v);
    else if (setting == "hop_limit") out.push_back("hop limit " + v + " Received: lines");
    else if (setting == "rate_limit") {
      const auto sp = v.find(' ');
      out.push_back(v == "off" ? "no sending rate limit"
                               : "sending rate limit " + v.substr(0, sp) + " message(s) per " + v.substr(sp + 1));
    } else if (setting == "subaddressing") out.push_back(v == "on" ? "sub-addressing on (user+tag)" : "sub-addressing off");
    else if (setting == "destination_concurrency_limit")
      out.push_back("at most " + v + " connection(s) at once to one destination");
    else if (setting == "delay_warning") out.push_back(v == "off" ? "no delay warning" : "a delay warning after " + v);
    else if (setting == "require_tls")
      out.push_back(v == "off" ? "TLS no longer required" : "TLS required on port(s) " + v + " (STARTTLS first, or 530 5.7.0)");
    else if (setting == "quota") {
      const auto sp = v.find(' ');
      const std::string user = v.substr(0, sp), size = sp == std::string::npos ? "" : v.substr(sp + 1);
      out.push_back("quota of " + user + ": " + (size == "0" ? "none" : size + " bytes"));
    }
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

// The state-changing actions at their time: each its record first, then the change itself.
void schedule_empty_folder(Simulation& sim, mail::MailWorld& world, Time at, const action::EmptyFolder& a) {
  Simulation* sp = &sim;
  mail::MailWorld* wp = &world;
  sim.core().schedule_at(at, [sp, wp, a] {
    const std::string& host = a.host;
    const std::string& user = a.user;
    const std::string& folder = a.folder;
    mail::MailStore* store = wp->store(host);
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    std::vector<std::uint32_t> uids;
    if (store)
      if (auto snap = store->snapshot(user, folder))
        for (const auto& m : snap->messages) {
          uids.push_back(m.uid);
          bytes += m.size;
        }
    Record r;
    r.kind = RecordKind::Action;
    r.event = "folder_emptied";
    r.host = host;
    count = uids.size();
    r.summary = fmt::format("{}: {}'s {} is emptied ({} message(s), {} bytes freed)", host, user, folder, count, bytes);
    nlohmann::json d{{"action", "empty_folder"}, {"user", user}, {"folder", folder}, {"count", count}, {"size", bytes}};
    if (!store || !store->has_folder(user, folder)) d["missing"] = true;
    r.detail = std::move(d);
    sp->record(std::move(r));
    // As a mail program does it: mark every message \Deleted, then expunge (IMAP EXPUNGE).
    if (store && !uids.empty()) {
      for (const auto uid : uids) store->store_flags(user, folder, uid, mail::FlagOp::Add, mail::FlagSet{std::string(mail::kDeleted)});
      store->expunge(user, folder, uids);
    }
  });
}

void schedule_account_change(Simulation& sim, Time at, const action::ChangeAccount& a) {
  Simulation* sp = &sim;
  sim.core().schedule_at(at, [sp, a] {
    Record r;
    r.kind = RecordKind::Action;
    r.event = "account_changed";
    r.host = a.on;
    nlohmann::json d{{"action", "change_account"}, {"changes", change_items(&a.change, nullptr)}, {"account", a.change.account}};
    r.summary = fmt::format("{}: the settings of {} are changed: {}", r.host, a.change.account, english_changes(d["changes"]));
    r.detail = std::move(d);
    sp->record(std::move(r));
  });
}

void schedule_server_change(Simulation& sim, Time at, const action::ChangeServer& a, mail::MailServerApp* server) {
  Simulation* sp = &sim;
  sim.core().schedule_at(at, [sp, a, server] {
    Record r;
    r.kind = RecordKind::Action;
    r.event = "server_changed";
    r.host = a.host;
    nlohmann::json d{{"action", "change_server"}, {"changes", change_items(nullptr, &a.change)}};
    r.summary = fmt::format("{} changes its settings: {}", r.host, english_changes(d["changes"]));
    r.detail = std::move(d);
    sp->record(std::move(r));
    if (server) server->change(a.change);
  });
}

void build_world(Simulation& sim, const Scenario& s, mail::MailWorld& world) {
  for (const auto& n : s.networks) sim.network().add_network(n);
  sim.network().set_internet_latency(s.internet_latency);
  for (const auto& p : s.paths) sim.network().set_path_latency(p.a, p.b, p.latency);
  for (const auto& h : s.hosts) {
    sim.network().add_host(h.info);
    if (h.down) sim.transport().set_host_up(h.info.id, false);
    for (const auto& svc : h.services) {
      if (svc.app == "echo" || svc.app == "discard")
        sim.add_app(std::make_unique<EchoService>(h.info.id, svc.port, svc.app == "discard"));
    }
  }
  // DNS servers: their zones, and root hints from whoever serves the root zone.
  std::vector<dns::ServerHint> hints;
  for (const auto& h : s.hosts) {
    if (!h.dns_server) continue;
    for (const auto& z : h.dns_server->zones) {
      if (z != dns::Name().key()) continue;
      dns::ServerHint hint;
      hint.address = to_dns(h.info.ip);
      std::string error;
      hint.name = *dns::Name::parse(h.info.id, error);
      for (const auto& zs : s.zones) {
        if (!zs.zone.origin.is_root()) continue;
        for (const auto& r : zs.zone.records)
          if (r.type == dns::Type::A && std::get<dns::AData>(r.data).address == hint.address) hint.name = r.name;
      }
      hints.push_back(hint);
    }
  }
  std::vector<std::pair<std::string, DnsServerApp*>> dns_servers;  // for dns_change
  for (const auto& h : s.hosts) {
    if (!h.dns_server) continue;
    DnsServerConfig cfg;
    cfg.recursive = h.dns_server->recursive;
    if (cfg.recursive) cfg.root_hints = hints;
    for (const auto& key : h.dns_server->zones)
      for (const auto& zs : s.zones)
        if (zs.zone.origin.key() == key) cfg.zones.push_back(zs.zone);
    dns_servers.emplace_back(h.info.id, static_cast<DnsServerApp*>(&sim.add_app(std::make_unique<DnsServerApp>(h.info.id, std::move(cfg)))));
  }
  // Mail: stores, then the SMTP side of each server, then the senders on devices.
  mail::build_mail_stores(sim, s, world);
  std::map<std::string, mail::MailServerApp*> servers;
  for (const auto& h : s.hosts) {
    if (!h.mail_server) continue;
    std::optional<Ipv4> resolver;
    if (const HostInfo* r = sim.network().host(h.resolver)) resolver = r->ip;
    servers[h.info.id] = static_cast<mail::MailServerApp*>(
        &sim.add_app(std::make_unique<mail::MailServerApp>(h.info.id, *h.mail_server, world, resolver)));
  }
  mail::install_mail_access(sim, s, world);  // POP3/IMAP on servers, readers on devices, their actions
  std::map<std::string, mail::MailSenderApp*> senders;
  for (const auto& h : s.hosts) {
    if (!h.mail_client) continue;
    auto app = std::make_unique<mail::MailSenderApp>(h.info.id, s, *h.mail_client);
    senders[h.info.id] = app.get();
    sim.add_app(std::move(app));
  }
  world.send_reply = [senders](const std::string& device, const mail::SendRequest& request) {
    if (auto it = senders.find(device); it != senders.end()) it->second->send_now(request);
  };
  // Each action of the timeline, as the loader typed it (the reader's own actions are the
  // devices' apps', install_mail_access above).
  struct Schedule {
    Simulation& sim;
    const Scenario& s;
    mail::MailWorld& world;
    std::map<std::string, mail::MailServerApp*>& servers;
    std::map<std::string, mail::MailSenderApp*>& senders;
    const std::vector<std::pair<std::string, DnsServerApp*>>& dns_servers;
    Time at;

    void operator()(const action::Send& m) const { senders.at(m.from)->add(at, m); }
    void operator()(const action::ChangeAccount& c) const {
      schedule_account_change(sim, at, c);
      if (auto it = senders.find(c.on); it != senders.end()) it->second->change(at, c.change);
    }
    void operator()(const action::ChangeServer& c) const { schedule_server_change(sim, at, c, servers[c.host]); }
    void operator()(const action::EmptyFolder& e) const { schedule_empty_folder(sim, world, at, e); }
    void operator()(const action::Lookup& l) const {
      std::string resolver;
      for (const auto& h : s.hosts)
        if (h.info.id == l.from) resolver = h.resolver;
      sim.add_app(std::make_unique<LookupApp>(l.from, at, sim.network().host(resolver)->ip, l.name, l.qtype));
    }
    void operator()(const action::Connect& c) const {
      ScriptedClient::Script script;
      script.at = at;
      script.to = resolve_destination(sim.network(), c.to, c.port);
      script.lines = c.send;
      if (c.wait) script.wait = *c.wait;
      script.label = c.label;
      sim.add_app(std::make_unique<ScriptedClient>(c.from, std::move(script)));
    }
    void operator()(const action::DnsChange& a) const {
      // Every server authoritative for the zone changes at once (no transfer delay is modelled);
      // the record names the first of them.
      Simulation* sp = &sim;
      sim.core().schedule_at(at, [sp, dns_servers = dns_servers, change = a.change] {
        std::vector<std::string> removed, added, hosts;
        for (const auto& r : change.remove) removed.push_back(dns::to_string(r));
        for (const auto& r : change.add) added.push_back(dns::to_string(r));
        for (const auto& [id, app] : dns_servers)
          if (app->change_zone(change.origin, change.remove, change.add)) hosts.push_back(id);
        Record r;
        r.kind = RecordKind::Action;
        r.event = "dns_changed";
        if (!hosts.empty()) r.host = hosts.front();
        std::string what;
        for (const auto& x : removed) what += (what.empty() ? "" : "; ") + std::string("removed ") + x;
        for (const auto& x : added) what += (what.empty() ? "" : "; ") + std::string("added ") + x;
        r.summary = fmt::format("zone {} changes: {}", change.origin.to_string(), what);
        r.detail = {{"action", "dns_change"}, {"zone", change.origin.to_string()}, {"removed", removed},
                    {"added", added}, {"servers", hosts}};
        sp->record(std::move(r));
      });
    }
    void operator()(const action::Link& l) const {
      // The record first, then the cut: packets sent from this moment on are lost at the link.
      Simulation* sp = &sim;
      sim.core().schedule_at(at, [sp, network = l.network, up = l.up] {
        Record r;
        r.kind = RecordKind::Action;
        r.event = up ? "link_up" : "link_down";
        r.summary = "the link between " + network + " and the Internet " + (up ? "is back up" : "goes down: packets over it are lost");
        r.detail = {{"action", up ? "link_up" : "link_down"}, {"network", network}};
        sp->record(std::move(r));
        sp->network().set_link_up(network, up);
      });
    }
    void operator()(const action::HostPower& p) const {
      Simulation* sp = &sim;
      sim.core().schedule_at(at, [sp, host = p.host, up = p.up] {
        sp->transport().set_host_up(host, up);
        Record r;
        r.kind = RecordKind::Action;
        r.event = up ? "host_up" : "host_down";
        r.host = host;
        r.summary = host + (up ? " is back up" : " goes down");
        sp->record(std::move(r));
      });
    }
    // A device's reader (or its network switch) does these: install_mail_access.
    void operator()(const action::DeviceNetwork&) const {}
    void operator()(const action::CheckMail&) const {}
    void operator()(const action::OnMessage&) const {}
    void operator()(const action::Reply&) const {}
  };
  for (const auto& a : s.timeline) std::visit(Schedule{sim, s, world, servers, senders, dns_servers, a.at}, a.what);
}

std::string host_of_destination(const Scenario& s, const std::string& to) {
  if (auto ip = Ipv4::parse(to)) {
    for (const auto& h : s.hosts)
      if (h.info.ip == *ip) return h.info.id;
    return to;
  }
  return to;
}

ExpectationResult check_connection(const Scenario& s, const ExpectationSpec& e, const Trace& trace) {
  const std::string from = e.args.at("from").get<std::string>();
  const std::string to = host_of_destination(s, e.args.at("to").get<std::string>());
  const auto port = e.args.at("port").get<int>();
  const std::string want = e.args.at("result").get<std::string>();
  ExpectationResult r;
  r.pointer = e.pointer;
  const char* verb = want == "established" ? "is established" : want == "refused" ? "is refused" : "times out";
  r.description = fmt::format("a connection from {} to {} port {} {}", from, to, port, verb);
  r.kind = e.kind;
  r.params = {{"from", from}, {"to", to}, {"port", port}, {"result", want}};
  std::vector<std::string> seen;
  const std::string suffix = ":" + std::to_string(port);
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Connection || rec.host != from || rec.peer != to) continue;
    const std::string server = rec.detail.value("server", "");
    if (server.size() < suffix.size() || server.compare(server.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    if (rec.event == "established" || rec.event == "refused" || rec.event == "timeout") {
      seen.push_back(rec.event + " at " + format_time(rec.time));
      if (rec.event == want) {
        r.passed = true;
        r.actual = rec.text();
        r.outcome = "evidence";
        r.records = {rec.seq};
        return r;
      }
      r.records.push_back(rec.seq);
    }
  }
  if (seen.empty()) {
    r.actual = "no connection from " + from + " to " + to + " port " + std::to_string(port) + " was attempted";
    r.outcome = "connection.none";
    r.outcome_params = {{"from", from}, {"to", to}, {"port", port}};
  } else {
    r.actual = "instead: ";
    for (std::size_t i = 0; i < seen.size(); ++i) r.actual += (i ? ", " : "") + seen[i];
    r.outcome = "connection.instead";
  }
  return r;
}

ExpectationResult check_blocked(const ExpectationSpec& e, const Trace& trace) {
  const std::string policy = e.args.at("policy").get<std::string>();
  const std::string from = e.args.value("from", "");
  const int port = e.args.value("port", 0);
  ExpectationResult r;
  r.pointer = e.pointer;
  r.description = "policy " + policy + " blocks traffic" + (from.empty() ? "" : " from " + from) +
                  (port ? " to port " + std::to_string(port) : "");
  r.kind = e.kind;
  r.params = {{"policy", policy}, {"from", from}, {"port", port}};
  std::size_t other = 0;
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Policy) continue;
    if (rec.detail.value("rule", "") != policy) {
      ++other;
      continue;
    }
    if (!from.empty() && rec.host != from) continue;
    if (port && rec.detail.value("dst_port", 0) != port) continue;
    r.passed = true;
    r.actual = rec.text();
    r.outcome = "evidence";
    r.records = {rec.seq};
    return r;
  }
  r.actual = other ? fmt::format("policy {} never fired ({} other policy decision(s))", policy, other)
                   : "no policy fired at all";
  r.outcome = other ? "blocked.other" : "blocked.none";
  if (other) r.outcome_params = {{"policy", policy}, {"count", other}};
  return r;
}

ExpectationResult check_dns(const ExpectationSpec& e, const Trace& trace) {
  const std::string host = e.args.value("host", "");
  std::string error;
  const std::string name = dns::Name::parse(e.args.at("name").get<std::string>(), error)->to_string_no_dot();
  const std::string qtype = e.args.value("qtype", "A");
  const std::string outcome = e.args.value("outcome", "");
  const std::string contains = e.args.value("answer_contains", "");
  ExpectationResult r;
  r.pointer = e.pointer;
  r.description = fmt::format("{} lookup of {} {}{}{}", host.empty() ? "a" : host + "'s", qtype, name,
                              outcome.empty() ? "" : " gives " + outcome,
                              contains.empty() ? "" : " with an answer containing \"" + contains + "\"");
  r.kind = e.kind;
  r.params = {{"host", host}, {"name", name}, {"qtype", qtype}, {"outcome", outcome}, {"answer_contains", contains}};
  std::vector<std::string> seen;
  auto lower = [](std::string v) {
    for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return v;
  };
  for (const auto& rec : trace.records()) {
    if (!rec.is(DnsEvent::Result)) continue;
    if (!host.empty() && rec.host != host) continue;
    const auto& d = rec.dns_info();
    if (lower(d.qname.str()) != lower(name) || d.qtype != qtype) continue;
    seen.push_back(rec.text());
    r.records.push_back(rec.seq);
    if (!outcome.empty() && d.outcome != outcome) continue;
    if (!contains.empty()) {
      bool found = false;
      for (const auto a : d.answer_list())
        if (a.find(contains) != std::string_view::npos) found = true;
      if (!found) continue;
    }
    r.passed = true;
    r.actual = rec.text();
    r.outcome = "evidence";
    r.records = {rec.seq};
    return r;
  }
  if (seen.empty()) {
    r.actual = "no such lookup happened";
    r.outcome = "dns.none";
  } else {
    r.actual = "instead: ";
    for (std::size_t i = 0; i < seen.size(); ++i) r.actual += (i ? "; " : "") + seen[i];
    r.outcome = "instead";
  }
  return r;
}

std::string lower_text(std::string v) {
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v;
}

// "delivered", "bounced", "deferred", "send_failed": read from the Mail records.
ExpectationResult check_mail(const ExpectationSpec& e, const Trace& trace) {
  ExpectationResult r;
  r.pointer = e.pointer;
  const std::string kind = e.kind;
  r.kind = kind;
  const std::string status = e.args.value("status", "");
  auto status_ok = [&](const Record& rec) {
    if (status.empty()) return true;
    const MailInfo& m = rec.mail_info();
    const std::string st = m.status.str();
    const std::int64_t code = m.code;
    return st == status || (code != 0 && std::to_string(code) == status);
  };
  std::vector<std::string> seen;
  auto instead = [&](const Record& rec) {
    seen.push_back(rec.text());
    r.records.push_back(rec.seq);
  };
  auto evidence = [&](const Record& rec) {
    r.passed = true;
    r.actual = rec.text();
    r.outcome = "evidence";
    r.records = {rec.seq};
  };
  if (kind == "delivered") {
    const std::string to = lower_text(e.args.at("to").get<std::string>());
    const std::string folder = e.args.value("folder", "INBOX");
    const std::string subject = e.args.value("subject", "");
    const std::string by = e.args.value("host", "");
    r.description = "a message" + (subject.empty() ? std::string() : " \"" + subject + "\"") + " is delivered to " + to +
                    " (" + folder + ")" + (by.empty() ? std::string() : " by " + by);
    r.params = {{"to", to}, {"folder", folder}, {"subject", subject}};
    if (!by.empty()) r.params["host"] = by;
    for (const auto& rec : trace.records()) {
      if (rec.kind == RecordKind::Mail && (rec.is(MailEvent::Bounced) || rec.is(MailEvent::Refused) || rec.is(MailEvent::Deferred)) &&
          lower_text(rec.mail_info().recipient.str()) == to)
        instead(rec);
      if (!rec.is(MailEvent::Delivered)) continue;
      if (lower_text(rec.mail_info().recipient.str()) != to || (rec.mail_info().has(MailInfo::kFolder) ? rec.mail_info().folder.str() : std::string("INBOX")) != folder) continue;
      if (!subject.empty() && rec.mail_info().subject != subject) continue;
      if (!by.empty() && rec.host != by) {
        instead(rec);
        continue;
      }
      evidence(rec);
      return r;
    }
  } else if (kind == "bounced") {
    const std::string from = lower_text(e.args.at("from").get<std::string>());
    const std::string recipient = lower_text(e.args.value("recipient", ""));
    r.description = "mail from " + from + (recipient.empty() ? std::string() : " to " + recipient) +
                    " bounces back from MAILER-DAEMON" + (status.empty() ? std::string() : " with status " + status);
    r.params = {{"from", from}, {"recipient", recipient}, {"status", status}};
    for (const auto& rec : trace.records()) {
      if (!rec.is(MailEvent::Bounced)) continue;
      if (lower_text(rec.mail_info().sender.str()) != from) continue;
      if (!recipient.empty() && lower_text(rec.mail_info().recipient.str()) != recipient) continue;
      instead(rec);
      if (!status_ok(rec)) continue;
      evidence(rec);
      return r;
    }
  } else if (kind == "deferred") {
    const std::string to = lower_text(e.args.at("to").get<std::string>());
    r.description = "delivery to " + to + " is deferred (a temporary failure, retried later)" +
                    (status.empty() ? std::string() : " with status " + status);
    r.params = {{"to", to}, {"status", status}};
    for (const auto& rec : trace.records()) {
      if (!rec.is(MailEvent::Deferred) || lower_text(rec.mail_info().recipient.str()) != to)
        continue;
      instead(rec);
      if (!status_ok(rec)) continue;
      evidence(rec);
      return r;
    }
  } else {  // send_failed
    const std::string from = e.args.at("from").get<std::string>();
    const std::string error = e.args.value("error", "");
    r.description = "sending from " + from + " fails" + (error.empty() ? std::string() : " with \"" + error + "\"") +
                    (status.empty() ? std::string() : " (status " + status + ")");
    r.params = {{"from", from}, {"error", error}, {"status", status}};
    for (const auto& rec : trace.records()) {
      if (rec.kind != RecordKind::Mail || rec.host != from) continue;
      if (rec.is(MailEvent::Submitted)) instead(rec);
      if (!rec.is(MailEvent::SendFailed)) continue;
      instead(rec);
      if (!error.empty() && rec.mail_info().error.find(error) == std::string::npos) continue;
      if (!status_ok(rec)) continue;
      evidence(rec);
      return r;
    }
  }
  if (seen.empty()) {
    r.actual = "nothing of the kind happened";
    r.outcome = "mail.none";
  } else {
    r.actual = "instead: ";
    for (std::size_t i = 0; i < seen.size() && i < 4; ++i) r.actual += (i ? "; " : "") + seen[i];
    r.outcome = "instead";
    if (r.records.size() > 4) r.records.resize(4);
  }
  return r;
}

// "wire": can an eavesdropper read `text` in the packets (crossing `network`, if given)?
ExpectationResult check_wire(const ExpectationSpec& e, const Trace& trace) {
  const std::string text = e.args.at("text").get<std::string>();
  const bool visible = e.args.at("visible").get<bool>();
  const std::string network = e.args.value("network", "");
  ExpectationResult r;
  r.pointer = e.pointer;
  r.description = "\"" + text + "\" is " + (visible ? "readable" : "never readable") + " on the wire" +
                  (network.empty() ? std::string() : " in " + network);
  r.kind = e.kind;
  r.params = {{"text", text}, {"visible", visible}, {"network", network}};
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Packet || !rec.packet || rec.packet->bytes.empty()) continue;
    if (!network.empty()) {
      const auto* path = rec.packet->path;
      if (!path || std::find(path->begin(), path->end(), Name(network)) == path->end()) continue;
    }
    if (rec.packet->bytes.find(text) == std::string_view::npos) continue;
    r.passed = visible;
    r.actual = visible ? "seen at " + format_time(rec.time) + ": " + rec.text()
                       : "instead it crossed in clear at " + format_time(rec.time) + ": " + rec.text();
    r.outcome = visible ? "wire.seen" : "wire.in_clear";
    r.records = {rec.seq};
    return r;
  }
  r.passed = !visible;
  r.actual = visible ? "instead it never appeared in clear in any packet" : "no packet showed it";
  r.outcome = visible ? "wire.never" : "wire.not_seen";
  return r;
}

}  // namespace

bool RunResult::all_passed() const {
  for (const auto& e : expectations)
    if (!e.passed) return false;
  return conservation.holds();
}

bool RunResult::narration_reached() const {
  for (const auto& n : narration)
    if (!n.reached) return false;
  return true;
}

std::vector<ExpectationResult> check_expectations(const Scenario& scenario, const Trace& trace) {
  std::vector<ExpectationResult> out;
  for (const auto& e : scenario.expectations) {
    if (e.kind == "connection") out.push_back(check_connection(scenario, e, trace));
    else if (e.kind == "blocked") out.push_back(check_blocked(e, trace));
    else if (e.kind == "dns") out.push_back(check_dns(e, trace));
    else if (e.kind == "wire") out.push_back(check_wire(e, trace));
    else if (e.kind == "fault") out.push_back(check_fault_expectation(e, trace));
    else if (e.kind == "delivered" || e.kind == "bounced" || e.kind == "deferred" || e.kind == "send_failed")
      out.push_back(check_mail(e, trace));
    else if (auto r = mail::check_access_expectation(scenario, e, trace)) out.push_back(std::move(*r));
  }
  return out;
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  ScenarioRun run(scenario, options);
  run.advance(std::numeric_limits<Time>::max());
  return run.finish();
}

ScenarioRun::ScenarioRun(const Scenario& scenario, RunOptions options)
    : scenario_(scenario), options_(std::move(options)), world_(std::make_unique<mail::MailWorld>()),
      sim_(std::make_unique<Simulation>(scenario.seed, scenario.transport)) {
  Simulation& sim = *sim_;
  if (options_.retention) sim.trace().set_retention(*options_.retention);  // issue 13: keep only what is read
  if (options_.trace_stream) sim.trace().stream_to(options_.trace_stream);
  if (!sim.trace().retention().keeps_everything()) {
    tally_ = std::make_unique<RunawayTally>();  // the budget's likely cause counts what is not kept too
    sim.trace().watch([t = tally_.get()](const Record& r) { t->add(r); });
  }
  sim.trace().meta = {{"scenario", scenario.name},
                      {"title", scenario.title.en},
                      {"seed", scenario.seed}};
  if (!scenario.faults.empty())
    faults::install(sim, std::make_shared<faults::FaultEngine>(scenario.faults, scenario.seed));
  build_world(sim, scenario, *world_);
  if (options_.before_start) options_.before_start(sim, *world_);
  sim.start();
  stop_ = options_.until ? std::min(*options_.until, scenario.run_for) : scenario.run_for;
  budget_ = options_.budget.value_or(scenario.budget);
}

ScenarioRun::~ScenarioRun() = default;

bool ScenarioRun::advance(Time t, std::uint64_t max_events) {
  if (stopped_) return false;
  Simulation& sim = *sim_;
  const Time stop = stop_at_run_for ? stop_ : (options_.until ? *options_.until : std::numeric_limits<Time>::max());
  std::uint64_t ran = 0;
  for (;;) {
    const Time next = sim.core().next_time();
    if (next < 0 || next > t) break;
    if (ran >= max_events) return true;  // more to do at or before t: the caller comes back
    if (next > stop) {
      result_.stopped_early = true;
      stopped_ = true;
      return false;
    }
    if (next > budget_.max_time) {
      result_.budget_stop = BudgetStop{BudgetKind::VirtualTime, static_cast<std::uint64_t>(budget_.max_time),
                                       static_cast<std::uint64_t>(next), budget_.max_time, {}};
      stopped_ = true;
      return false;
    }
    sim.core().step();
    ++ran;
    result_.budget_stop = over_budget(budget_, sim.core().executed(), sim.trace(), sim.now());
    if (result_.budget_stop) {
      stopped_ = true;
      return false;
    }
  }
  // Every event up to t ran: the clock moves on to t (new events are scheduled from there).
  if (t != std::numeric_limits<Time>::max() && t > sim.now() && t <= stop && t <= budget_.max_time)
    sim.core().run_until(t);
  return true;
}

RunResult ScenarioRun::finish() {
  Simulation& sim = *sim_;
  RunResult result = std::move(result_);
  if (result.budget_stop) {
    result.stopped_early = true;
    auto& cause = result.budget_stop->cause;
    if (result.budget_stop->kind == BudgetKind::VirtualTime && stop_ > budget_.max_time) {
      // Nothing ran away: the scenario asks for more virtual time than the budget allows.
      cause.code = "long_run";
      cause.params = {{"run_for_us", stop_}};
      cause.en = fmt::format("the scenario runs until {} (settings \"run_for\"), longer than the budget", format_span(stop_));
      cause.ja = fmt::format("シナリオは {} まで動く設定です（settings の \"run_for\"）。上限より長い設定です", format_span(stop_));
    } else {
      cause = tally_ ? tally_->cause() : likely_cause(sim.trace());
    }
    Record note;
    note.kind = RecordKind::Note;
    note.event = "budget";
    note.summary = result.budget_stop->message();
    note.detail = {{"budget", to_string(result.budget_stop->kind)}, {"limit", result.budget_stop->limit},
                   {"used", result.budget_stop->used}, {"cause", result.budget_stop->cause.code},
                   {"cause_params", result.budget_stop->cause.params}};
    sim.record(std::move(note));
  } else if (sim.core().next_time() >= 0) {
    result.stopped_early = true;  // events remained at the stop time
  }
  stopped_ = true;
  if (options_.at_end) options_.at_end(sim, *world_);
  result.end_time = sim.now();
  result.events = sim.core().executed();
  result.trace = std::move(sim.trace());
  result.trace.watch(nullptr);
  sim.trace().watch(nullptr);  // nothing recorded while the world is taken down reaches the tally or the stream
  sim.trace().stream_to(nullptr);
  result.conservation = check_conservation(result.trace, !result.stopped_early, result.end_time);
  result.expectations = check_expectations(scenario_, result.trace);
  result.narration = match_narration(scenario_.narration, result.trace);
  return result;
}

}  // namespace mailsim::sim
