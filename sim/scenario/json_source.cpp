// JSON parsing with source locations, using nlohmann's SAX parser over a counting input.
#include "sim/scenario/json_source.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <vector>

namespace mailsim::sim {
namespace {

// Offsets of line starts, to turn a byte offset into line:column.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  SourceLocation at(std::size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const std::size_t line = static_cast<std::size_t>(it - starts_.begin());
    return SourceLocation{static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
  }

 private:
  std::vector<std::size_t> starts_;
};

// An input iterator over the text that tells how many bytes the parser has consumed.
struct CountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* p = nullptr;
  std::size_t* consumed = nullptr;

  reference operator*() const { return *p; }
  CountingIterator& operator++() {
    ++p;
    ++*consumed;
    return *this;
  }
  CountingIterator operator++(int) {
    auto copy = *this;
    ++*this;
    return copy;
  }
  bool operator==(const CountingIterator& o) const { return p == o.p; }
  bool operator!=(const CountingIterator& o) const { return p != o.p; }
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Builds the document and records where each value starts (one location per value, children
// listed per container when it closes).
class LocatingSax {
 public:
  LocatingSax(std::string_view text, const std::size_t& consumed, JsonSource& out)
      : text_(text), consumed_(consumed), out_(out) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(nlohmann::json::number_integer_t v) { return value(v); }
  bool number_unsigned(nlohmann::json::number_unsigned_t v) { return value(v); }
  bool number_float(nlohmann::json::number_float_t v, const std::string&) { return value(v); }
  bool string(std::string& v) { return value(std::move(v)); }
  bool binary(nlohmann::json::binary_t&) { return value(nullptr); }

  bool start_object(std::size_t) { return open(nlohmann::json::object()); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(nlohmann::json::array()); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    if (f.node->contains(k)) {
      duplicate_ = true;
      duplicate_key_ = k;
      duplicate_at_ = key_start();
      return false;
    }
    f.key = std::move(k);
    // The key's closing quote was the last byte read; its opening quote is where it starts.
    f.key_at = index_.at(key_start());
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    error_position_ = position;
    error_message_ = ex.what();
    return false;
  }

  bool duplicate() const { return duplicate_; }
  const std::string& duplicate_key() const { return duplicate_key_; }
  std::size_t duplicate_at() const { return duplicate_at_; }
  bool too_deep() const { return too_deep_; }
  std::size_t too_deep_at() const { return too_deep_at_; }
  std::size_t error_position() const { return error_position_; }
  const std::string& error_message() const { return error_message_; }
  LineIndex& index() { return index_; }

 private:
  struct Frame {
    nlohmann::json* node;
    std::uint32_t id;
    std::string key;                                         // the member being read (objects)
    SourceLocation key_at;                                   // where that key starts
    std::vector<std::uint32_t> elements;                     // arrays: child ids in order
    std::vector<std::pair<std::string, std::uint32_t>> members;  // objects: key, child id
  };

  std::size_t key_start() const {
    std::size_t end = consumed_ == 0 ? 0 : consumed_ - 1;  // the closing quote
    return opening_quote(end);
  }

  // The unescaped '"' that opens the string whose closing quote is at `end`.
  std::size_t opening_quote(std::size_t end) const {
    std::size_t i = end;
    while (i > 0) {
      --i;
      if (text_[i] == '"') {
        std::size_t backslashes = 0;
        for (std::size_t k = i; k > 0 && text_[k - 1] == '\\'; --k) ++backslashes;
        if (backslashes % 2 == 0) return i;
      }
    }
    return 0;
  }

  // Start of the scalar that was just read: the lexer may have read one byte past it.
  std::size_t scalar_start() const {
    std::size_t end = consumed_;
    if (end > text_.size()) end = text_.size();
    while (end > 0 && (is_space(text_[end - 1]) || text_[end - 1] == ',' || text_[end - 1] == ']' ||
                       text_[end - 1] == '}'))
      --end;
    if (end > 0 && text_[end - 1] == '"') return opening_quote(end - 1);
    std::size_t i = end;
    while (i > 0 && !is_space(text_[i - 1]) && text_[i - 1] != ',' && text_[i - 1] != '[' && text_[i - 1] != ':')
      --i;
    return i;
  }

  // Adds `v` to the document; returns the new node and its id.
  nlohmann::json* place(nlohmann::json v, std::size_t start) {
    const auto id = static_cast<std::uint32_t>(out_.at.size());
    out_.child_begin.push_back(0);
    if (stack_.empty()) {
      out_.at.push_back(index_.at(start));
      out_.root = std::move(v);
      return &out_.root;
    }
    Frame& f = stack_.back();
    if (f.node->is_array()) {
      out_.at.push_back(index_.at(start));
      f.elements.push_back(id);
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    out_.at.push_back(f.key_at);
    auto& slot = (*f.node)[f.key];
    slot = std::move(v);
    f.members.emplace_back(std::move(f.key), id);
    f.key.clear();
    return &slot;
  }

  bool value(nlohmann::json v) {
    place(std::move(v), scalar_start());
    return true;
  }

  bool open(nlohmann::json v) {
    const std::size_t start = consumed_ == 0 ? 0 : consumed_ - 1;  // the '{' or '['
    if (stack_.size() >= kMaxJsonDepth) {
      too_deep_ = true;
      too_deep_at_ = start;
      return false;
    }
    const auto id = static_cast<std::uint32_t>(out_.at.size());
    nlohmann::json* node = place(std::move(v), start);
    stack_.push_back(Frame{node, id, {}, {}, {}, {}});
    return true;
  }

  bool close() {
    Frame& f = stack_.back();
    out_.child_begin[f.id] = static_cast<std::uint32_t>(out_.child_ids.size());
    if (f.node->is_array()) {
      out_.child_ids.insert(out_.child_ids.end(), f.elements.begin(), f.elements.end());
    } else {
      // The order in which the object iterates its keys (nlohmann keeps them sorted).
      std::sort(f.members.begin(), f.members.end(),
                [](const auto& a, const auto& b) { return std::less<>()(a.first, b.first); });
      for (const auto& m : f.members) out_.child_ids.push_back(m.second);
    }
    stack_.pop_back();
    return true;
  }

  std::string_view text_;
  const std::size_t& consumed_;
  JsonSource& out_;
  LineIndex index_{text_};
  std::vector<Frame> stack_;
  bool duplicate_ = false;
  std::string duplicate_key_;
  std::size_t duplicate_at_ = 0;
  bool too_deep_ = false;
  std::size_t too_deep_at_ = 0;
  std::size_t error_position_ = 0;
  std::string error_message_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
// column 5: "; keep only the part that explains the problem.
std::string clean_message(const std::string& what) {
  std::string m = what;
  if (auto p = m.find(": syntax error"); p != std::string::npos) m = m.substr(p + 2);
  else if (auto q = m.rfind("]: "); q != std::string::npos) m = m.substr(q + 3);
  else if (auto r = m.find("column "); r != std::string::npos) {
    if (auto colon = m.find(": ", r); colon != std::string::npos) m = m.substr(colon + 2);
  }
  return m;
}

}  // namespace

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string cut_text(std::string_view text, std::size_t max) {
  std::string out;
  std::size_t n = std::min(text.size(), max);
  // Never end inside a UTF-8 sequence: step back over continuation bytes.
  if (n < text.size())
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  out.reserve(n + 32);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
  }
  if (n < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

SourceLocation JsonSource::locate(std::string_view pointer) const {
  if (at.empty()) return SourceLocation{1, 1};
  std::uint32_t id = 0;
  const nlohmann::json* node = &root;
  std::size_t pos = 0;
  while (pos < pointer.size() && pointer[pos] == '/') {
    const std::size_t next = std::min(pointer.find('/', pos + 1), pointer.size());
    const std::string_view raw = pointer.substr(pos + 1, next - pos - 1);
    pos = next;
    std::size_t index = 0;
    if (node->is_array()) {
      if (raw.empty() || raw.size() > 9) break;
      bool digits = true;
      for (char c : raw) digits = digits && c >= '0' && c <= '9';
      if (!digits) break;
      index = static_cast<std::size_t>(std::stoul(std::string(raw)));
      if (index >= node->size()) break;
      node = &(*node)[index];
    } else if (node->is_object()) {
      std::string key;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          key += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          key += raw[i];
        }
      }
      const auto it = node->find(key);
      if (it == node->end()) break;
      for (auto k = node->begin(); k != it; ++k) ++index;
      node = &*it;
    } else {
      break;
    }
    const std::size_t slot = std::size_t{child_begin[id]} + index;
    if (slot >= child_ids.size()) break;
    id = child_ids[slot];
  }
  return at[id];
}

std::optional<JsonSource> parse_json_source(std::string_view text, std::string file, JsonSyntaxError& error) {
  JsonSource out;
  out.file = std::move(file);
  std::size_t consumed = 0;
  LocatingSax sax(text, consumed, out);
  CountingIterator first{text.data(), &consumed};
  CountingIterator last{text.data() + text.size(), &consumed};
  const bool ok = nlohmann::json::sax_parse(first, last, &sax, nlohmann::json::input_format_t::json, true, true);
  if (ok) return out;
  if (sax.duplicate()) {
    error.where = sax.index().at(sax.duplicate_at());
    error.message = "duplicate key \"" + cut_text(sax.duplicate_key()) + "\" (each key may appear once in an object)";
    return std::nullopt;
  }
  if (sax.too_deep()) {
    error.where = sax.index().at(sax.too_deep_at());
    error.message = "arrays and objects nested deeper than " + std::to_string(kMaxJsonDepth) +
                    " levels (a scenario needs fewer than 10)";
    return std::nullopt;
  }
  // nlohmann reports the position just past the offending token.
  std::size_t pos = sax.error_position();
  if (pos > 0) --pos;
  if (pos >= text.size()) pos = text.empty() ? 0 : text.size() - 1;
  // Point at the start of the offending token rather than its last byte.
  if (!text.empty() && text[pos] == '"') {
    for (std::size_t i = pos; i > 0; --i) {
      if (text[i - 1] == '"' && (i < 2 || text[i - 2] != '\\')) {
        pos = i - 1;
        break;
      }
    }
  } else {
    while (pos > 0 && (std::isalnum(static_cast<unsigned char>(text[pos - 1])) || text[pos - 1] == '.' ||
                       text[pos - 1] == '-' || text[pos - 1] == '+'))
      --pos;
  }
  error.where = sax.index().at(pos);
  error.message = "invalid JSON: " + cut_text(clean_message(sax.error_message()), 200);
  return std::nullopt;
}

}  // namespace mailsim::sim
