// The real client's steps in a bridge session, told to the student (the one place that reads
// these records' details for that).
#include "sim/words/student.hpp"

#include "sim/words/rule_names.hpp"

#include <algorithm>
#include <cctype>

namespace mailsim::sim {

namespace {

constexpr WordingTemplate kStudentTemplates[] = {
    {"you.connect", "Your mail program connects to {server}, port {port} ({protocol}).",
     "あなたのメールソフトが {server} の {port}番ポート（{protocol}）に接続します。"},
    {"you.blocked", "{rule} at {network} stops your mail program's connection to {server} port {port}.",
     "{network} の {rule} が、あなたのメールソフトから {server} の {port}番ポートへの接続を止めました。"},
    {"you.blocked.op25b",
     "OP25B at {network} stops your mail program's connection to {server} port 25: from this network, mail "
     "leaves only through your provider's server, on port 587 with a password.",
     "{network} の OP25B が、あなたのメールソフトから {server} の25番ポートへの接続を止めました。このネットワークからは、"
     "プロバイダーのサーバーの587番ポートにパスワードで送るしかありません。"},
    {"you.timeout", "Your mail program's connection to {server} got no answer and timed out.",
     "あなたのメールソフトから {server} への接続は応答がなく、タイムアウトしました。"},
    {"you.refused", "{server} refused your mail program's connection: nothing listens on that port.",
     "{server} があなたのメールソフトの接続を拒否しました。そのポートでは誰も待っていません。"},
    {"you.reset", "The connection between your mail program and {server} was cut (reset).",
     "あなたのメールソフトと {server} の接続が切れました（リセット）。"},
    {"you.tls", "Your mail program and {server} now talk inside a sealed envelope (TLS): nobody on the way can read it.",
     "あなたのメールソフトと {server} の会話が TLS の封筒に入りました。途中の誰にも読めません。"},
    {"you.greet", "Your mail program greets {server} ({verb}) and asks what it can do.",
     "あなたのメールソフトが {server} にあいさつ（{verb}）して、使える機能を尋ねます。"},
    {"you.starttls", "Your mail program asks {server} to seal the conversation ({verb}).",
     "あなたのメールソフトが {server} に会話の封をするよう頼みます（{verb}）。"},
    {"you.auth", "Your mail program logs in to {server} with {protocol} {verb} (the password is hidden).",
     "あなたのメールソフトが {protocol} の {verb} で {server} にログインします（パスワードは伏せてあります）。"},
    {"you.mail_from", "Your mail program gives the sender: {address} (MAIL FROM).",
     "あなたのメールソフトが差出人 {address} を伝えます（MAIL FROM）。"},
    {"you.rcpt", "Your mail program names the recipient: {address} (RCPT TO).",
     "あなたのメールソフトが宛先 {address} を伝えます（RCPT TO）。"},
    {"you.data", "Your mail program hands over the letter itself (DATA).",
     "あなたのメールソフトが手紙の本体を渡します（DATA）。"},
    {"you.count", "Your mail program asks {server} which letters are waiting ({verb}).",
     "あなたのメールソフトが {server} に、届いている手紙を尋ねます（{verb}）。"},
    {"you.fetch", "Your mail program downloads a letter from {server} ({verb}).",
     "あなたのメールソフトが {server} から手紙をダウンロードします（{verb}）。"},
    {"you.delete", "Your mail program marks a letter on {server} for deletion ({verb}).",
     "あなたのメールソフトが {server} の手紙に削除の印を付けます（{verb}）。"},
    {"you.select", "Your mail program opens a mailbox on {server} ({verb}).",
     "あなたのメールソフトが {server} のメールボックスを開きます（{verb}）。"},
    {"you.idle", "Your mail program waits for {server} to tell it about new mail (IDLE).",
     "あなたのメールソフトが、新しいメールの知らせを {server} から待ちます（IDLE）。"},
    {"you.quit", "Your mail program says goodbye to {server} ({verb}).",
     "あなたのメールソフトが {server} に別れを告げます（{verb}）。"},
    {"you.command", "Your mail program sends {server} the command {verb}.",
     "あなたのメールソフトが {server} にコマンド {verb} を送ります。"},
    {"you.logged_in", "Your mail program logged in with {protocol} AUTH: {server} answered \"{line}\".",
     "あなたのメールソフトが {protocol} AUTH でログインしました。{server} の答え：「{line}」"},
    {"you.login_refused", "{server} refused your mail program's login (\"{line}\"): check the user name and password.",
     "{server} があなたのメールソフトのログインを断りました（「{line}」）。ユーザー名とパスワードを確かめましょう。"},
    {"you.tls_first",
     "{server} wants TLS first (\"{line}\"): set your mail program's connection security to STARTTLS.",
     "{server} は先に TLS を求めています（「{line}」）。メールソフトの接続の保護を STARTTLS にしましょう。"},
    {"you.auth_first",
     "{server} wants your mail program to log in first (\"{line}\"): turn on SMTP authentication (normal password).",
     "{server} は先にログインするよう求めています（「{line}」）。SMTP 認証（通常のパスワード）をオンにしましょう。"},
    {"you.accepted", "{server} took your letter: \"{line}\".", "{server} があなたの手紙を受け取りました：「{line}」"},
    {"you.refused_reply", "{server} said no to your mail program: \"{line}\".",
     "{server} があなたのメールソフトに断りの返事をしました：「{line}」"},
    {"you.letter", "Your letter: {what}", "あなたの手紙：{what}"},
    {"you.cut.bridge_flood", "The bridge cut off your mail program: it sent a line far too long.",
     "ブリッジがあなたのメールソフトを切断しました。長すぎる行を送ったためです。"},
    {"you.cut.bridge_volume", "The bridge cut off your mail program: it sent too much data on one connection.",
     "ブリッジがあなたのメールソフトを切断しました。一つの接続で送ったデータが多すぎます。"},
    {"you.cut.bridge_idle", "The bridge cut off your mail program: it said nothing for too long.",
     "ブリッジがあなたのメールソフトを切断しました。長い間何も送らなかったためです。"},
    {"you.cut.bridge_unread", "The bridge cut off your mail program: it did not read the server's answers.",
     "ブリッジがあなたのメールソフトを切断しました。サーバーの返事を読まなかったためです。"},
    {"you.cut.bridge_busy", "The bridge turned your mail program away: too many connections at once.",
     "ブリッジがあなたのメールソフトの接続を断りました。同時に開いた接続が多すぎます。"},
};

std::string fill(std::string_view tmpl, std::initializer_list<std::pair<std::string_view, std::string>> values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      const auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        const auto name = tmpl.substr(i + 1, close - i - 1);
        const auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string say(std::string_view lang, std::string_view key,
                std::initializer_list<std::pair<std::string_view, std::string>> values = {}) {
  for (const auto& t : kStudentTemplates)
    if (t.key == key) return fill(lang == "ja" ? t.ja : t.en, values);
  return std::string(key);
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string text_of(const Record& r, const char* key) {
  const auto& d = r.detail;
  if (!d.is_object()) return {};
  auto it = d.find(key);
  if (it == d.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int code_of(const Record& r) { return r.proto_info().has_code ? r.proto_info().code : 0; }

// A protocol record's line (a command or reply as it was sent).
std::string line_of(const Record& r) { return std::string(r.proto_info().line()); }

std::string queued_as(const std::string& line) {
  const auto at = line.find("queued as ");
  if (at == std::string::npos) return {};
  std::string id = line.substr(at + 10);
  const auto end = id.find_first_of(" \r\n");
  return end == std::string::npos ? id : id.substr(0, end);
}

// The words of a command line: the verb (after an IMAP tag) and its argument.
std::pair<std::string, std::string> verb_and_argument(const Record& r) {
  std::string line = line_of(r);
  if (r.protocol == "imap") {
    const auto sp = line.find(' ');
    line = sp == std::string::npos ? std::string() : line.substr(sp + 1);
  }
  const auto sp = line.find(' ');
  return {upper(line.substr(0, sp)), sp == std::string::npos ? std::string() : line.substr(sp + 1)};
}

std::string address_in(const std::string& arg) {
  const auto open = arg.find('<');
  const auto close = arg.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return arg;
  return arg.substr(open + 1, close - open - 1);
}

std::string proto_name(const std::string& p) { return upper(p); }

// A host named for people; a bridge_connect names its server by address.
std::string server_name(const Scenario* s, const std::string& id_or_ip, std::string_view lang) {
  if (s)
    for (const auto& h : s->hosts)
      if (h.info.ip.str() == id_or_ip) return host_label(s, h.info.id, lang);
  return host_label(s, id_or_ip, lang);
}

bool student_command(const Record& r, const std::string& device) {
  return r.is(ProtoEvent::Command) && r.host == device;
}

bool student_reply(const Record& r, const std::string& device) {
  return r.is(ProtoEvent::Reply) && r.peer == device;
}

}  // namespace

std::span<const WordingTemplate> student_templates() { return kStudentTemplates; }

StudentStory::StudentStory(const Trace& trace, std::string device) : device_(std::move(device)) {
  for (const auto& r : trace.records())
    if (student_reply(r, device_))
      if (auto id = queued_as(line_of(r)); !id.empty()) queue_ids_.insert(id);
  for (bool grew = !queue_ids_.empty(); grew;) {  // relays: the next server's queue id
    grew = false;
    for (const auto& r : trace.records()) {
      if (r.kind != RecordKind::Mail || !queue_ids_.count(r.mail_info().queue_id.str())) continue;
      if (auto id = queued_as(text_of(r, "reply")); !id.empty() && queue_ids_.insert(id).second) grew = true;
    }
  }
  const auto& recs = trace.records();
  for (std::size_t i = 0; i < recs.size(); ++i)
    if (words(recs[i], "en")) steps_.push_back(i);
}

std::optional<std::size_t> StudentStory::step_at(std::optional<std::size_t> current) const {
  if (!current) return std::nullopt;
  const auto it = std::upper_bound(steps_.begin(), steps_.end(), *current);
  if (it == steps_.begin()) return std::nullopt;
  return *(it - 1);
}

std::optional<std::string> StudentStory::words(const Record& r, std::string_view lang, const Scenario* s) const {
  if (device_.empty()) return std::nullopt;
  const auto server = [&](const std::string& id) { return server_name(s, id, lang); };
  using K = RecordKind;
  if (r.kind == K::Action && r.host == device_ && r.event == "bridge_connect") {
    const std::string to = text_of(r, "to");
    const auto colon = to.rfind(':');
    return say(lang, "you.connect", {{"server", server(to.substr(0, colon))},
                                     {"port", colon == std::string::npos ? std::string() : to.substr(colon + 1)},
                                     {"protocol", proto_name(text_of(r, "protocol"))}});
  }
  if (r.kind == K::Policy && r.host == device_ && (r.event == "drop" || r.event == "reject")) {
    const std::string rule = text_of(r, "rule");
    std::string network = text_of(r, "network");
    if (s)
      for (const auto& n : s->networks)
        if (n.id == network) network = lang == "ja" && !n.name_ja.empty() ? n.name_ja : !n.name.empty() ? n.name : n.id;
    const std::string port = text_of(r, "dst_port");
    // Judged from the scenario's rule (what it does), never from its id, as the reports and the
    // map name it.
    bool op25b = false;
    if (s)
      for (const auto& n : s->networks)
        for (const auto& p : n.policies)
          if (p.id == rule && port == "25") op25b = is_op25b_rule(p);
    return say(lang, op25b ? "you.blocked.op25b" : "you.blocked",
               {{"rule", rule_name(s, rule, lang)}, {"network", network}, {"server", server(r.peer)}, {"port", port}});
  }
  if (r.kind == K::Connection && r.host == device_ && (r.event == "timeout" || r.event == "refused" || r.event == "reset"))
    return say(lang, "you." + r.event, {{"server", server(r.peer)}});
  if (r.kind == K::Tls && r.host == device_ && r.event == "established")
    return say(lang, "you.tls", {{"server", server(r.peer)}});
  if (r.kind == K::Note && r.host == device_ && r.event.rfind("bridge_", 0) == 0) {
    const std::string key = "you.cut." + r.event;
    for (const auto& t : kStudentTemplates)
      if (t.key == key) return say(lang, key);
    return std::nullopt;
  }
  if (r.kind == K::Mail && queue_ids_.count(r.mail_info().queue_id.str()))
    return say(lang, "you.letter", {{"what", describe_record(r, lang, s)}});
  if (student_command(r, device_)) {
    const auto [verb, arg] = verb_and_argument(r);
    const std::string srv = server(r.peer);
    if (verb.empty()) return std::nullopt;  // a SASL response (masked) or an empty line
    if (verb == "EHLO" || verb == "HELO" || verb == "CAPA" || verb == "CAPABILITY")
      return say(lang, "you.greet", {{"server", srv}, {"verb", verb}});
    if (verb == "STARTTLS" || verb == "STLS") return say(lang, "you.starttls", {{"server", srv}, {"verb", verb}});
    if (verb == "AUTH" || verb == "AUTHENTICATE" || verb == "LOGIN" || verb == "USER") {
      const std::string mech = verb == "AUTH" || verb == "AUTHENTICATE" ? verb + " " + upper(arg.substr(0, arg.find(' '))) : verb;
      return say(lang, "you.auth", {{"server", srv}, {"protocol", proto_name(r.protocol)}, {"verb", mech}});
    }
    if (verb == "PASS") return std::nullopt;  // the second half of USER
    if (r.protocol == "smtp") {
      if (verb == "MAIL") return say(lang, "you.mail_from", {{"address", address_in(arg)}});
      if (verb == "RCPT") return say(lang, "you.rcpt", {{"address", address_in(arg)}});
      if (verb == "DATA") return say(lang, "you.data");
    }
    if (verb == "STAT" || verb == "LIST" || verb == "UIDL" || verb == "SEARCH" || verb == "STATUS")
      return say(lang, "you.count", {{"server", srv}, {"verb", verb}});
    if (verb == "RETR" || verb == "TOP" || verb == "FETCH" || (verb == "UID" && upper(arg).rfind("FETCH", 0) == 0))
      return say(lang, "you.fetch", {{"server", srv}, {"verb", verb == "UID" ? "UID FETCH" : verb}});
    if (verb == "DELE" || verb == "EXPUNGE" || (verb == "STORE" && arg.find("Deleted") != std::string::npos))
      return say(lang, "you.delete", {{"server", srv}, {"verb", verb}});
    if (verb == "SELECT" || verb == "EXAMINE") return say(lang, "you.select", {{"server", srv}, {"verb", verb}});
    if (verb == "IDLE") return say(lang, "you.idle", {{"server", srv}});
    if (verb == "QUIT" || verb == "LOGOUT") return say(lang, "you.quit", {{"server", srv}, {"verb", verb}});
    return say(lang, "you.command", {{"server", srv}, {"verb", verb.substr(0, 20)}});
  }
  if (student_reply(r, device_)) {
    const std::string line = line_of(r);
    const std::string srv = server(r.host);
    const int code = code_of(r);
    if (r.protocol == "smtp") {
      if (line.size() > 3 && line[3] == '-') return std::nullopt;  // the last line of a reply tells
      if (code == 235) return say(lang, "you.logged_in", {{"protocol", "SMTP"}, {"server", srv}, {"line", line}});
      if (code == 535) return say(lang, "you.login_refused", {{"server", srv}, {"line", line}});
      if (code == 530 && line.find("STARTTLS") != std::string::npos)
        return say(lang, "you.tls_first", {{"server", srv}, {"line", line}});
      if (code == 530) return say(lang, "you.auth_first", {{"server", srv}, {"line", line}});
      if (code == 250 && !queued_as(line).empty()) return say(lang, "you.accepted", {{"server", srv}, {"line", line}});
      if (code >= 400) return say(lang, "you.refused_reply", {{"server", srv}, {"line", line}});
      return std::nullopt;
    }
    const std::string status = r.proto_info().status.str();
    if (status == "-ERR" || status == "NO" || status == "BAD") {
      if (line.find("PRIVACYREQUIRED") != std::string::npos || line.find("STLS") != std::string::npos)
        return say(lang, "you.tls_first", {{"server", srv}, {"line", line}});
      if (line.find("[AUTH]") != std::string::npos || line.find("AUTHENTICATIONFAILED") != std::string::npos)
        return say(lang, "you.login_refused", {{"server", srv}, {"line", line}});
      return say(lang, "you.refused_reply", {{"server", srv}, {"line", line}});
    }
  }
  return std::nullopt;
}

}  // namespace mailsim::sim
