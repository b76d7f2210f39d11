#include "vanban/diagnostic.hpp"

#include "core/ascii.hpp"

namespace vanban {

std::optional<Language> language_named(std::string_view name) noexcept {
    const std::string_view primary = name.substr(0, name.find_first_of("-_"));
    if (primary.size() != 2) return std::nullopt;
    const std::string code{core::ascii_lower(primary[0]), core::ascii_lower(primary[1])};
    if (code == "vi") return Language::vi;
    if (code == "en") return Language::en;
    return std::nullopt;
}

std::string_view to_string(DiagnosticKind kind) noexcept {
    switch (kind) {
        case DiagnosticKind::template_syntax: return "template";
        case DiagnosticKind::data: return "data";
        case DiagnosticKind::schema: return "schema";
        case DiagnosticKind::json_syntax: return "json";
        case DiagnosticKind::package: return "package";
        case DiagnosticKind::io: return "io";
        case DiagnosticKind::limit: return "limit";
        case DiagnosticKind::usage: return "usage";
    }
    return "error";
}

std::string Diagnostic::to_string() const {
    std::string out;
    if (!part.empty()) {
        out += part;
        if (paragraph > 0) out += " ¶" + std::to_string(paragraph);
        out += ": ";
    } else if (!source.empty() || line > 0 || !json_pointer.empty()) {
        if (!source.empty()) out += source;
        if (line > 0) out += (source.empty() ? "" : ":") + std::to_string(line) + ":" + std::to_string(column);
        if (!json_pointer.empty()) out += (out.empty() ? "" : " ") + std::string("at ") + json_pointer;
        out += ": ";
    }
    out += message;
    if (!tag.empty()) out += " in " + tag;
    if (!part.empty() && (!json_pointer.empty() || line > 0)) {
        out += " (data";
        if (!json_pointer.empty()) out += " " + json_pointer;
        if (line > 0) out += " line " + std::to_string(line) + ":" + std::to_string(column);
        out += ")";
    }
    if (!context.empty()) out += " — near \"" + context + "\"";
    if (!hint.empty()) out += " (hint: " + hint + ")";
    return out;
}

const std::string& Diagnostic::text(Language language) const noexcept {
    return language == Language::vi && !message_vi.empty() ? message_vi : message;
}

std::string Diagnostic::to_string(Language language) const {
    if (language == Language::en || message_vi.empty()) return to_string();
    std::string out;
    if (!part.empty()) {
        out += part;
        if (paragraph > 0) out += " ¶" + std::to_string(paragraph);
        out += ": ";
    } else if (!source.empty() || line > 0) {
        out += source.empty() ? "dữ liệu" : source;
        if (line > 0) out += " dòng " + std::to_string(line) + ", cột " + std::to_string(column);
        out += ": ";
    }
    out += message_vi;
    if (!tag.empty()) out += " (trong thẻ " + tag + ")";
    if (!context.empty()) out += " — gần chữ \"" + context + "\"";
    return out;
}

namespace {
std::string summarise(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.empty()) return "vanban error";
    std::string s = diagnostics.front().to_string();
    if (diagnostics.size() > 1) s += " (and " + std::to_string(diagnostics.size() - 1) + " more)";
    return s;
}
}  // namespace

Error::Error(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarise(diagnostics)), diagnostics_(std::move(diagnostics)) {}

Error::Error(Diagnostic diagnostic) : Error(std::vector<Diagnostic>{std::move(diagnostic)}) {}

}  // namespace vanban
