// The compact trace (issue 13): every lesson's trace written to JSON Lines and read back
// writes the same bytes again, and packets come back as typed fields, not JSON.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

using namespace mailsim::sim;

namespace {

std::string jsonl(const Trace& t) {
  std::ostringstream out;
  t.write_jsonl(out);
  return out.str();
}

}  // namespace

TEST_CASE("every lesson's trace reads back and writes the same bytes", "[trace]") {
  const std::filesystem::path root = std::filesystem::path(MAILSIM_SOURCE_DIR) / "scenarios";
  std::size_t lessons = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = f.path().filename().string();
    if (f.path().extension() != ".json" || name.find(".schema.") != std::string::npos) continue;
    auto l = load_scenario_file(f.path().string());
    REQUIRE(l.scenario);
    const auto r = run_scenario(*l.scenario);
    INFO(name);
    const std::string first = jsonl(r.trace);
    std::istringstream in(first);
    Trace back;
    std::string error;
    REQUIRE(Trace::read_jsonl(in, back, error));
    CHECK(jsonl(back) == first);
    // A copy owns its packets: it still writes the same after the original is gone.
    auto* copy = new Trace(back);
    back = Trace();
    CHECK(jsonl(*copy) == first);
    delete copy;
    ++lessons;
  }
  CHECK(lessons >= 23);
}

TEST_CASE("packet records are typed and share their route and bytes storage", "[trace]") {
  auto l = load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/basics/tcp-connection.json");
  REQUIRE(l.scenario);
  const auto r = run_scenario(*l.scenario);
  const Hops* route = nullptr;
  std::size_t packets = 0, same_route = 0;
  for (const auto& rec : r.trace.records()) {
    if (rec.kind != RecordKind::Packet) {
      CHECK(rec.packet == nullptr);
      continue;
    }
    REQUIRE(rec.packet != nullptr);
    ++packets;
    CHECK(rec.summary.empty());        // worded on demand
    CHECK(rec.detail.empty());         // no per-record JSON
    CHECK_FALSE(rec.text().empty());
    CHECK(to_json(rec)["summary"] == rec.text());
    if (rec.packet->path && rec.host == r.trace.records().front().host) {
      if (!route) route = rec.packet->path;
      same_route += rec.packet->path == route;
    }
  }
  CHECK(packets > 0);
  CHECK(same_route > 1);  // one interned route for every packet one way
  std::size_t bytes = 0;
  for (const auto& rec : r.trace.records())
    if (rec.packet) bytes += rec.packet->bytes.size();
  CHECK(r.trace.payload_bytes() == bytes);
}

TEST_CASE("interned names compare by text and by identity", "[trace]") {
  const Name a("mx1.example"), b(std::string("mx1.example")), c("mx2.example");
  CHECK(a == b);
  CHECK(a.c_str() == b.c_str());  // stored once
  CHECK_FALSE(a == c);
  CHECK(a == "mx1.example");
  CHECK(a < c);
  CHECK(Name().empty());
  CHECK(fmt::format("{}", a) == "mx1.example");
}
