// The mailbox store of a simulated mail server: users, folders, messages, quota, change feed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/imap_util.hpp"
#include "sim/core/event_core.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::sim::mail {

// Message flags: system flags in canonical spelling ("\Seen"), keywords as given. They are
// imap::FlagSet and its flag names themselves, so an IMAP adapter passes sets through
// unchanged. \Recent is never stored here: it is a per-message mark handed out by
// claim_recent() (RFC 3501 2.3.2).
using imap::FlagSet;
using imap::kAnswered;
using imap::kDeleted;
using imap::kDraft;
using imap::kFlagged;
using imap::kRecent;
using imap::kSeen;

inline constexpr std::string_view kInbox = "INBOX";
inline constexpr std::string_view kSent = "Sent";
inline constexpr std::string_view kTrash = "Trash";
inline constexpr char kDelimiter = '/';
// Longest folder name (octets) and deepest hierarchy accepted by create/rename.
inline constexpr std::size_t kMaxFolderName = 255;
inline constexpr std::size_t kMaxFolderDepth = 16;

// Store-wide identity of one stored copy of a message (from 1, never reused). A move keeps
// it; a copy gets a new one. `origin` is the caller's tracking number of the letter (for
// example the MTA queue id) and is kept by copies, so the trace can follow "message #12".
using MessageId = std::uint64_t;

struct MessageMeta {
  MessageId id = 0;
  std::uint64_t origin = 0;
  std::uint32_t uid = 0;
  Time internal_date = 0;  // virtual time of arrival (delivery / APPEND / copy source's date)
  std::uint64_t size = 0;  // octets of the raw bytes (RFC 5322, CRLF line ends)
  FlagSet flags;
  bool recent = false;     // not yet claimed by a session (claim_recent)
};

// A folder's state at one moment; messages ascend by UID.
struct FolderSnapshot {
  std::string name;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint64_t version = 0;
  std::vector<MessageMeta> messages;
};

struct FolderInfo {
  std::string name;  // full name, "/" between levels, "INBOX" for the inbox
  bool subscribed = false;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t messages = 0;
  std::uint32_t recent = 0;
  std::uint32_t unseen = 0;
  std::uint64_t octets = 0;
};

// deliver(): what happened to the letter. SMTP maps NoSuchUser -> 550 5.1.1,
// OverQuota -> 552 5.2.2, TooLarge -> 552 5.3.4.
struct DeliveryResult {
  enum class Status { Stored, NoSuchUser, NoSuchFolder, OverQuota, TooLarge };
  Status status = Status::Stored;
  std::uint32_t uid = 0;          // Stored
  std::uint32_t uidvalidity = 0;  // Stored
  MessageId id = 0;               // Stored
  std::uint64_t used = 0;         // OverQuota: octets in use before this message
  std::uint64_t quota = 0;        // OverQuota
  std::uint64_t size = 0;         // every case: octets of the message
  std::uint64_t limit = 0;        // TooLarge: the per-message limit
  bool stored() const { return status == Status::Stored; }
};

enum class FolderResult { Ok, NoSuchUser, NoSuchFolder, AlreadyExists, InvalidName, NotAllowed, HasChildren };

// APPEND (IMAP) result.
struct AppendResult {
  enum class Status { Stored, NoSuchUser, NoSuchFolder, OverQuota };
  Status status = Status::Stored;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uid = 0;
  MessageId id = 0;
};

// COPY/MOVE: source UIDs (ascending, only those that existed) and their new UIDs in the
// destination, pairwise (RFC 4315 COPYUID).
struct CopyResult {
  enum class Status { Ok, NoSuchUser, NoSuchFolder, OverQuota };
  Status status = Status::Ok;
  std::uint32_t uidvalidity = 0;  // of the destination
  std::vector<std::uint32_t> source_uids;
  std::vector<std::uint32_t> dest_uids;
};

enum class FlagOp { Add, Remove, Replace };  // IMAP STORE +FLAGS / -FLAGS / FLAGS

