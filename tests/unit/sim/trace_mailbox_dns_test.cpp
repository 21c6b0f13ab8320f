// Mailbox and DNS records are typed (issue 13): their events have one spelling, their fields
// read back typed from a JSON Lines file and write the same bytes, and a writer's typed record
// is stored in the trace's own storage.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/trace.hpp"
#include "event_names.hpp"
#include "trace_files.hpp"

using namespace mailsim::sim;
using nlohmann::json;
using mailsim::test::jsonl;
using mailsim::test::read_back;

namespace {

std::string line(std::uint64_t seq, const char* kind, const std::string& event, const std::string& proto,
                 json detail) {
  json j{{"t", 1000 + seq}, {"seq", seq}, {"kind", kind}, {"event", event}, {"host", "mx"}, {"proto", proto},
         {"summary", "mx: " + event}};
  if (!detail.empty()) j["detail"] = std::move(detail);
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}


// A record written in code, added to a trace, and its line read back into another trace:
// the same typed fields and the same line.
template <class Typed>
void same_after_reading(const Record& in, Typed Record::*part) {
  std::ostringstream out;
  Trace t;
  t.add(in);
  t.write_jsonl(out);
  std::istringstream back_in(out.str());
  Trace back;
  std::string error;
  REQUIRE(Trace::read_jsonl(back_in, back, error));
  REQUIRE(back.records().size() == 1);
  CHECK(jsonl(back) == out.str());
  const auto& a = *(t.records()[0].*part);
  const auto& b = *(back.records()[0].*part);
  CHECK(a.present == b.present);
  CHECK(a.event == b.event);
  CHECK(to_json(t.records()[0]) == to_json(back.records()[0]));
}

}  // namespace

TEST_CASE("mailbox and DNS event names are spelled in one place", "[trace]") {
  mailsim::test::check_event_names(MailboxEvent::Stored, MailboxEvent::Downloaded, mailbox_event_from_string, "filed");
  mailsim::test::check_event_names(DnsEvent::Lookup, DnsEvent::Result, dns_event_from_string, "axfr");
  // A record of another kind never answers as a mailbox or DNS event.
  Record other;
  other.kind = RecordKind::Mail;
  other.event = "stored";
  CHECK(other.mailbox_event() == MailboxEvent::Other);
  other.event = "query";
  CHECK(other.dns_event() == DnsEvent::Other);
}

