// Vector icons for the network map.
#include "gui/icons.hpp"

#include <algorithm>
#include <array>

#include "gui/theme.hpp"

namespace mailsim::gui::icons {

namespace {
using theme::rgb;

ImVec2 at(ImVec2 c, float s, float fx, float fy) { return ImVec2(c.x + fx * s, c.y + fy * s); }

void tower(ImDrawList* dl, ImVec2 c, float s, float dx) {
  const ImU32 body = rgb(theme::kIconBody);
  const ImU32 slot = rgb(0xD0D7DE);
  const ImVec2 a = at(c, s, dx - 0.26f, -0.46f);
  const ImVec2 b = at(c, s, dx + 0.26f, 0.46f);
  dl->AddRectFilled(a, b, body, 0.06f * s);
  for (int i = 0; i < 3; ++i) {
    const float y = -0.34f + 0.18f * static_cast<float>(i);
    dl->AddRectFilled(at(c, s, dx - 0.18f, y), at(c, s, dx + 0.18f, y + 0.08f), slot, 0.02f * s);
  }
  dl->AddCircleFilled(at(c, s, dx + 0.12f, 0.32f), 0.045f * s, rgb(0x7BD88F));
}

void badge(ImDrawList* dl, ImVec2 c, float s, const char* text, ImU32 fill) {
  ImFont* font = ImGui::GetFont();
  const float size = std::max(10.0f, 0.26f * s);
  const ImVec2 ts = font->CalcTextSizeA(size, 1e9f, 0.0f, text);
  const ImVec2 p0(c.x - ts.x * 0.5f - 0.06f * s, c.y - ts.y * 0.5f - 0.03f * s);
  const ImVec2 p1(c.x + ts.x * 0.5f + 0.06f * s, c.y + ts.y * 0.5f + 0.03f * s);
  dl->AddRectFilled(p0, p1, fill, 0.08f * s);
  dl->AddRect(p0, p1, rgb(0xFFFFFF), 0.08f * s, 0, 1.5f);
  dl->AddText(font, size, ImVec2(c.x - ts.x * 0.5f, c.y - ts.y * 0.5f), rgb(0xFFFFFF), text);
}
}  // namespace

void envelope(ImDrawList* dl, ImVec2 c, float s, ImU32 fill) {
  const float w = s * 0.5f;
  const float h = s * 0.34f;
  const ImVec2 a(c.x - w, c.y - h);
  const ImVec2 b(c.x + w, c.y + h);
  dl->AddRectFilled(a, b, fill, 0.08f * s);
  dl->AddRect(a, b, rgb(0xFFFFFF), 0.08f * s, 0, std::max(1.0f, s * 0.06f));
  dl->AddPolyline(std::array<ImVec2, 3>{ImVec2(a.x + 1, a.y + 1), ImVec2(c.x, c.y + h * 0.15f),
                                        ImVec2(b.x - 1, a.y + 1)}.data(),
                  3, rgb(0xFFFFFF), 0, std::max(1.0f, s * 0.06f));
}

void control_tag(ImDrawList* dl, ImVec2 c, float s, ImU32 fill) {
  const float r = s * 0.30f;
  dl->AddCircleFilled(c, r, fill, 20);
  dl->AddCircle(c, r, rgb(0xFFFFFF), 20, std::max(1.0f, s * 0.06f));
}

void padlock(ImDrawList* dl, ImVec2 c, float s, ImU32 colour) {
  const ImVec2 a(c.x - 0.32f * s, c.y - 0.05f * s);
  const ImVec2 b(c.x + 0.32f * s, c.y + 0.45f * s);
  dl->PathArcTo(ImVec2(c.x, c.y - 0.05f * s), 0.22f * s, 3.14159f, 2.0f * 3.14159f, 12);
  dl->PathStroke(colour, 0, std::max(1.5f, 0.11f * s));
  dl->AddRectFilled(a, b, colour, 0.06f * s);
  dl->AddCircleFilled(ImVec2(c.x, c.y + 0.2f * s), 0.07f * s, rgb(0xFFFFFF));
}

void cross(ImDrawList* dl, ImVec2 c, float s, ImU32 colour) {
  const float r = s * 0.5f;
  const float outline = std::max(5.0f, s * 0.30f);
  const float stroke = std::max(3.0f, s * 0.18f);
  for (int pass = 0; pass < 2; ++pass) {
    const ImU32 col = pass == 0 ? rgb(0xFFFFFF) : colour;
    const float w = pass == 0 ? outline : stroke;
    dl->AddLine(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), col, w);
    dl->AddLine(ImVec2(c.x - r, c.y + r), ImVec2(c.x + r, c.y - r), col, w);
  }
}

