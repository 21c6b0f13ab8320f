// Post-office analogy: the record classifier, the analogy tables (en/ja parity, every key
// has a text and a station), and the narration helpers (packets in words, meaningful records).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "gui/model/analogy.hpp"
#include "table_keys.hpp"
#include "gui/model/sequence.hpp"
#include "gui/model/story.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

#include "tests/unit/packet_record.hpp"

using namespace mailsim;
using gui::analogy_key;
using gui::AnalogyContext;

namespace {

const std::filesystem::path kSource = MAILSIM_SOURCE_DIR;

sim::Record rec(sim::RecordKind kind, std::string event, nlohmann::json detail = nlohmann::json::object(),
                std::string protocol = {}, std::string summary = {}) {
  sim::Record r;
  r.kind = kind;
  r.event = std::move(event);
  r.detail = std::move(detail);
  r.protocol = std::move(protocol);
  r.summary = std::move(summary);
  r.host = "a";
  r.peer = "b";
  if (kind == sim::RecordKind::Protocol || kind == sim::RecordKind::Mail || kind == sim::RecordKind::Mailbox ||
      kind == sim::RecordKind::Dns) {  // typed as a trace types it
    static sim::Trace typed;
    return typed.add(std::move(r));
  }
  return r;
}

gui::StringTable table(const std::string& name) {
  gui::StringTable t;
  std::string error;
  REQUIRE(t.load_file(kSource / "assets" / "analogy" / name, error));
  return t;
}

struct Loaded {
  sim::Scenario scenario;
  sim::Trace trace;
};
Loaded load(const std::string& path) {
  auto r = sim::load_scenario_file((kSource / "scenarios" / path).string());
  REQUIRE(r.scenario);
  auto run = sim::run_scenario(*r.scenario);
  return {std::move(*r.scenario), std::move(run.trace)};
}

}  // namespace

TEST_CASE("analogy: DNS records map to the directory situations", "[gui][analogy]") {
  using K = sim::RecordKind;
  CHECK(analogy_key(rec(K::Dns, "lookup")) == "dns.query");
  CHECK(analogy_key(rec(K::Dns, "query")) == "dns.query");
  CHECK(analogy_key(rec(K::Dns, "resolver", {{"note", "referral to com. servers (a.gtld-servers.com)"}})) ==
        "dns.referral");
  CHECK(analogy_key(rec(K::Dns, "resolver", {{"note", "cache hit: MX hogehoge.com"}})) == "dns.cache");
  CHECK(analogy_key(rec(K::Dns, "resolver", {{"note", "asking a.root-servers.net"}})) == "dns.query");
  CHECK(analogy_key(rec(K::Dns, "response", {{"rcode", "NOERROR"}, {"aa", false}, {"answers", nlohmann::json::array()},
                                             {"authority", {"com. 172800 IN NS a.gtld-servers.com."}}})) ==
        "dns.referral");
  CHECK(analogy_key(rec(K::Dns, "response", {{"rcode", "NXDOMAIN"}})) == "dns.nxdomain");
  CHECK(analogy_key(rec(K::Dns, "response", {{"rcode", "NOERROR"}, {"aa", true}, {"answers", {"x"}}})) ==
        "dns.answer");
  CHECK(analogy_key(rec(K::Dns, "result", {{"outcome", "NXDOMAIN"}})) == "dns.nxdomain");
  CHECK(analogy_key(rec(K::Dns, "result", {{"outcome", "NOERROR"}})) == "dns.answer");
}

