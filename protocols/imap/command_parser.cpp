// IMAP4rev1 command-argument parser: strings, literals, sequence sets, fetch and search grammar.
#include "protocols/imap/command_parser.hpp"

#include <algorithm>

namespace mailsim::imap {

namespace {

using proto::is_digit;

bool is_tag_char(char c) { return c != '+' && (is_atom_char(c) || c == ']'); }

// list-char: ATOM-CHAR / list-wildcards / resp-specials
bool is_list_char(char c) { return is_atom_char(c) || c == '%' || c == '*' || c == ']'; }

}  // namespace

bool SequenceSet::uses_star() const {
  return std::any_of(ranges.begin(), ranges.end(),
                     [](const SeqRange& r) { return r.first == 0 || r.last == 0; });
}

bool SequenceSet::contains(std::uint32_t value, std::uint32_t star) const {
  for (const auto& r : ranges) {
    std::uint32_t a = r.first == 0 ? star : r.first;
    std::uint32_t b = r.last == 0 ? star : r.last;
    if (a > b) std::swap(a, b);
    if (value >= a && value <= b) return true;
  }
  return false;
}

std::uint32_t SequenceSet::max_value(std::uint32_t star) const {
  std::uint32_t m = 0;
  for (const auto& r : ranges) {
    m = std::max(m, r.first == 0 ? star : r.first);
    m = std::max(m, r.last == 0 ? star : r.last);
  }
  return m;
}

std::string Section::spec() const {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(parts[i]);
  }
  const char* name = nullptr;
  switch (text) {
    case SectionText::None: break;
    case SectionText::Header: name = "HEADER"; break;
    case SectionText::HeaderFields: name = "HEADER.FIELDS"; break;
    case SectionText::HeaderFieldsNot: name = "HEADER.FIELDS.NOT"; break;
    case SectionText::Text: name = "TEXT"; break;
    case SectionText::Mime: name = "MIME"; break;
  }
  if (name) {
    if (!out.empty()) out += '.';
    out += name;
  }
  if (text == SectionText::HeaderFields || text == SectionText::HeaderFieldsNot) {
    out += " (";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ' ';
      out += imap_astring(fields[i]);
    }
    out += ')';
  }
  return out;
}

void CommandParser::fail(std::string message) {
  if (ok()) error_ = std::move(message);
}

bool CommandParser::consume(char c) {
  if (!ok() || !peek(c)) return false;
  ++pos_;
  return true;
}

void CommandParser::expect(char c, const char* what) {
  if (!ok()) return;
  if (!consume(c)) fail(what);
}

void CommandParser::end() {
  if (ok() && !at_end()) fail("Unexpected characters after the command");
}

std::string CommandParser::tag() {
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_tag_char(in_[pos_])) ++pos_;
  if (pos_ == start) fail("Missing or invalid tag");
  return ok() ? std::string(in_.substr(start, pos_ - start)) : std::string();
}

std::string CommandParser::atom() {
  if (!ok()) return {};
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_atom_char(in_[pos_])) ++pos_;
  if (pos_ == start) {
    fail(at_end() ? "Missing argument" : "Expected an atom");
    return {};
  }
  return std::string(in_.substr(start, pos_ - start));
}

std::uint32_t CommandParser::digits() {
  if (!ok()) return 0;
  if (pos_ >= in_.size() || !is_digit(in_[pos_])) {
    fail("Expected a number");
    return 0;
  }
  std::uint64_t v = 0;
  while (pos_ < in_.size() && is_digit(in_[pos_])) {
    v = v * 10 + static_cast<std::uint64_t>(in_[pos_] - '0');
    ++pos_;
    if (v > 0xFFFFFFFFull) {
      fail("Number too large");
      return 0;
    }
  }
  return static_cast<std::uint32_t>(v);
}

std::uint32_t CommandParser::number() { return digits(); }

std::uint32_t CommandParser::nz_number() {
  const std::uint32_t v = digits();
  if (ok() && v == 0) fail("Zero is not allowed here");
  return v;
}

