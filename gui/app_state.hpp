// Everything the panels share: the scenario, the trace model, the player's clock and UI state.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "gui/model/map_place.hpp"
#include "gui/model/analogy.hpp"
#include "gui/model/challenge.hpp"
#include "gui/model/key_queue.hpp"
#include "gui/model/sequence.hpp"
#include "gui/model/session.hpp"
#include "gui/model/story.hpp"
#include "gui/model/strings.hpp"
#include "gui/model/world_view.hpp"
#include "sim/scenario/lessons.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/words/student.hpp"

namespace mailsim::gui {

struct Fonts {
  ImFont* regular = nullptr;
  ImFont* large = nullptr;   // narration
  bool japanese = false;     // Japanese glyphs were loaded
  std::string latin_file;    // what was loaded, for the log
  std::string japanese_file;
};

enum class Tab { Events, Sequence, Transcript, Inspector };

struct EventTableCache;  // gui/panels/event_table.cpp
struct WordedRecords;    // gui/panels/event_table.cpp
struct SequenceCache;    // gui/panels/sequence.cpp
struct TranscriptCache;  // gui/panels/transcript.cpp

// The Lessons window (gui/panels/picker.cpp).
struct PickerState {
  bool open = false;
  bool listed = false;              // the library was read (once, when first shown)
  std::vector<sim::Lesson> lessons;
  std::string dir;                  // where they were found (empty: none)
  int selected = -1;                // index into lessons
  bool scroll_to_selected = false;  // bring the open lesson into view once
  std::string path;                 // the "Open a file" field
  std::string error;                // the loader's messages for the last failed open
};

// Compose: the outgoing settings in the form, for the lesson/device/account they were filled
// in for (refilled from the account when that changes).
struct SmtpForm {
  std::string key;  // scenario file + device + account
  std::string server;
  int port = 587;
  bool auth = true;
  std::string tls = "starttls";
};

// The Compose and Check mail windows (gui/panels/compose.cpp).
struct ComposeState {
  bool open = false;
  bool check_open = false;
  std::string device;               // the form is filled in for this device
  int account = 0;
  std::string to, subject, body;
  SmtpForm smtp;                    // how this message is sent
  std::string check_device;
  int check_account = 0;
  std::string error;                // why the last command was refused
};

// The network map's own state (gui/panels/network_map.cpp): the user's moves, a drag in
// progress, and wrapped labels remembered between frames.
struct MapState {
  LayoutMoves moves;  // kept while the same file is re-run (install_run), applied to model's layout
  enum class Drag { None, Pan, Host, Network } drag = Drag::None;
  std::string drag_id;  // the host or network being dragged
  Vec2 grab;            // world offset from the mouse to the dragged host's centre / region's corner
  bool dragged = false; // the press moved past ImGui's drag threshold (not a click)
  struct Line {
    std::string text;
    ImVec2 size;
  };
  // break_lines() with each line's size, per (font, size, width, glyph count, text).
  std::unordered_map<std::string, std::vector<Line>> wrapped;
  // What the last frame put where (icons, labels, badges, pills, the bubble): the overlap
  // check of the screenshot modes (--check-overlaps) reads it.
  MapPlacement placed;
  // What the run's packets are (bit k: PacketClass k; then blocked, TLS), for a short legend.
  std::uint64_t legend_run = ~std::uint64_t{0};
  unsigned legend_kinds = 0;
};

// The Export window (gui/panels/export.cpp) and the inspector's "Save as .eml".
struct ExportState {
  bool open = false;
  std::string dir;                   // where files go (default_export_dir() when first shown)
  std::string mailbox;               // USER@DOMAIN for the mbox button
  std::vector<std::string> written;  // what the last export wrote
  std::string error;                 // why the last export failed
  std::string saved_letter;          // the Letter key the inspector last saved
  std::vector<std::string> press;    // buttons to press in the next frame (--export), then cleared
  // Where a file cannot be left in a folder for the user (the web page): each file an export or
  // the challenge's CSV wrote is handed to this, which offers it as a download. Empty on the
  // desktop, where the files stay where they were written.
  std::function<void(const std::string& path)> deliver;
};

struct AppState {
  sim::Scenario scenario;
  TraceModel model;
  std::uint64_t run_serial = 0;  // counts install_run calls: caches built for one run compare it
  StringTable en;
  StringTable ja;
  StringTable analogy_en;  // assets/analogy/LANG.json: the post-office situations
  StringTable analogy_ja;
  std::map<std::string, Station, std::less<>> stations;  // situation key -> station of the scene
  StoryIndex story;         // meaningful record and situation per record
  SequenceModel sequence;   // lanes and arrows of the sequence diagram
  // Where each of the scenario's narration steps happened (RunResult::narration), in order.
  std::vector<sim::NarrationMatch> narration;
  // A live bridge (`mailsim gui --bridge`): the real client's steps, which the narration strip
  // tells the student ("Your mail program logged in with SMTP AUTH ..."); empty otherwise.
  sim::StudentStory student;
  std::string lang = "en";

  // The scenario file as loaded, the user's actions (Compose, Check mail) and their run.
  Session session;
  PickerState picker;
  ComposeState compose;
  ExportState export_files;
  std::string status_key;     // the last command's outcome for the top bar ("compose.sent")
  std::optional<sim::BudgetStop> budget_stop;  // the run ran out of its budget: the top bar says why
  sim::Time status_time = 0;  // its {time}

