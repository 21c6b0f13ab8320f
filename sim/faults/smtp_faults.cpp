// A fault rule's reply as an SMTP Reply.
#include "sim/faults/smtp_faults.hpp"

namespace mailsim::sim::faults {

smtp::Reply smtp_reply(int code, const std::string& text) {
  // An enhanced status code (RFC 3463): class "." subject "." detail, digits only.
  std::size_t i = 0, dots = 0;
  bool digit = false;
  for (; i < text.size() && text[i] != ' '; ++i) {
    if (text[i] == '.') {
      if (!digit) return smtp::Reply::make(code, "", text);
      ++dots;
      digit = false;
    } else if (text[i] >= '0' && text[i] <= '9') {
      digit = true;
    } else {
      return smtp::Reply::make(code, "", text);
    }
  }
  if (dots != 2 || !digit) return smtp::Reply::make(code, "", text);
  return smtp::Reply::make(code, text.substr(0, i), i < text.size() ? text.substr(i + 1) : std::string());
}

}  // namespace mailsim::sim::faults
