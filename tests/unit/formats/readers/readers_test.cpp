// Readers: one session read from different formats, TCP reassembly, protocol naming, hostile inputs.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "formats/readers/capture.hpp"
#include "formats/readers/transcripts.hpp"
#include "pcap_builder.hpp"

using namespace mailsim::formats;
using mailsim::formats::testing::PcapBuilder;
namespace t = mailsim::formats::testing;

namespace {

std::string data_file(const std::string& name) {
  std::ifstream in(std::string(MAILSIM_SOURCE_DIR) + "/tests/data/replay/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Capture read_ok(const std::string& bytes, const std::string& format = "auto", ReadOptions o = {}) {
  o.format = format;
  auto r = read_capture(bytes, o);
  INFO(r.error);
  REQUIRE(r.capture);
  return *r.capture;
}

std::string read_error(const std::string& bytes, const std::string& format = "auto") {
  ReadOptions o;
  o.format = format;
  auto r = read_capture(bytes, o);
  REQUIRE_FALSE(r.capture);
  REQUIRE_FALSE(r.error.empty());
  return r.error;
}

// The one stream of a capture with this protocol.
const Stream& only(const Capture& c) {
  REQUIRE(c.streams.size() == 1);
  return c.streams[0];
}

}  // namespace

TEST_CASE("A swaks session reads the same from the pcap, swaks' output and tshark's follow YAML") {
  const auto pcap = read_ok(data_file("smtp-swaks.pcap"));
  const auto swaks = read_ok(data_file("smtp-swaks.swaks.txt"));
  const auto yaml = read_ok(data_file("smtp-swaks.tshark.yaml"));
  CHECK(pcap.format == "pcap");
  CHECK(swaks.format == "swaks");
  CHECK(yaml.format == "tshark-yaml");
  const auto& p = only(pcap);
  CHECK(p.protocol == "smtp");
  CHECK(p.server.port == 2525);
  CHECK(p.client.address == "127.0.0.1");
  CHECK(p.saw_open);
  CHECK(p.saw_close);
  const auto lines = normalised_lines(p);
  REQUIRE(lines.size() > 10);
  CHECK(lines.front().rfind("S: 220 ", 0) == 0);
  CHECK(lines[1] == "C: EHLO pc.example.com");
  CHECK(normalised_lines(only(swaks)) == lines);
  CHECK(normalised_lines(only(yaml)) == lines);
  CHECK(only(yaml).server == p.server);
  CHECK(only(yaml).client == p.client);
  CHECK(only(swaks).server.port == 2525);
}

TEST_CASE("A curl session reads the same from the pcapng and curl --trace-ascii") {
  const auto ng = read_ok(data_file("smtp-curl.pcapng"));
  const auto trace = read_ok(data_file("smtp-curl.curl.txt"));
  CHECK(ng.format == "pcapng");
  CHECK(trace.format == "curl");
  const auto lines = normalised_lines(only(ng));
  CHECK(std::find(lines.begin(), lines.end(), "C: .") != lines.end());
  // curl sends QUIT when it cleans up, after its trace has ended: the trace is the rest.
  REQUIRE(lines.size() >= 2);
  CHECK(lines[lines.size() - 2] == "C: QUIT");
  CHECK(normalised_lines(only(trace)) == std::vector<std::string>(lines.begin(), lines.end() - 2));
  CHECK(only(trace).server.port == 2525);
  // The exact bytes too: curl's offsets give back the CRLFs it does not print.
  CHECK(only(trace).joined(Direction::ToServer) + "QUIT\r\n" == only(ng).joined(Direction::ToServer));
}

TEST_CASE("An smtplib session reads the same from a Linux cooked (SLL2) pcap and its debug output") {
  const auto pcap = read_ok(data_file("smtp-smtplib.pcap"));
  const auto dbg = read_ok(data_file("smtp-smtplib.smtplib.txt"));
  CHECK(dbg.format == "smtplib");
  const auto lines = normalised_lines(only(pcap));
  CHECK(std::find(lines.begin(), lines.end(), "S: 550 5.1.1 <ghost@nobody.example>: Recipient address rejected") !=
        lines.end());
  CHECK(normalised_lines(only(dbg)) == lines);
  CHECK(only(dbg).joined(Direction::ToServer) == only(pcap).joined(Direction::ToServer));
  CHECK(only(dbg).chunks.front().time > 0);
}

TEST_CASE("mailsim's C:/S: transcript, Postfix debug_peer lines and the JSON Lines trace are read") {
  const auto cs = read_ok("C: EHLO a\nS: 250-mx\nS: 250 SIZE 100\n  C: QUIT\nS: 221 bye\n");
  CHECK(cs.format == "transcript");
  CHECK(only(cs).joined(Direction::ToServer) == "EHLO a\r\nQUIT\r\n");
  CHECK(only(cs).joined(Direction::ToClient) == "250-mx\r\n250 SIZE 100\r\n221 bye\r\n");

  const std::string postfix =
      "Dec  6 23:10:01 mx postfix/smtpd[4242]: connect from localhost[127.0.0.1]\n"
      "Dec  6 23:10:01 mx postfix/smtpd[4242]: > localhost[127.0.0.1]: 220 mx.example ESMTP Postfix\n"
      "Dec  6 23:10:01 mx postfix/smtpd[4242]: < localhost[127.0.0.1]: EHLO pc\n"
      "Dec  6 23:10:01 mx postfix/smtpd[4242]: > localhost[127.0.0.1]: 250-mx.example\n"
      "Dec  6 23:10:01 mx postfix/smtpd[4242]: > localhost[127.0.0.1]: 250 8BITMIME\n"
      "Dec  6 23:10:02 mx postfix/smtpd[4242]: watchdog_pat: 0x55\n"
      "Dec  6 23:10:02 mx postfix/smtpd[4242]: < localhost[127.0.0.1]: QUIT\n"
      "Dec  6 23:10:02 mx postfix/smtpd[4242]: > localhost[127.0.0.1]: 221 2.0.0 Bye\n";
  const auto pf = read_ok(postfix);
  CHECK(pf.format == "postfix");
  CHECK(only(pf).protocol == "smtp");
  CHECK(only(pf).client.address == "127.0.0.1");
  CHECK(normalised_lines(only(pf)) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP Postfix", "C: EHLO pc", "S: 250-mx.example",
                                 "S: 250 8BITMIME", "C: QUIT", "S: 221 2.0.0 Bye"});
  CHECK(only(pf).chunks[1].time - only(pf).chunks[0].time == 0);
  CHECK(only(pf).chunks.back().time - only(pf).chunks[0].time == 1000000);

