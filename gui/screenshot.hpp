// Reads the framebuffer after rendering and writes it as a PNG (stb_image_write).
#pragma once
#include <string>

namespace mailsim::gui {

// Reads width x height RGBA pixels of the current GL read buffer, flips them to top-down
// rows and writes a PNG. Returns false with an error message on failure.
bool write_framebuffer_png(const std::string& path, int width, int height, std::string& error);

}  // namespace mailsim::gui
