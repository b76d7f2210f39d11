// Small pieces the server's handlers share: errors as HTTP answers, request JSON checks, file names for downloads.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <vanban/diagnostic.hpp>

namespace vanban::server {

// A failed request: the HTTP status and every problem, answered as {"errors": [...]} (the records of
// vanban::diagnostics_to_json, as `vanban --errors json` prints them).
class HttpError : public std::exception {
public:
    HttpError(int status, std::vector<Diagnostic> diagnostics)
        : status_(status), diagnostics_(std::move(diagnostics)) {}
    HttpError(int status, DiagnosticKind kind, std::string message, std::string hint = {});
    int status() const noexcept { return status_; }
    const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
    const char* what() const noexcept override { return "vanban::server::HttpError"; }

private:
    int status_;
    std::vector<Diagnostic> diagnostics_;
};

// The status for diagnostics thrown by the library: 400 malformed request (JSON syntax, usage), 413 a limit,
// 422 data that does not fit the schema or template (schema, data, template, package), 500 otherwise.
int status_for(const std::vector<Diagnostic>& diagnostics);

// At most `max` diagnostics as JSON records; when there are more, a last "limit" record says how many were left out
// (a list of 100,000 wrong values must not become a 100 MB answer).
nlohmann::json diagnostics_json(const std::vector<Diagnostic>& diagnostics, std::size_t max = 100);

// {"errors": [...]} as text (capped as above).
std::string errors_body(const std::vector<Diagnostic>& diagnostics);

// The language an Accept-Language header asks for among Vietnamese and English (highest q first, then order);
// Vietnamese when the header is absent or names neither.
Language preferred_language(std::string_view accept_language);

// Error records are made with Vietnamese `message` (and both texts); for a client that asks for English, every
// record in `answer` (at any depth: batch reports nest them) gets its `message_en` as `message`.
void use_english_messages(nlohmann::json& answer);

// A limit diagnostic (with line:column in `source`) when arrays/objects in `text` nest deeper than `max_depth`.
// Only brackets outside strings count; the text need not be valid JSON (the parser reports that).
std::optional<Diagnostic> check_nesting(std::string_view text, int max_depth, const std::string& source);

// Content-Disposition for a download named `filename` (ASCII fallback plus RFC 5987 UTF-8 name).
std::string attachment(std::string_view filename);

// 128 random bits as 32 hex digits (batch job ids).
std::string random_id();

}  // namespace vanban::server
