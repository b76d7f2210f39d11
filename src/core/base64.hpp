// Base64 (RFC 4648, standard alphabet, '=' padding): the one encoder (pages of a preview sent as JSON) and the one
// decoder (pictures given in the data as base64 or data: URIs). Takes bytes or text; gives text or bytes, and for
// text that is not base64 where it stops being so.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vanban::core {

inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Inline: the HTTP server (outside the library, which exports only its API) encodes with this same code.
inline std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        for (int shift : {18, 12, 6, 0}) out += kBase64Alphabet[(v >> shift) & 63];
    }
    if (i < bytes.size()) {
        const unsigned v = (byte(i) << 16) | (i + 1 < bytes.size() ? byte(i + 1) << 8 : 0u);
        out += kBase64Alphabet[(v >> 18) & 63];
        out += kBase64Alphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kBase64Alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Whether `text` can be base64: its alphabet and white space, with at most two '=' and only at the end.
bool looks_base64(std::string_view text);
// How many bytes `text` decodes to (white space and '=' ignored); nullopt when its length is not possible for base64
// (the text is cut off).
std::optional<std::size_t> base64_decoded_size(std::string_view text);
// The bytes of `text` (white space and '=' skipped). On a character outside the alphabet: nullopt, and `bad_at`
// (when given) is its 0-based position.
std::optional<std::string> base64_decode(std::string_view text, std::size_t* bad_at = nullptr);

}  // namespace vanban::core
