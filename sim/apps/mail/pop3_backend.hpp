// pop3::ServerBackend over the mail store: one POP3 session's view of a user's INBOX.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/pop3/server.hpp"
#include "sim/apps/mail/store.hpp"

namespace mailsim::sim::mail {

// One object per POP3 session. The maildrop is the user's INBOX; lock_maildrop() takes the
// store's exclusive POP3 lock and snapshot() fixes the message list for the session
// (messages delivered later show up in the next session). The RFC 1939 unique-id of a
// message is "<UIDVALIDITY>.<UID>" of INBOX, so it stays the same across sessions.
// RETR/TOP read through MailStore::fetch (a "fetched" record); at QUIT the deleted messages
// leave the store with a "downloaded-and-deleted" record (or "deleted-via-pop3" when this
// session never retrieved them). The destructor releases a lock still held.
class Pop3Backend : public pop3::ServerBackend {
 public:
  explicit Pop3Backend(MailStore& store) : store_(store) {}
  ~Pop3Backend() override;
  Pop3Backend(const Pop3Backend&) = delete;
  Pop3Backend& operator=(const Pop3Backend&) = delete;

  bool authenticate(std::string_view user, std::string_view password) override;
  std::optional<std::string> apop_secret(std::string_view user) override;
  bool lock_maildrop(std::string_view user) override;
  std::vector<pop3::MessageInfo> snapshot() override;
  std::optional<std::string> retrieve(std::size_t index) override;
  bool commit_deletions(const std::vector<std::size_t>& indices) override;
  void unlock() override;

  bool locked() const { return lock_.has_value(); }
  const std::string& user() const { return user_; }
  // UIDs (in INBOX) of the snapshot, in POP3 message-number order.
  const std::vector<std::uint32_t>& uids() const { return uids_; }

 private:
  MailStore& store_;
  std::optional<MailStore::LockId> lock_;
  std::string user_;
  std::vector<std::uint32_t> uids_;
  std::vector<bool> retrieved_;
};

}  // namespace mailsim::sim::mail
