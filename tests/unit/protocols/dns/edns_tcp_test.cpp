// EDNS(0) (RFC 6891) and DNS over TCP (RFC 1035 4.2.2, RFC 7766): real dig queries answered,
// FORMERR and BADVERS, the requester's UDP size and TC, framing at every split.
#include "dns_world.hpp"

using namespace dnstest;

namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

// What dig 9.18 (Debian 12) sent for "dig @127.0.0.1 MX hogehoge.com" (UDP) and
// "dig +tcp A www.hogehoge.com" (TCP, with its length prefix): RD and AD set, EDNS with a
// 1232-octet UDP size and a DNS COOKIE option (code 10). Captured on 127.0.0.1.
const std::string kDigUdpMx = unhex(
    "3b690120000100000000000108686f6765686f676503636f6d00000f000100002904d000000000000c000a00087b072c4170563988");
const std::string kDigTcpA = unhex(
    "00390e07012000010000000000010377777708686f6765686f676503636f6d000001000100002904d000000000000c000a0008441ddbe1"
    "6482532d");

Message decoded(const std::string& bytes) {
  const auto d = decode(bytes);
  INFO(d.error);
  REQUIRE(d.ok());
  return *d.message;
}

const Record* opt_of(const Message& m) {
  for (const auto& r : m.additional)
    if (r.type == Type::OPT) return &r;
  return nullptr;
}

Message with_opt(Message q, Edns e) {
  q.additional.push_back(make_opt(e));
  return q;
}

// A zone whose TXT answer for big.example.org is about 1,300 octets.
std::vector<Zone> big_zone() {
  Zone z = zone("example.org", {"example.org. 3600 IN SOA ns.example.org. admin.example.org. 1 2 3 4 5",
                                "example.org. 3600 IN NS ns.example.org.", "ns.example.org. 3600 IN A 192.0.2.53"});
  for (int i = 0; i < 10; ++i) {
    Record r = rec("big.example.org. 300 IN TXT \"x\"");
    std::get<TxtData>(r.data).strings = {std::to_string(i) + std::string(110, static_cast<char>('a' + i))};
    z.records.push_back(r);
  }
  return {z};
}

}  // namespace

TEST_CASE("edns: dig's real query is read: size 1232, version 0, a cookie option") {
  const Message q = decoded(kDigUdpMx);
  const auto req = read_edns(q);
  CHECK(req.status == EdnsRequest::Status::Present);
  CHECK(req.edns.udp_size == 1232);
  CHECK(req.edns.version == 0);
  CHECK_FALSE(req.edns.dnssec_ok);
  CHECK(req.edns.options.size() == 12);  // COOKIE: code 10, length 8, 8 octets
  CHECK(udp_response_limit(req) == 1232);
  CHECK(udp_response_limit(req, 4096) == 1232);
  CHECK(udp_response_limit(read_edns(query("a.example", Type::A))) == 512);
}

TEST_CASE("edns: dig's query answered with our OPT, the AD bit not echoed as data") {
  const auto bytes = answer_packet(auth_zones(), kDigUdpMx);
  REQUIRE(bytes);
  const Message r = decoded(*bytes);
  CHECK(r.header.id == 0x3b69);
  CHECK(r.header.aa);
  CHECK(r.answers.size() == 2);
  const Record* opt = opt_of(r);
  REQUIRE(opt);
  CHECK(opt->name.is_root());
  CHECK(edns_of(*opt).udp_size == kEdnsUdpSize);
  CHECK(edns_of(*opt).version == 0);
  CHECK(full_rcode(r) == 0);
  // Exactly one OPT, and no OPT at all for a query without one.
  CHECK(std::count_if(r.additional.begin(), r.additional.end(), [](const Record& x) { return x.type == Type::OPT; }) ==
        1);
  const Message plain = decoded(*answer_packet(auth_zones(), encode(query("hogehoge.com", Type::MX))));
  CHECK(opt_of(plain) == nullptr);
}

TEST_CASE("edns: two OPTs, an OPT not at the root, or broken options get FORMERR") {
  Edns e;
  e.udp_size = 4096;
  Message two = with_opt(with_opt(query("hogehoge.com", Type::MX), e), e);
  CHECK(read_edns(two).status == EdnsRequest::Status::FormErr);
  CHECK(read_edns(two).error == "more than one OPT record (RFC 6891 6.1.1)");
  Message r = decoded(*answer_packet(auth_zones(), encode(two)));
  CHECK(r.header.rcode == Rcode::FormErr);
  CHECK(r.answers.empty());
  CHECK(opt_of(r) == nullptr);

  Message owned = query("hogehoge.com", Type::MX);
  Record opt = make_opt(e);
  opt.name = Name::of("example.");
  owned.additional.push_back(opt);
  CHECK(read_edns(owned).status == EdnsRequest::Status::FormErr);

  Edns broken = e;
  broken.options = std::string("\x00\x0a\x00\x08\x01\x02", 6);  // says 8 octets, has 2
  CHECK(read_edns(with_opt(query("hogehoge.com", Type::MX), broken)).status == EdnsRequest::Status::FormErr);

  Message misplaced = query("hogehoge.com", Type::MX);
  misplaced.authority.push_back(make_opt(e));
  CHECK(read_edns(misplaced).status == EdnsRequest::Status::FormErr);
}

