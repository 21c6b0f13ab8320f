// Narration strip: the lesson's story step in force ("Step 4 of 11: ...") with previous/next
// step buttons, or, for lessons without narration, the most recent meaningful record; the
// packet on the wire in words below. Text is wrapped by our own line breaker (Japanese has no
// spaces) and shrunk until it fits the strip, so nothing is cut off.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "gui/frame.hpp"
#include "gui/model/line_break.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::gui::panels {

namespace {

constexpr unsigned kStepInk = 0x0B5394;  // the "Step 4 of 11:" label

// Drops the escaped line ending scripted lines carry ("\r\n" as text).
std::string without_line_ending(std::string text) {
  for (const std::string_view tail : {"\\r\\n", "\\n"}) {
    if (text.size() > tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0) {
      text.resize(text.size() - tail.size());
    }
  }
  return text;
}

// A paragraph laid out at one font size.
struct Paragraph {
  ImFont* font = nullptr;
  float size = 0.0f;
  std::vector<std::string> lines;
  float need = 0.0f;  // the height it lacks at the least size (negative: to spare)
  bool cut = false;   // its last line was cut short
  float height() const { return size * static_cast<float>(lines.size()); }
};

// The largest size (from the large font's down to 60% of the regular one) at which `text`
// wrapped to `width` fits `height`; the smallest one if none does.
Paragraph fit_paragraph(const AppState& app, const std::string& text, float width, float height) {
  ImFont* regular = app.fonts.regular ? app.fonts.regular : ImGui::GetFont();
  ImFont* large = app.fonts.large ? app.fonts.large : regular;
  std::vector<std::pair<ImFont*, float>> sizes{{large, large->FontSize}};
  // Never under the least size a class must read (14 px at the 1280x720 picture).
  const float least = std::ceil(min_text(app, regular->FontSize));
  for (float f = 1.0f; f >= 0.599f; f -= 0.1f)
    if (std::floor(regular->FontSize * f) >= least) sizes.emplace_back(regular, std::floor(regular->FontSize * f));
  if (sizes.back().second > least) sizes.emplace_back(regular, least);
  Paragraph p;
  {  // What the text lacks (or has to spare) at the least size: the strip grows by it.
    const auto& [font, size] = sizes.back();
    const auto lines = break_lines(text, width, [font = font, size = size](std::string_view s) {
      return font->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
    });
    p.need = size * static_cast<float>(lines.size()) - height;
  }
  for (const auto& [font, size] : sizes) {
    p.font = font;
    p.size = size;
    const auto measure = [font = font, size = size](std::string_view s) {
      return font->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
    };
    p.lines = break_lines(text, width, measure);
    if (p.height() <= height) return p;
  }
  // Still too tall: keep the lines that fit, the last one ending in "..." (the caller grows the
  // strip for the next frame by `need`).
  const auto keep = static_cast<std::size_t>(std::max(1.0f, std::floor(height / p.size)));
  if (p.lines.size() > keep) {
    p.cut = true;
    p.lines.resize(keep);
    p.lines.back() = fit_text(p.font, p.size, p.lines.back() + "...", width);
  }
  return p;
}

// The packet on the wire at the current record, in words ("" when the record is no packet).
std::string wire_words(const AppState& app) {
  if (!app.view.current) return {};
  const auto& cur = app.model.records()[*app.view.current];
  if (cur.kind != sim::RecordKind::Packet) return {};
  return packet_sentence(describe_packet(cur), app.strings(), [&](const std::string& id) { return app.host_name(id); });
}

// In a live bridge: the student's mail program's newest step at the moment shown, in words for
// the student, when it is not older than `after` (the playback second of the lesson's step in
// force; -1: none).
std::optional<std::string> student_words(const AppState& app, double after) {
  if (app.student.device().empty()) return std::nullopt;
  const auto step = app.student.step_at(app.view.current);
  if (!step || *step >= app.model.records().size()) return std::nullopt;
  if (after >= 0.0 && app.model.playback_of_record(*step) < after) return std::nullopt;
  return app.student.words(app.model.records()[*step], app.japanese() ? "ja" : "en", &app.scenario);
}

// The story of a lesson with narration steps.
void story_strip(AppState& app, const StepTimeline& steps) {
  const ImGuiStyle& style = ImGui::GetStyle();
  ImFont* regular = app.fonts.regular ? app.fonts.regular : ImGui::GetFont();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float frame_h = ImGui::GetFrameHeight();
  const float height = std::max(avail.y, frame_h);

  // Previous / next step buttons on the left, centred in the strip.
  const auto previous = steps.previous_target(app.playback);
  const auto next = steps.next_target(app.playback);
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + std::floor((height - frame_h) * 0.5f)));
  ImGui::BeginDisabled(!previous);
  if (ImGui::ArrowButton("##prev_step", ImGuiDir_Left) && previous) {
    app.seek(*previous);
    app.playing = false;
  }
  if (!app.headless && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s", app.tr("narration.prev_step"));
  }
  ImGui::EndDisabled();
  ImGui::SameLine(0.0f, style.ItemSpacing.x * 0.4f);
  ImGui::BeginDisabled(!next);
  if (ImGui::ArrowButton("##next_step", ImGuiDir_Right) && next) {
    app.seek(*next);
    app.playing = false;
  }
  if (!app.headless && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s", app.tr("narration.next_step"));
  }
  ImGui::EndDisabled();
  const float text_x = origin.x + frame_h * 2.0f + style.ItemSpacing.x * 1.4f;
  const float width = std::max(40.0f, origin.x + avail.x - text_x);

  // The step in force (or the invitation before the first one), its label in colour; in a live
  // bridge, the student's own mail program's newest step when it came after the lesson's.
  const std::string_view lang = app.japanese() ? "ja" : "en";
  std::string label;
  std::string body;
  const auto mark = steps.mark_at(app.playback);
  if (auto you = student_words(app, mark ? steps.marks()[*mark].playback : -1.0)) {
    label = app.tr("narration.you");
    body = *you;
  } else if (const auto s = steps.step_at(app.playback); s && *s < app.scenario.narration.size()) {
    label = format_text(app.tr("narration.step"),
                        {{"n", std::to_string(*s + 1)}, {"total", std::to_string(steps.total())}});
    body = app.scenario.narration[*s].text(lang);
  } else {
    label = app.title();
    body = app.tr("narration.press_play");
  }
  // Japanese needs no space after the full-width colon; English does.
  const std::string joiner = (!label.empty() && static_cast<unsigned char>(label.back()) < 0x80) ? " " : "";
  const std::string text = label + joiner + body;

  // The secondary line (the packet in words) always has its room, so the story's size does
  // not jump as packets come and go.
  const float wire_size = std::floor(regular->FontSize * 0.85f);
  // A compact screen has no room for it: the map's bubble and packet labels say the same.
  const float story_h = app.compact ? height : height - wire_size - 1.0f;
  const Paragraph para = fit_paragraph(app, text, width, story_h);
  // What the strip lacks (relative to the layout's own strip, which this frame grew already).
  app.narration_grow = std::max(0.0f, std::ceil(para.need + app.narration_grow));
  app.narration_cut = para.cut;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float top = origin.y + std::max(0.0f, std::floor((story_h - para.height()) * 0.5f));
  const ImU32 ink = theme::rgb(theme::kInk);
  for (std::size_t i = 0; i < para.lines.size(); ++i) {
    const std::string& line = para.lines[i];
    const ImVec2 pos(text_x, top + para.size * static_cast<float>(i));
    if (i == 0 && !label.empty()) {
      const std::size_t cut = std::min(label.size(), line.size());
      dl->AddText(para.font, para.size, pos, theme::rgb(kStepInk), line.c_str(), line.c_str() + cut);
      const float lw = para.font->CalcTextSizeA(para.size, FLT_MAX, 0.0f, line.c_str(), line.c_str() + cut).x;
      dl->AddText(para.font, para.size, ImVec2(pos.x + lw, pos.y), ink, line.c_str() + cut);
    } else {
      dl->AddText(para.font, para.size, pos, ink, line.c_str());
    }
  }
  if (const std::string wire = app.compact ? std::string() : wire_words(app); !wire.empty()) {
    const std::string colon = app.japanese() ? "：" : ": ";
    const std::string line = fit_words(regular, wire_size, app.tr("narration.packet") + colon + wire, width);
    dl->AddText(regular, wire_size, ImVec2(text_x, origin.y + height - wire_size), theme::rgb(theme::kInkSoft),
                line.c_str());
  }
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(avail.x, height));
}

