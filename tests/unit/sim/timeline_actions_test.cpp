// Timeline actions of issue 17 (second part): a network's link going down and up, a DNS change
// with the resolver's cache in between, and a device's reply (In-Reply-To and References).
#include <catch2/catch.hpp>

#include <map>

#include "protocols/message/message.hpp"
#include "sim/apps/mail/mail_world.hpp"
#include "sim/apps/mail/store.hpp"
#include "sim/core/network.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

std::vector<const Record*> find(const Trace& t, RecordKind kind, const std::string& event) {
  std::vector<const Record*> out;
  for (const auto& r : t.records())
    if (r.kind == kind && r.event == event) out.push_back(&r);
  return out;
}

nlohmann::json lesson(const std::string& path) {
  std::ifstream in(mailsim::test::kSourceDir + "/scenarios/" + path + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str());
  j.erase("narration");
  j.erase("expectations");
  return j;
}

// Every message of user's INBOX on `host` at the end of the run, raw.
std::vector<std::string> inbox(const nlohmann::json& j, const std::string& host, const std::string& user,
                               RunResult* out = nullptr) {
  const Scenario s = mailsim::test::load_json(j, "timeline.json");
  std::vector<std::string> raws;
  RunOptions opt;
  opt.at_end = [&](Simulation&, mail::MailWorld& world) {
    auto* store = world.store(host);
    REQUIRE(store);
    if (auto snap = store->snapshot(user, "INBOX"))
      for (const auto& m : snap->messages)
        if (auto raw = store->raw(user, "INBOX", m.uid)) raws.push_back(*raw);
  };
  auto r = run_scenario(s, opt);
  INFO(r.conservation.summary());
  CHECK(r.conservation.holds());
  if (out) *out = std::move(r);
  return raws;
}

std::string header(const std::string& raw, std::string_view name) {
  const auto fields = mailsim::message::parse_header_section(raw);
  auto v = mailsim::message::find_header(fields, name).value_or("");
  std::string out;
  for (char c : v)
    if (c != '\r' && c != '\n') out += c;
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  std::string squeezed;
  for (char c : out)
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  return squeezed;
}

// Every diagnostic of a scenario that must not load, formatted, one a line.
std::string load_errors(const std::string& text) {
  const auto r = load_scenario_text(text, "lesson.json");
  CHECK_FALSE(r.scenario);
  std::string all;
  for (const auto& d : r.diagnostics) all += d.format() + "\n";
  return all;
}

}  // namespace

TEST_CASE("network: a cut link cuts paths between its network and the others, not inside it") {
  Network n;
  NetworkInfo a;
  a.id = "isp";
  a.cidr = *Cidr::parse("192.0.2.0/24");
  NetworkInfo b;
  b.id = "dc";
  b.cidr = *Cidr::parse("198.51.100.0/24");
  n.add_network(a);
  n.add_network(b);
  n.add_host({"pc", "pc", "PC", "", "isp", *Ipv4::parse("192.0.2.10")});
  n.add_host({"pc2", "pc", "PC 2", "", "isp", *Ipv4::parse("192.0.2.11")});
  n.add_host({"mx", "mail_server", "MX", "", "dc", *Ipv4::parse("198.51.100.25")});
  CHECK(n.path("pc", *Ipv4::parse("198.51.100.25"))->cut.empty());
  n.set_link_up("dc", false);
  CHECK_FALSE(n.link_up("dc"));
  CHECK(n.path("pc", *Ipv4::parse("198.51.100.25"))->cut == "dc");
  CHECK(n.path("mx", *Ipv4::parse("192.0.2.10"))->cut == "dc");
  CHECK(n.path("pc", *Ipv4::parse("192.0.2.11"))->cut.empty());  // inside the ISP: no link crossed
  n.set_link_up("isp", false);
  CHECK(n.path("pc", *Ipv4::parse("198.51.100.25"))->cut == "isp");  // the sender's own first
  n.set_link_up("dc", true);
  n.set_link_up("isp", true);
  CHECK(n.path("pc", *Ipv4::parse("198.51.100.25"))->cut.empty());
}

