// Challenge mode (c) in words for people, in English and Japanese: the settings a fix offers,
// their values, the completion and the goals that still fail. One table (fix_wording_templates)
// holds every wording in both languages with the same {placeholders}.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/fix.hpp"
#include "sim/words/describe.hpp"

namespace mailsim::sim {

std::span<const WordingTemplate> fix_wording_templates();

// A wording of the table with its {placeholders} filled ("ja": Japanese, else English); the key
// itself when the table has no such entry.
std::string fix_words(std::string_view key, std::string_view lang,
                      const std::vector<std::pair<std::string, std::string>>& values = {});

// Whose setting it is, a heading over the settings: "Shiroyagi's old PC, account
// shiroyagi@example.com", "Mail server mx1.hogehoge.com", "DNS zone hogehoge.com".
std::string fix_setting_owner(const Scenario& s, const FixSetting& f, std::string_view lang);
// The setting for people (under its owner): the author's label, else e.g. "Outgoing port" /
// "送信ポート", "Mailbox size limit (quota) of kuroyagi", "MX record of hogehoge.com".
std::string fix_setting_label(const Scenario& s, const FixSetting& f, std::string_view lang);

// A value of the setting for people: "587", "yes"/"no", "STARTTLS", "8 KB", "no limit",
// "10 mx1.hogehoge.com." (a record's data), a mail server's name ...
std::string fix_value_text(const Scenario& s, const FixSetting& f, std::size_t value, std::string_view lang);

// The settings of `chosen` that differ from the world's own, for people: "Outgoing port: 587;
// Log in to send (SMTP AUTH): yes" (empty: none).
std::string fix_changes_words(const Scenario& s, const FixChoices& chosen, std::string_view lang);

// "Completion: 50% (1 of 2 goals met)".
std::string fix_completion(const FixGrade& g, std::string_view lang);

// Each goal that does not hold yet: what was expected and what happened instead, in `lang`.
// `trace`: the try's trace (the Japanese wording of what happened quotes its records).
std::vector<std::string> fix_failing(const Scenario& s, const FixGrade& g, const Trace* trace, std::string_view lang);

}  // namespace mailsim::sim
