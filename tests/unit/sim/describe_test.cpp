// Wording of trace records (English and Japanese) and expectation results (Japanese), with the summary as fallback.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

#include "sim/words/describe.hpp"
#include "sim/scenario/runner.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;
using Json = nlohmann::json;

namespace {

const std::string& kSource = mailsim::test::kSourceDir;
Scenario load(const std::string& path) { return mailsim::test::load_lesson(path); }

// A world with two named hosts and a named network, for host labels.
Scenario named_world() {
  Scenario s;
  HostSpec pc;
  pc.info.id = "shiroyagi-pc";
  pc.info.name = "Shiroyagi's PC";
  pc.info.name_ja = "しろやぎさんのPC";
  HostSpec mx;
  mx.info.id = "mx-hogehoge";
  mx.info.name = "mx1.hogehoge.com";
  s.hosts = {pc, mx};
  NetworkInfo isp;
  isp.id = "home-isp";
  isp.name = "Shiroyagi's ISP";
  isp.name_ja = "しろやぎさんのプロバイダ";
  PolicyRule op25b;  // as the "op25b" preset makes it: named OP25B for what it does
  op25b.id = "op25b";
  op25b.protocol = Transport::Tcp;
  op25b.dst_ports = {25};
  isp.policies = {op25b};
  s.networks = {isp};
  return s;
}

Record rec(RecordKind kind, std::string event, std::string host, std::string summary, Json detail,
           std::string peer = "", std::string proto = "") {
  Record r;
  r.kind = kind;
  r.event = std::move(event);
  r.host = std::move(host);
  r.summary = std::move(summary);
  r.detail = std::move(detail);
  r.peer = std::move(peer);
  r.protocol = std::move(proto);
  if (kind == RecordKind::Protocol || kind == RecordKind::Mail || kind == RecordKind::Mailbox ||
      kind == RecordKind::Dns) {  // typed as a trace types it (its typed part lives in this trace)
    static Trace typed;
    return typed.add(std::move(r));
  }
  return r;
}

ExpectationResult expect(std::string kind, Json params) {
  ExpectationResult e;
  e.kind = std::move(kind);
  e.params = std::move(params);
  e.description = "(english)";
  return e;
}

ExpectationResult with_outcome(std::string outcome, Json params, bool passed = false) {
  ExpectationResult e;
  e.kind = "seen";
  e.passed = passed;
  e.outcome = std::move(outcome);
  e.outcome_params = std::move(params);
  e.actual = "(english)";
  return e;
}

ExpectationSpec spec(std::string kind, Json args) { return ExpectationSpec{std::move(kind), std::move(args), "/x"}; }

}  // namespace

TEST_CASE("describe: every expectation kind reads in Japanese") {
  const Scenario w = named_world();
  CHECK(describe_expectation(expect("connection", {{"from", "shiroyagi-pc"}, {"to", "mx-hogehoge"}, {"port", 25},
                                                   {"result", "timeout"}}),
                             "ja", &w) == "しろやぎさんのPC から mx1.hogehoge.com の 25番ポートへの接続がタイムアウトする");
  CHECK(describe_expectation(expect("connection", {{"from", "pc"}, {"to", "server"}, {"port", 7}, {"result", "established"}}),
                             "ja") == "pc から server の 7番ポートへの接続が確立する");
  CHECK(describe_expectation(expect("connection", {{"from", "pc"}, {"to", "server"}, {"port", 25}, {"result", "refused"}}),
                             "ja") == "pc から server の 25番ポートへの接続が拒否される");
  CHECK(describe_expectation(expect("blocked", {{"policy", "op25b"}, {"from", "shiroyagi-pc"}, {"port", 25}}), "ja", &w) ==
        "ポリシー op25b がしろやぎさんのPC からの 25番ポートへの通信を遮断する");
  CHECK(describe_expectation(expect("blocked", {{"policy", "op25b"}, {"from", ""}, {"port", 0}}), "ja") ==
        "ポリシー op25b が通信を遮断する");
  CHECK(describe_expectation(expect("dns", {{"host", "mail-example"}, {"name", "hogehoge.com"}, {"qtype", "MX"},
                                            {"outcome", "NOERROR"}, {"answer_contains", "mx1.hogehoge.com"}}),
                             "ja") ==
        "mail-example が hogehoge.com の MX レコードを問い合わせ、結果が NOERROR（答えがある）になる（答えに「mx1.hogehoge.com」を含む）");
  CHECK(describe_expectation(expect("dns", {{"host", ""}, {"name", "hogehoge-typo.com"}, {"qtype", "MX"},
                                            {"outcome", "NXDOMAIN"}, {"answer_contains", ""}}),
                             "ja") == "hogehoge-typo.com の MX レコードを問い合わせ、結果が NXDOMAIN（そのドメインは存在しない）になる");
  CHECK(describe_expectation(expect("delivered", {{"to", "kuroyagi@hogehoge.com"}, {"folder", "INBOX"}, {"subject", ""}}),
                             "ja") == "メッセージが kuroyagi@hogehoge.com の受信箱（INBOX）に配達される");
  CHECK(describe_expectation(expect("delivered", {{"to", "kuroyagi@hogehoge.com"}, {"folder", "Archive"},
                                                  {"subject", "お手紙ありがとう"}}),
                             "ja") == "「お手紙ありがとう」が kuroyagi@hogehoge.com の「Archive」フォルダーに配達される");
  CHECK(describe_expectation(expect("bounced", {{"from", "shiroyagi@example.com"}, {"recipient", "kurooyagi@hogehoge.com"},
                                                {"status", "5.1.1"}}),
                             "ja") ==
        "shiroyagi@example.com が出した kurooyagi@hogehoge.com 宛てのメールが、5.1.1（宛先のユーザーが存在しない）で "
        "MAILER-DAEMON から差出人に返送される");
  CHECK(describe_expectation(expect("bounced", {{"from", "a@example.com"}, {"recipient", ""}, {"status", ""}}), "ja") ==
        "a@example.com が出したメールが、MAILER-DAEMON から差出人に返送される");
  CHECK(describe_expectation(expect("deferred", {{"to", "kuroyagi@hogehoge.com"}, {"status", "4.7.1"}}), "ja") ==
        "kuroyagi@hogehoge.com への配達が 4.7.1（送信数の制限などで今は受け付けられない）で延期される（一時的な失敗なので、あとで再送される）");
  CHECK(describe_expectation(expect("deferred", {{"to", "kuroyagi@hogehoge.com"}, {"status", ""}}), "ja") ==
        "kuroyagi@hogehoge.com への配達が延期される（一時的な失敗なので、あとで再送される）");
  CHECK(describe_expectation(expect("send_failed", {{"from", "shiroyagi-pc"}, {"error", "connection timed out"}, {"status", ""}}),
                             "ja", &w) == "しろやぎさんのPC からの送信が「connection timed out」で失敗する");
  CHECK(describe_expectation(expect("send_failed", {{"from", "spammer"}, {"error", ""}, {"status", "5.7.1"}}), "ja") ==
        "spammer からの送信が失敗する（5.7.1：中継の拒否などで許可されていない）");
  CHECK(describe_expectation(expect("wire", {{"text", "AUTH PLAIN"}, {"visible", true}, {"network", "home-isp"}}), "ja", &w) ==
        "しろやぎさんのプロバイダ を通る通信で「AUTH PLAIN」が読める（暗号化されずに流れる）");
  CHECK(describe_expectation(expect("wire", {{"text", "mee-mee"}, {"visible", false}, {"network", ""}}), "ja") ==
        "通信路で「mee-mee」は一度も読めない（暗号化されている）");
  CHECK(describe_expectation(expect("mailbox", {{"address", "kuroyagi@hogehoge.com"}, {"folder", "INBOX"},
                                                {"server", "mx-hogehoge"}, {"count", 0}}),
                             "ja", &w) == "mx1.hogehoge.com にある kuroyagi@hogehoge.com の受信箱（INBOX）にメッセージが 1通もない");
  CHECK(describe_expectation(expect("mailbox", {{"address", "k@h.com"}, {"folder", "INBOX"}, {"server", "mx"},
                                                {"count", 8}, {"bytes", 4000}}),
                             "ja") == "mx にある k@h.com の受信箱（INBOX）にメッセージが 8通ある（合計 4000バイト）");
  CHECK(describe_expectation(expect("seen", {{"on", "shiroyagi-pc"}, {"subject", "Class notice"}, {"present", true},
                                             {"seen", false}}),
                             "ja", &w) == "しろやぎさんのPC に「Class notice」が未読で表示される");
  CHECK(describe_expectation(expect("seen", {{"on", "pc"}, {"subject", "Lunch"}, {"present", true}}), "ja") ==
        "pc に「Lunch」が表示される");
  CHECK(describe_expectation(expect("seen", {{"on", "pc"}, {"subject", "Lunch"}, {"present", false}}), "ja") ==
        "pc に「Lunch」がもう表示されない");
  // English is the checker's own text; an unknown kind falls back to it.
  CHECK(describe_expectation(expect("delivered", {{"to", "x@y"}}), "en") == "(english)");
  CHECK(describe_expectation(expect("future-kind", {}), "ja") == "(english)");
}

