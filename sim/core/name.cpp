// The process-wide pool of interned names: append-only, guarded by a mutex so a bridge or
// app thread may intern too; names are never freed (their number is bounded by the inputs).
#include "sim/core/name.hpp"

#include <mutex>
#include <unordered_set>

namespace mailsim::sim {
namespace {

struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
struct Equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

struct Pool {
  std::mutex mutex;
  std::unordered_set<std::string, Hash, Equal> names;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: names outlive every static that holds one
  return *p;
}

}  // namespace

const std::string& Name::empty_text() {
  static const std::string* e = new std::string;
  return *e;
}

const std::string* Name::intern(std::string_view text) {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  auto it = p.names.find(text);
  if (it == p.names.end()) it = p.names.emplace(text).first;
  return &*it;
}

}  // namespace mailsim::sim
