// Japanese screens speak Japanese: every Japanese string the report and the app can show (the
// report of every lesson in full, the wording templates, the app's and the analogy's string
// tables, the lessons' own texts) is scanned for English words that are not names, codes,
// commands or quoted material.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/report.hpp"
#include "sim/words/describe.hpp"
#include "sim/scenario/fix.hpp"
#include "sim/words/fix_words.hpp"
#include "sim/words/quiz.hpp"
#include "sim/scenario/runner.hpp"

namespace fs = std::filesystem;
using namespace mailsim;

namespace {

const fs::path kSource = MAILSIM_SOURCE_DIR;

// Words a Japanese text may use as they are: product and package names, keys, header field
// names and IMAP flags (shown as the protocol spells them), units.
const std::set<std::string> kAllowed = {
    "mailsim", "Debian", "Ctrl", "Enter", "PgUp", "PgDn", "Page", "Up", "Down", "Wi-Fi", "Base64", "KiB",
    "fonts-vlgothic", "Seen", "Deleted", "Received", "Return-Path", "From", "To", "Subject", "Date",
    "Message-ID", "Content-Type", "MAILER-DAEMON", "Postfix", "Thunderbird", "Outlook", "Gmail", "Ok", "Wireshark",
    "mbox", "Maildir", "pcap", "pcapng", "SVG"};

// Drops what is quoted (「…」, 『…』, "…", <…>) and {placeholders}: quoted material is the
// wire's or the user's own text, not our wording.
std::string unquoted(const std::string& s) {
  std::string out;
  std::vector<std::string> closers;
  for (std::size_t i = 0; i < s.size();) {
    auto starts = [&](const char* t) { return s.compare(i, std::char_traits<char>::length(t), t) == 0; };
    if (!closers.empty()) {
      if (starts(closers.back().c_str())) {
        i += closers.back().size();
        closers.pop_back();
        out += ' ';
      } else {
        ++i;
      }
      continue;
    }
    if (starts("「")) { closers.push_back("」"); i += 3; continue; }
    if (starts("『")) { closers.push_back("』"); i += 3; continue; }
    if (starts("“")) { closers.push_back("”"); i += 3; continue; }
    if (s[i] == '"') { closers.push_back("\""); ++i; continue; }
    if (s[i] == '<') { closers.push_back(">"); ++i; continue; }
    if (s[i] == '{') { closers.push_back("}"); ++i; continue; }
    out += s[i++];
  }
  return out;
}

// The English words of `text` that are not names, codes or commands.
std::vector<std::string> stray_words(const std::string& text, const std::set<std::string>& names) {
  std::vector<std::string> out;
  const std::string t = unquoted(text);
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '@' ||
           c == '/' || c == '_' || c == '-' || c == '\\' || c == '=' || c == '+' || c == ':' || c == '\'';
  };
  for (std::size_t i = 0; i < t.size();) {
    if (!word_char(t[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && word_char(t[j])) ++j;
    std::string w = t.substr(i, j - i);
    i = j;
    while (!w.empty() && (w.back() == '.' || w.back() == ':' || w.back() == '-' || w.back() == '\'')) w.pop_back();
    bool lower = false;
    bool code = false;
    for (char c : w) {
      if (c >= 'a' && c <= 'z') lower = true;
      if ((c >= '0' && c <= '9') || c == '.' || c == '@' || c == '/' || c == '_' || c == '\\' || c == '=' || c == ':' || c == '+')
        code = true;
    }
    if (w.size() < 2 || !lower || code || kAllowed.count(w)) continue;  // codes, commands, addresses
    std::string l;
    for (char c : w) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (names.count(l)) continue;
    out.push_back(w);
  }
  return out;
}

std::vector<fs::path> lessons() {
  std::vector<fs::path> out;
  for (const auto& g : fs::directory_iterator(kSource / "scenarios"))
    if (g.is_directory())
      for (const auto& f : fs::directory_iterator(g.path()))
        if (f.path().extension() == ".json") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The names of a lesson: host ids and names, users, domains and their labels.
void add_names(const sim::Scenario& s, std::set<std::string>& names) {
  auto add = [&](std::string n) {
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string part;
    for (char c : n + " ") {
      if (c == ' ' || c == '.' || c == '-' || c == '@' || c == '(' || c == ')') {
        if (part.size() > 1) names.insert(part);
        part.clear();
      } else {
        part += c;
      }
    }
    names.insert(n);
  };
  for (const auto& h : s.hosts) {
    add(h.info.id);
    add(h.info.name);
  }
  for (const auto& n : s.networks) add(n.id);
  for (const auto& f : s.faults) add(f.id);  // fault rule ids are names, like host ids
}

void check_text(const std::string& where, const std::string& text, const std::set<std::string>& names) {
  const auto stray = stray_words(text, names);
  if (stray.empty()) return;
  std::string list;
  for (const auto& w : stray) list += " " + w;
  INFO(where << ": English words" << list << "\n  in: " << text);
  CHECK(stray.empty());
}

std::set<std::string> all_names() {
  std::set<std::string> names = {"hogehoge", "example", "com", "shiroyagi", "kuroyagi", "mx", "mx1", "mx2", "ns", "ns1"};
  for (const auto& f : lessons()) {
    auto loaded = sim::load_scenario_file(f.string());
    if (loaded.scenario) add_names(*loaded.scenario, names);
  }
  return names;
}

}  // namespace

TEST_CASE("japanese: the scanner finds English words and lets names, codes and quotes pass") {
  const std::set<std::string> names = {"shiroyagi"};
  CHECK(stray_words("mailbox full (0 + 3381 octets > quota 2048)", names) ==
        std::vector<std::string>{"mailbox", "full", "octets", "quota"});
  CHECK(stray_words("shiroyagi が 550 5.1.1 を受け取り、EHLO を送ります", names).empty());
  CHECK(stray_words("「Lunch on Friday」を shiroyagi@example.com に", names).empty());
  CHECK(stray_words("59m 00.390s", names).empty());  // codes pass: times are checked by the app's own test
}

TEST_CASE("japanese: every lesson's full report in Japanese has no stray English") {
  const auto names = all_names();
  for (const auto& f : lessons()) {
    auto loaded = sim::load_scenario_file(f.string());
    REQUIRE(loaded.scenario);
    const auto run = sim::run_scenario(*loaded.scenario);
    std::ostringstream out;
    cli::ReportOptions o;
    o.lang = "ja";
    o.verbose = true;
    cli::print_text_report(out, *loaded.scenario, run, o);
    std::istringstream lines(out.str());
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      // Protocol lines as sent ("C: EHLO ...", "S: 250 ...") are the wire's own words.
      const auto colon = line.find(": ");
      if (colon != std::string::npos && colon >= 1 && (line[colon - 1] == 'C' || line[colon - 1] == 'S') &&
          (colon == 1 || line[colon - 2] == ' '))
        continue;
      check_text(f.filename().string() + " line " + std::to_string(n), line, names);
    }
  }
}

TEST_CASE("japanese: the app's and the analogy's tables, the wording templates and the lessons' texts") {
  const auto names = all_names();
  for (const char* table : {"assets/i18n/ja.json", "assets/analogy/ja.json"}) {
    std::ifstream in(kSource / table);
    const auto j = nlohmann::json::parse(in);
    for (const auto& [key, value] : j.items())
      if (value.is_string()) check_text(std::string(table) + " " + key, value.get<std::string>(), names);
  }
  for (const auto& t : sim::wording_templates()) check_text("template " + std::string(t.key), std::string(t.ja), names);
  for (const auto& r : sim::detective_reasons()) check_text("detective reason " + std::string(r.key), std::string(r.ja), names);
  for (const auto& t : sim::fix_wording_templates()) check_text("fix template " + std::string(t.key), std::string(t.ja), names);
  for (const auto& f : lessons()) {
    std::ifstream in(f);
    const auto j = nlohmann::json::parse(in);
    for (const char* key : {"title", "description"})
      if (j.contains(key) && j[key].is_object() && j[key].contains("ja"))
        check_text(f.filename().string() + " " + key, j[key]["ja"].get<std::string>(), names);
    if (j.contains("narration"))
      for (const auto& step : j["narration"])
        if (step.contains("ja")) check_text(f.filename().string() + " narration", step["ja"].get<std::string>(), names);
    // The fix challenge's task and its settings' names (challenge mode (c)).
    if (j.contains("fix") && j["fix"].is_object()) {
      if (j["fix"].contains("ja")) check_text(f.filename().string() + " fix", j["fix"]["ja"].get<std::string>(), names);
      for (const auto& st : j["fix"].value("settings", nlohmann::json::array()))
        if (st.contains("ja")) check_text(f.filename().string() + " fix setting", st["ja"].get<std::string>(), names);
    }
    // The lesson's own challenge questions: the question, each choice, the explanation.
    if (j.contains("questions"))
      for (const auto& q : j["questions"]) {
        const std::string where = f.filename().string() + " question";
        if (q.contains("ja")) check_text(where, q["ja"].get<std::string>(), names);
        for (const auto& c : q["choices"])
          if (c.is_object() && c.contains("ja")) check_text(where + " choice", c["ja"].get<std::string>(), names);
        if (q.contains("explain") && q["explain"].is_object() && q["explain"].contains("ja"))
          check_text(where + " explanation", q["explain"]["ja"].get<std::string>(), names);
      }
  }
}

namespace {

// One spelling per term (issue 18): katakana words from English "-er" take the long vowel as
// サーバー does (リゾルバー, フォルダー, ...); プロバイダ is written without it everywhere.
struct Term {
  const char* stem;  // the word without a final ー
  bool long_vowel;   // the spelling used: stem + ー
};
constexpr Term kTerms[] = {{"リゾルバ", true}, {"サーバ", true}, {"ユーザ", true}, {"フォルダ", true},
                           {"ヘッダ", true},   {"コンピュータ", true}, {"プロバイダ", false}};

// The other spellings of kTerms in `text`: "リゾルバ (write リゾルバー)".
std::vector<std::string> other_spellings(const std::string& text) {
  std::vector<std::string> out;
  const std::string bar = "ー";
  for (const auto& t : kTerms) {
    const std::string stem = t.stem;
    for (auto at = text.find(stem); at != std::string::npos; at = text.find(stem, at + stem.size())) {
      const bool has_bar = text.compare(at + stem.size(), bar.size(), bar) == 0;
      if (has_bar != t.long_vowel)
        out.push_back((has_bar ? stem + bar : stem) + " (write " + (t.long_vowel ? stem + bar : stem) + ")");
    }
  }
  return out;
}

void check_spelling(const std::string& where, const std::string& text) {
  const auto found = other_spellings(text);
  if (found.empty()) return;
  INFO(where << ": " << found.front() << "\n  in: " << text);
  CHECK(found.empty());
}

// Every string under a "ja" key of a lesson (titles, descriptions, names, narration, questions).
void check_ja_strings(const std::string& where, const nlohmann::json& j, bool ja = false) {
  if (j.is_string()) {
    if (ja) check_spelling(where, j.get<std::string>());
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) check_ja_strings(where + "/" + key, value, ja || key == "ja");
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_ja_strings(where + "/" + std::to_string(i), j[i], ja);
  }
}

}  // namespace

