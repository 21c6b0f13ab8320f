// The bridge's event loop: standalone asio on one thread moves bytes between real sockets on
// 127.0.0.1 and the bridged device's simulated streams, and paces virtual time to the wall clock.
// Nothing here decides anything about mail: the simulated servers do, and the trace shows it.
#include "bridge/bridge.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <deque>
#include <map>
#include <ostream>
#include <set>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <nlohmann/json.hpp>

#include "bridge/tls.hpp"
#include "sim/apps/bridged_device.hpp"
#include "sim/core/simulation.hpp"

namespace mailsim::bridge {

using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kEventsPerSlice = 20000;      // then the sockets get a turn
constexpr auto kLongestSleep = std::chrono::milliseconds(200);
constexpr std::size_t kMaxDatagram = 4096;             // a DNS query from a real client
constexpr std::size_t kReadChunk = 16 * 1024;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The protocol's own words for a client the bridge cuts off.
std::string cut_off_line(const std::string& protocol, const std::string& why) {
  if (protocol == "smtp") {
    if (why == "line") return "500 5.5.2 Line too long, closing connection\r\n";
    if (why == "busy") return "421 4.7.0 Too many connections from your address, try again later\r\n";
    if (why == "bytes") return "552 5.3.4 Too much data on one connection through the bridge, closing connection\r\n";
    return "421 4.4.2 Idle for too long, closing connection\r\n";
  }
  if (protocol == "pop3") {
    if (why == "line") return "-ERR Line too long, closing connection\r\n";
    if (why == "busy") return "-ERR [SYS/TEMP] Too many connections from your address\r\n";
    if (why == "bytes") return "-ERR Too much data, closing connection\r\n";
    return "-ERR Autologout: idle for too long\r\n";
  }
  if (protocol == "imap") {
    if (why == "line") return "* BYE Line too long\r\n";
    if (why == "busy") return "* BYE [UNAVAILABLE] Too many connections from your address\r\n";
    if (why == "bytes") return "* BYE Too much data on one connection\r\n";
    return "* BYE Autologout; idle for too long\r\n";
  }
  return {};
}

bool is_starttls_command(const std::string& protocol, std::string line, std::string& tag) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  line = lower(line);
  if (protocol == "smtp") return line == "starttls";
  if (protocol == "pop3") return line == "stls";
  if (protocol == "imap") {
    const auto sp = line.find(' ');
    if (sp == std::string::npos || sp == 0) return false;
    if (line.substr(sp + 1) != "starttls") return false;
    tag = line.substr(0, sp);
    return true;
  }
  return false;
}

// The server's answer to STARTTLS: 1 = go ahead, -1 = refused, 0 = not the final line yet.
int starttls_answer(const std::string& protocol, std::string line, const std::string& tag) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (protocol == "smtp") {
    if (line.size() >= 4 && line[3] == '-') return 0;
    return line.rfind("220", 0) == 0 ? 1 : -1;
  }
  if (protocol == "pop3") return line.rfind("+OK", 0) == 0 ? 1 : -1;
  if (protocol == "imap") {
    const std::string l = lower(line);
    if (l.rfind(tag + " ", 0) != 0) return 0;  // untagged lines come first
    return l.rfind(tag + " ok", 0) == 0 ? 1 : -1;
  }
  return -1;
}

}  // namespace

std::optional<std::string> choose_attach_network(const sim::Scenario& s, const std::string& name, std::string& why) {
  if (!name.empty()) {
    for (const auto& n : s.networks)
      if (n.id == name) return name;
    why = "--attach-to " + name + ": no such network (the scenario has:";
    for (const auto& n : s.networks) why += " " + n.id;
    why += ")";
    return std::nullopt;
  }
  for (const auto& n : s.networks)
    if (n.kind == "access") return n.id;
  if (!s.networks.empty()) return s.networks.front().id;
  why = "the scenario has no network to attach the bridged device to";
  return std::nullopt;
}