TEST_CASE("describe: the checker fills the structured fields and failed ones say what happened instead") {
  Scenario s = load("scenarios/mail/user-unknown.json");
  const auto run = run_scenario(s);
  s.expectations = {
      spec("bounced", {{"from", "shiroyagi@example.com"}, {"recipient", "kurooyagi@hogehoge.com"}, {"status", "5.1.1"}}),
      spec("delivered", {{"to", "kuroyagi@hogehoge.com"}, {"subject", "Nope"}}),
      spec("bounced", {{"from", "shiroyagi@example.com"}, {"status", "5.2.2"}}),
      spec("send_failed", {{"from", "shiroyagi-pc"}, {"error", "timed out"}}),
      spec("connection", {{"from", "shiroyagi-pc"}, {"to", "mail-example"}, {"port", 25}, {"result", "established"}}),
      spec("connection", {{"from", "shiroyagi-pc"}, {"to", "mail-example"}, {"port", 587}, {"result", "refused"}}),
      spec("dns", {{"host", "mail-example"}, {"name", "hogehoge.com"}, {"qtype", "MX"}, {"outcome", "NXDOMAIN"}}),
      spec("dns", {{"host", "mail-example"}, {"name", "nowhere.com"}, {"qtype", "MX"}}),
      spec("wire", {{"text", "no such text"}, {"visible", true}}),
      spec("wire", {{"text", "Hello from Shiroyagi"}, {"visible", false}}),
      spec("mailbox", {{"user", "shiroyagi@example.com"}, {"count", 3}}),
      spec("deferred", {{"to", "kurooyagi@hogehoge.com"}}),
      spec("blocked", {{"policy", "op25b"}}),
  };
  const auto results = check_expectations(s, run.trace);
  REQUIRE(results.size() == s.expectations.size());
  auto ja = [&](std::size_t i) { return describe_outcome(results[i], "ja", &run.trace, &s); };
  // English names hosts as people do where the checker's text quotes ids (issue 18: "instead:
  // mail-example accepted ..." in the Fix window); the rest is the checker's own text.
  auto en = [&](std::size_t i) { return describe_outcome(results[i], "en", &run.trace, &s); };
  for (const auto& r : results)
    if (r.outcome != "instead" && r.outcome != "connection.none" && r.outcome != "wire.in_clear")
      CHECK(describe_outcome(r, "en", &run.trace, &s) == r.actual);
  CHECK(en(3).rfind("instead: ", 0) == 0);
  CHECK(en(3).find("mail-example") == std::string::npos);
  CHECK(en(3).find("mail.example.com") != std::string::npos);
  CHECK(en(4) == "no connection from Shiroyagi's PC to mail.example.com port 25 was attempted");
  CHECK(describe_outcome(results[3], "en", &run.trace, nullptr) == results[3].actual);

  CHECK(results[0].passed);
  CHECK(results[0].kind == "bounced");
  CHECK(results[0].params == Json{{"from", "shiroyagi@example.com"}, {"recipient", "kurooyagi@hogehoge.com"}, {"status", "5.1.1"}});
  CHECK(results[0].outcome == "evidence");
  CHECK(results[0].records.size() == 1);
  CHECK(ja(0) == "mail.example.com は kurooyagi@hogehoge.com 宛ての「Hello from Shiroyagi」の配達をあきらめました"
                 "（5.1.1：宛先のユーザーが存在しない）。MAILER-DAEMON が差出人 shiroyagi@example.com に返送します");

  CHECK_FALSE(results[1].passed);
  CHECK(results[1].actual == "nothing of the kind happened");
  CHECK(ja(1) == "配達も、配達の失敗も、一度も起きませんでした");

  CHECK(results[2].outcome == "instead");
  CHECK(ja(2).rfind("代わりに：mail.example.com は kurooyagi@hogehoge.com 宛ての「Hello from Shiroyagi」の配達をあきらめました", 0) == 0);

  CHECK(results[3].actual == "instead: mail-example accepted \"Hello from Shiroyagi\" for kurooyagi@hogehoge.com");
  CHECK(ja(3) == "代わりに：mail.example.com が kurooyagi@hogehoge.com 宛ての「Hello from Shiroyagi」を受け付けました");

  CHECK(ja(4) == "しろやぎさんのPC から mail.example.com の 25番ポートへの接続は、一度も試みられませんでした");
  CHECK(results[5].actual == "instead: established at 1.052s");
  CHECK(ja(5) == "代わりに：1.052秒に接続が確立");

  CHECK(results[6].actual == "instead: MX? hogehoge.com -> 10 mx1.hogehoge.com");
  CHECK(ja(6) == "代わりに：答え：MX? hogehoge.com -> 10 mx1.hogehoge.com");
  CHECK(ja(7) == "そのような問い合わせは行われませんでした");
  CHECK(ja(8) == "代わりに、暗号化されていないパケットには一度も現れませんでした");
  CHECK(results[9].passed);
  CHECK(ja(9) == "どのパケットにも現れませんでした");

  CHECK(results[10].outcome == "mailbox.state");
  CHECK(results[10].actual.rfind("INBOX holds 1 message(s), ", 0) == 0);
  CHECK(ja(10).rfind("実際には、受信箱（INBOX）のメッセージは 1通（", 0) == 0);

  CHECK(ja(11) == "配達の延期は一度も起きませんでした");
  CHECK(results[12].actual == "no policy fired at all");
  CHECK(ja(12) == "ポリシーは一つも働きませんでした");

  // Without the trace the quoted records cannot be worded: the English text stays.
  CHECK(describe_outcome(results[3], "ja", nullptr, &s) == results[3].actual);
  CHECK(describe_expectation(results[5], "ja", &s) ==
        "しろやぎさんのPC から mail.example.com の 587番ポートへの接続が拒否される");
}

