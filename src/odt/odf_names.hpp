// The OpenDocument names that more than one file of vanban reads or writes: namespaces and package part names.
// One place, so the adapter (src/odt) and the importer (src/import) agree.
#pragma once

namespace vanban::odf {

// Namespaces.
inline constexpr const char* kOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
inline constexpr const char* kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
inline constexpr const char* kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
inline constexpr const char* kStyle = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
inline constexpr const char* kFo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";
inline constexpr const char* kDraw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
inline constexpr const char* kSvg = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0";
inline constexpr const char* kXlink = "http://www.w3.org/1999/xlink";

// Package parts.
inline constexpr const char* kContentPart = "content.xml";
inline constexpr const char* kStylesPart = "styles.xml";

}  // namespace vanban::odf
