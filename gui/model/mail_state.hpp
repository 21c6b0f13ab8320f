// Mail at time t, from the trace alone: mailboxes with quota, MTA queues, devices, resolver caches, letters.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gui/model/shared_vector.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::gui {

inline constexpr std::size_t kNoLetter = std::numeric_limits<std::size_t>::max();

// One message in a server mailbox.
struct StoredMessage {
  std::uint64_t store_id = 0;  // the store's message number (mailbox detail `message_id`)
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::vector<std::string> flags;  // "\\Seen", "\\Deleted", keywords
  std::size_t letter = kNoLetter;  // index into MailModel::letters()
  std::size_t record = 0;          // the record that put it here (stored, appended, copied, moved)
  bool seen() const;
  bool deleted() const;  // marked \Deleted (IMAP), gone at the next EXPUNGE
  bool operator==(const StoredMessage&) const = default;
};

struct FolderState {
  std::string name;
  std::vector<StoredMessage> messages;  // ascending UID
  bool operator==(const FolderState&) const = default;
};

// One user's mailbox on a server host.
struct MailboxState {
  std::string host;
  std::string user;
  std::uint64_t quota_used = 0;
  std::uint64_t quota_limit = 0;  // 0: unlimited
  std::vector<FolderState> folders;  // INBOX first, then in order of appearance
  bool locked = false;               // a POP3 session holds the maildrop
  // The latest delivery the store refused (mailbox full, too large): shown next to the gauge.
  std::uint64_t refused_size = 0;
  std::string refused_reason;
  std::optional<std::size_t> refused_record;
  std::size_t message_count() const;
  std::size_t unread_count() const;   // messages without \Seen (and not marked \Deleted)
  std::size_t deleted_count() const;  // messages marked \Deleted
  const FolderState* folder(const std::string& name) const;
  // used / limit, 0 when unlimited.
  double fill() const {
    return quota_limit == 0 ? 0.0 : static_cast<double>(quota_used) / static_cast<double>(quota_limit);
  }
  bool operator==(const MailboxState&) const = default;
};

// A message waiting in an MTA's outbound queue.
struct QueueEntry {
  std::string queue_id;
  std::size_t letter = kNoLetter;
  std::string sender;
  std::vector<std::string> recipients;  // still waiting for these
  std::string subject;
  std::uint64_t size = 0;
  sim::Time queued_at = 0;
  bool deferred = false;   // a temporary failure: waits for retry_at
  std::int64_t attempts = 0;
  sim::Time retry_at = 0;
  std::string reason;      // why it was deferred
  std::string trying;      // the mail host it is trying now (routing / connect-failed)
  std::size_t record = 0;  // the queued record
  bool operator==(const QueueEntry&) const = default;
};

struct MtaQueue {
  std::string host;
  SharedVector<QueueEntry> entries;  // in order of queueing (shared between states until changed)
  std::size_t deferred_count() const;
  bool operator==(const MtaQueue&) const = default;
};

// One message as a device's mail program shows it.
struct DeviceItem {
  std::string account;
  std::string key;  // POP3 unique-id or IMAP UID as text
  std::string subject;
  std::string from;
  std::string folder;
  std::uint64_t size = 0;
  bool seen = false;
  std::size_t letter = kNoLetter;
  bool operator==(const DeviceItem&) const = default;
};

struct DeviceState {
  std::string host;
  std::vector<DeviceItem> items;
  std::string last_error;  // the last check-failed / action-failed, cleared by a successful check
  bool operator==(const DeviceState&) const = default;
};

// How a letter's life has gone so far (the last thing that happened to it as a whole).
enum class LetterStage { Unknown, Composed, Submitted, SendFailed, Queued, Relayed, Delivered, Refused, Bounced };

struct LetterStatus {
  LetterStage stage = LetterStage::Unknown;
  std::size_t last_record = 0;  // the latest record about it that has happened
  bool operator==(const LetterStatus&) const = default;
};

// Everything about mail at one moment. Hosts appear in the order the model first met them.
// Copies are cheap: mailboxes, queues (and their entries) and devices are shared between
// states (the model's snapshots and every state made from them) until a state changes one
// of them, which then gets its own copy of that one (SharedVector::mutate, used by the model
// only). Reading them yields `const T&` as a vector would.
struct MailState {
  SharedVector<MailboxState> mailboxes;
  SharedVector<MtaQueue> queues;    // every MTA that ever queued something (possibly empty now)
  SharedVector<DeviceState> devices;
  std::vector<LetterStatus> letters;  // parallel to MailModel::letters()

  // Where each host's mailboxes, queue and device are in the vectors above (which only grow,
  // so a position found in the model's last state holds in every earlier one). Shared by all
  // states of one MailModel; a state without it (built by hand) is searched linearly.
  struct HostIndex {
    std::unordered_map<std::string, std::vector<std::size_t>> mailboxes;  // ascending positions
    std::unordered_map<std::string, std::size_t> queues;
    std::unordered_map<std::string, std::size_t> devices;
  };
  struct IndexRef {
    std::shared_ptr<const HostIndex> ptr;
    bool operator==(const IndexRef&) const { return true; }  // a lookup aid, not state
  };
  IndexRef index;

  const MailboxState* mailbox(const std::string& host, const std::string& user) const;
  std::vector<const MailboxState*> mailboxes_of(const std::string& host) const;
  const MtaQueue* queue(const std::string& host) const;
  const DeviceState* device(const std::string& host) const;
  bool operator==(const MailState&) const = default;
};

// Where a letter is at one moment (a letter can be in several places: a copy per recipient,
// a copy on a device).
struct LetterPlace {
  enum class Kind { Queue, Mailbox, Device };
  Kind kind = Kind::Mailbox;
  std::string host;
  std::string what;  // queue id, "user/folder", or the account
  std::uint32_t uid = 0;
  bool deferred = false;
  sim::Time retry_at = 0;
};

