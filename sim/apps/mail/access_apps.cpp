// POP3 and IMAP service on mail servers, mail readers on devices, and their expectations.
#include "sim/apps/mail/access_apps.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <type_traits>

#include <fmt/format.h>

#include "protocols/imap/client.hpp"
#include "protocols/pop3/client.hpp"
#include "protocols/pop3/server.hpp"
#include "sim/apps/mail/device_mailbox.hpp"
#include "sim/apps/mail/imap_backend.hpp"
#include "sim/apps/mail/mua_send.hpp"
#include "sim/apps/mail/pop3_backend.hpp"
#include "sim/apps/mail/session_link.hpp"
#include "sim/apps/mail/timeouts.hpp"

namespace mailsim::sim::mail {
namespace {

// ---- engines with the interface SessionLink needs ----------------------------------------

// A POP3 server connection: the session over its own store backend.
class Pop3ServerEngine {
 public:
  Pop3ServerEngine(MailStore& store, pop3::ServerConfig config) : backend_(store), session_(std::move(config), backend_) {}
  void receive(std::string_view bytes) { session_.receive(bytes); }
  std::string take_output() { return session_.take_output(); }
  std::vector<proto::ProtocolEvent> take_events() { return session_.take_events(); }
  bool tls_requested() const { return session_.tls_requested(); }
  void tls_established() { session_.tls_established(); }
  bool closed() const { return session_.closed(); }
  void connection_lost() { session_.connection_lost(); }
  void timed_out() { session_.timed_out(); }

 private:
  Pop3Backend backend_;
  pop3::ServerSession session_;
};

// An IMAP client connection that tells its owner after every input.
class ImapClientEngine {
 public:
  explicit ImapClientEngine(imap::ClientConfig config) : client(std::move(config)) {}
  void receive(std::string_view bytes) {
    client.receive(bytes);
    if (after_input) after_input();
  }
  std::string take_output() { return client.take_output(); }
  std::vector<proto::ProtocolEvent> take_events() { return client.take_events(); }
  bool tls_requested() const { return client.tls_requested(); }
  void tls_established() {
    client.tls_established();
    if (after_input) after_input();
  }
  bool closed() const { return client.closed(); }

  imap::ClientSession client;
  std::function<void()> after_input;
};

void drop_callbacks(TcpSocket& s) {
  s.on_connected = nullptr;
  s.on_data = nullptr;
  s.on_peer_closed = nullptr;
  s.on_closed = nullptr;
  s.on_error = nullptr;
  s.on_tls_ready = nullptr;
}

// Clears a socket's callbacks in a later event (never from inside one of them).
void defer_drop(Simulation& sim, const SocketPtr& s) {
  if (!s) return;
  sim.core().schedule_in(0, [s] { drop_callbacks(*s); });
}

bool is_access_role(const std::string& role) {
  return role == "pop3" || role == "pop3s" || role == "imap" || role == "imaps";
}

// ---- the server side -------------------------------------------------------------------------

class MailAccessService : public App {
 public:
  MailAccessService(std::string host, MailServerSpec spec, MailStore& store, const MailWorld& world)
      : App(std::move(host)), spec_(std::move(spec)), store_(store), world_(world) {}

  void start(Simulation& sim) override {
    for (const auto& l : spec_.listeners) {
      if (!is_access_role(l.role)) continue;
      const bool implicit = l.role == "pop3s" || l.role == "imaps";
      sim.transport().listen(
          host(), l.port,
          [this, &sim, l](SocketPtr sock) {
            if (l.role == "pop3" || l.role == "pop3s") accept_pop3(sim, l, std::move(sock));
            else accept_imap(sim, l, std::move(sock));
          },
          implicit);
    }
  }

 private:
  void accept_pop3(Simulation& sim, const ListenerSpec& l, SocketPtr sock) {
    pop3::ServerConfig c;
    c.host = spec_.hostname;
    const auto& id = spec_.identity;
    if (id.pop3_greeting) {
      c.greeting = *id.pop3_greeting;
      c.greeting_names_host = false;
    }
    if (id.implementation) c.implementation = *id.implementation;
    c.capabilities = id.pop3_capabilities;
    c.offer_stls = l.role == "pop3" && l.starttls;
    c.implicit_tls = l.role == "pop3s";
    c.allow_plaintext_login = !world_.requires_tls(host(), l.port);
    auto link = std::make_shared<SessionLink<Pop3ServerEngine>>(sim, sock, std::make_unique<Pop3ServerEngine>(store_, c),
                                                                "pop3", spec_.show_credentials);
    link->on_closed = [](Pop3ServerEngine& e) {
      if (!e.closed()) e.connection_lost();  // no QUIT: nothing is deleted (RFC 1939 section 6)
    };
    const Time idle = spec_.timeouts.pop3_idle;
    link->deadline = [idle](Pop3ServerEngine&, const TcpSocket& so, Time since) { return idle_deadline(idle, so, since); };
    link->on_timeout = [](Pop3ServerEngine& e) { e.timed_out(); };
    link->use_faults(l.port, nullptr);
    link->attach();
    std::weak_ptr<SessionLink<Pop3ServerEngine>> weak = link;
    std::weak_ptr<TcpSocket> ws = sock;
    sock->on_error = [weak, ws, &sim](SocketError, const std::string&) {
      if (auto lk = weak.lock()) {
        if (!lk->engine().closed()) lk->engine().connection_lost();
        defer_drop(sim, ws.lock());
      }
    };
  }

