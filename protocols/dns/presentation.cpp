// DNS presentation format: record text in both directions and one-line message summaries.
#include "protocols/dns/presentation.hpp"

#include <cstddef>
#include <vector>

#include "protocols/common/ascii.hpp"

namespace mailsim::dns {

namespace {

using proto::hex_value;
using proto::is_digit;
using proto::to_upper;
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Decimal digits only, at most `max`.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return std::nullopt;
  }
  return v;
}

const char* kHex = "0123456789abcdef";

void append_character_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7F) {
      append_decimal_escape(out, u);
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string name_text(const Name& n, bool trailing_dot) {
  return trailing_dot ? n.to_string() : n.to_string_no_dot();
}

struct Token {
  std::string text;  // quoted strings: unescaped content; bare words: as written
  bool quoted = false;
};

// Splits a record line into words and quoted strings; nullopt (with error) on a bad quote.
std::optional<std::vector<Token>> tokenize(std::string_view s, std::string& error) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    Token t;
    if (s[i] == '"') {
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c == '\\') {
          if (i + 1 >= s.size()) break;
          if (is_digit(s[i + 1])) {
            if (i + 3 >= s.size() || !is_digit(s[i + 2]) || !is_digit(s[i + 3])) {
              error = "bad \\DDD escape in quoted string";
              return std::nullopt;
            }
            const int v = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
            if (v > 255) {
              error = "bad \\DDD escape in quoted string";
              return std::nullopt;
            }
            t.text += static_cast<char>(static_cast<unsigned char>(v));
            i += 4;
          } else {
            t.text += s[i + 1];
            i += 2;
          }
          continue;
        }
        t.text += c;
        ++i;
      }
      if (!closed) {
        error = "unterminated quoted string";
        return std::nullopt;
      }
    } else {
      while (i < s.size() && !is_space(s[i])) {
        if (s[i] == '"') {
          error = "quote inside a word: '" + std::string(s.substr(i)) + "'";
          return std::nullopt;
        }
        if (s[i] == '\\' && i + 1 < s.size()) t.text += s[i++];
        t.text += s[i++];
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// The bytes of a bare TXT word: escapes resolved.
std::optional<std::string> unescape_word(std::string_view w, std::string& error) {
  std::string out;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] != '\\') {
      out += w[i];
      continue;
    }
    if (!read_escape(w, i, out, error)) return std::nullopt;
  }
  return out;
}

std::optional<std::uint16_t> parse_class(std::string_view text) {
  const std::string u = to_upper(text);
  if (u == "IN") return kClassIn;
  if (u == "CH") return std::uint16_t{3};
  if (u == "HS") return std::uint16_t{4};
  if (u == "ANY") return kClassAny;
  if (u.rfind("CLASS", 0) == 0 && u.size() > 5) {
    const auto v = parse_uint(std::string_view(u).substr(5), 65535);
    if (v) return static_cast<std::uint16_t>(*v);
  }
  return std::nullopt;
}

}  // namespace

std::string type_name(Type type) {
  switch (type) {
    case Type::A: return "A";
    case Type::NS: return "NS";
    case Type::CNAME: return "CNAME";
    case Type::SOA: return "SOA";
    case Type::PTR: return "PTR";
    case Type::MX: return "MX";
    case Type::TXT: return "TXT";
    case Type::AAAA: return "AAAA";
    case Type::OPT: return "OPT";
    case Type::ANY: return "ANY";
  }
  return "TYPE" + std::to_string(static_cast<unsigned>(type));
}

std::optional<Type> parse_type(std::string_view text) {
  const std::string u = to_upper(text);
  for (Type t : {Type::A, Type::NS, Type::CNAME, Type::SOA, Type::PTR, Type::MX, Type::TXT,
                 Type::AAAA, Type::OPT, Type::ANY}) {
    if (u == type_name(t)) return t;
  }
  if (u.rfind("TYPE", 0) == 0 && u.size() > 4) {
    const auto v = parse_uint(std::string_view(u).substr(4), 65535);
    if (v) return static_cast<Type>(*v);
  }
  return std::nullopt;
}

