// Compose and Check mail: a device's mail program writes a new message or fetches mail; the
// command re-runs the scenario and playback continues from the same moment.
#include <algorithm>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/frame.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"

namespace mailsim::gui::panels {

namespace {

constexpr ImGuiWindowFlags kDialogFlags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                          ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove;

// Opens a dialog window of `width_em` font heights in the middle of the screen (its height
// follows the content).
bool begin_dialog(AppState& app, const char* title_key, const char* id, bool* open, float width_em) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float w = std::min(display.x - 40.0f, ImGui::GetFontSize() * width_em);
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.45f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(w, 0.0f), ImGuiCond_Always);
  ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0.0f), ImVec2(w, display.y - 40.0f));
  const std::string title = std::string(app.tr(title_key)) + "###" + id;
  if (ImGui::Begin(title.c_str(), open, kDialogFlags)) return true;
  ImGui::End();
  return false;
}

std::string device_label(const AppState& app, const MailDevice& d) {
  const std::string name = app.host_name(d.id);
  return name == d.id ? name : name + " (" + d.id + ")";
}

// A combo of devices; returns true when the choice changed.
bool device_combo(AppState& app, const char* id, const std::vector<MailDevice>& devices, std::string& chosen) {
  const MailDevice* cur = nullptr;
  for (const auto& d : devices)
    if (d.id == chosen) cur = &d;
  bool changed = false;
  if (ImGui::BeginCombo(id, cur ? device_label(app, *cur).c_str() : "")) {
    for (const auto& d : devices) {
      if (ImGui::Selectable(device_label(app, d).c_str(), d.id == chosen) && d.id != chosen) {
        chosen = d.id;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

// Labels in a column of fixed width, fields to their right.
void label(const char* text, float width) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(text);
  ImGui::SameLine(width);
}

void refused(const AppState& app, const char* key, const std::string& error) {
  if (error.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kBlock)));
  text_wrapped(std::string(app.tr(key)) + " " + error);
  ImGui::PopStyleColor();
}

bool primary_button(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.0f, 0.447f, 0.698f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.1f, 0.52f, 0.78f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  const bool pressed = ImGui::Button(text, ImVec2(ImGui::GetFontSize() * 7.0f, 0.0f));
  ImGui::PopStyleColor(3);
  return pressed;
}

void fill_smtp(AppState& app, const std::string& key, const sim::mail::OutgoingSpec& smtp) {
  auto& s = app.compose.smtp;
  s.key = key;
  s.server = smtp.server;
  s.port = smtp.port;
  s.auth = smtp.auth;
  s.tls = smtp.tls;
}

const char* tls_key(const std::string& tls) {
  if (tls == "none") return "compose.tls_none";
  if (tls == "implicit") return "compose.tls_implicit";
  return "compose.tls_starttls";
}

// Server, port (a number, or one of the common ones with its usual AUTH and TLS), AUTH, TLS.
void smtp_fields(AppState& app, float col) {
  auto& s = app.compose.smtp;
  const float fs = ImGui::GetFontSize();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  label(app.tr("compose.server"), col);
  ImGui::SetNextItemWidth(-1.0f);
  if (ImGui::BeginCombo("##server", app.host_name(s.server).c_str())) {
    for (const auto& h : app.scenario.hosts) {
      if (!h.mail_server) continue;
      const std::string name = app.host_name(h.info.id);
      const std::string text = name == h.info.id ? name : name + " (" + h.info.id + ")";
      if (ImGui::Selectable(text.c_str(), h.info.id == s.server)) s.server = h.info.id;
    }
    ImGui::EndCombo();
  }

  label(app.tr("compose.port"), col);
  ImGui::SetNextItemWidth(fs * 4.5f);
  ImGui::InputInt("##port", &s.port, 0, 0);
  ImGui::SameLine(0.0f, 2.0f);
  if (ImGui::BeginCombo("##ports", "", ImGuiComboFlags_NoPreview | ImGuiComboFlags_PopupAlignLeft |
                                           ImGuiComboFlags_HeightLarge)) {
    struct Common {
      int port;
      const char* key;
      bool auth;
      const char* tls;
    };
    for (const Common& c : {Common{25, "compose.port_25", false, "none"}, Common{587, "compose.port_587", true, "starttls"},
                            Common{465, "compose.port_465", true, "implicit"}}) {
      if (ImGui::Selectable(app.tr(c.key), s.port == c.port)) {
        s.port = c.port;
        s.auth = c.auth;
        s.tls = c.tls;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine(0.0f, fs);
  ImGui::Checkbox(app.tr("compose.auth"), &s.auth);
  ImGui::SameLine(0.0f, fs);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(app.tr("compose.tls"));
  ImGui::SameLine(0.0f, spacing);
  ImGui::SetNextItemWidth(-1.0f);
  if (ImGui::BeginCombo("##tls", app.tr(tls_key(s.tls)))) {
    for (const char* mode : {"none", "starttls", "implicit"})
      if (ImGui::Selectable(app.tr(tls_key(mode)), s.tls == mode)) s.tls = mode;
    ImGui::EndCombo();
  }
}

void fill_form(AppState& app, const std::string& device) {
  auto& f = app.compose;
  const auto c = compose_defaults(app.scenario, device);
  f.device = device;
  f.account = 0;
  f.to.clear();
  for (const auto& t : c.to) f.to += (f.to.empty() ? "" : ", ") + t;
  f.subject = c.subject;
  f.body = c.body;
  f.error.clear();
}

}  // namespace

void compose(AppState& app) {
  auto& f = app.compose;
  if (!f.open) return;
  if (!begin_dialog(app, "compose.title", "compose", &f.open, 36.0f)) return;
  const auto devices = mail_devices(app.scenario);
  const float fs = ImGui::GetFontSize();
  if (devices.empty()) {
    text_wrapped(app.tr("compose.no_devices"));
    ImGui::Spacing();
    if (ImGui::Button(app.tr("picker.close"))) f.open = false;
    ImGui::End();
    return;
  }
  const bool known_device = std::any_of(devices.begin(), devices.end(), [&](const auto& d) { return d.id == f.device; });
  if (!known_device) fill_form(app, devices.front().id);
  const MailDevice* dev = &devices.front();
  for (const auto& d : devices)
    if (d.id == f.device) dev = &d;
  f.account = std::clamp(f.account, 0, static_cast<int>(dev->accounts.size()) - 1);
  const auto& acc = dev->accounts[static_cast<std::size_t>(f.account)];

  float col = 0.0f;
  for (const char* k : {"compose.device", "compose.from", "compose.to", "compose.subject", "compose.body",
                        "compose.server", "compose.port"})
    col = std::max(col, ImGui::CalcTextSize(app.tr(k)).x);
  col += fs;

  label(app.tr("compose.device"), col);
  ImGui::SetNextItemWidth(-1.0f);
  std::string chosen = f.device;
  if (device_combo(app, "##device", devices, chosen)) fill_form(app, chosen);

  label(app.tr("compose.from"), col);
  ImGui::SetNextItemWidth(-1.0f);
  const std::string from = acc.display_name.empty() ? acc.address : acc.display_name + " <" + acc.address + ">";
  if (ImGui::BeginCombo("##from", from.c_str())) {
    for (std::size_t i = 0; i < dev->accounts.size(); ++i)
      if (ImGui::Selectable(dev->accounts[i].address.c_str(), static_cast<int>(i) == f.account))
        f.account = static_cast<int>(i);
    ImGui::EndCombo();
  }

  // To: free text, plus the addresses the lesson knows.
  label(app.tr("compose.to"), col);
  const float pick_w = ImGui::GetFrameHeight() + ImGui::CalcTextSize(app.tr("compose.add")).x + fs;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - pick_w - ImGui::GetStyle().ItemSpacing.x);
  ImGui::InputTextWithHint("##to", app.tr("compose.to_hint"), &f.to);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(pick_w);
  if (ImGui::BeginCombo("##known", app.tr("compose.add"))) {
    for (const auto& a : known_addresses(app.scenario)) {
      if (ImGui::Selectable(a.c_str())) {
        const auto list = split_addresses(f.to);
        if (list.empty()) f.to = a;
        else if (std::find(list.begin(), list.end(), a) == list.end()) f.to += ", " + a;
      }
    }
    ImGui::EndCombo();
  }

  label(app.tr("compose.subject"), col);
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::InputText("##subject", &f.subject);
  label(app.tr("compose.body"), col);
  ImGui::InputTextMultiline("##body", &f.body, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 4.0f));

  // How this message is sent: the account's settings, which the user may change for this
  // message (the session turns differences into the action's "smtp"; the loader checks them).
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::TextUnformatted(app.tr("compose.sending"));
  const std::string form_key = app.scenario.file + "\n" + dev->id + "\n" + acc.address;
  if (f.smtp.key != form_key) fill_smtp(app, form_key, acc.smtp);
  smtp_fields(app, col);
  const auto& sf = f.smtp;
  const bool differs = sf.server != acc.smtp.server || sf.port != acc.smtp.port || sf.auth != acc.smtp.auth ||
                       sf.tls != acc.smtp.tls;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
  text_wrapped(app.tr(differs ? "compose.differs" : "compose.settings_edit"));
  ImGui::PopStyleColor();
  ImGui::Separator();
  refused(app, "compose.refused", f.error);

  if (primary_button(app.tr("compose.send"))) {
    ComposeCommand c;
    c.device = dev->id;
    c.account = acc.address;
    c.to = split_addresses(f.to);
    c.subject = f.subject;
    c.body = f.body;
    if (!c.body.empty() && c.body.back() != '\n') c.body += '\n';
    c.server = sf.server;
    c.port = sf.port;
    c.auth = sf.auth;
    c.tls = sf.tls;
    std::string error;
    if (run_command(app, c, error)) {
      f.open = false;
      f.error.clear();
    } else {
      f.error = error;
    }
  }
  ImGui::SameLine();
  if (ImGui::Button(app.tr("picker.close"))) f.open = false;
  ImGui::End();
}

void check_mail(AppState& app) {
  auto& f = app.compose;
  if (!f.check_open) return;
  if (!begin_dialog(app, "check.title", "check", &f.check_open, 30.0f)) return;
  std::vector<MailDevice> devices;
  for (auto& d : mail_devices(app.scenario)) {
    if (!d.can_check()) continue;
    d.accounts.erase(std::remove_if(d.accounts.begin(), d.accounts.end(), [](const auto& a) { return !a.incoming; }),
                     d.accounts.end());
    devices.push_back(std::move(d));
  }
  if (devices.empty()) {
    text_wrapped(app.tr("check.none"));
    ImGui::Spacing();
    if (ImGui::Button(app.tr("picker.close"))) f.check_open = false;
    ImGui::End();
    return;
  }
  if (std::none_of(devices.begin(), devices.end(), [&](const auto& d) { return d.id == f.check_device; })) {
    f.check_device = devices.front().id;
    f.check_account = 0;
  }
  const MailDevice* dev = &devices.front();
  for (const auto& d : devices)
    if (d.id == f.check_device) dev = &d;
  f.check_account = std::clamp(f.check_account, 0, static_cast<int>(dev->accounts.size()) - 1);
  const auto& acc = dev->accounts[static_cast<std::size_t>(f.check_account)];

  const float col = std::max(ImGui::CalcTextSize(app.tr("compose.device")).x,
                             ImGui::CalcTextSize(app.tr("check.account")).x) + ImGui::GetFontSize();
  label(app.tr("compose.device"), col);
  ImGui::SetNextItemWidth(-1.0f);
  if (device_combo(app, "##check_device", devices, f.check_device)) {
    f.check_account = 0;
    f.error.clear();
  }
  label(app.tr("check.account"), col);
  ImGui::SetNextItemWidth(-1.0f);
  if (ImGui::BeginCombo("##check_account", acc.address.c_str())) {
    for (std::size_t i = 0; i < dev->accounts.size(); ++i)
      if (ImGui::Selectable(dev->accounts[i].address.c_str(), static_cast<int>(i) == f.check_account))
        f.check_account = static_cast<int>(i);
    ImGui::EndCombo();
  }
  const auto& in = *acc.incoming;
  std::string protocol = in.protocol == "imap" ? "IMAP" : "POP3";
  if (in.tls != "none") protocol += " + TLS";
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::rgb(theme::kInkSoft)));
  text_wrapped(format_text(app.tr("check.via"),
                           {{"protocol", protocol}, {"server", app.host_name(in.server)}, {"port", std::to_string(in.port)}}));
  ImGui::PopStyleColor();
  refused(app, "check.refused", f.error);
  ImGui::Spacing();
  if (primary_button(app.tr("check.button"))) {
    CheckMailCommand c;
    c.device = dev->id;
    c.account = acc.address;
    std::string error;
    if (run_command(app, c, error)) {
      f.check_open = false;
      f.error.clear();
    } else {
      f.error = error;
    }
  }
  ImGui::SameLine();
  if (ImGui::Button(app.tr("picker.close"))) f.check_open = false;
  ImGui::End();
}

}  // namespace mailsim::gui::panels
