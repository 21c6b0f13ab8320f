// Packets opened layer by layer: every packet of every lesson decodes, with no layer that
// mailsim itself produced left unknown.
#include <catch2/catch.hpp>

#include <filesystem>

#include "gui/model/packet_view.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;
namespace fs = std::filesystem;

TEST_CASE("packet view: every packet of every lesson decodes layer by layer", "[gui][packet]") {
  std::size_t packets = 0;
  std::size_t sealed = 0;
  std::size_t dns = 0;
  for (const auto& group : fs::directory_iterator(fs::path(MAILSIM_SOURCE_DIR) / "scenarios")) {
    if (!group.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(group.path())) {
      if (f.path().extension() != ".json") continue;
      auto loaded = sim::load_scenario_file(f.path().string());
      REQUIRE(loaded.scenario);
      auto run = sim::run_scenario(*loaded.scenario);
      const gui::TraceModel model(*loaded.scenario, run.trace);
      const auto& recs = model.records();
      for (std::size_t i = 0; i < recs.size(); ++i) {
        if (recs[i].kind != sim::RecordKind::Packet) continue;
        ++packets;
        const auto d = gui::decode_packet(model, i);
        INFO(f.path().filename().string() << " record " << i << ": " << recs[i].text());
        CHECK(d.ok);
        REQUIRE(d.layers.size() >= 2);
        CHECK(d.layers[0].name == "IP");
        CHECK((d.layers[1].name == "TCP" || d.layers[1].name == "UDP"));
        const bool payload = recs[i].packet->bytes.size() > 0;
        if (payload) {
          CHECK(d.layers.size() >= 3);  // the application layer (or the TLS record and what it holds)
          CHECK_FALSE(d.hex.empty());
        }
        for (const auto& layer : d.layers) {
          CHECK(layer.name != "unknown");
          CHECK_FALSE(layer.fields.empty());
          for (const auto& [name, value] : layer.fields) CHECK(value.rfind("unknown", 0) != 0);
          if (layer.name == "DNS") ++dns;
        }
        if (!d.endpoint_text.empty()) ++sealed;
      }
    }
  }
  CHECK(packets > 500);
  CHECK(dns > 20);
  CHECK(sealed > 5);  // TLS lessons: the ciphertext with what the endpoints read
}

TEST_CASE("packet view: hex of a payload", "[gui][packet]") {
  CHECK(gui::hex_bytes("EHLO", 16) == "45 48 4c 4f");
  CHECK(gui::hex_bytes("", 16).empty());
}

TEST_CASE("packet view: a host's exchange table lists its packets in and out up to now", "[gui][packet]") {
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json");
  REQUIRE(loaded.scenario);
  auto run = sim::run_scenario(*loaded.scenario);
  const gui::TraceModel model(*loaded.scenario, run.trace);
  const auto last = model.records().size() - 1;
  const auto rows = gui::host_exchange(model, "mail-example", last, 1000);
  REQUIRE(rows.size() > 10);
  bool in = false;
  bool out = false;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& r = model.records()[rows[k].record];
    CHECK(r.kind == sim::RecordKind::Packet);
    CHECK((r.host == "mail-example" || r.peer == "mail-example"));
    CHECK(rows[k].out == (r.host == "mail-example"));
    if (k > 0) CHECK(rows[k - 1].record < rows[k].record);
    in = in || !rows[k].out;
    out = out || rows[k].out;
    CHECK_FALSE(rows[k].protocol.empty());
  }
  CHECK(in);
  CHECK(out);
  // Bounded, and only up to the moment asked for.
  CHECK(gui::host_exchange(model, "mail-example", last, 5).size() == 5);
  CHECK(gui::host_exchange(model, "mail-example", last, 5).back().record == rows.back().record);
  CHECK(gui::host_exchange(model, "mail-example", 0, 100).empty());
}
