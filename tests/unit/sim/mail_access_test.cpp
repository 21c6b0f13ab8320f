// Receiving mail in the simulator: POP3 and IMAP service, device mail readers, expectations.
#include "mail_access_fixture.hpp"

#include "sim/apps/mail/imap_backend.hpp"

using namespace mailsim;
using namespace mailsim::sim;
using namespace mailsim::test;
using mailsim::sim::mail::MailStore;

namespace {

nlohmann::json check(const std::string& at, const std::string& on) {
  return {{"at", at}, {"do", "check_mail"}, {"on", on}};
}
nlohmann::json user_action(const std::string& at, const std::string& kind, const std::string& on,
                           const std::string& subject) {
  return {{"at", at}, {"do", kind}, {"on", on}, {"subject", subject}};
}

// Delivers two letters at time 0 (before anyone checks).
void two_letters(AccessWorld& w) {
  REQUIRE(w.deliver("Hello").stored());
  REQUIRE(w.deliver("Lunch?").stored());
}

}  // namespace

TEST_CASE("access: POP3 download-and-delete empties the server; the second device finds nothing") {
  const auto pop = access_account("pop3", 110, "none");
  AccessWorld w(access_scenario(pop, pop, {check("1s", "pc"), check("5s", "phone")}));
  two_letters(w);
  w.run_until(4 * kSecond);
  CHECK(w.inbox() == 0);
  const auto got = w.device("pc", "device-downloaded");
  REQUIRE(got.size() == 2);
  CHECK(to_json(got[0])["detail"]["subject"] == "Hello");
  CHECK(to_json(got[1])["detail"]["subject"] == "Lunch?");
  CHECK(to_json(got[1])["detail"]["count"] == 2);
  CHECK(to_json(got[0])["detail"]["seen"] == false);
  CHECK(got[0].peer == "mail");
  CHECK(got[0].protocol == "pop3");
  // The server's side of the story: RETR then downloaded-and-deleted at QUIT.
  std::size_t removed = 0;
  for (const auto& r : w.sim.trace().records())
    if (r.is(MailboxEvent::DownloadedAndDeleted) && r.host == "mail") ++removed;
  CHECK(removed == 2);
  w.run_until(10 * kSecond);
  CHECK(w.device("phone", "device-downloaded").empty());
  const auto checked = w.device("phone", "device-checked");
  REQUIRE(checked.size() == 1);
  CHECK(to_json(checked[0])["detail"]["count"] == 0);
  CHECK(w.lines("pc", "pop3") == std::vector<std::string>{
                                     "C: CAPA", "C: USER shiroyagi", "C: PASS ********", "C: STAT", "C: UIDL",
                                     "C: RETR 1", "C: DELE 1", "C: RETR 2", "C: DELE 2", "C: QUIT"});
}

TEST_CASE("access: POP3 leave-on-server keeps the mail for the other device and skips known messages") {
  const auto leave = access_account("pop3", 110, "none", true);
  AccessWorld w(access_scenario(leave, leave, {check("1s", "pc"), check("5s", "phone"), check("9s", "pc")}));
  two_letters(w);
  w.run_until(7 * kSecond);
  CHECK(w.inbox() == 2);
  CHECK(w.device("pc", "device-downloaded").size() == 2);
  CHECK(w.device("phone", "device-downloaded").size() == 2);
  w.deliver("Third");
  w.run_until(12 * kSecond);
  // The PC's second check fetches only the new letter (UIDL of the known ones).
  const auto pc = w.device("pc", "device-downloaded");
  REQUIRE(pc.size() == 3);
  CHECK(to_json(pc[2])["detail"]["subject"] == "Third");
  CHECK(to_json(pc[2])["detail"]["count"] == 3);
  CHECK(w.inbox() == 3);
  std::size_t retr = 0;
  for (const auto& l : w.lines("pc", "pop3"))
    if (l.rfind("C: RETR", 0) == 0) ++retr;
  CHECK(retr == 3);
}

