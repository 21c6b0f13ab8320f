// Composing RFC 5322 messages: address fields, encoded subject, date, Message-ID, MIME text body.
//
// Implements RFC 5322 3.6 (Date, From, To, Cc, Reply-To, Subject, Message-ID, In-Reply-To,
// References), RFC 2045 4 and 6 (MIME-Version, Content-Transfer-Encoding 7bit/8bit/base64),
// RFC 2047 (non-ASCII display names and subject as UTF-8 B-encoded words), RFC 1468 (an
// ISO-2022-JP subject and body on request) and RFC 5322 2.1.1
// line limits: CRLF line endings only, header lines folded at 78 columns (76 when they carry
// encoded words), body lines never over 998 octets (a body that would break that is sent base64).
// Does not implement: attachments/multipart composition, quoted-printable, format=flowed,
// Sender/Resent-* fields. Bcc recipients are kept for the envelope and never written.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::message {

class MessageBuilder {
 public:
  MessageBuilder& from(std::string_view address, std::string_view display_name_utf8 = {});
  MessageBuilder& to(std::string_view address, std::string_view display_name_utf8 = {});
  MessageBuilder& cc(std::string_view address, std::string_view display_name_utf8 = {});
  MessageBuilder& bcc(std::string_view address);
  MessageBuilder& reply_to(std::string_view address, std::string_view display_name_utf8 = {});
  MessageBuilder& subject(std::string_view utf8);
  // Date from simulated time: scenario epoch (Unix seconds) + virtual seconds, in a fixed zone.
  MessageBuilder& date(std::int64_t scenario_epoch_unix, std::int64_t virtual_seconds, int zone_offset_minutes);
  // Message-ID "<unique@domain>"; characters not allowed in a dot-atom become '-'.
  MessageBuilder& message_id(std::string_view unique, std::string_view domain);
  MessageBuilder& in_reply_to(std::string_view message_id);  // "<id@host>", also sets References
  // The parent's own thread (RFC 5322 3.6.4: its References, or else its single In-Reply-To):
  // References becomes these ids followed by the parent's Message-ID given to in_reply_to.
  MessageBuilder& parent_references(std::string_view ids);
  MessageBuilder& header(std::string_view name, std::string_view value);  // any extra field
  MessageBuilder& body(std::string_view utf8_text);
  // The next hop does not offer 8BITMIME: non-ASCII bodies then go base64.
  MessageBuilder& require_7bit(bool on = true);
  // "ISO-2022-JP": the subject as ISO-2022-JP encoded words and the body in ISO-2022-JP (7bit,
  // RFC 1468), as Japanese mail programs long sent mail; text it cannot carry falls back to
  // UTF-8 (check with iso2022jp_encode first). Anything else: UTF-8 (the default).
  MessageBuilder& charset(std::string_view name);

  // The message: header fields, empty line, body; CRLF line endings throughout.
  std::string build() const;
  // "7bit", "8bit" or "base64": what build() uses for the current body.
  std::string transfer_encoding() const;
  // Envelope recipients (To, Cc, Bcc addresses in that order) for RCPT TO.
  std::vector<std::string> recipients() const;
  // The Message-ID field value, empty when none was set.
  const std::string& message_id_value() const { return message_id_; }

 private:
  struct Person {
    std::string address;
    std::string display_name;
  };
  static std::string address_field(std::string_view name, const std::vector<Person>& people);
  std::string canonical_body() const;
  bool body_in_iso2022jp() const;

  std::vector<Person> from_, to_, cc_, bcc_, reply_to_;
  std::optional<std::string> subject_;
  std::string date_;
  std::string message_id_;
  std::string in_reply_to_;
  std::string parent_references_;
  std::vector<std::pair<std::string, std::string>> extra_;
  std::string body_;
  bool require_7bit_ = false;
  bool iso2022jp_ = false;
};

// Normalises line endings to CRLF (bare LF and bare CR become CRLF).
std::string to_crlf(std::string_view text);

// Base64 with CRLF after every 76 characters (RFC 2045 6.8), ending in CRLF.
std::string base64_lines(std::string_view bytes);

}  // namespace mailsim::message
