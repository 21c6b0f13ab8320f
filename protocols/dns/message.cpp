// DNS wire codec: compression on encode, strict bounds and pointer checks on decode.
#include "protocols/dns/message.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

#include "protocols/common/cursor.hpp"

namespace mailsim::dns {

using proto::Cursor;
using proto::put_u16;
using proto::put_u32;
using proto::put_u8;

std::optional<Type> type_of(const RData& data) {
  struct Visitor {
    std::optional<Type> operator()(const AData&) const { return Type::A; }
    std::optional<Type> operator()(const AaaaData&) const { return Type::AAAA; }
    std::optional<Type> operator()(const NsData&) const { return Type::NS; }
    std::optional<Type> operator()(const CnameData&) const { return Type::CNAME; }
    std::optional<Type> operator()(const SoaData&) const { return Type::SOA; }
    std::optional<Type> operator()(const PtrData&) const { return Type::PTR; }
    std::optional<Type> operator()(const MxData&) const { return Type::MX; }
    std::optional<Type> operator()(const TxtData&) const { return Type::TXT; }
    std::optional<Type> operator()(const OpaqueData&) const { return std::nullopt; }
  };
  return std::visit(Visitor{}, data);
}

Record Record::make(Name owner, std::uint32_t ttl, RData data) {
  const auto t = type_of(data);
  assert(t && "Record::make needs typed rdata");
  Record r;
  r.name = std::move(owner);
  r.type = t.value_or(Type::A);
  r.ttl = ttl;
  r.data = std::move(data);
  return r;
}

// ---------------------------------------------------------------------------------------
// Encoding

namespace {

class Encoder {
 public:
  std::string out;

  void header(const Header& h, std::size_t qd, std::size_t an, std::size_t ns, std::size_t ar) {
    assert(qd <= 0xFFFF && an <= 0xFFFF && ns <= 0xFFFF && ar <= 0xFFFF);
    put_u16(out, h.id);
    std::uint16_t flags = 0;
    if (h.qr) flags |= 0x8000;
    flags = static_cast<std::uint16_t>(flags | ((static_cast<unsigned>(h.opcode) & 0xF) << 11));
    if (h.aa) flags |= 0x0400;
    if (h.tc) flags |= 0x0200;
    if (h.rd) flags |= 0x0100;
    if (h.ra) flags |= 0x0080;
    flags = static_cast<std::uint16_t>(flags | ((h.z & 0x7u) << 4));
    flags = static_cast<std::uint16_t>(flags | (static_cast<unsigned>(h.rcode) & 0xFu));
    put_u16(out, flags);
    put_u16(out, static_cast<std::uint16_t>(qd));
    put_u16(out, static_cast<std::uint16_t>(an));
    put_u16(out, static_cast<std::uint16_t>(ns));
    put_u16(out, static_cast<std::uint16_t>(ar));
  }

  void name(const Name& n, bool compress) {
    const auto& labels = n.labels();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const std::string key = suffix_key(labels, i);
      if (compress) {
        const auto it = offsets_.find(key);
        if (it != offsets_.end()) {
          put_u16(out, static_cast<std::uint16_t>(0xC000u | it->second));
          return;
        }
      }
      if (out.size() <= kMaxCompressionOffset) offsets_.emplace(key, out.size());
      put_u8(out, static_cast<std::uint8_t>(labels[i].size()));
      out += labels[i];
    }
    put_u8(out, 0);
  }

  void question(const Question& q) {
    name(q.name, true);
    put_u16(out, static_cast<std::uint16_t>(q.type));
    put_u16(out, q.qclass);
  }

  void record(const Record& r) {
    assert((!type_of(r.data) || *type_of(r.data) == r.type) && "rdata does not match the type");
    name(r.name, true);
    put_u16(out, static_cast<std::uint16_t>(r.type));
    put_u16(out, r.rclass);
    put_u32(out, r.ttl);
    const std::size_t len_at = out.size();
    put_u16(out, 0);
    const std::size_t start = out.size();
    rdata(r.data);
    const std::size_t len = out.size() - start;
    assert(len <= 0xFFFF);
    out[len_at] = static_cast<char>((len >> 8) & 0xFF);
    out[len_at + 1] = static_cast<char>(len & 0xFF);
  }

