// JsonSource: every value's line and column, and clear syntax errors.
#include <catch2/catch.hpp>

#include "sim/scenario/json_source.hpp"

using namespace mailsim::sim;

TEST_CASE("json source records the location of keys and array elements") {
  const std::string text =
      "{\n"
      "  \"hosts\": [\n"
      "    {\"id\": \"pc\", \"ip\": \"192.0.2.1\"},\n"
      "    {\"id\": \"mx\",\n"
      "     \"port\": 25}\n"
      "  ],\n"
      "  \"seed\": 7, \"list\": [1, \"two\", true]\n"
      "}\n";
  JsonSyntaxError err;
  auto src = parse_json_source(text, "x.json", err);
  REQUIRE(src);
  CHECK(src->root["hosts"][1]["port"] == 25);
  auto at = [&](const std::string& p) {
    auto l = src->locate(p);
    return std::to_string(l.line) + ":" + std::to_string(l.column);
  };
  CHECK(at("/hosts") == "2:3");
  CHECK(at("/hosts/0") == "3:5");
  CHECK(at("/hosts/0/ip") == "3:18");
  CHECK(at("/hosts/1/port") == "5:6");
  CHECK(at("/seed") == "7:3");
  CHECK(at("/list/0") == "7:23");
  CHECK(at("/list/1") == "7:26");
  CHECK(at("/list/2") == "7:33");
  CHECK(at("/hosts/1/missing") == "4:5");  // falls back to the nearest ancestor
}

TEST_CASE("json source reports syntax errors with line and column") {
  JsonSyntaxError err;
  CHECK_FALSE(parse_json_source("{\n  \"a\": 1,\n  \"b\" 2\n}", "x.json", err));
  CHECK(err.where.line == 3);
  CHECK(err.where.column == 7);
  CHECK(err.message.find("invalid JSON") == 0);

  CHECK_FALSE(parse_json_source("{\"a\": 1, \"a\": 2}", "x.json", err));
  CHECK(err.message.find("duplicate key \"a\"") == 0);
  CHECK(err.where.column == 10);

  CHECK_FALSE(parse_json_source("", "x.json", err));
  CHECK_FALSE(parse_json_source("[1, 2", "x.json", err));
  CHECK(err.where.line == 1);
}

TEST_CASE("json source refuses nesting deeper than the limit, where it goes too deep") {
  JsonSyntaxError err;
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(parse_json_source(ok, "x.json", err));
  CHECK_FALSE(parse_json_source("\n  " + std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'),
                                "x.json", err));
  CHECK(err.where.line == 2);
  CHECK(err.where.column == static_cast<int>(kMaxJsonDepth) + 3);
  CHECK(err.message == "arrays and objects nested deeper than 128 levels (a scenario needs fewer than 10)");
}

TEST_CASE("json source locates escaped keys, members of large objects and elements of nested arrays") {
  const std::string text =
      "{\"z\": 1,\n"
      " \"a/b\": {\"m~n\": [[0, 1], [2, {\"k\": 3}]]},\n"
      " \"b\": 2}\n";
  JsonSyntaxError err;
  auto src = parse_json_source(text, "x.json", err);
  REQUIRE(src);
  auto at = [&](const std::string& p) {
    auto l = src->locate(p);
    return std::to_string(l.line) + ":" + std::to_string(l.column);
  };
  CHECK(at("/z") == "1:2");
  CHECK(at("/b") == "3:2");
  CHECK(at("/a~1b") == "2:2");
  CHECK(at("/a~1b/m~0n") == "2:10");
  CHECK(at("/a~1b/m~0n/1") == "2:26");
  CHECK(at("/a~1b/m~0n/1/1/k") == "2:31");
  CHECK(at("/a~1b/m~0n/7") == "2:10");  // no such element: the array itself
  CHECK(at("/nope/1") == "1:1");
}

TEST_CASE("cut_text keeps short text and cuts long text at a character boundary") {
  CHECK(cut_text("kuroyagi") == "kuroyagi");
  CHECK(cut_text(std::string(100, 'x'), 10) == "xxxxxxxxxx... (100 bytes)");
  CHECK(cut_text("\xe3\x81\x82\xe3\x81\x84", 4) == "\xe3\x81\x82... (6 bytes)");
  CHECK(cut_text("a\nb") == "a?b");
}