std::string class_name(std::uint16_t rclass) {
  switch (rclass) {
    case kClassIn: return "IN";
    case 3: return "CH";
    case 4: return "HS";
    case kClassAny: return "ANY";
    default: return "CLASS" + std::to_string(rclass);
  }
}

std::string rcode_name(Rcode rcode) {
  switch (rcode) {
    case Rcode::NoError: return "NOERROR";
    case Rcode::FormErr: return "FORMERR";
    case Rcode::ServFail: return "SERVFAIL";
    case Rcode::NXDomain: return "NXDOMAIN";
    case Rcode::NotImp: return "NOTIMP";
    case Rcode::Refused: return "REFUSED";
  }
  return "RCODE" + std::to_string(static_cast<unsigned>(rcode));
}

std::string opcode_name(Opcode opcode) {
  switch (opcode) {
    case Opcode::Query: return "QUERY";
    case Opcode::IQuery: return "IQUERY";
    case Opcode::Status: return "STATUS";
    case Opcode::Notify: return "NOTIFY";
    case Opcode::Update: return "UPDATE";
  }
  return "OPCODE" + std::to_string(static_cast<unsigned>(opcode));
}

std::string ipv4_to_string(const Ipv4Address& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::optional<Ipv4Address> parse_ipv4(std::string_view text) {
  Ipv4Address out{};
  std::size_t part = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    const auto digits = text.substr(start, i - start);
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
      return std::nullopt;
    const auto v = parse_uint(digits, 255);
    if (!v) return std::nullopt;
    out[part++] = static_cast<std::uint8_t>(*v);
    if (part == 4) break;
    if (i >= text.size() || text[i] != '.') return std::nullopt;
    ++i;
  }
  if (i != text.size()) return std::nullopt;
  return out;
}

std::string ipv6_to_string(const Ipv6Address& a) {
  std::uint16_t g[8];
  for (std::size_t i = 0; i < 8; ++i)
    g[i] = static_cast<std::uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
  std::size_t best_start = 8, best_len = 0;
  for (std::size_t i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = 8;
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nib = (g[i] >> shift) & 0xFu;
      if (nib != 0 || started || shift == 0) {
        out += kHex[nib];
        started = true;
      }
    }
  }
  return out;
}

