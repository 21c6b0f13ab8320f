// The run budget and the likely cause of a runaway run, counted from its trace.
#include "sim/scenario/budget.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/checker.hpp"

namespace mailsim::sim {
namespace {

// Thresholds that make a pattern "the" cause rather than a coincidence.
constexpr std::uint64_t kLoopRelays = 10;         // one message relayed this often
constexpr std::uint64_t kStormRetries = 50;       // one queue entry deferred this often
constexpr std::uint64_t kLargeConnection = 16ULL << 20;  // bytes carried by one connection
constexpr double kOneHostShare = 0.8;             // share of all packets sent by one host

std::string count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string megabytes(std::uint64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / (1 << 20)); }

std::string interval(Time t) {
  if (t < kMilli) return fmt::format("{} µs", t);
  if (t < kSecond) return fmt::format("{} ms", t / kMilli);
  return format_time(t);
}

template <class Map>
auto top_of(const Map& m) {
  auto best = m.begin();
  for (auto it = m.begin(); it != m.end(); ++it)
    if (it->second > best->second || (it->second == best->second && it->first < best->first)) best = it;
  return best;
}

}  // namespace

std::string format_span(Time t) {
  constexpr Time kDay = 24 * kHour;
  if (t > 0 && t % kDay == 0) return fmt::format("{}d", t / kDay);
  if (t > 0 && t % kHour == 0) return fmt::format("{}h", t / kHour);
  if (t > 0 && t % kMinute == 0) return fmt::format("{}m", t / kMinute);
  if (t > 0 && t % kSecond == 0) return fmt::format("{}s", t / kSecond);
  return format_time(t);
}

std::string_view to_string(BudgetKind kind) {
  switch (kind) {
    case BudgetKind::Events: return "events";
    case BudgetKind::Records: return "records";
    case BudgetKind::VirtualTime: return "time";
    case BudgetKind::TraceMemory: return "trace_memory";
  }
  return "events";
}

RunawayCause likely_cause(const Trace& trace) {
  RunawayTally tally;
  for (const auto& r : trace.records()) tally.add(r);
  return tally.cause();
}

void RunawayTally::add(const Record& r) {
  ++records_;
  ++kinds_[{static_cast<int>(r.kind), r.event.c_str(), r.host.c_str()}];
  if (r.kind == RecordKind::Packet) {
    ++packets_;
    ++packets_by_host_[r.host.c_str()];
    if (r.conn != 0 && r.packet) bytes_by_conn_[r.conn] += r.packet->bytes.size();
  } else if (r.is(MailEvent::Relayed)) {
    Relays& rl = relays_[r.mail_info().message_id.c_str()];
    ++rl.n;
    rl.subject = std::string(r.mail_info().subject);
    auto it = std::find_if(rl.hosts.begin(), rl.hosts.end(), [&](const auto& h) { return h.first == r.host.c_str(); });
    if (it == rl.hosts.end()) rl.hosts.emplace_back(r.host.c_str(), 1);
    else ++it->second;
  } else if (r.is(MailEvent::Deferred)) {
    Retries& rt = retries_[{r.host.c_str(), r.mail_info().queue_id.c_str()}];
    ++rt.n;
    rt.gap = (r.mail_info().has(MailInfo::kRetryAt) ? r.mail_info().retry_at : r.time) - r.time;
  }
}

