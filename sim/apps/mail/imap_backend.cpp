// The IMAP adapter over the mail store and the IMAP server engine that follows the store.
#include "sim/apps/mail/imap_backend.hpp"

#include "protocols/imap/imap_util.hpp"

namespace mailsim::sim::mail {

namespace {

// Longest input line kept for classification; longer lines are classified by their start.
constexpr std::size_t kMaxClassifiedLine = 1024;

imap::StoreResult from_folder_result(FolderResult r) {
  switch (r) {
    case FolderResult::Ok: return imap::StoreResult::Ok;
    case FolderResult::NoSuchUser:
    case FolderResult::NoSuchFolder:
    case FolderResult::InvalidName: return imap::StoreResult::NoSuchMailbox;
    case FolderResult::AlreadyExists: return imap::StoreResult::AlreadyExists;
    case FolderResult::NotAllowed: return imap::StoreResult::NotAllowed;
    case FolderResult::HasChildren: return imap::StoreResult::HasChildren;
  }
  return imap::StoreResult::NotAllowed;
}

imap::CopyResult from_copy_result(const CopyResult& r) {
  imap::CopyResult out;
  switch (r.status) {
    case CopyResult::Status::Ok: out.result = imap::StoreResult::Ok; break;
    case CopyResult::Status::NoSuchUser:
    case CopyResult::Status::NoSuchFolder: out.result = imap::StoreResult::NoSuchMailbox; break;
    case CopyResult::Status::OverQuota: out.result = imap::StoreResult::OverQuota; break;
  }
  out.uidvalidity = r.uidvalidity;
  out.source_uids = r.source_uids;
  out.dest_uids = r.dest_uids;
  return out;
}

std::string folder(std::string_view name) { return MailStore::normal_name(name); }

}  // namespace

std::int64_t imap_seconds(Time t) { return kScenarioEpoch + t / kSecond; }

Time sim_time_from_imap(std::int64_t seconds) {
  return seconds <= kScenarioEpoch ? 0 : (seconds - kScenarioEpoch) * kSecond;
}

// ---- ImapStoreAdapter ----------------------------------------------------------------------

bool ImapStoreAdapter::authenticate(std::string_view user, std::string_view password) {
  return store_.authenticate(user, password);
}

std::vector<imap::MailboxEntry> ImapStoreAdapter::list_mailboxes(std::string_view user) {
  std::vector<imap::MailboxEntry> out;
  // The store has no special-use marks of its own: its default Sent and Trash (and any folder
  // a user makes with a well-known name) get the attribute clients look for (RFC 6154).
  for (const auto& f : store_.list_folders(user))
    out.push_back(imap::MailboxEntry{f.name, f.subscribed, imap::special_use_for_name(f.name)});
  return out;
}

imap::StoreResult ImapStoreAdapter::create_mailbox(std::string_view user, std::string_view name) {
  return from_folder_result(store_.create_folder(user, name));
}

imap::StoreResult ImapStoreAdapter::delete_mailbox(std::string_view user, std::string_view name) {
  return from_folder_result(store_.delete_folder(user, name));
}

imap::StoreResult ImapStoreAdapter::rename_mailbox(std::string_view user, std::string_view from,
                                                   std::string_view to) {
  return from_folder_result(store_.rename_folder(user, from, to));
}

imap::StoreResult ImapStoreAdapter::set_subscribed(std::string_view user, std::string_view name, bool subscribed) {
  return from_folder_result(store_.set_subscribed(user, name, subscribed));
}

std::optional<imap::MailboxSnapshot> ImapStoreAdapter::snapshot(std::string_view user, std::string_view mailbox) {
  auto snap = store_.snapshot(user, folder(mailbox));
  if (!snap) return std::nullopt;
  imap::MailboxSnapshot out;
  out.uidvalidity = snap->uidvalidity;
  out.uidnext = snap->uidnext;
  out.version = snap->version;
  out.messages.reserve(snap->messages.size());
  for (const auto& m : snap->messages)
    out.messages.push_back(imap::MessageMeta{m.uid, m.flags, imap_seconds(m.internal_date), m.size});
  return out;
}

std::uint64_t ImapStoreAdapter::version(std::string_view user, std::string_view mailbox) {
  return store_.version(user, folder(mailbox));
}

std::vector<std::uint32_t> ImapStoreAdapter::claim_recent(std::string_view user, std::string_view mailbox) {
  return store_.claim_recent(user, folder(mailbox));
}

std::uint32_t ImapStoreAdapter::recent_count(std::string_view user, std::string_view mailbox) {
  return store_.recent_count(user, folder(mailbox));
}

std::shared_ptr<const std::string> ImapStoreAdapter::message_bytes(std::string_view user, std::string_view mailbox,
                                                                   std::uint32_t uid) {
  if (body_read_) return store_.fetch(user, folder(mailbox), uid, "imap FETCH");
  return store_.raw(user, folder(mailbox), uid);
}

bool ImapStoreAdapter::set_flags(std::string_view user, std::string_view mailbox, std::uint32_t uid,
                                 const imap::FlagSet& flags) {
  return store_.store_flags(user, folder(mailbox), uid, FlagOp::Replace, flags).has_value();
}

std::vector<std::uint32_t> ImapStoreAdapter::expunge(std::string_view user, std::string_view mailbox,
                                                     const std::vector<std::uint32_t>& uids) {
  return store_.expunge(user, folder(mailbox), uids);
}

imap::AppendResult ImapStoreAdapter::append(std::string_view user, std::string_view mailbox, std::string_view raw,
                                            const imap::FlagSet& flags, std::int64_t internal_date) {
  const auto r = store_.append(user, folder(mailbox), raw, flags, sim_time_from_imap(internal_date));
  imap::AppendResult out;
  switch (r.status) {
    case AppendResult::Status::Stored: out.result = imap::StoreResult::Ok; break;
    case AppendResult::Status::NoSuchUser:
    case AppendResult::Status::NoSuchFolder: out.result = imap::StoreResult::NoSuchMailbox; break;
    case AppendResult::Status::OverQuota: out.result = imap::StoreResult::OverQuota; break;
  }
  out.uidvalidity = r.uidvalidity;
  out.uid = r.uid;
  return out;
}

imap::CopyResult ImapStoreAdapter::copy(std::string_view user, std::string_view from,
                                        const std::vector<std::uint32_t>& uids, std::string_view to) {
  return from_copy_result(store_.copy(user, folder(from), uids, folder(to)));
}

imap::CopyResult ImapStoreAdapter::move(std::string_view user, std::string_view from,
                                        const std::vector<std::uint32_t>& uids, std::string_view to) {
  return from_copy_result(store_.move(user, folder(from), uids, folder(to)));
}

// ---- classification of command lines ---------------------------------------------------------

bool imap_line_reads_body(std::string_view line) {
  const std::string up = imap::to_upper(line);
  // The verb: second word, or third after UID.
  auto word = [&](std::size_t n) -> std::string {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
      pos = up.find(' ', pos);
      if (pos == std::string::npos) return {};
      ++pos;
    }
    const auto end = up.find(' ', pos);
    return up.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  };
  const std::string verb = word(1);
  if (!(verb == "FETCH" || (verb == "UID" && word(2) == "FETCH"))) return false;
  for (const std::string_view key : {std::string_view("BODY["), std::string_view("BODY.PEEK[")}) {
    for (std::size_t at = up.find(key); at != std::string::npos; at = up.find(key, at + 1)) {
      const std::size_t s = at + key.size();
      const auto close = up.find(']', s);
      const std::string section = up.substr(s, close == std::string::npos ? std::string::npos : close - s);
      if (section.find("HEADER") == std::string::npos && section.find("MIME") == std::string::npos) return true;
    }
  }
  for (std::size_t at = up.find("RFC822"); at != std::string::npos; at = up.find("RFC822", at + 1)) {
    const std::string_view rest = std::string_view(up).substr(at + 6);
    if (rest.rfind(".SIZE", 0) == 0 || rest.rfind(".HEADER", 0) == 0) continue;
    return true;
  }
  return false;
}