TEST_CASE("describe: outcomes of mailbox and seen expectations in Japanese") {
  const Scenario w = named_world();
  CHECK(describe_outcome(with_outcome("mailbox.state", {{"folder", "INBOX"}, {"count", 0}, {"bytes", 0}, {"refused", 2},
                                                       {"last_reason", "mailbox full (0 + 3381 octets > quota 2048)"}}),
                         "ja", nullptr) ==
        "実際には、受信箱（INBOX）のメッセージは 0通（0バイト）でした。配達を断ったのは 2回"
        "（最後の理由：メールボックスが満杯です（使用中 0バイト＋今回 3381バイト＞容量 2048バイト））");
  CHECK(describe_outcome(with_outcome("seen.absent", {{"on", "shiroyagi-pc"}, {"subject", "Lunch"}}, true), "ja", nullptr, &w) ==
        "しろやぎさんのPC に「Lunch」は表示されていません");
  CHECK(describe_outcome(with_outcome("seen.still", {{"on", "pc"}, {"subject", "Lunch"}, {"seen", true}}), "ja", nullptr) ==
        "実際には、pc にはまだ「Lunch」が既読で表示されています");
  CHECK(describe_outcome(with_outcome("seen.nothing", {{"on", "pc"}, {"subject", "Lunch"}}), "ja", nullptr) ==
        "実際には、pc にはメッセージが 1通も表示されていません");
  CHECK(describe_outcome(with_outcome("seen.others", {{"on", "pc"}, {"subject", "Lunch"}, {"shown", {"A", "B"}}}), "ja",
                         nullptr) == "実際には、pc に「Lunch」は表示されていません（表示されているのは「A」「B」）");
  CHECK(describe_outcome(with_outcome("seen.state", {{"on", "pc"}, {"subject", "Lunch"}, {"seen", false}}), "ja", nullptr) ==
        "実際には、pc に「Lunch」が未読で表示されています");
  CHECK(describe_outcome(with_outcome("blocked.other", {{"policy", "op25b"}, {"count", 2}}), "ja", nullptr) ==
        "ポリシー op25b は一度も働きませんでした（ほかのポリシーの判断が 2件）");
  CHECK(describe_outcome(with_outcome("something-new", {}), "ja", nullptr) == "(english)");
}

TEST_CASE("describe: mail records in Japanese") {
  const Scenario w = named_world();
  const Json base{{"account", "shiroyagi@example.com"}, {"sender", "shiroyagi@example.com"},
                  {"recipients", {"kuroyagi@hogehoge.com"}}, {"subject", "Hello"}, {"server", "mail-example"},
                  {"port", 587}};
  auto compose = rec(RecordKind::Mail, "compose", "shiroyagi-pc",
                     "shiroyagi@example.com writes \"Hello\" to kuroyagi@hogehoge.com and sends it via mail-example port 587", base);
  CHECK(describe_record(compose, "ja") ==
        "shiroyagi@example.com が kuroyagi@hogehoge.com 宛てに「Hello」を書き、mail-example の 587番ポートへ送信します");
  Json d = base;
  d["recipient"] = "kuroyagi@hogehoge.com";
  CHECK(describe_record(rec(RecordKind::Mail, "submitted", "shiroyagi-pc", "x", d), "ja") ==
        "mail-example が kuroyagi@hogehoge.com 宛ての「Hello」を受け付けました");
  d = base;
  d["error"] = "connection timed out";
  d["status"] = "";
  CHECK(describe_record(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d), "ja", &w) ==
        "しろやぎさんのPC：送信に失敗しました — mail-example の 587番ポートにつながりませんでした（接続がタイムアウトしました）");
  d["error"] = "535 5.7.8 authentication failed";
  d["status"] = "5.7.8";
  d["code"] = 535;
  CHECK(describe_record(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d), "ja") ==
        "shiroyagi-pc：送信に失敗しました — mail-example が断りました：535 5.7.8（認証情報が正しくない）");
  d["failed_at"] = "recipient";
  d["recipient"] = "kuroyagi@hogehoge.com";
  CHECK(describe_record(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d), "ja") ==
        "shiroyagi-pc：送信に失敗しました — mail-example が kuroyagi@hogehoge.com 宛てを断りました：535 5.7.8（認証情報が正しくない）");
  d.erase("recipient");
  d["failed_at"] = "login";
  d["reply"] = "535 5.7.8 Authentication credentials invalid";
  CHECK(describe_record(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d), "ja", &w) ==
        "しろやぎさんのPC：送信に失敗しました — mail-example へのログインに失敗しました：535 5.7.8（認証情報が正しくない）");
  CHECK(describe_record(rec(RecordKind::Mail, "queued", "mail-example", "x",
                            {{"queue_id", "49C9ADEF10"}, {"recipients", {"a@h.com", "b@h.com"}}, {"subject", "Hello"}}),
                        "ja") == "mail-example が a@h.com、b@h.com 宛ての「Hello」を送信待ちの列（キュー）に入れました（キューID 49C9ADEF10）");
  CHECK(describe_record(rec(RecordKind::Mail, "routing", "mail-example", "x",
                            {{"domain", "hogehoge.com"}, {"mx", {"10 mx1.hogehoge.com", "20 mx2.hogehoge.com"}}}),
                        "ja") == "mail-example は hogehoge.com のメールサーバーを優先度の順に試します：10 mx1.hogehoge.com、20 mx2.hogehoge.com");
  CHECK(describe_record(rec(RecordKind::Mail, "routing", "mail-example", "x", {{"smarthost", "relay-svc"}}), "ja") ==
        "mail-example はメッセージを中継サービス relay-svc に託します");
  CHECK(describe_record(rec(RecordKind::Mail, "routing", "mail-example",
                            "mail-example hands the message to its relay service relay-svc (port 587)", {{"smarthost", "relay-svc"}}),
                        "ja") == "mail-example はメッセージを中継サービス relay-svc（587番ポート）に託します");
  CHECK(describe_record(rec(RecordKind::Mail, "connect-failed", "mail-example", "x", {{"error", "connection timed out"}},
                            "mx1.hogehoge.com"),
                        "ja") == "mail-example：mx1.hogehoge.com につながりませんでした（接続がタイムアウトしました）");
  CHECK(describe_record(rec(RecordKind::Mail, "relayed", "mail-example", "x",
                            {{"recipient", "k@h.com"}, {"remote", "mx2.hogehoge.com"}, {"subject", "Hello"}}),
                        "ja") == "mail-example が k@h.com 宛ての「Hello」を mx2.hogehoge.com に引き渡しました");
  CHECK(describe_record(rec(RecordKind::Mail, "delivered", "mx-hogehoge", "x",
                            {{"recipient", "kuroyagi@hogehoge.com"}, {"folder", "INBOX"}, {"uid", 1}, {"subject", "Hello"}}),
                        "ja", &w) == "mx1.hogehoge.com が「Hello」を kuroyagi@hogehoge.com の受信箱（INBOX）に配達しました（UID 1）");
  CHECK(describe_record(rec(RecordKind::Mail, "refused", "mail", "x",
                            {{"recipient", "s@h.com"}, {"subject", "Photo 3"}, {"code", 552}, {"status", "5.2.2"},
                             {"reason", "Mailbox full"}}),
                        "ja") == "mail は s@h.com 宛ての「Photo 3」の受け取りを断りました：552 5.2.2（メールボックスが満杯）");
  Record deferred = rec(RecordKind::Mail, "deferred", "mx2", "x",
                        {{"recipient", "k@h.com"}, {"subject", "Hello"}, {"reason", "4.4.1 connect to mx1: connection timed out"},
                         {"retry_at", 142064012}});
  deferred.time = 22064012;
  CHECK(describe_record(deferred, "ja") ==
        "mx2 は「Hello」を k@h.com にまだ配達できません（4.4.1 connect to mx1: connection timed out）。2分後にもう一度試します");
  CHECK(describe_record(rec(RecordKind::Mail, "bounced", "mail-example", "x",
                            {{"recipient", "k@h.cmo"}, {"subject", "Hello"}, {"status", "5.1.2"}, {"reason", "Host not found"},
                             {"bounce_to", "s@example.com"}, {"dropped", false}, {"queue_id", "Q"}}),
                        "ja") ==
        "mail-example は k@h.cmo 宛ての「Hello」の配達をあきらめました（5.1.2：宛先のドメインが見つからない）。"
        "MAILER-DAEMON が差出人 s@example.com に返送します");
  CHECK(describe_record(rec(RecordKind::Mail, "bounced", "mail-example", "x",
                            {{"recipient", "s@example.com"}, {"sender", ""}, {"status", "5.2.2"}, {"reason", "Mailbox full"},
                             {"dropped", true}}),
                        "ja") == "mail-example は s@example.com への返送メールを配達できません（5.2.2：メールボックスが満杯）。破棄します");
  CHECK(describe_record(rec(RecordKind::Mail, "throttled", "mx-hogehoge", "x", {{"who", "198.51.100.25"}, {"limit", 3}}), "ja") ==
        "mx-hogehoge は 198.51.100.25 からのメールをこれ以上受け付けません（送信数の上限 3通を超えました）");
}