TEST_CASE("mailbox records read back typed and write the same bytes", "[trace]") {
  const std::vector<std::string> lines = {
      line(0, "mailbox", "stored", "store",
           {{"store_seq", 1}, {"user", "kuro"}, {"folder", "INBOX"}, {"uid", 3}, {"message_id", 7}, {"origin", 12},
            {"size", 3381}, {"flags", json::array()}, {"quota_used", 3381}, {"quota_limit", 0}, {"version", 2},
            {"headers", "Subject: \xe4\xbb\xb6\\r\\n\\r\\n"}, {"headers_truncated", false},
            {"body_preview", "hi"}, {"body_truncated", true}}),
      line(1, "mailbox", "delivery-refused", "store",
           {{"store_seq", 2}, {"user", "kuro"}, {"folder", "INBOX"}, {"size", 3381}, {"flags", json::array()},
            {"quota_used", 0}, {"quota_limit", 2048}, {"reason", "mailbox full (0 + 3381 octets > quota 2048)"}}),
      line(2, "mailbox", "delivery-refused", "store",
           {{"user", "kuro"}, {"size", 9000}, {"size_limit", 4096}, {"quota_used", 0}, {"quota_limit", 0},
            {"reason", "message too large (9000 octets, limit 4096)"}}),
      // Numbers that do not word the reason: it stays text.
      line(3, "mailbox", "append-refused", "store",
           {{"user", "kuro"}, {"size", 10}, {"quota_used", 5}, {"quota_limit", 8},
            {"reason", "over quota (5 + 11 octets > quota 8)"}}),
      line(4, "mailbox", "flags-changed", "store",
           {{"user", "kuro"}, {"flags", {"\\Seen", "\\Flagged"}}, {"old_flags", json::array()}}),
      line(5, "mailbox", "device-downloaded", "pop3",
           {{"account", "k@h.com"}, {"subject", "件名"}, {"key", "1.3"}, {"id", "1.3"}, {"seen", false},
            {"folder", "INBOX"}, {"size", 120}, {"count", 1}, {"preview", "hello"}, {"from", "s@h.com"}}),
      line(6, "mailbox", "device-checked", "pop3",
           {{"account", "k@h.com"}, {"count", 1}, {"downloaded", 1}, {"deleted_on_server", 0}, {"on_server", 1},
            {"folder", "INBOX"}}),
      // Keys without a field, and typed keys of the wrong shape: kept as written.
      line(7, "mailbox", "downloaded", "pop3",
           {{"message", "1"}, {"size", 1.5}, {"flags", {"a b"}}, {"user", 3}, {"seen", "yes"}}),
      line(8, "mailbox", "shelved", "store", {{"user", "kuro"}}),  // a name this build does not know
      line(9, "mailbox", "maildrop-unlocked", "store", {}),
  };
  const Trace copy = read_back(lines);
  const auto& rs = copy.records();
  REQUIRE(rs.size() == lines.size());
  for (const auto& r : rs) REQUIRE(r.mailbox != nullptr);
  using M = MailboxInfo;
  CHECK(rs[0].is(MailboxEvent::Stored));
  const auto& stored = rs[0].mailbox_info();
  CHECK(stored.user == "kuro");
  CHECK(stored.uid == 3);
  CHECK(stored.message_id == 7);
  CHECK(stored.has(M::kFlags));
  CHECK(stored.flag_list().empty());
  CHECK(stored.headers == "Subject: \xe4\xbb\xb6\\r\\n\\r\\n");
  CHECK(stored.body_truncated);
  CHECK_FALSE(stored.has(M::kReason));
  CHECK(rs[0].detail.empty());

  const auto& full = rs[1].mailbox_info();
  CHECK(full.refusal == StoreRefusal::MailboxFull);
  CHECK(full.quota_used == 0);
  CHECK(full.size == 3381);
  CHECK(full.quota_limit == 2048);
  CHECK(full.reason_text() == "mailbox full (0 + 3381 octets > quota 2048)");
  const auto& large = rs[2].mailbox_info();
  CHECK(large.refusal == StoreRefusal::TooLarge);
  CHECK(large.size_limit == 4096);
  const auto& text = rs[3].mailbox_info();
  CHECK(text.refusal == StoreRefusal::None);
  CHECK(text.reason == "over quota (5 + 11 octets > quota 8)");

  const auto flags = rs[4].mailbox_info().flag_list();
  REQUIRE(flags.size() == 2);
  CHECK(flags[0] == "\\Seen");
  CHECK(flags[1] == "\\Flagged");
  CHECK(rs[4].mailbox_info().has(M::kOldFlags));

  const auto& dev = rs[5].mailbox_info();
  CHECK(rs[5].is(MailboxEvent::DeviceDownloaded));
  CHECK(dev.account == "k@h.com");
  CHECK(dev.subject == "件名");
  CHECK(dev.id == "1.3");
  CHECK_FALSE(dev.seen);
  CHECK(dev.has(M::kSeen));
  CHECK(rs[6].mailbox_info().on_server == 1);

  CHECK(rs[7].is(MailboxEvent::Downloaded));
  CHECK(rs[7].detail.size() == 5);
  CHECK(rs[7].mailbox_info().present == 0);
  CHECK(rs[8].mailbox_event() == MailboxEvent::Other);
  CHECK(rs[8].event == "shelved");
  CHECK(rs[9].is(MailboxEvent::MaildropUnlocked));
}

