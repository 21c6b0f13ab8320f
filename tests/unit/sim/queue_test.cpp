// The outbound queue (issue 17): SMTP connection reuse, the per-destination concurrency limit,
// a failure in the middle of a reused session, and the "delayed" report (delay_warning).
#include <algorithm>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "sim/scenario/runner.hpp"
#include "sim/words/describe.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json lesson_json(const std::string& name) { return mailsim::test::bare_mail_lesson_json(name); }
nlohmann::json& server(nlohmann::json& j, const std::string& id) { return mailsim::test::mail_server_json(j, id); }

RunResult run(const nlohmann::json& j) { return mailsim::test::run_checked(j, "queue.json"); }

using mailsim::test::records_of;

// `count` messages from shiroyagi-pc to kuroyagi@hogehoge.com, all sent at `at`.
void send_many(nlohmann::json& j, int count, const std::string& at = "1s") {
  j["timeline"] = nlohmann::json::array();
  for (int i = 0; i < count; ++i)
    j["timeline"].push_back({{"at", at}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                             {"subject", "Message " + std::to_string(i + 1)}});
}

// The SMTP sessions from `client` to `server`: connection id -> MAIL FROM commands sent in it,
// and each session's first and last moment.
struct Sessions {
  std::map<std::uint64_t, int> mails;
  std::map<std::uint64_t, std::pair<Time, Time>> span;
  int quits = 0;
};
Sessions sessions(const Trace& t, const std::string& client, const std::string& server_host) {
  Sessions s;
  std::set<std::uint64_t> ours;
  for (const auto& r : t.records()) {
    if (r.kind != RecordKind::Protocol || r.protocol != "smtp" || r.conn == 0) continue;
    const bool from_client = r.host == client && r.peer == server_host;
    const bool from_server = r.host == server_host && r.peer == client;
    if (!from_client && !from_server) continue;
    if (from_client && r.protocol_event() == ProtoEvent::Command) {
      ours.insert(r.conn);
      if (r.text().find("MAIL FROM") != std::string::npos) ++s.mails[r.conn];
      if (r.text().find("QUIT") != std::string::npos) ++s.quits;
    }
    auto [it, fresh] = s.span.try_emplace(r.conn, r.time, r.time);
    if (!fresh) it->second.second = r.time;
  }
  std::erase_if(s.span, [&](const auto& kv) { return !ours.count(kv.first); });
  return s;
}

// The most sessions open at one moment.
std::size_t most_at_once(const Sessions& s) {
  std::vector<std::pair<Time, int>> edges;
  for (const auto& [conn, span] : s.span) {
    edges.emplace_back(span.first, 1);
    edges.emplace_back(span.second + 1, -1);
  }
  std::sort(edges.begin(), edges.end());
  int open = 0, most = 0;
  for (const auto& [t, d] : edges) most = std::max(most, open += d);
  return static_cast<std::size_t>(most);
}

}  // namespace

TEST_CASE("queue: with a destination concurrency limit of 1, three messages to one domain share one connection") {
  auto j = lesson_json("cross-domain");
  server(j, "mail-example")["destination_concurrency_limit"] = 1;
  send_many(j, 3);
  const auto r = run(j);
  const auto s = sessions(r.trace, "mail-example", "mx-hogehoge");
  REQUIRE(s.mails.size() == 1);             // one connection
  CHECK(s.mails.begin()->second == 3);      // three MAIL transactions in it
  CHECK(s.quits == 1);
  CHECK(records_of(r.trace, RecordKind::Mail, "relayed").size() == 3);
  CHECK(records_of(r.trace, RecordKind::Mail, "delivered").size() == 3);
  const auto reused = records_of(r.trace, RecordKind::Mail, "reusing");
  REQUIRE(reused.size() == 2);
  CHECK(records_of(r.trace, RecordKind::Mail, "waiting").size() == 2);
  // No RSET after a 250 to the data: the next MAIL FROM follows at once.
  for (const auto& rec : r.trace.records())
    if (rec.is(ProtoEvent::Command)) CHECK(rec.text().find("RSET") == std::string::npos);
  CHECK(describe_record(*reused.front(), "en", nullptr).find("over the connection to mx-hogehoge it already has open "
                                                             "(message 2 on this connection)") != std::string::npos);
  CHECK(describe_record(*reused.front(), "ja", nullptr).find("つないだままの接続で続けて送ります（この接続で 2通目）") !=
        std::string::npos);
}

TEST_CASE("queue: the default limit (20, as Postfix) keeps a session per message when few are queued") {
  auto j = lesson_json("cross-domain");
  send_many(j, 3);
  const auto r = run(j);
  const auto s = sessions(r.trace, "mail-example", "mx-hogehoge");
  CHECK(s.mails.size() == 3);
  CHECK(records_of(r.trace, RecordKind::Mail, "reusing").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "waiting").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "delivered").size() == 3);
}

