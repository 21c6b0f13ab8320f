// The bridged device: a real mail client's streams and datagrams inside the simulation.
#include "sim/apps/bridged_device.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "protocols/common/events.hpp"
#include "sim/apps/mail/session_link.hpp"

namespace mailsim::sim {
namespace {

constexpr std::size_t kMaxRecordedLine = 2048;  // longer client lines are recorded cut short

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t b = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

}  // namespace

std::optional<std::string> add_bridged_device(Scenario& scenario, const std::string& network, std::string& why) {
  const NetworkInfo* net = nullptr;
  for (const auto& n : scenario.networks)
    if (n.id == network) net = &n;
  if (!net) {
    why = "no network \"" + network + "\" in the scenario";
    return std::nullopt;
  }
  std::string id = "bridged-device";
  for (int n = 2; std::any_of(scenario.hosts.begin(), scenario.hosts.end(), [&](const HostSpec& h) { return h.info.id == id; }); ++n)
    id = "bridged-device-" + std::to_string(n);
  std::set<std::uint32_t> used;
  for (const auto& h : scenario.hosts) used.insert(h.info.ip.value);
  const Cidr range = net->dynamic_pool.value_or(net->cidr);
  const std::uint64_t size = range.prefix >= 32 ? 1 : (std::uint64_t{1} << (32 - range.prefix));
  std::optional<Ipv4> ip;
  for (std::uint64_t i = size > 2 ? 1 : 0; i < (size > 2 ? size - 1 : size); ++i) {
    const Ipv4 candidate{static_cast<std::uint32_t>(range.base.value + i)};
    if (!net->cidr.contains(candidate) || used.count(candidate.value)) continue;
    ip = candidate;
    break;
  }
  if (!ip) {
    why = "network \"" + network + "\" has no free address for the bridged device";
    return std::nullopt;
  }
  HostSpec h;
  h.info.id = id;
  h.info.kind = "pc";
  h.info.name = "Your mail program (bridged)";
  h.info.name_ja = "あなたのメールソフト（ブリッジ経由）";
  h.info.network = network;
  h.info.ip = *ip;
  h.pointer = "/hosts/-";  // added by the bridge, not written in the file
  scenario.hosts.push_back(std::move(h));
  return id;
}

BridgedStreamPtr BridgedDevice::open(Endpoint to, std::string protocol, bool implicit_tls, const std::string& client) {
  auto s = std::make_shared<BridgedStream>();
  s->sim_ = sim_;
  s->protocol_ = std::move(protocol);
  Record r;
  r.kind = RecordKind::Action;
  r.event = "bridge_connect";
  r.host = host();
  r.summary = fmt::format("a real mail client ({}) connects through the bridge to {}", client, to.str());
  r.detail = {{"action", "bridge_connect"}, {"to", to.str()}, {"client", client}, {"protocol", s->protocol_}};
  sim_->record(std::move(r));
  s->sock_ = sim_->transport().connect(host(), to);
  std::weak_ptr<BridgedStream> weak = s;
  s->sock_->on_connected = [weak, implicit_tls] {
    auto self = weak.lock();
    if (!self) return;
    self->connected_ = true;
    if (implicit_tls) self->sock_->start_tls();
    if (self->on_connected) self->on_connected();
  };
  s->sock_->on_tls_ready = [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->tls_ready_ = true;
    if (self->on_tls_ready) self->on_tls_ready();
  };
  s->sock_->on_data = [weak](std::string_view bytes) {
    auto self = weak.lock();
    if (!self) return;
    // The server's replies end a SASL exchange (anything but a continuation) and confirm DATA.
    for (std::size_t p = 0; p < bytes.size();) {
      const auto nl = bytes.find('\n', p);
      const std::string_view line = bytes.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
      if (self->in_auth_ && !line.empty() && !(line.rfind("334", 0) == 0 || line.rfind("+ ", 0) == 0 || line == "+" ||
                                                 line == "+\r"))
        self->in_auth_ = false;
      if (self->protocol_ == "smtp" && line.rfind("354", 0) == 0) self->in_data_ = true;
      if (nl == std::string_view::npos) break;
      p = nl + 1;
    }
    if (self->on_data) self->on_data(bytes);
  };
  s->sock_->on_peer_closed = [weak] {
    if (auto self = weak.lock()) self->sock_->close();
  };
  s->sock_->on_closed = [weak] {
    if (auto self = weak.lock()) self->finish("closed");
  };
  s->sock_->on_error = [weak](SocketError e, const std::string& why) {
    if (auto self = weak.lock()) self->finish(std::string(to_string(e)) + (why.empty() ? "" : ": " + why));
  };
  return s;
}

void BridgedStream::finish(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  auto keep = shared_from_this();
  if (on_closed) on_closed(why);
  // Break the socket -> callbacks -> stream cycle in a later event (this runs inside a callback).
  SocketPtr sock = sock_;
  sim_->core().schedule_in(0, [sock] {
    sock->on_connected = nullptr;
    sock->on_data = nullptr;
    sock->on_tls_ready = nullptr;
    sock->on_peer_closed = nullptr;
    sock->on_closed = nullptr;
    sock->on_error = nullptr;
  });
}

void BridgedStream::send(std::string_view bytes) {
  if (finished_ || !sock_->open()) return;
  if (protocol_ != "dns") record_lines(bytes);
  sock_->send(bytes);
}

void BridgedStream::start_tls() {
  if (!finished_) sock_->start_tls();
}

void BridgedStream::close() {
  if (!finished_ && sock_->open()) sock_->close();
}

void BridgedStream::abort() {
  if (!finished_ && sock_->open()) sock_->abort();
}

std::size_t BridgedStream::in_flight() const { return finished_ ? 0 : sock_->unacked(); }

std::uint64_t BridgedStream::id() const { return sock_->id(); }

// Records each complete line the real client sends as its command, as a simulated mail
// client's engine would (DESIGN: the sender records a line). Message text after DATA is not
// recorded line by line (the packets carry it); credentials are masked.
void BridgedStream::record_lines(std::string_view bytes) {
  for (char c : bytes) {
    if (c != '\n') {
      if (partial_.size() <= kMaxRecordedLine) partial_ += c;
      continue;
    }
    std::string line = std::move(partial_);
    partial_.clear();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (in_data_) {
      if (line == ".") in_data_ = false;
      continue;
    }
    if (line.size() > kMaxRecordedLine) line = line.substr(0, kMaxRecordedLine) + "...";
    proto::ProtocolEvent e;
    e.kind = proto::ProtocolEvent::Kind::CommandSent;
    const auto w = words(line);
    const std::size_t verb_at = protocol_ == "imap" ? 1 : 0;
    e.verb = w.size() > verb_at ? upper(w[verb_at]) : std::string();
    std::string shown = line;
    if (in_auth_) {
      shown = "****";
      e.verb.clear();  // a SASL response is no verb (and would show the credentials upper-cased)
    } else if (e.verb == "AUTH" || e.verb == "AUTHENTICATE") {
      in_auth_ = true;
      if (w.size() > verb_at + 2) {  // an initial response on the same line
        shown.clear();
        for (std::size_t i = 0; i <= verb_at + 1; ++i) shown += std::string(w[i]) + " ";
        shown += "****";
      }
    } else if (e.verb == "PASS" && protocol_ == "pop3") {
      shown = "PASS ****";
    } else if (e.verb == "LOGIN" && protocol_ == "imap" && w.size() > 3) {
      shown = std::string(w[0]) + " LOGIN " + std::string(w[2]) + " ****";
    }
    e.text = shown;
    if (shown != line) e.clear_text = line;
    mail::record_protocol_event(*sim_, *sock_, protocol_, e, false);
  }
}

std::uint16_t BridgedDevice::bind_udp(std::function<void(Endpoint, std::string_view)> fn) {
  return sim_->transport().udp_bind_ephemeral(host(), std::move(fn));
}

void BridgedDevice::unbind_udp(std::uint16_t port) { sim_->transport().udp_unbind(host(), port); }

void BridgedDevice::send_udp(std::uint16_t port, Endpoint to, std::string_view bytes) {
  sim_->transport().udp_send(host(), port, to, bytes, "dns");
}

void BridgedDevice::note(const std::string& event, const std::string& summary, nlohmann::json detail) {
  Record r;
  r.kind = RecordKind::Note;
  r.event = event;
  r.host = host();
  r.summary = summary;
  r.detail = std::move(detail);
  sim_->record(std::move(r));
}

}  // namespace mailsim::sim
