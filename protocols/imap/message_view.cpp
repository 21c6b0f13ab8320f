// FETCH/SEARCH views of a raw message: sections, header fields, ENVELOPE and BODYSTRUCTURE.
#include "protocols/imap/message_view.hpp"

#include <algorithm>

#include "protocols/message/message.hpp"

namespace mailsim::imap {

namespace {

namespace msg = mailsim::message;

// Splits a header block into fields: each field with its continuation lines and line end.
std::vector<std::string_view> header_field_blocks(std::string_view header) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = pos;
    do {
      const auto lf = header.find('\n', end);
      end = lf == std::string_view::npos ? header.size() : lf + 1;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    const auto block = header.substr(pos, end - pos);
    if (block != "\r\n" && block != "\n") out.push_back(block);
    pos = end;
  }
  return out;
}

std::string_view field_name(std::string_view block) {
  const auto colon = block.find(':');
  if (colon == std::string_view::npos) return {};
  auto name = block.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::string nstring_field(const std::vector<msg::HeaderField>& fields, std::string_view name) {
  const auto v = msg::find_header(fields, name);
  return v ? imap_nstring(*v, false) : std::string("NIL");
}

// One address: (name adl mailbox host). A decoded non-ASCII name goes back into an
// encoded word so the envelope stays 7-bit.
std::string address(const msg::Mailbox& m) {
  std::string name = m.display_name;
  if (!is_ascii(name)) name = msg::encode_header_text(name);
  return "(" + imap_nstring(name) + " NIL " + imap_nstring(m.local_part) + " " +
         imap_nstring(m.domain) + ")";
}

std::string address_list(const std::vector<msg::HeaderField>& fields, std::string_view name) {
  const auto value = msg::find_header(fields, name);
  if (!value) return "NIL";
  const auto list = msg::parse_addresses(*value);
  std::string out;
  for (const auto& a : list) {
    if (a.is_group) {
      // RFC 3501 7.4.2: group start (NIL NIL "name" NIL), members, end (NIL NIL NIL NIL).
      out += "(NIL NIL " + imap_nstring(a.group_name, false) + " NIL)";
      for (const auto& m : a.members) out += address(m);
      out += "(NIL NIL NIL NIL)";
    } else {
      out += address(a.mailbox);
    }
  }
  return out.empty() ? "NIL" : "(" + out + ")";
}

std::string params_list(const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return "NIL";
  std::string out = "(";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out += ' ';
    out += imap_string(to_upper(params[i].first)) + " " + imap_string(params[i].second);
  }
  return out + ")";
}

std::string disposition(const msg::MimeEntity& e) {
  if (e.disposition.empty()) return "NIL";
  return "(" + imap_string(to_upper(e.disposition)) + " " + params_list(e.disposition_params) +
         ")";
}

// The raw bytes of an encapsulated message (its header and body).
std::string_view entity_span(std::string_view raw, const msg::MimeEntity& e) {
  if (e.header_offset > raw.size()) return {};
  const std::size_t end = std::min(raw.size(), e.body_offset + e.body_size);
  return end < e.header_offset ? std::string_view() : raw.substr(e.header_offset, end - e.header_offset);
}

std::string structure(std::string_view raw, const msg::MimeEntity& e, bool extended) {
  if (e.type == "multipart" && !e.parts.empty()) {
    std::string out = "(";
    for (const auto& p : e.parts) out += structure(raw, p, extended);
    out += " " + imap_string(to_upper(e.subtype));
    if (extended)
      out += " " + params_list(e.params) + " " + disposition(e) + " " +
             imap_nstring(e.language) + " " + imap_nstring(e.location);
    return out + ")";
  }
  std::string out = "(" + imap_string(to_upper(e.type)) + " " + imap_string(to_upper(e.subtype)) +
                    " " + params_list(e.params) + " " + imap_nstring(e.id) + " " +
                    imap_nstring(e.description) + " " + imap_string(to_upper(e.encoding)) + " " +
                    std::to_string(e.body_size);
  if (e.type == "message" && e.subtype == "rfc822" && !e.encapsulated.empty()) {
    const auto& inner = e.encapsulated.front();
    out += " " + envelope(entity_span(raw, inner)) + " " + structure(raw, inner, extended) + " " +
           std::to_string(e.body_lines);
  } else if (e.type == "text") {
    out += " " + std::to_string(e.body_lines);
  }
  if (extended)
    out += " " + imap_nstring(e.md5) + " " + disposition(e) + " " + imap_nstring(e.language) +
           " " + imap_nstring(e.location);
  return out + ")";
}

}  // namespace

