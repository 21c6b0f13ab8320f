// Test helper: a packet record written as JSON detail (as in a trace file), stored with its
// typed fields in a trace that lives for the whole test run, so the record's `packet` stays valid.
#pragma once
#include <stdexcept>
#include <string>

#include "sim/core/trace.hpp"

namespace mailsim::testing {

inline sim::Record packet_record(sim::Record r) {
  static sim::Trace store;
  sim::PacketInfo p;
  std::string bytes, error;
  sim::Hops hops;
  const bool udp = r.event == "udp" || r.protocol == "udp" || r.protocol == "dns";
  if (r.event.empty()) r.event = udp ? "udp" : "tcp";
  if (!sim::packet_from_detail(r.detail, udp, p, bytes, hops, error)) throw std::runtime_error(error);
  // A test that gives only a length gets that many filler bytes.
  if (bytes.empty() && r.detail.contains("len") && r.detail["len"].is_number_integer() && r.detail["len"].get<long long>() > 0)
    bytes.assign(r.detail["len"].get<std::size_t>(), 'x');
  p.bytes = bytes;
  return store.add_packet(std::move(r), p);
}

}  // namespace mailsim::testing
