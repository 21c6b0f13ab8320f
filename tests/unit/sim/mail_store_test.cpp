// The mailbox store: delivery results, exact quota, UID rules, folders, flags, copy/move,
// change feed and invariants under random operations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/apps/mail/store.hpp"
#include "sim/core/random.hpp"

using namespace mailsim::sim;
using namespace mailsim::sim::mail;

namespace {

// A message of exactly `size` octets (size >= 24), CRLF line ends.
std::string letter(std::size_t size, char fill = 'x') {
  std::string head = "Subject: t\r\n\r\n";
  std::string out = head + std::string(size - head.size() - 2, fill) + "\r\n";
  REQUIRE(out.size() == size);
  return out;
}

struct Recorder {
  std::vector<ChangeRecord> all;
  std::vector<std::string> events() const {
    std::vector<std::string> out;
    for (const auto& r : all) out.emplace_back(to_string(r.kind));
    return out;
  }
};

struct Fixture {
  MailStore store;
  Recorder rec;
  explicit Fixture(StoreConfig cfg = {}) : store(cfg) {
    store.set_hook([this](const ChangeRecord& r) { rec.all.push_back(r); });
  }
};

std::vector<std::uint32_t> uids_of(const MailStore& s, const std::string& user, const std::string& folder) {
  std::vector<std::uint32_t> out;
  const auto snap = s.snapshot(user, folder);
  REQUIRE(snap);
  for (const auto& m : snap->messages) out.push_back(m.uid);
  return out;
}

}  // namespace

TEST_CASE("mail store: each delivery result") {
  StoreConfig cfg;
  cfg.max_message_size = 1000;
  Fixture f(cfg);
  f.store.add_user("alice", "pw", 1500);

  const auto ok = f.store.deliver("alice", "INBOX", letter(100), 5 * kSecond, 77);
  CHECK(ok.status == DeliveryResult::Status::Stored);
  CHECK(ok.stored());
  CHECK(ok.uid == 1);
  CHECK(ok.id == 1);
  CHECK(ok.uidvalidity == f.store.snapshot("alice", "INBOX")->uidvalidity);
  const auto meta = f.store.message("alice", "INBOX", 1);
  REQUIRE(meta);
  CHECK(meta->size == 100);
  CHECK(meta->internal_date == 5 * kSecond);
  CHECK(meta->origin == 77);
  CHECK(meta->recent);
  CHECK(meta->flags.empty());
  REQUIRE(f.rec.all.size() == 1);
  CHECK(f.rec.all[0].kind == ChangeKind::Stored);
  CHECK(f.rec.all[0].user == "alice");
  CHECK(f.rec.all[0].folder == "INBOX");
  CHECK(f.rec.all[0].uid == 1);
  CHECK(f.rec.all[0].id == 1);
  CHECK(f.rec.all[0].origin == 77);
  CHECK(f.rec.all[0].quota_used == 100);
  CHECK(f.rec.all[0].quota_limit == 1500);

  const auto nouser = f.store.deliver("bob", "INBOX", letter(100), 0);
  CHECK(nouser.status == DeliveryResult::Status::NoSuchUser);
  CHECK(f.rec.all.back().kind == ChangeKind::DeliveryRefused);
  CHECK(f.rec.all.back().reason == "no such user");

  const auto big = f.store.deliver("alice", "INBOX", letter(1001), 0);
  CHECK(big.status == DeliveryResult::Status::TooLarge);
  CHECK(big.limit == 1000);
  CHECK(big.size == 1001);
  CHECK(f.rec.all.back().size_limit == 1000);
  CHECK(f.rec.all.back().reason == "message too large (1001 octets, limit 1000)");
  CHECK(f.store.deliver("alice", "INBOX", letter(1000), 0).stored());  // exactly the limit fits

  const auto full = f.store.deliver("alice", "INBOX", letter(401), 0);
  CHECK(full.status == DeliveryResult::Status::OverQuota);
  CHECK(full.used == 1100);
  CHECK(full.quota == 1500);
  CHECK(full.size == 401);
  CHECK(f.rec.all.back().reason == "mailbox full (1100 + 401 octets > quota 1500)");

  const auto nofolder = f.store.deliver("alice", "Lists", letter(50), 0);
  CHECK(nofolder.status == DeliveryResult::Status::NoSuchFolder);
  CHECK(f.store.used("alice") == 1100);
  CHECK(f.store.snapshot("alice", "INBOX")->messages.size() == 2);
  f.store.check_invariants();
}

