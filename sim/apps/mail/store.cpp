// The mailbox store: delivery with quota and size limit, folders, flags, UIDs, change feed.
#include "sim/apps/mail/store.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "protocols/message/message.hpp"

namespace mailsim::sim::mail {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

// True when `name` lies below `parent` ("a/b/c" below "a" and "a/b").
bool is_inferior(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.substr(0, parent.size()) == parent &&
         name[parent.size()] == kDelimiter;
}

// "a/b/c" -> {"a", "a/b"}.
std::vector<std::string> superiors(const std::string& name) {
  std::vector<std::string> out;
  for (std::size_t p = name.find(kDelimiter); p != std::string::npos; p = name.find(kDelimiter, p + 1))
    out.push_back(name.substr(0, p));
  return out;
}

std::string quota_text(std::uint64_t used, std::uint64_t limit) {
  return std::to_string(used) + " of " + (limit == 0 ? std::string("unlimited") : std::to_string(limit)) +
         " octets used";
}

// At most `limit` octets of `text`, not cutting a UTF-8 sequence in two (a sequence that is
// broken anyway is cut where the limit falls).
std::string_view cut_utf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  std::size_t back = 0;
  while (end > 0 && back < 3 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
    ++back;
  }
  return text.substr(0, (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80 ? limit : end);
}

FlagSet without_recent(FlagSet flags) {
  flags.erase(std::string(kRecent));
  return flags;
}

}  // namespace

MailboxEvent mailbox_event(ChangeKind kind) {
  using E = MailboxEvent;
  switch (kind) {
    case ChangeKind::Stored: return E::Stored;
    case ChangeKind::DeliveryRefused: return E::DeliveryRefused;
    case ChangeKind::Appended: return E::Appended;
    case ChangeKind::AppendRefused: return E::AppendRefused;
    case ChangeKind::Fetched: return E::Fetched;
    case ChangeKind::FlagsChanged: return E::FlagsChanged;
    case ChangeKind::Expunged: return E::Expunged;
    case ChangeKind::Copied: return E::Copied;
    case ChangeKind::CopyRefused: return E::CopyRefused;
    case ChangeKind::Moved: return E::Moved;
    case ChangeKind::DownloadedAndDeleted: return E::DownloadedAndDeleted;
    case ChangeKind::DeletedViaPop3: return E::DeletedViaPop3;
    case ChangeKind::FolderCreated: return E::FolderCreated;
    case ChangeKind::FolderDeleted: return E::FolderDeleted;
    case ChangeKind::FolderRenamed: return E::FolderRenamed;
    case ChangeKind::SubscriptionChanged: return E::SubscriptionChanged;
    case ChangeKind::MaildropLocked: return E::MaildropLocked;
    case ChangeKind::MaildropLockRefused: return E::MaildropLockRefused;
    case ChangeKind::MaildropUnlocked: return E::MaildropUnlocked;
  }
  return E::Other;
}

std::string_view to_string(ChangeKind kind) {
  const auto name = to_string(mailbox_event(kind));
  return name.empty() ? "unknown" : name;
}

