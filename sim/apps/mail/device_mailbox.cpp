// A device's local mailbox, its trace records, and replaying the device's view from a trace.
#include "sim/apps/mail/device_mailbox.hpp"

#include <algorithm>

#include "protocols/message/message.hpp"

namespace mailsim::sim::mail {

DeviceMessage& DeviceMailbox::add(DeviceMessage m) {
  messages_.push_back(std::move(m));
  return messages_.back();
}

DeviceMessage* DeviceMailbox::find_subject(std::string_view account, std::string_view subject) {
  for (auto& m : messages_)
    if (m.account == account && m.subject == subject) return &m;
  return nullptr;
}

bool DeviceMailbox::remove(std::string_view account, std::string_view key) {
  auto it = std::find_if(messages_.begin(), messages_.end(),
                         [&](const DeviceMessage& m) { return m.account == account && m.key == key; });
  if (it == messages_.end()) return false;
  messages_.erase(it);
  return true;
}

std::size_t DeviceMailbox::count(std::string_view account) const {
  return static_cast<std::size_t>(
      std::count_if(messages_.begin(), messages_.end(), [&](const DeviceMessage& m) { return m.account == account; }));
}

namespace {
std::string header_text(std::string_view raw, std::string_view name) {
  const auto fields = message::parse_header_section(raw);
  const auto v = message::find_header(fields, name);
  if (!v) return {};
  std::string out = message::decode_encoded_words(*v);
  while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.erase(out.begin());
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t' || out.back() == '\r' || out.back() == '\n'))
    out.pop_back();
  return out;
}
}  // namespace

std::string message_subject(std::string_view raw) { return header_text(raw, "Subject"); }

ReplyParent reply_parent(std::string_view raw) {
  ReplyParent p;
  const auto fields = message::parse_header_section(raw);
  auto ids = [&](std::string_view name) {
    std::string v = message::find_header(fields, name).value_or("");
    for (auto& c : v)
      if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    // Whitespace between the ids made single (a folded References unfolds to one line).
    std::string out;
    for (char c : v) {
      if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
      out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  };
  p.message_id = ids("Message-ID");
  p.references = ids("References");
  if (p.references.empty()) {
    const std::string irt = ids("In-Reply-To");
    if (!irt.empty() && irt.find(' ') == std::string::npos) p.references = irt;  // a single id only
  }
  for (const char* name : {"Reply-To", "From"}) {
    const auto list = message::parse_address_list(message::find_header(fields, name).value_or(""));
    if (!list.empty() && !list.front().domain.empty()) {
      p.reply_to = list.front().address();
      break;
    }
  }
  p.subject = header_text(raw, "Subject");
  return p;
}

ShownText shown_text(std::string_view raw, std::string_view reads_as) {
  ShownText t;
  const auto fields = message::parse_header_section(raw);
  std::string subject = message::decode_encoded_words(message::find_header(fields, "Subject").value_or(""), reads_as);
  // The body: its declared charset and transfer encoding (a single text part; a multipart
  // message shows its first part's text no further than that).
  const auto mime = message::parse_mime(raw);
  const message::MimeEntity* part = &mime;
  while (!part->parts.empty()) part = &part->parts.front();
  const std::string_view body = message::entity_body(raw, *part);
  const std::string bytes = message::decode_body(body, part->encoding).value_or(std::string(body));
  std::string declared = part->param("charset").value_or("");
  for (auto& c : declared) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  t.charset = declared;
  std::string text;
  if (!reads_as.empty()) text = message::read_bytes_as(reads_as, bytes);
  else if (auto u = message::charset_to_utf8(declared.empty() ? "us-ascii" : declared, bytes)) text = *u;
  else text = message::read_bytes_as("iso-8859-1", bytes);
  // What a screen shows: control characters (ESC above all) leave no mark; lines end in \n.
  auto screen = [](const std::string& in, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < in.size() && chars < max_chars; ++i) {
      const auto c = static_cast<unsigned char>(in[i]);
      if (c == '\r') continue;
      if (c < 0x20 && c != '\n' && c != '\t') continue;
      if (c == 0x7F) continue;
      if ((c & 0xC0) != 0x80) ++chars;
      if (chars > max_chars) break;
      out += static_cast<char>(c);
    }
    // Never end inside a UTF-8 character.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      std::size_t k = out.size();
      while (k > 0 && (static_cast<unsigned char>(out[k - 1]) & 0xC0) == 0x80) --k;
      if (k == 0) break;
      const auto lead = static_cast<unsigned char>(out[k - 1]);
      const std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (out.size() - (k - 1) >= need) break;
      out.resize(k - 1);
    }
    return out;
  };
  while (!subject.empty() && (subject.back() == ' ' || subject.back() == '\r' || subject.back() == '\n')) subject.pop_back();
  while (!subject.empty() && subject.front() == ' ') subject.erase(subject.begin());
  t.subject = screen(subject, 998);
  t.preview = screen(text, kPreviewChars);
  while (!t.preview.empty() && (t.preview.back() == '\n' || t.preview.back() == ' ')) t.preview.pop_back();
  return t;
}

