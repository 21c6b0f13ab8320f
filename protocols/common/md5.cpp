// MD5 message digest (RFC 1321 section 3): padding, length, four rounds of 16 operations.
#include "protocols/common/md5.hpp"

#include <cassert>

namespace mailsim::proto {
namespace {

// T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 section 3.4).
constexpr std::array<std::uint32_t, 64> kSine = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

// Left-rotation amounts, four per round.
constexpr std::array<unsigned, 16> kShift = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

constexpr std::uint32_t rotl(std::uint32_t x, unsigned n) { return (x << n) | (x >> (32u - n)); }

}  // namespace

Md5::Md5() : state_{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u} {}

void Md5::process_block(const std::uint8_t* block) {
  std::array<std::uint32_t, 16> x{};
  for (std::size_t i = 0; i < 16; ++i) {
    x[i] = static_cast<std::uint32_t>(block[4 * i]) | (static_cast<std::uint32_t>(block[4 * i + 1]) << 8) |
           (static_cast<std::uint32_t>(block[4 * i + 2]) << 16) |
           (static_cast<std::uint32_t>(block[4 * i + 3]) << 24);
  }
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  for (std::size_t i = 0; i < 64; ++i) {
    std::uint32_t f = 0;
    std::size_t k = 0;
    switch (i / 16) {
      case 0: f = (b & c) | (~b & d); k = i; break;
      case 1: f = (b & d) | (c & ~d); k = (5 * i + 1) % 16; break;
      case 2: f = b ^ c ^ d; k = (3 * i + 5) % 16; break;
      default: f = c ^ (b | ~d); k = (7 * i) % 16; break;
    }
    const std::uint32_t rotated = rotl(a + f + x[k] + kSine[i], kShift[(i / 16) * 4 + i % 4]);
    a = d;
    d = c;
    c = b;
    b = b + rotated;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
}

void Md5::update(std::string_view bytes) {
  assert(!finished_ && "Md5::update after finish");
  total_len_ += bytes.size();
  for (const char ch : bytes) {
    pending_[pending_len_++] = static_cast<std::uint8_t>(ch);
    if (pending_len_ == pending_.size()) {
      process_block(pending_.data());
      pending_len_ = 0;
    }
  }
}

Md5::Digest Md5::finish() {
  assert(!finished_ && "Md5::finish called twice");
  const std::uint64_t bit_len = total_len_ * 8u;
  // Append a single 1 bit, zeros up to 56 mod 64, then the length in bits (little-endian).
  std::string padding(1, static_cast<char>(0x80));
  const std::size_t used = (pending_len_ + 1) % 64;
  padding.append(used <= 56 ? 56 - used : 120 - used, '\0');
  for (unsigned i = 0; i < 8; ++i) padding += static_cast<char>((bit_len >> (8 * i)) & 0xFFu);
  const std::uint64_t saved_len = total_len_;
  update(padding);
  total_len_ = saved_len;
  assert(pending_len_ == 0);
  finished_ = true;
  Digest out{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>((state_[i] >> (8 * j)) & 0xFFu);
  }
  return out;
}

Md5::Digest md5(std::string_view bytes) {
  Md5 h;
  h.update(bytes);
  return h.finish();
}

std::string md5_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (const std::uint8_t b : md5(bytes)) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

}  // namespace mailsim::proto