std::string_view header_section(std::string_view raw) {
  return raw.substr(0, std::min(raw.size(), msg::header_section_size(raw)));
}

std::string_view text_section(std::string_view raw) {
  return raw.substr(header_section(raw).size());
}

std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool exclude) {
  std::string out;
  for (auto block : header_field_blocks(header)) {
    const auto name = field_name(block);
    bool listed = false;
    for (const auto& n : names) listed = listed || iequals(n, name);
    if (listed != exclude) {
      out.append(block);
      if (block.back() != '\n') out += "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> header_values(std::string_view raw, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& v : msg::find_all_headers(msg::parse_header_section(raw), name))
    out.push_back(msg::decode_encoded_words(v));
  return out;
}

std::optional<std::string> section_data(std::string_view raw, const Section& s) {
  if (s.parts.empty()) {
    switch (s.text) {
      case SectionText::None: return std::string(raw);
      case SectionText::Header: return std::string(header_section(raw));
      case SectionText::Text: return std::string(text_section(raw));
      case SectionText::HeaderFields: return header_fields(header_section(raw), s.fields, false);
      case SectionText::HeaderFieldsNot:
        return header_fields(header_section(raw), s.fields, true);
      case SectionText::Mime: return std::nullopt;
    }
    return std::nullopt;
  }
  const msg::MimeEntity root = msg::parse_mime(raw);
  const msg::MimeEntity* cur = &root;
  bool top = true;
  for (std::uint32_t k : s.parts) {
    // Only a message (the top one, or one encapsulated in a message/rfc822 part) has parts:
    // its multipart children, or else part 1, its own body.
    const bool encapsulating =
        !top && cur->type == "message" && cur->subtype == "rfc822" && !cur->encapsulated.empty();
    const msg::MimeEntity* container = encapsulating ? &cur->encapsulated.front() : cur;
    if (container->type == "multipart" && !container->parts.empty()) {
      if (k > container->parts.size()) return std::nullopt;
      cur = &container->parts[k - 1];
    } else if ((top || encapsulating) && k == 1) {
      cur = container;
    } else {
      return std::nullopt;
    }
    top = false;
  }
  if (s.text == SectionText::None) return std::string(msg::entity_body(raw, *cur));
  if (s.text == SectionText::Mime) {
    if (cur->header_offset > cur->body_offset || cur->body_offset > raw.size())
      return std::nullopt;
    return std::string(raw.substr(cur->header_offset, cur->body_offset - cur->header_offset));
  }
  // HEADER / TEXT / HEADER.FIELDS of a part: only for an encapsulated message.
  if (!(cur->type == "message" && cur->subtype == "rfc822") || cur->encapsulated.empty())
    return std::nullopt;
  const auto inner = entity_span(raw, cur->encapsulated.front());
  Section top_section = s;
  top_section.parts.clear();
  return section_data(inner, top_section);
}

std::string envelope(std::string_view raw) {
  const auto fields = msg::parse_header_section(raw);
  const std::string from = address_list(fields, "From");
  std::string sender = address_list(fields, "Sender");
  std::string reply_to = address_list(fields, "Reply-To");
  if (sender == "NIL") sender = from;
  if (reply_to == "NIL") reply_to = from;
  return "(" + nstring_field(fields, "Date") + " " + nstring_field(fields, "Subject") + " " + from +
         " " + sender + " " + reply_to + " " + address_list(fields, "To") + " " +
         address_list(fields, "Cc") + " " + address_list(fields, "Bcc") + " " +
         nstring_field(fields, "In-Reply-To") + " " + nstring_field(fields, "Message-ID") + ")";
}

std::string body_structure(std::string_view raw, bool extended) {
  return structure(raw, msg::parse_mime(raw), extended);
}

}  // namespace mailsim::imap
