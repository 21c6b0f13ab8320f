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
std::string message_from(std::string_view raw) { return header_text(raw, "From"); }

Record device_record(std::string_view event, const std::string& device, const std::string& server,
                     const std::string& protocol, const DeviceMessage& m, std::size_t count, std::string summary) {
  Record r;
  r.kind = RecordKind::Mailbox;
  r.event = std::string(event);
  r.host = device;
  r.peer = server;
  r.protocol = protocol;
  r.summary = std::move(summary);
  auto& d = r.detail;
  d["account"] = m.account;
  d["subject"] = m.subject;
  if (!m.from.empty()) d["from"] = m.from;
  d["key"] = m.key;
  if (m.uid != 0) d["uid"] = m.uid;
  else d["id"] = m.key;
  d["seen"] = m.seen;
  d["folder"] = m.folder;
  if (m.size != 0) d["size"] = m.size;
  d["count"] = count;
  return r;
}

std::vector<DeviceViewEntry> device_view(const Trace& trace, const std::string& device, Time until) {
  std::vector<DeviceViewEntry> view;
  auto find = [&](const std::string& account, const std::string& key) {
    return std::find_if(view.begin(), view.end(),
                        [&](const DeviceViewEntry& e) { return e.account == account && e.key == key; });
  };
  for (const auto& r : trace.records()) {
    if (r.time > until) break;
    if (r.kind != RecordKind::Mailbox || r.host != device) continue;
    if (!r.event.view().starts_with("device-") || r.event == kDeviceChecked) continue;
    const std::string account = r.detail.value("account", "");
    const std::string key = r.detail.value("key", "");
    auto it = find(account, key);
    if (r.event == kDeviceDeleted) {
      if (it != view.end()) view.erase(it);
      continue;
    }
    if (it == view.end()) {
      if (r.event != kDeviceDownloaded && r.event != kDeviceSynced) continue;
      view.push_back(DeviceViewEntry{account, key, r.detail.value("subject", ""), r.detail.value("folder", "INBOX"),
                                     false});
      it = view.end() - 1;
    }
    it->seen = r.detail.value("seen", it->seen);
    if (r.detail.contains("subject")) it->subject = r.detail.value("subject", it->subject);
  }
  return view;
}

}  // namespace mailsim::sim::mail
