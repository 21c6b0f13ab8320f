// Line breaking for English and Japanese (see line_break.hpp).
#include "gui/model/line_break.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailsim::gui {

namespace {

struct CodePoint {
  char32_t c = 0;
  std::size_t at = 0;  // byte offset
};

std::vector<CodePoint> decode(std::string_view s) {
  std::vector<CodePoint> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    char32_t c = b;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      c = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      c = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      c = b & 0x07u;
    }
    bool ok = i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) {
        ok = false;
      } else {
        c = (c << 6) | (cont & 0x3Fu);
      }
    }
    if (!ok) {
      len = 1;
      c = b;
    }
    out.push_back({c, i});
    i += len;
  }
  return out;
}

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000'; }

// Characters that must not start a line (closing punctuation, small kana, the long vowel mark).
bool no_start(char32_t c) {
  constexpr std::u32string_view kSet =
      U"、。，．・：；？！ー）」』】〕〉》］｝”’ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ…‥〜～"
      U",.;:!?)]}%";
  return kSet.find(c) != std::u32string_view::npos;
}

// Characters that must not end a line (opening brackets and quotes).
bool no_end(char32_t c) {
  constexpr std::u32string_view kSet = U"（「『【〔〈《［｛“‘([{";
  return kSet.find(c) != std::u32string_view::npos;
}

// Inside a word too wide for a line, a break may follow these (host names, addresses, paths).
bool after_ok(char32_t c) { return c == U'.' || c == U'/' || c == U'-' || c == U'@'; }

constexpr float kMinFill = 0.34f;  // a line broken between phrases is at least this full

bool is_hiragana(char32_t c) { return c >= 0x3041 && c <= 0x309F; }

// A Japanese phrase boundary (where a person would break a line): after punctuation and
// closing brackets, before opening brackets, and where a run of hiragana (particles, verb
// endings) meets the next word (kanji, katakana, Latin, digits). Never inside a run of kanji
// ("郵便局"), katakana ("スマートフォン") or hiragana ("しました"), nor between a word and its
// okurigana or particle ("確認|しました", "サーバー|が").
bool phrase_boundary(char32_t prev, char32_t cur) {
  if (no_start(cur)) return false;
  if (no_end(cur)) return true;
  constexpr std::u32string_view kAfter = U"、。，．：；？！）」』】〕〉》］｝”’";
  if (kAfter.find(prev) != std::u32string_view::npos) return true;
  return is_hiragana(prev) && !is_hiragana(cur);
}

}  // namespace

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x2FDF) ||   // CJK radicals
         (c >= 0x3000 && c <= 0x30FF) ||   // CJK punctuation, hiragana, katakana
         (c >= 0x3100 && c <= 0x31FF) ||   // bopomofo, katakana extensions
         (c >= 0x3400 && c <= 0x4DBF) ||   // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||   // CJK unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||   // compatibility ideographs
         (c >= 0xFF00 && c <= 0xFFEF) ||   // full-width and half-width forms
         (c >= 0x20000 && c <= 0x3FFFF);   // supplementary ideographs
}