MailboxRecord to_record(const ChangeRecord& c, std::string host) {
  MailboxRecord out;
  Record& r = out.record;
  r.host = std::move(host);
  r.protocol = "store";
  const std::string msg = "message #" + std::to_string(c.id);
  const std::string where = c.user + " " + c.folder + " UID " + std::to_string(c.uid);
  const std::string quota = quota_text(c.quota_used, c.quota_limit);
  switch (c.kind) {
    case ChangeKind::Stored:
      r.summary = msg + " stored for " + c.user + " in " + c.folder + " as UID " + std::to_string(c.uid) +
                  " (" + std::to_string(c.size) + " octets; " + quota + ")";
      break;
    case ChangeKind::DeliveryRefused:
      r.summary = "delivery to " + c.user + " refused: " + c.reason;
      break;
    case ChangeKind::Appended:
      r.summary = msg + " appended to " + c.user + " " + c.folder + " as UID " + std::to_string(c.uid) +
                  " (" + std::to_string(c.size) + " octets; " + quota + ")";
      break;
    case ChangeKind::AppendRefused:
      r.summary = "append to " + c.user + " " + c.folder + " refused: " + c.reason;
      break;
    case ChangeKind::Fetched:
      r.summary = msg + " (" + where + ") read" + (c.reason.empty() ? "" : " via " + c.reason);
      break;
    case ChangeKind::FlagsChanged:
      r.summary = "flags of " + msg + " (" + where + "): " + imap::format_flag_list(c.old_flags) + " -> " +
                  imap::format_flag_list(c.flags);
      break;
    case ChangeKind::Expunged:
      r.summary = msg + " removed from " + where + ": " + c.reason;
      break;
    case ChangeKind::Copied:
      r.summary = msg + " copied from " + where + " to " + c.to_folder + " UID " + std::to_string(c.to_uid) +
                  " as message #" + std::to_string(c.to_id);
      break;
    case ChangeKind::CopyRefused:
      r.summary = "copy for " + c.user + " from " + c.folder + " to " + c.to_folder + " refused: " + c.reason;
      break;
    case ChangeKind::Moved:
      r.summary = msg + " moved from " + where + " to " + c.to_folder + " UID " + std::to_string(c.to_uid);
      break;
    case ChangeKind::DownloadedAndDeleted:
      r.summary = msg + " (" + where + ") downloaded and deleted via POP3";
      break;
    case ChangeKind::DeletedViaPop3:
      r.summary = msg + " (" + where + ") deleted via POP3 without being downloaded";
      break;
    case ChangeKind::FolderCreated:
      r.summary = "folder " + c.folder + " created for " + c.user;
      break;
    case ChangeKind::FolderDeleted:
      r.summary = "folder " + c.folder + " of " + c.user + " deleted";
      break;
    case ChangeKind::FolderRenamed:
      r.summary = "folder " + c.folder + " of " + c.user + " renamed to " + c.to_folder +
                  (c.reason.empty() ? "" : " (" + c.reason + ")");
      break;
    case ChangeKind::SubscriptionChanged:
      r.summary = "folder " + c.folder + " of " + c.user + " " + c.reason;
      break;
    case ChangeKind::MaildropLocked:
      r.summary = "maildrop of " + c.user + " locked for a POP3 session";
      break;
    case ChangeKind::MaildropLockRefused:
      r.summary = "maildrop of " + c.user + " already locked by another POP3 session";
      break;
    case ChangeKind::MaildropUnlocked:
      r.summary = "maildrop of " + c.user + " unlocked";
      break;
  }
  using M = MailboxInfo;
  auto& m = out.info;
  m.event = mailbox_event(c.kind);
  auto number = [&m](std::int64_t M::*field, M::Field bit, std::uint64_t v) {
    m.*field = static_cast<std::int64_t>(v);
    m.set(bit);
  };
  auto flag_names = [](const FlagSet& flags) {
    std::string list;
    for (const auto& f : flags) list += (list.empty() ? "" : " ") + f;
    return Name(list);
  };
  number(&M::store_seq, M::kStoreSeq, c.seq);
  m.user = c.user, m.set(M::kUser);
  if (!c.folder.empty()) m.folder = c.folder, m.set(M::kFolder);
  if (c.uid != 0) number(&M::uid, M::kUid, c.uid);
  if (c.id != 0) number(&M::message_id, M::kMessageId, c.id);
  if (c.origin != 0) number(&M::origin, M::kOrigin, c.origin);
  if (c.size != 0) number(&M::size, M::kSize, c.size);
  m.flags = flag_names(c.flags), m.set(M::kFlags);
  if (c.kind == ChangeKind::FlagsChanged) m.old_flags = flag_names(c.old_flags), m.set(M::kOldFlags);
  if (!c.to_folder.empty()) m.to_folder = c.to_folder, m.set(M::kToFolder);
  if (c.to_uid != 0) number(&M::to_uid, M::kToUid, c.to_uid);
  if (c.to_id != 0) number(&M::to_message_id, M::kToMessageId, c.to_id);
  number(&M::quota_used, M::kQuotaUsed, c.quota_used);
  number(&M::quota_limit, M::kQuotaLimit, c.quota_limit);
  if (c.size_limit != 0) number(&M::size_limit, M::kSizeLimit, c.size_limit);
  if (c.version != 0) number(&M::version, M::kVersion, c.version);
  if (c.to_version != 0) number(&M::to_version, M::kToVersion, c.to_version);
  if (c.refusal != StoreRefusal::None) {
    m.refusal = c.refusal;
    m.set(M::kReason);
  } else if (!c.reason.empty()) {
    out.reason = c.reason;
    m.set(M::kReason);
  }
  if (c.kind == ChangeKind::Stored || c.kind == ChangeKind::Appended) {
    out.headers = escape_bytes(c.headers);
    out.body_preview = escape_bytes(c.body_preview);
    m.headers_truncated = c.headers_truncated;
    m.body_truncated = c.body_truncated;
    m.set(M::kHeaders).set(M::kBodyPreview).set(M::kHeadersTruncated).set(M::kBodyTruncated);
  }
  return out;
}

// ---------------------------------------------------------------------------------------

MailStore::MailStore(StoreConfig config)
    : config_(config), next_uidvalidity_(config.first_uidvalidity == 0 ? 1 : config.first_uidvalidity) {}

std::string MailStore::normal_name(std::string_view name) {
  if (iequals(name, kInbox)) return std::string(kInbox);
  if (name.size() > kInbox.size() && name[kInbox.size()] == kDelimiter &&
      iequals(name.substr(0, kInbox.size()), kInbox))
    return std::string(kInbox) + std::string(name.substr(kInbox.size()));
  return std::string(name);
}

bool MailStore::valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxFolderName) return false;
  if (name.front() == kDelimiter || name.back() == kDelimiter) return false;
  if (name.find("//") != std::string_view::npos) return false;
  std::size_t depth = 1;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == '*' || c == '%') return false;
    if (c == kDelimiter) ++depth;
  }
  return depth <= kMaxFolderDepth;
}

