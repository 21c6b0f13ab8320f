// Line breaking for the narration strip: English at spaces, Japanese between characters.
#include <catch2/catch.hpp>

#include "gui/model/line_break.hpp"

using mailsim::gui::break_lines;
using Lines = std::vector<std::string>;

namespace {

// Every code point is 1 wide (Latin) or 2 wide (anything above U+07FF), like a monospace font.
float measure(std::string_view s) {
  float w = 0.0f;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) == 0x80) continue;
    w += b >= 0xE0 ? 2.0f : 1.0f;
  }
  return w;
}

Lines lines(std::string_view text, float width) { return break_lines(text, width, measure); }

}  // namespace

TEST_CASE("line break: English breaks at spaces, which are dropped at the line end", "[gui][wrap]") {
  CHECK(lines("the quick brown fox", 100.0f) == Lines{"the quick brown fox"});
  CHECK(lines("the quick brown fox", 10.0f) == Lines{"the quick", "brown fox"});
  CHECK(lines("the quick brown fox", 9.0f) == Lines{"the quick", "brown fox"});
  CHECK(lines("the quick brown fox", 8.0f) == Lines{"the", "quick", "brown", "fox"});
  CHECK(lines("", 10.0f).empty());
}

TEST_CASE("line break: a word longer than the line is split between characters", "[gui][wrap]") {
  CHECK(lines("mail.example.com ok", 6.0f) == Lines{"mail.e", "xample", ".com", "ok"});
  CHECK(lines("abc", 0.5f) == Lines{"a", "b", "c"});  // always progress
}

TEST_CASE("line break: with after_dots a long host name breaks after a dot, not inside a part", "[gui][wrap]") {
  auto dots = [](std::string_view text, float width) { return break_lines(text, width, measure, true); };
  CHECK(dots("mail.example.com", 14.0f) == Lines{"mail.example.", "com"});
  CHECK(dots("mail.example.com", 11.0f) == Lines{"mail.", "example.com"});
  CHECK(dots("mx1.hogehoge.com ok", 100.0f) == Lines{"mx1.hogehoge.com ok"});  // fits: untouched
  CHECK(dots("alice@example.com", 12.0f) == Lines{"alice@", "example.com"});
  CHECK(dots("verylongword", 5.0f) == Lines{"veryl", "ongwo", "rd"});  // no dot: between characters
  CHECK(lines("mail.example.com", 11.0f) == Lines{"mail.exampl", "e.com"});  // the default is unchanged
}

TEST_CASE("line break: Japanese breaks between phrases, inside one only when it is longer than the line",
          "[gui][wrap]") {
  // Each kana or kanji is 2 wide: 4 characters per line of 8. "しろやぎさんが" is longer than a
  // line, so it is split; then the lines end where a particle meets the next word.
  CHECK(lines("しろやぎさんが手紙を書いて", 8.0f) == Lines{"しろやぎ", "さんが", "手紙を", "書いて"});
  // Never inside a katakana word, a kanji word or a verb ending when the phrase fits a line.
  CHECK(lines("新しいスマートフォンで", 16.0f) == Lines{"新しい", "スマートフォンで"});
  CHECK(lines("これを確認しました", 12.0f) == Lines{"これを", "確認しました"});
  CHECK(lines("届け先（郵便局）に", 12.0f) == Lines{"届け先", "（郵便局）に"});
  // A phrase break that would leave a line less than a third full gives way to a character break.
  CHECK(lines("あ漢字漢字漢字漢字漢字", 10.0f).front() == "あ漢字漢字");
  for (const auto& l : lines("しろやぎさんが手紙を書いて送信ボタンを押しました", 11.0f)) CHECK(measure(l) <= 11.0f);
}

TEST_CASE("line break: closing punctuation never starts a line, opening brackets never end one", "[gui][wrap]") {
  // Without the rule the second line would start with 。
  CHECK(lines("あいうえ。かき", 8.0f) == Lines{"あいう", "え。かき"});
  CHECK(lines("あいう「かき」", 8.0f) == Lines{"あいう", "「かき」"});
  CHECK(lines("ポートです。", 7.0f) == Lines{"ポート", "です。"});  // ー stays with ポ
  CHECK(lines("ポーートです", 6.0f) == Lines{"ポーー", "トです"});
}

TEST_CASE("line break: mixed Japanese and Latin keeps Latin words whole", "[gui][wrap]") {
  const auto l = lines("サーバー mail.example.com に渡します", 20.0f);
  CHECK(l == Lines{"サーバー", "mail.example.com に", "渡します"});
  // A number sticks to nothing but itself: ポート587番 may break before 587 or before 番.
  CHECK(lines("ポート587番で", 10.0f) == Lines{"ポート587", "番で"});
}

TEST_CASE("line break: a line feed always breaks", "[gui][wrap]") {
  CHECK(lines("one\ntwo", 100.0f) == Lines{"one", "two"});
  CHECK(lines("a\n\nb", 100.0f) == Lines{"a", "", "b"});
}

TEST_CASE("line break: invalid UTF-8 bytes do not stop it", "[gui][wrap]") {
  const std::string bad = "ab\xff\xfe cd";
  const auto l = lines(bad, 100.0f);
  REQUIRE(l.size() == 1u);
  CHECK(l[0] == bad);
}

// issue 18: the events table's "Host → Peer", the sequence diagram's arrow labels and the map's
// names are cut after a whole word, never inside one ("Shiroyagi's P…", "MAIL FR..").
TEST_CASE("cut words: a text cut after a whole word or a name's dot, empty when no word fits", "[gui][wrap]") {
  using mailsim::gui::cut_words;
  CHECK(cut_words("Shiroyagi's PC", 100.0f, measure) == "Shiroyagi's PC");
  CHECK(cut_words("Shiroyagi's PC", 13.0f, measure, "..") == "Shiroyagi's..");
  CHECK(cut_words("Shiroyagi's PC", 12.0f, measure, "..").empty());
  CHECK(cut_words("mx1.hogehoge.com", 15.0f, measure) == "mx1.hogehoge...");
  CHECK(cut_words("mx1.hogehoge.com", 10.0f, measure) == "mx1...");
  CHECK(cut_words("MAIL FROM:<shiroyagi@example.com>", 12.0f, measure, "..") == "MAIL..");
  // Japanese between phrases: after the hiragana of 「しろやぎさんの」, never inside 「プロバイダ」.
  const std::string ja = "しろやぎさんのプロバイダ";
  CHECK(cut_words(ja, 16.0f, measure, "…") == "しろやぎさんの…");
  // A name and its honorific are two words: 「しろやぎ…」 rather than 「…」 alone.
  CHECK(cut_words(ja, 12.0f, measure, "…") == "しろやぎ…");
  CHECK(cut_words(ja, 9.0f, measure, "…").empty());
  CHECK(cut_words("さんかく", 6.0f, measure, "…").empty());  // さん at the start is no honorific
  // Whatever the width, the head is a whole-word prefix of the text.
  const std::string text = "Old PC of Shiroyagi (home ISP)";
  for (float w = 1.0f; w < 40.0f; w += 1.0f) {
    const auto cut = cut_words(text, w, measure, "..");
    INFO(w << ": " << cut);
    CHECK(measure(cut) <= w);
    if (cut.empty() || cut == text) continue;
    const auto head = cut.substr(0, cut.size() - 2);
    REQUIRE(text.rfind(head, 0) == 0);
    const char next = text[head.size()];
    CHECK((next == ' ' || next == '.' || head.back() == '(' || next == ')'));
  }
}