  // A postfix/smtp client's '>' lines are its commands.
  const auto client = read_ok("Dec  6 23:10:01 relay postfix/smtp[7]: < mx[192.0.2.5]: 220 hi\n"
                              "Dec  6 23:10:01 relay postfix/smtp[7]: > mx[192.0.2.5]: EHLO relay\n");
  CHECK(normalised_lines(only(client)) == std::vector<std::string>{"S: 220 hi", "C: EHLO relay"});
  CHECK(only(client).server.address == "192.0.2.5");
}

TEST_CASE("A mailsim JSON Lines trace is put back together from its packet records") {
  const std::string jsonl =
      R"({"kind":"meta","schema":1,"records":4,"scenario":"x","seed":1})" "\n"
      R"({"t":1000,"seq":0,"kind":"packet","event":"tcp","host":"pc","peer":"mx","conn":1,"proto":"tcp","detail":{"src":"192.0.2.1:49152","dst":"198.51.100.25:25","flags":"SYN","seq":100,"ack":0,"len":0}})" "\n"
      R"({"t":2000,"seq":1,"kind":"packet","event":"tcp","host":"mx","peer":"pc","conn":1,"proto":"tcp","detail":{"src":"198.51.100.25:25","dst":"192.0.2.1:49152","flags":"SYN,ACK","seq":500,"ack":101,"len":0}})" "\n"
      R"({"t":3000,"seq":2,"kind":"packet","event":"tcp","host":"mx","peer":"pc","conn":1,"proto":"tcp","detail":{"src":"198.51.100.25:25","dst":"192.0.2.1:49152","flags":"PSH,ACK","seq":501,"ack":101,"len":8,"bytes":"220 mx\r\n"}})" "\n"
      R"({"t":4000,"seq":3,"kind":"packet","event":"tcp","host":"pc","peer":"mx","conn":1,"proto":"tcp","detail":{"src":"192.0.2.1:49152","dst":"198.51.100.25:25","flags":"PSH,ACK","seq":101,"ack":509,"len":6,"bytes":"QUIT\r\n"}})" "\n";
  const auto c = read_ok(jsonl);
  CHECK(c.format == "jsonl");
  CHECK(only(c).protocol == "smtp");
  CHECK(only(c).client == Endpoint{"192.0.2.1", 49152});
  CHECK(normalised_lines(only(c)) == std::vector<std::string>{"S: 220 mx", "C: QUIT"});
  CHECK(only(c).chunks[0].time == 3000);
}

