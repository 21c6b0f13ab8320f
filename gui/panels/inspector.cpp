// Inspector: the selected host (settings, mailboxes, queue, device, DNS) or message (envelope, Received chain, journey).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/model/packet_view.hpp"
#include "gui/panels/panels.hpp"
#include "gui/theme.hpp"
#include "sim/words/describe.hpp"
#include "protocols/dns/presentation.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

namespace mailsim::gui::panels {

namespace {

// Colours of successive Received hops (Okabe-Ito, readable on white).
constexpr unsigned kHopColours[] = {0x0072B2, 0x009E73, 0xD55E00, 0xCC79A7, 0xE69F00, 0x56B4E9};
constexpr std::size_t kHopColourCount = sizeof(kHopColours) / sizeof(kHopColours[0]);

ImVec4 colour(unsigned hex) { return ImColor(theme::rgb(hex)).Value; }

void row(const char* label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", label);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextWrapped("%s", value.c_str());
}

bool begin_settings(const char* id) {
  if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingStretchProp)) return false;
  ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7.0f);
  ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch);
  return true;
}

std::string size_text(std::uint64_t n) {
  char buf[32];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < (std::uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(n) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1048576.0);
  }
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string flags_text(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

// "Shiroyagi <shiroyagi@example.com>" -> "Shiroyagi" (the address alone when there is no name).
std::string short_from(const std::string& from) {
  const auto lt = from.find('<');
  if (lt == std::string::npos || lt == 0) return from;
  std::string name = from.substr(0, lt);
  while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
  while (!name.empty() && name.front() == '"') name.erase(name.begin());
  return name.empty() ? from : name;
}

bool happened(const AppState& app, std::size_t record) { return app.view.current && record <= *app.view.current; }

void seek_to(AppState& app, std::size_t record) {
  app.playing = false;
  app.seek(app.model.playback_of_record(record));
}

// A section heading that stays open by default.
bool section(const char* title) {
  ImGui::Spacing();
  return ImGui::CollapsingHeader(title, ImGuiTreeNodeFlags_DefaultOpen);
}

void empty_note(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour(theme::kInkSoft));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

// ---- host view -------------------------------------------------------------------------

void host_settings(AppState& app, const sim::HostSpec& spec) {
  const auto& info = spec.info;
  if (!begin_settings("##host")) return;
  row(app.tr("inspector.id"), info.id);
  row(app.tr("inspector.kind"), app.tr("kind." + info.kind));
  row(app.tr("inspector.ip"), info.ip.str());
  row(app.tr("inspector.power"),
      app.tr(app.story.power().down(info.id, app.view.current) ? "inspector.power_off" : "inspector.power_on"));
  std::string net = info.network;
  for (const auto& n : app.scenario.networks) {
    if (n.id == info.network) {
      const std::string& name = app.japanese() && !n.name_ja.empty() ? n.name_ja : n.name;
      net = name + " (" + n.cidr.str() + ")";
    }
  }
  row(app.tr("inspector.network"), net);
  std::string services;
  for (const auto& s : spec.services) {
    if (!services.empty()) services += ", ";
    services += std::to_string(s.port) + "/" + s.app;
  }
  if (!services.empty()) row(app.tr("inspector.services"), services);
  if (const auto& ms = spec.mail_server) {
    row(app.tr("inspector.hostname"), ms->hostname);
    if (!ms->domains.empty()) row(app.tr("inspector.domains"), join(ms->domains));
    std::string ports;
    for (const auto& l : ms->listeners) {
      if (!ports.empty()) ports += ", ";
      ports += std::to_string(l.port) + " " + l.role;
      if (l.starttls && l.role.find('s', l.role.size() - 1) == std::string::npos) ports += " (STARTTLS)";
    }
    if (!ports.empty()) row(app.tr("inspector.ports"), ports);
    std::string users;
    for (const auto& u : ms->users) {
      if (!users.empty()) users += ", ";
      users += u.name;
      if (u.quota != 0) users += " (" + format_text(app.tr("inspector.quota"), {{"size", size_text(u.quota)}}) + ")";
    }
    if (!users.empty()) row(app.tr("inspector.users"), users);
    if (!ms->relay_domains.empty()) row(app.tr("inspector.backup_for"), join(ms->relay_domains));
    if (!ms->relay_from.empty()) {
      std::vector<std::string> nets;
      for (const auto& c : ms->relay_from) nets.push_back(c.str());
      row(app.tr("inspector.relay_from"), join(nets));
    }
    if (ms->open_relay) row(app.tr("inspector.open_relay"), "");
    if (ms->smarthost) {
      row(app.tr("inspector.smarthost"), app.host_name(ms->smarthost->host) + ":" + std::to_string(ms->smarthost->port));
    }
  }
  if (const auto& mc = spec.mail_client) {
    auto tls = [&](const std::string& mode) { return std::string(app.tr("inspector.tls." + mode)); };
    for (const auto& a : mc->accounts) {
      std::string text = a.address + "\n" +
                         format_text(app.tr("inspector.sends_via"),
                                     {{"host", app.host_name(a.smtp.server)},
                                      {"port", std::to_string(a.smtp.port)},
                                      {"tls", tls(a.smtp.tls)},
                                      {"auth", app.tr(a.smtp.auth ? "inspector.auth" : "inspector.no_auth")}});
      if (a.incoming) {
        text += "\n" + format_text(app.tr(a.incoming->protocol == "imap" ? "inspector.reads_imap"
                                          : a.incoming->leave_on_server ? "inspector.reads_pop3_leave"
                                                                        : "inspector.reads_pop3"),
                                   {{"host", app.host_name(a.incoming->server)},
                                    {"port", std::to_string(a.incoming->port)},
                                    {"tls", tls(a.incoming->tls)}});
      }
      row(app.tr("inspector.account"), text);
    }
  }
  if (const auto& ds = spec.dns_server) {
    row(app.tr("inspector.zones"), ds->zones.empty() ? std::string(app.tr("inspector.none")) : join(ds->zones));
    if (ds->recursive) row(app.tr("inspector.recursive"), app.tr("inspector.recursive_yes"));
  }
  if (!spec.resolver.empty()) row(app.tr("inspector.resolver"), app.host_name(spec.resolver));
  if (spec.down) row(app.tr("inspector.down"), "");
  ImGui::EndTable();
}

// A message row: click opens the message view.
void message_row(AppState& app, std::size_t letter, const std::string& id, const std::vector<std::string>& cells) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  const auto& letters = app.model.mail().letters();
  const bool known = letter < letters.size();
  const bool picked = known && app.selected_letter == letters[letter].key;
  if (ImGui::Selectable((cells[0] + "##" + id).c_str(), picked, ImGuiSelectableFlags_SpanAllColumns) && known) {
    app.selected_letter = letters[letter].key;
  }
  if (ImGui::IsItemHovered() && known) ImGui::SetTooltip("%s", app.tr("inspector.click_message"));
  for (std::size_t c = 1; c < cells.size(); ++c) {
    ImGui::TableSetColumnIndex(static_cast<int>(c));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(cells[c].c_str());
    ImGui::PopTextWrapPos();
  }
}

