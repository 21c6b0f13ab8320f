// Checks a screenshot: the PNG loads, has the expected size and is not blank (enough
// variation in brightness and enough distinct colours). Usage: png_check FILE [W H].
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <stb_image.h>

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s FILE.png [WIDTH HEIGHT]\n", argv[0]);
    return 2;
  }
  int w = 0;
  int h = 0;
  int n = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &n, 3);
  if (px == nullptr) {
    std::fprintf(stderr, "cannot read %s: %s\n", argv[1], stbi_failure_reason());
    return 1;
  }
  int status = 0;
  if (argc == 4 && (w != std::atoi(argv[2]) || h != std::atoi(argv[3]))) {
    std::fprintf(stderr, "size %dx%d, expected %sx%s\n", w, h, argv[2], argv[3]);
    status = 1;
  }
  double sum = 0.0;
  double sum2 = 0.0;
  std::set<unsigned> colours;
  const long total = static_cast<long>(w) * h;
  for (long i = 0; i < total; ++i) {
    const unsigned char* p = px + i * 3;
    const double y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
    sum += y;
    sum2 += y * y;
    if (colours.size() < 100000) colours.insert((unsigned{p[0]} << 16) | (unsigned{p[1]} << 8) | p[2]);
  }
  stbi_image_free(px);
  const double mean = sum / static_cast<double>(total);
  const double stddev = std::sqrt(std::max(0.0, sum2 / static_cast<double>(total) - mean * mean));
  std::printf("%s: %dx%d mean %.1f stddev %.1f colours %zu\n", argv[1], w, h, mean, stddev, colours.size());
  if (stddev < 8.0 || colours.size() < 64) {
    std::fprintf(stderr, "the image looks blank\n");
    status = 1;
  }
  return status;
}
