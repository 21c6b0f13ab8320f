// Unit tests of the export codecs: checksums, pcap/pcapng framing, SMTP transfers, mbox,
// Maildir names, and a lesson's messages against its stores.
#include <catch2/catch.hpp>

#include "../sim/lesson_fixture.hpp"
#include "formats/capture.hpp"
#include "formats/mail_files.hpp"
#include "formats/pcap.hpp"
#include "formats/scenario_export.hpp"
#include "formats/svg.hpp"
#include "formats/trace_view.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/scenario/preload.hpp"

#include <filesystem>

using namespace mailsim;
using namespace mailsim::formats;

namespace {

std::uint32_t rd32(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at])) |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 3])) << 24;
}

WirePacket tcp_packet(std::string payload) {
  WirePacket p;
  p.tcp = true;
  p.src_ip = 0xC0000282;  // 192.0.2.130
  p.dst_ip = 0xC6336419;  // 198.51.100.25
  p.src_port = 49152;
  p.dst_port = 587;
  p.flags = kTcpPsh | kTcpAck;
  p.seq = 1000;
  p.ack = 2000;
  p.payload = std::move(payload);
  p.app = "smtp";
  p.conn = 1;
  return p;
}

}  // namespace

TEST_CASE("internet checksum: the RFC 1071 example and a header that verifies to zero") {
  const std::string bytes{"\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", 8};
  CHECK(internet_checksum(bytes) == static_cast<std::uint16_t>(~0xddf2 & 0xFFFF));
  const auto ip = ipv4_datagram(tcp_packet("EHLO a\r\n"), 7);
  CHECK(internet_checksum(std::string_view(ip).substr(0, 20)) == 0);
}

TEST_CASE("an IPv4 + TCP datagram carries lengths, flags, numbers and a checksum that verifies") {
  const auto ip = ipv4_datagram(tcp_packet("EHLO a\r\n"), 7);
  REQUIRE(ip.size() == 20 + 20 + 8);
  CHECK(static_cast<std::uint8_t>(ip[2]) * 256 + static_cast<std::uint8_t>(ip[3]) == 48);
  CHECK(ip[9] == 6);
  CHECK(static_cast<std::uint8_t>(ip[20 + 13]) == (kTcpPsh | kTcpAck));
  CHECK(static_cast<std::uint8_t>(ip[24 + 3]) == 0xE8);  // seq 1000 = 0x3E8
  // Pseudo-header + segment sums to 0xFFFF (checksum verifies).
  std::string pseudo = ip.substr(12, 8);
  pseudo += std::string("\x00\x06", 2);
  pseudo += std::string("\x00\x1c", 2);  // 28 octets of TCP
  CHECK(internet_checksum(pseudo + ip.substr(20)) == 0);
}

TEST_CASE("a UDP datagram has its length and a non-zero checksum") {
  WirePacket p = tcp_packet("dns bytes");
  p.tcp = false;
  const auto ip = ipv4_datagram(p, 1);
  REQUIRE(ip.size() == 20 + 8 + 9);
  CHECK(ip[9] == 17);
  CHECK(static_cast<std::uint8_t>(ip[25]) == 17);
  CHECK((ip[26] != 0 || ip[27] != 0));
}

TEST_CASE("pcap: global header for LINKTYPE_RAW and one record per packet") {
  std::vector<CapturedPacket> ps{{kDefaultEpoch * 1'000'000 + 1'500'000, 0, "abcd", ""}};
  const auto f = write_pcap(ps);
  REQUIRE(f.size() == 24 + 16 + 4);
  CHECK(rd32(f, 0) == 0xA1B2C3D4);
  CHECK(rd32(f, 20) == kLinkTypeRaw);
  CHECK(rd32(f, 24) == kDefaultEpoch + 1);
  CHECK(rd32(f, 28) == 500000);
  CHECK(rd32(f, 32) == 4);
}

