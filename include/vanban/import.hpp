// vanban::import_document — reads an existing plan (DOCX, ODT, plain text or Markdown) back into the data of a
// bundled template, today the KẾ HOẠCH template "ke-hoach": header (agencies, số and ký hiệu, place and date),
// title, căn cứ, opening, the numbered body, closing, Nơi nhận, signature and appendix tables.
//
//   auto result = vanban::import_document(bytes, "ke-hoach-cu.docx");
//   for (const auto& place : result.unrecognised) ...   // kept as plain paragraphs where they stood
//   save(result.data.dump(2));                           // valid for templates/ke-hoach/schema.json
//
// Nothing is dropped silently: a paragraph the importer cannot place is kept as a plain paragraph where it stood
// and listed in `unrecognised`; numbering that skips or repeats, fields the document lacks (filled with a visible
// placeholder) and paragraphs joined across a page break are `warnings`. Broken or hostile files throw vanban::Error
// (kind package or limit) after bounded work. See docs/import.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/diagnostic.hpp"
#include "vanban/export.h"
#include "vanban/vanban.hpp"

namespace vanban {

struct ImportOptions {
    std::string template_name = "ke-hoach";  // the only template the importer knows today
    Limits limits;                           // package limits (entries, part and total size, compression ratio)
    std::uint64_t max_paragraphs = 100'000;  // paragraphs read from the document
};

// One paragraph the importer kept as a plain paragraph because it could not tell what it is.
struct UnrecognisedPlace {
    std::string part;    // "word/document.xml", "content.xml", or the text file's name
    int paragraph = 0;   // 1-based paragraph (text: line) in that part
    std::string text;    // its first words
    std::string reason;  // why, in English
};

struct ImportResult {
    std::string template_name;
    nlohmann::json data;
    std::vector<UnrecognisedPlace> unrecognised;
    std::vector<Diagnostic> warnings;  // code "import.*", message and message_vi
};

// `name_or_format`: a file name whose extension gives the format (.docx, .odt, .txt, .md), or the bare format.
// Throws vanban::Error: usage for an unknown format or template, package/limit for a broken or hostile file,
// data (code "import.not_a_plan") when the document has no "KẾ HOẠCH" line.
VANBAN_API ImportResult import_document(std::string_view bytes, std::string_view name_or_format,
                                        const ImportOptions& options = {});

// {"template", "data", "unrecognised": [{"part", "paragraph", "text", "reason"}], "warnings": [error records]}:
// the answer of POST /api/import and the --report file of `vanban import`.
VANBAN_API nlohmann::json import_result_json(const ImportResult& result);

}  // namespace vanban
