// Japanese wording of trace records and expectation results (English is the simulator's own text).
#include "sim/describe.hpp"

#include <optional>
#include <regex>

#include <fmt/format.h>

#include "sim/checker.hpp"

namespace mailsim::sim {
namespace {

using Json = nlohmann::json;
using Words = std::optional<std::string>;

// A detail field as text: strings as they are, numbers and booleans as JSON writes them.
std::string field(const Json& d, const char* key) {
  if (!d.is_object()) return {};
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::int64_t number(const Json& d, const char* key) {
  if (!d.is_object()) return 0;
  auto it = d.find(key);
  if (it == d.end() || !it->is_number()) return 0;
  return it->is_number_unsigned() ? static_cast<std::int64_t>(it->get<std::uint64_t>()) : it->get<std::int64_t>();
}

bool flag(const Json& d, const char* key) {
  if (!d.is_object()) return false;
  auto it = d.find(key);
  return it != d.end() && it->is_boolean() && it->get<bool>();
}

std::string joined(const Json& d, const char* key, std::string_view sep) {
  std::string out;
  if (!d.is_object() || !d.contains(key) || !d.at(key).is_array()) return out;
  for (const auto& v : d.at(key)) {
    if (!out.empty()) out += sep;
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string in_brackets(std::string_view text) { return "「" + std::string(text) + "」"; }

std::string net_label(const Scenario* s, const std::string& id) {
  if (s)
    for (const auto& n : s->networks)
      if (n.id == id) return !n.name_ja.empty() ? n.name_ja : !n.name.empty() ? n.name : id;
  return id;
}

// "INBOX" reads as the inbox; other folders keep their names.
std::string folder_ja(const std::string& folder) { return folder == "INBOX" ? "受信箱（INBOX）" : "「" + folder + "」フォルダー"; }

std::string seen_ja(bool seen) { return seen ? "既読" : "未読"; }

// The text a socket error shows the user ("connection timed out") in Japanese.
std::string error_ja(const std::string& error) {
  if (error == "connection timed out") return "接続がタイムアウトしました";
  if (error == "connection refused") return "接続を拒否されました";
  if (error == "connection reset by peer") return "相手に接続をリセットされました";
  if (error == "no route to host") return "相手に届く経路がありません";
  if (error == "closed") return "正常に閉じました";
  return error;
}

// "（5.1.1：宛先のユーザーが存在しない）" for a status the lessons use, else "".
std::string status_note(const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  return meaning.empty() ? std::string() : "（" + status + "：" + meaning + "）";
}

// "（宛先のユーザーが存在しない）" for a status the lessons use, else "".
std::string status_note_short(const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  return meaning.empty() ? std::string() : "（" + meaning + "）";
}

// "5.1.1（宛先のユーザーが存在しない）" or "4.4.9 " (a code without a meaning here), to be followed by "で".
std::string status_phrase(const std::string& status) {
  const std::string note = status_note_short(status);
  return status + (note.empty() ? " " : note);
}

// Why a mail store refused something (MailStore's reasons), in Japanese.
std::string store_reason_ja(const std::string& reason) {
  static const std::regex full(R"(^(mailbox full|over quota) \((\d+) \+ (\d+) octets > quota (\d+)\)$)");
  static const std::regex large(R"(^message too large \((\d+) octets, limit (\d+)\)$)");
  std::smatch m;
  if (std::regex_match(reason, m, full))
    return fmt::format("{}（使用中 {}バイト＋今回 {}バイト＞容量 {}バイト）",
                       m[1] == "mailbox full" ? "メールボックスが満杯です" : "容量を超えます", m[2].str(), m[3].str(),
                       m[4].str());
  if (std::regex_match(reason, m, large))
    return fmt::format("メッセージが大きすぎます（{}バイト、上限 {}バイト）", m[1].str(), m[2].str());
  if (reason == "no such user") return "そのユーザーはいません";
  if (reason == "no such folder") return "そのフォルダーはありません";
  if (reason == "expunged (marked \\Deleted)") return "削除の印（\\Deleted）が付いていたため消去";
  if (reason == "folder deleted") return "フォルダーが削除されたため";
  if (reason == "downloaded by a POP3 client, deleted at QUIT") return "POP3 でダウンロードされ、QUIT の時点で削除";
  if (reason == "deleted by a POP3 client at QUIT") return "POP3 クライアントにより QUIT の時点で削除";
  return reason;
}

// The answer part of a DNS summary ("MX? a -> NXDOMAIN (no such domain)", "... -> referral to x").
std::string dns_text_ja(std::string text) {
  auto replace = [&](std::string_view from, std::string_view to) {
    if (auto pos = text.find(from); pos != std::string::npos) text.replace(pos, from.size(), to);
  };
  replace(" (no such domain)", "（そのドメインは存在しません）");
  replace(" (the name exists, without that type)", "（名前はありますが、その種類のレコードはありません）");
  static const std::regex referral(R"(-> referral to (.+)$)");
  std::smatch m;
  if (std::regex_search(text, m, referral))
    text = m.prefix().str() + "-> " + m[1].str() + " への委任（referral）";
  return text;
}

// The notes of the iterative resolver (protocols/dns/resolver.cpp).
Words resolver_note_ja(const std::string& note) {
  static const std::regex asking(R"(^asking (\S+) \(([^)]+)\) for (.+?)( \(try (\d+) of (\d+)\))?$)");
  static const std::regex answered(R"(^(\S+) answered: (.+)$)");
  static const std::regex referral(R"(^referral to (\S+) servers \(([^)]*)\)(, no glue)?$)");
  static const std::regex cache_hit(R"(^cache hit: (.+) \((\d+) record\(s\), (\d+) s left\)$)");
  static const std::regex cache_nx(R"(^cache hit: (\S+) does not exist \(NXDOMAIN, (\d+) s left\)$)");
  static const std::regex answer_nx(R"(^answer: (\S+) does not exist \(NXDOMAIN\)$)");
  static const std::regex answer_nodata(R"(^answer: (.+) has no records \(NODATA\)$)");
  std::smatch m;
  if (starts_with(note, "resolving ")) return fmt::format("{} の名前解決を始めます", note.substr(10));
  if (note == "starting at the root servers") return std::string("ルートサーバーから順にたどります");
  if (std::regex_match(note, m, asking))
    return fmt::format("{}（{}）に {} を問い合わせます{}", m[1].str(), m[2].str(), m[3].str(),
                       m[4].matched ? fmt::format("（{}回目／最大 {}回）", m[5].str(), m[6].str()) : std::string());
  if (std::regex_match(note, m, answered)) return fmt::format("{} の応答：{}", m[1].str(), dns_text_ja(m[2].str()));
  if (std::regex_match(note, m, referral))
    return fmt::format("{} を担当するサーバー（{}）を教えられました（委任）{}", m[1].str(), m[2].str(),
                       m[3].matched ? "。グルーレコードはありません" : "");
  if (std::regex_match(note, m, cache_nx))
    return fmt::format("キャッシュにありました：{} は存在しません（NXDOMAIN、残り {}秒）", m[1].str(), m[2].str());
  if (std::regex_match(note, m, cache_hit))
    return fmt::format("キャッシュにありました：{}（{}件、残り {}秒）", m[1].str(), m[2].str(), m[3].str());
  if (std::regex_match(note, m, answer_nx)) return fmt::format("答え：{} は存在しません（NXDOMAIN）", m[1].str());
  if (std::regex_match(note, m, answer_nodata))
    return fmt::format("答え：{} のレコードはありません（NODATA）", m[1].str());
  if (starts_with(note, "answer: ")) return "答え：" + note.substr(8);
  return std::nullopt;
}

// Notes of the mail protocol sessions (the engines' own lines about what they did).
Words session_note_ja(const std::string& note) {
  static const std::regex data_end(R"(^message data ended by <CRLF>\.<CRLF>: (\d+) line\(s\), (\d+) octet\(s\)$)");
  static const std::regex data_sent(
      R"(^sent message data: (\d+) octet\(s\), (\d+) on the wire with dot-stuffing and <CRLF>\.<CRLF>$)");
  static const std::regex removed(R"(^(\d+) message\(s\) removed from the maildrop$)");
  std::smatch m;
  if (std::regex_match(note, m, data_end))
    return fmt::format("本文の終わり（<CRLF>.<CRLF>）を受け取りました：{}行、{}バイト", m[1].str(), m[2].str());
  if (std::regex_match(note, m, data_sent))
    return fmt::format("本文を送りました：{}バイト（行頭のドットの重ね書きと <CRLF>.<CRLF> を含め、回線上は {}バイト）",
                       m[1].str(), m[2].str());
  if (std::regex_match(note, m, removed)) return fmt::format("メールドロップから {}通を削除しました", m[1].str());
  if (note == "TLS negotiation requested") return std::string("TLS の開始を求めました");
  if (starts_with(note, "TLS established; ")) {
    const std::string rest = note.substr(17);
    std::string then;
    if (rest == "sending EHLO again") then = "EHLO を送り直します";
    else if (rest == "session state reset, client must send EHLO again")
      then = "セッションの状態を初期化。クライアントは EHLO を送り直す必要があります";
    else if (rest == "still in AUTHORIZATION, earlier knowledge discarded")
      then = "AUTHORIZATION 状態のまま、それまでに得た情報は捨てます";
    else if (rest == "the session starts again without capabilities") then = "機能一覧を捨てて、セッションをやり直します";
    else return std::nullopt;
    return "TLS が確立しました。" + then;
  }
  return std::nullopt;
}

// The port of "ip:port".
std::string port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? std::string() : endpoint.substr(colon + 1);
}

Words mail_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string host = host_label(s, r.host, "ja");
  const std::string subject = in_brackets(field(d, "subject"));
  const std::string& ev = r.event;
  if (ev == "compose") {
    // A scenario's own label replaces the usual sentence: that text has no Japanese.
    const std::string english = fmt::format("{} writes \"{}\" to {} and sends it via {} port {}", field(d, "account"),
                                            field(d, "subject"), joined(d, "recipients", ", "), field(d, "server"),
                                            field(d, "port"));
    if (r.summary != english) return std::nullopt;
    return fmt::format("{} が {} 宛てに{}を書き、{} の {}番ポートへ送信します", field(d, "sender"),
                       joined(d, "recipients", "、"), subject, host_label(s, field(d, "server"), "ja"), field(d, "port"));
  }
  if (ev == "submitted")
    return fmt::format("{} が {} 宛ての{}を受け付けました", host_label(s, field(d, "server"), "ja"),
                       field(d, "recipient"), subject);
  if (ev == "send_failed") {
    const std::string server_id = field(d, "server");
    const std::string server = host_label(s, server_id, "ja");
    const std::string error = field(d, "error");
    const std::string status = field(d, "status");
    std::string why;
    if (!d.contains("code") && status.empty()) {
      why = fmt::format("{} の {}番ポートにつながりませんでした（{}）", server, field(d, "port"), error_ja(error));
    } else if (field(d, "failed_at") == "login") {
      why = fmt::format("{} へのログインに失敗しました：{}{}", server, field(d, "reply"), status_note(status));
    } else if (field(d, "failed_at") == "mail_from") {
      why = fmt::format("{} が MAIL FROM を断りました：{}{}", server, field(d, "reply"), status_note(status));
    } else if (field(d, "failed_at") == "data") {
      why = fmt::format("{} が DATA を断りました：{}{}", server, field(d, "reply"), status_note(status));
    } else {
      // "SERVER refused ADDRESS: ..." names the refused recipient (also in the detail "recipient").
      const std::string marker = "— " + server_id + " refused ";
      const auto at = r.summary.find(marker);
      const auto colon = at == std::string::npos ? at : r.summary.find(": ", at + marker.size());
      if (colon != std::string::npos)
        why = fmt::format("{} が {} 宛てを断りました：{}{}", server,
                          r.summary.substr(at + marker.size(), colon - at - marker.size()), error, status_note(status));
      else
        why = fmt::format("{} が断りました：{}{}", server, error, status_note(status));
    }
    return fmt::format("{}：送信に失敗しました — {}", host, why);
  }
  if (ev == "queued")
    return fmt::format("{} が {} 宛ての{}を送信待ちの列（キュー）に入れました（キューID {}）", host,
                       joined(d, "recipients", "、"), subject, field(d, "queue_id"));
  if (ev == "routing") {
    if (d.contains("smarthost"))
      return fmt::format("{} はメッセージを中継サービス {} に託します", host, host_label(s, field(d, "smarthost"), "ja"));
    return fmt::format("{} は {} のメールサーバーを優先度の順に試します：{}", host, field(d, "domain"), joined(d, "mx", "、"));
  }
  if (ev == "connect-failed")
    return fmt::format("{}：{} につながりませんでした（{}）", host, r.peer, error_ja(field(d, "error")));
  if (ev == "relayed")
    return fmt::format("{} が {} 宛ての{}を {} に引き渡しました", host, field(d, "recipient"), subject,
                       host_label(s, field(d, "remote"), "ja"));
  if (ev == "delivered")
    return fmt::format("{} が{}を {} の{}に配達しました（UID {}）", host, subject, field(d, "recipient"),
                       folder_ja(d.value("folder", std::string("INBOX"))), field(d, "uid"));
  if (ev == "refused")
    return fmt::format("{} は {} 宛ての{}の受け取りを断りました：{} {} {}{}", host, field(d, "recipient"), subject,
                       field(d, "code"), field(d, "status"), field(d, "reason"), status_note(field(d, "status")));
  if (ev == "deferred") {
    const Time delay = number(d, "retry_at") - r.time;
    return fmt::format("{} は{}を {} にまだ配達できません（{}）。{} 後にもう一度試します", host, subject,
                       field(d, "recipient"), field(d, "reason"), format_time(delay));
  }
  if (ev == "bounced") {
    const std::string status = field(d, "status");
    if (flag(d, "dropped")) {
      if (d.contains("queue_id"))
        return fmt::format("{} は {} への返送メールを配達できません（{}）。返送メールをさらに返送することはしないので、破棄します",
                           host, field(d, "recipient"), field(d, "reason"));
      return fmt::format("{} は {} への返送メールを配達できません（{} {}）。破棄します", host, field(d, "recipient"),
                         status, field(d, "reason"));
    }
    return fmt::format("{} は {} 宛ての{}の配達をあきらめました{}。MAILER-DAEMON が差出人 {} に返送します。理由：{}", host,
                       field(d, "recipient"), subject, status_note(status), field(d, "bounce_to"), field(d, "reason"));
  }
  if (ev == "throttled")
    return fmt::format("{} は {} からのメールをこれ以上受け付けません（送信数の上限 {}通を超えました）", host,
                       field(d, "who"), field(d, "limit"));
  return std::nullopt;
}

Words store_ja(const Record& r) {
  const auto& d = r.detail;
  const std::string user = field(d, "user");
  const std::string folder = field(d, "folder");
  const std::string msg = "メッセージ #" + field(d, "message_id");
  const std::string where = fmt::format("{} の {}、UID {}", user, folder, field(d, "uid"));
  const std::int64_t limit = number(d, "quota_limit");
  const std::string usage = limit == 0 ? fmt::format("使用量 {}バイト、容量の上限なし", field(d, "quota_used"))
                                       : fmt::format("使用量 {} / {}バイト", field(d, "quota_used"), limit);
  const std::string reason = store_reason_ja(field(d, "reason"));
  const std::string& ev = r.event;
  if (ev == "stored")
    return fmt::format("{}を {} の {} に UID {} として保存しました（{}バイト、{}）", msg, user, folder, field(d, "uid"),
                       field(d, "size"), usage);
  if (ev == "delivery-refused") return fmt::format("{} への配達を断りました：{}", user, reason);
  if (ev == "appended")
    return fmt::format("{}を {} の {} に UID {} として追加しました（{}バイト、{}）", msg, user, folder, field(d, "uid"),
                       field(d, "size"), usage);
  if (ev == "append-refused") return fmt::format("{} の {} への追加を断りました：{}", user, folder, reason);
  if (ev == "fetched")
    return fmt::format("{}（{}）が読み出されました{}", msg, where, reason.empty() ? "" : "（" + reason + "）");
  if (ev == "flags-changed")
    return fmt::format("{}（{}）のフラグ：({}) -> ({})", msg, where, joined(d, "old_flags", " "), joined(d, "flags", " "));
  if (ev == "expunged") return fmt::format("{}を {} から消去しました：{}", msg, where, reason);
  if (ev == "copied")
    return fmt::format("{}（{}）を {} にコピーしました（UID {}、メッセージ #{}）", msg, where, field(d, "to_folder"),
                       field(d, "to_uid"), field(d, "to_message_id"));
  if (ev == "copy-refused")
    return fmt::format("{} の {} から {} へのコピーを断りました：{}", user, folder, field(d, "to_folder"), reason);
  if (ev == "moved")
    return fmt::format("{}（{}）を {} に移しました（UID {}）", msg, where, field(d, "to_folder"), field(d, "to_uid"));
  if (ev == "downloaded-and-deleted")
    return fmt::format("{}（{}）は POP3 でダウンロードされ、サーバーから削除されました", msg, where);
  if (ev == "deleted-via-pop3")
    return fmt::format("{}（{}）はダウンロードされないまま POP3 で削除されました", msg, where);
  if (ev == "folder-created") return fmt::format("{} のフォルダー {} を作りました", user, folder);
  if (ev == "folder-deleted") return fmt::format("{} のフォルダー {} を削除しました", user, folder);
  if (ev == "folder-renamed")
    return fmt::format("{} のフォルダー {} の名前を {} に変えました{}", user, folder, field(d, "to_folder"),
                       field(d, "reason").empty() ? "" : "（" + field(d, "reason") + "）");
  if (ev == "subscription-changed") {
    const std::string how = field(d, "reason");
    if (how != "subscribed" && how != "unsubscribed") return std::nullopt;
    return fmt::format("{} のフォルダー {} の購読を{}", user, folder, how == "subscribed" ? "始めました" : "やめました");
  }
  if (ev == "maildrop-locked") return fmt::format("POP3 のセッションのため、{} のメールドロップをロックしました", user);
  if (ev == "maildrop-lock-refused")
    return fmt::format("{} のメールドロップは、別の POP3 のセッションがロックしています", user);
  if (ev == "maildrop-unlocked") return fmt::format("{} のメールドロップのロックを解きました", user);
  return std::nullopt;
}

Words device_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string host = host_label(s, r.host, "ja");
  const std::string subject = in_brackets(field(d, "subject"));
  const std::string account = field(d, "account");
  const std::string& ev = r.event;
  if (ev == "device-downloaded")
    return fmt::format("{} が {} の{}（{}バイト）をダウンロードしました", host, account, subject, field(d, "size"));
  if (ev == "device-synced") return fmt::format("{} に{}が表示されます（{}）", host, subject, seen_ja(flag(d, "seen")));
  if (ev == "device-flags") return fmt::format("{} で{}が{}になりました", host, subject, seen_ja(flag(d, "seen")));
  if (ev == "device-opened")
    return r.protocol == "imap" ? fmt::format("{} で{}を開きました（サーバー側で既読の印 \\Seen が付きます）", host, subject)
                                : fmt::format("{} で、手元にコピーした{}を開きました", host, subject);
  if (ev == "device-deleted") {
    if (field(d, "by") == "server")
      return fmt::format("{}が {} の表示から消えました（サーバーで削除されたため）", subject, host);
    return r.protocol == "imap" ? fmt::format("{} で{}を削除しました（サーバーではごみ箱（Trash）に移ります）", host, subject)
                                : fmt::format("{} で、手元にコピーした{}を削除しました", host, subject);
  }
  if (ev == "device-checked") {
    if (d.contains("downloaded")) {
      std::string where;
      if (number(d, "deleted_on_server") > 0) where = "。サーバーからは削除しました";
      else if (ends_with(r.summary, ", left on the server")) where = "。サーバーにも残してあります";
      return fmt::format("{} が {} のメールを確認しました：新着 {}通、端末に {}通{}", host, account, field(d, "downloaded"),
                         field(d, "count"), where);
    }
    return fmt::format("{} が {} をサーバーと同期しました：{}通", host, account, field(d, "count"));
  }
  if (ev == "check-failed")
    return fmt::format("{} は {} のメールを確認できませんでした：{}", host, account, error_ja(field(d, "error")));
  if (ev == "action-failed") {
    const std::string action = field(d, "action");
    const char* what = action == "open" ? "開く" : action == "delete" ? "削除する" : action == "mark_read" ? "既読にする" : nullptr;
    if (!what) return std::nullopt;
    return fmt::format("{} は{}を{}ことができませんでした：{}", host, subject, what, field(d, "error"));
  }
  return std::nullopt;
}

Words dns_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string question = fmt::format("{}? {}", field(d, "qtype"), field(d, "qname"));
  const std::string& ev = r.event;
  if (ev == "lookup") return "リゾルバーに問い合わせます：" + question;
  if (ev == "query") return fmt::format("{} からの問い合わせ：{}", host_label(s, r.peer, "ja"), question);
  if (ev == "response" && starts_with(r.summary, "answers ")) return "応答：" + dns_text_ja(r.summary.substr(8));
  if (ev == "result") return "答え：" + dns_text_ja(r.summary);
  if (ev == "resolver") return resolver_note_ja(field(d, "note"));
  return std::nullopt;
}

Words connection_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string host = host_label(s, r.host, "ja");
  const std::string peer = host_label(s, r.peer, "ja");
  const std::string port = port_of(field(d, "server"));
  const std::string reason = field(d, "reason");
  const std::string& ev = r.event;
  if (ev == "connecting") return fmt::format("{} が {} の {}番ポートへの接続を始めます", host, peer, port);
  if (ev == "established") return fmt::format("{} が {} の {}番ポートに接続しました", host, peer, port);
  // Errors are told from the side that saw them.
  const std::string side = field(d, "side") == "server" ? peer : host;
  if (ev == "refused")
    return fmt::format("{}：接続を拒否されました（{}）", side,
                       reason == "RST in answer to SYN" ? std::string("SYN への返事が RST でした") : reason);
  if (ev == "timeout") {
    static const std::regex syns(R"(^no answer to (\d+) SYN\(s\) in (\d+) s$)");
    std::smatch m;
    const std::string why = std::regex_match(reason, m, syns)
                                ? fmt::format("SYN を {}回送っても {}秒間応答がありません", m[1].str(), m[2].str())
                                : reason;
    return fmt::format("{}：接続がタイムアウトしました（{}）", side, why);
  }
  if (ev == "no_route") return fmt::format("{}：相手に届く経路がありません（{}）", side, reason);
  if (ev == "reset" && d.contains("error"))
    return fmt::format("{}：相手に接続をリセットされました{}", side,
                       reason == "RST from the peer" ? std::string("（相手から RST）") : "（" + reason + "）");
  const std::string which = fmt::format("{} と {} の接続 {}", host, peer, r.conn);
  if (ev == "closed") return which + " が閉じられました";
  if (ev == "reset") return which + " がリセットされました";
  if (ev == "aborted") return which + " が中断されました";
  return std::nullopt;
}

