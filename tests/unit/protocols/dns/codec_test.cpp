// DNS wire codec: round trips, byte-exact packets with compression, hostile packets.
#include "dns_test_util.hpp"

using namespace dnstest;

namespace {

// Header: id 0x1234, QR AA RD RA, 1 question, 2 answers; MX hogehoge.com with two
// answers whose names are compressed against the question.
const std::string kMxResponse = pkt({
    0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    // offset 12: hogehoge.com. MX IN
    0x08, "hogehoge", 0x03, "com", 0x00, 0x00, 0x0F, 0x00, 0x01,
    // offset 30: answer 1, owner -> 12, MX IN 3600, rdlength 8: 10 mx1 -> 12
    0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x08,
    0x00, 0x0A, 0x03, "mx1", 0xC0, 0x0C,
    // offset 50: answer 2, owner -> 12, MX IN 3600, rdlength 8: 20 mx2 -> 12
    0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x08,
    0x00, 0x14, 0x03, "mx2", 0xC0, 0x0C,
});

Message every_type_message() {
  Message m;
  m.header.id = 0xBEEF;
  m.header.qr = true;
  m.header.aa = true;
  m.header.rd = true;
  m.header.ra = true;
  m.header.rcode = Rcode::NoError;
  m.questions.push_back(Question{Name::of("hogehoge.com"), Type::ANY, kClassIn});
  m.answers = {
      rec("hogehoge.com. 3600 IN A 192.0.2.1"),
      rec("hogehoge.com. 3600 IN AAAA 2001:db8::1"),
      rec("hogehoge.com. 86400 IN NS ns1.hogehoge.com."),
      rec("www.hogehoge.com. 300 IN CNAME web.hogehoge.com."),
      rec("hogehoge.com. 3600 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. 2024010101 7200 "
          "900 1209600 300"),
      rec("1.2.0.192.in-addr.arpa. 3600 IN PTR hogehoge.com."),
      rec("hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."),
      rec("hogehoge.com. 3600 IN TXT \"v=spf1 mx -all\" \"second string\" \"\""),
      rec("hogehoge.com. 60 IN TYPE99 \\# 3 0a0b0c"),
  };
  Record chaos_a;  // A outside class IN stays opaque
  chaos_a.name = Name::of("version.bind");
  chaos_a.type = Type::A;
  chaos_a.rclass = 3;
  chaos_a.ttl = 0;
  chaos_a.data = OpaqueData{std::string("\x01\x02\x03", 3)};
  m.additional.push_back(chaos_a);
  m.authority.push_back(rec("MiXeD.HogeHoge.com. 1 IN TXT \"binary\\000\\255\""));
  return m;
}

}  // namespace

TEST_CASE("dns: every record type survives encode then decode") {
  const Message m = every_type_message();
  const std::string wire = encode(m);
  const auto d = decode(wire);
  INFO(d.error);
  REQUIRE(d.ok());
  CHECK(*d.message == m);
  // Each type alone too, so a failure names the type.
  for (const auto& r : m.answers) {
    Message one;
    one.answers.push_back(r);
    const auto d1 = decode(encode(one));
    INFO(to_string(r) << " " << d1.error);
    REQUIRE(d1.ok());
    CHECK(d1.message->answers.front() == r);
  }
}

TEST_CASE("dns: the header flags and rcodes round-trip") {
  for (Rcode rc : {Rcode::NoError, Rcode::FormErr, Rcode::ServFail, Rcode::NXDomain, Rcode::NotImp,
                   Rcode::Refused}) {
    Message m;
    m.header.id = 7;
    m.header.qr = true;
    m.header.opcode = Opcode::Status;
    m.header.tc = true;
    m.header.z = 5;
    m.header.rcode = rc;
    const auto d = decode(encode(m));
    REQUIRE(d.ok());
    CHECK(d.message->header == m.header);
  }
  Message q = query("a.example", Type::A, 0xABCD);
  q.header.rd = true;
  CHECK(encode(q) == pkt({0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x01, "a", 0x07, "example", 0x00, 0x00, 0x01, 0x00, 0x01}));
}

