// The resolver cache: TTL bookkeeping against a caller-given clock.
#include "protocols/dns/cache.hpp"

#include <algorithm>

namespace mailsim::dns {

namespace {
constexpr std::uint16_t kNxdomainKey = 0;  // type 0 is reserved, so it never clashes
}

DnsCache::Entry DnsCache::make_entry(Kind kind, std::uint32_t ttl, Time now) {
  Entry e;
  e.kind = kind;
  e.stored = now;
  e.expires = now + static_cast<Time>(ttl) * kSecond;
  return e;
}

void DnsCache::put(Key key, Entry entry, Time now) {
  entries_.erase(key);
  if (entries_.size() >= kMaxCacheEntries) {
    expire(now);
    while (entries_.size() >= kMaxCacheEntries) {
      auto soonest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.expires < b.second.expires;
      });
      entries_.erase(soonest);
    }
  }
  entries_.emplace(std::move(key), std::move(entry));
}

void DnsCache::put_records(const std::vector<Record>& records, Time now) {
  if (records.empty()) return;
  std::uint32_t ttl = records.front().ttl;
  for (const auto& r : records) ttl = std::min(ttl, r.ttl);
  if (ttl == 0) return;
  Entry e = make_entry(Kind::Records, ttl, now);
  e.records = records;
  // Fresh data for the name outdates a cached "no such name".
  entries_.erase({records.front().name.key(), kNxdomainKey});
  put({records.front().name.key(), static_cast<std::uint16_t>(records.front().type)}, std::move(e),
      now);
}

void DnsCache::put_nxdomain(const Name& name, const std::optional<Record>& soa, std::uint32_t ttl,
                            Time now) {
  if (ttl == 0) return;
  Entry e = make_entry(Kind::NxDomain, ttl, now);
  e.soa = soa;
  put({name.key(), kNxdomainKey}, std::move(e), now);
}

void DnsCache::put_nodata(const Name& name, Type type, const std::optional<Record>& soa,
                          std::uint32_t ttl, Time now) {
  if (ttl == 0) return;
  Entry e = make_entry(Kind::NoData, ttl, now);
  e.soa = soa;
  put({name.key(), static_cast<std::uint16_t>(type)}, std::move(e), now);
}

std::optional<DnsCache::Hit> DnsCache::live(const Entry& e, Time now) {
  if (now >= e.expires) return std::nullopt;
  Hit h;
  h.kind = e.kind;
  const Time left = (e.expires - now + kSecond - 1) / kSecond;  // round up: never 0 while live
  h.ttl_left = static_cast<std::uint32_t>(left);
  h.records = e.records;
  for (auto& r : h.records) r.ttl = h.ttl_left;
  h.soa = e.soa;
  if (h.soa) h.soa->ttl = h.ttl_left;
  return h;
}

std::optional<DnsCache::Hit> DnsCache::get(const Name& name, Type type, Time now) const {
  const std::string key = name.key();
  if (const auto nx = entries_.find({key, kNxdomainKey}); nx != entries_.end()) {
    if (auto h = live(nx->second, now)) return h;
  }
  if (const auto it = entries_.find({key, static_cast<std::uint16_t>(type)}); it != entries_.end())
    return live(it->second, now);
  return std::nullopt;
}

void DnsCache::expire(Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now >= it->second.expires)
      it = entries_.erase(it);
    else
      ++it;
  }
}

}  // namespace mailsim::dns
