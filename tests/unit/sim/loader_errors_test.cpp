// Broken lessons, one per kind of mistake a trainer makes: each gives its exact file:line:col message.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.hpp"
#include "loader_fixture.hpp"

using namespace mailsim::sim;

namespace {

// A valid mail lesson; each test replaces one line to make one mistake. Line numbers below
// refer to this text (line 1 is the opening brace).
const std::string kMail = R"({
  "mailsim": 1,
  "title": {"en": "Broken lessons", "ja": "壊れたレッスン"},
  "networks": [
    {"id": "isp", "kind": "access", "cidr": "192.0.2.0/24", "dynamic_pool": "192.0.2.128/25"},
    {"id": "dc", "kind": "datacenter", "cidr": "198.51.100.0/24"}
  ],
  "dns": {"zones": [
    {"origin": "example.com", "records": ["example.com. 3600 IN MX 10 mail.example.com.",
                                          "mail.example.com. 3600 IN A 198.51.100.25"]},
    {"origin": "hogehoge.com", "records": ["hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.",
                                           "mx1.hogehoge.com. 3600 IN A 198.51.100.26"]}
  ]},
  "hosts": [
    {"id": "pc", "kind": "pc", "network": "isp", "ip": "192.0.2.130",
     "mail_client": {"accounts": [{"address": "shiroyagi@example.com", "password": "mee",
       "smtp": {"server": "mail-example", "port": 587},
       "incoming": {"protocol": "pop3", "server": "mail-example"}}]}},
    {"id": "phone", "kind": "phone", "network": "isp", "ip": "192.0.2.131"},
    {"id": "dns", "kind": "dns_server", "network": "dc", "ip": "198.51.100.53",
     "dns_server": {"zones": ["example.com", "hogehoge.com"], "recursive": true}},
    {"id": "mail-example", "kind": "mail_server", "network": "dc", "ip": "198.51.100.25",
     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi", "password": "mee"}]}},
    {"id": "mx-hogehoge", "kind": "mail_server", "network": "dc", "ip": "198.51.100.26",
     "mail_server": {"domains": ["hogehoge.com"], "users": [{"name": "kuroyagi", "quota": "10MB"}],
       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}]}},
    {"id": "web", "kind": "server", "network": "dc", "ip": "198.51.100.80"}
  ],
  "timeline": [
    {"at": "1s", "do": "send", "from": "pc", "to": "kuroyagi@hogehoge.com", "subject": "Hi", "size": "2KB"},
    {"at": "10s", "do": "check_mail", "on": "pc"},
    {"at": "11s", "do": "lookup", "from": "pc", "name": "hogehoge.com", "qtype": "MX"}
  ],
  "expectations": [
    {"type": "delivered", "to": "kuroyagi@hogehoge.com", "subject": "Hi"},
    {"type": "mailbox", "user": "shiroyagi@example.com", "count": 0},
    {"type": "bounced", "from": "shiroyagi@example.com", "status": "5.1.1"}
  ],
  "narration": [
    {"when": {"kind": "mail", "event": "compose", "host": "pc"}, "en": "She posts it.", "ja": "投函します。",
     "analogy": "smtp.submission"},
    {"when": {"kind": "protocol", "proto": "smtp", "host": "mx-hogehoge", "contains": "250"}, "en": "Accepted."}
  ]
}
)";

std::string with_line(int line, const std::string& text) { return mailsim::test::replace_line(kMail, line, text); }

using mailsim::test::one_error;

}  // namespace

TEST_CASE("broken lessons: the base lesson loads") {
  const auto r = load_scenario_text(kMail, "lesson.json");
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(r.scenario);
  CHECK(r.scenario->narration.size() == 2);
  CHECK(r.scenario->narration[1].when.nth == 1);
  CHECK(r.scenario->narration[1].when.contains == "250");
  CHECK(r.scenario->narration[0].analogy == "smtp.submission");
}

TEST_CASE("broken lessons: a typo in a top-level key") {
  CHECK(one_error(with_line(34, R"(  "expectation": [)")) ==
        "lesson.json:34:3: /expectation: unknown key \"expectation\" (did you mean \"expectations\"?)");
}

TEST_CASE("broken lessons: a typo in a host key") {
  CHECK(one_error(with_line(27, R"(    {"id": "web", "kind": "server", "network": "dc", "ip": "198.51.100.80", "servcies": []})")) ==
        "lesson.json:27:77: /hosts/5/servcies: unknown key \"servcies\" (did you mean \"services\"?)");
}

TEST_CASE("broken lessons: an expectation for a user on a domain no server hosts") {
  CHECK(one_error(with_line(35, R"(    {"type": "delivered", "to": "kuroyagi@hogehoge.co", "subject": "Hi"},)")) ==
        "lesson.json:35:27: /expectations/0/to: no mail server hosts the domain hogehoge.co (did you mean \"kuroyagi@hogehoge.com\"?)");
}

TEST_CASE("broken lessons: an expectation naming a missing mailbox") {
  CHECK(one_error(with_line(36, R"(    {"type": "mailbox", "user": "shiroyagl@example.com", "count": 0},)")) ==
        "lesson.json:36:25: /expectations/1/user: no user \"shiroyagl\" on mail-example (did you mean \"shiroyagi@example.com\"?)");
}

TEST_CASE("broken lessons: an account whose smtp server is not a mail server") {
  CHECK(one_error(with_line(17, R"(       "smtp": {"server": "web", "port": 587},)")) ==
        "lesson.json:17:17: /hosts/0/mail_client/accounts/0/smtp/server: host \"web\" is not a mail server (give it \"mail_server\": {...})");
}

TEST_CASE("broken lessons: an account whose smtp server does not exist") {
  CHECK(one_error(with_line(17, R"(       "smtp": {"server": "mail-exmaple", "port": 587},)")) ==
        "lesson.json:17:17: /hosts/0/mail_client/accounts/0/smtp/server: no host has the id \"mail-exmaple\" (did you mean \"mail-example\"?)");
}

