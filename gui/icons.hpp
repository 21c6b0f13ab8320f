// Host icons and map symbols drawn with ImDrawList primitives (no image files).
#pragma once
#include <string_view>

#include <imgui.h>

namespace mailsim::gui::icons {

// Draws the icon of a host kind ("pc", "phone", "mail_server", "dns_server", "server",
// "gateway", "observer"; anything else is a plain box) centred at c, about s pixels tall.
void host(ImDrawList* dl, std::string_view kind, ImVec2 c, float s);
// A router / border point; `guarded` adds a shield for networks with policies.
void router(ImDrawList* dl, ImVec2 c, float s, bool guarded);
// An envelope (data) centred at c, s pixels wide, filled with `fill`.
void envelope(ImDrawList* dl, ImVec2 c, float s, ImU32 fill);
// A control segment: a small rounded tag.
void control_tag(ImDrawList* dl, ImVec2 c, float s, ImU32 fill);
// A padlock for TLS.
void padlock(ImDrawList* dl, ImVec2 c, float s, ImU32 colour);
// A bold cross for a blocked packet.
void cross(ImDrawList* dl, ImVec2 c, float s, ImU32 colour);

}  // namespace mailsim::gui::icons
