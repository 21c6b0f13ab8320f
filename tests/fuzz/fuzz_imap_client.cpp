// Fuzz target: arbitrary server bytes into the IMAP client, whole, byte by byte and with requests.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/imap/client.hpp"

using mailsim::imap::ClientConfig;
using mailsim::imap::ClientSession;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// A first byte below 0x20 selects the configuration; otherwise LOGIN without TLS.
ClientConfig config_for(std::string_view& input) {
  ClientConfig c;
  c.user = "alice";
  c.password = "secret";
  if (!input.empty() && static_cast<unsigned char>(input[0]) < 0x20) {
    const auto flags = static_cast<unsigned char>(input[0]);
    input.remove_prefix(1);
    c.use_starttls = (flags & 1u) != 0;
    c.use_authenticate = (flags & 2u) != 0;
    c.implicit_tls = (flags & 4u) != 0;
    if (flags & 8u) c.mailbox = "Archive/2023";
  }
  return c;
}

void invariants(const ClientSession& c) {
  check(c.sequence().size() <= mailsim::imap::kMaxMailboxMessages);
  for (const auto& [uid, m] : c.messages()) check(uid != 0 && m.uid == uid);
}

// Feeds `input` in chunks of `chunk`; returns everything the client sent.
std::string feed(ClientSession& c, std::string_view input, std::size_t chunk) {
  std::string sent = c.take_output();
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    c.receive(input.substr(pos, chunk));
    if (c.tls_requested() && !c.tls_active()) c.tls_established();
    sent += c.take_output();
    c.take_events();
    c.take_results();
    invariants(c);
  }
  return sent;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const ClientConfig config = config_for(input);

  // Whole and one octet at a time must say the same to the server (STARTTLS drops what was
  // buffered before the handshake, so there the split matters and only safety is checked).
  ClientSession whole(config);
  ClientSession bytewise(config);
  const std::string a = feed(whole, input, input.size() + 1);
  const std::string b = feed(bytewise, input, 1);
  if (!config.use_starttls) check(a == b);

  // With requests made along the way: after every line of input, the next of a fixed round
  // of requests once the sync is done, so that the responses meet each request's handler.
  ClientSession busy(config);
  busy.take_output();
  std::size_t pos = 0;
  unsigned turn = 0;
  while (pos < input.size()) {
    const auto nl = input.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? input.size() : nl + 1;
    busy.receive(input.substr(pos, end - pos));
    pos = end;
    if (busy.tls_requested() && !busy.tls_active()) busy.tls_established();
    if (busy.ready() && !busy.closed()) {
      const std::uint32_t uid = busy.messages().empty() ? 1 : busy.messages().begin()->first;
      switch (turn++ % 9) {
        case 0: busy.open(uid); break;
        case 1: busy.mark_read(uid); break;
        case 2: busy.mark_unread(uid); break;
        case 3: busy.delete_to_trash(uid); break;
        case 4: busy.idle(); break;
        case 5: busy.done(); break;
        case 6: busy.refresh(); break;
        case 7: busy.append("Sent", "Subject: x\r\n\r\nbody\r\n"); break;
        default: busy.command({"NOOP"}); break;
      }
    }
    busy.take_output();
    busy.take_events();
    busy.take_results();
    invariants(busy);
  }
  busy.logout();
  busy.connection_lost();
  check(busy.closed());
  // Every request made on a closed session fails at once instead of waiting forever.
  const auto id = busy.refresh();
  bool answered = false;
  for (const auto& r : busy.take_results()) answered = answered || (r.id == id && !r.ok);
  check(answered);
  whole.connection_lost();
  check(whole.closed());
  return 0;
}