TEST_CASE("mail store: quota is exact to the byte over all folders") {
  Fixture f;
  f.store.add_user("alice", "pw", 300);
  CHECK(f.store.deliver("alice", "INBOX", letter(100), 0).stored());
  CHECK(f.store.append("alice", "Sent", letter(150), {}, 0).status == AppendResult::Status::Stored);
  CHECK(f.store.used("alice") == 250);
  // One byte more than what is left is refused; exactly what is left is stored.
  const auto over = f.store.deliver("alice", "INBOX", letter(51), 0);
  CHECK(over.status == DeliveryResult::Status::OverQuota);
  CHECK(over.used == 250);
  CHECK(f.store.deliver("alice", "INBOX", letter(50), 0).stored());
  CHECK(f.store.used("alice") == 300);
  CHECK(f.store.deliver("alice", "INBOX", letter(24), 0).status == DeliveryResult::Status::OverQuota);
  CHECK(f.store.append("alice", "Sent", letter(24), {}, 0).status == AppendResult::Status::OverQuota);
  CHECK(f.rec.all.back().kind == ChangeKind::AppendRefused);
  // COPY needs room too; MOVE does not change usage.
  const auto copy = f.store.copy("alice", "INBOX", {1}, "Trash");
  CHECK(copy.status == CopyResult::Status::OverQuota);
  CHECK(f.rec.all.back().kind == ChangeKind::CopyRefused);
  const auto move = f.store.move("alice", "INBOX", {1}, "Trash");
  CHECK(move.status == CopyResult::Status::Ok);
  CHECK(f.store.used("alice") == 300);
  // Expunge frees exactly the message's size.
  f.store.store_flags("alice", "Trash", 1, FlagOp::Add, {std::string(kDeleted)});
  CHECK(f.store.expunge("alice", "Trash") == std::vector<std::uint32_t>{1});
  CHECK(f.store.used("alice") == 200);
  CHECK(f.store.deliver("alice", "INBOX", letter(100), 0).stored());
  CHECK(f.store.deliver("alice", "INBOX", letter(24), 0).status == DeliveryResult::Status::OverQuota);
  // Deleting a folder frees its messages, with a record for each.
  f.store.create_folder("alice", "Old");
  CHECK(f.store.move("alice", "Sent", {1}, "Old").dest_uids == std::vector<std::uint32_t>{1});
  CHECK(f.store.delete_folder("alice", "Old") == FolderResult::Ok);
  CHECK(f.store.used("alice") == 150);
  REQUIRE(f.rec.all.size() >= 2);
  CHECK(f.rec.all[f.rec.all.size() - 2].kind == ChangeKind::Expunged);
  CHECK(f.rec.all[f.rec.all.size() - 2].reason == "folder deleted");
  CHECK(f.rec.all[f.rec.all.size() - 2].quota_used == 150);
  CHECK(f.rec.all.back().kind == ChangeKind::FolderDeleted);
  // Unlimited quota (0) and a lowered quota.
  f.store.set_quota("alice", 0);
  CHECK(f.store.deliver("alice", "INBOX", letter(5000), 0).stored());
  f.store.set_quota("alice", 100);
  CHECK(f.store.deliver("alice", "INBOX", letter(24), 0).status == DeliveryResult::Status::OverQuota);
  f.store.check_invariants();
}

