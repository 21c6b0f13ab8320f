// Transcript: the protocol lines of each connection so far, as C: and S: lines; hovering a
// reply explains its code (SMTP reply and enhanced status codes, POP3 +OK/-ERR).
#include <cctype>
#include <string>

#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "protocols/pop3/wire.hpp"
#include "protocols/smtp/reply.hpp"

namespace mailsim::gui::panels {

namespace {

// The explanation of a server line, or "" when there is none to give.
std::string explain(const std::string& protocol, const std::string& line) {
  if (protocol == "smtp") {
    if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
        !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2]))) {
      return {};
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    // An enhanced status code ("5.1.1") right after the code and its separator.
    std::string enhanced;
    if (line.size() > 4) {
      const auto start = line.find_first_not_of(' ', 4);
      if (start != std::string::npos) {
        const auto end = line.find(' ', start);
        const std::string word = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const bool looks = word.size() >= 5 && (word[0] == '2' || word[0] == '4' || word[0] == '5') && word[1] == '.';
        if (looks) enhanced = word;
      }
    }
    return std::string(smtp::explain_reply(code, enhanced));
  }
  if (protocol == "pop3") {
    if (line.rfind("+OK", 0) == 0 || line.rfind("-ERR", 0) == 0) return pop3::explain_response(line);
  }
  return {};
}

std::string protocol_of(const AppState& app, const TranscriptLine& line, std::uint16_t port) {
  const auto& r = app.model.records()[line.record];
  if (r.protocol == "smtp" || r.protocol == "pop3" || r.protocol == "imap") return r.protocol;
  switch (class_of_port(port)) {
    case PacketClass::Smtp: return "smtp";
    case PacketClass::Pop3: return "pop3";
    case PacketClass::Imap: return "imap";
    default: return {};
  }
}

}  // namespace

void transcript(AppState& app) {
  const auto cur = app.view.current;
  bool any = false;
  for (const auto& ci : app.model.connections()) {
    if (ci.lines.empty() || !cur || ci.lines.front().record > *cur) continue;
    if (!any && !app.headless) ImGui::TextDisabled("%s", app.tr("transcript.hover"));
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
        if (!line.from_client && ImGui::IsItemHovered()) {
          const auto why = explain(protocol_of(app, line, ci.port), line.text);
          if (!why.empty()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26.0f);
            ImGui::TextUnformatted(line.text.c_str());
            ImGui::Separator();
            ImGui::TextUnformatted(why.c_str());
            if (app.japanese()) ImGui::TextDisabled("%s", app.tr("transcript.explain_en"));
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
          }
        }
      }
    }
    ImGui::PopID();
  }
  if (!any) ImGui::TextWrapped("%s", app.tr("transcript.empty"));
}

}  // namespace mailsim::gui::panels
