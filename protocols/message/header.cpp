// RFC 5322 2.2 header sections: reading fields (with unfolding), folding, and prepending.
#include "protocols/message/message.hpp"

#include <algorithm>

#include "protocols/message/text_util.hpp"

namespace mailsim::message {

using detail::is_wsp;

namespace {

// RFC 5322 2.2 field-name: printable US-ASCII except colon (trailing WSP tolerated, obs-syntax).
std::optional<std::string_view> field_name_of(std::string_view line, std::size_t& colon) {
  colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return std::nullopt;
  }
  return name;
}

void finish_field(HeaderField& f) {
  std::size_t b = 0;
  while (b < f.value.size() && is_wsp(f.value[b])) ++b;
  std::size_t e = f.value.size();
  while (e > b && is_wsp(f.value[e - 1])) --e;
  f.value = f.value.substr(b, e - b);
}

void append_bounded(HeaderSection& r, std::string& value, std::string_view text) {
  const std::size_t room = kMaxHeaderFieldSize - std::min(value.size(), kMaxHeaderFieldSize);
  if (text.size() > room) {
    r.truncated = true;
    text = text.substr(0, room);
  }
  value.append(text);
}

}  // namespace

HeaderSection parse_header_block(std::string_view raw) {
  HeaderSection r;
  bool collecting = false;  // the last field is still open for continuation lines
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t lf = raw.find('\n', pos);
    std::size_t line_end = lf == std::string_view::npos ? raw.size() : lf;
    const std::size_t next = lf == std::string_view::npos ? raw.size() : lf + 1;
    if (line_end > pos && raw[line_end - 1] == '\r') {
      --line_end;  // CRLF, or a CR at the very end of the input
    } else if (lf != std::string_view::npos) {
      r.bare_lf = true;
    }
    const std::string_view line = raw.substr(pos, line_end - pos);
    if (line.size() > kMaxLineLength) r.overlong_line = true;
    if (line.empty()) {
      r.has_empty_line = true;
      if (collecting) finish_field(r.fields.back());
      r.body_offset = next;
      return r;
    }
    if (is_wsp(line.front())) {
      // Continuation: unfolding removes only the line break, the WSP stays.
      if (collecting) append_bounded(r, r.fields.back().value, line);
      pos = next;
      continue;
    }
    std::size_t colon = 0;
    const auto name = field_name_of(line, colon);
    if (!name) {
      // Not a field: the header section ends here and this line starts the body.
      break;
    }
    if (collecting) finish_field(r.fields.back());
    collecting = false;
    if (r.fields.size() < kMaxHeaderFields) {
      r.fields.push_back(HeaderField{std::string(*name), {}});
      append_bounded(r, r.fields.back().value, line.substr(colon + 1));
      collecting = true;
    } else {
      r.truncated = true;
    }
    pos = next;
  }
  if (collecting) finish_field(r.fields.back());
  r.body_offset = pos;
  return r;
}

std::vector<HeaderField> parse_header_section(std::string_view raw_message) {
  return parse_header_block(raw_message).fields;
}

std::size_t header_section_size(std::string_view raw_message) {
  return parse_header_block(raw_message).body_offset;
}

std::optional<std::string> find_header(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (detail::iequals(f.name, name)) return f.value;
  return std::nullopt;
}

std::vector<std::string> find_all_headers(const std::vector<HeaderField>& fields, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (detail::iequals(f.name, name)) out.push_back(f.value);
  return out;
}

std::string fold_header(std::string_view name, std::string_view value, std::size_t width) {
  // Unfold what is already folded and neutralise any other line break.
  std::string flat;
  flat.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    if (c == '\r' || c == '\n') {
      if (!(i + 1 < value.size() && is_wsp(value[i + 1]))) flat += ' ';
      continue;
    }
    flat += c;
  }
  const std::string_view v = detail::trim(flat);

  std::string out(name);
  out += ':';
  if (v.empty()) return out;
  std::size_t line_len = out.size();
  std::size_t i = 0;
  bool first = true;
  while (i < v.size()) {
    // A segment is a run of WSP followed by a run of non-WSP; a fold goes before it.
    std::size_t j = i;
    while (j < v.size() && is_wsp(v[j])) ++j;
    while (j < v.size() && !is_wsp(v[j])) ++j;
    const std::string_view seg = v.substr(i, j - i);
    if (first) {
      out += ' ';
      out += seg;
      line_len += 1 + seg.size();
      first = false;
    } else if (line_len + seg.size() > width) {
      out += "\r\n";
      out += seg;
      line_len = seg.size();
    } else {
      out += seg;
      line_len += seg.size();
    }
    i = j;
  }
  return out;
}

std::string prepend_header(std::string_view raw, std::string_view name, std::string_view value) {
  std::string out = fold_header(name, value);
  out += "\r\n";
  out.append(raw);
  return out;
}

std::size_t count_lines(std::string_view text) {
  std::size_t n = 0;
  for (char c : text)
    if (c == '\n') ++n;
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

}  // namespace mailsim::message
