// LineReader: any split of the input gives the same lines; overlong lines are bounded.
#include <catch2/catch.hpp>

#include "protocols/common/line_reader.hpp"

using mailsim::proto::LineReader;

namespace {
std::vector<std::string> drain(LineReader& r) {
  std::vector<std::string> out;
  for (;;) {
    auto res = r.next_line();
    if (res.status == LineReader::Status::NeedMore) break;
    out.push_back(res.status == LineReader::Status::Line ? res.line : std::string("<overlong>"));
  }
  return out;
}
}  // namespace

TEST_CASE("LineReader gives the same lines for every split point") {
  const std::string input = "EHLO a\r\nMAIL FROM:<x@y>\r\n\r\nQUIT\r\n";
  const std::vector<std::string> expected{"EHLO a", "MAIL FROM:<x@y>", "", "QUIT"};
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    LineReader r(512);
    r.feed(input.substr(0, cut));
    auto got = drain(r);
    r.feed(input.substr(cut));
    auto rest = drain(r);
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(got == expected);
  }
  LineReader one(512);
  std::vector<std::string> got;
  for (char c : input) {
    one.feed(std::string(1, c));
    auto part = drain(one);
    got.insert(got.end(), part.begin(), part.end());
  }
  CHECK(got == expected);
}

TEST_CASE("LineReader reports an overlong line once and recovers") {
  LineReader r(10);
  r.feed(std::string(5000, 'x'));
  auto first = r.next_line();
  CHECK(first.status == LineReader::Status::Overlong);
  CHECK(r.buffered() == 0);  // nothing kept from the overlong line
  r.feed(std::string(5000, 'y'));
  CHECK(r.next_line().status == LineReader::Status::NeedMore);
  CHECK(r.buffered() == 0);
  r.feed("zz\r\nok\r\n");
  auto next = r.next_line();
  REQUIRE(next.status == LineReader::Status::Line);
  CHECK(next.line == "ok");
}

TEST_CASE("LineReader marks bare LF endings and hands out literal bytes") {
  LineReader r(100);
  r.feed("a\nb\r\n{5}\r\nhello world\r\n");
  auto a = r.next_line();
  CHECK(a.line == "a");
  CHECK_FALSE(r.last_line_had_crlf());
  auto b = r.next_line();
  CHECK(b.line == "b");
  CHECK(r.last_line_had_crlf());
  CHECK(r.next_line().line == "{5}");
  CHECK(r.take_bytes(5) == std::string("hello"));
  CHECK_FALSE(r.take_bytes(100));
  CHECK(r.next_line().line == " world");
}
