// DNS over TCP: the 2-octet length prefix, bounded stream reading.
#include "protocols/dns/tcp.hpp"

#include <cassert>

#include "protocols/dns/message.hpp"

namespace mailsim::dns {

std::string frame_tcp(std::string_view message) {
  assert(message.size() <= kMaxMessageSize && "a DNS message is at most 65535 octets");
  std::string out;
  out.reserve(message.size() + 2);
  out += static_cast<char>((message.size() >> 8) & 0xFF);
  out += static_cast<char>(message.size() & 0xFF);
  out.append(message);
  return out;
}

bool TcpMessageReader::feed(std::string_view bytes) {
  if (failed()) return false;
  if (pos_ > 0) {  // drop what was read before growing the buffer
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (buf_.size() + bytes.size() > kMaxTcpBuffered) {
    error_ = "more than " + std::to_string(kMaxTcpBuffered) + " octets sent without waiting for answers";
    buf_.clear();
    return false;
  }
  buf_.append(bytes);
  return true;
}

std::optional<std::string> TcpMessageReader::next() {
  if (failed() || buffered() < 2) return std::nullopt;
  const std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(buf_[pos_])) << 8) |
                          static_cast<unsigned char>(buf_[pos_ + 1]);
  if (len < kHeaderSize) {
    error_ = "a TCP frame of " + std::to_string(len) + " octets is shorter than a DNS header";
    buf_.clear();
    pos_ = 0;
    return std::nullopt;
  }
  if (buffered() < 2 + len) return std::nullopt;
  std::string message = buf_.substr(pos_ + 2, len);
  pos_ += 2 + len;
  return message;
}

}  // namespace mailsim::dns
