// Rich text: text with inline emphasis and footnotes, produced from the light markup secretaries type in plan
// data ("*nghiêng*", "**đậm**", "***đậm nghiêng***", footnotes "^[nội dung chú thích]") or from structured JSON
// spans, and written by each format adapter as real runs and real footnotes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vanban {

struct RichSpan {
    enum class Kind { text, line_break, footnote };
    Kind kind = Kind::text;
    std::string text;  // kind == text
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::vector<RichSpan> footnote;  // kind == footnote: the footnote's own content
    // kind == footnote: the mark printed at the reference and before the note's text when the form prints its own,
    // e.g. "(1)"; empty → the running footnote number.
    std::string mark;
};

struct RichText {
    std::vector<RichSpan> spans;
    // The plain text (footnotes left out), as used for comparisons, upper-casing and text output.
    std::string plain() const;
};

// Parses the inline markup. "\*" is a literal asterisk; unbalanced markers are kept as literal text (never
// dropped). Newlines become line breaks. Text is NFC-normalised.
RichText parse_markup(std::string_view text);

// From JSON: a string (parsed as markup), or an array whose items are strings (markup) or objects
// {"text": "...", "bold": true, "italic": true, "underline": true} or {"footnote": <string or array>, "mark": "(1)"}
// ("mark" optional: a short one-line text printed instead of the footnote's number).
// Throws std::invalid_argument with a message naming the offending item for any other shape.
RichText rich_from_json(const nlohmann::json& value);

}  // namespace vanban
