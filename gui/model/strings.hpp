// UI string tables (assets/i18n/LANG.json): flat "key": "text" objects, looked up by key.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace mailsim::gui {

class StringTable {
 public:
  // Reads a table; on failure returns false with a readable error and leaves the table empty.
  bool load_file(const std::filesystem::path& file, std::string& error);
  bool load_text(std::string_view json_text, std::string& error);

  // The text for a key; the key itself (so a missing entry is visible, never a crash).
  const std::string& get(std::string_view key) const;
  bool has(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
  mutable std::map<std::string, std::string, std::less<>> missing_;
};

// A virtual time on the player's clock as people read it: "59m 00.390s" in English (as
// sim::format_time writes it), "59分00.390秒" in Japanese.
std::string clock_text(bool ja, std::int64_t t);

// Why a mail store refused or a queue holds a message, for the Inspector: the simulator's
// reason ("mailbox full (0 + 3381 octets > quota 2048)") as it is in English, and in Japanese
// worded with describe's own templates ("reason.mailbox full" ...: メールボックスが満杯 ...). A
// "peer: reason" keeps the peer and words the reason; a reason without a template stays as is.
std::string reason_words(const std::string& reason, bool ja);

// Finds the assets folder (the one holding i18n/en.json): $MAILSIM_ASSETS, next to the
// executable (../share/mailsim/assets, assets, ../assets, ../../assets) and the source
// tree. Returns an empty path when none is found.
std::filesystem::path find_assets_dir(const std::filesystem::path& executable, std::string_view source_dir);
// The running executable (/proc/self/exe), or empty.
std::filesystem::path current_executable();

}  // namespace mailsim::gui
