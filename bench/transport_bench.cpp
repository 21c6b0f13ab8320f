// Stream transport throughput (simulated payload bytes per wall-clock second), connection
// rate, and a memcpy of the same byte count as the reference.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/simulation.hpp"

namespace {

using namespace mailsim::sim;

constexpr std::uint64_t kSeed = 7;
constexpr std::size_t kChunk = 16 * 1024;  // the client hands the payload to send() in these
constexpr std::uint16_t kPort = 9;         // "discard"

// Two hosts in different networks (a home ISP and a data centre, 20 ms Internet between).
void build_world(Simulation& s) {
  NetworkInfo isp;
  isp.id = "isp";
  isp.kind = "access";
  isp.cidr = *Cidr::parse("192.0.2.0/24");
  isp.latency = 5 * kMilli;
  NetworkInfo dc;
  dc.id = "dc";
  dc.kind = "datacenter";
  dc.cidr = *Cidr::parse("198.51.100.0/24");
  dc.latency = 1 * kMilli;
  s.network().add_network(isp);
  s.network().add_network(dc);
  s.network().set_internet_latency(20 * kMilli);
  s.network().add_host(HostInfo{"pc", "pc", "PC", "", "isp", *Ipv4::parse("192.0.2.130")});
  s.network().add_host(HostInfo{"server", "server", "Server", "", "dc", *Ipv4::parse("198.51.100.25")});
}

// A server that counts what it receives and closes when the client does.
struct Sink {
  std::size_t received = 0;
  void listen(Simulation& s) {
    s.transport().listen("server", kPort, [this](SocketPtr p) {
      TcpSocket* sock = p.get();  // the transport owns the socket; no cycle through the callbacks
      sock->on_data = [this](std::string_view b) { received += b.size(); };
      sock->on_peer_closed = [sock] { sock->close(); };
    });
  }
};

Endpoint server_endpoint() { return Endpoint{*Ipv4::parse("198.51.100.25"), kPort}; }

// ---- reference ----------------------------------------------------------------------------

void RefMemcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::string src(n, 'm');
  std::string dst(n, '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// ---- one stream -----------------------------------------------------------------------------

// Args: MSS, payload bytes. One simulation per iteration: connect, send the payload in
// 16 KiB chunks, close; the server reads everything and closes too.
void TransportStream(benchmark::State& state) {
  const auto mss = static_cast<std::uint32_t>(state.range(0));
  const auto size = static_cast<std::size_t>(state.range(1));
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);  // printable, like mail
  std::size_t records = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    TransportSettings ts;
    ts.mss = mss;
    Simulation s(kSeed, ts);
    build_world(s);
    Sink sink;
    sink.listen(s);
    SocketPtr c = s.transport().connect("pc", server_endpoint());
    TcpSocket* cp = c.get();
    cp->on_connected = [cp, &payload] {
      const std::string_view all(payload);
      for (std::size_t off = 0; off < all.size(); off += kChunk) cp->send(all.substr(off, kChunk));
      cp->close();
    };
    s.core().run();
    if (sink.received != size) state.SkipWithError("the payload did not arrive whole");
    records = s.trace().size();
    events = s.core().executed();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
  const double mb = static_cast<double>(size) / 1e6;
  state.counters["records_per_MB"] = static_cast<double>(records) / mb;
  state.counters["events_per_MB"] = static_cast<double>(events) / mb;
}

// ---- many short connections -----------------------------------------------------------------

// Arg: connections. One simulation per iteration; each connection opens, sends 100 bytes
// and closes; the next one opens when the previous one is closed.
struct Dialer {
  Simulation* sim;
  std::size_t left;
  std::size_t closed = 0;
  std::string message = std::string(100, 'x');
  void next() {
    if (left == 0) return;
    --left;
    SocketPtr c = sim->transport().connect("pc", server_endpoint());
    TcpSocket* cp = c.get();
    cp->on_connected = [this, cp] {
      cp->send(message);
      cp->close();
    };
    cp->on_closed = [this] {
      ++closed;
      next();
    };
  }
};

void TransportConnections(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::size_t records = 0;
  for (auto _ : state) {
    Simulation s(kSeed);
    build_world(s);
    Sink sink;
    sink.listen(s);
    Dialer d{&s, n};
    d.next();
    s.core().run();
    if (d.closed != n || sink.received != n * 100) state.SkipWithError("a connection went wrong");
    records = s.trace().size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
  state.counters["records_per_conn"] = static_cast<double>(records) / static_cast<double>(n);
}

}  // namespace

BENCHMARK(RefMemcpy)->Arg(64 * 1024)->Arg(1024 * 1024);
BENCHMARK(TransportStream)->ArgNames({"mss", "bytes"})->ArgsProduct({{536, 1460}, {64 * 1024, 1024 * 1024}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(TransportConnections)->Arg(200)->Unit(benchmark::kMillisecond);