TEST_CASE("link_down / link_up: packets are lost, the queue retries, and the letter gets through after") {
  auto j = lesson("mail/cross-domain");
  j["timeline"].push_back({{"at", "500ms"}, {"do", "link_down"}, {"network", "hogehoge"}});
  j["timeline"].push_back({{"at", "4m"}, {"do", "link_up"}, {"network", "hogehoge"}});
  RunResult r;
  const auto box = inbox(j, "mx-hogehoge", "kuroyagi", &r);
  CHECK(box.size() == 1);
  const auto down = find(r.trace, RecordKind::Action, "link_down");
  const auto up = find(r.trace, RecordKind::Action, "link_up");
  REQUIRE(down.size() == 1);
  REQUIRE(up.size() == 1);
  CHECK(down.front()->detail.value("network", "") == "hogehoge");
  CHECK(describe_record(*down.front(), "en", nullptr) ==
        "the link between hogehoge and the Internet goes down: packets over it are lost");
  CHECK(describe_record(*up.front(), "ja", nullptr) == "hogehoge とインターネットの間の回線が復旧しました");
  // SYNs to mx1 are lost at the link, retried, and the attempt times out: deferred, not bounced.
  std::size_t lost = 0;
  for (const auto& rec : r.trace.records())
    if (rec.kind == RecordKind::Packet && rec.packet && rec.packet->lost == "the link of hogehoge is down")
      ++lost;
  CHECK(lost >= 2);
  CHECK_FALSE(find(r.trace, RecordKind::Mail, "deferred").empty());
  CHECK(find(r.trace, RecordKind::Mail, "bounced").empty());
  const auto delivered = find(r.trace, RecordKind::Mail, "delivered");
  REQUIRE(delivered.size() == 1);
  CHECK(delivered.front()->time > up.front()->time);
}

TEST_CASE("link_down / link_up: the loader wants a known network, and names host_down for a host") {
  auto j = lesson("mail/cross-domain");
  j["timeline"].push_back({{"at", "2s"}, {"do", "link_down"}, {"network", "hogehog"}});
  j["timeline"].push_back({{"at", "3s"}, {"do", "link_up"}, {"host", "mx-hogehoge"}});
  j["timeline"].push_back({{"at", "4s"}, {"do", "link_dwn"}, {"network", "hogehoge"}});
  const auto errors = load_errors(j.dump(2));
  CHECK(errors.find("/timeline/1/network") != std::string::npos);
  CHECK(errors.find("did you mean \"hogehoge\"") != std::string::npos);
  CHECK(errors.find("takes a network, not a host") != std::string::npos);
  CHECK(errors.find("host_up") != std::string::npos);
  CHECK(errors.find("/timeline/3/do") != std::string::npos);
  CHECK(errors.find("link_down") != std::string::npos);  // the did-you-mean for the misspelt action
}

// ---- dns_change and the resolver's cache ----

namespace {

// When each message was delivered, by subject.
std::map<std::string, Time> delivered_at(const Trace& t) {
  std::map<std::string, Time> out;
  for (const auto* r : find(t, RecordKind::Mail, "delivered")) out[std::string(r->mail_info().subject)] = r->time;
  return out;
}

}  // namespace

