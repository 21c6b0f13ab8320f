// Challenge mode: questions generated from a run's story steps, graded answers, the CSV.
#include "sim/words/quiz.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/words/describe.hpp"
#include "sim/words/narration.hpp"
#include "sim/core/random.hpp"

namespace mailsim::sim {

namespace {

std::string title_of(const std::string& key, std::string_view lang) {
  if (key.empty()) return {};
  const auto t = analogy_tables().lookup(key, lang);
  return t ? t->title : std::string();
}

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Whether `m` happens among `records` after the record `after` and up to the record `until` (none:
// from the start, to the end), counting its nth.
bool happens(const NarrationMoment& m, const RecordStore& records, std::optional<std::uint64_t> after,
             std::optional<std::uint64_t> until) {
  int seen = 0;
  for (const auto& r : records) {
    if ((after && r.seq <= *after) || (until && r.seq > *until)) continue;
    if (m.matches(r) && ++seen >= m.nth) return true;
  }
  return false;
}

// A question the lesson wrote, in `lang`, its choices shuffled by the seed; none when its
// moments do not pick exactly one right choice in this run. The moments are looked for after the
// record `after` (the step before) up to `until` (the step asked about); none: the whole run.
std::optional<QuizQuestion> authored_question(const Scenario& s, const AuthoredQuestion& a, const RecordStore& records,
                                              std::optional<std::uint64_t> after, std::optional<std::uint64_t> until, std::string_view lang, std::uint64_t seed,
                                              std::size_t index) {
  const bool ja = lang == "ja";
  std::optional<std::size_t> right = a.answer;
  if (!right) {
    for (std::size_t k = 0; k < a.choices.size(); ++k) {
      if (!a.choices[k].when || !happens(*a.choices[k].when, records, after, until)) continue;
      if (right) return std::nullopt;  // two choices happened: the question does not fit this run
      right = k;
    }
    if (!right) return std::nullopt;
  }
  QuizQuestion q;
  q.kind = "authored";
  q.authored = true;
  q.prompt = a.prompt.in(lang);
  if (a.before_step) {
    q.step = *a.before_step;
    q.explanation = a.explain.en.empty() ? s.narration[*a.before_step].text(lang) : a.explain.in(lang);
  } else {
    q.at_end = true;
    q.context = ja ? "先生からの質問" : "Your teacher asks";
    q.explanation = a.explain.en.empty() ? a.choices[*right].text.in(lang) : a.explain.in(lang);
  }
  std::vector<std::size_t> order(a.choices.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  Random rnd(seed ^ (0xA0761D6478BD642Full * (index + 1)));
  for (std::size_t k = order.size() - 1; k > 0; --k) std::swap(order[k], order[static_cast<std::size_t>(rnd.below(k + 1))]);
  for (std::size_t k = 0; k < order.size(); ++k) {
    q.options.push_back(a.choices[order[k]].text.in(lang));
    if (order[k] == *right) q.answer = k;
  }
  return q;
}

}  // namespace

std::uint64_t student_seed(std::string_view student) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : student) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::vector<QuizQuestion> make_quiz(const Scenario& s, const RunResult& run, std::string_view lang,
                                    std::uint64_t seed) {
  return make_quiz(s, run.narration, run.trace.records(), lang, seed);
}

std::vector<QuizQuestion> make_quiz(const Scenario& s, const std::vector<NarrationMatch>& narration,
                                    const RecordStore& records, std::string_view lang, std::uint64_t seed) {
  std::vector<QuizQuestion> out;
  const auto& steps = s.narration;
  const bool ja = lang == "ja";
  // The distractors' pool: every situation with a title, the lesson's own first (they look
  // plausible), then the rest of the tables, in a fixed order.
  std::vector<std::string> pool;
  std::set<std::string> seen_titles;
  auto add = [&](const std::string& key) {
    const std::string t = title_of(key, lang);
    if (!t.empty() && seen_titles.insert(t).second) pool.push_back(key);
  };
  for (const auto& st : steps) add(st.analogy);
  const std::size_t own = pool.size();
  for (const auto& k : analogy_tables().keys()) add(k);

  // The reached steps in story order.
  std::vector<std::size_t> reached;
  for (std::size_t k = 0; k < steps.size() && k < narration.size(); ++k)
    if (narration[k].reached) reached.push_back(k);
  for (std::size_t n = 1; n < reached.size(); ++n) {
    const auto& before = steps[reached[n - 1]];
    const auto& step = steps[reached[n]];
    // The lesson's own question for this step, when it wrote one.
    const auto own_q = std::find_if(s.questions.begin(), s.questions.end(),
                                    [&](const AuthoredQuestion& a) { return a.before_step == reached[n]; });
    if (own_q != s.questions.end()) {
      const auto index = static_cast<std::size_t>(own_q - s.questions.begin());
      if (auto q = authored_question(s, *own_q, records, narration[reached[n - 1]].seq, narration[reached[n]].seq, lang,
                                        seed, index)) {
        q->context = before.text(lang);
        out.push_back(std::move(*q));
        continue;
      }
      // Its moments do not pick one choice in this run (a changed lesson): the generated one instead.
    }
    const std::string right = title_of(step.analogy, lang);
    if (right.empty()) continue;
    Random rnd(seed ^ (0x9E3779B97F4A7C15ull * (reached[n] + 1)));
    QuizQuestion q;
    q.kind = "next_step";
    q.step = reached[n];
    q.context = before.text(lang);
    q.prompt = ja ? "次に何が起きるでしょう？" : "What happens next?";
    q.explanation = step.text(lang);
    // Three distractors: two from the lesson's own situations when it has them, the rest from all.
    std::vector<std::string> options{right};
    auto pick_from = [&](std::size_t from, std::size_t to, std::size_t want) {
      std::vector<std::string> c;
      for (std::size_t k = from; k < to; ++k) {
        const std::string t = title_of(pool[k], lang);
        if (std::find(options.begin(), options.end(), t) == options.end()) c.push_back(t);
      }
      while (want-- > 0 && !c.empty()) {
        const auto at = static_cast<std::size_t>(rnd.below(c.size()));
        options.push_back(c[at]);
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(at));
      }
    };
    pick_from(0, own, 2);
    pick_from(0, pool.size(), 4 - options.size());
    if (options.size() < 3) continue;
    // Shuffle (Fisher-Yates with the seeded source) and remember where the right one went.
    for (std::size_t k = options.size() - 1; k > 0; --k) {
      const auto j = static_cast<std::size_t>(rnd.below(k + 1));
      std::swap(options[k], options[j]);
    }
    q.answer = static_cast<std::size_t>(std::find(options.begin(), options.end(), right) - options.begin());
    q.options = std::move(options);
    out.push_back(std::move(q));
  }
  return out;
}

namespace {

constexpr DetectiveReason kReasons[] = {
    {"user_unknown", "There is no such user at that address (5.1.1)", "その宛先のユーザーがいない（5.1.1）"},
    {"domain_unknown", "The domain does not exist (DNS said NXDOMAIN)", "宛先のドメインが存在しない（DNSの答えはNXDOMAIN）"},
    {"mailbox_full", "The recipient's mailbox is full (5.2.2)", "受信者のメールボックスが満杯（5.2.2）"},
    {"too_large", "The message is larger than the server accepts (5.3.4)", "メールがサーバーの受け付ける大きさを超えている（5.3.4）"},
    {"relay_denied", "It does not pass on mail for strangers (relay denied, 5.7.1)", "部外者のメールは中継しない（中継拒否、5.7.1）"},
    {"auth_failed", "The password was wrong (5.7.8)", "パスワードが違う（5.7.8）"},
    {"auth_required", "The sender did not log in first (5.7.0)", "送信者が先にログインしていない（5.7.0）"},
    {"loop", "The mail went round in a loop (5.4.6)", "メールが同じところを回り続けた（5.4.6）"},
    {"rate_limit", "Too many messages too fast: try again later (4.7.1)", "短い時間に送りすぎ。あとでもう一度（4.7.1）"},
    {"blocked_port", "Connections to port 25 may not leave this network (OP25B)", "このネットワークから外の25番ポートへは接続できない（OP25B）"},
    {"server_down", "The server is switched off: nobody answers", "サーバーの電源が切れていて、だれも応答しない"},
};

const DetectiveReason* reason_of(std::string_view key) {
  for (const auto& r : kReasons)
    if (r.key == key) return &r;
  return nullptr;
}

// The reason an SMTP reply gives, from its code and enhanced status (empty: not a refusal the
// detective asks about, e.g. 503 "bad sequence of commands").
std::string smtp_reason(int code, std::string_view status) {
  if (status.rfind("4.7.", 0) == 0 && code >= 400 && code < 500) return "rate_limit";
  if (code < 500) return {};
  if (status.rfind("5.1.", 0) == 0 && status != "5.1.2") return "user_unknown";
  if (status == "5.1.2") return "domain_unknown";
  if (status == "5.2.2") return "mailbox_full";
  if (status == "5.3.4" || status == "5.2.3") return "too_large";
  if (status == "5.4.6") return "loop";
  if (status == "5.7.8" || code == 535) return "auth_failed";
  if (status == "5.7.0" || code == 530) return "auth_required";
  if (status == "5.7.1") return "relay_denied";
  return {};
}

std::string network_label(const Scenario& s, const std::string& id, std::string_view lang) {
  for (const auto& n : s.networks)
    if (n.id == id) return lang == "ja" && !n.name_ja.empty() ? n.name_ja : (n.name.empty() ? id : n.name);
  return id;
}

}  // namespace

std::span<const DetectiveReason> detective_reasons() { return kReasons; }

// The one place that reads records' `detail` for the detective.
std::vector<Refusal> find_refusals(const Scenario& s, const RecordStore& records, std::string_view lang) {
  std::vector<Refusal> out;
  std::set<std::pair<std::string, std::string>> seen;
  std::set<std::uint64_t> blocked_conns;  // connections a network rule dropped (their timeout is not "down")
  auto add = [&](Refusal r) {
    if (seen.insert({r.who, r.reason}).second) out.push_back(std::move(r));
  };
  auto text = [&](std::string_view key, const nlohmann::json& d) -> std::string {
    const auto it = d.find(key);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& r : records) {
    const auto& d = r.detail;
    if (r.is(ProtoEvent::Reply) && r.protocol.str() == "smtp") {
      const auto& p = r.proto_info();
      if (!p.has_code) continue;
      const std::string why = smtp_reason(p.code, p.status.str());
      if (why.empty()) continue;
      // The reply as the server sent it (quoted: the wire's own words, in either language).
      const std::string line(p.line());
      add({r.host.str(), false, why,
           lang == "ja" ? "返ってきた答え：「" + line + "」" : "The reply that came back: \"" + line + "\"", r.seq});
    } else if (r.is(MailEvent::Bounced) && !r.mail_info().has(MailInfo::kCode)) {
      // Given up with no server's reply: the name did not resolve, or the MX is the sender itself.
      const std::string status = r.mail_info().status.str();
      const std::string why = status == "5.4.6" ? "loop" : "domain_unknown";
      add({r.host.str(), false, why, describe_record(r, lang, &s), r.seq});
    } else if (r.kind == RecordKind::Policy && (r.event.str() == "drop" || r.event.str() == "reject")) {
      blocked_conns.insert(r.conn);
      const std::string net = text("network", d);
      if (!net.empty()) add({net, true, "blocked_port", describe_record(r, lang, &s), r.seq});
    } else if (r.kind == RecordKind::Connection && (r.event.str() == "timeout" || r.event.str() == "refused") &&
               !r.peer.empty() && !blocked_conns.count(r.conn)) {
      add({r.peer.str(), false, "server_down", describe_record(r, lang, &s), r.seq});
    }
  }
  return out;
}

std::vector<QuizQuestion> make_detective(const Scenario& s, const RecordStore& records, std::string_view lang,
                                         std::uint64_t seed) {
  const bool ja = lang == "ja";
  std::vector<QuizQuestion> out;
  auto refusals = find_refusals(s, records, lang);
  if (refusals.size() > kMaxDetectiveCases) refusals.resize(kMaxDetectiveCases);
  // Who could it have been: the servers, gateways and networks with a rule, in the scenario's order.
  struct Suspect {
    std::string id;
    std::string label;
  };
  std::vector<Suspect> suspects;
  std::set<std::string> labels;
  auto suspect = [&](const std::string& id, const std::string& label) {
    if (labels.insert(label).second) suspects.push_back({id, label});
  };
  for (const auto& h : s.hosts)
    if (h.mail_server || h.dns_server || h.info.kind == "gateway") suspect(h.info.id, host_label(&s, h.info.id, lang));
  for (const auto& n : s.networks)
    if (!n.policies.empty()) suspect(n.id, network_label(s, n.id, lang));

  // Options: the true one, then up to three others picked by the seed, shuffled.
  auto options = [](Random& rnd, const std::string& right, std::vector<std::string> others,
                    std::vector<std::string>& opts) {
    opts = {right};
    others.erase(std::remove(others.begin(), others.end(), right), others.end());
    while (opts.size() < 4 && !others.empty()) {
      const auto at = static_cast<std::size_t>(rnd.below(others.size()));
      opts.push_back(others[at]);
      others.erase(others.begin() + static_cast<std::ptrdiff_t>(at));
    }
    for (std::size_t k = opts.size() - 1; k > 0; --k) std::swap(opts[k], opts[static_cast<std::size_t>(rnd.below(k + 1))]);
    return static_cast<std::size_t>(std::find(opts.begin(), opts.end(), right) - opts.begin());
  };
  for (std::size_t n = 0; n < refusals.size(); ++n) {
    const auto& f = refusals[n];
    const std::string who = f.network ? network_label(s, f.who, lang) : host_label(&s, f.who, lang);
    const auto* why = reason_of(f.reason);
    const std::string because(ja ? why->ja : why->en);
    Random rnd(seed ^ (0xD1B54A32D192ED03ull * (n + 1)));
    const std::string evidence = (ja ? "手がかり：" : "Evidence: ") + f.evidence;
    const std::string answer_text =
        ja ? fmt::format("止めたのは{}。理由：{}。", who, because) : fmt::format("{} stopped it: {}.", who, because);

    QuizQuestion q;
    q.kind = "who";
    q.context = evidence;
    q.prompt = ja ? "このメールを止めたのはどのサーバー（またはネットワーク）でしょう？"
                  : "Which server (or network) stopped this mail?";
    q.explanation = answer_text;
    if (!labels.count(who)) suspects.push_back({f.who, who}), labels.insert(who);
    std::vector<std::string> names;
    for (const auto& x : suspects) names.push_back(x.label);
    q.answer = options(rnd, who, names, q.options);
    for (const auto& o : q.options) {
      std::string id;
      for (const auto& x : suspects)
        if (x.label == o) id = x.id;
      q.option_hosts.push_back(id);
    }
    if (q.options.size() < 3) continue;  // a world with too few servers to ask about
    out.push_back(q);

    QuizQuestion w;
    w.kind = "why";
    w.context = evidence;
    w.prompt = ja ? fmt::format("{}はなぜ止めたのでしょう？", who) : fmt::format("Why did {} stop it?", who);
    w.explanation = answer_text;
    std::vector<std::string> reasons;
    for (const auto& r : kReasons) reasons.emplace_back(ja ? r.ja : r.en);
    w.answer = options(rnd, because, reasons, w.options);
    out.push_back(std::move(w));
  }
  // The lesson's own questions about the end.
  for (std::size_t k = 0; k < s.questions.size(); ++k) {
    if (s.questions[k].before_step) continue;
    if (auto q = authored_question(s, s.questions[k], records, std::nullopt, std::nullopt, lang, seed, k)) out.push_back(std::move(*q));
  }
  return out;
}

std::string quiz_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                     const std::vector<QuizQuestion>& questions, const std::vector<QuizResult>& results) {
  std::string out = "student,lesson,seed,question,kind,step,chosen,answer,correct\n";
  std::size_t right = 0;
  for (const auto& r : results) {
    if (r.question >= questions.size()) continue;
    const auto& q = questions[r.question];
    if (r.correct) ++right;
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(student), csv_field(lesson), seed, r.question + 1,
                       q.kind, q.kind == "next_step" || (q.authored && !q.at_end) ? std::to_string(q.step + 1) : std::string(), r.chosen + 1,
                       q.answer + 1, r.correct ? "yes" : "no");
  }
  const std::size_t total = questions.size();
  out += fmt::format("{},{},{},score,,,{},{},{}%\n", csv_field(student), csv_field(lesson), seed, right, total,
                     total == 0 ? 0 : right * 100 / total);
  return out;
}

std::string fix_csv(std::string_view student, std::string_view lesson, std::uint64_t seed,
                    const std::vector<FixTryResult>& tries) {
  std::string out = "student,lesson,seed,question,kind,step,chosen,answer,correct\n";
  for (const auto& t : tries)
    out += fmt::format("{},{},{},{},fix,,{},{}/{},{}\n", csv_field(student), csv_field(lesson), seed, t.number,
                       csv_field(t.changes), t.passed, t.total, t.total > 0 && t.passed == t.total ? "yes" : "no");
  const std::size_t passed = tries.empty() ? 0 : tries.back().passed;
  const std::size_t total = tries.empty() ? 0 : tries.back().total;
  out += fmt::format("{},{},{},score,fix,{},{},{},{}%\n", csv_field(student), csv_field(lesson), seed, tries.size(),
                     passed, total, total == 0 ? 0 : passed * 100 / total);
  return out;
}

}  // namespace mailsim::sim
