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

namespace mailsim::gui {

// The transcript's layout, so a frame measures no text and visits only the connections in
// view (a large trace has ten thousand connections and hundreds of thousands of lines):
// - per run and font: every line's unwrapped size, its record, flat over all connections;
// - per wrap width: the height of the lines before each line (only lines wider than the
//   panel are measured again, wrapped);
// - per moment (current record): which connections are listed, where each starts and how
//   many of its lines are shown.
// Header open states are read from ImGui once per run, then followed as the user clicks.
struct TranscriptCache {
  std::uint64_t run = 0;
  const void* records = nullptr;
  const ImFont* font = nullptr;
  float font_size = 0.0f;
  std::vector<std::size_t> offset;    // connection c's lines are [offset[c], offset[c + 1])
  std::vector<std::size_t> record;    // per line: its record
  std::vector<ImVec2> size;           // per line: unwrapped size
  std::vector<std::size_t> first;     // per connection: its first line's record (max: none)
  std::vector<std::uint8_t> closed;   // per connection: the user closed its header
  std::size_t earliest = static_cast<std::size_t>(-1);  // the first line's record

  float wrap_w = -1.0f;
  std::vector<float> below;           // per line of c, at offset[c] + c + k: height of lines 0..k-1

  bool placed = false;                // the per-moment part below is valid for `at`, `place_w`, ...
  std::size_t at = 0;
  float place_w = -1.0f;
  float head_h = 0.0f;
  float step = 0.0f;
  float marker_w = 0.0f;
  std::vector<std::size_t> listed;    // connections with at least one line shown, in order
  std::vector<std::size_t> shown;     // lines shown of each
  std::vector<float> top;             // y of each one's header, from the first one's
  float height = 0.0f;                // of everything listed
};

}  // namespace mailsim::gui

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

// The header's id (as CollapsingHeader makes it under PushID(conn)): language-independent.
ImGuiID head_id(std::uint64_t conn) {
  ImGui::PushID(static_cast<int>(conn));
  const ImGuiID id = ImGui::GetID("###head");
  ImGui::PopID();
  return id;
}

// The per-run part: line sizes and records, flat; open states as ImGui keeps them.
void measure_lines(const AppState& app, TranscriptCache& c) {
  const auto& conns = app.model.connections();
  const bool fresh = c.run == app.run_serial && c.records == &app.model.records() &&
                     c.offset.size() == conns.size() + 1 && c.font == ImGui::GetFont() &&
                     c.font_size == ImGui::GetFontSize();
  if (fresh) return;
  c.run = app.run_serial;
  c.records = &app.model.records();
  c.font = ImGui::GetFont();
  c.font_size = ImGui::GetFontSize();
  c.offset.assign(1, 0);
  c.record.clear();
  c.size.clear();
  c.first.clear();
  c.closed.clear();
  c.earliest = static_cast<std::size_t>(-1);
  for (const auto& ci : conns) {
    for (const auto& line : ci.lines) {
      c.record.push_back(line.record);
      c.size.push_back(ImGui::CalcTextSize(shown_text(line, false).c_str()));
    }
    c.offset.push_back(c.record.size());
    c.first.push_back(ci.lines.empty() ? static_cast<std::size_t>(-1) : ci.lines.front().record);
    c.earliest = std::min(c.earliest, c.first.back());
    c.closed.push_back(ImGui::GetStateStorage()->GetInt(head_id(ci.conn), 1) == 0 ? 1 : 0);
  }
  c.wrap_w = -1.0f;
  c.placed = false;
}

// The per-width part: heights at this wrap width.
void wrap_lines(const AppState& app, TranscriptCache& c, float wrap_w) {
  if (c.wrap_w == wrap_w) return;
  c.wrap_w = wrap_w;
  c.placed = false;
  const auto& conns = app.model.connections();
  c.below.clear();
  c.below.reserve(c.record.size() + conns.size());
  for (std::size_t k = 0; k < conns.size(); ++k) {
    c.below.push_back(0.0f);
    for (std::size_t j = c.offset[k]; j < c.offset[k + 1]; ++j) {
      const ImVec2 unwrapped = c.size[j];
      const float h = unwrapped.x <= wrap_w ? unwrapped.y
                                            : ImGui::CalcTextSize(shown_text(conns[k].lines[j - c.offset[k]], false).c_str(),
                                                                  nullptr, false, wrap_w)
                                                  .y;
      c.below.push_back(c.below.back() + h);
    }
  }
}

// Height of line k of connection `conn` (with the spacing after it); the current line
// carries a marker that may make it wrap once more.
float line_height(const AppState& app, const TranscriptCache& c, std::size_t conn, std::size_t k, std::size_t cur) {
  const std::size_t j = c.offset[conn] + k;
  const float* below = &c.below[c.offset[conn] + conn];
  float h = below[k + 1] - below[k];
  if (c.record[j] == cur && c.size[j].x + c.marker_w > c.wrap_w) {
    h = ImGui::CalcTextSize(shown_text(app.model.connections()[conn].lines[k], true).c_str(), nullptr, false, c.wrap_w).y;
  }
  return h + c.step;
}