std::vector<std::string> break_lines(std::string_view text, float width, const MeasureText& measure,
                                     bool after_dots) {
  std::vector<std::string> lines;
  const auto cps = decode(text);
  const std::size_t n = cps.size();
  auto byte_at = [&](std::size_t i) { return i < n ? cps[i].at : text.size(); };
  auto forced = [&](std::size_t i) { return i > 0 && cps[i - 1].c == U'\n'; };
  // A line may start at code point i (0 < i < n).
  auto may_break = [&](std::size_t i) {
    const char32_t prev = cps[i - 1].c;
    const char32_t cur = cps[i].c;
    if (prev == U'\n') return true;
    if (is_space(cur) || cur == U'\n') return false;
    if (is_space(prev)) return true;
    return (is_cjk(prev) || is_cjk(cur)) && !no_start(cur) && !no_end(prev);
  };
  // A break a person would choose: at spaces, and in Japanese only between phrases.
  auto good_break = [&](std::size_t i) {
    if (!may_break(i)) return false;
    const char32_t prev = cps[i - 1].c;
    const char32_t cur = cps[i].c;
    if (prev == U'\n' || is_space(prev)) return true;
    return phrase_boundary(prev, cur);
  };
  // The piece [from, to) without the spaces and line feed at its end.
  auto piece = [&](std::size_t from, std::size_t to) {
    while (to > from && (is_space(cps[to - 1].c) || cps[to - 1].c == U'\n')) --to;
    return text.substr(byte_at(from), byte_at(to) - byte_at(from));
  };

  std::size_t start = 0;
  while (start < n) {
    std::size_t best = 0;  // end of the longest piece that fits (0: none)
    std::size_t first_break = n;
    // Between phrases first; between any two Japanese characters only when a phrase is
    // longer than the line.
    // (A phrase break that would leave the line less than a third full gives way too.)
    for (int pass = 0; pass < 2; ++pass) {
      if (pass == 1 && best != 0 &&
          (best >= n || forced(best) || measure(piece(start, best)) >= width * kMinFill))
        break;
      best = 0;
      first_break = n;
      for (std::size_t b = start + 1; b <= n; ++b) {
        if (b < n && !(pass == 0 ? good_break(b) : may_break(b))) continue;
        if (first_break == n) first_break = b;
        if (measure(piece(start, b)) > width) break;
        best = b;
        if (forced(b)) break;
      }
    }
    if (best == 0) {
      // Even the first word is too wide: split it between characters (at least one).
      best = start + 1;
      while (best < first_break && measure(piece(start, best + 1)) <= width) ++best;
      // Asked for (host names): after its last dot (or slash, hyphen, at sign) that fits, so
      // that the parts stay whole ("mail." / "example.com").
      if (after_dots && best < first_break) {
        for (std::size_t j = best; j > start + 1; --j) {
          if (after_ok(cps[j - 1].c)) {
            best = j;
            break;
          }
        }
      }
    }
    lines.emplace_back(piece(start, best));
    start = best;
    while (start < n && is_space(cps[start].c)) ++start;
  }
  return lines;
}

std::string cut_words(std::string_view text_in, float width, const MeasureText& w, std::string_view ellipsis) {
  const std::string text(text_in);
  if (w(text) <= width) return text;
  // Decodes the code point starting at byte i (enough for the BMP).
  auto cp_at = [&](std::size_t i) -> unsigned {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80 || i + 1 >= text.size()) return c;
    if (c < 0xE0) return ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
    if (i + 2 >= text.size()) return c;
    return ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
  };
  auto hiragana = [](unsigned c) { return c >= 0x3041 && c <= 0x309F; };
  // Characters a Japanese line never starts with (closing brackets, stops, the long vowel mark).
  auto no_start = [](unsigned c) {
    return c == 0x3001 || c == 0x3002 || c == 0xFF09 || c == 0x300D || c == 0x300F || c == 0x30FC || c == 0xFF0C ||
           c == 0xFF0E || c == 0xFF1A;
  };
  std::string best;
  unsigned prev = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const unsigned c = cp_at(i);
    // A cut before this character ends a word: after a space or a name's separator, or between
    // two Japanese characters that are not both katakana.
    // In Japanese, between phrases only: after 、。 and closing brackets, before an opening
    // bracket, where hiragana meets the next word ("しろやぎさんの|PC"); never inside 暗号化なし.
    // A name and its honorific are two words: "しろやぎ|さん" (a hiragana name has no other
    // boundary a cut could use, and 「…」 alone says nothing in a narrow column).
    const bool honorific = prev != 0 && prev != ' ' && text.compare(i, 6, "\xE3\x81\x95\xE3\x82\x93") == 0;
    const bool japanese_break =
        !no_start(c) && (prev == 0x3001 || prev == 0x3002 || prev == 0xFF09 || prev == 0x300D || c == 0xFF08 ||
                         c == 0x300C || (hiragana(prev) && !hiragana(c) && c != ' ') || honorific);
    const bool at_break =
        i > 0 && (c == ' ' || prev == '.' || prev == '-' || prev == '/' || prev == '@' || japanese_break);
    if (at_break) {
      std::string head = text.substr(0, i);
      while (!head.empty() && (head.back() == ' ' || head.back() == '.' || head.back() == '-' || head.back() == '/'))
        head.pop_back();
      if (!head.empty() && w(head + std::string(ellipsis)) <= width) best = head + std::string(ellipsis);
      else if (!head.empty()) break;  // longer heads are wider still
    }
    prev = c;
    i += len;
  }
  return best;
}

}  // namespace mailsim::gui