TEST_CASE("TCP reassembly: out of order, retransmitted and overlapping segments") {
  PcapBuilder b;
  b.tcp(1, 1, 40000, 2, 25, 1000, t::SYN);
  b.tcp(2, 2, 25, 1, 40000, 5000, t::SYN | t::ACK);
  b.tcp(3, 2, 25, 1, 40000, 5001, t::ACK | t::PSH, "220 mx ready\r\n");  // 14 bytes
  b.tcp(4, 1, 40000, 2, 25, 1010, t::ACK | t::PSH, "ple.com\r\n");       // arrives before its start
  b.tcp(5, 1, 40000, 2, 25, 1001, t::ACK | t::PSH, "EHLO exam");         // fills the hole
  b.tcp(6, 1, 40000, 2, 25, 1001, t::ACK | t::PSH, "EHLO exam");         // retransmission
  b.tcp(7, 2, 25, 1, 40000, 5015, t::ACK | t::PSH, "250-mx\r\n250 ");    // 12 bytes
  b.tcp(8, 2, 25, 1, 40000, 5023, t::ACK | t::PSH, "250 OK\r\n");        // overlaps 4 old bytes
  b.tcp(9, 1, 40000, 2, 25, 1019, t::FIN | t::ACK);
  b.tcp(10, 2, 25, 1, 40000, 5031, t::FIN | t::ACK);
  const auto c = read_ok(b.file);
  const auto& s = only(c);
  CHECK(s.joined(Direction::ToServer) == "EHLO example.com\r\n");
  CHECK(s.joined(Direction::ToClient) == "220 mx ready\r\n250-mx\r\n250 OK\r\n");
  CHECK(s.saw_open);
  CHECK(s.saw_close);
  CHECK(s.notes.empty());
  CHECK(s.protocol == "smtp");
  CHECK(s.protocol_reason == "port 25");
}

TEST_CASE("TCP reassembly: a capture that starts mid-connection, holes that never fill, several connections") {
  PcapBuilder b;
  // Connection 1 (POP3) has no SYN: the server is the side with the well-known port.
  b.tcp(1, 1, 40001, 2, 110, 7000, t::ACK | t::PSH, "STAT\r\n");
  b.tcp(2, 2, 110, 1, 40001, 9000, t::ACK | t::PSH, "+OK 2 320\r\n");
  // Connection 2: SMTP greeting on an unknown port, and 4 bytes never captured.
  b.tcp(3, 3, 40002, 2, 10025, 100, t::SYN);
  b.tcp(4, 2, 10025, 3, 40002, 300, t::SYN | t::ACK);
  b.tcp(5, 2, 10025, 3, 40002, 301, t::ACK | t::PSH, "220 hi\r\n");
  b.tcp(6, 3, 40002, 2, 10025, 101, t::ACK | t::PSH, "EHLO");
  b.tcp(7, 3, 40002, 2, 10025, 109, t::ACK | t::PSH, "QUIT\r\n");
  const auto c = read_ok(b.file);
  REQUIRE(c.streams.size() == 2);
  const auto& pop = c.streams[0];
  CHECK(pop.protocol == "pop3");
  CHECK(pop.server.port == 110);
  CHECK_FALSE(pop.saw_open);
  REQUIRE_FALSE(pop.notes.empty());
  CHECK(pop.notes[0].text.find("middle of this connection") != std::string::npos);
  CHECK(pop.joined(Direction::ToServer) == "STAT\r\n");
  const auto& smtp = c.streams[1];
  CHECK(smtp.protocol == "smtp");
  CHECK(smtp.protocol_reason.find("content") != std::string::npos);
  CHECK(smtp.joined(Direction::ToServer) == "EHLOQUIT\r\n");
  REQUIRE(smtp.notes.size() == 1);
  CHECK(smtp.notes[0].text == "4 byte(s) to the server missing from the capture");

  ReadOptions o;
  REQUIRE(parse_port_map("10025=imap", o.port_map, *new std::string));
  const auto mapped = read_ok(b.file, "auto", o);
  CHECK(mapped.streams[1].protocol == "imap");
  CHECK(mapped.streams[1].protocol_reason == "--map 10025=imap");
}

TEST_CASE("DNS over UDP and over TCP, IPv6 and other link types") {
  for (std::uint32_t link : {1u, 113u, 276u, 101u}) {
    PcapBuilder b(link);
    b.v6 = link == 101;
    b.udp(1, 1, 5353, 2, 53, "\x12\x34query");
    b.udp(2, 2, 53, 1, 5353, "\x12\x34" "answer");
    b.tcp(3, 1, 40003, 2, 53, 1, t::SYN);
    b.tcp(4, 1, 40003, 2, 53, 2, t::ACK | t::PSH, std::string("\x00\x03", 2) + "abc");
    const auto c = read_ok(b.file);
    INFO("link " << link);
    REQUIRE(c.streams.size() == 2);
    CHECK(c.streams[0].transport == "udp");
    CHECK(c.streams[0].protocol == "dns");
    CHECK(c.streams[0].chunks.size() == 2);
    CHECK(c.streams[0].chunks[1].dir == Direction::ToClient);
    CHECK(c.streams[1].transport == "tcp");
    CHECK(c.streams[1].protocol == "dns");
    CHECK(c.streams[1].joined(Direction::ToServer).size() == 5);
    if (link == 101) CHECK(c.streams[0].client.address == "::1");
  }
}

