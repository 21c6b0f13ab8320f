// Shared fixtures for the IMAP tests: a memory store with sample mail and feeding helpers.
#pragma once
#include <string>
#include <string_view>

#include "protocols/imap/client.hpp"
#include "protocols/imap/memory_store.hpp"
#include "protocols/imap/server.hpp"

namespace imaptest {


using mailsim::imap::MemoryStore;
using mailsim::imap::ServerSession;

// 1994-02-08 05:52:25 UTC
inline constexpr std::int64_t kDate1 = 760686745;
inline constexpr std::int64_t kDate2 = kDate1 + 86400;      // 1994-02-09
inline constexpr std::int64_t kDate3 = kDate1 + 2 * 86400;  // 1994-02-10

inline const std::string kMsg1 =
    "From: Bob Example <bob@example.org>\r\n"
    "To: Alice <alice@example.net>\r\n"
    "Subject: Lunch\r\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n";

inline const std::string kMsg2 =
    "From: carol@example.com\r\n"
    "To: alice@example.net\r\n"
    "Cc: Dave <dave@example.com>\r\n"
    "Subject: Quarterly report\r\n"
    "Date: Tue, 8 Feb 1994 10:00:00 +0000\r\n"
    "\r\n"
    "The numbers are attached. Please review them before Friday.\r\n";

inline const std::string kMsg3 =
    "From: Bob Example <bob@example.org>\r\n"
    "To: alice@example.net\r\n"
    "Subject: Photos\r\n"
    "Date: Wed, 9 Feb 1994 08:30:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Here are the photos.\r\n"
    "--XX\r\n"
    "Content-Type: image/png; name=\"a.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a.png\"\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--XX--\r\n";

// alice/secret with INBOX = {kMsg1 (\Seen), kMsg2, kMsg3}, plus Trash and Archive/2023.
inline void fill(MemoryStore& store) {
  store.add_user("alice", "secret");
  store.deliver("alice", "INBOX", kMsg1, kDate1, {"\\Seen"});
  store.deliver("alice", "INBOX", kMsg2, kDate2);
  store.deliver("alice", "INBOX", kMsg3, kDate3);
  store.create_mailbox("alice", "Trash");
  store.create_mailbox("alice", "Archive/2023");
}

// Feeds `input` and returns everything the server wrote.
inline std::string talk(ServerSession& s, std::string_view input) {
  s.receive(input);
  return s.take_output();
}

// Feeds one byte at a time.
inline std::string talk_bytes(ServerSession& s, std::string_view input) {
  for (char c : input) s.receive(std::string_view(&c, 1));
  return s.take_output();
}

// A server already past LOGIN (greeting and login reply discarded).
struct LoggedIn {
  MemoryStore store;
  ServerSession server;
  explicit LoggedIn(bool fill_store = true) : server(init(store, fill_store)) {
    server.take_output();
    server.receive("L LOGIN alice secret\r\n");
    server.take_output();
    server.take_events();
  }
  static MemoryStore& init(MemoryStore& s, bool fill_store) {
    if (fill_store) fill(s);
    else s.add_user("alice", "secret");
    return s;
  }
  std::string operator()(std::string_view input) { return talk(server, input); }
};

// A server with INBOX selected.
struct Selected : LoggedIn {
  Selected() {
    server.receive("S SELECT INBOX\r\n");
    server.take_output();
    server.take_events();
  }
};

}  // namespace imaptest

namespace imaptest {

// Moves bytes both ways until neither side has anything to say. Returns the transcript
// ("C: ..." / "S: ..." chunks) for debugging.
inline std::string pump(mailsim::imap::ClientSession& c, ServerSession& s, bool bytewise = false) {
  std::string transcript;
  for (int round = 0; round < 1000; ++round) {
    std::string to_client = s.take_output();
    std::string to_server = c.take_output();
    if (to_client.empty() && to_server.empty()) break;
    if (!to_client.empty()) {
      transcript += "S: " + to_client;
      if (bytewise) {
        for (char ch : to_client) c.receive(std::string_view(&ch, 1));
      } else {
        c.receive(to_client);
      }
    }
    if (!to_server.empty()) {
      transcript += "C: " + to_server;
      if (bytewise) {
        for (char ch : to_server) s.receive(std::string_view(&ch, 1));
      } else {
        s.receive(to_server);
      }
    }
  }
  return transcript;
}

}  // namespace imaptest