TEST_CASE("access: two devices checking POP3 at the same moment: one gets the lock, the other a clear failure") {
  const auto pop = access_account("pop3", 110, "none");
  AccessWorld w(access_scenario(pop, pop, {check("1s", "pc"), check("1s", "phone")}));
  two_letters(w);
  w.run_until(5 * kSecond);
  const auto pc_ok = w.device("pc", "device-downloaded").size();
  const auto phone_ok = w.device("phone", "device-downloaded").size();
  CHECK(pc_ok + phone_ok == 2);
  CHECK((pc_ok == 0 || phone_ok == 0));
  const std::string loser = pc_ok ? "phone" : "pc";
  const auto failed = w.device(loser, "check-failed");
  REQUIRE(failed.size() == 1);
  CHECK(to_json(failed[0])["detail"]["error"].get<std::string>().find("locked by another POP3 session") != std::string::npos);
  bool refused = false;
  for (const auto& r : w.sim.trace().records())
    if (r.is(MailboxEvent::MaildropLockRefused)) refused = true;
  CHECK(refused);
  CHECK(w.inbox() == 0);
  CHECK_FALSE(w.store().maildrop_locked("shiroyagi"));
}

TEST_CASE("access: DELE then the device goes offline mid-session: the server keeps the mail") {
  const auto pop = access_account("pop3", 110, "none");
  const auto scenario = access_scenario(pop, pop, {check("1s", "pc")});
  Time dele_at = 0;
  {
    AccessWorld dry(scenario);
    two_letters(dry);
    dry.run_until(5 * kSecond);
    const auto* r = dry.first_line("pc", "C: DELE 2");
    REQUIRE(r);
    dele_at = r->time;
  }
  AccessWorld w(scenario, {timeline_entry(dele_at + 1, sim::action::DeviceNetwork{"pc", false})});
  two_letters(w);
  w.run_until(5 * kSecond);
  // Both letters were downloaded and marked, but QUIT never happened: no UPDATE state.
  CHECK(w.device("pc", "device-downloaded").size() == 2);
  CHECK(w.inbox() == 2);
  CHECK_FALSE(w.store().maildrop_locked("shiroyagi"));
  const auto failed = w.device("pc", "check-failed");
  REQUIRE(failed.size() == 1);
  CHECK(to_json(failed[0])["detail"]["error"] ==
        "the connection was lost (connection lost while in DELE); nothing was deleted on the server");
  // Offline: a check fails at once with a clear record, and the local copies stay readable.
  w.sc.timeline.clear();
  AccessWorld again(scenario, {timeline_entry(dele_at + 1, sim::action::DeviceNetwork{"pc", false}),
                               timeline_entry(8 * kSecond, sim::action::CheckMail{"pc", ""}),
                               timeline_entry(9 * kSecond, sim::action::OnMessage{sim::action::MessageVerb::Open, "pc", "", "Hello"}),
                               timeline_entry(10 * kSecond, sim::action::DeviceNetwork{"pc", true}),
                               timeline_entry(11 * kSecond, sim::action::CheckMail{"pc", ""})});
  two_letters(again);
  again.run_until(20 * kSecond);
  const auto f2 = again.device("pc", "check-failed");
  REQUIRE(f2.size() == 2);
  CHECK(to_json(f2[1])["detail"]["error"] == "the device is offline (no network)");
  const auto opened = again.device("pc", "device-opened");
  REQUIRE(opened.size() == 1);
  CHECK(to_json(opened[0])["detail"]["seen"] == true);
  // Back online: the known messages are deleted without being downloaded twice.
  CHECK(again.device("pc", "device-downloaded").size() == 2);
  CHECK(again.inbox() == 0);
  const auto view = mail::device_view(again.sim.trace(), "pc");
  REQUIRE(view.size() == 2);
  CHECK(view[0].seen);
  CHECK_FALSE(view[1].seen);
}

