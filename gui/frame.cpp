// One frame of the app: the panel layout (top bar, narration, map and post-office scene on the
// left, tabs on the right, time controls below), installing a run, and the session commands.
#include "gui/frame.hpp"

#include "formats/readers/replay_world.hpp"

#include <algorithm>
#include <functional>
#include <cfloat>
#include <cmath>
#include <optional>
#include <type_traits>
#include <utility>

#include <imgui.h>

#include "gui/model/line_break.hpp"
#include "gui/model/screen_layout.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::gui {

namespace {

constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                         ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;

}  // namespace

std::string fit_text(std::string text, float width) {
  return fit_text(ImGui::GetFont(), ImGui::GetFontSize(), std::move(text), width);
}

std::string fit_text(ImFont* font, float size, std::string text, float width) {
  auto w = [&](const std::string& t) { return font->CalcTextSizeA(size, FLT_MAX, 0.0f, t.c_str()).x; };
  if (w(text) <= width) return text;
  while (!text.empty() && w(text + "...") > width) {
    text.pop_back();
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
    if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
  }
  return text + "...";
}

std::string fit_words(ImFont* font, float size, const std::string& text, float width) {
  return cut_words(text, width, [&](std::string_view t) {
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
  });
}

void text_wrapped(std::string_view text) {
  const float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize());
  const auto lines = break_lines(text, width, [](std::string_view piece) {
    return ImGui::CalcTextSize(piece.data(), piece.data() + piece.size()).x;
  });
  for (const auto& line : lines) ImGui::TextUnformatted(line.c_str());
}