MailStore::User* MailStore::find_user(std::string_view user) {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : &it->second;
}

const MailStore::User* MailStore::find_user(std::string_view user) const {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : &it->second;
}

MailStore::Folder* MailStore::find_folder(User& u, std::string_view name) {
  auto it = u.folders.find(normal_name(name));
  return it == u.folders.end() ? nullptr : &it->second;
}

const MailStore::Folder* MailStore::find_folder(const User& u, std::string_view name) const {
  auto it = u.folders.find(normal_name(name));
  return it == u.folders.end() ? nullptr : &it->second;
}

MailStore::Message* MailStore::find_message(Folder& f, std::uint32_t uid) {
  auto it = std::lower_bound(f.messages.begin(), f.messages.end(), uid,
                             [](const Message& m, std::uint32_t u) { return m.meta.uid < u; });
  return (it != f.messages.end() && it->meta.uid == uid) ? &*it : nullptr;
}

const MailStore::Message* MailStore::find_message(const Folder& f, std::uint32_t uid) {
  auto it = std::lower_bound(f.messages.begin(), f.messages.end(), uid,
                             [](const Message& m, std::uint32_t u) { return m.meta.uid < u; });
  return (it != f.messages.end() && it->meta.uid == uid) ? &*it : nullptr;
}

MailStore::Folder& MailStore::new_folder(User& u, const std::string& name) {
  auto& f = u.folders[name];
  f.uidvalidity = next_uidvalidity_++;
  if (next_uidvalidity_ == 0) next_uidvalidity_ = 1;  // 0 is not a valid UIDVALIDITY
  touch(f);
  return f;
}

FolderInfo MailStore::info_of(const std::string& name, const Folder& f) {
  FolderInfo i;
  i.name = name;
  i.subscribed = f.subscribed;
  i.uidvalidity = f.uidvalidity;
  i.uidnext = f.uidnext;
  i.messages = static_cast<std::uint32_t>(f.messages.size());
  for (const auto& m : f.messages) {
    i.recent += m.meta.recent ? 1u : 0u;
    i.unseen += m.meta.flags.count(std::string(kSeen)) ? 0u : 1u;
    i.octets += m.meta.size;
  }
  return i;
}

bool MailStore::has_inferiors(const User& u, const std::string& name) {
  for (auto it = u.folders.upper_bound(name); it != u.folders.end(); ++it) {
    if (is_inferior(it->first, name)) return true;
    if (it->first.compare(0, name.size(), name) != 0) break;
  }
  return false;
}

ChangeRecord MailStore::base(ChangeKind kind, std::string_view user, const User* u,
                             std::string_view folder) const {
  ChangeRecord r;
  r.kind = kind;
  r.user = std::string(user);
  r.folder = std::string(folder);
  if (u) {
    r.quota_used = u->used;
    r.quota_limit = u->quota;
  }
  return r;
}

ChangeRecord MailStore::base(ChangeKind kind, std::string_view user, const User* u, std::string_view folder,
                             const MessageMeta& meta) const {
  auto r = base(kind, user, u, folder);
  r.uid = meta.uid;
  r.id = meta.id;
  r.origin = meta.origin;
  r.size = meta.size;
  r.flags = meta.flags;
  return r;
}

void MailStore::emit(ChangeRecord r) {
  r.seq = next_seq_++;
  if (hook_) hook_(r);
  if (r.folder.empty()) return;
  std::vector<ObserverId> targets;
  for (const auto& [id, o] : observers_)
    if (o.user == r.user && (o.folder == r.folder || (!r.to_folder.empty() && o.folder == r.to_folder)))
      targets.push_back(id);
  for (const auto id : targets) {
    auto it = observers_.find(id);
    if (it == observers_.end()) continue;  // unwatched by an earlier callback
    auto callback = it->second.callback;     // a copy: the callback may unwatch itself
    callback(r);
  }
}

// --- users ---------------------------------------------------------------------------

bool MailStore::add_user(std::string user, std::string password, std::uint64_t quota) {
  if (users_.count(user)) return false;
  auto& u = users_[user];
  u.password = std::move(password);
  u.quota = quota;
  new_folder(u, std::string(kInbox)).subscribed = true;
  if (config_.create_default_folders) {
    new_folder(u, std::string(kSent)).subscribed = true;
    new_folder(u, std::string(kTrash)).subscribed = true;
  }
  return true;
}

bool MailStore::has_user(std::string_view user) const { return find_user(user) != nullptr; }

bool MailStore::authenticate(std::string_view user, std::string_view password) const {
  const auto* u = find_user(user);
  return u && u->password == password;
}

std::optional<std::string> MailStore::secret(std::string_view user) const {
  const auto* u = find_user(user);
  if (!u) return std::nullopt;
  return u->password;
}

