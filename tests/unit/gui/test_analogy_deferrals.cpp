// Post-office analogy of temporary refusals: 451 4.7.1 is a sending limit or greylisting, told
// apart by what the reply says, never by the code alone.
#include <catch2/catch.hpp>

#include "gui/model/analogy.hpp"

using mailsim::gui::analogy_key;
using mailsim::gui::AnalogyContext;
using K = mailsim::sim::RecordKind;

namespace {

mailsim::sim::Record reply(const std::string& line, const std::string& event = "reply") {
  mailsim::sim::Record r;
  r.kind = K::Protocol;
  r.event = event;
  r.protocol = "smtp";
  r.host = "mx";
  r.peer = "relay";
  r.detail = {{"line", line}, {"code", std::stoi(line.substr(0, 3))}};
  static mailsim::sim::Trace typed;  // typed as a trace types it (its `proto` lives in this trace)
  return typed.add(std::move(r));
}

const AnalogyContext kMta25{25, "mail_server"};

}  // namespace

TEST_CASE("analogy: 451 4.7.1 for greylisting is greylisting, not a sending limit", "[gui][analogy]") {
  CHECK(analogy_key(reply("451 4.7.1 Greylisted, please try again later"), kMta25) == "smtp.greylisted");
  CHECK(analogy_key(reply("451 4.7.1 <kuroyagi@hogehoge.com>: Recipient address rejected: Greylisting in action"),
                    kMta25) == "smtp.greylisted");
  CHECK(analogy_key(reply("451 4.7.1 graylisted, come back in 5 minutes", "received"), kMta25) == "smtp.greylisted");
}

TEST_CASE("analogy: 451 4.7.1 that names a rate limit is still the sending limit", "[gui][analogy]") {
  CHECK(analogy_key(reply("451 4.7.1 Sending rate limit exceeded, try again later"), kMta25) == "smtp.throttled");
  CHECK(analogy_key(reply("450 4.7.1 Too many messages from you, slow down"), kMta25) == "smtp.throttled");
  CHECK(analogy_key(reply("421 4.7.0 Connection throttled"), kMta25) == "smtp.throttled");
}

TEST_CASE("analogy: a bare 451 4.7.1 without either reason is an ordinary temporary reply", "[gui][analogy]") {
  // Neither a limit nor greylisting can be read from it: like any other 4xx on this hop.
  CHECK(analogy_key(reply("451 4.7.1 Try again later"), kMta25) == "smtp.relay");
  CHECK(analogy_key(reply("451 4.7.1 Try again later"), AnalogyContext{587, "pc"}) == "smtp.submission");
}

TEST_CASE("analogy: a greylisted record and a cut link have their own situations", "[gui][analogy]") {
  mailsim::sim::Record grey;
  grey.kind = K::Mail;
  grey.event = "greylisted";
  CHECK(analogy_key(grey, kMta25) == "smtp.greylisted");
  mailsim::sim::Record cut;
  cut.kind = K::Action;
  cut.event = "link_down";
  cut.detail = {{"action", "link_down"}, {"network", "hogehoge"}};
  CHECK(analogy_key(cut, kMta25) == "net.link_down");
  cut.event = "link_up";
  CHECK(analogy_key(cut, kMta25).empty());
}