TEST_CASE("broken lessons: an MX pointing at a name with no address") {
  CHECK(one_error(with_line(12, R"(                                           "www.hogehoge.com. 3600 IN A 198.51.100.26"]})")) ==
        "lesson.json:11:44: /dns/zones/1/records/0: MX points at mx1.hogehoge.com., which has no address: no zone has an A record for it (add \"mx1.hogehoge.com. 3600 IN A ...\")");
}

TEST_CASE("broken lessons: an NS pointing at a name with no address") {
  CHECK(one_error(with_line(12, R"(                                           "mx1.hogehoge.com. 3600 IN A 198.51.100.26", "hogehoge.com. 3600 IN NS ns1.hogehoge.com."]})")) ==
        "lesson.json:12:89: /dns/zones/1/records/2: NS points at ns1.hogehoge.com., which has no address: no zone has an A record for it (add \"ns1.hogehoge.com. 3600 IN A ...\")");
}

TEST_CASE("broken lessons: sending from a host without a mail client") {
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "phone", "to": "kuroyagi@hogehoge.com", "subject": "Hi", "size": "2KB"},)")) ==
        "lesson.json:30:32: /timeline/0/from: host \"phone\" has no mail client (give it \"mail_client\": {\"accounts\": [...]})");
}

TEST_CASE("broken lessons: check_mail for an account without incoming settings") {
  CHECK(one_error(with_line(18, R"(       "name": "Shiroyagi"}]}},)")) ==
        "lesson.json:31:5: /timeline/1: account shiroyagi@example.com has no \"incoming\" settings (POP3 or IMAP) to check mail with");
}

TEST_CASE("broken lessons: check_mail for an account the device does not have") {
  CHECK(one_error(with_line(31, R"(    {"at": "10s", "do": "check_mail", "on": "pc", "account": "shiroyagi@example.co"},)")) ==
        "lesson.json:31:51: /timeline/1/account: host \"pc\" has no account \"shiroyagi@example.co\" (did you mean \"shiroyagi@example.com\"?)");
}

TEST_CASE("broken lessons: a duplicate user") {
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}, {"name": "shiroyagi"}]}},)")) ==
        "lesson.json:23:84: /hosts/3/mail_server/users/1/name: duplicate user \"shiroyagi\" on this server (user names are compared "
        "without regard to case)");
}

TEST_CASE("broken lessons: a bad size") {
  CHECK(one_error(with_line(25, R"(     "mail_server": {"domains": ["hogehoge.com"], "users": [{"name": "kuroyagi", "quota": "10XB"}],)")) ==
        "lesson.json:25:82: /hosts/4/mail_server/users/0/quota: bad size \"10XB\": unknown size unit \"XB\" (use B, KB, MB or GB)");
}

TEST_CASE("broken lessons: a bad status") {
  CHECK(one_error(with_line(37, R"(    {"type": "bounced", "from": "shiroyagi@example.com", "status": "5.1"})")) ==
        "lesson.json:37:58: /expectations/2/status: expected a status such as \"5.1.1\" or \"550\"");
}

TEST_CASE("broken lessons: an unknown port role") {
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop"}]}},)")) ==
        "lesson.json:26:60: /hosts/4/mail_server/ports/1/role: unknown port role \"pop\" (did you mean \"pop3\"?)");
}

TEST_CASE("broken lessons: leave_on_server with IMAP") {
  CHECK(one_error(with_line(18, R"(       "incoming": {"protocol": "imap", "server": "mail-example", "leave_on_server": true}}]}},)")) ==
        "lesson.json:18:67: /hosts/0/mail_client/accounts/0/incoming/leave_on_server: leave_on_server is a POP3 setting (IMAP always leaves mail on the server)");
}

TEST_CASE("broken lessons: a lookup from a host without a resolver") {
  CHECK(one_error(with_line(21, R"(     "dns_server": {"zones": ["example.com", "hogehoge.com"]}},)")) ==
        "lesson.json:32:35: /timeline/2/from: host \"pc\" has no DNS resolver to ask (give it \"resolver\")");
}

TEST_CASE("broken lessons: a zone served by nobody") {
  CHECK(one_error(with_line(21, R"(     "dns_server": {"zones": ["example.com"], "recursive": true}},)")) ==
        "lesson.json:11:6: /dns/zones/1/origin: no host serves zone hogehoge.com. (list it in a host's \"dns_server\": {\"zones\": [...]})");
}

TEST_CASE("broken lessons: an action before the world exists") {
  CHECK(one_error(with_line(31, R"(    {"at": "-1s", "do": "check_mail", "on": "pc"},)")) ==
        "lesson.json:31:6: /timeline/1/at: bad duration \"-1s\": a duration cannot be negative");
}

TEST_CASE("broken lessons: an action after the end of the run") {
  CHECK(one_error(with_line(32, R"(    {"at": "2h", "do": "lookup", "from": "pc", "name": "hogehoge.com", "qtype": "MX"})")) ==
        "lesson.json:32:6: /timeline/2/at: this action at 2h 00m 00.000s comes after the end of the run (1h 00m 00.000s; raise \"settings\": {\"run_for\": ...})");
}

TEST_CASE("broken lessons: a typo in an expectation type") {
  CHECK(one_error(with_line(35, R"(    {"type": "deliverd", "to": "kuroyagi@hogehoge.com", "subject": "Hi"},)")) ==
        "lesson.json:35:6: /expectations/0/type: unknown expectation type \"deliverd\" (did you mean \"delivered\"?)");
}

TEST_CASE("broken lessons: a recipient that is not a mail address") {
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "kuroyagi", "subject": "Hi", "size": "2KB"},)")) ==
        "lesson.json:30:46: /timeline/0/to: \"kuroyagi\" is not a mail address: it has no '@' (write "
        "local-part@domain, such as \"kuroyagi@hogehoge.com\")");
}

