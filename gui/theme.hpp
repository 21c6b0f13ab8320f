// Colours and style: a light palette readable on a projector, packet colours from the
// Okabe-Ito set (distinguishable with the common colour-vision deficiencies).
#pragma once
#include <imgui.h>

#include "gui/model/classify.hpp"

namespace mailsim::gui::theme {

constexpr ImU32 rgb(unsigned hex, unsigned alpha = 255) {
  return IM_COL32((hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, alpha);
}

inline constexpr unsigned kInk = 0x1F2328;        // main text
inline constexpr unsigned kInkSoft = 0x57606A;    // secondary text
inline constexpr unsigned kMapBg = 0xFBFBF8;
inline constexpr unsigned kAccessFill = 0xE4EEF8;
inline constexpr unsigned kAccessLine = 0x5B7FA6;
inline constexpr unsigned kDcFill = 0xE5F1E8;
inline constexpr unsigned kDcLine = 0x4F8A66;
inline constexpr unsigned kNetFill = 0xEFEFEF;    // the Internet and other regions
inline constexpr unsigned kNetLine = 0x8C8C8C;
inline constexpr unsigned kLink = 0xA5A9AE;
inline constexpr unsigned kHalo = 0xF0E442;       // the acting host
inline constexpr unsigned kSelect = 0x0072B2;     // the selected host's frame
inline constexpr unsigned kBlock = 0xD55E00;      // policy blocks
inline constexpr unsigned kIconBody = 0x3C4650;
inline constexpr unsigned kIconScreen = 0xBFD9EE;
inline constexpr unsigned kBubbleFill = 0xFFFFFF;
inline constexpr unsigned kClient = 0x0B5394;     // transcript C: lines
inline constexpr unsigned kServer = 0x1E6B3A;     // transcript S: lines

ImU32 packet_colour(PacketClass c, unsigned alpha = 255);

// Applies the style for a UI scale (spacing, rounding, colours).
void apply_style(float ui_scale);

}  // namespace mailsim::gui::theme
