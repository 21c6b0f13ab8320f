// The trace: records, their JSON form, and the JSON Lines file format.
#include "sim/core/trace.hpp"

#include <array>
#include <istream>
#include <ostream>
#include <utility>

namespace mailsim::sim {
namespace {

constexpr std::array<std::pair<RecordKind, std::string_view>, 11> kKindNames{{
    {RecordKind::Meta, "meta"},
    {RecordKind::Packet, "packet"},
    {RecordKind::Connection, "connection"},
    {RecordKind::Policy, "policy"},
    {RecordKind::Tls, "tls"},
    {RecordKind::Protocol, "protocol"},
    {RecordKind::Dns, "dns"},
    {RecordKind::Mail, "mail"},
    {RecordKind::Mailbox, "mailbox"},
    {RecordKind::Action, "action"},
    {RecordKind::Note, "note"},
}};

}  // namespace

std::string_view to_string(RecordKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "note";
}

bool record_kind_from_string(std::string_view text, RecordKind& out) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) {
      out = k;
      return true;
    }
  }
  return false;
}

nlohmann::json to_json(const Record& r) {
  nlohmann::json j;
  j["t"] = r.time;
  j["seq"] = r.seq;
  j["kind"] = to_string(r.kind);
  if (!r.event.empty()) j["event"] = r.event;
  if (!r.host.empty()) j["host"] = r.host;
  if (!r.peer.empty()) j["peer"] = r.peer;
  if (r.conn != 0) j["conn"] = r.conn;
  if (!r.protocol.empty()) j["proto"] = r.protocol;
  if (!r.summary.empty()) j["summary"] = r.summary;
  if (!r.detail.empty()) j["detail"] = r.detail;
  return j;
}

bool from_json(const nlohmann::json& j, Record& out, std::string& error) {
  if (!j.is_object()) {
    error = "a record must be a JSON object";
    return false;
  }
  auto get_string = [&](const char* key, std::string& field) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_string()) {
        error = std::string("\"") + key + "\" must be a string";
        return false;
      }
      field = it->get<std::string>();
    }
    return true;
  };
  const auto t = j.find("t");
  const auto kind = j.find("kind");
  if (t == j.end() || !t->is_number_integer()) {
    error = "missing integer \"t\"";
    return false;
  }
  if (kind == j.end() || !kind->is_string() || !record_kind_from_string(kind->get<std::string>(), out.kind)) {
    error = "missing or unknown \"kind\"";
    return false;
  }
  out.time = t->get<Time>();
  out.seq = j.value("seq", std::uint64_t{0});
  out.conn = j.value("conn", std::uint64_t{0});
  if (!get_string("event", out.event) || !get_string("host", out.host) || !get_string("peer", out.peer) ||
      !get_string("proto", out.protocol) || !get_string("summary", out.summary))
    return false;
  if (auto it = j.find("detail"); it != j.end()) {
    if (!it->is_object()) {
      error = "\"detail\" must be an object";
      return false;
    }
    out.detail = *it;
  } else {
    out.detail = nlohmann::json::object();
  }
  return true;
}

std::string escape_bytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else if (c >= 0xC2 && c <= 0xF4) {
      // Keep a well-formed UTF-8 sequence as it is (Japanese text stays readable); anything
      // else (overlong forms, surrogates, beyond U+10FFFF, cut sequences) is escaped.
      std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      bool ok = i + len <= bytes.size();
      for (std::size_t k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
      if (ok) {
        const auto second = static_cast<unsigned char>(bytes[i + 1]);
        if (c == 0xE0) ok = second >= 0xA0;
        else if (c == 0xED) ok = second <= 0x9F;
        else if (c == 0xF0) ok = second >= 0x90;
        else if (c == 0xF4) ok = second <= 0x8F;
      }
      if (ok) {
        out.append(bytes.substr(i, len));
        i += len - 1;
      } else {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string unescape_bytes(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    const char n = text[++i];
    if (n == 'r') out += '\r';
    else if (n == 'n') out += '\n';
    else if (n == 't') out += '\t';
    else if (n == '\\') out += '\\';
    else if (n == 'x' && i + 2 < text.size() + 0 && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += '\\';
      out += n;
    }
  }
  return out;
}

namespace {

// Heap bytes of a string beyond the small-string buffer (15 characters in libstdc++).
std::size_t heap_of(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// A JSON value's nodes: each value is one json (16 bytes) held in a map node (about 80 with
// its key) or a vector slot; strings add their buffer.
std::size_t json_size(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      std::size_t n = 48;
      for (auto it = j.begin(); it != j.end(); ++it) n += 64 + it.key().size() + json_size(*it);
      return n;
    }
    case nlohmann::json::value_t::array: {
      std::size_t n = 24;
      for (const auto& v : j) n += json_size(v);
      return n;
    }
    case nlohmann::json::value_t::string: return 16 + 32 + j.get_ref<const std::string&>().size();
    default: return 16;
  }
}

}  // namespace

std::size_t Trace::estimate_size(const Record& r) {
  return sizeof(Record) + heap_of(r.event) + heap_of(r.host) + heap_of(r.peer) + heap_of(r.protocol) +
         heap_of(r.summary) + json_size(r.detail);
}

Record& Trace::add(Record r) {
  bytes_ += estimate_size(r);
  r.seq = records_.size();
  records_.push_back(std::move(r));
  return records_.back();
}

void Trace::write_jsonl(std::ostream& out) const {
  nlohmann::json head = meta;
  head["kind"] = "meta";
  head["schema"] = kTraceSchemaVersion;
  head["records"] = records_.size();
  // Text that is not valid UTF-8 (a hostile subject, say) is replaced, never fatal.
  constexpr auto replace = nlohmann::json::error_handler_t::replace;
  out << head.dump(-1, ' ', false, replace) << '\n';
  for (const auto& r : records_) out << to_json(r).dump(-1, ' ', false, replace) << '\n';
}

bool Trace::read_jsonl(std::istream& in, Trace& out, std::string& error) {
  std::string line;
  std::size_t number = 0;
  bool seen_meta = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      error = "line " + std::to_string(number) + ": not valid JSON";
      return false;
    }
    if (!seen_meta) {
      if (!j.is_object() || j.value("kind", "") != "meta") {
        error = "line " + std::to_string(number) + ": the first record must be the meta record";
        return false;
      }
      const int schema = j.value("schema", 0);
      if (schema != kTraceSchemaVersion) {
        error = "line " + std::to_string(number) + ": trace schema " + std::to_string(schema) +
                " is not supported (this build reads schema " + std::to_string(kTraceSchemaVersion) + ")";
        return false;
      }
      out.meta = j;
      seen_meta = true;
      continue;
    }
    Record r;
    std::string why;
    if (!from_json(j, r, why)) {
      error = "line " + std::to_string(number) + ": " + why;
      return false;
    }
    out.add(std::move(r));
  }
  if (!seen_meta) {
    error = "empty trace: no meta record";
    return false;
  }
  return true;
}

}  // namespace mailsim::sim