  void accept_imap(Simulation& sim, const ListenerSpec& l, SocketPtr sock) {
    imap::ServerConfig c;
    c.host = spec_.hostname;
    const auto& id = spec_.identity;
    if (id.imap_greeting) c.greeting = *id.imap_greeting;
    if (id.implementation) c.implementation = *id.implementation;
    c.capabilities = id.imap_capabilities;
    c.untagged_capabilities_after_login = id.imap_untagged_capabilities;
    c.starttls_available = l.role == "imap" && l.starttls;
    c.implicit_tls = l.role == "imaps";
    c.login_requires_tls = world_.requires_tls(host(), l.port);
    auto engine = std::make_unique<ImapServerEngine>(store_, c);
    ImapServerEngine* raw = engine.get();
    auto link = std::make_shared<SessionLink<ImapServerEngine>>(sim, sock, std::move(engine), "imap",
                                                                spec_.show_credentials);
    std::weak_ptr<SessionLink<ImapServerEngine>> weak = link;
    Simulation* sp = &sim;
    raw->clock = [sp] { return sp->now(); };
    auto pending = std::make_shared<bool>(false);
    // Store changes are reported in a fresh event (never inside the change itself).
    raw->on_change = [sp, weak, pending] {
      if (*pending) return;
      *pending = true;
      sp->core().schedule_in(0, [weak, pending] {
        *pending = false;
        if (auto lk = weak.lock()) {
          if (lk->engine().closed()) return;
          lk->engine().poll();
          lk->flush();
        }
      });
    };
    link->on_closed = [](ImapServerEngine& e) { e.connection_lost(); };
    // The autologout timer; a client in IDLE is left alone (RFC 2177 lets the server choose,
    // and the devices here re-sync whenever they reconnect).
    const Time idle = spec_.timeouts.imap_idle;
    link->deadline = [idle](ImapServerEngine& e, const TcpSocket& so, Time since) -> Time {
      return e.session().idling() ? 0 : idle_deadline(idle, so, since);
    };
    link->on_timeout = [](ImapServerEngine& e) { e.timed_out(); };
    link->use_faults(l.port, nullptr);
    link->attach();
    std::weak_ptr<TcpSocket> ws = sock;
    sock->on_error = [weak, ws, sp](SocketError, const std::string&) {
      if (auto lk = weak.lock()) {
        lk->engine().connection_lost();
        defer_drop(*sp, ws.lock());
      }
    };
  }

  MailServerSpec spec_;
  MailStore& store_;
  const MailWorld& world_;
};

// ---- the device side ---------------------------------------------------------------------

class MailReaderApp : public App {
 public:
  // `actions` point into the scenario's timeline, which outlives the app (a run holds its scenario).
  MailReaderApp(std::string host, const Scenario& scenario, const MailClientSpec& client,
                std::vector<const ActionSpec*> actions, MailWorld& world)
      : App(std::move(host)), actions_(std::move(actions)), world_(&world), reads_as_(client.reads_as) {
    for (const auto& a : client.accounts) {
      if (!a.incoming) continue;
      auto acc = std::make_unique<Account>();
      acc->spec = a;
      acc->in = *a.incoming;
      for (const auto& h : scenario.hosts)
        if (h.info.id == acc->in.server && h.mail_server) acc->show_credentials = h.mail_server->show_credentials;
      accounts_.push_back(std::move(acc));
    }
  }

  void start(Simulation& sim) override {
    sim_ = &sim;
    // Only the next action is in the queue, each where it would have run had all been queued now.
    sim.core().schedule_series(
        actions_.size(), [this](std::size_t i) { return actions_[i]->at; }, [this](std::size_t i) { run(actions_[i]->what); });
  }

 private:
  enum class Req { Open, MarkRead, Delete, Refresh, Reply };
  struct Account {
    AccountSpec spec;
    IncomingSpec in;
    bool show_credentials = false;
    // POP3
    std::shared_ptr<SessionLink<pop3::ClientSession>> pop3;
    SocketPtr connecting;  // a connection not handed to an engine yet
    SocketPtr sock;        // the connection of the running session
    std::set<std::string> known_uids;
    // IMAP
    std::shared_ptr<SessionLink<ImapClientEngine>> imap;
    bool ready = false;
    bool reconnect = false;  // was connected when the device went offline
    bool check_again = false;  // a check came while one was running: run it when that one ends
    std::map<std::uint32_t, DeviceMessage> shown;  // what the device shows (recorded)
    std::map<imap::ClientSession::RequestId, std::pair<Req, std::uint32_t>> requests;
    std::map<imap::ClientSession::RequestId, const action::Reply*> replies;  // Req::Reply: its action
    imap::ClientSession::RequestId idle_id = 0;
  };

  const std::string& proto_of(const Account& a) const { return a.in.protocol; }

  void record(Record r) { sim_->record(std::move(r)); }

  void record_msg(MailboxEvent event, Account& a, const DeviceMessage& m, std::size_t count, std::string summary) {
    auto rec = device_record(event, host(), a.in.server, a.in.protocol, m, count, std::move(summary));
    record(rec.typed());
  }

  // A record about the account (no one message): `fill` sets its typed fields.
  template <class Fill>
  void record_plain(MailboxEvent event, Account& a, std::string summary, Fill&& fill) {
    auto rec = account_record(event, host(), a.in.server, a.in.protocol, a.spec.address, std::move(summary));
    fill(rec);
    record(rec.typed());
  }

