// Floating-point std::from_chars as sim/ uses it (times, shares, sizes): the standard's
// behaviour, checked natively against libstdc++ and in the web build against the shim that
// emscripten's libc++ needs (web/compat/from_chars_float.hpp), so both builds read alike.
#include <catch2/catch.hpp>

#include <charconv>
#include <string_view>
#include <system_error>

namespace {

struct Parsed {
  std::errc ec;
  std::size_t used;  // characters read
  double value;
};

Parsed parse(std::string_view s) {
  double v = -7.0;  // left alone on failure
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return {r.ec, static_cast<std::size_t>(r.ptr - s.data()), v};
}

}  // namespace

TEST_CASE("from_chars reads a decimal number and stops at the unit") {
  auto p = parse("1.5s");
  CHECK(p.ec == std::errc{});
  CHECK(p.used == 3);
  CHECK(p.value == 1.5);
  p = parse("250ms");
  CHECK(p.used == 3);
  CHECK(p.value == 250.0);
  p = parse("-0.25");
  CHECK(p.used == 5);
  CHECK(p.value == -0.25);
  p = parse(".5%");
  CHECK(p.used == 2);
  CHECK(p.value == 0.5);
  p = parse("5.x");
  CHECK(p.used == 2);
  CHECK(p.value == 5.0);
}

TEST_CASE("from_chars takes an exponent only when digits follow") {
  auto p = parse("2e3");
  CHECK(p.used == 3);
  CHECK(p.value == 2000.0);
  p = parse("2E-1");
  CHECK(p.value == 0.2);
  p = parse("2e");
  CHECK(p.used == 1);
  CHECK(p.value == 2.0);
  p = parse("2e+s");
  CHECK(p.used == 1);
}

TEST_CASE("from_chars refuses what is not a number and keeps the value") {
  for (const std::string_view bad : {"", "-", ".", "+1", " 1", "s", "-.e1"}) {
    INFO(bad);
    const auto p = parse(bad);
    CHECK(p.ec == std::errc::invalid_argument);
    CHECK(p.used == 0);
    CHECK(p.value == -7.0);
  }
  auto hex = parse("0x10");  // no hex prefix: the 0, then stop
  CHECK(hex.used == 1);
  CHECK(hex.value == 0.0);
  const auto big = parse("1e400");
  CHECK(big.ec == std::errc::result_out_of_range);
  CHECK(big.used == 5);
  CHECK(big.value == -7.0);
}

TEST_CASE("from_chars rounds to the nearest double as the native build does") {
  CHECK(parse("0.1").value == 0.1);
  CHECK(parse("2.675").value == 2.675);
  CHECK(parse("9007199254740993").value == 9007199254740992.0);  // ties to even
  CHECK(parse("1.7976931348623157e308").value == 1.7976931348623157e308);
}
