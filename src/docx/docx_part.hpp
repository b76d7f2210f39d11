// The DOCX adapter: turns one WordprocessingML story part (document, header, footer, footnotes, endnotes) into a
// compiled program. It joins the visible text of each paragraph before looking for tags — so tags that Word split
// over runs, proofing marks, bookmarks or rsid changes are still found — then moves every tag into the run where it
// starts and lifts block tags to the paragraph or table-row level they govern.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/program.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::docx {

struct PartInfo {
    bool footnotes_part = false;  // gets a hook where rich-text footnotes are appended
    int max_footnote_id = 0;      // highest w:id among existing footnotes (new ones are numbered after it)
};

// Compiles `xml` (the part named `part_name`). Template errors are appended to `errors`; package errors (XML that does
// not parse, a DTD) too, with DiagnosticKind::package.
core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors,
                           PartInfo* info = nullptr);

// Writes values as WordprocessingML. Stateless; one instance serves every render.
const core::Emitter& emitter();

// True for the parts that can hold visible text with tags.
bool is_story_part(std::string_view name);

}  // namespace vanban::docx