void MailStore::set_quota(std::string_view user, std::uint64_t quota) {
  if (auto* u = find_user(user)) u->quota = quota;
}

std::uint64_t MailStore::quota(std::string_view user) const {
  const auto* u = find_user(user);
  return u ? u->quota : 0;
}

std::uint64_t MailStore::used(std::string_view user) const {
  const auto* u = find_user(user);
  return u ? u->used : 0;
}

std::vector<std::string> MailStore::users() const {
  std::vector<std::string> out;
  for (const auto& [name, u] : users_) out.push_back(name);
  return out;
}

void MailStore::add_domain(std::string domain) { domains_.insert(lowered(domain)); }

bool MailStore::hosts_domain(std::string_view domain) const {
  return domains_.count(lowered(domain)) != 0;
}

std::optional<std::string> MailStore::user_for_address(std::string_view address) const {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  if (!hosts_domain(address.substr(at + 1))) return std::nullopt;
  const auto local = address.substr(0, at);
  if (find_user(local)) return std::string(local);
  for (const auto& [name, u] : users_)
    if (iequals(name, local)) return name;
  return std::nullopt;
}

// --- delivery -------------------------------------------------------------------------

DeliveryResult MailStore::deliver(std::string_view user, std::string_view folder,
                                  std::string_view raw, Time now, std::uint64_t origin) {
  DeliveryResult res;
  res.size = raw.size();
  auto* u = find_user(user);
  const std::string fname = normal_name(folder);
  // A refusal with numbers is typed (its words are made from the record's numbers).
  auto refuse = [&](DeliveryResult::Status status, std::variant<std::string, StoreRefusal> why) {
    res.status = status;
    auto r = base(ChangeKind::DeliveryRefused, user, u, fname);
    r.size = res.size;
    r.origin = origin;
    r.size_limit = res.limit;
    if (const auto* typed = std::get_if<StoreRefusal>(&why)) r.set_refusal(*typed);
    else r.reason = std::get<std::string>(std::move(why));
    emit(std::move(r));
    return res;
  };
  if (!u) return refuse(DeliveryResult::Status::NoSuchUser, std::string("no such user"));
  if (config_.max_message_size != 0 && res.size > config_.max_message_size) {
    res.limit = config_.max_message_size;
    return refuse(DeliveryResult::Status::TooLarge, StoreRefusal::TooLarge);
  }
  auto* f = find_folder(*u, fname);
  if (!f) return refuse(DeliveryResult::Status::NoSuchFolder, std::string("no such folder"));
  if (u->quota != 0 && u->used + res.size > u->quota) {
    res.used = u->used;
    res.quota = u->quota;
    return refuse(DeliveryResult::Status::OverQuota, StoreRefusal::MailboxFull);
  }
  const MessageMeta meta = place(ChangeKind::Stored, user, *u, *f, fname, raw, {}, now, origin);
  res.uid = meta.uid;
  res.uidvalidity = f->uidvalidity;
  res.id = meta.id;
  return res;
}

MessageMeta MailStore::place(ChangeKind kind, std::string_view user, User& u, Folder& f, const std::string& folder,
                             std::string_view raw, FlagSet flags, Time date, std::uint64_t origin) {
  Message m;
  m.meta.id = next_id_++;
  m.meta.origin = origin != 0 ? origin : m.meta.id;
  m.meta.uid = f.uidnext++;
  m.meta.internal_date = date;
  m.meta.size = raw.size();
  m.meta.flags = without_recent(std::move(flags));
  m.meta.recent = true;
  m.raw = std::make_shared<const std::string>(raw);
  u.used += m.meta.size;
  touch(f);
  auto r = base(kind, user, &u, folder, m.meta);
  r.version = f.version;
  const std::size_t header_size = std::min(message::header_section_size(raw), raw.size());
  const std::string_view header_section = raw.substr(0, header_size);
  const std::string_view body = raw.substr(header_size);
  r.headers = std::string(cut_utf8(header_section, kTraceHeaderLimit));
  r.headers_truncated = r.headers.size() < header_section.size();
  r.body_preview = std::string(cut_utf8(body, kTraceBodyPreview));
  r.body_truncated = r.body_preview.size() < body.size();
  const MessageMeta meta = m.meta;
  f.messages.push_back(std::move(m));
  emit(std::move(r));
  return meta;
}

// --- folders --------------------------------------------------------------------------

std::vector<FolderInfo> MailStore::list_folders(std::string_view user) const {
  std::vector<FolderInfo> out;
  const auto* u = find_user(user);
  if (!u) return out;
  out.push_back(info_of(std::string(kInbox), u->folders.find(kInbox)->second));
  for (const auto& [name, f] : u->folders)
    if (name != kInbox) out.push_back(info_of(name, f));
  return out;
}

std::optional<FolderInfo> MailStore::folder_info(std::string_view user, std::string_view folder) const {
  const auto* u = find_user(user);
  if (!u) return std::nullopt;
  const std::string name = normal_name(folder);
  const auto* f = find_folder(*u, name);
  if (!f) return std::nullopt;
  return info_of(name, *f);
}

