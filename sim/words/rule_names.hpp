// A border rule's name for people, from what the rule does (never from its id), shared by the
// CLI's reports, the app's event table and narration, and the network map.
#pragma once
#include <string>
#include <string_view>

#include "sim/core/network.hpp"

namespace mailsim::sim {

struct Scenario;

// A rule of the kind the "op25b" preset makes (Outbound Port 25 Blocking): egress, drop or
// reject, TCP (or any protocol) to port 25 only. Judged from the rule, never its id.
bool is_op25b_rule(const PolicyRule& r);

// The rule's name in `lang`: an OP25B rule "OP25B (port 25 blocked)" /
// "OP25B（25番ポートの遮断）", with `short_form` just "OP25B"; any other rule its id.
std::string rule_name(const PolicyRule& r, std::string_view lang, bool short_form = false);

// The name of the rule `id` of the scenario's networks (as the trace and the expectations name
// it), as above; an id that is no rule of `s` (or no scenario) is shown as it is.
std::string rule_name(const Scenario* s, const std::string& id, std::string_view lang, bool short_form = false);

}  // namespace mailsim::sim
