// MD5: the RFC 1321 appendix A.5 test suite, block-boundary lengths and incremental updates.
#include <catch2/catch.hpp>

#include "protocols/common/md5.hpp"

using mailsim::proto::Md5;
using mailsim::proto::md5_hex;

TEST_CASE("MD5 matches the RFC 1321 test suite") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  std::string digits;
  for (int i = 0; i < 8; ++i) digits += "1234567890";
  CHECK(md5_hex(digits) == "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5 of the RFC 1939 APOP example") {
  CHECK(md5_hex("<1896.697170952@dbc.mtview.ca.us>tanstaaf") == "c4c9334bac560ecc979e58001b3e22fb");
}

TEST_CASE("MD5 padding around the 56- and 64-byte boundaries") {
  // Lengths 55, 56, 63, 64 and 65 exercise one- and two-block padding.
  CHECK(md5_hex(std::string(55, 'a')) == "ef1772b6dff9a122358552954ad0df65");
  CHECK(md5_hex(std::string(56, 'a')) == "3b0c8ac703f828b04c6c197006d17218");
  CHECK(md5_hex(std::string(63, 'a')) == "b06521f39153d618550606be297466d5");
  CHECK(md5_hex(std::string(64, 'a')) == "014842d480b571495a4a0363793f7367");
  CHECK(md5_hex(std::string(65, 'a')) == "c743a45e0d2e6a95cb859adae0248435");
}

TEST_CASE("MD5 gives the same digest for any split of the input") {
  const std::string text = "The quick brown fox jumps over the lazy dog, again and again and again and again.";
  const std::string whole = md5_hex(text);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    Md5 h;
    h.update(text.substr(0, cut));
    h.update(text.substr(cut));
    const auto d = h.finish();
    CHECK(d == mailsim::proto::md5(text));
  }
  Md5 bytewise;
  for (const char c : text) bytewise.update(std::string_view(&c, 1));
  CHECK(bytewise.finish() == mailsim::proto::md5(text));
  CHECK(whole == "b227d28a2da999a5455da5373a4304ec");
}
