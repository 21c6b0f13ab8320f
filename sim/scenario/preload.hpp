// Mailboxes preloaded from files ("preload" on a user): a folder of .eml files, an mbox file
// (mboxrd or mboxo) or a Maildir, read when the scenario is loaded.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/apps/mail/mail_spec.hpp"

namespace mailsim::sim {

// Bounds: a preload never reads without limit.
inline constexpr std::size_t kMaxPreloadMessages = 10000;
inline constexpr std::size_t kMaxPreloadBytes = 64u << 20;      // all messages of one user
inline constexpr std::size_t kMaxPreloadFileBytes = 32u << 20;  // one file (a message or an mbox)

struct PreloadResult {
  std::vector<mail::PreloadedMessage> messages;
  std::string format;  // "eml", "mbox" or "maildir"
  std::string error;   // set when nothing could be read: what is wrong, for people
};

// Reads `path`: a folder with cur/ or new/ is a Maildir (new/ unflagged, cur/ flags after
// ":2,"), another folder holds .eml files (name order), a file is an mbox ("From " lines;
// ">From " unquoted once; Status/X-Status give \Seen, \Answered, \Flagged, \Draft). Line ends
// become CRLF. An empty source is no error (an empty mailbox).
PreloadResult read_preload(const std::filesystem::path& path);

// The messages of an mbox text (exposed for tests).
std::vector<mail::PreloadedMessage> parse_mbox(std::string_view text, std::string& error);

}  // namespace mailsim::sim
