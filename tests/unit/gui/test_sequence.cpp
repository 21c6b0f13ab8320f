// Sequence diagram model: DNS datagrams labelled with what they ask or answer (both
// languages), and lane headers that never split a word.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "gui/model/sequence.hpp"
#include "gui/model/strings.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;

namespace {

const std::filesystem::path kSource = MAILSIM_SOURCE_DIR;

struct Run {
  sim::Scenario scenario;
  sim::Trace trace;
};
Run run(const std::string& path) {
  auto r = sim::load_scenario_file((kSource / "scenarios" / path).string());
  REQUIRE(r.scenario);
  auto result = sim::run_scenario(*r.scenario);
  return {std::move(*r.scenario), std::move(result.trace)};
}

gui::StringTable strings(const std::string& lang) {
  gui::StringTable t;
  std::string error;
  REQUIRE(t.load_file(kSource / "assets" / "i18n" / (lang + ".json"), error));
  return t;
}

// The DNS arrows' labels in a language, in order, each "from>to: label".
std::vector<std::string> dns_labels(const gui::SequenceModel& seq, const gui::StringTable& table) {
  std::vector<std::string> out;
  for (const auto& a : seq.arrows) {
    if (a.cls == gui::PacketClass::Dns) out.push_back(seq.lanes[a.from] + ">" + seq.lanes[a.to] + ": " + gui::arrow_label(a, table));
  }
  return out;
}

// One pixel per byte: easy widths to reason about.
float bytes_wide(std::string_view t) { return static_cast<float>(t.size()); }

}  // namespace

TEST_CASE("sequence: DNS datagrams of a delegation say what they ask and answer", "[gui][sequence]") {
  const auto r = run("dns/delegation.json");
  const gui::TraceModel model(r.scenario, r.trace);
  const auto seq = gui::build_sequence(model);
  const std::vector<std::string> en = {
      "shiroyagi-pc>isp-resolver: MX? hogehoge.com",
      "isp-resolver>root-server: MX? hogehoge.com",
      "root-server>isp-resolver: referral: a.gtld-servers.com",
      "isp-resolver>com-server: MX? hogehoge.com",
      "com-server>isp-resolver: referral: ns1.hogehoge.com",
      "isp-resolver>hogehoge-ns: MX? hogehoge.com",
      "hogehoge-ns>isp-resolver: MX 10 mx1.hogehoge.com",
      "isp-resolver>shiroyagi-pc: MX 10 mx1.hogehoge.com",
      // The second lookup is answered from the resolver's cache.
      "shiroyagi-pc>isp-resolver: MX? hogehoge.com",
      "isp-resolver>shiroyagi-pc: MX 10 mx1.hogehoge.com",
  };
  CHECK(dns_labels(seq, strings("en")) == en);
  // Japanese: the same record types and names; only the word "referral" is translated.
  const auto ja = dns_labels(seq, strings("ja"));
  REQUIRE(ja.size() == en.size());
  CHECK(ja[0] == en[0]);
  CHECK(ja[4] == "com-server>isp-resolver: 委任先：ns1.hogehoge.com");
  CHECK(ja[6] == en[6]);
  for (const auto& a : seq.arrows) {
    if (a.cls != gui::PacketClass::Dns) continue;
    CHECK((a.label_key.empty() || a.label_key == "seq.dns_referral"));
    CHECK(a.label.size() <= gui::kSeqLabelMax);
  }
}

TEST_CASE("sequence: a name that does not exist is answered NXDOMAIN", "[gui][sequence]") {
  const auto r = run("dns/nxdomain.json");
  const gui::TraceModel model(r.scenario, r.trace);
  const auto labels = dns_labels(gui::build_sequence(model), strings("en"));
  REQUIRE(labels.size() >= 6);
  CHECK(labels[0] == "shiroyagi-pc>isp-resolver: MX? hogehoge-typo.com");
  CHECK(labels[2] == "root-server>isp-resolver: referral: a.gtld-servers.com");
  CHECK(labels[4] == "com-server>isp-resolver: NXDOMAIN");
  CHECK(labels[5] == "isp-resolver>shiroyagi-pc: NXDOMAIN");
}

TEST_CASE("sequence: several records are counted; an empty answer and an A record", "[gui][sequence]") {
  const auto r = run("mail/backup-mx.json");
  const gui::TraceModel model(r.scenario, r.trace);
  const auto labels = dns_labels(gui::build_sequence(model), strings("en"));
  REQUIRE(labels.size() >= 4);
  CHECK(labels[0].find(": MX? hogehoge.com") != std::string::npos);
  CHECK(labels[1].find(": MX 10 mx1.hogehoge.com +1") != std::string::npos);
  CHECK(labels[2].find(": A? mx1.hogehoge.com") != std::string::npos);
  CHECK(labels[3].find(": A 203.0.113.25") != std::string::npos);

  gui::SeqArrow nodata;
  nodata.label = "MX";
  nodata.label_key = "seq.dns_nodata";
  CHECK(gui::arrow_label(nodata, strings("en")) == "no MX record");
  CHECK(gui::arrow_label(nodata, strings("ja")) == "MXレコードなし");
}

