// Transcript: the protocol lines of each connection so far, as C: and S: lines; hovering a
// reply explains its code (SMTP reply and enhanced status codes, POP3 +OK/-ERR).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

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

// What a transcript line shows: "C: text" or "S: text", and "   <" on the current line.
std::string shown_text(const TranscriptLine& line, bool now) {
  std::string s = line.from_client ? "C: " : "S: ";
  s += line.text;
  if (now) s += "   <";
  return s;
}

// The size of every transcript line in the current font, for laying out the panel without
// measuring text every frame. Unwrapped sizes do not depend on the panel's width; when the
// width changes only lines wider than it are measured again, wrapped. Rebuilt when the trace
// model or the font changes (one cache: there is one transcript panel).
struct LineSizes {
  const void* model = nullptr;  // what it was built for
  const void* records = nullptr;
  std::size_t connections = 0;
  const ImFont* font = nullptr;
  float font_size = 0.0f;
  std::vector<std::vector<ImVec2>> size;  // [connection][line], unwrapped
  // At wrap width `wrap_w`: below[c][k] is the height of lines 0..k-1 of connection c.
  float wrap_w = -1.0f;
  std::vector<std::vector<float>> below;
};

LineSizes& unwrapped_sizes(const AppState& app) {
  static LineSizes cache;
  const auto& conns = app.model.connections();
  bool fresh = cache.model == &app.model && cache.records == app.model.records().data() &&
               cache.connections == conns.size() && cache.font == ImGui::GetFont() &&
               cache.font_size == ImGui::GetFontSize();
  for (std::size_t c = 0; fresh && c < conns.size(); ++c) fresh = cache.size[c].size() == conns[c].lines.size();
  if (fresh) return cache;
  cache.model = &app.model;
  cache.records = app.model.records().data();
  cache.connections = conns.size();
  cache.font = ImGui::GetFont();
  cache.font_size = ImGui::GetFontSize();
  cache.size.assign(conns.size(), {});
  cache.wrap_w = -1.0f;
  for (std::size_t c = 0; c < conns.size(); ++c) {
    auto& sizes = cache.size[c];
    sizes.reserve(conns[c].lines.size());
    for (const auto& line : conns[c].lines) sizes.push_back(ImGui::CalcTextSize(shown_text(line, false).c_str()));
  }
  return cache;
}

// The sizes with the heights at this wrap width (only lines wider than it are measured again).
const LineSizes& line_sizes(const AppState& app, float wrap_w) {
  LineSizes& cache = unwrapped_sizes(app);
  if (cache.wrap_w == wrap_w) return cache;
  cache.wrap_w = wrap_w;
  const auto& conns = app.model.connections();
  cache.below.assign(conns.size(), {});
  for (std::size_t c = 0; c < conns.size(); ++c) {
    auto& below = cache.below[c];
    below.reserve(conns[c].lines.size() + 1);
    below.push_back(0.0f);
    for (std::size_t k = 0; k < conns[c].lines.size(); ++k) {
      const ImVec2 unwrapped = cache.size[c][k];
      const float h = unwrapped.x <= wrap_w
                          ? unwrapped.y
                          : ImGui::CalcTextSize(shown_text(conns[c].lines[k], false).c_str(), nullptr, false, wrap_w).y;
      below.push_back(below.back() + h);
    }
  }
  return cache;
}

}  // namespace

void transcript(AppState& app) {
  const auto cur = app.view.current;
  const auto& conns = app.model.connections();
  bool any = false;
  for (const auto& ci : conns) {
    if (!ci.lines.empty() && cur && ci.lines.front().record <= *cur) {
      any = true;
      break;
    }
  }
  if (!any) {
    ImGui::TextWrapped("%s", app.tr("transcript.empty"));
    return;
  }
  if (!app.headless) ImGui::TextDisabled("%s", app.tr("transcript.hover"));

  // Lay everything out (positions from the cached sizes) but draw only what is in view: a
  // large trace has thousands of connections and hundreds of thousands of lines.
  const float head_h = ImGui::GetFrameHeight();
  const float step = ImGui::GetStyle().ItemSpacing.y;
  const float marker_w = ImGui::CalcTextSize("   <").x;
  const float wrap_w = std::max(ImGui::GetContentRegionAvail().x, 1.0f);
  const LineSizes& sizes = line_sizes(app, wrap_w);
  const float view_top = ImGui::GetScrollY();
  const float view_bottom = view_top + ImGui::GetWindowHeight();
  const float x0 = ImGui::GetCursorPosX();
  float y = ImGui::GetCursorPosY();
  for (std::size_t c = 0; c < conns.size(); ++c) {
    const auto& ci = conns[c];
    if (ci.lines.empty() || ci.lines.front().record > *cur) continue;
    ImGui::PushID(static_cast<int>(ci.conn));
    // The header keeps its open state under an id that does not depend on the language.
    bool open = ImGui::GetStateStorage()->GetInt(ImGui::GetID("###head"), 1) != 0;
    if (y + head_h >= view_top && y <= view_bottom) {
      std::string head = std::string(app.tr("transcript.connection")) + " " + std::to_string(ci.conn) + ": " +
                         app.host_name(ci.client) + " -> " + app.host_name(ci.server);
      if (ci.port != 0) head += " (" + std::string(app.tr("transcript.port")) + " " + std::to_string(ci.port) + ")";
      head += "###head";
      ImGui::SetCursorPos(ImVec2(x0, y));
      open = ImGui::CollapsingHeader(head.c_str(), ImGuiTreeNodeFlags_DefaultOpen);
    }
    y += head_h + step;
    if (open) {
      // The lines shown so far (they are in record order).
      const auto shown_end = std::upper_bound(ci.lines.begin(), ci.lines.end(), *cur,
                                              [](std::size_t r, const TranscriptLine& l) { return r < l.record; });
      const auto n = static_cast<std::size_t>(shown_end - ci.lines.begin());
      // The current line carries a marker that may make it wrap once more.
      const auto& below = sizes.below[c];
      auto height = [&](std::size_t k) {
        const auto& line = ci.lines[k];
        float h = below[k + 1] - below[k];
        if (line.record == *cur && sizes.size[c][k].x + marker_w > wrap_w) {
          h = ImGui::CalcTextSize(shown_text(line, true).c_str(), nullptr, false, wrap_w).y;
        }
        return h + step;
      };
      const float block = n == 0 ? 0.0f : below[n - 1] + step * static_cast<float>(n - 1) + height(n - 1);
      if (y + block < view_top || y > view_bottom) {
        y += block;
        ImGui::PopID();
        continue;
      }
      for (std::size_t k = 0; k < n; ++k) {
        const auto& line = ci.lines[k];
        const bool now = line.record == *cur;
        const float h = height(k);
        if (y + h < view_top || y > view_bottom) {
          y += h;
          continue;
        }
        ImGui::SetCursorPos(ImVec2(x0, y));
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(
                                                 theme::rgb(line.from_client ? theme::kClient : theme::kServer)));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(shown_text(line, now).c_str());
        ImGui::PopTextWrapPos();
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
        y += h;
      }
    }
    ImGui::PopID();
  }
  // The scroll range covers everything laid out, drawn or not.
  ImGui::SetCursorPos(ImVec2(x0, y));
  ImGui::Dummy(ImVec2(0.0f, 0.0f));
}

}  // namespace mailsim::gui::panels
