// The bridge's hook in the simulator: a bridged device joins the world, its streams cross the
// simulated network like a device's (OP25B applies), and the same inputs give the same trace.
#include <catch2/catch.hpp>

#include "sim/apps/bridged_device.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim::sim;

namespace {

Scenario op25b() {
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/op25b-submission.json");
  REQUIRE(l.scenario);
  return std::move(*l.scenario);
}

// Opens a stream from the bridged device at 2 s, says EHLO and QUIT, returns the trace as text.
std::string drive(std::uint16_t port, std::string* replies) {
  Scenario s = op25b();
  std::string why;
  const auto id = add_bridged_device(s, "home-isp", why);
  REQUIRE(id);
  BridgedDevice* dev = nullptr;
  RunOptions o;
  o.before_start = [&](Simulation& sim, mail::MailWorld&) {
    auto app = std::make_unique<BridgedDevice>(*id);
    dev = app.get();
    sim.add_app(std::move(app));
  };
  o.until = 40 * kSecond;
  ScenarioRun run(s, o);
  run.advance(2 * kSecond);
  REQUIRE(run.sim().now() == 2 * kSecond);
  auto stream = dev->open(Endpoint{*Ipv4::parse("198.51.100.25"), port}, "smtp", false, "127.0.0.1:40000");
  stream->on_data = [&](std::string_view b) {
    replies->append(b);
    if (replies->find("250 HELP") != std::string::npos && replies->find("QUIT") == std::string::npos) {
      *replies += "QUIT";
      stream->send("QUIT\r\n");
    }
  };
  stream->on_connected = [&] { stream->send("EHLO real-client\r\nAUTH PLAIN AHNoaXJveWFnaQBtZWUtbWVl\r\n"); };
  run.advance(40 * kSecond);
  auto result = run.finish();
  std::string text;
  for (const auto& r : result.trace.records()) text += to_json(r).dump() + "\n";
  return text;
}

}  // namespace

TEST_CASE("bridged device: a free address of the access network's dynamic pool") {
  Scenario s = op25b();
  std::string why;
  const auto id = add_bridged_device(s, "home-isp", why);
  REQUIRE(id);
  CHECK(*id == "bridged-device");
  CHECK(s.hosts.back().info.ip.str() == "192.0.2.129");
  CHECK_FALSE(add_bridged_device(s, "nowhere", why));
  CHECK(why.find("nowhere") != std::string::npos);
}

TEST_CASE("bridged device: its stream to 587 is served and recorded, credentials masked, deterministically") {
  std::string replies1, replies2;
  const std::string t1 = drive(587, &replies1), t2 = drive(587, &replies2);
  CHECK(t1 == t2);
  CHECK(replies1.find("220 mail.example.com") != std::string::npos);
  CHECK(t1.find("\"C: EHLO real-client\"") != std::string::npos);
  CHECK(t1.find("AUTH PLAIN ****") != std::string::npos);
  // Masked in the command record (the packets still carry it: no STARTTLS here, an eavesdropper could read it).
  CHECK(t1.find("C: AUTH PLAIN AHNo") == std::string::npos);
  CHECK(t1.find("bridge_connect") != std::string::npos);
}

TEST_CASE("bridged device: port 25 to the provider meets OP25B like any device of the ISP") {
  std::string replies;
  const std::string t = drive(25, &replies);
  CHECK(replies.empty());
  CHECK(t.find("\"rule\":\"op25b\"") != std::string::npos);
}
