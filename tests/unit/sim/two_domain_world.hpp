// A small world for timeline tests: two devices in two domains (ann@a.example reads by POP3,
// bob@b.example by IMAP), each domain's mail server and one recursive DNS server. The timeline
// is one piece of text, always at line 17 (loader messages name it by line and column).
#pragma once
#include <string>

namespace mailsim::test {

inline std::string two_domain_world(const std::string& title, int seed, const std::string& settings,
                                    const std::string& timeline) {
  return R"({
  "mailsim": 1, "title": ")" + title + R"(", "seed": )" + std::to_string(seed) + R"(, "settings": )" + settings + R"(,
  "networks": [{"id": "isp", "kind": "access", "cidr": "192.0.2.0/24"},
               {"id": "dc", "kind": "datacenter", "cidr": "198.51.100.0/24"}],
  "dns": {"zones": [{"origin": "a.example", "records": ["a.example. 3600 IN MX 10 mail.a.example.", "mail.a.example. 3600 IN A 198.51.100.10"]},
                    {"origin": "b.example", "records": ["b.example. 3600 IN MX 10 mail.b.example.", "mail.b.example. 3600 IN A 198.51.100.11"]}]},
  "hosts": [
    {"id": "dns", "kind": "dns_server", "network": "dc", "ip": "198.51.100.53", "dns_server": {"zones": ["a.example", "b.example"], "recursive": true}},
    {"id": "mail-a", "kind": "mail_server", "network": "dc", "ip": "198.51.100.10", "mail_server": {"domains": ["a.example"], "users": [{"name": "ann", "password": "pw"}], "ports": [{"port": 25, "role": "mx"}, {"port": 587, "role": "submission"}, {"port": 110, "role": "pop3"}]}},
    {"id": "mail-b", "kind": "mail_server", "network": "dc", "ip": "198.51.100.11", "mail_server": {"domains": ["b.example"], "users": [{"name": "bob", "password": "pw"}], "ports": [{"port": 25, "role": "mx"}, {"port": 587, "role": "submission"}, {"port": 143, "role": "imap"}]}},
    {"id": "pc-a", "kind": "pc", "network": "isp", "ip": "192.0.2.10", "mail_client": {"accounts": [{"address": "ann@a.example", "password": "pw",
      "smtp": {"server": "mail-a", "port": 587, "auth": true}, "incoming": {"protocol": "pop3", "server": "mail-a", "port": 110}}]}},
    {"id": "pc-b", "kind": "pc", "network": "isp", "ip": "192.0.2.11", "mail_client": {"accounts": [{"address": "bob@b.example", "password": "pw",
      "smtp": {"server": "mail-b", "port": 587, "auth": true}, "incoming": {"protocol": "imap", "server": "mail-b", "port": 143}}]}}
  ],
  "timeline": [
)" + timeline + R"(
  ]
}
)";
}

}  // namespace mailsim::test
