// Rich text: text with inline emphasis and footnotes, produced from the light markup secretaries type in plan
// data ("*nghiêng*", "**đậm**", "***đậm nghiêng***", footnotes "^[nội dung chú thích]") or from structured JSON
// spans, and written by each format adapter as real runs and real footnotes.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vanban {

// docxtpl's RichText run properties beyond emphasis, already validated (richtext.cpp): each adapter writes them
// as its own run properties. Empty strings and zero mean "as the tag's run".
struct RunLook {
    enum class VertAlign { none, subscript, superscript };
    std::string color;            // "RRGGBB" (hex as typed) or "auto"
    std::string highlight;        // one of Word's highlight names ("yellow", "darkBlue", …)
    int half_points = 0;          // font size in half points (w:sz)
    std::string font;             // w:rFonts ascii/hAnsi/cs
    std::string font_region;      // docxtpl's "eastAsia:Font": the extra w:rFonts attribute
    std::string underline_style;  // "single", "double", "wave", … when the span is underlined
    bool strike = false;
    VertAlign vert_align = VertAlign::none;
    std::string style;  // a character style (w:rStyle)
    bool operator==(const RunLook&) const = default;
    bool plain() const { return *this == RunLook{}; }
};

struct RichSpan {
    // tab, paragraph_break (docxtpl's \a: a new paragraph with the same properties) and page_break (\f) are kept
    // apart from the text so that every adapter places them as its own elements.
    enum class Kind { text, line_break, footnote, tab, paragraph_break, page_break };
    Kind kind = Kind::text;
    std::string text;  // kind == text
    bool bold = false;
    bool italic = false;
    bool underline = false;
    std::vector<RichSpan> footnote;  // kind == footnote: the footnote's own content
    RunLook look;                    // kind == text or tab
    // kind == text, tab or line_break: the target of the hyperlink the span is part of (http, https or mailto,
    // checked by rich_from_json); consecutive spans with the same target make one link.
    std::string url;
    // kind == footnote: the mark printed at the reference and before the note's text when the form prints its own,
    // e.g. "(1)"; empty → the running footnote number.
    std::string mark;

    // A span of `kind` with nothing else set (a break, a tab).
    static RichSpan of(Kind kind) {
        RichSpan span;
        span.kind = kind;
        return span;
    }
};

struct RichText {
    std::vector<RichSpan> spans;
    // docxtpl's RichTextParagraph: the paragraph style of each paragraph (the spans are split between them at
    // paragraph_break spans; "" keeps no style). Empty for run-level rich text.
    std::vector<std::string> paragraph_styles;
    bool has_breaks() const;  // a paragraph or page break among the spans
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
// Span objects also take docxtpl's RichText properties: "color" ("#FF0000", "FF0000", "auto" or a basic colour
// name), "highlight" (Word's names), "size" (points), "font" ("Arial" or "eastAsia:MS Mincho"), "underline" (true
// or a style: single, double, thick, dotted, dash, dotDash, dotDotDash, wave), "strike", "subscript",
// "superscript", "style", "url" (a hyperlink: http://, https:// or mailto: only); \t, \a and \f in their text become
// a tab, a new paragraph and a page break.
RichText rich_from_json(const nlohmann::json& value);

// A value invalid as rich text, with the field it is about and a Vietnamese message for the catalogue
// (code "data.rich_text", docs/messages.md).
struct RichTextError : std::invalid_argument {
    RichTextError(const std::string& message, std::string message_vi_)
        : std::invalid_argument(message), message_vi(std::move(message_vi_)) {}
    std::string message_vi;
};

// docxtpl's objects as vanban reads them in an output tag (docs/template-language.md, "docxtpl's objects"):
//   {"listing": "text"}                                 Listing: the text, \n \a \t \f kept
//   {"rich": [spans]} or, in a {{r }} / {{p }} tag, [spans]    RichText
//   {"paragraphs": [{"text": rich, "style": "Heading1"}, …]}    RichTextParagraph (RP), in a {{p }} tag
// Returns nullopt for any other value (printed as it is). `run_level`: the tag is {{r }} or {{p }}.
// Throws RichTextError for an object of these forms that is not valid.
std::optional<RichText> docxtpl_object(const nlohmann::json& value, bool run_level);

}  // namespace vanban
