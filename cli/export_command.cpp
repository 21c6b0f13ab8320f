// `mailsim export`: validates every argument, builds every file in memory, then writes them
// (each through a temporary name, so a failure leaves no partial file behind).
#include "cli/export_command.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/lessons.hpp"
#include "formats/scenario_export.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/apps/mail/mail_world.hpp"

namespace mailsim::cli {
namespace fs = std::filesystem;
namespace {

// What will be written: a file's path and bytes (directories are made for them).
struct Output {
  fs::path path;
  std::string bytes;
  bool folder = false;  // an (empty) folder to make, no file
};

// "1775001600", "2026-04-01" or "2026-04-01T09:30:00Z" -> seconds since 1970 (UTC).
std::optional<long long> parse_epoch(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 12) return std::stoll(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
  if (!(n == 3 && text.size() == 10) && !(n == 7 && tail == 'Z')) return std::nullopt;
  if (y < 1970 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  // Days from civil (H. Hinnant's algorithm).
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long long days = static_cast<long long>(era) * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

// A file may be written at `path`: its folder exists (or can be made) and is writable.
bool writable_target(const fs::path& path, bool is_dir, std::string& why) {
  std::error_code ec;
  if (path.empty()) {
    why = "empty path";
    return false;
  }
  if (!is_dir && fs::is_directory(path, ec)) {
    why = "is a folder";
    return false;
  }
  if (is_dir && fs::exists(path, ec) && !fs::is_directory(path, ec)) {
    why = "exists and is not a folder";
    return false;
  }
  fs::path dir = is_dir ? path : path.parent_path();
  if (dir.empty()) dir = ".";
  // The nearest folder that exists must be a writable folder.
  while (!fs::exists(dir, ec)) {
    const fs::path parent = dir.parent_path();
    if (parent.empty()) {
      dir = ".";
      break;
    }
    if (parent == dir) break;
    dir = parent;
  }
  if (!fs::is_directory(dir, ec)) {
    why = "its folder " + dir.string() + " is not a folder";
    return false;
  }
  const fs::path probe = dir / ".mailsim-write-test";
  {
    std::ofstream f(probe, std::ios::binary);
    if (!f) {
      why = "cannot write in " + dir.string();
      return false;
    }
  }
  fs::remove(probe, ec);
  return true;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto end = std::min(text.find(',', at), text.size());
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// Writes every output through PATH.part and a rename; on any failure removes what it wrote.
bool write_all(const std::vector<Output>& outputs, std::ostream& err) {
  std::vector<fs::path> written, made_dirs;
  std::error_code ec;
  const auto undo = [&] {
    for (const auto& p : written) fs::remove(p, ec);
    for (auto it = made_dirs.rbegin(); it != made_dirs.rend(); ++it) fs::remove(*it, ec);
  };
  for (const auto& o : outputs) {
    // Folders that do not exist yet are made (and removed again on failure).
    std::vector<fs::path> missing;
    for (fs::path d = o.folder ? o.path : o.path.parent_path(); !d.empty() && !fs::exists(d, ec); d = d.parent_path()) {
      missing.push_back(d);
      if (d == d.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (!fs::create_directory(*it, ec)) {
        err << "mailsim export: " << it->string() << ": cannot make the folder (" << ec.message() << ")\n";
        undo();
        return false;
      }
      made_dirs.push_back(*it);
    }
    if (o.folder) continue;
    fs::path part = o.path;
    part += ".part";
    {
      std::ofstream f(part, std::ios::binary | std::ios::trunc);
      f.write(o.bytes.data(), static_cast<std::streamsize>(o.bytes.size()));
      f.close();
      if (!f) {
        err << "mailsim export: " << o.path.string() << ": cannot write the file\n";
        fs::remove(part, ec);
        undo();
        return false;
      }
    }
    fs::rename(part, o.path, ec);
    if (ec) {
      err << "mailsim export: " << o.path.string() << ": cannot write the file (" << ec.message() << ")\n";
      fs::remove(part, ec);
      undo();
      return false;
    }
    written.push_back(o.path);
  }
  return true;
}

}  // namespace

CLI::App* add_export_command(CLI::App& app, ExportArgs& a) {
  auto* e = app.add_subcommand(
      "export", "Write a run as files: pcap/pcapng captures, .eml messages, mbox/Maildir mailboxes, SVG diagrams");
  e->add_option("scenario", a.scenario, "Scenario file (JSON) or lesson name (see 'mailsim list')")->required();
  e->add_option("--pcap", a.pcap, "Write every packet as classic pcap (IPv4, LINKTYPE_RAW)");
  e->add_option("--pcapng", a.pcapng, "Write every packet as pcapng, one interface per network, narration as comments");
  e->add_option("--at", a.at,
                "With --pcap/--pcapng: a host id, capture what its interface saw (an observer sees its network). "
                "With --mbox/--maildir: a virtual time, the mailbox as it was then (e.g. 2s)");
  e->add_option("--proto", a.protos, "Only these protocols (comma list of smtp,pop3,imap,dns,tcp,udp,tls)");
  e->add_option("--conn", a.conn, "Only this TCP connection id");
  e->add_option("--from", a.from, "Only packets that left at or after this virtual time (e.g. 1.5s)");
  e->add_option("--to", a.to, "Only packets that left at or before this virtual time");
  e->add_option("--epoch", a.epoch,
                "Wall-clock time of virtual time 0: seconds since 1970 or 2026-04-01[T09:00:00Z] "
                "(default 2025-11-01T00:00:00Z, as the messages' dates)");
  e->add_option("--eml", a.eml_dir, "Write every message of the run as .eml files into this folder");
  e->add_option("--mbox", a.mbox, "Write the mailbox named by --mailbox as an mbox file (mboxrd)");
  e->add_option("--maildir", a.maildir, "Write the mailbox named by --mailbox as a Maildir folder");
  e->add_option("--mailbox", a.mailbox, "The mailbox for --mbox/--maildir, USER@DOMAIN");
  e->add_option("--svg", a.svg, "Write the sequence diagram as SVG");
  e->add_option("--svg-map", a.svg_map, "Write the network map at --step N as SVG");
  e->add_option("--step", a.step, "Narration step for --svg-map (from 1)");
  e->add_option("--lang", a.lang, "Language of comments and diagrams: en or ja")
      ->check([](const std::string& v) { return v == "en" || v == "ja" ? std::string() : std::string("expected en or ja"); },
              "en|ja");
  return e;
}

int run_export(const ExportArgs& a, const fs::path& lessons, std::ostream& out, std::ostream& err) {
  const auto fail = [&](const std::string& what) {
    err << "mailsim export: " << what << "\n";
    return kExitInvalid;
  };
  std::string why;
  const auto file = resolve_lesson(a.scenario, lessons, why);
  if (!file) return fail(why);
  auto loaded = sim::load_scenario_file(file->string());
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) err << d.format() << "\n";
    return kExitInvalid;
  }
  const sim::Scenario& sc = *loaded.scenario;
  const bool capture = !a.pcap.empty() || !a.pcapng.empty();
  const bool mailbox_out = !a.mbox.empty() || !a.maildir.empty();
  if (!capture && !mailbox_out && a.eml_dir.empty() && a.svg.empty() && a.svg_map.empty())
    return fail("nothing to write: give --pcap, --pcapng, --eml, --mbox, --maildir, --svg or --svg-map");

  // --- every argument is checked before the run and before anything is written ---
  formats::CaptureOptions copt;
  if (!a.epoch.empty()) {
    const auto e = parse_epoch(a.epoch);
    if (!e) return fail("--epoch " + a.epoch + ": expected seconds since 1970 or a date like 2026-04-01T09:00:00Z");
    copt.epoch = *e;
  }
  for (const auto& p : split_list(a.protos)) {
    if (!formats::known_capture_proto(p)) return fail("--proto " + p + ": expected smtp, pop3, imap, dns, tcp, udp or tls");
    copt.protos.insert(p);
  }
  if (a.conn == 0 || a.conn < -1) return fail("--conn: expected a connection id from 1");
  if (a.conn > 0) copt.conn = static_cast<std::uint64_t>(a.conn);
  const auto time_arg = [&](const std::string& name, const std::string& text, std::optional<sim::Time>& t) {
    if (text.empty()) return true;
    std::string w;
    t = sim::parse_duration(text, &w);
    if (!t) err << "mailsim export: " << name << " " << text << ": " << w << "\n";
    return t.has_value();
  };
  if (!time_arg("--from", a.from, copt.from) || !time_arg("--to", a.to, copt.to)) return kExitInvalid;
  if (copt.from && copt.to && *copt.from > *copt.to)
    return fail("--from " + a.from + " is after --to " + a.to + ": no packet could be kept");
  std::optional<sim::Time> mailbox_time;
  if (!a.at.empty()) {
    const auto ids = formats::host_ids(sc);
    const bool is_host = std::find(ids.begin(), ids.end(), a.at) != ids.end();
    if (is_host) {
      if (!capture) return fail("--at " + a.at + ": a capture point needs --pcap or --pcapng");
      copt.at = a.at;
    } else {
      std::string w;
      mailbox_time = sim::parse_duration(a.at, &w);
      if (!mailbox_time) {
        std::string list;
        for (const auto& i : ids) list += (list.empty() ? "" : ", ") + i;
        return fail("--at " + a.at + ": neither a host of this scenario (" + list + ") nor a time (" + w + ")");
      }
      if (!mailbox_out) return fail("--at " + a.at + ": a time applies to --mbox and --maildir");
    }
  }
  std::string mb_host, mb_user;
  if (mailbox_out && a.mailbox.empty()) return fail("--mbox and --maildir need --mailbox USER@DOMAIN");
  if (!a.mailbox.empty() && !mailbox_out) return fail("--mailbox needs --mbox or --maildir");
  if (mailbox_out && !formats::resolve_mailbox(sc, a.mailbox, mb_host, mb_user, why))
    return fail("--mailbox " + a.mailbox + ": " + why);
  if (!a.svg_map.empty()) {
    if (sc.narration.empty()) return fail("--svg-map: this scenario has no narration steps");
    if (a.step < 1 || static_cast<std::size_t>(a.step) > sc.narration.size())
      return fail("--step " + std::to_string(a.step) + ": expected a narration step from 1 to " +
                  std::to_string(sc.narration.size()));
  } else if (a.step != 0) {
    return fail("--step needs --svg-map");
  }
  {
    // Two outputs on one path would overwrite each other (or put files in a file's place).
    std::vector<std::pair<std::string, fs::path>> seen;
    for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
             {"--pcap", a.pcap}, {"--pcapng", a.pcapng}, {"--eml", a.eml_dir}, {"--mbox", a.mbox},
             {"--maildir", a.maildir}, {"--svg", a.svg}, {"--svg-map", a.svg_map}}) {
      if (path.empty()) continue;
      const auto norm = fs::path(path).lexically_normal();
      for (const auto& [other, p] : seen)
        if (p == norm) return fail(name + " " + path + ": the same path as " + other);
      seen.emplace_back(name, norm);
    }
  }
  for (const auto& [path, dir] : std::vector<std::pair<std::string, bool>>{
           {a.pcap, false}, {a.pcapng, false}, {a.eml_dir, true}, {a.mbox, false}, {a.maildir, true},
           {a.svg, false}, {a.svg_map, false}}) {
    if (path.empty()) continue;
    if (!writable_target(path, dir, why)) return fail(path + ": cannot write there: " + why);
  }

