// ASCII case folding and tests for names that their specifications compare case-insensitively or define as ASCII:
// file extensions, URI schemes, ZIP part names (OPC), spreadsheet number formats, JSON literals, language tags.
// Takes bytes; gives bytes with only A–Z changed, independent of the C locale (std::tolower is not). The one copy:
// text people read is case-mapped by ICU with the Vietnamese locale (core/vn.hpp), never here.
// Header-only: the HTTP server, outside the library (which exports only its API), uses the same code.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace vanban::core {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

constexpr bool is_ascii(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace vanban::core
