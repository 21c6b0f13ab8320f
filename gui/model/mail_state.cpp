// Replays the trace's mail and mailbox records into change lists once; snapshots every K changes.
#include "gui/model/mail_state.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "protocols/message/message.hpp"

namespace mailsim::gui {

namespace {

std::string str(const nlohmann::json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::vector<std::string> strings(const nlohmann::json& d, const char* key) {
  std::vector<std::string> out;
  auto it = d.find(key);
  if (it == d.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  return s;
}

// "hogehoge.com. 3600 IN MX 10 mx1.hogehoge.com." -> 3600 (0 when unreadable).
std::uint64_t ttl_of(const std::string& rr) {
  std::istringstream in(rr);
  std::string owner;
  std::string ttl;
  in >> owner >> ttl;
  if (ttl.empty() || ttl.find_first_not_of("0123456789") != std::string::npos || ttl.size() > 9) return 0;
  return std::stoull(ttl);
}

FolderState* find_folder(MailboxState& m, const std::string& name, bool create) {
  for (auto& f : m.folders)
    if (f.name == name) return &f;
  if (!create) return nullptr;
  FolderState f;
  f.name = name;
  if (name == "INBOX") {
    m.folders.insert(m.folders.begin(), std::move(f));
    return &m.folders.front();
  }
  m.folders.push_back(std::move(f));
  return &m.folders.back();
}

// Positions of `host`'s mailboxes in s.mailboxes by the state's index (nullptr: no index).
const std::vector<std::size_t>* indexed_mailboxes(const MailState& s, const std::string& host) {
  if (!s.index.ptr) return nullptr;
  static const std::vector<std::size_t> kNone;
  const auto it = s.index.ptr->mailboxes.find(host);
  return it != s.index.ptr->mailboxes.end() ? &it->second : &kNone;
}

// Position of `host` in `map` when it is already in `v` (the index knows every host the
// model ever meets); nullopt when the index cannot say (no index, or not yet there).
template <typename T>
std::optional<std::size_t> indexed(const MailState& s, const std::unordered_map<std::string, std::size_t>& map,
                                   const SharedVector<T>& v, const std::string& host) {
  if (!s.index.ptr) return std::nullopt;
  const auto it = map.find(host);
  if (it == map.end() || it->second >= v.size() || v[it->second].host != host) return std::nullopt;
  return it->second;
}

// Position of `host`'s mailbox of `user` in s.mailboxes (appended, with an INBOX, when new).
std::size_t mailbox_at(MailState& s, const std::string& host, const std::string& user) {
  if (const auto* at = indexed_mailboxes(s, host)) {
    for (auto k : *at) {
      if (k >= s.mailboxes.size()) break;
      if (s.mailboxes[k].user == user) return k;
    }
  } else {
    for (std::size_t k = 0; k < s.mailboxes.size(); ++k)
      if (s.mailboxes[k].host == host && s.mailboxes[k].user == user) return k;
  }
  MailboxState m;
  m.host = host;
  m.user = user;
  find_folder(m, "INBOX", true);
  s.mailboxes.push_back(std::move(m));
  return s.mailboxes.size() - 1;
}

// The same for the changes: the state's own copy of the mailbox.
MailboxState& find_mailbox(MailState& s, const std::string& host, const std::string& user) {
  return s.mailboxes.mutate(mailbox_at(s, host, user));
}

// Position of `host`'s queue / device (appended, empty, when new).
std::size_t queue_at(MailState& s, const std::string& host) {
  if (s.index.ptr) {
    if (auto k = indexed(s, s.index.ptr->queues, s.queues, host)) return *k;
  } else {
    for (std::size_t k = 0; k < s.queues.size(); ++k)
      if (s.queues[k].host == host) return k;
  }
  s.queues.push_back(MtaQueue{host, {}});
  return s.queues.size() - 1;
}

std::size_t device_at(MailState& s, const std::string& host) {
  if (s.index.ptr) {
    if (auto k = indexed(s, s.index.ptr->devices, s.devices, host)) return *k;
  } else {
    for (std::size_t k = 0; k < s.devices.size(); ++k)
      if (s.devices[k].host == host) return k;
  }
  s.devices.push_back(DeviceState{host, {}, {}});
  return s.devices.size() - 1;
}

std::vector<StoredMessage>::iterator find_uid(FolderState& f, std::uint32_t uid) {
  auto it = std::lower_bound(f.messages.begin(), f.messages.end(), uid,
                             [](const StoredMessage& m, std::uint32_t u) { return m.uid < u; });
  return it != f.messages.end() && it->uid == uid ? it : f.messages.end();
}

void insert_sorted(FolderState& f, StoredMessage m) {
  auto it = std::lower_bound(f.messages.begin(), f.messages.end(), m.uid,
                             [](const StoredMessage& x, std::uint32_t u) { return x.uid < u; });
  if (it != f.messages.end() && it->uid == m.uid) {
    *it = std::move(m);
  } else {
    f.messages.insert(it, std::move(m));
  }
}

std::string uid_key(const std::string& host, const std::string& user, const std::string& folder, std::uint64_t uid) {
  return host + "|" + user + "|" + folder + "|" + std::to_string(uid);
}

int stage_rank(LetterStage s) {
  switch (s) {
    case LetterStage::Unknown: return 0;
    case LetterStage::Composed: return 1;
    case LetterStage::Submitted: return 2;
    case LetterStage::SendFailed:
    case LetterStage::Queued: return 3;
    case LetterStage::Relayed: return 4;
    case LetterStage::Delivered:
    case LetterStage::Refused:
    case LetterStage::Bounced: return 5;
  }
  return 0;
}

}  // namespace

bool StoredMessage::seen() const { return std::find(flags.begin(), flags.end(), "\\Seen") != flags.end(); }

bool StoredMessage::deleted() const { return std::find(flags.begin(), flags.end(), "\\Deleted") != flags.end(); }

std::size_t MailboxState::unread_count() const {
  std::size_t n = 0;
  for (const auto& f : folders)
    for (const auto& m : f.messages)
      if (!m.seen() && !m.deleted()) ++n;
  return n;
}

std::size_t MailboxState::deleted_count() const {
  std::size_t n = 0;
  for (const auto& f : folders)
    for (const auto& m : f.messages)
      if (m.deleted()) ++n;
  return n;
}

std::size_t MailboxState::message_count() const {
  std::size_t n = 0;
  for (const auto& f : folders) n += f.messages.size();
  return n;
}

const FolderState* MailboxState::folder(const std::string& name) const {
  for (const auto& f : folders)
    if (f.name == name) return &f;
  return nullptr;
}

std::size_t MtaQueue::deferred_count() const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const QueueEntry& e) { return e.deferred; }));
}

