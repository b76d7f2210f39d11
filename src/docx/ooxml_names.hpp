// The Office Open XML names that more than one file of vanban reads or writes: namespaces and package part names.
// One place, so the adapter (src/docx), the preview (docx_html.cpp) and the importer (src/import) agree.
#pragma once

#include <string_view>

namespace vanban::ooxml {

// Namespaces.
inline constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
inline constexpr const char* kWordprocessingDrawing =
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
inline constexpr const char* kRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
inline constexpr const char* kPackageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";
inline constexpr const char* kContentTypesNs = "http://schemas.openxmlformats.org/package/2006/content-types";
// Relationship types are this prefix and a name ("footnotes", "image", …).
inline constexpr std::string_view kRelationshipTypes =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

// Package parts.
inline constexpr const char* kContentTypesPart = "[Content_Types].xml";
inline constexpr const char* kPackageRelationshipsPart = "_rels/.rels";
inline constexpr const char* kDocumentPart = "word/document.xml";
inline constexpr const char* kDocumentRelationshipsPart = "word/_rels/document.xml.rels";
inline constexpr const char* kFootnotesPart = "word/footnotes.xml";
inline constexpr const char* kStylesPart = "word/styles.xml";
inline constexpr const char* kNumberingPart = "word/numbering.xml";

}  // namespace vanban::ooxml
