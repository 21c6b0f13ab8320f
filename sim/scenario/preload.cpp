// Reading preloaded mailboxes: .eml folders, mbox files and Maildirs.
#include "sim/scenario/preload.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "protocols/message/builder.hpp"

namespace mailsim::sim {
namespace fs = std::filesystem;
namespace {

// Any line ends -> CRLF, and the text ends with a line end.
std::string crlf(std::string_view text) {
  std::string out = message::to_crlf(text);
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) out += "\r\n";
  return out;
}

bool read_file(const fs::path& p, std::string& bytes, std::string& error) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) {
    error = p.string() + ": cannot read (" + ec.message() + ")";
    return false;
  }
  if (size > kMaxPreloadFileBytes) {
    error = fmt::format("{}: {} bytes, more than the {} MiB a preloaded file may have", p.string(), size,
                        kMaxPreloadFileBytes >> 20);
    return false;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = p.string() + ": cannot read";
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  bytes = s.str();
  return true;
}

std::string header_value(std::string_view raw, std::string_view name) {
  std::size_t at = 0;
  while (at < raw.size()) {
    auto eol = raw.find('\n', at);
    if (eol == std::string_view::npos) eol = raw.size();
    auto line = raw.substr(at, eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.size() > name.size() && line[name.size()] == ':') {
      bool same = true;
      for (std::size_t i = 0; i < name.size(); ++i)
        same = same && std::tolower(static_cast<unsigned char>(line[i])) == std::tolower(static_cast<unsigned char>(name[i]));
      if (same) {
        auto v = line.substr(name.size() + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return std::string(v);
      }
    }
    at = eol + 1;
  }
  return {};
}

// mutt and Thunderbird keep flags of mbox messages in Status: / X-Status:.
std::vector<std::string> mbox_flags(std::string_view raw) {
  std::set<std::string> f;
  const auto status = header_value(raw, "Status");
  const auto xstatus = header_value(raw, "X-Status");
  if (status.find('R') != std::string::npos) f.insert("\\Seen");
  if (xstatus.find('A') != std::string::npos) f.insert("\\Answered");
  if (xstatus.find('F') != std::string::npos) f.insert("\\Flagged");
  if (xstatus.find('T') != std::string::npos) f.insert("\\Draft");
  return {f.begin(), f.end()};
}

std::vector<std::string> maildir_flags(const std::string& name) {
  std::set<std::string> f;
  const auto info = name.rfind(":2,");
  if (info == std::string::npos) return {};
  for (char c : name.substr(info + 3)) {
    if (c == 'D') f.insert("\\Draft");
    else if (c == 'F') f.insert("\\Flagged");
    else if (c == 'R') f.insert("\\Answered");
    else if (c == 'S') f.insert("\\Seen");
    else if (c == 'T') f.insert("\\Deleted");
  }
  return {f.begin(), f.end()};
}

bool add(PreloadResult& r, std::size_t& total, std::string raw, std::vector<std::string> flags, const std::string& where) {
  if (r.messages.size() >= kMaxPreloadMessages) {
    r.error = fmt::format("{}: more than {} messages", where, kMaxPreloadMessages);
    return false;
  }
  total += raw.size();
  if (total > kMaxPreloadBytes) {
    r.error = fmt::format("{}: more than {} MiB of messages", where, kMaxPreloadBytes >> 20);
    return false;
  }
  r.messages.push_back({std::move(raw), std::move(flags)});
  return true;
}

}  // namespace

std::vector<mail::PreloadedMessage> parse_mbox(std::string_view text, std::string& error) {
  std::vector<mail::PreloadedMessage> out;
  if (text.empty()) return out;
  if (text.substr(0, 5) != "From ") {
    error = "not an mbox: it does not start with a \"From \" line (a folder of .eml files or a Maildir is a folder)";
    return out;
  }
  std::string cur;
  bool have = false;
  bool blank_before = true;
  std::size_t at = 0;
  const auto finish = [&] {
    if (!have) return;
    // The blank line that separates messages is not part of the message.
    if (cur.size() >= 2 && cur.compare(cur.size() - 2, 2, "\n\n") == 0) cur.pop_back();
    std::string raw = crlf(cur);
    auto flags = mbox_flags(raw);
    out.push_back({std::move(raw), std::move(flags)});
    cur.clear();
  };
  while (at < text.size()) {
    auto eol = text.find('\n', at);
    const bool last = eol == std::string_view::npos;
    if (last) eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = eol + 1;
    if (blank_before && line.substr(0, 5) == "From ") {
      finish();
      have = true;
      blank_before = false;
      if (out.size() >= kMaxPreloadMessages) {
        error = fmt::format("more than {} messages", kMaxPreloadMessages);
        return out;
      }
      continue;
    }
    blank_before = line.empty();
    // mboxrd: ">From ", ">>From " ... lose one '>'.
    std::size_t q = 0;
    while (q < line.size() && line[q] == '>') ++q;
    if (q > 0 && line.substr(q, 5) == "From ") line.remove_prefix(1);
    cur.append(line);
    cur += '\n';
  }
  finish();
  return out;
}

PreloadResult read_preload(const fs::path& path) {
  PreloadResult r;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    r.error = path.string() + ": no such file or folder";
    return r;
  }
  std::size_t total = 0;
  if (fs::is_directory(path, ec)) {
    const bool maildir = fs::is_directory(path / "cur", ec) || fs::is_directory(path / "new", ec);
    std::vector<fs::path> files;
    const auto collect = [&](const fs::path& dir, bool only_eml) {
      if (!fs::is_directory(dir, ec)) return true;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec)) continue;
        const auto name = e.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (only_eml && e.path().extension() != ".eml") continue;
        files.push_back(e.path());
        if (files.size() > kMaxPreloadMessages) {
          r.error = fmt::format("{}: more than {} messages", path.string(), kMaxPreloadMessages);
          return false;
        }
      }
      return true;
    };
    if (maildir) {
      r.format = "maildir";
      if (!collect(path / "new", false) || !collect(path / "cur", false)) return r;
    } else {
      r.format = "eml";
      if (!collect(path, true)) return r;
      if (files.empty()) {
        r.error = path.string() + ": a folder with no .eml files that is not a Maildir either (no cur/ or new/)";
        return r;
      }
    }
    // Name order (Maildir names begin with the delivery time, so this is arrival order too).
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    for (const auto& f : files) {
      std::string bytes;
      if (!read_file(f, bytes, r.error)) return r;
      if (bytes.empty()) continue;
      auto flags = maildir ? maildir_flags(f.filename().string()) : std::vector<std::string>{};
      if (!add(r, total, crlf(bytes), std::move(flags), path.string())) return r;
    }
    return r;
  }
  r.format = "mbox";
  std::string bytes;
  if (!read_file(path, bytes, r.error)) return r;
  std::string error;
  auto messages = parse_mbox(bytes, error);
  if (!error.empty()) {
    r.error = path.string() + ": " + error;
    return r;
  }
  for (auto& m : messages)
    if (!add(r, total, std::move(m.raw), std::move(m.flags), path.string())) return r;
  return r;
}

}  // namespace mailsim::sim
