// Replay check: a client app plays the recorded client bytes into a scenario's server; replies are diffed.
#include "cli/replay_check.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "protocols/common/ascii.hpp"
#include "sim/scenario/lessons.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/core/simulation.hpp"
#include "sim/core/transport.hpp"

namespace mailsim::cli {
namespace {

constexpr sim::Time kReplyWait = 10 * sim::kSecond;  // how long the player waits for a simulated reply

std::string upper(std::string_view s) { return proto::to_upper(s); }

using proto::split_lines;

// The data item names of an untagged FETCH response ("* 1 FETCH (UID 1 BODY[] {29}<29 octets>
// FLAGS (\Seen))" -> "BODY[] FLAGS UID"), sorted; values are skipped (parenthesised lists,
// quoted strings, literals, atoms).
std::string fetch_items(const std::string& line) {
  const auto open = line.find('(');
  if (open == std::string::npos) return {};
  std::vector<std::string> names;
  std::size_t i = open + 1;
  const auto skip_spaces = [&] {
    while (i < line.size() && line[i] == ' ') ++i;
  };
  const auto skip_value = [&] {
    skip_spaces();
    if (i >= line.size()) return;
    if (line[i] == '(') {
      int depth = 0;
      bool quoted = false;
      for (; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
          if (c == '\\') ++i;
          else if (c == '"') quoted = false;
          continue;
        }
        if (c == '"') quoted = true;
        else if (c == '(') ++depth;
        else if (c == ')' && --depth == 0) {
          ++i;
          return;
        }
      }
      return;
    }
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i)
        if (line[i] == '\\') ++i;
      ++i;
      return;
    }
    if (line[i] == '{') {
      const auto end = line.find(" octets>", i);
      i = end == std::string::npos ? line.size() : end + 8;
      return;
    }
    while (i < line.size() && line[i] != ' ' && line[i] != ')') ++i;
  };
  for (std::size_t guard = 0; guard < 64; ++guard) {
    skip_spaces();
    if (i >= line.size() || line[i] == ')') break;
    std::string name;
    int bracket = 0;
    while (i < line.size() && (bracket > 0 || (line[i] != ' ' && line[i] != ')'))) {
      if (line[i] == '[') ++bracket;
      else if (line[i] == ']') --bracket;
      name += line[i++];
    }
    if (name.empty()) break;
    names.push_back(upper(name));
    skip_value();
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

// IMAP server bytes as logical lines: a line that ends in a literal announcement {N} goes on
// after the N octets of the literal, which are shown as "{N}<N octets>" and never read as lines
// (a message body's lines are no replies). An unfinished literal or line at the end is left out
// when `complete_only`.
std::vector<std::string> imap_lines(const std::string& bytes, bool complete_only) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto nl = bytes.find('\n', at);
    if (nl == std::string::npos) {
      if (!complete_only) out.push_back(cur + bytes.substr(at));
      return out;
    }
    std::string l = bytes.substr(at, nl - at);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    at = nl + 1;
    // "... {29}" or "... {29+}": the literal follows the CRLF.
    std::size_t size = 0;
    bool literal = false;
    if (!l.empty() && l.back() == '}') {
      const auto open = l.rfind('{');
      if (open != std::string::npos && open + 2 < l.size()) {
        std::string digits = l.substr(open + 1, l.size() - open - 2);
        if (!digits.empty() && digits.back() == '+') digits.pop_back();
        literal = !digits.empty() && digits.size() <= 9 &&
                  std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (literal) size = static_cast<std::size_t>(std::stoul(digits));
      }
    }
    if (!literal) {
      out.push_back(cur + l);
      cur.clear();
      continue;
    }
    if (bytes.size() - at < size) {
      if (!complete_only) out.push_back(cur + l + "<" + std::to_string(bytes.size() - at) + " octets so far>");
      return out;
    }
    cur += l + "<" + std::to_string(size) + " octets>";
    at += size;
  }
  if (!cur.empty() && !complete_only) out.push_back(cur);
  return out;
}