const MailboxState* MailState::mailbox(const std::string& host, const std::string& user) const {
  if (const auto* at = indexed_mailboxes(*this, host)) {
    for (auto k : *at) {
      if (k >= mailboxes.size()) break;
      if (mailboxes[k].user == user) return &mailboxes[k];
    }
    return nullptr;
  }
  for (const auto& m : mailboxes)
    if (m.host == host && m.user == user) return &m;
  return nullptr;
}

std::vector<const MailboxState*> MailState::mailboxes_of(const std::string& host) const {
  std::vector<const MailboxState*> out;
  if (const auto* at = indexed_mailboxes(*this, host)) {
    for (auto k : *at) {
      if (k >= mailboxes.size()) break;
      out.push_back(&mailboxes[k]);
    }
    return out;
  }
  for (const auto& m : mailboxes)
    if (m.host == host) out.push_back(&m);
  return out;
}

const MtaQueue* MailState::queue(const std::string& host) const {
  if (index.ptr) {
    const auto k = indexed(*this, index.ptr->queues, queues, host);
    return k ? &queues[*k] : nullptr;
  }
  for (const auto& q : queues)
    if (q.host == host) return &q;
  return nullptr;
}

const DeviceState* MailState::device(const std::string& host) const {
  if (index.ptr) {
    const auto k = indexed(*this, index.ptr->devices, devices, host);
    return k ? &devices[*k] : nullptr;
  }
  for (const auto& d : devices)
    if (d.host == host) return &d;
  return nullptr;
}

// ---------------------------------------------------------------------------------------

std::size_t MailModel::letter_for(const std::string& key) {
  auto [it, fresh] = letter_index_.try_emplace(key, letters_.size());
  if (fresh) {
    Letter l;
    l.key = key;
    letters_.push_back(std::move(l));
  }
  return it->second;
}

std::optional<std::size_t> MailModel::letter_by_key(const std::string& key) const {
  auto it = letter_index_.find(key);
  if (it == letter_index_.end()) return std::nullopt;
  return it->second;
}

