// RFC 2045/2046 MIME structure: Content-* fields, multipart splitting, message/rfc822 nesting.
#include <cstddef>

#include "protocols/common/base64.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 2045 5.1 token characters: no CTLs, space or tspecials.
bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=':
      return false;
    default:
      return true;
  }
}

// Skips whitespace and (nested) comments.
void skip_cfws(std::string_view s, std::size_t& i) {
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      ++i;
    } else if (s[i] == '(') {
      i = detail::skip_comment(s, i);
    } else {
      break;
    }
  }
}

std::string read_token(std::string_view s, std::size_t& i) {
  const std::size_t b = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return std::string(s.substr(b, i - b));
}

// *(";" attribute "=" value), lenient: unquoted values run to ';', whitespace or '('.
Params parse_params(std::string_view s, std::size_t i) {
  Params out;
  while (i < s.size() && out.size() < kMaxParams) {
    skip_cfws(s, i);
    if (i < s.size() && s[i] == ';') {
      ++i;
      skip_cfws(s, i);
    }
    const std::size_t name_at = i;
    std::string name = detail::to_lower(read_token(s, i));
    skip_cfws(s, i);
    if (name.empty() || i >= s.size() || s[i] != '=') {
      // Not a parameter: skip to the next ';'.
      while (i < s.size() && s[i] != ';') ++i;
      if (i == name_at && i < s.size()) ++i;
      continue;
    }
    ++i;
    skip_cfws(s, i);
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i];
        ++i;
      }
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && s[i] != ';' && s[i] != ' ' && s[i] != '\t' && s[i] != '(') value += s[i++];
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

struct ContentType {
  std::string type, subtype;
  Params params;
};

std::optional<ContentType> parse_content_type(std::string_view v) {
  std::size_t i = 0;
  skip_cfws(v, i);
  ContentType ct;
  ct.type = detail::to_lower(read_token(v, i));
  skip_cfws(v, i);
  if (ct.type.empty() || i >= v.size() || v[i] != '/') return std::nullopt;
  ++i;
  skip_cfws(v, i);
  ct.subtype = detail::to_lower(read_token(v, i));
  if (ct.subtype.empty()) return std::nullopt;
  ct.params = parse_params(v, i);
  return ct;
}

std::string first_token_lower(std::string_view v) {
  std::size_t i = 0;
  skip_cfws(v, i);
  return detail::to_lower(read_token(v, i));
}

struct Range {
  std::size_t begin, end;
};