std::vector<std::string> reply_lines(const std::string& protocol, const std::string& bytes, bool complete_only) {
  if (protocol == "imap") return imap_lines(bytes, complete_only);
  if (!complete_only) return split_lines(bytes);
  const auto complete = bytes.rfind('\n');
  return complete == std::string::npos ? std::vector<std::string>{} : split_lines(bytes.substr(0, complete + 1));
}

// Does this server line end a reply? (The same rule on both sides keeps them in step.)
bool ends_reply(const std::string& protocol, const std::string& line) {
  if (protocol == "pop3") return line.rfind("+OK", 0) == 0 || line.rfind("-ERR", 0) == 0 || line.rfind("+ ", 0) == 0 || line == "+";
  if (protocol == "imap") {
    if (line.rfind("+", 0) == 0) return true;
    if (line.rfind("* OK", 0) == 0 || line.rfind("* PREAUTH", 0) == 0 || line.rfind("* BYE", 0) == 0) return false;
    if (line.rfind("* ", 0) == 0) return false;
    return true;  // a tagged status
  }
  return line.size() == 3 || (line.size() > 3 && line[3] == ' ');
}

// How many replies ended in these bytes (complete lines only).
std::size_t count_reply_ends(const std::string& protocol, const std::string& bytes, bool& greeting_seen) {
  std::size_t n = 0;
  for (const auto& l : reply_lines(protocol, bytes, true)) {
    // The IMAP greeting is an untagged OK that ends its "reply".
    if (protocol == "imap" && !greeting_seen && (l.rfind("* OK", 0) == 0 || l.rfind("* PREAUTH", 0) == 0)) {
      greeting_seen = true;
      ++n;
      continue;
    }
    greeting_seen = true;
    if (ends_reply(protocol, l)) ++n;
  }
  return n;
}

// Plays one recorded client side into the simulated server.
class ReplayClientApp : public sim::App {
 public:
  struct Step {
    std::size_t after_replies = 0;  // send when this many replies have come
    std::string bytes;
  };
  ReplayClientApp(std::string host, sim::Endpoint to, std::string protocol, std::vector<Step> steps, sim::Time at)
      : App(std::move(host)), to_(to), protocol_(std::move(protocol)), steps_(std::move(steps)), at_(at) {}

  void start(sim::Simulation& sim) override {
    sim_ = &sim;
    sim.core().schedule_at(at_, [this] { begin(); });
  }
  const std::string& received() const { return received_; }
  const std::string& error() const { return error_; }
  bool connected() const { return connected_; }

 private:
  void begin() {
    sock_ = sim_->transport().connect(host(), to_);
    sock_->on_connected = [this] {
      connected_ = true;
      pump();
    };
    sock_->on_data = [this](std::string_view b) {
      received_ += b;
      pump();
    };
    sock_->on_peer_closed = [this] { sock_->close(); };
    sock_->on_error = [this](sim::SocketError, const std::string& why) { error_ = why; };
  }
  void pump() {
    bool g = false;
    const auto replies = count_reply_ends(protocol_, received_, g);
    sim_->core().cancel(timer_);
    while (next_ < steps_.size() && steps_[next_].after_replies <= replies) sock_->send(steps_[next_++].bytes);
    if (next_ < steps_.size())  // no answer coming: go on after a while, as a client with a timeout would
      timer_ = sim_->core().schedule_in(kReplyWait, [this] {
        if (next_ < steps_.size()) sock_->send(steps_[next_++].bytes);
        pump();
      });
  }

  sim::Simulation* sim_ = nullptr;
  sim::Endpoint to_;
  std::string protocol_;
  std::vector<Step> steps_;
  sim::Time at_;
  sim::SocketPtr sock_;
  std::size_t next_ = 0;
  sim::EventId timer_ = 0;
  std::string received_, error_;
  bool connected_ = false;
};

