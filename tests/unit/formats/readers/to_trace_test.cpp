// Replay traces: protocol lines decoded, mail and mailbox records inferred, the unknown shown as such.
#include <catch2/catch.hpp>

#include <sstream>

#include "formats/readers/to_trace.hpp"
#include "protocols/dns/dns.hpp"

using namespace mailsim;
using namespace mailsim::formats;

namespace {

Stream stream(std::string protocol, std::uint16_t port, std::vector<std::pair<bool, std::string>> parts) {
  Stream s;
  s.protocol = std::move(protocol);
  s.client = {"192.0.2.10", 40000};
  s.server = {"198.51.100.25", port};
  std::int64_t t = 1'000'000;
  for (auto& [from_client, bytes] : parts)
    s.chunks.push_back({t += 1000, from_client ? Direction::ToServer : Direction::ToClient, std::move(bytes)});
  return s;
}

std::vector<const sim::Record*> find(const ReplayTrace& rt, sim::RecordKind kind, const std::string& event) {
  std::vector<const sim::Record*> out;
  for (const auto& r : rt.trace.records())
    if (r.kind == kind && r.event == event) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("SMTP: replies explained, the message after DATA, 250 = queued, names from EHLO and the greeting") {
  Capture c;
  c.streams.push_back(stream("smtp", 25, {{false, "220 mx.example.net ESMTP\r\n"},
                                          {true, "EHLO pc.example.com\r\n"},
                                          {false, "250-mx.example.net\r\n250 8BITMIME\r\n"},
                                          {true, "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n"},
                                          {false, "250 2.1.0 ok\r\n250 2.1.5 ok\r\n"},
                                          {true, "DATA\r\n"},
                                          {false, "354 go\r\n"},
                                          {true, "Subject: hi\r\n\r\nbody\r\n.\r\n"},
                                          {false, "250 2.0.0 queued as ABC123\r\n"},
                                          {true, "XYZZY\r\n"},
                                          {false, "500 5.5.2 what?\r\n"}}));
  const auto rt = to_trace(c, "test");
  const auto queued = find(rt, sim::RecordKind::Mail, "queued");
  REQUIRE(queued.size() == 1);
  CHECK(queued[0]->mail_info().subject == "hi");
  CHECK(queued[0]->detail["recipients"].size() == 1);
  const auto data = find(rt, sim::RecordKind::Protocol, "data");
  REQUIRE(data.size() == 1);
  CHECK(data[0]->detail["lines"] == 3);
  CHECK(rt.not_understood == 1);  // XYZZY
  bool flagged = false;
  for (const auto* r : find(rt, sim::RecordKind::Protocol, "command"))
    if (r->proto_info().verb == "XYZZY") flagged = r->text().find("does not know") != std::string::npos;
  CHECK(flagged);
  REQUIRE(rt.hosts.size() == 2);
  CHECK(rt.hosts[0].name == "pc.example.com");
  CHECK(rt.hosts[1].name == "mx.example.net");
  CHECK(rt.trace.records().front().time == 0);
  const auto replies = find(rt, sim::RecordKind::Protocol, "reply");
  CHECK(replies[0]->detail.contains("meaning"));
  // Records are in time order and numbered.
  for (std::size_t i = 1; i < rt.trace.size(); ++i) {
    CHECK(rt.trace.records()[i].time >= rt.trace.records()[i - 1].time);
    CHECK(rt.trace.records()[i].seq == i);
  }
}

TEST_CASE("POP3 RETR = downloaded, DELE = marked; IMAP literals, EXPUNGE = removed") {
  Capture c;
  c.streams.push_back(stream("pop3", 110, {{false, "+OK ready\r\n"},
                                           {true, "RETR 1\r\n"},
                                           {false, "+OK 30 octets\r\nSubject: x\r\n\r\nhello\r\n.\r\n"},
                                           {true, "DELE 1\r\n"},
                                           {false, "+OK deleted\r\n"}}));
  c.streams.push_back(stream("imap", 143, {{false, "* OK [CAPABILITY IMAP4rev1] imap.example.net ready\r\n"},
                                           {true, "a1 FETCH 1 BODY[]\r\n"},
                                           {false, "* 1 FETCH (BODY[] {7}\r\nab\r\ncd)\r\n"},
                                           {false, "a1 OK done\r\n"},
                                           {true, "a2 EXPUNGE\r\n"},
                                           {false, "* 1 EXPUNGE\r\na2 OK expunged\r\n"}}));
  const auto rt = to_trace(c, "test");
  CHECK(find(rt, sim::RecordKind::Mailbox, "downloaded").size() == 1);
  CHECK(find(rt, sim::RecordKind::Mailbox, "deleted-via-pop3").size() == 1);
  const auto fetched = find(rt, sim::RecordKind::Mailbox, "fetched");
  REQUIRE(fetched.size() == 1);
  CHECK(fetched[0]->mailbox_info().size == 7);
  CHECK(find(rt, sim::RecordKind::Mailbox, "expunged").size() == 1);
  CHECK(rt.not_understood == 0);
  CHECK(rt.hosts[1].name == "imap.example.net");
}

TEST_CASE("DNS over UDP and TCP decoded, A answers name hosts; TLS and unknown protocols are shown as such") {
  dns::Message q;
  q.header.id = 7;
  q.header.rd = true;
  q.questions.push_back({dns::Name::of("mx1.hogehoge.com"), dns::Type::A});
  dns::Message r = q;
  r.header.qr = true;
  r.answers.push_back(dns::Record::make(dns::Name::of("mx1.hogehoge.com"), 300, dns::AData{{198, 51, 100, 25}}));
  const auto qb = dns::encode(q), rb = dns::encode(r);
  Capture c;
  auto udp = stream("dns", 53, {{true, qb}, {false, rb}});
  udp.transport = "udp";
  c.streams.push_back(udp);
  auto prefixed = [](const std::string& m) {
    return std::string{static_cast<char>(m.size() >> 8), static_cast<char>(m.size() & 0xFF)} + m;
  };
  const auto tq = prefixed(qb);
  c.streams.push_back(stream("dns", 53, {{true, tq.substr(0, 5)}, {true, tq.substr(5)}, {false, prefixed(rb)}}));
  c.streams.push_back(stream("tls", 443, {{true, "\x16\x03\x01\x00\x05hello"}}));
  c.streams.push_back(stream("", 9999, {{true, "??"}}));
  const auto rt = to_trace(c, "test");
  CHECK(find(rt, sim::RecordKind::Dns, "query").size() == 2);
  CHECK(find(rt, sim::RecordKind::Dns, "response").size() == 2);
  CHECK(rt.not_understood == 2);
  bool named = false;
  for (const auto& h : rt.hosts) named = named || (h.id == "198.51.100.25" && h.name == "mx1.hogehoge.com");
  CHECK(named);
  const auto nu = find(rt, sim::RecordKind::Protocol, "not-understood");
  REQUIRE(nu.size() == 2);
  CHECK(nu[0]->text().find("TLS") != std::string::npos);
  CHECK(nu[1]->text().find("--map") != std::string::npos);
}

TEST_CASE("After STARTTLS the rest of the connection is shown as encrypted, not as lines") {
  Capture c;
  c.streams.push_back(stream("smtp", 25, {{false, "220 mx ready\r\n"},
                                          {true, "STARTTLS\r\n"},
                                          {false, "220 2.0.0 go ahead\r\n"},
                                          {true, "\x16\x03\x01garbage\r\nmore"}}));
  const auto rt = to_trace(c, "test");
  const auto nu = find(rt, sim::RecordKind::Protocol, "not-understood");
  REQUIRE_FALSE(nu.empty());
  for (const auto* r : nu) {
    INFO(r->text());
    CHECK(r->text().find("encrypted") != std::string::npos);
  }
  CHECK(find(rt, sim::RecordKind::Protocol, "command").size() == 1);
}

TEST_CASE("A replay written as a trace reads back as the same connections") {
  Capture c;
  c.streams.push_back(stream("smtp", 2525, {{false, "220 mx\r\n"}, {true, "EHLO a\r\n"}, {false, "250 ok\r\n"},
                                            {true, "QUIT\r\n"}, {false, "221 bye\r\n"}}));
  const auto rt = to_trace(c, "test");
  std::ostringstream out;
  rt.trace.write_jsonl(out);
  const auto back = read_capture(out.str());
  INFO(back.error);
  REQUIRE(back.capture);
  CHECK(back.capture->format == "jsonl");
  REQUIRE(back.capture->streams.size() == 1);
  CHECK(normalised_lines(back.capture->streams[0]) == normalised_lines(c.streams[0]));
  CHECK(back.capture->streams[0].server == c.streams[0].server);
}
