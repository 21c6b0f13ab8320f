// String table loading and asset lookup.
#include "gui/model/strings.hpp"

#include <regex>
#include <utility>
#include <vector>

#include "sim/words/describe.hpp"

#include "sim/scenario/checker.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace mailsim::gui {

bool StringTable::load_text(std::string_view json_text, std::string& error) {
  entries_.clear();
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "not a JSON object of strings";
    return false;
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!it.value().is_string()) {
      error = "value of \"" + it.key() + "\" is not a string";
      entries_.clear();
      return false;
    }
    entries_[it.key()] = it.value().get<std::string>();
  }
  return true;
}

bool StringTable::load_file(const std::filesystem::path& file, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot open " + file.string();
    entries_.clear();
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (!load_text(text.str(), error)) {
    error = file.string() + ": " + error;
    return false;
  }
  return true;
}

const std::string& StringTable::get(std::string_view key) const {
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  auto it = missing_.find(key);
  if (it == missing_.end()) it = missing_.emplace(std::string(key), std::string(key)).first;
  return it->second;
}

bool StringTable::has(std::string_view key) const { return entries_.find(key) != entries_.end(); }

std::filesystem::path current_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : p;
}

std::filesystem::path find_assets_dir(const std::filesystem::path& executable, std::string_view source_dir) {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("MAILSIM_ASSETS"); env && *env) candidates.emplace_back(env);
  if (!executable.empty()) {
    const auto dir = executable.parent_path();
    candidates.push_back(dir / ".." / "share" / "mailsim" / "assets");
    candidates.push_back(dir / "assets");
    candidates.push_back(dir / ".." / "assets");
    candidates.push_back(dir / ".." / ".." / "assets");
  }
  if (!source_dir.empty()) candidates.push_back(std::filesystem::path(source_dir) / "assets");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c / "i18n" / "en.json", ec)) {
      auto canon = std::filesystem::weakly_canonical(c, ec);
      return ec ? c : canon;
    }
  }
  return {};
}

std::string clock_text(bool ja, std::int64_t t) {
  std::string en = sim::format_time(t);
  if (!ja) return en;
  std::string out;
  out.reserve(en.size() + 16);
  for (std::size_t i = 0; i < en.size(); ++i) {
    const char c = en[i];
    if (c == 'h' || c == 'm' || c == 's') {
      out += c == 'h' ? "時間" : c == 'm' ? "分" : "秒";  // 時間 分 秒
      if (i + 1 < en.size() && en[i + 1] == ' ') ++i;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// describe's Japanese template `key` with its {placeholders} filled; empty when there is none.
std::string ja_template(std::string_view key, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& t : sim::wording_templates()) {
    if (t.key != key) continue;
    std::string out(t.ja);
    for (const auto& [name, value] : values) {
      const std::string mark = "{" + name + "}";
      for (auto at = out.find(mark); at != std::string::npos; at = out.find(mark, at + value.size()))
        out.replace(at, mark.size(), value);
    }
    return out;
  }
  return {};
}

}  // namespace

std::string reason_words(const std::string& reason, bool ja) {
  if (!ja || reason.empty()) return reason;
  static const std::regex full(R"(^(mailbox full|over quota) \((\d+) \+ (\d+) octets > quota (\d+)\)$)");
  static const std::regex large(R"(^message too large \((\d+) octets, limit (\d+)\)$)");
  std::smatch m;
  std::string words;
  if (std::regex_match(reason, m, full)) {
    words = ja_template("reason." + m[1].str(), {{"used", m[2].str()}, {"size", m[3].str()}, {"quota", m[4].str()}});
  } else if (std::regex_match(reason, m, large)) {
    words = ja_template("reason.too large", {{"size", m[1].str()}, {"limit", m[2].str()}});
  } else {
    words = ja_template("reason." + reason, {});
  }
  if (!words.empty()) return words;
  // "mx1.hogehoge.com: mailbox full (...)": the peer stays, the reason is worded.
  if (const auto colon = reason.find(": "); colon != std::string::npos && colon > 0) {
    const std::string rest = reason.substr(colon + 2);
    if (const std::string w = reason_words(rest, true); w != rest) return reason.substr(0, colon) + "：" + w;
  }
  return reason;
}

}  // namespace mailsim::gui
