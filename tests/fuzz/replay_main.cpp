// Runs a fuzz target without libFuzzer: every seed file, then deterministic mutations of it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

// A small deterministic generator (xorshift) so the replay is the same on every run.
std::uint32_t next(std::uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

std::size_t mutate_all(const std::string& seed, std::uint32_t& rng) {
  std::size_t runs = 0;
  run(seed);
  ++runs;
  for (std::size_t cut = 0; cut < seed.size(); cut += 1 + seed.size() / 64) {
    run(seed.substr(0, cut));
    ++runs;
  }
  for (int i = 0; i < 200 && !seed.empty(); ++i) {
    std::string m = seed;
    const int edits = 1 + static_cast<int>(next(rng) % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = next(rng) % m.size();
      switch (next(rng) % 4) {
        case 0: m[at] = static_cast<char>(m[at] ^ static_cast<char>(1u << (next(rng) % 8))); break;
        case 1: m[at] = static_cast<char>(next(rng) & 0xFF); break;
        case 2: m.insert(at, m.substr(next(rng) % m.size(), 1 + next(rng) % 8)); break;
        default: m.erase(at, 1 + next(rng) % 4); break;
      }
      if (m.empty()) break;
    }
    run(m);
    ++runs;
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& entry : std::filesystem::directory_iterator(p))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (std::filesystem::exists(p)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  std::uint32_t rng = 2463534242u;
  std::size_t runs = mutate_all(std::string(), rng);
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    runs += mutate_all(data, rng);
  }
  std::printf("replayed %zu seed file(s), %zu input(s), no crash\n", files.size(), runs);
  return 0;
}