std::vector<std::string> default_exposed_hosts(const sim::Scenario& s) {
  std::vector<std::string> out;
  auto add = [&](const std::string& h) {
    if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  };
  for (const auto& h : s.hosts) {
    if (!h.mail_client) continue;
    for (const auto& a : h.mail_client->accounts) {
      add(a.smtp.server);
      if (a.incoming) add(a.incoming->server);
    }
    add(h.resolver);
  }
  return out;
}

struct Conn;

struct Listener {
  ExposedPort port;
  sim::Endpoint sim_endpoint;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<udp::socket> udp_socket;
  // DNS over UDP: each real client address gets a port of the bridged device for its answers.
  std::array<char, kMaxDatagram> datagram{};
  udp::endpoint sender;
  std::map<udp::endpoint, std::uint16_t> clients;
  std::deque<udp::endpoint> client_order;
  Clock::time_point second_start{};  // datagrams counted per wall-clock second
  std::size_t this_second = 0;
};

struct Bridge::Impl {
  Impl(const sim::Scenario& s, std::string d, BridgeOptions o)
      : scenario(s), device(std::move(d)), opt(std::move(o)) {}

  const sim::Scenario& scenario;
  std::string device;
  BridgeOptions opt;
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  std::unique_ptr<sim::ScenarioRun> run;
  sim::BridgedDevice* dev = nullptr;
  std::vector<ExposedPort> ports;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::set<std::shared_ptr<Conn>> conns;
  std::map<std::string, std::size_t> per_client;
  asio::steady_timer pump_timer{io}, sweep_timer{io}, end_timer{io};
  asio::signal_set signals{io};
  Clock::time_point wall0;
  bool pump_posted = false, stopping = false;
  std::string stop_reason;
  std::ostream* log = nullptr;
  std::filesystem::path ca_file;
  bool created_ca = false;
  sim::Time last_action = 0;
  std::uint64_t refused = 0;

  sim::Simulation& sim() { return run->sim(); }

  sim::Time vnow() const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - wall0).count();
    return static_cast<sim::Time>(static_cast<double>(us) * opt.speed);
  }
  Clock::time_point wall_of(sim::Time t) const {
    return wall0 + std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(t) / opt.speed));
  }

  // Brings the simulation up to the wall clock (in slices), so new input happens "now".
  void sync_clock() {
    if (!stopping && !run->stopped()) run->advance(vnow(), kEventsPerSlice);
  }
  void kick() {
    if (pump_posted || stopping) return;
    pump_posted = true;
    asio::post(io, [this] { pump(); });
  }
  void pump();
  void sweep();
  void stop(const std::string& why);
  void accept(Listener& l);
  void receive_datagram(Listener& l);
  bool idle() const;
  void note(const std::string& event, const std::string& summary, nlohmann::json detail = nlohmann::json::object()) {
    if (dev) dev->note(event, summary, std::move(detail));
    if (log) *log << "bridge: " << summary << "\n" << std::flush;
  }
};

// One real client's connection and its stream inside the simulation.
struct Conn : std::enable_shared_from_this<Conn> {
  Conn(Bridge::Impl& b_, Listener& l_, tcp::socket sock, std::string client_)
      : b(b_), l(l_), s(std::move(sock), b_.ssl), client(std::move(client_)), last_activity(Clock::now()) {}

  Bridge::Impl& b;
  Listener& l;
  asio::ssl::stream<tcp::socket> s;
  std::string client;
  sim::BridgedStreamPtr stream;
  bool real_tls = false, reading = false, writing = false, handshaking = false, handshake_after_write = false;
  bool client_eof = false, eof_sent = false, sim_closed = false, done = false, cut = false;
  bool starttls_wait = false, need_sim_tls = false, rst_on_close = false;
  std::string starttls_tag, to_sim, out, in_flight_write, client_line, server_line;
  std::size_t line_len = 0, received = 0;
  Clock::time_point last_activity;
  std::array<char, kReadChunk> buf{};

  const std::string& protocol() const { return l.port.protocol; }