TEST_CASE("describe: mailbox records (store and devices) in Japanese") {
  CHECK(describe_record(rec(RecordKind::Mailbox, "stored", "mx", "x",
                            {{"user", "kuroyagi"}, {"folder", "INBOX"}, {"uid", 1}, {"message_id", 1}, {"size", 838},
                             {"quota_used", 838}, {"quota_limit", 0}},
                            "", "store"),
                        "ja") == "メッセージ #1を kuroyagi の INBOX に UID 1 として保存しました（838バイト、使用量 838バイト、容量の上限なし）");
  CHECK(describe_record(rec(RecordKind::Mailbox, "delivery-refused", "mx", "x",
                            {{"user", "kuroyagi"}, {"size", 3381}, {"quota_used", 0}, {"quota_limit", 2048}, {"reason", "mailbox full (0 + 3381 octets > quota 2048)"}}, "", "store"),
                        "ja") == "kuroyagi への配達を断りました：メールボックスが満杯です（使用中 0バイト＋今回 3381バイト＞容量 2048バイト）");
  CHECK(describe_record(rec(RecordKind::Mailbox, "delivery-refused", "mx", "x",
                            {{"user", "kuroyagi"}, {"size", 5000}, {"size_limit", 4096}, {"reason", "message too large (5000 octets, limit 4096)"}}, "", "store"),
                        "ja") == "kuroyagi への配達を断りました：メッセージが大きすぎます（5000バイト、上限 4096バイト）");
  const Json msg{{"user", "shiroyagi"}, {"folder", "INBOX"}, {"uid", 1}, {"message_id", 1}, {"reason", "imap FETCH"}};
  CHECK(describe_record(rec(RecordKind::Mailbox, "fetched", "mail", "x", msg, "", "store"), "ja") ==
        "メッセージ #1（shiroyagi の INBOX、UID 1）が読み出されました（IMAP FETCH）");
  Json flags = msg;
  flags["old_flags"] = Json::array();
  flags["flags"] = {"\\Seen"};
  CHECK(describe_record(rec(RecordKind::Mailbox, "flags-changed", "mail", "x", flags, "", "store"), "ja") ==
        "メッセージ #1（shiroyagi の INBOX、UID 1）のフラグ：() -> (\\Seen)");
  Json gone = msg;
  gone["reason"] = "expunged (marked \\Deleted)";
  CHECK(describe_record(rec(RecordKind::Mailbox, "expunged", "mail", "x", gone, "", "store"), "ja") ==
        "メッセージ #1を shiroyagi の INBOX、UID 1 から消去しました：削除の印（\\Deleted）が付いていたため消去");
  CHECK(describe_record(rec(RecordKind::Mailbox, "downloaded-and-deleted", "mail", "x", msg, "", "store"), "ja") ==
        "メッセージ #1（shiroyagi の INBOX、UID 1）は POP3 でダウンロードされ、サーバーから削除されました");
  CHECK(describe_record(rec(RecordKind::Mailbox, "maildrop-locked", "mail", "x", msg, "", "store"), "ja") ==
        "POP3 のセッションのため、shiroyagi のメールドロップをロックしました");
  CHECK(describe_record(rec(RecordKind::Mailbox, "maildrop-unlocked", "mail", "x", msg, "", "store"), "ja") ==
        "shiroyagi のメールドロップのロックを解きました");

  const Json dev{{"account", "s@h.com"}, {"subject", "Class notice"}, {"size", 474}, {"seen", false}};
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-downloaded", "pc", "x", dev, "mail", "pop3"), "ja") ==
        "pc が s@h.com の「Class notice」（474バイト）をダウンロードしました");
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-synced", "phone", "x", dev, "mail", "imap"), "ja") ==
        "phone に「Class notice」が表示されます（未読）");
  Json read = dev;
  read["seen"] = true;
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-flags", "pc", "x", read, "mail", "imap"), "ja") ==
        "pc で「Class notice」が既読になりました");
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-opened", "phone", "x", read, "mail", "imap"), "ja") ==
        "phone で「Class notice」を開きました（サーバー側で既読の印 \\Seen が付きます）");
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-opened", "pc", "x", read, "mail", "pop3"), "ja") ==
        "pc で、手元にコピーした「Class notice」を開きました");
  Json by_server = dev;
  by_server["by"] = "server";
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-deleted", "pc", "x", by_server, "mail", "imap"), "ja") ==
        "「Class notice」が pc の表示から消えました（サーバーで削除されたため）");
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-checked", "pc",
                            "pc checked mail for s@h.com: 0 new, 1 on the device, left on the server",
                            {{"account", "s@h.com"}, {"count", 1}, {"downloaded", 0}, {"deleted_on_server", 0}}, "mail", "pop3"),
                        "ja") == "pc が s@h.com のメールを確認しました：新着 0通、端末に 1通。サーバーにも残してあります");
  CHECK(describe_record(rec(RecordKind::Mailbox, "device-checked", "phone", "x", {{"account", "s@h.com"}, {"count", 0}},
                            "mail", "imap"),
                        "ja") == "phone が s@h.com をサーバーと同期しました：0通");
  CHECK(describe_record(rec(RecordKind::Mailbox, "check-failed", "pc", "x",
                            {{"account", "s@h.com"}, {"error", "connection refused"}}, "mail", "pop3"),
                        "ja") == "pc は s@h.com のメールを確認できませんでした：接続を拒否されました");
}

