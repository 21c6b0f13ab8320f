// Headings and fixed phrases of the text reports, in English and Japanese.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::cli {

// "en" or "ja". The default comes from the locale: "ja" when LC_ALL (or, when that is
// unset, LANG) starts with "ja".
std::string default_lang();
bool valid_lang(std::string_view lang);

// The phrase for `key` in `lang` (English when the language is unknown). An unknown key is a
// programming error: it returns the key itself so that it shows up in tests.
std::string_view report_string(std::string_view key, std::string_view lang);
// Every key of one language's table (sorted), for tests: both tables have the same keys.
std::vector<std::string> report_string_keys(std::string_view lang);

}  // namespace mailsim::cli
