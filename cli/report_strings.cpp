// The report phrase tables: one map per language with the same keys (checked by a test).
#include "cli/report_strings.hpp"

#include <cstdlib>
#include <map>

namespace mailsim::cli {
namespace {

using Table = std::map<std::string_view, std::string_view>;

const Table& english() {
  static const Table t{
      {"header", "scenario {0} | seed {1} | virtual time {2} | {3} events | {4} trace records"},
      {"header.stopped", " | stopped before the end"},
      {"story", "The story"},
      {"kind.meta", "meta"}, {"kind.packet", "packet"}, {"kind.connection", "connection"}, {"kind.policy", "policy"},
      {"kind.tls", "tls"}, {"kind.protocol", "protocol"}, {"kind.dns", "dns"}, {"kind.mail", "mail"},
      {"kind.mailbox", "mailbox"}, {"kind.action", "action"}, {"kind.note", "note"},
      {"story.analogy", "Post office"},
      {"story.not_reached", "this moment never happened: {0}"},
      {"story.more", "(add --verbose to see every record of the run)"},
      {"happened", "What happened"},
      {"happened.nothing", "(nothing happened: the timeline is empty)"},
      {"happened.partial", "(only the {0} of {1} records that the checks read were kept: --keep checks; the --trace file has them all)"},
      {"expectations", "Expectations"},
      {"expectations.pass", "PASS"},
      {"expectations.fail", "FAIL"},
      {"expectations.narration", "narration step {0} happens: {1}"},
      {"expectations.summary", "{0} of {1} expectation(s) held."},
      {"budget", "Run budget"},
      {"conservation", "Mail conservation"},
      {"conservation.holds",
       "HOLDS  every message is accounted for: {0} on servers for {1} recipient(s): {2} delivered, {3} relayed on, "
       "{4} bounced, {5} dropped by rule, {6} still queued, {7} in transfer; {8} sent from devices, {9} answered"},
      {"conservation.violated", "FAIL  {0} message(s) not accounted for:"},
      {"faults", "Fault plan"},
      {"faults.fired", "{0}  fired {1} time(s), first at {2}"},
      {"faults.never", "{0}  never fired"},
      {"list.title", "Lessons"},
      {"list.name", "name"},
      {"list.group", "group"},
      {"list.heading_title", "title"},
      {"list.count", "{0} lesson(s) in {1}"},
      {"list.hint", "Run one with: mailsim run NAME"},
  };
  return t;
}

const Table& japanese() {
  static const Table t{
      {"header", "シナリオ {0} | シード {1} | 仮想時間 {2} | イベント {3} 件 | 記録 {4} 件"},
      {"header.stopped", " | 最後まで進む前に停止"},
      {"story", "ストーリー"},
      {"kind.meta", "メタ"}, {"kind.packet", "パケット"}, {"kind.connection", "接続"}, {"kind.policy", "ポリシー"},
      {"kind.tls", "TLS"}, {"kind.protocol", "プロトコル"}, {"kind.dns", "DNS"}, {"kind.mail", "メール"},
      {"kind.mailbox", "メールボックス"}, {"kind.action", "操作"}, {"kind.note", "メモ"},
      {"story.analogy", "郵便にたとえると"},
      {"story.not_reached", "この場面は起きませんでした：{0}"},
      {"story.more", "（すべての記録を見るには --verbose を付けてください）"},
      {"happened", "起きたこと（全記録）"},
      {"happened.nothing", "（何も起きませんでした：タイムラインが空です）"},
      {"happened.partial", "（--keep checks のため、確認に使う {0} 件だけを残しました（全 {1} 件）。--trace のファイルには全件があります）"},
      {"expectations", "確認項目"},
      {"expectations.pass", "成功"},
      {"expectations.fail", "失敗"},
      {"expectations.narration", "ナレーションの手順 {0} の場面が起きる：{1}"},
      {"expectations.summary", "確認項目 {1} 件中 {0} 件が成り立ちました。"},
      {"budget", "実行の上限"},
      {"conservation", "メールの保存則"},
      {"conservation.holds",
       "成立  すべてのメールの行方が分かっています：サーバー上 {0} 通（宛先 {1} 件）：配達 {2}、中継 {3}、返送 {4}、"
       "規則による破棄 {5}、キューに残る {6}、転送中 {7}。端末から送信 {8} 通、応答あり {9} 通"},
      {"conservation.violated", "失敗  行方の分からないメールが {0} 件あります："},
      {"faults", "障害計画"},
      {"faults.fired", "{0}  {1}回働きました（最初は {2}）"},
      {"faults.never", "{0}  一度も働きませんでした"},
      {"list.title", "レッスン一覧"},
      {"list.name", "名前"},
      {"list.group", "分類"},
      {"list.heading_title", "タイトル"},
      {"list.count", "{1} に {0} 件のレッスン"},
      {"list.hint", "実行するには：mailsim run 名前"},
  };
  return t;
}

const Table& table(std::string_view lang) { return lang == "ja" ? japanese() : english(); }

}  // namespace

std::string default_lang() {
  const char* lc_all = std::getenv("LC_ALL");
  const char* lang = (lc_all && *lc_all) ? lc_all : std::getenv("LANG");
  if (lang && std::string_view(lang).substr(0, 2) == "ja") return "ja";
  return "en";
}

bool valid_lang(std::string_view lang) { return lang == "en" || lang == "ja"; }

std::string_view report_string(std::string_view key, std::string_view lang) {
  const auto& t = table(lang);
  if (auto it = t.find(key); it != t.end()) return it->second;
  return key;
}

std::vector<std::string> report_string_keys(std::string_view lang) {
  std::vector<std::string> keys;
  for (const auto& [k, _] : table(lang)) keys.emplace_back(k);
  return keys;
}

}  // namespace mailsim::cli