TEST_CASE("describe: dns, connection, policy, tls, action and protocol records in Japanese") {
  const Scenario w = named_world();
  const Json q{{"qname", "hogehoge.com"}, {"qtype", "MX"}};
  CHECK(describe_record(rec(RecordKind::Dns, "lookup", "mail-example", "asks its resolver: MX? hogehoge.com", q, "dns", "dns"),
                        "ja") == "リゾルバーに問い合わせます：MX? hogehoge.com");
  CHECK(describe_record(rec(RecordKind::Dns, "query", "dns", "x", q, "shiroyagi-pc", "dns"), "ja", &w) ==
        "しろやぎさんのPC からの問い合わせ：MX? hogehoge.com");
  CHECK(describe_record(rec(RecordKind::Dns, "response", "root", "answers MX? hogehoge.com -> referral to a.gtld-servers.com", q),
                        "ja") == "応答：MX? hogehoge.com -> a.gtld-servers.com への委任");
  CHECK(describe_record(rec(RecordKind::Dns, "result", "mail-example", "MX? hogehoge.cmo -> NXDOMAIN (no such domain)", q), "ja") ==
        "答え：MX? hogehoge.cmo -> NXDOMAIN（そのドメインは存在しません）");
  auto note = [](const std::string& text) {
    return describe_record(rec(RecordKind::Dns, "resolver", "isp-resolver", text, {{"note", text}}), "ja");
  };
  CHECK(note("resolving MX hogehoge.com") == "MX hogehoge.com の名前解決を始めます");
  CHECK(note("starting at the root servers") == "ルートサーバーから順にたどります");
  CHECK(note("asking a.root-servers.net (198.51.100.1) for MX hogehoge.com") ==
        "a.root-servers.net（198.51.100.1）に MX hogehoge.com を問い合わせます");
  CHECK(note("a.gtld-servers.com answered: MX? hogehoge.com -> referral to ns1.hogehoge.com") ==
        "a.gtld-servers.com の応答：MX? hogehoge.com -> ns1.hogehoge.com への委任");
  CHECK(note("referral to com. servers (a.gtld-servers.com)") == "com. を担当するサーバー（a.gtld-servers.com）を教えられました（委任）");
  CHECK(note("cache hit: MX hogehoge.com (1 record(s), 3597 s left)") == "キャッシュにありました：MX hogehoge.com（1件、残り 3597秒）");
  CHECK(note("cache hit: hogehoge-typo.com does not exist (NXDOMAIN, 297 s left)") ==
        "キャッシュにありました：hogehoge-typo.com は存在しません（NXDOMAIN、残り 297秒）");
  CHECK(note("answer: hogehoge-typo.com does not exist (NXDOMAIN)") == "答え：hogehoge-typo.com は存在しません（NXDOMAIN）");
  CHECK(note("answer: MX hogehoge.com -> 10 mx1.hogehoge.com") == "答え：MX hogehoge.com -> 10 mx1.hogehoge.com");
  CHECK(note("a resolver note from the future") == "a resolver note from the future");

  const Json ends{{"client", "192.0.2.130:49152"}, {"server", "198.51.100.25:587"}};
  CHECK(describe_record(rec(RecordKind::Connection, "connecting", "shiroyagi-pc", "x", ends, "mx-hogehoge"), "ja", &w) ==
        "しろやぎさんのPC が mx1.hogehoge.com の 587番ポートへの接続を始めます");
  CHECK(describe_record(rec(RecordKind::Connection, "established", "pc", "x", ends, "mail-example"), "ja") ==
        "pc が mail-example の 587番ポートに接続しました");
  Json err = ends;
  err["error"] = "connection refused";
  err["reason"] = "RST in answer to SYN";
  err["side"] = "client";
  CHECK(describe_record(rec(RecordKind::Connection, "refused", "pc", "x", err, "echo"), "ja") ==
        "pc：接続を拒否されました（SYN への返事が RST でした）");
  err["reason"] = "no answer to 4 SYN(s) in 10 s";
  CHECK(describe_record(rec(RecordKind::Connection, "timeout", "pc", "x", err, "mx"), "ja") ==
        "pc：接続がタイムアウトしました（SYN を 4回送っても 10秒間応答がありません）");
  Record closed = rec(RecordKind::Connection, "closed", "pc", "x", ends, "mail-example");
  closed.conn = 2;
  CHECK(describe_record(closed, "ja") == "pc と mail-example の接続 2 が閉じられました");

  CHECK(describe_record(rec(RecordKind::Policy, "drop", "shiroyagi-pc", "dropped SYN ...",
                            {{"rule", "op25b"}, {"network", "home-isp"}, {"dst_port", 25}, {"action", "drop"}},
                            "provider-mail", "tcp"),
                        "ja", &w) ==
        "しろやぎさんのプロバイダのルール OP25B が、しろやぎさんのPC から provider-mail の 25番ポートへの TCP 通信を破棄しました");
  // No space between a Japanese name and the particle after it; a Latin name keeps its spaces.
  CHECK(describe_record(rec(RecordKind::Action, "host_down", "mx", "mx goes down", Json()), "ja", &w).find("mx が") !=
        std::string::npos);
  CHECK(describe_record(rec(RecordKind::Tls, "established", "mail-example", "x", {{"side", "server"}}, "shiroyagi-pc", "tls"),
                        "ja", &w) == "mail-example：しろやぎさんのPC との TLS が確立しました（TLS 1.2 を模擬）");

  CHECK(describe_record(rec(RecordKind::Action, "host_up", "mx-hogehoge", "mx-hogehoge is back up", Json()), "ja") ==
        "mx-hogehoge が復旧しました");
  CHECK(describe_record(rec(RecordKind::Action, "host_down", "pc", "x", {{"action", "go_offline"}}), "ja") ==
        "pc がオフラインになりました（ネットワークから切り離されました）");
  CHECK(describe_record(rec(RecordKind::Action, "start", "pc", "pc opens a connection to 198.51.100.7:7",
                            {{"action", "connect"}, {"to", "198.51.100.7:7"}}),
                        "ja") == "pc が 198.51.100.7:7 への接続を開きます");
  CHECK(describe_record(rec(RecordKind::Action, "done", "pc", "pc: connection to 198.51.100.25:25 ended: connection timed out",
                            {{"action", "connect"}, {"outcome", "connection timed out"}}),
                        "ja") == "pc：198.51.100.25:25 との接続が終わりました（接続がタイムアウトしました）");

  CHECK(describe_record(rec(RecordKind::Protocol, "note", "mail-example",
                            "sent message data: 314 octet(s), 317 on the wire with dot-stuffing and <CRLF>.<CRLF>", Json(),
                            "mx", "smtp"),
                        "ja") == "本文を送りました：314バイト（行頭のドットの重ね書きと <CRLF>.<CRLF> を含め、回線上は 317バイト）");
  CHECK(describe_record(rec(RecordKind::Protocol, "note", "mx", "TLS established; session state reset, client must send EHLO again",
                            Json(), "", "smtp"),
                        "ja") == "TLS が確立しました。セッションの状態を初期化。クライアントは EHLO を送り直す必要があります");
  // A state change is worded from the state entered, never as the engine's "A -> B".
  CHECK(describe_record(rec(RecordKind::Protocol, "state", "mx", "Ehlo -> Auth", {{"from", "Ehlo"}, {"to", "Auth"}}, "",
                            "smtp"),
                        "ja") == "mx の SMTP：ログイン（AUTH）しています");
  CHECK(describe_record(rec(RecordKind::Protocol, "state", "mx", "Ehlo -> Auth", {{"from", "Ehlo"}, {"to", "Auth"}}, "",
                            "smtp"),
                        "ja")
            .find("->") == std::string::npos);
  CHECK(describe_record(rec(RecordKind::Protocol, "error", "mx", "protocol error: RCPT not allowed in state Ready", Json(), "",
                            "smtp"),
                        "ja") == "プロトコルエラー：RCPT はこの段階では使えません（いまの状態：手紙を受け付ける準備ができました）");
}

