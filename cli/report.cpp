// Text and JSON reports of a scenario run.
#include "cli/report.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "sim/checker.hpp"

namespace mailsim::cli {

namespace {

bool in_story(const sim::Record& r, const ReportOptions& o) {
  switch (r.kind) {
    case sim::RecordKind::Packet: return o.packets;
    case sim::RecordKind::Meta: return false;
    default: return true;
  }
}

}  // namespace

void print_text_report(std::ostream& out, const sim::Scenario& s, const sim::RunResult& r, const ReportOptions& o) {
  out << s.title.en << "\n";
  out << std::string(std::min<std::size_t>(s.title.en.size(), 78), '=') << "\n";
  if (!s.description.en.empty()) out << s.description.en << "\n";
  out << fmt::format("\nscenario {} | seed {} | virtual time {} | {} events | {} trace records{}\n", s.file, s.seed,
                     sim::format_time(r.end_time), r.events, r.trace.size(),
                     r.stopped_early ? " | stopped before the end" : "");

  out << "\nWhat happened\n-------------\n";
  std::size_t width = 4;
  for (const auto& h : s.hosts) width = std::max(width, h.info.id.size());
  std::size_t shown = 0;
  for (const auto& rec : r.trace.records()) {
    if (!in_story(rec, o)) continue;
    ++shown;
    std::string kind(sim::to_string(rec.kind));
    out << fmt::format("{:>12}  {:<{}}  {:<10}  {}\n", sim::format_time(rec.time), rec.host, width, kind, rec.summary);
  }
  if (shown == 0) out << "  (nothing happened: the timeline is empty)\n";

  if (!r.expectations.empty()) {
    out << "\nExpectations\n------------\n";
    std::size_t passed = 0;
    for (const auto& e : r.expectations) {
      if (e.passed) ++passed;
      out << fmt::format("  {}  {}\n", e.passed ? "PASS" : "FAIL", e.description);
      if (!e.passed) out << fmt::format("        {} ({})\n", e.actual, e.pointer);
    }
    out << fmt::format("\n{} of {} expectation(s) held.\n", passed, r.expectations.size());
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
  j["stopped_early"] = r.stopped_early;
  j["expectations"] = nlohmann::json::array();
  for (const auto& e : r.expectations)
    j["expectations"].push_back(
        {{"pointer", e.pointer}, {"description", e.description}, {"passed", e.passed}, {"actual", e.actual}});
  j["passed"] = r.all_passed();
  return j;
}

}  // namespace mailsim::cli
