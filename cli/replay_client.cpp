// Replay --client: the recorded server side played into mailsim's SMTP, POP3 and IMAP client
// engines (sans-I/O, no simulation needed); their commands are diffed against the recorded ones.
#include "cli/replay_client.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "protocols/common/ascii.hpp"
#include "protocols/common/base64.hpp"
#include "protocols/imap/client.hpp"
#include "protocols/pop3/client.hpp"
#include "protocols/smtp/client.hpp"

namespace mailsim::cli {
namespace {

constexpr std::size_t kMaxCompared = 4000;  // client lines per side compared

std::string upper(std::string_view s) { return proto::to_upper(s); }

using proto::iequals;
using proto::split_lines;

std::string word(const std::string& line, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t i = 0;; ++i) {
    while (at < line.size() && line[at] == ' ') ++at;
    const auto end = std::min(line.find(' ', at), line.size());
    if (i == n) return line.substr(at, end - at);
    if (end >= line.size()) return {};
    at = end;
  }
}

std::string rest_after(const std::string& line, std::size_t words) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < words; ++i) {
    while (at < line.size() && line[at] == ' ') ++at;
    at = std::min(line.find(' ', at), line.size());
  }
  while (at < line.size() && line[at] == ' ') ++at;
  return line.substr(at);
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// "<a@b> SIZE=10" -> "a@b"
std::string path_of(const std::string& arg) {
  const auto lt = arg.find('<');
  const auto gt = arg.find('>', lt == std::string::npos ? 0 : lt);
  if (lt == std::string::npos || gt == std::string::npos) return word(arg, 0);
  return arg.substr(lt + 1, gt - lt - 1);
}

// A client side cut into commands: SMTP message content and SASL responses become one item each.
struct ClientLine {
  std::string shown;  // for people
  std::string key;    // for comparing
};

// How many SASL responses follow "AUTH MECH [initial]" before the server's verdict.
int sasl_responses(const std::string& mech, bool initial) {
  const auto m = upper(mech);
  if (m == "LOGIN") return initial ? 1 : 2;
  if (m == "PLAIN" || m == "CRAM-MD5" || m == "XOAUTH2" || m == "OAUTHBEARER") return initial ? 0 : 1;
  return initial ? 0 : 1;
}

}  // namespace

std::string client_line_key(const std::string& protocol, const std::string& line) {
  if (protocol == "smtp") {
    const auto verb = upper(word(line, 0));
    if (verb == "MAIL" || verb == "RCPT") {
      const auto colon = line.find(':');
      const std::string head = upper(line.substr(0, colon == std::string::npos ? line.size() : colon));
      std::string key;
      for (char c : head)
        if (c != ' ') key += c;
      return key + ":<" + path_of(colon == std::string::npos ? std::string() : line.substr(colon + 1)) + ">";
    }
    if (verb == "EHLO" || verb == "HELO") return verb + " " + word(line, 1);
    if (verb == "AUTH") return "AUTH " + upper(word(line, 1));
    return upper(line);
  }
  if (protocol == "pop3") {
    const auto verb = upper(word(line, 0));
    if (verb == "PASS") return "PASS ****";
    if (verb == "APOP") return "APOP " + word(line, 1);
    if (verb == "AUTH") return "AUTH " + upper(word(line, 1));
    const auto rest = rest_after(line, 1);
    return rest.empty() ? verb : verb + " " + rest;
  }
  if (protocol == "imap") {
    if (iequals(line, "DONE")) return "DONE";
    auto cmd = upper(word(line, 1));
    std::size_t used = 2;
    if (cmd == "UID") {
      cmd += " " + upper(word(line, 2));
      used = 3;
    }
    if (cmd == "LOGIN") return "LOGIN " + unquote(word(line, 2)) + " ****";
    if (cmd == "AUTHENTICATE") return "AUTHENTICATE " + upper(word(line, 2));
    std::string rest;
    for (std::size_t i = used;; ++i) {
      const auto w = word(line, i);
      if (w.empty()) break;
      rest += " " + unquote(w);
    }
    return cmd + rest;
  }
  return line;
}