TEST_CASE("analogy: connections, policies and TLS", "[gui][analogy]") {
  using K = sim::RecordKind;
  CHECK(analogy_key(rec(K::Connection, "connecting")) == "tcp.connect");
  CHECK(analogy_key(rec(K::Connection, "established")) == "tcp.connect");
  CHECK(analogy_key(rec(K::Connection, "refused")) == "tcp.refused");
  CHECK(analogy_key(rec(K::Connection, "timeout")) == "tcp.timeout");
  CHECK(analogy_key(rec(K::Connection, "closed")) == "tcp.closed");
  CHECK(analogy_key(rec(K::Policy, "drop", {{"rule", "op25b"}})) == "policy.op25b");
  CHECK(analogy_key(rec(K::Policy, "drop", {{"rule", "no-imap"}})) == "policy.block");
  CHECK(analogy_key(rec(K::Tls, "established"), {587, "pc"}) == "tls.starttls");
  CHECK(analogy_key(rec(K::Tls, "established"), {465, "pc"}) == "tls.implicit");
  CHECK(analogy_key(rec(K::Packet, "tcp")).empty());
  CHECK(analogy_key(rec(K::Meta, "")).empty());
}

TEST_CASE("analogy: SMTP lines by verb, reply code and who connects where", "[gui][analogy]") {
  using K = sim::RecordKind;
  const AnalogyContext pc587{587, "pc"};
  const AnalogyContext mta25{25, "mail_server"};
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "EHLO pc"}, {"verb", "EHLO"}}, "smtp"), pc587) ==
        "smtp.submission");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "EHLO mx"}}, "smtp"), mta25) == "smtp.relay");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "AUTH PLAIN ********"}, {"verb", "AUTH"}}, "smtp"),
                    pc587) == "smtp.auth");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "STARTTLS"}}, "smtp"), pc587) == "tls.starttls");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "550 5.1.1 <x@y>: User unknown"}, {"code", 550}}, "smtp"),
                    mta25) == "smtp.user_unknown");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "554 5.7.1 Relay access denied"}}, "smtp"), mta25) ==
        "smtp.relay_denied");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "552 5.2.2 Mailbox full"}, {"code", 552}}, "smtp"), mta25) ==
        "mailbox.quota");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "552 5.3.4 Message too large"}}, "smtp"), mta25) ==
        "message.too_large");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "235 2.7.0 Authentication successful"}}, "smtp"), pc587) ==
        "smtp.auth");
  // A refused login is its own situation (the ID does not match), with or without a "code" detail.
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "535 5.7.8 Authentication credentials invalid"}, {"code", 535}},
                        "smtp"),
                    pc587) == "smtp.auth_failed");
  CHECK(analogy_key(rec(K::Protocol, "received", {}, "", "S: 535 5.7.8 Authentication credentials invalid"), {587, "pc"}) ==
        "smtp.auth_failed");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "530 5.7.0 Authentication required"}, {"code", 530}}, "smtp"),
                    pc587) == "smtp.auth");
  // A scripted connection (no protocol name) is classified by its server port.
  CHECK(analogy_key(rec(K::Protocol, "sent", {}, "", "EHLO shiroyagi-pc"), {25, "pc"}) == "smtp.submission");
  CHECK(analogy_key(rec(K::Protocol, "sent", {}, "", "hello"), {8080, "pc"}).empty());
}

TEST_CASE("analogy: the wrong-password lesson shows a failed login, not a refused recipient", "[gui][analogy]") {
  const auto l = load("mail/auth-wrong-password.json");
  const sim::Record* reply = nullptr;
  const sim::Record* failed = nullptr;
  for (const auto& r : l.trace.records()) {
    if (r.is(sim::ProtoEvent::Reply) && r.text().find("535 5.7.8") != std::string::npos)
      reply = &r;
    if (r.kind == sim::RecordKind::Mail && r.is(sim::MailEvent::SendFailed)) failed = &r;
  }
  REQUIRE(reply != nullptr);
  CHECK(analogy_key(*reply, {587, "pc"}) == "smtp.auth_failed");
  REQUIRE(failed != nullptr);
  CHECK(failed->text() ==
        "shiroyagi-pc: sending failed — login to mail-example failed: 535 5.7.8 Authentication credentials invalid");
  CHECK(failed->text().find("refused kuroyagi") == std::string::npos);
  CHECK(failed->detail.value("failed_at", "") == "login");
  CHECK(failed->mail_info().status == "5.7.8");
}

