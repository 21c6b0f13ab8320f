// imap::MailStore over the simulator's mail store, and an IMAP server engine that follows it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/mail_store.hpp"
#include "protocols/imap/server.hpp"
#include "sim/apps/mail/store.hpp"

namespace mailsim::sim::mail {

// Virtual time 0 of every scenario, as IMAP sees it: 2025-11-01 09:00:00 +0900 (seconds
// since the Unix epoch). INTERNALDATE = this + sim time / 1'000'000.
inline constexpr std::int64_t kScenarioEpoch = 1761955200;
std::int64_t imap_seconds(Time t);
Time sim_time_from_imap(std::int64_t seconds);  // clamped to 0 (before the scenario began)

// The mapping (one adapter per IMAP session):
//   list_mailboxes      <- list_folders (name, subscribed); special-use from the folder's name
//   FolderResult        -> StoreResult (NoSuchUser/NoSuchFolder/InvalidName -> NoSuchMailbox)
//   snapshot / version / claim_recent / recent_count: passed through, dates converted
//   set_flags           -> store_flags(Replace)
//   expunge / copy / move / append: passed through; results converted
//   message_bytes       -> fetch() (a "fetched" record) while the command being executed
//                          reads a body (set_body_read(true)); raw() otherwise (SEARCH,
//                          ENVELOPE, headers) so the trace shows only real reads.
class ImapStoreAdapter : public imap::MailStore {
 public:
  explicit ImapStoreAdapter(mail::MailStore& store) : store_(store) {}

  void set_body_read(bool on) { body_read_ = on; }

  bool authenticate(std::string_view user, std::string_view password) override;
  std::vector<imap::MailboxEntry> list_mailboxes(std::string_view user) override;
  imap::StoreResult create_mailbox(std::string_view user, std::string_view name) override;
  imap::StoreResult delete_mailbox(std::string_view user, std::string_view name) override;
  imap::StoreResult rename_mailbox(std::string_view user, std::string_view from, std::string_view to) override;
  imap::StoreResult set_subscribed(std::string_view user, std::string_view name, bool subscribed) override;
  std::optional<imap::MailboxSnapshot> snapshot(std::string_view user, std::string_view mailbox) override;
  std::uint64_t version(std::string_view user, std::string_view mailbox) override;
  std::vector<std::uint32_t> claim_recent(std::string_view user, std::string_view mailbox) override;
  std::uint32_t recent_count(std::string_view user, std::string_view mailbox) override;
  std::shared_ptr<const std::string> message_bytes(std::string_view user, std::string_view mailbox,
                                                   std::uint32_t uid) override;
  bool set_flags(std::string_view user, std::string_view mailbox, std::uint32_t uid,
                 const imap::FlagSet& flags) override;
  std::vector<std::uint32_t> expunge(std::string_view user, std::string_view mailbox,
                                     const std::vector<std::uint32_t>& uids) override;
  imap::AppendResult append(std::string_view user, std::string_view mailbox, std::string_view raw,
                            const imap::FlagSet& flags, std::int64_t internal_date) override;
  imap::CopyResult copy(std::string_view user, std::string_view from, const std::vector<std::uint32_t>& uids,
                        std::string_view to) override;
  imap::CopyResult move(std::string_view user, std::string_view from, const std::vector<std::uint32_t>& uids,
                        std::string_view to) override;

 private:
  mail::MailStore& store_;
  bool body_read_ = false;
};

// True when an IMAP command line reads message bodies: FETCH / UID FETCH asking for
// BODY[...] or BODY.PEEK[...] of a part or the text (not only headers), RFC822 or RFC822.TEXT.
bool imap_line_reads_body(std::string_view line);

// One IMAP server connection: an imap::ServerSession over its own adapter that watches the
// selected folder in the store. Offers the engine interface SessionLink needs. Input is
// handed to the session one line at a time, so the adapter knows which command is running.
// A change of the selected folder by anyone (delivery, another session, this one) schedules
// `on_change` (set by the owner: poll() then flush the link) — never re-entrantly.
class ImapServerEngine {
 public:
  ImapServerEngine(mail::MailStore& store, imap::ServerConfig config);
  ~ImapServerEngine();
  ImapServerEngine(const ImapServerEngine&) = delete;
  ImapServerEngine& operator=(const ImapServerEngine&) = delete;

  // Called (from the store's watch callback) when the selected folder changed.
  std::function<void()> on_change;
  // Virtual time, for APPEND without a date (optional).
  std::function<Time()> clock;

  void receive(std::string_view bytes);
  std::string take_output() { return session_.take_output(); }
  std::vector<proto::ProtocolEvent> take_events() { return session_.take_events(); }
  bool tls_requested() const { return session_.tls_requested(); }
  void tls_established() { session_.tls_established(); }
  bool closed() const { return session_.closed(); }
  void connection_lost();
  void timed_out() {
    session_.timed_out();
    follow_selection();
  }
  // Reports the store's changes to the client (untagged responses; at once in IDLE).
  void poll();
  void set_now(std::int64_t seconds) { session_.set_now(seconds); }

  imap::ServerSession& session() { return session_; }

 private:
  void follow_selection();

  mail::MailStore& store_;
  ImapStoreAdapter adapter_;
  imap::ServerSession session_;
  std::string line_;  // the current input line so far (bounded), to classify it
  std::optional<mail::MailStore::ObserverId> watch_;
  std::string watched_user_;
  std::string watched_folder_;
};

}  // namespace mailsim::sim::mail
