// std::from_chars for double and float in the web build: emscripten 3.1.6's libc++ (13) has
// only the integer overloads, and sim/ and gui/ parse times and shares with the floating one.
// Force-included into every web translation unit (web/deps.cmake); a no-op with a libc++ that
// has them. Accepts exactly the from_chars pattern (optional '-', digits with an optional '.',
// an optional exponent; no '+', no spaces, no hex, no inf/nan) and converts it with musl's
// strtod, which rounds correctly as from_chars must, so values match the native build.
#pragma once
#include <charconv>

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 170000
#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

namespace mailsim::web_compat {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The end of the longest prefix of [first, last) that from_chars would read (first: none).
inline const char* float_pattern_end(const char* first, const char* last, std::chars_format fmt) {
  const char* p = first;
  if (p != last && *p == '-') ++p;
  bool digits = false;
  while (p != last && is_digit(*p)) {
    ++p;
    digits = true;
  }
  if (p != last && *p == '.') {
    const char* q = p + 1;
    while (q != last && is_digit(*q)) {
      ++q;
      digits = true;
    }
    if (digits) p = q;
  }
  if (!digits) return first;
  if (fmt != std::chars_format::fixed && p != last && (*p == 'e' || *p == 'E')) {
    const char* q = p + 1;
    if (q != last && (*q == '+' || *q == '-')) ++q;
    if (q != last && is_digit(*q)) {
      while (q != last && is_digit(*q)) ++q;
      p = q;
    }
  }
  return p;
}

template <typename T, typename Convert>
std::from_chars_result parse_float(const char* first, const char* last, T& value, std::chars_format fmt,
                                   Convert convert) {
  const char* end = float_pattern_end(first, last, fmt);
  if (end == first) return {first, std::errc::invalid_argument};
  const std::string text(first, end);
  errno = 0;
  const T v = convert(text.c_str());
  if (errno == ERANGE) return {end, std::errc::result_out_of_range};
  value = v;
  return {end, std::errc{}};
}

}  // namespace mailsim::web_compat

namespace std {

inline from_chars_result from_chars(const char* first, const char* last, double& value,
                                    chars_format fmt = chars_format::general) {
  return mailsim::web_compat::parse_float(first, last, value, fmt,
                                          [](const char* s) { return std::strtod(s, nullptr); });
}

inline from_chars_result from_chars(const char* first, const char* last, float& value,
                                    chars_format fmt = chars_format::general) {
  return mailsim::web_compat::parse_float(first, last, value, fmt,
                                          [](const char* s) { return std::strtof(s, nullptr); });
}

}  // namespace std
#endif