bool MailStore::has_folder(std::string_view user, std::string_view folder) const {
  const auto* u = find_user(user);
  return u && find_folder(*u, folder);
}

FolderResult MailStore::create_folder(std::string_view user, std::string_view name) {
  auto* u = find_user(user);
  if (!u) return FolderResult::NoSuchUser;
  const std::string n = normal_name(name);
  if (u->folders.count(n)) return FolderResult::AlreadyExists;
  if (!valid_name(n)) return FolderResult::InvalidName;
  std::vector<std::string> made;
  for (const auto& sup : superiors(n))
    if (!u->folders.count(sup)) {
      new_folder(*u, sup);
      made.push_back(sup);
    }
  new_folder(*u, n);
  made.push_back(n);
  for (const auto& m : made) {
    auto r = base(ChangeKind::FolderCreated, user, u, m);
    r.version = u->folders[m].version;
    emit(std::move(r));
  }
  return FolderResult::Ok;
}

FolderResult MailStore::delete_folder(std::string_view user, std::string_view name) {
  auto* u = find_user(user);
  if (!u) return FolderResult::NoSuchUser;
  const std::string n = normal_name(name);
  if (n == kInbox) return FolderResult::NotAllowed;
  auto it = u->folders.find(n);
  if (it == u->folders.end()) return FolderResult::NoSuchFolder;
  if (has_inferiors(*u, n)) return FolderResult::HasChildren;
  std::vector<ChangeRecord> records;
  for (const auto& m : it->second.messages) {
    u->used -= m.meta.size;
    auto r = base(ChangeKind::Expunged, user, u, n, m.meta);
    r.reason = "folder deleted";
    records.push_back(std::move(r));
  }
  u->folders.erase(it);
  records.push_back(base(ChangeKind::FolderDeleted, user, u, n));
  for (auto& r : records) emit(std::move(r));
  return FolderResult::Ok;
}

FolderResult MailStore::rename_folder(std::string_view user, std::string_view from, std::string_view to) {
  auto* u = find_user(user);
  if (!u) return FolderResult::NoSuchUser;
  const std::string f = normal_name(from);
  const std::string t = normal_name(to);
  if (!u->folders.count(f)) return FolderResult::NoSuchFolder;
  if (u->folders.count(t)) return FolderResult::AlreadyExists;
  if (!valid_name(t)) return FolderResult::InvalidName;
  if (f != kInbox && is_inferior(t, f)) return FolderResult::NotAllowed;  // "a" -> "a/b"
  std::vector<ChangeRecord> records;
  for (const auto& sup : superiors(t))
    if (!u->folders.count(sup)) {
      new_folder(*u, sup);
      records.push_back(base(ChangeKind::FolderCreated, user, u, sup));
    }
  if (f == kInbox) {
    // RFC 3501 6.3.5: the messages move to a new folder; INBOX stays, empty, with its
    // UIDVALIDITY and UIDNEXT (so its UIDs are never handed out again); inferiors stay.
    auto& dest = new_folder(*u, t);
    auto& inbox = u->folders.find(kInbox)->second;
    dest.messages = std::move(inbox.messages);
    inbox.messages.clear();
    dest.uidnext = inbox.uidnext;
    touch(inbox);
    touch(dest);
    records.push_back(base(ChangeKind::FolderCreated, user, u, t));
    auto rr = base(ChangeKind::FolderRenamed, user, u, f);
    rr.to_folder = t;
    rr.reason = "INBOX renamed: its messages moved, INBOX stays and is empty";
    records.push_back(std::move(rr));
    for (const auto& m : dest.messages) {
      auto r = base(ChangeKind::Moved, user, u, f, m.meta);
      r.to_folder = t;
      r.to_uid = m.meta.uid;
      r.version = inbox.version;
      r.to_version = dest.version;
      records.push_back(std::move(r));
    }
  } else {
    // The folder and its inferiors keep UIDVALIDITY, UIDs and messages under the new name.
    std::vector<std::string> names;
    for (const auto& [name, folder] : u->folders)
      if (name == f || is_inferior(name, f)) names.push_back(name);
    for (const auto& name : names) {
      auto node = u->folders.extract(name);
      node.key() = t + name.substr(f.size());
      auto r = base(ChangeKind::FolderRenamed, user, u, name);
      r.to_folder = node.key();
      records.push_back(std::move(r));
      u->folders.insert(std::move(node));
    }
  }
  for (auto& r : records) emit(std::move(r));
  return FolderResult::Ok;
}

FolderResult MailStore::set_subscribed(std::string_view user, std::string_view name, bool subscribed) {
  auto* u = find_user(user);
  if (!u) return FolderResult::NoSuchUser;
  const std::string n = normal_name(name);
  auto* f = find_folder(*u, n);
  if (!f) return FolderResult::NoSuchFolder;
  if (f->subscribed != subscribed) {
    f->subscribed = subscribed;
    auto r = base(ChangeKind::SubscriptionChanged, user, u, n);
    r.reason = subscribed ? "subscribed" : "unsubscribed";
    emit(std::move(r));
  }
  return FolderResult::Ok;
}

