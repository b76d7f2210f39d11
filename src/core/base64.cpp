#include "core/base64.hpp"

#include <cstdint>

namespace vanban::core {

namespace {

int value_of(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

bool looks_base64(std::string_view text) {
    std::size_t pad = 0, chars = 0;
    for (char c : text) {
        if (is_space(c)) continue;
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad || value_of(c) < 0) return false;
        ++chars;
    }
    return chars > 0 && pad <= 2;
}

std::optional<std::size_t> base64_decoded_size(std::string_view text) {
    std::size_t chars = 0;
    for (char c : text)
        if (!is_space(c) && c != '=') ++chars;
    if (chars % 4 == 1) return std::nullopt;
    return chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0);
}

std::optional<std::string> base64_decode(std::string_view text, std::size_t* bad_at) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (is_space(c) || c == '=') continue;
        const int v = value_of(c);
        if (v < 0) {
            if (bad_at) *bad_at = i;
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

}  // namespace vanban::core
