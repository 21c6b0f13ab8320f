// EDNS(0): OPT record fields, the server's checks of a query's OPT, and its answer's OPT.
#include "protocols/dns/edns.hpp"

#include <algorithm>

namespace mailsim::dns {

Record make_opt(const Edns& edns) {
  Record r;
  r.name = Name();  // the root
  r.type = Type::OPT;
  r.rclass = edns.udp_size;
  r.ttl = (std::uint32_t{edns.extended_rcode} << 24) | (std::uint32_t{edns.version} << 16) |
          (edns.dnssec_ok ? 0x8000u : 0u) | (edns.z & 0x7FFFu);
  r.data = OpaqueData{edns.options};
  return r;
}

Edns edns_of(const Record& opt) {
  Edns e;
  e.udp_size = opt.rclass;
  e.extended_rcode = static_cast<std::uint8_t>(opt.ttl >> 24);
  e.version = static_cast<std::uint8_t>(opt.ttl >> 16);
  e.dnssec_ok = (opt.ttl & 0x8000u) != 0;
  e.z = static_cast<std::uint16_t>(opt.ttl & 0x7FFFu);
  if (const auto* raw = std::get_if<OpaqueData>(&opt.data)) e.options = raw->bytes;
  return e;
}

namespace {

// RFC 6891 6.1.2: the RDATA is a run of {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}.
bool options_add_up(const std::string& rdata) {
  std::size_t pos = 0;
  while (pos < rdata.size()) {
    if (rdata.size() - pos < 4) return false;
    const std::size_t len = (static_cast<std::size_t>(static_cast<std::uint8_t>(rdata[pos + 2])) << 8) |
                            static_cast<std::uint8_t>(rdata[pos + 3]);
    pos += 4;
    if (rdata.size() - pos < len) return false;
    pos += len;
  }
  return true;
}

}  // namespace

EdnsRequest read_edns(const Message& query) {
  EdnsRequest req;
  const Record* opt = nullptr;
  // An OPT anywhere but the additional section is as wrong as two of them.
  for (const auto* section : {&query.answers, &query.authority}) {
    for (const auto& r : *section) {
      if (r.type == Type::OPT) {
        req.status = EdnsRequest::Status::FormErr;
        req.error = "an OPT record outside the additional section";
        return req;
      }
    }
  }
  for (const auto& r : query.additional) {
    if (r.type != Type::OPT) continue;
    if (opt) {
      req.status = EdnsRequest::Status::FormErr;
      req.error = "more than one OPT record (RFC 6891 6.1.1)";
      return req;
    }
    opt = &r;
  }
  if (!opt) return req;
  if (!opt->name.is_root()) {
    req.status = EdnsRequest::Status::FormErr;
    req.error = "an OPT record whose owner is not the root";
    return req;
  }
  req.edns = edns_of(*opt);
  if (!options_add_up(req.edns.options)) {
    req.status = EdnsRequest::Status::FormErr;
    req.error = "OPT options whose lengths do not add up to the RDATA";
    return req;
  }
  req.status = req.edns.version == 0 ? EdnsRequest::Status::Present : EdnsRequest::Status::BadVers;
  return req;
}

std::size_t udp_response_limit(const EdnsRequest& request, std::uint16_t our_size) {
  if (request.status != EdnsRequest::Status::Present && request.status != EdnsRequest::Status::BadVers)
    return kMaxUdpPayload;
  const std::uint16_t theirs = std::max(request.edns.udp_size, kEdnsMinUdpSize);
  return std::max<std::size_t>(kMaxUdpPayload, std::min(theirs, our_size));
}

void apply_edns(const EdnsRequest& request, Message& response, std::uint16_t our_size) {
  // Never two OPTs in what we send, whatever built the response.
  auto& add = response.additional;
  add.erase(std::remove_if(add.begin(), add.end(), [](const Record& r) { return r.type == Type::OPT; }), add.end());
  Edns ours;
  ours.udp_size = our_size;
  switch (request.status) {
    case EdnsRequest::Status::Absent: return;
    case EdnsRequest::Status::FormErr:
      response.answers.clear();
      response.authority.clear();
      add.clear();
      response.header.aa = false;
      response.header.rcode = Rcode::FormErr;
      return;
    case EdnsRequest::Status::BadVers:
      response.answers.clear();
      response.authority.clear();
      add.clear();
      response.header.aa = false;
      response.header.rcode = static_cast<Rcode>(kRcodeBadVers & 0x0F);
      ours.extended_rcode = static_cast<std::uint8_t>(kRcodeBadVers >> 4);
      add.push_back(make_opt(ours));
      return;
    case EdnsRequest::Status::Present: add.push_back(make_opt(ours)); return;
  }
}

std::uint16_t full_rcode(const Message& response) {
  std::uint16_t rcode = static_cast<std::uint16_t>(response.header.rcode) & 0x0F;
  for (const auto& r : response.additional) {
    if (r.type == Type::OPT)
      rcode = static_cast<std::uint16_t>(rcode | (std::uint16_t{edns_of(r).extended_rcode} << 4));
  }
  return rcode;
}

std::string encode_response(const EdnsRequest& request, const Message& response, bool tcp, std::uint16_t our_size) {
  if (tcp) return encode(response);
  return encode_truncated(response, udp_response_limit(request, our_size));
}

}  // namespace mailsim::dns
