// Received:/Return-Path: trace fields per RFC 5321 4.4: writer and lenient reader.
#include "protocols/message/received.hpp"

#include <algorithm>
#include <cstddef>

#include "protocols/message/message.hpp"
#include "protocols/message/text_util.hpp"

namespace mailsim::message {

namespace {

std::string address_literal(std::string_view ip) {
  std::string out = "[";
  if (ip.find(':') != std::string_view::npos) out += "IPv6:";
  out += ip;
  out += ']';
  return out;
}

std::string from_clause(const ReceivedHop& hop) {
  if (hop.from_helo.empty() && hop.from_ip.empty()) return {};
  std::string out = "from ";
  out += hop.from_helo.empty() ? address_literal(hop.from_ip) : hop.from_helo;
  if (!hop.from_ip.empty() || !hop.from_rdns.empty()) {
    out += " (";
    if (!hop.from_rdns.empty()) out += hop.from_rdns;
    if (!hop.from_rdns.empty() && !hop.from_ip.empty()) out += ' ';
    if (!hop.from_ip.empty()) out += address_literal(hop.from_ip);
    out += ')';
  }
  return out;
}

std::string by_clause(const ReceivedHop& hop) {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view v) {
    if (v.empty()) return;
    if (!out.empty()) out += ' ';
    out += key;
    out += ' ';
    out += v;
  };
  add("by", hop.by);
  add("with", hop.with);
  add("id", hop.id);
  return out;
}

std::string for_clause(const ReceivedHop& hop) {
  return hop.for_addr.empty() ? std::string() : "for <" + hop.for_addr + ">";
}

// Inside a "(...)" after "from": "rdns [ip]", "[ip]" or "rdns".
void read_tcp_info(std::string_view comment, ReceivedHop& hop) {
  const std::size_t lb = comment.find('[');
  const std::size_t rb = lb == std::string_view::npos ? lb : comment.find(']', lb);
  if (lb != std::string_view::npos && rb != std::string_view::npos) {
    std::string_view ip = comment.substr(lb + 1, rb - lb - 1);
    if (detail::istarts_with(ip, "IPv6:")) ip.remove_prefix(5);
    hop.from_ip = std::string(ip);
    hop.from_rdns = std::string(detail::trim(comment.substr(0, lb)));
  } else {
    const std::string_view t = detail::trim(comment);
    if (t.find(' ') == std::string_view::npos) hop.from_rdns = std::string(t);
  }
  if (hop.from_rdns == "unknown") hop.from_rdns.clear();
}

}  // namespace

std::string with_protocol(bool esmtp, bool tls, bool authenticated) {
  if (!esmtp && !tls && !authenticated) return "SMTP";
  std::string out = "ESMTP";
  if (tls) out += 'S';
  if (authenticated) out += 'A';
  return out;
}

std::string received_value(const ReceivedHop& hop) {
  std::string out = from_clause(hop);
  for (const std::string& part : {by_clause(hop), for_clause(hop)}) {
    if (part.empty()) continue;
    if (!out.empty()) out += ' ';
    out += part;
  }
  out += "; ";
  out += hop.date;
  return out;
}

std::string received_header(const ReceivedHop& hop) {
  // Each clause on its own line, continuation lines indented with a tab.
  std::string out = "Received:";
  bool first = true;
  for (const std::string& part : {from_clause(hop), by_clause(hop), for_clause(hop)}) {
    if (part.empty()) continue;
    out += first ? " " : "\r\n\t";
    out += part;
    first = false;
  }
  out += first ? " ; " : "; ";
  // Keep the date on the last line unless that line would grow past the fold width.
  const std::size_t last_line = out.size() - std::min(out.size(), out.rfind('\n') + 1);
  if (last_line + hop.date.size() > kFoldWidth) out += "\r\n\t";
  out += hop.date;
  out += "\r\n";
  return out;
}

std::string add_received(std::string_view raw, const ReceivedHop& hop) {
  std::string out = received_header(hop);
  out.append(raw);
  return out;
}

std::string add_return_path(std::string_view raw, std::string_view reverse_path) {
  std::string path(reverse_path);
  if (path.empty() || path.front() != '<') path = "<" + path + ">";
  return prepend_header(raw, "Return-Path", path);
}

ReceivedHop parse_received(std::string_view value) {
  ReceivedHop hop;
  hop.raw = std::string(value);
  std::string_view clauses = value;
  if (const std::size_t semi = value.rfind(';'); semi != std::string_view::npos) {
    hop.date = std::string(detail::trim(value.substr(semi + 1)));
    clauses = value.substr(0, semi);
  }
  // Words and comments; a comment right after "from <domain>" carries TCP-info.
  std::string* target = nullptr;
  bool in_from = false;
  std::size_t i = 0;
  while (i < clauses.size()) {
    const char c = clauses[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (c == '(') {
      const std::size_t b = i;
      i = detail::skip_comment(clauses, i);
      if (in_from && hop.from_ip.empty() && hop.from_rdns.empty()) {
        std::string_view inner = clauses.substr(b + 1, i - b - 1);
        if (!inner.empty() && inner.back() == ')') inner.remove_suffix(1);
        read_tcp_info(inner, hop);
      }
      continue;
    }
    const std::size_t b = i;
    while (i < clauses.size() && clauses[i] != ' ' && clauses[i] != '\t' && clauses[i] != '\r' &&
           clauses[i] != '\n' && clauses[i] != '(')
      ++i;
    const std::string_view word = clauses.substr(b, i - b);
    if (target != nullptr) {
      *target = std::string(word);
      target = nullptr;
      continue;
    }
    in_from = false;
    if (detail::iequals(word, "from")) {
      target = &hop.from_helo;
      in_from = true;
    } else if (detail::iequals(word, "by")) {
      target = &hop.by;
    } else if (detail::iequals(word, "with")) {
      target = &hop.with;
    } else if (detail::iequals(word, "id")) {
      target = &hop.id;
    } else if (detail::iequals(word, "for")) {
      target = &hop.for_addr;
    }
  }
  if (!hop.for_addr.empty() && hop.for_addr.front() == '<') hop.for_addr.erase(0, 1);
  if (!hop.for_addr.empty() && hop.for_addr.back() == '>') hop.for_addr.pop_back();
  if (hop.from_helo.size() > 2 && hop.from_helo.front() == '[' && hop.from_helo.back() == ']' &&
      hop.from_ip.empty()) {
    std::string_view ip = std::string_view(hop.from_helo).substr(1, hop.from_helo.size() - 2);
    if (detail::istarts_with(ip, "IPv6:")) ip.remove_prefix(5);
    hop.from_ip = std::string(ip);
  }
  return hop;
}

std::vector<ReceivedHop> parse_received_chain(std::string_view raw_message) {
  std::vector<ReceivedHop> hops;
  for (const auto& value : find_all_headers(parse_header_section(raw_message), "Received"))
    hops.push_back(parse_received(value));
  std::reverse(hops.begin(), hops.end());
  return hops;
}

}  // namespace mailsim::message
