// Base64 against the RFC 4648 section 10 test vectors, plus strictness checks.
#include <catch2/catch.hpp>

#include "protocols/common/base64.hpp"

using mailsim::proto::base64_decode;
using mailsim::proto::base64_decode_mime;
using mailsim::proto::base64_encode;

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decodes the RFC 4648 test vectors") {
  CHECK(base64_decode("") == std::string(""));
  CHECK(base64_decode("Zg==") == std::string("f"));
  CHECK(base64_decode("Zm8=") == std::string("fo"));
  CHECK(base64_decode("Zm9v") == std::string("foo"));
  CHECK(base64_decode("Zm9vYg==") == std::string("foob"));
  CHECK(base64_decode("Zm9vYmE=") == std::string("fooba"));
  CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
}

TEST_CASE("base64 round-trips binary data including NUL") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(all)) == all);
  const std::string sasl("\0alice\0secret", 13);
  CHECK(base64_encode(sasl) == "AGFsaWNlAHNlY3JldA==");
  CHECK(base64_decode("AGFsaWNlAHNlY3JldA==") == sasl);
}

TEST_CASE("strict base64 rejects malformed input") {
  CHECK_FALSE(base64_decode("Zg="));        // length not a multiple of 4
  CHECK_FALSE(base64_decode("Z==="));       // too much padding
  CHECK_FALSE(base64_decode("Zg==Zg=="));   // padding before the end
  CHECK_FALSE(base64_decode("Zm9v YmFy"));  // whitespace
  CHECK_FALSE(base64_decode("Zm9*"));       // outside the alphabet
  CHECK_FALSE(base64_decode("Zh=="));       // non-canonical: bits set in the padding
  CHECK_FALSE(base64_decode("=Zm9"));
}

TEST_CASE("MIME base64 ignores line breaks") {
  CHECK(base64_decode_mime("Zm9v\r\nYmFy\r\n") == std::string("foobar"));
  CHECK_FALSE(base64_decode_mime("Zm9v\r\nYmF"));
}
