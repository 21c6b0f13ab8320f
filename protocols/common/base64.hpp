// Base64 (RFC 4648 section 4): strict encoding and decoding for SASL and MIME.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::proto {

// Encodes bytes with the standard alphabet and '=' padding.
std::string base64_encode(std::string_view bytes);

// Strict decode: only the standard alphabet, correct padding, length a multiple of 4,
// no whitespace. Returns nullopt on any violation (RFC 4954 requires rejecting such input).
std::optional<std::string> base64_decode(std::string_view text);

// Lenient decode for MIME bodies: ignores CR, LF, spaces and tabs, then decodes strictly.
std::optional<std::string> base64_decode_mime(std::string_view text);

}  // namespace mailsim::proto