// The per-moment part: where each listed connection starts.
void place(const AppState& app, TranscriptCache& c, std::size_t cur, float head_h, float step, float marker_w) {
  if (c.placed && c.at == cur && c.place_w == c.wrap_w && c.head_h == head_h && c.step == step &&
      c.marker_w == marker_w)
    return;
  c.placed = true;
  c.at = cur;
  c.place_w = c.wrap_w;
  c.head_h = head_h;
  c.step = step;
  c.marker_w = marker_w;
  c.listed.clear();
  c.shown.clear();
  c.top.clear();
  float y = 0.0f;
  for (std::size_t k = 0; k < c.first.size(); ++k) {
    if (c.first[k] > cur) continue;
    c.listed.push_back(k);
    c.top.push_back(y);
    const auto lines_begin = c.record.begin() + static_cast<std::ptrdiff_t>(c.offset[k]);
    const auto lines_end = c.record.begin() + static_cast<std::ptrdiff_t>(c.offset[k + 1]);
    const auto n = static_cast<std::size_t>(std::upper_bound(lines_begin, lines_end, cur) - lines_begin);
    c.shown.push_back(n);
    y += head_h + step;
    if (!c.closed[k] && n > 0) {
      const float* below = &c.below[c.offset[k] + k];
      y += below[n - 1] + step * static_cast<float>(n - 1) + line_height(app, c, k, n - 1, cur);
    }
  }
  c.height = y;
}

}  // namespace

void transcript(AppState& app) {
  const auto cur = app.view.current;
  if (!app.transcript_cache) app.transcript_cache = std::make_shared<TranscriptCache>();
  TranscriptCache& c = *app.transcript_cache;
  measure_lines(app, c);
  if (!cur || *cur < c.earliest) {
    ImGui::TextWrapped("%s", app.tr("transcript.empty"));
    return;
  }
  if (!app.headless) ImGui::TextDisabled("%s", app.tr("transcript.hover"));

  // Lay everything out from the cache but draw only what is in view.
  const auto& conns = app.model.connections();
  const float head_h = ImGui::GetFrameHeight();
  const float step = ImGui::GetStyle().ItemSpacing.y;
  const float marker_w = ImGui::CalcTextSize("   <").x;
  const float wrap_w = std::max(ImGui::GetContentRegionAvail().x, 1.0f);
  wrap_lines(app, c, wrap_w);
  place(app, c, *cur, head_h, step, marker_w);
  const float view_top = ImGui::GetScrollY();
  const float view_bottom = view_top + ImGui::GetWindowHeight();
  const float x0 = ImGui::GetCursorPosX();
  const float y0 = ImGui::GetCursorPosY();
  // Follow the connection in force: when the moment changes, its latest line shown is
  // scrolled into view (a POP3 download at step 8 is not left below connection 1's lines).
  if (app.transcript_followed != cur) {
    app.transcript_followed = cur;
    const auto& recs = app.model.records();
    std::optional<std::size_t> in_force;  // index into c.listed
    std::size_t latest = 0;
    for (std::size_t i = 0; i < c.listed.size(); ++i) {
      const std::size_t k = c.listed[i];
      if (c.shown[i] == 0) continue;
      const std::size_t last = c.record[c.offset[k] + c.shown[i] - 1];
      const bool own = recs[*cur].conn != 0 && conns[k].conn == recs[*cur].conn;
      if (own || !in_force || last > latest) {
        in_force = i;
        latest = last;
        if (own) break;
      }
    }
    if (in_force) {
      const std::size_t i = *in_force;
      const std::size_t k = c.listed[i];
      float y = y0 + c.top[i];
      if (!c.closed[k]) {
        const float* below = &c.below[c.offset[k] + k];
        y += head_h + step + below[c.shown[i] - 1] + step * static_cast<float>(c.shown[i] - 1);
      }
      const float view_h = ImGui::GetWindowHeight();
      if (y < view_top + head_h || y > view_bottom - head_h * 2.0f)
        ImGui::SetScrollY(std::max(0.0f, y - view_h * 0.6f));
    }
  }
  // The first listed connection whose block reaches into view (blocks follow each other).
  std::size_t i = static_cast<std::size_t>(
      std::upper_bound(c.top.begin(), c.top.end(), view_top - y0) - c.top.begin());
  if (i > 0) --i;
  bool relayout = false;
  for (; i < c.listed.size(); ++i) {
    const std::size_t k = c.listed[i];
    float y = y0 + c.top[i];
    if (y > view_bottom) break;
    const auto& ci = conns[k];
    ImGui::PushID(static_cast<int>(ci.conn));
    bool open = !c.closed[k];
    if (y + head_h >= view_top) {
      std::string head = std::string(app.tr("transcript.connection")) + " " + std::to_string(ci.conn) + ": " +
                         app.host_name(ci.client) + " -> " + app.host_name(ci.server);
      if (ci.port != 0) head += " (" + std::string(app.tr("transcript.port")) + " " + std::to_string(ci.port) + ")";
      head += "###head";
      ImGui::SetCursorPos(ImVec2(x0, y));
      open = ImGui::CollapsingHeader(head.c_str(), ImGuiTreeNodeFlags_DefaultOpen);
      if (open == (c.closed[k] != 0)) {  // clicked: lay out again
        c.closed[k] = open ? 0 : 1;
        relayout = true;
      }
    }
    y += head_h + step;
    if (open) {
      const std::size_t n = c.shown[i];
      for (std::size_t line_k = 0; line_k < n; ++line_k) {
        const auto& line = ci.lines[line_k];
        const bool now = line.record == *cur;
        const float h = line_height(app, c, k, line_k, *cur);
        if (y + h < view_top || y > view_bottom) {
          y += h;
          if (y > view_bottom) break;
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
  if (relayout) c.placed = false;
  // The scroll range covers everything laid out, drawn or not.
  ImGui::SetCursorPos(ImVec2(x0, y0 + c.height));
  ImGui::Dummy(ImVec2(0.0f, 0.0f));
}

}  // namespace mailsim::gui::panels