  void start() {
    auto self = shared_from_this();
    const bool implicit = l.port.tls == "implicit";
    need_sim_tls = implicit;
    b.sync_clock();
    stream = b.dev->open(l.sim_endpoint, protocol(), implicit, client);
    std::weak_ptr<Conn> weak = self;
    stream->on_connected = [weak] {
      if (auto c = weak.lock()) c->flush_to_sim();
    };
    stream->on_tls_ready = [weak] {
      if (auto c = weak.lock()) c->flush_to_sim();
    };
    stream->on_data = [weak](std::string_view bytes) {
      if (auto c = weak.lock()) c->from_sim(bytes);
    };
    stream->on_closed = [weak](const std::string& why) {
      if (auto c = weak.lock()) c->sim_gone(why);
    };
    if (implicit) {
      handshake();
    } else {
      start_read();
    }
    b.kick();
  }

  void handshake() {
    handshaking = true;
    auto self = shared_from_this();
    s.async_handshake(asio::ssl::stream_base::server, [self](const asio::error_code& ec) {
      self->handshaking = false;
      if (self->done) return;
      if (ec) {
        if (self->b.log) *self->b.log << "bridge: TLS handshake with " << self->client << " failed: " << ec.message() << "\n";
        self->finish(true);
        return;
      }
      self->real_tls = true;
      self->last_activity = Clock::now();
      self->start_read();
      self->start_write();
    });
  }

  void start_read() {
    if (reading || handshaking || handshake_after_write || cut || client_eof || starttls_wait || done) return;
    if (to_sim.size() >= b.opt.limits.max_buffered) return;  // resumed by flush_to_sim
    reading = true;
    auto self = shared_from_this();
    auto h = [self](const asio::error_code& ec, std::size_t n) { self->on_read(ec, n); };
    if (real_tls) s.async_read_some(asio::buffer(buf), h);
    else s.next_layer().async_read_some(asio::buffer(buf), h);
  }

  void on_read(const asio::error_code& ec, std::size_t n) {
    reading = false;
    if (done) return;
    if (ec) {  // end of stream or an error: the client is gone (it may have sent everything first)
      client_eof = true;
      flush_to_sim();
      return;
    }
    last_activity = Clock::now();
    std::string_view data(buf.data(), n);
    received += n;
    if (received > b.opt.limits.max_bytes) {  // every byte becomes packets in the trace: keep the run's budget for others
      cut_off("bytes", "sent more than " + std::to_string(b.opt.limits.max_bytes >> 20) + " MiB on one connection");
      return;
    }
    if (protocol() != "dns") {
      for (std::size_t i = 0; i < data.size(); ++i) {
        const char c = data[i];
        if (c == '\n') {
          line_len = 0;
          std::string tag;
          if (!starttls_wait && !real_tls && !stream->in_data() && client_line.size() < 64 &&
              is_starttls_command(protocol(), client_line, tag)) {
            // Bytes after STARTTLS are never carried over into the protected stream (RFC 3207
            // section 5, the "STARTTLS injection" flaw): the client must wait for the answer.
            starttls_wait = true;
            starttls_tag = tag;
            data = data.substr(0, i + 1);
            client_line.clear();
            break;
          }
          client_line.clear();
        } else {
          if (++line_len > b.opt.limits.max_line) {
            to_sim.append(data.substr(0, i));
            cut_off("line", "a line longer than " + std::to_string(b.opt.limits.max_line) + " bytes");
            return;
          }
          if (client_line.size() < 64) client_line += c;
        }
      }
    }
    to_sim.append(data);
    b.sync_clock();
    flush_to_sim();
    start_read();
  }

  // Moves the client's bytes into the simulation as far as its window allows.
  void flush_to_sim() {
    if (done || !stream || stream->finished()) return;
    if (!stream->connected() || (need_sim_tls && !stream->tls_ready())) return;
    const std::size_t window = b.opt.limits.sim_window, flying = stream->in_flight();
    if (!to_sim.empty() && flying < window) {
      const std::size_t n = std::min(to_sim.size(), window - flying);
      stream->send(std::string_view(to_sim).substr(0, n));
      to_sim.erase(0, n);
      b.kick();
    }
    if (client_eof && to_sim.empty() && !eof_sent) {
      eof_sent = true;
      stream->close();
      b.kick();
    }
    if (to_sim.size() < b.opt.limits.max_buffered / 2) start_read();
  }

