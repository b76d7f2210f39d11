// The XML parts of a template package, for the template check (vanban check-template).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vanban/vanban.hpp"

namespace vanban::detail {

// Every part whose name ends in .xml or .rels, with its text, from a .docx/.odt file or an unzipped directory, under
// the package limits. Throws vanban::Error (package, io, limit).
std::vector<std::pair<std::string, std::string>> read_xml_parts(const std::string& path, const Limits& limits);

}  // namespace vanban::detail