  // device-checked: how many messages the device shows (POP3: what the check did).
  void record_checked(Account& a, std::string summary) {
    record_plain(MailboxEvent::DeviceChecked, a, std::move(summary), [&](MailboxRecord& rec) {
      rec.info.count = static_cast<std::int64_t>(count(a));
      rec.info.folder = kInbox;
      rec.info.set(MailboxInfo::kCount).set(MailboxInfo::kFolder);
    });
  }

  void check_failed(Account& a, const std::string& error) {
    record_plain(MailboxEvent::CheckFailed, a, host() + " could not check mail for " + a.spec.address + ": " + error,
                 [&](MailboxRecord& rec) {
                   rec.error = error;
                   rec.info.set(MailboxInfo::kError);
                 });
  }

  void action_failed(Account& a, const std::string& action, const std::string& subject, const std::string& error) {
    record_plain(MailboxEvent::ActionFailed, a, host() + " could not " + action + " \"" + subject + "\": " + error,
                 [&](MailboxRecord& rec) {
                   rec.info.action = action;
                   rec.subject = subject;
                   rec.error = error;
                   rec.info.set(MailboxInfo::kAction).set(MailboxInfo::kSubject).set(MailboxInfo::kError);
                 });
  }

  std::size_t count(const Account& a) const {
    return a.in.protocol == "imap" ? a.shown.size() : local_.count(a.spec.address);
  }

  Account* account_for(const std::string& name) {
    for (auto& a : accounts_)
      if (name.empty() || a->spec.address == name) return a.get();
    return nullptr;
  }