 private:
  // Exact-spelling key of the labels from index i on (length-prefixed, so unambiguous).
  static std::string suffix_key(const std::vector<std::string>& labels, std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < labels.size(); ++i) {
      key += static_cast<char>(labels[i].size());
      key += labels[i];
    }
    return key;
  }

  void rdata(const RData& data) {
    if (const auto* a = std::get_if<AData>(&data)) {
      for (auto b : a->address) put_u8(out, b);
    } else if (const auto* a6 = std::get_if<AaaaData>(&data)) {
      for (auto b : a6->address) put_u8(out, b);
    } else if (const auto* ns = std::get_if<NsData>(&data)) {
      name(ns->host, true);
    } else if (const auto* cn = std::get_if<CnameData>(&data)) {
      name(cn->target, true);
    } else if (const auto* ptr = std::get_if<PtrData>(&data)) {
      name(ptr->target, true);
    } else if (const auto* mx = std::get_if<MxData>(&data)) {
      put_u16(out, mx->preference);
      name(mx->exchange, true);
    } else if (const auto* soa = std::get_if<SoaData>(&data)) {
      name(soa->mname, true);
      name(soa->rname, true);
      put_u32(out, soa->serial);
      put_u32(out, soa->refresh);
      put_u32(out, soa->retry);
      put_u32(out, soa->expire);
      put_u32(out, soa->minimum);
    } else if (const auto* txt = std::get_if<TxtData>(&data)) {
      for (const auto& s : txt->strings) {
        assert(s.size() <= kMaxCharacterString);
        put_u8(out, static_cast<std::uint8_t>(s.size()));
        out += s;
      }
    } else if (const auto* op = std::get_if<OpaqueData>(&data)) {
      out += op->bytes;
    }
  }

  std::map<std::string, std::size_t> offsets_;
};

}  // namespace

std::string encode(const Message& m) {
  Encoder e;
  e.header(m.header, m.questions.size(), m.answers.size(), m.authority.size(),
           m.additional.size());
  for (const auto& q : m.questions) e.question(q);
  for (const auto& r : m.answers) e.record(r);
  for (const auto& r : m.authority) e.record(r);
  for (const auto& r : m.additional) e.record(r);
  return std::move(e.out);
}

std::string encode_truncated(const Message& m, std::size_t limit) {
  std::string whole = encode(m);
  if (whole.size() <= limit) return whole;
  // Fill the sections in order while the message still fits.
  Message cut = m;
  cut.answers.clear();
  cut.authority.clear();
  cut.additional.clear();
  bool lost_needed = false;
  bool full = false;
  auto fill = [&](const std::vector<Record>& from, std::vector<Record>& to, bool needed) {
    for (const auto& r : from) {
      if (!full) {
        to.push_back(r);
        if (encode(cut).size() > limit) {
          to.pop_back();
          full = true;
        }
      }
      if (full && needed) lost_needed = true;
    }
  };
  // The OPT record stays in a truncated response (RFC 6891 7): it goes in first.
  std::vector<Record> rest;
  for (const auto& r : m.additional) (r.type == Type::OPT ? cut.additional : rest).push_back(r);
  fill(m.answers, cut.answers, true);
  fill(m.authority, cut.authority, true);
  fill(rest, cut.additional, false);
  if (lost_needed) cut.header.tc = true;
  return encode(cut);
}

// ---------------------------------------------------------------------------------------
// Decoding

