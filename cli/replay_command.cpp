// `mailsim replay`: reads a capture or transcript, prints its story, writes it as a trace.
#include "cli/replay_command.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/replay_check.hpp"
#include "cli/replay_client.hpp"
#include "formats/readers/capture.hpp"
#include "formats/readers/to_trace.hpp"
#include "sim/scenario/checker.hpp"

namespace mailsim::cli {
namespace {

constexpr std::uintmax_t kMaxReplayFile = 256u << 20;

bool read_file(const std::string& path, std::string& bytes, std::string& error) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    error = path + ": no such file";
    return false;
  }
  if (size > kMaxReplayFile) {
    error = path + ": larger than " + std::to_string(kMaxReplayFile) + " bytes";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  bytes = s.str();
  return true;
}

std::string host_label(const formats::ReplayTrace& rt, const std::string& id) {
  for (const auto& h : rt.hosts)
    if (h.id == id) return h.name.empty() ? id : h.name + " (" + id + ")";
  return id;
}

void print_story(std::ostream& out, const std::string& file, const formats::Capture& c, const formats::ReplayTrace& rt) {
  out << fmt::format("Replay of {} ({}): {} connection(s), {} host(s)\n", std::filesystem::path(file).filename().string(),
                     c.format, c.streams.size(), rt.hosts.size());
  for (const auto& h : rt.hosts) out << fmt::format("  host {:<24} {}\n", h.id, h.name.empty() ? "" : h.name);
  for (const auto& n : c.notes) out << "  note: " << n << "\n";
  const auto& records = rt.trace.records();
  for (std::size_t i = 0; i < c.streams.size(); ++i) {
    const auto conn = i + 1;
    out << "\n";
    for (const auto& r : records) {
      if (r.conn != conn || r.kind == sim::RecordKind::Packet) continue;
      const std::string t = sim::format_time(r.time);
      switch (r.kind) {
        case sim::RecordKind::Connection:
          if (r.event == "closed") out << fmt::format("  {:>10}  -- {}\n", t, r.summary);
          else
            out << fmt::format("Connection {}: {} -> {}\n  {:>10}  -- {}\n", conn, host_label(rt, r.host),
                               host_label(rt, r.peer), t, r.summary);
          break;
        case sim::RecordKind::Protocol:
        case sim::RecordKind::Dns: {
          std::string line = r.text();  // a protocol record's line is worded from its typed fields
          if (r.detail.contains("meaning")) line += "   (" + r.detail["meaning"].get<std::string>() + ")";
          out << fmt::format("  {:>10}  {}\n", t, line);
          break;
        }
        case sim::RecordKind::Mail:
        case sim::RecordKind::Mailbox: out << fmt::format("  {:>10}  => {}\n", t, r.summary); break;
        case sim::RecordKind::Note: out << fmt::format("  {:>10}  !  {}\n", t, r.summary); break;
        default: break;
      }
    }
  }
  out << fmt::format("\n{} record(s); {} thing(s) not understood (shown above as such)\n", records.size(),
                     rt.not_understood);
}

}  // namespace

CLI::App* add_replay_command(CLI::App& app, ReplayArgs& a) {
  auto* r = app.add_subcommand("replay",
                               "Show a real capture or transcript as a mailsim story, or check it against a scenario's "
                               "servers (--against)");
  r->add_option("file", a.file, "pcap, pcapng, or a transcript (C:/S:, swaks, curl --trace-ascii, smtplib, Postfix, "
                                "tshark follow YAML, mailsim JSON Lines)")
      ->required();
  std::string formats;
  for (auto f : formats::known_formats()) formats += (formats.empty() ? "" : ", ") + std::string(f);
  r->add_option("--format", a.format, "Input format: " + formats + " (default: auto)");
  r->add_option("--map", a.maps, "Read a port as a protocol, e.g. --map 10025=smtp (repeatable)");
  r->add_option("--trace", a.trace_path, "Write the replay as a mailsim trace (JSON Lines) to this file");
  r->add_option("--against", a.against, "Feed the recorded client side to this scenario's servers and compare replies");
  r->add_option("--server", a.server, "With --against: the scenario host that plays the server (default: by port)");
  r->add_option("--ignore", a.ignore, "With --against: normalise more variable parts (see docs/replay.md), or 'none'");
  r->add_flag("--json", a.json, "With --against or --client: print the comparison as JSON");
  r->add_flag("--client", a.client,
              "Feed the recorded server replies to mailsim's own SMTP/POP3/IMAP client and compare the commands it "
              "would send with the recorded client's");
  return r;
}

int run_replay(const ReplayArgs& a, std::ostream& out, std::ostream& err) {
  formats::ReadOptions o;
  o.format = a.format;
  for (const auto& m : a.maps) {
    std::string why;
    if (!formats::parse_port_map(m, o.port_map, why)) {
      err << "mailsim replay: " << why << "\n";
      return kExitInvalid;
    }
  }
  std::string bytes, error;
  if (!read_file(a.file, bytes, error)) {
    err << "mailsim replay: " << error << "\n";
    return kExitInvalid;
  }
  const auto read = formats::read_capture(bytes, o);
  if (!read.capture) {
    err << a.file << ": " << read.error << "\n";
    return kExitInvalid;
  }
  const auto rt = formats::to_trace(*read.capture, std::filesystem::path(a.file).filename().string());
  if (!a.trace_path.empty()) {
    std::ofstream tf(a.trace_path, std::ios::binary);
    if (!tf) {
      err << a.trace_path << ": cannot write the trace file\n";
      return kExitInvalid;
    }
    rt.trace.write_jsonl(tf);
  }
  if (a.client) {
    if (!a.against.empty() || !a.server.empty() || !a.ignore.empty()) {
      err << "mailsim replay: --client checks mailsim's client against the recorded server replies; it takes no "
             "--against, --server or --ignore\n";
      return kExitInvalid;
    }
    return run_replay_client(a, *read.capture, out, err);
  }
  if (!a.against.empty()) return run_replay_check(a, *read.capture, out, err);
  if (a.json || !a.server.empty() || !a.ignore.empty()) {
    err << "mailsim replay: --server and --ignore go with --against SCENARIO, --json with --against or --client\n";
    return kExitInvalid;
  }
  print_story(out, a.file, *read.capture, rt);
  return kExitOk;
}

}  // namespace mailsim::cli