  // --- the run ---
  const auto whole = formats::run_with_messages(sc);
  const auto& run = whole.run;
  const auto& stored = whole.at_end;
  if (mailbox_time && *mailbox_time > run.end_time)
    return fail("--at " + a.at + ": after the end of the run (" + sim::format_time(run.end_time) + ")");
  if (capture && copt.from && *copt.from > run.end_time)
    return fail("--from " + a.from + ": after the end of the run (" + sim::format_time(run.end_time) + ")");
  if (capture && copt.conn) {
    std::uint64_t last = 0;
    bool found = false;
    for (const auto& p : formats::wire_packets(run.trace)) {
      if (!p.tcp) continue;
      last = std::max(last, p.conn);
      found = found || p.conn == *copt.conn;
    }
    if (!found)
      return fail("--conn " + std::to_string(*copt.conn) + ": no such TCP connection in this run" +
                  (last ? " (they are numbered 1 to " + std::to_string(last) + ")" : " (it has none)"));
  }

  std::vector<Output> outputs;
  if (!a.pcap.empty()) outputs.push_back({a.pcap, formats::capture_file(sc, run, copt, false, a.lang)});
  if (!a.pcapng.empty()) outputs.push_back({a.pcapng, formats::capture_file(sc, run, copt, true, a.lang)});
  if (!a.eml_dir.empty())
    for (auto& f : formats::eml_files(whole.messages)) outputs.push_back({fs::path(a.eml_dir) / f.name, std::move(f.raw)});
  if (mailbox_out) {
    std::vector<formats::StoredMessage> box;
    if (mailbox_time) {
      sim::RunOptions until;
      until.until = *mailbox_time;
      std::vector<formats::StoredMessage> then;
      until.at_end = [&](sim::Simulation&, sim::mail::MailWorld& w) { then = formats::stored_messages(w); };
      (void)sim::run_scenario(sc, until);
      box = formats::mailbox_messages(then, mb_host, mb_user);
    } else {
      box = formats::mailbox_messages(stored, mb_host, mb_user);
    }
    if (!a.mbox.empty()) outputs.push_back({a.mbox, formats::write_mbox(box, copt.epoch)});
    if (!a.maildir.empty()) {
      const fs::path root(a.maildir);
      for (const char* sub : {"cur", "new", "tmp"}) outputs.push_back({root / sub, {}, true});
      for (auto& e : formats::maildir_entries(box, copt.epoch)) outputs.push_back({root / e.subdir / e.name, std::move(e.raw)});
    }
  }
  if (!a.svg.empty())
    outputs.push_back({a.svg, formats::sequence_svg(run.trace, formats::diagram_input(sc, run.narration, a.lang))});
  if (!a.svg_map.empty())
    outputs.push_back({a.svg_map, formats::map_svg(run.trace, formats::diagram_input(sc, run.narration, a.lang),
                                                   static_cast<std::size_t>(a.step))});
  if (!write_all(outputs, err)) return kExitInvalid;
  for (const auto& o : outputs)
    if (!o.folder) out << "wrote " << o.path.string() << " (" << o.bytes.size() << " bytes)\n";
  return kExitOk;
}

}  // namespace mailsim::cli