TEST_CASE("describe: English, protocol lines, packets and unknown records keep the simulator's summary") {
  const auto command = rec(RecordKind::Protocol, "command", "pc", "C: EHLO shiroyagi-pc", {{"line", "EHLO shiroyagi-pc"}}, "mx", "smtp");
  CHECK(describe_record(command, "ja") == "C: EHLO shiroyagi-pc");
  CHECK_FALSE(has_own_wording(command, "ja"));
  const auto reply = rec(RecordKind::Protocol, "reply", "mx", "S: 250 2.1.5 Ok", {{"code", 250}}, "pc", "smtp");
  CHECK(describe_record(reply, "ja") == "S: 250 2.1.5 Ok");
  const auto packet = rec(RecordKind::Packet, "tcp", "pc", "192.0.2.130:49152 -> 198.51.100.7:7 [SYN] seq=1 ack=0 len=0", Json());
  CHECK(describe_record(packet, "ja") == packet.text());
  // A scenario's own label has no Japanese: it stays as written.
  const auto labelled = rec(RecordKind::Mail, "compose", "pc", "The PC sends its weekly report",
                            {{"account", "a@b"}, {"subject", "Report"}, {"recipients", {"c@d"}}, {"server", "m"}, {"port", 587}});
  CHECK(describe_record(labelled, "ja") == "The PC sends its weekly report");
  CHECK(describe_record(rec(RecordKind::Mail, "teleported", "mx", "mx teleported it", Json::object()), "ja") == "mx teleported it");
  CHECK(describe_record(rec(RecordKind::Note, "", "", "a milestone", Json()), "ja") == "a milestone");
  const auto delivered = rec(RecordKind::Mail, "delivered", "mx", "mx delivered \"Hi\" to k@h.com's INBOX (uid 1)",
                             {{"recipient", "k@h.com"}, {"folder", "INBOX"}, {"uid", 1}, {"subject", "Hi"}});
  // English without a scenario: the summary as the simulator wrote it (host ids, exact times).
  CHECK(describe_record(delivered, "en") == delivered.text());
  CHECK(describe_record(delivered, "fr") == delivered.text());
  CHECK(has_own_wording(delivered, "ja"));
  CHECK(has_own_wording(delivered, "en"));  // ... given a scenario
  CHECK_FALSE(has_own_wording(packet, "en"));
  const Scenario w = named_world();
  CHECK(describe_record(packet, "en", &w) == packet.text());
  CHECK(describe_record(reply, "en", &w) == "S: 250 2.1.5 Ok");
  CHECK(describe_record(labelled, "en", &w) == "The PC sends its weekly report");
  CHECK(describe_record(rec(RecordKind::Mail, "teleported", "mx", "mx teleported it", Json::object()), "en", &w) ==
        "mx teleported it");
}

TEST_CASE("describe: every record a lesson's story shows has Japanese wording") {
  std::size_t steps = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    const auto path = entry.path().string();
    if (entry.path().extension() != ".json" || path.find(".schema.") != std::string::npos) continue;
    auto loaded = load_scenario_file(path);
    if (!loaded.scenario) continue;  // the loader's own tests cover broken lessons
    const auto run = run_scenario(*loaded.scenario);
    for (const auto& m : run.narration) {
      if (!m.reached) continue;
      const Record& r = run.trace.records().at(m.seq);
      const bool protocol_text = r.kind == RecordKind::Packet ||
                                 (r.kind == RecordKind::Protocol && r.proto_info().is_line());
      if (protocol_text) continue;
      // Labels written by the lesson (an action's or a message's own text) are not the simulator's to translate.
      if ((r.kind == RecordKind::Action && r.event == "start") || (r.kind == RecordKind::Mail && r.is(MailEvent::Compose) &&
                                                                   r.text().find(" writes \"") == std::string::npos))
        continue;
      ++steps;
      INFO(path << ": " << to_string(r.kind) << " " << r.event << ": " << r.text());
      CHECK(has_own_wording(r, "ja"));
    }
    for (const auto& e : run.expectations) {
      INFO(path << ": " << e.description);
      CHECK(describe_expectation(e, "ja", &*loaded.scenario) != e.description);
      CHECK(describe_outcome(e, "ja", &run.trace, &*loaded.scenario) != e.actual);
    }
  }
  CHECK(steps > 50);
}