RunawayCause RunawayTally::cause() const {
  // The counts by text, so that ties go to the first name in byte order.
  std::map<std::string, std::uint64_t> relays;                           // message id -> relays
  for (const auto& [id, rl] : relays_) relays[id] = rl.n;
  std::map<std::pair<std::string, std::string>, std::uint64_t> retries;  // (host, queue id) -> deferrals
  for (const auto& [key, rt] : retries_) retries[{key.first, key.second}] = rt.n;
  RunawayCause c;
  if (!relays.empty()) {
    const auto [id, n] = *top_of(relays);
    if (n >= kLoopRelays) {
      const Relays& rl = relays_.at(Name(id).c_str());
      const std::string& subject = rl.subject;
      std::vector<std::pair<std::uint64_t, std::string>> order;
      for (const auto& [h, k] : rl.hosts) order.emplace_back(k, h);
      std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      const std::string between = order.size() >= 2 ? order[0].second + " and " + order[1].second : order[0].second;
      const std::string between_ja = order.size() >= 2 ? order[0].second + " と " + order[1].second : order[0].second;
      c.code = "loop";
      c.params = {{"message_id", id}, {"subject", subject}, {"relays", n}, {"hosts", nlohmann::json::array()}};
      for (const auto& o : order) c.params["hosts"].push_back(o.second);
      c.en = fmt::format("the same message (\"{}\") was relayed {} times {} {}: a mail loop?", subject, count(n),
                         order.size() >= 2 ? "between" : "by", between);
      c.ja = fmt::format("同じメール（「{}」）が {} の間で {} 回中継されました。メールのループでは？", subject, between_ja,
                         count(n));
      return c;
    }
  }
  if (!retries.empty()) {
    const auto [key, n] = *top_of(retries);
    if (n >= kStormRetries) {
      const Time gap = retries_.at({Name(key.first).c_str(), Name(key.second).c_str()}).gap;
      c.code = "retry_storm";
      c.params = {{"host", key.first}, {"queue_id", key.second}, {"retries", n}, {"interval_us", gap}};
      c.en = fmt::format("{} retries of one queue entry ({} at {}, next try every {}): a retry interval too short?",
                         count(n), key.second, key.first, interval(gap));
      c.ja = fmt::format("一つのキュー項目（{} の {}）が {} 回再送されました（間隔 {}）。再送間隔が短すぎるのでは？",
                         key.first, key.second, count(n), interval(gap));
      return c;
    }
  }
  if (!bytes_by_conn_.empty()) {
    std::uint64_t best_conn = 0, best = 0;
    for (const auto& [conn, b] : bytes_by_conn_)
      if (b > best || (b == best && conn < best_conn)) best_conn = conn, best = b;
    if (best >= kLargeConnection) {
      c.code = "large_message";
      c.params = {{"conn", best_conn}, {"bytes", best}};
      c.en = fmt::format("one connection (#{}) carried {}: a very large message?", best_conn, megabytes(best));
      c.ja = fmt::format("一つの接続（#{}）で {} が送られました。とても大きなメールでは？", best_conn, megabytes(best));
      return c;
    }
  }
  if (packets_ >= 1000) {
    std::map<std::string, std::uint64_t> packets_by_host;
    for (const auto& [h, n] : packets_by_host_) packets_by_host[h] += n;
    const auto [host, n] = *top_of(packets_by_host);
    const double share = static_cast<double>(n) / static_cast<double>(packets_);
    if (share >= kOneHostShare) {
      const int percent = static_cast<int>(share * 100);
      c.code = "one_host_packets";
      c.params = {{"host", host}, {"packets", n}, {"percent", percent}};
      c.en = fmt::format("one host ({}) sent {}% of the {} packets", host, percent, count(packets_));
      c.ja = fmt::format("一つのホスト（{}）が {} 個のパケットの {}% を送りました", host, count(packets_), percent);
      return c;
    }
  }
  c.code = "busiest";
  if (kinds_.empty()) {
    c.en = "the trace is empty";
    c.ja = "トレースは空です";
    return c;
  }
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> kinds;
  for (const auto& [k, n] : kinds_)
    kinds[{std::string(to_string(static_cast<RecordKind>(std::get<0>(k)))), std::get<1>(k), std::get<2>(k)}] += n;
  const auto [k, n] = *top_of(kinds);
  const auto& [kind, event, host] = k;
  const int percent = static_cast<int>(100.0 * static_cast<double>(n) / static_cast<double>(records_));
  const std::string what = event.empty() ? kind : kind + " " + event;
  c.params = {{"kind", kind}, {"event", event}, {"host", host}, {"records", n}, {"percent", percent}};
  c.en = fmt::format("most records were \"{}\"{} ({}%)", what, host.empty() ? "" : " at " + host, percent);
  c.ja = fmt::format("記録の {}% が{}「{}」でした", percent, host.empty() ? "" : " " + host + " の", what);
  return c;
}

std::string BudgetStop::message(std::string_view lang) const {
  const bool ja = lang == "ja";
  std::string which;
  switch (kind) {
    case BudgetKind::Events:
      which = ja ? fmt::format("イベント数の上限（{}）", count(limit))
                 : fmt::format("the budget of {} events (settings \"max_events\", --max-events)", count(limit));
      break;
    case BudgetKind::Records:
      which = ja ? fmt::format("トレース記録数の上限（{}）", count(limit))
                 : fmt::format("the budget of {} trace records (settings \"max_records\", --max-records)", count(limit));
      break;
    case BudgetKind::VirtualTime:
      which = ja ? fmt::format("仮想時間の上限（{}）", format_span(static_cast<Time>(limit)))
                 : fmt::format("the budget of {} of virtual time (settings \"max_time\", --max-time)",
                               format_span(static_cast<Time>(limit)));
      break;
    case BudgetKind::TraceMemory:
      which = ja ? fmt::format("トレースのメモリ上限（{}）", megabytes(limit))
                 : fmt::format("the budget of {} of trace memory (settings \"max_trace_mb\", --max-trace-mb)",
                               megabytes(limit));
      break;
  }
  if (ja)
    return fmt::format("{} に{}を使い切ったため、実行を止めました。考えられる原因：{}", format_time(at), which, cause.ja);
  return fmt::format("the run stopped at {}: {} ran out. Likely cause: {}", format_time(at), which, cause.en);
}

std::optional<BudgetStop> over_budget(const RunBudget& budget, std::uint64_t events, const Trace& trace, Time now) {
  BudgetStop s;
  s.at = now;
  if (events > budget.max_events) {
    s.kind = BudgetKind::Events;
    s.limit = budget.max_events;
    s.used = events;
  } else if (trace.size() > budget.max_records) {
    s.kind = BudgetKind::Records;
    s.limit = budget.max_records;
    s.used = trace.size();
  } else if (trace.memory_estimate() > budget.max_trace_bytes) {
    s.kind = BudgetKind::TraceMemory;
    s.limit = budget.max_trace_bytes;
    s.used = trace.memory_estimate();
  } else if (now > budget.max_time) {
    s.kind = BudgetKind::VirtualTime;
    s.limit = static_cast<std::uint64_t>(budget.max_time);
    s.used = static_cast<std::uint64_t>(now);
  } else {
    return std::nullopt;
  }
  return s;
}

}  // namespace mailsim::sim
