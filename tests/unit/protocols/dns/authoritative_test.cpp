// Authoritative answering: answers, CNAMEs, negative answers, referrals, refusals, errors.
#include "dns_world.hpp"

using namespace dnstest;

namespace {
Message ask(const std::vector<Zone>& zones, std::string_view name, Type type) {
  const Message q = query(name, type, 0x4242);
  Message r = answer(zones, q);
  // Every response is well formed and answers the question it was asked.
  CHECK(r.header.id == 0x4242);
  CHECK(r.header.qr);
  CHECK_FALSE(r.header.ra);
  CHECK(r.questions == q.questions);
  const auto d = decode(encode(r));
  REQUIRE(d.ok());
  CHECK(*d.message == r);
  return r;
}
}  // namespace

TEST_CASE("dns auth: exact match answers with AA and additional addresses") {
  const auto r = ask(auth_zones(), "HOGEHOGE.com", Type::MX);
  CHECK(r.header.aa);
  CHECK(r.header.rcode == Rcode::NoError);
  CHECK(texts(r.answers) == std::vector<std::string>{"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                                                     "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com."});
  CHECK(r.authority.empty());
  CHECK(texts(r.additional) == std::vector<std::string>{"mx1.hogehoge.com. 3600 IN A 203.0.113.25",
                                                        "mx2.hogehoge.com. 3600 IN A 203.0.113.26"});
  CHECK(summary(r) == "MX? HOGEHOGE.com -> 10 mx1.hogehoge.com, 20 mx2.hogehoge.com");
  const auto soa = ask(auth_zones(), "hogehoge.com", Type::SOA);
  CHECK(texts(soa.answers) == std::vector<std::string>{
                                  "hogehoge.com. 3600 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. "
                                  "2024010101 7200 900 1209600 300"});
  const auto any = ask(auth_zones(), "web.hogehoge.com", Type::ANY);
  CHECK(texts(any.answers) == std::vector<std::string>{"web.hogehoge.com. 300 IN A 203.0.113.80"});
}

TEST_CASE("dns auth: CNAME is answered and followed inside the server's zones") {
  const auto r = ask(auth_zones(), "www.hogehoge.com", Type::A);
  CHECK(r.header.aa);
  CHECK(texts(r.answers) == std::vector<std::string>{"www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
                                                     "web.hogehoge.com. 300 IN A 203.0.113.80"});
  // Into another zone of the same server.
  const auto shop = ask(auth_zones(), "shop.hogehoge.com", Type::A);
  CHECK(texts(shop.answers) == std::vector<std::string>{"shop.hogehoge.com. 300 IN CNAME www.shop.net.",
                                                        "www.shop.net. 3600 IN A 203.0.113.81"});
  // Out of the server's zones: the CNAME alone; the resolver goes on from there.
  const auto legacy = ask(auth_zones(), "legacy.hogehoge.com", Type::A);
  CHECK(legacy.header.rcode == Rcode::NoError);
  CHECK(texts(legacy.answers) == std::vector<std::string>{"legacy.hogehoge.com. 300 IN CNAME info.net."});
  // Asking for the CNAME itself does not follow it.
  const auto cname = ask(auth_zones(), "www.hogehoge.com", Type::CNAME);
  CHECK(cname.answers.size() == 1);
  // A loop ends in SERVFAIL; a long chain stops after kMaxServerCnameChain CNAMEs.
  const auto loop = ask(auth_zones(), "loop1.hogehoge.com", Type::A);
  CHECK(loop.header.rcode == Rcode::ServFail);
  CHECK(loop.answers.size() == 2);
  const auto chain = ask(auth_zones(), "c1.hogehoge.com", Type::A);
  CHECK(chain.header.rcode == Rcode::NoError);
  CHECK(chain.answers.size() == kMaxServerCnameChain);
}

TEST_CASE("dns auth: NXDOMAIN carries the SOA with the negative TTL") {
  const auto r = ask(auth_zones(), "nosuch.hogehoge.com", Type::A);
  CHECK(r.header.aa);
  CHECK(r.header.rcode == Rcode::NXDomain);
  CHECK(r.answers.empty());
  // min(SOA TTL 3600, MINIMUM 300) = 300
  CHECK(texts(r.authority) == std::vector<std::string>{
                                  "hogehoge.com. 300 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. "
                                  "2024010101 7200 900 1209600 300"});
  CHECK(summary(r) == "A? nosuch.hogehoge.com -> NXDOMAIN");
  // min(SOA TTL 60, MINIMUM 600) = 60
  const auto shop = ask(auth_zones(), "nosuch.shop.net", Type::A);
  CHECK(shop.header.rcode == Rcode::NXDomain);
  REQUIRE(shop.authority.size() == 1);
  CHECK(shop.authority[0].ttl == 60);
  // A CNAME to a missing name: the CNAME, then NXDOMAIN for the target (RFC 6604).
  auto zones = auth_zones();
  zones[0].records.push_back(rec("dangling.hogehoge.com. 300 IN CNAME gone.hogehoge.com."));
  const auto dangling = ask(zones, "dangling.hogehoge.com", Type::A);
  CHECK(dangling.header.rcode == Rcode::NXDomain);
  CHECK(dangling.answers.size() == 1);
  CHECK(dangling.authority.size() == 1);
}

TEST_CASE("dns auth: NODATA for an existing name without the type") {
  const auto r = ask(auth_zones(), "web.hogehoge.com", Type::AAAA);
  CHECK(r.header.aa);
  CHECK(r.header.rcode == Rcode::NoError);
  CHECK(r.answers.empty());
  REQUIRE(r.authority.size() == 1);
  CHECK(r.authority[0].type == Type::SOA);
  CHECK(r.authority[0].ttl == 300);
  CHECK(summary(r) == "AAAA? web.hogehoge.com -> NODATA");
  // An empty non-terminal exists too.
  const auto ent = ask(auth_zones(), "_tcp.mail.hogehoge.com", Type::TXT);
  CHECK(ent.header.rcode == Rcode::NoError);
  CHECK(ent.answers.empty());
  CHECK(ent.authority.size() == 1);
}

TEST_CASE("dns auth: referral for a delegated subzone with glue and AA clear") {
  const auto r = ask(tld_zones(), "hogehoge.com", Type::MX);
  CHECK_FALSE(r.header.aa);
  CHECK(r.header.rcode == Rcode::NoError);
  CHECK(r.answers.empty());
  CHECK(texts(r.authority) == std::vector<std::string>{"hogehoge.com. 172800 IN NS ns1.hogehoge.com."});
  CHECK(texts(r.additional) == std::vector<std::string>{"ns1.hogehoge.com. 172800 IN A 203.0.113.53"});
  CHECK(summary(r) == "MX? hogehoge.com -> referral to ns1.hogehoge.com");
  // Below the cut too, and without glue for an out-of-zone server name.
  const auto shop = ask(tld_zones(), "www.shop.net", Type::A);
  CHECK(texts(shop.authority) == std::vector<std::string>{"shop.net. 172800 IN NS ns1.hogehoge.com."});
  CHECK(shop.additional.empty());
  // A cut inside the authoritative zone: glue only for the in-zone server.
  const auto sub = ask(auth_zones(), "host.sub.hogehoge.com", Type::A);
  CHECK_FALSE(sub.header.aa);
  CHECK(sub.authority.size() == 2);
  CHECK(texts(sub.additional) == std::vector<std::string>{"ns.sub.hogehoge.com. 3600 IN A 203.0.113.99"});
  // The root refers to the TLD servers.
  const auto root = ask(root_zones(), "hogehoge.com", Type::MX);
  CHECK(summary(root) == "MX? hogehoge.com -> referral to a.gtld.example, b.gtld.example");
  CHECK(root.additional.size() == 2);
}

TEST_CASE("dns auth: the most specific zone is served") {
  auto zones = tld_zones();
  for (auto& z : auth_zones()) zones.push_back(z);
  const auto r = ask(zones, "hogehoge.com", Type::MX);
  CHECK(r.header.aa);
  CHECK(r.answers.size() == 2);
  const auto net = ask(zones, "info.net", Type::A);
  CHECK(net.header.aa);
  CHECK(texts(net.answers) == std::vector<std::string>{"info.net. 3600 IN A 192.0.2.80"});
}

TEST_CASE("dns auth: REFUSED for names in no zone served and for other classes") {
  const auto r = ask(auth_zones(), "example.org", Type::A);
  CHECK(r.header.rcode == Rcode::Refused);
  CHECK_FALSE(r.header.aa);
  CHECK(summary(r) == "A? example.org -> REFUSED");
  Message chaos = query("hogehoge.com", Type::TXT);
  chaos.questions[0].qclass = 3;
  CHECK(answer(auth_zones(), chaos).header.rcode == Rcode::Refused);
}

TEST_CASE("dns auth: FORMERR for malformed queries, NOTIMP for other opcodes") {
  Message none;
  none.header.id = 9;
  const auto r1 = answer(auth_zones(), none);
  CHECK(r1.header.rcode == Rcode::FormErr);
  CHECK(r1.header.id == 9);
  Message qr = query("hogehoge.com", Type::MX);
  qr.header.qr = true;
  CHECK(answer(auth_zones(), qr).header.rcode == Rcode::FormErr);
  Message two = query("hogehoge.com", Type::MX);
  two.questions.push_back(two.questions.front());
  const auto r2 = answer(auth_zones(), two);
  CHECK(r2.header.rcode == Rcode::FormErr);
  CHECK(r2.questions.empty());
  for (Opcode op : {Opcode::IQuery, Opcode::Status, Opcode::Notify, Opcode::Update}) {
    Message q = query("hogehoge.com", Type::MX);
    q.header.opcode = op;
    const auto r = answer(auth_zones(), q);
    CHECK(r.header.rcode == Rcode::NotImp);
    CHECK(r.header.opcode == op);
  }
}

TEST_CASE("dns auth: answer_packet works on bytes") {
  Message q = query("hogehoge.com", Type::MX, 0x0102);
  q.header.rd = true;
  const auto bytes = answer_packet(auth_zones(), encode(q));
  REQUIRE(bytes.has_value());
  const auto d = decode(*bytes);
  REQUIRE(d.ok());
  CHECK(d.message->header.rd);
  CHECK(d.message->answers.size() == 2);
  // Undecodable query with a header: FORMERR with its id.
  const std::string bad = pkt({0x77, 0x88, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                               0x00, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01});
  const auto formerr = answer_packet(auth_zones(), bad);
  REQUIRE(formerr.has_value());
  CHECK(*formerr == pkt({0x77, 0x88, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  // Too short for a header, or an undecodable response: no answer at all.
  CHECK_FALSE(answer_packet(auth_zones(), "short").has_value());
  std::string bad_response = bad;
  bad_response[2] = static_cast<char>(0x81);
  CHECK_FALSE(answer_packet(auth_zones(), bad_response).has_value());
}

TEST_CASE("dns auth: validate_zone names the problem") {
  Zone z = auth_zones()[0];
  CHECK(validate_zone(z).empty());
  CHECK(z.negative_ttl() == 300);
  Zone out = z;
  out.records.push_back(rec("www.other.example. 60 IN A 192.0.2.1"));
  CHECK(validate_zone(out) == "record www.other.example. is outside zone hogehoge.com.");
  Zone clash = z;
  clash.records.push_back(rec("www.hogehoge.com. 60 IN A 192.0.2.1"));
  CHECK(validate_zone(clash) == "CNAME at www.hogehoge.com. next to other data (A)");
  Zone soa_owner = z;
  soa_owner.soa.name = Name::of("x.hogehoge.com");
  CHECK(validate_zone(soa_owner) == "SOA owner x.hogehoge.com. is not the zone origin hogehoge.com.");
  Zone no_soa = z;
  no_soa.soa = rec("hogehoge.com. 60 IN A 192.0.2.1");
  CHECK(validate_zone(no_soa) == "zone hogehoge.com. has no SOA record");
}
