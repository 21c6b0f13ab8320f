// SMTP sessions shaped like Thunderbird's, mutt's and curl's (as in their protocol logs), fed
// byte at a time: every command gets a reply, nothing they send is left unanswered.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace mailsim::smtp;
using namespace mailsim::smtp::test;

namespace {

// The reply codes of the server, one per reply (the last line of each multi-line reply).
std::vector<int> codes(const std::string& out) {
  std::vector<int> v;
  std::size_t at = 0;
  while (at + 4 <= out.size()) {
    const std::size_t end = out.find("\r\n", at);
    if (end == std::string::npos) break;
    if (out[at + 3] == ' ') v.push_back(std::stoi(out.substr(at, 3)));
    at = end + 2;
  }
  return v;
}

ServerConfig submission() {
  ServerConfig c = test_config();
  c.offer_auth = true;
  return c;
}

}  // namespace

TEST_CASE("smtp: Thunderbird-, mutt- and curl-shaped submissions are answered command by command") {
  const std::string plain = mailsim::proto::base64_encode(std::string("\0alice\0wonderland", 17));
  struct Shape {
    const char* client;
    std::vector<std::string> lines;
    std::vector<int> expected;
  };
  const std::vector<Shape> shapes = {
      // Thunderbird: EHLO with an address literal, AUTH PLAIN with the initial response,
      // BODY=8BITMIME and SIZE on MAIL FROM.
      {"Thunderbird",
       {"EHLO [192.0.2.10]", "AUTH PLAIN " + plain, "MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=42",
        "RCPT TO:<bob@example.org>", "DATA", "Subject: t\r\n\r\nhi\r\n.", "QUIT"},
       {250, 235, 250, 250, 354, 250, 221}},
      // mutt: AUTH LOGIN answering both challenges.
      {"mutt",
       {"EHLO laptop.example", "AUTH LOGIN", mailsim::proto::base64_encode("alice"),
        mailsim::proto::base64_encode("wonderland"), "MAIL FROM:<alice@example.org>", "RCPT TO:<carol@example.org>",
        "DATA", "Subject: m\r\n\r\nhi\r\n.", "QUIT"},
       {250, 334, 334, 235, 250, 250, 354, 250, 221}},
      // curl: AUTH PLAIN after the empty 334, SIZE only; RSET before QUIT is harmless.
      {"curl",
       {"EHLO client.example", "AUTH PLAIN", plain, "MAIL FROM:<alice@example.org> SIZE=30",
        "RCPT TO:<alice@example.org>", "DATA", "Subject: c\r\n\r\nhi\r\n.", "RSET", "QUIT"},
       {250, 334, 235, 250, 250, 354, 250, 250, 221}},
  };
  for (const auto& shape : shapes) {
    INFO(shape.client);
    ServerHarness h(submission());
    std::vector<int> got;
    for (const auto& line : shape.lines) {
      const auto c = codes(h.send_bytewise(line + "\r\n"));
      got.insert(got.end(), c.begin(), c.end());
    }
    CHECK(got == shape.expected);
    CHECK(h.backend.messages.size() == 1);
  }
}

TEST_CASE("smtp: what these clients may try that is not offered gets a refusal, not silence") {
  ServerHarness h(submission());
  h.ehlo();
  // SMTPUTF8 and DSN parameters are not advertised here; CRAM-MD5 and XOAUTH2 are not offered.
  CHECK(codes(h.send_bytewise("AUTH CRAM-MD5\r\n")) == std::vector<int>{504});
  CHECK(codes(h.send_bytewise("AUTH XOAUTH2 dXNlcj1h\r\n")) == std::vector<int>{504});
  CHECK(codes(h.send_bytewise("MAIL FROM:<alice@example.org> SMTPUTF8\r\n")) == std::vector<int>{555});
  CHECK(codes(h.send_bytewise("MAIL FROM:<alice@example.org> RET=HDRS\r\n")) == std::vector<int>{555});
  CHECK(codes(h.send_bytewise("XCLIENT ADDR=192.0.2.1\r\n")) == std::vector<int>{500});
  CHECK(codes(h.send_bytewise("BDAT 10 LAST\r\n")) == std::vector<int>{500});
  CHECK(codes(h.send_bytewise("NOOP\r\n")) == std::vector<int>{250});
}
