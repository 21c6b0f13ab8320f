// The lessons' teaching order: scenarios/curriculum.jsonc names every lesson once, in chapters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "sim/scenario/lessons.hpp"

namespace fs = std::filesystem;
using namespace mailsim::sim;

namespace {
const fs::path kDir = fs::path(MAILSIM_SOURCE_DIR) / "scenarios";
}

TEST_CASE("curriculum: every lesson is in exactly one chapter, and the list follows the teaching order") {
  const auto chapters = read_curriculum(kDir);
  REQUIRE(chapters.size() >= 3);
  std::multiset<std::string> named;
  for (const auto& c : chapters) {
    CHECK_FALSE(c.title.en.empty());
    CHECK_FALSE(c.title.ja.empty());
    CHECK_FALSE(c.lessons.empty());
    named.insert(c.lessons.begin(), c.lessons.end());
  }
  const auto lessons = list_lessons(kDir);
  REQUIRE_FALSE(lessons.empty());
  for (const auto& l : lessons) {
    const std::string full = l.group + "/" + l.name;
    INFO(full);
    CHECK(named.count(full) == 1);  // a new lesson must be given its place
    CHECK(l.chapter_index >= 0);
  }
  CHECK(named.size() == lessons.size());  // the curriculum names no missing file
  // The whole journey opens the course; orders and chapters never go backwards.
  CHECK(lessons.front().name == "whole-journey");
  for (std::size_t i = 1; i < lessons.size(); ++i) {
    CHECK(lessons[i - 1].order < lessons[i].order);
    CHECK(lessons[i - 1].chapter_index <= lessons[i].chapter_index);
  }
}

TEST_CASE("curriculum: without the file, lessons are listed by folder and name with no chapter") {
  const auto dir = fs::temp_directory_path() / "mailsim-curriculum-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "b");
  fs::create_directories(dir / "a");
  std::ofstream(dir / "b" / "one.json") << R"({"title": "One"})";
  std::ofstream(dir / "a" / "two.json") << R"({"title": "Two"})";
  auto lessons = list_lessons(dir);
  REQUIRE(lessons.size() == 2);
  CHECK(lessons[0].name == "two");
  CHECK(lessons[0].chapter_index == -1);
  // With a curriculum, its order wins and unnamed lessons come last; the file itself is no lesson.
  std::ofstream(dir / "curriculum.jsonc")
      << R"({"chapters": [{"title": {"en": "First", "ja": "最初"}, "lessons": ["b/one"]}]})";
  lessons = list_lessons(dir);
  REQUIRE(lessons.size() == 2);
  CHECK(lessons[0].name == "one");
  CHECK(lessons[0].chapter.ja == "最初");
  CHECK(lessons[1].name == "two");
  CHECK(lessons[1].order == -1);
  fs::remove_all(dir);
}
