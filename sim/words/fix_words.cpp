// Challenge mode (c) in words: one table of templates in English and Japanese.
#include "sim/words/fix_words.hpp"

#include <fmt/format.h>

#include "protocols/dns/presentation.hpp"

namespace mailsim::sim {

namespace {

constexpr WordingTemplate kFixTemplates[] = {
    // Whose settings they are (a heading over them).
    {"owner.account", "{device}, account {account}", "{device}（アカウント {account}）"},
    {"owner.server", "Mail server {host}", "メールサーバー {host}"},
    {"owner.dns", "DNS zone {zone}", "DNSのゾーン {zone}"},
    // The settings ({user}, {name}, {type}).
    {"setting.smtp.server", "Outgoing mail server", "送信サーバー"},
    {"setting.smtp.port", "Outgoing port", "送信ポート"},
    {"setting.smtp.auth", "Log in to send (SMTP AUTH)", "送信時のログイン（SMTP認証）"},
    {"setting.smtp.tls", "Encryption when sending", "送信時の暗号化"},
    {"setting.password", "Password", "パスワード"},
    {"setting.incoming.server", "Incoming mail server", "受信サーバー"},
    {"setting.incoming.port", "Incoming port", "受信ポート"},
    {"setting.incoming.tls", "Encryption when receiving", "受信時の暗号化"},
    {"setting.quota", "Mailbox size limit (quota) of {user}", "{user}のメールボックス容量（クォータ）"},
    {"setting.max_message_size", "Largest message accepted", "受け付けるメールの最大サイズ"},
    {"setting.quota_refusal", "Refusing mail for a full mailbox", "満杯のメールボックス宛てのメールの断り方"},
    {"setting.open_relay", "Passes on mail for anyone (open relay)", "だれのメールでも中継する（オープンリレー）"},
    {"setting.subaddressing", "Delivers name+tag addresses (subaddressing)", "「名前+タグ」形式の宛先を配達する（サブアドレス）"},
    {"setting.empty_folder", "Mailbox of {user}", "{user}のメールボックス"},
    {"setting.record", "{type} record of {name}", "{name}の{type}レコード"},
    // Values.
    {"value.yes", "yes", "はい"},
    {"value.no", "no", "いいえ"},
    {"value.keep", "keep it as it is", "そのままにする"},
    {"value.empty", "empty it", "空にする"},
    {"value.tls.none", "none (plain text)", "なし（平文）"},
    {"value.tls.starttls", "STARTTLS", "STARTTLS"},
    {"value.tls.implicit", "TLS from the first byte (implicit)", "最初からTLS（暗黙のTLS）"},
    {"value.no_limit", "no limit", "制限なし"},
    {"value.permanent", "for good (5.2.2)", "きっぱり断る（5.2.2）"},
    {"value.temporary", "for now (4.2.2: try again later)", "いったん断る（4.2.2：あとで再送）"},
    {"value.password", "password {n}", "パスワード{n}"},
    {"value.own", "{value} (as set up)", "{value}（今の設定）"},
    {"value.own_mark", "(as set up)", "（今の設定）"},
    {"value.range", "or a number from {min} to {max}:", "または{min}〜{max}の数："},
    {"value.range_kb", "or a size from {min} to {max}, in KB:", "または{min}〜{max}の大きさ（KB）："},
    // The challenge.
    {"fix.title", "Fix the broken setup", "壊れた設定を直そう"},
    {"fix.intro", "Change settings, then try: the lesson runs again and its goals are checked.",
     "設定を変えてから「試す」を押すと、レッスンがもう一度動き、目標が確かめられます。"},
    {"fix.settings", "Settings you may change:", "変えられる設定："},
    {"fix.now", "now: {value}", "現在：{value}"},
    {"fix.completion", "Completion: {percent}% ({passed} of {total} goals met)", "達成度：{percent}%（目標{total}個のうち{passed}個を達成）"},
    {"fix.still_failing", "Goals not met yet:", "まだ達成していない目標："},
    {"fix.goal", "Goal: {expected}", "目標：{expected}"},
    {"fix.instead", "What happened: {actual}", "起きたこと：{actual}"},
    {"fix.done", "Every goal is met: the setup is fixed!", "すべての目標を達成しました。設定は直りました！"},
    {"fix.tries", "Tries: {n}", "試した回数：{n}"},
    {"fix.try", "Try", "試す"},
    {"fix.try_number", "Try {n}", "{n}回目"},
    {"fix.changes", "Your changes: {changes}", "変えた設定：{changes}"},
    {"fix.no_changes", "Your changes: none (the lesson as written)", "変えた設定：なし（レッスンのまま）"},
    {"fix.choose_setting", "Setting number, t to try, q to stop: ", "設定の番号（tで試す、qで終わる）："},
    {"fix.choose_value", "Value number for {setting}: ", "{setting}の値の番号："},
    {"fix.not_a_choice", "That is not a choice here.", "その番号は選べません。"},
    {"fix.too_many_tries", "That was the last try ({n}): the challenge stops here.",
     "{n}回試しました。これ以上は試せないので、ここで終わります。"},
    {"fix.result", "Result: {percent}%, tries: {n}", "結果：{n}回試して{percent}%"},
    {"fix.none", "This lesson has no \"fix\" block: there is no broken setup to fix.",
     "このレッスンには「壊れた設定を直そう」の課題がありません。"},
};

std::string fill(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out(text);
  for (const auto& [k, v] : values) {
    const std::string tag = "{" + k + "}";
    for (auto at = out.find(tag); at != std::string::npos; at = out.find(tag, at + v.size())) out.replace(at, tag.size(), v);
  }
  return out;
}

std::string size_text(std::uint64_t bytes, std::string_view lang) {
  if (bytes == 0) return fix_words("value.no_limit", lang);
  if (bytes % (1024 * 1024) == 0) return fmt::format("{} MB", bytes / (1024 * 1024));
  if (bytes % 1024 == 0) return fmt::format("{} KB", bytes / 1024);
  return fmt::format("{} B", bytes);
}

}  // namespace

std::span<const WordingTemplate> fix_wording_templates() { return kFixTemplates; }

std::string fix_words(std::string_view key, std::string_view lang,
                      const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& t : kFixTemplates)
    if (t.key == key) return fill(lang == "ja" ? t.ja : t.en, values);
  return std::string(key);
}

