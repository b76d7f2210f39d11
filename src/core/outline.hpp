// The body of a plan (KẾ HOẠCH) is a tree of sections; the template prints a flat list of paragraphs. flatten()
// walks the tree, generates every label (I., 1., 2.1., a), -, +) from the numbering settings and says which
// paragraph style each printed paragraph takes. Labels are not typed in the data, except a section's own "label"
// for a source that numbers differently (the import sets it where the source's number is not the generated one).
//
// Body nodes (see docs/ke-hoach.md for the full model):
//   "text" or [spans]                       a plain paragraph (style KHBody)
//   {"paragraph": rich, "children": [...]}  a plain paragraph with nested content (its bullets go one level deeper)
//   {"bullet": rich, "symbol": "+", "children": [...]}
//                                           a bullet paragraph; symbol from numbering.bullets by bullet depth
//   {"title": rich, "text": rich, "label": "e)", "children": [...], "children_numbering": "decimal"}
//                                           a numbered section (mục, khoản, 2.1., điểm); title and/or text; a title
//                                           is printed in the level's heading emphasis, text runs on after it;
//                                           label (optional) is printed instead of the generated number
// "rich" = a string with light markup (*nghiêng*, **đậm**, ***đậm nghiêng***, ^[chú thích]) or an array of spans.
//
// Numbering settings (the plan's "numbering" object; null or missing keys → defaults):
//   "levels":    schemes of the numbered levels, top first. Default ["roman", "arabic", "letter"].
//                Schemes: "roman" (I.), "arabic" (1.), "decimal" (2.1. — the parent's number, a dot, this
//                number; it does not use up a level), "letter" (a) … đ) … y)), "paren" ((1), (2) … under
//                a điểm; laid out as a điểm), "none" (no label).
//   "bullets":   bullet symbols by bullet depth. Default ["-", "+"]; deeper bullets repeat the last symbol.
//   "uppercase": schemes whose titles are printed IN HOA (Vietnamese-aware). Default ["roman"].
//
// Each output item:
//   {"kind": "heading" | "bullet" | "paragraph",
//    "level": 1..,            heading: its numbered level (decimal shares its parent's level + 1);
//                             bullet: its bullet depth; paragraph: the level of the heading it belongs to
//    "scheme": "roman" | "arabic" | "decimal" | "letter" | "paren" | "none" | "bullet" | "",
//    "style": paragraph style id (KHMuc, KHKhoan, KHDecimal, KHDiem, KHBullet1, KHBullet2, KHBody),
//    "head_style": character style id of "head" (KHMucHead, KHKhoanHead, KHDecimalHead, KHDiemHead, or
//                  DefaultParagraphFont),
//    "label": "I." | "1." | "2.1." | "a)" | "(1)" | "-" | "+" | "" (or the section's own label),
//    "head": rich — label and title ("1. Mục đích") or "" when the section has no title,
//    "tail": rich — the rest of the paragraph: " " + run-in text after a title, or label + " " + text
//            when there is no title ("1. Căn cứ kế hoạch này …", "- Nâng cao …"), or the paragraph text,
//    "pointer": JSON pointer of the node, relative to the body ("/2/children/0")}
// A template prints head (in head_style) immediately followed by tail, in a paragraph of style `style`.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace vanban::outline {

// Flattens the plan body tree into the list of paragraphs the template prints, numbering generated.
// `options` = the plan's numbering settings (may be null → defaults). Throws std::invalid_argument whose message
// starts with the JSON pointer (relative to the body, e.g. "/2/children/0") of the offending node; errors in the
// options start with "numbering".
nlohmann::json flatten(const nlohmann::json& body, const nlohmann::json& options);

// What flatten() throws: the English message (pointer first, as above), the pointer alone and a Vietnamese text for
// people ("" where none is written), so that `validate` can report the same problem at the field.
struct OutlineError : std::invalid_argument {
    OutlineError(const std::string& pointer_, const std::string& message, std::string message_vi_)
        : std::invalid_argument(pointer_ + ": " + message), pointer(pointer_), message_vi(std::move(message_vi_)) {}
    std::string pointer;     // relative to the body
    std::string message_vi;  // "cần thêm kiểu đánh số cho cấp 4 …"
};

}  // namespace vanban::outline
