// Document properties rendered like parts: the title, subject, author, keywords, custom properties … of
// docProps/core.xml, app.xml, custom.xml (DOCX) and meta.xml (ODT) hold plain text, not paragraphs, so each text of
// an element is a small template of its own ({{ }} and {% %} blocks that open and close inside it). docxtpl renders
// six core properties with Jinja; vanban renders every text of those parts, so that no tag is left in a property.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/program.hpp"

namespace vanban::core {

// Whether `part` is a document-properties part of either format.
bool is_property_part(std::string_view part);

// Compiles a property part. Template errors are appended to `errors` (located by part and tag); XML that does not
// parse is a package error.
Program compile_property_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors);

}  // namespace vanban::core