TEST_CASE("analogy: POP3, IMAP, mail and mailbox records", "[gui][analogy]") {
  using K = sim::RecordKind;
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "USER alice"}}, "pop3")) == "pop3.login");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "RETR 1"}}, "pop3")) == "pop3.download");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "DELE 1"}}, "pop3")) == "pop3.delete");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "a1 LOGIN alice ********"}}, "imap")) == "imap.login");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "a3 UID FETCH 1:* (FLAGS)"}}, "imap")) == "imap.sync");
  CHECK(analogy_key(rec(K::Protocol, "command", {{"line", "a4 STORE 1 +FLAGS (\\Seen)"}}, "imap")) == "imap.seen");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "* 1 FETCH (FLAGS (\\Seen))"}}, "imap")) == "imap.seen");
  CHECK(analogy_key(rec(K::Mail, "queued")) == "mail.queued");
  CHECK(analogy_key(rec(K::Mail, "deferred")) == "mail.deferred");
  CHECK(analogy_key(rec(K::Mail, "bounced")) == "mail.bounced");
  CHECK(analogy_key(rec(K::Mailbox, "stored")) == "mail.delivered");
  CHECK(analogy_key(rec(K::Mailbox, "delivery-refused", {{"reason", "over quota"}})) == "mailbox.quota");
  CHECK(analogy_key(rec(K::Mailbox, "delivery-refused", {}, "store", "delivery to bob refused: message too large")) ==
        "message.too_large");
  CHECK(analogy_key(rec(K::Mailbox, "downloaded-and-deleted")) == "pop3.delete");
  CHECK(analogy_key(rec(K::Mailbox, "fetched")) == "mailbox.fetched");
  CHECK(analogy_key(rec(K::Action, "start", {{"action", "lookup"}})) == "dns.query");
  CHECK(analogy_key(rec(K::Action, "done", {{"action", "lookup"}})).empty());
}

TEST_CASE("analogy: a sending limit is its own situation; plain text has a postcard key", "[gui][analogy]") {
  using K = sim::RecordKind;
  const AnalogyContext mta25{25, "mail_server"};
  CHECK(analogy_key(rec(K::Protocol, "reply",
                        {{"line", "451 4.7.1 Sending rate limit exceeded, try again later"}, {"code", 451}}, "smtp"),
                    mta25) == "smtp.throttled");
  CHECK(analogy_key(rec(K::Protocol, "received", {}, "", "S: 451 4.7.1 Sending rate limit exceeded, try again later"),
                    mta25) == "smtp.throttled");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "554 5.7.1 Relay access denied"}}, "smtp"), mta25) ==
        "smtp.relay_denied");
  CHECK(analogy_key(rec(K::Protocol, "reply", {{"line", "451 4.3.0 Try again later"}, {"code", 451}}, "smtp"),
                    mta25) == "smtp.relay");
  CHECK(analogy_key(rec(K::Mail, "throttled", {{"who", "198.51.100.25"}, {"limit", 3}})) == "smtp.throttled");
  CHECK(analogy_key(rec(K::Mail, "deferred")) == "mail.deferred");
  // The keys exist for narration even where the classifier cannot tell them from one record.
  const auto& keys = gui::analogy_keys();
  CHECK(std::count(keys.begin(), keys.end(), "smtp.throttled") == 1);
  CHECK(std::count(keys.begin(), keys.end(), "tls.none") == 1);
  const auto stations = table("stations.json");
  CHECK(gui::station_from_name(stations.get("smtp.throttled")) == gui::Station::DestinationOffice);
  CHECK(gui::station_from_name(stations.get("tls.none")) == gui::Station::Envelope);

  // In the sending-limits lesson the 451 reply and the throttled record both light up the limit.
  const auto l = load("mail/sending-limits.json");
  int replies = 0;
  int throttled = 0;
  for (const auto& r : l.trace.records()) {
    if (r.is(sim::ProtoEvent::Reply) && r.text().find("451 4.7.1") != std::string::npos) {
      CHECK(analogy_key(r, mta25) == "smtp.throttled");
      ++replies;
    }
    if (r.kind == K::Mail && r.is(sim::MailEvent::Throttled)) {
      CHECK(analogy_key(r) == "smtp.throttled");
      ++throttled;
    }
  }
  CHECK(replies >= 2);
  CHECK(throttled >= 2);
}

