// The text and JSON reports of a run: expectations and the story's records in the chosen language.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "cli/report.hpp"
#include "sim/scenario/runner.hpp"

using namespace mailsim;
using Json = nlohmann::json;

namespace {

sim::Scenario load(const std::string& rel) {
  auto r = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/" + rel);
  for (const auto& d : r.diagnostics) INFO(d.format());
  REQUIRE(r.scenario);
  return *r.scenario;
}

std::string text_report(const sim::Scenario& s, const sim::RunResult& r, const std::string& lang, bool verbose = false) {
  std::ostringstream out;
  cli::ReportOptions o;
  o.lang = lang;
  o.verbose = verbose;
  cli::print_text_report(out, s, r, o);
  return out.str();
}

bool has(const std::string& text, const std::string& part) {
  INFO("looking for: " << part);
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("report: a Japanese report words expectations, failures and records in Japanese") {
  sim::Scenario s = load("mail/user-unknown.json");
  // One expectation that holds, two that fail: the report says what happened instead.
  s.expectations.push_back({"delivered", Json{{"to", "kuroyagi@hogehoge.com"}, {"subject", "Nope"}}, "/expectations/9"});
  s.expectations.push_back({"send_failed", Json{{"from", "shiroyagi-pc"}, {"error", "timed out"}}, "/expectations/10"});
  const auto run = sim::run_scenario(s);
  REQUIRE(run.expectations.size() >= 3);

  const std::string ja = text_report(s, run, "ja");
  CHECK(has(ja, "  成功  shiroyagi@example.com が出した kurooyagi@hogehoge.com 宛てのメールが、5.1.1（宛先のユーザーが存在しない）で "
                "MAILER-DAEMON から差出人に返送される\n"));
  CHECK(has(ja, "  失敗  「Nope」が kuroyagi@hogehoge.com の受信箱（INBOX）に配達される\n"
                "        配達も、配達の失敗も、一度も起きませんでした (/expectations/9)\n"));
  CHECK(has(ja, "  失敗  しろやぎさんのPC からの送信が「timed out」で失敗する\n"
                "        代わりに：mail.example.com が kurooyagi@hogehoge.com 宛ての「Hello from Shiroyagi」を受け付けました "
                "(/expectations/10)\n"));
  // The record under a story step.
  CHECK(has(ja, "      | mail.example.com が kurooyagi@hogehoge.com 宛ての「Hello from Shiroyagi」を送信待ちの列（キュー）に入れました"));
  CHECK_FALSE(has(ja, "nothing of the kind happened"));
  CHECK_FALSE(has(ja, " queued \""));

  // --verbose lists every record in Japanese too, protocol lines as they are.
  const std::string verbose = text_report(s, run, "ja", true);
  CHECK(has(verbose, "リゾルバーに問い合わせます：MX? hogehoge.com"));
  CHECK(has(verbose, "C: RCPT TO:<kurooyagi@hogehoge.com>"));

  // English expectations stay exactly as the checker wrote them; records name hosts by display name.
  const std::string en = text_report(s, run, "en");
  CHECK(has(en, "  FAIL  a message \"Nope\" is delivered to kuroyagi@hogehoge.com (INBOX)\n"
                "        nothing of the kind happened (/expectations/9)\n"));
  CHECK(has(en, "      | mail.example.com queued \"Hello from Shiroyagi\" for kurooyagi@hogehoge.com (queue id "));
}

TEST_CASE("report: the JSON report keeps the English texts and adds the structure and the Japanese") {
  sim::Scenario s = load("mail/user-unknown.json");
  s.expectations.push_back({"delivered", Json{{"to", "kuroyagi@hogehoge.com"}, {"subject", "Nope"}}, "/expectations/9"});
  const auto run = sim::run_scenario(s);
  const Json j = cli::json_report(s, run);
  const Json& failed = j.at("expectations").back();
  CHECK(failed.at("description") == "a message \"Nope\" is delivered to kuroyagi@hogehoge.com (INBOX)");
  CHECK(failed.at("actual") == "nothing of the kind happened");
  CHECK(failed.at("passed") == false);
  CHECK(failed.at("kind") == "delivered");
  CHECK(failed.at("params") == Json{{"to", "kuroyagi@hogehoge.com"}, {"folder", "INBOX"}, {"subject", "Nope"}});
  CHECK(failed.at("outcome") == "mail.none");
  CHECK(failed.at("records") == Json::array());
  CHECK(failed.at("ja").at("description") == "「Nope」が kuroyagi@hogehoge.com の受信箱（INBOX）に配達される");
  CHECK(failed.at("ja").at("actual") == "配達も、配達の失敗も、一度も起きませんでした");
  const Json& held = j.at("expectations").front();
  CHECK(held.at("outcome") == "evidence");
  REQUIRE(held.at("records").size() == 1);
  const auto seq = held.at("records").at(0).get<std::uint64_t>();
  CHECK(run.trace.records().at(seq).summary == held.at("actual").get<std::string>());
  CHECK(j.at("passed") == false);
}

TEST_CASE("report: a story step that never happens is named in the report's language") {
  auto loaded = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/tests/cli/data/narration-unreached.json");
  REQUIRE(loaded.scenario);
  const auto run = sim::run_scenario(*loaded.scenario);
  const std::string ja = text_report(*loaded.scenario, run, "ja");
  CHECK(has(ja, "ナレーションの手順 2 の場面が起きる：次の「protocol」の記録（プロトコル「smtp」、ホスト「mx-hogehoge」、要約に「999」を含む）"));
  CHECK_FALSE(has(ja, "the next"));
  const std::string en = text_report(*loaded.scenario, run, "en");
  CHECK(has(en, "the next protocol record with proto \"smtp\", host \"mx-hogehoge\", summary containing \"999\""));
}
