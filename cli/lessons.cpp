// Where the program's own files are: its executable and the assets folder (lessons: sim/lessons.cpp).
#include "cli/lessons.hpp"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace mailsim::cli {

namespace fs = std::filesystem;

fs::path executable_path(const char* argv0) {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !p.empty()) return p;
  if (argv0 && *argv0) {
    auto q = fs::absolute(argv0, ec);
    if (!ec) return q;
  }
  return {};
}

fs::path find_assets_dir(const fs::path& executable) {
  std::vector<fs::path> c;
  if (const char* env = std::getenv("MAILSIM_ASSETS"); env && *env) c.emplace_back(env);
  if (!executable.empty()) c.push_back(executable.parent_path() / ".." / "share" / "mailsim" / "assets");
  c.emplace_back(MAILSIM_ASSETS_DIR);
  for (const auto& p : c) {
    std::error_code ec;
    if (!p.empty() && fs::is_directory(p, ec)) return fs::weakly_canonical(p, ec);
  }
  return {};
}

}  // namespace mailsim::cli