TEST_CASE("pcapng: blocks are 4-aligned, lengths match at both ends, comments are kept") {
  std::vector<CaptureInterface> ifs{{"home-isp", "Shiroyagi's ISP"}, {"example", ""}};
  std::vector<CapturedPacket> ps{{1, 1, "abcde", "しろやぎさんが書きます"}, {2, 0, "xy", ""}};
  const auto f = write_pcapng(ifs, ps, "mailsim");
  std::size_t at = 0;
  std::vector<std::uint32_t> types;
  while (at < f.size()) {
    const auto type = rd32(f, at), len = rd32(f, at + 4);
    REQUIRE(len % 4 == 0);
    REQUIRE(at + len <= f.size());
    CHECK(rd32(f, at + len - 4) == len);
    types.push_back(type);
    at += len;
  }
  CHECK(types == std::vector<std::uint32_t>{0x0A0D0D0A, 1, 1, 6, 6});
  CHECK(f.find("しろやぎさんが書きます") != std::string::npos);
}

TEST_CASE("SMTP transfers: DATA content is dot-unstuffed and ends before the final dot") {
  std::vector<WirePacket> ps;
  auto server = tcp_packet("220 mail ESMTP\r\n");
  std::swap(server.src_port, server.dst_port);
  server.from_host = "mail";
  server.to_host = "pc";
  ps.push_back(server);
  auto c1 = tcp_packet("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n");
  c1.from_host = "pc";
  ps.push_back(c1);
  auto c2 = tcp_packet("Subject: hi\r\n\r\n..leading dot\r\nFrom here\r\n.\r\nQUIT\r\n");
  c2.from_host = "pc";
  ps.push_back(c2);
  const auto ts = smtp_transfers(ps);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].raw == "Subject: hi\r\n\r\n.leading dot\r\nFrom here\r\n");
  CHECK(ts[0].port == 587);
  // Once the stream is TLS-protected nothing more is read.
  auto t = tcp_packet("\x17\x03\x03...");
  t.from_host = "pc";
  t.tls = true;
  ps.push_back(t);
  CHECK(smtp_transfers(ps).size() == 1);
}

TEST_CASE("mbox: mboxrd quoting of From lines, LF line ends, a From_ line per message") {
  StoredMessage m;
  m.raw = "Return-Path: <a@x>\r\nSubject: s\r\n\r\nFrom here\r\n>From there\r\nok\r\n";
  m.internal_date = 3'000'000;
  const auto box = write_mbox({m}, kDefaultEpoch);
  CHECK(box.rfind("From a@x Sat Nov  1 00:00:03 2025\n", 0) == 0);
  CHECK(box.find("\n>From here\n>>From there\nok\n\n") != std::string::npos);
  CHECK(box.find('\r') == std::string::npos);
}

TEST_CASE("Maildir: flags in the name in ASCII order, unseen recent mail in new/") {
  StoredMessage seen;
  seen.uid = 3;
  seen.flags = {"\\Seen", "\\Answered", "\\Flagged", "$Label"};
  StoredMessage fresh;
  fresh.uid = 4;
  fresh.recent = true;
  const auto es = maildir_entries({seen, fresh}, kDefaultEpoch);
  REQUIRE(es.size() == 2);
  CHECK(es[0].subdir == "cur");
  CHECK(es[0].name.substr(es[0].name.size() - 6) == ":2,FRS");
  CHECK(es[1].subdir == "new");
  CHECK(es[1].name.find(':') == std::string::npos);
  CHECK(es[0].name != es[1].name);
}

TEST_CASE("file names are readable and safe") {
  CHECK(file_name_part("Lunch on Friday?") == "Lunch_on_Friday");
  CHECK(file_name_part("../../etc/passwd") == "etc_passwd");
  CHECK(file_name_part("お手紙ありがとう").empty());
}