// ---- ImapServerEngine -----------------------------------------------------------------------

ImapServerEngine::ImapServerEngine(mail::MailStore& store, imap::ServerConfig config)
    : store_(store), adapter_(store), session_(adapter_, std::move(config)) {}

ImapServerEngine::~ImapServerEngine() {
  if (watch_) store_.unwatch(*watch_);
}

void ImapServerEngine::receive(std::string_view bytes) {
  if (clock) session_.set_now(imap_seconds(clock()));
  // Hand the session one line (or the rest of one) at a time, classifying complete lines.
  while (!bytes.empty()) {
    const auto lf = bytes.find('\n');
    const std::string_view piece = lf == std::string_view::npos ? bytes : bytes.substr(0, lf + 1);
    bytes.remove_prefix(piece.size());
    if (line_.size() < kMaxClassifiedLine) line_ += piece.substr(0, kMaxClassifiedLine - line_.size());
    const bool complete = !piece.empty() && piece.back() == '\n';
    adapter_.set_body_read(complete && imap_line_reads_body(line_));
    session_.receive(piece);
    adapter_.set_body_read(false);
    if (complete) line_.clear();
  }
  follow_selection();
}

void ImapServerEngine::connection_lost() {
  session_.connection_lost();
  follow_selection();
}

void ImapServerEngine::poll() {
  session_.poll();
  follow_selection();
}

void ImapServerEngine::follow_selection() {
  const bool selected = !session_.closed() && session_.state() == imap::ServerSession::State::Selected;
  const std::string user = selected ? session_.user() : std::string();
  const std::string box = selected ? MailStore::normal_name(session_.selected_mailbox()) : std::string();
  if (watch_ && user == watched_user_ && box == watched_folder_) return;
  if (watch_) {
    store_.unwatch(*watch_);
    watch_.reset();
  }
  watched_user_ = user;
  watched_folder_ = box;
  if (!selected) return;
  watch_ = store_.watch(user, box, [this](const ChangeRecord& change) {
    // Only what a client sees: messages and flags (not reads or locks).
    if (change.kind == ChangeKind::Fetched || change.kind == ChangeKind::MaildropLocked ||
        change.kind == ChangeKind::MaildropUnlocked || change.kind == ChangeKind::MaildropLockRefused)
      return;
    if (on_change) on_change();
  });
}

}  // namespace mailsim::sim::mail
