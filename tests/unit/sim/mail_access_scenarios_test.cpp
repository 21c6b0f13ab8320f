// The scenarios of scenarios/receiving/, with "send" stood in for by direct delivery to the store.
#include "mail_access_fixture.hpp"

#include <set>

using namespace mailsim;
using namespace mailsim::sim;
using namespace mailsim::test;

namespace {

// Until the MTA runs "send", each letter is put into the recipients' mailboxes 2 s after it
// is sent (what SMTP submission and local delivery would do).
void stand_in_for_send(AccessWorld& w) {
  for (const auto& a : w.sc.timeline) {
    const auto* send = std::get_if<action::Send>(&a.what);
    if (!send) continue;
    std::vector<std::string> to = send->to;
    std::string body = send->body;
    if (send->size) body.resize(send->size, 'x');
    const std::string subject = send->subject;
    auto* world = &w.world;
    auto* sim = &w.sim;
    w.sim.core().schedule_at(a.at + 2 * kSecond, [world, sim, to, subject, body] {
      for (const auto& addr : to) {
        auto [host, store] = world->store_for_address(addr);
        REQUIRE(store);
        const std::string raw = "From: someone@hogehoge.com\r\nTo: " + addr + "\r\nSubject: " + subject +
                                "\r\n\r\n" + body + "\r\n";
        store->deliver(*store->user_for_address(addr), "INBOX", raw, sim->now());
      }
    });
  }
}

void run_scenario_file(const std::string& name) {
  auto loaded = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/receiving/" + name);
  std::string all;
  for (const auto& d : loaded.diagnostics) all += d.format() + "\n";
  INFO(all);
  REQUIRE(loaded.scenario);
  AccessWorld w(*loaded.scenario, {});
  stand_in_for_send(w);
  w.run_until(w.sc.run_for);
  std::size_t checked = 0;
  for (const auto& e : w.sc.expectations) {
    auto r = mail::check_access_expectation(w.sc, e, w.sim.trace());
    if (!r) continue;  // delivery expectations belong to the MTA
    INFO(name << " " << e.pointer << ": " << r->description << " -- " << r->actual);
    CHECK(r->passed);
    ++checked;
  }
  CHECK(checked >= 2);
  w.store().check_invariants();
}

}  // namespace

TEST_CASE("access scenarios: pop3-download-and-delete") { run_scenario_file("pop3-download-and-delete.json"); }
TEST_CASE("access scenarios: pop3-leave-on-server") { run_scenario_file("pop3-leave-on-server.json"); }
TEST_CASE("access scenarios: imap-two-devices") { run_scenario_file("imap-two-devices.json"); }
TEST_CASE("access scenarios: imap-mailbox-full") { run_scenario_file("imap-mailbox-full.json"); }
TEST_CASE("access scenarios: pc-breaks") { run_scenario_file("pc-breaks.json"); }