namespace {

// Fails the cursor with `message`, reported at `offset`.
void fail_at(Cursor& c, std::size_t offset, const std::string& message) {
  if (!c.ok()) return;
  c.seek(offset);
  c.fail(message);
}

// Reads a possibly compressed name at the cursor; the cursor ends after the name's bytes in
// place (after the first pointer when there is one).
Name read_name(Cursor& c) {
  std::vector<std::string> labels;
  std::size_t total = 1;                      // wire length so far, root octet included
  std::size_t part_start = c.offset();        // start of the name part being read
  std::vector<std::size_t> visited{part_start};  // starts of every part read so far
  std::optional<std::size_t> resume;          // where to continue after the first pointer
  while (c.ok()) {
    const std::size_t at = c.offset();
    const std::uint8_t len = c.u8();
    if (!c.ok()) break;
    const unsigned kind = len & 0xC0u;
    if (kind == 0xC0u) {
      const std::uint8_t low = c.u8();
      if (!c.ok()) break;
      const std::size_t target = ((len & 0x3Fu) << 8) | low;
      if (target == at) {
        fail_at(c, at, "compression pointer points to itself");
      } else if (std::find(visited.begin(), visited.end(), target) != visited.end()) {
        fail_at(c, at, "compression pointer loop (back to offset " + std::to_string(target) + ")");
      } else if (target > at) {
        fail_at(c, at, "compression pointer points forward (to offset " + std::to_string(target) +
                           ")");
      } else if (target >= part_start) {
        fail_at(c, at, "compression pointer to offset " + std::to_string(target) +
                           " points inside the name being read");
      }
      if (!c.ok()) break;
      if (!resume) resume = c.offset();
      part_start = target;
      visited.push_back(target);
      c.seek(target);
      continue;
    }
    if (kind == 0x40u) {
      // A length octet of 64-127 reads as a label over the limit and as label type 0x40.
      fail_at(c, at, "label of " + std::to_string(len) + " octets exceeds " +
                         std::to_string(kMaxLabelLength) + " (reserved label type 0x40)");
      break;
    }
    if (kind == 0x80u) {
      fail_at(c, at, "reserved label type 0x80");
      break;
    }
    if (len == 0) break;
    total += 1u + len;
    if (total > kMaxNameLength) {
      fail_at(c, at, "name exceeds " + std::to_string(kMaxNameLength) + " octets");
      break;
    }
    const auto label = c.bytes(len);
    if (!c.ok()) break;
    labels.emplace_back(label);
  }
  if (!c.ok()) return Name();
  if (resume) c.seek(*resume);
  std::string error;
  auto n = Name::from_labels(std::move(labels), error);
  assert(n);  // limits were checked above
  return n ? *n : Name();
}

Question read_question(Cursor& c) {
  Question q;
  q.name = read_name(c);
  q.type = static_cast<Type>(c.u16());
  q.qclass = c.u16();
  return q;
}

std::string type_label(Type t) {
  switch (t) {
    case Type::A: return "A";
    case Type::AAAA: return "AAAA";
    case Type::NS: return "NS";
    case Type::CNAME: return "CNAME";
    case Type::SOA: return "SOA";
    case Type::PTR: return "PTR";
    case Type::MX: return "MX";
    case Type::TXT: return "TXT";
    default: return "TYPE" + std::to_string(static_cast<unsigned>(t));
  }
}

RData read_rdata(Cursor& c, Type type, std::uint16_t rclass, std::size_t rdlength) {
  const std::size_t start = c.offset();
  const std::size_t end = start + rdlength;
  const std::string tname = type_label(type);
  auto fixed = [&](std::size_t want) {
    if (rdlength != want)
      fail_at(c, start, tname + " rdata must be " + std::to_string(want) + " octets, rdlength is " +
                            std::to_string(rdlength));
    return c.ok();
  };
  RData out = OpaqueData{};
  const bool in = rclass == kClassIn;
  switch (type) {
    case Type::A:
      if (in) {
        if (!fixed(4)) return out;
        AData a;
        for (auto& b : a.address) b = c.u8();
        out = a;
      }
      break;
    case Type::AAAA:
      if (in) {
        if (!fixed(16)) return out;
        AaaaData a;
        for (auto& b : a.address) b = c.u8();
        out = a;
      }
      break;
    case Type::NS: out = NsData{read_name(c)}; break;
    case Type::CNAME: out = CnameData{read_name(c)}; break;
    case Type::PTR: out = PtrData{read_name(c)}; break;
    case Type::MX: {
      MxData mx;
      mx.preference = c.u16();
      mx.exchange = read_name(c);
      out = mx;
      break;
    }
    case Type::SOA: {
      SoaData s;
      s.mname = read_name(c);
      s.rname = read_name(c);
      s.serial = c.u32();
      s.refresh = c.u32();
      s.retry = c.u32();
      s.expire = c.u32();
      s.minimum = c.u32();
      out = s;
      break;
    }
    case Type::TXT: {
      if (rdlength == 0) {
        fail_at(c, start, "TXT rdata holds no character-string");
        return out;
      }
      TxtData t;
      while (c.ok() && c.offset() < end) {
        const std::size_t at = c.offset();
        const std::uint8_t n = c.u8();
        if (c.ok() && c.offset() + n > end) {
          fail_at(c, at, "TXT character-string of " + std::to_string(n) +
                             " octets overruns the rdata");
          break;
        }
        t.strings.emplace_back(c.bytes(n));
      }
      out = t;
      break;
    }
    default: break;
  }
  if (!c.ok()) return out;
  if (std::holds_alternative<OpaqueData>(out)) {
    out = OpaqueData{std::string(c.bytes(rdlength))};
    return out;
  }
  if (c.offset() > end) {
    fail_at(c, start, tname + " rdata needs " + std::to_string(c.offset() - start) +
                          " octets but rdlength is " + std::to_string(rdlength));
  } else if (c.offset() < end) {
    fail_at(c, start, tname + " rdata leaves " + std::to_string(end - c.offset()) +
                          " octet(s) of its rdlength " + std::to_string(rdlength) + " unused");
  }
  return out;
}

Record read_record(Cursor& c) {
  Record r;
  r.name = read_name(c);
  r.type = static_cast<Type>(c.u16());
  r.rclass = c.u16();
  r.ttl = c.u32();
  const std::size_t len_at = c.offset();
  const std::uint16_t rdlength = c.u16();
  if (!c.ok()) return r;
  if (rdlength > c.remaining()) {
    fail_at(c, len_at, "rdlength " + std::to_string(rdlength) + " exceeds the " +
                           std::to_string(c.remaining()) + " octet(s) left in the packet");
    return r;
  }
  r.data = read_rdata(c, r.type, r.rclass, rdlength);
  return r;
}

Header read_header(Cursor& c) {
  Header h;
  h.id = c.u16();
  const std::uint16_t flags = c.u16();
  h.qr = (flags & 0x8000u) != 0;
  h.opcode = static_cast<Opcode>((flags >> 11) & 0xFu);
  h.aa = (flags & 0x0400u) != 0;
  h.tc = (flags & 0x0200u) != 0;
  h.rd = (flags & 0x0100u) != 0;
  h.ra = (flags & 0x0080u) != 0;
  h.z = static_cast<std::uint8_t>((flags >> 4) & 0x7u);
  h.rcode = static_cast<Rcode>(flags & 0xFu);
  return h;
}

}  // namespace

