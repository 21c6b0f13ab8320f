// A bounds-checked reader over a byte buffer whose first error sticks (for wire codecs).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailsim::proto {

// Every read checks the remaining length; the first failure is remembered with a message,
// and every later read returns zero values, so a decoder can read a whole structure and
// check `ok()` once at the end without ever reading past the buffer.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return ok() ? data_.size() - pos_ : 0; }
  std::string_view whole() const { return data_; }

  void fail(std::string message) {
    if (ok()) error_ = std::move(message) + " at offset " + std::to_string(pos_);
  }

  std::uint8_t u8() {
    if (!need(1, "u8")) return 0;
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  std::uint16_t u16() {
    if (!need(2, "u16")) return 0;
    const auto hi = static_cast<std::uint8_t>(data_[pos_]);
    const auto lo = static_cast<std::uint8_t>(data_[pos_ + 1]);
    pos_ += 2;
    return static_cast<std::uint16_t>((hi << 8) | lo);
  }
  std::uint32_t u32() {
    const std::uint32_t hi = u16();
    const std::uint32_t lo = u16();
    return (hi << 16) | lo;
  }
  std::string_view bytes(std::size_t n) {
    if (!need(n, "bytes")) return {};
    auto v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // Moves to an absolute offset inside the buffer (used to follow DNS pointers).
  void seek(std::size_t offset) {
    if (!ok()) return;
    if (offset > data_.size()) {
      fail("seek past end");
      return;
    }
    pos_ = offset;
  }

 private:
  bool need(std::size_t n, const char* what) {
    if (!ok()) return false;
    if (data_.size() - pos_ < n) {
      fail(std::string("truncated: needed ") + std::to_string(n) + " byte(s) for " + what + ", " +
           std::to_string(data_.size() - pos_) + " left");
      return false;
    }
    return true;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  std::string error_;
};

// Big-endian writers for encoders.
inline void put_u8(std::string& out, std::uint8_t v) { out += static_cast<char>(v); }
inline void put_u16(std::string& out, std::uint16_t v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
inline void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, static_cast<std::uint16_t>(v >> 16));
  put_u16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

}  // namespace mailsim::proto