TEST_CASE("xml_escape keeps UTF-8 and makes any byte string well-formed") {
  CHECK(xml_escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
  CHECK(xml_escape("お手紙") == "お手紙");
  CHECK(xml_escape(std::string("\xff\x01x", 3)) == "? x");
}

TEST_CASE("cross-domain lesson: stored copies are the stores' bytes, the subject decodes") {
  const auto sc = test::load_lesson("scenarios/mail/cross-domain.json");
  std::vector<StoredMessage> stored;
  std::string direct;
  sim::RunOptions o;
  o.at_end = [&](sim::Simulation&, sim::mail::MailWorld& w) {
    stored = stored_messages(w);
    auto* store = w.store("mx-hogehoge");
    REQUIRE(store);
    auto raw = store->raw("kuroyagi", "INBOX", 1);
    REQUIRE(raw);
    direct = *raw;
  };
  const auto run = sim::run_scenario(sc, o);
  const auto inbox = mailbox_messages(stored, "mx-hogehoge", "kuroyagi");
  REQUIRE_FALSE(inbox.empty());
  CHECK(inbox[0].raw == direct);
  CHECK(message_subject(direct) == "お手紙ありがとう");
  // Submission and relay are under STARTTLS here: nothing can be read from the wire ...
  CHECK(smtp_transfers(wire_packets(run.trace)).empty());
  // ... but the messages kept during the run have them: the submission, the relay, the copy.
  const auto whole = run_with_messages(sc);
  REQUIRE(whole.messages.transfers.size() == 2);
  CHECK(whole.messages.transfers[0].submission);
  CHECK(whole.messages.transfers[0].port == 587);
  CHECK(whole.messages.transfers[1].port == 25);
  REQUIRE(whole.messages.stored.size() == 1);
  CHECK(whole.messages.stored[0].raw == direct);
  const auto files = eml_files(whole.messages);
  REQUIRE(files.size() == 3);
  CHECK(files[0].name.find("-submitted-") != std::string::npos);
  CHECK(files[1].name.find("-relayed-") != std::string::npos);
  CHECK(files[2].name.find("-delivered-mx-hogehoge-kuroyagi-INBOX-1") != std::string::npos);
  // The relayed message is the tail of the delivered copy (Return-Path and one Received above).
  CHECK(direct.size() > whole.messages.transfers[1].raw.size());
  CHECK(direct.substr(direct.size() - whole.messages.transfers[1].raw.size()) == whole.messages.transfers[1].raw);
}

TEST_CASE("POP3 download-and-delete: the delivered copies are written though the store is empty at the end") {
  const auto sc = test::load_lesson("scenarios/receiving/pop3-download-and-delete.json");
  const auto whole = run_with_messages(sc);
  std::size_t stored_records = 0;
  for (const auto& r : whole.run.trace.records())
    if (r.is(sim::MailboxEvent::Stored)) ++stored_records;
  REQUIRE(stored_records > 0);
  CHECK(whole.messages.stored.size() == stored_records);
  std::size_t delivered_files = 0;
  for (const auto& f : eml_files(whole.messages)) delivered_files += f.name.find("-delivered-") != std::string::npos;
  CHECK(delivered_files == stored_records);
  std::size_t left = 0;
  for (const auto& m : whole.at_end) left += m.folder == "INBOX";
  CHECK(left < stored_records);  // POP3 took some away
}

TEST_CASE("a submission in clear is read from the wire and is the tail of the delivered copy") {
  const auto sc = test::load_lesson("scenarios/mail/tls-eavesdropper.json");
  std::vector<StoredMessage> stored;
  sim::RunOptions o;
  o.at_end = [&](sim::Simulation&, sim::mail::MailWorld& w) { stored = stored_messages(w); };
  const auto run = sim::run_scenario(sc, o);
  const auto transfers = smtp_transfers(wire_packets(run.trace));
  REQUIRE(transfers.size() == 1);
  CHECK(transfers[0].port == 587);
  const auto& submitted = transfers[0].raw;
  bool found = false;
  for (const auto& s : stored)
    found = found || (s.raw.size() > submitted.size() && s.raw.substr(s.raw.size() - submitted.size()) == submitted);
  CHECK(found);
  // Kept during the run: the PC's submission in clear and the laptop's over SMTPS.
  const auto whole = run_with_messages(sc);
  std::size_t submissions = 0;
  for (const auto& t : whole.messages.transfers) submissions += t.submission;
  CHECK(submissions == 2);
  bool same_bytes = false;  // the one read from the wire is among them, byte for byte
  for (const auto& t : whole.messages.transfers) same_bytes = same_bytes || t.raw == submitted;
  CHECK(same_bytes);
  const auto files = eml_files(whole.messages);
  CHECK(files.size() == whole.messages.transfers.size() + whole.messages.stored.size());
  for (const auto& f : files) CHECK(f.name.find('/') == std::string::npos);
}

TEST_CASE("capture of a lesson: one frame per packet record, an observer sees its network") {
  const auto sc = test::load_lesson("scenarios/mail/tls-eavesdropper.json");
  const auto run = sim::run_scenario(sc);
  const auto packets = wire_packets(run.trace);
  CaptureOptions all;
  const auto whole = capture_file(sc, run, all, false, "en");
  std::size_t count = 0;
  for (std::size_t at = 24; at < whole.size(); at += 16 + rd32(whole, at + 8)) ++count;
  CHECK(count == packets.size());
  // The eavesdropper on home-isp sees exactly the packets whose path crosses home-isp.
  std::size_t crossing = 0;
  for (const auto& p : packets)
    if (std::find(p.path.begin(), p.path.end(), "home-isp") != p.path.end() &&
        (p.path.size() > 1 && p.path[1] == "home-isp" ? true : p.arrived.has_value()))
      ++crossing;
  CaptureOptions at;
  at.at = "eavesdropper";
  const auto seen = capture_file(sc, run, at, false, "en");
  std::size_t n = 0;
  for (std::size_t pos = 24; pos < seen.size(); pos += 16 + rd32(seen, pos + 8)) ++n;
  CHECK(n == crossing);
  CHECK(n > 0);
}

TEST_CASE("preload reads back what the export writes: mbox quoting, flags, CRLF") {
  StoredMessage a;
  a.raw = "Return-Path: <a@example.com>\r\nSubject: one\r\n\r\nFrom the start of a line\r\n>From quoted\r\n";
  a.flags = {"\\Seen"};
  StoredMessage b;
  b.raw = "Subject: two\r\n\r\nbody\r\n";
  const auto mbox = write_mbox({a, b}, kDefaultEpoch);
  std::string error;
  const auto back = sim::parse_mbox(mbox, error);
  CHECK(error.empty());
  REQUIRE(back.size() == 2);
  CHECK(back[0].raw == a.raw);
  CHECK(back[1].raw == b.raw);
  // Flags in an mbox live in Status: (absent here); a Maildir name carries them.
  CHECK(back[0].flags.empty());
  const auto status = sim::parse_mbox("From x Sat Nov  1 00:00:00 2025\nStatus: RO\nX-Status: AF\n\nhi\n", error);
  REQUIRE(status.size() == 1);
  CHECK(status[0].flags == std::vector<std::string>{"\\Answered", "\\Flagged", "\\Seen"});
  CHECK(status[0].raw == "Status: RO\r\nX-Status: AF\r\n\r\nhi\r\n");
}

TEST_CASE("preload refuses what is not a mailbox, with a reason") {
  std::string error;
  CHECK(sim::parse_mbox("Subject: not an mbox\n\nhi\n", error).empty());
  CHECK(error.find("not an mbox") != std::string::npos);
  const auto missing = sim::read_preload(std::filesystem::path(MAILSIM_SOURCE_DIR) / "tests/data/replay/preload/none");
  CHECK(missing.error.find("no such file or folder") != std::string::npos);
  const auto dir = std::filesystem::path(MAILSIM_SOURCE_DIR) / "tests/data/replay/preload";
  const auto md = sim::read_preload(dir / "tiny-maildir");
  REQUIRE(md.error.empty());
  CHECK(md.format == "maildir");
  REQUIRE(md.messages.size() == 2);
  CHECK(md.messages[0].raw == "Subject: first\r\n\r\nHello one\r\n");
  CHECK(md.messages[1].flags == std::vector<std::string>{"\\Seen"});
  const auto eml = sim::read_preload(dir / "tiny-eml");
  REQUIRE(eml.messages.size() == 2);
  CHECK(eml.messages[1].raw == "Subject: second\r\n\r\nHello two\r\n");
  const auto mb = sim::read_preload(dir / "tiny.mbox");
  REQUIRE(mb.messages.size() == 2);
  CHECK(mb.messages[1].raw == "Subject: second\r\nStatus: RO\r\n\r\nHello two\r\nFrom the quoted line\r\n");
  CHECK(mb.messages[1].flags == std::vector<std::string>{"\\Seen"});
}
