// MailState at chosen times of real lessons: mailboxes, quota, queues, devices, letters, seeking.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <random>

#include "gui/model/world_view.hpp"
#include "protocols/message/received.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;
using sim::kMilli;
using sim::kSecond;

namespace {

struct Lesson {
  sim::Scenario scenario;
  sim::Trace trace;
};

Lesson lesson(const std::string& path) {
  auto r = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/" + path);
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  auto run = sim::run_scenario(*r.scenario);
  return {std::move(*r.scenario), std::move(run.trace)};
}

// The first record of this kind and event (on `host` when given).
const sim::Record& first(const gui::TraceModel& m, sim::RecordKind kind, const std::string& event,
                         const std::string& host = {}) {
  for (const auto& r : m.records()) {
    if (r.kind == kind && r.event == event && (host.empty() || r.host == host)) return r;
  }
  FAIL("no " << event << " record" << (host.empty() ? "" : " on " + host));
  return m.records().front();
}

std::size_t inbox_size(const gui::MailState& s, const std::string& host, const std::string& user) {
  const auto* mb = s.mailbox(host, user);
  REQUIRE(mb);
  const auto* inbox = mb->folder("INBOX");
  REQUIRE(inbox);
  return inbox->messages.size();
}

// A synthetic mail trace: `letters` letters queued, some deferred, stored, relayed; every
// other one expunged later (about 4.8 records per letter).
struct Synthetic {
  sim::Scenario scenario;
  sim::Trace trace;
  std::uint64_t used = 0;
};

Synthetic synthetic(int letters) {
  auto r = sim::load_scenario_text(R"({
    "mailsim": 1, "title": {"en": "t", "ja": "t"},
    "networks": [{"id": "n", "kind": "datacenter", "name": {"en": "N", "ja": "N"}, "cidr": "198.51.100.0/24"}],
    "hosts": [{"id": "mx", "kind": "mail_server", "name": {"en": "MX", "ja": "MX"}, "network": "n",
               "ip": "198.51.100.25", "mail_server": {"hostname": "mx.example", "domains": ["example.com"],
               "users": [{"name": "u", "password": "p", "quota": "1MB"}]}}],
    "timeline": []})",
                                    "inline.json");
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  Synthetic out{std::move(*r.scenario), {}, 0};
  auto add = [&](sim::Time t, sim::RecordKind kind, const std::string& event, nlohmann::json detail,
                 const std::string& protocol) {
    sim::Record rec;
    rec.time = t;
    rec.kind = kind;
    rec.event = event;
    rec.host = "mx";
    rec.protocol = protocol;
    rec.detail = std::move(detail);
    out.trace.add(std::move(rec));
  };
  std::uint64_t& used = out.used;
  for (int i = 0; i < letters; ++i) {
    const sim::Time t = static_cast<sim::Time>(i) * kSecond;
    const std::string mid = "<" + std::to_string(i) + "@example.com>";
    const std::string qid = "Q" + std::to_string(i);
    add(t, sim::RecordKind::Mail, "queued", {{"queue_id", qid}, {"message_id", mid}, {"recipients", {"u@example.com"}}},
        "smtp");
    if (i % 3 == 0) {
      add(t + 10 * kMilli, sim::RecordKind::Mail, "deferred",
          {{"queue_id", qid}, {"message_id", mid}, {"attempts", 1}, {"retry_at", t + 60 * kSecond}}, "smtp");
    }
    used += 100;
    const std::string headers = "Message-ID: " + mid + "\\r\\nSubject: n" + std::to_string(i) + "\\r\\n\\r\\n";
    add(t + 20 * kMilli, sim::RecordKind::Mailbox, "stored",
        {{"user", "u"}, {"folder", "INBOX"}, {"uid", i + 1}, {"message_id", i + 1}, {"size", 100},
         {"quota_used", used}, {"quota_limit", 1 << 20}, {"headers", headers}, {"flags", nlohmann::json::array()}},
        "store");
    add(t + 20 * kMilli, sim::RecordKind::Mail, "relayed",
        {{"queue_id", qid}, {"message_id", mid}, {"recipient", "u@example.com"}}, "smtp");
    if (i % 2 == 1) {
      used -= 100;
      add(t + 500 * kMilli, sim::RecordKind::Mailbox, "expunged",
          {{"user", "u"}, {"folder", "INBOX"}, {"uid", i}, {"message_id", i}, {"size", 100}, {"quota_used", used},
           {"quota_limit", 1 << 20}},
          "store");
    }
  }
  return out;
}