// Lessons without narration: the latest meaningful record with its time.
void record_strip(AppState& app) {
  const auto& recs = app.model.records();
  std::string text;
  std::string stamp;
  std::string wire;  // the packet of the moment, in words
  if (recs.empty()) {
    text = app.tr("events.empty");
  } else if (!app.view.current) {
    text = app.tr("narration.start");
  } else {
    const auto& cur = recs[*app.view.current];
    const auto meaningful = app.story.meaningful_at(app.view.current);
    const auto you = app.student.step_at(app.view.current);
    const auto& shown = meaningful ? recs[*meaningful] : cur;
    stamp = clock_text(app.japanese(), shown.time);
    wire = wire_words(app);
    // Worded for people (display names, "in 4 min"); the event table keeps the exact summary.
    const std::string_view lang = app.japanese() ? "ja" : "en";
    text = meaningful ? without_line_ending(sim::describe_record(shown, lang, &app.scenario))
                      : (wire.empty() ? sim::describe_record(cur, lang, &app.scenario) : wire);
    if (!meaningful) wire.clear();
    // A live bridge: the student's own mail program's step, when it is the newest news.
    if (you && (!meaningful || *you >= *meaningful))
      if (auto words = app.student.words(recs[*you], lang, &app.scenario)) {
        text = *words;
        stamp = clock_text(app.japanese(), recs[*you].time);
      }
  }
  ImGui::PushFont(app.fonts.large);
  if (!stamp.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
    ImGui::TextUnformatted(stamp.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  // One line of large type; the full text is in the tooltip and the event table.
  const std::string line = fit_text(ImGui::GetFont(), ImGui::GetFontSize(), text, ImGui::GetContentRegionAvail().x);
  ImGui::TextUnformatted(line.c_str());
  if (!app.headless && line != text && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text.c_str());
  ImGui::PopFont();
  if (!wire.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
    ImGui::Text("%s: %s", app.tr("narration.packet"), wire.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace

void narration(AppState& app) {
  if (!app.fonts.japanese && app.lang == "ja") {
    // Shown in English: without the font Japanese would be unreadable boxes.
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kBlock)));
    ImGui::TextWrapped("%s", app.en.get("font.missing").c_str());
    ImGui::PopStyleColor();
  }
  const StepTimeline steps(app.narration, app.model);
  if (steps.empty()) {
    record_strip(app);
  } else {
    story_strip(app, steps);
  }
}

}  // namespace mailsim::gui::panels