TEST_CASE("access: IMAP on two devices: opening on one is pushed to the other by IDLE") {
  const auto imap = access_account("imap", 143, "none");
  AccessWorld w(access_scenario(imap, imap,
                                {check("1s", "pc"), check("1s", "phone"), user_action("5s", "open", "phone", "Hello")}));
  two_letters(w);
  w.run_until(4 * kSecond);
  REQUIRE(w.device("pc", "device-synced").size() == 2);
  REQUIRE(w.device("phone", "device-synced").size() == 2);
  CHECK(w.inbox() == 2);
  w.run_until(6 * kSecond);
  const auto opened = w.device("phone", "device-opened");
  REQUIRE(opened.size() == 1);
  CHECK(to_json(opened[0])["detail"]["subject"] == "Hello");
  CHECK(w.store().message("shiroyagi", "INBOX", 1)->flags.count("\\Seen") == 1);
  // The PC did nothing, yet it learnt of \Seen through its IDLE.
  const auto flags = w.device("pc", "device-flags");
  REQUIRE(flags.size() == 1);
  CHECK(to_json(flags[0])["detail"]["subject"] == "Hello");
  CHECK(to_json(flags[0])["detail"]["seen"] == true);
  CHECK(flags[0].time > opened[0].time - kSecond);
  const auto* pushed = w.first_line("mail", "S: * 1 FETCH (FLAGS (\\Seen \\Recent))");
  REQUIRE(pushed);
  CHECK(pushed->peer == "pc");
  // The body was read once, over IMAP, with a fetched record; the header sync read nothing.
  std::size_t fetched = 0;
  for (const auto& r : w.sim.trace().records())
    if (r.is(MailboxEvent::Fetched)) ++fetched;
  CHECK(fetched == 1);
  // New mail is pushed to both.
  w.deliver("Dinner");
  w.run_until(8 * kSecond);
  CHECK(w.device("pc", "device-synced").size() == 3);
  CHECK(w.device("phone", "device-synced").size() == 3);
}

TEST_CASE("access: IMAP delete on one device (move to Trash) disappears from the other") {
  const auto imap = access_account("imap", 143, "none");
  AccessWorld w(access_scenario(imap, imap,
                                {check("1s", "pc"), check("1s", "phone"),
                                 user_action("5s", "delete", "pc", "Lunch?"),
                                 user_action("7s", "mark_read", "phone", "Hello")}));
  two_letters(w);
  w.run_until(10 * kSecond);
  CHECK(w.inbox() == 1);
  CHECK(w.store().snapshot("shiroyagi", "Trash")->messages.size() == 1);
  const auto del = w.device("pc", "device-deleted");
  REQUIRE(del.size() == 1);
  CHECK(to_json(del[0])["detail"]["by"] == "user");
  const auto gone = w.device("phone", "device-deleted");
  REQUIRE(gone.size() == 1);
  CHECK(to_json(gone[0])["detail"]["subject"] == "Lunch?");
  CHECK(to_json(gone[0])["detail"]["by"] == "server");
  CHECK(to_json(gone[0])["detail"]["count"] == 1);
  CHECK(w.device("pc", "device-flags").size() == 1);
  // An expunge by another client is seen too.
  w.store().store_flags("shiroyagi", "INBOX", 1, mail::FlagOp::Add, {"\\Deleted"});
  w.store().expunge("shiroyagi", "INBOX");
  w.run_until(12 * kSecond);
  CHECK(w.device("pc", "device-deleted").size() == 2);
  CHECK(w.device("phone", "device-deleted").size() == 2);
  CHECK(mail::device_view(w.sim.trace(), "phone").empty());
}