TEST_CASE("DNS records read back typed and write the same bytes", "[trace]") {
  const std::vector<std::string> lines = {
      line(0, "dns", "lookup", "dns", {{"id", 4660}, {"qname", "hogehoge.com"}, {"qtype", "MX"}, {"rd", true}}),
      line(1, "dns", "query", "dns",
           {{"id", 1}, {"qname", "hogehoge.com"}, {"qtype", "MX"}, {"rd", false}, {"transport", "tcp"},
            {"edns_udp_size", 1232}, {"edns_version", 0}}),
      line(2, "dns", "response", "dns",
           {{"id", 1}, {"qname", "hogehoge.com"}, {"qtype", "MX"}, {"rd", false}, {"rcode", "NOERROR"},
            {"aa", false}, {"answers", json::array()},
            {"authority", {"com. 172800 IN NS a.gtld-servers.com.", "com. 172800 IN NS b.gtld-servers.com."}},
            {"role", "authoritative"}, {"tc", true}, {"edns", true}}),
      line(3, "dns", "resolver", "dns", {{"note", "asking a.root-servers.net (198.51.100.1) for MX hogehoge.com"}}),
      line(4, "dns", "result", "dns",
           {{"qname", "hogehoge.com"}, {"qtype", "MX"}, {"outcome", "NOERROR"},
            {"answers", {"hogehoge.com. 3600 IN MX 10 mx.hogehoge.com."}}}),
      line(5, "dns", "malformed", "dns", {{"error", "too many questions in flight"}, {"transport", "tcp"}}),
      // A replay's keys and shapes the typed form has none for: kept as written.
      line(6, "dns", "response", "dns", {{"id", "x"}, {"answers", {"a\nb"}}, {"meaning", "an answer"}, {"aa", 1}}),
      line(7, "dns", "notify", "dns", {{"qname", "z"}}),
  };
  const Trace copy = read_back(lines);
  const auto& rs = copy.records();
  REQUIRE(rs.size() == lines.size());
  for (const auto& r : rs) REQUIRE(r.dns != nullptr);
  using D = DnsInfo;
  CHECK(rs[0].is(DnsEvent::Lookup));
  CHECK(rs[0].dns_info().id == 4660);
  CHECK(rs[0].dns_info().rd);
  CHECK(rs[0].dns_info().question() == "MX? hogehoge.com");
  CHECK(rs[1].dns_info().transport == "tcp");
  CHECK(rs[1].dns_info().edns_udp_size == 1232);
  CHECK(rs[1].dns_info().has(D::kEdnsVersion));
  const auto& resp = rs[2].dns_info();
  CHECK(resp.has(D::kAnswers));
  CHECK(resp.answer_list().empty());
  REQUIRE(resp.authority_list().size() == 2);
  CHECK(resp.authority_list()[1] == "com. 172800 IN NS b.gtld-servers.com.");
  CHECK(resp.tc);
  CHECK(rs[3].dns_info().note == "asking a.root-servers.net (198.51.100.1) for MX hogehoge.com");
  CHECK(rs[4].dns_info().outcome == "NOERROR");
  CHECK(rs[4].dns_info().answer_list().size() == 1);
  CHECK(rs[5].dns_info().error == "too many questions in flight");
  CHECK(rs[6].detail.size() == 4);
  CHECK(rs[6].dns_info().present == 0);
  CHECK(rs[7].dns_event() == DnsEvent::Other);
  CHECK(rs[7].event == "notify");
}

TEST_CASE("mailbox and DNS records written in code are stored typed, in the trace's own storage", "[trace]") {
  // A store's refusal: typed, its words made from the numbers.
  MailboxRecord m;
  m.record.host = "mx";
  m.record.protocol = "store";
  m.record.summary = "delivery to kuro refused: mailbox full (0 + 3381 octets > quota 2048)";
  m.info.event = MailboxEvent::DeliveryRefused;
  m.info.user = "kuro";
  m.info.size = 3381;
  m.info.quota_limit = 2048;
  m.info.refusal = StoreRefusal::MailboxFull;
  m.info.set(MailboxInfo::kUser).set(MailboxInfo::kSize).set(MailboxInfo::kQuotaUsed).set(MailboxInfo::kQuotaLimit);
  m.info.set(MailboxInfo::kReason);
  m.subject = "not set: no presence bit";
  Trace t;
  const Record& in = t.add(m.typed());
  CHECK(in.mailbox != &m.info);
  CHECK(in.event == to_string(MailboxEvent::DeliveryRefused));
  CHECK(in.kind == RecordKind::Mailbox);
  CHECK(to_json(in)["detail"] == json{{"user", "kuro"},
                                      {"size", 3381},
                                      {"quota_used", 0},
                                      {"quota_limit", 2048},
                                      {"reason", "mailbox full (0 + 3381 octets > quota 2048)"}});
  same_after_reading(m.typed(), &Record::mailbox);

  // A device's record with text it owns: the trace copies it.
  MailboxRecord dev;
  dev.record.host = "pc";
  dev.info.event = MailboxEvent::CheckFailed;
  dev.error = "connection timed out";
  dev.info.set(MailboxInfo::kError);
  const Record& devin = t.add(dev.typed());
  CHECK(devin.mailbox_info().error == "connection timed out");
  CHECK(devin.mailbox_info().error.data() != dev.error.data());
  same_after_reading(dev.typed(), &Record::mailbox);

  DnsRecord d;
  d.record.host = "resolver";
  d.record.protocol = "dns";
  d.info.event = DnsEvent::Result;
  d.info.qname = "hogehoge.com";
  d.info.qtype = "MX";
  d.info.outcome = "NOERROR";
  d.answers = {"hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com.", "hogehoge.com. 3600 IN MX 20 mx2.hogehoge.com."};
  d.info.set(DnsInfo::kQname).set(DnsInfo::kQtype).set(DnsInfo::kOutcome).set(DnsInfo::kAnswers);
  const Record& din = t.add(d.typed());
  CHECK(din.is(DnsEvent::Result));
  CHECK(din.dns_info().answer_list().size() == 2);
  CHECK(to_json(din)["detail"]["answers"] == json(d.answers));
  same_after_reading(d.typed(), &Record::dns);

  // The same records with a JSON detail (the old way, a file) are typed the same.
  Record old;
  old.kind = RecordKind::Mailbox;
  old.event = "delivery-refused";
  old.host = "mx";
  old.protocol = "store";
  old.detail = to_json(in)["detail"];
  const Record& typed = t.add(old);
  CHECK(typed.detail.empty());
  CHECK(typed.mailbox_info().refusal == StoreRefusal::MailboxFull);
  CHECK(typed.mailbox_info().present == in.mailbox_info().present);
}

