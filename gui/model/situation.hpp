// Which post-office situation a moment really is, from who acts and what happened: a bounce
// filed in the sender's own box is "return to sender", a letter stopped at the border never
// left home, a server that is switched off is not a locked gate. Also which hosts are down.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/words/narration.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::gui {

class TraceModel;
class StoryIndex;
class StepTimeline;

// Which hosts are switched off after each record: down at the start (a host's "down": true)
// and host_down / host_up actions (a device going offline counts as down); and which networks'
// links to the Internet are cut (link_down / link_up actions).
class HostPower {
 public:
  HostPower() = default;
  HostPower(const sim::Scenario& scenario, const sim::RecordStore& records);
  // Is `host` down after record `at` (before any record when nullopt)?
  bool down(const std::string& host, std::optional<std::size_t> at) const { return hosts_.on(host, at); }
  // The hosts down after record `at`, sorted.
  std::vector<std::string> down_hosts(std::optional<std::size_t> at) const;
  // Is the link between `network` and the Internet cut after record `at`?
  bool link_down(const std::string& network, std::optional<std::size_t> at) const { return links_.on(network, at); }

 private:
  struct Change {
    std::size_t record;
    bool on;
  };
  // Things switched on and off over the records (a host down, a link cut), by id.
  struct OnOff {
    std::vector<std::string> ids;                // every id that is ever on, sorted
    std::vector<bool> initially;                 // parallel to ids
    std::vector<std::vector<Change>> changes;    // parallel to ids, by record
    std::size_t slot(const std::string& id);
    bool on(const std::string& id, std::optional<std::size_t> at) const;
  };
  OnOff hosts_;
  OnOff links_;
};

// The situation record `i` is, decided by facts the record alone does not tell ("" when its
// own kind and event say it all):
//   mail.compose        a person writes a letter on a device (the post box, not the counter)
//   mail.returned       a bounce report is filed in a mailbox (return to sender)
//   tcp.timeout_blocked a connection timed out because a border rule dropped its packets
//                       (the letter never left)
//   tcp.server_down     a connection timed out because the server is switched off
//   net.link_down       a connection timed out or gave up while a link on its way was cut
//   smtp.incoming       a mail server reaches another on port 25 (their post office)
std::string situation_from_facts(const TraceModel& model, const HostPower& power, std::size_t i);

// The situation the post-office scene shows at playback second `p` with record `current` in
// force: while a lesson step is in force, the facts of the step's record if they decide one,
// else the step's own key; otherwise the latest record with a situation ("" for none).
std::string situation_at(const TraceModel& model, const StoryIndex& story, const StepTimeline& steps,
                         const std::vector<sim::NarrationStep>& narration,
                         const std::vector<sim::NarrationMatch>& matches, double p,
                         std::optional<std::size_t> current);

}  // namespace mailsim::gui