// A letter: one message as it travels (identified by its Message-ID header when it has one),
// with what the trace tells of its contents. Time-independent.
struct Letter {
  std::string key;         // Message-ID, or "host:queue id" / "host#store id" without one
  std::string message_id;  // the Message-ID header ("" when unknown)
  std::string subject;
  std::string from;        // From: header, or the envelope sender
  std::string sender;      // envelope sender (MAIL FROM)
  std::vector<std::string> recipients;  // envelope recipients (RCPT TO), as first seen
  std::uint64_t size = 0;  // the largest size seen (it grows by a Received: line per hop)
  std::string headers;     // header section as stored at final delivery (unescaped), "" when unknown
  std::optional<std::size_t> headers_record;  // the stored / appended record that carried them
  bool headers_truncated = false;
  std::string body_preview;
  bool body_truncated = false;
  std::vector<std::size_t> history;  // records about it, in order
};

// One entry of a recursive resolver's cache, learned from an authoritative answer it received.
struct CacheEntry {
  std::string record;  // presentation form: "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com."
  sim::Time learned = 0;
  sim::Time expires = 0;
  std::size_t source = 0;  // the response record
};

// Built once from the records (sorted by time, as TraceModel keeps them); answers the state
// after any record from the nearest earlier snapshot. Snapshots share every mailbox, queue
// entry and device that did not change since the one before, so copying one costs a pointer
// per mailbox, queue and device plus the letters' stages (plain, 1/8 each), not the
// messages. A snapshot is taken after kCheckpointEvery changes, or after copy cost /
// kChangeCost when that is more (replaying a change costs about kChangeCost pointer
// copies): a seek costs one such copy plus at most that many changes and the copies of the
// parts they change; all snapshots together stay proportional to the changes.
class MailModel {
 public:
  static constexpr std::size_t kCheckpointEvery = 64;
  static constexpr std::size_t kChangeCost = 16;

  MailModel() = default;
  MailModel(const sim::Scenario& scenario, const sim::RecordStore& records);

  // State after every record with index <= upto has happened (nullopt: before the first).
  MailState state_after(std::optional<std::size_t> upto) const;
  // The same by applying every change from the start (for tests: must equal state_after).
  MailState replay_after(std::optional<std::size_t> upto) const;

  const std::vector<Letter>& letters() const { return letters_; }
  std::optional<std::size_t> letter_by_key(const std::string& key) const;
  // Every place the letter is in `state`.
  std::vector<LetterPlace> places(const MailState& state, std::size_t letter) const;
  // The resolver cache of `host` after record `upto` at time t (entries not yet expired).
  std::vector<CacheEntry> cache_at(const std::string& host, std::optional<std::size_t> upto, sim::Time t) const;
  bool has_cache(const std::string& host) const { return caches_.count(host) != 0; }
  std::size_t change_count() const { return changes_.size(); }

 private:
  // A trace record reduced to what changes the state, with letters already resolved.
  struct Change {
    enum class Op {
      Usage,          // only quota numbers (and lock) change
      QuotaLimit,     // a user's quota changed (change_server): the limit only
      Add,            // a message appears in a folder
      Remove,         // a message leaves a folder
      Flags,          // a message's flags change
      Move,           // a message changes folder (and UID)
      FolderAdd,
      FolderRemove,
      FolderRename,
      Lock,
      Unlock,
      Refused,        // a delivery was refused (size, reason)
      QueueAdd,
      QueueDefer,
      QueueTrying,
      QueueDone,      // one recipient left the queue (relayed, bounced)
      DeviceAdd,
      DeviceUpdate,
      DeviceRemove,
      DeviceError,
      DeviceOk,
      Letter,         // only the letter's stage
    };
    Op op = Op::Usage;
    std::size_t record = 0;
    std::string host;
    std::string user;        // mailbox user, or device account
    std::string folder;
    std::string to_folder;
    std::uint32_t uid = 0;
    std::uint32_t to_uid = 0;
    std::uint64_t store_id = 0;
    std::uint64_t size = 0;
    std::uint64_t quota_used = 0;
    std::uint64_t quota_limit = 0;
    bool has_quota = false;
    std::vector<std::string> flags;
    std::string text;        // queue id, device key
    std::string subject;
    std::string from;        // device: From; queue: sender
    std::vector<std::string> list;  // queue: recipients; QueueDone: the recipient
    std::string reason;
    std::int64_t attempts = 0;
    sim::Time time = 0;
    sim::Time retry_at = 0;
    bool seen = false;
    std::size_t letter = kNoLetter;
    LetterStage stage = LetterStage::Unknown;
  };

  MailState initial_state() const;
  void apply(MailState& s, const Change& c) const;
  std::size_t changes_upto(std::optional<std::size_t> upto) const;
  std::size_t letter_for(const std::string& key);

  std::vector<Change> changes_;  // ascending record
  std::vector<MailState> checkpoints_;      // checkpoints_[k]: state after changes_[0 .. checkpoint_at_[k])
  std::vector<std::size_t> checkpoint_at_;  // ascending, checkpoint_at_[0] == 0
  std::vector<Letter> letters_;
  std::map<std::string, std::size_t> letter_index_;
  std::vector<std::pair<std::string, std::string>> seed_mailboxes_;  // (host, user) from the scenario
  std::map<std::string, std::uint64_t> seed_quota_;                  // "host/user" -> quota
  std::map<std::string, std::vector<CacheEntry>> caches_;            // resolver host -> learned entries
  std::shared_ptr<const MailState::HostIndex> host_index_;           // of the last state
};

}  // namespace mailsim::gui
