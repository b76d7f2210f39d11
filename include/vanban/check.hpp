// vanban — checking a template before an agency puts it to use (`vanban check-template FILE|NAME`).
//
//   vanban::TemplateCheck c = vanban::check_template("ke-hoach");            // or a .docx/.odt, a folder
//   for (const auto& d : c.errors) std::cerr << d.to_string() << "\n";
//
// Errors: tags that do not parse or cannot be placed (every one, located), tags inside XML attributes (Word and
// LibreOffice rewrite attribute values when they save), styles referenced — by the XML or by a {% pstyle 'Name' %}
// literal — that the template does not define. Warnings: fields the template reads that its JSON Schema does not
// define, fields the schema requires that no tag reads, fonts the template names that are not installed here.
#pragma once

#include <string>
#include <vector>

#include "vanban/diagnostic.hpp"
#include "vanban/export.h"

namespace vanban {

struct VANBAN_API TemplateCheck {
    std::vector<std::string> checked;  // the variants looked at (paths)
    std::vector<Diagnostic> errors;    // the template cannot be used as it is
    std::vector<Diagnostic> warnings;  // it works, but have a look
    bool ok() const noexcept { return errors.empty(); }
};

// `name_or_path`: a template on the search path (every variant it has, with its schema), a template folder, or a
// .docx/.odt file or unzipped directory (no schema). Throws vanban::Error (usage) when it names nothing.
VANBAN_API TemplateCheck check_template(const std::string& name_or_path,
                                        const std::vector<std::string>& template_dirs = {});

}  // namespace vanban
