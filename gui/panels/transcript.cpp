// Transcript: the protocol lines of each connection so far, as C: and S: lines.
#include <string>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

void transcript(AppState& app) {
  const auto cur = app.view.current;
  bool any = false;
  for (const auto& ci : app.model.connections()) {
    if (ci.lines.empty() || !cur || ci.lines.front().record > *cur) continue;
    any = true;
    std::string head = std::string(app.tr("transcript.connection")) + " " + std::to_string(ci.conn) + ": " +
                       app.host_name(ci.client) + " -> " + app.host_name(ci.server);
    if (ci.port != 0) head += " (" + std::string(app.tr("transcript.port")) + " " + std::to_string(ci.port) + ")";
    ImGui::PushID(static_cast<int>(ci.conn));
    if (ImGui::CollapsingHeader(head.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) {
      for (const auto& line : ci.lines) {
        if (line.record > *cur) break;
        const bool now = line.record == *cur;
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(
                                                 theme::rgb(line.from_client ? theme::kClient : theme::kServer)));
        ImGui::TextWrapped("%s %s%s", line.from_client ? "C:" : "S:", line.text.c_str(), now ? "   <" : "");
        ImGui::PopStyleColor();
      }
    }
    ImGui::PopID();
  }
  if (!any) ImGui::TextWrapped("%s", app.tr("transcript.empty"));
}

}  // namespace mailsim::gui::panels