TEST_CASE("access: quota is exact through the store; IMAP shows what fits") {
  const std::string a = letter("One"), b = letter("Two");
  const auto imap = access_account("imap", 143, "none");
  AccessWorld w(access_scenario(imap, imap, {check("1s", "phone")}, std::to_string(a.size() + b.size()) + "B"));
  REQUIRE(w.deliver("One").stored());
  REQUIRE(w.deliver("Two").stored());
  const auto full = w.deliver("Three");
  CHECK(full.status == mail::DeliveryResult::Status::OverQuota);
  CHECK(full.used == a.size() + b.size());
  w.run_until(5 * kSecond);
  CHECK(w.device("phone", "device-synced").size() == 2);
  CHECK(w.store().used("shiroyagi") == a.size() + b.size());
  ExpectationSpec e{"mailbox",
                    {{"type", "mailbox"}, {"user", "shiroyagi@example.com"}, {"count", 2},
                     {"bytes", a.size() + b.size()}},
                    "/expectations/0"};
  auto r = mail::check_access_expectation(w.sc, e, w.sim.trace());
  REQUIRE(r);
  CHECK(r->passed);
  CHECK(r->actual.find("1 delivery(ies) refused") != std::string::npos);
  e.args["bytes"] = a.size() + b.size() + 1;
  r = mail::check_access_expectation(w.sc, e, w.sim.trace());
  CHECK_FALSE(r->passed);
  CHECK(r->actual.rfind("INBOX holds 2 message(s), " + std::to_string(a.size() + b.size()) + " octets", 0) == 0);
}

TEST_CASE("access: implicit TLS on 995 and 993 and STARTTLS on 110 and 143 hide everything after TLS") {
  struct Case {
    std::string protocol;
    int port;
    std::string tls;
    std::string secret_line;  // never on the wire in clear
  };
  // (The IMAP greeting's CAPABILITY says AUTH=LOGIN in clear: the secret is the command.)
  for (const auto& c : {Case{"pop3", 995, "implicit", "PASS meadow"}, Case{"imap", 993, "implicit", "LOGIN shiroyagi"},
                        Case{"pop3", 110, "starttls", "PASS meadow"}, Case{"imap", 143, "starttls", "LOGIN shiroyagi"}}) {
    INFO(c.protocol << " " << c.port << " " << c.tls);
    const auto acc = access_account(c.protocol, c.port, c.tls);
    AccessWorld w(access_scenario(acc, acc, {check("1s", "pc")}));
    two_letters(w);
    w.run_until(5 * kSecond);
    CHECK(w.device("pc", c.protocol == "pop3" ? "device-downloaded" : "device-synced").size() == 2);
    bool tls_seen = false, clear_after_tls = false, secret_in_clear = false, greeting_in_clear = false;
    for (const auto& r : w.sim.trace().records()) {
      if (r.kind == RecordKind::Tls && r.event == "established") tls_seen = true;
      if (r.kind != RecordKind::Packet || r.packet->bytes.empty()) continue;
      const std::string bytes(r.packet->bytes);
      const bool protected_ = r.packet->tls;
      if (tls_seen && !protected_ && !bytes.empty()) clear_after_tls = true;
      if (!protected_ && bytes.find(c.secret_line) != std::string::npos) secret_in_clear = true;
      if (!protected_ && (bytes.rfind("+OK", 0) == 0 || bytes.rfind("* OK", 0) == 0)) greeting_in_clear = true;
    }
    CHECK(tls_seen);
    CHECK_FALSE(clear_after_tls);
    CHECK_FALSE(secret_in_clear);
    CHECK(greeting_in_clear == (c.tls == "starttls"));
    // The endpoints still record the plaintext lines (credentials masked).
    const auto lines = w.lines("pc", c.protocol);
    const std::string masked = c.protocol == "pop3" ? "PASS ********" : "LOGIN shiroyagi ********";
    CHECK(std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.size() >= masked.size() && l.compare(l.size() - masked.size(), masked.size(), masked) == 0;
    }));
  }
}

