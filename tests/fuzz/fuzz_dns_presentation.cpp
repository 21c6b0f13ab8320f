// Fuzz target: the zone-record text parser (presentation form) and its round trips.
//
// Each input line is tried as a record ("www.example. 300 IN A 192.0.2.1"), a name, an
// address and a type. Whatever parses must print to text that parses back to the same
// thing, and a parsed record must survive the wire encoding unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/dns/dns.hpp"

namespace {

using namespace mailsim::dns;

void check(bool ok) {
  if (!ok) std::abort();
}

void one_line(std::string_view line) {
  std::string error;
  if (auto rec = parse_record(line, error)) {
    const std::string text = to_string(*rec);
    std::string error2;
    const auto back = parse_record(text, error2);
    check(back.has_value());
    check(*back == *rec);
    check(to_string(*back) == text);
    (void)rdata_to_string(*rec, false);
    Message m;
    m.header.id = 7;
    m.header.qr = true;
    m.questions.push_back(Question{rec->name, rec->type});
    m.answers.push_back(*rec);
    const std::string wire = encode(m);
    if (wire.size() <= kMaxMessageSize) {
      const auto d = decode(wire);
      check(d.ok());
      check(*d.message == m);
    }
    (void)summary(m);
    Zone z;
    z.origin = rec->name;
    z.soa = Record::make(rec->name, 60, SoaData{Name::of("ns.example"), Name::of("h.example"), 1, 2, 3, 4, 5});
    z.records.push_back(*rec);
    (void)validate_zone(z);
  } else {
    check(!error.empty());
  }
  error.clear();
  if (auto name = Name::parse(line, error)) {
    const auto back = Name::parse(name->to_string(), error);
    check(back.has_value() && *back == *name);
    (void)name->to_string_no_dot();
  }
  if (auto ip = parse_ipv4(line)) check(parse_ipv4(ipv4_to_string(*ip)) == ip);
  if (auto ip6 = parse_ipv6(line)) check(parse_ipv6(ipv6_to_string(*ip6)) == ip6);
  if (auto t = parse_type(line)) check(parse_type(type_name(*t)) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  one_line(text);  // the whole input, newlines and all
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    one_line(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return 0;
}
