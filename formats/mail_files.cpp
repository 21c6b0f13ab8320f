// .eml naming, mboxrd and Maildir encodings of stored messages.
#include "formats/mail_files.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "protocols/message/message.hpp"
#include "sim/apps/mail/mail_world.hpp"

namespace mailsim::formats {

std::vector<StoredMessage> stored_messages(const sim::mail::MailWorld& world) {
  std::vector<StoredMessage> out;
  for (const auto& [host, store] : world.stores) {
    if (!store) continue;
    auto users = store->users();
    std::sort(users.begin(), users.end());
    for (const auto& user : users) {
      auto folders = store->list_folders(user);
      std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
      for (const auto& f : folders) {
        const auto snap = store->snapshot(user, f.name);
        if (!snap) continue;
        for (const auto& m : snap->messages) {
          const auto raw = store->raw(user, f.name, m.uid);
          if (!raw) continue;
          StoredMessage s;
          s.host = host;
          s.user = user;
          s.folder = f.name;
          s.uid = m.uid;
          s.flags.assign(m.flags.begin(), m.flags.end());
          s.recent = m.recent;
          s.internal_date = m.internal_date;
          s.raw = *raw;
          out.push_back(std::move(s));
        }
      }
    }
  }
  return out;
}

void collect_messages(sim::mail::MailWorld& world, RunMessages& into) {
  world.on_accepted = [&into](const sim::mail::MailWorld::AcceptedMessage& m) {
    if (!m.raw || into.transfers.size() >= kMaxTransfers) return;
    SmtpTransfer t;
    t.conn = m.conn;
    t.time = m.time;
    t.client = m.client;
    t.server = m.server;
    t.port = m.port;
    t.submission = m.role != "mx";
    t.raw = *m.raw;
    into.transfers.push_back(std::move(t));
  };
  world.on_store_change = [&into](const std::string& host, const sim::mail::MailStore& store,
                                  const sim::mail::ChangeRecord& c) {
    using K = sim::mail::ChangeKind;
    if (c.kind != K::Stored && c.kind != K::Appended && c.kind != K::Copied) return;
    if (into.stored.size() >= kMaxTransfers) return;
    const std::string& folder = c.kind == K::Copied ? c.to_folder : c.folder;
    const std::uint32_t uid = c.kind == K::Copied ? c.to_uid : c.uid;
    const auto raw = store.raw(c.user, folder, uid);
    const auto meta = store.message(c.user, folder, uid);
    if (!raw || !meta) return;
    StoredMessage s;
    s.host = host;
    s.user = c.user;
    s.folder = folder;
    s.uid = uid;
    s.flags.assign(meta->flags.begin(), meta->flags.end());
    s.recent = meta->recent;
    s.internal_date = meta->internal_date;
    s.raw = *raw;
    into.stored.push_back(std::move(s));
    into.stored_how.push_back(c.kind == K::Stored ? "delivered" : c.kind == K::Appended ? "appended" : "copied");
  };
}

std::vector<StoredMessage> mailbox_messages(const std::vector<StoredMessage>& all, const std::string& host,
                                            const std::string& user) {
  std::vector<StoredMessage> out;
  for (const auto& m : all)
    if (m.host == host && m.user == user) out.push_back(m);
  return out;
}

std::string file_name_part(const std::string& text, std::size_t max) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (out.size() >= max) break;
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    // A dot only after a letter or digit ("mx1.hogehoge.com"), so never "..".
    const bool keep = alnum || c == '-' || (c == '.' && !out.empty() && out.back() != '.' && out.back() != '_');
    if (keep) out += static_cast<char>(c);
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && (out.back() == '_' || out.back() == '.')) out.pop_back();
  while (!out.empty() && (out.front() == '_' || out.front() == '.' || out.front() == '-')) out.erase(0, 1);
  return out;
}

std::string message_subject(const std::string& raw) {
  const auto fields = message::parse_header_section(raw);
  const auto subject = message::find_header(fields, "Subject");
  return subject ? message::decode_encoded_words(*subject) : std::string{};
}

std::string return_path(const std::string& raw) {
  const auto fields = message::parse_header_section(raw);
  auto rp = message::find_header(fields, "Return-Path").value_or("");
  const auto lt = rp.find('<');
  const auto gt = rp.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) rp = rp.substr(lt + 1, gt - lt - 1);
  return rp;
}

bool is_dsn(const std::string& raw) {
  const auto fields = message::parse_header_section(raw);
  const auto type = message::find_header(fields, "Content-Type");
  if (!type) return false;
  std::string t;
  for (const char c : *type)
    if (c != ' ' && c != '\t' && c != '"') t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t.rfind("multipart/report", 0) == 0 && t.find("report-type=delivery-status") != std::string::npos;
}

std::vector<MessageFile> eml_files(const RunMessages& messages) {
  return eml_files(messages.transfers, messages.stored, messages.stored_how);
}