  // One of this device's timeline actions (install_mail_access gives it only those).
  void run(const Action& act) {
    std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, action::DeviceNetwork>) {
            set_online(x.online);
          } else if constexpr (std::is_same_v<T, action::ChangeAccount>) {
            // From now on; a session already running keeps what it logged in with.
            for (auto& acc : accounts_)
              if (acc->spec.address == x.change.account) {
                x.change.apply(acc->spec);
                if (acc->spec.incoming) acc->in = *acc->spec.incoming;
              }
          } else if constexpr (std::is_same_v<T, action::CheckMail>) {
            if (Account* a = account_for(x.account)) check(*a);
          } else if constexpr (std::is_same_v<T, action::OnMessage>) {
            const Req what = x.verb == action::MessageVerb::Open       ? Req::Open
                             : x.verb == action::MessageVerb::MarkRead ? Req::MarkRead
                                                                       : Req::Delete;
            if (Account* a = account_for(x.account)) act_on(*a, what, x.subject);
          } else if constexpr (std::is_same_v<T, action::Reply>) {
            if (Account* a = account_for(x.account)) act_on(*a, Req::Reply, x.subject, &x);
          }  // the rest are not a device reader's
        },
        act);
  }

  // ---- network ----

  void set_online(bool up) {
    Record r;
    r.kind = RecordKind::Action;
    r.event = up ? "host_up" : "host_down";
    r.host = host();
    r.summary = host() + (up ? " is back online" : " goes offline (its network is gone)");
    r.detail = {{"action", up ? "go_online" : "go_offline"}};
    if (!up) {
      record(std::move(r));
      // The device's mail program notices first and drops its sessions (the server is told);
      // then the network is gone, and anything else in flight is lost.
      for (auto& a : accounts_) cut(*a);
      sim_->transport().set_host_offline(host(), true);
      return;
    }
    sim_->transport().set_host_offline(host(), false);
    record(std::move(r));
    for (auto& a : accounts_)
      if (a->reconnect) {
        a->reconnect = false;
        connect(*a);
      }
  }

  // The device lost its network: its connections die (the server is told at once).
  void cut(Account& a) {
    if (a.connecting) {
      auto s = std::exchange(a.connecting, nullptr);
      drop_callbacks(*s);
      s->abort();
      check_waiting(a);
      check_failed(a, "the device went offline while connecting");
    }
    if (a.pop3) {
      auto link = a.pop3;
      link->socket().abort();  // on_closed -> pop3_finished
    }
    if (a.imap) {
      a.reconnect = a.ready;
      auto link = a.imap;
      link->socket().abort();  // on_closed -> imap_closed
    }
  }

  // ---- connecting ----

  void check(Account& a) {
    if (!sim_->transport().host_up(host())) return check_failed(a, "the device is offline (no network)");
    // A second check while one runs is never refused (a mail program queues it): POP3 runs it
    // when the running session ends, IMAP's first synchronisation already covers it.
    const bool imap = a.in.protocol == "imap";
    if (a.pop3 || a.connecting || (imap && a.imap && !a.ready)) {
      const bool join = imap;
      record_plain(MailboxEvent::CheckCoalesced, a,
                   host() + " is still checking mail for " + a.spec.address +
                       (join ? ": the new check joins the one running" : ": the new check will run when it ends"),
                   [&](MailboxRecord& rec) {
                     rec.info.how = join ? "join" : "after";
                     rec.info.set(MailboxInfo::kHow);
                   });
      if (!join) a.check_again = true;
      return;
    }
    if (imap && a.imap) {
      const auto id = a.imap->engine().client.refresh();
      a.requests[id] = {Req::Refresh, 0};
      a.imap->flush();
      return;
    }
    connect(a);
  }

  void connect(Account& a) {
    const HostInfo* server = sim_->network().host(a.in.server);
    if (!server) return check_failed(a, "no host " + a.in.server + " in the network");
    auto sock = sim_->transport().connect(host(), Endpoint{server->ip, a.in.port});
    a.connecting = sock;
    std::weak_ptr<TcpSocket> weak = sock;
    Account* ap = &a;
    sock->on_error = [this, ap](SocketError e, const std::string&) {
      if (!ap->connecting) return;
      ap->connecting.reset();
      check_waiting(*ap);
      check_failed(*ap, "connection to " + ap->in.server + " port " + std::to_string(ap->in.port) + " failed: " +
                            std::string(to_string(e)));
    };
    sock->on_closed = [this, ap] {
      if (!ap->connecting) return;
      ap->connecting.reset();
      check_waiting(*ap);
      check_failed(*ap, "the connection closed before the session began");
    };
    sock->on_connected = [this, ap, weak] {
      auto s = weak.lock();
      if (!s) return;
      if (ap->in.tls == "implicit") {
        s->on_tls_ready = [this, ap, weak] { begin_later(*ap, weak); };
        s->start_tls();
        return;
      }
      begin_later(*ap, weak);
    };
  }

  // The session starts in a fresh event, so the socket's callbacks can be replaced safely.
  void begin_later(Account& a, std::weak_ptr<TcpSocket> weak) {
    Account* ap = &a;
    sim_->core().schedule_in(0, [this, ap, weak] {
      auto s = weak.lock();
      if (s && ap->connecting == s && s->open()) begin_session(*ap, s);
    });
  }

  void begin_session(Account& a, const SocketPtr& sock) {
    a.connecting.reset();
    a.sock = sock;
    sock->on_connected = nullptr;
    sock->on_tls_ready = nullptr;
    Account* ap = &a;
    if (a.in.protocol == "pop3") {
      pop3::ClientJob job;
      job.user = a.spec.user;
      job.password = a.spec.password;
      job.tls = a.in.tls == "implicit" ? pop3::TlsPolicy::Implicit
                : a.in.tls == "starttls" ? pop3::TlsPolicy::Stls
                                         : pop3::TlsPolicy::None;
      job.mode = a.in.leave_on_server ? pop3::RetentionMode::LeaveOnServer : pop3::RetentionMode::DeleteAfterDownload;
      job.known_uids = a.known_uids;
      auto link = std::make_shared<SessionLink<pop3::ClientSession>>(
          *sim_, sock, std::make_unique<pop3::ClientSession>(std::move(job)), "pop3", a.show_credentials);
      a.pop3 = link;
      link->on_closed = [this, ap](pop3::ClientSession& s) { pop3_finished(*ap, s); };
      sock->on_error = [this, ap](SocketError, const std::string&) {
        if (ap->pop3) pop3_finished(*ap, ap->pop3->engine());
      };
      link->attach();
      return;
    }
    imap::ClientConfig c;
    c.user = a.spec.user;
    c.password = a.spec.password;
    c.use_starttls = a.in.tls == "starttls";
    c.implicit_tls = a.in.tls == "implicit";
    auto engine = std::make_unique<ImapClientEngine>(std::move(c));
    engine->after_input = [this, ap] { imap_progress(*ap); };
    auto link = std::make_shared<SessionLink<ImapClientEngine>>(*sim_, sock, std::move(engine), "imap",
                                                                a.show_credentials);
    a.imap = link;
    a.ready = false;
    a.idle_id = 0;
    a.requests.clear();
    ImapClientEngine* raw = &link->engine();
    link->on_closed = [this, ap, raw](ImapClientEngine&) { imap_closed(*ap, raw); };
    sock->on_error = [this, ap, raw](SocketError, const std::string&) { imap_closed(*ap, raw); };
    link->attach();
  }

  // ---- POP3 ----

  // A check that waited for the running one starts in a fresh event.
  void check_waiting(Account& a) {
    if (!std::exchange(a.check_again, false)) return;
    Account* ap = &a;
    sim_->core().schedule_in(0, [this, ap] { check(*ap); });
  }

  void pop3_finished(Account& a, pop3::ClientSession& s) {
    auto link = std::exchange(a.pop3, nullptr);
    if (!link) return;
    check_waiting(a);
    if (!s.closed()) s.connection_lost();
    defer_drop(*sim_, std::exchange(a.sock, nullptr));
    const auto& r = s.result();
    std::size_t added = 0;
    for (const auto& d : r.downloaded) {
      if (!d.uid.empty() && a.known_uids.count(d.uid)) continue;
      if (!d.uid.empty()) a.known_uids.insert(d.uid);
      DeviceMessage m;
      m.account = a.spec.address;
      m.key = d.uid.empty() ? fmt::format("t{}-{}", sim_->now(), d.number) : d.uid;
      m.subject = message_subject(d.bytes);
      m.from = message_from(d.bytes);
      m.parent = reply_parent(d.bytes);
      // What the mail program shows of a message in another charset than UTF-8, or of every
      // message when it reads them all as one charset (the mojibake lesson).
      if (const auto shown = shown_text(d.bytes, reads_as_);
          !reads_as_.empty() || (!shown.charset.empty() && shown.charset != "utf-8" && shown.charset != "us-ascii")) {
        if (!reads_as_.empty()) m.subject = shown.subject;
        m.preview = shown.preview;
      }
      m.size = d.size;
      local_.add(m);
      ++added;
      record_msg(MailboxEvent::DeviceDownloaded, a, m, count(a),
                 fmt::format("{} downloaded \"{}\" ({} octets) for {}", host(), m.subject, m.size, a.spec.address));
    }
    if (!r.errors.empty()) {
      const auto& e = r.errors.front();
      std::string why = pop3::to_string(e.kind);
      if (e.kind == pop3::ClientErrorKind::MaildropLocked) why = "the mailbox is locked by another POP3 session";
      else if (e.kind == pop3::ClientErrorKind::ConnectionLost) why = "the connection was lost";
      if (!e.detail.empty()) why += " (" + e.detail + ")";
      if (!r.deleted.empty() && !r.deletions_committed) why += "; nothing was deleted on the server";
      return check_failed(a, why);
    }
    const bool deleted = r.deletions_committed;
    record_plain(MailboxEvent::DeviceChecked, a,
                 fmt::format("{} checked mail for {}: {} new, {} on the device{}", host(), a.spec.address, added,
                             count(a), deleted ? ", deleted from the server" : a.in.leave_on_server ? ", left on the server" : ""),
                 [&](MailboxRecord& rec) {
                   using M = MailboxInfo;
                   auto& i = rec.info;
                   i.count = static_cast<std::int64_t>(count(a));
                   i.downloaded = static_cast<std::int64_t>(added);
                   i.deleted_on_server = static_cast<std::int64_t>(deleted ? r.deleted.size() : 0);
                   i.on_server = static_cast<std::int64_t>(r.messages_on_server);
                   i.folder = kInbox;
                   i.set(M::kCount).set(M::kDownloaded).set(M::kDeletedOnServer).set(M::kOnServer).set(M::kFolder);
                 });
  }

  // ---- IMAP ----

  void imap_closed(Account& a, ImapClientEngine* engine) {
    if (!a.imap || &a.imap->engine() != engine) return;
    auto link = std::exchange(a.imap, nullptr);
    defer_drop(*sim_, std::exchange(a.sock, nullptr));
    if (!engine->client.closed()) engine->client.connection_lost();
    std::string why;
    for (const auto& r : engine->client.take_results())
      if (!r.ok && why.empty()) why = r.text;
    if (!a.ready) check_failed(a, why.empty() ? "the connection closed before the mailbox was synchronised" : why);
    for (const auto& [id, req] : a.requests)
      if (req.first != Req::Refresh)
        if (auto it = a.shown.find(req.second); it != a.shown.end())
          action_failed(a, req_name(req.first), it->second.subject, "the connection was lost");
    a.ready = false;
    a.requests.clear();
    a.replies.clear();
    a.idle_id = 0;
  }

  void imap_progress(Account& a) {
    if (!a.imap) return;
    auto& cl = a.imap->engine().client;
    for (auto& r : cl.take_results()) {
      if (r.id == cl.sync_request()) {
        if (!r.ok) {
          check_failed(a, r.text.empty() ? "synchronisation failed" : r.text);
          continue;
        }
        a.ready = true;
        diff(a);
        record_checked(a, fmt::format("{} synchronised {} with the server: {} message(s)", host(), a.spec.address, count(a)));
        continue;
      }
      if (r.id == a.idle_id) {
        a.idle_id = 0;
        continue;
      }
      auto it = a.requests.find(r.id);
      if (it == a.requests.end()) continue;
      const auto [req, uid] = it->second;
      a.requests.erase(it);
      auto m = a.shown.find(uid);
      const std::string subject = m != a.shown.end() ? m->second.subject : std::to_string(uid);
      switch (req) {
        case Req::Refresh:
          record_checked(a, fmt::format("{} checked mail for {}: {} message(s)", host(), a.spec.address, count(a)));
          break;
        case Req::Open:
          if (!r.ok || m == a.shown.end()) {
            action_failed(a, "open", subject, r.text);
            break;
          }
          m->second.seen = true;
          record_msg(MailboxEvent::DeviceOpened, a, m->second, count(a),
                     fmt::format("{} opened \"{}\" (the server marks it \\Seen)", host(), subject));
          break;
        case Req::Reply: {
          // The device opened the message to answer it: its header is now on the device.
          const auto rp = a.replies.find(r.id);
          const action::Reply* act = rp != a.replies.end() ? rp->second : nullptr;
          if (rp != a.replies.end()) a.replies.erase(rp);
          if (!r.ok || m == a.shown.end() || !act) {
            action_failed(a, "reply", subject, r.text);
            break;
          }
          const auto& msgs = cl.messages();
          const auto lm = msgs.find(uid);
          ReplyParent parent;
          if (lm != msgs.end() && lm->second.body) parent = reply_parent(*lm->second.body);
          if (parent.message_id.empty() && lm != msgs.end()) parent.message_id = lm->second.message_id;
          if (parent.subject.empty()) parent.subject = subject;
          m->second.seen = true;
          reply(a, parent, *act);
          break;
        }
        case Req::MarkRead:
          if (!r.ok || m == a.shown.end()) {
            action_failed(a, "mark_read", subject, r.text);
            break;
          }
          if (!m->second.seen) {
            m->second.seen = true;
            record_msg(MailboxEvent::DeviceFlags, a, m->second, count(a), fmt::format("{} marked \"{}\" as read", host(), subject));
          }
          break;
        case Req::Delete:
          if (!r.ok) {
            action_failed(a, "delete", subject, r.text);
            break;
          }
          if (m != a.shown.end()) {
            DeviceMessage gone = m->second;
            a.shown.erase(m);
            auto rec = device_record(MailboxEvent::DeviceDeleted, host(), a.in.server, "imap", gone, count(a),
                                     fmt::format("{} deleted \"{}\" (moved to Trash on the server)", host(), subject));
            rec.info.by = "user";
            rec.info.to_folder = "Trash";
            rec.info.set(MailboxInfo::kBy).set(MailboxInfo::kToFolder);
            record(rec.typed());
          }
          break;
      }
    }
    diff(a);
    if (a.ready && a.requests.empty() && a.idle_id == 0 && !cl.closed()) a.idle_id = cl.idle();
  }

  // Records how the device's view of INBOX changed since it was last recorded.
  void diff(Account& a) {
    if (!a.ready || !a.imap) return;
    const auto& msgs = a.imap->engine().client.messages();
    for (auto it = a.shown.begin(); it != a.shown.end();) {
      if (msgs.count(it->first)) {
        ++it;
        continue;
      }
      DeviceMessage gone = it->second;
      it = a.shown.erase(it);
      auto rec = device_record(MailboxEvent::DeviceDeleted, host(), a.in.server, "imap", gone, count(a),
                               fmt::format("\"{}\" disappeared from {}'s view (removed on the server)", gone.subject, host()));
      rec.info.by = "server";
      rec.info.set(MailboxInfo::kBy);
      record(rec.typed());
    }
    for (const auto& [uid, lm] : msgs) {
      const bool seen = lm.flags.count(std::string(imap::kSeen)) > 0;
      auto it = a.shown.find(uid);
      if (it == a.shown.end()) {
        DeviceMessage m;
        m.account = a.spec.address;
        m.key = std::to_string(uid);
        m.uid = uid;
        m.subject = lm.subject;
        m.from = lm.from;
        m.size = lm.size;
        m.seen = seen;
        a.shown[uid] = m;
        record_msg(MailboxEvent::DeviceSynced, a, m, count(a),
                   fmt::format("{} shows \"{}\" ({})", host(), m.subject, seen ? "read" : "unread"));
      } else if (it->second.seen != seen) {
        it->second.seen = seen;
        record_msg(MailboxEvent::DeviceFlags, a, it->second, count(a),
                   fmt::format("{} now shows \"{}\" as {}", host(), it->second.subject, seen ? "read" : "unread"));
      }
    }
  }

  // ---- user actions ----

  static const char* req_name(Req r) {
    switch (r) {
      case Req::Open: return "open";
      case Req::MarkRead: return "mark_read";
      case Req::Reply: return "reply";
      default: return "delete";
    }
  }

  // A "reply": a new message to the parent's Reply-To (or From), "Re: " and its subject, with
  // In-Reply-To and References (RFC 5322 3.6.4), sent by the device's own sender at once.
  void reply(Account& a, const ReplyParent& parent, const action::Reply& act) {
    const std::string& subject = act.subject;
    if (parent.reply_to.empty()) return action_failed(a, "reply", subject, "the message has no address to answer");
    if (!world_ || !world_->send_reply) return action_failed(a, "reply", subject, "this device cannot send mail");
    SendRequest req;
    req.at = sim_->now();
    req.account = a.spec.address;
    req.to = {parent.reply_to};
    req.subject = reply_subject(parent.subject.empty() ? subject : parent.subject);
    req.body = act.body;
    req.label = act.label;
    req.in_reply_to = parent.message_id;
    req.parent_references = parent.references;
    world_->send_reply(host(), req);
  }

  // Open, MarkRead, Delete, or Reply (with its action) on the message with this subject.
  void act_on(Account& a, Req what, const std::string& subject, const action::Reply* act = nullptr) {
    const std::string kind = req_name(what);
    if (a.in.protocol == "pop3") {
      DeviceMessage* m = local_.find_subject(a.spec.address, subject);
      if (!m) return action_failed(a, kind, subject, "no such message on this device");
      if (what == Req::Reply) {
        if (act) reply(a, m->parent, *act);
        return;
      }
      if (what == Req::Open) {
        m->seen = true;
        record_msg(MailboxEvent::DeviceOpened, a, *m, count(a), fmt::format("{} opened its copy of \"{}\"", host(), subject));
      } else if (what == Req::MarkRead) {
        m->seen = true;
        record_msg(MailboxEvent::DeviceFlags, a, *m, count(a), fmt::format("{} marked its copy of \"{}\" as read", host(), subject));
      } else {
        DeviceMessage gone = *m;
        local_.remove(a.spec.address, gone.key);
        auto rec = device_record(MailboxEvent::DeviceDeleted, host(), a.in.server, "pop3", gone, count(a),
                                 fmt::format("{} deleted its copy of \"{}\"", host(), subject));
        rec.info.by = "user";
        rec.info.set(MailboxInfo::kBy);
        record(rec.typed());
      }
      return;
    }
    const DeviceMessage* m = nullptr;
    for (const auto& [uid, dm] : a.shown)
      if (dm.subject == subject) {
        m = &dm;
        break;
      }
    if (!m) return action_failed(a, kind, subject, "no such message on this device");
    if (!a.imap || !a.ready)
      return action_failed(a, kind, subject,
                           sim_->transport().host_up(host()) ? "not connected to the server"
                                                             : "the device is offline (IMAP reads from the server)");
    auto& cl = a.imap->engine().client;
    const std::uint32_t uid = m->uid;
    imap::ClientSession::RequestId id = 0;
    const Req req = what;
    if (what == Req::Open || what == Req::Reply) id = cl.open(uid);
    else if (what == Req::MarkRead) id = cl.mark_read(uid);
    else id = cl.delete_to_trash(uid);
    a.requests[id] = {req, uid};
    if (req == Req::Reply && act) a.replies[id] = act;
    a.imap->flush();
  }

  Simulation* sim_ = nullptr;
  std::vector<const ActionSpec*> actions_;  // this device's, in timeline order (the scenario's own)
  MailWorld* world_ = nullptr;
  std::string reads_as_;  // the program reads every message as this charset (empty: as declared)
  std::vector<std::unique_ptr<Account>> accounts_;
  DeviceMailbox local_;
};

