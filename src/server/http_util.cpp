#include "server/http_util.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <vanban/data.hpp>

#include "json/nesting.hpp"

namespace vanban::server {

HttpError::HttpError(int status, DiagnosticKind kind, std::string message, std::string hint) : status_(status) {
    Diagnostic d;
    d.kind = kind;
    d.message = std::move(message);
    d.hint = std::move(hint);
    diagnostics_.push_back(std::move(d));
}

int status_for(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.empty()) return 500;
    switch (diagnostics.front().kind) {
        case DiagnosticKind::json_syntax:
        case DiagnosticKind::usage: return 400;
        case DiagnosticKind::limit: return 413;
        case DiagnosticKind::schema:
        case DiagnosticKind::data:
        case DiagnosticKind::template_syntax:
        case DiagnosticKind::package: return 422;
        case DiagnosticKind::io: return 500;
    }
    return 500;
}

nlohmann::json diagnostics_json(const std::vector<Diagnostic>& diagnostics, std::size_t max) {
    if (diagnostics.size() <= max) return diagnostics_to_json(diagnostics, Language::vi);
    std::vector<Diagnostic> shown(diagnostics.begin(), diagnostics.begin() + static_cast<std::ptrdiff_t>(max));
    Diagnostic more;
    more.kind = DiagnosticKind::limit;
    more.message = std::to_string(diagnostics.size() - max) + " more problems not shown";
    more.hint = "fix these first";
    more.code = "limit.more_problems";
    more.message_vi =
        "còn " + std::to_string(diagnostics.size() - max) + " lỗi nữa chưa hiện — hãy sửa các lỗi trên trước";
    shown.push_back(std::move(more));
    return diagnostics_to_json(shown, Language::vi);
}

std::string errors_body(const std::vector<Diagnostic>& diagnostics) {
    return nlohmann::json{{"errors", diagnostics_json(diagnostics)}}.dump();
}

Language preferred_language(std::string_view accept_language) {
    // "en-US,en;q=0.9,vi;q=0.8": ranges separated by commas, each with an optional ";q=weight".
    Language best = Language::vi;
    double best_weight = 0;
    while (!accept_language.empty()) {
        const std::size_t comma = accept_language.find(',');
        std::string_view range = accept_language.substr(0, comma);
        accept_language = comma == std::string_view::npos ? std::string_view{} : accept_language.substr(comma + 1);
        double weight = 1;
        if (const std::size_t semicolon = range.find(';'); semicolon != std::string_view::npos) {
            const std::string_view params = range.substr(semicolon + 1);
            if (const std::size_t q = params.find("q="); q != std::string_view::npos)
                weight = std::atof(std::string(params.substr(q + 2)).c_str());
            range = range.substr(0, semicolon);
        }
        while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
        while (!range.empty() && range.back() == ' ') range.remove_suffix(1);
        const auto language = language_named(range);
        if (language && weight > best_weight) {
            best = *language;
            best_weight = weight;
        }
    }
    return best;
}

void use_english_messages(nlohmann::json& answer) {
    if (answer.is_object()) {
        if (const auto en = answer.find("message_en"); en != answer.end() && answer.contains("message"))
            answer["message"] = *en;
        for (auto& [key, value] : answer.items()) use_english_messages(value);
    } else if (answer.is_array()) {
        for (auto& item : answer) use_english_messages(item);
    }
}

std::optional<Diagnostic> check_nesting(std::string_view text, int max_depth, const std::string& source) {
    int line = 1, column = 0;
    vanban::json_data::NestingScan scan;
    for (const char c : text) {
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
        }
        scan.feed(c);
        if (scan.depth > max_depth) {
            Diagnostic d;
            d.kind = DiagnosticKind::limit;
            d.source = source;
            d.line = line;
            d.column = column;
            d.message = "the JSON nests arrays and objects more than " + std::to_string(max_depth) + " levels deep";
            return d;
        }
    }
    return std::nullopt;
}

std::string attachment(std::string_view filename) {
    std::string ascii, encoded;
    for (const char ch : filename) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '-' || c == '_';
        ascii += plain ? static_cast<char>(c) : (c < 0x80 ? '_' : '\0');
        if (plain) {
            encoded += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            encoded += hex;
        }
    }
    std::erase(ascii, '\0');
    if (ascii.empty() || ascii.front() == '.') ascii = "document" + ascii;
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

std::string random_id() {
    std::random_device device;
    std::array<unsigned, 4> words{};
    for (auto& w : words) w = device();
    char text[33];
    std::snprintf(text, sizeof text, "%08x%08x%08x%08x", words[0], words[1], words[2], words[3]);
    return text;
}

}  // namespace vanban::server
