// In-memory MailStore: users, folders, UIDs, flags and quota, for tests and as a model.
#include "protocols/imap/memory_store.hpp"

#include <algorithm>

namespace mailsim::imap {

namespace {

std::string normal_name(std::string_view name) {
  return iequals(name, "INBOX") ? std::string("INBOX") : std::string(name);
}

bool is_inferior(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.substr(0, parent.size()) == parent &&
         name[parent.size()] == '/';
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  return name.find_first_of("*%") == std::string_view::npos;
}

}  // namespace

void MemoryStore::add_user(std::string user, std::string password, std::uint64_t quota) {
  auto& u = users_[user];
  u.password = std::move(password);
  u.quota = quota;
  if (u.mailboxes.find("INBOX") == u.mailboxes.end()) new_mailbox(u, "INBOX").subscribed = true;
}

void MemoryStore::set_quota(std::string_view user, std::uint64_t quota) {
  if (auto* u = find_user(user)) u->quota = quota;
}

std::uint64_t MemoryStore::used(std::string_view user) const {
  const auto* u = find_user(user);
  std::uint64_t total = 0;
  if (!u) return 0;
  for (const auto& [name, box] : u->mailboxes)
    for (const auto& m : box.messages) total += m.meta.size;
  return total;
}

MemoryStore::User* MemoryStore::find_user(std::string_view user) {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : &it->second;
}

const MemoryStore::User* MemoryStore::find_user(std::string_view user) const {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : &it->second;
}

MemoryStore::Mailbox* MemoryStore::find_mailbox(std::string_view user, std::string_view name) {
  auto* u = find_user(user);
  if (!u) return nullptr;
  auto it = u->mailboxes.find(normal_name(name));
  return it == u->mailboxes.end() ? nullptr : &it->second;
}

MemoryStore::Mailbox& MemoryStore::new_mailbox(User& u, std::string name) {
  auto& box = u.mailboxes[std::move(name)];
  box.uidvalidity = next_uidvalidity_++;
  touch(box);
  return box;
}

bool MemoryStore::authenticate(std::string_view user, std::string_view password) {
  const auto* u = find_user(user);
  return u && u->password == password;
}

std::vector<MailboxEntry> MemoryStore::list_mailboxes(std::string_view user) {
  std::vector<MailboxEntry> out;
  if (const auto* u = find_user(user))
    for (const auto& [name, box] : u->mailboxes) out.push_back({name, box.subscribed, special_use_for_name(name)});
  return out;
}

StoreResult MemoryStore::create_mailbox(std::string_view user, std::string_view name) {
  auto* u = find_user(user);
  if (!u) return StoreResult::NotAllowed;
  const std::string n = normal_name(name);
  if (!valid_name(n)) return StoreResult::NotAllowed;
  if (u->mailboxes.count(n)) return StoreResult::AlreadyExists;
  // Create the superior levels too ("a/b/c" creates "a" and "a/b"), as RFC 3501 6.3.3 asks.
  for (std::size_t slash = n.find('/'); slash != std::string::npos; slash = n.find('/', slash + 1))
    if (!u->mailboxes.count(n.substr(0, slash))) new_mailbox(*u, n.substr(0, slash));
  new_mailbox(*u, n);
  return StoreResult::Ok;
}

StoreResult MemoryStore::delete_mailbox(std::string_view user, std::string_view name) {
  auto* u = find_user(user);
  if (!u) return StoreResult::NotAllowed;
  const std::string n = normal_name(name);
  if (n == "INBOX") return StoreResult::NotAllowed;
  auto it = u->mailboxes.find(n);
  if (it == u->mailboxes.end()) return StoreResult::NoSuchMailbox;
  for (const auto& [other, box] : u->mailboxes)
    if (is_inferior(other, n)) return StoreResult::HasChildren;
  u->mailboxes.erase(it);
  return StoreResult::Ok;
}

StoreResult MemoryStore::rename_mailbox(std::string_view user, std::string_view from,
                                        std::string_view to) {
  auto* u = find_user(user);
  if (!u) return StoreResult::NotAllowed;
  const std::string f = normal_name(from);
  const std::string t = normal_name(to);
  if (!valid_name(t) || t == "INBOX") return u->mailboxes.count(t) ? StoreResult::AlreadyExists
                                                                   : StoreResult::NotAllowed;
  if (!u->mailboxes.count(f)) return StoreResult::NoSuchMailbox;
  if (u->mailboxes.count(t)) return StoreResult::AlreadyExists;
  if (f == "INBOX") {
    auto& inbox = u->mailboxes["INBOX"];
    auto& dest = new_mailbox(*u, t);
    dest.messages = std::move(inbox.messages);
    dest.uidnext = inbox.uidnext;
    inbox.messages.clear();
    touch(inbox);
    return StoreResult::Ok;
  }
  // Move the mailbox and its inferiors; each keeps its UIDVALIDITY.
  std::vector<std::string> names;
  for (const auto& [name, box] : u->mailboxes)
    if (name == f || is_inferior(name, f)) names.push_back(name);
  for (const auto& name : names) {
    auto node = u->mailboxes.extract(name);
    node.key() = t + name.substr(f.size());
    u->mailboxes.insert(std::move(node));
  }
  for (std::size_t slash = t.find('/'); slash != std::string::npos; slash = t.find('/', slash + 1))
    if (!u->mailboxes.count(t.substr(0, slash))) new_mailbox(*u, t.substr(0, slash));
  return StoreResult::Ok;
}

StoreResult MemoryStore::set_subscribed(std::string_view user, std::string_view name,
                                        bool subscribed) {
  auto* box = find_mailbox(user, name);
  if (!box) return StoreResult::NoSuchMailbox;
  box->subscribed = subscribed;
  return StoreResult::Ok;
}

std::optional<MailboxSnapshot> MemoryStore::snapshot(std::string_view user,
                                                     std::string_view mailbox) {
  const auto* box = find_mailbox(user, mailbox);
  if (!box) return std::nullopt;
  MailboxSnapshot s;
  s.uidvalidity = box->uidvalidity;
  s.uidnext = box->uidnext;
  s.version = box->version;
  s.messages.reserve(box->messages.size());
  for (const auto& m : box->messages) s.messages.push_back(m.meta);
  return s;
}

std::uint64_t MemoryStore::version(std::string_view user, std::string_view mailbox) {
  const auto* box = find_mailbox(user, mailbox);
  return box ? box->version : 0;
}

std::vector<std::uint32_t> MemoryStore::claim_recent(std::string_view user,
                                                     std::string_view mailbox) {
  std::vector<std::uint32_t> out;
  if (auto* box = find_mailbox(user, mailbox))
    for (auto& m : box->messages)
      if (m.recent) {
        m.recent = false;
        out.push_back(m.meta.uid);
      }
  return out;
}

std::uint32_t MemoryStore::recent_count(std::string_view user, std::string_view mailbox) {
  std::uint32_t n = 0;
  if (auto* box = find_mailbox(user, mailbox))
    for (const auto& m : box->messages) n += m.recent ? 1 : 0;
  return n;
}

std::shared_ptr<const std::string> MemoryStore::message_bytes(std::string_view user,
                                                              std::string_view mailbox,
                                                              std::uint32_t uid) {
  auto* box = find_mailbox(user, mailbox);
  if (!box) return nullptr;
  for (const auto& m : box->messages)
    if (m.meta.uid == uid) return m.raw;
  return nullptr;
}

bool MemoryStore::set_flags(std::string_view user, std::string_view mailbox, std::uint32_t uid,
                            const FlagSet& flags) {
  auto* box = find_mailbox(user, mailbox);
  if (!box) return false;
  for (auto& m : box->messages)
    if (m.meta.uid == uid) {
      FlagSet clean = flags;
      clean.erase(std::string(kRecent));
      if (clean != m.meta.flags) {
        m.meta.flags = std::move(clean);
        touch(*box);
      }
      return true;
    }
  return false;
}

std::vector<std::uint32_t> MemoryStore::expunge(std::string_view user, std::string_view mailbox,
                                                const std::vector<std::uint32_t>& uids) {
  std::vector<std::uint32_t> removed;
  auto* box = find_mailbox(user, mailbox);
  if (!box) return removed;
  auto& msgs = box->messages;
  msgs.erase(std::remove_if(msgs.begin(), msgs.end(),
                            [&](const Message& m) {
                              const bool hit =
                                  m.meta.flags.count(std::string(kDeleted)) &&
                                  std::find(uids.begin(), uids.end(), m.meta.uid) != uids.end();
                              if (hit) removed.push_back(m.meta.uid);
                              return hit;
                            }),
             msgs.end());
  if (!removed.empty()) touch(*box);
  return removed;
}

AppendResult MemoryStore::append(std::string_view user, std::string_view mailbox,
                                 std::string_view raw, const FlagSet& flags,
                                 std::int64_t internal_date) {
  auto* u = find_user(user);
  auto* box = find_mailbox(user, mailbox);
  if (!u || !box) return {StoreResult::NoSuchMailbox, 0, 0};
  if (u->quota != 0 && used(user) + raw.size() > u->quota) return {StoreResult::OverQuota, 0, 0};
  Message m;
  m.meta.uid = box->uidnext++;
  m.meta.flags = flags;
  m.meta.flags.erase(std::string(kRecent));
  m.meta.internal_date = internal_date;
  m.meta.size = raw.size();
  m.raw = std::make_shared<const std::string>(raw);
  box->messages.push_back(std::move(m));
  touch(*box);
  return {StoreResult::Ok, box->uidvalidity, box->messages.back().meta.uid};
}

CopyResult MemoryStore::copy_impl(std::string_view user, std::string_view from,
                                  const std::vector<std::uint32_t>& uids, std::string_view to,
                                  bool move) {
  CopyResult r;
  auto* u = find_user(user);
  auto* src = find_mailbox(user, from);
  auto* dst = find_mailbox(user, to);
  if (!u || !src || !dst) {
    r.result = StoreResult::NoSuchMailbox;
    return r;
  }
  std::vector<const Message*> picked;
  std::uint64_t bytes = 0;
  for (const auto& m : src->messages)
    if (std::find(uids.begin(), uids.end(), m.meta.uid) != uids.end()) {
      picked.push_back(&m);
      bytes += m.meta.size;
    }
  if (!move && u->quota != 0 && used(user) + bytes > u->quota) {
    r.result = StoreResult::OverQuota;
    return r;
  }
  r.uidvalidity = dst->uidvalidity;
  std::vector<Message> copies;
  for (const auto* m : picked) {
    Message c = *m;
    c.recent = true;
    c.meta.uid = dst->uidnext++;
    r.source_uids.push_back(m->meta.uid);
    r.dest_uids.push_back(c.meta.uid);
    copies.push_back(std::move(c));
  }
  if (move && !r.source_uids.empty()) {
    // The copies are already taken, so this also works for a move within one mailbox.
    auto& msgs = src->messages;
    msgs.erase(std::remove_if(msgs.begin(), msgs.end(),
                              [&](const Message& m) {
                                return std::find(r.source_uids.begin(), r.source_uids.end(),
                                                 m.meta.uid) != r.source_uids.end();
                              }),
               msgs.end());
    touch(*src);
  }
  for (auto& c : copies) dst->messages.push_back(std::move(c));
  if (!r.source_uids.empty()) touch(*dst);
  return r;
}

CopyResult MemoryStore::copy(std::string_view user, std::string_view from,
                             const std::vector<std::uint32_t>& uids, std::string_view to) {
  return copy_impl(user, from, uids, to, false);
}

CopyResult MemoryStore::move(std::string_view user, std::string_view from,
                             const std::vector<std::uint32_t>& uids, std::string_view to) {
  return copy_impl(user, from, uids, to, true);
}

}  // namespace mailsim::imap