void mailboxes(AppState& app, const std::string& host) {
  const auto boxes = app.view.mail.mailboxes_of(host);
  if (boxes.empty()) return;
  if (!section(app.tr("inspector.mailboxes"))) return;
  const auto& letters = app.model.mail().letters();
  for (const auto* mb : boxes) {
    ImGui::PushID(mb->user.c_str());
    ImGui::TextUnformatted(mb->user.c_str());
    ImGui::SameLine();
    const std::string used = mb->quota_limit == 0
                                 ? format_text(app.tr("inspector.used_unlimited"), {{"used", size_text(mb->quota_used)}})
                                 : format_text(app.tr("inspector.used_of"),
                                               {{"used", size_text(mb->quota_used)}, {"limit", size_text(mb->quota_limit)}});
    if (mb->quota_limit != 0) {
      const double f = mb->fill();
      const unsigned c = f >= 1.0 || mb->refused_record ? theme::kBlock : f >= 0.8 ? 0xE69F00u : 0x009E73u;
      ImGui::PushStyleColor(ImGuiCol_PlotHistogram, colour(c));
      ImGui::ProgressBar(static_cast<float>(std::min(f, 1.0)), ImVec2(-1.0f, 0.0f), used.c_str());
      ImGui::PopStyleColor();
    } else {
      ImGui::TextDisabled("%s", used.c_str());
    }
    if (mb->locked) ImGui::TextDisabled("%s", app.tr("inspector.locked"));
    if (mb->refused_record) {
      ImGui::PushStyleColor(ImGuiCol_Text, colour(theme::kBlock));
      ImGui::TextWrapped("%s", format_text(app.tr("inspector.refused"),
                                           {{"size", size_text(mb->refused_size)}, {"reason", reason_words(mb->refused_reason, app.japanese())}})
                                   .c_str());
      ImGui::PopStyleColor();
    }
    for (const auto& f : mb->folders) {
      if (f.messages.empty()) {
        if (f.name == "INBOX") empty_note(format_text(app.tr("inspector.folder_empty"), {{"folder", f.name}}).c_str());
        continue;
      }
      ImGui::TextDisabled("%s (%zu)", f.name.c_str(), f.messages.size());
      const auto flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
      if (ImGui::BeginTable(("##f" + f.name).c_str(), 5, flags)) {
        ImGui::TableSetupColumn(app.tr("inspector.col_uid"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.5f);
        ImGui::TableSetupColumn(app.tr("inspector.col_from"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn(app.tr("inspector.col_subject"), ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableSetupColumn(app.tr("inspector.col_size"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.0f);
        ImGui::TableSetupColumn(app.tr("inspector.col_flags"), ImGuiTableColumnFlags_WidthStretch, 0.6f);
        ImGui::TableHeadersRow();
        for (const auto& m : f.messages) {
          const bool known = m.letter < letters.size();
          // Read or unread first (the \\Seen flag), then a deletion mark and any other flag as it is.
          std::string flags_s = app.tr(m.seen() ? "inspector.read" : "inspector.unread");
          std::vector<std::string> others;
          for (const auto& fl : m.flags) {
            if (fl == "\\Seen") continue;
            others.push_back(fl == "\\Deleted" ? std::string(app.tr("inspector.deleted_mark")) : fl);
          }
          if (!others.empty()) flags_s += ", " + flags_text(others);
          message_row(app, m.letter, f.name + std::to_string(m.uid),
                      {std::to_string(m.uid), known ? short_from(letters[m.letter].from) : std::string(),
                       known ? letters[m.letter].subject : std::string(), size_text(m.size), flags_s});
        }
        ImGui::EndTable();
      }
    }
    ImGui::PopID();
    ImGui::Spacing();
  }
}

void queue(AppState& app, const sim::HostSpec& spec) {
  const auto* q = app.view.mail.queue(spec.info.id);
  if (!spec.mail_server && !q) return;
  if (!section(app.tr("inspector.queue"))) return;
  if (!q || q->entries.empty()) {
    empty_note(app.tr("inspector.queue_empty"));
    return;
  }
  const auto& letters = app.model.mail().letters();
  const auto flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##queue", 4, flags)) return;
  ImGui::TableSetupColumn(app.tr("inspector.col_queue_id"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6.5f);
  ImGui::TableSetupColumn(app.tr("inspector.col_subject"), ImGuiTableColumnFlags_WidthStretch, 0.8f);
  ImGui::TableSetupColumn(app.tr("inspector.col_to"), ImGuiTableColumnFlags_WidthStretch, 0.9f);
  ImGui::TableSetupColumn(app.tr("inspector.col_state"), ImGuiTableColumnFlags_WidthStretch, 1.7f);
  ImGui::TableHeadersRow();
  for (const auto& e : q->entries) {
    std::string state;
    if (e.deferred) {
      state = format_text(app.tr("inspector.deferred"),
                          {{"n", std::to_string(e.attempts)}, {"time", clock_text(app.japanese(), e.retry_at)}});
      if (e.retry_at > app.view.time) {
        // A duration, spelt as the narration and the events spell one ("5 min", "5分"): rounded
        // to the second (a retry 4 min 59.998 s away is "in 5 min").
        const std::int64_t left = (e.retry_at - app.view.time + 500'000) / 1'000'000 * 1'000'000;
        state += (app.japanese() ? "" : " ") +
                 format_text(app.tr("inspector.in"), {{"time", sim::format_duration(left, app.japanese() ? "ja" : "en")}});
      }
      if (!e.reason.empty()) state += "\n" + reason_words(e.reason, app.japanese());
    } else if (!e.trying.empty()) {
      state = format_text(app.tr("inspector.trying"), {{"hosts", e.trying}});
    } else {
      state = app.tr("inspector.waiting");
    }
    const std::string subject = e.letter < letters.size() && !letters[e.letter].subject.empty()
                                    ? letters[e.letter].subject
                                    : e.subject;
    message_row(app, e.letter, e.queue_id, {e.queue_id, subject, join(e.recipients), state});
  }
  ImGui::EndTable();
}

void device(AppState& app, const sim::HostSpec& spec) {
  const auto* d = app.view.mail.device(spec.info.id);
  const bool reads = spec.mail_client && std::any_of(spec.mail_client->accounts.begin(), spec.mail_client->accounts.end(),
                                                     [](const sim::mail::AccountSpec& a) { return a.incoming.has_value(); });
  if (!reads && !d) return;
  if (!section(app.tr("inspector.device"))) return;
  if (d && !d->last_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour(theme::kBlock));
    ImGui::TextWrapped("%s", format_text(app.tr("inspector.device_error"), {{"error", d->last_error}}).c_str());
    ImGui::PopStyleColor();
  }
  if (!d || d->items.empty()) {
    empty_note(app.tr("inspector.device_empty"));
    return;
  }
  const auto flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##device", 4, flags)) return;
  ImGui::TableSetupColumn(app.tr("inspector.col_from"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn(app.tr("inspector.col_subject"), ImGuiTableColumnFlags_WidthStretch, 1.4f);
  ImGui::TableSetupColumn(app.tr("inspector.col_size"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.0f);
  ImGui::TableSetupColumn(app.tr("inspector.col_read"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 3.5f);
  ImGui::TableHeadersRow();
  for (const auto& it : d->items) {
    message_row(app, it.letter, it.account + it.key,
                {it.from.empty() ? std::string("-") : short_from(it.from), it.subject, it.size ? size_text(it.size) : std::string(),
                 app.tr(it.seen ? "inspector.read" : "inspector.unread")});
  }
  ImGui::EndTable();
}

void dns(AppState& app, const sim::HostSpec& spec) {
  if (spec.dns_server && !spec.dns_server->zones.empty() && section(app.tr("inspector.zone_records"))) {
    for (const auto& origin : spec.dns_server->zones) {
      for (const auto& z : app.scenario.zones) {
        if (z.zone.origin.to_string_no_dot() != origin && z.zone.origin.to_string() != origin) continue;
        ImGui::TextDisabled("%s", z.zone.origin.to_string().c_str());
        ImGui::Indent();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(dns::to_string(z.zone.soa).c_str());
        for (const auto& r : z.zone.records) ImGui::TextUnformatted(dns::to_string(r).c_str());
        ImGui::PopTextWrapPos();
        ImGui::Unindent();
      }
    }
  }
  if (spec.dns_server && spec.dns_server->recursive && section(app.tr("inspector.cache"))) {
    const auto entries = app.model.mail().cache_at(spec.info.id, app.view.current, app.view.time);
    if (entries.empty()) {
      empty_note(app.tr("inspector.cache_empty"));
      return;
    }
    for (const auto& e : entries) {
      ImGui::TextUnformatted(e.record.c_str());
      ImGui::SameLine();
      ImGui::TextDisabled("%s", format_text(app.tr("inspector.expires_in"),
                                            {{"time", clock_text(app.japanese(), e.expires - app.view.time)}})
                                    .c_str());
    }
  }
}

void connections(AppState& app, const std::string& id) {
  if (!section(app.tr("inspector.connections"))) return;
  bool any = false;
  for (const auto& c : app.view.connections) {
    if (c.client != id && c.server != id) continue;
    any = true;
    const std::string other = c.client == id ? c.server : c.client;
    const std::string state = app.tr("conn." + c.state);
    ImGui::BulletText("#%llu %s %s :%u  %s%s", static_cast<unsigned long long>(c.conn), c.client == id ? "->" : "<-",
                      app.host_name(other).c_str(), c.port, state.c_str(), c.tls ? "  TLS" : "");
  }
  if (!any) empty_note(app.tr("inspector.none"));
}

// A host's exchange table: the latest packets in and out up to now; click one to open it.
void exchange_table(AppState& app, const std::string& id) {
  if (!app.view.current || !ImGui::CollapsingHeader(app.tr("inspector.exchange"))) return;
  constexpr std::size_t kRows = 200;
  const auto rows = host_exchange(app.model, id, *app.view.current, kRows);
  if (rows.empty()) {
    empty_note(app.tr("inspector.none"));
    return;
  }
  const auto flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp |
                     ImGuiTableFlags_ScrollY;
  const float h = std::min(ImGui::GetTextLineHeightWithSpacing() * (static_cast<float>(rows.size()) + 1.5f),
                           ImGui::GetFontSize() * 16.0f);
  if (!ImGui::BeginTable("##exchange", 4, flags, ImVec2(0.0f, h))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(app.tr("col.time"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 5.5f);
  ImGui::TableSetupColumn(app.tr("inspector.col_peer"), ImGuiTableColumnFlags_WidthStretch, 0.8f);
  ImGui::TableSetupColumn(app.tr("inspector.col_protocol"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.0f);
  ImGui::TableSetupColumn(app.tr("col.summary"), ImGuiTableColumnFlags_WidthStretch, 1.6f);
  ImGui::TableHeadersRow();
  for (const auto& row : rows) {
    const auto& r = app.model.records()[row.record];
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushID(static_cast<int>(row.record));
    if (ImGui::Selectable(clock_text(app.japanese(), r.time).c_str(), app.selected_packet == row.record,
                          ImGuiSelectableFlags_SpanAllColumns))
      app.selected_packet = row.record;
    ImGui::PopID();
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(((row.out ? "\u2192 " : "\u2190 ") + app.host_name(row.peer)).c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextUnformatted(row.protocol.c_str());
    ImGui::TableSetColumnIndex(3);
    ImGui::TextUnformatted(
        packet_sentence(describe_packet(r), app.strings(), [&](const std::string& h2) { return app.host_name(h2); }).c_str());
  }
  if (app.scrolled_exchange_for != app.view.current) {  // the latest packet in view
    app.scrolled_exchange_for = app.view.current;
    ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndTable();
}

// ---- packet view -----------------------------------------------------------------------

// A packet opened layer by layer (IP, TCP/UDP, TLS record, the application), its bytes in hex
// beside, and for TLS what the endpoints read. Returns false when none is selected.
bool packet_view(AppState& app) {
  if (!app.selected_packet || *app.selected_packet >= app.model.records().size()) {
    app.selected_packet.reset();
    return false;
  }
  const std::size_t i = *app.selected_packet;
  const auto& r = app.model.records()[i];
  const std::string back = format_text(app.tr("inspector.back"), {{"host", app.host_name(app.selected_host.empty() ? r.host.str() : app.selected_host)}});
  if (ImGui::Button(back.c_str())) {
    app.selected_packet.reset();
    return false;
  }
  const auto d = decode_packet(app.model, i);
  ImGui::PushFont(app.fonts.large);
  ImGui::TextWrapped("%s", packet_sentence(describe_packet(r), app.strings(), [&](const std::string& h) { return app.host_name(h); }).c_str());
  ImGui::PopFont();
  ImGui::TextDisabled("%s  %s", clock_text(app.japanese(), r.time).c_str(), r.text().c_str());
  // Layers on the left, the bytes on the right (under each other when the panel is narrow).
  const float w = ImGui::GetContentRegionAvail().x;
  const bool side_by_side = w > ImGui::GetFontSize() * 34.0f && !d.hex.empty();
  ImGui::BeginChild("##layers", ImVec2(side_by_side ? w * 0.6f : 0.0f, side_by_side ? 0.0f : ImGui::GetContentRegionAvail().y * (d.hex.empty() ? 1.0f : 0.65f)), false);
  for (std::size_t k = 0; k < d.layers.size(); ++k) {
    const auto& layer = d.layers[k];
    ImGui::PushID(static_cast<int>(k));
    if (ImGui::CollapsingHeader(layer.name.c_str(), ImGuiTreeNodeFlags_DefaultOpen) && begin_settings("##fields")) {
      for (const auto& [name, value] : layer.fields) row(name.c_str(), value);
      ImGui::EndTable();
    }
    ImGui::PopID();
  }
  if (!d.endpoint_text.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, colour(theme::kInkSoft));
    ImGui::TextWrapped("%s", app.tr("inspector.tls_note"));
    ImGui::PopStyleColor();
  }
  ImGui::EndChild();
  if (!d.hex.empty()) {
    if (side_by_side) ImGui::SameLine();
    ImGui::BeginChild("##hex", ImVec2(0.0f, 0.0f), true);
    ImGui::TextDisabled("%s", app.tr("inspector.bytes"));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(d.hex.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
  }
  return true;
}

// ---- message view ----------------------------------------------------------------------

std::string stage_text(const AppState& app, LetterStage stage) {
  switch (stage) {
    case LetterStage::Composed: return app.tr("inspector.stage.composed");
    case LetterStage::Submitted: return app.tr("inspector.stage.submitted");
    case LetterStage::SendFailed: return app.tr("inspector.stage.send_failed");
    case LetterStage::Queued: return app.tr("inspector.stage.queued");
    case LetterStage::Relayed: return app.tr("inspector.stage.relayed");
    case LetterStage::Delivered: return app.tr("inspector.stage.delivered");
    case LetterStage::Refused: return app.tr("inspector.stage.refused");
    case LetterStage::Bounced: return app.tr("inspector.stage.bounced");
    case LetterStage::Unknown: break;
  }
  return app.tr("inspector.stage.unknown");
}

// The body preview, decoded when its transfer encoding is base64 or quoted-printable.
std::string body_text(const Letter& l) {
  const auto fields = message::parse_header_section(l.headers);
  std::string enc = message::find_header(fields, "Content-Transfer-Encoding").value_or("");
  std::string body = l.body_preview;
  for (auto& c : enc) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (enc.find("base64") != std::string::npos || enc.find("quoted-printable") != std::string::npos) {
    // A cut preview ends mid-line: decode only whole lines.
    if (l.body_truncated) {
      const auto nl = body.rfind('\n');
      body = nl == std::string::npos ? std::string() : body.substr(0, nl + 1);
    }
    if (auto decoded = message::decode_body(body, enc.find("base64") != std::string::npos ? "base64" : "quoted-printable")) {
      return *decoded;
    }
  }
  return l.body_preview;
}

void received_chain(AppState& app, const Letter& l) {
  const auto chain = message::parse_received_chain(l.headers);
  if (chain.empty()) {
    empty_note(app.tr("inspector.no_received"));
    return;
  }
  empty_note(app.tr("inspector.received_hint"));
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const auto& h = chain[i];
    const ImVec4 c = colour(kHopColours[i % kHopColourCount]);
    std::string from = h.from_helo;
    if (!h.from_ip.empty()) from += " [" + h.from_ip + "]";
    ImGui::PushStyleColor(ImGuiCol_Text, c);
    ImGui::TextWrapped("%s", format_text(app.tr("inspector.hop"),
                                         {{"n", std::to_string(i + 1)}, {"from", from.empty() ? "?" : from},
                                          {"by", h.by.empty() ? "?" : h.by}})
                                 .c_str());
    ImGui::PopStyleColor();
    ImGui::Indent();
    std::string details;
    if (!h.with.empty()) details += "with " + h.with;
    if (!h.id.empty()) details += (details.empty() ? "" : ", ") + std::string("id ") + h.id;
    if (!h.for_addr.empty()) details += (details.empty() ? "" : ", ") + std::string("for ") + h.for_addr;
    if (!details.empty()) ImGui::TextDisabled("%s", details.c_str());
    if (!h.date.empty()) ImGui::TextDisabled("%s", h.date.c_str());
    ImGui::Unindent();
  }
}

void header_lines(AppState& app, const Letter& l) {
  // Received fields coloured like their hop (the top-most field is the newest hop).
  std::size_t total = 0;
  for (std::size_t p = 0; (p = l.headers.find("Received:", p)) != std::string::npos; ++p) {
    if (p == 0 || l.headers[p - 1] == '\n') ++total;
  }
  std::size_t seen = 0;
  std::optional<ImVec4> current;
  std::size_t start = 0;
  ImGui::PushTextWrapPos(0.0f);
  while (start < l.headers.size()) {
    auto end = l.headers.find('\n', start);
    if (end == std::string::npos) end = l.headers.size();
    std::string line = l.headers.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    if (line.empty()) break;
    const bool continuation = line[0] == ' ' || line[0] == '\t';
    if (!continuation) {
      current.reset();
      if (line.rfind("Received:", 0) == 0 && total > 0) {
        const std::size_t hop = total - 1 - seen;  // oldest first, like the chain above
        current = colour(kHopColours[hop % kHopColourCount]);
        ++seen;
      }
    }
    if (current) {
      ImGui::TextColored(*current, "%s", line.c_str());
    } else {
      ImGui::TextUnformatted(line.c_str());
    }
  }
  ImGui::PopTextWrapPos();
  if (l.headers_truncated) empty_note(app.tr("inspector.headers_truncated"));
}

// Returns false when the selected letter is unknown (the host view is drawn instead).
bool message_view(AppState& app) {
  const auto& mail = app.model.mail();
  const auto idx = mail.letter_by_key(app.selected_letter);
  if (!idx) {
    app.selected_letter.clear();
    return false;
  }
  const auto& l = mail.letters()[*idx];
  const std::string back = format_text(app.tr("inspector.back"), {{"host", app.host_name(app.selected_host)}});
  if (ImGui::Button(back.c_str())) {
    app.selected_letter.clear();
    return false;
  }
  ImGui::PushFont(app.fonts.large);
  ImGui::TextWrapped("%s", l.subject.empty() ? app.tr("inspector.no_subject") : l.subject.c_str());
  ImGui::PopFont();

  if (section(app.tr("inspector.envelope")) && begin_settings("##env")) {
    if (!l.from.empty()) row("From:", l.from);
    row(app.tr("inspector.mail_from"), l.sender.empty() ? std::string("<>") : "<" + l.sender + ">");
    std::vector<std::string> rcpts;
    for (const auto& r : l.recipients) rcpts.push_back("<" + r + ">");
    if (!rcpts.empty()) row(app.tr("inspector.rcpt_to"), join(rcpts));
    if (!l.message_id.empty()) row("Message-ID:", l.message_id);
    if (l.size != 0) row(app.tr("inspector.col_size"), size_text(l.size));
    ImGui::EndTable();
  }
  if (!l.message_id.empty()) {
    if (ImGui::Button(app.tr("inspector.save_eml"))) {
      ExportRequest req;
      req.kind = ExportKind::Letter;
      req.dir = app.export_files.dir.empty() ? default_export_dir() : app.export_files.dir;
      req.message_id = l.message_id;
      run_export(app, req);
      app.export_files.dir = req.dir;
      app.export_files.saved_letter = l.key;
    }
    if (app.export_files.saved_letter == l.key) {
      ImGui::SameLine();
      ImGui::AlignTextToFramePadding();
      if (!app.export_files.error.empty()) ImGui::TextDisabled("%s", app.export_files.error.c_str());
      else if (!app.export_files.written.empty()) ImGui::TextDisabled("%s", app.export_files.written.front().c_str());
    }
  }

  if (section(app.tr("inspector.where"))) {
    const auto places = mail.places(app.view.mail, *idx);
    for (const auto& p : places) {
      std::string text;
      if (p.kind == LetterPlace::Kind::Queue) {
        text = format_text(app.tr(p.deferred ? "inspector.where_deferred" : "inspector.where_queue"),
                           {{"host", app.host_name(p.host)}, {"id", p.what}, {"time", clock_text(app.japanese(), p.retry_at)}});
      } else if (p.kind == LetterPlace::Kind::Mailbox) {
        text = format_text(app.tr("inspector.where_mailbox"),
                           {{"host", app.host_name(p.host)}, {"box", p.what}, {"uid", std::to_string(p.uid)}});
      } else {
        text = format_text(app.tr("inspector.where_device"), {{"host", app.host_name(p.host)}, {"account", p.what}});
      }
      ImGui::BulletText("%s", text.c_str());
    }
    const bool begun = !l.history.empty() && happened(app, l.history.front());
    if (!begun) {
      empty_note(app.tr("inspector.not_yet"));
    } else if (places.empty()) {
      ImGui::BulletText("%s", stage_text(app, app.view.mail.letters[*idx].stage).c_str());
    }
  }

  if (section(app.tr("inspector.received"))) {
    if (l.headers.empty() || !l.headers_record || !happened(app, *l.headers_record)) {
      empty_note(app.tr("inspector.headers_later"));
    } else {
      received_chain(app, l);
      if (ImGui::TreeNodeEx(app.tr("inspector.headers"), ImGuiTreeNodeFlags_DefaultOpen)) {
        header_lines(app, l);
        ImGui::TreePop();
      }
      ImGui::Spacing();
      ImGui::TextDisabled("%s", app.tr("inspector.body"));
      const std::string body = body_text(l);
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(body.empty() ? "-" : body.c_str());
      ImGui::PopTextWrapPos();
      if (l.body_truncated) empty_note(app.tr("inspector.body_truncated"));
    }
  }

  if (section(app.tr("inspector.history"))) {
    const auto flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("##history", 3, flags)) {
      ImGui::TableSetupColumn("t", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.5f);
      ImGui::TableSetupColumn("h", ImGuiTableColumnFlags_WidthStretch, 0.45f);
      ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 1.0f);
      for (auto i : l.history) {
        const auto& r = app.model.records()[i];
        const bool past = happened(app, i);
        const bool now = app.view.current && i == *app.view.current;
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (!past) ImGui::PushStyleColor(ImGuiCol_Text, colour(0xA0A6AC));
        const std::string t = clock_text(app.japanese(), r.time);
        if (ImGui::Selectable((t + "##h" + std::to_string(i)).c_str(), now, ImGuiSelectableFlags_SpanAllColumns)) {
          seek_to(app, i);
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", app.tr("inspector.click_seek"));
        ImGui::TableSetColumnIndex(1);
        ImGui::PushTextWrapPos(0.0f);  // a long name wraps rather than running into the words
        ImGui::TextUnformatted(app.host_name(r.host).c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(worded_record(app, i).c_str());
        ImGui::PopTextWrapPos();
        if (!past) ImGui::PopStyleColor();
      }
      ImGui::EndTable();
    }
  }
  return true;
}

}  // namespace

void inspector(AppState& app) {
  if (app.selected_packet && packet_view(app)) return;
  if (!app.selected_letter.empty() && message_view(app)) return;
  const sim::HostSpec* spec = nullptr;
  for (const auto& h : app.scenario.hosts) {
    if (h.info.id == app.selected_host) spec = &h;
  }
  if (!spec) {
    ImGui::TextWrapped("%s", app.tr("inspector.empty"));
    return;
  }
  ImGui::PushFont(app.fonts.large);
  ImGui::TextWrapped("%s", app.host_name(spec->info.id).c_str());
  ImGui::PopFont();
  host_settings(app, *spec);
  mailboxes(app, spec->info.id);
  queue(app, *spec);
  device(app, *spec);
  dns(app, *spec);
  connections(app, spec->info.id);
  exchange_table(app, spec->info.id);
}

}  // namespace mailsim::gui::panels