TEST_CASE("broken lessons: an unknown incoming protocol") {
  CHECK(one_error(with_line(18, R"(       "incoming": {"protocol": "pop", "server": "mail-example"}}]}},)")) ==
        "lesson.json:18:21: /hosts/0/mail_client/accounts/0/incoming/protocol: unknown protocol \"pop\" (did you mean \"pop3\"?)");
}

TEST_CASE("broken lessons: a narration step with an unknown record kind") {
  CHECK(one_error(with_line(40, R"(    {"when": {"kind": "mial", "event": "compose", "host": "pc"}, "en": "She posts it.", "ja": "投函します。",)")) ==
        "lesson.json:40:15: /narration/0/when/kind: unknown trace record kind \"mial\" (did you mean \"mail\"?)");
}

TEST_CASE("broken lessons: a narration step on an unknown host") {
  CHECK(one_error(with_line(42, R"(    {"when": {"kind": "protocol", "proto": "smtp", "host": "mx-hogehog", "contains": "250"}, "en": "Accepted."})")) ==
        "lesson.json:42:52: /narration/1/when/host: no host has the id \"mx-hogehog\" (did you mean \"mx-hogehoge\"?)");
}

TEST_CASE("broken lessons: a narration step with an unknown analogy") {
  CHECK(one_error(with_line(41, R"(     "analogy": "smtp.submision"},)")) ==
        "lesson.json:41:6: /narration/0/analogy: no post-office analogy \"smtp.submision\" in assets/analogy/en.json (did you mean \"smtp.submission\"?)");
}

TEST_CASE("broken lessons: a narration step without English text") {
  CHECK(one_error(with_line(42, R"(    {"when": {"kind": "protocol", "proto": "smtp", "host": "mx-hogehoge", "contains": "250"}, "ja": "受け付けました。"})")) ==
        "lesson.json:42:5: /narration/1: missing \"en\" (a string)");
}

TEST_CASE("broken lessons: a narration step with nth 0") {
  CHECK(one_error(with_line(42, R"(    {"when": {"kind": "protocol", "proto": "smtp", "host": "mx-hogehoge", "nth": 0}, "en": "Accepted."})")) ==
        "lesson.json:42:75: /narration/1/when/nth: 0 is out of range (1 to 1000000)");
}

TEST_CASE("broken lessons: a typo in a narration moment") {
  CHECK(one_error(with_line(42, R"(    {"when": {"kind": "protocol", "prto": "smtp", "host": "mx-hogehoge"}, "en": "Accepted."})")) ==
        "lesson.json:42:35: /narration/1/when/prto: unknown key \"prto\" (did you mean \"proto\"?)");
}

TEST_CASE("broken lessons: a narration step with an unknown protocol") {
  CHECK(one_error(with_line(42, R"(    {"when": {"kind": "protocol", "proto": "smpt", "host": "mx-hogehoge"}, "en": "Accepted."})")) ==
        "lesson.json:42:35: /narration/1/when/proto: unknown protocol \"smpt\" (did you mean \"smtp\"?)");
}

TEST_CASE("broken lessons: a narration step without a moment") {
  CHECK(one_error(with_line(42, R"(    {"en": "Accepted."})")) ==
        "lesson.json:42:5: /narration/1: missing \"when\" (the moment of the trace this step tells about, e.g. {\"kind\": \"mail\", \"event\": \"compose\"})");
}

TEST_CASE("broken lessons: a zero duration where only a positive one makes sense") {
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}], "retry": ["1m", "0s"]}},)")) ==
        "lesson.json:26:94: /hosts/4/mail_server/retry/1: a retry interval must be longer than zero, not \"0s\"");
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}], "rate_limit": {"max_messages": 2, "per": "0ms"}}},)")) ==
        "lesson.json:26:112: /hosts/4/mail_server/rate_limit/per: the rate limit's time window must be longer than zero, not \"0ms\"");
  CHECK(one_error(with_line(3, R"(  "settings": {"connect_timeout": "0s"}, "title": {"en": "Broken lessons", "ja": "壊れたレッスン"},)")) ==
        "lesson.json:3:16: /settings/connect_timeout: the connect timeout must be longer than zero, not \"0s\"");
}

TEST_CASE("broken lessons: zero is a duration, but less than a microsecond is refused rather than rounded") {
  // "0s" is fine where zero makes sense (an action at the start, no latency).
  const auto r = load_scenario_text(mailsim::test::replace_line(kMail, 31, R"(    {"at": "0s", "do": "check_mail", "on": "pc"},)"),
                                    "lesson.json");
  CHECK(r.scenario.has_value());
  CHECK(one_error(with_line(31, R"(    {"at": "0.3us", "do": "check_mail", "on": "pc"},)")) ==
        "lesson.json:31:6: /timeline/1/at: bad duration \"0.3us\": shorter than 1us, the smallest step of virtual time");
}

TEST_CASE("broken lessons: a lookup's record type is qtype, as in dns expectations") {
  CHECK(one_error(with_line(32, R"(    {"at": "11s", "do": "lookup", "from": "pc", "name": "hogehoge.com", "type": "MX"})")) ==
        "lesson.json:32:73: /timeline/2/type: a lookup's record type is \"qtype\" (as in \"dns\" expectations): write \"qtype\": \"MX\"");
  CHECK(one_error(with_line(37, R"(    {"type": "MX", "name": "hogehoge.com"})")) ==
        "lesson.json:37:6: /expectations/2/type: \"MX\" is a DNS record type, not an expectation type: write {\"type\": \"dns\", \"qtype\": \"MX\", ...}");
}