TEST_CASE("mail store: UIDs are never reused and UIDVALIDITY follows RFC 3501") {
  Fixture f;
  f.store.add_user("alice", "pw");
  f.store.add_user("bob", "pw");
  // Store-wide counter: every folder of every user has its own value.
  std::set<std::uint32_t> validities;
  for (const auto* u : {"alice", "bob"})
    for (const auto& info : f.store.list_folders(u)) validities.insert(info.uidvalidity);
  CHECK(validities == std::set<std::uint32_t>{1, 2, 3, 4, 5, 6});

  for (int i = 0; i < 3; ++i) f.store.deliver("alice", "INBOX", letter(30), 0);
  f.store.store_flags("alice", "INBOX", 3, FlagOp::Add, {std::string(kDeleted)});
  CHECK(f.store.expunge("alice", "INBOX") == std::vector<std::uint32_t>{3});
  CHECK(f.store.deliver("alice", "INBOX", letter(30), 0).uid == 4);
  CHECK(f.store.snapshot("alice", "INBOX")->uidnext == 5);
  CHECK(uids_of(f.store, "alice", "INBOX") == std::vector<std::uint32_t>{1, 2, 4});

  SECTION("a deleted and recreated name gets a new UIDVALIDITY") {
    f.store.create_folder("alice", "Work");
    const auto v1 = f.store.snapshot("alice", "Work")->uidvalidity;
    f.store.copy("alice", "INBOX", {1}, "Work");
    CHECK(f.store.delete_folder("alice", "Work") == FolderResult::Ok);
    f.store.create_folder("alice", "Work");
    const auto again = f.store.snapshot("alice", "Work");
    CHECK(again->uidvalidity != v1);
    CHECK(again->uidnext == 1);
    CHECK(again->messages.empty());
  }
  SECTION("a renamed folder keeps its UIDVALIDITY and UIDs; the old name starts afresh") {
    f.store.create_folder("alice", "Work/2024");
    f.store.copy("alice", "INBOX", {1, 2}, "Work");
    const auto before = *f.store.snapshot("alice", "Work");
    const auto child = f.store.snapshot("alice", "Work/2024")->uidvalidity;
    CHECK(f.store.rename_folder("alice", "Work", "Archive/Work") == FolderResult::Ok);
    CHECK_FALSE(f.store.has_folder("alice", "Work"));
    CHECK(f.store.has_folder("alice", "Archive"));  // superior created
    const auto after = *f.store.snapshot("alice", "Archive/Work");
    CHECK(after.uidvalidity == before.uidvalidity);
    CHECK(after.uidnext == before.uidnext);
    CHECK(uids_of(f.store, "alice", "Archive/Work") == std::vector<std::uint32_t>{1, 2});
    CHECK(f.store.snapshot("alice", "Archive/Work/2024")->uidvalidity == child);
    f.store.create_folder("alice", "Work");
    CHECK(f.store.snapshot("alice", "Work")->uidvalidity != before.uidvalidity);
  }
  SECTION("renaming INBOX moves its messages; INBOX keeps UIDVALIDITY and UIDNEXT") {
    const auto inbox = *f.store.snapshot("alice", "INBOX");
    const auto id1 = inbox.messages[0].id;
    f.store.create_folder("alice", "INBOX/keep");
    f.rec.all.clear();
    CHECK(f.store.rename_folder("alice", "inbox", "Old mail") == FolderResult::Ok);
    const auto moved = *f.store.snapshot("alice", "Old mail");
    CHECK(uids_of(f.store, "alice", "Old mail") == std::vector<std::uint32_t>{1, 2, 4});
    CHECK(moved.uidvalidity != inbox.uidvalidity);
    CHECK(moved.messages[0].id == id1);
    const auto now = *f.store.snapshot("alice", "INBOX");
    CHECK(now.messages.empty());
    CHECK(now.uidvalidity == inbox.uidvalidity);
    CHECK(now.uidnext == 5);
    CHECK(f.store.has_folder("alice", "INBOX/keep"));  // inferiors of INBOX stay
    CHECK(f.store.deliver("alice", "INBOX", letter(30), 0).uid == 5);
    CHECK(f.rec.events() == std::vector<std::string>{"folder-created", "folder-renamed", "moved", "moved",
                                                     "moved", "stored"});
  }
  f.store.check_invariants();
}

