// Which packets a capture holds and where: one interface per network, or one capture point.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "formats/pcap.hpp"
#include "formats/trace_view.hpp"

namespace mailsim::formats {

// 2025-11-01T00:00:00Z (09:00 in Japan): the default time of virtual time 0, so files are
// reproducible; the same moment the messages' Date: and Received: lines count from
// (sim/mail/mta.hpp kScenarioEpochUnix).
constexpr std::int64_t kDefaultEpoch = 1761955200;

struct CaptureHost {
  std::string id;
  std::string kind;     // "observer" sees every packet on its network (a shared medium)
  std::string network;
  std::string description;
};
struct CaptureNetwork {
  std::string id;
  std::string description;
};

struct CaptureOptions {
  std::set<std::string> protos;  // "smtp", "pop3", "imap", "dns", "tcp", "udp", "tls"; empty: all
  std::optional<std::uint64_t> conn;
  std::optional<sim::Time> from, to;   // virtual time of leaving (inclusive)
  std::string at;                      // capture point host id; empty: every network
  std::int64_t epoch = kDefaultEpoch;  // seconds since 1970 of virtual time 0
};

// The application protocols a --proto list may name.
bool known_capture_proto(const std::string& name);

// The frames of an export (named apart from the replay reader's formats::Capture: both libraries are
// linked into one program, and one name for two types would break the one-definition rule).
struct CaptureFrames {
  std::vector<CaptureInterface> interfaces;
  std::vector<CapturedPacket> packets;  // in time order
  std::vector<std::uint64_t> records;   // the packet record of each captured packet
};

// Without `at`: each packet once, on the interface of the network it left by, stamped with
// the time it left. With `at`: what that host's interface saw: packets it sent (when they
// left) and received (when they arrived); an observer also sees every other packet that
// crosses its network. `comments`: packet record -> narration texts (joined by newlines).
CaptureFrames build_capture(const std::vector<WirePacket>& packets, const std::vector<CaptureHost>& hosts,
                      const std::vector<CaptureNetwork>& networks, const CaptureOptions& options,
                      const std::map<std::uint64_t, std::vector<std::string>>& comments);

}  // namespace mailsim::formats