// --- reading --------------------------------------------------------------------------

std::optional<FolderSnapshot> MailStore::snapshot(std::string_view user, std::string_view folder) const {
  const auto* u = find_user(user);
  if (!u) return std::nullopt;
  const std::string n = normal_name(folder);
  const auto* f = find_folder(*u, n);
  if (!f) return std::nullopt;
  FolderSnapshot s;
  s.name = n;
  s.uidvalidity = f->uidvalidity;
  s.uidnext = f->uidnext;
  s.version = f->version;
  s.messages.reserve(f->messages.size());
  for (const auto& m : f->messages) s.messages.push_back(m.meta);
  return s;
}

std::uint64_t MailStore::version(std::string_view user, std::string_view folder) const {
  const auto* u = find_user(user);
  const auto* f = u ? find_folder(*u, folder) : nullptr;
  return f ? f->version : 0;
}

std::optional<MessageMeta> MailStore::message(std::string_view user, std::string_view folder,
                                              std::uint32_t uid) const {
  const auto* u = find_user(user);
  const auto* f = u ? find_folder(*u, folder) : nullptr;
  const auto* m = f ? find_message(*f, uid) : nullptr;
  if (!m) return std::nullopt;
  return m->meta;
}

std::shared_ptr<const std::string> MailStore::raw(std::string_view user, std::string_view folder,
                                                  std::uint32_t uid) const {
  const auto* u = find_user(user);
  const auto* f = u ? find_folder(*u, folder) : nullptr;
  const auto* m = f ? find_message(*f, uid) : nullptr;
  return m ? m->raw : nullptr;
}

std::shared_ptr<const std::string> MailStore::fetch(std::string_view user, std::string_view folder,
                                                    std::uint32_t uid, std::string_view via) {
  auto* u = find_user(user);
  auto* f = u ? find_folder(*u, folder) : nullptr;
  auto* m = f ? find_message(*f, uid) : nullptr;
  if (!m) return nullptr;
  auto r = base(ChangeKind::Fetched, user, u, normal_name(folder));
  r.uid = uid;
  r.id = m->meta.id;
  r.origin = m->meta.origin;
  r.size = m->meta.size;
  r.flags = m->meta.flags;
  r.reason = std::string(via);
  auto bytes = m->raw;
  emit(std::move(r));
  return bytes;
}

std::vector<std::uint32_t> MailStore::claim_recent(std::string_view user, std::string_view folder) {
  std::vector<std::uint32_t> out;
  auto* u = find_user(user);
  auto* f = u ? find_folder(*u, folder) : nullptr;
  if (!f) return out;
  for (auto& m : f->messages)
    if (m.meta.recent) {
      m.meta.recent = false;
      out.push_back(m.meta.uid);
    }
  return out;
}

std::uint32_t MailStore::recent_count(std::string_view user, std::string_view folder) const {
  const auto* u = find_user(user);
  const auto* f = u ? find_folder(*u, folder) : nullptr;
  std::uint32_t n = 0;
  if (f)
    for (const auto& m : f->messages) n += m.meta.recent ? 1u : 0u;
  return n;
}

std::optional<MailStore::Location> MailStore::locate(MessageId id) const {
  for (const auto& [uname, u] : users_)
    for (const auto& [fname, f] : u.folders)
      for (const auto& m : f.messages)
        if (m.meta.id == id) return Location{uname, fname, m.meta.uid};
  return std::nullopt;
}

// --- changing -------------------------------------------------------------------------

std::optional<FlagSet> MailStore::store_flags(std::string_view user, std::string_view folder,
                                              std::uint32_t uid, FlagOp op, const FlagSet& flags) {
  auto* u = find_user(user);
  auto* f = u ? find_folder(*u, folder) : nullptr;
  auto* m = f ? find_message(*f, uid) : nullptr;
  if (!m) return std::nullopt;
  const FlagSet given = without_recent(flags);
  FlagSet next = m->meta.flags;
  switch (op) {
    case FlagOp::Add: next.insert(given.begin(), given.end()); break;
    case FlagOp::Remove:
      for (const auto& fl : given) next.erase(fl);
      break;
    case FlagOp::Replace: next = given; break;
  }
  if (next != m->meta.flags) {
    auto r = base(ChangeKind::FlagsChanged, user, u, normal_name(folder));
    r.uid = uid;
    r.id = m->meta.id;
    r.origin = m->meta.origin;
    r.size = m->meta.size;
    r.old_flags = m->meta.flags;
    r.flags = next;
    m->meta.flags = next;
    touch(*f);
    r.version = f->version;
    emit(std::move(r));
  }
  return next;
}