TEST_CASE("broken lessons: a bounce expected for an address nobody sends from") {
  CHECK(one_error(with_line(37, R"(    {"type": "bounced", "from": "shiroyagi@exmaple.com", "status": "5.1.1"})")) ==
        "lesson.json:37:25: /expectations/2/from: nobody in this scenario sends mail as \"shiroyagi@exmaple.com\", so no bounce can go back to it (did you mean \"shiroyagi@example.com\"?)");
  CHECK(one_error(with_line(37, R"(    {"type": "bounced", "from": "pc", "status": "5.1.1"})")) ==
        "lesson.json:37:25: /expectations/2/from: expected the sender's mail address, not a host: host \"pc\" sends as \"shiroyagi@example.com\" (the bounce goes back to that address)");
  CHECK(one_error(with_line(37, R"(    {"type": "bounced", "from": "shiroyagi@example.com", "status": "250"})")) ==
        "lesson.json:37:58: /expectations/2/status: a bounce follows a permanent refusal, so its reply code is 5xx (such as \"550\" or \"552\"), never \"250\"");
  // A sender that a scripted connection names in MAIL FROM counts.
  const auto scripted = mailsim::test::replace_line(
      with_line(37, R"(    {"type": "bounced", "from": "Someone@Elsewhere.example", "status": "550"})"), 32,
      R"(    {"at": "11s", "do": "connect", "from": "pc", "to": "mx-hogehoge", "port": 25, "send": ["MAIL FROM:<someone@elsewhere.example>"]})");
  const auto r = load_scenario_text(scripted, "lesson.json");
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.format());
  CHECK(r.scenario.has_value());
}

// ---- issue 12: `check` catches what `run` would fail on ----

TEST_CASE("broken lessons: a recipient with a display name is kept, one in angle brackets is refused") {
  const auto ok = load_scenario_text(
      with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "Kuroyagi <kuroyagi@hogehoge.com>", "subject": "Hi"},)"),
      "lesson.json");
  for (const auto& d : ok.diagnostics) UNSCOPED_INFO(d.format());
  CHECK(ok.scenario);
  const auto r = parse_recipient("\"Kuroyagi, K.\" <kuroyagi@hogehoge.com>");
  REQUIRE(r);
  CHECK(r->display_name == "Kuroyagi, K.");
  CHECK(r->address == "kuroyagi@hogehoge.com");

  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "<a@b>", "subject": "Hi"},)")) ==
        "lesson.json:30:46: /timeline/0/to: \"<a@b>\": write the address without angle brackets, \"a@b\" (the brackets "
        "belong to SMTP's RCPT TO:<...>, which the mail program writes itself)");
}

TEST_CASE("broken lessons: recipients the SMTP client would refuse") {
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "a@@b", "subject": "Hi"},)")) ==
        "lesson.json:30:46: /timeline/0/to: \"a@@b\" has more than one '@' (a mail address is local-part@domain with a "
        "single '@')");
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": ["x@y.jp", "a b@c"]},)")) ==
        "lesson.json:30:63: /timeline/0/to/1: \"a b@c\" has a space, and a mail address never does: if \"a\" is a "
        "name, write \"a <b@c>\"");
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "kuroyagi", "cc": "x@y.jp"},)")) ==
        "lesson.json:30:46: /timeline/0/to: \"kuroyagi\" is not a mail address: it has no '@' (write local-part@domain, "
        "such as \"kuroyagi@hogehoge.com\")");
  const auto bad_dot = one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "a..b@c.jp"},)"));
  CHECK(bad_dot.rfind("lesson.json:30:46: /timeline/0/to: \"a..b@c.jp\" is not a valid mail address", 0) == 0);
}

TEST_CASE("broken lessons: duplicate accounts, users, host names and server hostnames") {
  CHECK(one_error(with_line(18, R"(       "incoming": {"protocol": "pop3", "server": "mail-example"}},
       {"address": "Shiroyagi@example.com", "smtp": {"server": "mail-example"}}]}},)")) ==
        "lesson.json:19:9: /hosts/0/mail_client/accounts/1/address: duplicate account \"Shiroyagi@example.com\" on this "
        "device (first at line 16:35); a device has one account per address");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}, {"name": "Shiroyagi"}]}},)")) ==
        "lesson.json:23:84: /hosts/3/mail_server/users/1/name: duplicate user \"Shiroyagi\" on this server (user names "
        "are compared without regard to case)");
  CHECK(one_error(with_line(27, R"(    {"id": "web", "name": "Mail server", "kind": "server", "network": "dc", "ip": "198.51.100.80"},
    {"id": "web2", "name": "Mail server", "kind": "server", "network": "dc", "ip": "198.51.100.81"})")) ==
        "lesson.json:28:20: /hosts/6/name: duplicate host name \"Mail server\" (first at line 27:19); give each host its "
        "own name");
  CHECK(one_error(with_line(25, R"(     "mail_server": {"hostname": "mail-example", "domains": ["hogehoge.com"], "users": [{"name": "kuroyagi"}],)")) ==
        "lesson.json:25:22: /hosts/4/mail_server/hostname: mail server hostname \"mail-example\" is already the hostname "
        "of host \"mail-example\"; each server needs its own");
}

TEST_CASE("broken lessons: narration that can never match") {
  CHECK(one_error(with_line(40, R"(    {"when": {"kind": "mail", "event": "deliverd", "host": "pc"}, "en": "She posts it.",)")) ==
        "lesson.json:40:31: /narration/0/when/event: a mail record never has the event \"deliverd\" (did you mean "
        "\"delivered\"?)");
  CHECK(one_error(with_line(40, R"(    {"when": {"kind": "mail", "event": "compose", "peer": "mx-nowhere"}, "en": "She posts it.",)")) ==
        "lesson.json:40:51: /narration/0/when/peer: no host has the id \"mx-nowhere\"");
  // A world with no mail server and no DNS server: no SMTP or DNS record can ever be written.
  const std::string bare = R"({
  "mailsim": 1, "title": "Bare",
  "networks": [{"id": "n", "cidr": "192.0.2.0/24"}],
  "hosts": [{"id": "a", "kind": "server", "network": "n", "ip": "192.0.2.1"}],
  "narration": [{"when": {"kind": "protocol", "proto": "smtp"}, "en": "Mail!"},
                {"when": {"kind": "dns", "proto": "dns"}, "en": "A lookup!"}]
}
)";
  const auto r = load_scenario_text(bare, "lesson.json");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].format() == "lesson.json:5:47: /narration/0/when/proto: no record of this world can have "
                                     "\"proto\": \"smtp\": no host is a mail server (\"mail_server\")");
  CHECK(r.diagnostics[1].format() == "lesson.json:6:42: /narration/1/when/proto: no record of this world can have "
                                     "\"proto\": \"dns\": no host is a DNS server (\"dns_server\")");
}