std::optional<Header> decode_header(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  Cursor c(bytes);
  return read_header(c);
}

DecodeResult decode(std::string_view bytes) {
  DecodeResult result;
  if (bytes.size() > kMaxMessageSize) {
    result.error = "message of " + std::to_string(bytes.size()) + " octets exceeds " +
                   std::to_string(kMaxMessageSize);
    return result;
  }
  if (bytes.size() < kHeaderSize) {
    result.error = "truncated header: " + std::to_string(bytes.size()) + " of " +
                   std::to_string(kHeaderSize) + " octets";
    return result;
  }
  Cursor c(bytes);
  Message m;
  m.header = read_header(c);
  const std::size_t qd = c.u16();
  const std::size_t an = c.u16();
  const std::size_t ns = c.u16();
  const std::size_t ar = c.u16();
  const std::size_t need = qd * kMinQuestionSize + (an + ns + ar) * kMinRecordSize;
  if (need > c.remaining()) {
    result.error = "counts of " + std::to_string(qd) + " question(s) and " +
                   std::to_string(an + ns + ar) + " record(s) need at least " +
                   std::to_string(need) + " octets but only " + std::to_string(c.remaining()) +
                   " follow the header";
    return result;
  }
  auto section = [&](std::size_t count, std::vector<Record>& into, const char* what) {
    for (std::size_t i = 0; i < count && c.ok(); ++i) {
      into.push_back(read_record(c));
      if (!c.ok())
        result.error = std::string(what) + " record " + std::to_string(i + 1) + ": " + c.error();
    }
  };
  for (std::size_t i = 0; i < qd && c.ok(); ++i) {
    m.questions.push_back(read_question(c));
    if (!c.ok()) result.error = "question " + std::to_string(i + 1) + ": " + c.error();
  }
  section(an, m.answers, "answer");
  section(ns, m.authority, "authority");
  section(ar, m.additional, "additional");
  if (!c.ok()) return result;
  if (c.remaining() != 0) {
    result.error = std::to_string(c.remaining()) + " trailing octet(s) after the last record";
    return result;
  }
  result.message = std::move(m);
  return result;
}

}  // namespace mailsim::dns
