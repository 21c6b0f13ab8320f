// Framebuffer to PNG.
#include "gui/screenshot.hpp"

#include <cstdint>
#include <vector>

#include <GLFW/glfw3.h>  // GL 1.x declarations (glReadPixels) from the system GL headers
#include <stb_image_write.h>

namespace mailsim::gui {

bool write_framebuffer_png(const std::string& path, int width, int height, std::string& error) {
  if (width <= 0 || height <= 0) {
    error = "empty framebuffer";
    return false;
  }
  const auto w = static_cast<std::size_t>(width);
  const auto h = static_cast<std::size_t>(height);
  std::vector<std::uint8_t> pixels(w * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) {
    error = "glReadPixels failed";
    return false;
  }
  // OpenGL rows run bottom-up; PNG rows top-down. Opaque alpha.
  std::vector<std::uint8_t> flipped(pixels.size());
  for (std::size_t y = 0; y < h; ++y) {
    const auto* src = pixels.data() + (h - 1 - y) * w * 4;
    auto* dst = flipped.data() + y * w * 4;
    for (std::size_t x = 0; x < w * 4; x += 4) {
      dst[x] = src[x];
      dst[x + 1] = src[x + 1];
      dst[x + 2] = src[x + 2];
      dst[x + 3] = 255;
    }
  }
  if (stbi_write_png(path.c_str(), width, height, 4, flipped.data(), width * 4) == 0) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace mailsim::gui