namespace {

// Shows the session's run: from the start (another scenario) or at the same moment.
// Shows `scenario` and its `run` from the start (or from `keep`); a new file resets the view.
void show_run(AppState& app, const sim::Scenario& scenario, const sim::RunResult& run, const std::optional<Moment>& keep) {
  const bool same_file = app.scenario.file == scenario.file;
  app.scenario = scenario;
  install_run(app, run);
  app.seek(keep ? playback_of_moment(app.model, *keep) : 0.0);
  app.view = app.model.view_at_playback(app.playback);  // the rest of this frame reads it
  app.scrolled_to.reset();
  app.seq_followed = -1.0;
  app.seq_span_for.reset();
  if (!same_file) {
    app.seq_auto = true;
    app.playing = false;
    app.selected_host.clear();
    app.filter.clear();
    app.zoom = 1.0f;
    app.pan = ImVec2(0.0f, 0.0f);
    app.seq_zoom = 1.0f;
    app.compose = ComposeState{};
  }
}

void show_session_run(AppState& app, const std::optional<Moment>& keep) {
  show_run(app, app.session.scenario(), app.session.run(), keep);
}

// The row above the narration: Lessons, Compose, Check mail, taking actions back, the
// outcome of the last command and the lesson's title.
void toolbar(AppState& app) {
  const float fs = ImGui::GetFontSize();
  const auto& actions = app.session.user_actions();
  const bool mine = !actions.empty() && app.session.file() == app.scenario.file;
  // The buttons, each with what it does. At a projector's scale they may not all fit the
  // row: the ones that fit stay (the lesson picker, the presenter layout and the challenge
  // first), the rest go into a "More" menu, so no button is ever cut mid-word.
  struct Item {
    const char* label;
    const char* tip;  // may be null
    bool enabled;
    int keep;  // lower keeps its place on the row first
    std::function<void()> act;
  };
  auto toggle_challenge = [&app] {
    app.challenge.active = !app.challenge.active;
    app.challenge.asking.reset();
    app.challenge.chosen.clear();
    app.challenge.questions.clear();
    app.challenge.last_playback = app.playback;
    if (app.challenge.active) {
      app.seek(app.challenge.detective ? app.model.pace().duration() : 0.0);  // from the start of the story
      app.challenge.last_playback = app.playback;
    }
  };
  std::vector<Item> items{
      {app.tr("bar.lessons"), nullptr, true, 0, [&app] { app.picker.open = true; }},
      {app.tr("bar.compose"), nullptr, true, 3,
       [&app] {
         app.compose.open = true;
         app.compose.check_open = false;
         app.compose.error.clear();
       }},
      {app.tr("bar.check"), nullptr, true, 4,
       [&app] {
         app.compose.check_open = true;
         app.compose.open = false;
         app.compose.error.clear();
       }},
      {app.tr("bar.export"), nullptr, true, 5, [&app] { app.export_files.open = true; }},
      {app.tr("bar.undo"), app.tr("bar.undo_tip"), mine, 6, [&app] { undo_action(app); }},
      {app.tr("bar.reset"), app.tr("bar.reset_tip"), mine, 7, [&app] { reset_actions(app); }},
      // Challenge mode: questions before each story step (only in a lesson with a story).
      {app.tr(app.challenge.active ? "bar.challenge_stop" : "bar.challenge"), app.tr("bar.challenge_tip"),
       !app.narration.empty() && !app.fix.active, 2,
       [&app, toggle_challenge] {
         app.challenge.detective = false;
         toggle_challenge();
       }},
      {app.tr("bar.detective"), app.tr("bar.detective_tip"), !app.challenge.active && !app.fix.active && !app.narration.empty(), 8,
       [&app, toggle_challenge] {
         app.challenge.detective = true;
         toggle_challenge();
       }},
      // Challenge mode (c): fix the broken setup (only in a lesson with a "fix" block).
      {app.tr(app.fix.active ? "bar.challenge_stop" : "bar.fix"), app.tr("bar.fix_tip"),
       app.scenario.fix.has_value() && !app.challenge.active, 9, [&app] { start_fix(app, !app.fix.active); }},
      // The presenter layout (F5): the map, the narration and the scene only, for a projector.
      {app.tr(app.presenter ? "bar.full_layout" : "bar.presenter"), app.tr("bar.presenter_tip"), true, 1,
       [&app] { app.presenter = !app.presenter; }},
  };
  const ImGuiStyle& style = ImGui::GetStyle();
  auto width_of = [&](const char* label) { return ImGui::CalcTextSize(label).x + style.FramePadding.x * 2.0f; };
  const std::string more_label = std::string(app.tr("bar.more"));
  // Keep room for the "Your actions" count and a little of the title.
  const float room = ImGui::GetContentRegionAvail().x - fs * 4.0f;
  float all_w = 0.0f;
  for (const auto& it : items) all_w += width_of(it.label) + style.ItemSpacing.x;
  std::vector<bool> on_row(items.size(), true);
  if (all_w > room) {
    std::vector<std::size_t> order(items.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return items[x].keep < items[y].keep; });
    float used = width_of(more_label.c_str()) + style.ItemSpacing.x;
    for (const auto k : order) {
      const float w = width_of(items[k].label) + style.ItemSpacing.x;
      on_row[k] = used + w <= room;
      if (on_row[k]) used += w;
    }
  }
  bool first = true;
  bool overflow = false;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (!on_row[k]) {
      overflow = true;
      continue;
    }
    if (!first) ImGui::SameLine();
    first = false;
    ImGui::BeginDisabled(!items[k].enabled);
    if (ImGui::Button(items[k].label)) items[k].act();
    if (!app.headless && items[k].tip && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("%s", items[k].tip);
    ImGui::EndDisabled();
  }
  if (overflow) {
    ImGui::SameLine();
    if (ImGui::Button(more_label.c_str())) ImGui::OpenPopup("##bar_more");
    if (ImGui::BeginPopup("##bar_more")) {
      for (std::size_t k = 0; k < items.size(); ++k) {
        if (on_row[k]) continue;
        if (ImGui::MenuItem(items[k].label, nullptr, false, items[k].enabled)) items[k].act();
      }
      ImGui::EndPopup();
    }
  }
  if (mine) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s: %zu", app.tr("bar.actions"), actions.size());
    if (!app.headless && ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      for (const auto& a : actions) ImGui::BulletText("%s", describe_action(a, app.strings(), app.japanese()).c_str());
      ImGui::EndTooltip();
    }
  }
  // The lesson's title on the right; the last command's outcome in between (it wins when
  // space is short: it is what just happened).
  const std::string title = app.title();
  const float avail = ImGui::GetContentRegionAvail().x - fs;
  std::string status;
  if (!app.status_key.empty())
    status = format_text(app.strings().get(app.status_key), {{"time", clock_text(app.japanese(), app.status_time)}, {"title", title}});
  if (app.budget_stop) status = app.budget_stop->message(app.lang);  // the run stopped early: say why first
  const float status_w = status.empty() ? 0.0f : ImGui::CalcTextSize(status.c_str()).x + fs;
  const float title_w = std::min(ImGui::CalcTextSize(title.c_str()).x, std::max(avail - status_w - fs, avail * 0.25f));
  if (!status.empty()) {
    ImGui::SameLine(0.0f, fs);
    ImGui::AlignTextToFramePadding();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(app.budget_stop ? 0xB3261E : 0x1E6B3A)));
    ImGui::TextUnformatted(fit_text(status, ImGui::GetContentRegionAvail().x - title_w - fs).c_str());
    if (!app.headless && app.budget_stop && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", status.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::SameLine();
  const float right = ImGui::GetWindowContentRegionMax().x;
  const std::string shown = fit_text(title, std::min(title_w, right - ImGui::GetCursorPosX()));
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), right - ImGui::CalcTextSize(shown.c_str()).x));
  ImGui::AlignTextToFramePadding();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
  ImGui::TextUnformatted(shown.c_str());
  ImGui::PopStyleColor();
}

}  // namespace