Words policy_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string verb = r.event == "reject" ? "拒否" : r.event == "drop" ? "破棄" : "";
  if (verb.empty()) return std::nullopt;
  const std::string proto = r.protocol == "udp" || r.protocol == "dns" ? "UDP" : "TCP";
  return fmt::format("{} のルール {} が、{} から {} の {}番ポートへの {} 通信を{}しました", net_label(s, field(d, "network")),
                     field(d, "rule"), host_label(s, r.host, "ja"), host_label(s, r.peer, "ja"), field(d, "dst_port"),
                     proto, verb);
}

Words action_ja(const Record& r, const Scenario* s) {
  const auto& d = r.detail;
  const std::string host = host_label(s, r.host, "ja");
  const std::string action = field(d, "action");
  const std::string& ev = r.event;
  if (ev == "host_down" || ev == "host_up") {
    if (action == "go_offline") return host + " がオフラインになりました（ネットワークから切り離されました）";
    if (action == "go_online") return host + " がオンラインに戻りました";
    return host + (ev == "host_up" ? " が復旧しました" : " が止まりました");
  }
  // A scenario's own label replaces the usual sentence: that text has no Japanese.
  if (ev == "start" && action == "connect") {
    if (r.summary != fmt::format("{} opens a connection to {}", r.host, field(d, "to"))) return std::nullopt;
    return fmt::format("{} が {} への接続を開きます", host, field(d, "to"));
  }
  if (ev == "start" && action == "lookup") {
    const std::string prefix = r.host + " looks up ";
    if (!starts_with(r.summary, prefix)) return std::nullopt;
    return fmt::format("{} が {} を調べます", host, r.summary.substr(prefix.size()));
  }
  if (ev == "done" && action == "connect") {
    static const std::regex ended(R"(^(\S+): connection to (\S+) ended: (.+)$)");
    std::smatch m;
    if (!std::regex_match(r.summary, m, ended)) return std::nullopt;
    return fmt::format("{}：{} との接続が終わりました（{}）", host, m[2].str(), error_ja(m[3].str()));
  }
  if (ev == "done" && action == "lookup") {
    const std::string prefix = r.host + ": ";
    if (!starts_with(r.summary, prefix)) return std::nullopt;
    return fmt::format("{}：答え：{}", host, dns_text_ja(r.summary.substr(prefix.size())));
  }
  return std::nullopt;
}

