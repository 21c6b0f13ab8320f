// pop3::ServerBackend over the mail store: lock, snapshot, retrieve and delete in INBOX.
#include "sim/apps/mail/pop3_backend.hpp"

#include <cassert>

namespace mailsim::sim::mail {

Pop3Backend::~Pop3Backend() { unlock(); }

bool Pop3Backend::authenticate(std::string_view user, std::string_view password) {
  return store_.authenticate(user, password);
}

std::optional<std::string> Pop3Backend::apop_secret(std::string_view user) { return store_.secret(user); }

bool Pop3Backend::lock_maildrop(std::string_view user) {
  assert(!lock_ && "one maildrop per POP3 session");
  lock_ = store_.lock_maildrop(user);
  if (!lock_) return false;
  user_ = std::string(user);
  return true;
}

std::vector<pop3::MessageInfo> Pop3Backend::snapshot() {
  std::vector<pop3::MessageInfo> out;
  uids_.clear();
  retrieved_.clear();
  if (!lock_) return out;
  const auto snap = store_.snapshot(user_, kInbox);
  if (!snap) return out;
  const std::string prefix = std::to_string(snap->uidvalidity) + ".";
  for (const auto& m : snap->messages) {
    out.push_back(pop3::MessageInfo{static_cast<std::size_t>(m.size), prefix + std::to_string(m.uid)});
    uids_.push_back(m.uid);
  }
  retrieved_.assign(uids_.size(), false);
  return out;
}

std::optional<std::string> Pop3Backend::retrieve(std::size_t index) {
  if (!lock_ || index >= uids_.size()) return std::nullopt;
  const auto bytes = store_.fetch(user_, kInbox, uids_[index], "pop3");
  if (!bytes) return std::nullopt;  // removed meanwhile (e.g. expunged over IMAP)
  retrieved_[index] = true;
  return *bytes;
}

bool Pop3Backend::commit_deletions(const std::vector<std::size_t>& indices) {
  if (!lock_) return false;
  bool all = true;
  for (const auto i : indices) {
    if (i >= uids_.size() || !store_.pop3_delete(user_, kInbox, uids_[i], retrieved_[i])) all = false;
  }
  return all;
}

void Pop3Backend::unlock() {
  if (!lock_) return;
  store_.unlock_maildrop(*lock_);
  lock_.reset();
  uids_.clear();
  retrieved_.clear();
}

}  // namespace mailsim::sim::mail