// go_offline / go_online of a host without a mail reader.
class NetworkSwitchApp : public App {
 public:
  // `actions`: go_offline / go_online only, pointing into the scenario's timeline.
  NetworkSwitchApp(std::string host, std::vector<const ActionSpec*> actions)
      : App(std::move(host)), actions_(std::move(actions)) {}
  void start(Simulation& sim) override {
    Simulation* sp = &sim;
    sim.core().schedule_series(
        actions_.size(), [this](std::size_t i) { return actions_[i]->at; },
        [this, sp](std::size_t i) {
          const bool up = std::get<action::DeviceNetwork>(actions_[i]->what).online;
          const std::string& h = host();
          sp->transport().set_host_offline(h, !up);
          Record r;
          r.kind = RecordKind::Action;
          r.event = up ? "host_up" : "host_down";
          r.host = h;
          r.summary = h + (up ? " is back online" : " goes offline (its network is gone)");
          r.detail = {{"action", up ? "go_online" : "go_offline"}};
          sp->record(std::move(r));
        });
  }

 private:
  std::vector<const ActionSpec*> actions_;
};

// The device whose reader (or network switch) does the action; empty: not a device's.
std::string action_host(const ActionSpec& a) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, action::DeviceNetwork>) return x.host;
        else if constexpr (std::is_same_v<T, action::CheckMail> || std::is_same_v<T, action::OnMessage> ||
                           std::is_same_v<T, action::Reply> || std::is_same_v<T, action::ChangeAccount>)
          return x.on;
        else return {};
      },
      a.what);
}

