// What to tell the viewer about the moment shown: the most recent meaningful record, packets
// described in words, and the post-office situation in force.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gui/model/analogy.hpp"
#include "gui/model/situation.hpp"
#include "gui/model/strings.hpp"
#include "sim/core/trace.hpp"

namespace mailsim::gui {

class TraceModel;

// True for records a person cares about (actions, connections, policies, DNS, protocol
// lines, mail and mailbox changes, TLS); packets, meta and notes are not.
bool is_meaningful(const sim::Record& r);

// A packet in words: which i18n template to use and what fills it.
struct PacketWords {
  std::string key;     // "pkt.dns_query", "pkt.dns_answer", "pkt.syn", "pkt.synack", "pkt.ack",
                       // "pkt.fin", "pkt.rst", "pkt.data"
  std::string proto;   // "SMTP", "POP3", "IMAP", "DNS", "TCP", or the record's protocol
  std::string from;    // host ids
  std::string to;
  long long bytes = 0;
  bool tls = false;
  bool blocked = false;
};
PacketWords describe_packet(const sim::Record& packet);

// Replaces {name} placeholders in a template; unknown placeholders are left as they are.
std::string format_text(std::string_view tmpl, const std::vector<std::pair<std::string_view, std::string>>& vars);

// The sentence for a packet in the table's language, with host names from `host_name`.
std::string packet_sentence(const PacketWords& w, const StringTable& strings,
                            const std::function<std::string(const std::string&)>& host_name);

// Precomputed per record: the last meaningful record at or before it, and the last record
// with a post-office situation (and that situation's key).
class StoryIndex {
 public:
  StoryIndex() = default;
  // `scenario` tells which hosts are down from the start (none when null).
  explicit StoryIndex(const TraceModel& model, const sim::Scenario* scenario = nullptr);

  std::optional<std::size_t> meaningful_at(std::optional<std::size_t> current) const;
  // The record whose situation is shown at `current`, and its key.
  std::optional<std::size_t> analogy_at(std::optional<std::size_t> current) const;
  const std::string& key_of(std::size_t record) const { return keys_[record]; }
  // True when record's key was decided by who acts and what happened (situation_from_facts)
  // rather than by its kind and event alone: such a key wins over a lesson step's.
  bool decided_by_facts(std::size_t record) const { return record < facts_.size() && facts_[record]; }
  const HostPower& power() const { return power_; }

 private:
  std::vector<bool> facts_;
  HostPower power_;
  std::vector<long long> meaningful_;
  std::vector<long long> analogy_;
  std::vector<std::string> keys_;
};

}  // namespace mailsim::gui