std::string CommandParser::quoted() {
  // Called with pos_ at the opening DQUOTE.
  ++pos_;
  std::string out;
  while (ok()) {
    if (pos_ >= in_.size()) {
      fail("Unterminated quoted string");
      break;
    }
    const char c = in_[pos_++];
    if (c == '"') return out;
    if (c == '\r' || c == '\n' || c == '\0') {
      fail("Invalid character in quoted string");
      break;
    }
    if (c == '\\') {
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\\')) {
        fail("Invalid escape in quoted string");
        break;
      }
      out += in_[pos_++];
      continue;
    }
    out += c;
  }
  return {};
}

std::string CommandParser::literal() {
  // Called with pos_ at '{'. The framing layer already checked the size limit.
  ++pos_;
  const std::uint32_t n = digits();
  consume('+');
  expect('}', "Invalid literal");
  expect('\r', "Invalid literal");
  expect('\n', "Invalid literal");
  if (!ok()) return {};
  if (in_.size() - pos_ < n) {
    fail("Truncated literal");
    return {};
  }
  std::string out(in_.substr(pos_, n));
  pos_ += n;
  return out;
}

std::string CommandParser::string() {
  if (!ok()) return {};
  if (peek('"')) return quoted();
  if (peek('{')) return literal();
  fail(at_end() ? "Missing argument" : "Expected a string");
  return {};
}

std::string CommandParser::astring() {
  if (!ok()) return {};
  if (peek('"') || peek('{')) return string();
  const std::size_t start = pos_;
  while (pos_ < in_.size() && (is_atom_char(in_[pos_]) || in_[pos_] == ']')) ++pos_;
  if (pos_ == start) {
    fail(at_end() ? "Missing argument" : "Expected a string");
    return {};
  }
  return std::string(in_.substr(start, pos_ - start));
}

std::string CommandParser::mailbox() {
  std::string name = astring();
  if (iequals(name, "INBOX")) name = "INBOX";
  return name;
}

std::string CommandParser::list_mailbox() {
  if (!ok()) return {};
  if (peek('"') || peek('{')) return string();
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_list_char(in_[pos_])) ++pos_;
  if (pos_ == start) fail(at_end() ? "Missing argument" : "Expected a mailbox pattern");
  return ok() ? std::string(in_.substr(start, pos_ - start)) : std::string();
}

SequenceSet CommandParser::sequence_set() {
  SequenceSet set;
  do {
    SeqRange r;
    if (consume('*')) {
      r.first = 0;
    } else {
      r.first = nz_number();
    }
    r.last = r.first;
    if (consume(':')) r.last = consume('*') ? 0 : nz_number();
    if (!ok()) {
      if (error_ == "Expected a number") error_ = "Invalid sequence set";
      return {};
    }
    set.ranges.push_back(r);
  } while (consume(','));
  return set;
}

std::string CommandParser::flag() {
  if (!ok()) return {};
  if (consume('\\')) {
    if (peek('*')) {
      fail("\\* is not a flag");
      return {};
    }
    const std::string name = atom();
    if (!ok()) return {};
    const std::string f = canonical_flag("\\" + name);
    if (f == kRecent) fail("\\Recent cannot be set");
    return f;
  }
  return atom();
}

FlagSet CommandParser::flag_list() {
  FlagSet flags;
  expect('(', "Expected a flag list");
  if (consume(')')) return flags;
  do {
    std::string f = flag();
    if (!ok()) return {};
    flags.insert(std::move(f));
  } while (consume(' '));
  expect(')', "Missing ')' after the flag list");
  return ok() ? flags : FlagSet{};
}

FlagSet CommandParser::store_flags() {
  if (peek('(')) return flag_list();
  FlagSet flags;
  do {
    std::string f = flag();
    if (!ok()) return {};
    flags.insert(std::move(f));
  } while (consume(' '));
  return flags;
}

std::int64_t CommandParser::date_time() {
  if (!ok()) return 0;
  if (!peek('"')) {
    fail("Expected a date-time");
    return 0;
  }
  const std::string text = quoted();
  if (!ok()) return 0;
  const auto t = parse_date_time(text);
  if (!t) {
    fail("Invalid date-time");
    return 0;
  }
  return *t;
}

std::int64_t CommandParser::date() {
  if (!ok()) return 0;
  std::string text;
  if (peek('"')) {
    text = quoted();
  } else {
    const std::size_t start = pos_;
    while (pos_ < in_.size() && (is_atom_char(in_[pos_]))) ++pos_;
    text = std::string(in_.substr(start, pos_ - start));
  }
  if (!ok()) return 0;
  const auto d = parse_date(text);
  if (!d) {
    fail("Invalid date");
    return 0;
  }
  return *d;
}

