// DNS names and presentation format: record text both ways, summaries, clear errors.
#include "dns_test_util.hpp"

using namespace dnstest;

namespace {
std::string parse_error(std::string_view text) {
  std::string error;
  const auto r = parse_record(text, error);
  CHECK_FALSE(r.has_value());
  return error;
}
std::string name_error(std::string_view text) {
  std::string error;
  const auto n = Name::parse(text, error);
  CHECK_FALSE(n.has_value());
  return error;
}
}  // namespace

TEST_CASE("dns: names parse, print and compare") {
  CHECK(Name::of("hogehoge.com").to_string() == "hogehoge.com.");
  CHECK(Name::of("hogehoge.com.").to_string_no_dot() == "hogehoge.com");
  CHECK(Name::of(".").is_root());
  CHECK(Name::of(".").to_string() == ".");
  CHECK(Name::of(".").to_string_no_dot() == ".");
  CHECK(Name::of("a\\.b.example").label_count() == 2);
  CHECK(Name::of("a\\.b.example").to_string() == "a\\.b.example.");
  CHECK(Name::of("\\065bc.example").labels().front() == "Abc");
  CHECK(Name::of("WWW.Example.COM") == Name::of("www.example.com"));
  CHECK(Name::of("www.example.com").is_subdomain_of(Name::of("EXAMPLE.com")));
  CHECK(Name::of("www.example.com").is_subdomain_of(Name()));
  CHECK_FALSE(Name::of("example.com").is_subdomain_of(Name::of("www.example.com")));
  CHECK_FALSE(Name::of("badexample.com").is_subdomain_of(Name::of("example.com")));
  CHECK(Name::of("www.example.com").parent() == Name::of("example.com"));
  CHECK(Name::of("hogehoge.com").wire_length() == 14);
  CHECK(name_error("a..b") == "empty label in 'a..b'");
  CHECK(name_error("") == "empty name");
  CHECK(name_error(std::string(64, 'x') + ".com") ==
        "label of 64+ octets exceeds 63 in '" + std::string(64, 'x') + ".com'");
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";
  CHECK(name_error(long_name) == "name of 257 octets exceeds 255 in '" + long_name + "'");
  CHECK(name_error("a\\2") == "bad \\DDD escape in 'a\\2'");
  CHECK(name_error("a\\") == "dangling backslash in 'a\\'");
}

TEST_CASE("dns: records print in presentation format") {
  CHECK(to_string(rec("hogehoge.com 3600 IN MX 10 mx1.hogehoge.com")) ==
        "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.");
  CHECK(to_string(rec("hogehoge.com. A 192.0.2.1")) == "hogehoge.com. 3600 IN A 192.0.2.1");
  CHECK(to_string(rec("hogehoge.com. IN 60 AAAA 2001:DB8:0:0:1:0:0:1")) ==
        "hogehoge.com. 60 IN AAAA 2001:db8::1:0:0:1");
  CHECK(to_string(rec("x. 1 AAAA ::")) == "x. 1 IN AAAA ::");
  CHECK(to_string(rec("x. 1 AAAA ::ffff:192.0.2.1")) == "x. 1 IN AAAA ::ffff:c000:201");
  CHECK(to_string(rec("x. 1 AAAA 2001:db8:0:1:0:0:0:0")) == "x. 1 IN AAAA 2001:db8:0:1::");
  CHECK(to_string(rec("x. 1 AAAA 2001:db8:1:1:1:1:0:1")) == "x. 1 IN AAAA 2001:db8:1:1:1:1:0:1");
  CHECK(to_string(rec("hogehoge.com. 86400 NS ns1.hogehoge.com.")) ==
        "hogehoge.com. 86400 IN NS ns1.hogehoge.com.");
  CHECK(to_string(rec("www.hogehoge.com. 300 CNAME web")) == "www.hogehoge.com. 300 IN CNAME web.");
  CHECK(to_string(rec("1.2.0.192.in-addr.arpa. 60 PTR hogehoge.com.")) ==
        "1.2.0.192.in-addr.arpa. 60 IN PTR hogehoge.com.");
  CHECK(to_string(rec("hogehoge.com. 3600 SOA ns1 hostmaster 1 2 3 4 5")) ==
        "hogehoge.com. 3600 IN SOA ns1. hostmaster. 1 2 3 4 5");
  CHECK(to_string(rec("hogehoge.com. 60 TXT \"v=spf1 -all\" plain \"q\\\"uote\\\\\" \"\\007\"")) ==
        "hogehoge.com. 60 IN TXT \"v=spf1 -all\" \"plain\" \"q\\\"uote\\\\\" \"\\007\"");
  CHECK(to_string(rec("hogehoge.com. 60 TYPE99 \\# 2 abCD")) == "hogehoge.com. 60 IN TYPE99 \\# 2 abcd");
  CHECK(to_string(rec("hogehoge.com. 60 TYPE99 \\# 0")) == "hogehoge.com. 60 IN TYPE99 \\# 0");
  CHECK(to_string(rec("version.bind. 0 CH TXT \"x\"")) == "version.bind. 0 CH TXT \"x\"");
  // A known type in generic form becomes typed.
  CHECK(to_string(rec("a.example. 5 A \\# 4 C0000201")) == "a.example. 5 IN A 192.0.2.1");
  CHECK(to_string(rec("a.example. 5 mx 5 .")) == "a.example. 5 IN MX 5 .");
}

