// Text and JSON reports of a scenario run.
#include "cli/report.hpp"

#include <algorithm>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/report_strings.hpp"
#include "sim/scenario/checker.hpp"
#include "sim/scenario/faults_loader.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::cli {

namespace {

// A moment of the run in the report's language: "1m 02.288s", in Japanese "1分02.288秒" (the
// app's clock says the same; a Japanese report has no English units).
std::string clock(sim::Time t, const ReportOptions& o) { return sim::format_moment(t, o.lang); }

bool in_story(const sim::Record& r, const ReportOptions& o) {
  switch (r.kind) {
    case sim::RecordKind::Packet: return o.packets;
    case sim::RecordKind::Meta: return false;
    default: return true;
  }
}

std::string phrase(std::string_view key, const ReportOptions& o) { return std::string(report_string(key, o.lang)); }

template <typename... Args>
std::string phrase(std::string_view key, const ReportOptions& o, Args&&... args) {
  return fmt::format(fmt::runtime(report_string(key, o.lang)), std::forward<Args>(args)...);
}

// Display width of UTF-8 text, counting East Asian characters as two columns (roughly).
std::size_t width_of(std::string_view text) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    w += c >= 0xE0 ? 2 : 1;
  }
  return w;
}

void heading(std::ostream& out, const std::string& text, char rule) {
  out << "\n" << text << "\n" << std::string(std::min<std::size_t>(width_of(text), 78), rule) << "\n";
}

// A host's name for people, in the report's language (the id when it is not a host).
std::string who(const sim::Scenario& s, const std::string& id, const std::string& lang) {
  for (const auto& h : s.hosts) {
    if (h.info.id != id) continue;
    const std::string& name = lang == "ja" && !h.info.name_ja.empty() ? h.info.name_ja : h.info.name;
    return name.empty() || name == id ? id : fmt::format("{} ({})", name, id);
  }
  return id;
}

const sim::Record* record_at(const sim::Trace& t, std::uint64_t seq) { return t.find(seq); }

void print_story(std::ostream& out, const sim::Scenario& s, const sim::RunResult& r, const ReportOptions& o) {
  heading(out, phrase("story", o), '-');
  const auto& tables = sim::analogy_tables();
  for (const auto& m : r.narration) {
    if (m.step >= s.narration.size()) continue;
    const auto& step = s.narration[m.step];
    const sim::Record* rec = m.reached ? record_at(r.trace, m.seq) : nullptr;
    out << fmt::format("\n{:>2}. ", m.step + 1);
    if (rec) {
      out << clock(rec->time, o) << "  " << who(s, rec->host, o.lang);
      if (!rec->peer.empty()) out << " -> " << who(s, rec->peer, o.lang);
      out << "\n";
    } else {
      out << phrase("story.not_reached", o, step.when.describe(o.lang)) << "\n";
    }
    out << "    " << step.text(o.lang) << "\n";
    if (rec && !rec->text().empty()) out << "      | " << sim::describe_record(*rec, o.lang, &s) << "\n";
    if (!step.analogy.empty()) {
      if (auto a = tables.lookup(step.analogy, o.lang))
        out << "    " << phrase("story.analogy", o) << (o.lang == "ja" ? "：" : ": ") << a->title << "\n      "
            << a->text << "\n";
    }
  }
}

bool plain_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// `text` padded with spaces to `width` columns, on the right (`right`: on the left).
void append_padded(std::string& line, std::string_view text, std::size_t width, bool right) {
  const std::size_t pad = text.size() < width ? width - text.size() : 0;
  if (right) line.append(pad, ' ');
  line += text;
  if (!right) line.append(pad, ' ');
}

// One line of the list of records: what fmt::format("{:>12}  {:<{}}  {:<10}  {}\n", ...) makes.
// Text that is plain ASCII is as wide as it is long, so it is padded here; anything else goes
// through fmt, which measures the width of other characters itself.
void append_record_line(std::string& line, const std::string& when, sim::Name host, std::size_t width,
                        const std::string& kind, const std::string& text) {
  if (!plain_ascii(when) || !plain_ascii(host.view()) || !plain_ascii(kind)) {
    line += fmt::format("{:>12}  {:<{}}  {:<10}  {}\n", when, host, width, kind, text);
    return;
  }
  append_padded(line, when, 12, true);
  line += "  ";
  append_padded(line, host.view(), width, false);
  line += "  ";
  append_padded(line, kind, 10, false);
  line += "  ";
  line += text;
  line += '\n';
}