Section CommandParser::section() {
  Section s;
  expect('[', "Expected '['");
  if (consume(']')) return s;
  bool need_text = true;
  if (pos_ < in_.size() && is_digit(in_[pos_])) {
    s.parts.push_back(nz_number());
    need_text = false;
    while (ok() && peek('.') && pos_ + 1 < in_.size() && is_digit(in_[pos_ + 1])) {
      ++pos_;
      s.parts.push_back(nz_number());
    }
    if (consume('.')) need_text = true;
  }
  if (ok() && need_text) {
    const std::size_t start = pos_;
    while (pos_ < in_.size() &&
           ((in_[pos_] >= 'A' && in_[pos_] <= 'Z') || (in_[pos_] >= 'a' && in_[pos_] <= 'z') ||
            in_[pos_] == '.'))
      ++pos_;
    const std::string word = to_upper(in_.substr(start, pos_ - start));
    if (word == "HEADER") {
      s.text = SectionText::Header;
    } else if (word == "HEADER.FIELDS") {
      s.text = SectionText::HeaderFields;
    } else if (word == "HEADER.FIELDS.NOT") {
      s.text = SectionText::HeaderFieldsNot;
    } else if (word == "TEXT") {
      s.text = SectionText::Text;
    } else if (word == "MIME" && !s.parts.empty()) {
      s.text = SectionText::Mime;
    } else {
      fail("Invalid section");
    }
    if (s.text == SectionText::HeaderFields || s.text == SectionText::HeaderFieldsNot) {
      sp();
      expect('(', "Expected a header list");
      do {
        std::string name = astring();
        if (ok()) s.fields.push_back(to_upper(name));
      } while (ok() && consume(' '));
      expect(')', "Missing ')' after the header list");
    }
  }
  expect(']', "Missing ']' after the section");
  return ok() ? s : Section{};
}

FetchAtt CommandParser::fetch_att() {
  FetchAtt a;
  if (!ok()) return a;
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_atom_char(in_[pos_]) && in_[pos_] != '[') ++pos_;
  const std::string name = to_upper(in_.substr(start, pos_ - start));
  using K = FetchAtt::Kind;
  if (name == "FLAGS") a.kind = K::Flags;
  else if (name == "UID") a.kind = K::Uid;
  else if (name == "INTERNALDATE") a.kind = K::InternalDate;
  else if (name == "RFC822.SIZE") a.kind = K::Rfc822Size;
  else if (name == "RFC822") a.kind = K::Rfc822;
  else if (name == "RFC822.HEADER") a.kind = K::Rfc822Header;
  else if (name == "RFC822.TEXT") a.kind = K::Rfc822Text;
  else if (name == "ENVELOPE") a.kind = K::Envelope;
  else if (name == "BODYSTRUCTURE") a.kind = K::BodyStructure;
  else if (name == "BODY" && !peek('[')) a.kind = K::Body;
  else if (name == "BODY" || name == "BODY.PEEK") {
    a.kind = K::BodySection;
    a.peek = name == "BODY.PEEK";
    if (!peek('[')) {
      fail("Expected '[' after BODY.PEEK");
      return a;
    }
    a.section = section();
    if (consume('<')) {
      a.has_partial = true;
      a.partial_offset = number();
      expect('.', "Invalid partial");
      a.partial_count = nz_number();
      expect('>', "Invalid partial");
    }
  } else {
    fail(name.empty() ? "Expected a fetch attribute" : "Unknown fetch attribute " + name);
  }
  return a;
}