TEST_CASE("broken lessons: sizes, retries and lifetimes that can never work") {
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "kuroyagi@hogehoge.com", "size": "8GB"},)")) ==
        "lesson.json:30:77: /timeline/0/size: no SMTP server accepts a message larger than 64 MiB");
  CHECK(one_error(with_line(30, R"(    {"at": "1s", "do": "send", "from": "pc", "to": "kuroyagi@hogehoge.com", "size": "20MB"},)")) ==
        "lesson.json:30:77: /timeline/0/size: no mail server of this world accepts a message that large: the largest "
        "limit is 10485760 bytes (\"max_message_size\" of mail-example)");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}], "max_message_size": "1GB"}},)")) ==
        "lesson.json:23:84: /hosts/3/mail_server/max_message_size: the SMTP server accepts messages of at most 64 MiB; "
        "a larger limit could never be used");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}], "retry": ["1us"]}},)")) ==
        "lesson.json:23:94: /hosts/3/mail_server/retry/0: a retry interval of \"1us\" would only make a storm of "
        "attempts: wait at least 1s (real servers wait minutes)");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}], "retry": ["1m", "500ms"]}},)")) ==
        "lesson.json:23:100: /hosts/3/mail_server/retry/1: a retry interval of \"500ms\" would only make a storm of "
        "attempts: wait at least 1s (real servers wait minutes)");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}], "give_up_after": "8d"}},)")) ==
        "lesson.json:23:84: /hosts/3/mail_server/give_up_after: a message may wait in the queue at most 7 days (real "
        "servers give up after about 5), not \"8d\"");
  CHECK(one_error(with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi"}], "retry": ["1s"], "give_up_after": "1h"}},)")) ==
        "lesson.json:23:84: /hosts/3/mail_server/retry: this retry schedule would try a message more than 1000 times "
        "within give_up_after (\"1h\"): wait longer between tries or give up sooner");
  CHECK(one_error(with_line(3, R"(  "settings": {"run_for": "60d"}, "title": {"en": "Broken lessons", "ja": "壊れたレッスン"},)")) ==
        "lesson.json:3:16: /settings/run_for: a run covers at most 30 days of virtual time, not \"60d\"");
}

TEST_CASE("broken lessons: many problems are capped, long values cut") {
  std::string many;
  for (int i = 0; i < 120; ++i) many += R"({"at": "1s", "do": "host_down", "host": "nope"},)";
  const auto r = load_scenario_text(with_line(31, "    " + many), "lesson.json");
  REQUIRE(r.diagnostics.size() == kMaxDiagnostics + 1);
  CHECK(r.diagnostics.back().format() == "lesson.json: ... and 70 more problems (only the first 50 are shown)");
  const std::string key(5000, 'k');
  const auto long_key = one_error(with_line(2, "  \"mailsim\": 1, \"" + key + "\": 1,"));
  CHECK(long_key.size() < 400);
  CHECK(long_key.find("... (5000 bytes)") != std::string::npos);
}

TEST_CASE("broken lessons: an expectation names a mailbox, not a To: line") {
  CHECK(one_error(with_line(35, R"(    {"type": "delivered", "to": "Kuroyagi <kuroyagi@hogehoge.com>", "subject": "Hi"},)")) ==
        "lesson.json:35:27: /expectations/0/to: write just the mail address here, \"kuroyagi@hogehoge.com\" (a name in "
        "front of it belongs only in a send's \"to\")");
}

namespace {
std::string with_identity(const std::string& identity) {
  return with_line(23, R"(     "mail_server": {"domains": ["example.com"], "users": [{"name": "shiroyagi", "password": "mee"}], "identity": )" +
                           identity + "}},");
}
}  // namespace

TEST_CASE("broken lessons: a server identity advertising what the engine does not implement") {
  using Catch::Matchers::Contains;
  CHECK_THAT(one_error(with_identity(R"({"smtp": {"extensions": ["PIPELINING", "CHUNKING"]}})")),
             Contains("lesson.json:23:") && Contains("/hosts/3/mail_server/identity/smtp/extensions/1: mailsim's SMTP server "
                                                     "(EHLO) does not implement \"CHUNKING\"; list only what it does: SIZE, "
                                                     "8BITMIME, PIPELINING, ENHANCEDSTATUSCODES, AUTH, STARTTLS, HELP"));
  CHECK_THAT(one_error(with_identity(R"({"pop3": {"capabilities": ["TOP", "TOP"]}})")),
             Contains("/hosts/3/mail_server/identity/pop3/capabilities/1: \"TOP\" is listed twice"));
  CHECK_THAT(one_error(with_identity(R"({"imap": {"capabilities": ["IMAP4rev1", "CONDSTORE"]}})")),
             Contains("/identity/imap/capabilities/1: mailsim's IMAP server (CAPABILITY) does not implement \"CONDSTORE\""));
  CHECK_THAT(one_error(with_identity(R"({"smtp": {"banner": "ESMTP\r\n250 fake"}})")),
             Contains("/identity/smtp/banner: expected 1 to 200 printable ASCII characters on one line"));
  CHECK_THAT(one_error(with_identity(R"({"imap": {"capabilities_after_login": "later"}})")),
             Contains("/identity/imap/capabilities_after_login:"));
  CHECK_THAT(one_error(with_identity(R"({"pop": {}})")), Contains("/identity/pop: unknown key \"pop\" (did you mean \"pop3\"?)"));
}