TEST_CASE("japanese: the spelling check finds the other spelling of a term and passes the chosen one") {
  CHECK(other_spellings("プロバイダのDNSリゾルバーとメールサーバー").empty());
  CHECK(other_spellings("DNSリゾルバに尋ねます") == std::vector<std::string>{"リゾルバ (write リゾルバー)"});
  CHECK(other_spellings("プロバイダーのサーバ").size() == 2);
}

TEST_CASE("japanese: one spelling per term in the tables, the templates, the lessons and the reports") {
  for (const char* table : {"assets/i18n/ja.json", "assets/analogy/ja.json"}) {
    std::ifstream in(kSource / table);
    const auto j = nlohmann::json::parse(in);
    for (const auto& [key, value] : j.items())
      if (value.is_string()) check_spelling(std::string(table) + " " + key, value.get<std::string>());
  }
  for (const auto& t : sim::wording_templates()) check_spelling("template " + std::string(t.key), std::string(t.ja));
  for (const auto& t : sim::fix_wording_templates()) check_spelling("fix template " + std::string(t.key), std::string(t.ja));
  {
    std::ifstream in(kSource / "scenarios" / "curriculum.jsonc");
    std::stringstream text;
    text << in.rdbuf();
    check_spelling("scenarios/curriculum.jsonc", text.str());
  }
  for (const auto& f : lessons()) {
    std::ifstream in(f);
    check_ja_strings(f.filename().string(), nlohmann::json::parse(in));
    auto loaded = sim::load_scenario_file(f.string());
    REQUIRE(loaded.scenario);
    const auto run = sim::run_scenario(*loaded.scenario);
    std::ostringstream out;
    cli::ReportOptions o;
    o.lang = "ja";
    o.verbose = true;
    cli::print_text_report(out, *loaded.scenario, run, o);
    check_spelling(f.filename().string() + " report", out.str());
  }
}