TEST_CASE("mail store: folder operations") {
  Fixture f;
  f.store.add_user("alice", "pw");
  std::vector<std::string> names;
  for (const auto& i : f.store.list_folders("alice")) names.push_back(i.name);
  CHECK(names == std::vector<std::string>{"INBOX", "Sent", "Trash"});

  CHECK(f.store.create_folder("alice", "a/b/c") == FolderResult::Ok);
  CHECK(f.rec.events() == std::vector<std::string>{"folder-created", "folder-created", "folder-created"});
  CHECK(f.store.has_folder("alice", "a"));
  CHECK(f.store.has_folder("alice", "a/b"));
  CHECK(f.store.create_folder("alice", "a/b") == FolderResult::AlreadyExists);
  CHECK(f.store.create_folder("alice", "inbox") == FolderResult::AlreadyExists);
  CHECK(f.store.create_folder("alice", "Inbox/x") == FolderResult::Ok);
  CHECK(f.store.has_folder("alice", "INBOX/x"));
  for (const char* bad : {"", "/a", "a/", "a//b", "a*", "b%", "tab\there"})
    CHECK(f.store.create_folder("alice", bad) == FolderResult::InvalidName);
  CHECK(f.store.create_folder("alice", std::string(kMaxFolderName + 1, 'n')) == FolderResult::InvalidName);
  CHECK(f.store.create_folder("alice", std::string(kMaxFolderName, 'n')) == FolderResult::Ok);
  CHECK(f.store.create_folder("nobody", "x") == FolderResult::NoSuchUser);

  CHECK(f.store.delete_folder("alice", "INBOX") == FolderResult::NotAllowed);
  CHECK(f.store.delete_folder("alice", "a") == FolderResult::HasChildren);
  CHECK(f.store.delete_folder("alice", "zzz") == FolderResult::NoSuchFolder);
  CHECK(f.store.delete_folder("alice", "a/b/c") == FolderResult::Ok);

  CHECK(f.store.rename_folder("alice", "a", "Sent") == FolderResult::AlreadyExists);
  CHECK(f.store.rename_folder("alice", "a", "INBOX") == FolderResult::AlreadyExists);
  CHECK(f.store.rename_folder("alice", "a", "a/b/x") == FolderResult::NotAllowed);
  CHECK(f.store.rename_folder("alice", "nope", "x") == FolderResult::NoSuchFolder);
  CHECK(f.store.rename_folder("alice", "a", "bad/") == FolderResult::InvalidName);
  CHECK(f.store.rename_folder("alice", "a", "z") == FolderResult::Ok);
  CHECK(f.store.has_folder("alice", "z/b"));
  CHECK_FALSE(f.store.has_folder("alice", "a/b"));

  CHECK(f.store.set_subscribed("alice", "z", true) == FolderResult::Ok);
  CHECK(f.store.folder_info("alice", "z")->subscribed);
  CHECK(f.rec.all.back().kind == ChangeKind::SubscriptionChanged);
  CHECK(f.store.set_subscribed("alice", "none", true) == FolderResult::NoSuchFolder);
  CHECK(f.store.folder_info("alice", "INBOX")->subscribed);
  f.store.check_invariants();
}

