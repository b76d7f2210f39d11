// Balanced line breaks for centred titles (core/line_balance.hpp). Times New Roman (Liberation Serif) metrics: at
// 12 pt 'n' is 120 twips and a space 60, so k words "nn" are 300k − 60 twips wide.
#include <string>

#include <gtest/gtest.h>

#include "core/line_balance.hpp"

namespace {

using vanban::vn::balance_lines;
using vanban::vn::LineBox;

constexpr LineBox kBox{1200, 12, false, false};  // room for four "nn" words, not five

TEST(LineBalance, TextThatFitsIsLeftAlone) {
    EXPECT_EQ(balance_lines("nn nn nn", kBox), "nn nn nn");
    EXPECT_EQ(balance_lines("", kBox), "");
    EXPECT_EQ(balance_lines("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", kBox), "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn");  // one word
}

TEST(LineBalance, NoLoneWordAndEvenLines) {
    // Greedy wrapping gives "nn nn nn nn" / "nn"; balanced: three over two.
    EXPECT_EQ(balance_lines("nn nn nn nn nn", kBox), "nn nn nn\nnn nn");
    // Nine words: three lines of three rather than 4 / 4 / 1.
    EXPECT_EQ(balance_lines("nn nn nn nn nn nn nn nn nn", kBox), "nn nn nn\nnn nn nn\nnn nn nn");
}

TEST(LineBalance, TheAuthorsBreakWins) {
    EXPECT_EQ(balance_lines("nn nn nn nn nn\nnn", kBox), "nn nn nn\nnn nn\nnn");
    EXPECT_EQ(balance_lines("nn\nnn nn", kBox), "nn\nnn nn");
}

TEST(LineBalance, ALoneWordOnlyWhenNothingElseFits) {
    // Two words, each almost the box: one per line is the only choice.
    EXPECT_EQ(balance_lines("nnnnnnnn nnnnnnnn", kBox), "nnnnnnnn\nnnnnnnnn");
    // A word wider than the box takes a line of its own.
    EXPECT_EQ(balance_lines("nnnnnnnnnnnn nn nn", kBox), "nnnnnnnnnnnn\nnn nn");
}

TEST(LineBalance, LongTextIsLeftToTheWordProcessor) {
    std::string text;
    for (std::size_t k = 0; k <= vanban::vn::kMaxBalancedWords; ++k) text += "nn ";
    text.pop_back();
    EXPECT_EQ(balance_lines(text, kBox), text);
}

TEST(LineBalance, VietnameseTitle) {
    // The award-form title that greedy wrapping leaves with "TỈNH" alone (14 pt bold, text area 8787 twips).
    const std::string title = "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH";
    const std::string lines = balance_lines(title, LineBox{8787, 14, true, false});
    ASSERT_NE(lines.find('\n'), std::string::npos) << lines;
    EXPECT_EQ(lines.find('\n'), lines.rfind('\n')) << "two lines: " << lines;
    EXPECT_NE(lines.substr(lines.find('\n') + 1).find(' '), std::string::npos) << "no lone word: " << lines;
}

}  // namespace
