// Test tool: the POP3 and IMAP server engines behind real sockets on 127.0.0.1, so curl and
// Python's poplib/imaplib can check them. Prints "pop3 P imap Q", serves until stdin closes
// or nothing happens for 20 s. User alice, password wonderland; INBOX holds one message,
// Sent, Drafts and Trash exist. Only for tests: mailsim itself opens sockets in bridge/.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocols/imap/memory_store.hpp"
#include "protocols/imap/server.hpp"
#include "protocols/pop3/server.hpp"

namespace pop3 = mailsim::pop3;
namespace imap = mailsim::imap;

namespace {

const std::string kMessage =
    "From: shiroyagi@example.com\r\nTo: alice@hogehoge.com\r\nSubject: hello\r\n"
    "Date: Mon, 07 Dec 2026 09:00:00 +0900\r\nMessage-ID: <1@example.com>\r\n\r\nHello from the loopback.\r\n";

// One maildrop, one message, never changed (DELE is answered but QUIT commits nothing).
class Pop3Backend : public pop3::ServerBackend {
 public:
  bool authenticate(std::string_view user, std::string_view password) override {
    return user == "alice" && password == "wonderland";
  }
  std::optional<std::string> apop_secret(std::string_view) override { return std::nullopt; }
  bool lock_maildrop(std::string_view) override { return true; }
  std::vector<pop3::MessageInfo> snapshot() override { return {{kMessage.size(), "msg-1"}}; }
  std::optional<std::string> retrieve(std::size_t i) override {
    if (i != 0) return std::nullopt;
    return kMessage;
  }
  bool commit_deletions(const std::vector<std::size_t>&) override { return true; }
  void unlock() override {}
};

struct Session {
  std::unique_ptr<Pop3Backend> backend;
  std::unique_ptr<pop3::ServerSession> pop;
  std::unique_ptr<imap::ServerSession> imap;
  void receive(std::string_view b) { pop ? pop->receive(b) : imap->receive(b); }
  std::string take_output() { return pop ? pop->take_output() : imap->take_output(); }
  bool closed() const { return pop ? pop->closed() : imap->closed(); }
};

int listen_loopback() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 8) != 0) std::exit(2);
  return fd;
}

unsigned port_of(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

bool send_all(int fd, const std::string& out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main() {
  imap::MemoryStore store;
  store.add_user("alice", "wonderland");
  store.deliver("alice", "INBOX", kMessage, 1796601600);
  for (const char* box : {"Sent", "Drafts", "Trash", "Projects"}) store.create_mailbox("alice", box);
  const int pop_fd = listen_loopback();
  const int imap_fd = listen_loopback();
  std::printf("pop3 %u imap %u\n", port_of(pop_fd), port_of(imap_fd));
  std::fflush(stdout);

  std::map<int, Session> sessions;
  for (;;) {
    std::vector<pollfd> fds = {{0, POLLIN, 0}, {pop_fd, POLLIN, 0}, {imap_fd, POLLIN, 0}};
    for (const auto& [fd, s] : sessions) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 20000) <= 0) return 0;
    if (fds[0].revents) return 0;  // stdin closed: the test is over
    for (const int listener : {1, 2}) {
      if (!(fds[static_cast<std::size_t>(listener)].revents & POLLIN)) continue;
      const int c = accept(fds[static_cast<std::size_t>(listener)].fd, nullptr, nullptr);
      if (c < 0) continue;
      Session s;
      if (listener == 1) {
        s.backend = std::make_unique<Pop3Backend>();
        pop3::ServerConfig cfg;
        cfg.host = "pop.hogehoge.com";
        s.pop = std::make_unique<pop3::ServerSession>(cfg, *s.backend);
      } else {
        imap::ServerConfig cfg;
        cfg.host = "imap.hogehoge.com";
        cfg.starttls_available = false;
        s.imap = std::make_unique<imap::ServerSession>(store, cfg);
      }
      if (send_all(c, s.take_output())) {
        sessions.emplace(c, std::move(s));
      } else {
        close(c);
      }
    }
    for (std::size_t i = 3; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      const int fd = fds[i].fd;
      auto& s = sessions.at(fd);
      char buf[4096];
      const ssize_t n = read(fd, buf, sizeof buf);
      bool ok = n > 0;
      if (ok) {
        s.receive(std::string_view(buf, static_cast<std::size_t>(n)));
        ok = send_all(fd, s.take_output()) && !s.closed();
      }
      if (!ok) {
        close(fd);
        sessions.erase(fd);
      }
    }
  }
}
