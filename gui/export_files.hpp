// The app's Export: the same files as `mailsim export`, for the lesson being shown.
#pragma once
#include <string>
#include <vector>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::gui {

// What an export wrote (full paths), or why it could not.
struct ExportOutcome {
  std::vector<std::string> written;
  std::string error;
  bool ok() const { return error.empty(); }
};

enum class ExportKind { Pcapng, Pcap, SequenceSvg, MapSvg, AllMessages, Mailbox, Letter };

struct ExportRequest {
  ExportKind kind = ExportKind::Pcapng;
  std::string dir;         // the folder to write into (made when missing)
  std::string lang = "en"; // comments and diagrams
  std::string mailbox;     // Mailbox: USER@DOMAIN
  std::string message_id;  // Letter: the Message-ID of the message to save
  std::size_t step = 1;    // MapSvg: the narration step
};

// The default folder: $HOME/mailsim-export (the working folder's mailsim-export without HOME).
std::string default_export_dir();

// Every mailbox of the scenario, USER@DOMAIN.
std::vector<std::string> scenario_mailboxes(const sim::Scenario& scenario);

// Builds and writes the files. Messages come from the stores of a fresh run of `scenario`
// (the run the app shows is the same, as runs are deterministic). Nothing is left behind
// when writing fails.
ExportOutcome export_files(const sim::Scenario& scenario, const sim::RunResult& run, const ExportRequest& request);

}  // namespace mailsim::gui
