// DNS messages (RFC 1035 4.1): header, question, resource records with typed rdata, wire codec.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/dns/name.hpp"

namespace mailsim::dns {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxMessageSize = 65535;   // checked before decoding
constexpr std::size_t kMaxUdpPayload = 512;      // RFC 1035 4.2.1 (no EDNS)
constexpr std::size_t kMaxCompressionOffset = 0x3FFF;  // 14-bit pointer
constexpr std::size_t kMinQuestionSize = 5;      // root name + type + class
constexpr std::size_t kMinRecordSize = 11;       // root name + type + class + ttl + rdlength
constexpr std::size_t kMaxCharacterString = 255;  // one TXT character-string

// Record types this codec knows (RFC 1035 3.2.2, RFC 3596); any other value is carried as
// opaque rdata. The enum holds every 16-bit value: `static_cast<Type>(99)` is fine.
enum class Type : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  OPT = 41,
  ANY = 255,  // QTYPE only
};

constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kClassAny = 255;

enum class Opcode : std::uint8_t { Query = 0, IQuery = 1, Status = 2, Notify = 4, Update = 5 };

enum class Rcode : std::uint8_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NXDomain = 3,
  NotImp = 4,
  Refused = 5,
};

using Ipv4Address = std::array<std::uint8_t, 4>;
using Ipv6Address = std::array<std::uint8_t, 16>;

struct Header {
  std::uint16_t id = 0;
  bool qr = false;  // response
  Opcode opcode = Opcode::Query;
  bool aa = false;  // authoritative answer
  bool tc = false;  // truncated
  bool rd = false;  // recursion desired
  bool ra = false;  // recursion available
  std::uint8_t z = 0;  // the 3 reserved bits, kept as received
  Rcode rcode = Rcode::NoError;
  bool operator==(const Header&) const = default;
};

struct Question {
  Name name;
  Type type = Type::A;
  std::uint16_t qclass = kClassIn;
  bool operator==(const Question&) const = default;
};

// Typed rdata, one struct per known type.
struct AData {
  Ipv4Address address{};
  bool operator==(const AData&) const = default;
};
struct AaaaData {
  Ipv6Address address{};
  bool operator==(const AaaaData&) const = default;
};
struct NsData {
  Name host;
  bool operator==(const NsData&) const = default;
};
struct CnameData {
  Name target;
  bool operator==(const CnameData&) const = default;
};
struct PtrData {
  Name target;
  bool operator==(const PtrData&) const = default;
};
struct MxData {
  std::uint16_t preference = 0;
  Name exchange;
  bool operator==(const MxData&) const = default;
};
struct TxtData {
  std::vector<std::string> strings;  // each at most 255 octets, at least one
  bool operator==(const TxtData&) const = default;
};
struct SoaData {
  Name mname;  // primary server
  Name rname;  // mailbox of the person responsible
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;  // negative-caching TTL (RFC 2308)
  bool operator==(const SoaData&) const = default;
};
struct OpaqueData {  // any other type (or A/AAAA outside class IN), bytes as received
  std::string bytes;
  bool operator==(const OpaqueData&) const = default;
};

using RData =
    std::variant<AData, AaaaData, NsData, CnameData, SoaData, PtrData, MxData, TxtData, OpaqueData>;

// The type a typed rdata belongs to; nullopt for OpaqueData.
std::optional<Type> type_of(const RData& data);

struct Record {
  Name name;
  Type type = Type::A;
  std::uint16_t rclass = kClassIn;
  std::uint32_t ttl = 0;
  RData data;  // typed data must match `type`; OpaqueData goes with any type

  // A record whose type follows from typed data (not for OpaqueData).
  static Record make(Name owner, std::uint32_t ttl, RData data);
  bool operator==(const Record&) const = default;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authority;
  std::vector<Record> additional;
  bool operator==(const Message&) const = default;
};

// Encodes with name compression (RFC 1035 4.1.4) for owner names and for the names inside
// NS, CNAME, SOA, PTR and MX rdata. Compression matches suffixes byte for byte, so every
// name decodes to exactly the spelling it was given.
std::string encode(const Message& message);

// Encodes for a UDP datagram of at most `limit` octets: when the whole message does not
// fit, records are dropped from the end; losing an answer or authority record sets TC
// (RFC 2181 9: losing only additional records does not). An OPT record is always kept
// (RFC 6891 7), first in the additional section of the cut message.
std::string encode_truncated(const Message& message, std::size_t limit = kMaxUdpPayload);

// Either the decoded message or a clear error ("label of 70 octets exceeds 63 at offset 12").
struct DecodeResult {
  std::optional<Message> message;
  std::string error;
  bool ok() const { return message.has_value(); }
};

// Decodes a whole message. Compression pointers must point strictly before the start of
// the name (or the name part) being read, so a name can never loop; labels <= 63 octets,
// names <= 255 octets, label types 0x40 and 0x80 rejected, every rdlength must equal what
// its rdata parse consumed, section counts must fit in the packet, trailing bytes rejected.
DecodeResult decode(std::string_view bytes);

// Reads only the 12-octet header (to answer FORMERR to a query that does not decode).
std::optional<Header> decode_header(std::string_view bytes);

}  // namespace mailsim::dns