std::vector<MessageFile> eml_files(const std::vector<SmtpTransfer>& transfers,
                                   const std::vector<StoredMessage>& stored, const std::vector<std::string>& how) {
  struct Item {
    sim::Time time;
    int order;
    std::string label;
    const std::string* raw;
  };
  std::vector<Item> items;
  for (const auto& t : transfers) {
    // Submitted: to a submission listener, or a message on its first hop (no Received: line
    // yet, as a mail program sends it, e.g. straight to an open relay's port 25).
    const bool first_hop = !message::find_header(message::parse_header_section(t.raw), "Received");
    const bool submitted = t.submission || t.port == 587 || t.port == 465 || first_hop;
    const char* what = submitted ? "submitted" : is_dsn(t.raw) ? "relayed-dsn" : "relayed";
    items.push_back({t.time, 0, fmt::format("{}-conn{}-{}-to-{}", what, t.conn, t.client, t.server), &t.raw});
  }
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const auto& s = stored[i];
    const std::string kind = i < how.size() ? how[i] : std::string("delivered");
    const auto rp = return_path(s.raw);
    const bool dsn = kind == "delivered" && (rp.empty() || rp.rfind("MAILER-DAEMON", 0) == 0);
    items.push_back({s.internal_date, 1,
                     fmt::format("{}-{}-{}-{}-{}", dsn ? "dsn" : kind, s.host, s.user, s.folder, s.uid), &s.raw});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.time != b.time ? a.time < b.time : a.order < b.order;
  });
  std::vector<MessageFile> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string name = fmt::format("{:03}-{}", i + 1, file_name_part(items[i].label, 80));
    const auto subject = file_name_part(message_subject(*items[i].raw));
    if (!subject.empty()) name += "-" + subject;
    out.push_back({name + ".eml", *items[i].raw});
  }
  return out;
}

std::string to_lf(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    out += raw[i];
  }
  return out;
}

namespace {

std::tm utc(std::int64_t seconds) {
  // Civil date from days since 1970 (H. Hinnant's algorithm), so no locale or time zone.
  std::tm t{};
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  t.tm_hour = static_cast<int>(rem / 3600);
  t.tm_min = static_cast<int>(rem / 60 % 60);
  t.tm_sec = static_cast<int>(rem % 60);
  t.tm_wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  t.tm_year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0) - 1900);
  t.tm_mon = static_cast<int>(m - 1);
  t.tm_mday = static_cast<int>(d);
  return t;
}

std::string asctime_utc(std::int64_t seconds) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = utc(seconds);
  return fmt::format("{} {} {:2} {:02}:{:02}:{:02} {}", days[t.tm_wday], months[t.tm_mon], t.tm_mday, t.tm_hour,
                     t.tm_min, t.tm_sec, t.tm_year + 1900);
}

bool is_from_line(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return line.substr(i).rfind("From ", 0) == 0;
}

}  // namespace

std::string write_mbox(const std::vector<StoredMessage>& messages, std::int64_t epoch) {
  std::string out;
  for (const auto& m : messages) {
    auto sender = return_path(m.raw);
    if (sender.empty()) sender = "MAILER-DAEMON";
    out += "From " + sender + " " + asctime_utc(epoch + m.internal_date / 1'000'000) + "\n";
    const auto text = to_lf(m.raw);
    std::size_t at = 0;
    while (at < text.size()) {
      const auto eol = text.find('\n', at);
      const auto end = eol == std::string::npos ? text.size() : eol;
      const std::string_view line(text.data() + at, end - at);
      if (is_from_line(line)) out += '>';
      out.append(line);
      out += '\n';
      at = end + 1;
    }
    out += '\n';
  }
  return out;
}

std::vector<MaildirEntry> maildir_entries(const std::vector<StoredMessage>& messages, std::int64_t epoch) {
  std::vector<MaildirEntry> out;
  std::size_t n = 0;
  for (const auto& m : messages) {
    ++n;
    std::string info;
    for (const auto& f : m.flags) {
      if (f == "\\Draft") info += 'D';
      else if (f == "\\Flagged") info += 'F';
      else if (f == "\\Answered") info += 'R';
      else if (f == "\\Seen") info += 'S';
      else if (f == "\\Deleted") info += 'T';
    }
    std::sort(info.begin(), info.end());
    const std::int64_t seconds = epoch + m.internal_date / 1'000'000;
    const std::string base = fmt::format("{}.M{}P{}Q{}.mailsim", seconds, m.internal_date % 1'000'000, m.uid, n);
    MaildirEntry e;
    e.raw = to_lf(m.raw);
    if (m.recent && info.empty()) {
      e.subdir = "new";
      e.name = base;
    } else {
      e.subdir = "cur";
      e.name = base + ":2," + info;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace mailsim::formats
