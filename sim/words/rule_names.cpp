// Border rules named from what they do: one function for the reports, the event table and the map.
#include "sim/words/rule_names.hpp"

#include <vector>

#include "sim/scenario/scenario.hpp"

namespace mailsim::sim {

bool is_op25b_rule(const PolicyRule& r) {
  return r.direction == PolicyRule::Direction::Egress && r.action != PolicyRule::Action::Allow &&
         (!r.protocol || *r.protocol == Transport::Tcp) && r.dst_ports == std::vector<std::uint16_t>{25};
}

std::string rule_name(const PolicyRule& r, std::string_view lang, bool short_form) {
  if (!is_op25b_rule(r)) return r.id;
  if (short_form) return "OP25B";
  return lang == "ja" ? "OP25B（25番ポートの遮断）" : "OP25B (port 25 blocked)";
}

std::string rule_name(const Scenario* s, const std::string& id, std::string_view lang, bool short_form) {
  if (s != nullptr)
    for (const auto& n : s->networks)
      for (const auto& r : n.policies)
        if (r.id == id) return rule_name(r, lang, short_form);
  return id;
}

}  // namespace mailsim::sim