// ---- expectations ---------------------------------------------------------------------------

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

ExpectationResult check_mailbox(const Scenario& s, const ExpectationSpec& e, const Trace& trace) {
  const std::string address = e.args.at("user").get<std::string>();
  const std::string folder = MailStore::normal_name(e.args.value("folder", std::string(kInbox)));
  const auto at = address.rfind('@');
  const std::string local = lower(address.substr(0, at));
  const std::string domain = lower(address.substr(at + 1));
  std::string server, user;
  for (const auto& h : s.hosts) {
    if (!h.mail_server) continue;
    for (const auto& d : h.mail_server->domains)
      if (lower(d) == domain)
        for (const auto& u : h.mail_server->users)
          if (lower(u.name) == local) server = h.info.id, user = u.name;
  }
  ExpectationResult r;
  r.pointer = e.pointer;
  std::string want;
  if (e.args.contains("count")) want = fmt::format("{} message(s)", e.args.at("count").get<std::int64_t>());
  if (e.args.contains("bytes"))
    want += (want.empty() ? "" : " and ") + fmt::format("{} octets", e.args.at("bytes").get<std::int64_t>());
  r.description = fmt::format("{}'s {} on {} holds {}", address, folder, server.empty() ? "?" : server, want);
  r.kind = e.kind;
  r.params = {{"address", address}, {"folder", folder}, {"server", server}};
  if (e.args.contains("count")) r.params["count"] = e.args.at("count").get<std::int64_t>();
  if (e.args.contains("bytes")) r.params["bytes"] = e.args.at("bytes").get<std::int64_t>();
  // (folder, uid) -> size, replayed from the store's records of that user.
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> box;
  std::size_t refused = 0;
  std::string last_refusal;
  std::uint64_t last_refusal_seq = 0;
  for (const auto& rec : trace.records()) {
    if (rec.kind != RecordKind::Mailbox || rec.host != server || rec.protocol != "store") continue;
    const auto& m = rec.mailbox_info();
    if (m.user != user) continue;
    const std::string f = m.folder.str();
    const auto uid = static_cast<std::uint32_t>(m.uid);
    const auto size = static_cast<std::uint64_t>(m.size);
    const std::string to = m.to_folder.str();
    const auto to_uid = static_cast<std::uint32_t>(m.to_uid);
    using E = MailboxEvent;
    const E ev = m.event;
    if (ev == E::Stored || ev == E::Appended) {
      box[{f, uid}] = size;
    } else if (ev == E::Copied) {
      auto it = box.find({f, uid});
      box[{to, to_uid}] = size ? size : it != box.end() ? it->second : 0;
    } else if (ev == E::Moved) {
      auto it = box.find({f, uid});
      const std::uint64_t sz = size ? size : it != box.end() ? it->second : 0;
      if (it != box.end()) box.erase(it);
      box[{to, to_uid}] = sz;
    } else if (ev == E::Expunged || ev == E::DownloadedAndDeleted || ev == E::DeletedViaPop3) {
      box.erase({f, uid});
    } else if (ev == E::FolderDeleted) {
      for (auto it = box.begin(); it != box.end();) it = it->first.first == f ? box.erase(it) : std::next(it);
    } else if (ev == E::FolderRenamed) {
      std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> next;
      for (const auto& [k, v] : box) {
        if (k.first == f) next[{to, k.second}] = v;
        else if (k.first.rfind(f + "/", 0) == 0) next[{to + k.first.substr(f.size()), k.second}] = v;
        else next[k] = v;
      }
      box = std::move(next);
    } else if (ev == E::DeliveryRefused && (folder == kInbox)) {
      ++refused;
      last_refusal = m.reason_text();
      last_refusal_seq = rec.seq;
    }
  }
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  for (const auto& [k, v] : box)
    if (k.first == folder) ++count, bytes += v;
  bool ok = true;
  if (e.args.contains("count") && static_cast<std::int64_t>(count) != e.args.at("count").get<std::int64_t>()) ok = false;
  if (e.args.contains("bytes") && static_cast<std::int64_t>(bytes) != e.args.at("bytes").get<std::int64_t>()) ok = false;
  r.passed = ok;
  r.actual = fmt::format("{} holds {} message(s), {} octets", folder, count, bytes);
  if (refused) r.actual += fmt::format("; {} delivery(ies) refused (last: {})", refused, last_refusal);
  r.outcome = "mailbox.state";
  r.outcome_params = {{"folder", folder}, {"count", count}, {"bytes", bytes}, {"refused", refused}};
  if (refused) {
    r.outcome_params["last_reason"] = last_refusal;
    r.records = {last_refusal_seq};  // the last refusal
  }
  return r;
}