void print_records(std::ostream& out, const sim::Scenario& s, const sim::RunResult& r, const ReportOptions& o) {
  heading(out, phrase("happened", o), '-');
  std::size_t width = 4;
  for (const auto& h : s.hosts) width = std::max(width, h.info.id.size());
  std::size_t shown = 0;
  // Words looked up once per kind and once per moment, not per record; lines written in blocks.
  std::vector<std::string> kinds;
  std::vector<bool> have_kind;
  std::string when;
  std::optional<sim::Time> when_at;
  std::string lines;
  for (const auto& rec : r.trace.records()) {
    if (!in_story(rec, o)) continue;
    ++shown;
    const auto k = static_cast<std::size_t>(rec.kind);
    if (k >= kinds.size()) {
      kinds.resize(k + 1);
      have_kind.resize(k + 1);
    }
    if (!have_kind[k]) {
      kinds[k] = phrase("kind." + std::string(sim::to_string(rec.kind)), o);
      have_kind[k] = true;
    }
    if (when_at != rec.time) {
      when = clock(rec.time, o);
      when_at = rec.time;
    }
    append_record_line(lines, when, rec.host, width, kinds[k], sim::describe_record(rec, o.lang, &s));
    if (lines.size() >= (1u << 16)) {
      out << lines;
      lines.clear();
    }
  }
  out << lines;
  if (shown == 0 && r.trace.complete()) out << "  " << phrase("happened.nothing", o) << "\n";
  if (!r.trace.complete()) out << "  " << phrase("happened.partial", o, r.trace.records().size(), r.trace.size()) << "\n";
}

}  // namespace

void print_text_report(std::ostream& out, const sim::Scenario& s, const sim::RunResult& r, const ReportOptions& o) {
  const std::string& title = s.title.in(o.lang);
  out << title << "\n";
  out << std::string(std::min<std::size_t>(width_of(title), 78), '=') << "\n";
  if (!s.description.in(o.lang).empty()) out << s.description.in(o.lang) << "\n";
  out << "\n"
      << phrase("header", o, s.file, s.seed, clock(r.end_time, o), r.events, r.trace.size())
      << (r.stopped_early ? phrase("header.stopped", o) : std::string()) << "\n";

  if (!s.narration.empty()) {
    print_story(out, s, r, o);
    if (o.verbose) print_records(out, s, r, o);
    else out << "\n" << phrase("story.more", o) << "\n";
  } else {
    print_records(out, s, r, o);
  }

  if (r.budget_stop) {
    heading(out, phrase("budget", o), '-');
    out << "  " << r.budget_stop->message(o.lang) << "\n";
  }
  if (!s.faults.empty()) {
    // Which rules of the fault plan fired (docs/faults.md).
    heading(out, phrase("faults", o), '-');
    for (const auto& t : sim::fault_tally(s, r.trace))
      out << "  "
          << (t.fired ? phrase("faults.fired", o, t.rule, t.fired, clock(t.first, o))
                      : phrase("faults.never", o, t.rule))
          << "\n";
  }
  heading(out, phrase("conservation", o), '-');
  const auto& c = r.conservation;
  if (c.holds()) {
    out << "  "
        << phrase("conservation.holds", o, c.messages, c.recipients, c.delivered, c.relayed, c.bounced, c.dropped,
                  c.queued, c.in_transfer, c.sent, c.answered)
        << "\n";
  } else {
    out << "  " << phrase("conservation.violated", o, c.violations.size()) << "\n";
    for (const auto& v : c.violations) out << "        " << v.what << "\n";
  }

  std::size_t unreached = 0;
  for (const auto& m : r.narration)
    if (!m.reached) ++unreached;
  if (!r.expectations.empty() || unreached > 0) {
    heading(out, phrase("expectations", o), '-');
    std::size_t passed = 0;
    const std::string pass = phrase("expectations.pass", o), fail = phrase("expectations.fail", o);
    for (const auto& e : r.expectations) {
      if (e.passed) ++passed;
      out << fmt::format("  {}  {}\n", e.passed ? pass : fail, sim::describe_expectation(e, o.lang, &s));
      if (!e.passed) out << fmt::format("        {} ({})\n", sim::describe_outcome(e, o.lang, &r.trace, &s), e.pointer);
    }
    for (const auto& m : r.narration) {
      if (m.reached || m.step >= s.narration.size()) continue;
      const auto& step = s.narration[m.step];
      out << fmt::format("  {}  {}\n", fail, phrase("expectations.narration", o, m.step + 1, step.when.describe(o.lang)));
      out << fmt::format("        \"{}\" ({})\n", step.text(o.lang), step.pointer);
    }
    out << "\n" << phrase("expectations.summary", o, passed, r.expectations.size() + unreached) << "\n";
  }
}

