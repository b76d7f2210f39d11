#include "zip/zip_internal.hpp"

#include <utility>

#include "core/vn.hpp"

namespace vanban::zip::detail {

namespace {

bool ascii_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "empty entry name";
    if (name.find('\0') != std::string_view::npos) return "entry name contains a NUL byte";
    if (name.find('\\') != std::string_view::npos) return "entry name contains a backslash";
    if (name.front() == '/') return "absolute entry name";
    if (name.size() >= 2 && ascii_alpha(name[0]) && name[1] == ':') return "entry name starts with a drive letter";
    if (!vn::valid_utf8(name)) return "entry name is not valid UTF-8";
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
