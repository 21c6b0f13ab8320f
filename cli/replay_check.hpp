// `mailsim replay FILE --against SCENARIO`: the recorded client side fed to the scenario's servers, replies compared.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/replay_command.hpp"
#include "formats/readers/capture.hpp"

namespace mailsim::cli {

// One reply as compared: its lines, and the key that decides equality after normalisation.
struct ComparedReply {
  std::vector<std::string> lines;
  std::string key;  // "250 2.1.5", "+OK", "A1 OK", "250 [EHLO: 8BITMIME PIPELINING SIZE]" ...
};

// Splits a server's bytes into replies for a protocol (smtp, pop3, imap).
std::vector<ComparedReply> split_replies(const std::string& protocol, const std::string& bytes);
// The comparison key of a reply, with the variable parts in `ignore` normalised away.
std::string reply_key(const std::string& protocol, const std::vector<std::string>& lines,
                      const std::vector<std::string>& ignore);
// Variable text replaced by placeholders (<date>, <queue-id>, <message-id>, <n>, <timing>, <tag>).
std::string normalise_text(const std::string& text);

int run_replay_check(const ReplayArgs& args, const formats::Capture& capture, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
