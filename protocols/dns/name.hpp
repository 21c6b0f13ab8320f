// Domain names (RFC 1035 2.3.4, 3.1): labels, limits, case-insensitive comparison, text form.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::dns {

constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 2.3.4
constexpr std::size_t kMaxNameLength = 255;  // octets in wire form, length bytes and root included

// A fully qualified domain name held as its labels (root = no labels). Labels keep the case
// they were written in; comparison ignores ASCII case (RFC 4343). Every Name obeys the
// label and name limits: the only ways to make one check them.
class Name {
 public:
  Name() = default;  // the root

  // Parses "hogehoge.com.", "hogehoge.com" (taken as absolute too) or "." for the root.
  // "\." and "\\" escape a character, "\DDD" gives an octet in decimal.
  // On failure returns nullopt and sets `error` ("empty label in 'a..b'").
  static std::optional<Name> parse(std::string_view text, std::string& error);
  // For literals known to be valid (tests, built-in constants); an invalid one is a bug.
  static Name of(std::string_view text);
  // Builds from raw labels; nullopt (with `error`) when a limit is broken or a label is empty.
  static std::optional<Name> from_labels(std::vector<std::string> labels, std::string& error);

  const std::vector<std::string>& labels() const { return labels_; }
  std::size_t label_count() const { return labels_.size(); }
  bool is_root() const { return labels_.empty(); }
  // Octets of the uncompressed wire form (1 for the root).
  std::size_t wire_length() const;

  // "hogehoge.com." (root ".") with special characters escaped.
  std::string to_string() const;
  // The same without the final dot, for summaries: "hogehoge.com" (root stays ".").
  std::string to_string_no_dot() const;
  // Lower-cased text form, for map keys.
  std::string key() const;

  // True when this name is `ancestor` or lies below it (every name is under the root).
  bool is_subdomain_of(const Name& ancestor) const;
  // The name with its first label removed (the root's parent is the root).
  Name parent() const;
  // The last `n` labels of this name (n <= label_count()).
  Name suffix(std::size_t n) const;

  friend bool operator==(const Name& a, const Name& b);
  friend bool operator!=(const Name& a, const Name& b) { return !(a == b); }

 private:
  std::vector<std::string> labels_;
};

// Reads the RFC 1035 5.1 escape starting at text[i] == '\\' ("\\." or "\\DDD"), appends the
// byte it stands for to `out` and leaves `i` on the escape's last character. On a dangling
// backslash or a bad \\DDD returns false and sets `error` (naming `text`).
bool read_escape(std::string_view text, std::size_t& i, std::string& out, std::string& error);

// Appends the RFC 1035 5.1 escape "\\DDD" (three decimal digits) for one octet.
void append_decimal_escape(std::string& out, unsigned char octet);

// ASCII case-insensitive equality of two labels.
bool label_equal(std::string_view a, std::string_view b);

}  // namespace mailsim::dns