ExpectationResult check_seen(const ExpectationSpec& e, const Trace& trace) {
  const std::string on = e.args.at("on").get<std::string>();
  const std::string subject = e.args.at("subject").get<std::string>();
  const bool present = e.args.value("present", true);
  const bool check_seen_flag = e.args.contains("seen");
  const bool want_seen = check_seen_flag && e.args.at("seen").get<bool>();
  ExpectationResult r;
  r.pointer = e.pointer;
  if (!present) r.description = fmt::format("{} no longer shows \"{}\"", on, subject);
  else if (check_seen_flag) r.description = fmt::format("{} shows \"{}\" as {}", on, subject, want_seen ? "read" : "unread");
  else r.description = fmt::format("{} shows \"{}\"", on, subject);
  r.kind = e.kind;
  r.params = {{"on", on}, {"subject", subject}, {"present", present}};
  if (check_seen_flag) r.params["seen"] = want_seen;
  const auto view = device_view(trace, on);
  const DeviceViewEntry* found = nullptr;
  for (const auto& v : view)
    if (v.subject == subject) {
      found = &v;
      if (!check_seen_flag || v.seen == want_seen) break;
    }
  if (!present) {
    r.passed = found == nullptr;
    r.actual = found ? fmt::format("{} still shows \"{}\" ({})", on, subject, found->seen ? "read" : "unread")
                     : fmt::format("{} does not show \"{}\"", on, subject);
    r.outcome = found ? "seen.still" : "seen.absent";
    r.outcome_params = {{"on", on}, {"subject", subject}};
    if (found) r.outcome_params["seen"] = found->seen;
    return r;
  }
  if (!found) {
    std::string list;
    for (const auto& v : view) list += (list.empty() ? "\"" : ", \"") + v.subject + "\"";
    r.actual = view.empty() ? fmt::format("{} shows no message at all", on)
                            : fmt::format("{} does not show \"{}\" (it shows {})", on, subject, list);
    r.outcome = view.empty() ? "seen.nothing" : "seen.others";
    r.outcome_params = {{"on", on}, {"subject", subject}};
    if (!view.empty()) {
      r.outcome_params["shown"] = nlohmann::json::array();
      for (const auto& v : view) r.outcome_params["shown"].push_back(v.subject);
    }
    return r;
  }
  r.passed = !check_seen_flag || found->seen == want_seen;
  r.actual = fmt::format("{} shows \"{}\" as {}", on, subject, found->seen ? "read" : "unread");
  r.outcome = "seen.state";
  r.outcome_params = {{"on", on}, {"subject", subject}, {"seen", found->seen}};
  return r;
}

}  // namespace