  void from_sim(std::string_view bytes) {
    if (done || cut) return;
    if (starttls_wait) {
      for (char c : bytes) {
        if (!starttls_wait) break;  // anything after a positive answer would be plaintext injection
        server_line += c;
        if (c != '\n') continue;
        const int a = starttls_answer(protocol(), server_line, starttls_tag);
        out += server_line;
        server_line.clear();
        if (a == 1) {
          starttls_wait = false;
          handshake_after_write = true;
          need_sim_tls = true;
          stream->start_tls();  // the simulated server waits for the ClientHello now
          b.kick();
        } else if (a == -1) {
          starttls_wait = false;
          start_read();
        }
      }
    } else {
      out.append(bytes);
    }
    if (out.size() > b.opt.limits.max_unsent) {
      note_cut("unread", "does not read its answers (" + std::to_string(out.size()) + " bytes waiting)");
      stream->abort();
      finish(true);
      return;
    }
    start_write();
  }

  void start_write() {
    if (writing || handshaking || done) return;
    if (out.empty()) {
      if (handshake_after_write) {
        handshake_after_write = false;
        handshake();
      } else if (sim_closed || cut) {
        finish(rst_on_close);
      }
      return;
    }
    writing = true;
    in_flight_write = std::move(out);
    out.clear();
    auto self = shared_from_this();
    auto h = [self](const asio::error_code& ec, std::size_t) {
      self->writing = false;
      self->in_flight_write.clear();
      if (self->done) return;
      if (ec) {
        self->finish(true);
        return;
      }
      self->last_activity = Clock::now();
      self->start_write();
    };
    if (real_tls) asio::async_write(s, asio::buffer(in_flight_write), h);
    else asio::async_write(s.next_layer(), asio::buffer(in_flight_write), h);
  }

  void sim_gone(const std::string& why) {
    sim_closed = true;
    // A connection that never got through (timed out at a border, refused) ends with a reset,
    // which a real client reports as the connection failing.
    if (!stream->connected()) rst_on_close = true;
    if (b.log && why != "closed") *b.log << "bridge: " << client << ": simulated connection ended: " << why << "\n";
    start_write();
  }

  void note_cut(const std::string& event, const std::string& what) {
    b.note("bridge_" + event, "the bridge cuts off a real client (" + client + ") that " + what,
           {{"client", client}, {"limit", event}, {"port", l.port.sim_port}, {"host", l.port.host}});
  }

  // Ends the client with the protocol's own error line; the simulated server sees a reset.
  void cut_off(const std::string& why, const std::string& what) {
    if (cut || done) return;
    cut = true;
    note_cut(why == "line" ? "flood" : why == "bytes" ? "volume" : why, what);
    out += cut_off_line(protocol(), why);
    if (stream && !stream->finished()) stream->abort();
    b.kick();
    start_write();
  }

  void finish(bool reset) {
    if (done) return;
    done = true;
    asio::error_code ignored;
    if (reset) s.next_layer().set_option(asio::socket_base::linger(true, 0), ignored);
    else s.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    s.next_layer().close(ignored);
    if (stream && !stream->finished()) {
      if (to_sim.empty() && !reset) stream->close();
      else stream->abort();
      b.kick();
    }
    auto it = b.per_client.find(client_address());
    if (it != b.per_client.end() && it->second > 0 && --it->second == 0) b.per_client.erase(it);
    auto self = shared_from_this();
    asio::post(b.io, [self] { self->b.conns.erase(self); });
  }

  std::string client_address() const { return client.substr(0, client.rfind(':')); }
};