TEST_CASE("dns: a hand-assembled MX response with compressed names decodes exactly") {
  const auto d = decode(kMxResponse);
  INFO(d.error);
  REQUIRE(d.ok());
  const Message& m = *d.message;
  CHECK(m.header.id == 0x1234);
  CHECK(m.header.qr);
  CHECK(m.header.aa);
  CHECK(m.header.rd);
  CHECK(m.header.ra);
  CHECK_FALSE(m.header.tc);
  CHECK(m.header.opcode == Opcode::Query);
  CHECK(m.header.rcode == Rcode::NoError);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].name.to_string() == "hogehoge.com.");
  CHECK(m.questions[0].type == Type::MX);
  CHECK(texts(m.answers) == std::vector<std::string>{"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                                                     "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com."});
  // The encoder compresses the same way, byte for byte.
  CHECK(encode(m) == kMxResponse);
  CHECK(summary(m) == "MX? hogehoge.com -> 10 mx1.hogehoge.com, 20 mx2.hogehoge.com");
}

TEST_CASE("dns: a pointer to a pointer (name inside earlier rdata) decodes") {
  const std::string wire = pkt({
      0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: www.hogehoge.com. A IN (hogehoge at 16)
      0x03, "www", 0x08, "hogehoge", 0x03, "com", 0x00, 0x00, 0x01, 0x00, 0x01,
      // 34: CNAME, rdata at 46: web -> 16
      0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x06,
      0x03, "web", 0xC0, 0x10,
      // 52: owner -> 46 (web -> 16), A 192.0.2.10
      0xC0, 0x2E, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x04,
      0xC0, 0x00, 0x02, 0x0A,
  });
  const auto d = decode(wire);
  INFO(d.error);
  REQUIRE(d.ok());
  CHECK(texts(d.message->answers) ==
        std::vector<std::string>{"www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
                                 "web.hogehoge.com. 300 IN A 192.0.2.10"});
  CHECK(encode(*d.message) == wire);
  CHECK(summary(*d.message) == "A? www.hogehoge.com -> CNAME web.hogehoge.com, 192.0.2.10");
}

TEST_CASE("dns: names keep their case but compare without it") {
  const Message m = every_type_message();
  const auto d = decode(encode(m));
  REQUIRE(d.ok());
  const Record& mixed = d.message->authority.front();
  CHECK(mixed.name.to_string() == "MiXeD.HogeHoge.com.");
  CHECK(mixed.name == Name::of("mixed.hogehoge.COM"));
  CHECK(mixed.name.key() == "mixed.hogehoge.com.");
  // Compression matches exact spelling, so a differently cased suffix is written again.
  Message two;
  two.answers = {rec("a.example. 1 IN A 192.0.2.1"), rec("b.EXAMPLE. 1 IN A 192.0.2.2")};
  const auto d2 = decode(encode(two));
  REQUIRE(d2.ok());
  CHECK(d2.message->answers[1].name.to_string() == "b.EXAMPLE.");
}

TEST_CASE("dns: encode_truncated drops records and sets TC") {
  Message m = query("big.example", Type::TXT);
  m.header.qr = true;
  for (int i = 0; i < 10; ++i)
    m.answers.push_back(rec("big.example. 60 IN TXT \"" + std::string(100, 'x') + "\""));
  const std::string full = encode(m);
  CHECK(full.size() > kMaxUdpPayload);
  const std::string cut = encode_truncated(m);
  CHECK(cut.size() <= kMaxUdpPayload);
  const auto d = decode(cut);
  REQUIRE(d.ok());
  CHECK(d.message->header.tc);
  CHECK(d.message->answers.size() == 4);  // 29 + 4 * 116 = 493 octets; a fifth would not fit
  // Losing only additional records does not set TC.
  Message extra = query("x.example", Type::A);
  extra.header.qr = true;
  extra.answers.push_back(rec("x.example. 60 IN A 192.0.2.1"));
  for (int i = 0; i < 10; ++i) extra.additional.push_back(m.answers.front());
  const auto d2 = decode(encode_truncated(extra));
  REQUIRE(d2.ok());
  CHECK_FALSE(d2.message->header.tc);
  CHECK(d2.message->answers.size() == 1);
  CHECK(d2.message->additional.size() < 10);
  // A message that fits is left alone.
  CHECK(encode_truncated(query("x.example", Type::A)) == encode(query("x.example", Type::A)));
}

// ---------------------------------------------------------------------------------------
// Hostile packets: each rejected with its own error.

namespace {
std::string header(int qd, int an, int ns = 0, int ar = 0) {
  return pkt({0x00, 0x01, 0x81, 0x80, 0x00, qd, 0x00, an, 0x00, ns, 0x00, ar});
}
std::string error_of(const std::string& wire) {
  const auto d = decode(wire);
  CHECK_FALSE(d.ok());
  return d.error;
}
}  // namespace

TEST_CASE("dns: hostile - truncated header") {
  CHECK(error_of(header(0, 0).substr(0, 11)) == "truncated header: 11 of 12 octets");
  CHECK(error_of("") == "truncated header: 0 of 12 octets");
}

TEST_CASE("dns: hostile - counts larger than the packet can hold") {
  CHECK(error_of(header(1, 100) + pkt({0x00, 0x00, 0x01, 0x00, 0x01})) ==
        "counts of 1 question(s) and 100 record(s) need at least 1105 octets but only 5 follow "
        "the header");
  CHECK(error_of(header(2, 0) + pkt({0x00, 0x00, 0x01, 0x00, 0x01})) ==
        "counts of 2 question(s) and 0 record(s) need at least 10 octets but only 5 follow the "
        "header");
}

TEST_CASE("dns: hostile - compression pointer to itself") {
  CHECK(error_of(header(1, 0) + pkt({0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01})) ==
        "question 1: compression pointer points to itself at offset 12");
}

TEST_CASE("dns: hostile - forward compression pointer") {
  CHECK(error_of(header(1, 0) + pkt({0xC0, 0x12, 0x00, 0x01, 0x00, 0x01, 0x01, "a", 0x00})) ==
        "question 1: compression pointer points forward (to offset 18) at offset 12");
}

TEST_CASE("dns: hostile - compression pointer loop") {
  // Answer 1 is a TXT whose rdata hides a pointer (offset 24 -> 26); answer 2's owner at
  // 26 points back to 24, which points to 26 again.
  const std::string wire = header(0, 2) +
                           pkt({0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                0x02, 0xC0, 0x1A,
                                // 26
                                0xC0, 0x18, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x04, 0xC0, 0x00, 0x02, 0x01});
  CHECK(error_of(wire) == "answer record 2: compression pointer loop (back to offset 26) at offset 24");
}

TEST_CASE("dns: hostile - pointer into the name being read") {
  CHECK(error_of(header(1, 0) + pkt({0x03, "abc", 0xC0, 0x0D, 0x00, 0x01, 0x00, 0x01})) ==
        "question 1: compression pointer to offset 13 points inside the name being read at offset 16");
}

TEST_CASE("dns: hostile - label longer than 63 and reserved label types") {
  CHECK(error_of(header(1, 0) + pkt({0x46}) + std::string(70, 'a') + pkt({0x00, 0x00, 0x01, 0x00, 0x01})) ==
        "question 1: label of 70 octets exceeds 63 (reserved label type 0x40) at offset 12");
  CHECK(error_of(header(1, 0) + pkt({0x01, "a", 0x80, 0x00, 0x00, 0x01, 0x00, 0x01})) ==
        "question 1: reserved label type 0x80 at offset 14");
}

TEST_CASE("dns: hostile - name longer than 255 octets") {
  std::string name;
  for (int i = 0; i < 5; ++i) name += pkt({63}) + std::string(63, 'a');
  CHECK(error_of(header(1, 0) + name + pkt({0x00, 0x00, 0x01, 0x00, 0x01})) ==
        "question 1: name exceeds 255 octets at offset 204");
  // The same through pointers: 4 x 63 here, pointing at 3 x 63 earlier.
  std::string first;
  for (int i = 0; i < 3; ++i) first += pkt({63}) + std::string(63, 'b');
  const std::string wire = header(2, 0) + first + pkt({0x00, 0x00, 0x01, 0x00, 0x01}) + pkt({63}) +
                           std::string(63, 'c') + pkt({0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01});
  CHECK(error_of(wire) == "question 2: name exceeds 255 octets at offset 140");
}

TEST_CASE("dns: hostile - truncated rdata") {
  const std::string wire = header(0, 1) + pkt({0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,
                                               0x00, 0x04, 0xC0, 0x00});
  CHECK(error_of(wire) == "answer record 1: rdlength 4 exceeds the 2 octet(s) left in the packet at offset 21");
}

TEST_CASE("dns: hostile - rdlength larger than the rdata") {
  // MX 10 a. is 5 octets; rdlength says 7 (the packet has 7).
  const std::string wire = header(0, 1) + pkt({0x00, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,
                                               0x00, 0x07, 0x00, 0x0A, 0x01, "a", 0x00, 0xAA, 0xBB});
  CHECK(error_of(wire) == "answer record 1: MX rdata leaves 2 octet(s) of its rdlength 7 unused at offset 23");
  const std::string a5 = header(0, 1) + pkt({0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,
                                             0x00, 0x05, 0xC0, 0x00, 0x02, 0x01, 0x00});
  CHECK(error_of(a5) == "answer record 1: A rdata must be 4 octets, rdlength is 5 at offset 23");
}

TEST_CASE("dns: hostile - rdlength smaller than the rdata") {
  // MX rdata of 5 octets with rdlength 3; the following 2 octets exist in the packet.
  const std::string wire = header(0, 1) + pkt({0x00, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,
                                               0x00, 0x03, 0x00, 0x0A, 0x01, "a", 0x00});
  CHECK(error_of(wire) == "answer record 1: MX rdata needs 5 octets but rdlength is 3 at offset 23");
  // A TXT character-string running past its rdlength.
  const std::string txt = header(0, 1) + pkt({0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C,
                                              0x00, 0x02, 0x05, "a", "bcde"});
  CHECK(error_of(txt) == "answer record 1: TXT character-string of 5 octets overruns the rdata at offset 23");
  const std::string empty_txt = header(0, 1) + pkt({0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00,
                                                    0x3C, 0x00, 0x00});
  CHECK(error_of(empty_txt) == "answer record 1: TXT rdata holds no character-string at offset 23");
}

TEST_CASE("dns: hostile - truncated records and trailing octets") {
  CHECK(error_of(kMxResponse.substr(0, 62)) ==
        "answer record 2: rdlength 8 exceeds the 0 octet(s) left in the packet at offset 60");
  CHECK(error_of(kMxResponse.substr(0, 40)) ==
        "answer record 1: truncated: needed 2 byte(s) for u16, 0 left at offset 40");
  CHECK(error_of(kMxResponse + "xyz") == "3 trailing octet(s) after the last record");
  CHECK(error_of(std::string(kMaxMessageSize + 1, '\0')) == "message of 65536 octets exceeds 65535");
}

TEST_CASE("dns: decode_header reads the id of an undecodable packet") {
  const auto h = decode_header(header(1, 0) + pkt({0xC0, 0x0C}));
  REQUIRE(h.has_value());
  CHECK(h->id == 1);
  CHECK_FALSE(decode_header("short").has_value());
}

TEST_CASE("dns: Record::make takes the type from the rdata") {
  const Record r = Record::make(Name::of("hogehoge.com"), 60, MxData{10, Name::of("mx1.hogehoge.com")});
  CHECK(r.type == Type::MX);
  CHECK(r.rclass == kClassIn);
  CHECK(to_string(r) == "hogehoge.com. 60 IN MX 10 mx1.hogehoge.com.");
  CHECK(type_of(RData{OpaqueData{}}) == std::nullopt);
  CHECK(type_of(RData{TxtData{{"x"}}}) == Type::TXT);
}
