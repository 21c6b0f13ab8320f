// A replayed capture as a world the app can play: a scenario made of the capture's hosts, and
// the replay's trace as its run (nothing is simulated; the records are the recording's).
#pragma once
#include <optional>
#include <string>

#include "formats/readers/capture.hpp"
#include "formats/readers/to_trace.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace mailsim::formats {

struct ReplayWorld {
  sim::Scenario scenario;  // hosts of the capture: clients on one network, servers on another
  sim::RunResult run;      // the replay's trace, its end time; no expectations, no narration
};

// Builds the world of a replay. Hosts keep the trace's ids (the addresses they had); their
// display names carry the names seen in EHLO, greetings and DNS answers. Each host gets a stand-in
// IPv4 address from the documentation ranges (the real ones may be IPv6 or loopback).
ReplayWorld replay_world(const ReplayTrace& replay, const std::string& source_path, const std::string& format);

// Reads the file and builds its world; nullopt with `error` (a message for people) when the file
// cannot be read or is not a capture or transcript replay knows. `max_bytes` bounds the read.
std::optional<ReplayWorld> open_replay_file(const std::string& path, std::string& error,
                                            std::size_t max_bytes = 256u << 20);

// True when the file looks like a capture or transcript rather than a scenario (JSON object).
bool looks_like_capture(const std::string& path);

}  // namespace mailsim::formats