std::string role_protocol(const std::string& role) {
  if (role == "mx" || role == "submission") return "smtp";
  if (role == "pop3") return "pop3";
  if (role == "imap") return "imap";
  return {};  // implicit TLS roles cannot take recorded plaintext
}

struct Target {
  std::string host;
  std::uint16_t port = 0;
  std::string why;
};

std::optional<Target> choose_server(const sim::Scenario& sc, const formats::Stream& s, const std::string& forced,
                                    std::string& error) {
  std::vector<const sim::HostSpec*> candidates;
  for (const auto& h : sc.hosts)
    if (h.mail_server) candidates.push_back(&h);
  auto port_on = [&](const sim::HostSpec& h) -> std::optional<std::uint16_t> {
    std::optional<std::uint16_t> any;
    for (const auto& l : h.mail_server->listeners) {
      if (role_protocol(l.role) != s.protocol) continue;
      if (l.port == s.server.port) return l.port;
      if (!any || l.role == "mx") any = l.port;  // a recorded relay or MX session: no AUTH needed
    }
    return any;
  };
  if (!forced.empty()) {
    for (const auto* h : candidates)
      if (h->info.id == forced) {
        if (auto p = port_on(*h)) return Target{h->info.id, *p, "--server " + forced};
        error = forced + " serves no " + s.protocol + " on a plain port";
        return std::nullopt;
      }
    error = "no mail server host \"" + forced + "\" in the scenario";
    return std::nullopt;
  }
  for (const auto* h : candidates)
    if (h->info.ip.str() == s.server.address)
      if (auto p = port_on(*h)) return Target{h->info.id, *p, "the recorded address " + s.server.address};
  for (const auto* h : candidates)
    for (const auto& l : h->mail_server->listeners)
      if (l.port == s.server.port && role_protocol(l.role) == s.protocol)
        return Target{h->info.id, l.port, "port " + std::to_string(l.port)};
  for (const auto* h : candidates)
    if (auto p = port_on(*h)) return Target{h->info.id, *p, "the first server of " + s.protocol + " (use --server)"};
  error = "the scenario has no server for " + s.protocol;
  return std::nullopt;
}

// A host to play the client from: a device with a mail account, else any other host.
std::string choose_client(const sim::Scenario& sc, const std::string& server) {
  for (const auto& h : sc.hosts)
    if (h.mail_client && h.info.id != server) return h.info.id;
  for (const auto& h : sc.hosts)
    if (h.info.id != server) return h.info.id;
  return server;
}

struct Exchange {
  std::string command;  // the client's line(s) this reply answers (first line)
  ComparedReply recorded, simulated;
  bool present_recorded = false, present_simulated = false;
  bool differs() const { return present_recorded != present_simulated || recorded.key != simulated.key; }
};

struct ConnectionResult {
  std::size_t index = 0;
  std::string protocol, server, why, error;
  std::vector<Exchange> exchanges;
  bool skipped = false;
  std::size_t differences() const {
    return static_cast<std::size_t>(std::count_if(exchanges.begin(), exchanges.end(), [](const Exchange& e) { return e.differs(); }));
  }
};

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : " | ") + l;
  return s;
}

}  // namespace

std::string normalise_text(const std::string& text) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex(R"(\(\d+\.\d+ \+ \d+\.\d+ secs\))"), "<timing>"},  // Dovecot's "(0.001 + 0.000 secs)"
      {std::regex(R"(<[^<>@\s]+@[^<>\s]+>)"), "<message-id>"},
      {std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4})"), "<date>"},
      {std::regex(R"(\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)"), "<date>"},
      {std::regex(R"(\b(queued as|id=|id:?) *[0-9A-Za-z]{6,})"), "$1 <queue-id>"},
      {std::regex(R"(UIDVALIDITY \d+)"), "UIDVALIDITY <n>"},
      {std::regex(R"(UIDNEXT \d+)"), "UIDNEXT <n>"},
  };
  std::string s = text;
  for (const auto& [re, with] : rules) s = std::regex_replace(s, re, with);
  return s;
}

