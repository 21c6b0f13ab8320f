// Fuzz target: the message codec's parsers (MIME tree, headers, addresses, encoded words, DSN).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/message/date.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

namespace {

// Checks the documented guarantees of parse_mime on every entity of the tree.
void check_entity(const mailsim::message::MimeEntity& e, std::size_t size, std::size_t depth) {
  if (depth > mailsim::message::kMaxMimeDepth) std::abort();
  if (e.header_offset > e.body_offset || e.body_offset + e.body_size > size) std::abort();
  if (e.type == "multipart" && e.parts.empty()) std::abort();
  if (e.type == "message" && e.subtype == "rfc822" && e.encapsulated.size() != 1) std::abort();
  for (const auto& p : e.parts) {
    if (p.header_offset < e.body_offset || p.body_offset + p.body_size > e.body_offset + e.body_size) std::abort();
    check_entity(p, size, depth + 1);
  }
  for (const auto& p : e.encapsulated) check_entity(p, size, depth + 1);
}

// What a header parser does to a folded value: CRLF before WSP removed, leading WSP trimmed.
std::string unfold(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 2 < s.size() && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
      ++i;
      continue;
    }
    out += s[i];
  }
  return out.substr(std::min(out.size(), out.find_first_not_of(" \t")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailsim::message;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);

  const MimeEntity root = parse_mime(raw);
  check_entity(root, size, 1);

  const auto fields = parse_header_section(raw);
  if (fields.size() > kMaxHeaderFields) std::abort();
  if (header_section_size(raw) > size) std::abort();
  for (const auto& f : fields) {
    if (f.value.size() > kMaxHeaderFieldSize) std::abort();
    const auto list = parse_address_list(f.value);
    if (list.size() > kMaxAddresses) std::abort();
    for (const auto& m : list) (void)m.address();
    const std::string decoded = decode_encoded_words(f.value);
    // Whatever was decoded must encode and decode back to itself.
    if (unfold(decode_encoded_words(unfold(encode_header_text(decoded, f.name.size() + 2)))) != unfold(decoded))
      std::abort();
    (void)parse_date(f.value);
    (void)parse_received(f.value);
  }
  // The whole input as one header value, too.
  (void)parse_addresses(raw);
  (void)decode_encoded_words(raw);
  (void)parse_dsn(raw);
  (void)parse_received_chain(raw);
  return 0;
}
