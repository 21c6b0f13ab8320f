// Shared body of the replay readers' fuzz targets: any bytes, one format, read and decoded, never a crash.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/readers/capture.hpp"
#include "formats/readers/to_trace.hpp"

namespace mailsim::fuzz {

inline int fuzz_reader(const std::uint8_t* data, std::size_t size, const char* format) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  formats::ReadOptions o;
  o.format = format;
  o.limits.max_payload = 1u << 20;  // small bounds so the fuzzer explores, not allocates
  o.limits.max_out_of_order = 1u << 16;
  o.limits.max_streams = 64;
  const auto r = formats::read_capture(bytes, o);
  if (!r.capture) {
    if (r.error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  std::size_t total = 0;
  for (const auto& s : r.capture->streams) {
    for (const auto& c : s.chunks) total += c.bytes.size();
    (void)formats::normalised_lines(s);
  }
  if (total > o.limits.max_payload) std::abort();  // the bound holds
  // Decoding what was read never crashes either, and keeps records in time order.
  const auto rt = formats::to_trace(*r.capture, "fuzz");
  for (std::size_t i = 1; i < rt.trace.size(); ++i)
    if (rt.trace.records()[i].time < rt.trace.records()[i - 1].time) std::abort();
  (void)formats::detect_format(bytes);
  return 0;
}

}  // namespace mailsim::fuzz
