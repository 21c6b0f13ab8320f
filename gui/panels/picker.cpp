// The Lessons window: built-in lessons by group with their titles, the chosen lesson's
// description (what to notice, a question) and an Open button; or a scenario file by path.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/frame.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {

std::string canonical(const std::string& path) {
  std::error_code ec;
  const auto p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

void read_library(AppState& app) {
  auto& pk = app.picker;
  pk.listed = true;
  const auto dir = sim::find_scenario_dir(current_executable());
  pk.dir = dir.string();
  pk.lessons = sim::list_lessons(dir);
  pk.selected = -1;
  const std::string current = canonical(app.scenario.file);
  for (std::size_t i = 0; i < pk.lessons.size(); ++i)
    if (canonical(pk.lessons[i].file.string()) == current) pk.selected = static_cast<int>(i);
  // The list opens at its top (the first chapter): the lesson on screen is marked there.
  pk.scroll_to_selected = false;
}

void open_path(AppState& app, const std::string& path) {
  std::string error;
  if (open_scenario(app, path, error)) {
    app.picker.error.clear();
    app.picker.open = false;
  } else {
    app.picker.error = error;
  }
}

}  // namespace

void lessons(AppState& app) {
  auto& pk = app.picker;
  if (!pk.open) return;
  if (!pk.listed) read_library(app);
  const char* lang = app.japanese() ? "ja" : "en";
  const float fs = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const ImVec2 size(std::min(display.x - 40.0f, fs * 62.0f), std::min(display.y - 40.0f, fs * 36.0f));
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  const std::string title = std::string(app.tr("picker.title")) + "###lessons";
  if (!ImGui::Begin(title.c_str(), &pk.open,
                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoResize |
                        ImGuiWindowFlags_NoMove)) {
    ImGui::End();
    return;
  }
  // Below the lists: the "Open a file" row and, after a failed open, the loader's messages.
  const float row_h = ImGui::GetFrameHeightWithSpacing();
  const float error_h = pk.error.empty() ? 0.0f : ImGui::GetTextLineHeightWithSpacing() * 4.0f + style.ItemSpacing.y;
  const float lists_h = std::max(fs * 6.0f, ImGui::GetContentRegionAvail().y - row_h - error_h - style.ItemSpacing.y);
  const std::string current = canonical(app.scenario.file);

  // Left: the lessons by group.
  ImGui::BeginChild("##lesson_list", ImVec2(std::floor(size.x * 0.42f), lists_h), true);
  if (pk.lessons.empty()) {
    text_wrapped(app.tr("picker.none"));
  } else {
    // Headings: the curriculum's chapters in teaching order, then the folders of lessons it
    // does not name.
    std::string group = "\x01";
    for (std::size_t i = 0; i < pk.lessons.size(); ++i) {
      const auto& l = pk.lessons[i];
      const std::string heading_id = l.chapter_index >= 0 ? "chapter:" + std::to_string(l.chapter_index) : l.group;
      if (heading_id != group) {
        group = heading_id;
        const std::string key = "group." + l.group;
        std::string heading = l.chapter_index >= 0 ? l.chapter.in(lang)
                              : app.strings().has(key) ? std::string(app.tr(key))
                                                       : l.group;
        ImGui::Spacing();
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(heading.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ImGui::Separator();
      }
      std::string label = l.title.in(lang);
      if (canonical(l.file.string()) == current) label = std::string(app.tr("picker.open_now")) + " " + label;
      const std::string shown = fit_text(label, ImGui::GetContentRegionAvail().x);
      if (ImGui::Selectable((shown + "##" + l.group + "/" + l.name).c_str(), pk.selected == static_cast<int>(i)))
        pk.selected = static_cast<int>(i);
      if (shown != label && !app.headless && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", label.c_str());
      if (pk.scroll_to_selected && pk.selected == static_cast<int>(i)) {
        ImGui::SetScrollHereY(0.3f);
        pk.scroll_to_selected = false;
      }
      if (pk.selected == static_cast<int>(i) && !app.headless && ImGui::IsItemHovered() &&
          ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        open_path(app, l.file.string());
      }
    }
  }
  ImGui::EndChild();
  ImGui::SameLine();

  // Right: the chosen lesson's description and the Open button.
  ImGui::BeginChild("##lesson_info", ImVec2(0.0f, lists_h), true);
  if (pk.selected < 0 || static_cast<std::size_t>(pk.selected) >= pk.lessons.size()) {
    text_wrapped(app.tr(pk.lessons.empty() ? "picker.none" : "picker.select"));
  } else {
    const auto& l = pk.lessons[static_cast<std::size_t>(pk.selected)];
    const float button_h = ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y;
    ImGui::BeginChild("##lesson_text", ImVec2(0.0f, ImGui::GetContentRegionAvail().y - button_h));
    ImGui::PushFont(app.fonts.large);
    text_wrapped(l.title.in(lang));
    ImGui::PopFont();
    ImGui::TextDisabled("%s", (l.group.empty() ? l.name : l.group + "/" + l.name).c_str());
    ImGui::Spacing();
    for (const auto& para : description_paragraphs(l.description.in(lang))) {
      text_wrapped(para);
      ImGui::Spacing();
    }
    ImGui::EndChild();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.0f, 0.447f, 0.698f, 1.0f));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.1f, 0.52f, 0.78f, 1.0f));
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    if (ImGui::Button(app.tr("picker.open"))) open_path(app, l.file.string());
    ImGui::PopStyleColor(3);
  }
  ImGui::EndChild();

  // Any scenario file by its path (there is no file dialog: type or paste the path).
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("picker.file"));
  ImGui::SameLine();
  const float open_w = ImGui::CalcTextSize(app.tr("picker.file_open")).x + style.FramePadding.x * 2.0f;
  const float close_w = ImGui::CalcTextSize(app.tr("picker.close")).x + style.FramePadding.x * 2.0f;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - open_w - close_w - style.ItemSpacing.x * 2.0f - fs);
  const bool enter = ImGui::InputTextWithHint("##path", app.tr("picker.file_hint"), &pk.path,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button(app.tr("picker.file_open")) || enter) && !pk.path.empty()) open_path(app, pk.path);
  ImGui::SameLine(0.0f, style.ItemSpacing.x + fs);
  if (ImGui::Button(app.tr("picker.close"))) pk.open = false;
  if (!pk.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kBlock)));
    ImGui::TextUnformatted(app.tr("picker.error"));
    ImGui::BeginChild("##open_error", ImVec2(0.0f, ImGui::GetTextLineHeightWithSpacing() * 3.0f));
    ImGui::TextWrapped("%s", pk.error.c_str());
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
  ImGui::End();
}

}  // namespace mailsim::gui::panels
