// Words for people about trace records and expectation results, in English or Japanese.
#pragma once
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/trace.hpp"
#include "sim/words/rule_names.hpp"  // rule_name: a border rule named from what it does

namespace mailsim::sim {

// A host's name for people in `lang` ("ja": its Japanese display name, else its display
// name), or the id itself when the scenario is null or does not know the host.
std::string host_label(const Scenario* s, const std::string& id, std::string_view lang);


// A record in words for people, in `lang` ("ja": Japanese; anything else: English), worded
// from its `event` and `detail` (docs/trace.md) with one template per (kind, event) in both
// languages (wording_templates): mail, mailbox, dns, connection, policy, tls, action and the
// notes/state changes of protocol sessions. Hosts are named with host_label and durations
// with format_duration ("next try in 4 min"). In Japanese a server's reply whose status the
// lessons use is told by its code and meaning ("552 5.2.2（メールボックスが満杯）") rather
// than the server's English text.
// Falls back to the simulator's own `summary` for protocol lines ("C: ...", "S: ..."),
// packets and anything not covered (a record written by a newer simulator, a scenario's own
// label) and, in English, whenever `s` is null (the summary names hosts by id, for testers).
std::string describe_record(const Record& r, std::string_view lang, const Scenario* s = nullptr);

// True when describe_record has its own wording of `r` in `lang` (false: it returns the
// summary). In English that wording needs a scenario.
bool has_own_wording(const Record& r, std::string_view lang);

// A duration for people, rounded to its two largest units: "0 s", "250 ms", "1.5 s", "59 s",
// "4 min", "4 min 30 s", "1 h 5 min", "2 d 3 h"; "ja": "4分", "30秒", "1時間5分", "250ミリ秒".
// (format_time in sim/checker.hpp gives exact values for testers: "4m 00.000s".)
std::string format_duration(Time t, std::string_view lang);
// A moment of the run in a language's units: format_time's "1m 02.288s", in Japanese
// "1分02.288秒" (no English units in Japanese text; the report and the app say the same).
std::string format_moment(Time t, std::string_view lang);

// One template of describe_record: `key` names a sentence or a piece of one; `en` and `ja`
// use the same {placeholders}.
struct WordingTemplate {
  std::string_view key;
  std::string_view en;
  std::string_view ja;
};
std::span<const WordingTemplate> wording_templates();

// One template of wording_templates() filled in with `values` (every {placeholder} it names), in
// `lang` (English by default). For writers that keep an English summary in their records (the
// device's sender, sim/apps/mail/mua_send.cpp), so that each sentence is written once, here.
std::string wording(std::string_view key, std::initializer_list<std::pair<std::string_view, std::string>> values,
                    std::string_view lang = "en");

// What an expectation expects, in `lang`. "en": `e.description` unchanged. "ja": worded
// from `e.kind` and `e.params`:
//   connection   from, to (host ids), port, result ("established", "refused", "timeout")
//   blocked      policy, from (may be ""), port (0: any)
//   dns          host (may be ""), name, qtype, outcome, answer_contains (may be "")
//   delivered    to, folder, subject (may be "")
//   bounced      from, recipient, status (may be "")
//   deferred     to, status
//   send_failed  from (host id), error, status
//   wire         text, visible (bool), network (may be "")
//   mailbox      address, folder, server, count and/or bytes (numbers, each optional)
//   seen         on (host id), subject, present (bool), seen (bool, optional)
// An unknown kind falls back to the English description.
std::string describe_expectation(const ExpectationResult& e, std::string_view lang, const Scenario* s = nullptr);

// What happened (the evidence, or what happened instead), in `lang`. "en": `e.actual`
// unchanged. "ja": worded from `e.outcome`, `e.outcome_params` and the records `e.records`
// cites, looked up in `trace` and worded with describe_record:
//   evidence            the record that satisfied the expectation
//   instead             the records of the same kind that happened instead
//   connection.instead  the connection records (their event and time)
//   connection.none     from, to, port
//   blocked.other       policy, count            blocked.none
//   dns.none            mail.none
//   wire.seen / wire.in_clear (one packet record)  wire.never / wire.not_seen
//   mailbox.state       folder, count, bytes, refused, last_reason (+ the last refusal record)
//   seen.absent / seen.still / seen.state  on, subject (+ seen)
//   seen.nothing        on          seen.others  on, subject, shown (subjects)
// Without a trace, or for an unknown outcome, the English text is returned.
std::string describe_outcome(const ExpectationResult& e, std::string_view lang, const Trace* trace,
                             const Scenario* s = nullptr);

// An enhanced status code (RFC 3463) explained in Japanese: "5.1.1" -> "宛先のユーザーが存在しない";
// "" when the code is not one the lessons use.
std::string status_meaning_ja(std::string_view status);

}  // namespace mailsim::sim