TEST_CASE("mail store: flags +, -, = and \\Recent") {
  Fixture f;
  f.store.add_user("alice", "pw");
  f.store.deliver("alice", "INBOX", letter(40), 0);
  const auto v0 = f.store.version("alice", "INBOX");
  const FlagSet seen{std::string(kSeen)};
  CHECK(*f.store.store_flags("alice", "INBOX", 1, FlagOp::Add, seen) == seen);
  CHECK(f.rec.all.back().kind == ChangeKind::FlagsChanged);
  CHECK(f.rec.all.back().old_flags.empty());
  CHECK(f.rec.all.back().flags == seen);
  const auto v1 = f.store.version("alice", "INBOX");
  CHECK(v1 > v0);
  // No change: no record, same version.
  const auto n = f.rec.all.size();
  CHECK(*f.store.store_flags("alice", "INBOX", 1, FlagOp::Add, seen) == seen);
  CHECK(f.rec.all.size() == n);
  CHECK(f.store.version("alice", "INBOX") == v1);
  // \Recent cannot be stored; keywords can.
  const auto flagged = f.store.store_flags("alice", "INBOX", 1, FlagOp::Add,
                                           {std::string(kFlagged), std::string(kRecent), "$Work"});
  CHECK(*flagged == FlagSet{"$Work", "\\Flagged", "\\Seen"});
  CHECK(*f.store.store_flags("alice", "INBOX", 1, FlagOp::Remove, {"$Work", "\\Seen"}) ==
        FlagSet{"\\Flagged"});
  CHECK(*f.store.store_flags("alice", "INBOX", 1, FlagOp::Replace, {"\\Answered", "\\Draft"}) ==
        FlagSet{"\\Answered", "\\Draft"});
  CHECK_FALSE(f.store.store_flags("alice", "INBOX", 9, FlagOp::Add, seen));
  // \Recent: the first session to claim it gets it.
  CHECK(f.store.recent_count("alice", "INBOX") == 1);
  CHECK(f.store.claim_recent("alice", "INBOX") == std::vector<std::uint32_t>{1});
  CHECK(f.store.claim_recent("alice", "INBOX").empty());
  CHECK(f.store.recent_count("alice", "INBOX") == 0);
  // EXPUNGE only takes \Deleted messages, and only the given UIDs when a list is given.
  f.store.deliver("alice", "INBOX", letter(40), 0);
  f.store.deliver("alice", "INBOX", letter(40), 0);
  for (std::uint32_t uid : {1u, 2u}) f.store.store_flags("alice", "INBOX", uid, FlagOp::Add, {"\\Deleted"});
  CHECK(f.store.expunge("alice", "INBOX", std::vector<std::uint32_t>{2, 3}) == std::vector<std::uint32_t>{2});
  CHECK(f.store.expunge("alice", "INBOX") == std::vector<std::uint32_t>{1});
  CHECK(uids_of(f.store, "alice", "INBOX") == std::vector<std::uint32_t>{3});
  f.store.check_invariants();
}

TEST_CASE("mail store: copy and move give new UIDs (COPYUID) and keep identities") {
  Fixture f;
  f.store.add_user("alice", "pw");
  for (int i = 0; i < 3; ++i) f.store.deliver("alice", "INBOX", letter(40), 0, 500 + static_cast<std::uint64_t>(i));
  f.store.store_flags("alice", "INBOX", 2, FlagOp::Add, {"\\Seen"});
  f.store.claim_recent("alice", "INBOX");
  f.store.append("alice", "Trash", letter(30), {}, 0);  // Trash UIDNEXT = 2

  const auto c = f.store.copy("alice", "INBOX", {3, 2, 42}, "Trash");
  CHECK(c.status == CopyResult::Status::Ok);
  CHECK(c.uidvalidity == f.store.snapshot("alice", "Trash")->uidvalidity);
  CHECK(c.source_uids == std::vector<std::uint32_t>{2, 3});
  CHECK(c.dest_uids == std::vector<std::uint32_t>{2, 3});
  const auto copy2 = *f.store.message("alice", "Trash", 2);
  const auto orig2 = *f.store.message("alice", "INBOX", 2);
  CHECK(copy2.flags == FlagSet{"\\Seen"});
  CHECK(copy2.id != orig2.id);
  CHECK(copy2.origin == 501);
  CHECK(copy2.recent);  // RFC 3501: copies are recent in the destination
  CHECK(f.rec.all.back().kind == ChangeKind::Copied);
  CHECK(f.rec.all.back().to_id == f.store.message("alice", "Trash", 3)->id);
  CHECK(f.store.used("alice") == 40 * 3 + 30 + 80);

  const auto m = f.store.move("alice", "INBOX", {1, 2}, "Trash");
  CHECK(m.source_uids == std::vector<std::uint32_t>{1, 2});
  CHECK(m.dest_uids == std::vector<std::uint32_t>{4, 5});
  CHECK(f.store.message("alice", "Trash", 5)->id == orig2.id);  // a move keeps the id
  CHECK(uids_of(f.store, "alice", "INBOX") == std::vector<std::uint32_t>{3});
  const auto loc = f.store.locate(orig2.id);
  REQUIRE(loc);
  CHECK(loc->folder == "Trash");
  CHECK(loc->uid == 5);

  // Moving within one folder renumbers.
  const auto same = f.store.move("alice", "Trash", {1}, "Trash");
  CHECK(same.dest_uids == std::vector<std::uint32_t>{6});
  CHECK(uids_of(f.store, "alice", "Trash") == std::vector<std::uint32_t>{2, 3, 4, 5, 6});
  // Nothing to copy, or no such folder.
  CHECK(f.store.copy("alice", "INBOX", {99}, "Trash").dest_uids.empty());
  CHECK(f.store.copy("alice", "INBOX", {3}, "Nope").status == CopyResult::Status::NoSuchFolder);
  f.store.check_invariants();
}

