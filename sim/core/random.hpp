// A deterministic random source seeded from the scenario (same seed, same numbers, any platform).
#pragma once
#include <cstdint>

namespace mailsim::sim {

// SplitMix64: small, fast, and fully specified here, unlike std:: distributions whose
// output differs between standard libraries. Never seeded from the clock.
class Random {
 public:
  explicit Random(std::uint64_t seed = 0) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) without modulo bias; n must be > 0.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t v;
    do v = next();
    while (v >= limit);
    return v % n;
  }
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(next() >> 32); }

 private:
  std::uint64_t state_;
};

}  // namespace mailsim::sim