// What a change record reports. Each has a trace event name (to_string).
enum class ChangeKind {
  Stored,                // delivered by the MDA
  DeliveryRefused,       // not stored: reason says why (no such user, over quota, too large)
  Appended,              // IMAP APPEND
  AppendRefused,
  Fetched,               // someone read the bytes (fetch(); POP3 RETR/TOP)
  FlagsChanged,
  Expunged,              // removed; reason: "expunge" or "folder deleted"
  Copied,                // a new copy in to_folder (to_uid, to_id)
  CopyRefused,
  Moved,                 // same id, now in to_folder as to_uid
  DownloadedAndDeleted,  // POP3: retrieved in the session, then deleted at QUIT
  DeletedViaPop3,        // POP3: deleted at QUIT without being retrieved in that session
  FolderCreated,
  FolderDeleted,
  FolderRenamed,         // folder -> to_folder
  SubscriptionChanged,
  MaildropLocked,        // POP3 lock taken
  MaildropLockRefused,   // POP3 lock held by another session
  MaildropUnlocked,
};
std::string_view to_string(ChangeKind kind);

struct ChangeRecord {
  ChangeKind kind = ChangeKind::Stored;
  std::uint64_t seq = 0;  // store-wide order of records, from 1
  std::string user;
  std::string folder;
  std::uint32_t uid = 0;
  MessageId id = 0;
  std::uint64_t origin = 0;
  std::uint64_t size = 0;
  FlagSet flags;                 // flags after the change (FlagsChanged: new flags)
  FlagSet old_flags;             // FlagsChanged only
  std::string to_folder;         // Copied, Moved, FolderRenamed
  std::uint32_t to_uid = 0;      // Copied, Moved
  MessageId to_id = 0;           // Copied: id of the new copy
  std::uint64_t quota_used = 0;  // the user's usage after the change
  std::uint64_t quota_limit = 0; // 0: unlimited
  std::uint64_t size_limit = 0;  // DeliveryRefused (too large)
  std::uint64_t version = 0;     // version of `folder` after the change (0: none)
  std::uint64_t to_version = 0;  // version of `to_folder` after the change (Copied, Moved)
  std::string reason;            // why (refusals, removals), readable
  // A refusal with numbers (mailbox full, over quota, too large): its reason is worded from
  // quota_used, size, quota_limit and size_limit (set_refusal fills `reason` with those words).
  StoreRefusal refusal = StoreRefusal::None;
  void set_refusal(StoreRefusal why) {
    refusal = why;
    reason = refusal_text(why, static_cast<std::int64_t>(quota_used), static_cast<std::int64_t>(size),
                          static_cast<std::int64_t>(quota_limit), static_cast<std::int64_t>(size_limit));
  }
  // Stored and Appended only: the message as stored, for viewers of the trace.
  std::string headers;            // the header section (with its empty line), at most kTraceHeaderLimit octets
  bool headers_truncated = false; // the header section was longer and was cut
  std::string body_preview;       // the first octets of the body (at most kTraceBodyPreview), as stored
  bool body_truncated = false;    // the body is longer than the preview
};

// Limits of what a Stored / Appended trace record carries of the message itself.
inline constexpr std::size_t kTraceHeaderLimit = 8192;
inline constexpr std::size_t kTraceBodyPreview = 512;

// A trace record (kind Mailbox, protocol "store") for the change; time, seq and host are
// for the owner to fill (Simulation::record stamps time and seq).
// The trace's event for a change (the names are spelled once, in sim/core/trace.cpp).
MailboxEvent mailbox_event(ChangeKind kind);
MailboxRecord to_record(const ChangeRecord& change, std::string host = {});

struct StoreConfig {
  std::uint64_t max_message_size = 0;      // per-message limit for deliver(); 0: none
  std::uint32_t first_uidvalidity = 1;     // UIDVALIDITY counter start (deterministic)
  bool create_default_folders = true;      // Sent and Trash next to INBOX for each user
};

// Every user has an INBOX; UIDVALIDITY values come from one store-wide counter, so a name
// that is deleted (or renamed away) and created again never shows an old UIDVALIDITY.
// A renamed folder keeps its UIDVALIDITY and UIDs (it is the same mailbox under a new
// name); renaming INBOX moves its messages into a new folder (new UIDVALIDITY) and INBOX
// keeps its UIDVALIDITY and UIDNEXT, so its UIDs are never reused (RFC 3501 6.3.5).
//
// Change feed, two ways:
//   - version(user, folder) grows on every change of the folder's messages or flags
//     (a store-wide counter, so a deleted-then-recreated folder never repeats a version);
//     sessions remember the version they saw and take a new snapshot when it moved.
//   - watch(user, folder, callback) calls back with every ChangeRecord about that folder
//     (as source or as to_folder), after the change is complete. Callbacks may call the
//     store, including watch/unwatch.
// Every change is also passed to the hook (set_hook) so the owner can put it in the trace.
class MailStore {
 public:
  using Hook = std::function<void(const ChangeRecord&)>;
  using ObserverId = std::uint64_t;
  using LockId = std::uint64_t;

