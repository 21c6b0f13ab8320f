// Finding the lesson library next to the program or in the source tree, listing and resolving lessons.
#include "sim/scenario/lessons.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <tuple>

#include <nlohmann/json.hpp>

#include "sim/scenario/checker.hpp"

#ifndef MAILSIM_SCENARIO_DIR
#define MAILSIM_SCENARIO_DIR ""
#endif

namespace mailsim::sim {

namespace fs = std::filesystem;

namespace {

fs::path first_existing(const std::vector<fs::path>& candidates) {
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!c.empty() && fs::is_directory(c, ec)) return fs::weakly_canonical(c, ec);
  }
  return {};
}

// {"en": ..., "ja": ...} or a plain string (English).
void read_localized(const nlohmann::json& obj, const char* key, Localized& out) {
  const auto t = obj.find(key);
  if (t == obj.end()) return;
  if (t->is_string()) {
    out.en = t->get<std::string>();
  } else if (t->is_object()) {
    if (t->contains("en") && (*t)["en"].is_string()) out.en = (*t)["en"].get<std::string>();
    if (t->contains("ja") && (*t)["ja"].is_string()) out.ja = (*t)["ja"].get<std::string>();
  }
}

}  // namespace

fs::path find_scenario_dir(const fs::path& executable) {
  std::vector<fs::path> c;
  if (const char* env = std::getenv("MAILSIM_SCENARIOS"); env && *env) c.emplace_back(env);
  if (!executable.empty()) c.push_back(executable.parent_path() / ".." / "share" / "mailsim" / "scenarios");
  c.emplace_back(MAILSIM_SCENARIO_DIR);
  return first_existing(c);
}

std::vector<Chapter> read_curriculum(const fs::path& dir) {
  std::vector<Chapter> out;
  std::ifstream in(dir / "curriculum.jsonc", std::ios::binary);
  if (!in) return out;
  std::ostringstream buf;
  buf << in.rdbuf();
  const auto j = nlohmann::json::parse(buf.str(), nullptr, false, true);  // comments allowed
  if (!j.is_object() || !j.contains("chapters") || !j["chapters"].is_array()) return out;
  for (const auto& c : j["chapters"]) {
    if (!c.is_object()) continue;
    Chapter ch;
    read_localized(c, "title", ch.title);
    if (c.contains("lessons") && c["lessons"].is_array())
      for (const auto& l : c["lessons"])
        if (l.is_string()) ch.lessons.push_back(l.get<std::string>());
    out.push_back(std::move(ch));
  }
  return out;
}

std::vector<Lesson> list_lessons(const fs::path& dir) {
  std::vector<Lesson> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const auto& p = it->path();
    if (!it->is_regular_file(ec) || p.extension() != ".json") continue;
    const std::string stem = p.stem().string();
    if (stem.find("schema") != std::string::npos) continue;
    Lesson l;
    l.name = stem;
    l.group = p.parent_path() == dir ? "" : p.parent_path().filename().string();
    l.file = p;
    l.title.en = stem;
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    const auto j = nlohmann::json::parse(buf.str(), nullptr, false);
    if (j.is_object()) {
      read_localized(j, "title", l.title);
      read_localized(j, "description", l.description);
    }
    out.push_back(std::move(l));
  }
  const auto chapters = read_curriculum(dir);
  int position = 0;
  for (std::size_t c = 0; c < chapters.size(); ++c) {
    for (const auto& name : chapters[c].lessons) {
      for (auto& l : out) {
        if (l.order >= 0 || (l.group.empty() ? l.name : l.group + "/" + l.name) != name) continue;
        l.chapter = chapters[c].title;
        l.chapter_index = static_cast<int>(c);
        l.order = position++;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Lesson& a, const Lesson& b) {
    const bool ai = a.order >= 0;
    const bool bi = b.order >= 0;
    if (ai != bi) return ai;
    if (ai) return a.order < b.order;
    return std::tie(a.group, a.name) < std::tie(b.group, b.name);
  });
  return out;
}

std::optional<fs::path> resolve_lesson(const std::string& arg, const fs::path& dir, std::string& error) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return fs::path(arg);
  const bool json_file = arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".json") == 0;
  if (json_file || arg.empty()) return fs::path(arg);  // the loader reports "no such file"
  const auto lessons = list_lessons(dir);
  std::vector<const Lesson*> prefix;
  std::vector<std::string> names;
  for (const auto& l : lessons) {
    const std::string full = l.group.empty() ? l.name : l.group + "/" + l.name;
    if (arg == l.name || arg == full) return l.file;
    if (l.name.rfind(arg, 0) == 0 || full.rfind(arg, 0) == 0) prefix.push_back(&l);
    names.push_back(l.name);
  }
  if (prefix.size() == 1) return prefix.front()->file;
  if (prefix.size() > 1) {
    error = "\"" + arg + "\" matches several lessons:";
    for (const auto* l : prefix) error += " " + l->name;
    error += " (type more of the name)";
    return std::nullopt;
  }
  if (arg.find('/') != std::string::npos) return fs::path(arg);  // "dir/file" without .json: a file
  error = "no lesson named \"" + arg + "\"";
  if (auto near = closest_match(arg, names)) error += " (did you mean \"" + *near + "\"?)";
  error += dir.empty() ? "; no lesson folder was found" : "; 'mailsim list' shows them all";
  return std::nullopt;
}

}  // namespace mailsim::sim
