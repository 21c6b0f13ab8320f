// JSON parsing with source locations, using nlohmann's SAX parser over a counting input.
#include "sim/json_source.hpp"

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

// Builds the document and records where each value starts.
class LocatingSax {
 public:
  LocatingSax(std::string_view text, const std::size_t& consumed, JsonSource& out)
      : text_(text), consumed_(consumed), out_(out) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(nlohmann::json::number_integer_t v) { return value(v); }
  bool number_unsigned(nlohmann::json::number_unsigned_t v) { return value(v); }
  bool number_float(nlohmann::json::number_float_t v, const std::string&) { return value(v); }
  bool string(std::string& v) { return value(v); }
  bool binary(nlohmann::json::binary_t&) { return value(nullptr); }

  bool start_object(std::size_t) { return open(nlohmann::json::object()); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(nlohmann::json::array()); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    if (f.keys.count(k)) {
      duplicate_ = true;
      duplicate_key_ = k;
      duplicate_at_ = key_start();
      return false;
    }
    f.keys.insert(k);
    f.key = k;
    // The key's closing quote was the last byte read; find its opening quote.
    out_.locations[f.pointer + "/" + pointer_escape(k)] = index_.at(key_start());
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
  std::size_t error_position() const { return error_position_; }
  const std::string& error_message() const { return error_message_; }
  LineIndex& index() { return index_; }

 private:
  struct Frame {
    nlohmann::json* node;
    std::string pointer;
    std::string key;
    std::set<std::string> keys;
  };

  std::size_t key_start() const {
    std::size_t end = consumed_ == 0 ? 0 : consumed_ - 1;  // the closing quote
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
    if (end > 0 && text_[end - 1] == '"') {
      std::size_t i = end - 1;
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
    std::size_t i = end;
    while (i > 0 && !is_space(text_[i - 1]) && text_[i - 1] != ',' && text_[i - 1] != '[' && text_[i - 1] != ':')
      --i;
    return i;
  }

  std::string child_pointer() {
    Frame& f = stack_.back();
    if (f.node->is_array()) return f.pointer + "/" + std::to_string(f.node->size());
    return f.pointer + "/" + pointer_escape(f.key);
  }

  nlohmann::json* place(nlohmann::json v, std::size_t start, bool record) {
    if (stack_.empty()) {
      out_.root = std::move(v);
      out_.locations[""] = index_.at(start);
      return &out_.root;
    }
    Frame& f = stack_.back();
    const std::string ptr = child_pointer();
    if (f.node->is_array()) {
      if (record) out_.locations[ptr] = index_.at(start);
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    auto& slot = (*f.node)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool value(nlohmann::json v) {
    place(std::move(v), scalar_start(), true);
    return true;
  }

  bool open(nlohmann::json v) {
    const std::size_t start = consumed_ == 0 ? 0 : consumed_ - 1;  // the '{' or '['
    const std::string ptr = stack_.empty() ? std::string() : child_pointer();
    nlohmann::json* node = place(std::move(v), start, true);
    stack_.push_back(Frame{node, ptr, {}, {}});
    return true;
  }

  bool close() {
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

SourceLocation JsonSource::locate(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = locations.find(p);
    if (it != locations.end()) return it->second;
    if (p.empty()) return SourceLocation{1, 1};
    p = p.substr(0, p.rfind('/'));
  }
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
    error.message = "duplicate key \"" + sax.duplicate_key() + "\" (each key may appear once in an object)";
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
  error.message = "invalid JSON: " + clean_message(sax.error_message());
  return std::nullopt;
}

}  // namespace mailsim::sim