std::string fix_setting_owner(const Scenario& s, const FixSetting& f, std::string_view lang) {
  if (f.target == "dns") return fix_words("owner.dns", lang, {{"zone", f.zone}});
  if (f.target == "server") return fix_words("owner.server", lang, {{"host", host_label(&s, f.host, lang)}});
  return fix_words("owner.account", lang, {{"device", host_label(&s, f.host, lang)}, {"account", f.account}});
}

std::string fix_setting_label(const Scenario& s, const FixSetting& f, std::string_view lang) {
  (void)s;
  const auto& own = f.label.in(lang);
  if (!own.empty()) return own;
  if (f.target == "dns") {
    std::string error;
    const auto rec = f.values.empty() || !f.values.front().is_string()
                         ? std::nullopt
                         : dns::parse_record(f.values.front().get<std::string>(), error);
    return fix_words("setting.record", lang,
                     {{"type", rec ? dns::type_name(rec->type) : std::string("?")},
                      {"name", rec ? rec->name.to_string_no_dot() : f.zone}});
  }
  return fix_words("setting." + f.setting, lang, {{"user", f.user}});
}

std::string fix_value_text(const Scenario& s, const FixSetting& f, std::size_t value, std::string_view lang) {
  if (value >= f.values.size()) return {};
  const auto& v = f.values[value];
  if (f.setting == "empty_folder") return fix_words(v == true ? "value.empty" : "value.keep", lang);
  if (v.is_boolean()) return fix_words(v.get<bool>() ? "value.yes" : "value.no", lang);
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (!v.is_string()) return v.dump();
  const std::string text = v.get<std::string>();
  if (f.setting == "smtp.tls" || f.setting == "incoming.tls") return fix_words("value.tls." + text, lang);
  if (f.setting == "quota" || f.setting == "max_message_size") {
    const auto n = mail::parse_size(text);
    return n ? size_text(*n, lang) : text;
  }
  if (f.setting == "quota_refusal") return fix_words("value." + text, lang);
  if (f.setting == "password") return fix_words("value.password", lang, {{"n", std::to_string(value + 1)}});
  if (f.setting == "smtp.server" || f.setting == "incoming.server") return host_label(&s, text, lang);
  if (f.target == "dns") {
    std::string error;
    const auto rec = dns::parse_record(text, error);
    return rec ? dns::rdata_to_string(*rec) : text;
  }
  return text;
}

std::string fix_changes_words(const Scenario& s, const FixChoices& chosen, std::string_view lang) {
  std::string out;
  if (!s.fix) return out;
  for (std::size_t k = 0; k < s.fix->settings.size() && k < chosen.size(); ++k) {
    const auto& f = s.fix->settings[k];
    if (chosen[k] == f.current) continue;
    out += (out.empty() ? "" : (lang == "ja" ? "、" : "; ")) + fix_setting_label(s, f, lang) + (lang == "ja" ? "：" : ": ") +
           fix_value_text(s, f, chosen[k], lang);
  }
  return out;
}

std::string fix_completion(const FixGrade& g, std::string_view lang) {
  return fix_words("fix.completion", lang,
                   {{"percent", std::to_string(g.percent)},
                    {"passed", std::to_string(g.passed)},
                    {"total", std::to_string(g.total)}});
}

std::vector<std::string> fix_failing(const Scenario& s, const FixGrade& g, const Trace* trace, std::string_view lang) {
  std::vector<std::string> out;
  for (const auto& r : g.results) {
    if (r.passed) continue;
    std::string line = fix_words("fix.goal", lang, {{"expected", describe_expectation(r, lang, &s)}});
    std::string actual = describe_outcome(r, lang, trace, &s);
    // "What happened:" already says it: not "What happened: instead: ..." (起きたこと：代わりに：).
    for (std::string_view lead : {"instead: ", "instead ", "代わりに：", "代わりに、"}) {
      if (actual.rfind(lead, 0) == 0) {
        actual.erase(0, lead.size());
        break;
      }
    }
    if (!actual.empty()) line += (lang == "ja" ? "。" : ". ") + fix_words("fix.instead", lang, {{"actual", actual}});
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace mailsim::sim
