// The abstract mailbox store an IMAP server session works against (the simulator implements it).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/imap_util.hpp"

namespace mailsim::imap {

// What a session knows about one message without reading its bytes.
struct MessageMeta {
  std::uint32_t uid = 0;
  FlagSet flags;                    // stored flags (never \Recent)
  std::int64_t internal_date = 0;   // seconds since the epoch, UTC (a parameter: no clock)
  std::uint64_t size = 0;           // RFC822.SIZE: octets of the raw message
};

// A copy of a mailbox's state at one moment, messages in ascending UID order.
struct MailboxSnapshot {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint64_t version = 0;  // see MailStore::version
  std::vector<MessageMeta> messages;
};

struct MailboxEntry {
  std::string name;  // full name with "/" as the hierarchy delimiter; "INBOX" for the inbox
  bool subscribed = false;
  // RFC 6154 special-use attribute ("\\Sent", "\\Trash", "\\Drafts", "\\Junk", "\\Archive",
  // "\\All", "\\Flagged") or empty. The store decides (special_use_for_name() is the usual rule).
  std::string special_use;
};

enum class StoreResult { Ok, NoSuchMailbox, AlreadyExists, NotAllowed, OverQuota, HasChildren };

struct AppendResult {
  StoreResult result = StoreResult::Ok;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uid = 0;
};

// COPY/MOVE: source UIDs (ascending) and the UIDs they got in the destination, pairwise.
struct CopyResult {
  StoreResult result = StoreResult::Ok;
  std::uint32_t uidvalidity = 0;  // of the destination
  std::vector<std::uint32_t> source_uids;
  std::vector<std::uint32_t> dest_uids;
};

// The backend. All calls are synchronous and name the authenticated user; mailbox names
// are exact except "INBOX", which is case-insensitive.
//
// Change feed: the store never calls sessions. Every change to a mailbox (new message,
// flags, expunge) must increase that mailbox's `version`. A ServerSession remembers the
// version it last saw; after each command, at NOOP, and whenever its owner calls
// `ServerSession::poll()` it compares, and when the version moved it takes a new snapshot
// and reports the difference (EXPUNGE, EXISTS, RECENT, FETCH FLAGS) to its client. The
// simulator (or a test) calls poll() on every session of a mailbox after changing it, so
// a session in IDLE pushes the news at once.
class MailStore {
 public:
  virtual ~MailStore() = default;

  virtual bool authenticate(std::string_view user, std::string_view password) = 0;

  virtual std::vector<MailboxEntry> list_mailboxes(std::string_view user) = 0;
  virtual StoreResult create_mailbox(std::string_view user, std::string_view name) = 0;
  virtual StoreResult delete_mailbox(std::string_view user, std::string_view name) = 0;
  // Renaming INBOX moves its messages to the new mailbox and leaves INBOX empty (RFC 3501).
  virtual StoreResult rename_mailbox(std::string_view user, std::string_view from,
                                     std::string_view to) = 0;
  virtual StoreResult set_subscribed(std::string_view user, std::string_view name,
                                     bool subscribed) = 0;

  virtual std::optional<MailboxSnapshot> snapshot(std::string_view user,
                                                  std::string_view mailbox) = 0;
  // Changes whenever the mailbox's messages or flags change; 0 when it doesn't exist.
  virtual std::uint64_t version(std::string_view user, std::string_view mailbox) = 0;
  // Returns the UIDs that are \Recent for the caller and clears their recent mark in the
  // store (the first session to see a message gets \Recent; RFC 3501 section 2.3.2).
  virtual std::vector<std::uint32_t> claim_recent(std::string_view user,
                                                  std::string_view mailbox) = 0;
  // Messages still marked recent (for STATUS RECENT).
  virtual std::uint32_t recent_count(std::string_view user, std::string_view mailbox) = 0;

  virtual std::shared_ptr<const std::string> message_bytes(std::string_view user,
                                                           std::string_view mailbox,
                                                           std::uint32_t uid) = 0;
  // Replaces the flags of one message; false when it no longer exists.
  virtual bool set_flags(std::string_view user, std::string_view mailbox, std::uint32_t uid,
                         const FlagSet& flags) = 0;
  // Removes those of `uids` that carry \Deleted; returns the UIDs removed, ascending.
  virtual std::vector<std::uint32_t> expunge(std::string_view user, std::string_view mailbox,
                                             const std::vector<std::uint32_t>& uids) = 0;
  virtual AppendResult append(std::string_view user, std::string_view mailbox,
                              std::string_view raw, const FlagSet& flags,
                              std::int64_t internal_date) = 0;
  virtual CopyResult copy(std::string_view user, std::string_view from,
                          const std::vector<std::uint32_t>& uids, std::string_view to) = 0;
  // Copies then removes the source messages (whatever their flags).
  virtual CopyResult move(std::string_view user, std::string_view from,
                          const std::vector<std::uint32_t>& uids, std::string_view to) = 0;
};

}  // namespace mailsim::imap
