#include "batch/json_scan.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
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

namespace {

// The offset of the first '"' or '\\' in data[i, n), or n: eight bytes at a time (a byte equal to c is a zero byte of
// word ^ c·0x01…01, and (x - 0x01…01) & ~x & 0x80…80 marks zero bytes — exactly for the lowest one, which is the one
// used). Strings in a records file are short, so this beats two memchr calls a string.
std::size_t quote_or_backslash(const char* data, std::size_t i, std::size_t n) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    constexpr std::uint64_t kQuotes = kOnes * '"', kBackslashes = kOnes * '\\';
    const auto zero_bytes = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, 8);
        const std::uint64_t hits = zero_bytes(word ^ kQuotes) | zero_bytes(word ^ kBackslashes);
        if (hits == 0) continue;
        if constexpr (std::endian::native == std::endian::little) return i + std::countr_zero(hits) / 8;
        else return i + std::countl_zero(hits) / 8;
    }
    while (i < n && data[i] != '"' && data[i] != '\\') ++i;
    return i;
}

}  // namespace

// From `i` inside a string: past its closing quote (leaving the string), or to the end of the chunk.
std::size_t ElementEnd::skip_string(std::string_view chunk, std::size_t i) noexcept {
    const std::size_t n = chunk.size();
    if (escape_) {
        escape_ = false;
        return i + 1;
    }
    while (i < n) {
        const std::size_t k = quote_or_backslash(chunk.data(), i, n);
        if (k == n) return n;
        if (chunk[k] == '"') {
            in_string_ = false;
            return k + 1;
        }
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
