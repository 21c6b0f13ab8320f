// Internet message format, MIME structure and encoded words: pure parsing/encoding functions.
//
// Implements:
//   RFC 5322 2.1-2.2   lines, CRLF, header fields, folding/unfolding (bare LF accepted on input)
//   RFC 5322 3.2-3.4   lexical tokens, comments, quoted strings, mailbox/address lists, groups,
//                      obsolete route syntax and obs-phrase dots (accepted, not produced)
//   RFC 2045 5-6       Content-Type and Content-Transfer-Encoding fields; base64 and
//                      quoted-printable decoding of bodies (decode_body)
//   RFC 2046 5.1, 5.2  multipart/* (boundaries, preamble/epilogue, multipart/digest default),
//                      message/rfc822 encapsulation
//   RFC 2047 2-8       encoded words: B and Q decoding (UTF-8, US-ASCII, ISO-8859-1; any other
//                      charset only when the decoded text is pure ASCII), B encoding of UTF-8
//   RFC 2183           Content-Disposition with parameters
//   RFC 5321 4.5.3.1   address length limits (64 local part, 255 domain) in is_valid_addr_spec
// Does not implement:
//   RFC 2231 parameter continuations/charsets, RFC 6532 (UTF-8 headers are passed through as
//   bytes but not validated), charset conversion beyond ISO-8859-1, Q encoding on output,
//   RFC 5322 3.6 field-count rules (e.g. exactly one From) - callers check what they need.
//
// Related headers: date.hpp (RFC 5322 3.3 dates), builder.hpp (composing messages),
// received.hpp (RFC 5321 4.4 trace fields), dsn.hpp (RFC 3464 delivery status notifications).
//
// Every function here is total: hostile input never throws, never recurses past
// kMaxMimeDepth and never produces more than the limits below.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailsim::message {

// ---- Limits -------------------------------------------------------------------------------

inline constexpr std::size_t kMaxLineLength = 998;          // RFC 5322 2.1.1, without CRLF
inline constexpr std::size_t kFoldWidth = 78;               // RFC 5322 2.1.1 recommended width
inline constexpr std::size_t kMaxEncodedWordLength = 75;    // RFC 2047 2
inline constexpr std::size_t kMaxEncodedLineLength = 76;    // RFC 2047 2, lines with encoded words
inline constexpr std::size_t kMaxHeaderFields = 1000;       // fields kept per header section
inline constexpr std::size_t kMaxHeaderFieldSize = 65536;   // unfolded value bytes kept per field
inline constexpr std::size_t kMaxMimeDepth = 20;            // nesting of multipart / message/rfc822
inline constexpr std::size_t kMaxMimeParts = 1000;          // entities in one parsed message
inline constexpr std::size_t kMaxAddresses = 1000;          // mailboxes returned from one list
inline constexpr std::size_t kMaxParams = 64;               // parameters kept per Content-* field
inline constexpr std::size_t kMaxLocalPartLength = 64;      // RFC 5321 4.5.3.1.1
inline constexpr std::size_t kMaxDomainLength = 255;        // RFC 5321 4.5.3.1.2

// ---- Header section -------------------------------------------------------------------------

struct HeaderField {
  std::string name;   // as written (case preserved)
  std::string value;  // unfolded (CRLF+WSP -> WSP), not decoded, leading/trailing WSP trimmed
};

// Detailed result of reading a header section.
struct HeaderSection {
  std::vector<HeaderField> fields;
  std::size_t body_offset = 0;     // where the body starts (after the empty line, if any)
  bool has_empty_line = false;     // false: the section ended at a non-field line or at the end
  bool bare_lf = false;            // some line ended in LF without CR
  bool overlong_line = false;      // some line exceeded kMaxLineLength
  bool truncated = false;          // a limit (field count or field size) dropped data
};

// Reads the header fields up to the first empty line (CRLF or bare LF). A line that is neither
// a field ("Name: value") nor a continuation (starts with SP/HTAB) ends the section there and
// is the first line of the body (a message that lacks the empty line). A continuation line
// before any field is ignored.
HeaderSection parse_header_block(std::string_view raw_message);
std::vector<HeaderField> parse_header_section(std::string_view raw_message);

// Byte count of the header section including the empty line (== body offset).
std::size_t header_section_size(std::string_view raw_message);

// First field with that name (case-insensitive), or nullopt.
std::optional<std::string> find_header(const std::vector<HeaderField>& fields, std::string_view name);
// Every field with that name, in order.
std::vector<std::string> find_all_headers(const std::vector<HeaderField>& fields, std::string_view name);

// "Name: value" folded on whitespace so lines stay within `width` where possible (a word longer
// than the width is left whole). Existing folds in value are unfolded first and any other CR/LF
// is replaced by a space (no header injection). No trailing CRLF.
std::string fold_header(std::string_view name, std::string_view value, std::size_t width = kFoldWidth);

// The folded field + CRLF + raw (used for Received:, Return-Path:).
std::string prepend_header(std::string_view raw, std::string_view name, std::string_view value);

// Lines in text: line breaks (LF) plus one for a final unterminated non-empty line.
std::size_t count_lines(std::string_view text);

// ---- Addresses ------------------------------------------------------------------------------

struct Mailbox {
  std::string display_name;  // decoded to UTF-8 (encoded words), quotes removed
  std::string local_part;    // unquoted
  std::string domain;        // empty when the address had none
  // local@domain, the local part quoted when it is not a dot-atom; just local when no domain.
  std::string address() const;
};

