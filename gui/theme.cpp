// The GUI's palette and ImGui style.
#include "gui/theme.hpp"

namespace mailsim::gui::theme {

ImU32 packet_colour(PacketClass c, unsigned alpha) {
  switch (c) {
    case PacketClass::TcpControl: return rgb(0x6B6B6B, alpha);
    case PacketClass::Smtp: return rgb(0x0072B2, alpha);
    case PacketClass::Pop3: return rgb(0xE69F00, alpha);
    case PacketClass::Imap: return rgb(0x009E73, alpha);
    case PacketClass::Dns: return rgb(0xCC79A7, alpha);
    case PacketClass::OtherData: return rgb(0x56B4E9, alpha);
  }
  return rgb(0x6B6B6B, alpha);
}

void apply_style(float ui_scale) {
  ImGuiStyle style;
  ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.TabRounding = 4.0f;
  style.WindowBorderSize = 1.0f;
  style.FramePadding = ImVec2(8.0f, 5.0f);
  style.ItemSpacing = ImVec2(10.0f, 7.0f);
  style.WindowPadding = ImVec2(10.0f, 8.0f);
  style.CellPadding = ImVec2(6.0f, 3.0f);
  style.ScrollbarSize = 16.0f;
  style.GrabMinSize = 14.0f;
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(rgb(kInk));
  c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(rgb(kInkSoft));
  c[ImGuiCol_WindowBg] = ImVec4(0.965f, 0.965f, 0.955f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.86f, 0.90f, 0.95f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.74f, 0.84f, 0.95f, 1.0f);
  c[ImGuiCol_ButtonActive] = ImVec4(0.60f, 0.76f, 0.93f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.80f, 0.88f, 0.97f, 1.0f);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.74f, 0.84f, 0.95f, 1.0f);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(0.0f, 0.0f, 0.0f, 0.035f);
  style.ScaleAllSizes(ui_scale);
  ImGui::GetStyle() = style;
}

}  // namespace mailsim::gui::theme