Words protocol_ja(const Record& r) {
  if (r.event == "state") return "状態の変化：" + r.summary;
  if (r.event == "error" && starts_with(r.summary, "protocol error: "))
    return "プロトコルエラー：" + r.summary.substr(16);
  if (r.event == "note") return session_note_ja(r.summary);
  return std::nullopt;  // command and reply lines are protocol text
}

Words tls_ja(const Record& r, const Scenario* s) {
  if (r.event == "established")
    return fmt::format("{}：{} との TLS が確立しました（TLS 1.2 を模擬）", host_label(s, r.host, "ja"),
                       host_label(s, r.peer, "ja"));
  if (r.event == "alert" && r.summary == "unexpected TLS record: handshake failure")
    return std::string("予期しない TLS レコード：ハンドシェイクに失敗しました");
  return std::nullopt;
}

Words record_ja(const Record& r, const Scenario* s) {
  switch (r.kind) {
    case RecordKind::Mail: return mail_ja(r, s);
    case RecordKind::Mailbox: return r.protocol == "store" ? store_ja(r) : device_ja(r, s);
    case RecordKind::Dns: return dns_ja(r, s);
    case RecordKind::Connection: return connection_ja(r, s);
    case RecordKind::Policy: return policy_ja(r, s);
    case RecordKind::Tls: return tls_ja(r, s);
    case RecordKind::Action: return action_ja(r, s);
    case RecordKind::Protocol: return protocol_ja(r);
    default: return std::nullopt;  // packets (wire-level text), meta, notes
  }
}

