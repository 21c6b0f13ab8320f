// What the DNS fuzz targets share: the abort-on-failure check and the zone they answer from.
#pragma once
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/dns.hpp"

namespace mailsim::fuzz {

// A broken property of the code under test: abort, so the fuzzer keeps the input.
inline void check(bool ok) {
  if (!ok) std::abort();
}

// hogehoge.com: an MX and its A, a CNAME, a delegation to sub.hogehoge.com, and twelve TXT
// strings at big.hogehoge.com, more than a 512-byte UDP answer can hold (the TC bit, TCP).
inline const std::vector<dns::Zone>& hogehoge_zones() {
  static const std::vector<dns::Zone> zones = [] {
    std::string error;
    auto r = [&](std::string_view text) {
      auto rec = dns::parse_record(text, error);
      check(rec.has_value());
      return *rec;
    };
    dns::Zone zone;
    zone.origin = dns::Name::of("hogehoge.com");
    zone.soa = r("hogehoge.com. 3600 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. 1 2 3 4 300");
    zone.records = {r("hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."),
                    r("mx1.hogehoge.com. 3600 IN A 203.0.113.25"),
                    r("www.hogehoge.com. 300 IN CNAME web.hogehoge.com."),
                    r("web.hogehoge.com. 300 IN A 203.0.113.80"),
                    r("sub.hogehoge.com. 300 IN NS ns.sub.hogehoge.com."),
                    r("ns.sub.hogehoge.com. 300 IN A 203.0.113.99")};
    for (int i = 0; i < 12; ++i) {
      dns::Record t = r("big.hogehoge.com. 300 IN TXT \"x\"");
      std::get<dns::TxtData>(t.data).strings = {std::to_string(i) + std::string(100, 'q')};
      zone.records.push_back(t);
    }
    return std::vector<dns::Zone>{zone};
  }();
  return zones;
}

}  // namespace mailsim::fuzz
