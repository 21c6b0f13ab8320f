// What a device's mail reader shows: its local messages, their trace records, and replaying them.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

namespace mailsim::sim::mail {

// Device records are RecordKind::Mailbox records with `host` = the device, `peer` = the mail
// server, `protocol` = "pop3" or "imap". Events:
//   device-downloaded  POP3: a copy now lives on the device (detail.id = POP3 unique-id)
//   device-synced      IMAP: the device now shows a message of the server's folder (uid)
//   device-opened      the user opened it (seen = true)
//   device-flags       its read/unread mark changed on the device (seen)
//   device-deleted     gone from the device (detail.by = "user" or "server")
//   device-checked     a check_mail finished (count = messages the device shows)
//   check-failed       a check_mail could not be done (detail.error says why)
//   check-coalesced    a check_mail came while one was running: detail.how "after" (POP3: it runs
//                      when the running one ends) or "join" (IMAP: the running sync covers it)
//   action-failed      open / mark_read / delete could not be done (detail.action, error)
// Per-message detail: account, subject, from, key (the POP3 unique-id or the IMAP UID as
// text), id or uid, seen, folder, size, count (messages on the device after the change).
// The events are sim::MailboxEvent values (DeviceDownloaded ... ActionFailed), named once in
// sim/core/trace.cpp.

// What a reply needs of the message it answers (RFC 5322 3.6.4), read from its header.
struct ReplyParent {
  std::string message_id;  // the parent's Message-ID ("<id@host>"), empty when it has none
  std::string references;  // the parent's References, or else its In-Reply-To when that is one id
  std::string reply_to;    // the address to answer: the first of Reply-To, else of From
  std::string subject;     // decoded
};
ReplyParent reply_parent(std::string_view raw);
// "Re: " and the subject, unless it already starts with "Re:" (in any case).
std::string reply_subject(std::string_view subject);

// One message as the device shows it.
struct DeviceMessage {
  std::string account;
  std::string key;         // POP3 unique-id, or the IMAP UID as text
  std::uint32_t uid = 0;   // IMAP only
  std::string subject;
  std::string from;
  std::uint64_t size = 0;
  bool seen = false;
  std::string folder = "INBOX";
  ReplyParent parent;  // POP3: read at download (an IMAP device reads it when it opens the message)
  std::string preview;  // the start of the text as the mail program shows it (set once it has the body)
};

// The subject and the start of the body of a raw message as a mail program shows them: in the
// charset each part declares (`reads_as` empty), or read as `reads_as` ("utf-8", "iso-8859-1")
// whatever it declares, as a misconfigured program does. Control characters are left out (a
// screen shows nothing for ESC); the preview is at most kPreviewChars characters.
inline constexpr std::size_t kPreviewChars = 160;
struct ShownText {
  std::string subject;
  std::string preview;
  std::string charset;  // what the text part declares (lower-case; empty: none)
};
ShownText shown_text(std::string_view raw, std::string_view reads_as);

// A device's local mailbox (for POP3: downloaded copies that stay when the server's copy is
// deleted or the network is gone).
class DeviceMailbox {
 public:
  DeviceMessage& add(DeviceMessage m);
  // First message of the account with this subject (exact match), or nullptr.
  DeviceMessage* find_subject(std::string_view account, std::string_view subject);
  bool remove(std::string_view account, std::string_view key);
  std::size_t count(std::string_view account) const;
  const std::vector<DeviceMessage>& messages() const { return messages_; }

 private:
  std::vector<DeviceMessage> messages_;
};

// The "Subject:" and "From:" of a raw message, encoded words decoded ("" when absent).
std::string message_subject(std::string_view raw);
std::string message_from(std::string_view raw);

// A device record, typed (time and seq are stamped by Simulation::record; add its typed()).
MailboxRecord device_record(MailboxEvent event, const std::string& device, const std::string& server,
                            const std::string& protocol, const DeviceMessage& m, std::size_t count,
                            std::string summary);
// A device record about an account, not one message (check-failed, device-checked ...).
MailboxRecord account_record(MailboxEvent event, const std::string& device, const std::string& server,
                             const std::string& protocol, const std::string& account, std::string summary);

// What `device` shows at time `until`, replayed from its device records alone.
struct DeviceViewEntry {
  std::string account;
  std::string key;
  std::string subject;
  std::string folder;
  bool seen = false;
};
std::vector<DeviceViewEntry> device_view(const Trace& trace, const std::string& device,
                                         Time until = std::numeric_limits<Time>::max());

}  // namespace mailsim::sim::mail