MailModel::MailModel(const sim::Scenario& scenario, const sim::RecordStore& records) {
  std::map<std::string, std::string> host_by_name;  // mail server hostname (lower case) -> host id
  std::map<std::string, std::string> login;         // "device|account" -> login user
  std::map<std::string, std::string> server_of;     // "device|account" -> incoming server host
  std::set<std::string> recursive;
  for (const auto& h : scenario.hosts) {
    if (h.mail_server) {
      host_by_name[lower(h.mail_server->hostname)] = h.info.id;
      for (const auto& u : h.mail_server->users) {
        seed_mailboxes_.emplace_back(h.info.id, u.name);
        seed_quota_[h.info.id + "/" + u.name] = u.quota;
      }
    }
    if (h.mail_client) {
      for (const auto& a : h.mail_client->accounts) {
        const auto at = a.address.rfind('@');
        login[h.info.id + "|" + a.address] = !a.user.empty() ? a.user : a.address.substr(0, at);
        if (a.incoming) server_of[h.info.id + "|" + a.address] = a.incoming->server;
      }
    }
    if (h.dns_server && h.dns_server->recursive) recursive.insert(h.info.id);
  }

  std::map<std::string, std::size_t> by_queue;  // "host|queue id" -> letter
  std::map<std::string, std::size_t> by_store;  // "host#store id" -> letter
  std::map<std::string, std::size_t> by_uid;    // "host|user|folder|uid" -> letter (ever)
  std::map<std::string, std::size_t> add_change;  // "host|user|folder|uid" -> index in changes_ of its Add
  // POP3 download-and-delete: the server removes the message when the session ends, a
  // moment before the device records the download. Letter -> (its Remove in changes_,
  // "host|user"); the device's copy is shown from the Remove on (copies in `early`).
  std::map<std::size_t, std::pair<std::size_t, std::string>> popped;
  std::vector<Change> early;
  MailState work = initial_state();

  auto touch = [&](std::size_t letter, std::size_t i) {
    if (letter == kNoLetter) return;
    auto& h = letters_[letter].history;
    if (h.empty() || h.back() != i) h.push_back(i);
  };
  auto push = [&](Change c) {
    if (work.letters.size() < letters_.size()) work.letters.resize(letters_.size());
    apply(work, c);
    changes_.push_back(std::move(c));
  };

  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const auto& d = r.detail;
    Change c;
    c.record = i;
    c.host = r.host;
    c.time = r.time;

    if (r.kind == sim::RecordKind::Mail) {
      const sim::MailInfo& mi = r.mail_info();
      const std::string mid = mi.message_id.str();
      const std::string qid = mi.queue_id.str();
      std::size_t letter = kNoLetter;
      if (!mid.empty()) {
        letter = letter_for(mid);
        letters_[letter].message_id = mid;
      } else if (!qid.empty()) {
        auto it = by_queue.find(r.host + "|" + qid);
        letter = it != by_queue.end() ? it->second : letter_for(r.host + ":" + qid);
      }
      if (!qid.empty() && letter != kNoLetter) by_queue.emplace(r.host + "|" + qid, letter);
      if (letter != kNoLetter) {
        auto& l = letters_[letter];
        if (l.subject.empty()) l.subject = std::string(mi.subject);
        if (l.sender.empty() && mi.has(sim::MailInfo::kSender)) l.sender = mi.sender.str();
        if (l.recipients.empty()) l.recipients = strings(d, "recipients");
        if (l.recipients.empty() && mi.has(sim::MailInfo::kRecipient)) l.recipients.push_back(mi.recipient.str());
        l.size = std::max(l.size, mi.size > 0 ? static_cast<std::uint64_t>(mi.size) : std::uint64_t{0});
        touch(letter, i);
      }
      c.letter = letter;
      c.op = Change::Op::Letter;
      using E = sim::MailEvent;
      const E e = r.mail_event();
      if (e == E::Compose) {
        c.stage = LetterStage::Composed;
      } else if (e == E::Submitted) {
        c.stage = LetterStage::Submitted;
      } else if (e == E::SendFailed) {
        c.stage = LetterStage::SendFailed;
      } else if (e == E::Queued) {
        c.op = Change::Op::QueueAdd;
        c.stage = LetterStage::Queued;
        c.text = qid;
        c.list = strings(d, "recipients");
        c.from = mi.sender.str();
        c.subject = std::string(mi.subject);
        c.size = mi.size > 0 ? static_cast<std::uint64_t>(mi.size) : 0;
      } else if (e == E::Routing || e == E::ConnectFailed) {
        c.op = Change::Op::QueueTrying;
        c.text = qid;
        if (e == E::Routing) {
          const auto mx = strings(d, "mx");
          for (const auto& m : mx) c.reason += (c.reason.empty() ? "" : ", ") + m;
          if (c.reason.empty()) c.reason = str(d, "smarthost");
        } else {
          c.reason = r.peer + ": " + std::string(mi.error);
        }
      } else if (e == E::Deferred) {
        c.op = Change::Op::QueueDefer;
        c.stage = LetterStage::Queued;
        c.text = qid;
        c.attempts = mi.attempts;
        c.retry_at = mi.retry_at;
        c.reason = std::string(mi.reason);
      } else if (e == E::Relayed || e == E::Bounced) {
        c.stage = e == E::Relayed ? LetterStage::Relayed : LetterStage::Bounced;
        if (!qid.empty()) {
          c.op = Change::Op::QueueDone;
          c.text = qid;
          c.list = {mi.recipient.str()};
        }
      } else if (e == E::Delivered) {
        c.stage = LetterStage::Delivered;
        // Link the stored copy to this letter when its own record could not (no headers).
        const std::string key = uid_key(r.host, mi.user.str(), mi.folder.str(), static_cast<std::uint64_t>(mi.uid));
        if (auto a = add_change.find(key); a != add_change.end() && letter != kNoLetter) {
          auto& added = changes_[a->second];
          if (added.letter != letter && added.letter != kNoLetter && letters_[added.letter].message_id.empty()) {
            for (auto h : letters_[added.letter].history) touch(letter, h);
            std::sort(letters_[letter].history.begin(), letters_[letter].history.end());
            auto& l = letters_[letter];
            const auto& old = letters_[added.letter];
            if (l.headers.empty()) {
              l.headers = old.headers;
              l.headers_record = old.headers_record;
              l.headers_truncated = old.headers_truncated;
              l.body_preview = old.body_preview;
              l.body_truncated = old.body_truncated;
              if (l.from.empty()) l.from = old.from;
            }
            for (auto& [k, v] : by_store)
              if (v == added.letter) v = letter;
            for (auto& [k, v] : by_uid)
              if (v == added.letter) v = letter;
            added.letter = letter;
            // The working state holds the old letter number for the message: fix it.
            if (auto* f = find_folder(find_mailbox(work, r.host, mi.user.str()), mi.folder.str(), false)) {
              if (auto m = find_uid(*f, static_cast<std::uint32_t>(mi.uid)); m != f->messages.end())
                m->letter = letter;
            }
          }
        }
      } else if (e == E::Refused) {
        c.stage = LetterStage::Refused;
      }
      push(std::move(c));
      continue;
    }

    if (r.kind == sim::RecordKind::Dns) {
      const auto& dns = r.dns_info();
      if (r.is(sim::DnsEvent::Response) && recursive.count(r.peer) && dns.role == "authoritative") {
        auto& cache = caches_[r.peer];
        for (const auto& section : {dns.answer_list(), dns.authority_list()}) {
          for (const auto view : section) {
            const std::string rr(view);
            const auto ttl = ttl_of(rr);
            cache.push_back({rr, r.time, r.time + static_cast<sim::Time>(ttl) * sim::kSecond, i});
          }
        }
      }
      continue;
    }

    if (r.kind == sim::RecordKind::Action && r.event == "server_changed") {
      // change_server: a user's new quota ("quota": "USER BYTES") is the gauge's limit from now on.
      if (const auto ch = d.find("changes"); ch != d.end() && ch->is_array()) {
        for (const auto& item : *ch) {
          if (!item.is_object() || item.value("setting", "") != "quota") continue;
          const std::string v = item.value("value", "");
          const auto space = v.rfind(' ');
          if (space == std::string::npos) continue;
          Change q = c;
          q.op = Change::Op::QuotaLimit;
          q.user = v.substr(0, space);
          q.quota_limit = std::strtoull(v.c_str() + space + 1, nullptr, 10);
          q.has_quota = true;
          push(std::move(q));
        }
      }
      continue;
    }

    if (r.kind != sim::RecordKind::Mailbox) continue;
    using E = sim::MailboxEvent;
    using M = sim::MailboxInfo;
    const auto& m = r.mailbox_info();
    const E e = m.event;
    // A typed number as the model keeps it (negative numbers, which no store writes, as 0).
    const auto u64_of = [](std::int64_t v) { return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v)); };
    if (r.protocol == "store") {
      c.user = m.user.str();
      c.folder = m.folder.str();
      c.to_folder = m.to_folder.str();
      c.uid = static_cast<std::uint32_t>(u64_of(m.uid));
      c.to_uid = static_cast<std::uint32_t>(u64_of(m.to_uid));
      c.store_id = u64_of(m.message_id);
      c.size = u64_of(m.size);
      for (const auto f : m.flag_list()) c.flags.emplace_back(f);
      c.has_quota = m.has(M::kQuotaUsed);
      c.quota_used = u64_of(m.quota_used);
      c.quota_limit = u64_of(m.quota_limit);
      c.reason = m.reason_text();
      const std::string store_key = r.host + "#" + std::to_string(c.store_id);
      if (c.store_id != 0) {
        if (auto it = by_store.find(store_key); it != by_store.end()) c.letter = it->second;
      }
      if (e == E::Stored || e == E::Appended) {
        c.op = Change::Op::Add;
        const std::string headers = sim::unescape_bytes(m.headers);
        const auto fields = message::parse_header_section(headers);
        const std::string mid = trimmed(message::find_header(fields, "Message-ID").value_or(""));
        c.letter = letter_for(!mid.empty() ? mid : store_key);
        auto& l = letters_[c.letter];
        if (!mid.empty()) l.message_id = mid;
        if (!headers.empty() && !l.headers_record) {
          l.headers = headers;
          l.headers_record = i;
          l.headers_truncated = m.headers_truncated;
          l.body_preview = sim::unescape_bytes(m.body_preview);
          l.body_truncated = m.body_truncated;
          if (auto s = message::find_header(fields, "Subject")) l.subject = trimmed(message::decode_encoded_words(*s));
          if (auto f = message::find_header(fields, "From")) l.from = trimmed(message::decode_encoded_words(*f));
        }
        l.size = std::max(l.size, c.size);
        by_store[store_key] = c.letter;
        by_uid[uid_key(r.host, c.user, c.folder, c.uid)] = c.letter;
        add_change[uid_key(r.host, c.user, c.folder, c.uid)] = changes_.size();
      } else if (e == E::Copied) {
        c.op = Change::Op::Add;
        c.folder = c.to_folder;
        c.uid = c.to_uid;
        c.store_id = u64_of(m.to_message_id);
        if (c.letter != kNoLetter) {
          by_store[r.host + "#" + std::to_string(c.store_id)] = c.letter;
          by_uid[uid_key(r.host, c.user, c.folder, c.uid)] = c.letter;
        }
      } else if (e == E::Moved) {
        c.op = Change::Op::Move;
        if (c.letter != kNoLetter) by_uid[uid_key(r.host, c.user, c.to_folder, c.to_uid)] = c.letter;
      } else if (e == E::Expunged || e == E::DownloadedAndDeleted || e == E::DeletedViaPop3) {
        c.op = Change::Op::Remove;
        if (e == E::DownloadedAndDeleted && c.letter != kNoLetter)
          popped[c.letter] = {changes_.size(), r.host + "|" + c.user};
      } else if (e == E::FlagsChanged) {
        c.op = Change::Op::Flags;
      } else if (e == E::FolderCreated) {
        c.op = Change::Op::FolderAdd;
      } else if (e == E::FolderDeleted) {
        c.op = Change::Op::FolderRemove;
      } else if (e == E::FolderRenamed) {
        c.op = Change::Op::FolderRename;
      } else if (e == E::MaildropLocked) {
        c.op = Change::Op::Lock;
      } else if (e == E::MaildropUnlocked) {
        c.op = Change::Op::Unlock;
      } else if (e == E::DeliveryRefused) {
        c.op = Change::Op::Refused;
      } else {
        c.op = Change::Op::Usage;  // fetched, refusals of append/copy, subscriptions, lock refused
      }
      touch(c.letter, i);
      push(std::move(c));
      continue;
    }

    // What a device shows.
    c.user = m.account.str();
    c.text = m.key.str();
    c.subject = std::string(m.subject);
    c.from = m.from.str();
    c.folder = m.has(M::kFolder) ? m.folder.str() : std::string("INBOX");
    c.size = u64_of(m.size);
    c.seen = m.seen;
    c.reason = std::string(m.error);
    if (e == E::DeviceDownloaded || e == E::DeviceSynced) {
      c.op = Change::Op::DeviceAdd;
      // Which stored message it is: the server's UID (IMAP uid; POP3 unique-id "uidvalidity.uid").
      std::uint64_t uid = u64_of(m.uid);
      if (uid == 0) {
        const auto dot = c.text.rfind('.');
        const std::string tail = dot == std::string::npos ? c.text : c.text.substr(dot + 1);
        if (!tail.empty() && tail.size() < 10 && tail.find_first_not_of("0123456789") == std::string::npos)
          uid = std::stoull(tail);
      }
      const std::string acct = r.host + "|" + c.user;
      const std::string server = !r.peer.empty() ? r.peer.str() : server_of.count(acct) ? server_of[acct] : std::string();
      const std::string user = login.count(acct) ? login[acct] : c.user.substr(0, c.user.rfind('@'));
      if (auto it = by_uid.find(uid_key(server, user, c.folder, uid)); uid != 0 && it != by_uid.end()) {
        c.letter = it->second;
      } else {
        for (std::size_t k = letters_.size(); k-- > 0;) {
          if (!c.subject.empty() && letters_[k].subject == c.subject) {
            c.letter = k;
            break;
          }
        }
      }
      if (auto p = popped.find(c.letter); p != popped.end() && p->second.second == server + "|" + user) {
        Change copy = c;
        copy.record = changes_[p->second.first].record;
        early.push_back(std::move(copy));
        popped.erase(p);
      }
    } else if (e == E::DeviceOpened || e == E::DeviceFlags) {
      c.op = Change::Op::DeviceUpdate;
    } else if (e == E::DeviceDeleted) {
      c.op = Change::Op::DeviceRemove;
    } else if (e == E::CheckFailed || e == E::ActionFailed) {
      c.op = Change::Op::DeviceError;
    } else if (e == E::DeviceChecked) {
      c.op = Change::Op::DeviceOk;
    } else {
      continue;
    }
    if (c.op != Change::Op::DeviceAdd) {
      // The letter of the device's copy, if the device shows it.
      if (const auto* dev = work.device(r.host)) {
        for (const auto& it : dev->items)
          if (it.account == c.user && it.key == c.text) c.letter = it.letter;
      }
    }
    touch(c.letter, i);
    push(std::move(c));
  }

  if (!early.empty()) {
    // After the Remove they copy (same record): stable by record, appended last.
    for (auto& c : early) changes_.push_back(std::move(c));
    std::stable_sort(changes_.begin(), changes_.end(),
                     [](const Change& a, const Change& b) { return a.record < b.record; });
  }

  // Snapshots, spaced by what copying one costs (see the class comment): a pointer per
  // mailbox, queue and device, letters / 8; kChangeCost such units per change replayed.
  MailState s = initial_state();
  checkpoints_.push_back(s);
  checkpoint_at_.push_back(0);
  auto gap_after = [](const MailState& st) {
    const std::size_t copy = st.mailboxes.size() + st.queues.size() + st.devices.size() + st.letters.size() / 8;
    return std::max(kCheckpointEvery, copy / kChangeCost);
  };
  std::size_t since = 0;
  std::size_t gap = gap_after(s);
  for (std::size_t k = 0; k < changes_.size(); ++k) {
    apply(s, changes_[k]);
    if (++since >= gap) {
      checkpoints_.push_back(s);  // shares every part with `s`; apply() copies what it changes next
      checkpoint_at_.push_back(k + 1);
      since = 0;
      gap = gap_after(s);
    }
  }
  // The last state knows every host in its final position: index it and share the index
  // with every checkpoint (and every state made from them).
  auto index = std::make_shared<MailState::HostIndex>();
  for (std::size_t k = 0; k < s.mailboxes.size(); ++k) index->mailboxes[s.mailboxes[k].host].push_back(k);
  for (std::size_t k = 0; k < s.queues.size(); ++k) index->queues.emplace(s.queues[k].host, k);
  for (std::size_t k = 0; k < s.devices.size(); ++k) index->devices.emplace(s.devices[k].host, k);
  host_index_ = std::move(index);
  for (auto& c : checkpoints_) c.index.ptr = host_index_;
  for (auto& [host, entries] : caches_) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const CacheEntry& a, const CacheEntry& b) { return a.source < b.source; });
  }
}