TEST_CASE("dns: every record type survives print then parse") {
  for (const char* line : {
           "a.example. 1 IN A 192.0.2.1",
           "a.example. 2 IN AAAA 2001:db8::53",
           "a.example. 3 IN NS ns.a.example.",
           "a.example. 4 IN CNAME b.example.",
           "a.example. 5 IN SOA ns.a.example. root.a.example. 4294967295 0 1 2 3",
           "a.example. 6 IN PTR b.example.",
           "a.example. 7 IN MX 65535 mx.a.example.",
           "a.example. 8 IN TXT \"one\" \"two words\" \"\"",
           "a.example. 9 IN TYPE4000 \\# 5 0102030405",
           "we\\.ird.example. 10 IN TXT \"\\000\\255\\\"\"",
       }) {
    const Record r = rec(line);
    CHECK(to_string(r) == line);
    CHECK(rec(to_string(r)) == r);
    Message m;
    m.answers.push_back(r);
    const auto d = decode(encode(m));
    REQUIRE(d.ok());
    CHECK(d.message->answers.front() == r);
  }
}

TEST_CASE("dns: record text errors are clear") {
  CHECK(parse_error("hogehoge.com. 3600 IN MX 70000 mx1.hogehoge.com.") == "MX preference must be 0-65535");
  CHECK(parse_error("hogehoge.com. 3600 IN MX ten mx1.") == "MX preference must be 0-65535");
  CHECK(parse_error("hogehoge.com. A 1.2.3") == "bad IPv4 address '1.2.3'");
  CHECK(parse_error("hogehoge.com. A 1.2.3.256") == "bad IPv4 address '1.2.3.256'");
  CHECK(parse_error("hogehoge.com. A 01.2.3.4") == "bad IPv4 address '01.2.3.4'");
  CHECK(parse_error("hogehoge.com. AAAA 1::2::3") == "bad IPv6 address '1::2::3'");
  CHECK(parse_error("hogehoge.com. AAAA 1:2:3:4:5:6:7") == "bad IPv6 address '1:2:3:4:5:6:7'");
  CHECK(parse_error("hogehoge.com. 3600 IN MXX 10 mx1.") == "unknown record type 'MXX'");
  CHECK(parse_error("hogehoge.com. 99999999999 A 192.0.2.1") ==
        "TTL must be 0-2147483647, got '99999999999'");
  CHECK(parse_error("hogehoge.com. 3600 IN") == "missing record type");
  CHECK(parse_error("") == "empty record");
  CHECK(parse_error("hogehoge.com. MX 10") == "MX needs 2 rdata field(s) (preference exchange), got 1");
  CHECK(parse_error("hogehoge.com. A 192.0.2.1 extra") == "extra text after A rdata: 'extra'");
  CHECK(parse_error("a..b. A 192.0.2.1") == "bad owner name 'a..b.': empty label in 'a..b.'");
  CHECK(parse_error("a. CNAME x..y") == "bad name 'x..y': empty label in 'x..y'");
  CHECK(parse_error("a. TXT \"open") == "unterminated quoted string");
  CHECK(parse_error("a. TXT") == "TXT needs at least one character-string");
  CHECK(parse_error("a. TXT \"" + std::string(256, 'x') + "\"") ==
        "TXT character-string of 256 octets exceeds 255");
  CHECK(parse_error("a. SOA ns. host. 1 2 3 4 -5") == "SOA minimum must be 0-4294967295");
  CHECK(parse_error("a. TYPE99 01 02") == "TYPE99 rdata must be in generic form: \\# LENGTH HEX");
  CHECK(parse_error("a. TYPE99 \\# 3 0102") == "generic rdata length 3 does not match 2 octet(s) of hex");
  CHECK(parse_error("a. A \\# 3 010203") ==
        "generic rdata is not a valid A: answer record 1: A rdata must be 4 octets, rdlength is 3 at offset 25");
  CHECK(parse_error(std::string(kMaxRecordTextLength + 1, 'a')) ==
        "record text of 70001 characters exceeds 70000");
}

