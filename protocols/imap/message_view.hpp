// The parts of a stored message that FETCH and SEARCH need: sections, ENVELOPE, BODYSTRUCTURE.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/command_parser.hpp"

namespace mailsim::imap {

// The header of a message (or MIME part) including the blank line that ends it.
std::string_view header_section(std::string_view raw);
// Everything after the header's blank line.
std::string_view text_section(std::string_view raw);
// The header fields named (or, with `exclude`, not named) in `names`, each with its
// continuation lines, then the blank line (RFC 3501 HEADER.FIELDS / HEADER.FIELDS.NOT).
std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool exclude);
// Unfolded values of every field called `name` (case-insensitive), encoded words decoded.
std::vector<std::string> header_values(std::string_view raw, std::string_view name);
// BODY[section] data; nullopt when the message has no such part.
std::optional<std::string> section_data(std::string_view raw, const Section& section);
// The ENVELOPE structure (RFC 3501 section 7.4.2), as it goes on the wire.
std::string envelope(std::string_view raw);
// BODY (extended == false) or BODYSTRUCTURE (extended == true), as it goes on the wire.
std::string body_structure(std::string_view raw, bool extended);

}  // namespace mailsim::imap
