// Challenge mode: playback stops before each story step and asks what happens next (the
// questions of sim/quiz); right or wrong with the step's explanation, the score at the end.
#include <algorithm>
#include <cfloat>
#include <filesystem>
#include <fstream>
#include <string>

#include <imgui.h>

#include "gui/export_files.hpp"
#include "gui/frame.hpp"
#include "sim/scenario/fix.hpp"
#include "sim/words/fix_words.hpp"
#include "gui/model/line_break.hpp"
#include "gui/model/steps.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {

// The questions for the run and language on screen (made again when either changes).
void prepare(AppState& app) {
  auto& c = app.challenge;
  if (c.run == app.run_serial && c.lang == app.lang && !c.questions.empty()) return;
  c.questions = c.detective ? sim::make_detective(app.scenario, app.model.records(), app.lang, c.seed)
                            : sim::make_quiz(app.scenario, app.narration, app.model.records(), app.lang, c.seed);
  if (c.run != app.run_serial) c.chosen.clear();  // another run: start afresh (a language switch keeps the answers)
  c.chosen.resize(c.questions.size());
  c.run = app.run_serial;
  c.lang = app.lang;
  c.asking.reset();
  c.revealed = false;
  c.saved_csv.clear();
}

// Text broken as the narration breaks it (at spaces, between Japanese phrases; never inside
// a host name such as "mail.example.com", where ImGui's own wrapping may cut).
void wrapped(const std::string& text) {
  const float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 4.0f);
  const MeasureText measure = [](std::string_view piece) {
    return ImGui::CalcTextSize(piece.data(), piece.data() + piece.size()).x;
  };
  for (const auto& line : break_lines(text, width, measure)) ImGui::TextUnformatted(line.c_str());
}

}  // namespace

void challenge_guard(AppState& app) {
  auto& c = app.challenge;
  if (!c.active) {
    c.last_playback = app.playback;
    return;
  }
  prepare(app);
  if (c.detective) {
    // The detective looks at how the lesson ends: one question after the other, no playback.
    app.playing = false;
    if (!c.asking) {
      c.asking = next_unanswered(c);
      c.revealed = false;
      c.host_at_ask = app.selected_host;
    }
    c.last_playback = app.playback;
    return;
  }
  const StepTimeline steps(app.narration, app.model);
  if (!c.asking) {
    if (const auto due = question_due(c, steps, c.last_playback, app.playback)) {
      // Stop just before the step: the student answers first, then sees it happen.
      const auto at = steps.playback_of_step(c.questions[*due].step);
      app.playback = std::max(0.0, *at - 1e-6);
      app.playing = false;
      app.view = app.model.view_at_playback(app.playback);
      c.asking = due;
      c.revealed = false;
    }
  }
  c.last_playback = app.playback;
}

