// Inspector: the selected host's configuration and its connections at the current moment.
#include <string>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {
void row(const char* label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", label);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextWrapped("%s", value.c_str());
}
}  // namespace

void inspector(AppState& app) {
  const sim::HostSpec* spec = nullptr;
  for (const auto& h : app.scenario.hosts) {
    if (h.info.id == app.selected_host) spec = &h;
  }
  if (!spec) {
    ImGui::TextWrapped("%s", app.tr("inspector.empty"));
    return;
  }
  const auto& info = spec->info;
  ImGui::PushFont(app.fonts.large);
  ImGui::TextWrapped("%s", app.host_name(info.id).c_str());
  ImGui::PopFont();
  if (ImGui::BeginTable("##host", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7.0f);
    ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch);
    row(app.tr("inspector.id"), info.id);
    row(app.tr("inspector.kind"), app.tr("kind." + info.kind));
    row(app.tr("inspector.ip"), info.ip.str());
    std::string net = info.network;
    for (const auto& n : app.scenario.networks) {
      if (n.id == info.network) {
        const std::string& name = app.japanese() && !n.name_ja.empty() ? n.name_ja : n.name;
        net = name + " (" + n.cidr.str() + ")";
      }
    }
    row(app.tr("inspector.network"), net);
    std::string services;
    for (const auto& s : spec->services) {
      if (!services.empty()) services += ", ";
      services += std::to_string(s.port) + "/" + s.app;
    }
    row(app.tr("inspector.services"), services.empty() ? std::string(app.tr("inspector.none")) : services);
    if (spec->down) row(app.tr("inspector.down"), "");
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::TextUnformatted(app.tr("inspector.connections"));
  bool any = false;
  for (const auto& c : app.view.connections) {
    if (c.client != info.id && c.server != info.id) continue;
    any = true;
    const std::string other = c.client == info.id ? c.server : c.client;
    const std::string state = app.tr("conn." + c.state);
    ImGui::BulletText("#%llu %s %s :%u  %s%s", static_cast<unsigned long long>(c.conn),
                      c.client == info.id ? "->" : "<-", app.host_name(other).c_str(), c.port, state.c_str(),
                      c.tls ? "  TLS" : "");
  }
  if (!any) ImGui::TextDisabled("%s", app.tr("inspector.none"));
}

}  // namespace mailsim::gui::panels