TEST_CASE("queue: many messages never open more sessions to one destination than the limit, and the reuse limit holds") {
  auto j = lesson_json("cross-domain");
  auto& mx = server(j, "mail-example");
  mx["destination_concurrency_limit"] = 2;
  mx["connection_reuse_limit"] = 2;  // a session carries at most 3 messages
  send_many(j, 12);
  const auto r = run(j);
  const auto s = sessions(r.trace, "mail-example", "mx-hogehoge");
  CHECK(most_at_once(s) <= 2);
  int total = 0;
  for (const auto& [conn, n] : s.mails) {
    CHECK(n <= 3);
    total += n;
  }
  CHECK(total == 12);
  CHECK(s.mails.size() >= 4);
  CHECK(records_of(r.trace, RecordKind::Mail, "delivered").size() == 12);
}

TEST_CASE("queue: a 4xx and a reset in the middle of a reused session leave every message accounted for") {
  auto j = lesson_json("cross-domain");
  server(j, "mail-example")["destination_concurrency_limit"] = 1;
  send_many(j, 4);
  j["faults"] = {
      {{"id", "busy-mail"}, {"host", "mx-hogehoge"}, {"at", "mail"}, {"nth", 2}, {"action", "reply"}, {"code", 451},
       {"text", "4.3.2 Try again later"}},
      {{"id", "reset-data"}, {"host", "mx-hogehoge"}, {"at", "data"}, {"nth", 3}, {"action", "reset"}},
  };
  const auto r = run(j);  // conservation is checked there
  CHECK(records_of(r.trace, RecordKind::Mail, "delivered").size() == 4);
  CHECK(records_of(r.trace, RecordKind::Mail, "bounced").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "deferred").size() == 1);  // the 451: its message waits for its retry
  const auto s = sessions(r.trace, "mail-example", "mx-hogehoge");
  CHECK(s.mails.size() >= 2);  // the reset ended the first session; the rest went over new ones
  CHECK(most_at_once(s) <= 1);
  // The same plan, the same run.
  CHECK(run(j).trace.records().size() == r.trace.records().size());
}

TEST_CASE("queue: a delayed report goes to the sender once, and the message is still delivered later") {
  auto j = lesson_json("mailbox-full");
  server(j, "mx-hogehoge")["quota_refusal"] = "temporary";
  server(j, "mail-example")["delay_warning"] = "3m";
  j["timeline"].push_back({{"at", "10m"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"user", "kuroyagi"},
                           {"quota", "8KB"}});
  const auto r = run(j);
  const auto delayed = records_of(r.trace, RecordKind::Mail, "delayed");
  REQUIRE(delayed.size() == 1);
  CHECK(delayed.front()->time >= 3 * kMinute);
  CHECK(delayed.front()->host == "mail-example");
  CHECK(records_of(r.trace, RecordKind::Mail, "bounced").empty());
  // The report is delivered to shiroyagi's own mailbox, and kuroyagi gets the message after all.
  int to_shiroyagi = 0, to_kuroyagi = 0;
  for (const auto* d : records_of(r.trace, RecordKind::Mail, "delivered")) {
    const std::string who = d->mail_info().recipient.str();
    if (who.rfind("shiroyagi@", 0) == 0) ++to_shiroyagi;
    if (who.rfind("kuroyagi@", 0) == 0) ++to_kuroyagi;
  }
  CHECK(to_shiroyagi == 1);
  CHECK(to_kuroyagi == 1);
  CHECK(describe_record(*delayed.front(), "ja", nullptr).find("まだ届いていないことを知らせます") != std::string::npos);
  CHECK(describe_record(*delayed.front(), "en", nullptr).find("is not delivered yet; it keeps trying") !=
        std::string::npos);
}

TEST_CASE("queue: without delay_warning (the default, as Postfix) no delayed report is sent") {
  auto j = lesson_json("mailbox-full");
  server(j, "mx-hogehoge")["quota_refusal"] = "temporary";
  const auto r = run(j);
  CHECK(records_of(r.trace, RecordKind::Mail, "delayed").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "deferred").size() >= 3);  // tried and deferred again and again
}

