// Narration: steps of a lesson's story tied to moments of the trace, and the post-office analogy tables.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

namespace mailsim::sim {

// A moment of the trace: the nth record (from 1) of `kind` whose other fields match, counted
// after the moment of the previous step. Empty strings match anything.
struct NarrationMoment {
  RecordKind kind = RecordKind::Note;
  std::string event;
  std::string host;
  std::string peer;
  std::string proto;
  std::string contains;  // a substring of the record's summary (case-sensitive)
  int nth = 1;

  bool matches(const Record& r) const;
  // In words, for reports: "the 2nd dns record with event \"result\" on shiroyagi-pc"; in
  // Japanese (lang "ja") with the scenario's own values quoted: 次の「dns」の記録（イベント「result」…）.
  std::string describe(std::string_view lang = "en") const;
};

struct NarrationStep {
  NarrationMoment when;
  std::string en;
  std::string ja;       // may be empty: English is shown instead
  std::string analogy;  // key into assets/analogy/LANG.json ("smtp.submission"), may be empty
  std::string pointer;  // where the step is in the scenario file ("/narration/2")
  const std::string& text(std::string_view lang) const { return lang == "ja" && !ja.empty() ? ja : en; }
};

// Where a step's moment happened in a trace.
struct NarrationMatch {
  std::size_t step = 0;     // index into Scenario::narration
  bool reached = false;
  std::uint64_t seq = 0;    // the matched record (when reached)
  Time time = 0;
};

// Ties each step to its record. Steps are in order: a step is searched strictly after the
// record of the last step that was reached (so one missing moment does not hide the rest).
std::vector<NarrationMatch> match_narration(const std::vector<NarrationStep>& steps, const Trace& trace);

// ---- the post-office analogy tables (assets/analogy/en.json, ja.json) ----

struct AnalogyText {
  std::string title;
  std::string text;
};

class AnalogyTables {
 public:
  // Reads DIR/analogy/en.json and ja.json; false (with `error`) when en.json is unusable.
  bool load(const std::filesystem::path& assets_dir, std::string& error);
  bool loaded() const { return loaded_; }
  // Situation keys (sorted): "smtp.submission" for "smtp.submission.title" and ".text".
  const std::vector<std::string>& keys() const { return keys_; }
  bool has(const std::string& key) const;
  // The wording in `lang` (falls back to English), or nullopt for an unknown key.
  std::optional<AnalogyText> lookup(const std::string& key, std::string_view lang) const;

 private:
  bool loaded_ = false;
  std::vector<std::string> keys_;
  std::map<std::string, std::string> en_, ja_;
};

// The assets folder used by the loader and the reports. Chosen by the program (e.g. next to
// the executable); otherwise $MAILSIM_ASSETS, otherwise the source tree's assets/.
void set_assets_dir(const std::filesystem::path& dir);
std::filesystem::path assets_dir();
// The tables in assets_dir(), read once (reloaded when set_assets_dir changes the folder).
const AnalogyTables& analogy_tables();

}  // namespace mailsim::sim
