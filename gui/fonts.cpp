// Loads the fonts listed in assets/fonts.json (with built-in defaults when it is missing).
#include "gui/fonts.hpp"

#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace mailsim::gui {

namespace {

struct FontConfig {
  std::vector<std::string> latin{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"};
  std::vector<std::string> japanese{"/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf"};
  float size = 17.0f;
  float large_size = 22.0f;
};

FontConfig read_config(const std::filesystem::path& assets_dir) {
  FontConfig cfg;
  if (assets_dir.empty()) return cfg;
  std::ifstream in(assets_dir / "fonts.json");
  if (!in) return cfg;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::cerr << "mailsim: " << (assets_dir / "fonts.json").string() << " is not valid JSON; using defaults\n";
    return cfg;
  }
  auto list = [&](const char* key, std::vector<std::string>& out) {
    if (auto it = j.find(key); it != j.end() && it->is_array()) {
      out.clear();
      for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
  };
  list("latin", cfg.latin);
  list("japanese", cfg.japanese);
  if (auto it = j.find("size"); it != j.end() && it->is_number()) cfg.size = it->get<float>();
  if (auto it = j.find("large_size"); it != j.end() && it->is_number()) cfg.large_size = it->get<float>();
  return cfg;
}

std::string first_existing(const std::vector<std::string>& files) {
  for (const auto& f : files) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec)) return f;
  }
  return {};
}

// Latin-1 plus the punctuation and arrows our texts use (em dash, ellipsis, curly quotes,
// bullet, "->" as an arrow); ImGui's default range stops at U+00FF.
constexpr ImWchar kLatinRanges[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2212, 0x2212, 0};

ImFont* add_font(const std::string& latin, const std::string& japanese, float size) {
  ImGuiIO& io = ImGui::GetIO();
  ImFont* font = nullptr;
  if (!latin.empty()) {
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    font = io.Fonts->AddFontFromFileTTF(latin.c_str(), size, &cfg, kLatinRanges);
  }
  if (!font) {
    ImFontConfig cfg;
    cfg.SizePixels = size;
    font = io.Fonts->AddFontDefault(&cfg);
  }
  if (!japanese.empty()) {
    ImFontConfig cfg;
    cfg.MergeMode = true;
    cfg.OversampleH = 1;
    cfg.PixelSnapH = true;
    io.Fonts->AddFontFromFileTTF(japanese.c_str(), size, &cfg, io.Fonts->GetGlyphRangesJapanese());
  }
  return font;
}

}  // namespace

void load_fonts(AppState& app, const std::filesystem::path& assets_dir) {
  const FontConfig cfg = read_config(assets_dir);
  const std::string latin = first_existing(cfg.latin);
  const std::string japanese = first_existing(cfg.japanese);
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const float scale = app.text_scale();
  app.fonts.regular = add_font(latin, japanese, std::round(cfg.size * scale));
  app.fonts.large = add_font(latin, japanese, std::round(cfg.large_size * scale));
  app.fonts.japanese = !japanese.empty();
  app.fonts.latin_file = latin;
  app.fonts.japanese_file = japanese;
  io.FontDefault = app.fonts.regular;
  io.Fonts->Build();
}

}  // namespace mailsim::gui