std::optional<Ipv6Address> parse_ipv6(std::string_view text) {
  // Parses "h:h:...:h" groups (the last may be a dotted IPv4) into 16-bit values.
  auto groups_of = [](std::string_view s, std::vector<std::uint16_t>& out) -> bool {
    if (s.empty()) return true;
    std::size_t i = 0;
    while (true) {
      const std::size_t colon = s.find(':', i);
      const auto g = s.substr(i, colon == std::string_view::npos ? std::string_view::npos
                                                                 : colon - i);
      if (colon == std::string_view::npos && g.find('.') != std::string_view::npos) {
        const auto v4 = parse_ipv4(g);
        if (!v4) return false;
        out.push_back(static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]));
        out.push_back(static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]));
        return true;
      }
      if (g.empty() || g.size() > 4) return false;
      unsigned v = 0;
      for (char c : g) {
        const int h = hex_value(c);
        if (h < 0) return false;
        v = (v << 4) | static_cast<unsigned>(h);
      }
      out.push_back(static_cast<std::uint16_t>(v));
      if (colon == std::string_view::npos) return true;
      i = colon + 1;
    }
  };
  std::vector<std::uint16_t> left, right;
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!groups_of(text, left) || left.size() != 8) return std::nullopt;
  } else {
    if (text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    if (!groups_of(text.substr(0, gap), left) || !groups_of(text.substr(gap + 2), right))
      return std::nullopt;
    if (left.size() + right.size() > 7) return std::nullopt;
    left.resize(8 - right.size(), 0);
    left.insert(left.end(), right.begin(), right.end());
  }
  Ipv6Address out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(left[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(left[i] & 0xFF);
  }
  return out;
}

std::string rdata_to_string(const Record& r, bool dot) {
  const RData& d = r.data;
  if (const auto* a = std::get_if<AData>(&d)) return ipv4_to_string(a->address);
  if (const auto* a6 = std::get_if<AaaaData>(&d)) return ipv6_to_string(a6->address);
  if (const auto* ns = std::get_if<NsData>(&d)) return name_text(ns->host, dot);
  if (const auto* cn = std::get_if<CnameData>(&d)) return name_text(cn->target, dot);
  if (const auto* p = std::get_if<PtrData>(&d)) return name_text(p->target, dot);
  if (const auto* mx = std::get_if<MxData>(&d))
    return std::to_string(mx->preference) + " " + name_text(mx->exchange, dot);
  if (const auto* s = std::get_if<SoaData>(&d)) {
    return name_text(s->mname, dot) + " " + name_text(s->rname, dot) + " " +
           std::to_string(s->serial) + " " + std::to_string(s->refresh) + " " +
           std::to_string(s->retry) + " " + std::to_string(s->expire) + " " +
           std::to_string(s->minimum);
  }
  if (const auto* t = std::get_if<TxtData>(&d)) {
    std::string out;
    for (const auto& s : t->strings) {
      if (!out.empty()) out += ' ';
      append_character_string(out, s);
    }
    return out;
  }
  const auto& bytes = std::get<OpaqueData>(d).bytes;
  std::string out = "\\# " + std::to_string(bytes.size());
  if (!bytes.empty()) out += ' ';
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0xF];
  }
  return out;
}

std::string to_string(const Record& r) {
  return r.name.to_string() + " " + std::to_string(r.ttl) + " " + class_name(r.rclass) + " " +
         type_name(r.type) + " " + rdata_to_string(r, true);
}

std::string to_string(const Question& q) {
  return type_name(q.type) + "? " + q.name.to_string_no_dot();
}

std::string summary(const Message& m) {
  std::string out;
  if (m.questions.empty()) {
    out = "(no question)";
  } else {
    out = to_string(m.questions.front());
    if (m.questions.size() > 1) out += " (+" + std::to_string(m.questions.size() - 1) + " more)";
  }
  if (!m.header.qr) return out;
  out += " -> ";
  const Type qtype = m.questions.empty() ? Type::ANY : m.questions.front().type;
  std::string items;
  for (const auto& r : m.answers) {
    if (!items.empty()) items += ", ";
    if (r.type != qtype && qtype != Type::ANY) items += type_name(r.type) + " ";
    items += rdata_to_string(r, false);
  }
  if (m.header.rcode != Rcode::NoError) {
    out += items.empty() ? rcode_name(m.header.rcode) : items + ", " + rcode_name(m.header.rcode);
  } else if (!items.empty()) {
    out += items;
  } else {
    std::string ns_hosts;
    bool has_soa = false;
    for (const auto& r : m.authority) {
      if (const auto* ns = std::get_if<NsData>(&r.data)) {
        if (!ns_hosts.empty()) ns_hosts += ", ";
        ns_hosts += ns->host.to_string_no_dot();
      }
      if (r.type == Type::SOA) has_soa = true;
    }
    if (!ns_hosts.empty() && !has_soa && !m.header.aa)
      out += "referral to " + ns_hosts;
    else
      out += "NODATA";
  }
  if (m.header.tc) out += " (truncated)";
  return out;
}

