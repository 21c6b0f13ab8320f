// Bounded CRLF line framing shared by the text protocol engines.
#include "protocols/common/line_reader.hpp"

namespace mailsim::proto {

void LineReader::compact() {
  if (pos_ > 4096 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
}

LineReader::Result LineReader::next_line() {
  for (;;) {
    const std::size_t lf = buffer_.find('\n', pos_);
    if (discarding_) {
      if (lf == std::string::npos) {
        buffer_.clear();
        pos_ = 0;
        return {Status::NeedMore, {}};
      }
      pos_ = lf + 1;
      discarding_ = false;
      compact();
      continue;
    }
    if (lf == std::string::npos) {
      if (buffered() > max_line_ + 2) {
        // Over the limit with no end in sight: drop what we have and skip to the next LF.
        discarding_ = true;
        buffer_.clear();
        pos_ = 0;
        return {Status::Overlong, {}};
      }
      return {Status::NeedMore, {}};
    }
    std::size_t end = lf;
    last_crlf_ = end > pos_ && buffer_[end - 1] == '\r';
    if (last_crlf_) --end;
    if (end - pos_ > max_line_) {
      pos_ = lf + 1;
      compact();
      return {Status::Overlong, {}};
    }
    Result r{Status::Line, buffer_.substr(pos_, end - pos_)};
    pos_ = lf + 1;
    compact();
    return r;
  }
}

std::optional<std::string> LineReader::take_bytes(std::size_t n) {
  if (buffered() < n) return std::nullopt;
  std::string out = buffer_.substr(pos_, n);
  pos_ += n;
  compact();
  return out;
}

}  // namespace mailsim::proto