TEST_CASE("mail store: change feed seen by two observers") {
  Fixture f;
  f.store.add_user("alice", "pw");
  f.store.add_user("bob", "pw");
  std::vector<std::string> a, b, trash;
  const auto ida = f.store.watch("alice", "inbox",
                                 [&](const ChangeRecord& r) { a.push_back(std::string(to_string(r.kind))); });
  const auto idb = f.store.watch("alice", "INBOX", [&](const ChangeRecord& r) {
    b.push_back(std::string(to_string(r.kind)) + ":" + std::to_string(r.uid));
    // A session reacting to the news reads the store: the change is complete.
    CHECK(f.store.version("alice", "INBOX") == r.version);
  });
  f.store.watch("alice", "Trash", [&](const ChangeRecord& r) { trash.push_back(std::string(to_string(r.kind))); });

  const auto v0 = f.store.version("alice", "INBOX");
  f.store.deliver("alice", "INBOX", letter(40), 0);
  f.store.deliver("bob", "INBOX", letter(40), 0);  // someone else's INBOX: not seen
  f.store.deliver("alice", "INBOX", letter(40), 0);
  CHECK(f.store.version("alice", "INBOX") > v0);
  f.store.store_flags("alice", "INBOX", 1, FlagOp::Add, {"\\Seen"});
  f.store.move("alice", "INBOX", {2}, "Trash");
  CHECK(a == std::vector<std::string>{"stored", "stored", "flags-changed", "moved"});
  CHECK(b == std::vector<std::string>{"stored:1", "stored:2", "flags-changed:1", "moved:2"});
  CHECK(trash == std::vector<std::string>{"moved"});

  f.store.unwatch(idb);
  f.store.store_flags("alice", "INBOX", 1, FlagOp::Add, {"\\Deleted"});
  f.store.expunge("alice", "INBOX");
  CHECK(a.size() == 6);
  CHECK(a.back() == "expunged");
  CHECK(b.size() == 4);

  // An observer may unwatch itself from its callback.
  int calls = 0;
  MailStore::ObserverId self = 0;
  self = f.store.watch("alice", "INBOX", [&](const ChangeRecord&) {
    ++calls;
    f.store.unwatch(self);
  });
  f.store.deliver("alice", "INBOX", letter(40), 0);
  f.store.deliver("alice", "INBOX", letter(40), 0);
  CHECK(calls == 1);
  f.store.unwatch(ida);
  // Records are numbered in order.
  for (std::size_t i = 1; i < f.rec.all.size(); ++i) CHECK(f.rec.all[i].seq == f.rec.all[i - 1].seq + 1);
}

