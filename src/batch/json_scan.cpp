#include "batch/json_scan.hpp"

#include <algorithm>
#include <cstring>

#include "core/vn.hpp"

namespace vanban::batch::detail {

std::size_t ElementEnd::find(std::string_view chunk) noexcept {
    std::size_t i = 0;
    while (i < chunk.size()) {
        if (in_string_) {
            i = skip_string(chunk, i);
            continue;
        }
        // The same rules as json_data::NestingScan, so that an element ends exactly where it did byte by byte.
        switch (chunk[i]) {
            case '"': in_string_ = true; break;
            case '[':
            case '{': ++depth_; break;
            case ']':
                if (depth_ == 0) return i;
                --depth_;
                break;
            case '}': --depth_; break;
            case ',':
                if (depth_ == 0) return i;
                break;
            default: break;
        }
        ++i;
    }
    return npos;
}

// From `i` inside a string: past its closing quote (leaving the string), or to the end of the chunk. Both searches
// are memchr's; the next quote is looked for again only once an escape has carried the scan past it.
std::size_t ElementEnd::skip_string(std::string_view chunk, std::size_t i) noexcept {
    const char* const data = chunk.data();
    const std::size_t n = chunk.size();
    if (escape_) {
        escape_ = false;
        return i + 1;
    }
    std::size_t quote = 0;
    bool quote_known = false;
    while (i < n) {
        if (!quote_known || quote < i) {
            const void* q = std::memchr(data + i, '"', n - i);
            quote = q ? static_cast<std::size_t>(static_cast<const char*>(q) - data) : n;
            quote_known = true;
        }
        const void* b = std::memchr(data + i, '\\', quote - i);
        if (!b) {
            if (quote == n) return n;
            in_string_ = false;
            return quote + 1;
        }
        const auto k = static_cast<std::size_t>(static_cast<const char*>(b) - data);
        if (k + 1 == n) {
            escape_ = true;  // the escaped byte is the next chunk's first
            return n;
        }
        i = k + 2;
    }
    return n;
}

void TextPosition::advance(std::string_view passed) noexcept {
    std::string_view tail = passed;
    if (const void* nl = ::memrchr(passed.data(), '\n', passed.size())) {
        line += static_cast<int>(std::count(passed.begin(), passed.end(), '\n'));
        column = 1;
        tail = passed.substr(static_cast<std::size_t>(static_cast<const char*>(nl) - passed.data()) + 1);
    }
    column += static_cast<int>(vn::code_point_count(tail));
}

}  // namespace vanban::batch::detail
