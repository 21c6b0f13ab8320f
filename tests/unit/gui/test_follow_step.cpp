// Every view follows the step: engine states are never transcript lines nor default event
// rows, the sequence diagram's lanes follow the path and its default zoom is the exchange in
// force, and a line under TLS shows the ciphertext the wire carried.
#include <catch2/catch.hpp>

#include "gui/model/packet_view.hpp"
#include "gui/model/sequence.hpp"
#include "gui/model/steps.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;

namespace {

struct Played {
  sim::Scenario scenario;
  sim::RunResult run;
  std::unique_ptr<gui::TraceModel> model;
};

Played play(const std::string& lesson) {
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/" + lesson);
  REQUIRE(loaded.scenario);
  Played p;
  p.scenario = std::move(*loaded.scenario);
  p.run = sim::run_scenario(p.scenario);
  p.model = std::make_unique<gui::TraceModel>(p.scenario, p.run.trace);
  return p;
}

}  // namespace

TEST_CASE("follow: engine state changes are no transcript lines and no default event rows", "[gui][follow]") {
  const auto p = play("mail/whole-journey.json");
  const auto& recs = p.model->records();
  std::size_t states = 0;
  for (const auto& r : recs)
    if (gui::is_session_state(r)) ++states;
  REQUIRE(states > 0);  // the engines do record them
  for (const auto& c : p.model->connections()) {
    for (const auto& line : c.lines) {
      INFO(line.text);
      CHECK(gui::is_protocol_line(recs[line.record]));
      CHECK(line.text.find(" -> ") == std::string::npos);  // "Greeting -> Ehlo"
    }
  }
  const auto& rows = p.model->table_rows();
  CHECK(rows.size() == recs.size() - states);
  for (auto i : rows) CHECK_FALSE(gui::is_session_state(recs[i]));
}

TEST_CASE("follow: sequence lanes in the order of the path on the map", "[gui][follow]") {
  const auto p = play("mail/whole-journey.json");
  const auto seq = gui::build_sequence(*p.model);
  REQUIRE(seq.lanes.size() >= 4);
  for (std::size_t k = 1; k < seq.lanes.size(); ++k) {
    const auto* a = p.model->layout().host(seq.lanes[k - 1]);
    const auto* b = p.model->layout().host(seq.lanes[k]);
    REQUIRE(a);
    REQUIRE(b);
    CHECK((a->pos.x < b->pos.x || (a->pos.x == b->pos.x && a->pos.y <= b->pos.y)));
  }
  // The sender's PC is the first lane, the recipient's MX after its own server.
  CHECK(seq.lanes.front() == "shiroyagi-pc");
  CHECK(seq.lane_of("mail-example") < seq.lane_of("mx-hogehoge"));
}

TEST_CASE("follow: the sequence diagram's default span is the exchange in force", "[gui][follow]") {
  const auto p = play("mail/whole-journey.json");
  const auto seq = gui::build_sequence(*p.model);
  const gui::StepTimeline steps(p.run.narration, *p.model);
  // Step 8: the POP3 download. Its span holds the POP3 connection's arrows and nothing of the
  // SMTP submission at the start.
  const auto at = steps.playback_of_step(7);
  REQUIRE(at);
  const auto cur = p.model->record_at_playback(*at);
  const auto span = gui::exchange_span(seq, *p.model, cur);
  REQUIRE(span);
  CHECK(span->first <= *at);
  CHECK(span->second >= *at);
  const auto first_step = steps.playback_of_step(1);
  REQUIRE(first_step);
  CHECK(span->first > *first_step);
  std::size_t inside = 0;
  for (const auto& a : seq.arrows) {
    if (a.start >= span->first && a.end <= span->second && a.cls == gui::PacketClass::Pop3) ++inside;
  }
  CHECK(inside >= 4);
  // Deterministic: asked again, the same span.
  CHECK(gui::exchange_span(seq, *p.model, cur) == span);
}

TEST_CASE("follow: a line sent under TLS crossed the wire as ciphertext", "[gui][follow]") {
  const auto p = play("mail/tls-eavesdropper.json");
  const auto& recs = p.model->records();
  bool plain_seen = false;
  bool sealed_seen = false;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (!r.is(sim::ProtoEvent::Command)) continue;
    const auto wire = gui::wire_of_line(*p.model, i);
    if (!wire) continue;
    const std::string line(r.proto_info().line());
    if (wire->tls) {
      sealed_seen = true;
      CHECK(wire->bytes.find(line.substr(0, 4)) == std::string::npos);  // not readable
      CHECK(static_cast<unsigned char>(wire->bytes[0]) == 0x17);         // a TLS application data record
    } else {
      plain_seen = true;
      // Readable text (a pipelined segment may carry the lines before it too).
      CHECK(static_cast<unsigned char>(wire->bytes[0]) >= 0x20);
      CHECK(static_cast<unsigned char>(wire->bytes[0]) < 0x7F);
    }
  }
  CHECK(plain_seen);
  CHECK(sealed_seen);
  CHECK(gui::hex_bytes(std::string("\x17\x03\x03", 3), 2) == "17 03 \u2026");
}

TEST_CASE("follow: the eavesdropper on the café Wi-Fi captures clear lines, then only ciphertext", "[gui][follow]") {
  const auto p = play("mail/tls-eavesdropper.json");
  const auto& recs = p.model->records();
  bool clear_auth = false;
  bool sealed = false;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto cap = gui::observer_capture(*p.model, "home-isp", i);
    if (!cap) continue;
    CHECK(cap->packet <= i);
    if (cap->tls) sealed = true;
    else if (cap->bytes.rfind("AUTH PLAIN", 0) == 0) clear_auth = true;
  }
  CHECK(clear_auth);  // the password's line, readable
  CHECK(sealed);      // the laptop's SMTPS: records only
  CHECK_FALSE(gui::observer_capture(*p.model, "nowhere", recs.size() - 1));
}