std::optional<Record> parse_record(std::string_view text, std::string& error) {
  if (text.size() > kMaxRecordTextLength) {
    error = "record text of " + std::to_string(text.size()) + " characters exceeds " +
            std::to_string(kMaxRecordTextLength);
    return std::nullopt;
  }
  auto tokens = tokenize(text, error);
  if (!tokens) return std::nullopt;
  const auto& t = *tokens;
  if (t.empty()) {
    error = "empty record";
    return std::nullopt;
  }
  auto name_at = [&](std::size_t i, const char* what) -> std::optional<Name> {
    std::string e;
    auto n = t[i].quoted ? std::nullopt : Name::parse(t[i].text, e);
    if (!n) error = std::string("bad ") + what + " '" + t[i].text + "': " + (e.empty() ? "quoted" : e);
    return n;
  };
  Record r;
  auto owner = name_at(0, "owner name");
  if (!owner) return std::nullopt;
  r.name = *owner;
  std::size_t i = 1;
  bool have_ttl = false, have_class = false;
  r.ttl = kDefaultTtl;
  while (i < t.size() && !t[i].quoted && (!have_ttl || !have_class)) {
    if (!have_ttl && !t[i].text.empty() && is_digit(t[i].text[0])) {
      const auto v = parse_uint(t[i].text, kMaxTtl);
      if (!v) {
        error = "TTL must be 0-" + std::to_string(kMaxTtl) + ", got '" + t[i].text + "'";
        return std::nullopt;
      }
      r.ttl = static_cast<std::uint32_t>(*v);
      have_ttl = true;
      ++i;
    } else if (!have_class && parse_class(t[i].text)) {
      r.rclass = *parse_class(t[i].text);
      have_class = true;
      ++i;
    } else {
      break;
    }
  }
  if (i >= t.size()) {
    error = "missing record type";
    return std::nullopt;
  }
  const auto type = t[i].quoted ? std::nullopt : parse_type(t[i].text);
  if (!type) {
    error = "unknown record type '" + t[i].text + "'";
    return std::nullopt;
  }
  r.type = *type;
  const std::string tname = type_name(*type);
  ++i;
  const std::size_t n = t.size() - i;
  auto need = [&](std::size_t count, const char* fields) {
    if (n < count) {
      error = tname + " needs " + std::to_string(count) + " rdata field(s) (" + fields + "), got " +
              std::to_string(n);
      return false;
    }
    if (n > count) {
      error = "extra text after " + tname + " rdata: '" + t[i + count].text + "'";
      return false;
    }
    return true;
  };
  auto u32_at = [&](std::size_t k, const char* what) -> std::optional<std::uint32_t> {
    const auto v = parse_uint(t[k].text, 4294967295u);
    if (!v) error = tname + " " + what + " must be 0-4294967295";
    return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
  };
  const bool generic = n >= 1 && !t[i].quoted && t[i].text == "\\#";
  if (generic) {
    // RFC 3597: \# LENGTH HEX... (hex may be split into several words)
    if (n < 2) {
      error = "generic rdata needs a length after \\#";
      return std::nullopt;
    }
    const auto len = parse_uint(t[i + 1].text, 65535);
    if (!len) {
      error = "generic rdata length must be 0-65535";
      return std::nullopt;
    }
    std::string hex;
    for (std::size_t k = i + 2; k < t.size(); ++k) hex += t[k].text;
    if (hex.size() % 2 != 0 || hex.size() / 2 != *len) {
      error = "generic rdata length " + std::to_string(*len) + " does not match " +
              std::to_string(hex.size() / 2) + " octet(s) of hex";
      return std::nullopt;
    }
    std::string bytes;
    for (std::size_t k = 0; k < hex.size(); k += 2) {
      const int hi = hex_value(hex[k]), lo = hex_value(hex[k + 1]);
      if (hi < 0 || lo < 0) {
        error = "bad hex in generic rdata: '" + hex + "'";
        return std::nullopt;
      }
      bytes += static_cast<char>(static_cast<unsigned char>(hi * 16 + lo));
    }
    if (*type == Type::A || *type == Type::AAAA || *type == Type::NS || *type == Type::CNAME ||
        *type == Type::PTR || *type == Type::MX || *type == Type::TXT || *type == Type::SOA) {
      // A known type in generic form: decode it through the wire codec for typed rdata.
      Message probe;
      probe.answers.push_back(r);
      probe.answers.back().data = OpaqueData{bytes};
      const auto decoded = decode(encode(probe));
      if (!decoded.ok()) {
        error = "generic rdata is not a valid " + tname + ": " + decoded.error;
        return std::nullopt;
      }
      return decoded.message->answers.front();
    }
    r.data = OpaqueData{bytes};
    return r;
  }
  switch (*type) {
    case Type::A: {
      if (!need(1, "address")) return std::nullopt;
      const auto a = parse_ipv4(t[i].text);
      if (!a) {
        error = "bad IPv4 address '" + t[i].text + "'";
        return std::nullopt;
      }
      r.data = AData{*a};
      return r;
    }
    case Type::AAAA: {
      if (!need(1, "address")) return std::nullopt;
      const auto a = parse_ipv6(t[i].text);
      if (!a) {
        error = "bad IPv6 address '" + t[i].text + "'";
        return std::nullopt;
      }
      r.data = AaaaData{*a};
      return r;
    }
    case Type::NS:
    case Type::CNAME:
    case Type::PTR: {
      if (!need(1, "name")) return std::nullopt;
      const auto target = name_at(i, "name");
      if (!target) return std::nullopt;
      if (*type == Type::NS) r.data = NsData{*target};
      else if (*type == Type::CNAME) r.data = CnameData{*target};
      else r.data = PtrData{*target};
      return r;
    }
    case Type::MX: {
      if (!need(2, "preference exchange")) return std::nullopt;
      const auto pref = parse_uint(t[i].text, 65535);
      if (!pref) {
        error = "MX preference must be 0-65535";
        return std::nullopt;
      }
      const auto exchange = name_at(i + 1, "mail exchange");
      if (!exchange) return std::nullopt;
      r.data = MxData{static_cast<std::uint16_t>(*pref), *exchange};
      return r;
    }
    case Type::SOA: {
      if (!need(7, "mname rname serial refresh retry expire minimum")) return std::nullopt;
      SoaData s;
      const auto mname = name_at(i, "SOA mname");
      if (!mname) return std::nullopt;
      const auto rname = name_at(i + 1, "SOA rname");
      if (!rname) return std::nullopt;
      s.mname = *mname;
      s.rname = *rname;
      const char* what[] = {"serial", "refresh", "retry", "expire", "minimum"};
      std::uint32_t* field[] = {&s.serial, &s.refresh, &s.retry, &s.expire, &s.minimum};
      for (std::size_t k = 0; k < 5; ++k) {
        const auto v = u32_at(i + 2 + k, what[k]);
        if (!v) return std::nullopt;
        *field[k] = *v;
      }
      r.data = s;
      return r;
    }
    case Type::TXT: {
      if (n == 0) {
        error = "TXT needs at least one character-string";
        return std::nullopt;
      }
      TxtData txt;
      for (std::size_t k = i; k < t.size(); ++k) {
        std::string s;
        if (t[k].quoted) {
          s = t[k].text;
        } else {
          auto w = unescape_word(t[k].text, error);
          if (!w) return std::nullopt;
          s = std::move(*w);
        }
        if (s.size() > kMaxCharacterString) {
          error = "TXT character-string of " + std::to_string(s.size()) + " octets exceeds " +
                  std::to_string(kMaxCharacterString);
          return std::nullopt;
        }
        txt.strings.push_back(std::move(s));
      }
      r.data = std::move(txt);
      return r;
    }
    default:
      error = tname + " rdata must be in generic form: \\# LENGTH HEX";
      return std::nullopt;
  }
}

}  // namespace mailsim::dns