// ---- expectations ----

std::string param(const ExpectationResult& e, const char* key) { return field(e.params, key); }

std::string dns_outcome_ja(const std::string& outcome) {
  if (outcome == "NOERROR") return "NOERROR（答えがある）";
  if (outcome == "NXDOMAIN") return "NXDOMAIN（そのドメインは存在しない）";
  if (outcome == "NODATA") return "NODATA（名前はあるが、その種類のレコードがない）";
  if (outcome == "SERVFAIL") return "SERVFAIL（調べられなかった）";
  return outcome;
}

std::optional<std::string> expectation_ja(const ExpectationResult& e, const Scenario* s) {
  const auto& k = e.kind;
  if (k == "connection") {
    const std::string result = param(e, "result");
    const char* how = result == "established" ? "確立する" : result == "refused" ? "拒否される" : "タイムアウトする";
    return fmt::format("{} から {} の {}番ポートへの接続が{}", host_label(s, param(e, "from"), "ja"),
                       host_label(s, param(e, "to"), "ja"), param(e, "port"), how);
  }
  if (k == "blocked") {
    const std::string from = param(e, "from");
    const std::int64_t port = number(e.params, "port");
    return fmt::format("ポリシー {} が{}{}通信を遮断する", param(e, "policy"),
                       from.empty() ? std::string() : host_label(s, from, "ja") + " からの",
                       port ? fmt::format(" {}番ポートへの", port) : std::string());
  }
  if (k == "dns") {
    const std::string host = param(e, "host");
    const std::string outcome = param(e, "outcome");
    const std::string contains = param(e, "answer_contains");
    std::string out = fmt::format("{}{} の {} レコードを問い合わせ", host.empty() ? "" : host_label(s, host, "ja") + " が ",
                                  param(e, "name"), param(e, "qtype"));
    if (outcome.empty() && contains.empty()) return out + "る";
    if (!outcome.empty()) out += "、結果が " + dns_outcome_ja(outcome) + "になる";
    else out += "る";
    if (!contains.empty()) out += "（答えに" + in_brackets(contains) + "を含む）";
    return out;
  }
  if (k == "delivered") {
    const std::string subject = param(e, "subject");
    return fmt::format("{}が {} の{}に配達される", subject.empty() ? std::string("メッセージ") : in_brackets(subject),
                       param(e, "to"), folder_ja(param(e, "folder")));
  }
  if (k == "bounced") {
    const std::string recipient = param(e, "recipient");
    const std::string status = param(e, "status");
    return fmt::format("{} が出した{}メールが、{}MAILER-DAEMON から差出人に返送される", param(e, "from"),
                       recipient.empty() ? std::string() : " " + recipient + " 宛ての",
                       status.empty() ? std::string() : status_phrase(status) + "で ");
  }
  if (k == "deferred") {
    const std::string status = param(e, "status");
    return fmt::format("{} への配達が{}延期される（一時的な失敗なので、あとで再送される）", param(e, "to"),
                       status.empty() ? std::string() : " " + status_phrase(status) + "で");
  }
  if (k == "send_failed") {
    const std::string error = param(e, "error");
    const std::string status = param(e, "status");
    return fmt::format("{} からの送信が{}失敗する{}", host_label(s, param(e, "from"), "ja"),
                       error.empty() ? std::string() : in_brackets(error) + "で",
                       status.empty() ? std::string() : "（" + status + status_note_short(status) + "）");
  }
  if (k == "wire") {
    const std::string network = param(e, "network");
    const std::string where = network.empty() ? "通信路" : net_label(s, network) + " を通る通信";
    return flag(e.params, "visible") ? fmt::format("{}で{}が読める（暗号化されずに流れる）", where, in_brackets(param(e, "text")))
                                     : fmt::format("{}で{}は一度も読めない（暗号化されている）", where, in_brackets(param(e, "text")));
  }
  if (k == "mailbox") {
    const std::string server = param(e, "server");
    std::string holds;
    if (e.params.contains("count")) {
      const std::int64_t n = number(e.params, "count");
      holds = n == 0 ? "メッセージが 1通もない" : fmt::format("メッセージが {}通ある", n);
    }
    if (e.params.contains("bytes"))
      holds += (holds.empty() ? "" : "（") + fmt::format("合計 {}バイト", number(e.params, "bytes")) +
               (holds.empty() ? "になる" : "）");
    return fmt::format("{} にある {} の{}に{}", server.empty() ? "?" : host_label(s, server, "ja"), param(e, "address"),
                       folder_ja(param(e, "folder")), holds);
  }
  if (k == "seen") {
    const std::string on = host_label(s, param(e, "on"), "ja");
    const std::string subject = in_brackets(param(e, "subject"));
    if (e.params.contains("present") && !flag(e.params, "present")) return fmt::format("{} に{}がもう表示されない", on, subject);
    if (e.params.contains("seen")) return fmt::format("{} に{}が{}で表示される", on, subject, seen_ja(flag(e.params, "seen")));
    return fmt::format("{} に{}が表示される", on, subject);
  }
  return std::nullopt;
}

