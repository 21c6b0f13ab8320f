// Font loading: Latin font plus merged Japanese glyphs, at the UI scale (assets/fonts.json).
#pragma once
#include <filesystem>

#include "gui/app_state.hpp"

namespace mailsim::gui {

// Rebuilds io.Fonts for app.ui_scale and fills app.fonts. The caller re-creates the GL
// texture afterwards when a renderer is running.
void load_fonts(AppState& app, const std::filesystem::path& assets_dir);

}  // namespace mailsim::gui
