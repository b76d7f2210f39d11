// The DOCX package beyond its story parts: the page that sets the width of pictures, drawing ids, where pictures go
// and how the package lists them (relationships, content types), the footnotes part every compiled template has,
// and the styles and fonts `vanban check` looks at. All of it reads WordprocessingML as XML (libxml2).
#pragma once

#include <map>
#include <string>

#include "core/package_format.hpp"

namespace vanban::docx {

const core::PackageFormat& package_format();

// Rich text may produce footnotes, which need word/footnotes.xml, its content type and its relationship. For a
// template made without any footnote, the parts to add or replace (name → content) so that no render can point at a
// footnote that does not exist; empty when nothing is needed or the package is too broken to extend (validation
// then says why). `has` tells whether the template has an entry, `read` gives its content.
std::map<std::string, std::string> footnotes_part_additions(const std::function<bool(const std::string&)>& has,
                                                            const std::function<std::string(const std::string&)>& read);

}  // namespace vanban::docx