void Bridge::Impl::pump() {
  pump_posted = false;
  if (stopping) return;
  const sim::Time target = vnow();
  const bool alive = run->advance(target, kEventsPerSlice);
  for (const auto& c : std::vector<std::shared_ptr<Conn>>(conns.begin(), conns.end())) c->flush_to_sim();
  if (!alive) {
    stop("the run budget ran out");
    return;
  }
  if (opt.exit_when_idle && idle()) {
    stop("the timeline is over and no client is connected (--exit-when-idle)");
    return;
  }
  const sim::Time next = sim().core().next_time();
  if (next >= 0 && next <= target) {
    kick();  // more events are due: after the sockets' turn
    return;
  }
  auto wait = next < 0 ? Clock::duration(kLongestSleep) : wall_of(next) - Clock::now();
  wait = std::clamp(wait, Clock::duration::zero(), Clock::duration(kLongestSleep));
  pump_timer.expires_after(wait);
  pump_timer.async_wait([this](const asio::error_code& ec) {
    if (!ec) kick();
  });
}

bool Bridge::Impl::idle() const {
  if (!conns.empty()) return false;
  const sim::Time now = run->sim().now();
  if (now < last_action) return false;
  const sim::Time next = const_cast<sim::ScenarioRun&>(*run).sim().core().next_time();
  return next < 0 || next > scenario.run_for;
}

void Bridge::Impl::sweep() {
  if (stopping) return;
  const auto now = Clock::now();
  for (const auto& c : std::vector<std::shared_ptr<Conn>>(conns.begin(), conns.end()))
    if (!c->done && !c->cut && now - c->last_activity > opt.limits.idle_timeout)
      c->cut_off("idle", "was idle for longer than " + std::to_string(opt.limits.idle_timeout.count() / 1000) + " s");
  sweep_timer.expires_after(std::chrono::seconds(1));
  sweep_timer.async_wait([this](const asio::error_code& ec) {
    if (!ec) sweep();
  });
}

void Bridge::Impl::stop(const std::string& why) {
  if (stopping) return;
  stopping = true;
  stop_reason = why;
  if (log) *log << "bridge: stopping: " << why << "\n" << std::flush;
  asio::error_code ignored;
  for (auto& l : listeners) {
    if (l->acceptor) l->acceptor->close(ignored);
    if (l->udp_socket) l->udp_socket->close(ignored);
  }
  for (const auto& c : std::vector<std::shared_ptr<Conn>>(conns.begin(), conns.end())) {
    c->done = true;
    c->s.next_layer().close(ignored);
  }
  pump_timer.cancel();
  sweep_timer.cancel();
  end_timer.cancel();
  signals.cancel();
  io.stop();
}

void Bridge::Impl::accept(Listener& l) {
  l.acceptor->async_accept([this, &l](const asio::error_code& ec, tcp::socket sock) {
    if (stopping) return;
    if (ec) {
      if (ec != asio::error::operation_aborted) accept(l);
      return;
    }
    asio::error_code e2;
    const auto remote = sock.remote_endpoint(e2);
    const std::string client = e2 ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
    const std::string address = e2 ? client : remote.address().to_string();
    auto& count = per_client[address];
    if (count >= opt.limits.connections_per_client) {
      ++refused;
      sync_clock();
      note("bridge_busy",
           "the bridge turns away a real client (" + client + "): more than " +
               std::to_string(opt.limits.connections_per_client) + " connections from " + address,
           {{"client", client}, {"limit", "connections"}, {"port", l.port.sim_port}, {"host", l.port.host}});
      // Said in the clear on plain ports; an implicit-TLS port just closes.
      auto line = std::make_shared<std::string>(l.port.tls == "implicit" ? std::string() : cut_off_line(l.port.protocol, "busy"));
      auto sp = std::make_shared<tcp::socket>(std::move(sock));
      asio::async_write(*sp, asio::buffer(*line), [sp, line](const asio::error_code&, std::size_t) {
        asio::error_code ignored;
        sp->shutdown(tcp::socket::shutdown_both, ignored);
        sp->close(ignored);
      });
      accept(l);
      return;
    }
    ++count;
    sock.set_option(tcp::no_delay(true), e2);
    auto c = std::make_shared<Conn>(*this, l, std::move(sock), client);
    conns.insert(c);
    if (log) *log << "bridge: " << client << " connects to " << l.port.name << " port " << l.port.sim_port << "\n";
    c->start();
    accept(l);
  });
}