void challenge(AppState& app) {
  auto& c = app.challenge;
  app.challenge_rect = {};
  if (!c.active) return;
  const float fs = ImGui::GetFontSize();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  // The windows stand between the narration and the time controls (app.over_area), never over
  // either: the detective's at the right, clear of the map the student clicks on, the question
  // in the middle. A question taller than that room scrolls inside its window.
  const Rect area = app.over_area.height() > fs * 4.0f ? app.over_area : Rect{{0.0f, 0.0f}, {display.x, display.y}};
  auto place = [&] {
    const float gap = fs * 0.3f;
    const float room_h = std::max(fs * 4.0f, area.height() - gap * 2.0f);
    if (c.detective) {
      const float w = std::min(area.width() * 0.36f, fs * 28.0f);
      ImGui::SetNextWindowPos(ImVec2(area.max.x - gap, area.max.y - gap), ImGuiCond_Always, ImVec2(1.0f, 1.0f));
      ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0.0f), ImVec2(w, room_h));
    } else {
      const float w = std::min(area.width() - 40.0f, fs * 36.0f);
      ImGui::SetNextWindowPos(ImVec2(area.center().x, area.center().y), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
      ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0.0f), ImVec2(w, room_h));
    }
  };
  auto remember = [&] {
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 sz = ImGui::GetWindowSize();
    app.challenge_rect = {{p.x, p.y}, {p.x + sz.x, p.y + sz.y}};
  };
  const auto flags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_AlwaysAutoResize;
  if (!c.asking && !c.questions.empty() && !next_unanswered(c) && (c.detective || c.answered() == c.questions.size())) {
    // Every question answered: the score, and the results for the teacher.
    place();
    const std::string title = std::string(app.tr("challenge.done")) + "###challenge_done";
    if (ImGui::Begin(title.c_str(), nullptr, flags)) {
      remember();
      ImGui::PushTextWrapPos(0.0f);
      ImGui::PushFont(app.fonts.large);
      ImGui::TextUnformatted(format_text(app.tr("challenge.final"),
                                         {{"score", std::to_string(c.score())},
                                          {"total", std::to_string(c.questions.size())},
                                          {"percent", std::to_string(c.score() * 100 / c.questions.size())}})
                                 .c_str());
      ImGui::PopFont();
      if (ImGui::Button(app.tr("challenge.save_csv"))) {
        std::vector<sim::QuizResult> results;
        for (std::size_t k = 0; k < c.questions.size(); ++k)
          if (k < c.chosen.size() && c.chosen[k]) results.push_back({k, *c.chosen[k], *c.chosen[k] == c.questions[k].answer});
        const std::string lesson = app.scenario.name.empty() ? "lesson" : app.scenario.name;
        const std::filesystem::path dir = app.export_files.dir.empty() ? std::filesystem::path(default_export_dir()) : std::filesystem::path(app.export_files.dir);
        const auto file = dir / ("mailsim-" + lesson + (c.detective ? "-detective" : "-challenge") +
                                 (c.student.empty() ? "" : "-" + c.student) + ".csv");
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        std::ofstream out(file, std::ios::binary);
        out << sim::quiz_csv(c.student, lesson, c.seed, c.questions, results);
        out.close();
        c.saved_csv = out ? file.string() : std::string(app.tr("challenge.save_failed"));
        if (out && app.export_files.deliver) app.export_files.deliver(file.string());
      }
      if (!c.saved_csv.empty()) ImGui::TextDisabled("%s", c.saved_csv.c_str());
      ImGui::SameLine();
      if (ImGui::Button(app.tr("bar.challenge_stop"))) {
        c.active = false;
        c.questions.clear();
        c.chosen.clear();
      }
      ImGui::PopTextWrapPos();
    }
    ImGui::End();
    return;
  }
  if (!c.asking || *c.asking >= c.questions.size()) return;
  const auto& q = c.questions[*c.asking];
  // The detective may answer "who" by clicking the host on the map.
  if (c.detective && !c.revealed && app.selected_host != c.host_at_ask) {
    c.host_at_ask = app.selected_host;
    if (const auto o = option_of_host(q, app.selected_host)) c.answer(*o);
  }
  place();
  const std::string title = format_text(app.tr(c.detective ? "challenge.detective_title" : "challenge.title"), {{"n", std::to_string(*c.asking + 1)},
                                                                     {"total", std::to_string(c.questions.size())}}) +
                            "###challenge";
  if (!ImGui::Begin(title.c_str(), nullptr, flags)) {
    ImGui::End();
    return;
  }
  remember();
  ImGui::PushTextWrapPos(0.0f);
  if (!c.detective) ImGui::TextDisabled("%s", app.tr("challenge.so_far"));
  wrapped(q.context);
  ImGui::Spacing();
  if (!c.detective) ImGui::PushFont(app.fonts.large);  // the detective's window keeps room for the map
  wrapped(q.prompt);
  if (!c.detective) ImGui::PopFont();
  if (q.kind == "who" && !c.revealed) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    wrapped(app.tr("challenge.click_host"));
    ImGui::PopStyleColor();
  }
  std::optional<std::size_t> chosen;
  if (*c.asking < c.chosen.size()) chosen = c.chosen[*c.asking];
  for (std::size_t o = 0; o < q.options.size(); ++o) {
    const std::string label = std::to_string(o + 1) + ") " + q.options[o];
    const bool right = o == q.answer;
    if (c.revealed && (right || (chosen && *chosen == o))) {
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::rgb(right ? 0xBFE5C8 : 0xF6C6C0)));
      ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::rgb(right ? 0xBFE5C8 : 0xF6C6C0)));
    }
    // The detective's options two to a row when they are short (less height over the map).
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    bool two = c.detective;
    for (const auto& opt : q.options)
      two = two && ImGui::CalcTextSize(("4) " + opt).c_str()).x + ImGui::GetStyle().FramePadding.x * 2.0f <= half;
    if (two && o % 2 == 1) ImGui::SameLine();
    const bool clicked = ImGui::Button(label.c_str(), ImVec2(two ? half : -1.0f, 0.0f));
    if (c.revealed && (right || (chosen && *chosen == o))) ImGui::PopStyleColor(2);
    if (clicked && !c.revealed) c.answer(o);
  }
  if (c.revealed && chosen) {
    ImGui::Spacing();
    const bool ok = *chosen == q.answer;
    ImGui::TextUnformatted(app.tr(ok ? "challenge.right" : "challenge.wrong"));
    wrapped(q.explanation);
    ImGui::TextDisabled("%s", format_text(app.tr("challenge.score"), {{"score", std::to_string(c.score())},
                                                                      {"answered", std::to_string(c.answered())},
                                                                      {"total", std::to_string(c.questions.size())}})
                                  .c_str());
    if (ImGui::Button(app.tr("challenge.continue"))) {
      if (c.detective) {
        c.asking.reset();  // the next question comes at once
        c.revealed = false;
      } else {
        // Show the step the question was about, and go on playing.
        const StepTimeline steps(app.narration, app.model);
        if (const auto at = steps.playback_of_step(q.step)) app.seek(*at);
        c.last_playback = app.playback;
        c.asking.reset();
        c.revealed = false;
        app.playing = !app.headless;
      }
    }
  }
  ImGui::PopTextWrapPos();
  ImGui::End();
}