TEST_CASE("change_server: relay_from, hop_limit, rate_limit, subaddressing, concurrency and delay warning") {
  auto j = lesson_json("cross-domain");
  j["timeline"].push_back({{"at", "10s"},
                           {"do", "change_server"},
                           {"host", "mail-example"},
                           {"relay_from", {"192.0.2.0/24"}},
                           {"hop_limit", 10},
                           {"rate_limit", {{"max_messages", 1}, {"per", "1h"}}},
                           {"subaddressing", true},
                           {"destination_concurrency_limit", 1},
                           {"delay_warning", "4h"}});
  j["timeline"].push_back({{"at", "20s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Second"}});
  j["timeline"].push_back({{"at", "25s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Third"}});
  const auto r = run(j);
  const auto changed = records_of(r.trace, RecordKind::Action, "server_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed.front()->text() ==
        "mail-example changes its settings: relaying for 192.0.2.0/24, hop limit 10 Received: lines, sending rate limit 1 "
        "message(s) per 1h 00m 00.000s, sub-addressing on (user+tag), at most 1 connection(s) at once to one "
        "destination, a delay warning after 4h 00m 00.000s");
  CHECK(describe_record(*changed.front(), "ja", nullptr).find("送信数の上限 1時間あたり 1通") != std::string::npos);
  // The rate limit (one message an hour) holds from the change on: the third message is refused
  // for now at submission (451 4.7.1).
  CHECK(records_of(r.trace, RecordKind::Mail, "throttled").size() == 1);
}

TEST_CASE("change_server: rate_limit false lifts a limit") {
  auto j = lesson_json("cross-domain");
  server(j, "mail-example")["rate_limit"] = {{"max_messages", 1}, {"per", "1h"}};
  j["timeline"].push_back({{"at", "10s"}, {"do", "change_server"}, {"host", "mail-example"}, {"rate_limit", false}});
  j["timeline"].push_back({{"at", "20s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Second"}});
  const auto r = run(j);
  CHECK(records_of(r.trace, RecordKind::Mail, "throttled").empty());
  CHECK(records_of(r.trace, RecordKind::Mail, "delivered").size() == 2);
}

TEST_CASE("change_server: hop_limit lowered, a message that went through a relay service is refused as a loop") {
  auto j = lesson_json("relay-service");
  // At mx-hogehoge the message carries two Received: lines (mail-example's and relay-svc's).
  j["timeline"].push_back({{"at", "30s"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"hop_limit", 1}});
  j["timeline"].push_back({{"at", "40s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"},
                           {"subject", "Second"}});
  const auto r = run(j);
  CHECK(records_of(r.trace, RecordKind::Mail, "loop").size() == 1);
  int to_kuroyagi = 0;
  for (const auto* d : records_of(r.trace, RecordKind::Mail, "delivered"))
    if (d->mail_info().recipient.str().rfind("kuroyagi@", 0) == 0) ++to_kuroyagi;
  CHECK(to_kuroyagi == 1);
}

TEST_CASE("change_server: relay_from lets a network relay from that moment") {
  auto j = lesson_json("relay-denied");
  const auto before = run(j);
  REQUIRE(!records_of(before.trace, RecordKind::Mail, "send_failed").empty());
  const nlohmann::json change = {{"at", "0s"}, {"do", "change_server"}, {"host", "mail-example"},
                                 {"relay_from", {"203.0.113.128/25"}}};
  j["timeline"].insert(j["timeline"].begin(), change);
  const auto after = run(j);
  CHECK(records_of(after.trace, RecordKind::Mail, "send_failed").empty());
}

TEST_CASE("queue: random faults in reused sessions keep every message accounted for") {
  const char* stages[] = {"mail", "rcpt", "data", "end_of_data", "ehlo", "greeting"};
  const char* actions[] = {"reply", "reset", "close", "cut", "delay", "throttle"};
  std::uint64_t state = 20261207;  // the test's own generator (SplitMix-like): the same plans every run
  const auto next = [&](std::uint64_t bound) {
    state += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % bound;
  };
  for (int round = 0; round < 6; ++round) {
    auto j = lesson_json("cross-domain");
    server(j, "mail-example")["destination_concurrency_limit"] = 1 + static_cast<int>(next(2));
    send_many(j, 5);
    j["seed"] = next(1000);
    nlohmann::json rules = nlohmann::json::array();
    for (int i = 0; i < 2; ++i) {
      nlohmann::json r{{"id", "r" + std::to_string(i)}, {"host", "mx-hogehoge"}, {"at", stages[next(6)]},
                       {"nth", 1 + next(5)}, {"action", actions[next(6)]}};
      const std::string a = r["action"];
      if (a == "reply") {
        r["code"] = next(2) ? 451 : 554;
        r["text"] = "fault";
      } else if (a == "cut") {
        r["bytes"] = next(300);
      } else if (a == "delay") {
        r["delay"] = std::to_string(1 + next(20)) + "s";
      } else if (a == "throttle") {
        r["rate"] = 100 + next(2000);
      }
      rules.push_back(r);
    }
    j["faults"] = rules;
    INFO("plan " << rules.dump());
    const auto r = run(j);  // mail conservation is checked there
    // Every message ends delivered or bounced (nothing is left waiting for a session).
    std::set<std::string> ended;
    for (const auto& rec : r.trace.records())
      if (rec.kind == RecordKind::Mail && rec.host == "mail-example" &&
          (rec.is(MailEvent::Relayed) || rec.is(MailEvent::Bounced)))
        ended.insert(std::string(rec.mail_info().subject));
    CHECK(ended.size() == 5);
  }
}