TEST_CASE("dns_change: the resolver answers the cached MX until its TTL runs out, then the new one") {
  RunResult r;
  auto j = lesson("dns/mx-change");
  CHECK(inbox(j, "mx-new", "kuroyagi", &r).size() == 2);
  const auto at = delivered_at(r.trace);
  CHECK(at.at("Photos from Sunday") < 10 * 60 * kSecond);
  // Sent at 20 minutes, to the switched-off mx1 from the cache until the 3600 s TTL of the
  // answer got at 1 s ran out; then mx2.
  CHECK(at.at("Did the photos arrive?") > 60 * 60 * kSecond);
  const auto changed = find(r.trace, RecordKind::Action, "dns_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed.front()->host == "ns-hogehoge");
  CHECK(changed.front()->time == 10 * 60 * kSecond);
  CHECK(describe_record(*changed.front(), "en", nullptr) ==
        "zone hogehoge.com. changes: removed hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.; added hogehoge.com. 300 "
        "IN MX 10 mx2.hogehoge.com.");
  CHECK(describe_record(*changed.front(), "ja", nullptr).find("を削除") != std::string::npos);
  // After the change the resolver answers from its cache (no question to ns1) until the TTL is over.
  std::size_t cache_hits = 0;
  std::vector<Time> asked_ns1;
  for (const auto& rec : r.trace.records()) {
    if (rec.is(DnsEvent::Response) && rec.host == "ns-hogehoge") asked_ns1.push_back(rec.time);
    if (rec.is(DnsEvent::Resolver) && rec.host == "resolver" &&
        rec.time > changed.front()->time && rec.time < 60 * 60 * kSecond && rec.text().find("cache hit") != std::string::npos)
      ++cache_hits;
  }
  CHECK(cache_hits >= 3);  // the first try and the retries at about 1, 5 and 15 minutes
  REQUIRE_FALSE(asked_ns1.empty());
  for (const Time t : asked_ns1) CHECK((t < 10 * kSecond || t > 60 * 60 * kSecond));
}

TEST_CASE("dns_change: with a short TTL the change reaches the sender within minutes") {
  auto j = lesson("dns/mx-change");
  for (auto& z : j["dns"]["zones"])
    if (z["origin"] == "hogehoge.com")
      for (auto& rec : z["records"])
        if (rec == "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.") rec = "hogehoge.com. 300 IN MX 10 mx1.hogehoge.com.";
  j["timeline"][1]["remove"] = {"hogehoge.com. 300 IN MX 10 mx1.hogehoge.com."};
  RunResult r;
  inbox(j, "mx-new", "kuroyagi", &r);
  CHECK(delivered_at(r.trace).at("Did the photos arrive?") < 21 * 60 * kSecond);  // no stale answer left
  CHECK(find(r.trace, RecordKind::Mail, "deferred").empty());
}

TEST_CASE("dns_change: the loader checks the zone, the records and what there is to remove") {
  auto j = lesson("dns/mx-change");
  j["timeline"].push_back({{"at", "30m"}, {"do", "dns_change"}, {"zone", "hogehoge.co"},
                           {"add", {"hogehoge.com. 300 IN MX 20 mx1.hogehoge.com."}}});
  j["timeline"].push_back({{"at", "31m"}, {"do", "dns_change"}, {"zone", "hogehoge.com"},
                           {"remove", {"hogehoge.com. 3600 IN MX 10 mx9.hogehoge.com."}}});
  j["timeline"].push_back({{"at", "32m"}, {"do", "dns_change"}, {"zone", "hogehoge.com"},
                           {"add", {"www.example.org. 300 IN A 192.0.2.1", "hogehoge.com. 300 IN MX ten mx2."}}});
  j["timeline"].push_back({{"at", "33m"}, {"do", "dns_change"}, {"zone", "hogehoge.com"}});
  // Removing the record the first change already removed: the file's changes are applied in order.
  j["timeline"].push_back({{"at", "35m"}, {"do", "dns_change"}, {"zone", "hogehoge.com"},
                           {"remove", {"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."}}});
  const auto errors = load_errors(j.dump(2));
  CAPTURE(errors);
  CHECK(errors.find("/timeline/4/zone") != std::string::npos);
  CHECK(errors.find("did you mean \"hogehoge.com\"") != std::string::npos);
  CHECK(errors.find("/timeline/5/remove/0") != std::string::npos);
  CHECK(errors.find("to remove (it has: ") != std::string::npos);  // the MX records it does have
  CHECK(errors.find("mx9.hogehoge.com.") != std::string::npos);
  CHECK(errors.find("/timeline/6/add/0") != std::string::npos);
  CHECK(errors.find("outside zone hogehoge.com.") != std::string::npos);
  CHECK(errors.find("/timeline/6/add/1") != std::string::npos);
  CHECK(errors.find("nothing to change") != std::string::npos);
  CHECK(errors.find("/timeline/8/remove/0") != std::string::npos);
}

// ---- reply ----

TEST_CASE("reply: In-Reply-To, References and Re: in the delivered answer, two levels deep (POP3)") {
  auto j = lesson("receiving/pop3-download-and-delete");
  // Kuroyagi gets an incoming account too, so that he can answer the answer.
  for (auto& h : j["hosts"])
    if (h["id"] == "kuroyagi-pc")
      h["mail_client"]["accounts"][0]["incoming"] = {{"server", "mail"}, {"protocol", "pop3"}, {"port", 110},
                                                     {"tls", "starttls"}, {"leave_on_server", true}};
  j["timeline"].push_back({{"at", "12s"}, {"do", "reply"}, {"on", "shiroyagi-pc"}, {"subject", "Lunch on Friday?"},
                           {"body", "Yes, gladly!\n"}});
  j["timeline"].push_back({{"at", "30s"}, {"do", "check_mail"}, {"on", "kuroyagi-pc"}});
  j["timeline"].push_back({{"at", "40s"}, {"do", "reply"}, {"on", "kuroyagi-pc"}, {"subject", "Re: Lunch on Friday?"},
                           {"body", "See you at noon.\n"}});
  RunResult r;
  const auto kuro = inbox(j, "mail", "kuroyagi", &r);
  REQUIRE(kuro.size() == 1);
  const std::string& answer = kuro.front();
  CHECK(header(answer, "Subject") == "Re: Lunch on Friday?");
  CHECK(header(answer, "To").find("kuroyagi@hogehoge.com") != std::string::npos);
  // The original's Message-ID, from the compose record of the first send.
  const auto composed = find(r.trace, RecordKind::Mail, "compose");
  REQUIRE(composed.size() == 3);
  const std::string original = composed[0]->mail_info().message_id.str();
  const std::string first_answer = composed[1]->mail_info().message_id.str();
  REQUIRE_FALSE(original.empty());
  CHECK(header(answer, "In-Reply-To") == original);
  CHECK(header(answer, "References") == original);
  CHECK(composed[1]->detail.value("in_reply_to", "") == original);
  // The answer to the answer: References grows, and the subject gets no second "Re:".
  const auto shiro = inbox(j, "mail", "shiroyagi");
  std::string second;
  for (const auto& m : shiro)
    if (header(m, "In-Reply-To") == first_answer) second = m;
  REQUIRE_FALSE(second.empty());
  CHECK(header(second, "Subject") == "Re: Lunch on Friday?");
  CHECK(header(second, "References") == original + " " + first_answer);
}

TEST_CASE("reply: an IMAP device opens the message, then answers it") {
  auto j = lesson("receiving/imap-two-devices");
  j["timeline"].push_back({{"at", "25s"}, {"do", "reply"}, {"on", "shiroyagi-pc"}, {"subject", "Lunch on Friday?"}});
  RunResult r;
  const auto kuro = inbox(j, "mail", "kuroyagi", &r);
  REQUIRE(kuro.size() == 1);
  const auto composed = find(r.trace, RecordKind::Mail, "compose");
  REQUIRE(composed.size() == 2);
  CHECK(header(kuro.front(), "In-Reply-To") == composed[0]->mail_info().message_id.str());
  CHECK(header(kuro.front(), "Subject") == "Re: Lunch on Friday?");
}

TEST_CASE("reply: a message the device does not have is an action-failed record; the loader wants a reader") {
  auto j = lesson("receiving/pop3-download-and-delete");
  j["timeline"].push_back({{"at", "12s"}, {"do", "reply"}, {"on", "shiroyagi-pc"}, {"subject", "No such letter"}});
  RunResult r;
  inbox(j, "mail", "kuroyagi", &r);
  const auto failed = find(r.trace, RecordKind::Mailbox, "action-failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed.front()->mailbox_info().action == "reply");
  CHECK(failed.front()->mailbox_info().error == "no such message on this device");
  auto bad = lesson("receiving/pop3-download-and-delete");
  bad["timeline"].push_back({{"at", "12s"}, {"do", "reply"}, {"on", "kuroyagi-pc"}, {"subject", "x"}, {"cc", "a@b.c"}});
  bad["timeline"].push_back({{"at", "13s"}, {"do", "reply"}, {"on", "shiroyagi-pc"}});
  const auto errors = load_errors(bad.dump(2));
  CAPTURE(errors);
  CHECK(errors.find("/timeline/3/cc") != std::string::npos);
  CHECK(errors.find("no \"incoming\" settings") != std::string::npos);
  CHECK(errors.find("/timeline/4") != std::string::npos);
  CHECK(errors.find("subject") != std::string::npos);
}

// ---- charsets ----

TEST_CASE("charsets: the mojibake lesson shows Japanese on one device and garbage on the other") {
  const Scenario s = mailsim::test::load_lesson("scenarios/mail/mojibake.json");
  const auto r = run_scenario(s);
  CHECK(r.conservation.holds());
  std::map<std::string, std::pair<std::string, std::string>> shown;  // device -> subject, preview
  for (const auto* rec : find(r.trace, RecordKind::Mailbox, "device-downloaded"))
    shown[rec->host.str()] = {std::string(rec->mailbox_info().subject), std::string(rec->mailbox_info().preview)};
  CHECK(shown.at("shiroyagi-pc").first == "\xE3\x81\x8A\xE8\x8C\xB6\xE3\x81\xAF\xE3\x81\x84\xE3\x81\x8B\xE3\x81\x8C\xEF\xBC\x9F");
  CHECK(shown.at("shiroyagi-pc").second.find("\xE6\x97\xA5\xE6\x9B\x9C\xE6\x97\xA5") != std::string::npos);  // 日曜日
  CHECK(shown.at("shiroyagi-phone").first == "$B$*Cc$O$$$+$,!)(B");
  CHECK(shown.at("shiroyagi-phone").second.rfind("$B$7$m$d$.$5$s(B\n", 0) == 0);
}

TEST_CASE("charsets: a send in ISO-2022-JP that has a character JIS X 0208 lacks is refused by the loader") {
  auto j = lesson("mail/mojibake");
  j["timeline"][0]["subject"] = "\xE3\x81\x8A\xE8\x8C\xB6 \xF0\x9F\x8D\xB5";  // お茶 🍵
  j["hosts"][0]["mail_client"]["reads_as"] = "latin-1";
  const auto errors = load_errors(j.dump(2));
  CAPTURE(errors);
  CHECK(errors.find("/timeline/0/subject") != std::string::npos);
  CHECK(errors.find("U+1F375") != std::string::npos);
  CHECK(errors.find("/hosts/0/mail_client/reads_as") != std::string::npos);
  CHECK(errors.find("iso-8859-1") != std::string::npos);  // the choices are listed
}