void Bridge::Impl::receive_datagram(Listener& l) {
  l.udp_socket->async_receive_from(asio::buffer(l.datagram), l.sender, [this, &l](const asio::error_code& ec, std::size_t n) {
    if (stopping) return;
    if (ec) {
      if (ec != asio::error::operation_aborted) receive_datagram(l);
      return;
    }
    const auto now = Clock::now();
    if (now - l.second_start >= std::chrono::seconds(1)) {
      l.second_start = now;
      l.this_second = 0;
    }
    if (++l.this_second > opt.limits.udp_per_second) {  // dropped, as a busy server would (DNS clients retry)
      if (l.this_second == opt.limits.udp_per_second + 1) {
        sync_clock();
        note("bridge_dns_flood",
             "the bridge drops DNS queries over " + std::to_string(opt.limits.udp_per_second) + " a second",
             {{"client", l.sender.address().to_string() + ":" + std::to_string(l.sender.port())},
              {"limit", "datagrams"}, {"port", l.port.sim_port}, {"host", l.port.host}});
      }
      receive_datagram(l);
      return;
    }
    sync_clock();
    auto it = l.clients.find(l.sender);
    if (it == l.clients.end()) {
      if (l.client_order.size() >= opt.limits.udp_clients) {  // forget the oldest client
        auto old = l.clients.find(l.client_order.front());
        if (old != l.clients.end()) {
          dev->unbind_udp(old->second);
          l.clients.erase(old);
        }
        l.client_order.pop_front();
      }
      const udp::endpoint to = l.sender;
      Listener* lp = &l;
      const std::uint16_t port = dev->bind_udp([this, lp, to](sim::Endpoint, std::string_view bytes) {
        if (stopping || !lp->udp_socket) return;
        auto data = std::make_shared<std::string>(bytes);
        lp->udp_socket->async_send_to(asio::buffer(*data), to, [data](const asio::error_code&, std::size_t) {});
      });
      it = l.clients.emplace(l.sender, port).first;
      l.client_order.push_back(l.sender);
    }
    dev->send_udp(it->second, l.sim_endpoint, std::string_view(l.datagram.data(), n));
    kick();
    receive_datagram(l);
  });
}

Bridge::Bridge(const sim::Scenario& scenario, std::string device, BridgeOptions options)
    : impl_(std::make_unique<Impl>(scenario, std::move(device), std::move(options))) {}

Bridge::~Bridge() = default;

const std::vector<ExposedPort>& Bridge::ports() const { return impl_->ports; }
const std::filesystem::path& Bridge::ca_file() const { return impl_->ca_file; }
bool Bridge::created_ca() const { return impl_->created_ca; }
const std::string& Bridge::stop_reason() const { return impl_->stop_reason; }

std::string Bridge::device_ip() const {
  const sim::HostInfo* h = impl_->run->sim().network().host(impl_->device);
  return h ? h->ip.str() : std::string();
}

