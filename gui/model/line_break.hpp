// Line breaking for English and Japanese: lines no wider than a width, broken at spaces in
// Latin text and between Japanese characters (which have no spaces), with the usual rules
// that keep closing punctuation off the start of a line and opening brackets off its end.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::gui {

// Width of a piece of text (UTF-8) in pixels; widths must add up (no kerning across pieces).
using MeasureText = std::function<float(std::string_view)>;

// The text's lines, each no wider than `width` unless a single character is wider. Breaks
// at spaces (dropped at the end of a line), in Japanese between phrases (after punctuation,
// before an opening bracket, where hiragana meets the next word: never inside "スマートフォン"
// or "確認しました"), and between any two CJK characters only when a phrase is longer than
// the line or would leave it less than a third full (kinsoku still holds: not before
// 、。」ー and the like, not after 「（); at '\n' always; a word longer than a line is
// split between characters (with `after_dots`, after its last '.', '/', '-' or '@' that fits
// when it has one: "mail." / "example.com"). Invalid UTF-8 bytes count as one character each.
std::vector<std::string> break_lines(std::string_view text, float width, const MeasureText& measure,
                                     bool after_dots = false);

// `text` cut after a whole word so that it and `ellipsis` fit in `width`: at a space, after '.',
// '-', '/' or '@', between Japanese phrases (after 、。 and closing brackets, before an opening
// one, where hiragana meets a word); never inside a word ("mx1.hogehoge..." rather than
// "mx1.hog..."). The whole text when it fits; empty when not even its first word fits (the
// caller leaves it out or shows only the ellipsis, with the whole text on hover).
std::string cut_words(std::string_view text, float width, const MeasureText& measure, std::string_view ellipsis = "...");

// True for code points of Japanese/Chinese text that may have a line break on either side:
// kana, CJK ideographs, CJK punctuation and full-width forms.
bool is_cjk(char32_t c);

}  // namespace mailsim::gui