std::vector<std::uint32_t> MailStore::expunge(std::string_view user, std::string_view folder,
                                              const std::optional<std::vector<std::uint32_t>>& uids) {
  std::vector<std::uint32_t> removed;
  auto* u = find_user(user);
  auto* f = u ? find_folder(*u, folder) : nullptr;
  if (!f) return removed;
  const std::string n = normal_name(folder);
  std::set<std::uint32_t> only;
  if (uids) only.insert(uids->begin(), uids->end());
  std::vector<ChangeRecord> records;
  std::vector<Message> kept;
  kept.reserve(f->messages.size());
  for (auto& m : f->messages) {
    const bool hit = m.meta.flags.count(std::string(kDeleted)) && (!uids || only.count(m.meta.uid));
    if (!hit) {
      kept.push_back(std::move(m));
      continue;
    }
    u->used -= m.meta.size;
    removed.push_back(m.meta.uid);
    auto r = base(ChangeKind::Expunged, user, u, n, m.meta);
    r.reason = "expunged (marked \\Deleted)";
    records.push_back(std::move(r));
  }
  f->messages = std::move(kept);
  if (!removed.empty()) touch(*f);
  for (auto& r : records) {
    r.version = f->version;
    emit(std::move(r));
  }
  return removed;
}

AppendResult MailStore::append(std::string_view user, std::string_view folder, std::string_view raw,
                               const FlagSet& flags, Time internal_date) {
  AppendResult res;
  auto* u = find_user(user);
  const std::string n = normal_name(folder);
  auto refuse = [&](AppendResult::Status status, std::string reason) {
    res.status = status;
    auto r = base(ChangeKind::AppendRefused, user, u, n);
    r.size = raw.size();
    r.reason = std::move(reason);
    emit(std::move(r));
    return res;
  };
  if (!u) return refuse(AppendResult::Status::NoSuchUser, "no such user");
  auto* f = find_folder(*u, n);
  if (!f) return refuse(AppendResult::Status::NoSuchFolder, "no such folder");
  if (u->quota != 0 && u->used + raw.size() > u->quota) {
    res.status = AppendResult::Status::OverQuota;
    auto r = base(ChangeKind::AppendRefused, user, u, n);
    r.size = raw.size();
    r.set_refusal(StoreRefusal::OverQuota);
    emit(std::move(r));
    return res;
  }
  const MessageMeta meta = place(ChangeKind::Appended, user, *u, *f, n, raw, flags, internal_date, 0);
  res.uidvalidity = f->uidvalidity;
  res.uid = meta.uid;
  res.id = meta.id;
  return res;
}

CopyResult MailStore::transfer(std::string_view user, std::string_view from,
                               const std::vector<std::uint32_t>& uids, std::string_view to, bool move) {
  CopyResult res;
  auto* u = find_user(user);
  if (!u) {
    res.status = CopyResult::Status::NoSuchUser;
    return res;
  }
  const std::string fn = normal_name(from);
  const std::string tn = normal_name(to);
  auto* src = find_folder(*u, fn);
  auto* dst = find_folder(*u, tn);
  if (!src || !dst) {
    res.status = CopyResult::Status::NoSuchFolder;
    return res;
  }
  const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
  std::vector<Message> moving;
  std::uint64_t bytes = 0;
  for (const auto& m : src->messages)
    if (wanted.count(m.meta.uid)) {
      moving.push_back(m);
      bytes += m.meta.size;
    }
  if (!move && u->quota != 0 && u->used + bytes > u->quota) {
    res.status = CopyResult::Status::OverQuota;
    auto r = base(ChangeKind::CopyRefused, user, u, fn);
    r.to_folder = tn;
    r.size = bytes;
    r.set_refusal(StoreRefusal::OverQuota);
    emit(std::move(r));
    return res;
  }
  res.uidvalidity = dst->uidvalidity;
  if (moving.empty()) return res;
  std::vector<ChangeRecord> records;
  for (auto& m : moving) {
    auto r = base(move ? ChangeKind::Moved : ChangeKind::Copied, user, u, fn, m.meta);
    r.to_folder = tn;
    res.source_uids.push_back(m.meta.uid);
    m.meta.uid = dst->uidnext++;
    m.meta.recent = true;
    if (!move) m.meta.id = next_id_++;
    r.to_uid = m.meta.uid;
    if (!move) r.to_id = m.meta.id;
    res.dest_uids.push_back(m.meta.uid);
    records.push_back(std::move(r));
  }
  if (move) {
    auto& msgs = src->messages;
    msgs.erase(std::remove_if(msgs.begin(), msgs.end(),
                              [&](const Message& m) { return wanted.count(m.meta.uid) != 0; }),
               msgs.end());
    touch(*src);
  } else {
    u->used += bytes;
  }
  for (auto& m : moving) dst->messages.push_back(std::move(m));
  touch(*dst);
  for (auto& r : records) {
    r.quota_used = u->used;
    r.version = src->version;
    r.to_version = dst->version;
    emit(std::move(r));
  }
  return res;
}

CopyResult MailStore::copy(std::string_view user, std::string_view from,
                           const std::vector<std::uint32_t>& uids, std::string_view to) {
  return transfer(user, from, uids, to, false);
}

