// The ODT adapter: what OpenDocument text elements mean to the shared part compiler (core/xml_compiler.hpp), and how
// values, rich text and footnotes are written as OpenDocument. Text is character data in text:p / text:h and in
// text:span / text:a; runs of spaces are text:s elements; footnotes are inline text:note elements.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/program.hpp"
#include "core/xml_compiler.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::odt {

// Automatic text styles the adapter adds to every compiled part for rich text, index bold | italic << 1 |
// underline << 2 (index 0: no style of its own; the value inherits the span it stands in).
extern const char* const kRichStyles[8];

// Compiles `xml` (content.xml or styles.xml). Template errors are appended to `errors`; package errors (XML that does
// not parse, a DTD) too, with DiagnosticKind::package. With `hooks`, max_footnote_id receives the number of text:note
// elements the part already has (rich-text footnotes are numbered after them).
core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors,
                           core::PartHooks* hooks = nullptr);

// Writes values as OpenDocument. Stateless; one instance serves every render.
const core::Emitter& emitter();

// True for the parts that can hold visible text with tags: content.xml, and styles.xml (headers and footers live in
// its master pages).
bool is_story_part(std::string_view name);

inline constexpr std::string_view kMimetype = "application/vnd.oasis.opendocument.text";

}  // namespace vanban::odt