TEST_CASE("a server identity reaches the server's spec") {
  const auto r = load_scenario_text(
      with_identity(R"({"implementation": "Dovecot", "smtp": {"banner": "ESMTP Postfix", "extensions": ["SIZE"]},
                        "pop3": {"greeting": "Dovecot ready.", "capabilities": ["CAPA", "USER"]},
                        "imap": {"capabilities": ["IMAP4rev1"], "capabilities_after_login": "untagged"}})"),
      "lesson.json");
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.format());
  REQUIRE(r.scenario);
  const mailsim::sim::mail::ServerIdentity* id = nullptr;
  for (const auto& h : r.scenario->hosts)
    if (h.mail_server && h.info.id == "mail-example") id = &h.mail_server->identity;
  REQUIRE(id);
  CHECK(id->smtp_banner == "ESMTP Postfix");
  CHECK(id->smtp_extensions == std::vector<std::string>{"SIZE"});
  CHECK(id->pop3_greeting == "Dovecot ready.");
  CHECK(id->pop3_capabilities == std::vector<std::string>{"CAPA", "USER"});
  CHECK(id->imap_capabilities == std::vector<std::string>{"IMAP4rev1"});
  CHECK(id->imap_untagged_capabilities);
  CHECK(id->implementation == "Dovecot");
}

TEST_CASE("broken lessons: quota refusal and greylisting options") {
  const std::string ports = R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}], )";
  CHECK(one_error(with_line(26, ports + R"("quota_refusal": "temporarily"}},)")) ==
        "lesson.json:26:78: /hosts/4/mail_server/quota_refusal: unknown quota refusal \"temporarily\" (did you mean \"temporary\"?)");
  CHECK(one_error(with_line(26, ports + R"("greylisting": {"delay": "0s"}}},)")) ==
        "lesson.json:26:94: /hosts/4/mail_server/greylisting/delay: the greylisting delay must be longer than zero, not \"0s\"");
  CHECK(one_error(with_line(26, ports + R"("greylisting": {"delay": "2d"}}},)")) ==
        "lesson.json:26:94: /hosts/4/mail_server/greylisting/delay: a greylisting delay of \"2d\" would outlast most senders' queues: at most 24h");
  CHECK(one_error(with_line(26, ports + R"("greylisting": {"dealy": "5m"}}},)")) ==
        "lesson.json:26:94: /hosts/4/mail_server/greylisting/dealy: unknown key \"dealy\" (did you mean \"delay\"?)");
  CHECK(one_error(with_line(26, ports + R"("greylisting": true}},)")) ==
        "lesson.json:26:78: /hosts/4/mail_server/greylisting: expected an object, got true");
}

TEST_CASE("broken lessons: state-changing actions") {
  auto error_at = [](const std::string& line) { return one_error(with_line(32, line)); };
  CHECK(error_at(R"(    {"at": "11s", "do": "change_account", "on": "pc"})") ==
        "lesson.json:32:5: /timeline/2: nothing to change: give \"password\", \"smtp\" or \"incoming\"");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_account", "on": "pc", "smtp": {"prot": 25}})") ==
        "lesson.json:32:64: /timeline/2/smtp/prot: unknown key \"prot\" (did you mean \"port\"?)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_account", "on": "pc", "incoming": {"tls": "ssl"}})") ==
        "lesson.json:32:68: /timeline/2/incoming/tls: unknown TLS mode \"ssl\" (expected one of: none, starttls, implicit)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_account", "on": "web", "password": "x"})") ==
        "lesson.json:32:43: /timeline/2/on: host \"web\" has no mail client (give it \"mail_client\": {\"accounts\": [...]})");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "pc", "open_relay": true})") ==
        "lesson.json:32:42: /timeline/2/host: host \"pc\" is not a mail server (give it \"mail_server\": {...})");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge"})") ==
        "lesson.json:32:5: /timeline/2: nothing to change: give \"quota_refusal\", \"max_message_size\", \"greylisting\", "
        "\"open_relay\", \"relay_from\", \"hop_limit\", \"rate_limit\", \"subaddressing\", \"destination_concurrency_limit\", "
        "\"delay_warning\", \"require_tls\", or \"user\" with \"quota\"");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "user": "kuroyage", "quota": "5KB"})") ==
        "lesson.json:32:65: /timeline/2/user: mail server \"mx-hogehoge\" has no user \"kuroyage\" (did you mean \"kuroyagi\"?)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "user": "kuroyagi"})") ==
        "lesson.json:32:5: /timeline/2: missing \"quota\" (a size such as \"10KB\", or \"0\" for none)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "greylisting": "on"})") ==
        "lesson.json:32:65: /timeline/2/greylisting: expected true, false or {\"delay\": \"5m\"}");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "quota_refusal": "soft"})") ==
        "lesson.json:32:65: /timeline/2/quota_refusal: unknown quota refusal \"soft\" (expected one of: permanent, temporary)");
  CHECK(error_at(R"(    {"at": "11s", "do": "empty_folder", "host": "mx-hogehoge"})") ==
        "lesson.json:32:5: /timeline/2: missing \"user\" (a string)");
  CHECK(error_at(R"(    {"at": "11s", "do": "empty_folder", "host": "mx-hogehoge", "user": "kuroyagi", "folder": ""})") ==
        "lesson.json:32:84: /timeline/2/folder: a folder name of 1 to 200 characters, such as \"INBOX\" or \"Trash\"");
}

TEST_CASE("broken lessons: subaddressing is true or false") {
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}], "subaddressing": "+"}},)")) ==
        "lesson.json:26:78: /hosts/4/mail_server/subaddressing: expected true or false, got the string \"+\"");
}