std::string reply_subject(std::string_view subject) {
  const bool re = subject.size() >= 3 && (subject[0] == 'R' || subject[0] == 'r') &&
                  (subject[1] == 'E' || subject[1] == 'e') && subject[2] == ':';
  return re ? std::string(subject) : "Re: " + std::string(subject);
}
std::string message_from(std::string_view raw) { return header_text(raw, "From"); }

MailboxRecord account_record(MailboxEvent event, const std::string& device, const std::string& server,
                             const std::string& protocol, const std::string& account, std::string summary) {
  MailboxRecord out;
  Record& r = out.record;
  r.host = device;
  r.peer = server;
  r.protocol = protocol;
  r.summary = std::move(summary);
  out.info.event = event;
  out.info.account = account;
  out.info.set(MailboxInfo::kAccount);
  return out;
}

MailboxRecord device_record(MailboxEvent event, const std::string& device, const std::string& server,
                            const std::string& protocol, const DeviceMessage& m, std::size_t count,
                            std::string summary) {
  using M = MailboxInfo;
  auto out = account_record(event, device, server, protocol, m.account, std::move(summary));
  auto& i = out.info;
  if (!m.preview.empty()) out.preview = m.preview, i.set(M::kPreview);
  out.subject = m.subject, i.set(M::kSubject);
  if (!m.from.empty()) i.from = m.from, i.set(M::kFrom);
  i.key = m.key, i.set(M::kKey);
  if (m.uid != 0) i.uid = m.uid, i.set(M::kUid);
  else i.id = m.key, i.set(M::kId);
  i.seen = m.seen, i.set(M::kSeen);
  i.folder = m.folder, i.set(M::kFolder);
  if (m.size != 0) i.size = static_cast<std::int64_t>(m.size), i.set(M::kSize);
  i.count = static_cast<std::int64_t>(count), i.set(M::kCount);
  return out;
}

std::vector<DeviceViewEntry> device_view(const Trace& trace, const std::string& device, Time until) {
  std::vector<DeviceViewEntry> view;
  auto find = [&](const std::string& account, const std::string& key) {
    return std::find_if(view.begin(), view.end(),
                        [&](const DeviceViewEntry& e) { return e.account == account && e.key == key; });
  };
  for (const auto& r : trace.records()) {
    if (r.time > until) break;
    using E = MailboxEvent;
    const auto ev = r.mailbox_event();
    if (r.kind != RecordKind::Mailbox || r.host != device) continue;
    if (ev != E::DeviceDownloaded && ev != E::DeviceSynced && ev != E::DeviceOpened && ev != E::DeviceFlags &&
        ev != E::DeviceDeleted)
      continue;
    const auto& m = r.mailbox_info();
    const std::string account = m.account.str();
    const std::string key = m.key.str();
    auto it = find(account, key);
    if (ev == E::DeviceDeleted) {
      if (it != view.end()) view.erase(it);
      continue;
    }
    if (it == view.end()) {
      if (ev != E::DeviceDownloaded && ev != E::DeviceSynced) continue;
      view.push_back(DeviceViewEntry{account, key, std::string(m.subject),
                                     m.has(MailboxInfo::kFolder) ? m.folder.str() : std::string("INBOX"), false});
      it = view.end() - 1;
    }
    if (m.has(MailboxInfo::kSeen)) it->seen = m.seen;
    if (m.has(MailboxInfo::kSubject)) it->subject = std::string(m.subject);
  }
  return view;
}

}  // namespace mailsim::sim::mail
