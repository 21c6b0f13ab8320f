// Composing and submitting mail from a device.
#include "sim/mail/mua_send.hpp"

#include <fmt/format.h>

#include "protocols/message/builder.hpp"
#include "protocols/smtp/client.hpp"
#include "sim/mail/mta.hpp"
#include "sim/mail/session_link.hpp"

namespace mailsim::sim::mail {

void MailSenderApp::start(Simulation& sim) {
  sim_ = &sim;
  for (const auto& r : requests_) sim.core().schedule_at(r.at, [this, r] { send(r); });
}

void MailSenderApp::send(const SendRequest& request) {
  const AccountSpec* acc = &spec_.accounts.front();
  for (const auto& a : spec_.accounts)
    if (a.address == request.account) acc = &a;
  const std::string domain = acc->address.substr(acc->address.rfind('@') + 1);

  message::MessageBuilder b;
  b.from(acc->address, acc->display_name);
  for (const auto& t : request.to) b.to(t);
  for (const auto& c : request.cc) b.cc(c);
  b.subject(request.subject);
  b.date(kScenarioEpochUnix, sim_->now() / kSecond, kZoneMinutes);
  b.message_id(fmt::format("{}.{}.{}", sim_->now() / kMilli, ++sent_, host()), domain);
  std::string body = request.body.empty() ? std::string("Hello!\n") : request.body;
  if (request.size > 0) {
    // Pad with numbered lines until the message reaches the requested size.
    std::size_t n = 0;
    while (body.size() + 400 < request.size) body += fmt::format("Line {:06} of filler to make this message larger.\n", ++n);
  }
  b.body(body);
  const std::string data = b.build();
  const MessageLabel label = label_of(data);

  const std::string rcpts = fmt::format("{}", fmt::join(b.recipients(), ", "));
  nlohmann::json base{{"account", acc->address}, {"sender", acc->address}, {"recipients", b.recipients()},
                      {"subject", request.subject}, {"message_id", label.message_id}, {"size", data.size()},
                      {"server", acc->smtp.server}, {"port", acc->smtp.port}, {"auth", acc->smtp.auth},
                      {"tls", acc->smtp.tls}};
  record_mail(*sim_, host(), "compose",
              request.label.empty() ? fmt::format("{} writes \"{}\" to {} and sends it via {} port {}", acc->address,
                                                  request.subject, rcpts, acc->smtp.server, acc->smtp.port)
                                    : request.label,
              base, acc->smtp.server);

  smtp::ClientJob job;
  job.helo_name = host();
  job.sender = acc->address;
  job.recipients = b.recipients();
  job.data = data;
  job.tls = acc->smtp.tls == "implicit" ? smtp::TlsPolicy::Implicit
            : acc->smtp.tls == "starttls" ? smtp::TlsPolicy::Required
                                          : smtp::TlsPolicy::None;
  if (acc->smtp.auth) job.credentials = smtp::Credentials{acc->user, acc->password, smtp::AuthMechanism::Plain};

  const HostInfo* server = sim_->network().host(acc->smtp.server);
  const Endpoint to{server ? server->ip : Ipv4{}, acc->smtp.port};
  auto sock = sim_->transport().connect(host(), to);
  auto link = std::make_shared<SessionLink<smtp::ClientSession>>(*sim_, sock, std::make_unique<smtp::ClientSession>(job),
                                                                 "smtp", false);
  const bool implicit = job.tls == smtp::TlsPolicy::Implicit;
  const std::string server_name = acc->smtp.server;
  const std::uint16_t port = acc->smtp.port;
  auto fail = [this, base, server_name](const std::string& error, const std::string& status, int code,
                                        const std::string& explanation) {
    nlohmann::json d = base;
    d["error"] = error;
    d["status"] = status;
    if (code) d["code"] = code;
    record_mail(*sim_, host(), "send_failed", fmt::format("{}: sending failed — {}", host(), explanation), d, server_name);
  };
  sock->on_connected = [sock, implicit] {
    if (implicit) sock->start_tls();
  };
  sock->on_error = [link, fail, server_name, port](SocketError e, const std::string&) {
    link->engine().connection_failed(std::string(to_string(e)), true);
    fail(std::string(to_string(e)), "", 0,
         fmt::format("the connection to {} port {} failed: {}", server_name, port, to_string(e)));
  };
  link->on_closed = [this, base, fail, server_name](smtp::ClientSession& s) {
    if (!s.closed()) s.connection_lost();
    const auto& result = s.result();
    bool told = false;  // one error message per failure, as a mail program shows it
    for (const auto& r : result.recipients) {
      nlohmann::json d = base;
      d["recipient"] = r.address;
      if (r.status == smtp::RecipientStatus::Delivered) {
        record_mail(*sim_, host(), "submitted",
                    fmt::format("{} accepted \"{}\" for {}", server_name, d["subject"].get<std::string>(), r.address), d,
                    server_name);
      } else if (r.status == smtp::RecipientStatus::PermanentFailure ||
                 r.status == smtp::RecipientStatus::TemporaryFailure) {
        if (!result.reason.empty() && r.code == 0) continue;  // reported once below
        const std::string text = fmt::format("{} {} {}", r.code, r.enhanced, r.text);
        fail(text, r.enhanced, r.code, fmt::format("{} refused {}: {}", server_name, r.address, text));
        told = true;
      }
    }
    if (!told && !result.reason.empty() && result.outcome != smtp::Outcome::Delivered &&
        result.outcome != smtp::Outcome::PartiallyDelivered) {
      const std::string text = result.code ? fmt::format("{} {} {}", result.code, result.enhanced, result.reason)
                                           : result.reason;
      fail(text, result.enhanced, result.code, fmt::format("{}: {}", server_name, text));
    }
  };
  link->attach();
}

}  // namespace mailsim::sim::mail