TEST_CASE("broken lessons: the outbound queue's options and the remaining change_server keys") {
  const std::string ports = R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3"}], )";
  const auto server_error = [&](const std::string& option) { return one_error(with_line(26, ports + option + "}},")); };
  CHECK(server_error(R"("destination_concurrency_limit": 0)").find(
            "lesson.json:26:78: /hosts/4/mail_server/destination_concurrency_limit:") == 0);
  CHECK(server_error(R"("destination_concurrency_limit": 5000)").find("/hosts/4/mail_server/destination_concurrency_limit:") !=
        std::string::npos);
  CHECK(server_error(R"("connection_reuse_limit": -1)").find("/hosts/4/mail_server/connection_reuse_limit:") !=
        std::string::npos);
  CHECK(server_error(R"("connection_reuse_time": "2h")") ==
        "lesson.json:26:78: /hosts/4/mail_server/connection_reuse_time: a session may be reused for at most 1h "
        "(Postfix's default is 300s), not \"2h\"");
  CHECK(server_error(R"("delay_warning": "0s")").find("/hosts/4/mail_server/delay_warning: the delay warning time must be "
                                                      "longer than zero") != std::string::npos);
  CHECK(server_error(R"("delay_warning": "40d")").find("/hosts/4/mail_server/delay_warning: a delay warning after \"40d\"") !=
        std::string::npos);
  CHECK(load_scenario_text(with_line(26, ports + R"("delay_warning": "4h", "destination_concurrency_limit": 1, )"
                                                 R"("connection_reuse_limit": 3}},)"),
                           "lesson.json")
            .scenario);

  auto error_at = [](const std::string& line) { return one_error(with_line(32, line)); };
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "relay_from": ["10.0.0.0/33"]})")
            .find("lesson.json:32:") == 0);
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "relay_from": ["10.0.0.0/33"]})")
            .find("/timeline/2/relay_from/0: expected an address range") != std::string::npos);
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "hop_limit": 0})")
            .find("/timeline/2/hop_limit:") != std::string::npos);
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "rate_limit": true})") ==
        "lesson.json:32:65: /timeline/2/rate_limit: expected {\"max_messages\": 2, \"per\": \"1m\"} or false (no limit)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "rate_limit": {"max_messages": 2}})")
            .find("/timeline/2/rate_limit: missing \"per\"") != std::string::npos);
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "subaddressing": "yes"})")
            .find("/timeline/2/subaddressing: expected true or false") != std::string::npos);
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "delay_warning": 5})") ==
        "lesson.json:32:65: /timeline/2/delay_warning: expected a duration such as \"4h\", or false (no warning)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "destination_concurrency_limit": 0})")
            .find("/timeline/2/destination_concurrency_limit:") != std::string::npos);
  CHECK(load_scenario_text(with_line(32, R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "hop_limt": 3})"),
                           "lesson.json")
            .diagnostics.front()
            .format()
            .find("unknown key \"hop_limt\" (did you mean \"hop_limit\"?)") != std::string::npos);
  CHECK(load_scenario_text(with_line(32, R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", )"
                                         R"("rate_limit": false, "delay_warning": false, "relay_from": []})"),
                           "lesson.json")
            .scenario);
}

TEST_CASE("broken lessons: TLS required only where STARTTLS is offered") {
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 995, "role": "pop3s", "require_tls": true}]}},)")) ==
        "lesson.json:26:77: /hosts/4/mail_server/ports/1/require_tls: port 995 (pop3s) is protected from the first byte "
        "(implicit TLS); \"require_tls\" is for a port that offers STARTTLS");
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3", "starttls": false, "require_tls": true}]}},)")) ==
        "lesson.json:26:95: /hosts/4/mail_server/ports/1/require_tls: port 110 requires TLS but does not offer STARTTLS, "
        "so no client could ever use it: remove \"starttls\": false");
  CHECK(one_error(with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 110, "role": "pop3", "require_tls": "yes"}]}},)")) ==
        "lesson.json:26:76: /hosts/4/mail_server/ports/1/require_tls: expected true or false, got the string \"yes\"");
  auto error_at = [](const std::string& line) { return one_error(with_line(32, line)); };
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "require_tls": [143]})") ==
        "lesson.json:32:81: /timeline/2/require_tls/0: expected a port of mx-hogehoge that offers STARTTLS (25, 110)");
  CHECK(error_at(R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "require_tls": "587"})") ==
        "lesson.json:32:65: /timeline/2/require_tls: expected true (every STARTTLS port but 25), false, or a list of ports "
        "such as [587, 143]");
  CHECK(one_error(mailsim::test::replace_line(
            with_line(26, R"(       "ports": [{"port": 25, "role": "mx"}, {"port": 995, "role": "pop3s"}]}},)"), 32,
            R"(    {"at": "11s", "do": "change_server", "host": "mx-hogehoge", "require_tls": true})")) ==
        "lesson.json:32:65: /timeline/2/require_tls: mx-hogehoge has no STARTTLS port for mail programs (587, 110, 143 ...) "
        "to require TLS on; name ports in a list, e.g. [25]");
}

// Questions for challenge mode (issue 18): each mistake named at its place.
namespace {
std::string with_questions(const std::string& questions) {
  return with_line(43, "  ],\n  \"questions\": [" + questions + "]");
}
}  // namespace