TEST_CASE("Hostile inputs get a clear error, never a crash") {
  PcapBuilder b;
  b.tcp(1, 1, 40000, 2, 25, 1000, t::SYN);
  // Truncated in the middle of a record.
  CHECK(read_error(b.file.substr(0, b.file.size() - 5)).find("truncated") != std::string::npos);
  CHECK(read_error(b.file.substr(0, 10)).find("24-byte file header") != std::string::npos);
  // A 4 GB length field.
  auto huge = b.file;
  huge[24 + 8] = huge[24 + 9] = huge[24 + 10] = huge[24 + 11] = '\xff';
  CHECK(read_error(huge).find("captured length 4294967295") != std::string::npos);
  // A snaplen lie: the record is longer than the file says any record can be.
  PcapBuilder small(1, 40);
  small.tcp(1, 1, 40000, 2, 25, 1000, t::SYN, "0123456789");
  CHECK(read_error(small.file).find("snapshot length 40") != std::string::npos);
  // Binary noise and text without direction markers.
  std::string noise;
  for (int i = 0; i < 400; ++i) noise += static_cast<char>((i * 7919) & 0xFF);
  CHECK(read_error(noise).find("not a format replay knows") != std::string::npos);
  CHECK(read_error("hello\nthis is just text\n").find("not a format replay knows") != std::string::npos);
  CHECK(read_error("hello\n", "swaks").find("no line of the input marks") != std::string::npos);
  CHECK(read_error(std::string("C: a\0", 5), "transcript").find("binary") != std::string::npos);
  CHECK(read_error("x", "pcapng").find("pcapng") != std::string::npos);
  // pcapng whose block length points past the end.
  std::string ng = data_file("smtp-curl.pcapng");
  ng[4] = '\x7f';
  CHECK(read_error(ng).find("block") != std::string::npos);
}

TEST_CASE("Limits: out-of-order data beyond the bound becomes a noted hole, and --map is checked") {
  PcapBuilder b;
  b.tcp(1, 1, 40000, 2, 25, 1000, t::SYN);
  b.tcp(2, 1, 40000, 2, 25, 1101, t::ACK, std::string(3000, 'x'));
  ReadOptions o;
  o.limits.max_out_of_order = 1000;
  const auto c = read_ok(b.file, "auto", o);
  REQUIRE(c.streams[0].notes.size() == 1);
  CHECK(c.streams[0].notes[0].text == "100 byte(s) to the server missing from the capture");
  CHECK(c.streams[0].joined(Direction::ToServer).size() == 3000);

  std::map<std::uint16_t, std::string> m;
  std::string why;
  CHECK_FALSE(parse_port_map("smtp", m, why));
  CHECK_FALSE(parse_port_map("70000=smtp", m, why));
  CHECK_FALSE(parse_port_map("25=gopher", m, why));
  CHECK(why.find("unknown protocol") != std::string::npos);
}

TEST_CASE("Python literals from smtplib's debug output") {
  std::string out;
  CHECK(python_literal("'ehlo a\\r\\n'", out));
  CHECK(out == "ehlo a\r\n");
  CHECK(python_literal("b\"it's\\x00\"", out));
  CHECK(out == std::string("it's\0", 5));
  CHECK_FALSE(python_literal("'unterminated", out));
  CHECK_FALSE(python_literal("'bad \\q'", out));
}

TEST_CASE("A POP3 session with curl: the pcap holds what curl's trace shows, then the body it did not trace") {
  const auto pcap = read_ok(data_file("pop3-curl.pcap"));
  const auto trace = read_ok(data_file("pop3-curl.curl.txt"));
  CHECK(only(pcap).protocol == "pop3");
  CHECK(only(pcap).protocol_reason.find("content") != std::string::npos);  // port 1110 is no well-known port
  CHECK(only(trace).protocol == "pop3");
  const auto full = normalised_lines(only(pcap));
  const auto shown = normalised_lines(only(trace));
  REQUIRE(shown.size() < full.size());
  CHECK(std::equal(shown.begin(), shown.end(), full.begin()));
  CHECK(std::find(full.begin(), full.end(), "S: Subject: first") != full.end());
}
