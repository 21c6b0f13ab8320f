// Fuzz target: arbitrary bytes to an IMAP server session on a memory store, logged in or not.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/imap/memory_store.hpp"
#include "protocols/imap/server.hpp"

namespace {

const char kMessage[] =
    "From: Bob <bob@example.org>\r\nTo: alice@example.net\r\nSubject: Hi\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
    "Hello\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--b--\r\n";

}  // namespace

// The first byte chooses the setup: bit 0 logs in first, bit 1 selects INBOX too, bit 2
// requires TLS for LOGIN, bit 3 feeds the rest in small chunks; a second session on the
// same mailbox is polled after every chunk so change reporting is exercised as well.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailsim::imap;
  if (size == 0) return 0;
  const unsigned mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  MemoryStore store;
  store.add_user("alice", "secret", 1u << 20);
  store.deliver("alice", "INBOX", kMessage, 1000000, {"\\Seen"});
  store.deliver("alice", "INBOX", "Subject: two\r\n\r\nsecond\r\n", 2000000);
  store.create_mailbox("alice", "Trash");
  ServerConfig cfg;
  cfg.login_requires_tls = (mode & 4) != 0;
  ServerSession server(store, cfg);
  ServerSession watcher(store);
  watcher.receive("w LOGIN alice secret\r\nw SELECT INBOX\r\nw IDLE\r\n");
  if (mode & 1) server.receive("p LOGIN alice secret\r\n");
  if (mode & 2) server.receive("p SELECT INBOX\r\n");
  const std::size_t chunk = (mode & 8) ? 1 + (mode >> 4) : input.size() + 1;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    server.receive(input.substr(at, chunk));
    if (server.tls_requested()) server.tls_established();
    watcher.poll();
    server.take_output();
    server.take_events();
    watcher.take_output();
  }
  return 0;
}