void install_mail_access(Simulation& sim, const Scenario& scenario, MailWorld& world) {
  for (const auto& h : scenario.hosts) {
    if (!h.mail_server) continue;
    MailStore* store = world.store(h.info.id);
    if (!store) continue;
    const bool any = std::any_of(h.mail_server->listeners.begin(), h.mail_server->listeners.end(),
                                 [](const ListenerSpec& l) { return is_access_role(l.role); });
    if (any) sim.add_app(std::make_unique<MailAccessService>(h.info.id, *h.mail_server, *store, world));
  }
  // Each device's actions, in timeline order, in one pass over the timeline.
  std::map<std::string, std::vector<const ActionSpec*>, std::less<>> by_host;
  for (const auto& a : scenario.timeline)
    if (std::string on = action_host(a); !on.empty()) by_host[std::move(on)].push_back(&a);
  for (const auto& h : scenario.hosts) {
    std::vector<const ActionSpec*> mine;
    if (auto it = by_host.find(h.info.id); it != by_host.end()) mine = std::move(it->second);
    const bool reader = h.mail_client && std::any_of(h.mail_client->accounts.begin(), h.mail_client->accounts.end(),
                                                     [](const AccountSpec& a) { return a.incoming.has_value(); });
    if (reader) {
      sim.add_app(std::make_unique<MailReaderApp>(h.info.id, scenario, *h.mail_client, std::move(mine), world));
    } else {
      std::vector<const ActionSpec*> net;
      for (const auto* a : mine)
        if (std::holds_alternative<action::DeviceNetwork>(a->what)) net.push_back(a);
      if (!net.empty()) sim.add_app(std::make_unique<NetworkSwitchApp>(h.info.id, std::move(net)));
    }
  }
}

std::optional<ExpectationResult> check_access_expectation(const Scenario& scenario, const ExpectationSpec& e,
                                                          const Trace& trace) {
  if (e.kind == "mailbox") return check_mailbox(scenario, e, trace);
  if (e.kind == "seen") return check_seen(e, trace);
  return std::nullopt;
}

}  // namespace mailsim::sim::mail