// Where `mb` is in s.mailboxes (size() when it is not there).
std::size_t position_of(const gui::MailState& s, const gui::MailboxState* mb) {
  for (std::size_t k = 0; k < s.mailboxes.size(); ++k)
    if (&s.mailboxes[k] == mb) return k;
  return s.mailboxes.size();
}

}  // namespace

TEST_CASE("mail state: whole journey - queue, mailbox, device, where the letter is", "[gui][mail]") {
  const auto l = lesson("mail/whole-journey.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& mail = m.mail();

  // Before anything: Kuroyagi's mailbox exists (from the scenario) and is empty.
  const auto start = m.view_at(0);
  CHECK(inbox_size(start.mail, "mx-hogehoge", "kuroyagi") == 0);
  CHECK(start.mail.queues.empty());

  const auto& queued = first(m, sim::RecordKind::Mail, "queued", "mail-example");
  const auto& stored = first(m, sim::RecordKind::Mailbox, "stored", "mx-hogehoge");
  const auto& popped = first(m, sim::RecordKind::Mailbox, "downloaded-and-deleted", "mx-hogehoge");
  const auto& downloaded = first(m, sim::RecordKind::Mailbox, "device-downloaded", "kuroyagi-pc");
  const auto letter = mail.letter_by_key(queued.mail_info().message_id.str());
  REQUIRE(letter);

  // Queued on mail.example.com, not yet in the mailbox.
  const auto q = m.view_at(queued.time);
  const auto* queue = q.mail.queue("mail-example");
  REQUIRE(queue);
  REQUIRE(queue->entries.size() == 1);
  CHECK(queue->entries[0].queue_id == queued.mail_info().queue_id.str());
  CHECK(queue->entries[0].subject == "Hello from Shiroyagi");
  CHECK(queue->entries[0].recipients == std::vector<std::string>{"kuroyagi@hogehoge.com"});
  CHECK_FALSE(queue->entries[0].deferred);
  CHECK(inbox_size(q.mail, "mx-hogehoge", "kuroyagi") == 0);
  auto places = mail.places(q.mail, *letter);
  REQUIRE(places.size() == 1);
  CHECK(places[0].kind == gui::LetterPlace::Kind::Queue);
  CHECK(places[0].host == "mail-example");

  // Just before it is stored: still not there. Then one message, with its headers.
  CHECK(inbox_size(m.view_at(stored.time - 1).mail, "mx-hogehoge", "kuroyagi") == 0);
  const auto d = m.view_at(stored.time);
  REQUIRE(inbox_size(d.mail, "mx-hogehoge", "kuroyagi") == 1);
  const auto& msg = d.mail.mailbox("mx-hogehoge", "kuroyagi")->folder("INBOX")->messages[0];
  CHECK(msg.uid == 1);
  CHECK(msg.size == static_cast<std::uint64_t>(stored.mailbox_info().size));
  CHECK_FALSE(msg.seen());
  REQUIRE(msg.letter == *letter);
  const auto& info = mail.letters()[*letter];
  CHECK(info.subject == "Hello from Shiroyagi");
  CHECK(info.from == "Shiroyagi <shiroyagi@example.com>");
  CHECK(info.sender == "shiroyagi@example.com");
  CHECK(info.recipients == std::vector<std::string>{"kuroyagi@hogehoge.com"});
  CHECK_FALSE(info.body_preview.empty());
  CHECK_FALSE(info.headers_truncated);
  CHECK(d.mail.mailbox("mx-hogehoge", "kuroyagi")->quota_used == msg.size);

  // After the relay's 250 the queue on mail.example.com is empty.
  const auto& relayed = first(m, sim::RecordKind::Mail, "relayed", "mail-example");
  const auto r = m.view_at(relayed.time);
  REQUIRE(r.mail.queue("mail-example"));
  CHECK(r.mail.queue("mail-example")->entries.empty());
  places = mail.places(r.mail, *letter);
  REQUIRE(places.size() == 1);
  CHECK(places[0].kind == gui::LetterPlace::Kind::Mailbox);
  CHECK(places[0].host == "mx-hogehoge");
  CHECK(places[0].what == "kuroyagi/INBOX");

  // POP3 downloads and deletes: gone from the server, on Kuroyagi's PC.
  const auto gone = m.view_at(popped.time);
  CHECK(inbox_size(gone.mail, "mx-hogehoge", "kuroyagi") == 0);
  CHECK(gone.mail.mailbox("mx-hogehoge", "kuroyagi")->quota_used == 0);
  const auto end = m.view_at(downloaded.time);
  const auto* pc = end.mail.device("kuroyagi-pc");
  REQUIRE(pc);
  REQUIRE(pc->items.size() == 1);
  CHECK(pc->items[0].subject == "Hello from Shiroyagi");
  CHECK(pc->items[0].letter == *letter);
  places = mail.places(end.mail, *letter);
  REQUIRE(places.size() == 1);
  CHECK(places[0].kind == gui::LetterPlace::Kind::Device);
  CHECK(places[0].host == "kuroyagi-pc");

  // Its history runs from compose to the device, in order.
  REQUIRE(info.history.size() >= 6);
  CHECK(m.records()[info.history.front()].is(sim::MailEvent::Compose));
  CHECK(m.records()[info.history.back()].is(sim::MailboxEvent::DeviceDownloaded));
  CHECK(std::is_sorted(info.history.begin(), info.history.end()));
  CHECK(end.mail.letters[*letter].stage == gui::LetterStage::Delivered);
}

TEST_CASE("mail state: the delivered message's Received chain has one line per hop, in order", "[gui][mail]") {
  const auto l = lesson("mail/whole-journey.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& queued = first(m, sim::RecordKind::Mail, "queued", "mail-example");
  const auto letter = m.mail().letter_by_key(queued.mail_info().message_id.str());
  REQUIRE(letter);
  const auto& info = m.mail().letters()[*letter];
  REQUIRE_FALSE(info.headers.empty());
  // The hops are the servers that accepted it: the submission server, then the MX.
  std::vector<std::string> expected;
  for (auto i : info.history) {
    const auto& r = m.records()[i];
    if (r.kind == sim::RecordKind::Mail && (r.is(sim::MailEvent::Queued) || r.is(sim::MailEvent::Delivered))) {
      for (const auto& h : l.scenario.hosts) {
        if (h.info.id == r.host && h.mail_server) expected.push_back(h.mail_server->hostname);
      }
    }
  }
  REQUIRE(expected == std::vector<std::string>{"mail.example.com", "mx1.hogehoge.com"});
  const auto chain = message::parse_received_chain(info.headers);
  REQUIRE(chain.size() == expected.size());
  for (std::size_t i = 0; i < chain.size(); ++i) CHECK(chain[i].by == expected[i]);
  CHECK(chain[0].with == "ESMTPSA");  // submission: TLS and AUTH
  CHECK(chain[1].from_helo == "mail.example.com");
  // The header section is stored as delivered: Return-Path on top, the empty line at the end.
  CHECK(info.headers.rfind("Return-Path: <shiroyagi@example.com>\r\n", 0) == 0);
  CHECK(info.headers.size() >= 4);
  CHECK(info.headers.substr(info.headers.size() - 4) == "\r\n\r\n");
}

TEST_CASE("mail state: POP3 download-and-delete empties the server mailbox", "[gui][mail]") {
  const auto l = lesson("receiving/pop3-download-and-delete.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& stored = first(m, sim::RecordKind::Mailbox, "stored");
  const auto& deleted = first(m, sim::RecordKind::Mailbox, "downloaded-and-deleted");
  const auto& downloaded = first(m, sim::RecordKind::Mailbox, "device-downloaded");
  const std::string server = stored.host;
  const std::string user = stored.mailbox_info().user.str();

  CHECK(inbox_size(m.view_at(stored.time - 1).mail, server, user) == 0);
  const auto after = m.view_at(stored.time);
  CHECK(inbox_size(after.mail, server, user) == 1);
  // While the POP3 session holds the maildrop it is locked.
  const auto& locked = first(m, sim::RecordKind::Mailbox, "maildrop-locked");
  CHECK(m.view_at(locked.time).mail.mailbox(server, user)->locked);
  CHECK(inbox_size(m.view_at(deleted.time - 1).mail, server, user) == 1);
  const auto gone = m.view_at(deleted.time);
  CHECK(inbox_size(gone.mail, server, user) == 0);
  CHECK_FALSE(gone.mail.mailbox(server, user)->locked);
  const auto dev = m.view_at(downloaded.time);
  const auto* pc = dev.mail.device(downloaded.host);
  REQUIRE(pc);
  REQUIRE(pc->items.size() == 1);
  const auto letter = after.mail.mailbox(server, user)->folder("INBOX")->messages[0].letter;
  CHECK(pc->items[0].letter == letter);
  // The phone that checks later finds nothing on the server.
  const auto end = m.view_at(m.records().back().time);
  CHECK(inbox_size(end.mail, server, user) == 0);
  const auto* phone = end.mail.device("shiroyagi-phone");
  CHECK((phone == nullptr || phone->items.empty()));
}

TEST_CASE("mail state: mailbox full shows the quota and the refused delivery", "[gui][mail]") {
  const auto l = lesson("mail/mailbox-full.json");
  const gui::TraceModel m(l.scenario, l.trace);
  // The quota comes from the scenario before any record.
  const auto* before = m.view_at(0).mail.mailbox("mx-hogehoge", "kuroyagi");
  REQUIRE(before);
  CHECK(before->quota_limit == 2048);
  CHECK(before->quota_used == 0);
  CHECK_FALSE(before->refused_record);

  const auto& refused = first(m, sim::RecordKind::Mailbox, "delivery-refused", "mx-hogehoge");
  const auto v = m.view_at(refused.time);
  const auto* mb = v.mail.mailbox("mx-hogehoge", "kuroyagi");
  REQUIRE(mb);
  CHECK(mb->quota_limit == 2048);
  CHECK(mb->quota_used == 0);
  CHECK(mb->message_count() == 0);
  CHECK(mb->refused_size == static_cast<std::uint64_t>(refused.mailbox_info().size));
  CHECK(mb->refused_size > mb->quota_limit);
  CHECK(mb->refused_reason.rfind("mailbox full", 0) == 0);

  // The sender's server bounces it: the letter leaves the queue and the report lands in
  // Shiroyagi's own mailbox as a new letter from MAILER-DAEMON.
  const auto& bounced = first(m, sim::RecordKind::Mail, "bounced", "mail-example");
  const auto b = m.view_at(m.records().back().time);
  CHECK(b.mail.queue("mail-example")->entries.empty());
  const auto letter = m.mail().letter_by_key(bounced.mail_info().message_id.str());
  REQUIRE(letter);
  CHECK(b.mail.letters[*letter].stage == gui::LetterStage::Bounced);
  CHECK(m.mail().places(b.mail, *letter).empty());
  REQUIRE(inbox_size(b.mail, "mail-example", "shiroyagi") == 1);
  const auto report = b.mail.mailbox("mail-example", "shiroyagi")->folder("INBOX")->messages[0].letter;
  REQUIRE(report != gui::kNoLetter);
  CHECK(report != *letter);
  CHECK(m.mail().letters()[report].from.find("MAILER-DAEMON") != std::string::npos);
}

TEST_CASE("mail state: backup MX holds the letter deferred while the primary is down", "[gui][mail]") {
  const auto l = lesson("mail/backup-mx.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& deferred = first(m, sim::RecordKind::Mail, "deferred", "mx2-hogehoge");
  const auto& relayed = first(m, sim::RecordKind::Mail, "relayed", "mail-example");
  const auto& stored = first(m, sim::RecordKind::Mailbox, "stored", "mx-hogehoge");

  // The sender's server handed it to the backup MX: its own queue is empty.
  const auto r = m.view_at(relayed.time);
  CHECK(r.mail.queue("mail-example")->entries.empty());
  REQUIRE(r.mail.queue("mx2-hogehoge"));
  REQUIRE(r.mail.queue("mx2-hogehoge")->entries.size() == 1);

  const auto v = m.view_at(deferred.time);
  const auto* q = v.mail.queue("mx2-hogehoge");
  REQUIRE(q);
  REQUIRE(q->entries.size() == 1);
  const auto& e = q->entries[0];
  CHECK(e.deferred);
  CHECK(e.attempts == 1);
  CHECK(e.retry_at == deferred.mail_info().retry_at);
  CHECK(e.retry_at > deferred.time);
  CHECK(e.reason.find("timed out") != std::string::npos);
  CHECK(q->deferred_count() == 1);
  CHECK(inbox_size(v.mail, "mx-hogehoge", "kuroyagi") == 0);

  // Later attempts count up, retry_at moves on.
  const auto mid = m.view_at(200 * kSecond);
  REQUIRE(mid.mail.queue("mx2-hogehoge")->entries.size() == 1);
  CHECK(mid.mail.queue("mx2-hogehoge")->entries[0].attempts == 2);
  CHECK(mid.mail.queue("mx2-hogehoge")->entries[0].retry_at > 200 * kSecond);

  // Delivered once the primary is back: the backup's queue is empty, the mailbox has it.
  const auto end = m.view_at(m.records().back().time);
  CHECK(end.mail.queue("mx2-hogehoge")->entries.empty());
  CHECK(inbox_size(end.mail, "mx-hogehoge", "kuroyagi") == 1);
  CHECK(inbox_size(m.view_at(stored.time).mail, "mx-hogehoge", "kuroyagi") == 1);
  const auto letter = end.mail.mailbox("mx-hogehoge", "kuroyagi")->folder("INBOX")->messages[0].letter;
  // Three Received lines: submission server, backup MX, primary MX.
  const auto chain = message::parse_received_chain(m.mail().letters()[letter].headers);
  REQUIRE(chain.size() == 3);
  CHECK(chain[2].by == "mx1.hogehoge.com");
}

TEST_CASE("mail state: IMAP devices follow the server's flags", "[gui][mail]") {
  const auto l = lesson("receiving/imap-two-devices.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& opened = first(m, sim::RecordKind::Mailbox, "device-opened");
  const auto& flags = first(m, sim::RecordKind::Mailbox, "flags-changed");
  const auto v = m.view_at(opened.time);
  const auto* mb = v.mail.mailbox(flags.host, flags.mailbox_info().user.str());
  REQUIRE(mb);
  REQUIRE(mb->folder("INBOX")->messages.size() == 1);
  CHECK(mb->folder("INBOX")->messages[0].seen());
  const auto letter = mb->folder("INBOX")->messages[0].letter;
  std::size_t shown = 0;
  for (const auto& d : v.mail.devices) {
    for (const auto& it : d.items) {
      CHECK(it.letter == letter);
      ++shown;
    }
  }
  CHECK(shown == 2);  // the phone and the PC
  CHECK(m.mail().places(v.mail, letter).size() == 3);
}

TEST_CASE("mail state: checkpointed seeks equal a replay from the start", "[gui][mail]") {
  for (const char* path : {"mail/whole-journey.json", "mail/backup-mx.json", "receiving/imap-two-devices.json",
                           "mail/mailbox-full.json"}) {
    const auto l = lesson(path);
    const gui::TraceModel m(l.scenario, l.trace);
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> pick(0, m.records().size() - 1);
    for (int k = 0; k < 250; ++k) {
      const std::size_t i = pick(rng);
      REQUIRE(m.mail().state_after(i) == m.mail().replay_after(i));
    }
    CHECK(m.mail().state_after(std::nullopt) == m.mail().replay_after(std::nullopt));
  }
}

TEST_CASE("mail state: a long synthetic trace seeks like a replay (1000 random times)", "[gui][mail]") {
  // Many letters through a queue and a mailbox: far more changes than one checkpoint step.
  constexpr int kLetters = 3000;
  const auto syn = synthetic(kLetters);
  const auto used = syn.used;
  const auto& trace = syn.trace;
  const auto* scenario = &syn.scenario;
  const gui::TraceModel m(*scenario, trace);
  CHECK(m.mail().change_count() > 10 * gui::MailModel::kCheckpointEvery);
  std::mt19937 rng(7);
  std::uniform_int_distribution<sim::Time> pick(0, static_cast<sim::Time>(kLetters) * kSecond);
  for (int k = 0; k < 1000; ++k) {
    const sim::Time t = pick(rng);
    const auto v = m.view_at(t);
    REQUIRE(v.mail == m.mail().replay_after(m.record_at(t)));
  }
  // At the end: every odd letter's predecessor expunged, usage follows.
  const auto end = m.view_at(static_cast<sim::Time>(kLetters) * kSecond);
  CHECK(end.mail.mailbox("mx", "u")->quota_used == used);
  CHECK(end.mail.mailbox("mx", "u")->folder("INBOX")->messages.size() == kLetters / 2);
  CHECK(end.mail.queue("mx")->entries.empty());
  // A moment with a deferred letter in the queue.
  const auto d = m.view_at(30 * kMilli);
  REQUIRE(d.mail.queue("mx")->entries.empty());
  const auto mid = m.view_at(15 * kMilli);
  REQUIRE(mid.mail.queue("mx")->entries.size() == 1);
  CHECK(mid.mail.queue("mx")->entries[0].deferred);
  CHECK(mid.mail.queue("mx")->entries[0].retry_at == 60 * kSecond);
}

// Not run by default (hidden tag): `test_gui "[.bench]"` prints the cost of a seek.
TEST_CASE("mail state: seek cost on a 100,000-record trace", "[.bench]") {
  const auto syn = synthetic(26000);
  const auto built = std::chrono::steady_clock::now();
  const gui::TraceModel m(syn.scenario, syn.trace);
  const auto ready = std::chrono::steady_clock::now();
  std::mt19937 rng(1);
  std::uniform_int_distribution<sim::Time> pick(0, 26000 * kSecond);
  constexpr int kSeeks = 1000;
  std::size_t sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < kSeeks; ++k) sink += m.view_at(pick(rng)).mail.mailboxes.front().folders.front().messages.size();
  const auto t1 = std::chrono::steady_clock::now();
  using ms = std::chrono::duration<double, std::milli>;
  WARN("records " << m.records().size() << ", changes " << m.mail().change_count() << ", model built in "
                  << ms(ready - built).count() << " ms, one seek (whole WorldView) "
                  << ms(t1 - t0).count() / kSeeks << " ms (" << sink << ")");
}

TEST_CASE("mail state: host lookups through the shared index equal a linear search", "[gui][mail]") {
  for (const char* path : {"mail/whole-journey.json", "mail/backup-mx.json", "mail/sending-limits.json"}) {
    INFO(path);
    const auto l = lesson(path);
    const gui::TraceModel m(l.scenario, l.trace);
    std::vector<std::string> hosts;
    for (const auto& h : l.scenario.hosts) hosts.push_back(h.info.id);
    hosts.push_back("no-such-host");
    const std::size_t n = m.records().size();
    std::size_t found = 0;
    for (std::size_t k = 0; k <= 20; ++k) {
      const auto upto = n == 0 ? std::optional<std::size_t>{} : std::optional<std::size_t>{(n - 1) * k / 20};
      const auto s = m.mail().state_after(upto);
      REQUIRE(s.index.ptr);
      gui::MailState plain = s;
      plain.index.ptr.reset();  // the same state, searched linearly
      CHECK(plain == s);
      for (const auto& h : hosts) {
        const auto a = s.mailboxes_of(h);
        const auto b = plain.mailboxes_of(h);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
          CHECK(position_of(s, a[i]) == position_of(plain, b[i]));
          CHECK(s.mailbox(h, a[i]->user) == a[i]);
          CHECK(plain.mailbox(h, b[i]->user) == b[i]);
        }
        found += a.size();
        CHECK((s.queue(h) == nullptr) == (plain.queue(h) == nullptr));
        if (s.queue(h)) CHECK(s.queue(h)->host == h);
        CHECK((s.device(h) == nullptr) == (plain.device(h) == nullptr));
        if (s.device(h)) CHECK(s.device(h)->host == h);
        CHECK(s.mailbox(h, "nobody") == nullptr);
      }
    }
    CHECK(found > 0);
  }
}

TEST_CASE("mail state: a shared vector copies an item only when a copy changes it", "[gui][mail]") {
  gui::SharedVector<std::string> a{"one", "two", "three"};
  const auto b = a;  // shares every item
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.shares(b, i));
  a.mutate(1) += "!";
  CHECK(a[1] == "two!");
  CHECK(b[1] == "two");  // the copy still reads its own
  CHECK_FALSE(a.shares(b, 1));
  CHECK(a.shares(b, 0));  // the others stay shared
  CHECK(a.shares(b, 2));
  // An item held by nobody else is changed in place.
  const std::string* own = &a[1];
  a.mutate(1) += "!";
  CHECK(&a[1] == own);
  CHECK(a[1] == "two!!");
  a.push_back("four");
  a.erase(a.begin());
  CHECK(b.size() == 3);
  CHECK(b[0] == "one");
  CHECK(std::vector<std::string>(a.begin(), a.end()) == std::vector<std::string>{"two!!", "three", "four"});
  CHECK_FALSE(a == b);
  auto c = b;
  CHECK(c == b);
  c.mutate(0);  // a copy of an equal value is still equal
  CHECK(c == b);
  CHECK_FALSE(c.shares(b, 0));
}

TEST_CASE("mail state: changing one state leaves the states it shares parts with unchanged", "[gui][mail]") {
  for (const char* path : {"mail/whole-journey.json", "mail/backup-mx.json"}) {
    INFO(path);
    const auto l = lesson(path);
    const gui::TraceModel m(l.scenario, l.trace);
    const std::size_t n = m.records().size();
    for (std::size_t k = 0; k <= 10; ++k) {
      const std::size_t at = (n - 1) * k / 10;
      const auto original = m.mail().state_after(at);
      auto changed = original;  // shares everything with `original`
      REQUIRE_FALSE(original.mailboxes.empty());
      CHECK(changed.mailboxes.shares(original.mailboxes, 0));
      changed.mailboxes.mutate(0).quota_used += 12345;
      changed.mailboxes.mutate(0).folders.front().name = "CHANGED";
      for (std::size_t q = 0; q < changed.queues.size(); ++q) {
        auto& queue = changed.queues.mutate(q);
        for (std::size_t e = 0; e < queue.entries.size(); ++e) queue.entries.mutate(e).subject = "changed";
        gui::QueueEntry extra;
        extra.queue_id = "EXTRA";
        queue.entries.push_back(extra);
      }
      for (std::size_t d = 0; d < changed.devices.size(); ++d) changed.devices.mutate(d).items.clear();
      CHECK_FALSE(changed == original);
      // The original, the model's snapshot it came from and a fresh seek are as they were.
      CHECK(original == m.mail().replay_after(at));
      CHECK(m.mail().state_after(at) == m.mail().replay_after(at));
      CHECK(original.mailboxes[0].quota_used != changed.mailboxes[0].quota_used);
      for (const auto& q : original.queues) {
        for (const auto& e : q.entries) {
          CHECK(e.subject != "changed");
          CHECK(e.queue_id != "EXTRA");
        }
      }
    }
  }
}

TEST_CASE("mail state: earlier states are unaffected by later seeks, and states share what did not change",
          "[gui][mail]") {
  const auto syn = synthetic(2000);
  const gui::TraceModel m(syn.scenario, syn.trace);
  const std::size_t n = m.records().size();
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  // Seeks forward, backward and at random, each kept; all compared at the end.
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < 40; ++k) at.push_back(n * k / 40);
  for (std::size_t k = 40; k-- > 0;) at.push_back(n * k / 40);
  for (int k = 0; k < 80; ++k) at.push_back(pick(rng));
  std::vector<gui::MailState> kept;
  for (auto i : at) kept.push_back(m.mail().state_after(i));
  for (std::size_t k = 0; k < at.size(); ++k) {
    INFO("seek " << k << " to record " << at[k]);
    REQUIRE(kept[k] == m.mail().replay_after(at[k]));
  }
  // States share what has not changed since the model's snapshot (no deep copy per seek):
  // Shiroyagi's mailbox in the whole journey never changes.
  const auto l = lesson("mail/whole-journey.json");
  const gui::TraceModel w(l.scenario, l.trace);
  const auto first_state = w.mail().state_after(0);
  const auto last_state = w.mail().state_after(w.records().size() - 1);
  const auto* mine = first_state.mailbox("mail-example", "shiroyagi");
  REQUIRE(mine);
  CHECK(last_state.mailbox("mail-example", "shiroyagi") == mine);  // the very same object
  CHECK(last_state.mailbox("mx-hogehoge", "kuroyagi") != first_state.mailbox("mx-hogehoge", "kuroyagi"));
}

TEST_CASE("mail state: a POP3 download puts the letter on the device as the server deletes it", "[gui][mail]") {
  // The server removes the message when the POP3 session ends, a moment before the PC
  // records the download: "where it is now" must never be empty in between.
  const auto l = lesson("mail/whole-journey.json");
  const gui::TraceModel m(l.scenario, l.trace);
  const auto& mail = m.mail();
  const auto& queued = first(m, sim::RecordKind::Mail, "queued", "mail-example");
  const auto& popped = first(m, sim::RecordKind::Mailbox, "downloaded-and-deleted", "mx-hogehoge");
  const auto letter = mail.letter_by_key(queued.mail_info().message_id.str());
  REQUIRE(letter);
  auto on_pc = [&](const gui::MailState& s) {
    const auto places = mail.places(s, *letter);
    return places.size() == 1 && places[0].kind == gui::LetterPlace::Kind::Device && places[0].host == "kuroyagi-pc" &&
           places[0].what == "kuroyagi@hogehoge.com";
  };
  // Right after the server deleted it, and at the end of the lesson (the last playback second).
  const auto gone = m.view_at(popped.time);
  CHECK(inbox_size(gone.mail, "mx-hogehoge", "kuroyagi") == 0);
  CHECK(on_pc(gone.mail));
  const auto end = m.view_at_playback(m.pace().duration());
  CHECK(on_pc(end.mail));
  CHECK(end.mail.letters[*letter].stage == gui::LetterStage::Delivered);
  // From the moment it is queued, the letter is always somewhere.
  const auto q = m.index_of_seq(queued.seq);
  REQUIRE(q);
  for (std::size_t i = *q; i < m.records().size(); ++i) {
    INFO("after record " << i << ": " << m.records()[i].text());
    REQUIRE_FALSE(mail.places(mail.state_after(i), *letter).empty());
  }
  // Only one copy on the PC once the PC has recorded the download too.
  const auto& downloaded = first(m, sim::RecordKind::Mailbox, "device-downloaded", "kuroyagi-pc");
  const auto* pc = m.view_at(downloaded.time).mail.device("kuroyagi-pc");
  REQUIRE(pc);
  CHECK(pc->items.size() == 1);
}

TEST_CASE("mail state: a change_server quota change is the gauge's new limit from its moment on", "[gui][mail]") {
  auto j = nlohmann::json::parse(std::ifstream(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/mailbox-full.json"));
  j.erase("narration");
  j.erase("expectations");
  j.erase("questions");
  j["timeline"].push_back({{"at", "3m"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"user", "kuroyagi"},
                           {"quota", "8KB"}});
  auto r = sim::load_scenario_text(j.dump(), "quota-change.json");
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  auto run = sim::run_scenario(*r.scenario);
  const gui::TraceModel m(*r.scenario, run.trace);
  const auto& changed = first(m, sim::RecordKind::Action, "server_changed", "mx-hogehoge");
  const auto* before = m.view_at(changed.time - 1).mail.mailbox("mx-hogehoge", "kuroyagi");
  REQUIRE(before);
  CHECK(before->quota_limit == 2048);
  const auto* after = m.view_at(changed.time).mail.mailbox("mx-hogehoge", "kuroyagi");
  REQUIRE(after);
  CHECK(after->quota_limit == 8192);
  CHECK(after->quota_used == before->quota_used);  // only the limit changed
  // Seeking back shows the old limit again.
  CHECK(m.view_at(0).mail.mailbox("mx-hogehoge", "kuroyagi")->quota_limit == 2048);
}