nlohmann::json json_report(const sim::Scenario& s, const sim::RunResult& r) {
  nlohmann::json j;
  j["scenario"] = s.name;
  j["file"] = s.file;
  j["title"] = {{"en", s.title.en}, {"ja", s.title.ja}};
  j["seed"] = s.seed;
  j["end_time_us"] = r.end_time;
  j["events"] = r.events;
  j["records"] = r.trace.size();
  j["records_kept"] = r.trace.records().size();  // fewer with --keep checks (docs/trace.md)
  j["stopped_early"] = r.stopped_early;
  // The run budget that ran out (null when none did) and the conservation check (docs/report.md).
  j["budget_stop"] = nullptr;
  if (const auto& b = r.budget_stop) {
    j["budget_stop"] = {{"budget", sim::to_string(b->kind)},
                        {"limit", b->limit},
                        {"used", b->used},
                        {"t", b->at},
                        {"cause", b->cause.code},
                        {"cause_params", b->cause.params},
                        {"message", b->message("en")},
                        {"ja", b->message("ja")}};
  }
  j["conservation"] = r.conservation.to_json();
  j["faults"] = nlohmann::json::array();  // each rule of the fault plan: how often it fired (docs/faults.md)
  for (const auto& t : sim::fault_tally(s, r.trace)) {
    nlohmann::json f{{"rule", t.rule}, {"fired", t.fired}};
    f["first_us"] = t.first >= 0 ? nlohmann::json(t.first) : nlohmann::json(nullptr);
    j["faults"].push_back(std::move(f));
  }
  j["expectations"] = nlohmann::json::array();
  for (const auto& e : r.expectations) {
    nlohmann::json x{{"pointer", e.pointer}, {"description", e.description}, {"passed", e.passed}, {"actual", e.actual}};
    // The same in structured form, and worded in Japanese (docs/report.md).
    x["kind"] = e.kind;
    x["params"] = e.params;
    x["outcome"] = e.outcome;
    x["outcome_params"] = e.outcome_params;
    x["records"] = e.records;
    x["ja"] = {{"description", sim::describe_expectation(e, "ja", &s)},
               {"actual", sim::describe_outcome(e, "ja", &r.trace, &s)}};
    j["expectations"].push_back(std::move(x));
  }
  j["narration"] = nlohmann::json::array();
  for (const auto& m : r.narration) {
    if (m.step >= s.narration.size()) continue;
    const auto& step = s.narration[m.step];
    nlohmann::json n{{"step", m.step},
                     {"pointer", step.pointer},
                     {"when", step.when.describe()},
                     {"reached", m.reached},
                     {"en", step.en},
                     {"ja", step.ja},
                     {"analogy", step.analogy}};
    if (m.reached) {
      n["seq"] = m.seq;
      n["t"] = m.time;
    }
    j["narration"].push_back(std::move(n));
  }
  j["passed"] = r.all_passed() && r.narration_reached() && !r.budget_stop;
  return j;
}

}  // namespace mailsim::cli
