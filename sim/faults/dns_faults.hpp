// The DNS server's side of the fault plan: check_dns (fault_gate.hpp) and SERVFAIL.
#pragma once
#include "protocols/dns/message.hpp"
#include "sim/faults/fault_gate.hpp"

namespace mailsim::sim::faults {

// The answer becomes SERVFAIL (RFC 1035 4.1.1 RCODE 2) with no records: "the server failed".
inline void make_servfail(dns::Message& m) {
  m.header.rcode = dns::Rcode::ServFail;
  m.header.aa = false;
  m.answers.clear();
  m.authority.clear();
  m.additional.clear();
}

}  // namespace mailsim::sim::faults