bool Bridge::open(std::string& why) {
  Impl& m = *impl_;
  sim::RunOptions ro;
  ro.before_start = [&m](sim::Simulation& sim, sim::mail::MailWorld&) {
    auto app = std::make_unique<sim::BridgedDevice>(m.device);
    m.dev = app.get();
    sim.add_app(std::move(app));
  };
  m.run = std::make_unique<sim::ScenarioRun>(m.scenario, ro);
  m.run->stop_at_run_for = false;  // the bridge runs until it is stopped
  for (const auto& a : m.scenario.timeline) m.last_action = std::max(m.last_action, a.at);

  // Which hosts, and each one's services that listen once the world has started.
  std::vector<std::string> hosts = m.opt.expose.empty() ? default_exposed_hosts(m.scenario) : m.opt.expose;
  if (hosts.empty()) {
    why = "nothing to expose: no device of the scenario uses a server (name hosts with --expose HOST)";
    return false;
  }
  std::set<std::uint16_t> taken;
  std::set<std::string> exposed;
  std::vector<std::string> cert_names;
  for (const auto& id : hosts) {
    const sim::HostSpec* h = nullptr;
    for (const auto& hs : m.scenario.hosts)
      if (hs.info.id == id) h = &hs;
    for (const auto& hs : m.scenario.hosts)  // or its mail server's name, as a person types it
      if (!h && hs.mail_server && lower(hs.mail_server->hostname) == lower(id)) h = &hs;
    if (!h) {
      why = "--expose " + id + ": no such host in the scenario (its hosts:";
      for (const auto& hs : m.scenario.hosts)
        if (hs.info.id != m.device) why += " " + hs.info.id;
      why += ")";
      return false;
    }
    if (h->info.id == m.device) {
      why = "--expose " + id + ": that is the bridged device itself";
      return false;
    }
    const std::string host_id = h->info.id;
    if (!exposed.insert(host_id).second) continue;  // named twice
    std::vector<ExposedPort> mine;
    auto add = [&](std::string service, std::string protocol, std::string transport, std::string tls, std::uint16_t port) {
      ExposedPort p;
      p.host = host_id;
      p.name = h->info.name.empty() ? host_id : h->info.name;
      p.service = std::move(service);
      p.protocol = std::move(protocol);
      p.transport = std::move(transport);
      p.tls = std::move(tls);
      p.sim_port = port;
      mine.push_back(std::move(p));
    };
    if (h->mail_server) {
      cert_names.push_back(h->mail_server->hostname);
      for (const auto& ls : h->mail_server->listeners) {
        if (!m.run->sim().transport().listening(host_id, ls.port)) continue;
        const std::string& role = ls.role;
        const bool implicit = role == "submissions" || role == "pop3s" || role == "imaps";
        const std::string protocol = role.rfind("pop3", 0) == 0 ? "pop3" : role.rfind("imap", 0) == 0 ? "imap" : "smtp";
        const std::string service = role == "mx" ? "smtp" : role;
        add(service, protocol, "tcp", implicit ? "implicit" : ls.starttls ? "starttls" : "none", ls.port);
      }
    }
    if (h->dns_server) {
      add("dns", "dns", "udp", "none", 53);
      if (m.run->sim().transport().listening(host_id, 53)) add("dns", "dns", "tcp", "none", 53);
    }
    if (mine.empty()) {
      why = "--expose " + id + ": the host runs no mail or DNS service to expose";
      return false;
    }
    cert_names.push_back(host_id);
    for (auto& p : mine) {
      if (!m.opt.ephemeral_ports) {
        int local = p.sim_port + m.opt.port_offset;
        while (local <= 65535 && taken.count(static_cast<std::uint16_t>(local)) && p.transport == "tcp") local += 1000;
        if (local > 65535 || local < 1) {
          why = "port " + std::to_string(p.sim_port) + " + offset " + std::to_string(m.opt.port_offset) +
                " is not a port (use a smaller --port-offset)";
          return false;
        }
        p.local_port = static_cast<std::uint16_t>(local);
        if (p.transport == "tcp") taken.insert(p.local_port);
      }
      m.ports.push_back(p);
    }
  }
  for (const auto& z : m.scenario.zones)
    for (const auto& r : z.zone.records) cert_names.push_back(r.name.to_string_no_dot());

  // TLS: the local CA's server certificate (or a self-signed one).
  const bool any_tls = std::any_of(m.ports.begin(), m.ports.end(), [](const ExposedPort& p) { return p.tls != "none"; });
  if (any_tls) {
    auto id = make_tls_identity(cert_names, m.opt.ca_dir.empty() ? default_ca_dir() : m.opt.ca_dir,
                                m.opt.insecure_selfsigned, why);
    if (!id) return false;
    m.ca_file = id->ca_file;
    m.created_ca = id->created_ca;
    asio::error_code ec;
    m.ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    m.ssl.use_certificate_chain(asio::buffer(id->cert_chain_pem), ec);
    if (!ec) m.ssl.use_private_key(asio::buffer(id->key_pem), asio::ssl::context::pem, ec);
    if (ec) {
      why = "cannot load the server certificate: " + ec.message();
      return false;
    }
  }

  // Sockets: 127.0.0.1 only, never another address.
  const auto loopback = asio::ip::make_address_v4("127.0.0.1");
  for (auto& p : m.ports) {
    auto l = std::make_unique<Listener>();
    const sim::HostInfo* hi = m.run->sim().network().host(p.host);
    l->sim_endpoint = sim::Endpoint{hi->ip, p.sim_port};
    asio::error_code ec;
    if (p.transport == "tcp") {
      l->acceptor = std::make_unique<tcp::acceptor>(m.io);
      l->acceptor->open(tcp::v4(), ec);
      if (!ec) l->acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) l->acceptor->bind(tcp::endpoint(loopback, p.local_port), ec);
      if (!ec) l->acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (!ec) p.local_port = l->acceptor->local_endpoint(ec).port();
    } else {
      l->udp_socket = std::make_unique<udp::socket>(m.io);
      l->udp_socket->open(udp::v4(), ec);
      if (!ec) l->udp_socket->bind(udp::endpoint(loopback, p.local_port), ec);
      if (!ec) p.local_port = l->udp_socket->local_endpoint(ec).port();
    }
    if (ec) {
      why = "cannot listen on 127.0.0.1:" + std::to_string(p.local_port) + " (" + p.transport + ") for " + p.host +
            " port " + std::to_string(p.sim_port) + ": " + ec.message() + " (try another --port-offset)";
      return false;
    }
    l->port = p;
    m.listeners.push_back(std::move(l));
  }
  // Ctrl-C is caught from here on (before anyone is told where to connect), and handled by run().
  if (m.opt.handle_signals) {
    m.signals.add(SIGINT);
    m.signals.add(SIGTERM);
  }
  return true;
}