namespace {

std::string shown_line(const std::string& protocol, const std::string& line) {
  const auto k = client_line_key(protocol, line);
  if (protocol == "pop3" && k == "PASS ****") return "PASS ****";
  if (protocol == "imap" && k.rfind("LOGIN ", 0) == 0) return word(line, 0) + " " + k;
  if ((protocol == "smtp" || protocol == "pop3") && k.rfind("AUTH ", 0) == 0 && !word(line, 2).empty())
    return word(line, 0) + " " + word(line, 1) + " ****";
  if (protocol == "imap" && k.rfind("AUTHENTICATE ", 0) == 0 && !word(line, 3).empty())
    return word(line, 0) + " " + word(line, 1) + " " + word(line, 2) + " ****";
  return line;
}

// The client bytes of one side as commands. `cut_tls`: stop after STARTTLS / STLS (what follows
// on the wire is ciphertext). `tags` receives IMAP tags in order.
std::vector<ClientLine> client_lines(const std::string& protocol, const std::string& bytes, bool& cut,
                                     std::vector<std::string>* tags = nullptr) {
  std::vector<ClientLine> out;
  const auto lines = split_lines(bytes);
  int sasl_left = 0;
  bool data_next = false, in_data = false;
  std::size_t data_lines = 0, data_bytes = 0;
  for (const auto& l : lines) {
    if (out.size() >= kMaxCompared) break;
    if (in_data) {
      if (l == ".") {
        out.push_back({fmt::format("(the message: {} line(s), {} bytes)", data_lines, data_bytes),
                       fmt::format("(message {} {})", data_lines, data_bytes)});
        in_data = false;
        data_lines = data_bytes = 0;
      } else {
        ++data_lines;
        data_bytes += (l.rfind('.', 0) == 0 ? l.size() - 1 : l.size()) + 2;
      }
      continue;
    }
    if (data_next && !iequals(l, "QUIT") && !iequals(l, "RSET")) {
      in_data = true;
      data_next = false;
      ++data_lines;
      data_bytes += (l.rfind('.', 0) == 0 ? l.size() - 1 : l.size()) + 2;
      continue;
    }
    data_next = false;
    if (sasl_left > 0) {
      --sasl_left;
      out.push_back({"(a SASL response, hidden)", "(sasl)"});
      continue;
    }
    out.push_back({shown_line(protocol, l), client_line_key(protocol, l)});
    const auto& key = out.back().key;
    if (protocol == "smtp") {
      if (key == "DATA") data_next = true;
      if (key.rfind("AUTH ", 0) == 0) sasl_left = sasl_responses(word(l, 1), !word(l, 2).empty());
      if (key == "STARTTLS") {
        cut = true;
        break;
      }
    } else if (protocol == "pop3") {
      if (key.rfind("AUTH ", 0) == 0 && !word(l, 1).empty()) sasl_left = sasl_responses(word(l, 1), !word(l, 2).empty());
      if (key == "STLS") {
        cut = true;
        break;
      }
    } else if (protocol == "imap") {
      if (tags && key != "DONE") tags->push_back(word(l, 0));
      if (key.rfind("AUTHENTICATE ", 0) == 0) sasl_left = sasl_responses(word(l, 2), !word(l, 3).empty());
      if (key == "STARTTLS") {
        cut = true;
        break;
      }
    }
  }
  if (in_data)
    out.push_back({fmt::format("(the message, unfinished: {} line(s))", data_lines), "(message unfinished)"});
  return out;
}

// "\0user\0pass" (RFC 4616) -> user, password.
bool plain_credentials(const std::string& b64, std::string& user, std::string& pass) {
  const auto raw = proto::base64_decode(b64);
  if (!raw) return false;
  const auto a = raw->find('\0');
  const auto b = a == std::string::npos ? std::string::npos : raw->find('\0', a + 1);
  if (b == std::string::npos) return false;
  user = raw->substr(a + 1, b - a - 1);
  pass = raw->substr(b + 1);
  return true;
}

// What the recorded client did, as a job for mailsim's client of the same protocol.
struct Inferred {
  smtp::ClientJob smtp;
  pop3::ClientJob pop3;
  imap::ClientConfig imap;
  std::string words;
};

Inferred infer_job(const std::string& protocol, const std::string& client_bytes) {
  Inferred in;
  const auto lines = split_lines(client_bytes);
  std::vector<std::string> said;
  if (protocol == "smtp") {
    bool data_next = false, in_data = false, have_mail = false, done_data = false;
    std::string data;
    std::string pending_auth;  // mechanism waiting for its responses
    std::vector<std::string> responses;
    for (const auto& l : lines) {
      if (in_data) {
        if (l == ".") {
          in_data = false;
          done_data = true;
          continue;
        }
        data += (l.rfind('.', 0) == 0 ? l.substr(1) : l) + "\r\n";
        continue;
      }
      if (data_next && !iequals(l, "QUIT") && !iequals(l, "RSET") && !done_data) {
        in_data = true;
        data_next = false;
        data += (l.rfind('.', 0) == 0 ? l.substr(1) : l) + "\r\n";
        continue;
      }
      data_next = false;
      if (!pending_auth.empty()) {
        responses.push_back(l);
        const auto want = static_cast<std::size_t>(sasl_responses(pending_auth, false));
        if (responses.size() >= want) {
          smtp::Credentials c;
          if (upper(pending_auth) == "PLAIN") {
            plain_credentials(responses[0], c.user, c.password);
          } else if (upper(pending_auth) == "LOGIN" && responses.size() >= 2) {
            c.user = proto::base64_decode(responses[0]).value_or("");
            c.password = proto::base64_decode(responses[1]).value_or("");
            c.preferred = smtp::AuthMechanism::Login;
          }
          in.smtp.credentials = c;
          pending_auth.clear();
        }
        continue;
      }
      const auto verb = upper(word(l, 0));
      if (verb == "EHLO" || verb == "HELO") {
        if (!word(l, 1).empty()) in.smtp.helo_name = word(l, 1);
      } else if (verb == "STARTTLS") {
        in.smtp.tls = smtp::TlsPolicy::Required;
        break;
      } else if (verb == "AUTH") {
        const auto mech = upper(word(l, 1));
        const auto initial = word(l, 2);
        if (mech == "PLAIN" && !initial.empty() && initial != "=") {
          smtp::Credentials c;
          plain_credentials(initial, c.user, c.password);
          in.smtp.credentials = c;
        } else if (mech == "LOGIN" && !initial.empty()) {
          pending_auth = "LOGIN";
          responses = {initial};
          smtp::Credentials c;
          c.preferred = smtp::AuthMechanism::Login;
          c.user = proto::base64_decode(initial).value_or("");
          in.smtp.credentials = c;
        } else {
          pending_auth = mech;
          responses.clear();
          if (mech != "PLAIN" && mech != "LOGIN") {
            said.push_back("AUTH " + mech + " (mailsim's client offers PLAIN and LOGIN only)");
            pending_auth.clear();
          }
        }
      } else if (verb == "MAIL" && !have_mail) {
        have_mail = true;
        const auto colon = l.find(':');
        in.smtp.sender = colon == std::string::npos ? std::string() : path_of(l.substr(colon + 1));
      } else if (verb == "RCPT" && !done_data) {
        const auto colon = l.find(':');
        if (colon != std::string::npos) in.smtp.recipients.push_back(path_of(l.substr(colon + 1)));
      } else if (verb == "DATA") {
        data_next = true;
      }
    }
    in.smtp.data = data;
    if (in.smtp.tls == smtp::TlsPolicy::Required && in.smtp.recipients.empty()) {
      // The transaction is inside TLS, unseen; a stand-in lets the client start (it stops at TLS).
      in.smtp.sender = "unseen@invalid";
      in.smtp.recipients = {"unseen@invalid"};
      in.smtp.data = "Subject: unseen\r\n\r\n(inside TLS)\r\n";
      in.words = fmt::format("greet as {} and start TLS (what it sent inside TLS cannot be read)", in.smtp.helo_name);
    } else {
      in.words = fmt::format("send one message from <{}> to {} recipient(s) as {}{}{}", in.smtp.sender,
                             in.smtp.recipients.size(), in.smtp.helo_name,
                             in.smtp.credentials ? ", logging in as " + in.smtp.credentials->user : std::string(),
                             in.smtp.tls == smtp::TlsPolicy::Required ? ", with STARTTLS" : "");
    }
  } else if (protocol == "pop3") {
    bool dele = false;
    std::string pending_auth;
    for (const auto& l : lines) {
      if (!pending_auth.empty()) {
        plain_credentials(l, in.pop3.user, in.pop3.password);
        pending_auth.clear();
        continue;
      }
      const auto verb = upper(word(l, 0));
      if (verb == "USER") in.pop3.user = word(l, 1);
      else if (verb == "PASS") in.pop3.password = rest_after(l, 1);
      else if (verb == "APOP") {
        in.pop3.user = word(l, 1);
        in.pop3.auth = pop3::AuthMethod::Apop;
      } else if (verb == "DELE") dele = true;
      else if (verb == "STLS") {
        in.pop3.tls = pop3::TlsPolicy::Stls;
        break;
      } else if (verb == "AUTH" && upper(word(l, 1)) == "PLAIN") {
        if (word(l, 2).empty()) pending_auth = "PLAIN";
        else plain_credentials(word(l, 2), in.pop3.user, in.pop3.password);
      }
    }
    in.pop3.mode = dele ? pop3::RetentionMode::DeleteAfterDownload : pop3::RetentionMode::LeaveOnServer;
    in.words = in.pop3.user.empty() && in.pop3.tls == pop3::TlsPolicy::Stls
                   ? std::string("start TLS (the login and what follows are inside TLS and cannot be read)")
                   : fmt::format("log in as {} and {}", in.pop3.user,
                                 dele ? "download and delete every message"
                                      : "download new messages, leaving them on the server");
  } else if (protocol == "imap") {
    std::string pending_auth;
    for (const auto& l : lines) {
      if (!pending_auth.empty()) {
        plain_credentials(l, in.imap.user, in.imap.password);
        pending_auth.clear();
        continue;
      }
      const auto cmd = upper(word(l, 1));
      if (cmd == "LOGIN") {
        in.imap.user = unquote(word(l, 2));
        in.imap.password = unquote(word(l, 3));
      } else if (cmd == "AUTHENTICATE" && upper(word(l, 2)) == "PLAIN") {
        in.imap.use_authenticate = true;
        if (word(l, 3).empty()) pending_auth = "PLAIN";
        else plain_credentials(word(l, 3), in.imap.user, in.imap.password);
      } else if (cmd == "SELECT" || cmd == "EXAMINE") {
        in.imap.mailbox = unquote(word(l, 2));
      } else if (cmd == "STARTTLS") {
        in.imap.use_starttls = true;
        break;
      }
    }
    in.words = in.imap.user.empty() && in.imap.use_starttls
                   ? std::string("start TLS (the login and what follows are inside TLS and cannot be read)")
                   : fmt::format("log in as {} and synchronise {}", in.imap.user, in.imap.mailbox);
  }
  for (const auto& s : said) in.words += "; " + s;
  return in;
}

// Plays the server chunks into `engine` and compares, command by command, what it writes with
// what the recorded client wrote. At the first difference the comparison stops: from there on
// the recorded replies answer the recorded client's commands, not mailsim's.
template <class Engine>
void play(Engine& engine, const formats::Stream& s, const std::string& proto, const std::vector<ClientLine>& recorded,
          const std::function<std::string(const std::string&)>& rewrite, std::vector<ClientDiffItem>& items) {
  std::string output;
  std::size_t r = 0, m = 0;
  bool diverged = false;
  const auto events = [&] {
    for (const auto& e : engine.take_events())
      if (e.kind == proto::ProtocolEvent::Kind::ProtocolError)
        items.push_back({ClientDiffItem::Kind::Problem, "mailsim's client could not accept a reply: " + e.text, {}});
  };
  // Compares the commands mailsim wrote since the last call; false once they differ.
  const auto compare = [&](bool final) {
    bool cut = false;
    const auto mine = client_lines(proto, output, cut);
    while (m < mine.size()) {
      if (!final && mine[m].key == "(message unfinished)") break;
      if (r < recorded.size() && recorded[r].key == mine[m].key) {
        items.push_back({ClientDiffItem::Kind::Same, recorded[r].shown,
                         recorded[r].shown == mine[m].shown ? std::string() : mine[m].shown});
        ++r;
        ++m;
        continue;
      }
      items.push_back({ClientDiffItem::Kind::MailsimOnly, mine[m].shown, {}});
      if (r < recorded.size()) items.push_back({ClientDiffItem::Kind::RecordedOnly, recorded[r++].shown, {}});
      ++m;
      return false;
    }
    return true;
  };
  for (const auto& c : s.chunks) {
    if (c.dir != formats::Direction::ToClient) continue;
    engine.receive(rewrite ? rewrite(c.bytes) : c.bytes);
    events();
    output += engine.take_output();
    if (!compare(false)) {
      diverged = true;
      break;
    }
    if (engine.tls_requested()) {
      items.push_back({ClientDiffItem::Kind::Note,
                       "mailsim's client starts TLS here; the recording is ciphertext from here on, so the comparison stops",
                       {}});
      return;
    }
    if (engine.closed()) break;
  }
  if (!diverged) {
    if (!engine.closed()) {
      engine.connection_lost();  // the recording ends here
      events();
      output += engine.take_output();
    }
    diverged = !compare(true);
  }
  if (diverged) {
    if (r < recorded.size())
      items.push_back({ClientDiffItem::Kind::Note,
                       fmt::format("{} more recorded command(s) not compared: after the first difference the recorded "
                                   "replies answer the recorded client's commands, not mailsim's",
                                   recorded.size() - r),
                       {}});
    return;
  }
  for (; r < recorded.size(); ++r) items.push_back({ClientDiffItem::Kind::RecordedOnly, recorded[r].shown, {}});
}

}  // namespace