TEST_CASE("analogy tables: en and ja have the same keys; every situation has a title, a text and a station",
          "[gui][analogy][i18n]") {
  const auto en = table("en.json");
  const auto ja = table("ja.json");
  const auto stations = table("stations.json");
  CHECK(gui::testing::non_empty_keys(en) == gui::testing::non_empty_keys(ja));
  for (const auto& key : gui::analogy_keys()) {
    INFO(key);
    CHECK(en.has(key + ".title"));
    CHECK(en.has(key + ".text"));
    CHECK(ja.has(key + ".title"));
    REQUIRE(stations.has(key));
    CHECK(gui::station_from_name(stations.get(key)).has_value());
  }
  for (int s = 1; s < gui::kStationCount; ++s) {
    const auto name = gui::station_name(static_cast<gui::Station>(s));
    CHECK(en.has("station." + std::string(name)));
    CHECK(gui::station_from_name(name) == static_cast<gui::Station>(s));
  }
  CHECK_FALSE(gui::station_from_name("bakery").has_value());
  // The Japanese texts are Japanese (not copies of the English ones).
  CHECK(ja.get("mail.bounced.text") != en.get("mail.bounced.text"));
}

TEST_CASE("story: packets in words", "[gui][story]") {
  sim::Record syn = rec(sim::RecordKind::Packet, "tcp",
                        {{"src", "192.0.2.130:49152"}, {"dst", "198.51.100.25:25"}, {"len", 0}, {"flags", "SYN"},
                         {"path", {"pc", "isp", "internet", "dc", "mx"}}},
                        "tcp");
  auto w = gui::describe_packet(mailsim::testing::packet_record(syn));
  CHECK(w.key == "pkt.syn");
  CHECK(w.from == "pc");
  CHECK(w.to == "b");
  syn.detail["flags"] = "SYN,ACK";
  CHECK(gui::describe_packet(mailsim::testing::packet_record(syn)).key == "pkt.synack");
  syn.detail["flags"] = "RST,ACK";
  CHECK(gui::describe_packet(mailsim::testing::packet_record(syn)).key == "pkt.rst");
  syn.detail["flags"] = "FIN,ACK";
  CHECK(gui::describe_packet(mailsim::testing::packet_record(syn)).key == "pkt.fin");
  syn.detail["flags"] = "ACK";
  CHECK(gui::describe_packet(mailsim::testing::packet_record(syn)).key == "pkt.ack");

  const sim::Record answer = rec(sim::RecordKind::Packet, "udp",
                                 {{"src", "198.51.100.1:53"}, {"dst", "192.0.2.53:49152"}, {"len", 75}}, "dns");
  CHECK(gui::describe_packet(mailsim::testing::packet_record(answer)).key == "pkt.dns_answer");
  const sim::Record data = rec(sim::RecordKind::Packet, "tcp",
                               {{"src", "192.0.2.130:49152"}, {"dst", "198.51.100.25:587"}, {"len", 19},
                                {"flags", "PSH,ACK"}, {"tls", true}, {"blocked_by", "op25b"}},
                               "tcp");
  const auto dw = gui::describe_packet(mailsim::testing::packet_record(data));
  CHECK(dw.key == "pkt.data");
  CHECK(dw.proto == "SMTP");
  CHECK(dw.bytes == 19);

  gui::StringTable t;
  std::string error;
  REQUIRE(t.load_text(R"j({"pkt.data": "{proto} from {from} to {to} ({bytes} B)", "pkt.tls_suffix": ", sealed",
                         "pkt.blocked_suffix": ", stopped"})j", error));
  const auto sentence = gui::packet_sentence(dw, t, [](const std::string& id) { return "<" + id + ">"; });
  CHECK(sentence == "SMTP from <a> to <b> (19 B), sealed, stopped");
  CHECK(gui::format_text("{x} and {y} and {z", {{"x", "1"}, {"y", "2"}}) == "1 and 2 and {z");
  CHECK(gui::format_text("{unknown}", {}) == "{unknown}");
}