TEST_CASE("broken lessons: a lesson's own questions") {
  const std::string choices = R"("choices": ["Accepted", "Refused"])";
  // A good one loads: the answer fixed, or tied to a moment.
  {
    const auto r = load_scenario_text(with_questions(R"({"before_step": 2, "en": "Next?", "ja": "次は？", )" + choices +
                                                     R"(, "answer": 1}, {"at_end": true, "en": "Who?", "choices": [{"en": "mx", "when": {"kind": "mail", "event": "delivered"}}, "nobody"]})"),
                                      "lesson.json");
    REQUIRE(r.scenario);
    REQUIRE(r.scenario->questions.size() == 2);
    CHECK(r.scenario->questions[0].before_step == 1u);
    CHECK(r.scenario->questions[0].answer == 0u);
    CHECK(r.scenario->questions[0].prompt.ja == "次は？");
    CHECK_FALSE(r.scenario->questions[1].before_step);
    CHECK(r.scenario->questions[1].choices[0].when);
  }
  CHECK(one_error(with_questions(R"({"before_step": 1, "en": "First?", )" + choices + R"(, "answer": 1})")) ==
        "lesson.json:44:18: /questions/0/before_step: 1 is out of range (2 to 2)");
  CHECK(one_error(with_questions(R"({"en": "When?", )" + choices + R"(, "answer": 1})")) ==
        "lesson.json:44:17: /questions/0: missing \"before_step\" (the story step the question is asked before, 2, 3, "
        "...) or \"at_end\": true (asked at the end, in the detective mode)");
  CHECK(one_error(with_questions(R"({"at_end": true, "en": "Which?", "choices": ["Only one"], "answer": 1})")) ==
        "lesson.json:44:50: /questions/0/choices: a question has 2 to 6 choices, not 1");
  CHECK(one_error(with_questions(R"({"at_end": true, "en": "Which?", )" + choices + R"(, "answer": 3})")) ==
        "lesson.json:44:86: /questions/0/answer: 3 is out of range (1 to 2)");
  CHECK(one_error(with_questions(R"({"at_end": true, "en": "Which?", "choices": ["Same", "Same"], "answer": 1})")) ==
        "lesson.json:44:70: /questions/0/choices/1: two choices say the same: \"Same\"");
  CHECK(one_error(with_questions(R"({"at_end": true, "en": "Which?", )" + choices + R"(})")) ==
        "lesson.json:44:17: /questions/0: missing \"answer\" (the right choice: 1, 2, ...) or a \"when\" on the choices");
  CHECK(one_error(with_questions(
            R"({"at_end": true, "en": "Which?", "choices": [{"en": "A", "when": {"kind": "mail", "event": "delivred"}}, "B"]})")) ==
        "lesson.json:44:99: /questions/0/choices/0/when/event: a mail record never has the event \"delivred\" (did you "
        "mean \"delivered\"?)");
  CHECK(one_error(with_questions(R"({"before_step": 2, "en": "A?", )" + choices + R"(, "answer": 1}, {"before_step": 2, "en": "B?", )" +
                                 choices + R"(, "answer": 2})")) ==
        "lesson.json:44:99: /questions/1/before_step: step 2 already has a question: one question per step");
}

// Challenge mode (c), "fix the broken setup" (issue 18): the "fix" block, each mistake at its place.
namespace {
std::string with_fix(const std::string& fix) { return with_line(43, "  ],\n  \"fix\": " + fix); }
const std::string kFixGoal = R"("goal": [{"type": "delivered", "to": "kuroyagi@hogehoge.com"}])";
}  // namespace

TEST_CASE("broken lessons: a fix block") {
  // A good one loads: the world's own value is always a choice (first when the author left it out).
  {
    const auto r = load_scenario_text(
        with_fix(R"({"en": "Fix it", "ja": "直そう", "settings": [{"on": "pc", "setting": "smtp.port", "values": [465, 2525]},
          {"host": "mx-hogehoge", "setting": "quota", "user": "kuroyagi", "values": ["1KB", "10MB"]},
          {"host": "mx-hogehoge", "setting": "empty_folder", "user": "kuroyagi"},
          {"zone": "hogehoge.com", "setting": "record", "values": ["hogehoge.com. 3600 IN MX 10 mail.example.com."]}], )" +
                 kFixGoal + "}"),
        "lesson.json");
    for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(r.scenario);
    REQUIRE(r.scenario->fix);
    const auto& f = *r.scenario->fix;
    REQUIRE(f.settings.size() == 4);
    CHECK(f.task.ja == "直そう");
    CHECK(f.settings[0].values.size() == 3);
    CHECK(f.settings[0].values[0] == 587);  // the account's own port, put first
    CHECK(f.settings[0].current == 0);
    CHECK(f.settings[0].account == "shiroyagi@example.com");
    CHECK(f.settings[1].current == 1);  // "10MB" is the user's own quota
    CHECK(f.settings[2].values.size() == 2);
    CHECK(f.settings[3].values.size() == 2);
    CHECK(f.goal.size() == 1);
    CHECK(f.goal[0].pointer == "/fix/goal/0");
  }
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "setting": "smtp.port", "values": [465]}]})")) ==
        "lesson.json:44:3: /fix: missing \"goal\" (an array)");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "setting": "smtp.prot", "values": [465]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:53: /fix/settings/0/setting: unknown account setting \"smtp.prot\" (did you mean \"smtp.port\"?)");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "setting": "smtp.port", "values": [465, 70000]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:93: /fix/settings/0/values/1: expected a port number (1 to 65535), such as 587");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "setting": "smtp.port", "values": [587]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:77: /fix/settings/0/values: give at least one choice other than the world's own value (587)");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"host": "mx-hogehoge", "setting": "quota", "values": ["1KB"]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:40: /fix/settings/0: missing \"user\" (whose quota it is)");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"host": "mx-hogehoge", "setting": "quota", "user": "kuroyage", "values": ["1KB"]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:84: /fix/settings/0/user: mail server \"mx-hogehoge\" has no user \"kuroyage\" (did you mean \"kuroyagi\"?)");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"zone": "hogehoge.com", "setting": "record", "values": ["hogehoge.com. 3600 IN A 198.51.100.26"]}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:97: /fix/settings/0/values/0: zone hogehoge.com. has 0 A records at hogehoge.com.: a fix chooses one "
        "record, which must be there exactly once");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "host": "mx-hogehoge", "setting": "quota"}], )" +
                           kFixGoal + "}")) ==
        "lesson.json:44:40: /fix/settings/0: give one of \"on\", \"host\" and \"zone\", not several");
  CHECK(one_error(with_fix(R"({"en": "Fix it", "settings": [{"on": "pc", "setting": "smtp.port", "values": [465]}], "goal": [{"type": "delivered", "to": "kurooyagi@hogehoge.com"}]})")) ==
        "lesson.json:44:127: /fix/goal/0/to: no user \"kurooyagi\" on mx-hogehoge (did you mean "
        "\"kuroyagi@hogehoge.com\"?)");
}
