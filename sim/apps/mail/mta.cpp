// The mail server's SMTP side: listeners and relay policy, local delivery, the outbound
// queue with MX routing and retries, and bounces from MAILER-DAEMON.
#include "sim/apps/mail/mta.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "protocols/dns/mail_route.hpp"
#include "protocols/dns/presentation.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"
#include "sim/apps/mail/session_link.hpp"
#include "sim/apps/mail/timeouts.hpp"
#include "sim/faults/smtp_faults.hpp"

namespace mailsim::sim::mail {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : lower(address.substr(at + 1));
}

std::string local_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? address : address.substr(0, at);
}

nlohmann::json json_list(const std::vector<std::string>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

// FNV-1a: a stable fingerprint of a message's bytes (the same on every platform and run).
std::uint64_t fingerprint(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// RFC 5321 6.3: the hop count of a message is the number of its Received: fields.
int hop_count(std::string_view data) {
  int n = 0;
  for (const auto& f : message::parse_header_section(data))
    if (lower(f.name) == "received") ++n;
  return n;
}

// The session (or the whole transaction) failed for now before any recipient was decided for
// good: a 421 greeting, a lost connection, a 4xx to MAIL.
bool session_refused(const smtp::DeliveryResult& result) {
  if (result.reason.empty() || result.outcome != smtp::Outcome::TemporaryFailure) return false;
  for (const auto& r : result.recipients)
    if (r.status == smtp::RecipientStatus::Delivered || r.status == smtp::RecipientStatus::PermanentFailure)
      return false;
  return true;
}

std::string reply_text(const smtp::Reply& r) {
  std::string t = std::to_string(r.code);
  if (!r.enhanced.empty()) t += " " + r.enhanced;
  const std::string text = r.text();
  if (!text.empty()) t += " " + text;
  return t;
}

}  // namespace

std::string message_date(Time now) {
  return message::format_scenario_date(kScenarioEpochUnix, now / kSecond, kZoneMinutes);
}

void record_mail(Simulation& sim, const std::string& host, const std::string& event, std::string summary,
                 nlohmann::json detail, const std::string& peer) {
  Record r;
  r.kind = RecordKind::Mail;
  r.event = event;
  r.host = host;
  r.peer = peer;
  r.protocol = "smtp";
  r.summary = std::move(summary);
  r.detail = std::move(detail);
  sim.record(std::move(r));
}

MessageLabel label_of(std::string_view raw) {
  MessageLabel l;
  const auto fields = message::parse_header_section(raw);
  if (auto s = message::find_header(fields, "Subject")) l.subject = message::decode_encoded_words(*s);
  if (auto id = message::find_header(fields, "Message-ID")) l.message_id = *id;
  return l;
}

// ---- the SMTP server backend of one connection ---------------------------------------------

class MailServerApp::Backend : public smtp::ServerBackend {
 public:
  std::weak_ptr<faults::ConnectionGate> gate;  // the fault plan's gate of this connection, if any

  Backend(MailServerApp& app, ListenerSpec listener, std::string client_host, std::uint64_t conn)
      : app_(app), listener_(std::move(listener)), client_host_(std::move(client_host)), conn_(conn) {}

  smtp::Reply check_sender(const smtp::SessionContext& ctx, const std::string& sender) override {
    sender_ = sender;
    if (const auto& rl = app_.spec_.rate_limit) {
      const std::string who = ctx.authenticated_user.empty() ? ctx.client_ip : ctx.authenticated_user;
      auto& times = app_.rate_[who];
      const Time now = app_.sim_->now();
      times.erase(std::remove_if(times.begin(), times.end(), [&](Time t) { return t + rl->per <= now; }), times.end());
      if (times.size() >= rl->max_messages) {
        record_mail(*app_.sim_, app_.host(), "throttled",
                    fmt::format("{} refuses more mail from {}: {} message(s) in {}", app_.host(), who, times.size(),
                                format_time(rl->per)),
                    {{"who", who}, {"limit", rl->max_messages}}, client_host_);
        return smtp::Reply::make(451, "4.7.1", "Sending rate limit exceeded, try again later");
      }
    }
    return smtp::Reply::make(250, "2.1.0", "Sender OK");
  }

  smtp::Reply check_recipient(const smtp::SessionContext& ctx, const std::string& address) override {
    smtp::Reply reply = app_.check_recipient(ctx, address, listener_.role != "mx");
    // Greylisting asks strangers arriving on port 25 to come back later; a server's own
    // users (authenticated, or on a submission port) are never greylisted.
    if (reply.code < 300 && app_.spec_.greylisting && listener_.role == "mx" && ctx.authenticated_user.empty() &&
        app_.is_local(address))
      return app_.greylist(ctx, sender_, address, client_host_);
    return reply;
  }

  bool authenticate(std::string_view, std::string_view user, std::string_view password) override {
    std::string u(user);
    if (u.find('@') != std::string::npos) {
      if (!app_.store_ || !app_.store_->hosts_domain(domain_of(u))) return false;
      u = local_of(u);
    }
    return app_.store_ && app_.store_->authenticate(u, password);
  }

  smtp::Reply accept_message(const smtp::SessionContext& ctx, const smtp::Envelope& env,
                             const std::string& data) override {
    if (auto g = gate.lock())
      if (auto fault = g->take_data_reply()) return faults::smtp_reply(fault->first, fault->second);
    if (app_.world_.on_accepted)
      app_.world_.on_accepted({app_.host(), client_host_, conn_, listener_.port, listener_.role, app_.sim_->now(), &data});
    return app_.accept_message(ctx, env, data, client_host_, listener_.role != "mx");
  }

 private:
  MailServerApp& app_;
  ListenerSpec listener_;
  std::string client_host_;
  std::uint64_t conn_ = 0;
  std::string sender_;  // the MAIL FROM of the transaction in progress
};

// ---- one delivery attempt for one group of recipients ----------------------------------

struct MailServerApp::Attempt {
  std::uint64_t id = 0;
  std::string domain;
  std::vector<std::string> recipients;
  std::optional<dns::MailHostWalk> walk;
  std::string host_name;  // the MX host being tried
  std::deque<Ipv4> addresses;
  std::uint16_t port = 25;
  bool smarthost = false;
  bool done = false;
  std::string last_problem;
  std::string last_status;  // enhanced code of the last session-level refusal ("4.7.1")
  int hosts_tried = 0;      // MX hosts tried before this one (0: the most preferred)
  bool holds_slot = false;  // it counts against its destination's concurrency limit
  bool reused = false;      // it rides on a session another message opened
  bool retried = false;     // see GroupJob::retried
};

// One SMTP session of the queue: the message it carries now, and where it goes.
struct MailServerApp::Outbound {
  std::shared_ptr<Attempt> current;
  std::string remote;  // the MX host name
  std::string peer;    // its host id, for records
  Time opened = 0;
  bool answered = false;  // the current transaction got the server's answers (the engine was ready)
};

MailServerApp::MailServerApp(std::string host, MailServerSpec spec, MailWorld& world, std::optional<Ipv4> resolver)
    : App(std::move(host)), spec_(std::move(spec)), world_(world), resolver_(resolver) {}

MailServerApp::~MailServerApp() = default;

void MailServerApp::start(Simulation& sim) {
  sim_ = &sim;
  store_ = world_.store(host());
  if (resolver_) stub_ = std::make_unique<StubResolver>(sim, host(), *resolver_);
  for (const auto& l : spec_.listeners) {
    if (l.role != "mx" && l.role != "submission" && l.role != "submissions") continue;
    sim.transport().listen(
        host(), l.port, [this, l](SocketPtr sock) { accept_connection(std::move(sock), l); }, l.role == "submissions");
  }
}

void MailServerApp::change(const ServerChange& c) {
  if (c.quota_temporary) spec_.quota_temporary = *c.quota_temporary;
  if (c.greylisting) spec_.greylisting = *c.greylisting;
  if (c.open_relay) spec_.open_relay = *c.open_relay;
  if (c.max_message_size) {
    spec_.max_message_size = *c.max_message_size;
    if (store_) store_->set_max_message_size(*c.max_message_size);
  }
  if (c.quota && store_) store_->set_quota(c.user, *c.quota);
  if (c.relay_from) spec_.relay_from = *c.relay_from;
  if (c.hop_limit) spec_.hop_limit = *c.hop_limit;
  if (c.rate_limit) spec_.rate_limit = *c.rate_limit;
  if (c.subaddressing) spec_.subaddressing = *c.subaddressing;
  if (c.delay_warning) spec_.delay_warning = *c.delay_warning;
  if (c.destination_concurrency_limit) {
    spec_.destination_concurrency_limit = *c.destination_concurrency_limit;
    // A higher limit lets waiting messages go now.
    std::vector<std::string> keys;
    for (const auto& [key, d] : destinations_)
      if (!d.waiting.empty()) keys.push_back(key);
    for (const auto& key : keys) pump(key);
  }
  if (c.require_tls) world_.tls_required[host()] = std::set<std::uint16_t>(c.require_tls->begin(), c.require_tls->end());
}

void MailServerApp::accept_connection(SocketPtr sock, const ListenerSpec& listener) {
  smtp::ServerConfig cfg;
  cfg.hostname = spec_.hostname;
  if (spec_.identity.smtp_banner) cfg.banner = *spec_.identity.smtp_banner;
  cfg.extensions = spec_.identity.smtp_extensions;
  const bool submission = listener.role != "mx";
  cfg.offer_auth = submission || !spec_.users.empty();
  cfg.require_auth = submission;
  cfg.offer_starttls = listener.starttls && listener.role != "submissions";
  cfg.implicit_tls = listener.role == "submissions";
  cfg.require_tls = world_.requires_tls(host(), listener.port);
  cfg.max_message_size = static_cast<std::size_t>(spec_.max_message_size);
  auto backend = std::make_shared<Backend>(*this, listener, sock->peer_host(), sock->id());
  auto engine = std::make_unique<smtp::ServerSession>(cfg, *backend, sock->remote().ip.str());
  auto link = std::make_shared<SessionLink<smtp::ServerSession>>(*sim_, sock, std::move(engine), "smtp",
                                                                 spec_.show_credentials);
  // The link keeps itself alive through the socket's callbacks until the session ends; the
  // backend (which the engine refers to) lives exactly as long, and is freed with it.
  link->keep(backend);
  std::weak_ptr<SessionLink<smtp::ServerSession>> weak = link;
  link->on_closed = [](smtp::ServerSession& s) {
    if (!s.closed()) s.connection_lost();
  };
  const Time idle = spec_.timeouts.smtp_server_idle;
  link->deadline = [idle](smtp::ServerSession&, const TcpSocket& so, Time since) {
    return idle_deadline(idle, so, since);
  };
  link->on_timeout = [](smtp::ServerSession& s) { s.timed_out(); };
  link->use_faults(listener.port, [weak] { return faults::smtp_reads_commands(weak); },
                   [weak] { return faults::smtp_reads_data(weak); });
  if (auto* g = link->gate()) backend->gate = g->weak_from_this();
  link->attach();
}

bool MailServerApp::is_local(const std::string& address) const {
  return store_ && store_->hosts_domain(domain_of(address));
}

std::optional<std::string> MailServerApp::user_for(const std::string& address) const {
  if (auto u = store_->user_for_address(address)) return u;
  if (!spec_.subaddressing) return std::nullopt;
  const auto at = address.rfind('@');
  const auto plus = address.find('+');
  if (at == std::string::npos || plus == std::string::npos || plus == 0 || plus > at) return std::nullopt;
  return store_->user_for_address(address.substr(0, plus) + address.substr(at));
}

bool MailServerApp::may_relay(const smtp::SessionContext& ctx) const {
  if (spec_.open_relay || !ctx.authenticated_user.empty()) return true;
  if (auto ip = Ipv4::parse(ctx.client_ip))
    for (const auto& c : spec_.relay_from)
      if (c.contains(*ip)) return true;
  return false;
}

smtp::Reply MailServerApp::check_recipient(const smtp::SessionContext& ctx, const std::string& address, bool) {
  if (is_local(address)) {
    if (user_for(address)) return smtp::Reply::make(250, "2.1.5", "Recipient OK");
    return smtp::Reply::make(550, "5.1.1",
                             "<" + address + ">: Recipient address rejected: User unknown in local recipient table");
  }
  if (may_relay(ctx)) return smtp::Reply::make(250, "2.1.5", "Recipient OK (will relay)");
  const std::string domain = domain_of(address);
  for (const auto& d : spec_.relay_domains)
    if (d == domain) return smtp::Reply::make(250, "2.1.5", "Recipient OK (backup MX for " + d + ")");
  return smtp::Reply::make(554, "5.7.1", "<" + address + ">: Relay access denied");
}

smtp::Reply MailServerApp::greylist(const smtp::SessionContext& ctx, const std::string& sender,
                                    const std::string& recipient, const std::string& client_host) {
  const Time now = sim_->now();
  const Time delay = spec_.greylisting->delay;
  auto [it, fresh] = greylist_.try_emplace({ctx.client_ip, lower(sender), lower(recipient)}, now);
  const Time waited = now - it->second;
  if (!fresh && waited >= delay) return smtp::Reply::make(250, "2.1.5", "Recipient OK");
  const Time left = delay - waited;
  record_mail(*sim_, host(), "greylisted",
              fmt::format("{} greylists {} -> {} from {}: {}; a try after {} will be accepted", host(),
                          sender.empty() ? "<>" : sender, recipient, ctx.client_ip,
                          fresh ? "the first try of this sender, recipient and address" : "tried again too soon",
                          format_time(left)),
              {{"sender", sender}, {"recipient", recipient}, {"client_ip", ctx.client_ip}, {"first", fresh},
               {"retry_after", now + left}, {"status", "4.7.1"}, {"code", 451}},
              client_host);
  return smtp::Reply::make(451, "4.7.1",
                           fmt::format("<{}>: Recipient address rejected: Greylisted, please try again in {} seconds",
                                       recipient, (left + kSecond - 1) / kSecond));
}

std::optional<smtp::Reply> MailServerApp::deliver_local(const std::string& recipient, const std::string& data,
                                                        const std::string& sender, const MessageLabel& label,
                                                        const std::string& queue_id) {
  const auto user = user_for(recipient);
  if (!user) return smtp::Reply::make(550, "5.1.1", "<" + recipient + ">: User unknown");
  const std::string raw = message::add_return_path(data, sender);
  const auto res = store_->deliver(*user, "INBOX", raw, sim_->now());
  nlohmann::json d{{"recipient", recipient}, {"user", *user}, {"folder", "INBOX"}, {"subject", label.subject},
                   {"message_id", label.message_id}, {"size", raw.size()}, {"queue_id", queue_id}};
  switch (res.status) {
    case DeliveryResult::Status::Stored:
      d["uid"] = res.uid;
      record_mail(*sim_, host(), "delivered",
                  fmt::format("{} delivered \"{}\" to {}'s INBOX (uid {})", host(), label.subject, recipient, res.uid), d);
      return std::nullopt;
    case DeliveryResult::Status::OverQuota:
      if (spec_.quota_temporary)
        return smtp::Reply::make(452, "4.2.2",
                                 fmt::format("<{}>: Mailbox full, try again later ({} of {} bytes used, message is {} "
                                             "bytes)",
                                             recipient, res.used, res.quota, res.size));
      return smtp::Reply::make(552, "5.2.2",
                               fmt::format("<{}>: Mailbox full: message size exceeds remaining quota ({} of {} bytes "
                                           "used, message is {} bytes)",
                                           recipient, res.used, res.quota, res.size));
    case DeliveryResult::Status::TooLarge:
      return smtp::Reply::make(552, "5.3.4", "Message size exceeds fixed maximum message size");
    case DeliveryResult::Status::NoSuchUser:
    case DeliveryResult::Status::NoSuchFolder: break;
  }
  return smtp::Reply::make(550, "5.1.1", "<" + recipient + ">: User unknown");
}

smtp::Reply MailServerApp::accept_message(const smtp::SessionContext& ctx, const smtp::Envelope& env,
                                          const std::string& data, const std::string& client_host, bool submission) {
  const MessageLabel incoming = label_of(data);
  if (const int hops = hop_count(data); hops > spec_.hop_limit) {
    // A mail loop (RFC 5321 6.3): refused here, so the sending server returns it to its sender.
    const std::string sender = env.null_sender ? std::string() : env.reverse_path;
    record_mail(*sim_, host(), "loop",
                fmt::format("{} refuses \"{}\": it has already passed {} mail servers (limit {}), so it is going round in a loop", host(),
                            incoming.subject, hops, spec_.hop_limit),
                {{"hops", hops}, {"limit", spec_.hop_limit}, {"sender", sender}, {"recipients", json_list(env.recipients)},
                 {"status", "5.4.6"}, {"code", 554}, {"subject", incoming.subject},
                 {"message_id", incoming.message_id}},
                client_host);
    return smtp::Reply::make(554, "5.4.6", fmt::format("Too many hops ({} Received: header fields, limit {})", hops,
                                                       spec_.hop_limit));
  }
  const std::string qid = next_queue_id();
  {
    // The same bytes for the same recipient again: the sender retried a message it had
    // already handed over, because our 250 never reached it (RFC 5321 6.1).
    const std::uint64_t fp = fingerprint(data);
    for (const auto& r : env.recipients) {
      auto [it, fresh] = accepted_.try_emplace({fp, lower(r)}, qid);
      if (fresh) continue;
      record_mail(*sim_, host(), "duplicate",
                  fmt::format("{} receives \"{}\" for {} a second time (queue ids {} and {}): the sender never "
                              "heard the first 250 and sent it again",
                              host(), incoming.subject, r, it->second, qid),
                  {{"recipient", r}, {"first_queue_id", it->second}, {"queue_id", qid},
                   {"subject", incoming.subject}, {"message_id", incoming.message_id}},
                  client_host);
    }
  }
  message::ReceivedHop hop;
  hop.from_helo = ctx.helo_name;
  hop.from_ip = ctx.client_ip;
  hop.by = spec_.hostname;
  hop.with = message::with_protocol(ctx.esmtp, ctx.tls, !ctx.authenticated_user.empty());
  hop.id = qid;
  if (env.recipients.size() == 1) hop.for_addr = env.recipients.front();
  hop.date = message_date(sim_->now());
  const std::string stamped = message::add_received(data, hop);
  const MessageLabel label = label_of(stamped);
  const std::string sender = env.null_sender ? std::string() : env.reverse_path;

  std::vector<std::string> remote;
  std::vector<std::pair<std::string, smtp::Reply>> failed;
  std::vector<std::string> later;  // local recipients refused for now (a full mailbox that says 452)
  std::size_t stored = 0;
  for (const auto& r : env.recipients) {
    if (is_local(r)) {
      if (auto err = deliver_local(r, stamped, sender, label, qid)) {
        if (err->code >= 400 && err->code < 500) later.push_back(r);
        failed.emplace_back(r, *err);
      } else {
        ++stored;
      }
    } else {
      remote.push_back(r);
    }
  }
  // Nothing was accepted and every refusal is of one kind: the client learns why at once
  // (a 5xx needs no bounce; a 4xx leaves the message with the sender's queue, which tries
  // again). A server's own users on a submission port get their message queued instead.
  const bool all_later = later.size() == failed.size();
  if (!failed.empty() && stored == 0 && remote.empty() && (later.empty() || (all_later && !submission))) {
    for (const auto& [r, reply] : failed)
      record_mail(*sim_, host(), "refused", fmt::format("{} refused \"{}\" for {}: {}", host(), label.subject, r,
                                                        reply_text(reply)),
                  {{"recipient", r}, {"sender", sender}, {"status", reply.enhanced}, {"code", reply.code},
                   {"reason", reply.text()}, {"subject", label.subject}, {"message_id", label.message_id}},
                  client_host);
    // Nothing was taken: a later try of the same bytes is no duplicate.
    std::erase_if(accepted_, [&](const auto& kv) { return kv.second == qid; });
    return failed.front().second;
  }
  std::vector<Failure> f;
  for (const auto& [r, reply] : failed)
    if (reply.code >= 500)
      f.push_back({r, reply_text(reply), reply.code, reply.enhanced, "smtp; " + reply_text(reply), spec_.hostname});
  if (!remote.empty() || !later.empty()) {
    // Failed local recipients are reported with the rest of the message, when its first pass ends.
    std::vector<std::string> queued = remote;
    queued.insert(queued.end(), later.begin(), later.end());
    const std::uint64_t id = enqueue(sender, queued, stamped, label, qid, std::move(f), !later.empty());
    for (const auto& [r, reply] : failed)
      if (reply.code < 500) queue_[id].last_error[r] = reply_text(reply);
  } else if (!f.empty()) {
    QueuedMessage m;
    m.queue_id = qid;
    m.sender = sender;
    m.data = stamped;
    m.label = label;
    bounce(m, f);
  }
  if (const auto& rl = spec_.rate_limit; rl && (stored > 0 || !remote.empty() || !later.empty())) {
    (void)rl;
    rate_[ctx.authenticated_user.empty() ? ctx.client_ip : ctx.authenticated_user].push_back(sim_->now());
  }
  return smtp::Reply::make(250, "2.0.0", "Ok: queued as " + qid);
}

// ---- the queue -----------------------------------------------------------------------------

std::string MailServerApp::next_queue_id() {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id;
  std::uint64_t v = sim_->random().next();
  for (int i = 0; i < 10; ++i) {
    id += kHex[v & 15];
    v >>= 4;
  }
  return id;
}

std::uint64_t MailServerApp::enqueue(std::string sender, std::vector<std::string> recipients, std::string data,
                                     const MessageLabel& label, std::string queue_id, std::vector<Failure> failed,
                                     bool local_tried) {
  QueuedMessage m;
  m.id = ++next_id_;
  m.queue_id = queue_id.empty() ? next_queue_id() : std::move(queue_id);
  m.sender = std::move(sender);
  m.recipients = std::move(recipients);
  m.data = std::move(data);
  m.queued_at = sim_->now();
  m.label = label;
  m.failed = std::move(failed);
  m.local_tried = local_tried;
  record_mail(*sim_, host(), "queued",
              fmt::format("{} queued \"{}\" for {} (queue id {})", host(), label.subject,
                          fmt::join(m.recipients, ", "), m.queue_id),
              {{"queue_id", m.queue_id}, {"sender", m.sender}, {"recipients", json_list(m.recipients)},
               {"subject", label.subject}, {"message_id", label.message_id}, {"size", m.data.size()}});
  const std::uint64_t id = m.id;
  queue_[id] = std::move(m);
  schedule_attempt(id, 0);
  return id;
}

void MailServerApp::schedule_attempt(std::uint64_t id, Time delay) {
  sim_->core().schedule_in(delay, [this, id] { attempt(id); });
}

void MailServerApp::attempt(std::uint64_t id) {
  auto it = queue_.find(id);
  if (it == queue_.end()) return;
  QueuedMessage& m = it->second;
  ++m.attempts;
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::string> local;
  for (const auto& r : m.recipients) {
    if (is_local(r)) local.push_back(r);
    else groups[spec_.smarthost ? std::string("(smarthost)") : domain_of(r)].push_back(r);
  }
  // The local recipients were tried when the message arrived: the first pass leaves them be.
  const bool skip_local = std::exchange(m.local_tried, false) && !local.empty();
  groups_in_flight_[id] = static_cast<int>(groups.size()) + (local.empty() ? 0 : 1);
  for (auto& [domain, rcpts] : groups) submit_group(GroupJob{id, domain, std::move(rcpts), false});
  if (local.empty()) return;
  if (skip_local) settle(id);
  else attempt_local(id, local);
}

void MailServerApp::attempt_local(std::uint64_t id, const std::vector<std::string>& recipients) {
  auto it = queue_.find(id);
  if (it == queue_.end()) return;
  QueuedMessage& m = it->second;
  for (const auto& r : recipients) {
    auto err = deliver_local(r, m.data, m.sender, m.label, m.queue_id);
    if (err && err->code < 500) {
      m.last_error[r] = reply_text(*err);
      continue;
    }
    if (err) m.failed.push_back({r, reply_text(*err), err->code, err->enhanced, "smtp; " + reply_text(*err), spec_.hostname});
    m.recipients.erase(std::remove(m.recipients.begin(), m.recipients.end(), r), m.recipients.end());
  }
  settle(id);
}

void MailServerApp::submit_group(GroupJob job) {
  Destination& d = destinations_[job.domain];
  if (d.active >= spec_.destination_concurrency_limit) {
    const QueuedMessage& m = queue_[job.id];
    const std::string where = spec_.smarthost ? spec_.smarthost->host : job.domain;
    record_mail(*sim_, host(), "waiting",
                fmt::format("{} keeps \"{}\" for {} waiting: {} connection(s) to {} are open already (limit {})", host(),
                            m.label.subject, fmt::join(job.recipients, ", "), d.active, where,
                            spec_.destination_concurrency_limit),
                {{"queue_id", m.queue_id}, {"destination", where}, {"recipients", json_list(job.recipients)},
                 {"active", d.active}, {"limit", spec_.destination_concurrency_limit},
                 {"subject", m.label.subject}, {"message_id", m.label.message_id}});
  }
  const std::string key = job.domain;
  d.waiting.push_back(std::move(job));
  pump(key);
}

void MailServerApp::pump(const std::string& destination) {
  Destination& d = destinations_[destination];
  if (d.pumping) return;  // a release inside attempt_group: the loop below goes on
  d.pumping = true;
  while (!d.waiting.empty() && d.active < spec_.destination_concurrency_limit) {
    GroupJob job = std::move(d.waiting.front());
    d.waiting.pop_front();
    ++d.active;
    attempt_group(std::move(job));
  }
  d.pumping = false;
}

void MailServerApp::release(Attempt& a) {
  if (!std::exchange(a.holds_slot, false)) return;
  Destination& d = destinations_[a.domain];
  --d.active;
  pump(a.domain);
}

void MailServerApp::attempt_group(GroupJob job) {
  const std::uint64_t id = job.id;
  const std::string domain = job.domain;
  auto a = std::make_shared<Attempt>();
  a->id = id;
  a->domain = domain;
  a->recipients = std::move(job.recipients);
  a->holds_slot = true;
  a->retried = job.retried;
  if (spec_.smarthost) {
    const HostInfo* relay = sim_->network().host(spec_.smarthost->host);
    a->smarthost = true;
    a->host_name = spec_.smarthost->host;
    a->port = spec_.smarthost->port;
    if (relay) a->addresses.push_back(relay->ip);
    if (spec_.smarthost->host == host()) {
      group_failed(a, false, "5.4.6", fmt::format("mail for {} loops back to myself (the smarthost is {} itself)",
                                                  domain_of(a->recipients.front()), host()));
      return;
    }
    record_mail(*sim_, host(), "routing",
                fmt::format("{} hands the message to its relay service {} (port {})", host(), a->host_name, a->port),
                {{"queue_id", queue_[id].queue_id}, {"smarthost", a->host_name}}, a->host_name);
    try_address(a);
    return;
  }
  if (!stub_) {
    group_failed(a, true, "4.4.3", host() + " has no DNS resolver to find the mail server of " + domain);
    return;
  }
  std::string error;
  auto name = dns::Name::parse(domain, error);
  if (!name) {
    group_failed(a, false, "5.1.2", "bad domain " + domain);
    return;
  }
  stub_->lookup(*name, dns::Type::MX, [this, a, n = *name](const dns::Resolution& res) {
    const auto route = dns::mail_route(n, res, [this](std::size_t bound) {
      return static_cast<std::size_t>(sim_->random().below(bound));
    });
    if (route.outcome == dns::MailRoute::Outcome::PermanentFailure) {
      group_failed(a, false, "5.1.2",
                   fmt::format("Host or domain name not found. Name service error for name={} type=MX: {}",
                               a->domain, route.reason));
      return;
    }
    if (route.outcome == dns::MailRoute::Outcome::TemporaryFailure) {
      group_failed(a, true, "4.4.3", "DNS lookup of " + a->domain + " failed: " + route.reason);
      return;
    }
    std::vector<std::string> hosts;
    for (const auto& h : route.hosts) hosts.push_back(fmt::format("{} {}", h.preference, h.name.to_string_no_dot()));
    record_mail(*sim_, host(), "routing",
                fmt::format("{} will try the mail server(s) of {}: {}", host(), a->domain, fmt::join(hosts, ", ")),
                {{"queue_id", queue_[a->id].queue_id}, {"domain", a->domain}, {"mx", json_list(hosts)},
                 {"reason", route.reason}});
    a->walk.emplace(route);
    try_next_host(a);
  });
}

void MailServerApp::try_next_host(std::shared_ptr<Attempt> a) {
  auto next = a->walk->next_host();
  if (!next) {
    const auto final = a->walk->final();
    const bool permanent = final.outcome == dns::MailRoute::Outcome::PermanentFailure;
    group_failed(a, !permanent, permanent ? "5.1.2" : a->last_status.empty() ? "4.4.1" : a->last_status,
                 a->last_problem.empty() ? final.reason : a->last_problem);
    return;
  }
  a->host_name = next->name.to_string_no_dot();
  if (lower(a->host_name) == lower(spec_.hostname)) {
    reached_myself(a);
    return;
  }
  stub_->lookup(next->name, dns::Type::A, [this, a](const dns::Resolution& res) {
    const HostInfo* me = sim_->network().host(host());
    for (const auto& ip : a->walk->on_address_lookup(res)) {
      if (me && from_dns(ip) == me->ip) {
        reached_myself(a);
        return;
      }
      a->addresses.push_back(from_dns(ip));
    }
    ++a->hosts_tried;
    if (a->addresses.empty()) {
      a->last_problem = "no address for " + a->host_name;
      try_next_host(a);
      return;
    }
    try_address(a);
  });
}

void MailServerApp::reached_myself(std::shared_ptr<Attempt> a) {
  if (a->hosts_tried == 0) {
    // RFC 5321 5.1: the best MX is this very server, yet the domain is not one of ours.
    group_failed(a, false, "5.4.6", fmt::format("mail for {} loops back to myself ({} is its MX {})", a->domain,
                                                spec_.hostname, a->host_name));
    return;
  }
  // RFC 5321 5.1: a server in the MX list tries only hosts more preferred than itself.
  a->last_problem = a->last_problem.empty() ? "no more preferred mail server answered" : a->last_problem;
  group_failed(a, true, "4.4.1", a->last_problem);
}

void MailServerApp::try_address(std::shared_ptr<Attempt> a) {
  if (a->addresses.empty()) {
    if (a->walk) {
      a->walk->on_host_unreachable(a->last_problem);
      try_next_host(a);
    } else {
      group_failed(a, true, "4.4.1", a->last_problem.empty() ? "no address for " + a->host_name : a->last_problem);
    }
    return;
  }
  const Ipv4 ip = a->addresses.front();
  a->addresses.pop_front();
  QueuedMessage& m = queue_[a->id];
  smtp::ClientJob job;
  job.helo_name = spec_.hostname;
  job.sender = m.sender;
  job.recipients = a->recipients;
  job.data = m.data;
  job.tls = smtp::TlsPolicy::Opportunistic;
  if (a->smarthost) {
    const auto& sh = *spec_.smarthost;
    if (!sh.user.empty()) job.credentials = smtp::Credentials{sh.user, sh.password, smtp::AuthMechanism::Plain};
    job.tls = sh.tls == "implicit" ? smtp::TlsPolicy::Implicit : sh.tls == "none" ? smtp::TlsPolicy::None
                                                                                 : smtp::TlsPolicy::Required;
  }
  job.reuse = true;
  const bool implicit = job.tls == smtp::TlsPolicy::Implicit;
  auto sock = sim_->transport().connect(host(), Endpoint{ip, a->port});
  auto link = std::make_shared<SessionLink<smtp::ClientSession>>(*sim_, sock, std::make_unique<smtp::ClientSession>(job),
                                                                 "smtp", spec_.show_credentials);
  auto o = std::make_shared<Outbound>();
  o->current = a;
  o->remote = a->host_name;
  const HostInfo* peer_info = sim_->network().host_by_ip(ip);
  o->peer = peer_info ? peer_info->id : o->remote;  // records name hosts by id
  o->opened = sim_->now();
  auto connected = std::make_shared<bool>(false);
  auto ended = std::make_shared<std::function<void(smtp::ClientSession&)>>();
  sock->on_error = [this, o, link, ip, connected, ended](SocketError e, const std::string& why) {
    if (*connected) {
      // The stream broke in the middle of the session (aborted, reset, this host went down).
      if (!link->engine().closed()) link->engine().connection_lost(std::string(to_string(e)) + " (" + why + ")");
      if (*ended) (*ended)(link->engine());
      link->release_later();
      return;
    }
    auto cur = o->current;
    link->engine().connection_failed(std::string(to_string(e)), true);
    cur->last_problem = fmt::format("connect to {}[{}]:{}: {}", o->remote, ip.str(), cur->port, to_string(e));
    record_mail(*sim_, host(), "connect-failed", fmt::format("{}: {}", host(), cur->last_problem),
                {{"queue_id", queue_[cur->id].queue_id}, {"error", std::string(to_string(e))}, {"remote", o->remote}},
                o->peer);
    link->release_later();
    try_address(cur);
  };
  // A weak hold: a socket whose callback owned the socket itself would never be freed.
  sock->on_connected = [ws = std::weak_ptr<TcpSocket>(sock), implicit, connected] {
    *connected = true;
    if (auto s = ws.lock(); s && implicit) s->start_tls();
  };
  const SessionTimeouts timeouts = spec_.timeouts;
  link->deadline = [timeouts](smtp::ClientSession& s, const TcpSocket& so, Time since) {
    return smtp_client_deadline(timeouts, s, so, since);
  };
  link->on_timeout = [](smtp::ClientSession& s) { s.timed_out(); };
  link->abort_on_timeout = true;
  // A transaction ended with the session still open: the next message waiting for this
  // destination goes over it, or QUIT.
  link->after_input = [this, o](smtp::ClientSession& s) {
    while (s.ready()) transaction_done(o, s);
  };
  auto once = std::make_shared<bool>(false);
  *ended = [this, o, once](smtp::ClientSession& s) {
    if (std::exchange(*once, true)) return;  // once per session (a close after an error says nothing new)
    if (!s.closed()) s.connection_lost();
    auto cur = o->current;
    if (!cur->done) {
      const auto& result = s.result();
      // A failure of the whole session before any recipient was decided (421 greeting,
      // lost connection): try the next address or MX host, as RFC 5321 5.1 asks.
      const bool session_failed = session_refused(result);
      if (session_failed && cur->reused && !cur->retried && !o->answered) {
        // The reused session broke before this message was decided: it gets a session of its
        // own, first in line for its destination (as Postfix retries a bad cached connection).
        cur->done = true;
        destinations_[cur->domain].waiting.push_front(GroupJob{cur->id, cur->domain, cur->recipients, true});
        release(*cur);
        pump(cur->domain);
        return;
      }
      if (session_failed && (!cur->addresses.empty() || cur->walk)) {
        cur->last_problem = o->remote + ": " +
                          (result.code ? fmt::format("{} {} ", result.code, result.enhanced) : "") + result.reason;
        if (!result.enhanced.empty()) cur->last_status = result.enhanced;
        try_address(cur);
        return;
      }
      finish_group(cur, result, o->remote, o->peer);
    }
    release(*cur);
  };
  link->on_closed = [ended](smtp::ClientSession& s) {
    if (*ended) (*ended)(s);
  };
  link->attach();
}

void MailServerApp::transaction_done(const std::shared_ptr<Outbound>& o, smtp::ClientSession& s) {
  auto a = o->current;
  o->answered = true;  // the server answered this transaction; the session is still sound
  Destination& d = destinations_[a->domain];
  const bool reusable = (spec_.connection_reuse_count == 0 || s.transactions() <= spec_.connection_reuse_count) &&
                        sim_->now() - o->opened < spec_.connection_reuse_time;
  // A 4xx to MAIL on a session of its own: the session's end tries the next address or MX host
  // (RFC 5321 5.1), as without reuse.
  const bool next_host = !a->reused && session_refused(s.result()) && (!a->addresses.empty() || a->walk);
  if (!reusable || d.waiting.empty() || next_host) {
    // QUIT; the message is settled when the session ends, as a session without reuse does.
    s.finish_session();
    return;
  }
  finish_group(a, s.result(), o->remote, o->peer);
  while (!d.waiting.empty()) {
    GroupJob job = std::move(d.waiting.front());
    d.waiting.pop_front();
    auto it = queue_.find(job.id);
    if (it == queue_.end()) continue;  // not expected: a waiting group keeps its message queued
    const QueuedMessage& m = it->second;
    auto b = std::make_shared<Attempt>();
    b->id = job.id;
    b->domain = job.domain;
    b->recipients = std::move(job.recipients);
    b->host_name = a->host_name;
    b->port = a->port;
    b->smarthost = a->smarthost;
    b->reused = true;
    b->retried = job.retried;
    b->holds_slot = std::exchange(a->holds_slot, false);
    o->current = b;
    o->answered = false;
    record_mail(*sim_, host(), "reusing",
                fmt::format("{} sends \"{}\" for {} over the connection to {} it already has open (message {} on this "
                            "connection)",
                            host(), m.label.subject, fmt::join(b->recipients, ", "), o->peer, s.transactions() + 1),
                {{"queue_id", m.queue_id}, {"recipients", json_list(b->recipients)}, {"remote", o->remote},
                 {"remote_host", o->peer}, {"transaction", s.transactions() + 1}, {"subject", m.label.subject},
                 {"message_id", m.label.message_id}},
                o->peer);
    s.next_transaction(m.sender, b->recipients, m.data);
    return;  // the session may be ready again at once (a job refused without a word): the caller loops
  }
  // Only groups whose message had left the queue were waiting: nothing to carry.
  s.finish_session();
}

void MailServerApp::finish_group(std::shared_ptr<Attempt> a, const smtp::DeliveryResult& result,
                                 const std::string& remote, const std::string& peer) {
  if (a->done) return;
  a->done = true;
  auto it = queue_.find(a->id);
  if (it == queue_.end()) return;
  QueuedMessage& m = it->second;
  for (const auto& r : result.recipients) {
    const std::string text = r.code ? fmt::format("{} {} {}", r.code, r.enhanced, r.text) : r.text;
    if (r.status == smtp::RecipientStatus::Delivered) {
      record_mail(*sim_, host(), "relayed",
                  fmt::format("{} handed \"{}\" for {} to {}", host(), m.label.subject, r.address, remote),
                  {{"queue_id", m.queue_id}, {"recipient", r.address}, {"remote", remote}, {"remote_host", peer},
                   {"subject", m.label.subject}, {"message_id", m.label.message_id}, {"reply", text}},
                  peer);
      m.recipients.erase(std::remove(m.recipients.begin(), m.recipients.end(), r.address), m.recipients.end());
    } else if (r.status == smtp::RecipientStatus::PermanentFailure) {
      m.failed.push_back({r.address, text, r.code, r.enhanced.empty() ? "5.0.0" : r.enhanced, "smtp; " + text, remote});
      m.recipients.erase(std::remove(m.recipients.begin(), m.recipients.end(), r.address), m.recipients.end());
    } else {
      m.last_error[r.address] = text.empty() ? result.reason : text;
    }
  }
  settle(a->id);
}

void MailServerApp::group_failed(std::shared_ptr<Attempt> a, bool temporary, const std::string& status,
                                 const std::string& reason) {
  // Called when no session of the attempt is open: its destination slot is free again.
  if (a->done) return release(*a);
  a->done = true;
  auto it = queue_.find(a->id);
  if (it == queue_.end()) return release(*a);
  QueuedMessage& m = it->second;
  if (temporary) {
    for (const auto& r : a->recipients) m.last_error[r] = status + " " + reason;
  } else {
    for (const auto& r : a->recipients) {
      m.failed.push_back({r, reason, 0, status, "x-mailsim; " + reason, {}});
      m.recipients.erase(std::remove(m.recipients.begin(), m.recipients.end(), r), m.recipients.end());
    }
  }
  settle(a->id);
  release(*a);
}

void MailServerApp::settle(std::uint64_t id) {
  if (--groups_in_flight_[id] > 0) return;
  auto it = queue_.find(id);
  if (it == queue_.end()) return;
  QueuedMessage& m = it->second;
  // The pass is over: one report (RFC 3464) for every recipient that failed for good in it,
  // those the lifetime ends included, as Postfix sends one bounce per queue-manager pass.
  if (m.recipients.empty()) {
    if (!m.failed.empty()) bounce(m, std::exchange(m.failed, {}));
    queue_.erase(it);
    return;
  }
  const std::size_t index = std::min<std::size_t>(static_cast<std::size_t>(m.attempts - 1),
                                                  spec_.retry_schedule.empty() ? 0 : spec_.retry_schedule.size() - 1);
  const Time delay = spec_.retry_schedule.empty() ? 5 * kMinute : spec_.retry_schedule[index];
  // The lifetime ends a message at its first failed try after it, never earlier.
  if (sim_->now() >= m.queued_at + spec_.give_up_after) {
    for (const auto& r : m.recipients) {
      const std::string& last = m.last_error[r];
      m.failed.push_back({r, "delivery time expired; last error: " + last, 0, "4.4.7",
                          "x-mailsim; delivery time expired after " + format_time(spec_.give_up_after) +
                              "; last error: " + last,
                          {}});
    }
    m.recipients.clear();
    bounce(m, std::exchange(m.failed, {}));
    queue_.erase(it);
    return;
  }
  if (!m.failed.empty()) bounce(m, std::exchange(m.failed, {}));
  for (const auto& r : m.recipients) {
    const std::string& why = m.last_error[r];
    std::string st = why.size() >= 5 && why[1] == '.' ? why.substr(0, why.find(' ')) : "";
    if (st.empty() && why.size() > 8 && why[3] == ' ' && why[5] == '.') st = why.substr(4, why.find(' ', 4) - 4);
    record_mail(*sim_, host(), "deferred",
                fmt::format("{} could not deliver \"{}\" to {} yet ({}); next try in {}", host(), m.label.subject, r,
                            why, format_time(delay)),
                {{"queue_id", m.queue_id}, {"recipient", r}, {"reason", why}, {"status", st},
                 {"attempts", m.attempts}, {"retry_at", sim_->now() + delay}, {"subject", m.label.subject},
                 {"message_id", m.label.message_id}});
  }
  // Postfix's delay_warning_time: once the message has waited this long, its sender hears that
  // it is late (a bounce, which has no sender, never gets one).
  if (spec_.delay_warning && !m.warned && !m.sender.empty() && sim_->now() - m.queued_at >= *spec_.delay_warning) {
    m.warned = true;
    warn_delayed(m, delay);
  }
  schedule_attempt(id, delay);
}

void MailServerApp::bounce(const QueuedMessage& m, const std::vector<Failure>& failures) {
  for (const auto& [r, why, code, status, diagnostic, remote] : failures) {
    nlohmann::json detail{{"queue_id", m.queue_id}, {"recipient", r}, {"sender", m.sender},
                          {"status", status}, {"reason", why},
                          {"subject", m.label.subject}, {"message_id", m.label.message_id},
                          {"bounce_to", m.sender}, {"dropped", m.sender.empty()}};
    if (code != 0) detail["code"] = code;  // the refusing server's reply code, when one answered
    if (failures.size() > 1) detail["report_size"] = failures.size();  // recipients in the one report
    record_mail(*sim_, host(), "bounced",
                m.sender.empty()
                    ? fmt::format("{} cannot deliver the bounce for {} ({}); a bounce is never bounced, so it is dropped",
                                  host(), r, why)
                    : fmt::format("{} gives up on \"{}\" for {}: {}; MAILER-DAEMON returns it to {}", host(),
                                  m.label.subject, r, why, m.sender),
                detail);
  }
  if (m.sender.empty()) return;  // never bounce a bounce (RFC 5321 6.1)
  message::Dsn dsn;
  for (const auto& [r, why, code, status, diagnostic, remote] : failures) {
    message::DsnRecipient dr;
    dr.final_recipient = r;
    dr.action = "failed";
    dr.status = status.empty() ? "5.0.0" : status;
    if (!remote.empty()) dr.remote_mta = remote;
    dr.diagnostic_code = diagnostic.empty() ? "x-mailsim; " + why : diagnostic;
    dr.last_attempt_date = message_date(sim_->now());
    dsn.recipients.push_back(dr);
  }
  send_report(m, std::move(dsn));
}

void MailServerApp::warn_delayed(const QueuedMessage& m, Time next_try) {
  const Time waited = sim_->now() - m.queued_at;
  record_mail(*sim_, host(), "delayed",
              fmt::format("{} tells {} that \"{}\" for {} has waited {} and is not delivered yet; it keeps trying "
                          "(a \"delayed\" report, no need to send it again)",
                          host(), m.sender, m.label.subject, fmt::join(m.recipients, ", "), format_time(waited)),
              {{"queue_id", m.queue_id}, {"sender", m.sender}, {"recipients", json_list(m.recipients)},
               {"waited", waited}, {"next_try", sim_->now() + next_try},
               {"retry_until", m.queued_at + spec_.give_up_after}, {"subject", m.label.subject},
               {"message_id", m.label.message_id}});
  message::Dsn dsn;
  for (const auto& r : m.recipients) {
    const auto e = m.last_error.find(r);
    const std::string why = e == m.last_error.end() ? std::string() : e->second;
    // The last error's enhanced code ("4.2.2 ..." or "452 4.2.2 ..."), else 4.0.0.
    std::string st = why.size() >= 5 && why[1] == '.' ? why.substr(0, why.find(' ')) : "";
    if (st.empty() && why.size() > 8 && why[3] == ' ' && why[5] == '.') st = why.substr(4, why.find(' ', 4) - 4);
    if (st.empty() || st[0] != '4') st = "4.0.0";
    message::DsnRecipient dr;
    dr.final_recipient = r;
    dr.action = "delayed";
    dr.status = st;
    dr.diagnostic_code = why.empty() ? "x-mailsim; not delivered yet" : (why.size() > 3 && why[3] == ' ' ? "smtp; " : "x-mailsim; ") + why;
    dr.last_attempt_date = message_date(sim_->now());
    dr.will_retry_until = message_date(m.queued_at + spec_.give_up_after);
    dsn.recipients.push_back(dr);
  }
  send_report(m, std::move(dsn));
}

void MailServerApp::send_report(const QueuedMessage& m, message::Dsn dsn) {
  dsn.reporting_mta = spec_.hostname;
  dsn.arrival_date = message_date(m.queued_at);
  dsn.original_headers = m.data;
  message::DsnMessageInfo info;
  info.to = m.sender;
  info.date = message_date(sim_->now());
  info.unique_id = next_queue_id() + "." + host();
  const std::string report = message::build_dsn(dsn, info);
  const MessageLabel label = label_of(report);
  if (is_local(m.sender)) {
    message::ReceivedHop hop;
    hop.from_helo = "localhost";
    hop.by = spec_.hostname;
    hop.with = "local";
    hop.id = next_queue_id();
    hop.date = message_date(sim_->now());
    if (auto err = deliver_local(m.sender, message::add_received(report, hop), "", label, hop.id))
      record_mail(*sim_, host(), "bounced",
                  fmt::format("{} cannot deliver the bounce to {} ({}); it is dropped", host(), m.sender, reply_text(*err)),
                  {{"recipient", m.sender}, {"sender", ""}, {"status", err->enhanced}, {"code", err->code},
                   {"reason", err->text()}, {"dropped", true}});
  } else {
    enqueue("", {m.sender}, report, label);
  }
}

}  // namespace mailsim::sim::mail