std::size_t ClientCheck::differences() const {
  std::size_t n = 0;
  for (const auto& i : items)
    if (i.kind == ClientDiffItem::Kind::RecordedOnly || i.kind == ClientDiffItem::Kind::MailsimOnly ||
        i.kind == ClientDiffItem::Kind::Problem)
      ++n;
  return n;
}

ClientCheck check_client_stream(const formats::Stream& s, std::size_t index) {
  ClientCheck c;
  c.stream = index;
  c.protocol = s.protocol;
  const auto proto = s.protocol;
  if (proto != "smtp" && proto != "pop3" && proto != "imap") {
    c.items.push_back({ClientDiffItem::Kind::Note,
                       proto.empty() ? std::string("not checked: the protocol is not known")
                       : proto == "smtps" || proto == "pop3s" || proto == "imaps" || proto == "tls"
                           ? std::string("not checked: the session is encrypted from the start (implicit TLS)")
                           : "not checked: mailsim has no " + proto + " client (it compares SMTP, POP3 and IMAP)",
                       {}});
    return c;
  }
  const std::string client_bytes = s.joined(formats::Direction::ToServer);
  bool cut = false;
  std::vector<std::string> tags;
  const auto recorded = client_lines(proto, client_bytes, cut, &tags);
  const auto job = infer_job(proto, client_bytes);
  c.job = job.words;
  if (proto == "smtp") {
    smtp::ClientSession e(job.smtp);
    play(e, s, proto, recorded, nullptr, c.items);
  } else if (proto == "pop3") {
    pop3::ClientSession e(job.pop3);
    play(e, s, proto, recorded, nullptr, c.items);
  } else {
    // mailsim's client tags its commands a1, a2 ...; the k-th recorded tag becomes "ak" so its
    // engine recognises the completion of its k-th command.
    std::map<std::string, std::string> tag_map;
    for (std::size_t k = 0; k < tags.size(); ++k) tag_map.emplace(tags[k], "a" + std::to_string(k + 1));
    const auto rewrite = [&tag_map](const std::string& bytes) {
      std::string out;
      std::size_t at = 0;
      while (at < bytes.size()) {
        auto nl = bytes.find('\n', at);
        nl = nl == std::string::npos ? bytes.size() : nl + 1;
        std::string line = bytes.substr(at, nl - at);
        const auto sp = line.find(' ');
        if (sp != std::string::npos) {
          auto it = tag_map.find(line.substr(0, sp));
          if (it != tag_map.end()) line = it->second + line.substr(sp);
        }
        out += line;
        at = nl;
      }
      return out;
    };
    imap::ClientSession e(job.imap);
    play(e, s, proto, recorded, rewrite, c.items);
  }
  if (cut && (c.items.empty() || c.items.back().kind != ClientDiffItem::Kind::Note))
    c.items.push_back({ClientDiffItem::Kind::Note, "the recording is ciphertext after STARTTLS: compared up to there", {}});
  return c;
}

