// The bridge driven without blocking (Bridge::start/poll/finish), as an app's frame loop would:
// a plain socket's greeting arrives while the caller keeps control between polls.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge/bridge.hpp"
#include "sim/apps/bridged_device.hpp"

using namespace mailsim;

TEST_CASE("bridge: poll mode serves a client between the caller's frames") {
  auto l = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/op25b-submission.json");
  REQUIRE(l.scenario);
  sim::Scenario s = std::move(*l.scenario);
  std::string why;
  const auto device = sim::add_bridged_device(s, "home-isp", why);
  REQUIRE(device);
  bridge::BridgeOptions o;
  o.expose = {"mail-example"};
  o.ephemeral_ports = true;
  o.insecure_selfsigned = true;  // no CA folder written by a unit test
  bridge::Bridge b(s, *device, o);
  REQUIRE(b.open(why));
  std::uint16_t port = 0;
  for (const auto& p : b.ports())
    if (p.sim_port == 587) port = p.local_port;
  REQUIRE(port != 0);

  std::ostringstream log;
  b.start(log);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  std::string got;
  int frames = 0;
  for (; frames < 2000 && got.find("\r\n") == std::string::npos; ++frames) {
    REQUIRE(b.poll());
    char buf[512];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the rest of the frame
  }
  ::close(fd);
  CHECK(got.rfind("220 mail.example.com", 0) == 0);
  CHECK(frames > 1);  // poll() returned between frames: the caller was never blocked
  b.request_stop("the test is over");
  CHECK_FALSE(b.poll());
  const auto result = b.finish();
  bool connected = false;
  for (const auto& r : result.trace.records())
    if (r.event == "bridge_connect" && r.host == *device) connected = true;
  CHECK(connected);
  CHECK(b.stop_reason() == "the test is over");
}
