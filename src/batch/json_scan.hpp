// Finding where one element of a streamed JSON array ends, and where it is, in bulk over a buffer rather than a byte
// at a time. Takes chunks of the records file as they are read; gives the offset of the ',' or ']' that closes the
// current top-level element, and the line:column of any point passed. The text inside strings (most of a record) is
// skipped eight bytes at a time; only the bytes between strings are looked at one by one.
#pragma once

#include <cstddef>
#include <string_view>

namespace vanban::batch::detail {

// Where a top-level element of a JSON array ends, fed chunk by chunk: strings (with their escapes) and the nesting of
// arrays and objects are followed across chunk boundaries.
class ElementEnd {
public:
    static constexpr std::size_t npos = std::string_view::npos;
    // The offset in `chunk` of the first ',' or ']' outside strings at nesting depth 0, or npos when the element goes
    // on past the chunk (then the whole chunk belongs to it and the next chunk continues the scan).
    std::size_t find(std::string_view chunk) noexcept;
    bool in_string() const noexcept { return in_string_; }

private:
    std::size_t skip_string(std::string_view chunk, std::size_t i) noexcept;

    int depth_ = 0;
    bool in_string_ = false;
    bool escape_ = false;  // a '\' ended the last chunk inside a string
};

// Line (1-based, counted at '\n') and column (1-based, in code points: UTF-8 continuation bytes do not count) of the
// next byte, advanced over the text passed.
struct TextPosition {
    int line = 1;
    int column = 1;
    void advance(std::string_view passed) noexcept;
};

}  // namespace vanban::batch::detail