CopyResult MailStore::move(std::string_view user, std::string_view from,
                           const std::vector<std::uint32_t>& uids, std::string_view to) {
  return transfer(user, from, uids, to, true);
}

bool MailStore::pop3_delete(std::string_view user, std::string_view folder, std::uint32_t uid,
                            bool retrieved) {
  auto* u = find_user(user);
  auto* f = u ? find_folder(*u, folder) : nullptr;
  auto* m = f ? find_message(*f, uid) : nullptr;
  if (!m) return false;
  u->used -= m->meta.size;
  auto r = base(retrieved ? ChangeKind::DownloadedAndDeleted : ChangeKind::DeletedViaPop3, user, u,
                normal_name(folder));
  r.uid = uid;
  r.id = m->meta.id;
  r.origin = m->meta.origin;
  r.size = m->meta.size;
  r.flags = m->meta.flags;
  r.reason = retrieved ? "downloaded by a POP3 client, deleted at QUIT" : "deleted by a POP3 client at QUIT";
  f->messages.erase(f->messages.begin() + (m - f->messages.data()));
  touch(*f);
  r.version = f->version;
  emit(std::move(r));
  return true;
}

// --- POP3 lock ------------------------------------------------------------------------

std::optional<MailStore::LockId> MailStore::lock_maildrop(std::string_view user) {
  auto* u = find_user(user);
  if (!u) return std::nullopt;
  if (locks_.count(user)) {
    emit(base(ChangeKind::MaildropLockRefused, user, u, kInbox));
    return std::nullopt;
  }
  const LockId id = next_lock_++;
  locks_.emplace(std::string(user), id);
  emit(base(ChangeKind::MaildropLocked, user, u, kInbox));
  return id;
}

void MailStore::unlock_maildrop(LockId lock) {
  for (auto it = locks_.begin(); it != locks_.end(); ++it)
    if (it->second == lock) {
      const std::string user = it->first;
      locks_.erase(it);
      emit(base(ChangeKind::MaildropUnlocked, user, find_user(user), kInbox));
      return;
    }
}

bool MailStore::maildrop_locked(std::string_view user) const { return locks_.count(user) != 0; }

// --- change feed ----------------------------------------------------------------------

MailStore::ObserverId MailStore::watch(std::string_view user, std::string_view folder,
                                       std::function<void(const ChangeRecord&)> callback) {
  const ObserverId id = next_observer_++;
  observers_.emplace(id, Observer{std::string(user), normal_name(folder), std::move(callback)});
  return id;
}

void MailStore::unwatch(ObserverId id) { observers_.erase(id); }

// --- invariants -----------------------------------------------------------------------

std::string MailStore::find_invariant_violation() const {
  std::set<MessageId> ids;
  std::set<std::uint32_t> validities;
  for (const auto& [uname, u] : users_) {
    if (!u.folders.count(kInbox)) return uname + ": no INBOX";
    std::uint64_t sum = 0;
    for (const auto& [fname, f] : u.folders) {
      const std::string where = uname + " " + fname;
      if (fname != kInbox && !valid_name(fname)) return where + ": invalid folder name";
      if (normal_name(fname) != fname) return where + ": folder name not normalised";
      for (const auto& sup : superiors(fname))
        if (!u.folders.count(sup)) return where + ": superior folder " + sup + " missing";
      if (f.uidvalidity == 0) return where + ": UIDVALIDITY is 0";
      if (!validities.insert(f.uidvalidity).second)
        return where + ": UIDVALIDITY " + std::to_string(f.uidvalidity) + " used twice";
      if (f.version == 0 || f.version > clock_) return where + ": bad version";
      std::uint32_t last = 0;
      for (const auto& m : f.messages) {
        const std::string at = where + " UID " + std::to_string(m.meta.uid);
        if (m.meta.uid <= last) return at + ": UIDs not strictly ascending";
        if (m.meta.uid >= f.uidnext) return at + ": UID not below UIDNEXT " + std::to_string(f.uidnext);
        last = m.meta.uid;
        if (m.meta.id == 0 || m.meta.id >= next_id_) return at + ": bad message id";
        if (!ids.insert(m.meta.id).second)
          return at + ": message #" + std::to_string(m.meta.id) + " in more than one place";
        if (!m.raw || m.raw->size() != m.meta.size) return at + ": size does not match the bytes";
        if (m.meta.flags.count(std::string(kRecent))) return at + ": \\Recent stored as a flag";
        sum += m.meta.size;
      }
    }
    if (sum != u.used)
      return uname + ": usage " + std::to_string(u.used) + " but messages sum to " + std::to_string(sum);
  }
  for (const auto& [uname, lock] : locks_)
    if (!users_.count(uname)) return "lock held on unknown user " + uname;
  return {};
}

void MailStore::check_invariants() const {
  const std::string problem = find_invariant_violation();
  if (!problem.empty()) throw std::logic_error("mail store invariant broken: " + problem);
}

}  // namespace mailsim::sim::mail
