// Fuzz target: arbitrary client bytes into the POP3 server, whole and in small chunks.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/unit/protocols/pop3/pop3_fakes.hpp"

using namespace pop3_test;

namespace {

// A first byte below 0x20 selects the configuration; otherwise the defaults are used.
ServerConfig config_for(std::string_view& input) {
  ServerConfig c;
  c.max_bad_commands = 50;
  if (!input.empty() && static_cast<unsigned char>(input[0]) < 0x20) {
    const auto flags = static_cast<unsigned char>(input[0]);
    input.remove_prefix(1);
    if (flags & 1u) c.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
    c.offer_stls = (flags & 2u) != 0;
    c.allow_plaintext_login = (flags & 4u) == 0;
    c.implicit_tls = (flags & 8u) != 0;
    if (flags & 16u) c.max_bad_commands = 3;
  }
  return c;
}

void seed_store(FakeStore& store) {
  store.add_user("alice", "wonderland");
  store.add_user("mrose", "tanstaaf");
  store.deliver("alice", "Subject: one\r\n\r\n.dot\r\n", "u1");
  store.deliver("alice", "Subject: two\n\nbare LF\n.\n", "u2");
  store.deliver("alice", "no end", "u3");
  store.deliver("mrose", "Subject: hi\r\n\r\nbody\r\n", "m1");
}

struct Outcome {
  std::string output;
  bool tls = false;
  std::size_t messages_left = 0;
};

Outcome run(std::string_view input, const ServerConfig& config, std::size_t chunk) {
  FakeStore store;
  seed_store(store);
  FakeBackend backend(store);
  ServerSession server(config, backend);
  Outcome out;
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    server.receive(input.substr(pos, chunk));
    if (server.tls_requested()) {
      out.tls = true;
      server.tls_established();
    }
    out.output += server.take_output();
    server.take_events();
  }
  server.connection_lost();
  out.output += server.take_output();
  if (!server.closed()) std::abort();
  for (const auto& [user, box] : store.boxes) {
    if (box.locked) std::abort();  // every lock is released once the session is closed
    out.messages_left += box.messages.size();
  }
  // Every reply line ends in CRLF.
  if (!out.output.empty() && out.output.substr(out.output.size() - 2) != "\r\n") std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const ServerConfig config = config_for(input);
  const Outcome whole = run(input, config, input.size() + 1);
  const Outcome small = run(input, config, 1 + size % 5);
  // Without STLS (which discards what was pipelined after it), the split must not matter.
  if (!whole.tls && !small.tls && (whole.output != small.output || whole.messages_left != small.messages_left))
    std::abort();
  return 0;
}