  // The player's clock: playback seconds on the teaching pace (never simulation state).
  double playback = 0.0;
  bool playing = false;
  float speed = 1.0f;
  WorldView view;  // rebuilt each frame from `playback`

  KeyQueue keys;  // key presses since the last frame (panels::install_key_queue)
  ChallengeState challenge;  // challenge mode: the questions and the student's answers
  FixChallengeState fix;     // challenge mode (c): fix the broken setup

  std::string selected_host;
  std::optional<std::size_t> selected_packet;  // Inspector: a packet opened layer by layer (a record)
  std::optional<std::size_t> scrolled_exchange_for;  // the exchange table last scrolled at this record
  std::string selected_letter;  // Inspector: the message shown (a Letter key of model.mail()); empty: the host
  std::optional<Tab> switch_to_tab;  // set by a click, consumed by the tab bar
  std::string filter;
  std::string filter_protocol;             // event table: only this protocol ("smtp"; empty: all)
  std::string filter_host;                 // event table: only records at or with this host id (empty: all)
  bool show_states = false;                // event table: also the protocol engines' state changes
  std::optional<std::size_t> scrolled_to;  // the event table follows the current record
  std::string scrolled_for;                // ... under these filters (a change scrolls again)
  int follow_frames = 0;                   // event table: frames left to (re)apply its scroll; -1: check
  // Records worded for people in the current language (worded_record), kept per run.
  std::shared_ptr<WordedRecords> worded;
  // Panel caches rebuilt when the run, font or width changes (defined in their panel's file).
  std::shared_ptr<EventTableCache> event_table_cache;
  std::shared_ptr<SequenceCache> sequence_cache;
  std::shared_ptr<TranscriptCache> transcript_cache;

  float seq_zoom = 1.0f;            // sequence diagram: 1 = the whole playback fits the panel
  double seq_followed = -1.0;      // the playback second the diagram last scrolled to
  std::optional<std::size_t> transcript_followed;  // the transcript last scrolled for this record
  bool seq_auto = true;             // sequence diagram: zoomed to the exchange in force (the default)
  std::optional<std::size_t> seq_span_for;  // ... as found for this record (a change zooms again)
  std::optional<Tab> start_tab;    // --tab: the tab shown first (screenshots of a given tab)
  float zoom = 1.0f;
  ImVec2 pan{0.0f, 0.0f};
  MapState map;  // network map: moves, drag, label cache
  float ui_scale = 1.0f;       // the user's text size (--scale, Ctrl+= / Ctrl+-, the monitor's DPI)
  float window_scale = 1.0f;   // the window's own (gui/model/screen_layout: 1920x1080 is 1.5)
  float content_scale = 1.0f;  // the monitor's DPI scale taken into ui_scale (the window grew with it)
  bool presenter = false;      // the presenter layout: map, narration and scene only (F5)
  // Set by each frame's layout: the screen is short for its text (1280x720 at --scale 2), so the
  // chrome is compact: the time controls on one row, no packet line under the narration, the
  // post-office scene as its caption only (gui/model/screen_layout).
  bool compact = false;
  bool scene_shown = true;  // false: a compact map too short for the scene's strip (1024x640 at 2)
  // Also set by each frame's layout: where windows over the layout may stand (between the
  // narration and the time controls: a challenge's question never covers either), and the two
  // strips themselves, for the layout check.
  Rect over_area;
  Rect narration_rect;
  // Set by the narration panel: how much taller than the layout's strip its text needs to be
  // whole at the least type (the next frame's layout grows the strip by it, the map gives way),
  // and whether the text shown still had to be cut short ("...": a layout problem).
  float narration_grow = 0.0f;
  bool narration_cut = false;
  // The time controls' items that ran past the screen's or the window's right side this frame
  // (the layout check fails on any).
  std::string controls_cut;
  Rect controls_rect;
  // The challenge window as drawn in the last frame (empty when none is open).
  Rect challenge_rect;
  // The type's scale: the user's times the window's, at most kMaxTextScale (the font atlas of
  // a larger one, with its Japanese glyphs, would not fit a texture).
  static constexpr float kMaxTextScale = 3.0f;
  float text_scale() const { return ui_scale * window_scale < kMaxTextScale ? ui_scale * window_scale : kMaxTextScale; }
  bool rebuild_fonts = false;
  Fonts fonts;
  bool headless = false;  // screenshot mode: no hover effects, no hints

  bool japanese() const { return lang == "ja" && fonts.japanese; }
  const StringTable& strings() const { return japanese() ? ja : en; }
  const char* tr(std::string_view key) const { return strings().get(key).c_str(); }
  const StringTable& analogy() const { return japanese() ? analogy_ja : analogy_en; }
  Station station_of(std::string_view key) const {
    auto it = stations.find(key);
    return it == stations.end() ? Station::None : it->second;
  }
  std::string host_name(const std::string& id) const {
    if (const auto* h = model.layout().host(id)) {
      return japanese() && !h->name_ja.empty() ? h->name_ja : h->name;
    }
    return id;
  }
  std::string title() const {
    const auto& t = scenario.title.in(japanese() ? "ja" : "en");
    return t.empty() ? std::string(tr("app.no_title")) : t;
  }
  void seek(double p) {
    playback = std::clamp(p, 0.0, model.pace().duration());
  }
};

// Record `i` of app.model in words for people (sim::describe_record with the scenario's display
// names) in the current language; worded when first asked for, then kept for the run and
// language (defined in gui/panels/event_table.cpp; the inspector and sequence diagram use it too).
const std::string& worded_record(AppState& app, std::size_t i);

}  // namespace mailsim::gui