  explicit MailStore(StoreConfig config = {});
  MailStore(const MailStore&) = delete;
  MailStore& operator=(const MailStore&) = delete;

  void set_hook(Hook hook) { hook_ = std::move(hook); }
  const StoreConfig& config() const { return config_; }
  // A timeline "change_server" changes the delivery size limit (0: none).
  void set_max_message_size(std::uint64_t limit) { config_.max_message_size = limit; }

  // --- users and domains ---
  // Adds a user (login name, normally the local part) with INBOX (+ Sent, Trash).
  // quota 0 means unlimited. False when the user exists already.
  bool add_user(std::string user, std::string password, std::uint64_t quota = 0);
  bool has_user(std::string_view user) const;
  bool authenticate(std::string_view user, std::string_view password) const;
  // The shared secret (APOP, CRAM): the password; nullopt for an unknown user.
  std::optional<std::string> secret(std::string_view user) const;
  void set_quota(std::string_view user, std::uint64_t quota);
  std::uint64_t quota(std::string_view user) const;
  std::uint64_t used(std::string_view user) const;  // octets over all folders
  std::vector<std::string> users() const;
  // Domains this server is final destination for (compared without case).
  void add_domain(std::string domain);
  bool hosts_domain(std::string_view domain) const;
  // "Alice@Example.COM" -> "alice" when the domain is hosted and the local part (compared
  // without case) is a user; nullopt otherwise.
  std::optional<std::string> user_for_address(std::string_view address) const;

  // --- delivery (MDA) ---
  // Checks, in order: user, size limit, folder, quota (used + size <= quota is stored).
  // `origin` is the caller's tracking number (0: the new id is used).
  DeliveryResult deliver(std::string_view user, std::string_view folder, std::string_view raw,
                         Time now, std::uint64_t origin = 0);

  // --- folders ---
  std::vector<FolderInfo> list_folders(std::string_view user) const;
  std::optional<FolderInfo> folder_info(std::string_view user, std::string_view folder) const;
  bool has_folder(std::string_view user, std::string_view folder) const;
  // Creates missing superior levels too ("a/b/c" creates "a" and "a/b").
  FolderResult create_folder(std::string_view user, std::string_view name);
  // INBOX cannot be deleted; a folder with inferiors is refused (HasChildren). Its messages
  // are removed with Expunged records (reason "folder deleted").
  FolderResult delete_folder(std::string_view user, std::string_view name);
  FolderResult rename_folder(std::string_view user, std::string_view from, std::string_view to);
  FolderResult set_subscribed(std::string_view user, std::string_view name, bool subscribed);

  // --- reading ---
  std::optional<FolderSnapshot> snapshot(std::string_view user, std::string_view folder) const;
  std::uint64_t version(std::string_view user, std::string_view folder) const;  // 0: no folder
  std::optional<MessageMeta> message(std::string_view user, std::string_view folder,
                                     std::uint32_t uid) const;
  // The raw bytes without a record (searches, header peeks); nullptr when gone.
  std::shared_ptr<const std::string> raw(std::string_view user, std::string_view folder,
                                         std::uint32_t uid) const;
  // The raw bytes with a Fetched record (reason = via, e.g. "pop3 RETR", "imap FETCH").
  std::shared_ptr<const std::string> fetch(std::string_view user, std::string_view folder,
                                           std::uint32_t uid, std::string_view via);
  // Takes the \Recent marks of the folder (ascending UIDs) and clears them.
  std::vector<std::uint32_t> claim_recent(std::string_view user, std::string_view folder);
  std::uint32_t recent_count(std::string_view user, std::string_view folder) const;
  struct Location {
    std::string user;
    std::string folder;
    std::uint32_t uid = 0;
  };
  std::optional<Location> locate(MessageId id) const;

