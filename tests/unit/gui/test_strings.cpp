// String tables: en and ja have the same keys, and every key the GUI code asks for exists.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "gui/model/strings.hpp"
#include "table_keys.hpp"

using mailsim::gui::StringTable;

namespace {
const std::filesystem::path kSource = MAILSIM_SOURCE_DIR;

StringTable load(const char* lang) {
  StringTable t;
  std::string error;
  REQUIRE(t.load_file(kSource / "assets" / "i18n" / (std::string(lang) + ".json"), error));
  return t;
}
}  // namespace

TEST_CASE("i18n: en and ja have exactly the same keys, none empty", "[gui][i18n]") {
  const auto en = load("en");
  const auto ja = load("ja");
  const auto a = mailsim::gui::testing::non_empty_keys(en);
  const auto b = mailsim::gui::testing::non_empty_keys(ja);
  for (const auto& k : a) CHECK(b.count(k) == 1);
  for (const auto& k : b) CHECK(a.count(k) == 1);
  CHECK(a.size() > 50);
}

TEST_CASE("i18n: every literal key used by the GUI code is in the tables", "[gui][i18n]") {
  const auto en = load("en");
  const std::regex call(R"re(tr\("([a-z_]+\.[a-z_.]+)"\))re");
  int found = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource / "gui")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), call), end; it != end; ++it) {
      INFO(entry.path().string());
      CHECK(en.has((*it)[1].str()));
      ++found;
    }
  }
  CHECK(found > 30);
}

TEST_CASE("i18n: a missing key shows itself; bad tables are refused", "[gui][i18n]") {
  StringTable t;
  std::string error;
  REQUIRE(t.load_text(R"({"a.b": "text"})", error));
  CHECK(t.get("a.b") == "text");
  CHECK(t.get("no.such") == "no.such");
  CHECK_FALSE(t.load_text(R"({"a": 1})", error));
  CHECK(error == "value of \"a\" is not a string");
  CHECK_FALSE(t.load_text("[", error));
  CHECK_FALSE(t.load_file("/nonexistent/x.json", error));
  CHECK(error == "cannot open /nonexistent/x.json");
}

TEST_CASE("assets: found from the source tree and from an executable below it", "[gui][i18n]") {
  const auto from_source = mailsim::gui::find_assets_dir({}, MAILSIM_SOURCE_DIR);
  CHECK(std::filesystem::exists(from_source / "i18n" / "ja.json"));
  const auto from_exe = mailsim::gui::find_assets_dir(kSource / "gui" / "mailsim-gui", "");
  CHECK(std::filesystem::equivalent(from_exe, from_source));
  CHECK(mailsim::gui::find_assets_dir("/nonexistent/bin/app", "").empty());
}

TEST_CASE("strings: times on the clock in Japanese use 時間/分/秒, never h/m/s", "[gui][strings]") {
  using mailsim::gui::clock_text;
  constexpr std::int64_t kSecond = 1000000;
  CHECK(clock_text(false, 59 * 60 * kSecond + 390000) == "59m 00.390s");
  CHECK(clock_text(true, 59 * 60 * kSecond + 390000) == "59分00.390秒");
  CHECK(clock_text(true, 3723 * kSecond + 456000) == "1時間02分03.456秒");
  CHECK(clock_text(true, 1500000) == "1.500秒");
}

TEST_CASE("strings: a store's refusal reason in Japanese, worded with describe's templates", "[gui][strings]") {
  using mailsim::gui::reason_words;
  const std::string full = "mailbox full (0 + 3381 octets > quota 2048)";
  CHECK(reason_words(full, false) == full);  // English: the simulator's own words
  const std::string ja = reason_words(full, true);
  CHECK(ja.find("mailbox") == std::string::npos);
  CHECK(ja.find("3381") != std::string::npos);
  CHECK(reason_words("message too large (9000 octets, limit 4096)", true).find("too large") == std::string::npos);
  CHECK(reason_words("no such user", true) == "そのユーザーはいません");
  // A peer in front stays; a reason without a template stays as it is.
  CHECK(reason_words("mx1.hogehoge.com: no such user", true) == "mx1.hogehoge.com：そのユーザーはいません");
  CHECK(reason_words("451 4.3.0 try later", true) == "451 4.3.0 try later");
}