TEST_CASE("story: the narration skips packets; the DNS lesson walks through the directory", "[gui][story]") {
  const auto l = load("dns/delegation.json");
  const gui::TraceModel model(l.scenario, l.trace);
  const gui::StoryIndex story(model);
  const auto& recs = model.records();
  std::set<std::string> keys;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto m = story.meaningful_at(i);
    if (m) {
      CHECK(*m <= i);
      CHECK(gui::is_meaningful(recs[*m]));
    }
    if (recs[i].kind == sim::RecordKind::Packet && m) CHECK(recs[*m].kind != sim::RecordKind::Packet);
    if (const auto a = story.analogy_at(i)) keys.insert(story.key_of(*a));
  }
  CHECK(keys.count("dns.query") == 1);
  CHECK(keys.count("dns.referral") == 1);
  CHECK(keys.count("dns.answer") == 1);
  CHECK(keys.count("dns.cache") == 1);
  CHECK_FALSE(story.meaningful_at(std::nullopt).has_value());
}

TEST_CASE("sequence: lanes per host in the order of the path, packets slanted, blocked SYNs marked", "[gui][sequence]") {
  const auto l = load("basics/blocked-port.json");
  const gui::TraceModel model(l.scenario, l.trace);
  const auto seq = gui::build_sequence(model);
  REQUIRE(seq.lanes.size() == 3);
  CHECK(seq.lanes[0] == "shiroyagi-pc");
  CHECK(seq.lane_of("nobody") == seq.lanes.size());
  int blocked = 0;
  int lines = 0;
  double last = -1.0;
  for (const auto& a : seq.arrows) {
    CHECK(a.start >= last);
    last = a.start;
    CHECK(a.end >= a.start);
    CHECK(a.from < seq.lanes.size());
    CHECK(a.to < seq.lanes.size());
    CHECK(a.label.size() <= gui::kSeqLabelMax);
    if (a.blocked) ++blocked;
    if (!a.packet) {
      ++lines;
      CHECK(a.end == a.start);
    }
  }
  CHECK(blocked >= 1);
  CHECK(lines >= 2);  // the EHLO lines of the two connections that open
  CHECK(seq.duration == Approx(model.pace().duration()));
}

TEST_CASE("analogy: the state-changing actions and a fired fault rule have their post-office picture",
          "[gui][analogy]") {
  using K = sim::RecordKind;
  CHECK(analogy_key(rec(K::Action, "account_changed")) == "settings.account");
  CHECK(analogy_key(rec(K::Action, "server_changed")) == "settings.server");
  CHECK(analogy_key(rec(K::Action, "folder_emptied")) == "mailbox.emptied");
  CHECK(analogy_key(rec(K::Note, "fault")) == "fault.injected");
  CHECK(analogy_key(rec(K::Note, "something else")).empty());
  const auto stations = table("stations.json");
  CHECK(gui::station_from_name(stations.get("settings.account")) == gui::Station::PostBox);
  CHECK(gui::station_from_name(stations.get("mailbox.emptied")) == gui::Station::PoBox);
  // In the lessons that use them, the records are classified so.
  for (const char* name : {"mail/password-fixed.json", "mail/mailbox-full-retry.json", "mail/bad-day.json"}) {
    INFO(name);
    const auto l = load(name);
    int seen = 0;
    for (const auto& r : l.trace.records()) {
      if ((r.kind == K::Action && (r.event == "account_changed" || r.event == "server_changed" ||
                                   r.event == "folder_emptied")) ||
          (r.kind == K::Note && r.event == "fault")) {
        CHECK_FALSE(analogy_key(r).empty());
        ++seen;
      }
    }
    CHECK(seen >= 1);
  }
}