const Record* find_record(const Trace& t, std::uint64_t seq) {
  const auto& rs = t.records();
  if (seq < rs.size() && rs[seq].seq == seq) return &rs[seq];
  for (const auto& r : rs)
    if (r.seq == seq) return &r;
  return nullptr;
}

std::optional<std::string> outcome_ja(const ExpectationResult& e, const Trace* trace, const Scenario* s) {
  const auto& o = e.outcome;
  const auto& p = e.outcome_params;
  std::vector<const Record*> recs;
  for (auto seq : e.records) {
    if (!trace) return std::nullopt;
    const Record* r = find_record(*trace, seq);
    if (!r) return std::nullopt;
    recs.push_back(r);
  }
  const std::string prefix = e.passed ? "" : "実際には、";
  if (o == "evidence" && recs.size() == 1) return describe_record(*recs[0], "ja", s);
  if (o == "instead" && !recs.empty()) {
    std::string out = "代わりに：";
    for (std::size_t i = 0; i < recs.size(); ++i) out += (i ? "／" : "") + describe_record(*recs[i], "ja", s);
    return out;
  }
  if (o == "connection.instead" && !recs.empty()) {
    std::string out = "代わりに：";
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const auto& ev = recs[i]->event;
      const char* what = ev == "established" ? "接続が確立" : ev == "refused" ? "接続を拒否された" : "接続がタイムアウト";
      out += fmt::format("{}{} に{}", i ? "、" : "", format_time(recs[i]->time), what);
    }
    return out;
  }
  if (o == "connection.none")
    return fmt::format("{} から {} の {}番ポートへの接続は、一度も試みられませんでした",
                       host_label(s, field(p, "from"), "ja"), host_label(s, field(p, "to"), "ja"), field(p, "port"));
  if (o == "blocked.other")
    return fmt::format("ポリシー {} は一度も働きませんでした（ほかのポリシーの判断が {}件）", field(p, "policy"),
                       field(p, "count"));
  if (o == "blocked.none") return std::string("ポリシーは一つも働きませんでした");
  if (o == "dns.none") return std::string("そのような問い合わせは行われませんでした");
  if (o == "mail.none") {
    if (e.kind == "delivered") return std::string("配達も、配達の失敗も、一度も起きませんでした");
    if (e.kind == "bounced") return std::string("返送は一度も起きませんでした");
    if (e.kind == "deferred") return std::string("配達の延期は一度も起きませんでした");
    return std::string("送信の失敗も、受け付けも、一度も起きませんでした");
  }
  if (o == "wire.seen" && recs.size() == 1)
    return fmt::format("{} に読めました：{}", format_time(recs[0]->time), describe_record(*recs[0], "ja", s));
  if (o == "wire.in_clear" && recs.size() == 1)
    return fmt::format("代わりに、{} に暗号化されずに流れました：{}", format_time(recs[0]->time),
                       describe_record(*recs[0], "ja", s));
  if (o == "wire.never") return std::string("代わりに、暗号化されていないパケットには一度も現れませんでした");
  if (o == "wire.not_seen") return std::string("どのパケットにも現れませんでした");
  if (o == "mailbox.state") {
    std::string out = fmt::format("{}{}のメッセージは {}通（{}バイト）でした", prefix, folder_ja(field(p, "folder")),
                                  field(p, "count"), field(p, "bytes"));
    if (number(p, "refused") > 0)
      out += fmt::format("。配達を断ったのは {}回（最後の理由：{}）", field(p, "refused"),
                         store_reason_ja(field(p, "last_reason")));
    return out;
  }
  const std::string on = host_label(s, field(p, "on"), "ja");
  const std::string subject = in_brackets(field(p, "subject"));
  if (o == "seen.absent") return fmt::format("{} に{}は表示されていません", on, subject);
  if (o == "seen.still")
    return fmt::format("{}{} にはまだ{}が{}で表示されています", prefix, on, subject, seen_ja(flag(p, "seen")));
  if (o == "seen.nothing") return fmt::format("{}{} にはメッセージが 1通も表示されていません", prefix, on);
  if (o == "seen.others") {
    std::string shown;
    for (const auto& v : p.value("shown", Json::array())) shown += in_brackets(v.is_string() ? v.get<std::string>() : v.dump());
    return fmt::format("{}{} に{}は表示されていません（表示されているのは{}）", prefix, on, subject, shown);
  }
  if (o == "seen.state") return fmt::format("{}{} に{}が{}で表示されています", prefix, on, subject, seen_ja(flag(p, "seen")));
  return std::nullopt;
}

}  // namespace

