// The DOCX adapter: what WordprocessingML elements mean to the shared part compiler (core/xml_compiler.hpp), and how
// values, rich text and footnotes are written as WordprocessingML.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/program.hpp"
#include "core/xml_compiler.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::docx {

using PartInfo = core::PartHooks;

// Compiles `xml` (the part named `part_name`). Template errors are appended to `errors`; package errors (XML that does
// not parse, a DTD) too, with DiagnosticKind::package.
core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors,
                           PartInfo* info = nullptr);

// Writes values as WordprocessingML. Stateless; one instance serves every render.
const core::Emitter& emitter();

// True for the parts that can hold visible text with tags.
bool is_story_part(std::string_view name);

}  // namespace vanban::docx
