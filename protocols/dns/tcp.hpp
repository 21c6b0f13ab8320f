// DNS over TCP (RFC 1035 4.2.2, RFC 7766 section 8): messages framed by a 2-octet length.
//
// Implemented: the framing both ways, any split of the stream (one byte at a time), several
//   queries in one stream (RFC 7766 6.2.1, answered in the order the caller answers them),
//   a bound on what one stream may hold unread, and a clear error for frames that cannot be
//   a DNS message (shorter than the 12-octet header).
// Not implemented (the caller's): idle timeouts (RFC 7766 6.2.3), connection limits, TCP
//   Fast Open, DNS over TLS.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::dns {

// The most octets a stream may hold that the caller has not taken yet: two of the largest
// frames. A peer that sends more without waiting is cut off.
constexpr std::size_t kMaxTcpBuffered = 2 * (65535 + 2);

// "\x00\x1d" + message (the message must be at most 65535 octets).
std::string frame_tcp(std::string_view message);

// Cuts a byte stream into messages.
class TcpMessageReader {
 public:
  // Appends bytes; false (and error() set, for good) when the stream broke a rule.
  bool feed(std::string_view bytes);
  // The next whole message, or nullopt until more bytes come (or after an error).
  std::optional<std::string> next();
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes of a message begun but not finished (a peer that closes now left it unanswered).
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  std::size_t pos_ = 0;  // start of the first unread frame in buf_
  std::string error_;
};

}  // namespace mailsim::dns
