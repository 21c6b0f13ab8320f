// The export formats for one run of a scenario: the glue the CLI and the app share (in memory).
#pragma once
#include <string>
#include <vector>

#include "formats/capture.hpp"
#include "formats/mail_files.hpp"
#include "formats/svg.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::formats {

// Hosts and networks with their names in `lang` (en or ja).
DiagramInput diagram_input(const sim::Scenario& scenario, const std::vector<sim::NarrationMatch>& matches,
                           const std::string& lang);

// pcap (ng = false) or pcapng bytes of a run; narration comments in `lang` (pcapng only).
std::string capture_file(const sim::Scenario& scenario, const sim::RunResult& run, const CaptureOptions& options,
                         bool ng, const std::string& lang);

// The host ids of the scenario (for --at and the app's capture point list).
std::vector<std::string> host_ids(const sim::Scenario& scenario);

// Runs the scenario keeping every message (RunMessages) and the stores at the end (or at
// `options.until`); `options.before_start` and `at_end` are taken for this.
struct RunWithMessages {
  sim::RunResult run;
  RunMessages messages;
  std::vector<StoredMessage> at_end;  // the stores' contents when the run stopped
};
RunWithMessages run_with_messages(const sim::Scenario& scenario, sim::RunOptions options = {});

// Which mail server and user hold `address` ("kuroyagi@hogehoge.com"): false with `why`
// when no mail server of the scenario hosts the domain or the user is unknown there.
bool resolve_mailbox(const sim::Scenario& scenario, const std::string& address, std::string& host,
                     std::string& user, std::string& why);

}  // namespace mailsim::formats
