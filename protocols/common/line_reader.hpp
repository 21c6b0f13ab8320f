// Bounded CRLF line framing for text protocols (SMTP, POP3, IMAP), fed any split of bytes.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::proto {

// Collects bytes and hands out complete lines (without their CRLF). A line longer than
// the limit is never buffered whole: the reader reports `overlong` once, discards the rest
// of that line up to its LF, and then resumes normally. Bare LF ends a line too (lenient,
// as most servers are); `last_line_had_crlf()` tells which ending the last line had.
// For IMAP literals the reader can also hand out an exact byte count (`take_bytes`).
class LineReader {
 public:
  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }

  enum class Status { Line, NeedMore, Overlong };
  struct Result {
    Status status;
    std::string line;  // valid when status == Line
  };

  // Returns the next line, NeedMore, or Overlong (once per overlong line).
  Result next_line();

  // Takes exactly n raw bytes if available (for literals); nullopt when fewer are buffered.
  std::optional<std::string> take_bytes(std::size_t n);

  // Raw bytes buffered but not yet consumed.
  std::size_t buffered() const { return buffer_.size() - pos_; }
  std::string_view pending() const { return std::string_view(buffer_).substr(pos_); }
  bool last_line_had_crlf() const { return last_crlf_; }
  std::size_t max_line() const { return max_line_; }
  void set_max_line(std::size_t n) { max_line_ = n; }
  void clear() { buffer_.clear(); pos_ = 0; discarding_ = false; }

 private:
  void compact();

  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t max_line_;
  bool discarding_ = false;
  bool last_crlf_ = true;
};

}  // namespace mailsim::proto
