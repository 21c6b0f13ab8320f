// A small DNS world for the tests: a root server, a TLD server (com., net.) and the
// authoritative server of hogehoge.com. and shop.net.
#pragma once
#include "dns_test_util.hpp"

namespace dnstest {

inline std::vector<Zone> root_zones() {
  return {zone(".", {
      ". 86400 IN SOA a.root-servers.example. nstld.root-servers.example. 2024010100 1800 900 604800 86400",
      ". 518400 IN NS a.root-servers.example.",
      "a.root-servers.example. 518400 IN A 198.51.100.1",
      "com. 172800 IN NS a.gtld.example.",
      "com. 172800 IN NS b.gtld.example.",
      "net. 172800 IN NS a.gtld.example.",
      "net. 172800 IN NS b.gtld.example.",
      "a.gtld.example. 172800 IN A 192.0.2.1",
      "b.gtld.example. 172800 IN A 192.0.2.2",
  })};
}

inline std::vector<Zone> tld_zones() {
  return {
      zone("com.", {
          "com. 900 IN SOA a.gtld.example. nstld.gtld.example. 1 1800 900 604800 900",
          "com. 172800 IN NS a.gtld.example.",
          "com. 172800 IN NS b.gtld.example.",
          "hogehoge.com. 172800 IN NS ns1.hogehoge.com.",
          "ns1.hogehoge.com. 172800 IN A 203.0.113.53",
      }),
      zone("net.", {
          "net. 900 IN SOA a.gtld.example. nstld.gtld.example. 1 1800 900 604800 900",
          "net. 172800 IN NS a.gtld.example.",
          "net. 172800 IN NS b.gtld.example.",
          "shop.net. 172800 IN NS ns1.hogehoge.com.",  // no glue: the name is not in net.
          "info.net. 3600 IN A 192.0.2.80",
      }),
  };
}

inline std::vector<Zone> auth_zones() {
  return {
      zone("hogehoge.com.", {
          "hogehoge.com. 3600 IN SOA ns1.hogehoge.com. hostmaster.hogehoge.com. 2024010101 7200 900 1209600 300",
          "hogehoge.com. 86400 IN NS ns1.hogehoge.com.",
          "ns1.hogehoge.com. 86400 IN A 203.0.113.53",
          "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
          "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com.",
          "hogehoge.com. 3600 IN TXT \"v=spf1 mx -all\"",
          "mx1.hogehoge.com. 3600 IN A 203.0.113.25",
          "mx2.hogehoge.com. 3600 IN A 203.0.113.26",
          "www.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
          "web.hogehoge.com. 300 IN A 203.0.113.80",
          "shop.hogehoge.com. 300 IN CNAME www.shop.net.",
          "legacy.hogehoge.com. 300 IN CNAME info.net.",
          "c1.hogehoge.com. 300 IN CNAME c2.hogehoge.com.",
          "c2.hogehoge.com. 300 IN CNAME c3.hogehoge.com.",
          "c3.hogehoge.com. 300 IN CNAME c4.hogehoge.com.",
          "c4.hogehoge.com. 300 IN CNAME c5.hogehoge.com.",
          "c5.hogehoge.com. 300 IN CNAME c6.hogehoge.com.",
          "c6.hogehoge.com. 300 IN CNAME c7.hogehoge.com.",
          "c7.hogehoge.com. 300 IN CNAME c8.hogehoge.com.",
          "c8.hogehoge.com. 300 IN CNAME c9.hogehoge.com.",
          "c9.hogehoge.com. 300 IN CNAME c10.hogehoge.com.",
          "c10.hogehoge.com. 300 IN CNAME web.hogehoge.com.",
          "loop1.hogehoge.com. 300 IN CNAME loop2.hogehoge.com.",
          "loop2.hogehoge.com. 300 IN CNAME loop1.hogehoge.com.",
          "_25._tcp.mail.hogehoge.com. 300 IN TXT \"deep\"",
          "nullmx.hogehoge.com. 3600 IN MX 0 .",
          "sub.hogehoge.com. 3600 IN NS ns.sub.hogehoge.com.",
          "sub.hogehoge.com. 3600 IN NS ns.elsewhere.example.",
          "ns.sub.hogehoge.com. 3600 IN A 203.0.113.99",
      }),
      zone("shop.net.", {
          "shop.net. 60 IN SOA ns1.hogehoge.com. hostmaster.shop.net. 1 7200 900 1209600 600",
          "shop.net. 3600 IN NS ns1.hogehoge.com.",
          "www.shop.net. 3600 IN A 203.0.113.81",
      }),
  };
}

}  // namespace dnstest
