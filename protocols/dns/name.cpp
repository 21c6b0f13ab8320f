// Domain names: parsing, limits, comparison and text form.
#include "protocols/dns/name.hpp"

#include <cassert>

#include "protocols/common/ascii.hpp"

namespace mailsim::dns {

namespace {

using proto::is_digit;

void append_escaped_label(std::string& out, const std::string& label) {
  for (char c : label) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')') {
      out += '\\';
      out += c;
    } else if (u <= 0x20 || u >= 0x7F) {
      append_decimal_escape(out, u);
    } else {
      out += c;
    }
  }
}

}  // namespace

void append_decimal_escape(std::string& out, unsigned char octet) {
  out += '\\';
  out += static_cast<char>('0' + octet / 100);
  out += static_cast<char>('0' + (octet / 10) % 10);
  out += static_cast<char>('0' + octet % 10);
}

bool label_equal(std::string_view a, std::string_view b) { return proto::iequals(a, b); }

std::optional<Name> Name::from_labels(std::vector<std::string> labels, std::string& error) {
  std::size_t total = 1;
  for (const auto& l : labels) {
    if (l.empty()) {
      error = "empty label";
      return std::nullopt;
    }
    if (l.size() > kMaxLabelLength) {
      error = "label of " + std::to_string(l.size()) + " octets exceeds " +
              std::to_string(kMaxLabelLength);
      return std::nullopt;
    }
    total += 1 + l.size();
  }
  if (total > kMaxNameLength) {
    error = "name of " + std::to_string(total) + " octets exceeds " + std::to_string(kMaxNameLength);
    return std::nullopt;
  }
  Name n;
  n.labels_ = std::move(labels);
  return n;
}

bool read_escape(std::string_view text, std::size_t& i, std::string& out, std::string& error) {
  if (i + 1 >= text.size()) {
    error = "dangling backslash in '" + std::string(text) + "'";
    return false;
  }
  if (!is_digit(text[i + 1])) {
    out += text[i + 1];
    i += 1;
    return true;
  }
  if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
    error = "bad \\DDD escape in '" + std::string(text) + "'";
    return false;
  }
  const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
  if (v > 255) {
    error = "bad \\DDD escape in '" + std::string(text) + "'";
    return false;
  }
  out += static_cast<char>(static_cast<unsigned char>(v));
  i += 3;
  return true;
}

std::optional<Name> Name::parse(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "empty name";
    return std::nullopt;
  }
  if (text == ".") return Name();
  std::vector<std::string> labels;
  std::string current;
  bool ended_with_dot = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ended_with_dot = false;
    if (c == '.') {
      if (current.empty()) {
        error = "empty label in '" + std::string(text) + "'";
        return std::nullopt;
      }
      labels.push_back(std::move(current));
      current.clear();
      ended_with_dot = true;
    } else if (c == '\\') {
      if (!read_escape(text, i, current, error)) return std::nullopt;
    } else {
      current += c;
    }
    if (current.size() > kMaxLabelLength) {
      error = "label of " + std::to_string(current.size()) + "+ octets exceeds " +
              std::to_string(kMaxLabelLength) + " in '" + std::string(text) + "'";
      return std::nullopt;
    }
  }
  if (!ended_with_dot) labels.push_back(std::move(current));
  std::string inner;
  auto n = from_labels(std::move(labels), inner);
  if (!n) error = inner + " in '" + std::string(text) + "'";
  return n;
}

Name Name::of(std::string_view text) {
  std::string error;
  auto n = parse(text, error);
  assert(n && "Name::of needs a valid name");
  return n ? *n : Name();
}

std::size_t Name::wire_length() const {
  std::size_t total = 1;
  for (const auto& l : labels_) total += 1 + l.size();
  return total;
}

std::string Name::to_string() const {
  if (labels_.empty()) return ".";
  std::string out;
  for (const auto& l : labels_) {
    append_escaped_label(out, l);
    out += '.';
  }
  return out;
}

std::string Name::to_string_no_dot() const {
  std::string s = to_string();
  if (s.size() > 1) s.pop_back();
  return s;
}

std::string Name::key() const { return proto::to_lower(to_string()); }

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.labels_.size() > labels_.size()) return false;
  const std::size_t skip = labels_.size() - ancestor.labels_.size();
  for (std::size_t i = 0; i < ancestor.labels_.size(); ++i)
    if (!label_equal(labels_[skip + i], ancestor.labels_[i])) return false;
  return true;
}

Name Name::parent() const { return suffix(labels_.empty() ? 0 : labels_.size() - 1); }

Name Name::suffix(std::size_t n) const {
  assert(n <= labels_.size());
  Name out;
  out.labels_.assign(labels_.end() - static_cast<std::ptrdiff_t>(n), labels_.end());
  return out;
}

bool operator==(const Name& a, const Name& b) {
  if (a.labels_.size() != b.labels_.size()) return false;
  for (std::size_t i = 0; i < a.labels_.size(); ++i)
    if (!label_equal(a.labels_[i], b.labels_[i])) return false;
  return true;
}

}  // namespace mailsim::dns
