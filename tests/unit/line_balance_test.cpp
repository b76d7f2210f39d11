// Balanced line breaks for centred titles (core/line_balance.hpp). Times New Roman (Liberation Serif) metrics: at
// 12 pt 'n' is 120 twips and a space 60, so k words "nn" are 300k − 60 twips wide. The planned lines come back glued
// with no-break spaces, shown here as '_' (an ordinary space is where the word processor may break).
#include <string>

#include <gtest/gtest.h>

#include "core/line_balance.hpp"

namespace {

using vanban::vn::LineBox;

constexpr LineBox kBox{1200, 12, false, false};  // room for four "nn" words, not five

std::string balanced(const std::string& text, const LineBox& box = kBox) {
    std::string out = vanban::vn::balance_lines(text, box);
    for (std::size_t at = out.find("\xC2\xA0"); at != std::string::npos; at = out.find("\xC2\xA0", at))
        out.replace(at, 2, "_");
    return out;
}

TEST(LineBalance, TextThatFitsIsLeftAlone) {
    EXPECT_EQ(balanced("nn nn nn"), "nn nn nn");
    EXPECT_EQ(balanced(""), "");
    EXPECT_EQ(balanced("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"), "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn");  // one word
}

TEST(LineBalance, NoLoneWordAndEvenLines) {
    // Greedy wrapping gives "nn nn nn nn" / "nn"; balanced: three over two.
    EXPECT_EQ(balanced("nn nn nn nn nn"), "nn_nn_nn nn_nn");
    // Nine words: three lines of three rather than 4 / 4 / 1.
    EXPECT_EQ(balanced("nn nn nn nn nn nn nn nn nn"), "nn_nn_nn nn_nn_nn nn_nn_nn");
}

TEST(LineBalance, TheAuthorsBreakWins) {
    EXPECT_EQ(balanced("nn nn nn nn nn\nnn"), "nn_nn_nn nn_nn\nnn");
    EXPECT_EQ(balanced("nn\nnn nn"), "nn\nnn nn");
}

TEST(LineBalance, ALoneWordOnlyWhenNothingElseFits) {
    // Two words, each almost the box: one per line is the only choice.
    EXPECT_EQ(balanced("nnnnnnnn nnnnnnnn"), "nnnnnnnn nnnnnnnn");
    // A word wider than the box takes a line of its own; the rest stays together.
    EXPECT_EQ(balanced("nnnnnnnnnnnn nn nn"), "nnnnnnnnnnnn nn_nn");
}

TEST(LineBalance, LongTextIsLeftToTheWordProcessor) {
    std::string text;
    for (std::size_t k = 0; k <= vanban::vn::kMaxBalancedWords; ++k) text += "nn ";
    text.pop_back();
    EXPECT_EQ(balanced(text), text);
}

TEST(LineBalance, VietnameseTitle) {
    // The award-form title that greedy wrapping leaves with "TỈNH" alone (14 pt bold, text area 8787 twips): two
    // planned lines, the second of several words.
    const std::string lines =
        balanced("ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", LineBox{8787, 14, true, false});
    ASSERT_NE(lines.find(' '), std::string::npos) << lines;
    EXPECT_EQ(lines.find(' '), lines.rfind(' ')) << lines;
    EXPECT_NE(lines.substr(lines.find(' ') + 1).find('_'), std::string::npos) << lines;
}

}  // namespace

namespace {

// Agency names and titles of the bundled examples, set as a văn thư would break them.
TEST(LineBalance, BreaksWhereTheSenseDoes) {
    const LineBox agency{3231, 13, true, false};
    EXPECT_EQ(balanced("CÔNG TY ĐIỆN LỰC NINH BÌNH", agency), "CÔNG_TY_ĐIỆN_LỰC NINH_BÌNH");
    EXPECT_EQ(balanced("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", agency), "SỞ_THÔNG_TIN VÀ_TRUYỀN_THÔNG");
    const LineBox title{8787, 14, true, false};
    EXPECT_EQ(balanced("ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA BỘ TRƯỞNG BỘ CÔNG THƯƠNG", title),
              "ĐỀ_NGHỊ_TẶNG_BẰNG_KHEN CỦA_BỘ_TRƯỞNG_BỘ_CÔNG_THƯƠNG");
}

}  // namespace