TEST_CASE("mail store: fetch, raw, locks and trace records") {
  Fixture f;
  f.store.add_user("alice", "secret", 1000);
  f.store.add_domain("Example.NET");
  CHECK(*f.store.user_for_address("Alice@example.net") == "alice");
  CHECK_FALSE(f.store.user_for_address("carol@example.net"));
  CHECK_FALSE(f.store.user_for_address("alice@example.org"));
  CHECK(f.store.authenticate("alice", "secret"));
  CHECK_FALSE(f.store.authenticate("alice", "Secret"));
  CHECK(*f.store.secret("alice") == "secret");

  const std::string raw = "From: a@b\r\nSubject: hi\r\n\r\nHello\r\n";
  f.store.deliver("alice", "INBOX", raw, 3 * kSecond, 12);
  const auto n = f.rec.all.size();
  CHECK(*f.store.raw("alice", "INBOX", 1) == raw);
  CHECK(f.rec.all.size() == n);  // raw() leaves no record
  CHECK(*f.store.fetch("alice", "INBOX", 1, "imap FETCH") == raw);
  CHECK(f.rec.all.back().kind == ChangeKind::Fetched);
  CHECK_FALSE(f.store.fetch("alice", "INBOX", 2, "imap FETCH"));

  const auto lock = f.store.lock_maildrop("alice");
  REQUIRE(lock);
  CHECK(f.store.maildrop_locked("alice"));
  CHECK_FALSE(f.store.lock_maildrop("alice"));
  CHECK(f.rec.all.back().kind == ChangeKind::MaildropLockRefused);
  CHECK(f.store.deliver("alice", "INBOX", raw, 0).stored());  // delivery is not blocked
  f.store.unlock_maildrop(*lock);
  CHECK_FALSE(f.store.maildrop_locked("alice"));
  CHECK(f.store.lock_maildrop("alice"));
  CHECK_FALSE(f.store.lock_maildrop("nobody"));

  auto typed_stored = to_record(f.rec.all[0], "mx.example.net");
  const Record& stored = typed_stored.typed();
  CHECK(stored.kind == RecordKind::Mailbox);
  CHECK(stored.is(MailboxEvent::Stored));
  CHECK(stored.host == "mx.example.net");
  CHECK(stored.text() == "message #1 stored for alice in INBOX as UID 1 (" + std::to_string(raw.size()) +
                              " octets; " + std::to_string(raw.size()) + " of 1000 octets used)");
  const auto& m = stored.mailbox_info();
  CHECK(m.user == "alice");
  CHECK(m.folder == "INBOX");
  CHECK(m.uid == 1);
  CHECK(m.message_id == 1);
  CHECK(m.origin == 12);
  CHECK(m.size == static_cast<std::int64_t>(raw.size()));
  CHECK(m.quota_limit == 1000);
  CHECK(stored.detail.empty());  // the writer builds no JSON

  f.store.store_flags("alice", "INBOX", 1, FlagOp::Add, {"\\Seen"});
  auto typed_flags = to_record(f.rec.all.back());
  const Record& flags = typed_flags.typed();
  CHECK(flags.text() == "flags of message #1 (alice INBOX UID 1): () -> (\\Seen)");
  CHECK(to_json(flags)["detail"]["flags"] == nlohmann::json::array({"\\Seen"}));
  CHECK(to_json(flags)["detail"]["old_flags"] == nlohmann::json::array());

  f.store.deliver("nobody", "INBOX", raw, 0);
  CHECK(to_record(f.rec.all.back()).record.text() == "delivery to nobody refused: no such user");

  // A refusal with numbers is typed: a reader has the numbers, the file the same words.
  f.store.add_user("tiny", "pw", 10);
  f.store.deliver("tiny", "INBOX", raw, 0);
  auto typed_full = to_record(f.rec.all.back());
  const Record& full = typed_full.typed();
  CHECK(full.mailbox_info().refusal == StoreRefusal::MailboxFull);
  CHECK(full.mailbox_info().quota_limit == 10);
  CHECK(to_json(full)["detail"]["reason"] == "mailbox full (0 + " + std::to_string(raw.size()) + " octets > quota 10)");
}

