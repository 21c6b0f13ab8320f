// A simple in-memory MailStore: the reference store for tests and a model for the simulator's.
#pragma once
#include <map>

#include "protocols/imap/mail_store.hpp"

namespace mailsim::imap {

// Users with passwords and an optional quota (total octets over all their mailboxes);
// mailboxes with UIDVALIDITY, UIDNEXT, flags, internal dates and raw bytes. Every user
// has an INBOX. UIDVALIDITY values come from one counter, so runs are deterministic.
class MemoryStore : public MailStore {
 public:
  // Adds a user with an empty INBOX. quota 0 means unlimited.
  void add_user(std::string user, std::string password, std::uint64_t quota = 0);
  void set_quota(std::string_view user, std::uint64_t quota);
  // Total octets stored for the user.
  std::uint64_t used(std::string_view user) const;
  // Mail delivery (what an MDA does); same as append.
  AppendResult deliver(std::string_view user, std::string_view mailbox, std::string_view raw,
                       std::int64_t internal_date, const FlagSet& flags = {}) {
    return append(user, mailbox, raw, flags, internal_date);
  }

  bool authenticate(std::string_view user, std::string_view password) override;
  std::vector<MailboxEntry> list_mailboxes(std::string_view user) override;
  StoreResult create_mailbox(std::string_view user, std::string_view name) override;
  StoreResult delete_mailbox(std::string_view user, std::string_view name) override;
  StoreResult rename_mailbox(std::string_view user, std::string_view from,
                             std::string_view to) override;
  StoreResult set_subscribed(std::string_view user, std::string_view name,
                             bool subscribed) override;
  std::optional<MailboxSnapshot> snapshot(std::string_view user,
                                          std::string_view mailbox) override;
  std::uint64_t version(std::string_view user, std::string_view mailbox) override;
  std::vector<std::uint32_t> claim_recent(std::string_view user,
                                          std::string_view mailbox) override;
  std::uint32_t recent_count(std::string_view user, std::string_view mailbox) override;
  std::shared_ptr<const std::string> message_bytes(std::string_view user,
                                                   std::string_view mailbox,
                                                   std::uint32_t uid) override;
  bool set_flags(std::string_view user, std::string_view mailbox, std::uint32_t uid,
                 const FlagSet& flags) override;
  std::vector<std::uint32_t> expunge(std::string_view user, std::string_view mailbox,
                                     const std::vector<std::uint32_t>& uids) override;
  AppendResult append(std::string_view user, std::string_view mailbox, std::string_view raw,
                      const FlagSet& flags, std::int64_t internal_date) override;
  CopyResult copy(std::string_view user, std::string_view from,
                  const std::vector<std::uint32_t>& uids, std::string_view to) override;
  CopyResult move(std::string_view user, std::string_view from,
                  const std::vector<std::uint32_t>& uids, std::string_view to) override;

 private:
  struct Message {
    MessageMeta meta;
    std::shared_ptr<const std::string> raw;
    bool recent = true;
  };
  struct Mailbox {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t version = 1;
    bool subscribed = false;
    std::vector<Message> messages;  // ascending UID
  };
  struct User {
    std::string password;
    std::uint64_t quota = 0;
    std::map<std::string, Mailbox, std::less<>> mailboxes;
  };

  User* find_user(std::string_view user);
  const User* find_user(std::string_view user) const;
  Mailbox* find_mailbox(std::string_view user, std::string_view name);
  Mailbox& new_mailbox(User& u, std::string name);
  void touch(Mailbox& m) { m.version = ++clock_; }
  CopyResult copy_impl(std::string_view user, std::string_view from,
                       const std::vector<std::uint32_t>& uids, std::string_view to, bool move);

  std::map<std::string, User, std::less<>> users_;
  std::uint32_t next_uidvalidity_ = 1;
  std::uint64_t clock_ = 1;
};

}  // namespace mailsim::imap