TEST_CASE("a reason kept as text elsewhere reads back into a typed refusal only when it is exactly one", "[trace]") {
  MailboxInfo m;
  CHECK(refusal_from_text("mailbox full (10 + 3381 octets > quota 2048)", m));
  CHECK(m.refusal == StoreRefusal::MailboxFull);
  CHECK(m.quota_used == 10);
  CHECK(m.size == 3381);
  CHECK(m.quota_limit == 2048);
  MailboxInfo l;
  CHECK(refusal_from_text("message too large (9000 octets, limit 4096)", l));
  CHECK(l.size_limit == 4096);
  MailboxInfo n;
  CHECK_FALSE(refusal_from_text("mailbox full (10 + 3381 octets > quota 2048) and more", n));
  CHECK_FALSE(refusal_from_text("mailbox full ( 10 + 3381 octets > quota 2048)", n));
  CHECK_FALSE(refusal_from_text("no such user", n));
  CHECK(n.refusal == StoreRefusal::None);
}

TEST_CASE("a resolver record's note is read into its step and parts", "[trace]") {
  DnsRecord d;
  d.info.event = DnsEvent::Resolver;
  d.note = "asking a.root-servers.net (198.51.100.1) for MX hogehoge.com (try 2 of 3)";
  d.info.set(DnsInfo::kNote);
  Trace t;
  const auto& asking = t.add(d.typed()).dns_info();
  CHECK(asking.step == ResolverStep::Asking);
  CHECK(asking.server == "a.root-servers.net");
  CHECK(asking.server_ip == "198.51.100.1");
  CHECK(asking.question_text == "MX hogehoge.com");
  CHECK(asking.step_flag);
  CHECK(asking.try_number == 2);
  CHECK(asking.tries == 3);
  CHECK(asking.server.data() >= asking.note.data());  // a view into the trace's own note

  auto parsed = [](std::string note) {
    DnsInfo info;
    info.event = DnsEvent::Resolver;
    static std::vector<std::unique_ptr<std::string>> keep;  // the notes the views point into
    keep.push_back(std::make_unique<std::string>(std::move(note)));
    info.note = *keep.back();
    parse_resolver_note(info);
    return info;
  };
  CHECK(parsed("asking b (1.2.3.4) for A x").step_flag == false);
  CHECK(parsed("asking b (1.2.3.4) over TCP for A x").step == ResolverStep::None);
  const auto referral = parsed("referral to com. servers (a.gtld-servers.com, b.gtld-servers.com), no glue");
  CHECK(referral.step == ResolverStep::Referral);
  CHECK(referral.zone == "com.");
  CHECK(referral.servers == "a.gtld-servers.com, b.gtld-servers.com");
  CHECK(referral.step_flag);
  const auto ns = parsed("cache hit: NS for com. (a.gtld-servers.com), skipping the servers above it");
  CHECK(ns.step == ResolverStep::CacheNs);
  CHECK(ns.step_flag);
  const auto nx = parsed("cache hit: nope.com does not exist (NXDOMAIN, 295 s left)");
  CHECK(nx.step == ResolverStep::CacheNx);
  CHECK(nx.question_text == "nope.com");
  CHECK(nx.ttl == 295);
  const auto hit = parsed("cache hit: MX hogehoge.com (2 record(s), 3540 s left)");
  CHECK(hit.step == ResolverStep::CacheHit);
  CHECK(hit.question_text == "MX hogehoge.com");
  CHECK(hit.count == 2);
  CHECK(hit.ttl == 3540);
  CHECK(parsed("cache hit: MX x has no records (NODATA, 5 s left)").step == ResolverStep::None);
  CHECK(parsed("answer: x.com does not exist (NXDOMAIN)").step == ResolverStep::AnswerNx);
  CHECK(parsed("answer: MX x.com has no records (NODATA)").question_text == "MX x.com");
  CHECK(parsed("answer: MX x.com -> 10 mx.x.com").answer == "MX x.com -> 10 mx.x.com");
  const auto answered = parsed("a.gtld-servers.com answered: MX x.com -> referral to ns.x.com");
  CHECK(answered.step == ResolverStep::Answered);
  CHECK(answered.server == "a.gtld-servers.com");
  CHECK(parsed("resolving MX x.com").question_text == "MX x.com");
  CHECK(parsed("starting at the root servers").step == ResolverStep::Root);
  CHECK(parsed("no answer from a (1.2.3.4); trying again").step == ResolverStep::None);
}