// The fix challenge's window after a try of every value of every setting: the goals that still
// fail, worded in Japanese without stray English and with "what happened" said once (issue 18:
// 「起きたこと：代わりに：…」); the same in English names hosts, not ids; a border rule by its name.
TEST_CASE("japanese: the fix challenge's failing goals, in both languages, every lesson with a fix") {
  const auto names = all_names();
  std::size_t lines = 0;
  for (const auto& f : lessons()) {
    auto loaded = sim::load_scenario_file(f.string());
    if (!loaded.scenario || !loaded.scenario->fix) continue;
    const auto doc = sim::read_scenario_document(f.string());
    REQUIRE(doc);
    const auto& fix = *loaded.scenario->fix;
    std::vector<sim::FixChoices> tries = {sim::fix_start(fix)};
    for (std::size_t k = 0; k < fix.settings.size(); ++k)
      for (std::size_t v = 0; v < fix.settings[k].values.size(); ++v) {
        auto c = sim::fix_start(fix);
        c[k] = v;
        tries.push_back(c);
      }
    for (const auto& c : tries) {
      const auto t = sim::try_fix(*doc, *loaded.scenario, c);
      if (!t.ok) continue;
      for (const std::string lang : {"ja", "en"}) {
        for (const auto& line : sim::fix_failing(*t.scenario, t.grade, &t.run.trace, lang)) {
          ++lines;
          INFO(f.filename().string() << " " << lang << ": " << line);
          CHECK(line.find("起きたこと：代わりに") == std::string::npos);
          CHECK(line.find("What happened: instead") == std::string::npos);
          if (lang == "ja") check_text(f.filename().string() + " fix failing", line, names);
          for (const auto& h : t.scenario->hosts)
            if (!h.info.name.empty() && h.info.name != h.info.id && lang == "en") {
              // An id between spaces (not inside an address or a name): "mail-example accepted".
              const std::string id = " " + h.info.id + " ";
              CHECK((" " + line + " ").find(id) == std::string::npos);
            }
        }
      }
    }
  }
  CHECK(lines > 0);
  sim::PolicyRule op25b;  // what the "op25b" preset makes: egress TCP to port 25 dropped
  op25b.id = "op25b";
  op25b.protocol = sim::Transport::Tcp;
  op25b.dst_ports = {25};
  CHECK(sim::rule_name(op25b, "ja") == "OP25B（25番ポートの遮断）");
  CHECK(sim::rule_name(op25b, "en") == "OP25B (port 25 blocked)");
  check_text("rule name", sim::rule_name(op25b, "ja"), names);
}