TEST_CASE("edns: a version above 0 gets BADVERS (16) with an OPT of version 0") {
  Edns e;
  e.version = 1;
  const Message q = with_opt(query("hogehoge.com", Type::MX), e);
  CHECK(read_edns(q).status == EdnsRequest::Status::BadVers);
  const Message r = decoded(*answer_packet(auth_zones(), encode(q)));
  CHECK(r.answers.empty());
  CHECK(full_rcode(r) == kRcodeBadVers);
  CHECK(r.header.rcode == Rcode::NoError);  // the low 4 bits of 16
  const Record* opt = opt_of(r);
  REQUIRE(opt);
  CHECK(edns_of(*opt).version == 0);
  CHECK(edns_of(*opt).extended_rcode == 1);
}

TEST_CASE("edns: UDP answers fit the requester's size (TC set, OPT kept); TCP answers are whole") {
  const auto zones = big_zone();
  // No EDNS: 512 octets, truncated.
  auto bytes = *answer_packet(zones, encode(query("big.example.org", Type::TXT)));
  CHECK(bytes.size() <= 512);
  CHECK(decoded(bytes).header.tc);
  // EDNS 4096 from the requester, but we advertise 1232: at most 1232, still truncated.
  Edns e;
  e.udp_size = 4096;
  const Message q = with_opt(query("big.example.org", Type::TXT), e);
  bytes = *answer_packet(zones, encode(q));
  CHECK(bytes.size() <= 1232);
  CHECK(bytes.size() > 512);
  Message r = decoded(bytes);
  CHECK(r.header.tc);
  CHECK(opt_of(r) != nullptr);
  // A requester size below 512 counts as 512.
  e.udp_size = 100;
  bytes = *answer_packet(zones, encode(with_opt(query("big.example.org", Type::TXT), e)));
  CHECK(bytes.size() <= 512);
  CHECK(bytes.size() > 100);
  CHECK(opt_of(decoded(bytes)) != nullptr);
  // Over TCP: everything, TC clear.
  bytes = *answer_packet(zones, encode(q), true);
  r = decoded(bytes);
  CHECK_FALSE(r.header.tc);
  CHECK(r.answers.size() == 10);
  // A small answer is never truncated.
  CHECK_FALSE(decoded(*answer_packet(zones, encode(with_opt(query("ns.example.org", Type::A), e)))).header.tc);
}

TEST_CASE("dns tcp: dig's framed query, byte at a time, answered and framed back") {
  TcpMessageReader reader;
  std::optional<std::string> got;
  for (const char c : kDigTcpA) {
    CHECK(reader.feed(std::string_view(&c, 1)));
    if (auto m = reader.next()) {
      CHECK_FALSE(got);
      got = m;
    }
  }
  REQUIRE(got);
  CHECK(got->size() == 0x39);
  CHECK(reader.buffered() == 0);
  const auto answer_bytes = answer_packet(auth_zones(), *got, true);
  REQUIRE(answer_bytes);
  const std::string framed = frame_tcp(*answer_bytes);
  CHECK(static_cast<std::size_t>((static_cast<unsigned char>(framed[0]) << 8) | static_cast<unsigned char>(framed[1])) ==
        answer_bytes->size());
  const Message r = decoded(framed.substr(2));
  CHECK(r.header.id == 0x0e07);
  CHECK(texts(r.answers) == std::vector<std::string>{"www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
                                                     "web.hogehoge.com. 300 IN A 203.0.113.80"});
}

TEST_CASE("dns tcp: pipelined queries come out in order, at any split") {
  const std::string a = frame_tcp(encode(query("hogehoge.com", Type::MX, 1)));
  const std::string b = frame_tcp(encode(query("hogehoge.com", Type::NS, 2)));
  const std::string stream = a + b;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    TcpMessageReader reader;
    std::vector<std::uint16_t> ids;
    for (const auto part : {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)}) {
      REQUIRE(reader.feed(part));
      while (auto m = reader.next()) ids.push_back(decoded(*m).header.id);
    }
    CHECK(ids == std::vector<std::uint16_t>{1, 2});
  }
}

TEST_CASE("dns tcp: frames shorter than a header and floods are errors that stick") {
  TcpMessageReader tiny;
  CHECK(tiny.feed(std::string("\x00\x05hello", 7)));
  CHECK_FALSE(tiny.next());
  CHECK(tiny.failed());
  CHECK(tiny.error() == "a TCP frame of 5 octets is shorter than a DNS header");
  CHECK_FALSE(tiny.feed(frame_tcp(encode(query("a.example", Type::A)))));
  CHECK_FALSE(tiny.next());

  TcpMessageReader flood;
  const std::string frame = frame_tcp(std::string(65535, '\0'));
  CHECK(flood.feed(frame));
  CHECK(flood.feed(frame));
  CHECK_FALSE(flood.feed("x"));
  CHECK(flood.failed());
  // A half-sent message is visible, so a server can tell the peer left one unanswered.
  TcpMessageReader half;
  CHECK(half.feed(std::string("\x00\x20\x12\x34", 4)));
  CHECK_FALSE(half.next());
  CHECK(half.buffered() == 4);
}
