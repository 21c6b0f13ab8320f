// Time controls: play/pause, previous/next event, restart, scrubber (with a marker per
// narration step), speed, language; keys.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>

#include "gui/model/line_break.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::gui::panels {

namespace {

constexpr unsigned kMarkInk = 0x0B5394;  // narration step markers (as the strip's step label)

// Moves the clock to the previous / next narration step (lessons with narration).
void step_story(AppState& app, int direction) {
  const StepTimeline steps(app.narration, app.model);
  const auto target = direction > 0 ? steps.next_target(app.playback) : steps.previous_target(app.playback);
  if (!target) return;
  app.seek(*target);
  app.playing = false;
}

// "Step 4 of 11: ..." wrapped for a tooltip (our own breaks: Japanese has no spaces).
std::string step_tooltip(const AppState& app, std::size_t step, std::size_t total) {
  std::string text = format_text(app.tr("narration.step"), {{"n", std::to_string(step + 1)}, {"total", std::to_string(total)}});
  if (step < app.scenario.narration.size()) {
    text += "\n" + app.scenario.narration[step].text(app.japanese() ? "ja" : "en");
  }
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize();
  const auto lines = break_lines(text, size * 26.0f, [&](std::string_view s) {
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
  });
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

void step_event(AppState& app, int direction) {
  const auto& recs = app.model.records();
  if (recs.empty()) return;
  app.playing = false;
  const auto cur = app.model.record_at_playback(app.playback);
  if (direction > 0) {
    const std::size_t next = cur ? *cur + 1 : 0;
    if (next < recs.size()) app.seek(app.model.playback_of_record(next));
  } else if (cur) {
    if (*cur == 0) {
      app.seek(0.0);
    } else {
      app.seek(app.model.playback_of_record(*cur - 1));
    }
  }
}

void install_key_queue(GLFWwindow* window, AppState& app) {
  glfwSetWindowUserPointer(window, &app);
  glfwSetKeyCallback(window, [](GLFWwindow* w, int key, int, int action, int mods) {
    if (action == GLFW_RELEASE) return;
    auto* a = static_cast<AppState*>(glfwGetWindowUserPointer(w));
    if (a) a->keys.push({key, (mods & GLFW_MOD_CONTROL) != 0, action == GLFW_REPEAT});
  });
}

void handle_keys(AppState& app) {
  ImGuiIO& io = ImGui::GetIO();
  const auto presses = app.keys.take();
  for (const auto& k : presses) {
    if (k.ctrl) {
      float scale = app.ui_scale;
      // Ctrl+; is where '+' is on a Japanese keyboard.
      if (k.key == GLFW_KEY_EQUAL || k.key == GLFW_KEY_KP_ADD || k.key == GLFW_KEY_SEMICOLON) scale += 0.1f;
      if (k.key == GLFW_KEY_MINUS || k.key == GLFW_KEY_KP_SUBTRACT) scale -= 0.1f;
      if (k.key == GLFW_KEY_0 || k.key == GLFW_KEY_KP_0) scale = 1.0f;
      scale = std::clamp(std::round(scale * 10.0f) / 10.0f, 0.6f, 2.5f);
      if (scale != app.ui_scale) {
        app.ui_scale = scale;
        app.rebuild_fonts = true;
      }
      continue;
    }
    if (io.WantTextInput) continue;  // typed into a field
    switch (k.key) {
      case GLFW_KEY_SPACE:
        if (k.repeat) break;
        if (app.playback >= app.model.pace().duration()) app.seek(0.0);
        app.playing = !app.playing;
        break;
      case GLFW_KEY_RIGHT: step_event(app, +1); break;
      case GLFW_KEY_LEFT: step_event(app, -1); break;
      case GLFW_KEY_PAGE_DOWN:
      case GLFW_KEY_RIGHT_BRACKET: step_story(app, +1); break;
      case GLFW_KEY_PAGE_UP:
      case GLFW_KEY_LEFT_BRACKET: step_story(app, -1); break;
      case GLFW_KEY_F1: if (!k.repeat) app.switch_to_tab = Tab::Events; break;
      case GLFW_KEY_F2: if (!k.repeat) app.switch_to_tab = Tab::Sequence; break;
      case GLFW_KEY_F3: if (!k.repeat) app.switch_to_tab = Tab::Transcript; break;
      case GLFW_KEY_F4: if (!k.repeat) app.switch_to_tab = Tab::Inspector; break;
      case GLFW_KEY_F5: if (!k.repeat) app.presenter = !app.presenter; break;
      case GLFW_KEY_HOME:
        if (k.repeat) break;
        app.seek(0.0);
        app.playing = false;
        break;
      default: break;
    }
  }
}

namespace {

// A marker per narration step on the scrubber just drawn (a tick at its top and bottom edges;
// the bar has no text): hovering shows the step's text, clicking one seeks to it.
void scrubber_marks(AppState& app, double duration) {
  const StepTimeline steps(app.narration, app.model);
  if (steps.empty() || duration <= 0.0) return;
  const ImVec2 a = ImGui::GetItemRectMin();
  const ImVec2 b = ImGui::GetItemRectMax();
  // Where ImGui's slider puts the grab's centre for a value (1.86: 2 px padding, grab of GrabMinSize).
  const float grab = ImGui::GetStyle().GrabMinSize;
  const float x0 = a.x + 2.0f + grab * 0.5f;
  const float span = std::max(1.0f, b.x - a.x - 4.0f - grab);
  const float h = b.y - a.y;
  const float half = std::max(3.0f, h * 0.2f);
  const auto in_force = steps.mark_at(app.playback);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool over = !app.headless && mouse.y >= a.y && mouse.y <= b.y && mouse.x >= a.x && mouse.x <= b.x;
  std::optional<std::size_t> hovered;
  float best = half + 2.0f;
  for (std::size_t k = 0; k < steps.marks().size(); ++k) {
    const auto& m = steps.marks()[k];
    const float x = std::floor(x0 + span * static_cast<float>(std::clamp(m.playback / duration, 0.0, 1.0))) + 0.5f;
    const bool now = in_force && *in_force == k;
    const ImU32 col = theme::rgb(kMarkInk, now ? 255u : 170u);
    dl->AddTriangleFilled(ImVec2(x - half, a.y), ImVec2(x + half, a.y), ImVec2(x, a.y + half * 1.3f), col);
    dl->AddTriangleFilled(ImVec2(x - half, b.y), ImVec2(x + half, b.y), ImVec2(x, b.y - half * 1.3f), col);
    if (over && std::abs(mouse.x - x) < best) {
      best = std::abs(mouse.x - x);
      hovered = k;
    }
  }
  if (!hovered) return;
  const auto& m = steps.marks()[*hovered];
  ImGui::SetTooltip("%s", step_tooltip(app, m.step, steps.total()).c_str());
  // A click on a marker goes exactly to its step (the slider alone would land near it).
  if (ImGui::IsItemActive() && !ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    app.seek(m.playback);
    app.playing = false;
  }
}

}  // namespace

void time_controls(AppState& app) {
  const auto& recs = app.model.records();
  const double duration = app.model.pace().duration();
  const float button_w = ImGui::GetFontSize() * 5.0f;

  // A compact screen (1280x720 at scale 2): one row — previous, play, next, the scrubber, the
  // time and a button to the other language; Restart is the Home key, the speed stays as set.
  if (!app.compact && ImGui::Button(app.tr("ctl.restart"), ImVec2(button_w, 0))) {
    app.seek(0.0);
    app.playing = false;
  }
  if (!app.compact) ImGui::SameLine();
  // The scrubber runs on playback time, labelled with virtual time.
  const std::string label = clock_text(app.japanese(), app.view.time);
  const std::string other_lang = app.lang == "ja" ? "English" : (app.fonts.japanese ? "日本語" : "Japanese");
  std::string time_text = std::string(app.tr("ctl.time")) + " " + label;
  const ImGuiStyle& style = ImGui::GetStyle();
  // On a narrow compact row (1024x640 at scale 2) the buttons are as wide as their words, then
  // the time drops its word: the row fits whole, never runs off the screen.
  float side_w = button_w;
  float play_w = button_w * 1.2f;
  auto tail_of = [&]() {
    return app.compact ? ImGui::CalcTextSize(time_text.c_str()).x + ImGui::CalcTextSize(other_lang.c_str()).x +
                             style.FramePadding.x * 2.0f + style.ItemSpacing.x * 2.0f
                       : 0.0f;
  };
  if (app.compact) {
    const float row = ImGui::GetContentRegionAvail().x;
    auto need = [&]() { return side_w * 2.0f + play_w + style.ItemSpacing.x * 3.0f + ImGui::GetFontSize() * 3.0f + tail_of(); };
    auto natural = [&](const char* s) { return ImGui::CalcTextSize(s).x + style.FramePadding.x * 2.0f; };
    if (need() > row) {
      side_w = std::max(natural(app.tr("ctl.prev")), natural(app.tr("ctl.next")));
      play_w = std::max(natural(app.tr("ctl.play")), natural(app.tr("ctl.pause")));
    }
    if (need() > row) time_text = label;
  }
  // Whether the last item ran past the window's or the screen's right side.
  auto note_cut = [&](const std::string& what) {
    const float right = std::min(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetIO().DisplaySize.x);
    if (ImGui::GetItemRectMax().x > right + 0.5f) app.controls_cut += (app.controls_cut.empty() ? "'" : ", '") + what + "'";
  };
  if (ImGui::Button(app.tr("ctl.prev"), ImVec2(side_w, 0))) step_event(app, -1);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.0f, 0.447f, 0.698f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.1f, 0.52f, 0.78f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  if (ImGui::Button(app.playing ? app.tr("ctl.pause") : app.tr("ctl.play"), ImVec2(play_w, 0))) {
    if (!app.playing && app.playback >= duration) app.seek(0.0);
    app.playing = !app.playing;
  }
  ImGui::PopStyleColor(3);
  ImGui::SameLine();
  if (ImGui::Button(app.tr("ctl.next"), ImVec2(side_w, 0))) step_event(app, +1);
  note_cut(app.tr("ctl.next"));
  ImGui::SameLine();

  float p = static_cast<float>(app.playback);
  const float tail_w = tail_of();
  ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 3.0f, ImGui::GetContentRegionAvail().x - tail_w));
  // No text inside the bar: the step markers run along its edges, and the time is on the
  // line below (at a projector's scale the markers would cross the digits).
  if (ImGui::SliderFloat("##scrub", &p, 0.0f, static_cast<float>(std::max(duration, 0.001)), "",
                         ImGuiSliderFlags_NoRoundToFormat)) {
    app.seek(static_cast<double>(p));
  }
  scrubber_marks(app, duration);
  if (app.compact) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(time_text.c_str());
    note_cut(time_text);
    ImGui::SameLine();
    if (ImGui::Button(other_lang.c_str())) app.lang = app.lang == "ja" ? "en" : "ja";
    note_cut(other_lang);
    return;
  }

  // Second row: where we are, speed, language, keys.
  const auto cur = app.view.current;
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s %s   %s %zu %s %zu", app.tr("ctl.time"), label.c_str(), app.tr("ctl.event"),
              cur ? *cur + 1 : 0, app.tr("ctl.of"), recs.size());
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::TextUnformatted(app.tr("ctl.speed"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.0f);
  ImGui::SliderFloat("##speed", &app.speed, 0.1f, 20.0f, "%.1fx", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::TextUnformatted(app.tr("ctl.language"));
  ImGui::SameLine();
  if (ImGui::RadioButton("English", app.lang == "en")) app.lang = "en";
  ImGui::SameLine();
  // The button's own label is Japanese only when the glyphs exist.
  if (ImGui::RadioButton(app.fonts.japanese ? "日本語" : "Japanese", app.lang == "ja")) app.lang = "ja";
  if (!app.headless) {
    ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
    // As many whole groups ("F1-F4: tabs") as fit the rest of the line, never a cut word;
    // all of them on hover.
    const std::string all = app.tr("ctl.keys");
    const std::string sep = app.japanese() ? "\u3000" : "   ";
    std::vector<std::string> groups;
    for (std::size_t at = 0; at <= all.size();) {
      const auto end = std::min(all.find(sep, at), all.size());
      if (end > at) groups.push_back(all.substr(at, end - at));
      at = end + sep.size();
    }
    const float room = ImGui::GetContentRegionAvail().x;
    const std::string more = " \u2026";
    std::string shown;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::string next = shown.empty() ? groups[g] : shown + sep + groups[g];
      const bool last = g + 1 == groups.size();
      if (ImGui::CalcTextSize((next + (last ? "" : more)).c_str()).x > room) break;
      shown = next;
    }
    if (shown != all) shown += shown.empty() ? "\u2026" : more;
    ImGui::TextDisabled("%s", shown.c_str());
    if (shown != all && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all.c_str());
  }
}

}  // namespace mailsim::gui::panels