void fix_window(AppState& app) {
  auto& f = app.fix;
  if (!f.active) return;
  if (!app.scenario.fix || f.file != app.scenario.file || f.chosen.size() != app.scenario.fix->settings.size()) {
    // Another lesson (or one without a fix block) is on screen: the challenge ends.
    f.active = false;
    return;
  }
  const auto& fix = *app.scenario.fix;
  const std::string& lang = app.lang;
  // The run on screen graded (the lesson as written when no try was made yet).
  if (f.graded_run != app.run_serial) {
    std::string error;
    if (ensure_session(app, error) && app.session.run().trace.records().size() == app.model.records().size())
      f.grade = sim::grade_fix(app.session.scenario(), app.session.run().trace);
    f.graded_run = app.run_serial;
  }
  const float fs = ImGui::GetFontSize();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  // At the right, clear of the map, like the detective's window, and like it between the
  // narration and the time controls, never over either: taller content scrolls.
  const Rect area = app.over_area.height() > fs * 4.0f ? app.over_area : Rect{{0.0f, 0.0f}, {display.x, display.y}};
  const float gap = fs * 0.3f;
  const float w = std::min(area.width() * 0.4f, fs * 30.0f);
  ImGui::SetNextWindowPos(ImVec2(area.max.x - gap, area.max.y - gap), ImGuiCond_Always, ImVec2(1.0f, 1.0f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0.0f), ImVec2(w, std::max(fs * 4.0f, area.height() - gap * 2.0f)));
  const auto flags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_AlwaysAutoResize;
  const std::string title = sim::fix_words("fix.title", lang) + "###fix";
  if (!ImGui::Begin(title.c_str(), nullptr, flags)) {
    ImGui::End();
    return;
  }
  {  // checked by the layout check like the other challenge windows
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 sz = ImGui::GetWindowSize();
    app.challenge_rect = {{p.x, p.y}, {p.x + sz.x, p.y + sz.y}};
  }
  ImGui::PushTextWrapPos(0.0f);
  wrapped(fix.task.in(lang));
  ImGui::Spacing();
  ImGui::TextDisabled("%s", sim::fix_words("fix.settings", lang).c_str());
  std::string owner;
  for (std::size_t k = 0; k < fix.settings.size(); ++k) {
    const auto& setting = fix.settings[k];
    ImGui::PushID(static_cast<int>(k));
    // Whose settings follow (a device's account, a server, a zone), then each setting with its
    // values beside it when both fit on a line.
    if (const auto o = sim::fix_setting_owner(app.scenario, setting, lang); o != owner) {
      owner = o;
      ImGui::Spacing();
      wrapped(owner);
    }
    const std::string label = sim::fix_setting_label(app.scenario, setting, lang);
    auto value_text = [&](std::size_t v) {
      const std::string t = sim::fix_value_text(app.scenario, setting, v, lang);
      return v == setting.current ? sim::fix_words("value.own", lang, {{"value", t}}) : t;
    };
    const float avail = ImGui::GetContentRegionAvail().x;
    const float indent = fs * 0.8f;
    // The drop-down shows its whole value, "(as set up)" included: beside the label when both
    // fit in half the width each, else under it across the width; a value still too wide is
    // written out (wrapped, the marker on its own line) with the list's arrow after it, never
    // cut ("none (plain text) (as set up" was).
    const ImGuiStyle& style = ImGui::GetStyle();
    const float chrome = style.FramePadding.x * 2.0f + ImGui::GetFrameHeight() + 2.0f;
    auto fits = [&](const std::string& t, float room) { return ImGui::CalcTextSize(t.c_str()).x + chrome <= room; };
    std::string preview = value_text(f.chosen[k]);
    if (k < f.numbers.size() && f.numbers[k] && k < f.ranges.size() && f.ranges[k])  // a typed number
      preview = f.ranges[k]->size ? std::to_string(*f.numbers[k] / 1024) + " KB" : std::to_string(*f.numbers[k]);
    const float half = avail * 0.5f - style.ItemSpacing.x;
    const bool beside = ImGui::CalcTextSize(label.c_str()).x + indent <= half && fits(preview, half);
    if (beside) {
      ImGui::AlignTextToFramePadding();
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
      ImGui::TextUnformatted(label.c_str());
      ImGui::SameLine(avail * 0.5f + style.WindowPadding.x);
    } else {
      ImGui::Indent(indent);
      wrapped(label);
      ImGui::Unindent(indent);
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
    }
    const float combo_w = ImGui::GetContentRegionAvail().x;
    ImGuiComboFlags combo_flags = 0;
    std::string shown = preview;
    if (!fits(preview, combo_w)) {
      // Written out above a bare arrow: the value wrapped, then the marker.
      const std::string value = sim::fix_value_text(app.scenario, setting, f.chosen[k], lang);
      ImGui::Indent(indent);
      wrapped(value);
      if (f.chosen[k] == setting.current) ImGui::TextDisabled("%s", sim::fix_words("value.own_mark", lang).c_str());
      ImGui::Unindent(indent);
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
      combo_flags = ImGuiComboFlags_NoPreview;
      shown.clear();
    } else {
      ImGui::SetNextItemWidth(-1.0f);
    }
    if (ImGui::BeginCombo("##value", shown.c_str(), combo_flags)) {
      for (std::size_t v = 0; v < setting.values.size(); ++v)
        if (ImGui::Selectable(value_text(v).c_str(), f.chosen[k] == v && !(k < f.numbers.size() && f.numbers[k]))) {
          f.chosen[k] = v;
          if (k < f.numbers.size()) f.numbers[k].reset();  // a listed value again
        }
      ImGui::EndCombo();
    }
    // A numeric setting: any number in its range, typed or stepped with - and + (clamped to the
    // range; a size in KB). It replaces the listed value until one is picked again.
    if (k < f.ranges.size() && f.ranges[k] && k < f.numbers.size()) {
      const sim::FixRange& r = *f.ranges[k];
      const std::uint64_t unit = r.size ? 1024 : 1;
      const std::uint64_t lo = (r.min + unit - 1) / unit;
      const std::uint64_t hi = r.max / unit;
      const std::uint64_t listed = sim::fix_number(setting, setting.values[f.chosen[k]]).value_or(r.min);
      std::uint64_t n = (f.numbers[k] ? *f.numbers[k] : listed) / unit;
      ImGui::Indent(indent);
      const std::string hint = sim::fix_words(r.size ? "value.range_kb" : "value.range", lang,
                                              {{"min", std::to_string(lo)}, {"max", std::to_string(hi)}});
      // The hint and the input on one line when the input keeps room for the greatest number.
      const float input_w = ImGui::CalcTextSize(std::to_string(hi).c_str()).x + ImGui::GetFrameHeight() * 2.0f +
                            style.FramePadding.x * 2.0f + style.ItemInnerSpacing.x * 2.0f + fs;
      if (ImGui::CalcTextSize(hint.c_str()).x + style.ItemSpacing.x + input_w <= ImGui::GetContentRegionAvail().x) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(hint.c_str());
        ImGui::SameLine();
      } else {
        wrapped(hint);
      }
      ImGui::SetNextItemWidth(-1.0f);
      const std::uint64_t step = std::max<std::uint64_t>(1, r.step / unit);
      const std::uint64_t step_fast = step * 10;
      if (ImGui::InputScalar("##number", ImGuiDataType_U64, &n, &step, &step_fast, "%llu")) {
        n = std::clamp(n, lo, std::max(lo, hi));
        f.numbers[k] = n * unit;
      }
      ImGui::Unindent(indent);
    }
    ImGui::PopID();
  }
  ImGui::Spacing();
  const bool out_of_tries = f.tries.size() >= sim::kMaxFixTries;
  if (out_of_tries) ImGui::BeginDisabled();
  if (ImGui::Button(sim::fix_words("fix.try", lang).c_str(), ImVec2(fs * 6.0f, 0.0f))) {
    f.error.clear();
    if (!run_fix_try(app, f.error) && f.error.empty()) f.error = "?";
  }
  if (out_of_tries) ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextUnformatted(sim::fix_words("fix.tries", lang, {{"n", std::to_string(f.tries.size())}}).c_str());
  if (!f.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(0xB3261E)));
    wrapped(f.error);
    ImGui::PopStyleColor();
  }
  if (f.grade) {
    const auto& g = *f.grade;
    ImGui::Spacing();
    // The completion as a bar, as Packet Tracer shows it.
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram,
                          ImGui::ColorConvertU32ToFloat4(theme::rgb(g.complete() ? 0x2E7D32 : 0xE0A030)));
    const std::string overlay = std::to_string(g.percent) + "%";
    ImGui::ProgressBar(static_cast<float>(g.percent) / 100.0f, ImVec2(-1.0f, fs * 1.6f), overlay.c_str());
    ImGui::PopStyleColor();
    wrapped(sim::fix_completion(g, lang));
    if (g.complete()) {
      ImGui::PushFont(app.fonts.large);
      wrapped(sim::fix_words("fix.done", lang));
      ImGui::PopFont();
    } else {
      const sim::Trace* trace = app.session.run().trace.records().size() == app.model.records().size()
                                    ? &app.session.run().trace
                                    : nullptr;
      const auto failing = sim::fix_failing(app.scenario, g, trace, lang);
      if (!failing.empty()) {
        ImGui::TextDisabled("%s", sim::fix_words("fix.still_failing", lang).c_str());
        for (const auto& line : failing) wrapped("- " + line);
      }
    }
  }
  // After a new try, its result is scrolled into view (the settings above may be taller than the window).
  const ImGuiID scrolled_id = ImGui::GetID("##result_shown_for");
  if (ImGui::GetStateStorage()->GetInt(scrolled_id, 0) != static_cast<int>(f.tries.size())) {
    ImGui::SetScrollHereY(1.0f);
    ImGui::GetStateStorage()->SetInt(scrolled_id, static_cast<int>(f.tries.size()));
  }
  ImGui::Spacing();
  if (!f.tries.empty() && ImGui::Button(app.tr("challenge.save_csv"))) {
    const std::string lesson = app.scenario.name.empty() ? "lesson" : app.scenario.name;
    const std::filesystem::path dir =
        app.export_files.dir.empty() ? std::filesystem::path(default_export_dir()) : std::filesystem::path(app.export_files.dir);
    const auto file = dir / ("mailsim-" + lesson + "-fix" + (f.student.empty() ? "" : "-" + f.student) + ".csv");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::ofstream out(file, std::ios::binary);
    out << sim::fix_csv(f.student, lesson, sim::student_seed(f.student), f.tries);
    out.close();
    f.saved_csv = out ? file.string() : std::string(app.tr("challenge.save_failed"));
    if (out && app.export_files.deliver) app.export_files.deliver(file.string());
  }
  if (!f.tries.empty()) ImGui::SameLine();
  if (ImGui::Button(app.tr("bar.challenge_stop"))) f.active = false;
  if (!f.saved_csv.empty()) ImGui::TextDisabled("%s", f.saved_csv.c_str());
  ImGui::PopTextWrapPos();
  ImGui::End();
}

}  // namespace mailsim::gui::panels