MailState MailModel::initial_state() const {
  MailState s;
  s.index.ptr = host_index_;
  for (const auto& [host, user] : seed_mailboxes_) {
    auto& m = find_mailbox(s, host, user);
    if (auto it = seed_quota_.find(host + "/" + user); it != seed_quota_.end()) m.quota_limit = it->second;
  }
  s.letters.resize(letters_.size());
  return s;
}

void MailModel::apply(MailState& s, const Change& c) const {
  using Op = Change::Op;
  if (c.letter != kNoLetter && c.letter < s.letters.size()) {
    auto& ls = s.letters[c.letter];
    // A letter only moves forward: a late "relayed" on the sender's side (the 250 arrives after
    // the MX has filed it) does not undo "delivered".
    if (c.stage != LetterStage::Unknown && stage_rank(c.stage) >= stage_rank(ls.stage)) ls.stage = c.stage;
    ls.last_record = c.record;
  }
  switch (c.op) {
    case Op::Letter: return;
    case Op::QueueAdd: {
      QueueEntry e;
      e.queue_id = c.text;
      e.letter = c.letter;
      e.sender = c.from;
      e.recipients = c.list;
      e.subject = c.subject;
      e.size = c.size;
      e.queued_at = c.time;
      e.record = c.record;
      s.queues.mutate(queue_at(s, c.host)).entries.push_back(std::move(e));
      return;
    }
    case Op::QueueDefer:
    case Op::QueueTrying:
    case Op::QueueDone: {
      // Read first: only the queue and the entry that change are copied.
      const std::size_t qk = queue_at(s, c.host);
      const auto& entries = s.queues[qk].entries;
      const auto found = std::find_if(entries.begin(), entries.end(),
                                      [&](const QueueEntry& e) { return e.queue_id == c.text; });
      if (found == entries.end()) return;
      const auto at = static_cast<std::size_t>(found - entries.begin());
      auto& q = s.queues.mutate(qk);
      auto& e = q.entries.mutate(at);
      if (c.op == Op::QueueDefer) {
        e.deferred = true;
        e.attempts = c.attempts;
        e.retry_at = c.retry_at;
        e.reason = c.reason;
        e.trying.clear();
      } else if (c.op == Op::QueueTrying) {
        e.trying = c.reason;
      } else {
        for (const auto& r : c.list)
          e.recipients.erase(std::remove(e.recipients.begin(), e.recipients.end(), r), e.recipients.end());
        if (e.recipients.empty()) q.entries.erase(q.entries.begin() + static_cast<std::ptrdiff_t>(at));
      }
      return;
    }
    case Op::DeviceAdd:
    case Op::DeviceUpdate:
    case Op::DeviceRemove:
    case Op::DeviceError:
    case Op::DeviceOk: {
      auto& dev = s.devices.mutate(device_at(s, c.host));
      if (c.op == Op::DeviceError) {
        dev.last_error = c.reason;
        return;
      }
      if (c.op == Op::DeviceOk) {
        dev.last_error.clear();
        return;
      }
      auto it = std::find_if(dev.items.begin(), dev.items.end(),
                             [&](const DeviceItem& d) { return d.account == c.user && d.key == c.text; });
      if (c.op == Op::DeviceRemove) {
        if (it != dev.items.end()) dev.items.erase(it);
        return;
      }
      if (it == dev.items.end()) {
        if (c.op != Op::DeviceAdd) return;
        DeviceItem item;
        item.account = c.user;
        item.key = c.text;
        item.letter = c.letter;
        dev.items.push_back(std::move(item));
        it = dev.items.end() - 1;
      }
      if (!c.subject.empty()) it->subject = c.subject;
      if (!c.from.empty()) it->from = c.from;
      if (c.op == Op::DeviceAdd) it->folder = c.folder;
      if (c.size != 0) it->size = c.size;
      it->seen = c.seen;
      return;
    }
    default: break;
  }

  // Mailbox changes. A change of nothing but usage that leaves it as it was (a fetch, a
  // refused command) does not copy the mailbox.
  const std::size_t mk = mailbox_at(s, c.host, c.user);
  if (c.op == Op::Usage) {
    const auto& now = s.mailboxes[mk];
    if (!c.has_quota || (now.quota_used == c.quota_used && now.quota_limit == c.quota_limit)) return;
  }
  if (c.op == Op::QuotaLimit) {  // only the limit: the usage stays as the store last said
    if (s.mailboxes[mk].quota_limit != c.quota_limit) s.mailboxes.mutate(mk).quota_limit = c.quota_limit;
    return;
  }
  auto& mb = s.mailboxes.mutate(mk);
  if (c.has_quota) {
    mb.quota_used = c.quota_used;
    mb.quota_limit = c.quota_limit;
  }
  switch (c.op) {
    case Op::Add: {
      auto* f = find_folder(mb, c.folder, true);
      StoredMessage m;
      m.store_id = c.store_id;
      m.uid = c.uid;
      m.size = c.size;
      m.flags = c.flags;
      m.letter = c.letter;
      m.record = c.record;
      insert_sorted(*f, std::move(m));
      break;
    }
    case Op::Remove: {
      if (auto* f = find_folder(mb, c.folder, false)) {
        if (auto it = find_uid(*f, c.uid); it != f->messages.end()) f->messages.erase(it);
      }
      break;
    }
    case Op::Flags: {
      if (auto* f = find_folder(mb, c.folder, false)) {
        if (auto it = find_uid(*f, c.uid); it != f->messages.end()) it->flags = c.flags;
      }
      break;
    }
    case Op::Move: {
      auto* from = find_folder(mb, c.folder, false);
      if (!from) break;
      auto it = find_uid(*from, c.uid);
      if (it == from->messages.end()) break;
      StoredMessage m = *it;
      from->messages.erase(it);
      m.uid = c.to_uid;
      m.record = c.record;
      insert_sorted(*find_folder(mb, c.to_folder, true), std::move(m));
      break;
    }
    case Op::FolderAdd: find_folder(mb, c.folder, true); break;
    case Op::FolderRemove:
      if (c.folder != "INBOX") {
        mb.folders.erase(std::remove_if(mb.folders.begin(), mb.folders.end(),
                                        [&](const FolderState& f) { return f.name == c.folder; }),
                         mb.folders.end());
      }
      break;
    case Op::FolderRename: {
      auto* f = find_folder(mb, c.folder, false);
      if (!f) break;
      if (c.folder == "INBOX") {
        // INBOX stays (empty); its messages now live in the new folder.
        FolderState moved;
        moved.name = c.to_folder;
        moved.messages = std::move(f->messages);
        f->messages.clear();
        mb.folders.push_back(std::move(moved));
      } else {
        // Inferior folders are renamed with it.
        const std::string prefix = c.folder + "/";
        for (auto& g : mb.folders) {
          if (g.name == c.folder) g.name = c.to_folder;
          else if (g.name.rfind(prefix, 0) == 0) g.name = c.to_folder + g.name.substr(c.folder.size());
        }
      }
      break;
    }
    case Op::Lock: mb.locked = true; break;
    case Op::Unlock: mb.locked = false; break;
    case Op::Refused:
      mb.refused_size = c.size;
      mb.refused_reason = c.reason;
      mb.refused_record = c.record;
      break;
    default: break;
  }
}

