// A resolver cache shared by resolutions: RRsets by (name, type) with TTLs, and negative
// entries (RFC 2308: NXDOMAIN per name, NODATA per name and type) with the SOA-derived TTL.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/dns/message.hpp"

namespace mailsim::dns {

// Virtual time in microseconds, as the simulator counts it; TTLs are in seconds.
using Time = std::int64_t;
constexpr Time kMillisecond = 1000;
constexpr Time kSecond = 1000 * kMillisecond;

constexpr std::size_t kMaxCacheEntries = 10000;  // past this the soonest-expiring go first

class DnsCache {
 public:
  enum class Kind { Records, NxDomain, NoData };
  struct Hit {
    Kind kind = Kind::Records;
    std::vector<Record> records;  // Records: the RRset, TTLs counted down to what is left
    std::optional<Record> soa;    // NxDomain/NoData: the SOA that came with the answer
    std::uint32_t ttl_left = 0;   // seconds
  };

  // Stores an RRset (all of `records` share the owner and type; the smallest TTL counts).
  // A TTL of 0 is not stored. Replaces what was there.
  void put_records(const std::vector<Record>& records, Time now);
  // Stores "no such name": every type of `name` is negative for `ttl` seconds.
  void put_nxdomain(const Name& name, const std::optional<Record>& soa, std::uint32_t ttl, Time now);
  // Stores "the name has no data of this type".
  void put_nodata(const Name& name, Type type, const std::optional<Record>& soa, std::uint32_t ttl,
                  Time now);

  // What is known about (name, type) at `now`: a live NXDOMAIN for the name first, then the
  // (name, type) entry. Expired entries are never returned.
  std::optional<Hit> get(const Name& name, Type type, Time now) const;

  // Drops every entry that has expired by `now`.
  void expire(Time now);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Kind kind = Kind::Records;
    std::vector<Record> records;
    std::optional<Record> soa;
    Time stored = 0;
    Time expires = 0;
  };
  using Key = std::pair<std::string, std::uint16_t>;  // (lower-case name, type; 0 = NXDOMAIN)
  // An entry of `kind` stored at `now` that lives `ttl` seconds.
  static Entry make_entry(Kind kind, std::uint32_t ttl, Time now);
  void put(Key key, Entry entry, Time now);
  static std::optional<Hit> live(const Entry& e, Time now);

  std::map<Key, Entry> entries_;
};

}  // namespace mailsim::dns