TEST_CASE("lane header: breaks between words or after a dot, never inside a word", "[gui][sequence]") {
  // Fits on one line: as it is.
  auto h = gui::fit_lane_header("ISP resolver", 20.0f, 2, 0.8f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"ISP resolver"});
  CHECK(h.scale == 1.0f);
  CHECK_FALSE(h.cut);
  // Between words, the dot of a host name keeping the name readable.
  h = gui::fit_lane_header("hogehoge.com name server", 13.0f, 2, 0.8f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"hogehoge.com", "name server"});
  CHECK_FALSE(h.cut);
  // After a dot (the dot stays at the end of the line).
  h = gui::fit_lane_header("mx1.hogehoge.com", 11.0f, 2, 0.8f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"mx1.", "hogehoge.com"});
  CHECK(h.scale == Approx(0.9f));  // "hogehoge.com" is 12 wide: 10.8 at 90%
  // Latin lines are balanced: the domain stays whole rather than leaving "com" alone.
  h = gui::fit_lane_header("mail.example.com", 13.0f, 2, 0.8f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"mail.", "example.com"});
  CHECK(h.scale == 1.0f);
  // Japanese: between characters, not inside a katakana word.
  const auto ja = [](std::string_view t) {
    float w = 0.0f;
    for (const char c : t) w += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0.0f : 1.0f;
    return w;
  };
  h = gui::fit_lane_header("hogehoge.comのネームサーバー", 12.0f, 2, 0.8f, ja);
  CHECK(h.lines == std::vector<std::string>{"hogehoge.com", "のネームサーバー"});
  h = gui::fit_lane_header("しろやぎさんのPC", 7.5f, 2, 1.0f, ja);  // greedy, not balanced
  CHECK(h.lines == std::vector<std::string>{"しろやぎさんの", "PC"});
  h = gui::fit_lane_header("プロバイダのDNSリゾルバー", 9.0f, 2, 1.0f, ja);
  CHECK(h.lines == std::vector<std::string>{"プロバイダのDNS", "リゾルバー"});
  h = gui::fit_lane_header("ルートサーバー", 4.0f, 2, 1.0f, ja);
  CHECK(h.cut);
  CHECK(h.lines == std::vector<std::string>{"ルート…"});
}

TEST_CASE("lane header: shrinks to the smallest size, then cuts with an ellipsis", "[gui][sequence]") {
  // Two lines at 100% or 90% are not enough ("hogehoge." / "com name" / "server"), at 80% they are.
  auto h = gui::fit_lane_header("hogehoge.com name server", 10.0f, 2, 0.8f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"hogehoge.com", "name server"});
  CHECK(h.scale == Approx(0.8f));  // 12 and 11 wide: 9.6 and 8.8 at 80%
  CHECK_FALSE(h.cut);
  // A word wider than the lane even at 80%: cut, never split.
  h = gui::fit_lane_header("verylongwordname", 8.0f, 2, 0.8f, bytes_wide);
  REQUIRE(h.lines.size() == 1);
  CHECK(h.cut);
  CHECK(h.scale == Approx(0.8f));
  CHECK(h.lines[0] == "verylon\u2026");  // 7 + 3 bytes = 10 wide, 8 at 80%
  // No dot before the ellipsis.
  h = gui::fit_lane_header("mail.example.com", 10.0f, 2, 1.0f, bytes_wide);
  CHECK(h.lines == std::vector<std::string>{"mail.", "example\u2026"});
  // Too many lines: the last one shown holds the rest, cut.
  h = gui::fit_lane_header("a b c d e f", 1.0f, 2, 1.0f, bytes_wide);
  CHECK(h.cut);
  REQUIRE(h.lines.size() == 2);
  CHECK(h.lines[0] == "a");
  CHECK(h.lines[1].find("\u2026") != std::string::npos);
  // Nothing to show.
  CHECK(gui::fit_lane_header("", 10.0f, 2, 0.8f, bytes_wide).lines.empty());
  CHECK(gui::fit_lane_header("   ", 10.0f, 2, 0.8f, bytes_wide).lines.empty());
  CHECK(gui::fit_lane_header(" ab cd ", 2.0f, 2, 1.0f, bytes_wide).lines == std::vector<std::string>{"ab", "cd"});
}