// Finds the body parts of a multipart whose body is raw[begin, end). `closed` tells whether the
// close delimiter was seen.
std::vector<Range> split_parts(std::string_view raw, std::size_t begin, std::size_t end,
                               std::string_view boundary, std::size_t max_parts, bool& closed,
                               bool& too_many) {
  std::vector<Range> parts;
  const std::string delim = "--" + std::string(boundary);
  closed = false;
  too_many = false;
  std::size_t part_start = std::string_view::npos;
  std::size_t pos = begin;
  while (pos < end) {
    const std::size_t line_start = pos;
    std::size_t lf = raw.find('\n', pos);
    if (lf == std::string_view::npos || lf >= end) lf = end;
    const std::size_t next = lf < end ? lf + 1 : end;
    std::string_view line = raw.substr(line_start, lf - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = next;
    if (line.size() < delim.size() || line.compare(0, delim.size(), delim) != 0) continue;
    std::string_view rest = line.substr(delim.size());
    const bool close = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
    if (close) rest.remove_prefix(2);
    bool only_space = true;
    for (char c : rest)
      if (!detail::is_wsp(c)) only_space = false;
    if (!only_space) continue;
    if (part_start != std::string_view::npos) {
      // The line break before the delimiter belongs to the delimiter (RFC 2046 5.1.1).
      std::size_t part_end = line_start;
      if (part_end > part_start && raw[part_end - 1] == '\n') {
        --part_end;
        if (part_end > part_start && raw[part_end - 1] == '\r') --part_end;
      }
      parts.push_back({part_start, part_end});
      if (parts.size() >= max_parts) {
        too_many = !close;
        closed = close;
        return parts;
      }
    }
    if (close) {
      closed = true;
      return parts;
    }
    part_start = next;
  }
  if (part_start != std::string_view::npos) parts.push_back({part_start, end});
  return parts;
}

void make_leaf(MimeEntity& e, std::string type, std::string subtype, std::string defect) {
  e.type = std::move(type);
  e.subtype = std::move(subtype);
  e.params.clear();
  if (e.type == "text") e.params.emplace_back("charset", "us-ascii");
  e.parts.clear();
  e.encapsulated.clear();
  e.defects.push_back(std::move(defect));
}

class MimeParser {
 public:
  explicit MimeParser(std::string_view raw) : raw_(raw) {}

  MimeEntity parse(std::size_t begin, std::size_t end, std::size_t depth, bool in_digest) {
    ++entities_;
    MimeEntity e;
    const HeaderSection hs = parse_header_block(raw_.substr(begin, end - begin));
    e.headers = hs.fields;
    e.header_offset = begin;
    e.body_offset = begin + hs.body_offset;
    e.body_size = end - e.body_offset;
    if (!hs.has_empty_line && e.body_size > 0) e.defects.push_back("header section not ended by an empty line");
    if (hs.truncated) e.defects.push_back("header section over a limit; fields dropped");

    const auto ct_value = find_header(e.headers, "Content-Type");
    const auto ct = ct_value ? parse_content_type(*ct_value) : std::nullopt;
    if (ct) {
      e.type = ct->type;
      e.subtype = ct->subtype;
      e.params = ct->params;
    } else {
      if (ct_value) e.defects.push_back("unparsable Content-Type; using the default");
      if (in_digest) {
        e.type = "message";
        e.subtype = "rfc822";
      } else {
        e.params.emplace_back("charset", "us-ascii");
      }
    }
    if (auto v = find_header(e.headers, "Content-Transfer-Encoding")) {
      std::string enc = first_token_lower(*v);
      if (!enc.empty()) e.encoding = std::move(enc);
    }
    if (auto v = find_header(e.headers, "Content-ID")) e.id = *v;
    if (auto v = find_header(e.headers, "Content-Description")) e.description = *v;
    if (auto v = find_header(e.headers, "Content-MD5")) e.md5 = *v;
    if (auto v = find_header(e.headers, "Content-Language")) e.language = *v;
    if (auto v = find_header(e.headers, "Content-Location")) e.location = *v;
    if (auto v = find_header(e.headers, "Content-Disposition")) {
      std::size_t i = 0;
      skip_cfws(*v, i);
      e.disposition = detail::to_lower(read_token(*v, i));
      if (!e.disposition.empty()) e.disposition_params = parse_params(*v, i);
    }

    if (e.type == "multipart") expand_multipart(e, depth);
    if (e.type == "message" && e.subtype == "rfc822") expand_message(e, depth);
    e.body_lines = count_lines(raw_.substr(e.body_offset, e.body_size));
    return e;
  }

 private:
  void expand_multipart(MimeEntity& e, std::size_t depth) {
    const auto boundary = e.param("boundary");
    if (!boundary || boundary->empty()) {
      make_leaf(e, "text", "plain", "multipart without a boundary parameter; read as text/plain");
      return;
    }
    if (depth + 1 >= kMaxMimeDepth) {
      make_leaf(e, "text", "plain", "multipart nested deeper than the limit; read as text/plain");
      return;
    }
    if (entities_ >= kMaxMimeParts) {
      make_leaf(e, "text", "plain", "too many MIME parts; read as text/plain");
      return;
    }
    bool closed = false;
    bool too_many = false;
    const auto ranges = split_parts(raw_, e.body_offset, e.body_offset + e.body_size, *boundary,
                                    kMaxMimeParts - entities_, closed, too_many);
    if (ranges.empty()) {
      make_leaf(e, "text", "plain", "multipart without any boundary delimiter; read as text/plain");
      return;
    }
    if (!closed) e.defects.push_back("multipart without its close delimiter");
    if (too_many) e.defects.push_back("too many MIME parts; the rest were dropped");
    const bool digest = e.subtype == "digest";
    for (const auto& r : ranges) {
      if (entities_ >= kMaxMimeParts) {
        e.defects.push_back("too many MIME parts; the rest were dropped");
        break;
      }
      e.parts.push_back(parse(r.begin, r.end, depth + 1, digest));
    }
  }

  void expand_message(MimeEntity& e, std::size_t depth) {
    if (e.encoding != "7bit" && e.encoding != "8bit" && e.encoding != "binary") {
      make_leaf(e, "application", "octet-stream", "message/rfc822 with an encoded body; not expanded");
      return;
    }
    if (depth + 1 >= kMaxMimeDepth || entities_ >= kMaxMimeParts) {
      make_leaf(e, "application", "octet-stream", "message/rfc822 over a nesting limit; not expanded");
      return;
    }
    e.encapsulated.push_back(parse(e.body_offset, e.body_offset + e.body_size, depth + 1, false));
  }

  std::string_view raw_;
  std::size_t entities_ = 0;
};

std::string decode_quoted_printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '=') {
      out += c;
      continue;
    }
    // Soft line break: "=" then optional trailing whitespace then CRLF or LF.
    std::size_t j = i + 1;
    while (j < s.size() && detail::is_wsp(s[j])) ++j;
    if (j < s.size() && (s[j] == '\r' || s[j] == '\n')) {
      if (s[j] == '\r' && j + 1 < s.size() && s[j + 1] == '\n') ++j;
      i = j;
      continue;
    }
    if (j == s.size()) {
      i = j;
      continue;
    }
    if (i + 2 < s.size() && detail::hex_value(s[i + 1]) >= 0 && detail::hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(detail::hex_value(s[i + 1]) * 16 + detail::hex_value(s[i + 2]));
      i += 2;
    } else {
      out += c;  // a malformed escape stays as written (RFC 2045 6.7 note 1)
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> MimeEntity::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (detail::iequals(k, name)) return v;
  return std::nullopt;
}

MimeEntity parse_mime(std::string_view raw_message) {
  return MimeParser(raw_message).parse(0, raw_message.size(), 0, false);
}

std::optional<std::string> decode_body(std::string_view body, std::string_view encoding) {
  if (detail::iequals(encoding, "base64")) return proto::base64_decode_mime(body);
  if (detail::iequals(encoding, "quoted-printable")) return decode_quoted_printable(body);
  return std::string(body);
}

}  // namespace mailsim::message
