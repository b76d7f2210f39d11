// vanban — diagnostics shared by every layer (template compiler, renderer, data validation, I/O).
//
// Every problem vanban reports is a Diagnostic that says *where* it is: the template part and paragraph
// with the tag as the user typed it, or the JSON pointer with line:column in the data file. Operations
// collect all diagnostics they can find and throw them together in one vanban::Error.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vanban/export.h"

namespace vanban {

enum class DiagnosticKind {
    template_syntax,  // the template itself is wrong (unclosed tag, unknown filter, endfor without for, ...)
    data,             // the data does not fit the template (missing value, loop over a non-list, ...)
    schema,           // the data does not fit the JSON Schema
    json_syntax,      // the data file is not valid JSON
    package,          // the DOCX/ODT package is broken or hostile (zip, XML)
    io,               // reading or writing a file failed
    limit,            // a configured safety limit was exceeded
    usage,            // the caller asked for something impossible
};

VANBAN_API std::string_view to_string(DiagnosticKind kind) noexcept;

// The language messages for people are shown in: Vietnamese (the default of the CLI, the HTTP API and the page) or
// English (`--lang en`, `Accept-Language: en`, for integrators). docs/messages.md lists every code with both texts.
enum class Language { vi, en };

// "Có phải ý bạn là …?": the name in `known` closest to a mistyped `typed` (field, template and command names), by
// edit distance without diacritics, case or separators ("kehoach" → "ke-hoach", "titel" → "title"); nullopt when
// none is close (at most a third of the letters differ) or `typed` is itself known.
VANBAN_API std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string>& known);

// "vi", "en" (any case, with or without a region such as "en-US"); nullopt for anything else.
VANBAN_API std::optional<Language> language_named(std::string_view name) noexcept;

struct VANBAN_API Diagnostic {
    DiagnosticKind kind = DiagnosticKind::template_syntax;
    std::string message;     // English, for integrators
    std::string code;        // stable identifier of the kind of problem, e.g. "schema.required"; empty when none yet
    std::string message_vi;  // the same problem in plain Vietnamese for a văn thư (what is wrong, what to do);
                             // empty when not written yet (front ends then fall back to `message`)

    // Template location (empty/0 when not applicable).
    std::string part;     // e.g. "word/document.xml"
    int paragraph = 0;    // 1-based paragraph number inside the part
    std::string tag;      // the tag text exactly as typed, e.g. "{{ agency.name | uper }}"
    std::string context;  // a little visible text around the tag, to find it in Word

    // Data location.
    std::string json_pointer;  // RFC 6901, "" is the whole document
    std::string source;        // data file name, when known
    int line = 0;              // 1-based, 0 when unknown
    int column = 0;            // 1-based, 0 when unknown

    std::string hint;  // how to fix it, when we can tell

    // One line, human readable: "word/document.xml ¶12: unknown filter 'uper' in {{ x | uper }} (hint: ...)"
    std::string to_string() const;

    // The message in `language`; Vietnamese falls back to the English text where none is written yet.
    const std::string& text(Language language) const noexcept;
    // One line in `language`: English is to_string(); Vietnamese says where ("plan.json dòng 3, cột 5: ...",
    // "word/document.xml ¶12: ...") and then message_vi, which already names the field and says what to do.
    std::string to_string(Language language) const;
};

// Thrown by operations that fail; carries every problem that was found, never only the first.
class VANBAN_API Error : public std::runtime_error {
public:
    explicit Error(std::vector<Diagnostic> diagnostics);
    explicit Error(Diagnostic diagnostic);

    const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace vanban
