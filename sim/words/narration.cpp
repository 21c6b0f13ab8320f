// Matching narration steps to trace records, and reading the post-office analogy tables.
#include "sim/words/narration.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace mailsim::sim {

bool NarrationMoment::matches(const Record& r) const {
  if (r.kind != kind) return false;
  if (!event.empty() && r.event != event) return false;
  if (!host.empty() && r.host != host) return false;
  if (!peer.empty() && r.peer != peer) return false;
  if (!proto.empty() && r.protocol != proto) return false;
  if (!contains.empty() && r.text().find(contains) == std::string::npos) return false;
  return true;
}

namespace {

std::string ordinal(int n) {
  const int tens = n % 100;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    switch (n % 10) {
      case 1: suffix = "st"; break;
      case 2: suffix = "nd"; break;
      case 3: suffix = "rd"; break;
      default: break;
    }
  }
  return std::to_string(n) + suffix;
}

}  // namespace

std::string NarrationMoment::describe(std::string_view lang) const {
  if (lang == "ja") {
    // The scenario's own values (kinds, events, host ids, text) stay as written, in 「」.
    std::string s = nth == 1 ? "次の" : std::to_string(nth) + "番目の";
    s += fmt::format("「{}」の記録", to_string(kind));
    std::vector<std::string> parts;
    if (!event.empty()) parts.push_back(fmt::format("イベント「{}」", event));
    if (!proto.empty()) parts.push_back(fmt::format("プロトコル「{}」", proto));
    if (!host.empty()) parts.push_back(fmt::format("ホスト「{}」", host));
    if (!peer.empty()) parts.push_back(fmt::format("相手「{}」", peer));
    if (!contains.empty()) parts.push_back(fmt::format("要約に「{}」を含む", contains));
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i == 0 ? "（" : "、") + parts[i];
    if (!parts.empty()) s += "）";
    return s;
  }
  std::string s = nth == 1 ? "the next " : "the " + ordinal(nth) + " ";
  s += std::string(to_string(kind)) + " record";
  std::vector<std::string> parts;
  if (!event.empty()) parts.push_back(fmt::format("event \"{}\"", event));
  if (!proto.empty()) parts.push_back(fmt::format("proto \"{}\"", proto));
  if (!host.empty()) parts.push_back(fmt::format("host \"{}\"", host));
  if (!peer.empty()) parts.push_back(fmt::format("peer \"{}\"", peer));
  if (!contains.empty()) parts.push_back(fmt::format("summary containing \"{}\"", contains));
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i == 0 ? " with " : ", ") + parts[i];
  return s;
}

std::vector<NarrationMatch> match_narration(const std::vector<NarrationStep>& steps, const Trace& trace) {
  std::vector<NarrationMatch> out;
  out.reserve(steps.size());
  const auto& records = trace.records();
  std::size_t from = 0;  // index of the first record a step may match
  for (std::size_t i = 0; i < steps.size(); ++i) {
    NarrationMatch m;
    m.step = i;
    int seen = 0;
    for (std::size_t k = from; k < records.size(); ++k) {
      if (!steps[i].when.matches(records[k])) continue;
      if (++seen < steps[i].when.nth) continue;
      m.reached = true;
      m.seq = records[k].seq;
      m.time = records[k].time;
      from = k + 1;
      break;
    }
    out.push_back(m);
  }
  return out;
}

// ---- analogy tables ----

namespace {

bool read_table(const std::filesystem::path& file, std::map<std::string, std::string>& out, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = file.string() + ": cannot read the file";
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const auto j = nlohmann::json::parse(buf.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = file.string() + ": expected a JSON object of \"key\": \"text\"";
    return false;
  }
  for (const auto& [k, v] : j.items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return true;
}

}  // namespace

bool AnalogyTables::load(const std::filesystem::path& dir, std::string& error) {
  loaded_ = false;
  keys_.clear();
  en_.clear();
  ja_.clear();
  if (!read_table(dir / "analogy" / "en.json", en_, error)) return false;
  std::string ignored;
  read_table(dir / "analogy" / "ja.json", ja_, ignored);  // optional: English is the fallback
  // A situation has both a title and a text ("analogy.title" alone is the panel's heading).
  const std::string sfx = ".title";
  for (const auto& [k, _] : en_) {
    if (k.size() <= sfx.size() || k.compare(k.size() - sfx.size(), sfx.size(), sfx) != 0) continue;
    const std::string key = k.substr(0, k.size() - sfx.size());
    if (en_.count(key + ".text")) keys_.push_back(key);
  }
  loaded_ = true;
  return true;
}

bool AnalogyTables::has(const std::string& key) const {
  return en_.count(key + ".title") > 0 && en_.count(key + ".text") > 0;
}

std::optional<AnalogyText> AnalogyTables::lookup(const std::string& key, std::string_view lang) const {
  if (!has(key)) return std::nullopt;
  auto pick = [&](const std::string& k) {
    if (lang == "ja")
      if (auto it = ja_.find(k); it != ja_.end() && !it->second.empty()) return it->second;
    auto it = en_.find(k);
    return it == en_.end() ? std::string() : it->second;
  };
  return AnalogyText{pick(key + ".title"), pick(key + ".text")};
}

namespace {

std::filesystem::path& chosen_assets_dir() {
  static std::filesystem::path dir;
  return dir;
}

}  // namespace

void set_assets_dir(const std::filesystem::path& dir) { chosen_assets_dir() = dir; }

std::filesystem::path assets_dir() {
  if (!chosen_assets_dir().empty()) return chosen_assets_dir();
  if (const char* env = std::getenv("MAILSIM_ASSETS"); env && *env) return env;
  // The source tree's assets/ (set by sim/CMakeLists.txt).
  return MAILSIM_ASSETS_SOURCE_DIR;
}

const AnalogyTables& analogy_tables() {
  static AnalogyTables tables;
  static std::filesystem::path loaded_from;
  static bool tried = false;
  const auto dir = assets_dir();
  if (!tried || dir != loaded_from) {
    tried = true;
    loaded_from = dir;
    std::string error;
    tables.load(dir, error);
  }
  return tables;
}

}  // namespace mailsim::sim
