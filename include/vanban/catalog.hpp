// vanban — the bundled templates (templates/<name>/ with a template.json manifest, a JSON Schema and an example).
//
//   for (const auto& t : vanban::bundled_templates()) std::cout << t.name << "  " << t.description << "\n";
//   vanban::ResolvedTemplate r = vanban::resolve_template("ke-hoach", "odt");   // or a path to a .docx/.odt/dir
//   auto tpl = vanban::Template::from_file(r.path);
//
// Bundled templates are looked for, in this order, in <dir of the executable>/../share/vanban/templates,
// <dir of the executable>/templates, <dir of libvanban>/../share/vanban/templates, the source tree the library was
// built from, and the install directory; the first of these that holds any template is used (an installed copy before
// the build tree's).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/export.h"

namespace vanban {

// One bundled template, from its manifest (template.json):
//   {"name", "title", "description", "docx": "docx", "odt": "odt", "schema": "schema.json", "example": "example.json"}
struct VANBAN_API BundledTemplate {
    std::string name;         // the directory name, e.g. "ke-hoach"
    std::string title;        // short Vietnamese title (manifest "title", else the schema's "title", else the name)
    std::string description;  // manifest "description"
    std::string directory;    // absolute path of templates/<name>
    std::vector<std::string> formats;  // the variants it has: "docx", "odt" (in that order)
    std::string schema_path;   // "" when it has no schema
    std::string example_path;  // "" when it has no example
    nlohmann::json manifest;   // the whole template.json (other flags, e.g. "unverified_layout")

    // The file or directory to compile for `format` ("docx", "odt"; "pdf" means the DOCX variant, which
    // LibreOffice converts). Throws vanban::Error (DiagnosticKind::usage) when the template has no such variant.
    std::string variant_path(std::string_view format) const;
    // The JSON Schema, parsed (nullopt when none). Throws vanban::Error (io, json_syntax) when it cannot be read.
    std::optional<nlohmann::json> schema() const;
    // The example data as text (what `vanban new` prints). Throws vanban::Error (usage) when there is none.
    std::string example() const;
};

// Every bundled template, sorted by name. Directories whose template.json cannot be read are left out.
VANBAN_API std::vector<BundledTemplate> bundled_templates();

// The bundled template called `name`, or nullopt.
VANBAN_API std::optional<BundledTemplate> find_bundled_template(std::string_view name);

// What a command-line argument names: a bundled template (with its schema) or a template file/directory.
struct VANBAN_API ResolvedTemplate {
    std::string path;                       // the .docx/.odt file or template directory to compile
    std::optional<nlohmann::json> schema;   // bundled templates bring one
    std::string schema_name;                // the schema's path, for messages
    std::optional<BundledTemplate> bundled; // set when `path` is a bundled template's variant
};

// `name_or_path`: a bundled template's name (looked up first when it has no '/'), else an existing file or
// directory. `format`: "docx", "odt" or "pdf" — which variant of a bundled template. Throws vanban::Error
// (DiagnosticKind::usage) when it is neither, or the bundled template has no such variant.
VANBAN_API ResolvedTemplate resolve_template(const std::string& name_or_path, std::string_view format = "docx");

// The directories searched, in order (existing ones only).
VANBAN_API std::vector<std::string> template_search_path();

}  // namespace vanban