std::size_t MailModel::changes_upto(std::optional<std::size_t> upto) const {
  if (!upto) return 0;
  auto it = std::upper_bound(changes_.begin(), changes_.end(), *upto,
                             [](std::size_t r, const Change& c) { return r < c.record; });
  return static_cast<std::size_t>(it - changes_.begin());
}

MailState MailModel::state_after(std::optional<std::size_t> upto) const {
  const std::size_t n = changes_upto(upto);
  if (checkpoints_.empty()) return initial_state();
  const auto it = std::upper_bound(checkpoint_at_.begin(), checkpoint_at_.end(), n);
  const auto k = static_cast<std::size_t>(it - checkpoint_at_.begin()) - 1;  // checkpoint_at_[0] == 0 <= n
  MailState s = checkpoints_[k];
  for (std::size_t i = checkpoint_at_[k]; i < n; ++i) apply(s, changes_[i]);
  return s;
}

MailState MailModel::replay_after(std::optional<std::size_t> upto) const {
  const std::size_t n = changes_upto(upto);
  MailState s = initial_state();
  for (std::size_t i = 0; i < n; ++i) apply(s, changes_[i]);
  return s;
}

std::vector<LetterPlace> MailModel::places(const MailState& state, std::size_t letter) const {
  std::vector<LetterPlace> out;
  if (letter == kNoLetter) return out;
  for (const auto& q : state.queues) {
    for (const auto& e : q.entries) {
      if (e.letter != letter) continue;
      LetterPlace p;
      p.kind = LetterPlace::Kind::Queue;
      p.host = q.host;
      p.what = e.queue_id;
      p.deferred = e.deferred;
      p.retry_at = e.retry_at;
      out.push_back(std::move(p));
    }
  }
  for (const auto& mb : state.mailboxes) {
    for (const auto& f : mb.folders) {
      for (const auto& m : f.messages) {
        if (m.letter != letter) continue;
        LetterPlace p;
        p.kind = LetterPlace::Kind::Mailbox;
        p.host = mb.host;
        p.what = mb.user + "/" + f.name;
        p.uid = m.uid;
        out.push_back(std::move(p));
      }
    }
  }
  for (const auto& d : state.devices) {
    for (const auto& it : d.items) {
      if (it.letter != letter) continue;
      LetterPlace p;
      p.kind = LetterPlace::Kind::Device;
      p.host = d.host;
      p.what = it.account;
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::vector<CacheEntry> MailModel::cache_at(const std::string& host, std::optional<std::size_t> upto,
                                            sim::Time t) const {
  std::vector<CacheEntry> out;
  auto it = caches_.find(host);
  if (it == caches_.end() || !upto) return out;
  for (const auto& e : it->second) {
    if (e.source > *upto) break;
    if (e.expires <= t) continue;
    // A newer copy of the same record replaces an older one.
    auto same = std::find_if(out.begin(), out.end(), [&](const CacheEntry& o) { return o.record == e.record; });
    if (same != out.end()) *same = e;
    else out.push_back(e);
  }
  return out;
}

}  // namespace mailsim::gui
