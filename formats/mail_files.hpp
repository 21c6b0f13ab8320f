// Messages as files: .eml names, mbox (mboxrd) and Maildir names from a store's contents.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "formats/trace_view.hpp"
#include "sim/core/event_core.hpp"

namespace mailsim::sim::mail {
struct MailWorld;
}

namespace mailsim::formats {

// One stored copy of a message as a mail server's store holds it.
struct StoredMessage {
  std::string host;    // the mail server
  std::string user;
  std::string folder;
  std::uint32_t uid = 0;
  std::vector<std::string> flags;  // IMAP flags ("\Seen", keywords), sorted
  bool recent = false;
  sim::Time internal_date = 0;
  std::string raw;     // RFC 5322 bytes, CRLF line ends (Return-Path and Received on top)
};

// Every message of every store (hosts, users and folders in name order, UIDs ascending).
std::vector<StoredMessage> stored_messages(const sim::mail::MailWorld& world);

// Every message of a run, kept while it runs (the trace holds only a preview of each body,
// and a store at the end no longer holds what POP3 deleted): each SMTP DATA a server received,
// in clear or inside TLS, and each copy filed in a store (delivered, appended, copied) as filed.
struct RunMessages {
  std::vector<SmtpTransfer> transfers;
  std::vector<StoredMessage> stored;
  std::vector<std::string> stored_how;  // per stored copy: "delivered", "appended" or "copied"
};
// Hooks `into` to the world's observers; call from sim::RunOptions::before_start. `into` must
// outlive the run.
void collect_messages(sim::mail::MailWorld& world, RunMessages& into);
// The messages of one mailbox: `user` at `host`, every folder.
std::vector<StoredMessage> mailbox_messages(const std::vector<StoredMessage>& all, const std::string& host,
                                            const std::string& user);

// A message file to write: a readable name and its bytes.
struct MessageFile {
  std::string name;  // "003-delivered-mx-hogehoge-kuroyagi-INBOX-1-Lunch_on_Friday.eml"
  std::string raw;
};

// The .eml files of a run, in time order: each message sent with SMTP DATA (submitted to a
// submission port, or relayed between servers) and each stored copy (delivered, DSNs among
// them, named "dsn" when the sender is empty or MAILER-DAEMON; `how` names the others, e.g.
// "appended", and may be empty: all "delivered"). A DSN in transit is "relayed-dsn".
std::vector<MessageFile> eml_files(const std::vector<SmtpTransfer>& transfers,
                                   const std::vector<StoredMessage>& stored,
                                   const std::vector<std::string>& how = {});
std::vector<MessageFile> eml_files(const RunMessages& messages);
// A delivery status notification (RFC 3464): multipart/report; report-type=delivery-status.
bool is_dsn(const std::string& raw);

// A piece of a file name from text: ASCII letters, digits, '-', '.', and '_' for the rest
// (runs collapsed), at most `max` characters; the decoded Subject is used for names.
std::string file_name_part(const std::string& text, std::size_t max = 40);

// The decoded Subject of a raw message ("" when absent).
std::string message_subject(const std::string& raw);
// The reverse path of Return-Path without angle brackets ("" for the null path or none).
std::string return_path(const std::string& raw);

// mbox in the mboxrd convention: each message after a "From SENDER DATE" line, every line
// that matches ">*From " quoted with one more '>', line ends LF (the local convention),
// a blank line after each message. DATE is the internal date in asctime form (UTC).
std::string write_mbox(const std::vector<StoredMessage>& messages, std::int64_t epoch);

// Maildir: where a message goes ("new" for unseen recent mail without flags, else "cur")
// and its unique file name, "SECONDS.M<usec>P<uid>Q<n>.mailsim" plus ":2,FLAGS" in cur
// (D draft, F flagged, R answered, S seen, T deleted; ASCII order).
struct MaildirEntry {
  std::string subdir;  // "new" or "cur"
  std::string name;
  std::string raw;     // LF line ends (the local convention)
};
std::vector<MaildirEntry> maildir_entries(const std::vector<StoredMessage>& messages, std::int64_t epoch);

// CRLF -> LF.
std::string to_lf(const std::string& raw);

}  // namespace mailsim::formats