struct Address {
  std::string group_name;        // groups only (decoded)
  std::vector<Mailbox> members;  // groups only
  bool is_group = false;
  Mailbox mailbox;               // non-groups only
};

// Address list with groups kept: "A Group: a@x, b@y;, c@z" -> [group{a,b}, mailbox c].
std::vector<Address> parse_addresses(std::string_view value);
// Flattened list of mailboxes (group members inline): "A <a@x>, \"B, C\" <b@y>, c@z".
// Comments are ignored; malformed pieces are skipped; at most kMaxAddresses mailboxes.
std::vector<Mailbox> parse_address_list(std::string_view value);

// RFC 5322 3.4.1 addr-spec (dot-atom or quoted local part, dot-atom or literal domain) within
// the RFC 5321 length limits. No comments or whitespace allowed.
bool is_valid_addr_spec(std::string_view addr);
// Splits at the last '@': {"local", "domain"}; domain empty when there is no '@'.
std::pair<std::string, std::string> split_address(std::string_view addr);

// "Display <addr>" with the display name as atoms, a quoted string, or RFC 2047 words when it
// has non-ASCII; just "addr" when the display name is empty. Unfolded.
std::string format_mailbox(std::string_view display_name_utf8, std::string_view addr);

// ---- Encoded words (RFC 2047) ---------------------------------------------------------------

// Decodes every encoded word (B and Q); whitespace between adjacent encoded words is dropped.
// Words in charsets we cannot convert stay as they are unless their text is pure ASCII.
std::string decode_encoded_words(std::string_view value);
// The same as a mail program that ignores each word's charset and reads its bytes as
// `reads_as` ("utf-8", "iso-8859-1"): what it shows (mojibake). Empty `reads_as`: as above.
std::string decode_encoded_words(std::string_view value, std::string_view reads_as);
// Bytes in `charset` (utf-8, us-ascii, iso-8859-1, iso-2022-jp; any case) as UTF-8; nullopt
// for other charsets (unless the bytes are pure ASCII) and for bytes invalid in it.
std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes);
// Bytes shown as `charset` whatever they are: invalid UTF-8 becomes U+FFFD, an unknown charset
// or bytes invalid in it are read byte by byte as ISO-8859-1. Never fails.
std::string read_bytes_as(std::string_view charset, std::string_view bytes);

// Makes header text from UTF-8: returned unchanged when it is printable ASCII without "=?";
// otherwise the part from the first word that needs it is B-encoded as UTF-8 encoded words of at
// most kMaxEncodedWordLength characters, never splitting a UTF-8 character. Lines are folded
// (CRLF SP) so none exceeds kMaxEncodedLineLength, counting `first_line_used` characters already
// on the first line (e.g. 9 for "Subject: ").
std::string encode_header_text(std::string_view utf8, std::size_t first_line_used = 0);

// ---- MIME -----------------------------------------------------------------------------------

struct MimeEntity {
  std::string type = "text", subtype = "plain";              // lower-case
  std::vector<std::pair<std::string, std::string>> params;   // lower-case names, values unquoted
  std::string id, description, encoding = "7bit", disposition, language, location, md5;
  std::vector<std::pair<std::string, std::string>> disposition_params;
  std::vector<HeaderField> headers;
  std::size_t header_offset = 0, body_offset = 0, body_size = 0;  // byte offsets into the raw message
  std::size_t body_lines = 0;         // line count of the body (for text/* and message/rfc822)
  std::vector<MimeEntity> parts;      // multipart children
  std::vector<MimeEntity> encapsulated;  // message/rfc822: one element, the inner message
  std::vector<std::string> defects;   // what was wrong and how it was repaired (for display)

  // Value of a Content-Type parameter (name lower-case), or nullopt.
  std::optional<std::string> param(std::string_view name) const;
};

// Parses the MIME tree. Never throws; guarantees that could trip a consumer (IMAP BODYSTRUCTURE):
//  - a multipart entity has at least one part; one whose parts cannot be found (no boundary
//    parameter, no delimiter line) or lies deeper than kMaxMimeDepth becomes text/plain;
//  - a message/rfc822 entity has exactly one encapsulated entity; one that cannot be expanded
//    (encoded with base64/quoted-printable, or too deep) becomes application/octet-stream;
//  - an entity without Content-Type is text/plain; charset=us-ascii (message/rfc822 inside
//    multipart/digest); an unparsable Content-Type counts as absent (RFC 2045 5.2);
//  - a multipart without its close delimiter ends its last part at the end of its own range;
//  - past kMaxMimeParts entities, further parts are dropped.
// Offsets: header_offset..body_offset is the entity's header (including the empty line);
// a part's body excludes the line break that precedes the next boundary delimiter.
MimeEntity parse_mime(std::string_view raw_message);

// Reverses Content-Transfer-Encoding (base64, quoted-printable; 7bit/8bit/binary/unknown as is).
// Malformed base64 yields nullopt.
std::optional<std::string> decode_body(std::string_view body, std::string_view encoding);

// The entity's body bytes (a view into raw_message).
inline std::string_view entity_body(std::string_view raw_message, const MimeEntity& e) {
  if (e.body_offset > raw_message.size()) return {};
  return raw_message.substr(e.body_offset, e.body_size);
}

}  // namespace mailsim::message