void router(ImDrawList* dl, ImVec2 c, float s, bool guarded) {
  const float r = s * 0.5f;
  dl->AddCircleFilled(c, r, rgb(0x57606A), 24);
  dl->AddCircle(c, r, rgb(0xFFFFFF), 24, 2.0f);
  // Four little arrows: a router forwards in every direction.
  const ImU32 w = rgb(0xFFFFFF);
  const float a = r * 0.55f;
  dl->AddLine(ImVec2(c.x - a, c.y), ImVec2(c.x + a, c.y), w, std::max(1.5f, s * 0.08f));
  dl->AddLine(ImVec2(c.x, c.y - a), ImVec2(c.x, c.y + a), w, std::max(1.5f, s * 0.08f));
  if (guarded) {
    // A shield above the router: this border applies rules.
    const ImVec2 sc(c.x, c.y - r * 1.9f);
    const float h = r * 0.9f;
    ImVec2 pts[5] = {ImVec2(sc.x - h * 0.8f, sc.y - h), ImVec2(sc.x + h * 0.8f, sc.y - h),
                     ImVec2(sc.x + h * 0.8f, sc.y), ImVec2(sc.x, sc.y + h), ImVec2(sc.x - h * 0.8f, sc.y)};
    dl->AddConvexPolyFilled(pts, 5, rgb(theme::kBlock));
    dl->AddPolyline(pts, 5, rgb(0xFFFFFF), ImDrawFlags_Closed, 1.5f);
  }
}

void host(ImDrawList* dl, std::string_view kind, ImVec2 c, float s) {
  const ImU32 body = rgb(theme::kIconBody);
  const ImU32 screen = rgb(theme::kIconScreen);
  if (kind == "pc") {
    dl->AddRectFilled(at(c, s, -0.50f, -0.42f), at(c, s, 0.50f, 0.22f), body, 0.06f * s);
    dl->AddRectFilled(at(c, s, -0.43f, -0.35f), at(c, s, 0.43f, 0.15f), screen, 0.03f * s);
    dl->AddRectFilled(at(c, s, -0.08f, 0.22f), at(c, s, 0.08f, 0.36f), body);
    dl->AddRectFilled(at(c, s, -0.30f, 0.36f), at(c, s, 0.30f, 0.44f), body, 0.03f * s);
  } else if (kind == "phone") {
    dl->AddRectFilled(at(c, s, -0.24f, -0.48f), at(c, s, 0.24f, 0.48f), body, 0.10f * s);
    dl->AddRectFilled(at(c, s, -0.19f, -0.38f), at(c, s, 0.19f, 0.32f), screen, 0.03f * s);
    dl->AddCircleFilled(at(c, s, 0.0f, 0.40f), 0.04f * s, screen);
  } else if (kind == "mail_server") {
    tower(dl, c, s, -0.12f);
    envelope(dl, at(c, s, 0.26f, 0.22f), 0.46f * s, theme::packet_colour(PacketClass::Smtp));
  } else if (kind == "dns_server") {
    tower(dl, c, s, -0.12f);
    badge(dl, at(c, s, 0.26f, 0.24f), s, "DNS", theme::packet_colour(PacketClass::Dns));
  } else if (kind == "server") {
    tower(dl, c, s, 0.0f);
  } else if (kind == "gateway") {
    dl->AddRectFilled(at(c, s, -0.50f, -0.10f), at(c, s, 0.50f, 0.30f), body, 0.08f * s);
    dl->AddLine(at(c, s, -0.30f, -0.10f), at(c, s, -0.38f, -0.45f), body, 0.07f * s);
    dl->AddLine(at(c, s, 0.30f, -0.10f), at(c, s, 0.38f, -0.45f), body, 0.07f * s);
    for (int i = 0; i < 4; ++i) {
      dl->AddCircleFilled(at(c, s, -0.30f + 0.2f * static_cast<float>(i), 0.10f), 0.045f * s, rgb(0x7BD88F));
    }
  } else if (kind == "observer") {
    // An eye.
    const int n = 16;
    for (int side = 0; side < 2; ++side) {
      for (int i = 0; i <= n; ++i) {
        const float x = -0.5f + static_cast<float>(i) / static_cast<float>(n);
        const float y = (0.25f - x * x) * (side == 0 ? -1.2f : 1.2f);
        dl->PathLineTo(at(c, s, x, y));
      }
      dl->PathStroke(body, 0, 0.07f * s);
    }
    dl->AddCircleFilled(c, 0.16f * s, rgb(0x0072B2));
    dl->AddCircleFilled(c, 0.07f * s, body);
  } else {
    dl->AddRectFilled(at(c, s, -0.4f, -0.4f), at(c, s, 0.4f, 0.4f), body, 0.08f * s);
  }
}

}  // namespace mailsim::gui::icons
