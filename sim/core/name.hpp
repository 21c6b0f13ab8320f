// Interned names: a host id, a protocol or an event name stored once per process and
// referred to by pointer, so a trace record carries 8 bytes per name instead of a string.
#pragma once
#include <compare>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace mailsim::sim {

class Name {
 public:
  Name() : text_(&empty_text()) {}
  Name(std::string_view text) : text_(text.empty() ? &empty_text() : intern(text)) {}  // NOLINT: implicit on purpose
  Name(const std::string& text) : Name(std::string_view(text)) {}                  // NOLINT
  Name(const char* text) : Name(std::string_view(text ? text : "")) {}             // NOLINT

  const std::string& str() const { return *text_; }
  operator const std::string&() const { return *text_; }  // NOLINT: reads like the string it was
  std::string_view view() const { return *text_; }
  operator std::string_view() const { return *text_; }  // NOLINT
  bool empty() const { return text_->empty(); }
  std::size_t size() const { return text_->size(); }
  const char* c_str() const { return text_->c_str(); }
  bool starts_with(std::string_view prefix) const { return view().starts_with(prefix); }
  std::size_t find(std::string_view s, std::size_t pos = 0) const { return text_->find(s, pos); }
  std::size_t rfind(std::string_view s, std::size_t pos = std::string::npos) const { return text_->rfind(s, pos); }

  // Equal names are the same pointer; order is the text's, so maps sort as before.
  friend bool operator==(Name a, Name b) { return a.text_ == b.text_; }
  friend bool operator==(Name a, std::string_view b) { return a.view() == b; }
  friend bool operator==(Name a, const std::string& b) { return a.view() == b; }
  friend bool operator==(Name a, const char* b) { return a.view() == std::string_view(b); }
  friend std::strong_ordering operator<=>(Name a, Name b) { return a.view().compare(b.view()) <=> 0; }
  friend std::string operator+(const std::string& a, Name b) { return a + b.str(); }
  friend std::string operator+(Name a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, Name b) { return a + b.str(); }
  friend std::string operator+(Name a, const char* b) { return a.str() + b; }
  friend std::ostream& operator<<(std::ostream& o, Name n) { return o << n.str(); }

 private:
  static const std::string& empty_text();
  static const std::string* intern(std::string_view text);
  const std::string* text_;
};

}  // namespace mailsim::sim

template <>
struct fmt::formatter<mailsim::sim::Name> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(mailsim::sim::Name n, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(n.view(), ctx);
  }
};