TEST_CASE("mail store: invariants hold and nothing vanishes without a record (random operations)") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    StoreConfig cfg;
    cfg.max_message_size = 400;
    Fixture f(cfg);
    Random rng(seed);
    const std::vector<std::string> users{"alice", "bob"};
    f.store.add_user("alice", "pw", 3000);
    f.store.add_user("bob", "pw", 0);
    // Live message ids according to the records alone.
    std::set<MessageId> live;
    f.store.set_hook([&](const ChangeRecord& r) {
      f.rec.all.push_back(r);
      switch (r.kind) {
        case ChangeKind::Stored:
        case ChangeKind::Appended: CHECK(live.insert(r.id).second); break;
        case ChangeKind::Copied: CHECK(live.insert(r.to_id).second); break;
        case ChangeKind::Moved: CHECK(live.count(r.id) == 1); break;
        case ChangeKind::Expunged:
        case ChangeKind::DownloadedAndDeleted:
        case ChangeKind::DeletedViaPop3: CHECK(live.erase(r.id) == 1); break;
        default: break;
      }
    });
    std::map<std::string, std::uint32_t> last_uidnext;  // user/folder -> UIDNEXT seen (same UIDVALIDITY)
    for (int step = 0; step < 1500; ++step) {
      const auto& user = users[rng.below(users.size())];
      const auto folders = f.store.list_folders(user);
      const auto& folder = folders[rng.below(folders.size())].name;
      const auto& other = folders[rng.below(folders.size())].name;
      const auto snap = *f.store.snapshot(user, folder);
      std::vector<std::uint32_t> some;
      for (const auto& m : snap.messages)
        if (rng.below(3) == 0) some.push_back(m.uid);
      const auto pick = snap.messages.empty() ? 1u : snap.messages[rng.below(snap.messages.size())].uid;
      const std::size_t size = 24 + rng.below(420);
      switch (rng.below(12)) {
        case 0:
        case 1:
        case 2: f.store.deliver(user, rng.below(4) == 0 ? folder : "INBOX", letter(size), step); break;
        case 3: f.store.append(user, folder, letter(size), {"\\Seen"}, step); break;
        case 4:
          f.store.store_flags(user, folder, pick, rng.below(2) ? FlagOp::Add : FlagOp::Remove, {"\\Deleted"});
          break;
        case 5: f.store.expunge(user, folder); break;
        case 6: f.store.copy(user, folder, some, other); break;
        case 7: f.store.move(user, folder, some, other); break;
        case 8: {
          // Two draws in one expression would be unsequenced: g++ and clang take them in a
          // different order, and the wasm build ran other operations than the native one.
          const auto n = rng.below(4);
          const bool sub = rng.below(2) != 0;
          f.store.create_folder(user, "f" + std::to_string(n) + (sub ? "/sub" : ""));
          break;
        }
        case 9: f.store.delete_folder(user, folder); break;
        case 10:
          f.store.rename_folder(user, folder, "r" + std::to_string(rng.below(4)));
          break;
        case 11: f.store.pop3_delete(user, "INBOX", pick, rng.below(2) == 0); break;
      }
      REQUIRE(f.store.find_invariant_violation() == "");
      // UIDNEXT never goes back for a folder name while its UIDVALIDITY is the same.
      for (const auto& u : users)
        for (const auto& info : f.store.list_folders(u)) {
          const auto key = u + "/" + info.name + "/" + std::to_string(info.uidvalidity);
          CHECK(info.uidnext >= last_uidnext[key]);
          last_uidnext[key] = info.uidnext;
        }
    }
    std::set<MessageId> in_store;
    for (const auto& u : users)
      for (const auto& info : f.store.list_folders(u)) {
        const auto snap = f.store.snapshot(u, info.name);
        for (const auto& m : snap->messages) in_store.insert(m.id);
      }
    CHECK(in_store == live);
    CHECK(f.store.used("alice") <= 3000);
    CHECK_NOTHROW(f.store.check_invariants());
    CHECK(f.rec.all.size() > 1000);
    // The sequence reached every kind of change.
    std::set<ChangeKind> seen;
    for (const auto& r : f.rec.all) seen.insert(r.kind);
    for (const auto k : {ChangeKind::Stored, ChangeKind::DeliveryRefused, ChangeKind::Appended, ChangeKind::Copied,
                         ChangeKind::CopyRefused, ChangeKind::Moved, ChangeKind::Expunged,
                         ChangeKind::DownloadedAndDeleted, ChangeKind::DeletedViaPop3, ChangeKind::FolderRenamed,
                         ChangeKind::FolderDeleted, ChangeKind::FlagsChanged})
      CHECK(seen.count(k) == 1);
  }
}
