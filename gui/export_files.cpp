// Writes the app's exports with the formats layer; each file goes through a temporary name.
#include "gui/export_files.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "formats/scenario_export.hpp"
#include "protocols/message/message.hpp"
#include "sim/apps/mail/mail_world.hpp"

namespace mailsim::gui {
namespace fs = std::filesystem;
namespace {

bool write_file(const fs::path& path, const std::string& bytes, std::string& error) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    error = path.parent_path().string() + ": " + ec.message();
    return false;
  }
  fs::path part = path;
  part += ".part";
  {
    std::ofstream f(part, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
      fs::remove(part, ec);
      error = path.string() + ": cannot write the file";
      return false;
    }
  }
  fs::rename(part, path, ec);
  if (ec) {
    fs::remove(part, ec);
    error = path.string() + ": " + ec.message();
    return false;
  }
  return true;
}

std::vector<formats::StoredMessage> stores_of(const sim::Scenario& scenario) {
  return formats::run_with_messages(scenario).at_end;
}

std::string base_name(const sim::Scenario& s) {
  const auto n = formats::file_name_part(s.name, 60);
  return n.empty() ? std::string("mailsim") : n;
}

}  // namespace

std::string default_export_dir() {
  const char* home = std::getenv("HOME");
  if (home && *home) return (fs::path(home) / "mailsim-export").string();
  std::error_code ec;
  return (fs::current_path(ec) / "mailsim-export").string();
}

std::vector<std::string> scenario_mailboxes(const sim::Scenario& scenario) {
  std::vector<std::string> out;
  for (const auto& h : scenario.hosts) {
    if (!h.mail_server) continue;
    for (const auto& d : h.mail_server->domains)
      for (const auto& u : h.mail_server->users) out.push_back(u.name + "@" + d);
  }
  return out;
}

ExportOutcome export_files(const sim::Scenario& scenario, const sim::RunResult& run, const ExportRequest& r) {
  ExportOutcome out;
  if (r.dir.empty()) {
    out.error = "no folder given";
    return out;
  }
  const fs::path dir(r.dir);
  const auto base = base_name(scenario);
  std::vector<std::pair<fs::path, std::string>> files;
  switch (r.kind) {
    case ExportKind::Pcapng:
    case ExportKind::Pcap: {
      const bool ng = r.kind == ExportKind::Pcapng;
      files.emplace_back(dir / (base + (ng ? ".pcapng" : ".pcap")),
                         formats::capture_file(scenario, run, {}, ng, r.lang));
      break;
    }
    case ExportKind::SequenceSvg:
      files.emplace_back(dir / (base + "-sequence.svg"),
                         formats::sequence_svg(run.trace, formats::diagram_input(scenario, run.narration, r.lang)));
      break;
    case ExportKind::MapSvg:
      files.emplace_back(dir / (base + "-map-step" + std::to_string(r.step) + ".svg"),
                         formats::map_svg(run.trace, formats::diagram_input(scenario, run.narration, r.lang), r.step));
      break;
    case ExportKind::AllMessages:
      for (auto& f : formats::eml_files(formats::run_with_messages(scenario).messages))
        files.emplace_back(dir / (base + "-eml") / f.name, std::move(f.raw));
      if (files.empty()) out.error = "this run has no messages";
      break;
    case ExportKind::Mailbox: {
      std::string host, user, why;
      if (!formats::resolve_mailbox(scenario, r.mailbox, host, user, why)) {
        out.error = why;
        break;
      }
      const auto box = formats::mailbox_messages(stores_of(scenario), host, user);
      files.emplace_back(dir / (base + "-" + formats::file_name_part(r.mailbox, 60) + ".mbox"),
                         formats::write_mbox(box, formats::kDefaultEpoch));
      break;
    }
    case ExportKind::Letter: {
      // The delivered copy (with its Return-Path and Received chain) when a store has it,
      // else the message as it crossed the wire.
      // A copy deleted later (POP3) or a message sent inside TLS is found too: the messages are
      // kept while the run goes on.
      const auto whole = formats::run_with_messages(scenario);
      const std::string* raw = nullptr;
      for (const auto& s : whole.messages.stored) {
        const auto id = message::find_header(message::parse_header_section(s.raw), "Message-ID");
        if (id && *id == r.message_id) raw = &s.raw;
      }
      for (const auto& t : whole.messages.transfers) {
        if (raw) break;
        const auto id = message::find_header(message::parse_header_section(t.raw), "Message-ID");
        if (id && *id == r.message_id) raw = &t.raw;
      }
      if (!raw) {
        out.error = "the message's bytes are not in this run's stores (it was never delivered)";
        break;
      }
      auto subject = formats::file_name_part(formats::message_subject(*raw));
      if (subject.empty()) subject = formats::file_name_part(r.message_id);
      files.emplace_back(dir / (base + "-" + (subject.empty() ? std::string("message") : subject) + ".eml"), *raw);
      break;
    }
  }
  if (!out.ok()) return out;
  for (const auto& [path, bytes] : files) {
    if (!write_file(path, bytes, out.error)) {
      std::error_code ec;
      for (const auto& w : out.written) fs::remove(w, ec);
      out.written.clear();
      return out;
    }
    out.written.push_back(path.string());
  }
  return out;
}

}  // namespace mailsim::gui
