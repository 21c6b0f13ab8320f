// IMAP4rev1 command-argument parser (RFC 3501 section 9 grammar, RFC 7888 literals).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/imap_util.hpp"

namespace mailsim::imap {

// Deepest nesting of parenthesised lists / NOT / OR in one command.
inline constexpr std::size_t kMaxNestingDepth = 32;

// "1:*" is {1, 0}: 0 stands for "*" (never a valid number in a sequence set).
struct SeqRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};

struct SequenceSet {
  std::vector<SeqRange> ranges;
  bool uses_star() const;
  // Whether `value` is in the set when "*" means `star`; a range may be written backwards.
  bool contains(std::uint32_t value, std::uint32_t star) const;
  // The largest value named (with "*" as `star`).
  std::uint32_t max_value(std::uint32_t star) const;
};

enum class SectionText { None, Header, HeaderFields, HeaderFieldsNot, Text, Mime };

// A BODY[...] section: part path ("1.2"), then which text of it.
struct Section {
  std::vector<std::uint32_t> parts;
  SectionText text = SectionText::None;
  std::vector<std::string> fields;  // HEADER.FIELDS (upper-cased)
  std::string spec() const;         // canonical text between the brackets
};

struct FetchAtt {
  enum class Kind {
    Flags, Uid, InternalDate, Rfc822Size, Rfc822, Rfc822Header, Rfc822Text,
    Envelope, Body, BodyStructure, BodySection
  };
  Kind kind = Kind::Flags;
  bool peek = false;  // BODY.PEEK[...]
  Section section;
  bool has_partial = false;  // <offset.count>
  std::uint32_t partial_offset = 0;
  std::uint32_t partial_count = 0;
};

struct SearchKey {
  enum class Kind {
    All, Answered, Deleted, Flagged, New, Old, Recent, Seen, Draft,
    Unanswered, Undeleted, Unflagged, Unseen, Undraft, Keyword, Unkeyword,
    From, To, Cc, Bcc, Subject, Body, Text, Header, Larger, Smaller,
    Before, On, Since, Uid, Sequence, Not, Or, And
  };
  Kind kind = Kind::All;
  std::string arg;   // string argument (header name for HEADER)
  std::string arg2;  // HEADER value
  std::uint32_t number = 0;
  std::int64_t day = 0;  // BEFORE/ON/SINCE: day number
  SequenceSet set;
  std::vector<SearchKey> children;  // NOT: 1, OR: 2, And: any
};

// A recursive-descent reader over one complete command (its lines joined with CRLF and
// its literals inline, exactly as on the wire). The first error sticks: later reads
// return empty values, so a handler parses all its arguments and checks ok() once.
class CommandParser {
 public:
  explicit CommandParser(std::string_view input) : in_(input) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message);
  bool at_end() const { return pos_ >= in_.size(); }
  std::size_t position() const { return pos_; }
  bool peek(char c) const { return pos_ < in_.size() && in_[pos_] == c; }
  bool consume(char c);
  void expect(char c, const char* what);
  void sp() { expect(' ', at_end() ? "Missing argument" : "Expected a space"); }
  // Fails unless everything was read ("Unexpected characters after command").
  void end();

  std::string tag();
  std::string atom();
  std::string astring();
  std::string string();  // quoted or literal
  std::uint32_t number();
  std::uint32_t nz_number();
  SequenceSet sequence_set();
  std::string mailbox();       // astring; "inbox" in any case becomes "INBOX"
  std::string list_mailbox();  // 1*list-char or a string
  std::string flag();          // "\Seen" or a keyword (canonical spelling)
  FlagSet flag_list();         // "(" [flag *(SP flag)] ")"
  FlagSet store_flags();       // a flag list, or flags separated by spaces
  std::vector<FetchAtt> fetch_atts();  // one att, a macro, or a list
  SearchKey search_keys();     // search-key *(SP search-key): an And of them
  std::int64_t date_time();    // quoted date-time -> seconds
  std::int64_t date();         // date or quoted date -> day number

 private:
  FetchAtt fetch_att();
  Section section();
  SearchKey search_key(std::size_t depth);
  std::string literal();
  std::string quoted();
  std::uint32_t digits();

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace mailsim::imap
