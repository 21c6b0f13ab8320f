// `mailsim replay FILE --client`: the recorded server replies fed to mailsim's own client engines,
// and what the recorded client sent compared with what mailsim's client would have sent.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/replay_command.hpp"
#include "formats/readers/capture.hpp"

namespace mailsim::cli {

// One line of the comparison of a connection.
struct ClientDiffItem {
  enum class Kind { Same, RecordedOnly, MailsimOnly, Problem, Note };
  Kind kind = Kind::Same;
  std::string text;   // the command as people read it (passwords masked), or the problem/note
  std::string other;  // Same: mailsim's line when its text differs from the recording's
};

struct ClientCheck {
  std::size_t stream = 0;  // index in the capture
  std::string protocol;
  std::string job;         // what mailsim's client was asked to do, in words
  std::vector<ClientDiffItem> items;
  std::size_t differences() const;
};

// The comparison key of a client line of `protocol` (tags dropped, verbs upper-case, passwords
// and SASL data hidden, SMTP parameters after the path dropped): lines with equal keys are
// "the same command".
std::string client_line_key(const std::string& protocol, const std::string& line);

// Checks one SMTP, POP3 or IMAP stream (others: a note saying why it is not checked).
ClientCheck check_client_stream(const formats::Stream& stream, std::size_t index);

// The whole command: every checkable stream, the report (or JSON), exit 0 / 1 / 2.
int run_replay_client(const ReplayArgs& args, const formats::Capture& capture, std::ostream& out, std::ostream& err);

}  // namespace mailsim::cli
