// Mail routing: MX ordering with seeded shuffles, implicit and null MX, host walking.
#include "protocols/dns/mail_route.hpp"

#include <algorithm>

namespace mailsim::dns {

MailRoute mail_route(const Name& domain, const Resolution& mx, const RandomFunction& random) {
  MailRoute route;
  const std::string d = domain.to_string_no_dot();
  switch (mx.outcome) {
    case Resolution::Outcome::NxDomain:
      route.outcome = MailRoute::Outcome::PermanentFailure;
      route.reason = "host unknown: " + d + " does not exist";
      return route;
    case Resolution::Outcome::ServFail:
      route.outcome = MailRoute::Outcome::TemporaryFailure;
      route.reason = "MX lookup for " + d + " failed" + (mx.reason.empty() ? "" : ": " + mx.reason);
      return route;
    case Resolution::Outcome::NoData:
      break;
    case Resolution::Outcome::Answer:
      break;
  }
  std::vector<MailHost> hosts;
  std::size_t null_mx = 0;
  for (const auto& r : mx.final_records()) {
    const auto* data = std::get_if<MxData>(&r.data);
    if (!data) continue;
    if (data->exchange.is_root()) {
      ++null_mx;
      continue;
    }
    hosts.push_back(MailHost{data->exchange, data->preference});
  }
  if (hosts.empty() && null_mx > 0) {
    route.outcome = MailRoute::Outcome::PermanentFailure;
    route.reason = "domain does not accept mail: " + d + " publishes a null MX";
    return route;
  }
  if (hosts.empty()) {
    // RFC 5321 5.1: no MX records, the domain itself is the implicit MX.
    route.outcome = MailRoute::Outcome::Ok;
    route.hosts.push_back(MailHost{domain, 0});
    route.reason = "no MX records for " + d + "; using the domain itself (implicit MX)";
    return route;
  }
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MailHost& a, const MailHost& b) { return a.preference < b.preference; });
  // Shuffle each run of equal preference (Fisher-Yates) with the caller's random function.
  for (std::size_t begin = 0; begin < hosts.size();) {
    std::size_t end = begin + 1;
    while (end < hosts.size() && hosts[end].preference == hosts[begin].preference) ++end;
    for (std::size_t i = end - begin; i > 1; --i) {
      const std::size_t j = random ? random(i) % i : i - 1;
      std::swap(hosts[begin + i - 1], hosts[begin + j]);
    }
    begin = end;
  }
  route.outcome = MailRoute::Outcome::Ok;
  route.hosts = std::move(hosts);
  return route;
}

std::optional<MailHost> MailHostWalk::next_host() {
  if (route_.outcome != MailRoute::Outcome::Ok || next_ >= route_.hosts.size()) return std::nullopt;
  return route_.hosts[next_++];
}

std::vector<Ipv4Address> MailHostWalk::on_address_lookup(const Resolution& a) {
  std::vector<Ipv4Address> out;
  const std::string host = next_ > 0 && next_ <= route_.hosts.size()
                               ? route_.hosts[next_ - 1].name.to_string_no_dot()
                               : a.qname.to_string_no_dot();
  for (const auto& r : a.final_records())
    if (const auto* d = std::get_if<AData>(&r.data)) out.push_back(d->address);
  if (!out.empty()) return out;
  switch (a.outcome) {
    case Resolution::Outcome::ServFail:
      any_temporary_ = true;
      problems_.push_back(host + ": address lookup failed" + (a.reason.empty() ? "" : " (" + a.reason + ")"));
      break;
    case Resolution::Outcome::NxDomain:
      problems_.push_back(host + ": host unknown");
      break;
    default:
      problems_.push_back(host + ": no address");
      break;
  }
  return out;
}

void MailHostWalk::on_host_unreachable(const std::string& why) {
  any_temporary_ = true;
  const std::string host =
      next_ > 0 && next_ <= route_.hosts.size() ? route_.hosts[next_ - 1].name.to_string_no_dot() : "?";
  problems_.push_back(host + ": " + why);
}

MailRoute MailHostWalk::final() const {
  if (route_.outcome != MailRoute::Outcome::Ok) return route_;
  MailRoute out;
  out.outcome = any_temporary_ ? MailRoute::Outcome::TemporaryFailure
                               : MailRoute::Outcome::PermanentFailure;
  std::string list;
  for (const auto& p : problems_) {
    if (!list.empty()) list += "; ";
    list += p;
  }
  out.reason = (any_temporary_ ? "no mail host reachable: " : "no mail host has an address: ") + list;
  return out;
}

}  // namespace mailsim::dns
