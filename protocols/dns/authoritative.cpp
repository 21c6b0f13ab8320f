// Authoritative answering: zone selection, delegation, CNAME following, negative answers.
#include "protocols/dns/authoritative.hpp"

#include <algorithm>

#include "protocols/dns/edns.hpp"
#include "protocols/dns/presentation.hpp"

namespace mailsim::dns {

std::uint32_t Zone::negative_ttl() const {
  if (const auto* s = std::get_if<SoaData>(&soa.data)) return std::min(soa.ttl, s->minimum);
  return soa.ttl;
}

std::string validate_zone(const Zone& zone) {
  if (zone.soa.type != Type::SOA || !std::holds_alternative<SoaData>(zone.soa.data))
    return "zone " + zone.origin.to_string() + " has no SOA record";
  if (zone.soa.name != zone.origin)
    return "SOA owner " + zone.soa.name.to_string() + " is not the zone origin " +
           zone.origin.to_string();
  for (const auto& r : zone.records) {
    if (!r.name.is_subdomain_of(zone.origin))
      return "record " + r.name.to_string() + " is outside zone " + zone.origin.to_string();
    if (r.type == Type::SOA)
      return "second SOA record at " + r.name.to_string() + " in zone " + zone.origin.to_string();
    if (r.type == Type::CNAME) {
      if (r.name == zone.origin)
        return "CNAME at the zone origin " + zone.origin.to_string();
      for (const auto& other : zone.records) {
        if (&other != &r && other.name == r.name)
          return "CNAME at " + r.name.to_string() + " next to other data (" +
                 type_name(other.type) + ")";
      }
    }
  }
  return {};
}

namespace {

// The served zone whose origin is the closest ancestor of `name`, or null.
const Zone* find_zone(const std::vector<Zone>& zones, const Name& name) {
  const Zone* best = nullptr;
  for (const auto& z : zones) {
    if (name.is_subdomain_of(z.origin) &&
        (!best || z.origin.label_count() > best->origin.label_count()))
      best = &z;
  }
  return best;
}

std::vector<Record> records_at(const Zone& z, const Name& name, std::optional<Type> type) {
  std::vector<Record> out;
  if (name == z.origin && (!type || *type == Type::SOA || *type == Type::ANY))
    out.push_back(z.soa);
  for (const auto& r : z.records) {
    if (r.name == name && (!type || *type == Type::ANY || r.type == *type)) out.push_back(r);
  }
  return out;
}

bool name_exists(const Zone& z, const Name& name) {
  if (name == z.origin) return true;
  for (const auto& r : z.records)
    if (r.name.is_subdomain_of(name)) return true;  // the name itself or an empty non-terminal
  return false;
}

// The highest delegation cut between the origin (exclusive) and `name` (inclusive).
std::optional<Name> find_cut(const Zone& z, const Name& name) {
  for (std::size_t n = z.origin.label_count() + 1; n <= name.label_count(); ++n) {
    const Name candidate = name.suffix(n);
    for (const auto& r : z.records)
      if (r.type == Type::NS && r.name == candidate) return candidate;
  }
  return std::nullopt;
}

bool contains(const std::vector<Record>& list, const Record& r) {
  return std::find(list.begin(), list.end(), r) != list.end();
}

// A and AAAA records for `host` from one zone (glue below a cut included).
void add_addresses(const Zone& z, const Name& host, std::vector<Record>& out) {
  if (!host.is_subdomain_of(z.origin)) return;
  for (const auto& r : z.records) {
    if ((r.type == Type::A || r.type == Type::AAAA) && r.name == host && !contains(out, r))
      out.push_back(r);
  }
}

// The same from every served zone.
void add_addresses(const std::vector<Zone>& zones, const Name& host, std::vector<Record>& out) {
  for (const auto& z : zones) add_addresses(z, host, out);
}

Record negative_soa(const Zone& z) {
  Record soa = z.soa;
  soa.ttl = z.negative_ttl();
  return soa;
}

}  // namespace

Message answer(const std::vector<Zone>& zones, const Message& query) {
  Message resp;
  resp.header.id = query.header.id;
  resp.header.qr = true;
  resp.header.opcode = query.header.opcode;
  resp.header.rd = query.header.rd;
  resp.questions = query.questions;
  auto fail = [&](Rcode rcode) {
    resp.header.rcode = rcode;
    return resp;
  };
  if (query.header.qr || query.questions.size() != 1) {
    if (query.questions.size() > 1) resp.questions.clear();
    return fail(Rcode::FormErr);
  }
  if (query.header.opcode != Opcode::Query) return fail(Rcode::NotImp);
  const Question& q = query.questions.front();
  if (q.qclass != kClassIn && q.qclass != kClassAny) return fail(Rcode::Refused);

  Name sname = q.name;
  for (std::size_t step = 0;; ++step) {
    const Zone* zone = find_zone(zones, sname);
    if (!zone) {
      // The first name is in no zone: refuse. A CNAME leading out of our zones: stop here,
      // the resolver continues from the last CNAME.
      if (step == 0) return fail(Rcode::Refused);
      return resp;
    }
    if (const auto cut = find_cut(*zone, sname)) {
      // A referral (RFC 1034 4.3.2 step 3b): not authoritative for anything below the cut.
      resp.header.aa = step == 0 ? false : resp.header.aa;
      for (const auto& ns : records_at(*zone, *cut, Type::NS)) {
        resp.authority.push_back(ns);
        // Glue only from the delegating zone itself (in bailiwick).
        add_addresses(*zone, std::get<NsData>(ns.data).host, resp.additional);
      }
      return resp;
    }
    if (step == 0) resp.header.aa = true;
    const auto exact = records_at(*zone, sname, q.type);
    if (!exact.empty()) {
      for (const auto& r : exact) {
        resp.answers.push_back(r);
        if (const auto* mx = std::get_if<MxData>(&r.data))
          add_addresses(zones, mx->exchange, resp.additional);
        if (const auto* ns = std::get_if<NsData>(&r.data))
          add_addresses(zones, ns->host, resp.additional);
      }
      return resp;
    }
    const auto cname = records_at(*zone, sname, Type::CNAME);
    if (!cname.empty()) {
      // q.type is not CNAME here (else `exact` would have matched).
      const Record& c = cname.front();
      if (contains(resp.answers, c)) return fail(Rcode::ServFail);  // a CNAME loop
      resp.answers.push_back(c);
      if (step + 1 >= kMaxServerCnameChain) return resp;
      sname = std::get<CnameData>(c.data).target;
      continue;
    }
    // Negative answers (RFC 2308 2.1, 2.2): the zone's SOA with the negative TTL.
    resp.authority.push_back(negative_soa(*zone));
    if (!name_exists(*zone, sname)) resp.header.rcode = Rcode::NXDomain;
    return resp;
  }
}

std::optional<std::string> answer_packet(const std::vector<Zone>& zones, std::string_view bytes, bool tcp) {
  const auto decoded = decode(bytes);
  if (!decoded.ok()) {
    const auto header = decode_header(bytes);
    if (!header || header->qr) return std::nullopt;
    Message resp;
    resp.header.id = header->id;
    resp.header.qr = true;
    resp.header.opcode = header->opcode;
    resp.header.rd = header->rd;
    resp.header.rcode = Rcode::FormErr;
    return encode(resp);
  }
  const EdnsRequest edns = read_edns(*decoded.message);
  Message resp = answer(zones, *decoded.message);
  apply_edns(edns, resp);
  return encode_response(edns, resp, tcp);
}

}  // namespace mailsim::dns
