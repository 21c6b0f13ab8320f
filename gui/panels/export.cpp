// The Export window: the lesson being shown as files (capture, diagrams, messages, a mailbox),
// and where they were written.
#include <algorithm>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/export_files.hpp"
#include "gui/frame.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {
namespace {

// The step the narration strip shows now (from 1), 1 when none has happened yet.
std::size_t current_step(const AppState& app) {
  std::size_t step = 1;
  const auto t = app.view.time;
  for (const auto& m : app.narration)
    if (m.reached && m.time <= t) step = m.step + 1;
  return step;
}

}  // namespace

void run_export(AppState& app, const ExportRequest& request) {
  auto& ex = app.export_files;
  if (!ensure_session(app, ex.error)) return;
  const auto out = export_files(app.session.scenario(), app.session.run(), request);
  ex.written = out.written;
  ex.error = out.error;
  if (ex.deliver)
    for (const auto& path : out.written) ex.deliver(path);
}

void export_window(AppState& app) {
  auto& ex = app.export_files;
  if (!ex.open) return;
  if (ex.dir.empty()) ex.dir = default_export_dir();
  const float fs = ImGui::GetFontSize();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const ImVec2 size(std::min(display.x - 40.0f, fs * 44.0f), std::min(display.y - 40.0f, fs * 30.0f));
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  const std::string title = std::string(app.tr("export.title")) + "###export";
  if (!ImGui::Begin(title.c_str(), &ex.open,
                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoResize |
                        ImGuiWindowFlags_NoMove)) {
    ImGui::End();
    return;
  }
  text_wrapped(app.tr("export.intro"));
  ImGui::Spacing();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("export.folder"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::InputText("##export_dir", &ex.dir);
  ImGui::Spacing();

  ExportRequest req;
  req.dir = ex.dir;
  req.lang = app.japanese() ? "ja" : "en";
  const float button_w = fs * 17.0f;
  // Buttons pressed from the command line (--export) act as clicks in this frame; what they
  // wrote is listed together.
  const auto pressed_now = [&](const char* name) {
    auto it = std::find(ex.press.begin(), ex.press.end(), name);
    if (it == ex.press.end()) return false;
    ex.press.erase(it);
    return true;
  };
  std::vector<std::string> written_now;
  std::string errors_now;
  const bool scripted = !ex.press.empty();
  const auto press = [&](const ExportRequest& r) {
    run_export(app, r);
    if (!scripted) return;
    written_now.insert(written_now.end(), ex.written.begin(), ex.written.end());
    if (!ex.error.empty()) errors_now += (errors_now.empty() ? "" : "; ") + ex.error;
    ex.written = written_now;
    ex.error = errors_now;
  };
  const auto name_of = [](ExportKind k) {
    switch (k) {
      case ExportKind::Pcapng: return "pcapng";
      case ExportKind::Pcap: return "pcap";
      case ExportKind::SequenceSvg: return "svg";
      case ExportKind::MapSvg: return "map";
      case ExportKind::AllMessages: return "eml";
      case ExportKind::Mailbox: return "mbox";
      case ExportKind::Letter: return "letter";
    }
    return "";
  };
  const auto item = [&](const char* label_key, const char* hint_key, ExportKind kind) {
    if (ImGui::Button(app.tr(label_key), ImVec2(button_w, 0.0f)) || pressed_now(name_of(kind))) {
      req.kind = kind;
      press(req);
    }
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", app.tr(hint_key));
  };
  item("export.pcapng", "export.pcapng_hint", ExportKind::Pcapng);
  item("export.pcap", "export.pcap_hint", ExportKind::Pcap);
  item("export.svg", "export.svg_hint", ExportKind::SequenceSvg);
  if (!app.scenario.narration.empty()) {
    req.step = current_step(app);
    item("export.map", "export.map_hint", ExportKind::MapSvg);
  }
  item("export.eml", "export.eml_hint", ExportKind::AllMessages);

  const auto boxes = scenario_mailboxes(app.scenario);
  if (!boxes.empty()) {
    if (std::find(boxes.begin(), boxes.end(), ex.mailbox) == boxes.end()) ex.mailbox = boxes.front();
    if (ImGui::Button(app.tr("export.mbox"), ImVec2(button_w, 0.0f)) || pressed_now("mbox")) {
      req.kind = ExportKind::Mailbox;
      req.mailbox = ex.mailbox;
      press(req);
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::BeginCombo("##mailbox", ex.mailbox.c_str())) {
      for (const auto& b : boxes)
        if (ImGui::Selectable(b.c_str(), b == ex.mailbox)) ex.mailbox = b;
      ImGui::EndCombo();
    }
  }
  if (scripted && !ex.press.empty()) {
    // A button this lesson does not show (no narration: no map; no mailbox: no mbox).
    ex.error = (errors_now.empty() ? "" : errors_now + "; ") + "no such button in this window: " + ex.press.front();
    ex.press.clear();
  }
  ImGui::Separator();
  if (!ex.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(0xB00020)));
    text_wrapped(std::string(app.tr("export.failed")) + " " + ex.error);
    ImGui::PopStyleColor();
  } else if (!ex.written.empty()) {
    ImGui::TextUnformatted(app.tr("export.wrote"));
    ImGui::BeginChild("##written", ImVec2(0.0f, 0.0f), true);
    for (const auto& w : ex.written) ImGui::TextUnformatted(w.c_str());
    ImGui::EndChild();
  } else {
    ImGui::TextDisabled("%s", app.tr("export.nothing_yet"));
  }
  ImGui::End();
}

}  // namespace mailsim::gui::panels