  // --- changing ---
  // New flags of the message (\Recent ignored), nullopt when it does not exist.
  std::optional<FlagSet> store_flags(std::string_view user, std::string_view folder,
                                     std::uint32_t uid, FlagOp op, const FlagSet& flags);
  // Removes the messages carrying \Deleted (only those in `uids` when given); returns the
  // removed UIDs, ascending.
  std::vector<std::uint32_t> expunge(std::string_view user, std::string_view folder,
                                     const std::optional<std::vector<std::uint32_t>>& uids = {});
  // APPEND: subject to quota (not to the delivery size limit). \Recent in flags is ignored;
  // the new message is recent.
  AppendResult append(std::string_view user, std::string_view folder, std::string_view raw,
                      const FlagSet& flags, Time internal_date);
  // Copies keep flags and internal date, get new UIDs and ids and are recent; refused as a
  // whole when over quota. Unknown UIDs are skipped.
  CopyResult copy(std::string_view user, std::string_view from,
                  const std::vector<std::uint32_t>& uids, std::string_view to);
  // Moves keep ids, flags and dates and get new UIDs (also within one folder).
  CopyResult move(std::string_view user, std::string_view from,
                  const std::vector<std::uint32_t>& uids, std::string_view to);
  // POP3 UPDATE: removes one message whatever its flags, with a DownloadedAndDeleted
  // (retrieved = true) or DeletedViaPop3 record. False when it is gone already.
  bool pop3_delete(std::string_view user, std::string_view folder, std::uint32_t uid,
                   bool retrieved);

  // --- POP3 maildrop lock (one per user's INBOX; IMAP and delivery are not blocked) ---
  std::optional<LockId> lock_maildrop(std::string_view user);
  void unlock_maildrop(LockId lock);
  bool maildrop_locked(std::string_view user) const;

  // --- change feed ---
  ObserverId watch(std::string_view user, std::string_view folder,
                   std::function<void(const ChangeRecord&)> callback);
  void unwatch(ObserverId id);

  // Asserts (and returns a description of the first problem, empty when sound): each
  // message id in exactly one folder; per-user usage = sum of sizes; UIDs strictly
  // ascending and below UIDNEXT; UIDVALIDITY non-zero and distinct per user; INBOX exists.
  std::string find_invariant_violation() const;
  void check_invariants() const;

  // "INBOX" in any case (also as the first level: "inbox/x" -> "INBOX/x"); else unchanged.
  static std::string normal_name(std::string_view name);
  static bool valid_name(std::string_view name);

 private:
  struct Message {
    MessageMeta meta;
    std::shared_ptr<const std::string> raw;
  };
  struct Folder {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t version = 0;
    bool subscribed = false;
    std::vector<Message> messages;  // ascending UID
  };
  struct User {
    std::string password;
    std::uint64_t quota = 0;
    std::uint64_t used = 0;
    std::map<std::string, Folder, std::less<>> folders;
  };
  struct Observer {
    std::string user;
    std::string folder;
    std::function<void(const ChangeRecord&)> callback;
  };

  User* find_user(std::string_view user);
  const User* find_user(std::string_view user) const;
  Folder* find_folder(User& u, std::string_view name);
  const Folder* find_folder(const User& u, std::string_view name) const;
  static Message* find_message(Folder& f, std::uint32_t uid);
  static const Message* find_message(const Folder& f, std::uint32_t uid);
  Folder& new_folder(User& u, const std::string& name);
  void touch(Folder& f) { f.version = ++clock_; }
  static FolderInfo info_of(const std::string& name, const Folder& f);
  static bool has_inferiors(const User& u, const std::string& name);
  ChangeRecord base(ChangeKind kind, std::string_view user, const User* u,
                    std::string_view folder) const;
  // base() plus the fields that identify one message (uid, id, origin, size, flags).
  ChangeRecord base(ChangeKind kind, std::string_view user, const User* u, std::string_view folder,
                    const MessageMeta& meta) const;
  // Puts a new (recent) message at the end of `f` with the next UID, charges it to the
  // user's usage and emits its Stored / Appended record; returns the new message's meta.
  MessageMeta place(ChangeKind kind, std::string_view user, User& u, Folder& f, const std::string& folder,
                    std::string_view raw, FlagSet flags, Time date, std::uint64_t origin);
  void emit(ChangeRecord r);
  CopyResult transfer(std::string_view user, std::string_view from,
                      const std::vector<std::uint32_t>& uids, std::string_view to, bool move);

  StoreConfig config_;
  Hook hook_;
  std::map<std::string, User, std::less<>> users_;
  std::set<std::string, std::less<>> domains_;  // lower-case
  std::uint32_t next_uidvalidity_;
  std::uint64_t clock_ = 0;
  MessageId next_id_ = 1;
  std::uint64_t next_seq_ = 1;
  std::map<std::string, LockId, std::less<>> locks_;  // user -> holder
  LockId next_lock_ = 1;
  std::map<ObserverId, Observer> observers_;
  ObserverId next_observer_ = 1;
};

}  // namespace mailsim::sim::mail