void draw_frame(AppState& app, float w, float h) {
  panels::challenge_guard(app);  // may stop playback before a story step to ask about it
  const ImGuiStyle& style = ImGui::GetStyle();
  const float fs = ImGui::GetFontSize();
  // A larger window shows the same picture larger (projectors, 4K screens): its own scale
  // multiplies the user's; the fonts are built again from the next frame on.
  if (const float ws = window_scale(w / app.content_scale, h / app.content_scale); ws != app.window_scale) {
    app.window_scale = ws;
    app.rebuild_fonts = true;
  }
  ScreenMetrics metrics;
  metrics.font = fs;
  metrics.large = app.fonts.large ? app.fonts.large->FontSize : fs * 1.3f;
  metrics.frame = ImGui::GetFrameHeight();
  metrics.spacing = style.ItemSpacing.y;
  metrics.padding = style.WindowPadding.y;
  const ScreenLayout screen = plan_screen(w, h, metrics, app.presenter ? ScreenMode::Presenter : ScreenMode::Full);
  app.compact = screen.compact;
  app.scene_shown = screen.analogy_shown;
  const float bar_h = screen.toolbar.height();
  float narration_h = screen.narration.height();
  if (app.lang == "ja" && !app.fonts.japanese) narration_h += fs * 2.6f;
  // A step too long for the strip even at the least type (Japanese at scale 2) grows the strip
  // rather than end in "...": the map and the scene below give way, up to a third of the screen.
  const float grow = std::clamp(app.narration_grow, 0.0f, std::max(0.0f, h / 3.0f - narration_h));
  narration_h += grow;
  app.narration_grow = grow;  // as applied: the panel says how much more (or less) it needs
  app.controls_cut.clear();
  app.narration_cut = false;   // set by the panel when a step still had to be cut short
  app.narration_rect = screen.narration;
  app.narration_rect.max.y = screen.narration.min.y + narration_h;
  app.controls_rect = screen.controls;
  app.over_area = {{0.0f, app.narration_rect.max.y}, {w, screen.controls.min.y}};

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, bar_h));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(style.WindowPadding.x, 4.0f));
  if (ImGui::Begin("##toolbar", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar)) toolbar(app);
  ImGui::End();
  ImGui::PopStyleVar();
  // Everything else sits below the toolbar.
  ImGui::SetNextWindowPos(ImVec2(0, bar_h));
  ImGui::SetNextWindowSize(ImVec2(w, narration_h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(1.0f, 0.98f, 0.90f, 1.0f));
  if (ImGui::Begin("##narration", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar)) panels::narration(app);
  ImGui::End();
  ImGui::PopStyleColor();

  // The panels of the top row start below the narration (taller by the note about missing
  // Japanese glyphs, if any).
  const float shift = narration_h - screen.narration.height();
  auto place = [&](const Rect& r) {
    const bool top_row = r.min.y <= screen.narration.max.y + 0.5f;
    ImGui::SetNextWindowPos(ImVec2(r.min.x, r.min.y + (top_row ? shift : 0.0f)));
    ImGui::SetNextWindowSize(ImVec2(r.width(), std::max(1.0f, r.height() - (top_row ? shift : 0.0f))));
  };
  place(screen.map);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  if (ImGui::Begin("##map", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    panels::network_map(app);
  }
  ImGui::End();
  if (screen.analogy_shown) {
    place(screen.analogy);
    if (ImGui::Begin("##analogy", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
      panels::analogy(app);
    }
    ImGui::End();
  }
  ImGui::PopStyleVar();

  place(screen.side);
  if (screen.side_shown && ImGui::Begin("##side", nullptr, kPanelFlags)) {
    if (ImGui::BeginTabBar("##tabs")) {
      auto flag = [&](Tab t) {
        return app.switch_to_tab == t ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
      };
      // A challenge's open question: the lists of what happened would give its answer away.
      const bool hidden = answer_hidden(app.challenge);
      if (ImGui::BeginTabItem(app.tr("panel.events"), nullptr, flag(Tab::Events))) {
        if (hidden) text_wrapped(app.tr("challenge.hidden"));
        else panels::event_table(app);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.sequence"), nullptr, flag(Tab::Sequence))) {
        if (hidden) text_wrapped(app.tr("challenge.hidden"));
        else panels::sequence(app);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.transcript"), nullptr, flag(Tab::Transcript))) {
        ImGui::BeginChild("##transcript_scroll");
        if (hidden) text_wrapped(app.tr("challenge.hidden"));
        else panels::transcript(app);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(app.tr("panel.inspector"), nullptr, flag(Tab::Inspector))) {
        panels::inspector(app);
        ImGui::EndTabItem();
      }
      app.switch_to_tab.reset();
      ImGui::EndTabBar();
    }
  }
  if (screen.side_shown) ImGui::End();

  place(screen.controls);
  if (ImGui::Begin("##controls", nullptr, kPanelFlags | ImGuiWindowFlags_NoScrollbar)) panels::time_controls(app);
  ImGui::End();

  // The windows over the layout (each draws nothing when closed).
  panels::lessons(app);
  panels::compose(app);
  panels::check_mail(app);
  panels::export_window(app);
  panels::challenge(app);
  panels::fix_window(app);
}

std::string window_title(const AppState& app) { return app.title() + " - mailsim"; }

// Everything the panels read is derived from one run of the scenario.
void install_run(AppState& app, const sim::RunResult& result) {
  app.model = TraceModel(app.scenario, result.trace);
  // The user's moves on the map stay while the same file is re-run (Compose, Check mail, undo).
  app.map.moves.keep_for(app.scenario.file);
  if (!app.map.moves.empty()) app.model.set_layout_moves(app.map.moves);
  ++app.run_serial;
  app.story = StoryIndex(app.model, &app.scenario);
  app.sequence = build_sequence(app.model);
  app.narration = result.narration;
  app.budget_stop = result.budget_stop;  // shown in the top bar instead of a run that never ends
}

}  // namespace mailsim::gui

namespace mailsim::gui {

bool ensure_session(AppState& app, std::string& error) {
  if (app.session.loaded() && app.session.file() == app.scenario.file) return true;
  if (app.scenario.file.empty()) {
    error = "no scenario file is open";
    return false;
  }
  if (formats::looks_like_capture(app.scenario.file)) {
    error = "this is a replayed recording, not a scenario: nothing can be sent or re-run in it";
    return false;
  }
  return app.session.open_file(app.scenario.file, error);
}

bool open_scenario(AppState& app, const std::string& path, std::string& error) {
  if (formats::looks_like_capture(path)) {
    // A capture or transcript: its replay is played like a lesson (nothing to re-run).
    auto world = formats::open_replay_file(path, error);
    if (!world) return false;
    show_run(app, world->scenario, world->run, std::nullopt);
    app.status_key = "session.opened";
    return true;
  }
  if (!app.session.open_file(path, error)) return false;
  show_session_run(app, std::nullopt);
  app.status_key = "session.opened";
  return true;
}

namespace {

template <typename Command>
bool run_any(AppState& app, const Command& command, std::string& error, const char* done_key) {
  if (!ensure_session(app, error)) return false;
  const Moment moment = moment_at(app.model, app.playback);
  CommandResult r;
  if constexpr (std::is_same_v<Command, ComposeCommand>) r = app.session.compose(command, moment.time);
  else r = app.session.check_mail(command, moment.time);
  if (!r.ok) {
    error = r.message;
    return false;
  }
  show_session_run(app, moment);
  app.status_key = done_key;
  app.status_time = r.at;
  app.playing = !app.headless;  // watch it happen
  return true;
}

}  // namespace

bool run_command(AppState& app, const ComposeCommand& command, std::string& error) {
  return run_any(app, command, error, "compose.sent");
}

bool run_command(AppState& app, const CheckMailCommand& command, std::string& error) {
  return run_any(app, command, error, "check.started");
}

bool start_fix(AppState& app, bool on) {
  auto& f = app.fix;
  if (!on) {
    f.active = false;
    return true;
  }
  if (!app.scenario.fix) return false;
  if (f.file != app.scenario.file || f.chosen.size() != app.scenario.fix->settings.size()) {
    f = FixChallengeState{};
    f.file = app.scenario.file;
    f.chosen = sim::fix_start(*app.scenario.fix);
    f.numbers.assign(f.chosen.size(), std::nullopt);
    // The numeric settings' ranges, as the lesson's file narrows them (the loader checked them).
    const auto doc = sim::read_scenario_document(app.scenario.file);
    for (const auto& s : app.scenario.fix->settings) {
      const nlohmann::json* sj = nullptr;
      if (doc) {
        const nlohmann::json::json_pointer ptr(s.pointer);
        if (doc->contains(ptr)) sj = &doc->at(ptr);
      }
      f.ranges.push_back(sim::fix_range(s, sj));
    }
  }
  f.active = true;
  return true;
}

bool run_fix_try(AppState& app, std::string& error) {
  if (!app.scenario.fix) {
    error = "this lesson has no \"fix\" block";
    return false;
  }
  if (!ensure_session(app, error)) return false;
  const auto fix = *app.scenario.fix;
  // A typed number outside its range never reaches the run (the input clamps it; this is the check).
  for (std::size_t k = 0; k < app.fix.numbers.size(); ++k) {
    const auto& n = app.fix.numbers[k];
    if (!n) continue;
    const auto& r = k < app.fix.ranges.size() ? app.fix.ranges[k] : std::nullopt;
    if (!r || *n < r->min || *n > r->max) {
      error = "setting " + std::to_string(k + 1) + ": " + std::to_string(*n) + " is outside its range";
      return false;
    }
  }
  const auto r = app.session.set_actions(sim::fix_actions(fix, app.fix.chosen, app.fix.numbers));
  if (!r.ok) {
    error = r.message;
    return false;
  }
  show_session_run(app, std::nullopt);
  app.seek(app.model.pace().duration());  // the goal is about how the lesson ends
  app.playing = false;
  app.fix.grade = sim::grade_fix(app.scenario, app.session.run().trace);
  app.fix.graded_run = app.run_serial;
  app.fix.tries.push_back({app.fix.tries.size() + 1, sim::fix_changes_text(fix, app.fix.chosen, app.fix.numbers), app.fix.grade->passed,
                           app.fix.grade->total});
  app.status_key = "session.fix_tried";
  return true;
}

void undo_action(AppState& app) {
  const Moment moment = moment_at(app.model, app.playback);
  if (!app.session.undo()) return;
  show_session_run(app, moment);
  app.status_key = "session.undone";
}

void reset_actions(AppState& app) {
  const Moment moment = moment_at(app.model, app.playback);
  if (!app.session.reset()) return;
  show_session_run(app, moment);
  app.status_key = "session.reset";
}

}  // namespace mailsim::gui