TEST_CASE("describe: English names hosts by their display names, for each kind it words") {
  const Scenario w = named_world();
  auto en = [&](const Record& r) { return describe_record(r, "en", &w); };
  const Json base{{"account", "shiroyagi@example.com"}, {"sender", "shiroyagi@example.com"},
                  {"recipients", {"kuroyagi@hogehoge.com"}}, {"subject", "Hello"}, {"server", "mx-hogehoge"}, {"port", 587}};
  // mail
  CHECK(en(rec(RecordKind::Mail, "compose", "shiroyagi-pc",
               "shiroyagi@example.com writes \"Hello\" to kuroyagi@hogehoge.com and sends it via mx-hogehoge port 587", base)) ==
        "shiroyagi@example.com writes \"Hello\" to kuroyagi@hogehoge.com and sends it via mx1.hogehoge.com port 587");
  Json d = base;
  d["recipient"] = "kuroyagi@hogehoge.com";
  CHECK(en(rec(RecordKind::Mail, "submitted", "shiroyagi-pc", "x", d)) == "mx1.hogehoge.com accepted \"Hello\" for kuroyagi@hogehoge.com");
  d = base;
  d["error"] = "connection timed out";
  d["status"] = "";
  CHECK(en(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d)) ==
        "Shiroyagi's PC: sending failed — the connection to mx1.hogehoge.com port 587 failed: connection timed out");
  d["error"] = "552 5.2.2 <k@h.com>: Mailbox full";
  d["status"] = "5.2.2";
  d["code"] = 552;
  d["failed_at"] = "recipient";
  d["recipient"] = "k@h.com";
  CHECK(en(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d)) ==
        "Shiroyagi's PC: sending failed — mx1.hogehoge.com refused k@h.com: 552 5.2.2 <k@h.com>: Mailbox full");
  d["failed_at"] = "login";
  d["reply"] = "535 5.7.8 Authentication credentials invalid";
  CHECK(en(rec(RecordKind::Mail, "send_failed", "shiroyagi-pc", "x", d)) ==
        "Shiroyagi's PC: sending failed — login to mx1.hogehoge.com failed: 535 5.7.8 Authentication credentials invalid");
  CHECK(en(rec(RecordKind::Mail, "queued", "mx-hogehoge", "x",
               {{"queue_id", "Q1"}, {"recipients", {"a@h.com", "b@h.com"}}, {"subject", "Hello"}})) ==
        "mx1.hogehoge.com queued \"Hello\" for a@h.com, b@h.com (queue id Q1)");
  CHECK(en(rec(RecordKind::Mail, "routing", "shiroyagi-pc", "shiroyagi-pc hands the message to its relay service mx-hogehoge (port 587)",
               {{"smarthost", "mx-hogehoge"}})) ==
        "Shiroyagi's PC hands the message to its relay service: mx1.hogehoge.com (port 587)");
  CHECK(en(rec(RecordKind::Mail, "routing", "shiroyagi-pc", "x", {{"domain", "h.com"}, {"mx", {"10 mx1.h.com", "20 mx2.h.com"}}})) ==
        "Shiroyagi's PC will try the mail server(s) of h.com: 10 mx1.h.com, 20 mx2.h.com");
  CHECK(en(rec(RecordKind::Mail, "connect-failed", "shiroyagi-pc", "x", {{"error", "connection timed out"}}, "mx1.h.com")) ==
        "Shiroyagi's PC could not connect to mx1.h.com (connection timed out)");
  CHECK(en(rec(RecordKind::Mail, "relayed", "shiroyagi-pc", "x", {{"recipient", "k@h.com"}, {"remote", "mx-hogehoge"}, {"subject", "Hi"}})) ==
        "Shiroyagi's PC handed \"Hi\" for k@h.com to mx1.hogehoge.com");
  CHECK(en(rec(RecordKind::Mail, "delivered", "mx-hogehoge", "x",
               {{"recipient", "k@h.com"}, {"folder", "INBOX"}, {"uid", 1}, {"subject", "Hi"}})) ==
        "mx1.hogehoge.com delivered \"Hi\" to k@h.com's INBOX (uid 1)");
  CHECK(en(rec(RecordKind::Mail, "refused", "mx-hogehoge", "x",
               {{"recipient", "k@h.com"}, {"subject", "Hi"}, {"code", 552}, {"status", "5.2.2"}, {"reason", "Mailbox full"}})) ==
        "mx1.hogehoge.com refused \"Hi\" for k@h.com: 552 5.2.2 Mailbox full");
  // The reviewer's sentence: a display name and "in 4 min" instead of "mail-example" and "4m 00.000s".
  Record deferred = rec(RecordKind::Mail, "deferred", "mx-hogehoge",
                        "mx-hogehoge could not deliver \"Hello\" to k@h.com yet (4.7.1 try later); next try in 4m 00.000s",
                        {{"recipient", "k@h.com"}, {"subject", "Hello"}, {"reason", "4.7.1 try later"}, {"status", "4.7.1"},
                         {"retry_at", 5 * kSecond + 4 * kMinute}});
  deferred.time = 5 * kSecond;
  CHECK(en(deferred) == "mx1.hogehoge.com could not deliver \"Hello\" to k@h.com yet (4.7.1 try later); next try in 4 min");
  deferred = rec(RecordKind::Mail, "deferred", "mx-hogehoge", deferred.summary,
                 {{"recipient", "k@h.com"}, {"subject", "Hello"}, {"reason", "4.7.1 try later"}, {"status", "4.7.1"},
                  {"retry_at", 5 * kSecond + 30 * kSecond}});
  deferred.time = 5 * kSecond;
  CHECK(en(deferred) == "mx1.hogehoge.com could not deliver \"Hello\" to k@h.com yet (4.7.1 try later); next try in 30 s");
  CHECK(describe_record(deferred, "en") == deferred.text());  // no scenario: the exact summary
  CHECK(en(rec(RecordKind::Mail, "bounced", "mx-hogehoge", "x",
               {{"recipient", "k@h.com"}, {"subject", "Hi"}, {"status", "5.1.1"}, {"reason", "550 5.1.1 User unknown"},
                {"bounce_to", "s@e.com"}, {"dropped", false}, {"queue_id", "Q"}})) ==
        "mx1.hogehoge.com gives up on \"Hi\" for k@h.com: 550 5.1.1 User unknown; MAILER-DAEMON returns it to s@e.com");
  CHECK(en(rec(RecordKind::Mail, "throttled", "mx-hogehoge", "mx-hogehoge refuses more mail from 198.51.100.25: 3 message(s) in 10m 00.000s",
               {{"who", "198.51.100.25"}, {"limit", 3}})) ==
        "mx1.hogehoge.com refuses more mail from 198.51.100.25: over its limit of 3 message(s) per 10 min");
  // mailbox: devices and the store
  const Json dev{{"account", "s@h.com"}, {"subject", "Lunch"}, {"size", 493}, {"seen", false}};
  CHECK(en(rec(RecordKind::Mailbox, "device-downloaded", "shiroyagi-pc", "x", dev, "mail", "pop3")) ==
        "Shiroyagi's PC downloaded \"Lunch\" (493 octets) for s@h.com");
  CHECK(en(rec(RecordKind::Mailbox, "device-synced", "shiroyagi-pc", "x", dev, "mail", "imap")) ==
        "Shiroyagi's PC shows \"Lunch\" (unread)");
  CHECK(en(rec(RecordKind::Mailbox, "stored", "mx-hogehoge", "x",
               {{"user", "k"}, {"folder", "INBOX"}, {"uid", 1}, {"message_id", 1}, {"size", 838}, {"quota_used", 838}, {"quota_limit", 0}},
               "", "store")) == "message #1 stored for k in INBOX as UID 1 (838 octets; 838 of unlimited octets used)");
  // dns, connections, policies, TLS, actions, protocol notes
  CHECK(en(rec(RecordKind::Dns, "query", "dns", "x", {{"qtype", "MX"}, {"qname", "h.com"}}, "shiroyagi-pc", "dns")) ==
        "query from Shiroyagi's PC: MX? h.com");
  const Json ends{{"client", "192.0.2.130:49152"}, {"server", "198.51.100.25:25"}};
  CHECK(en(rec(RecordKind::Connection, "established", "shiroyagi-pc", "x", ends, "mx-hogehoge")) ==
        "Shiroyagi's PC connected to mx1.hogehoge.com port 25");
  Json err = ends;
  err["error"] = "connection timed out";
  err["reason"] = "no answer to 4 SYN(s) in 10 s";
  err["side"] = "client";
  CHECK(en(rec(RecordKind::Connection, "timeout", "shiroyagi-pc", "x", err, "mx-hogehoge")) ==
        "Shiroyagi's PC: connection timed out (no answer to 4 SYN(s) in 10 s)");
  Record closed = rec(RecordKind::Connection, "closed", "shiroyagi-pc", "x", ends, "mx-hogehoge");
  closed.conn = 2;
  CHECK(en(closed) == "connection 2 between Shiroyagi's PC and mx1.hogehoge.com closed");
  CHECK(en(rec(RecordKind::Policy, "drop", "shiroyagi-pc", "x", {{"rule", "op25b"}, {"network", "home-isp"}, {"dst_port", 25}},
               "mx-hogehoge", "tcp")) ==
        "rule OP25B of Shiroyagi's ISP dropped TCP traffic from Shiroyagi's PC to mx1.hogehoge.com port 25");
  CHECK(en(rec(RecordKind::Tls, "established", "mx-hogehoge", "x", {{"side", "server"}}, "shiroyagi-pc", "tls")) ==
        "mx1.hogehoge.com: TLS established with Shiroyagi's PC (TLS 1.2 simulated)");
  CHECK(en(rec(RecordKind::Action, "host_down", "shiroyagi-pc", "x", {{"action", "go_offline"}})) ==
        "Shiroyagi's PC goes offline (its network is gone)");
  CHECK(en(rec(RecordKind::Action, "start", "shiroyagi-pc", "shiroyagi-pc opens a connection to 198.51.100.7:7",
               {{"action", "connect"}, {"to", "198.51.100.7:7"}})) == "Shiroyagi's PC opens a connection to 198.51.100.7:7");
  CHECK(en(rec(RecordKind::Protocol, "note", "mx-hogehoge", "TLS negotiation requested", Json(), "", "smtp")) ==
        "TLS negotiation requested");
}

TEST_CASE("describe: the English wording follows the simulator's summaries, hosts and durations aside") {
  // With display names equal to the ids, the English wording of every record of every lesson
  // is the summary itself, except the sentences that word something differently on purpose.
  std::size_t compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    const auto path = entry.path().string();
    if (entry.path().extension() != ".json" || path.find(".schema.") != std::string::npos) continue;
    auto loaded = load_scenario_file(path);
    if (!loaded.scenario) continue;
    const auto run = run_scenario(*loaded.scenario);
    Scenario ids = *loaded.scenario;
    for (auto& h : ids.hosts) h.info.name.clear();
    for (const auto& r : run.trace.records()) {
      if (!has_own_wording(r, "en")) continue;
      const bool reworded = r.kind == RecordKind::Policy ||
                            (r.kind == RecordKind::Mail && (r.is(MailEvent::Deferred) || r.is(MailEvent::Throttled) || r.is(MailEvent::Greylisted) ||
                                                            r.is(MailEvent::ConnectFailed) || r.is(MailEvent::Routing))) ||
                            (r.is(MailboxEvent::DeviceFlags) || r.is(MailboxEvent::DeviceChecked)) ||
                            r.is(ProtoEvent::State) ||  // worded from the state entered
                            // The network by its display name (the summary has its id), as policy records.
                            (r.kind == RecordKind::Action && (r.event == "link_down" || r.event == "link_up"));
      if (reworded) continue;
      ++compared;
      INFO(path << ": " << to_string(r.kind) << " " << r.event);
      CHECK(describe_record(r, "en", &ids) == r.text());
    }
  }
  CHECK(compared > 1000);
}

