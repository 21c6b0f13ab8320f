// A Capture turned into a mailsim trace: hosts, connections, decoded protocol lines, inferred mail records.
#pragma once
#include <string>
#include <vector>

#include "formats/readers/capture.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::formats {

struct ReplayHost {
  std::string id;       // the address, or "ADDRESS (client)" when both ends share one address
  std::string address;
  std::string name;     // a name seen in EHLO, a greeting or a DNS answer ("" when none)
};

struct ReplayTrace {
  sim::Trace trace;
  std::vector<ReplayHost> hosts;
  std::int64_t start_time = 0;   // epoch microseconds of t=0 (0 when the source had no times)
  std::size_t not_understood = 0;  // records that say "not understood"
};

// Decodes every stream with mailsim's own parsers (SMTP replies, DNS messages; POP3 and IMAP
// lines and literals) and writes records in the trace vocabulary of docs/trace.md. What is not
// understood becomes a record that says so; nothing is dropped.
ReplayTrace to_trace(const Capture& capture, const std::string& source_name);

}  // namespace mailsim::formats
