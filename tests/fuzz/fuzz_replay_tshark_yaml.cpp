// Fuzz target: the replay reader of format "tshark-yaml" on arbitrary bytes.
#include "fuzz_replay_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mailsim::fuzz::fuzz_reader(data, size, "tshark-yaml");
}
