// Balanced line breaks for centred multi-line text (titles, agency names, signature captions): Decree-30 documents
// centre these, and a word processor's greedy wrapping leaves a lone word on the last line ("… ỦY BAN NHÂN DÂN /
// TỈNH"). Widths come from the Times New Roman metrics of vn::text_width_twips.
#pragma once

#include <string>
#include <string_view>

namespace vanban::vn {

struct LineBox {
    double width_twips = 0;  // the width the lines must fit (a table cell's or the text area's)
    double size_pt = 14;
    bool bold = false;
    bool italic = false;
};

// `text` set for centred lines in the box: unchanged when it fits on one line; otherwise the words of each planned
// line are joined by no-break spaces (U+00A0), so that the word processor breaks only between the planned lines:
// the fewest lines that fit, no line of a single word where another choice avoids it, the longest line as short as
// possible (on a tie the first line the longer). A '\n' already in the text is the author's break and is kept (each
// part is planned on its own). Text of more than kMaxBalancedWords words is returned as it is (the word processor
// wraps it), which bounds the work.
std::string balance_lines(std::string_view text, const LineBox& box);

inline constexpr std::size_t kMaxBalancedWords = 200;

}  // namespace vanban::vn
