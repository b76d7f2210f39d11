// The XML parts of a template package, for the template check (vanban check-template), and the adapter of its format.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/package_format.hpp"
#include "vanban/vanban.hpp"

namespace vanban::detail {

// Every part whose name ends in .xml or .rels, with its text, from a .docx/.odt file or an unzipped directory, under
// the package limits. Throws vanban::Error (package, io, limit).
std::vector<std::pair<std::string, std::string>> read_xml_parts(const std::string& path, const Limits& limits);

// What the api layer asks of a format (page, drawings, pictures, styles): the DOCX or ODT adapter.
const core::PackageFormat& package_format(Format format);

}  // namespace vanban::detail