TEST_CASE("dns: names of types, classes, rcodes and opcodes") {
  CHECK(type_name(Type::MX) == "MX");
  CHECK(type_name(static_cast<Type>(99)) == "TYPE99");
  CHECK(parse_type("aaaa") == Type::AAAA);
  CHECK(parse_type("TYPE15") == Type::MX);
  CHECK_FALSE(parse_type("TYPE70000").has_value());
  CHECK(class_name(kClassIn) == "IN");
  CHECK(class_name(9) == "CLASS9");
  CHECK(rcode_name(Rcode::NXDomain) == "NXDOMAIN");
  CHECK(rcode_name(Rcode::NotImp) == "NOTIMP");
  CHECK(rcode_name(static_cast<Rcode>(9)) == "RCODE9");
  CHECK(opcode_name(Opcode::Update) == "UPDATE");
  CHECK(ipv4_to_string(ip("198.51.100.1")) == "198.51.100.1");
}

TEST_CASE("dns: one-line summaries of queries and responses") {
  Message q = query("hogehoge.com", Type::MX);
  CHECK(summary(q) == "MX? hogehoge.com");
  Message r = q;
  r.header.qr = true;
  r.header.aa = true;
  r.answers.push_back(rec("hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."));
  CHECK(summary(r) == "MX? hogehoge.com -> 10 mx1.hogehoge.com");

  Message nx = query("nosuch.example", Type::A);
  nx.header.qr = true;
  nx.header.rcode = Rcode::NXDomain;
  nx.authority.push_back(rec("example. 300 IN SOA ns.example. h.example. 1 2 3 4 300"));
  CHECK(summary(nx) == "A? nosuch.example -> NXDOMAIN");

  Message nodata = query("web.example", Type::AAAA);
  nodata.header.qr = true;
  nodata.header.aa = true;
  nodata.authority = nx.authority;
  CHECK(summary(nodata) == "AAAA? web.example -> NODATA");

  Message ref = query("com", Type::MX);
  ref.header.qr = true;
  ref.authority.push_back(rec("com. 172800 IN NS a.gtld.example."));
  CHECK(summary(ref) == "MX? com -> referral to a.gtld.example");
  ref.authority.push_back(rec("com. 172800 IN NS b.gtld.example."));
  ref.header.tc = true;
  CHECK(summary(ref) == "MX? com -> referral to a.gtld.example, b.gtld.example (truncated)");

  Message refused = query("x.example", Type::A);
  refused.header.qr = true;
  refused.header.rcode = Rcode::Refused;
  CHECK(summary(refused) == "A? x.example -> REFUSED");

  Message none;
  none.header.qr = true;
  none.header.rcode = Rcode::FormErr;
  CHECK(summary(none) == "(no question) -> FORMERR");
}