std::string Bridge::ready_line() const {
  const Impl& m = *impl_;
  nlohmann::json ports = nlohmann::json::array();
  for (const auto& p : m.ports)
    ports.push_back({{"host", p.host}, {"name", p.name}, {"service", p.service}, {"protocol", p.protocol},
                     {"transport", p.transport}, {"tls", p.tls}, {"sim_port", p.sim_port}, {"port", p.local_port},
                     {"address", "127.0.0.1"}});
  nlohmann::json j = {{"bridge", "ready"},
                      {"scenario", m.scenario.name},
                      {"device", m.device},
                      {"device_ip", device_ip()},
                      {"ca_file", m.ca_file.string()},
                      {"ports", ports}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Bridge::start(std::ostream& log) {
  Impl& m = *impl_;
  m.log = &log;
  m.wall0 = Clock::now();
  for (auto& l : m.listeners) {
    if (l->acceptor) m.accept(*l);
    if (l->udp_socket) m.receive_datagram(*l);
  }
  if (m.opt.handle_signals) {
    m.signals.async_wait([&m](const asio::error_code& ec, int sig) {
      if (!ec) m.stop(sig == SIGINT ? "interrupted (Ctrl-C)" : "terminated");
    });
  }
  if (m.opt.run_for) {
    m.end_timer.expires_after(*m.opt.run_for);
    m.end_timer.async_wait([&m](const asio::error_code& ec) {
      if (!ec) m.stop("the time given with --for is over");
    });
  }
  m.sweep();
  m.kick();
}

bool Bridge::poll() {
  Impl& m = *impl_;
  if (m.stopping) return false;
  m.io.poll();
  return !m.stopping;
}

void Bridge::request_stop(const std::string& why) { impl_->stop(why); }

const sim::Trace& Bridge::trace() const { return impl_->run->sim().trace(); }

sim::RunResult Bridge::finish() {
  Impl& m = *impl_;
  if (!m.stopping) m.stop("the event loop ran out of work");
  // Let the cancelled operations finish (every connection is done, so they only let go).
  m.io.restart();
  m.io.poll();
  m.conns.clear();
  m.listeners.clear();
  return m.run->finish();
}

sim::RunResult Bridge::run(std::ostream& log) {
  start(log);
  impl_->io.run();
  return finish();
}

}  // namespace mailsim::bridge
