// The CLI's own pieces: report phrases in both languages, the lesson library and name lookup.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "cli/lessons.hpp"
#include "cli/report_strings.hpp"

using namespace mailsim::cli;

namespace {
const std::string kLessons = std::string(MAILSIM_SOURCE_DIR) + "/scenarios";
}

TEST_CASE("report strings: en and ja have the same keys, none empty") {
  const auto en = report_string_keys("en");
  const auto ja = report_string_keys("ja");
  CHECK(en == ja);
  CHECK(en.size() >= 15);
  for (const auto& k : en) {
    CAPTURE(k);
    CHECK_FALSE(report_string(k, "en").empty());
    CHECK_FALSE(report_string(k, "ja").empty());
    CHECK(report_string(k, "en") != report_string(k, "ja"));
  }
  CHECK(report_string("story", "ja") == "ストーリー");
  CHECK(report_string("story", "fr") == "The story");
  CHECK(report_string("no.such.key", "en") == "no.such.key");
}

TEST_CASE("report strings: placeholders agree between the languages") {
  for (const auto& k : report_string_keys("en")) {
    CAPTURE(k);
    // Formatting with the same arguments works in both languages and uses every argument.
    const auto en = fmt::format(fmt::runtime(report_string(k, "en")), "ARG0", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "ARG7",
                              "ARG8", "ARG9");
    const auto ja = fmt::format(fmt::runtime(report_string(k, "ja")), "ARG0", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "ARG7",
                              "ARG8", "ARG9");
    for (const char* a : {"ARG0", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "ARG7", "ARG8", "ARG9"})
      CHECK((en.find(a) == std::string::npos) == (ja.find(a) == std::string::npos));
  }
}

TEST_CASE("report language: --lang values and the locale default") {
  CHECK(valid_lang("en"));
  CHECK(valid_lang("ja"));
  CHECK_FALSE(valid_lang("fr"));
  ::setenv("LC_ALL", "", 1);
  ::setenv("LANG", "ja_JP.UTF-8", 1);
  CHECK(default_lang() == "ja");
  ::setenv("LC_ALL", "C", 1);
  CHECK(default_lang() == "en");
  ::unsetenv("LC_ALL");
  ::setenv("LANG", "en_US.UTF-8", 1);
  CHECK(default_lang() == "en");
}

TEST_CASE("lessons: the library lists every lesson with its group and title") {
  const auto lessons = list_lessons(kLessons);
  REQUIRE(lessons.size() >= 20);
  bool found = false;
  for (const auto& l : lessons) {
    CHECK(l.name.find("schema") == std::string::npos);
    if (l.name != "op25b-submission") continue;
    found = true;
    CHECK(l.group == "mail");
    CHECK(l.title.en == "OP25B: port 25 is blocked, port 587 with SMTP AUTH gets through");
    CHECK(l.title.ja == "OP25B：25番ポートは遮断、587番＋SMTP認証なら届く");
  }
  CHECK(found);
  CHECK(list_lessons("/nonexistent").empty());
}

TEST_CASE("lessons: a name resolves by exact name, group/name or unique prefix") {
  std::string error;
  auto p = resolve_lesson("op25b-submission", kLessons, error);
  REQUIRE(p);
  CHECK(p->filename() == "op25b-submission.json");
  p = resolve_lesson("mail/user-unknown", kLessons, error);
  REQUIRE(p);
  CHECK(p->filename() == "user-unknown.json");
  p = resolve_lesson("whole", kLessons, error);
  REQUIRE(p);
  CHECK(p->filename() == "whole-journey.json");
  // A file that exists is used as it is; a .json name is a file even when missing.
  p = resolve_lesson(kLessons + "/dns/delegation.json", kLessons, error);
  REQUIRE(p);
  CHECK(p->string() == kLessons + "/dns/delegation.json");
  p = resolve_lesson("missing.json", kLessons, error);
  REQUIRE(p);
  CHECK(p->string() == "missing.json");
}

TEST_CASE("lessons: unknown and ambiguous names are explained") {
  std::string error;
  CHECK_FALSE(resolve_lesson("whole-journy", kLessons, error));
  CHECK(error == "no lesson named \"whole-journy\" (did you mean \"whole-journey\"?); 'mailsim list' shows them all");
  CHECK_FALSE(resolve_lesson("pop3", kLessons, error));
  CHECK(error == "\"pop3\" matches several lessons: pop3-download-and-delete pop3-leave-on-server (type more of the name)");
  // The issue's own example: "op25b" names the OP25B lesson from any directory.
  const auto op25b = resolve_lesson("op25b", kLessons, error);
  REQUIRE(op25b);
  CHECK(op25b->filename() == "op25b-submission.json");
}
