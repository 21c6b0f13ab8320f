// Composing and submitting mail from a device.
#include "sim/apps/mail/mua_send.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "protocols/message/builder.hpp"
#include "protocols/smtp/client.hpp"
#include "protocols/smtp/server.hpp"
#include "sim/apps/mail/mta.hpp"
#include "sim/apps/mail/session_link.hpp"
#include "sim/apps/mail/timeouts.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::sim::mail {

namespace {

// How far over the largest size any server accepts a device pads a message for a "size".
constexpr std::uint64_t kPaddingMargin = 64 * 1024;

// A failure of the whole session (not of one recipient), as the user reads it: which step
// failed ("login", "mail_from", "data"; empty for others), the server's reply that decided it,
// and the one-line explanation (describe's "send_failed.*" words), so that a refused login does
// not read like a refused recipient.
struct SessionFailure {
  std::string failed_at;
  std::string reply;  // the server's reply line, when a reply decided
  std::string explanation;
};

SessionFailure session_failure(const std::string& server, const std::string& sender, const smtp::DeliveryResult& result) {
  if (result.code == 0) return {{}, {}, wording("send_failed.other", {{"server", server}, {"reply", result.reason}})};
  const std::string reply = fmt::format("{} {} {}", result.code, result.enhanced, result.reply);
  switch (result.failed_at) {
    case smtp::FailedStep::Auth:
      return {"login", reply, wording("send_failed.login", {{"server", server}, {"reply", reply}})};
    case smtp::FailedStep::Mail:
      return {"mail_from", reply, wording("send_failed.mail_from", {{"server", server}, {"sender", sender}, {"reply", reply}})};
    case smtp::FailedStep::Data:
      return {"data", reply, wording("send_failed.data", {{"server", server}, {"reply", reply}})};
    default:
      return {{}, reply,
              wording("send_failed.other",
                      {{"server", server}, {"reply", fmt::format("{} {} {}", result.code, result.enhanced, result.reason)}})};
  }
}

}  // namespace

MailSenderApp::MailSenderApp(std::string host, MailClientSpec spec)
    : App(std::move(host)), spec_(std::move(spec)), largest_accepted_(smtp::kMaxMessageSizeCap) {}

MailSenderApp::MailSenderApp(std::string host, const Scenario& scenario, MailClientSpec spec)
    : MailSenderApp(std::move(host), std::move(spec)) {
  // Every such server, not only the accounts' own: a message may be sent elsewhere (its "smtp").
  std::uint64_t largest = 0;
  for (const auto& h : scenario.hosts) {
    if (h.mail_server && h.mail_server->show_credentials) show_credentials_to_.insert(h.info.id);
    if (h.mail_server) largest = std::max(largest, h.mail_server->max_message_size);
  }
  largest_accepted_ = std::min<std::uint64_t>(largest, smtp::kMaxMessageSizeCap);
}

SendRequest send_request(Time at, const action::Send& m) {
  SendRequest req;
  req.at = at;
  req.account = m.account;
  req.to = m.to;
  req.cc = m.cc;
  req.subject = m.subject;
  req.body = m.body;
  req.size = m.size;
  req.label = m.label;
  req.charset = m.charset;
  req.smtp = m.smtp;
  return req;
}

void MailSenderApp::start(Simulation& sim) {
  sim_ = &sim;
  // One send in the queue at a time, each where it would have run had all been queued now
  // (the same trace): a world of 100,000 waiting letters does not hold 100,000 closures.
  sim.core().schedule_series(
      sends_.size(), [this](std::size_t i) { return sends_[i].at; },
      [this](std::size_t i) { send(send_request(sends_[i].at, *sends_[i].send)); });
}