std::vector<FetchAtt> CommandParser::fetch_atts() {
  std::vector<FetchAtt> atts;
  if (!ok()) return atts;
  using K = FetchAtt::Kind;
  if (consume('(')) {
    do {
      atts.push_back(fetch_att());
    } while (ok() && consume(' '));
    expect(')', "Missing ')' after the fetch attributes");
    if (!ok()) return {};
    return atts;
  }
  // Macros (RFC 3501 6.4.5).
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_atom_char(in_[pos_]) && in_[pos_] != '[') ++pos_;
  const std::string word = to_upper(in_.substr(start, pos_ - start));
  if (word == "ALL" || word == "FAST" || word == "FULL") {
    atts.push_back({K::Flags, false, {}, false, 0, 0});
    atts.push_back({K::InternalDate, false, {}, false, 0, 0});
    atts.push_back({K::Rfc822Size, false, {}, false, 0, 0});
    if (word != "FAST") atts.push_back({K::Envelope, false, {}, false, 0, 0});
    if (word == "FULL") atts.push_back({K::Body, false, {}, false, 0, 0});
    return atts;
  }
  pos_ = start;
  atts.push_back(fetch_att());
  if (!ok()) return {};
  return atts;
}

SearchKey CommandParser::search_key(std::size_t depth) {
  SearchKey k;
  if (!ok()) return k;
  if (depth > kMaxNestingDepth) {
    fail("Search keys nested too deeply");
    return k;
  }
  using K = SearchKey::Kind;
  if (consume('(')) {
    k.kind = K::And;
    do {
      k.children.push_back(search_key(depth + 1));
    } while (ok() && consume(' '));
    expect(')', "Missing ')' in the search keys");
    return k;
  }
  if (peek('*') || (pos_ < in_.size() && is_digit(in_[pos_]))) {
    k.kind = K::Sequence;
    k.set = sequence_set();
    return k;
  }
  const std::size_t start = pos_;
  const std::string name = to_upper(atom());
  if (!ok()) {
    error_ = at_end() ? "Missing search key" : "Expected a search key";
    return k;
  }
  struct Simple {
    const char* name;
    K kind;
  };
  static constexpr Simple kSimple[] = {
      {"ALL", K::All},           {"ANSWERED", K::Answered},     {"DELETED", K::Deleted},
      {"FLAGGED", K::Flagged},   {"NEW", K::New},               {"OLD", K::Old},
      {"RECENT", K::Recent},     {"SEEN", K::Seen},             {"DRAFT", K::Draft},
      {"UNANSWERED", K::Unanswered}, {"UNDELETED", K::Undeleted}, {"UNFLAGGED", K::Unflagged},
      {"UNSEEN", K::Unseen},     {"UNDRAFT", K::Undraft}};
  for (const auto& s : kSimple)
    if (name == s.name) {
      k.kind = s.kind;
      return k;
    }
  static constexpr Simple kString[] = {{"FROM", K::From},       {"TO", K::To},
                                       {"CC", K::Cc},           {"BCC", K::Bcc},
                                       {"SUBJECT", K::Subject}, {"BODY", K::Body},
                                       {"TEXT", K::Text}};
  for (const auto& s : kString)
    if (name == s.name) {
      k.kind = s.kind;
      sp();
      k.arg = astring();
      return k;
    }
  if (name == "KEYWORD" || name == "UNKEYWORD") {
    k.kind = name == "KEYWORD" ? K::Keyword : K::Unkeyword;
    sp();
    k.arg = atom();
  } else if (name == "HEADER") {
    k.kind = K::Header;
    sp();
    k.arg = astring();
    sp();
    k.arg2 = astring();
  } else if (name == "LARGER" || name == "SMALLER") {
    k.kind = name == "LARGER" ? K::Larger : K::Smaller;
    sp();
    k.number = number();
  } else if (name == "BEFORE" || name == "ON" || name == "SINCE") {
    k.kind = name == "BEFORE" ? K::Before : name == "ON" ? K::On : K::Since;
    sp();
    k.day = date();
  } else if (name == "UID") {
    k.kind = K::Uid;
    sp();
    k.set = sequence_set();
  } else if (name == "NOT") {
    k.kind = K::Not;
    sp();
    k.children.push_back(search_key(depth + 1));
  } else if (name == "OR") {
    k.kind = K::Or;
    sp();
    k.children.push_back(search_key(depth + 1));
    sp();
    k.children.push_back(search_key(depth + 1));
  } else {
    pos_ = start;
    fail("Unknown search key " + name);
  }
  return k;
}

SearchKey CommandParser::search_keys() {
  SearchKey all;
  all.kind = SearchKey::Kind::And;
  do {
    all.children.push_back(search_key(0));
  } while (ok() && consume(' '));
  return all;
}

}  // namespace mailsim::imap
