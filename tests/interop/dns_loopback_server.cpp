// Test tool: the protocols/dns engine behind real sockets on 127.0.0.1 (UDP and TCP, one port),
// so dig can check it as it would check a real server. Prints "port N", serves until stdin
// closes or nothing happens for 20 s. Only for tests: mailsim itself opens sockets in bridge/.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "protocols/dns/dns.hpp"

namespace dns = mailsim::dns;

namespace {

dns::Record rec(const std::string& text) {
  std::string error;
  auto r = dns::parse_record(text, error);
  if (!r) {
    std::fprintf(stderr, "bad record %s: %s\n", text.c_str(), error.c_str());
    std::exit(2);
  }
  return *r;
}

std::vector<dns::Zone> zones() {
  dns::Zone z;
  z.origin = dns::Name::of("hogehoge.com");
  z.soa = rec("hogehoge.com. 3600 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. 2026120701 7200 900 1209600 300");
  for (const char* line : {"hogehoge.com. 3600 IN NS ns1.hogehoge.com.", "ns1.hogehoge.com. 3600 IN A 203.0.113.53",
                           "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                           "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com.", "mx1.hogehoge.com. 3600 IN A 203.0.113.25",
                           "mx2.hogehoge.com. 3600 IN A 203.0.113.26", "www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
                           "web.hogehoge.com. 300 IN A 203.0.113.80"})
    z.records.push_back(rec(line));
  for (int i = 0; i < 20; ++i) {
    dns::Record t = rec("big.hogehoge.com. 300 IN TXT \"x\"");
    std::get<dns::TxtData>(t.data).strings = {"line " + std::to_string(i) + " " + std::string(90, 'z')};
    z.records.push_back(t);
  }
  return {z};
}

}  // namespace

int main() {
  const auto served = zones();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  if (udp < 0 || bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 2;
  socklen_t len = sizeof addr;
  getsockname(udp, reinterpret_cast<sockaddr*>(&addr), &len);
  const int tcp = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (tcp < 0 || bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(tcp, 8) != 0) return 2;
  std::printf("port %u\n", ntohs(addr.sin_port));
  std::fflush(stdout);

  std::map<int, dns::TcpMessageReader> clients;
  for (;;) {
    std::vector<pollfd> fds = {{0, POLLIN, 0}, {udp, POLLIN, 0}, {tcp, POLLIN, 0}};
    for (const auto& [fd, reader] : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 20000) <= 0) return 0;
    if (fds[0].revents) return 0;  // stdin closed: the test is over
    if (fds[1].revents & POLLIN) {
      char buf[65536];
      sockaddr_in from{};
      socklen_t flen = sizeof from;
      const ssize_t n = recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n > 0) {
        if (auto out = dns::answer_packet(served, std::string_view(buf, static_cast<std::size_t>(n)), false))
          sendto(udp, out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
      }
    }
    if (fds[2].revents & POLLIN) {
      const int c = accept(tcp, nullptr, nullptr);
      if (c >= 0) clients[c];
    }
    for (std::size_t i = 3; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      const int fd = fds[i].fd;
      char buf[4096];
      const ssize_t n = read(fd, buf, sizeof buf);
      auto& reader = clients[fd];
      bool ok = n > 0 && reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      while (ok) {
        auto message = reader.next();
        if (!message) break;
        if (auto out = dns::answer_packet(served, *message, true)) {
          const std::string framed = dns::frame_tcp(*out);
          ok = write(fd, framed.data(), framed.size()) == static_cast<ssize_t>(framed.size());
        }
      }
      if (!ok || reader.failed()) {
        close(fd);
        clients.erase(fd);
      }
    }
  }
}
