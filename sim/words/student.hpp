// The real client's part of a bridge session told to the student who runs it ("Your mail program
// logged in with SMTP AUTH ..."), in English and Japanese: what the narration strip says in the
// live app (`mailsim gui --bridge`) and what the bridge's report follows.
#pragma once
#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::sim {

class StudentStory {
 public:
  StudentStory() = default;
  // `device` is the bridged device's host id (sim/apps/bridged_device.hpp). Follows the letters
  // the real client handed in from queue id to queue id (a relay's "queued as" names the next).
  StudentStory(const Trace& trace, std::string device);

  const std::string& device() const { return device_; }
  // The queue ids of the client's letters on every server they passed.
  const std::set<std::string>& queue_ids() const { return queue_ids_; }
  // Indexes of the trace's records that are steps of the student's mail program or of its
  // letters, in order (a record the words below can tell).
  const std::vector<std::size_t>& steps() const { return steps_; }
  // The last step at or before record `current` (nullopt: none yet).
  std::optional<std::size_t> step_at(std::optional<std::size_t> current) const;

  // Record `r` in words addressed to the student, or nullopt when it is not one of the steps.
  std::optional<std::string> words(const Record& r, std::string_view lang, const Scenario* s = nullptr) const;

 private:
  std::string device_;
  std::set<std::string> queue_ids_;
  std::vector<std::size_t> steps_;
};

// The templates of StudentStory::words (key, en, ja with the same {placeholders}).
std::span<const WordingTemplate> student_templates();

}  // namespace mailsim::sim
