#include "zip/zip_internal.hpp"

#include <utility>

namespace vanban::zip::detail {

namespace {

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

bool ascii_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool is_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "empty entry name";
    if (name.find('\0') != std::string_view::npos) return "entry name contains a NUL byte";
    if (name.find('\\') != std::string_view::npos) return "entry name contains a backslash";
    if (name.front() == '/') return "absolute entry name";
    if (name.size() >= 2 && ascii_alpha(name[0]) && name[1] == ':') return "entry name starts with a drive letter";
    if (!valid_utf8(name)) return "entry name is not valid UTF-8";
    // Check every segment; a single trailing '/' marks a directory entry.
    std::string_view rest = name;
    if (rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) return "empty entry name";
    while (true) {
        const auto slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (segment.empty()) return "entry name has an empty path segment";
        if (segment == "..") return "entry name has a '..' segment";
        if (segment == ".") return "entry name has a '.' segment";
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return std::nullopt;
}

void fail(DiagnosticKind kind, std::string message) {
    Diagnostic d;
    d.kind = kind;
    d.message = std::move(message);
    throw Error(std::move(d));
}

}  // namespace vanban::zip::detail