int run_replay_client(const ReplayArgs& a, const formats::Capture& capture, std::ostream& out, std::ostream& err) {
  std::vector<ClientCheck> checks;
  std::size_t checked = 0;
  for (std::size_t i = 0; i < capture.streams.size(); ++i) {
    const auto& s = capture.streams[i];
    if (s.transport != "tcp") continue;
    checks.push_back(check_client_stream(s, i));
    if (checks.back().protocol == "smtp" || checks.back().protocol == "pop3" || checks.back().protocol == "imap")
      ++checked;
  }
  if (checked == 0) {
    err << "mailsim replay: nothing to check with --client: no SMTP, POP3 or IMAP session in the input\n";
    return kExitInvalid;
  }
  std::size_t total = 0;
  for (const auto& c : checks) total += c.differences();
  const auto kind_name = [](ClientDiffItem::Kind k) {
    switch (k) {
      case ClientDiffItem::Kind::Same: return "same";
      case ClientDiffItem::Kind::RecordedOnly: return "recorded-only";
      case ClientDiffItem::Kind::MailsimOnly: return "mailsim-only";
      case ClientDiffItem::Kind::Problem: return "problem";
      case ClientDiffItem::Kind::Note: return "note";
    }
    return "note";
  };
  if (a.json) {
    nlohmann::json j{{"differences", total}, {"connections", nlohmann::json::array()}};
    for (const auto& c : checks) {
      const auto& s = capture.streams[c.stream];
      nlohmann::json items = nlohmann::json::array();
      for (const auto& i : c.items) {
        nlohmann::json it{{"kind", kind_name(i.kind)}, {"line", i.text}};
        if (!i.other.empty()) it["mailsim"] = i.other;
        items.push_back(std::move(it));
      }
      j["connections"].push_back({{"connection", c.stream + 1}, {"protocol", c.protocol},
                                  {"server", s.server.address + ":" + std::to_string(s.server.port)},
                                  {"job", c.job}, {"differences", c.differences()}, {"items", std::move(items)}});
    }
    out << j.dump(2) << "\n";
    return total == 0 ? kExitOk : kExitExpectation;
  }
  for (const auto& c : checks) {
    const auto& s = capture.streams[c.stream];
    out << fmt::format("Connection {} ({}) {}:{} -> {}:{}: the recorded client vs mailsim's {} client\n", c.stream + 1,
                       c.protocol.empty() ? "?" : c.protocol, s.client.address, s.client.port, s.server.address,
                       s.server.port, c.protocol.empty() ? "" : upper(c.protocol));
    if (!c.job.empty()) out << "  mailsim's client was asked to " << c.job << "\n";
    for (const auto& i : c.items) {
      switch (i.kind) {
        case ClientDiffItem::Kind::Same:
          out << fmt::format("  same       {}{}\n", i.text, i.other.empty() ? "" : "   (mailsim: " + i.other + ")");
          break;
        case ClientDiffItem::Kind::RecordedOnly:
          out << fmt::format("  RECORDED   {}\n             mailsim's client would not send this here\n", i.text);
          break;
        case ClientDiffItem::Kind::MailsimOnly:
          out << fmt::format("  MAILSIM    {}\n             mailsim's client would send this; the recorded client did not\n",
                             i.text);
          break;
        case ClientDiffItem::Kind::Problem: out << fmt::format("  PROBLEM    {}\n", i.text); break;
        case ClientDiffItem::Kind::Note: out << fmt::format("  note       {}\n", i.text); break;
      }
    }
    out << "\n";
  }
  out << fmt::format("{} difference(s) in {} connection(s)\n", total, checked);
  return total == 0 ? kExitOk : kExitExpectation;
}

}  // namespace mailsim::cli
