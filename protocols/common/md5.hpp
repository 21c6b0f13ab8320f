// MD5 message digest (RFC 1321), used by POP3 APOP; not for any new security purpose.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailsim::proto {

// Incremental MD5: call update() any number of times, then finish() once.
class Md5 {
 public:
  using Digest = std::array<std::uint8_t, 16>;

  Md5();
  void update(std::string_view bytes);
  // Pads, processes the last block and returns the digest; the object is spent afterwards.
  Digest finish();

 private:
  void process_block(const std::uint8_t* block);

  std::array<std::uint32_t, 4> state_;
  std::array<std::uint8_t, 64> pending_{};
  std::size_t pending_len_ = 0;
  std::uint64_t total_len_ = 0;  // in bytes
  bool finished_ = false;
};

// One-shot digest of `bytes`.
Md5::Digest md5(std::string_view bytes);

// One-shot digest as 32 lower-case hex digits (the form APOP sends).
std::string md5_hex(std::string_view bytes);

}  // namespace mailsim::proto