TEST_CASE("describe: durations for people") {
  CHECK(format_duration(0, "en") == "0 s");
  CHECK(format_duration(250, "en") == "250 µs");
  CHECK(format_duration(kMilli, "en") == "1 ms");
  CHECK(format_duration(999 * kMilli, "en") == "999 ms");
  CHECK(format_duration(kSecond, "en") == "1 s");
  CHECK(format_duration(kSecond + 500 * kMilli, "en") == "1.5 s");
  CHECK(format_duration(kSecond + 50 * kMilli, "en") == "1 s");
  CHECK(format_duration(30 * kSecond, "en") == "30 s");
  CHECK(format_duration(59 * kSecond + 999 * kMilli, "en") == "59 s");
  CHECK(format_duration(60 * kSecond, "en") == "1 min");
  CHECK(format_duration(4 * kMinute, "en") == "4 min");
  CHECK(format_duration(4 * kMinute + 30 * kSecond, "en") == "4 min 30 s");
  CHECK(format_duration(59 * kMinute + 59 * kSecond, "en") == "59 min 59 s");
  CHECK(format_duration(3600 * kSecond, "en") == "1 h");
  CHECK(format_duration(kHour + 5 * kMinute + 7 * kSecond, "en") == "1 h 5 min");
  CHECK(format_duration(24 * kHour, "en") == "1 d");
  CHECK(format_duration(2 * 24 * kHour + 3 * kHour, "en") == "2 d 3 h");
  CHECK(format_duration(-30 * kSecond, "en") == "-30 s");
  CHECK(format_duration(0, "ja") == "0秒");
  CHECK(format_duration(250 * kMilli, "ja") == "250ミリ秒");
  CHECK(format_duration(30 * kSecond, "ja") == "30秒");
  CHECK(format_duration(4 * kMinute, "ja") == "4分");
  CHECK(format_duration(4 * kMinute + 30 * kSecond, "ja") == "4分30秒");
  CHECK(format_duration(kHour + 5 * kMinute, "ja") == "1時間5分");
  CHECK(format_duration(2 * 24 * kHour, "ja") == "2日");
}

TEST_CASE("describe: a full mailbox in Japanese is worded from its status, without the server's English reply") {
  const Scenario s = load("scenarios/receiving/imap-mailbox-full.json");
  const auto run = run_scenario(s);
  std::size_t seen = 0;
  for (const auto& r : run.trace.records()) {
    if (r.kind != RecordKind::Mail || (!r.is(MailEvent::SendFailed) && r.event != "refused")) continue;
    ++seen;
    const std::string ja = describe_record(r, "ja", &s);
    INFO(ja);
    CHECK(ja.find("552 5.2.2（メールボックスが満杯）") != std::string::npos);
    CHECK(ja.find("Mailbox full") == std::string::npos);
    CHECK(ja.find("message size exceeds") == std::string::npos);
    // English keeps the server's reply (it is English already), with display names.
    CHECK(describe_record(r, "en", &s).find("Mailbox full: message size exceeds remaining quota") != std::string::npos);
  }
  CHECK(seen == 2);
  const Record& last = run.trace.records().back();
  REQUIRE(last.is(MailEvent::SendFailed));
  CHECK(describe_record(last, "ja", &s) ==
        host_label(&s, "kuroyagi-pc", "ja") + "：送信に失敗しました — " + host_label(&s, "mail", "ja") +
            "が shiroyagi@hogehoge.com 宛てを断りました：552 5.2.2（メールボックスが満杯）");
}

TEST_CASE("describe: every template has the same placeholders in English and Japanese") {
  auto names = [](std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1))
      out.emplace_back(text.substr(i, text.find('}', i) - i + 1));
    std::sort(out.begin(), out.end());
    return out;
  };
  std::set<std::string_view> keys;
  for (const auto& t : wording_templates()) {
    INFO(t.key);
    CHECK(keys.insert(t.key).second);  // keys are unique
    CHECK(names(t.en) == names(t.ja));
    CHECK_FALSE(t.ja.empty());
  }
  CHECK(keys.size() > 100);
}

namespace {

// The greatest depth of Japanese brackets （） in `text` (0: none), or -1 when they do not pair.
int bracket_depth(const std::string& text) {
  int depth = 0;
  int deepest = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "（") == 0) deepest = std::max(deepest, ++depth);
    if (text.compare(i, 3, "）") == 0 && --depth < 0) return -1;
  }
  return depth == 0 ? deepest : -1;
}

}  // namespace

TEST_CASE("describe: Japanese status meanings do not nest brackets in the worded text") {
  // No meaning carries brackets of its own: the wording puts it in brackets.
  for (const char* cls : {"4", "5"}) {
    for (const char* rest : {".1.1", ".1.2", ".2.2", ".3.4", ".4.1", ".4.3", ".4.7", ".7.1", ".7.8", ".7.0"}) {
      const std::string status = std::string(cls) + rest;
      INFO(status);
      CHECK_FALSE(status_meaning_ja(status).empty());
      CHECK(bracket_depth(status_meaning_ja(status)) == 0);
    }
  }
  CHECK(status_meaning_ja("4.7.1") == "送信数の制限などで今は受け付けられない");
  CHECK(status_meaning_ja("5.7.1") == "中継の拒否などで許可されていない");
  CHECK(status_meaning_ja("4.4.3") == "DNS の名前解決に失敗した");

  // A deferral for the sending limit, as the sending-limits lesson has it.
  Record deferred = rec(RecordKind::Mail, "deferred", "mail-example", "x",
                        {{"recipient", "k@h.com"}, {"subject", "Hello"}, {"status", "4.7.1"},
                         {"reason", "451 4.7.1 Too many messages, slow down"}, {"retry_at", 120 * kSecond}});
  CHECK(describe_record(deferred, "ja") ==
        "mail-example は「Hello」を k@h.com にまだ配達できません（4.7.1：送信数の制限などで今は受け付けられない）。"
        "2分後にもう一度試します");
  CHECK(describe_record(rec(RecordKind::Mail, "refused", "mx", "x",
                            {{"recipient", "k@h.com"}, {"subject", "Hello"}, {"code", 554}, {"status", "5.7.1"},
                             {"reason", "Relay access denied"}}),
                        "ja") == "mx は k@h.com 宛ての「Hello」の受け取りを断りました：554 5.7.1（中継の拒否などで許可されていない）");
  CHECK(describe_expectation(expect("send_failed", {{"from", "spammer"}, {"error", ""}, {"status", "4.4.9"}}), "ja") ==
        "spammer からの送信が失敗する（4.4.9）");

  // Every record of the lessons with refusals and deferrals, and their expectations.
  for (const char* lesson : {"scenarios/mail/sending-limits.json", "scenarios/mail/relay-denied.json",
                             "scenarios/mail/host-unknown.json"}) {
    const Scenario s = load(lesson);
    const auto run = run_scenario(s);
    std::size_t with_status = 0;
    for (const auto& r : run.trace.records()) {
      if (r.kind == RecordKind::Packet || r.kind == RecordKind::Protocol) continue;  // the wire's own text
      const std::string ja = describe_record(r, "ja", &s);
      INFO(lesson << ": " << ja);
      CHECK(bracket_depth(ja) <= 1);
      if (!(r.kind == RecordKind::Mail ? r.mail_info().status.str() : r.detail.value("status", std::string())).empty() && bracket_depth(ja) == 1) ++with_status;
    }
    INFO(lesson);
    CHECK(with_status > 0);  // the lesson has refusals or deferrals worded from their status
    for (const auto& e : run.expectations) {
      const std::string ja = describe_expectation(e, "ja", &s);
      INFO(lesson << ": " << ja);
      CHECK(bracket_depth(ja) <= 1);
    }
  }
}
