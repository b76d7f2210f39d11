// docxtpl's Subdoc: the body of another DOCX placed where a {{p x }} tag stands, x being {"subdoc": <data: URI |
// base64 | file path>}. What the body needs comes with it, as docxcompose (docxtpl's composer) carries it over:
// styles the template does not have by name are copied (a style the template has by name or by id keeps the
// template's definition), each list gets its own copy of its numbering (new w:num and w:abstractNum ids, so it
// numbers on its own), pictures become new media parts with new relationships, hyperlinks new external
// relationships. What cannot be carried over faithfully (footnotes, comments, charts, embedded objects) is refused.
#pragma once

#include <string>

#include "core/package_format.hpp"
#include "core/program.hpp"

namespace vanban::docx {

// Writes the body of the sub-document `object` where the tag stands: the host paragraph is closed (and dropped when
// it holds nothing else), the body follows, and a paragraph is reopened for what follows the tag. Throws EvalError
// pointing into the data.
void write_subdoc(std::string& out, const core::json& object, const core::OutputSite& site, core::RenderState& state);

// After a render that placed sub-documents: the reopened paragraphs that stayed empty are removed from a rendered
// part (they were only the rest of the host paragraph).
void drop_empty_reopened_paragraphs(std::string& rendered);

// The package edits of the render's sub-documents: styles, numbering, relationships, content types, media.
void list_subdocs(const core::RenderState& state, core::PictureEdits& edits);

}  // namespace vanban::docx