TEST_CASE("access: the seen and mailbox expectations pass and fail with a clear actual") {
  const auto imap = access_account("imap", 143, "none");
  const auto pop = access_account("pop3", 110, "none");
  // The phone (IMAP) reads "Hello"; then the PC (POP3) downloads and deletes everything.
  AccessWorld w(access_scenario(pop, imap,
                                {check("1s", "phone"), user_action("3s", "open", "phone", "Hello"), check("5s", "pc"),
                                 user_action("7s", "delete", "pc", "Lunch?")}));
  two_letters(w);
  w.run_until(10 * kSecond);
  auto expect = [&](const std::string& kind, nlohmann::json args) {
    args["type"] = kind;
    auto r = mail::check_access_expectation(w.sc, ExpectationSpec{kind, args, "/expectations/1"}, w.sim.trace());
    REQUIRE(r);
    CHECK(r->pointer == "/expectations/1");
    return *r;
  };
  // The PC's copy is unread: reading on the phone does not travel to a POP3 download.
  auto r = expect("seen", {{"on", "pc"}, {"subject", "Hello"}, {"seen", false}});
  CHECK(r.passed);
  CHECK(r.description == "pc shows \"Hello\" as unread");
  r = expect("seen", {{"on", "pc"}, {"subject", "Hello"}, {"seen", true}});
  CHECK_FALSE(r.passed);
  CHECK(r.actual == "pc shows \"Hello\" as unread");
  r = expect("seen", {{"on", "pc"}, {"subject", "Lunch?"}, {"present", false}});
  CHECK(r.passed);
  r = expect("seen", {{"on", "pc"}, {"subject", "Hello"}, {"present", false}});
  CHECK_FALSE(r.passed);
  CHECK(r.actual == "pc still shows \"Hello\" (unread)");
  r = expect("seen", {{"on", "pc"}, {"subject", "Nope"}});
  CHECK_FALSE(r.passed);
  CHECK(r.actual == "pc does not show \"Nope\" (it shows \"Hello\")");
  // POP3 emptied the server, and the phone's IDLE was told (EXPUNGE).
  r = expect("seen", {{"on", "phone"}, {"subject", "Hello"}});
  CHECK_FALSE(r.passed);
  CHECK(r.actual == "phone shows no message at all");
  CHECK(w.device("phone", "device-deleted").size() == 2);
  r = expect("mailbox", {{"user", "shiroyagi@example.com"}, {"count", 0}});
  CHECK(r.passed);
  CHECK(r.description == "shiroyagi@example.com's INBOX on mail holds 0 message(s)");
  r = expect("mailbox", {{"user", "shiroyagi@example.com"}, {"count", 2}});
  CHECK_FALSE(r.passed);
  CHECK(r.actual == "INBOX holds 0 message(s), 0 octets");
  r = expect("mailbox", {{"user", "shiroyagi@example.com"}, {"folder", "Trash"}, {"count", 0}});
  CHECK(r.passed);
  CHECK_FALSE(mail::check_access_expectation(w.sc, ExpectationSpec{"dns", {}, ""}, w.sim.trace()));
}

TEST_CASE("access: classifying IMAP command lines that read bodies") {
  CHECK(mail::imap_line_reads_body("a1 UID FETCH 3 BODY[]\r\n"));
  CHECK(mail::imap_line_reads_body("a1 fetch 1:* (body.peek[text])\r\n"));
  CHECK(mail::imap_line_reads_body("a1 FETCH 1 RFC822\r\n"));
  CHECK_FALSE(mail::imap_line_reads_body("a1 UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)\r\n"));
  CHECK_FALSE(mail::imap_line_reads_body("a1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n"));
  CHECK_FALSE(mail::imap_line_reads_body("a1 SEARCH BODY hello\r\n"));
  CHECK(mail::imap_seconds(0) == mail::kScenarioEpoch);
  CHECK(mail::imap_seconds(90 * kSecond + 5) == mail::kScenarioEpoch + 90);
  CHECK(mail::sim_time_from_imap(mail::kScenarioEpoch + 2) == 2 * kSecond);
  CHECK(mail::sim_time_from_imap(0) == 0);
}