void MailSenderApp::send(const SendRequest& request) {
  const AccountSpec* found = &spec_.accounts.front();
  for (const auto& a : spec_.accounts)
    if (a.address == request.account) found = &a;
  AccountSpec changed = *found;
  for (const auto& [at, c] : changes_)
    if (at <= sim_->now() && c.account == changed.address) c.apply(changed);
  const AccountSpec* acc = &changed;
  const std::string domain = acc->address.substr(acc->address.rfind('@') + 1);
  const OutgoingSpec& out = request.smtp ? *request.smtp : acc->smtp;

  message::MessageBuilder b;
  b.from(acc->address, acc->display_name);
  // "Kuroyagi <kuroyagi@hogehoge.com>": the name goes into the header, the address into RCPT TO.
  for (const auto& t : request.to) {
    const auto r = parse_recipient(t);
    b.to(r ? r->address : t, r ? r->display_name : "");
  }
  for (const auto& c : request.cc) {
    const auto r = parse_recipient(c);
    b.cc(r ? r->address : c, r ? r->display_name : "");
  }
  const std::string charset = request.charset.empty() ? spec_.charset : request.charset;
  b.charset(charset);
  b.subject(request.subject);
  b.date(kScenarioEpochUnix, sim_->now() / kSecond, kZoneMinutes);
  b.message_id(fmt::format("{}.{}.{}", sim_->now() / kMilli, ++sent_, host()), domain);
  if (!request.in_reply_to.empty()) b.in_reply_to(request.in_reply_to).parent_references(request.parent_references);
  std::string body = request.body.empty() ? std::string("Hello!\n") : request.body;
  if (request.size > 0) {
    // Pad with numbered lines until the message reaches the requested size, but never build
    // more than just over the largest message any server of the world accepts: a bigger one is
    // refused the same way, and "8GB" must not be built in memory to find that out.
    const std::uint64_t target = std::min<std::uint64_t>(request.size, largest_accepted_ + kPaddingMargin);
    std::size_t n = 0;
    while (body.size() + 400 < target) body += fmt::format("Line {:06} of filler to make this message larger.\n", ++n);
  }
  b.body(body);
  const std::string data = b.build();
  const MessageLabel label = label_of(data);

  const std::string rcpts = fmt::format("{}", fmt::join(b.recipients(), ", "));
  nlohmann::json base{{"account", acc->address}, {"sender", acc->address}, {"recipients", b.recipients()},
                      {"subject", request.subject}, {"message_id", label.message_id}, {"size", data.size()},
                      {"server", out.server}, {"port", out.port}, {"auth", out.auth},
                      {"tls", out.tls}};
  if (!request.in_reply_to.empty()) base["in_reply_to"] = request.in_reply_to;
  if (charset != "utf-8") base["charset"] = charset;
  if (request.size > largest_accepted_ + kPaddingMargin) base["requested_size"] = request.size;  // built up to the cap
  record_mail(*sim_, host(), "compose",
              request.label.empty() ? wording("mail.compose", {{"sender", acc->address},
                                                               {"subject", request.subject},
                                                               {"recipients", rcpts},
                                                               {"server", out.server},
                                                               {"port", std::to_string(out.port)}})
                                    : request.label,
              base, out.server);

  smtp::ClientJob job;
  job.helo_name = host();
  job.sender = acc->address;
  job.recipients = b.recipients();
  job.data = data;
  job.tls = out.tls == "implicit" ? smtp::TlsPolicy::Implicit
            : out.tls == "starttls" ? smtp::TlsPolicy::Required
                                          : smtp::TlsPolicy::None;
  if (out.auth) job.credentials = smtp::Credentials{acc->user, acc->password, smtp::AuthMechanism::Plain};

  const HostInfo* server = sim_->network().host(out.server);
  const Endpoint to{server ? server->ip : Ipv4{}, out.port};
  auto sock = sim_->transport().connect(host(), to);
  const bool show_credentials = show_credentials_to_.count(out.server) > 0;
  auto link = std::make_shared<SessionLink<smtp::ClientSession>>(*sim_, sock, std::make_unique<smtp::ClientSession>(job),
                                                                 "smtp", show_credentials);
  const bool implicit = job.tls == smtp::TlsPolicy::Implicit;
  const std::string server_name = out.server;
  const std::uint16_t port = out.port;
  // `extra`: what failed ("failed_at": "login", "mail_from", "data", "recipient"; "recipient"; "reply").
  auto fail = [this, base, server_name](const std::string& error, const std::string& status, int code,
                                        const std::string& explanation, const nlohmann::json& extra) {
    nlohmann::json d = base;
    d.update(extra);
    d["error"] = error;
    d["status"] = status;
    if (code) d["code"] = code;
    record_mail(*sim_, host(), "send_failed", wording("mail.send_failed", {{"host", host()}, {"why", explanation}}), d,
                server_name);
  };
  auto connected = std::make_shared<bool>(false);
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
  sock->on_error = [link, fail, server_name, port, connected](SocketError e, const std::string& why) {
    if (*connected) {
      // The session broke off (the server vanished, or this device went offline): the user
      // is told what the session had reached, as on a close.
      if (!link->engine().closed()) link->engine().connection_lost(std::string(to_string(e)) + " (" + why + ")");
      if (link->on_closed) link->on_closed(link->engine());
      link->release_later();
      return;
    }
    link->release_later();
    link->engine().connection_failed(std::string(to_string(e)), true);
    fail(std::string(to_string(e)), "", 0,
         wording("send_failed.connect",
                 {{"server", server_name}, {"port", std::to_string(port)}, {"error", std::string(to_string(e))}}),
         nlohmann::json::object());
  };
  link->on_closed = [this, base, fail, server_name, sender = acc->address](smtp::ClientSession& s) {
    if (!s.closed()) s.connection_lost();
    const auto& result = s.result();
    bool told = false;     // one error message per failure, as a mail program shows it
    bool skipped = false;  // a recipient failed with the whole session (reported once, below)
    for (const auto& r : result.recipients) {
      nlohmann::json d = base;
      d["recipient"] = r.address;
      if (r.status == smtp::RecipientStatus::Delivered) {
        record_mail(*sim_, host(), "submitted",
                    wording("mail.submitted",
                            {{"server", server_name}, {"subject", d["subject"].get<std::string>()}, {"recipient", r.address}}),
                    d,
                    server_name);
      } else if (r.status == smtp::RecipientStatus::PermanentFailure ||
                 r.status == smtp::RecipientStatus::TemporaryFailure) {
        // The session failed as a whole (connection, login, MAIL FROM, DATA): reported once below.
        if (!result.reason.empty() && (r.code == 0 || r.text == result.reason)) {
          skipped = true;
          continue;
        }
        const std::string text = fmt::format("{} {} {}", r.code, r.enhanced, r.text);
        fail(text, r.enhanced, r.code,
             wording("send_failed.recipient", {{"server", server_name}, {"recipient", r.address}, {"reply", text}}),
             {{"failed_at", "recipient"}, {"recipient", r.address}});
        told = true;
      }
    }
    if ((!told || skipped) && !result.reason.empty() && result.outcome != smtp::Outcome::Delivered &&
        result.outcome != smtp::Outcome::PartiallyDelivered) {
      const std::string text = result.code ? fmt::format("{} {} {}", result.code, result.enhanced, result.reason)
                                           : result.reason;
      const auto f = session_failure(server_name, sender, result);
      nlohmann::json extra = nlohmann::json::object();
      if (!f.failed_at.empty()) extra["failed_at"] = f.failed_at;
      if (!f.reply.empty()) extra["reply"] = f.reply;
      fail(text, result.enhanced, result.code, f.explanation, extra);
    }
  };
  link->attach();
}

}  // namespace mailsim::sim::mail
