// Wording of trace records (English and Japanese, from one table of templates) and of expectation results.
#include "sim/words/describe.hpp"

#include <cassert>
#include <cctype>
#include <map>
#include <optional>
#include <regex>

#include <fmt/format.h>

#include "sim/scenario/checker.hpp"

namespace mailsim::sim {

// ---- the templates ----

// One sentence (or piece of one) per key, in English and in Japanese, with the same
// {placeholders} in both. The English sentences follow the simulator's own summaries
// (sim/mail, sim/transport.cpp ...), with hosts named for people and durations in words.
namespace {
constexpr WordingTemplate kTemplates[] = {
    // Pieces shared by several sentences.
    {"list.sep", ", ", "、"},
    {"folder.inbox", "INBOX", "受信箱（INBOX）"},
    {"folder.other", "{folder}", "「{folder}」フォルダー"},
    {"seen.read", "read", "既読"},
    {"seen.unread", "unread", "未読"},
    {"error.connection timed out", "connection timed out", "接続がタイムアウトしました"},
    {"error.connection refused", "connection refused", "接続を拒否されました"},
    {"error.connection reset by peer", "connection reset by peer", "相手に接続をリセットされました"},
    {"error.no route to host", "no route to host", "相手に届く経路がありません"},
    {"error.closed", "closed", "正常に閉じました"},
    // Mail (sim/mail/mua_send.cpp, mta.cpp).
    {"mail.compose", "{sender} writes \"{subject}\" to {recipients} and sends it via {server} port {port}",
     "{sender} が {recipients} 宛てに「{subject}」を書き、{server} の {port}番ポートへ送信します"},
    {"mail.submitted", "{server} accepted \"{subject}\" for {recipient}", "{server} が {recipient} 宛ての「{subject}」を受け付けました"},
    {"mail.send_failed", "{host}: sending failed — {why}", "{host}：送信に失敗しました — {why}"},
    {"send_failed.connect", "the connection to {server} port {port} failed: {error}",
     "{server} の {port}番ポートにつながりませんでした（{error}）"},
    {"send_failed.login", "login to {server} failed: {reply}", "{server} へのログインに失敗しました：{reply}"},
    {"send_failed.mail_from", "{server} refused MAIL FROM:<{sender}>: {reply}",
     "{server} が MAIL FROM:<{sender}> を断りました：{reply}"},
    {"send_failed.data", "{server} refused DATA: {reply}", "{server} が DATA を断りました：{reply}"},
    {"send_failed.recipient", "{server} refused {recipient}: {reply}", "{server} が {recipient} 宛てを断りました：{reply}"},
    {"send_failed.other", "{server}: {reply}", "{server} が断りました：{reply}"},
    {"mail.queued", "{host} queued \"{subject}\" for {recipients} (queue id {queue_id})",
     "{host} が {recipients} 宛ての「{subject}」を送信待ちの列（キュー）に入れました（キューID {queue_id}）"},
    {"mail.routing.smarthost", "{host} hands the message to its relay service: {relay}{port}",
     "{host} はメッセージを中継サービス {relay}{port}に託します"},
    {"routing.port", " (port {port})", "（{port}番ポート）"},
    {"routing.no_port", "", " "},
    {"mail.routing", "{host} will try the mail server(s) of {domain}: {mx}",
     "{host} は {domain} のメールサーバーを優先度の順に試します：{mx}"},
    {"mail.connect-failed", "{host} could not connect to {peer} ({error})", "{host}：{peer} につながりませんでした（{error}）"},
    {"mail.waiting", "{host} keeps \"{subject}\" for {recipients} waiting: {active} connection(s) to {destination} are open already (limit {limit})",
     "{host} は {recipients} 宛ての「{subject}」を待たせます：{destination} への接続がすでに {active}本あります（上限 {limit}本）"},
    {"mail.reusing", "{host} sends \"{subject}\" for {recipients} over the connection to {remote} it already has open (message {n} on this connection)",
     "{host} は {recipients} 宛ての「{subject}」を、{remote} とつないだままの接続で続けて送ります（この接続で {n}通目）"},
    {"mail.delayed", "{host} tells {sender} that \"{subject}\" for {recipients} has waited {waited} and is not delivered yet; it keeps trying (a \"delayed\" report, no need to send it again)",
     "{host} は {sender} に、{recipients} 宛ての「{subject}」が {waited}たってもまだ届いていないことを知らせます。送り直す必要はなく、配達の試みは続きます（遅延の通知）"},
    {"mail.relayed", "{host} handed \"{subject}\" for {recipient} to {remote}",
     "{host} が {recipient} 宛ての「{subject}」を {remote} に引き渡しました"},
    {"mail.delivered", "{host} delivered \"{subject}\" to {recipient}'s {folder} (uid {uid})",
     "{host} が「{subject}」を {recipient} の{folder}に配達しました（UID {uid}）"},
    {"mail.refused", "{host} refused \"{subject}\" for {recipient}: {reply}",
     "{host} は {recipient} 宛ての「{subject}」の受け取りを断りました：{reply}"},
    {"mail.deferred", "{host} could not deliver \"{subject}\" to {recipient} yet ({reason}); next try in {delay}",
     "{host} は「{subject}」を {recipient} にまだ配達できません（{reason}）。{delay}後にもう一度試します"},
    {"mail.bounced", "{host} gives up on \"{subject}\" for {recipient}: {reason}; MAILER-DAEMON returns it to {bounce_to}",
     "{host} は {recipient} 宛ての「{subject}」の配達をあきらめました（{reason}）。MAILER-DAEMON が差出人 {bounce_to} に返送します"},
    {"mail.bounced.dropped", "{host} cannot deliver the bounce for {recipient} ({reason}); a bounce is never bounced, so it is dropped",
     "{host} は {recipient} への返送メールを配達できません（{reason}）。返送メールをさらに返送することはしないので、破棄します"},
    {"mail.bounced.undeliverable", "{host} cannot deliver the bounce to {recipient} ({reason}); it is dropped",
     "{host} は {recipient} への返送メールを配達できません（{reason}）。破棄します"},
    {"mail.loop", "{host} refuses \"{subject}\": it has already passed {hops} mail servers (limit {limit}), so it is going round in a loop",
     "{host} は「{subject}」を断ります：すでに {hops}台のメールサーバーを通っていて（上限 {limit}）、ループしているからです"},
    {"mail.duplicate", "{host} receives \"{subject}\" for {recipient} a second time (queue ids {first} and {second}): the sender never heard the first 250 and sent it again",
     "{host} が {recipient} 宛ての「{subject}」を2回受け取りました（キューID {first} と {second}）：送信側が1回目の 250 を受け取れず、もう一度送ったためです"},
    {"mail.throttled", "{host} refuses more mail from {who}: over its limit of {limit} message(s){window}",
     "{host} は {who} からのメールをこれ以上受け付けません（送信数の上限 {window}{limit}通を超えました）"},
    {"throttled.window", " per {duration}", "{duration}あたり "},
    {"mail.greylisted", "{host} greylists mail from {sender} to {recipient} ({why}): 451 4.7.1, try again after {delay}",
     "{host} は {sender} から {recipient} 宛てのメールをグレーリストで一時的に断ります（{why}）：451 4.7.1、{delay}以上たってから再送すれば受け付けます"},
    {"greylisted.first", "the first try from this address, sender and recipient", "この送信元アドレス・差出人・宛先の組み合わせからの最初の試み"},
    {"greylisted.soon", "tried again too soon", "再送が早すぎます"},
    // The mail store (sim/mail/store.cpp).
    {"store.stored", "message #{id} stored for {user} in {folder} as UID {uid} ({size} octets; {usage})",
     "メッセージ #{id}を {user} の {folder} に UID {uid} として保存しました（{size}バイト、{usage}）"},
    {"store.appended", "message #{id} appended to {user} {folder} as UID {uid} ({size} octets; {usage})",
     "メッセージ #{id}を {user} の {folder} に UID {uid} として追加しました（{size}バイト、{usage}）"},
    {"store.usage", "{used} of {limit} octets used", "使用量 {used} / {limit}バイト"},
    {"store.usage.unlimited", "{used} of unlimited octets used", "使用量 {used}バイト、容量の上限なし"},
    {"store.delivery-refused", "delivery to {user} refused: {reason}", "{user} への配達を断りました：{reason}"},
    {"store.append-refused", "append to {user} {folder} refused: {reason}", "{user} の {folder} への追加を断りました：{reason}"},
    {"store.fetched", "message #{id} ({user} {folder} UID {uid}) read{via}",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）が読み出されました{via}"},
    {"store.via", " via {reason}", "（{reason}）"},
    {"store.flags-changed", "flags of message #{id} ({user} {folder} UID {uid}): ({old}) -> ({new})",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）のフラグ：({old}) -> ({new})"},
    {"store.expunged", "message #{id} removed from {user} {folder} UID {uid}: {reason}",
     "メッセージ #{id}を {user} の {folder}、UID {uid} から消去しました：{reason}"},
    {"store.copied", "message #{id} copied from {user} {folder} UID {uid} to {to_folder} UID {to_uid} as message #{to_id}",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）を {to_folder} にコピーしました（UID {to_uid}、メッセージ #{to_id}）"},
    {"store.copy-refused", "copy for {user} from {folder} to {to_folder} refused: {reason}",
     "{user} の {folder} から {to_folder} へのコピーを断りました：{reason}"},
    {"store.moved", "message #{id} moved from {user} {folder} UID {uid} to {to_folder} UID {to_uid}",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）を {to_folder} に移しました（UID {to_uid}）"},
    {"store.downloaded-and-deleted", "message #{id} ({user} {folder} UID {uid}) downloaded and deleted via POP3",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）は POP3 でダウンロードされ、サーバーから削除されました"},
    {"store.deleted-via-pop3", "message #{id} ({user} {folder} UID {uid}) deleted via POP3 without being downloaded",
     "メッセージ #{id}（{user} の {folder}、UID {uid}）はダウンロードされないまま POP3 で削除されました"},
    {"store.folder-created", "folder {folder} created for {user}", "{user} のフォルダー {folder} を作りました"},
    {"store.folder-deleted", "folder {folder} of {user} deleted", "{user} のフォルダー {folder} を削除しました"},
    {"store.folder-renamed", "folder {folder} of {user} renamed to {to_folder}{why}",
     "{user} のフォルダー {folder} の名前を {to_folder} に変えました{why}"},
    {"store.why", " ({reason})", "（{reason}）"},
    {"store.subscribed", "folder {folder} of {user} subscribed", "{user} のフォルダー {folder} の購読を始めました"},
    {"store.unsubscribed", "folder {folder} of {user} unsubscribed", "{user} のフォルダー {folder} の購読をやめました"},
    {"store.maildrop-locked", "maildrop of {user} locked for a POP3 session",
     "POP3 のセッションのため、{user} のメールドロップをロックしました"},
    {"store.maildrop-lock-refused", "maildrop of {user} already locked by another POP3 session",
     "{user} のメールドロップは、別の POP3 のセッションがロックしています"},
    {"store.maildrop-unlocked", "maildrop of {user} unlocked", "{user} のメールドロップのロックを解きました"},
    // Why the store refused something (MailStore's reasons).
    {"reason.mailbox full", "mailbox full ({used} + {size} octets > quota {quota})",
     "メールボックスが満杯です（使用中 {used}バイト＋今回 {size}バイト＞容量 {quota}バイト）"},
    {"reason.over quota", "over quota ({used} + {size} octets > quota {quota})",
     "容量を超えます（使用中 {used}バイト＋今回 {size}バイト＞容量 {quota}バイト）"},
    {"reason.too large", "message too large ({size} octets, limit {limit})", "メッセージが大きすぎます（{size}バイト、上限 {limit}バイト）"},
    {"reason.no such user", "no such user", "そのユーザーはいません"},
    {"reason.no such folder", "no such folder", "そのフォルダーはありません"},
    {"reason.expunged (marked \\Deleted)", "expunged (marked \\Deleted)", "削除の印（\\Deleted）が付いていたため消去"},
    {"reason.folder deleted", "folder deleted", "フォルダーが削除されたため"},
    {"reason.downloaded by a POP3 client, deleted at QUIT", "downloaded by a POP3 client, deleted at QUIT",
     "POP3 でダウンロードされ、QUIT の時点で削除"},
    {"reason.deleted by a POP3 client at QUIT", "deleted by a POP3 client at QUIT", "POP3 クライアントにより QUIT の時点で削除"},
    // Devices (sim/mail/access_apps.cpp).
    {"device.downloaded", "{host} downloaded \"{subject}\" ({size} octets) for {account}",
     "{host} が {account} の「{subject}」（{size}バイト）をダウンロードしました"},
    {"device.synced", "{host} shows \"{subject}\" ({seen})", "{host} に「{subject}」が表示されます（{seen}）"},
    {"device.flags", "{host} now shows \"{subject}\" as {seen}", "{host} で「{subject}」が{seen}になりました"},
    {"device.opened.imap", "{host} opened \"{subject}\" (the server marks it \\Seen)",
     "{host} で「{subject}」を開きました（サーバー側で既読の印 \\Seen が付きます）"},
    {"device.opened.copy", "{host} opened its copy of \"{subject}\"", "{host} で、手元にコピーした「{subject}」を開きました"},
    {"device.deleted.by_server", "\"{subject}\" disappeared from {host}'s view (removed on the server)",
     "「{subject}」が {host} の表示から消えました（サーバーで削除されたため）"},
    {"device.deleted.imap", "{host} deleted \"{subject}\" (moved to Trash on the server)",
     "{host} で「{subject}」を削除しました（サーバーでは「Trash」フォルダーに移ります）"},
    {"device.deleted.copy", "{host} deleted its copy of \"{subject}\"", "{host} で、手元にコピーした「{subject}」を削除しました"},
    {"device.checked", "{host} checked mail for {account}: {downloaded} new, {count} on the device{where}",
     "{host} が {account} のメールを確認しました：新着 {downloaded}通、端末に {count}通{where}"},
    {"checked.deleted", ", deleted from the server", "。サーバーからは削除しました"},
    {"checked.left", ", left on the server", "。サーバーにも残してあります"},
    {"device.synchronised", "{host} synchronised {account} with the server: {count} message(s)",
     "{host} が {account} をサーバーと同期しました：{count}通"},
    {"device.check-failed", "{host} could not check mail for {account}: {error}",
     "{host} は {account} のメールを確認できませんでした：{error}"},
    {"device.check-coalesced.after", "{host} is still checking mail for {account}: the new check will run when it ends",
     "{host} は {account} のメールをまだ確認中です：新しい確認は、今の確認が終わってから行います"},
    {"device.check-coalesced.join", "{host} is still checking mail for {account}: the new check joins the one running",
     "{host} は {account} のメールをまだ確認中です：新しい確認は、実行中の確認にまとめます"},
    {"device.action-failed", "{host} could not {what} \"{subject}\": {error}", "{host} は「{subject}」を{what}ことができませんでした：{error}"},
    {"what.open", "open", "開く"},
    {"what.delete", "delete", "削除する"},
    {"what.mark_read", "mark as read", "既読にする"},
    // DNS (sim/dns_service.cpp, protocols/dns/resolver.cpp).
    {"dns.lookup", "asks its resolver: {question}", "リゾルバーに問い合わせます：{question}"},
    {"dns.query", "query from {peer}: {question}", "{peer} からの問い合わせ：{question}"},
    {"dns.response", "answers {answer}", "応答：{answer}"},
    {"dns.result", "{answer}", "答え：{answer}"},
    {"dns.nxdomain", " (no such domain)", "（そのドメインは存在しません）"},
    {"dns.nodata", " (the name exists, without that type)", "（名前はありますが、その種類のレコードはありません）"},
    {"dns.servfail_answer", " (the recursive server answered SERVFAIL)", "（再帰サーバーが SERVFAIL（調べられなかった）と答えました）"},
    {"dns.referral", "-> referral to {servers}", "-> {servers} への委任"},
    {"resolver.resolving", "resolving {question}", "{question} の名前解決を始めます"},
    {"resolver.root", "starting at the root servers", "ルートサーバーから順にたどります"},
    {"resolver.asking", "asking {server} ({ip}) for {question}{try}", "{server}（{ip}）に {question} を問い合わせます{try}"},
    {"resolver.try", " (try {n} of {max})", "（{n}回目／最大 {max}回）"},
    {"resolver.answered", "{server} answered: {answer}", "{server} の応答：{answer}"},
    {"resolver.referral", "referral to {zone} servers ({servers}){glue}", "{zone} を担当するサーバー（{servers}）を教えられました（委任）{glue}"},
    {"resolver.no_glue", ", no glue", "。グルーレコードはありません"},
    {"resolver.cache_nx", "cache hit: {name} does not exist (NXDOMAIN, {ttl} s left)",
     "キャッシュにありました：{name} は存在しません（NXDOMAIN、残り {ttl}秒）"},
    {"resolver.cache_hit", "cache hit: {question} ({count} record(s), {ttl} s left)",
     "キャッシュにありました：{question}（{count}件、残り {ttl}秒）"},
    {"resolver.cache_ns", "cache hit: NS for {zone} ({servers}){skip}", "キャッシュにありました：{zone} の NS（{servers}）{skip}"},
    {"resolver.cache_ns_skip", ", skipping the servers above it", "。その上のサーバーへは問い合わせません"},
    {"resolver.answer_nx", "answer: {name} does not exist (NXDOMAIN)", "答え：{name} は存在しません（NXDOMAIN）"},
    {"resolver.answer_nodata", "answer: {question} has no records (NODATA)", "答え：{question} のレコードはありません（NODATA）"},
    {"resolver.answer", "answer: {answer}", "答え：{answer}"},
    // TCP connections (sim/transport.cpp).
    {"conn.connecting", "{host} connects to {peer} port {port}", "{host} が {peer} の {port}番ポートへの接続を始めます"},
    {"conn.established", "{host} connected to {peer} port {port}", "{host} が {peer} の {port}番ポートに接続しました"},
    {"conn.refused", "{side}: connection refused ({why})", "{side}：接続を拒否されました（{why}）"},
    {"conn.rst_syn", "RST in answer to SYN", "SYN への返事が RST でした"},
    {"conn.timeout", "{side}: connection timed out ({why})", "{side}：接続がタイムアウトしました（{why}）"},
    {"conn.no_answer", "no answer to {n} SYN(s) in {duration}", "SYN を {n}回送っても {duration}間応答がありません"},
    {"conn.no_route", "{side}: no route to host ({why})", "{side}：相手に届く経路がありません（{why}）"},
    {"conn.reset_error", "{side}: connection reset by peer ({why})", "{side}：相手に接続をリセットされました（{why}）"},
    {"conn.rst_peer", "RST from the peer", "相手から RST"},
    {"conn.closed", "connection {conn} between {host} and {peer} closed", "{host} と {peer} の接続 {conn} が閉じられました"},
    {"conn.reset", "connection {conn} between {host} and {peer} reset", "{host} と {peer} の接続 {conn} がリセットされました"},
    {"conn.aborted", "connection {conn} between {host} and {peer} aborted", "{host} と {peer} の接続 {conn} が中断されました"},
    {"conn.aborted.down", "{side} went down: its connection {conn} with {other} is gone", "{side} が停止しました：{other} との接続 {conn} は失われました"},
    {"conn.aborted.retries", "{side} gives up connection {conn}: no acknowledgement from {other} after {n} retransmissions ({duration})",
     "{side} は接続 {conn} をあきらめます：{n}回再送しても {other} から確認応答がありません（{duration}）"},
    {"conn.aborted.gave_up", "{side} gives up connection {conn} with {other}, which it cannot reach", "{side} は届かない {other} との接続 {conn} をあきらめます"},
    // Network policies, TLS, the scenario's actions.
    {"policy.drop", "rule {rule} of {network} dropped {proto} traffic from {host} to {peer} port {port}",
     "{network} のルール {rule} が、{host} から {peer} の {port}番ポートへの {proto} 通信を破棄しました"},
    {"policy.reject", "rule {rule} of {network} rejected {proto} traffic from {host} to {peer} port {port}",
     "{network} のルール {rule} が、{host} から {peer} の {port}番ポートへの {proto} 通信を拒否しました"},
    {"tls.established", "{host}: TLS established with {peer} (TLS 1.2 simulated)", "{host}：{peer} との TLS が確立しました（TLS 1.2 を模擬）"},
    {"tls.handshake_failure", "unexpected TLS record: handshake failure", "予期しない TLS レコード：ハンドシェイクに失敗しました"},
    {"action.go_offline", "{host} goes offline (its network is gone)", "{host} がオフラインになりました（ネットワークから切り離されました）"},
    {"action.go_online", "{host} is back online", "{host} がオンラインに戻りました"},
    {"action.host_up", "{host} is back up", "{host} が復旧しました"},
    {"action.host_down", "{host} goes down", "{host} が止まりました"},
    {"action.link_down", "the link between {network} and the Internet goes down: packets over it are lost",
     "{network} とインターネットの間の回線が切れました。そこを通るパケットは失われます"},
    {"action.link_up", "the link between {network} and the Internet is back up",
     "{network} とインターネットの間の回線が復旧しました"},
    {"action.dns_changed", "zone {zone} changes: {changes}", "ゾーン {zone} が変わりました：{changes}"},
    {"dnschange.removed", "removed {record}", "{record} を削除"},
    {"dnschange.added", "added {record}", "{record} を追加"},
    {"action.account_changed", "{host}: the settings of {account} are changed: {changes}",
     "{host} で {account} の設定を変更しました：{changes}"},
    {"action.server_changed", "{host} changes its settings: {changes}", "{host} の設定が変わりました：{changes}"},
    {"action.folder_emptied", "{host}: {user}'s {folder} is emptied ({count} message(s), {size} bytes freed)",
     "{host}：{user} の{folder}を空にしました（{count}通、{size}バイトが空きました）"},
    {"setting.password", "a new password", "新しいパスワード"},
    {"setting.smtp_server", "sending server {value}", "送信サーバー {value}"},
    {"setting.smtp_port", "sending port {value}", "送信ポート {value}番"},
    {"setting.smtp_auth.on", "SMTP AUTH on", "SMTP認証あり"},
    {"setting.smtp_auth.off", "SMTP AUTH off", "SMTP認証なし"},
    {"setting.smtp_tls", "sending TLS {value}", "送信の TLS {value}"},
    {"setting.incoming_server", "receiving server {value}", "受信サーバー {value}"},
    {"setting.incoming_port", "receiving port {value}", "受信ポート {value}番"},
    {"setting.incoming_tls", "receiving TLS {value}", "受信の TLS {value}"},
    {"setting.quota_refusal.temporary", "a full mailbox now answers 452 4.2.2 (try again later)",
     "満杯のメールボックスは 452 4.2.2（あとで再送）と答えるようになりました"},
    {"setting.quota_refusal.permanent", "a full mailbox now answers 552 5.2.2 (for good)",
     "満杯のメールボックスは 552 5.2.2（恒久的なエラー）と答えるようになりました"},
    {"setting.max_message_size", "size limit {value} bytes", "サイズの上限 {value}バイト"},
    {"setting.greylisting.off", "greylisting off", "グレーリスティングなし"},
    {"setting.greylisting", "greylisting on (delay {value})", "グレーリスティングあり（待ち時間 {value}）"},
    {"setting.open_relay.on", "open relay (anyone may relay)", "オープンリレー（誰でも中継できる）"},
    {"setting.open_relay.off", "no open relay", "オープンリレーなし"},
    {"setting.require_tls", "TLS required on port(s) {value} (STARTTLS first, or 530 5.7.0)",
     "{value}番ポートで TLS 必須（先に STARTTLS、しないと 530 5.7.0）"},
    {"setting.require_tls.off", "TLS no longer required", "TLS 必須を解除"},
    {"setting.quota", "quota of {user}: {value} bytes", "{user} の容量 {value}バイト"},
    {"setting.quota.none", "quota of {user}: none", "{user} の容量：制限なし"},
    {"setting.relay_from", "relaying for {value}", "{value} からの中継を受け付ける"},
    {"setting.relay_from.none", "no relaying for other networks", "ほかのネットワークからの中継は受け付けない"},
    {"setting.hop_limit", "hop limit {value} Received: lines", "中継回数の上限 Received: {value}行"},
    {"setting.rate_limit", "sending rate limit {value} message(s) per {per}", "送信数の上限 {per}あたり {value}通"},
    {"setting.rate_limit.off", "no sending rate limit", "送信数の上限なし"},
    {"setting.subaddressing.on", "sub-addressing on (user+tag)", "サブアドレス（user+tag）あり"},
    {"setting.subaddressing.off", "sub-addressing off", "サブアドレスなし"},
    {"setting.destination_concurrency_limit", "at most {value} connection(s) at once to one destination",
     "同じ宛先への同時接続は {value}本まで"},
    {"setting.delay_warning", "a delay warning after {value}", "{value}たったら遅延を知らせる"},
    {"setting.delay_warning.off", "no delay warning", "遅延の知らせなし"},
    {"action.connect", "{host} opens a connection to {to}", "{host} が {to} への接続を開きます"},
    {"action.lookup", "{host} looks up {question}", "{host} が {question} を調べます"},
    {"action.connect_done", "{host}: connection to {to} ended: {error}", "{host}：{to} との接続が終わりました（{error}）"},
    {"action.lookup_done", "{host}: {answer}", "{host}：答え：{answer}"},
    // Notes and state changes of the protocol sessions.
    // A session's state change, worded from the state it enters (the engines' names are
    // for testers: "Ehlo", "TlsPending", "TRANSACTION"); shown in the app only on request.
    {"protocol.state", "{host}: {protocol} session {state}", "{host} の {protocol}：{state}"},
    {"protocol.state.other", "now in state {name}", "状態 {name} になりました"},
    {"state.smtp.Greeting", "waits for the server's greeting", "サーバーのあいさつを待っています"},
    {"state.smtp.Ehlo", "introduces itself (EHLO)", "EHLO で名乗っています"},
    {"state.smtp.Helo", "introduces itself (HELO)", "HELO で名乗っています"},
    {"state.smtp.StartTls", "asks to encrypt (STARTTLS)", "暗号化（STARTTLS）を頼んでいます"},
    {"state.smtp.TlsPending", "sets up encryption (TLS)", "暗号化（TLS）の準備をしています"},
    {"state.smtp.Auth", "logs in (AUTH)", "ログイン（AUTH）しています"},
    {"state.smtp.AuthPlain", "checks the login", "ログインを確かめています"},
    {"state.smtp.AuthLoginUser", "exchanges the user name", "ユーザー名をやりとりしています"},
    {"state.smtp.AuthLoginPassword", "exchanges the password", "パスワードをやりとりしています"},
    {"state.smtp.Envelope", "gives the sender and the recipients", "差出人と宛先を伝えています"},
    {"state.smtp.Data", "transfers the message", "本文を送っています"},
    {"state.smtp.DataSent", "waits for the message to be accepted", "本文の受け付けを待っています"},
    {"state.smtp.Quit", "says goodbye (QUIT)", "終わりのあいさつ（QUIT）をしています"},
    {"state.smtp.Closed", "is over", "終わりました"},
    {"state.smtp.Connected", "has just been connected", "つながりました"},
    {"state.smtp.Ready", "is ready for a letter", "手紙を受け付ける準備ができました"},
    {"state.smtp.MailGiven", "knows the sender", "差出人を受け取りました"},
    {"state.smtp.RcptGiven", "knows the recipients", "宛先を受け取りました"},
    {"state.pop3.GREETING", "waits for the server's greeting", "サーバーのあいさつを待っています"},
    {"state.pop3.CAPA", "asks what the server can do (CAPA)", "サーバーの機能（CAPA）を聞いています"},
    {"state.pop3.STLS", "asks to encrypt (STLS)", "暗号化（STLS）を頼んでいます"},
    {"state.pop3.TLS-HANDSHAKE", "sets up encryption (TLS)", "暗号化（TLS）の準備をしています"},
    {"state.pop3.USER", "gives the user name", "ユーザー名を伝えています"},
    {"state.pop3.PASS", "gives the password", "パスワードを伝えています"},
    {"state.pop3.APOP", "logs in (APOP)", "ログイン（APOP）しています"},
    {"state.pop3.STAT", "asks how many letters there are", "手紙の数を聞いています"},
    {"state.pop3.UIDL", "lists the letters' ids", "手紙の番号一覧を聞いています"},
    {"state.pop3.RETR", "downloads letters", "手紙をダウンロードしています"},
    {"state.pop3.DELE", "marks letters for deletion", "手紙に削除の印を付けています"},
    {"state.pop3.QUIT", "says goodbye (QUIT)", "終わりのあいさつ（QUIT）をしています"},
    {"state.pop3.DONE", "is over", "終わりました"},
    {"state.pop3.AUTHORIZATION", "waits for a login", "ログインを待っています"},
    {"state.pop3.TRANSACTION", "has the mailbox open", "私書箱を開いています"},
    {"state.pop3.UPDATE", "deletes the marked letters", "印の付いた手紙を削除しています"},
    {"state.pop3.CLOSED", "is over", "終わりました"},
    {"state.imap.CONNECTING", "waits for the server's greeting", "サーバーのあいさつを待っています"},
    {"state.imap.NOT-AUTHENTICATED", "waits for a login", "ログインを待っています"},
    {"state.imap.AUTHENTICATED", "is logged in", "ログインしました"},
    {"state.imap.SELECTED", "has a folder open", "フォルダーを開いています"},
    {"state.imap.LOGOUT", "logs out", "ログアウトしています"},
    {"protocol.error", "protocol error: {text}", "プロトコルエラー：{text}"},
    {"protocol.error.state", "protocol error: {verb} not allowed in state {state}",
     "プロトコルエラー：{verb} はこの段階では使えません（いまの状態：{state}）"},
    {"protocol.error.auth", "protocol error: authentication failed for the given credentials",
     "プロトコルエラー：認証に失敗しました（ユーザー名かパスワードが違います）"},
    {"note.data_end", "message data ended by <CRLF>.<CRLF>: {lines} line(s), {size} octet(s)",
     "本文の終わり（<CRLF>.<CRLF>）を受け取りました：{lines}行、{size}バイト"},
    {"note.data_sent", "sent message data: {size} octet(s), {wire} on the wire with dot-stuffing and <CRLF>.<CRLF>",
     "本文を送りました：{size}バイト（行頭のドットの重ね書きと <CRLF>.<CRLF> を含め、回線上は {wire}バイト）"},
    {"note.removed", "{n} message(s) removed from the maildrop", "メールドロップから {n}通を削除しました"},
    {"note.tls_requested", "TLS negotiation requested", "TLS の開始を求めました"},
    {"note.tls_ehlo_again", "TLS established; sending EHLO again", "TLS が確立しました。EHLO を送り直します"},
    {"note.tls_smtp_reset", "TLS established; session state reset, client must send EHLO again",
     "TLS が確立しました。セッションの状態を初期化。クライアントは EHLO を送り直す必要があります"},
    {"note.tls_pop3", "TLS established; still in AUTHORIZATION, earlier knowledge discarded",
     "TLS が確立しました。AUTHORIZATION 状態のまま、それまでに得た情報は捨てます"},
    {"note.tls_imap", "TLS established; the session starts again without capabilities",
     "TLS が確立しました。機能一覧を捨てて、セッションをやり直します"},
    // The fault plan (sim/faults): a rule that fired, and where.
    {"fault.reply", "fault rule {rule}: {host} answers {where} from {peer} with \"{reply}\"",
     "障害ルール {rule}：{host} は {peer} からの {where} に「{reply}」と答えました"},
    {"fault.limit", "fault rule {rule}: more than {messages} within {duration}, so {host} answers {where} from {peer} with \"{reply}\"",
     "障害ルール {rule}：{duration}のうちに {messages}件を超えたので、{host} は {peer} からの {where} に「{reply}」と答えました"},
    {"fault.delay", "fault rule {rule}: {host} holds its answer to {where} from {peer} for {duration}",
     "障害ルール {rule}：{host} は {peer} からの {where} への応答を {duration} 遅らせます"},
    {"fault.close", "fault rule {rule}: {host} closes the connection from {peer} at {where}",
     "障害ルール {rule}：{host} は {where} で {peer} との接続を閉じました"},
    {"fault.reset", "fault rule {rule}: {host} resets the connection from {peer} at {where}",
     "障害ルール {rule}：{host} は {where} で {peer} との接続をリセットしました"},
    {"fault.cut", "fault rule {rule}: {host} cuts the connection from {peer} {bytes} bytes after {where}",
     "障害ルール {rule}：{host} は {where} から {bytes}バイトで {peer} との接続を切ります"},
    {"fault.throttle", "fault rule {rule}: {host} slows the connection from {peer} to {rate} bytes per second from {where} on",
     "障害ルール {rule}：{host} は {where} から {peer} との接続を毎秒 {rate}バイトに絞ります"},
    {"fault.drop", "fault rule {rule}: {host} throws away its answer to {where} from {peer}",
     "障害ルール {rule}：{host} は {peer} からの {where} への答えを捨てました"},
    {"fault.servfail", "fault rule {rule}: {host} answers {where} from {peer} with SERVFAIL (\"I could not find out\")",
     "障害ルール {rule}：{host} は {peer} からの {where} に SERVFAIL（調べられなかった）と答えました"},
    {"fault.at.connect", "the connection", "接続"},
    {"fault.at.greeting", "the greeting", "あいさつ（グリーティング）"},
    {"fault.at.end_of_data", "the end of the message (\".\")", "メッセージの終わり（「.」）"},
    {"fault.at.dns", "the {qtype} question for {qname}", "{qname} の {qtype} の問い合わせ"},
    {"fault.at.command", "{verb}", "{verb} コマンド"},
    // Durations for people (format_duration).
    {"duration.us", "{n} µs", "{n}マイクロ秒"},
    {"duration.ms", "{n} ms", "{n}ミリ秒"},
    {"duration.s", "{n} s", "{n}秒"},
    {"duration.min", "{n} min", "{n}分"},
    {"duration.min_s", "{n} min {s} s", "{n}分{s}秒"},
    {"duration.h", "{n} h", "{n}時間"},
    {"duration.h_min", "{n} h {min} min", "{n}時間{min}分"},
    {"duration.d", "{n} d", "{n}日"},
    {"duration.d_h", "{n} d {h} h", "{n}日{h}時間"},
};
}  // namespace

std::span<const WordingTemplate> wording_templates() { return kTemplates; }

namespace {

using Json = nlohmann::json;
using Words = std::optional<std::string>;
using Value = std::pair<std::string_view, std::string>;

const WordingTemplate* find_template(std::string_view key) {
  static const std::map<std::string_view, const WordingTemplate*> index = [] {
    std::map<std::string_view, const WordingTemplate*> m;
    for (const auto& t : kTemplates) m.emplace(t.key, &t);
    return m;
  }();
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

// A Japanese (or other CJK, full-width) character: its UTF-8 lead byte is E3 or above (U+3000..).
bool cjk_lead(unsigned char b) { return b >= 0xE3 && b <= 0xEF; }

bool starts_cjk(std::string_view v) { return !v.empty() && cjk_lead(static_cast<unsigned char>(v.front())); }

bool ends_cjk(std::string_view v) {
  std::size_t i = v.size();
  while (i > 0 && (static_cast<unsigned char>(v[i - 1]) & 0xC0) == 0x80) --i;
  return i > 0 && cjk_lead(static_cast<unsigned char>(v[i - 1]));
}

// `text` with each {name} replaced by its value; an unknown name stays as it is. In Japanese
// (`ja`), the space a template keeps around a name for Latin names ("mail.example.com が") is
// dropped where the name is itself Japanese ("しろやぎさんのPCが", not "しろやぎさんのPC が").
std::string fill(std::string_view text, std::initializer_list<Value> values, bool ja = false) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('{', i);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const Value* found = nullptr;
    for (const auto& v : values)
      if (v.first == name) found = &v;
    assert(found && "a template names a value its caller does not give");
    i = close + 1;
    if (found) {
      const std::string& v = found->second;
      if (ja && starts_cjk(v) && !out.empty() && out.back() == ' ') out.pop_back();
      out += v;
      if (ja && ends_cjk(v) && i < text.size() && text[i] == ' ') ++i;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
  }
  out.append(text.substr(i));
  return out;
}

// The words of one language: templates, host and network names.
class Say {
 public:
  Say(std::string_view lang, const Scenario* s) : ja_(lang == "ja"), s_(s) {}
  bool ja() const { return ja_; }
  std::string_view lang() const { return ja_ ? "ja" : "en"; }
  std::string operator()(std::string_view key, std::initializer_list<Value> values = {}) const {
    const WordingTemplate* t = find_template(key);
    assert(t && "no template with that key");
    if (!t) return std::string(key);
    return fill(ja_ ? t->ja : t->en, values, ja_);
  }
  bool has(std::string_view key) const { return find_template(key) != nullptr; }
  const Scenario* scenario() const { return s_; }
  std::string host(const std::string& id) const { return host_label(s_, id, lang()); }
  std::string net(const std::string& id) const {
    if (s_)
      for (const auto& n : s_->networks)
        if (n.id == id) return ja_ && !n.name_ja.empty() ? n.name_ja : !n.name.empty() ? n.name : id;
    return id;
  }

 private:
  bool ja_;
  const Scenario* s_;
};

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

std::string list(const Say& say, const Json& d, const char* key) { return joined(d, key, say("list.sep")); }

std::string folder(const Say& say, const std::string& name) {
  return name == "INBOX" ? say("folder.inbox") : say("folder.other", {{"folder", name}});
}

std::string seen(const Say& say, bool is_seen) { return say(is_seen ? "seen.read" : "seen.unread"); }

// A socket error ("connection timed out") as the user is told it.
std::string error(const Say& say, const std::string& text) {
  const std::string key = "error." + text;
  return say.has(key) ? say(key) : text;
}

// A server's reply ("552 5.2.2 <a@b>: Mailbox full ..."). English: as the server wrote it.
// Japanese: its code and what its status means ("552 5.2.2（メールボックスが満杯）") instead of
// the server's English text, when the status is one the lessons use.
std::string reply(const Say& say, const std::string& raw, std::int64_t code, const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  if (!say.ja() || meaning.empty()) return raw;
  return (code ? std::to_string(code) + " " : std::string()) + status + "（" + meaning + "）";
}

// "552 5.2.2 text" from its parts, leaving out those that are missing (as the simulator writes replies).
std::string reply_text(const std::string& code, const std::string& status, const std::string& text) {
  std::string out = code;
  for (const std::string* part : {&status, &text})
    if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
  return out;
}

// Why something failed. English: the simulator's reason. Japanese: "5.2.2：メールボックスが満杯"
// from its status instead of the English reason, when the status is one the lessons use.
std::string why(const Say& say, const std::string& raw, const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  if (!say.ja() || meaning.empty()) return raw;
  return status + "：" + meaning;
}

// Why a mail store refused something: a refusal with numbers is worded from the record's typed
// numbers; any other reason is the store's text.
std::string store_reason(const Say& say, const std::string& reason) {
  const std::string key = "reason." + reason;
  if (say.has(key)) return say(key);
  // "imap FETCH": in Japanese the protocol as it is spelled everywhere else (IMAP); English
  // keeps the simulator's summary.
  for (const char* p : {"imap ", "pop3 ", "smtp "}) {
    if (!say.ja()) break;
    if (reason.rfind(p, 0) != 0) continue;
    std::string up = reason;
    for (std::size_t i = 0; i + 1 < std::char_traits<char>::length(p); ++i)
      up[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(up[i])));
    return up;
  }
  return reason;
}

std::string store_reason(const Say& say, const MailboxInfo& m) {
  const auto n = [](std::int64_t v) { return std::to_string(v); };
  switch (m.refusal) {
    case StoreRefusal::MailboxFull:
    case StoreRefusal::OverQuota:
      return say(m.refusal == StoreRefusal::MailboxFull ? "reason.mailbox full" : "reason.over quota",
                 {{"used", n(m.quota_used)}, {"size", n(m.size)}, {"quota", n(m.quota_limit)}});
    case StoreRefusal::TooLarge: return say("reason.too large", {{"size", n(m.size)}, {"limit", n(m.size_limit)}});
    case StoreRefusal::None: break;
  }
  return store_reason(say, std::string(m.reason));
}

// The answer part of a DNS summary ("MX? a -> NXDOMAIN (no such domain)", "... -> referral to x").
std::string dns_text(const Say& say, std::string text) {
  if (!say.ja()) return text;
  auto replace = [&](std::string_view from, const std::string& to) {
    if (auto pos = text.find(from); pos != std::string::npos) text.replace(pos, from.size(), to);
  };
  replace(" (no such domain)", say("dns.nxdomain"));
  replace(" (the name exists, without that type)", say("dns.nodata"));
  replace(" (the recursive server answered SERVFAIL)", say("dns.servfail_answer"));
  constexpr std::string_view kReferral = "-> referral to ";
  if (const auto at = text.find(kReferral); at != std::string::npos && at + kReferral.size() < text.size())
    text = text.substr(0, at) + say("dns.referral", {{"servers", text.substr(at + kReferral.size())}});
  return text;
}

// "10m 00.000s", "1.500s", "1h 02m 03s" (format_time) back to a time; nullopt for anything else.
std::optional<Time> parse_format_time(const std::string& text) {
  static const std::regex pattern(R"(^(?:(\d+)h )?(?:(\d+)m )?(\d+)(?:\.(\d{3}))?s$)");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) return std::nullopt;
  auto part = [&](std::size_t i) { return m[i].matched ? std::stoll(m[i].str()) : 0LL; };
  return part(1) * kHour + part(2) * kMinute + part(3) * kSecond + part(4) * kMilli;
}

// ---- records ----

// The notes of the iterative resolver (protocols/dns/resolver.cpp), from their typed parts.
Words resolver_note(const Say& say, const DnsInfo& d) {
  using S = ResolverStep;
  const auto t = [](std::string_view v) { return std::string(v); };
  const auto n = [](std::int64_t v) { return std::to_string(v); };
  switch (d.step) {
    case S::Resolving: return say("resolver.resolving", {{"question", t(d.question_text)}});
    case S::Root: return say("resolver.root");
    case S::Asking:
      return say("resolver.asking",
                 {{"server", t(d.server)},
                  {"ip", t(d.server_ip)},
                  {"question", t(d.question_text)},
                  {"try", d.step_flag ? say("resolver.try", {{"n", n(d.try_number)}, {"max", n(d.tries)}}) : std::string()}});
    case S::Answered: return say("resolver.answered", {{"server", t(d.server)}, {"answer", dns_text(say, t(d.answer))}});
    case S::Referral:
      return say("resolver.referral", {{"zone", t(d.zone)},
                                       {"servers", t(d.servers)},
                                       {"glue", d.step_flag ? say("resolver.no_glue") : std::string()}});
    case S::CacheNs:
      return say("resolver.cache_ns", {{"zone", t(d.zone)},
                                       {"servers", t(d.servers)},
                                       {"skip", d.step_flag ? say("resolver.cache_ns_skip") : std::string()}});
    case S::CacheNx: return say("resolver.cache_nx", {{"name", t(d.question_text)}, {"ttl", n(d.ttl)}});
    case S::CacheHit:
      return say("resolver.cache_hit", {{"question", t(d.question_text)}, {"count", n(d.count)}, {"ttl", n(d.ttl)}});
    case S::AnswerNx: return say("resolver.answer_nx", {{"name", t(d.question_text)}});
    case S::AnswerNoData: return say("resolver.answer_nodata", {{"question", t(d.question_text)}});
    case S::Answer: return say("resolver.answer", {{"answer", t(d.answer)}});
    case S::None: break;
  }
  return std::nullopt;
}

// Notes of the mail protocol sessions (the engines' own lines about what they did).
Words session_note(const Say& say, const std::string& note) {
  static const std::regex data_end(R"(^message data ended by <CRLF>\.<CRLF>: (\d+) line\(s\), (\d+) octet\(s\)$)");
  static const std::regex data_sent(
      R"(^sent message data: (\d+) octet\(s\), (\d+) on the wire with dot-stuffing and <CRLF>\.<CRLF>$)");
  static const std::regex removed(R"(^(\d+) message\(s\) removed from the maildrop$)");
  std::smatch m;
  if (std::regex_match(note, m, data_end)) return say("note.data_end", {{"lines", m[1].str()}, {"size", m[2].str()}});
  if (std::regex_match(note, m, data_sent)) return say("note.data_sent", {{"size", m[1].str()}, {"wire", m[2].str()}});
  if (std::regex_match(note, m, removed)) return say("note.removed", {{"n", m[1].str()}});
  if (note == "TLS negotiation requested") return say("note.tls_requested");
  if (note == "TLS established; sending EHLO again") return say("note.tls_ehlo_again");
  if (note == "TLS established; session state reset, client must send EHLO again") return say("note.tls_smtp_reset");
  if (note == "TLS established; still in AUTHORIZATION, earlier knowledge discarded") return say("note.tls_pop3");
  if (note == "TLS established; the session starts again without capabilities") return say("note.tls_imap");
  return std::nullopt;
}

// The port of "ip:port".
std::string port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? std::string() : endpoint.substr(colon + 1);
}

bool socket_error(const std::string& text) {
  return text == "connection timed out" || text == "connection refused" || text == "connection reset by peer" ||
         text == "no route to host";
}

// A typed number of a mail record as the detail's text gave it ("" when absent).
std::string mail_number(const MailInfo& m, MailInfo::Field f, std::int64_t v) {
  return m.has(f) ? std::to_string(v) : std::string();
}

Words mail_words(const Say& say, const Record& r) {
  const auto& d = r.detail;
  const std::string host = say.host(r.host);
  using E = MailEvent;
  const MailEvent ev = r.mail_event();
  const MailInfo& mi = r.mail_info();
  const std::string subject(mi.subject);
  if (ev == E::Compose) {
    // A scenario's own label replaces the usual sentence: that text is the lesson's, not ours.
    const std::initializer_list<Value> ids{{"sender", field(d, "account")},
                                           {"subject", subject},
                                           {"recipients", joined(d, "recipients", ", ")},
                                           {"server", field(d, "server")},
                                           {"port", field(d, "port")}};
    if (r.summary != Say("en", nullptr)("mail.compose", ids)) return std::nullopt;
    return say("mail.compose", {{"sender", field(d, "account")},
                                {"subject", subject},
                                {"recipients", list(say, d, "recipients")},
                                {"server", say.host(field(d, "server"))},
                                {"port", field(d, "port")}});
  }
  if (ev == E::Submitted)
    return say("mail.submitted",
               {{"server", say.host(field(d, "server"))}, {"subject", subject}, {"recipient", mi.recipient.str()}});
  if (ev == E::SendFailed) {
    const std::string server = say.host(field(d, "server"));
    const std::string err = std::string(mi.error);
    const std::string status = mi.status.str();
    const std::string at = field(d, "failed_at");
    const std::int64_t code = mi.code;
    std::string because;
    if (!mi.has(MailInfo::kCode) && status.empty() && socket_error(err)) {
      because = say("send_failed.connect", {{"server", server}, {"port", field(d, "port")}, {"error", error(say, err)}});
    } else if (at == "login" || at == "mail_from" || at == "data") {
      because = say("send_failed." + at, {{"server", server},
                                          {"sender", mi.sender.str()},
                                          {"reply", reply(say, field(d, "reply"), code, status)}});
    } else if (at == "recipient" && mi.has(MailInfo::kRecipient)) {
      because = say("send_failed.recipient",
                    {{"server", server}, {"recipient", mi.recipient.str()}, {"reply", reply(say, err, code, status)}});
    } else {
      because = say("send_failed.other", {{"server", server}, {"reply", reply(say, err, code, status)}});
    }
    return say("mail.send_failed", {{"host", host}, {"why", because}});
  }
  if (ev == E::Queued)
    return say("mail.queued", {{"host", host},
                               {"subject", subject},
                               {"recipients", list(say, d, "recipients")},
                               {"queue_id", mi.queue_id.str()}});
  if (ev == E::Routing) {
    if (d.contains("smarthost")) {
      static const std::regex port(R"(\(port (\d+)\)$)");
      std::smatch m;
      return say("mail.routing.smarthost",
                 {{"host", host},
                  {"relay", say.host(field(d, "smarthost"))},
                  {"port", std::regex_search(r.summary, m, port) ? say("routing.port", {{"port", m[1].str()}}) : say("routing.no_port")}});
    }
    return say("mail.routing", {{"host", host}, {"domain", field(d, "domain")}, {"mx", list(say, d, "mx")}});
  }
  if (ev == E::ConnectFailed)
    return say("mail.connect-failed", {{"host", host}, {"peer", say.host(r.peer)}, {"error", error(say, std::string(mi.error))}});
  if (ev == E::Waiting)
    return say("mail.waiting", {{"host", host},
                                {"subject", subject},
                                {"recipients", list(say, d, "recipients")},
                                {"active", field(d, "active")},
                                {"destination", field(d, "destination")},
                                {"limit", field(d, "limit")}});
  if (ev == E::Reusing)
    return say("mail.reusing", {{"host", host},
                                {"subject", subject},
                                {"recipients", list(say, d, "recipients")},
                                {"remote", say.host(mi.remote_host.str())},
                                {"n", field(d, "transaction")}});
  if (ev == E::Delayed)
    return say("mail.delayed", {{"host", host},
                                {"sender", mi.sender.str()},
                                {"subject", subject},
                                {"recipients", list(say, d, "recipients")},
                                {"waited", format_duration(number(d, "waited"), say.lang())}});
  if (ev == E::Relayed)
    return say("mail.relayed", {{"host", host},
                                {"subject", subject},
                                {"recipient", mi.recipient.str()},
                                {"remote", say.host(field(d, "remote"))}});
  if (ev == E::Delivered)
    return say("mail.delivered", {{"host", host},
                                  {"subject", subject},
                                  {"recipient", mi.recipient.str()},
                                  {"folder", folder(say, mi.has(MailInfo::kFolder) ? mi.folder.str() : std::string("INBOX"))},
                                  {"uid", mail_number(mi, MailInfo::kUid, mi.uid)}});
  if (ev == E::Refused) {
    const std::string raw = reply_text(mail_number(mi, MailInfo::kCode, mi.code), mi.status.str(), std::string(mi.reason));
    return say("mail.refused", {{"host", host},
                                {"subject", subject},
                                {"recipient", mi.recipient.str()},
                                {"reply", reply(say, raw, mi.code, mi.status.str())}});
  }
  if (ev == E::Deferred)
    return say("mail.deferred", {{"host", host},
                                 {"subject", subject},
                                 {"recipient", mi.recipient.str()},
                                 {"reason", why(say, std::string(mi.reason), mi.status.str())},
                                 {"delay", format_duration(mi.retry_at - r.time, say.lang())}});
  if (ev == E::Bounced) {
    const std::string status = mi.status.str();
    const std::string reason = std::string(mi.reason);
    if (flag(d, "dropped")) {
      if (mi.has(MailInfo::kQueueId))
        return say("mail.bounced.dropped",
                   {{"host", host}, {"recipient", mi.recipient.str()}, {"reason", why(say, reason, status)}});
      const std::string raw = reply_text(mail_number(mi, MailInfo::kCode, mi.code), status, reason);
      return say("mail.bounced.undeliverable",
                 {{"host", host}, {"recipient", mi.recipient.str()}, {"reason", why(say, raw, status)}});
    }
    return say("mail.bounced", {{"host", host},
                                {"subject", subject},
                                {"recipient", mi.recipient.str()},
                                {"reason", why(say, reason, status)},
                                {"bounce_to", field(d, "bounce_to")}});
  }
  if (ev == E::Loop)
    return say("mail.loop", {{"host", host}, {"subject", subject}, {"hops", field(d, "hops")}, {"limit", field(d, "limit")}});
  if (ev == E::Duplicate)
    return say("mail.duplicate", {{"host", host},
                                  {"subject", subject},
                                  {"recipient", mi.recipient.str()},
                                  {"first", field(d, "first_queue_id")},
                                  {"second", mi.queue_id.str()}});
  if (ev == E::Greylisted) {
    const std::string sender = mi.sender.str();
    return say("mail.greylisted", {{"host", host},
                                   {"sender", sender.empty() ? "<>" : sender},
                                   {"recipient", mi.recipient.str()},
                                   {"why", say(flag(d, "first") ? "greylisted.first" : "greylisted.soon")},
                                   {"delay", format_duration(number(d, "retry_after") - r.time, say.lang())}});
  }
  if (ev == E::Throttled) {
    static const std::regex window(R"( in (\S+(?: \S+)*)$)");
    std::smatch m;
    std::optional<Time> per;
    if (std::regex_search(r.summary, m, window)) per = parse_format_time(m[1].str());
    return say("mail.throttled",
               {{"host", host},
                {"who", field(d, "who")},
                {"limit", field(d, "limit")},
                {"window", per ? say("throttled.window", {{"duration", format_duration(*per, say.lang())}}) : ""}});
  }
  return std::nullopt;
}

// A typed number as the wording tables want it: its digits, or "" when the record has none.
template <class Info>
std::string num(const Info& info, typename Info::Field bit, std::int64_t value) {
  return info.has(bit) ? std::to_string(value) : std::string();
}

std::string spaced(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto w : words) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

Words store_words(const Say& say, const Record& r) {
  using M = MailboxInfo;
  using E = MailboxEvent;
  const auto& m = r.mailbox_info();
  const std::string user = m.user.str();
  const std::string name = m.folder.str();
  const std::string id = num(m, M::kMessageId, m.message_id);
  const std::string uid = num(m, M::kUid, m.uid);
  const std::string reason = store_reason(say, m);
  const std::string to_folder = m.to_folder.str();
  const std::string usage = m.quota_limit == 0
                                ? say("store.usage.unlimited", {{"used", num(m, M::kQuotaUsed, m.quota_used)}})
                                : say("store.usage", {{"used", num(m, M::kQuotaUsed, m.quota_used)},
                                                      {"limit", num(m, M::kQuotaLimit, m.quota_limit)}});
  const E ev = m.event;
  const std::string key = "store." + std::string(to_string(ev));
  switch (ev) {
    case E::Stored:
    case E::Appended:
      return say(key, {{"id", id}, {"user", user}, {"folder", name}, {"uid", uid}, {"size", num(m, M::kSize, m.size)},
                       {"usage", usage}});
    case E::DeliveryRefused: return say(key, {{"user", user}, {"reason", reason}});
    case E::AppendRefused:
    case E::Expunged:
    case E::CopyRefused:
      return say(key, {{"id", id}, {"user", user}, {"folder", name}, {"uid", uid}, {"to_folder", to_folder},
                       {"reason", reason}});
    case E::Fetched:
      return say(key, {{"id", id},
                       {"user", user},
                       {"folder", name},
                       {"uid", uid},
                       {"via", reason.empty() ? std::string() : say("store.via", {{"reason", reason}})}});
    case E::FlagsChanged:
      return say(key, {{"id", id},
                       {"user", user},
                       {"folder", name},
                       {"uid", uid},
                       {"old", spaced(m.old_flag_list())},
                       {"new", spaced(m.flag_list())}});
    case E::Copied:
    case E::Moved:
    case E::DownloadedAndDeleted:
    case E::DeletedViaPop3:
      return say(key, {{"id", id},
                       {"user", user},
                       {"folder", name},
                       {"uid", uid},
                       {"to_folder", to_folder},
                       {"to_uid", num(m, M::kToUid, m.to_uid)},
                       {"to_id", num(m, M::kToMessageId, m.to_message_id)}});
    case E::FolderCreated:
    case E::FolderDeleted: return say(key, {{"user", user}, {"folder", name}});
    case E::FolderRenamed: {
      const std::string raw = m.reason_text();
      return say(key, {{"user", user},
                       {"folder", name},
                       {"to_folder", to_folder},
                       {"why", raw.empty() ? std::string() : say("store.why", {{"reason", raw}})}});
    }
    case E::SubscriptionChanged: {
      const std::string how = m.reason_text();
      if (how != "subscribed" && how != "unsubscribed") return std::nullopt;
      return say("store." + how, {{"user", user}, {"folder", name}});
    }
    case E::MaildropLocked:
    case E::MaildropLockRefused:
    case E::MaildropUnlocked: return say(key, {{"user", user}});
    default: return std::nullopt;
  }
}

Words device_words(const Say& say, const Record& r) {
  using M = MailboxInfo;
  using E = MailboxEvent;
  const auto& m = r.mailbox_info();
  const std::string host = say.host(r.host);
  const std::string subject(m.subject);
  const std::string account = m.account.str();
  const bool imap = r.protocol == "imap";
  switch (m.event) {
    case E::DeviceDownloaded:
      return say("device.downloaded",
                 {{"host", host}, {"subject", subject}, {"size", num(m, M::kSize, m.size)}, {"account", account}});
    case E::DeviceSynced: return say("device.synced", {{"host", host}, {"subject", subject}, {"seen", seen(say, m.seen)}});
    case E::DeviceFlags: return say("device.flags", {{"host", host}, {"subject", subject}, {"seen", seen(say, m.seen)}});
    case E::DeviceOpened:
      return say(imap ? "device.opened.imap" : "device.opened.copy", {{"host", host}, {"subject", subject}});
    case E::DeviceDeleted: {
      const char* key = m.by == "server" ? "device.deleted.by_server" : imap ? "device.deleted.imap" : "device.deleted.copy";
      return say(key, {{"host", host}, {"subject", subject}});
    }
    case E::DeviceChecked: {
      if (m.has(M::kDownloaded)) {
        std::string where;
        if (m.deleted_on_server > 0) where = say("checked.deleted");
        else if (ends_with(r.summary, ", left on the server")) where = say("checked.left");
        return say("device.checked", {{"host", host},
                                      {"account", account},
                                      {"downloaded", num(m, M::kDownloaded, m.downloaded)},
                                      {"count", num(m, M::kCount, m.count)},
                                      {"where", where}});
      }
      return say("device.synchronised", {{"host", host}, {"account", account}, {"count", num(m, M::kCount, m.count)}});
    }
    case E::CheckCoalesced:
      return say(m.how == "join" ? "device.check-coalesced.join" : "device.check-coalesced.after",
                 {{"host", host}, {"account", account}});
    case E::CheckFailed:
      return say("device.check-failed", {{"host", host}, {"account", account}, {"error", error(say, std::string(m.error))}});
    case E::ActionFailed: {
      const std::string key = "what." + m.action.str();
      if (!say.has(key)) return std::nullopt;
      return say("device.action-failed",
                 {{"host", host}, {"subject", subject}, {"what", say(key)}, {"error", std::string(m.error)}});
    }
    default: return std::nullopt;
  }
}

Words dns_words(const Say& say, const Record& r) {
  const auto& d = r.dns_info();
  switch (d.event) {
    case DnsEvent::Lookup: return say("dns.lookup", {{"question", d.question()}});
    case DnsEvent::Query: return say("dns.query", {{"peer", say.host(r.peer)}, {"question", d.question()}});
    case DnsEvent::Response:
      if (!starts_with(r.summary, "answers ")) return std::nullopt;
      return say("dns.response", {{"answer", dns_text(say, r.summary.substr(8))}});
    case DnsEvent::Result: return say("dns.result", {{"answer", dns_text(say, r.summary)}});
    case DnsEvent::Resolver: return resolver_note(say, d);
    default: return std::nullopt;
  }
}

Words connection_words(const Say& say, const Record& r) {
  const auto& d = r.detail;
  const std::string host = say.host(r.host);
  const std::string peer = say.host(r.peer);
  const std::string reason = field(d, "reason");
  const std::string& ev = r.event;
  if (ev == "connecting" || ev == "established")
    return say("conn." + ev, {{"host", host}, {"peer", peer}, {"port", port_of(field(d, "server"))}});
  // Errors are told from the side that saw them.
  const std::string side = field(d, "side") == "server" ? peer : host;
  if (ev == "refused")
    return say("conn.refused", {{"side", side}, {"why", reason == "RST in answer to SYN" ? say("conn.rst_syn") : reason}});
  if (ev == "timeout") {
    static const std::regex syns(R"(^no answer to (\d+) SYN\(s\) in (\d+) s$)");
    std::smatch m;
    const std::string because =
        std::regex_match(reason, m, syns)
            ? say("conn.no_answer",
                  {{"n", m[1].str()}, {"duration", format_duration(std::stoll(m[2].str()) * kSecond, say.lang())}})
            : reason;
    return say("conn.timeout", {{"side", side}, {"why", because}});
  }
  if (ev == "no_route") return say("conn.no_route", {{"side", side}, {"why", reason}});
  if (ev == "reset" && d.contains("error"))
    return say("conn.reset_error", {{"side", side}, {"why", reason == "RST from the peer" ? say("conn.rst_peer") : reason}});
  if (ev == "aborted" && d.contains("host")) {
    const std::string who = field(d, "host");
    const std::string other = say.host(who == r.host ? r.peer : r.host);
    static const std::regex retries(R"(^no acknowledgement from \S+ after (\d+) retransmissions \((\d+) s\)$)");
    std::smatch m;
    if (std::regex_match(reason, m, retries))
      return say("conn.aborted.retries",
                 {{"side", say.host(who)}, {"conn", std::to_string(r.conn)}, {"other", other}, {"n", m[1].str()},
                  {"duration", format_duration(std::stoll(m[2].str()) * kSecond, say.lang())}});
    if (reason == who + " went down")
      return say("conn.aborted.down", {{"side", say.host(who)}, {"conn", std::to_string(r.conn)}, {"other", other}});
    return say("conn.aborted.gave_up", {{"side", say.host(who)}, {"conn", std::to_string(r.conn)}, {"other", other}});
  }
  if (ev == "closed" || ev == "reset" || ev == "aborted")
    return say("conn." + ev, {{"conn", std::to_string(r.conn)}, {"host", host}, {"peer", peer}});
  return std::nullopt;
}

// A border rule as people call it: one of the OP25B kind by its usual name, others by their id.
std::string rule_label(const Say& say, const std::string& id) { return rule_name(say.scenario(), id, "en", true); }

Words policy_words(const Say& say, const Record& r) {
  const auto& d = r.detail;
  if (r.event != "reject" && r.event != "drop") return std::nullopt;
  return say("policy." + r.event, {{"network", say.net(field(d, "network"))},
                                   {"rule", rule_label(say, field(d, "rule"))},
                                   {"proto", r.protocol == "udp" || r.protocol == "dns" ? "UDP" : "TCP"},
                                   {"host", say.host(r.host)},
                                   {"peer", say.host(r.peer)},
                                   {"port", field(d, "dst_port")}});
}

Words action_words(const Say& say, const Record& r) {
  const auto& d = r.detail;
  const std::string host = say.host(r.host);
  const std::string action = field(d, "action");
  const std::string& ev = r.event;
  if (ev == "host_down" || ev == "host_up") {
    if (action == "go_offline" || action == "go_online") return say("action." + action, {{"host", host}});
    return say("action." + ev, {{"host", host}});
  }
  if (ev == "link_down" || ev == "link_up") return say("action." + ev, {{"network", say.net(field(d, "network"))}});
  if (ev == "dns_changed") {
    std::string changes;
    for (const char* part : {"removed", "added"})
      for (const auto& x : d.value(part, Json::array())) {
        if (!x.is_string()) continue;
        if (!changes.empty()) changes += say.ja() ? "、" : "; ";
        changes += say(std::string("dnschange.") + part, {{"record", x.get<std::string>()}});
      }
    return say("action.dns_changed", {{"zone", field(d, "zone")}, {"changes", changes}});
  }
  // A scenario's own label replaces the usual sentence: that text is the lesson's, not ours.
  if (ev == "start" && action == "connect") {
    // In English a scenario's own label stays; in Japanese the usual sentence replaces the
    // English label (a Japanese screen shows no English sentence).
    if (!say.ja() && r.summary != Say("en", nullptr)("action.connect", {{"host", r.host}, {"to", field(d, "to")}}))
      return std::nullopt;
    return say("action.connect", {{"host", host}, {"to", field(d, "to")}});
  }
  if (ev == "account_changed" || ev == "server_changed") {
    std::string changes;
    for (const auto& item : d.value("changes", Json::array())) {
      if (!item.is_object()) continue;
      const std::string setting = field(item, "setting");
      std::string value = field(item, "value");
      std::string key = "setting." + setting;
      std::string user;
      std::string per;
      if (setting == "smtp_auth" || setting == "quota_refusal" || setting == "open_relay" || setting == "subaddressing")
        key += "." + value;
      if (setting == "require_tls" && value == "off") key += ".off";
      if (setting == "greylisting" || setting == "delay_warning") {
        if (value == "off") key += ".off";
        else if (auto t = parse_format_time(value)) value = format_duration(*t, say.lang());
      }
      if (setting == "relay_from" && value.empty()) key += ".none";
      if (setting == "rate_limit") {
        if (value == "off") {
          key += ".off";
        } else {
          const auto sp = value.find(' ');
          const auto t = sp == std::string::npos ? std::nullopt : parse_format_time(value.substr(sp + 1));
          per = t ? format_duration(*t, say.lang()) : "";
          value = value.substr(0, sp);
        }
      }
      if (setting == "quota") {
        const auto sp = value.find(' ');
        user = value.substr(0, sp);
        value = sp == std::string::npos ? "" : value.substr(sp + 1);
        if (value == "0") key += ".none";
      }
      if (!say.has(key)) return std::nullopt;
      if (!changes.empty()) changes += say("list.sep");
      changes += say(key, {{"value", value}, {"user", user}, {"per", per}});
    }
    if (ev == "server_changed") return say("action.server_changed", {{"host", host}, {"changes", changes}});
    return say("action.account_changed", {{"host", host}, {"account", field(d, "account")}, {"changes", changes}});
  }
  if (ev == "folder_emptied")
    return say("action.folder_emptied", {{"host", host},
                                         {"user", field(d, "user")},
                                         {"folder", folder(say, field(d, "folder"))},
                                         {"count", field(d, "count")},
                                         {"size", field(d, "size")}});
  if (ev == "start" && action == "lookup") {
    const std::string prefix = r.host + " looks up ";
    if (!starts_with(r.summary, prefix)) return std::nullopt;
    return say("action.lookup", {{"host", host}, {"question", r.summary.substr(prefix.size())}});
  }
  if (ev == "done" && action == "connect") {
    static const std::regex ended(R"(^(\S+): connection to (\S+) ended: (.+)$)");
    std::smatch m;
    if (!std::regex_match(r.summary, m, ended)) return std::nullopt;
    return say("action.connect_done", {{"host", host}, {"to", m[2].str()}, {"error", error(say, m[3].str())}});
  }
  if (ev == "done" && action == "lookup") {
    const std::string prefix = r.host + ": ";
    if (!starts_with(r.summary, prefix)) return std::nullopt;
    return say("action.lookup_done", {{"host", host}, {"answer", dns_text(say, r.summary.substr(prefix.size()))}});
  }
  return std::nullopt;
}

Words protocol_words(const Say& say, const Record& r) {
  const auto& p = r.proto_info();
  if (p.event == ProtoEvent::State) {
    const std::string to = p.to.str();
    const std::string key = "state." + r.protocol + "." + to;
    const std::string state = say.has(key) ? say(key) : say("protocol.state.other", {{"name", to}});
    std::string proto = r.protocol;
    for (auto& c : proto) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return say("protocol.state", {{"host", say.host(r.host)}, {"protocol", proto}, {"state", state}});
  }
  if (const std::string full = r.text(); p.event == ProtoEvent::Error && starts_with(full, "protocol error: ")) {
    const std::string text = full.substr(16);
    static const std::regex state(R"(^(\S+) not allowed in state (\S+)$)");
    std::smatch m;
    if (std::regex_match(text, m, state)) {
      // Japanese names the state in words ("手紙を受け付ける準備ができました"), English as the engine does.
      const std::string key = "state." + r.protocol + "." + m[2].str();
      const std::string st = say.ja() && say.has(key) ? say(key) : m[2].str();
      return say("protocol.error.state", {{"verb", m[1].str()}, {"state", st}});
    }
    if (text == "authentication failed for the given credentials") return say("protocol.error.auth");
    return say("protocol.error", {{"text", text}});
  }
  if (p.event == ProtoEvent::Note) return session_note(say, r.text());
  return std::nullopt;  // command and reply lines are protocol text
}

Words tls_words(const Say& say, const Record& r) {
  if (r.event == "established") return say("tls.established", {{"host", say.host(r.host)}, {"peer", say.host(r.peer)}});
  if (r.event == "alert" && r.summary == "unexpected TLS record: handshake failure") return say("tls.handshake_failure");
  return std::nullopt;
}

// A fault rule that fired (sim/faults/fault_plan.cpp writes these fields).
Words fault_words(const Say& say, const Record& r) {
  if (r.event != "fault") return std::nullopt;
  const auto& d = r.detail;
  const std::string stage = field(d, "stage");
  const std::string action = field(d, "action");
  std::string where;
  if (stage == "connect" || stage == "greeting" || stage == "end_of_data") where = say("fault.at." + stage);
  else if (stage == "dns") where = say("fault.at.dns", {{"qtype", field(d, "qtype")}, {"qname", field(d, "qname")}});
  else where = say("fault.at.command", {{"verb", field(d, "command")}});
  std::string reply = field(d, "text");
  if (d.contains("code")) reply = field(d, "code") + " " + reply;
  const auto us = [&](const char* key) { return d.contains(key) && d[key].is_number() ? d[key].get<Time>() : Time{0}; };
  const std::string duration = format_duration(action == "limit" ? us("window_us") : us("delay_us"), say.lang());
  return say("fault." + action, {{"rule", field(d, "rule")}, {"host", say.host(r.host)}, {"peer", say.host(r.peer)},
                                 {"where", where}, {"reply", reply}, {"duration", duration},
                                 {"bytes", field(d, "bytes")}, {"messages", field(d, "messages")},
                                 {"rate", field(d, "rate")}});
}

Words record_words(const Say& say, const Record& r) {
  switch (r.kind) {
    case RecordKind::Mail: return mail_words(say, r);
    case RecordKind::Mailbox: return r.protocol == "store" ? store_words(say, r) : device_words(say, r);
    case RecordKind::Dns: return dns_words(say, r);
    case RecordKind::Connection: return connection_words(say, r);
    case RecordKind::Policy: return policy_words(say, r);
    case RecordKind::Tls: return tls_words(say, r);
    case RecordKind::Action: return action_words(say, r);
    case RecordKind::Protocol: return protocol_words(say, r);
    case RecordKind::Note: return fault_words(say, r);
    default: return std::nullopt;  // packets (wire-level text), meta, notes
  }
}

// ---- expectations (Japanese) ----

std::string net_label(const Scenario* s, const std::string& id) { return Say("ja", s).net(id); }
std::string folder_ja(const std::string& name) { return folder(Say("ja", nullptr), name); }
std::string seen_ja(bool is_seen) { return seen(Say("ja", nullptr), is_seen); }
std::string store_reason_ja(const std::string& reason) {
  MailboxInfo typed;
  if (refusal_from_text(reason, typed)) return store_reason(Say("ja", nullptr), typed);
  return store_reason(Say("ja", nullptr), reason);
}

// "（宛先のユーザーが存在しない）" for a status the lessons use, else "".
std::string status_note_short(const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  return meaning.empty() ? std::string() : "（" + meaning + "）";
}

// "5.7.1：中継の拒否などで許可されていない" or "4.4.9" (a code without a meaning here), to go in brackets.
std::string status_in_words(const std::string& status) {
  const std::string meaning = status_meaning_ja(status);
  return meaning.empty() ? status : status + "：" + meaning;
}

// "5.1.1（宛先のユーザーが存在しない）" or "4.4.9 " (a code without a meaning here), to be followed by "で".
std::string status_phrase(const std::string& status) {
  const std::string note = status_note_short(status);
  return status + (note.empty() ? " " : note);
}

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
  if (k == "fault") {
    if (e.params.value("fired", true) == false) return fmt::format("障害ルール {} は一度も働かない", param(e, "rule"));
    if (e.params.contains("times")) return fmt::format("障害ルール {} が {}回働く", param(e, "rule"), param(e, "times"));
    return fmt::format("障害ルール {} が働く", param(e, "rule"));
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
    const std::string by = param(e, "host");
    return fmt::format("{}が {}{} の{}に配達される", subject.empty() ? std::string("メッセージ") : in_brackets(subject),
                       by.empty() ? std::string() : host_label(s, by, "ja") + " で ", param(e, "to"),
                       folder_ja(param(e, "folder")));
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
                       status.empty() ? std::string() : "（" + status_in_words(status) + "）");
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

}  // namespace

std::string format_moment(Time t, std::string_view lang) {
  const std::string en = format_time(t);
  if (lang != "ja") return en;
  std::string out;
  for (std::size_t i = 0; i < en.size(); ++i) {
    const char c = en[i];
    if (c == 'h' || c == 'm' || c == 's') {
      out += c == 'h' ? "時間" : c == 'm' ? "分" : "秒";
      if (i + 1 < en.size() && en[i + 1] == ' ') ++i;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string ja_clock(Time t) { return format_moment(t, "ja"); }


// The records an expectation's result quotes, or none when one of them is not in the trace.
std::optional<std::vector<const Record*>> quoted_records(const ExpectationResult& e, const Trace* trace) {
  std::vector<const Record*> recs;
  for (auto seq : e.records) {
    if (!trace) return std::nullopt;
    const Record* r = find_record(*trace, seq);
    if (!r) return std::nullopt;
    recs.push_back(r);
  }
  return recs;
}

// English with a scenario: the records the checker quotes worded for people, hosts by their
// names ("instead: Shiroyagi's PC ..."), where the checker's own text names them by id.
std::optional<std::string> outcome_en(const ExpectationResult& e, const Trace* trace, const Scenario* s) {
  if (!s) return std::nullopt;
  const auto& o = e.outcome;
  const auto& p = e.outcome_params;
  const auto quoted = quoted_records(e, trace);
  if (!quoted) return std::nullopt;
  const auto& recs = *quoted;
  if (o == "instead" && !recs.empty()) {
    std::string out = "instead: ";
    for (std::size_t i = 0; i < recs.size(); ++i) out += (i ? "; " : "") + describe_record(*recs[i], "en", s);
    return out;
  }
  if (o == "connection.none")
    return fmt::format("no connection from {} to {} port {} was attempted", host_label(s, field(p, "from"), "en"),
                       host_label(s, field(p, "to"), "en"), field(p, "port"));
  if (o == "wire.in_clear" && recs.size() == 1)
    return fmt::format("instead it crossed in clear at {}: {}", format_moment(recs[0]->time, "en"),
                       describe_record(*recs[0], "en", s));
  return std::nullopt;
}

std::optional<std::string> outcome_ja(const ExpectationResult& e, const Trace* trace, const Scenario* s) {
  const auto& o = e.outcome;
  const auto& p = e.outcome_params;
  const auto quoted = quoted_records(e, trace);
  if (!quoted) return std::nullopt;
  const auto& recs = *quoted;
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
      out += fmt::format("{}{}に{}", i ? "、" : "", ja_clock(recs[i]->time), what);
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
  if (o == "fault.none" || o == "fault.never")
    return fmt::format("障害ルール {} は一度も働きませんでした", field(p, "rule"));
  if (o == "fault.count") return fmt::format("障害ルール {} は {}回働きました", field(p, "rule"), field(p, "count"));
  if (o == "dns.none") return std::string("そのような問い合わせは行われませんでした");
  if (o == "mail.none") {
    if (e.kind == "delivered") return std::string("配達も、配達の失敗も、一度も起きませんでした");
    if (e.kind == "bounced") return std::string("返送は一度も起きませんでした");
    if (e.kind == "deferred") return std::string("配達の延期は一度も起きませんでした");
    return std::string("送信の失敗も、受け付けも、一度も起きませんでした");
  }
  if (o == "wire.seen" && recs.size() == 1)
    return fmt::format("{}に読めました：{}", ja_clock(recs[0]->time), describe_record(*recs[0], "ja", s));
  if (o == "wire.in_clear" && recs.size() == 1)
    return fmt::format("代わりに、{}に暗号化されずに流れました：{}", ja_clock(recs[0]->time),
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
  // No meaning has brackets of its own: callers put it in brackets ("（4.7.1：...）").
  if (status.size() < 5) return {};
  const bool temporary = status[0] == '4';
  const std::string_view rest = status.substr(1);
  if (rest == ".1.1") return "宛先のユーザーが存在しない";
  if (rest == ".1.2") return "宛先のドメインが見つからない";
  if (rest == ".2.2") return temporary ? "メールボックスが一時的に満杯" : "メールボックスが満杯";
  if (rest == ".3.2") return "相手のシステムが今は受け付けていない";
  if (rest == ".3.4") return "メッセージが大きすぎる";
  if (rest == ".4.1") return "相手のサーバーが応答しない";
  if (rest == ".4.2") return "接続が途中で切れた";
  if (rest == ".4.3") return "DNS の名前解決に失敗した";
  if (rest == ".4.6") return "配送がループしている（中継の回数が多すぎる、または自分自身に戻ってくる）";
  if (rest == ".4.7") return "配達の期限が切れた";
  if (rest == ".7.1") return temporary ? "送信数の制限などで今は受け付けられない" : "中継の拒否などで許可されていない";
  if (rest == ".7.8") return "認証情報が正しくない";
  if (rest == ".7.0") return "認証が必要";
  return {};
}

std::string wording(std::string_view key, std::initializer_list<std::pair<std::string_view, std::string>> values,
                    std::string_view lang) {
  return Say(lang, nullptr)(key, values);
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
  // English without a scenario: the simulator's summary (it names hosts by id, as the trace does).
  if (lang != "ja" && !s) return r.text();
  if (auto words = record_words(Say(lang, s), r)) return *words;
  return r.text();
}

bool has_own_wording(const Record& r, std::string_view lang) { return record_words(Say(lang, nullptr), r).has_value(); }

std::string format_duration(Time t, std::string_view lang) {
  const Say say(lang, nullptr);
  if (t < 0) return "-" + format_duration(-t, lang);
  auto n = [](Time v) { return std::to_string(v); };
  if (t == 0) return say("duration.s", {{"n", "0"}});
  if (t < kMilli) return say("duration.us", {{"n", n(t)}});
  if (t < kSecond) return say("duration.ms", {{"n", n(t / kMilli)}});
  if (t < 10 * kSecond && t % kSecond >= kSecond / 10)
    return say("duration.s", {{"n", n(t / kSecond) + "." + n(t % kSecond / (kSecond / 10))}});
  if (t < kMinute) return say("duration.s", {{"n", n(t / kSecond)}});
  constexpr Time kDay = 24 * kHour;
  if (t < kHour) {
    const Time s = t % kMinute / kSecond;
    return s ? say("duration.min_s", {{"n", n(t / kMinute)}, {"s", n(s)}}) : say("duration.min", {{"n", n(t / kMinute)}});
  }
  if (t < kDay) {
    const Time m = t % kHour / kMinute;
    return m ? say("duration.h_min", {{"n", n(t / kHour)}, {"min", n(m)}}) : say("duration.h", {{"n", n(t / kHour)}});
  }
  const Time h = t % kDay / kHour;
  return h ? say("duration.d_h", {{"n", n(t / kDay)}, {"h", n(h)}}) : say("duration.d", {{"n", n(t / kDay)}});
}

namespace {
// The checker's English names hosts by id ("... INBOX on mx-hogehoge"): with a scenario, each id
// standing as a word of its own (not inside an address or a domain) becomes the host's name.
std::string ids_to_names(std::string text, const Scenario* s) {
  if (!s) return text;
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '@' || c == '.';
  };
  for (const auto& h : s->hosts) {
    const std::string& id = h.info.id;
    if (id.empty() || h.info.name.empty() || h.info.name == id) continue;
    for (auto at = text.find(id); at != std::string::npos; at = text.find(id, at + 1)) {
      const bool before = at > 0 && word_char(text[at - 1]);
      const std::size_t end = at + id.size();
      // A '.' after it ends a sentence, not a domain, when a space or the end follows.
      const bool after = end < text.size() && word_char(text[end]) &&
                         !(text[end] == '.' && (end + 1 == text.size() || text[end + 1] == ' '));
      if (before || after) continue;
      text.replace(at, id.size(), h.info.name);
      at += h.info.name.size() - 1;
    }
  }
  return text;
}
}  // namespace

std::string describe_expectation(const ExpectationResult& e, std::string_view lang, const Scenario* s) {
  if (lang != "ja") return ids_to_names(e.description, s);
  if (auto words = expectation_ja(e, s)) return *words;
  return e.description;
}

std::string describe_outcome(const ExpectationResult& e, std::string_view lang, const Trace* trace, const Scenario* s) {
  if (lang != "ja") {
    if (auto words = outcome_en(e, trace, s)) return *words;
    return e.outcome == "evidence" ? e.actual : ids_to_names(e.actual, s);
  }
  if (auto words = outcome_ja(e, trace, s)) return *words;
  return e.actual;
}

}  // namespace mailsim::sim
