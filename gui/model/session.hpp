// The app's session: the scenario as loaded, the actions the user added (compose, check mail)
// and the run they give; commands re-run the scenario and the player continues where it was.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gui/model/strings.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::gui {

// "Compose" on a device: a new message, sent by the device's mail program.
struct ComposeCommand {
  std::string device;           // host id of the PC or phone
  std::string account;          // the device's account (address); empty: its only account
  std::vector<std::string> to;  // one or more addresses
  std::string subject;          // empty: the timeline's default "(no subject)"
  std::string body;
  // The outgoing settings for this message; unset means the account's. Values other than the
  // account's become the send action's "smtp" override (checked by the scenario loader: an
  // unknown server or port 0 is refused with its message); AUTH logs in as the account.
  std::optional<std::string> server;
  std::optional<int> port;
  std::optional<bool> auth;
  std::optional<std::string> tls;  // "none", "starttls", "implicit"
};

// "Check mail" on a device: the mail program fetches (POP3 or IMAP, as the account says).
struct CheckMailCommand {
  std::string device;
  std::string account;  // empty: the device's only account
};

// An action the user added: a timeline entry exactly as a scenario file would have it.
struct UserAction {
  sim::Time at = 0;
  nlohmann::json entry;  // {"at": "1234567us", "do": "send", "from": ..., ...}
};

struct CommandResult {
  bool ok = false;
  sim::Time at = 0;     // when the action happens (ok)
  std::string message;  // refused: what is wrong (the loader's words, "to/0: expected ...")
};

// A user action starts this long after the moment shown, so everything already on screen
// stays in the past and the new action is the next thing that happens.
constexpr sim::Time kActionDelay = 1;  // 1 us: the clock still reads the same millisecond

class Session {
 public:
  // Loads a scenario file and runs it as written. On failure nothing changes and `error`
  // holds the loader's messages (file:line:col: /pointer: message), one per line.
  bool open_file(const std::string& path, std::string& error);

  bool loaded() const { return loaded_; }
  const std::string& file() const { return file_; }
  const sim::Scenario& scenario() const { return scenario_; }
  const sim::RunResult& run() const { return run_; }
  const std::vector<UserAction>& user_actions() const { return actions_; }
  // Changes with every new run (open, command, undo, reset): the app installs it then.
  std::uint64_t revision() const { return revision_; }

  // Adds the action at virtual time `now` (+ kActionDelay), validated by the scenario loader
  // with the rules of a scenario file, and re-runs. Refused: the message says why and the
  // session (scenario, actions, run) is unchanged.
  CommandResult compose(const ComposeCommand& command, sim::Time now);
  CommandResult check_mail(const CheckMailCommand& command, sim::Time now);

  // Challenge mode (c), fix the broken setup: the user's actions become exactly `entries` (timeline
  // entries as a scenario file writes them, e.g. sim::fix_actions: changes at "0s"), checked by the
  // loader and run again. Refused: the message says why and nothing changes.
  CommandResult set_actions(const std::vector<nlohmann::json>& entries);

  // Takes back the last user action and re-runs; false when there is none.
  bool undo();
  // Back to the lesson as written (no user actions); false when there was nothing to undo.
  bool reset();

 private:
  CommandResult add(nlohmann::json entry, sim::Time at);
  // The base document with `actions` appended to its timeline, loaded by the scenario
  // loader. Messages about the appended actions name the action's own keys.
  std::optional<sim::Scenario> build(const std::vector<UserAction>& actions, std::string& error) const;
  void rerun(sim::Scenario scenario);

  bool loaded_ = false;
  std::string file_;
  nlohmann::json base_;  // the file's document as written
  sim::Scenario scenario_;
  std::vector<UserAction> actions_;
  sim::RunResult run_;
  std::uint64_t revision_ = 0;
};

// ---- what the Compose / Check mail panels offer ----

// A host with a mail program and at least one account.
struct MailDevice {
  std::string id;
  std::string kind;  // "pc", "phone", ...
  std::vector<sim::mail::AccountSpec> accounts;
  bool can_check() const;  // some account has incoming (POP3/IMAP) settings
};
std::vector<MailDevice> mail_devices(const sim::Scenario& scenario);

// Addresses the scenario knows: the devices' accounts and the mail servers' users, sorted.
std::vector<std::string> known_addresses(const sim::Scenario& scenario);

// A Compose form filled in for `device`: its first account, the account's outgoing settings,
// a recipient that is not the sender (when the scenario knows one), a subject and a body.
ComposeCommand compose_defaults(const sim::Scenario& scenario, const std::string& device);

// Splits "a b, c;d" into addresses (commas, semicolons, spaces).
std::vector<std::string> split_addresses(std::string_view text);

// The action in words for the list of "your actions", in the table's language
// ("session.did_send" / "session.did_check").
std::string describe_action(const UserAction& action, const StringTable& strings, bool japanese = false);

// ---- continuing from the same moment ----

// Where the player is: the virtual time and the record on screen (by content, so the same
// record can be found in another run of the scenario).
struct Moment {
  sim::Time time = 0;
  std::optional<sim::Record> record;
  std::size_t occurrence = 0;  // equal records at the same time before it
};
Moment moment_at(const TraceModel& model, double playback);
// The playback second showing the same moment in `model` (another run): the same record
// when it still exists at that time, else the same virtual time.
double playback_of_moment(const TraceModel& model, const Moment& moment);

// A lesson description as paragraphs: the story, then "What to notice", then the question
// (en "What to notice:" / "Question", ja 注目点 / 質問), each starting a paragraph.
std::vector<std::string> description_paragraphs(std::string_view text);

}  // namespace mailsim::gui
