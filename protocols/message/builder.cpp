// MessageBuilder: writes RFC 5322 + MIME text/plain messages with CRLF endings and line limits.
#include "protocols/message/builder.hpp"

#include <algorithm>
#include <cstddef>

#include "protocols/common/base64.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/iso2022jp.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

constexpr std::size_t kBase64LineLength = 76;  // RFC 2045 6.8

void add_line(std::string& out, std::string_view field) {
  out.append(field);
  out += "\r\n";
}

}  // namespace

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  const std::string b64 = proto::base64_encode(bytes);
  std::string out;
  out.reserve(b64.size() + b64.size() / kBase64LineLength * 2 + 2);
  for (std::size_t i = 0; i < b64.size(); i += kBase64LineLength) {
    out.append(b64, i, kBase64LineLength);
    out += "\r\n";
  }
  return out;
}

MessageBuilder& MessageBuilder::from(std::string_view address, std::string_view display_name_utf8) {
  from_.push_back({std::string(address), std::string(display_name_utf8)});
  return *this;
}
MessageBuilder& MessageBuilder::to(std::string_view address, std::string_view display_name_utf8) {
  to_.push_back({std::string(address), std::string(display_name_utf8)});
  return *this;
}
MessageBuilder& MessageBuilder::cc(std::string_view address, std::string_view display_name_utf8) {
  cc_.push_back({std::string(address), std::string(display_name_utf8)});
  return *this;
}
MessageBuilder& MessageBuilder::bcc(std::string_view address) {
  bcc_.push_back({std::string(address), {}});
  return *this;
}
MessageBuilder& MessageBuilder::reply_to(std::string_view address, std::string_view display_name_utf8) {
  reply_to_.push_back({std::string(address), std::string(display_name_utf8)});
  return *this;
}
MessageBuilder& MessageBuilder::subject(std::string_view utf8) {
  subject_ = std::string(utf8);
  return *this;
}
MessageBuilder& MessageBuilder::date(std::int64_t scenario_epoch_unix, std::int64_t virtual_seconds,
                                     int zone_offset_minutes) {
  date_ = format_scenario_date(scenario_epoch_unix, virtual_seconds, zone_offset_minutes);
  return *this;
}
MessageBuilder& MessageBuilder::message_id(std::string_view unique, std::string_view domain) {
  message_id_ = "<" + detail::dot_atom_safe(unique) + "@" + detail::dot_atom_safe(domain) + ">";
  return *this;
}
MessageBuilder& MessageBuilder::in_reply_to(std::string_view message_id) {
  in_reply_to_ = std::string(message_id);
  return *this;
}
MessageBuilder& MessageBuilder::charset(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  iso2022jp_ = lower == "iso-2022-jp";
  return *this;
}
MessageBuilder& MessageBuilder::parent_references(std::string_view ids) {
  parent_references_ = std::string(ids);
  return *this;
}
MessageBuilder& MessageBuilder::header(std::string_view name, std::string_view value) {
  extra_.emplace_back(std::string(name), std::string(value));
  return *this;
}
MessageBuilder& MessageBuilder::body(std::string_view utf8_text) {
  body_ = std::string(utf8_text);
  return *this;
}
MessageBuilder& MessageBuilder::require_7bit(bool on) {
  require_7bit_ = on;
  return *this;
}

std::string MessageBuilder::address_field(std::string_view name, const std::vector<Person>& people) {
  std::string value;
  for (const auto& p : people) {
    if (!value.empty()) value += ", ";
    value += format_mailbox(p.display_name, p.address);
  }
  const bool encoded = value.find("=?") != std::string::npos;
  return fold_header(name, value, encoded ? kMaxEncodedLineLength : kFoldWidth);
}

std::string MessageBuilder::canonical_body() const {
  std::string b = to_crlf(body_);
  if (!b.empty() && b.back() != '\n') b += "\r\n";
  if (iso2022jp_)
    if (auto jis = iso2022jp_encode(b)) return *jis;
  return b;
}

bool MessageBuilder::body_in_iso2022jp() const {
  return iso2022jp_ && iso2022jp_encode(to_crlf(body_)).has_value();
}

std::string MessageBuilder::transfer_encoding() const {
  const std::string b = canonical_body();
  bool ascii = true;
  bool nul = false;
  std::size_t longest = 0;
  std::size_t line = 0;
  for (char c : b) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (c == '\0') nul = true;
    if (c == '\n') {
      longest = std::max(longest, line > 0 ? line - 1 : 0);  // without the CR
      line = 0;
    } else {
      ++line;
    }
  }
  longest = std::max(longest, line);
  if (nul || longest > kMaxLineLength) return "base64";
  if (ascii) return "7bit";
  return require_7bit_ ? "base64" : "8bit";
}

std::string MessageBuilder::build() const {
  std::string out;
  if (!date_.empty()) add_line(out, fold_header("Date", date_));
  if (!from_.empty()) add_line(out, address_field("From", from_));
  if (!reply_to_.empty()) add_line(out, address_field("Reply-To", reply_to_));
  if (!to_.empty()) add_line(out, address_field("To", to_));
  if (!cc_.empty()) add_line(out, address_field("Cc", cc_));
  if (subject_ && iso2022jp_ && encode_header_iso2022jp(*subject_, 9)) {
    add_line(out, "Subject: " + *encode_header_iso2022jp(*subject_, 9));
  } else if (subject_) {
    const std::string enc = encode_header_text(*subject_, 9);  // after "Subject: "
    if (enc.find("=?") != std::string::npos)
      add_line(out, "Subject: " + enc);
    else
      add_line(out, fold_header("Subject", *subject_));
  }
  if (!message_id_.empty()) add_line(out, fold_header("Message-ID", message_id_));
  if (!in_reply_to_.empty()) {
    add_line(out, fold_header("In-Reply-To", in_reply_to_));
    add_line(out, fold_header("References", parent_references_.empty() ? in_reply_to_
                                                                        : parent_references_ + " " + in_reply_to_));
  }
  for (const auto& [name, value] : extra_) add_line(out, fold_header(name, value));
  add_line(out, "MIME-Version: 1.0");
  add_line(out, body_in_iso2022jp() ? "Content-Type: text/plain; charset=ISO-2022-JP" : "Content-Type: text/plain; charset=UTF-8");
  const std::string cte = transfer_encoding();
  add_line(out, "Content-Transfer-Encoding: " + cte);
  out += "\r\n";
  const std::string b = canonical_body();
  out += cte == "base64" ? base64_lines(b) : b;
  return out;
}

std::vector<std::string> MessageBuilder::recipients() const {
  std::vector<std::string> out;
  for (const auto* list : {&to_, &cc_, &bcc_})
    for (const auto& p : *list) out.push_back(p.address);
  return out;
}

}  // namespace mailsim::message
