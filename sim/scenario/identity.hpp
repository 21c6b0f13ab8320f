// A mail server's "identity" in a scenario: banner, greetings and advertised capabilities.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "sim/apps/mail/mail_spec.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::sim {

// Reads `j` (the "identity" object at JSON pointer `p`) into `out`; every problem is recorded
// in `c` with its pointer. Keywords must be ones the engines implement, each at most once.
void read_server_identity(Checker& c, const nlohmann::json& j, const std::string& p, mail::ServerIdentity& out);

}  // namespace mailsim::sim