std::vector<ComparedReply> split_replies(const std::string& protocol, const std::string& bytes) {
  std::vector<ComparedReply> out;
  ComparedReply cur;
  bool greeting = false;
  for (const auto& l : reply_lines(protocol, bytes, false)) {
    // POP3: lines after a status line (a multi-line answer up to ".") belong to that reply.
    if (protocol == "pop3" && !ends_reply(protocol, l) && cur.lines.empty() && !out.empty()) {
      out.back().lines.push_back(l);
      continue;
    }
    cur.lines.push_back(l);
    const bool imap_greeting = protocol == "imap" && !greeting && (l.rfind("* OK", 0) == 0 || l.rfind("* PREAUTH", 0) == 0);
    greeting = true;
    if (imap_greeting || ends_reply(protocol, l)) {
      out.push_back(std::move(cur));
      cur = {};
    }
  }
  if (!cur.lines.empty()) out.push_back(std::move(cur));
  return out;
}

std::string reply_key(const std::string& protocol, const std::vector<std::string>& lines,
                      const std::vector<std::string>& ignore) {
  auto ignored = [&](const char* what) { return std::find(ignore.begin(), ignore.end(), what) != ignore.end(); };
  if (lines.empty()) return "(none)";
  if (protocol == "smtp") {
    const auto& last = lines.back();
    std::string key = last.substr(0, 3);
    // Enhanced status code: "2.1.5" after the code.
    if (!ignored("enhanced") && last.size() > 4) {
      static const std::regex enh(R"(^[245]\.\d{1,3}\.\d{1,3}\b)");
      std::smatch m;
      const std::string text = last.substr(4);
      if (std::regex_search(text, m, enh)) key += " " + m.str();
    }
    // EHLO: the advertised extensions (the first line is the server's name).
    if (lines.size() > 1 && !ignored("ehlo")) {
      std::set<std::string> kw;
      for (std::size_t i = 1; i < lines.size(); ++i)
        if (lines[i].size() > 4) kw.insert(upper(lines[i].substr(4, lines[i].find(' ', 4) - 4)));
      std::string k;
      for (const auto& w : kw) k += (k.empty() ? "" : " ") + w;
      key += " [" + k + "]";
    } else if (lines.size() > 1 && !ignored("count")) {
      key += " (" + std::to_string(lines.size()) + " lines)";
    }
    if (ignored("none")) key += " " + normalise_text(last.size() > 4 ? last.substr(4) : "");
    return key;
  }
  if (protocol == "pop3") {
    const auto& first = lines.front();
    std::string key = first.rfind("+OK", 0) == 0 ? "+OK" : first.rfind("-ERR", 0) == 0 ? "-ERR" : "+";
    // A CAPA answer is compared by its capability names (like EHLO keywords); other
    // multi-line answers (LIST, UIDL, RETR) by their line count.
    std::set<std::string> caps;
    bool capa = lines.size() > 2 && !ignored("ehlo");
    for (std::size_t i = 1; capa && i < lines.size(); ++i) {
      if (lines[i] == ".") continue;
      const auto w = lines[i].substr(0, lines[i].find(' '));
      capa = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }) &&
             !std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
      caps.insert(w);
    }
    if (capa) {
      std::string k;
      for (const auto& w : caps) k += (k.empty() ? "" : " ") + w;
      key += " [" + k + "]";
    } else if (lines.size() > 1 && !ignored("count")) {
      key += " (" + std::to_string(lines.size() - 1) + " more lines)";
    }
    if (ignored("none")) key += " " + normalise_text(first);
    return key;
  }
  // IMAP: the tagged status (tag normalised) and the untagged responses by kind and count.
  std::string key;
  std::map<std::string, int> untagged;
  for (const auto& l : lines) {
    if (l.rfind("* ", 0) == 0) {
      std::string rest = l.substr(2);
      std::string w = rest.substr(0, rest.find(' '));
      if (!w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const auto after = rest.substr(std::min(rest.size(), w.size() + 1));
        const auto what = upper(after.substr(0, after.find(' ')));
        w = (what == "EXISTS" || what == "RECENT" || what == "EXPUNGE") ? w + " " + what : what;
        if (what == "FETCH") w += " (" + fetch_items(after) + ")";
      } else {
        w = upper(w);
      }
      // Literal sizes are compared too ("FETCH {29}"): the message the server sent has that size.
      for (std::size_t at = l.find("<"); at != std::string::npos; at = l.find("<", at + 1)) {
        const auto end = l.find(" octets>", at);
        if (end == std::string::npos) break;
        const auto digits = l.substr(at + 1, end - at - 1);
        if (!digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
          w += " {" + digits + "}";
      }
      if (!ignored("untagged")) ++untagged[w];
    } else if (l.rfind("+", 0) == 0) {
      key += "+ ";
    } else {
      const auto sp = l.find(' ');
      const auto status = sp == std::string::npos ? std::string() : upper(l.substr(sp + 1, l.find(' ', sp + 1) - sp - 1));
      key += "<tag> " + status;
      if (ignored("none")) key += " " + normalise_text(l.substr(std::min(l.size(), sp + 1 + status.size())));
    }
  }
  std::string u;
  for (const auto& [k, n] : untagged) u += (u.empty() ? "" : ", ") + k + (n > 1 ? " x" + std::to_string(n) : "");
  return u.empty() ? key : key + " {" + u + "}";
}