std::string status_meaning_ja(std::string_view status) {
  // Only the subject and detail matter for the meaning; the class says permanent or temporary.
  if (status.size() < 5) return {};
  const bool temporary = status[0] == '4';
  const std::string_view rest = status.substr(1);
  if (rest == ".1.1") return "宛先のユーザーが存在しない";
  if (rest == ".1.2") return "宛先のドメインが見つからない";
  if (rest == ".2.2") return temporary ? "メールボックスが一時的に満杯" : "メールボックスが満杯";
  if (rest == ".3.4") return "メッセージが大きすぎる";
  if (rest == ".4.1") return "相手のサーバーが応答しない";
  if (rest == ".4.3") return "名前解決（DNS）に失敗した";
  if (rest == ".4.7") return "配達の期限が切れた";
  if (rest == ".7.1") return temporary ? "今は受け付けられない（送信数の制限など）" : "許可されていない（中継の拒否など）";
  if (rest == ".7.8") return "認証情報が正しくない";
  if (rest == ".7.0") return "認証が必要";
  return {};
}

std::string host_label(const Scenario* s, const std::string& id, std::string_view lang) {
  if (!s) return id;
  for (const auto& h : s->hosts) {
    if (h.info.id != id) continue;
    const std::string& name = lang == "ja" && !h.info.name_ja.empty() ? h.info.name_ja : h.info.name;
    return name.empty() ? id : name;
  }
  return id;
}

std::string describe_record(const Record& r, std::string_view lang, const Scenario* s) {
  if (lang != "ja") return r.summary;
  if (auto words = record_ja(r, s)) return *words;
  return r.summary;
}

bool has_own_wording(const Record& r, std::string_view lang) { return lang == "ja" && record_ja(r, nullptr).has_value(); }

std::string describe_expectation(const ExpectationResult& e, std::string_view lang, const Scenario* s) {
  if (lang != "ja") return e.description;
  if (auto words = expectation_ja(e, s)) return *words;
  return e.description;
}

std::string describe_outcome(const ExpectationResult& e, std::string_view lang, const Trace* trace, const Scenario* s) {
  if (lang != "ja") return e.actual;
  if (auto words = outcome_ja(e, trace, s)) return *words;
  return e.actual;
}

}  // namespace mailsim::sim
