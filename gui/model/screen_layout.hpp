// Where the panels of the main window go, for any window size and text scale: the map and
// the narration keep priority; the post-office scene and the tabs give way (the tabs are
// left out when they would be too narrow to read, as in the presenter layout).
#pragma once
#include "gui/model/geometry.hpp"

namespace mailsim::gui {

// Sizes of the type and widgets at the current scale (pixels).
struct ScreenMetrics {
  float font = 17.0f;        // the regular type
  float large = 22.0f;       // the narration's type
  float frame = 23.0f;       // a button's height
  float spacing = 4.0f;      // between items
  float padding = 8.0f;      // inside a window
};

enum class ScreenMode {
  Full,       // map, scene, narration, tabs (events, sequence, transcript, inspector), controls
  Presenter,  // for a projector: map, narration and scene only (the scene under or beside the map)
};

struct ScreenLayout {
  Rect toolbar;
  Rect narration;
  Rect map;
  Rect analogy;
  Rect side;              // empty when the tabs are left out
  Rect controls;
  bool side_shown = true;
  bool presenter = false;  // laid out as the presenter layout (asked for, or the tabs had no room)
  // A screen shorter than kCompactEm lines of text (1280x720 at scale 2: 21): the controls on
  // one row, the narration without its packet line, the scene as a strip with its caption only,
  // so that the map keeps most of the height.
  bool compact = false;
  bool analogy_shown = true;  // false: a compact map too short to give the scene its strip
};

// A compact screen keeps at least this many lines of text for the map before the scene's strip.
constexpr float kCompactMapEm = 10.0f;

// 26: 1024x640 at scale 1.5 (25 lines) and 1280x720 at 1.75 (24) are compact too, so the map
// keeps room to name its hosts; 1280x720 at 1.5 (28) keeps the scene's drawing.
constexpr float kCompactEm = 26.0f;

// The tabs need this many em of width to be read; below it the presenter layout is used.
constexpr float kSideMinEm = 24.0f;

ScreenLayout plan_screen(float width, float height, const ScreenMetrics& m, ScreenMode mode);

// The text scale a window of this size gets on its own, so that a projector or a 4K screen
// shows the 1280x720 picture larger instead of more of it: min(w/1280, h/720), at least 1
// and at most 3. The user's scale (--scale, Ctrl+=) multiplies it.
float window_scale(float width, float height);

}  // namespace mailsim::gui