int run_replay_check(const ReplayArgs& a, const formats::Capture& capture, std::ostream& out, std::ostream& err) {
  std::string why;
  const auto file = sim::resolve_lesson(a.against, a.lessons_dir, why);
  if (!file) {
    err << "mailsim replay: --against: " << why << "\n";
    return kExitInvalid;
  }
  auto loaded = sim::load_scenario_file(file->string());
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) err << d.format() << "\n";
    return kExitInvalid;
  }
  const auto& sc = *loaded.scenario;
  static const std::set<std::string> known_ignores = {"ehlo", "enhanced", "count", "untagged", "none"};
  for (const auto& i : a.ignore)
    if (!known_ignores.count(i)) {
      err << "mailsim replay: --ignore " << i << ": expected one of ehlo, enhanced, count, untagged, none\n";
      return kExitInvalid;
    }

  // The scenario's own timeline runs first; the recorded sessions start after its last action.
  sim::Time start = 0;
  for (const auto& act : sc.timeline) start = std::max(start, act.at);
  start += 30 * sim::kSecond;

  std::vector<ConnectionResult> results;
  std::vector<std::pair<std::size_t, ReplayClientApp*>> players;
  struct Plan {
    std::size_t stream;
    Target target;
    std::string client_host;
    std::vector<ReplayClientApp::Step> steps;
    std::size_t max_replies = static_cast<std::size_t>(-1);  // after STARTTLS: the rest is encrypted
  };
  std::vector<Plan> plans;
  std::map<std::size_t, std::size_t> limits;
  for (std::size_t i = 0; i < capture.streams.size(); ++i) {
    const auto& s = capture.streams[i];
    ConnectionResult r;
    r.index = i + 1;
    r.protocol = s.protocol.empty() ? "unknown" : s.protocol;
    if (s.protocol != "smtp" && s.protocol != "pop3" && s.protocol != "imap") {
      r.skipped = true;
      r.error = "not checked: only SMTP, POP3 and IMAP sessions are fed to a simulated server";
      results.push_back(std::move(r));
      continue;
    }
    std::string e;
    const auto target = choose_server(sc, s, a.server, e);
    if (!target && !a.server.empty()) {
      err << "mailsim replay: --server: " << e << "\n";
      return kExitInvalid;
    }
    if (!target) {
      r.skipped = true;
      r.error = "not checked: " + e;
      results.push_back(std::move(r));
      continue;
    }
    r.server = target->host + ":" + std::to_string(target->port);
    r.why = target->why;
    // The client's chunks in their recorded segmentation, each after as many replies as it followed.
    Plan p{i, *target, choose_client(sc, target->host), {}};
    std::string server_so_far;
    bool g = false;
    std::size_t seen = 0;
    for (const auto& c : s.chunks) {
      if (c.dir == formats::Direction::ToClient) {
        server_so_far += c.bytes;
        continue;
      }
      g = false;
      seen = count_reply_ends(s.protocol, server_so_far, g);
      p.steps.push_back({seen, c.bytes});
      const auto u = upper(c.bytes.substr(0, 64));
      if (u.rfind("STARTTLS", 0) == 0 || u.rfind("STLS", 0) == 0 || u.find(" STARTTLS") != std::string::npos) {
        p.max_replies = seen + 1;
        r.error = "compared up to STARTTLS: the rest of the recorded session is encrypted";
        break;
      }
    }
    limits[i] = p.max_replies;
    plans.push_back(std::move(p));
    results.push_back(std::move(r));
  }
  if (plans.empty()) {
    err << "mailsim replay: nothing to check: no SMTP, POP3 or IMAP session of the input has a server in "
        << sc.name << "\n";
    return kExitInvalid;
  }
  std::map<std::size_t, ReplayClientApp*> apps;
  sim::RunOptions opts;
  opts.before_start = [&](sim::Simulation& simulation, sim::mail::MailWorld&) {
    sim::Time at = start;
    for (auto& p : plans) {
      const auto* h = simulation.network().host(p.target.host);
      const auto& s = capture.streams[p.stream];
      auto app = std::make_unique<ReplayClientApp>(p.client_host, sim::Endpoint{h->ip, p.target.port}, s.protocol,
                                                   p.steps, at);
      apps[p.stream] = app.get();
      simulation.add_app(std::move(app));
      at += 5 * sim::kMinute;  // one session after another
    }
  };
  std::map<std::size_t, std::string> simulated;
  std::map<std::size_t, std::string> errors;
  opts.at_end = [&](sim::Simulation&, sim::mail::MailWorld&) {
    for (auto& [i, app] : apps) {
      simulated[i] = app->received();
      if (!app->connected()) errors[i] = app->error().empty() ? "the connection was not established" : app->error();
    }
  };
  sim::Scenario scenario = sc;
  scenario.run_for = std::max(scenario.run_for, start + static_cast<sim::Time>(plans.size() + 1) * 5 * sim::kMinute);
  (void)sim::run_scenario(scenario, opts);

  std::size_t total = 0;
  for (auto& r : results) {
    if (r.skipped) continue;
    const auto i = r.index - 1;
    const auto& s = capture.streams[i];
    if (errors.count(i)) r.error = "the simulated server: " + errors[i];
    std::string recorded_bytes = s.joined(formats::Direction::ToClient);
    if (limits[i] != static_cast<std::size_t>(-1)) {
      // Keep the recording up to the end of the STARTTLS reply: what follows is ciphertext.
      std::size_t at = 0, ends = 0;
      bool g = false;
      while (at < recorded_bytes.size() && ends < limits[i]) {
        const auto nl = recorded_bytes.find('\n', at);
        if (nl == std::string::npos) break;
        ends += count_reply_ends(s.protocol, recorded_bytes.substr(at, nl + 1 - at), g);
        at = nl + 1;
      }
      recorded_bytes.resize(at);
    }
    auto rec = split_replies(s.protocol, recorded_bytes);
    auto simr = split_replies(s.protocol, simulated[i]);
    if (rec.size() > limits[i]) rec.resize(limits[i]);
    if (simr.size() > limits[i]) simr.resize(limits[i]);
    // The command each recorded reply answers: the first client line sent before it.
    std::vector<std::string> commands;
    {
      std::string server_so_far;
      std::size_t replies = 0;
      bool g = false;
      std::string last_cmd = "(greeting)";
      commands.push_back(last_cmd);
      for (const auto& c : s.chunks) {
        if (c.dir == formats::Direction::ToClient) {
          server_so_far += c.bytes;
          g = false;
          const auto now = count_reply_ends(s.protocol, server_so_far, g);
          while (replies < now) {
            ++replies;
            commands.push_back("(no command)");
          }
        } else {
          const auto first = c.bytes.substr(0, c.bytes.find("\r\n"));
          std::string shown = first.size() > 60 ? first.substr(0, 60) + "..." : first;
          if (commands.size() > replies) commands[replies] = shown;
        }
      }
    }
    const auto n = std::max(rec.size(), simr.size());
    for (std::size_t k = 0; k < n; ++k) {
      Exchange e;
      e.command = k < commands.size() ? commands[k] : "";
      if (k < rec.size()) {
        e.recorded = rec[k];
        e.recorded.key = reply_key(s.protocol, rec[k].lines, a.ignore);
        e.present_recorded = true;
      }
      if (k < simr.size()) {
        e.simulated = simr[k];
        e.simulated.key = reply_key(s.protocol, simr[k].lines, a.ignore);
        e.present_simulated = true;
      }
      r.exchanges.push_back(std::move(e));
    }
    total += r.differences();
  }

  if (a.json) {
    nlohmann::json j{{"scenario", sc.name}, {"differences", total}, {"connections", nlohmann::json::array()}};
    for (const auto& r : results) {
      nlohmann::json c{{"connection", r.index}, {"protocol", r.protocol}, {"differences", r.differences()}};
      if (!r.server.empty()) c["server"] = r.server;
      if (!r.why.empty()) c["chosen_by"] = r.why;
      if (!r.error.empty()) c["note"] = r.error;
      c["skipped"] = r.skipped;
      nlohmann::json ex = nlohmann::json::array();
      for (const auto& e : r.exchanges) {
        nlohmann::json x{{"command", e.command}, {"same", !e.differs()}};
        if (e.present_recorded) x["recorded"] = {{"lines", e.recorded.lines}, {"key", e.recorded.key}};
        if (e.present_simulated) x["simulated"] = {{"lines", e.simulated.lines}, {"key", e.simulated.key}};
        ex.push_back(std::move(x));
      }
      c["exchanges"] = std::move(ex);
      j["connections"].push_back(std::move(c));
    }
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    out << fmt::format("Replay of {} against {} ({})\n", capture.format, sc.name, file->filename().string());
    for (const auto& r : results) {
      out << fmt::format("\nConnection {} ({})", r.index, r.protocol);
      if (!r.server.empty()) out << fmt::format(" -> simulated {} (chosen by {})", r.server, r.why);
      out << "\n";
      if (!r.error.empty()) out << "  " << r.error << "\n";
      for (const auto& e : r.exchanges) {
        if (!e.differs()) {
          out << fmt::format("  same       {:<28} {}\n", e.command, e.recorded.key);
          continue;
        }
        out << fmt::format("  DIFFERENT  {}\n", e.command);
        out << "     recorded:  " << (e.present_recorded ? joined(e.recorded.lines) : "(no reply)") << "\n";
        out << "     simulated: " << (e.present_simulated ? joined(e.simulated.lines) : "(no reply)") << "\n";
        out << "     compared:  " << (e.present_recorded ? e.recorded.key : "-") << "  vs  "
            << (e.present_simulated ? e.simulated.key : "-") << "\n";
      }
    }
    out << fmt::format("\n{} difference(s) in {} connection(s)\n", total, results.size());
  }
  return total == 0 ? kExitOk : kExitExpectation;
}

}  // namespace mailsim::cli
