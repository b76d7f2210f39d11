// vanban — the template catalogue: the bundled templates (templates/<name>/ with a template.json manifest, a JSON
// Schema and an example) and an agency's own, found on a search path before them.
//
//   for (const auto& t : vanban::bundled_templates()) std::cout << t.name << "  " << t.source << "\n";
//   vanban::ResolvedTemplate r = vanban::resolve_template("ke-hoach", "odt");   // or a path to a .docx/.odt/dir
//   auto tpl = vanban::Template::from_file(r.path);
//
// Custom templates: every function takes `template_dirs` (the CLI's and server's --templates), searched first, then
// the directories of the environment variable VANBAN_TEMPLATES (colon-separated), then the bundled ones. Each
// directory either is a template folder (it holds template.json) or holds template folders. A template folder is
// what a bundled one is — template.json, its variants (a docx/ or odt/ tree, or a .docx/.odt file), a schema, an
// example — and its manifest may say "extends": "ke-hoach" to inherit the schema, the example and the variants it
// does not have from the template of that name further down the path. A name found earlier hides the later ones.
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
    std::string schema_path;           // "" when it has no schema
    std::string example_path;          // "" when it has no example
    nlohmann::json manifest;  // the whole template.json (other flags, e.g. "unverified_layout"); variants found
                              // without a manifest entry, or inherited, are filled in as absolute paths
    std::string source;       // "bundled", or the folder of a custom template
    std::string extends;      // the template it inherits from ("" when none)

    // The file or directory to compile for `format` ("docx", "odt"; "pdf" means pdf_variant(), which LibreOffice
    // converts). Throws vanban::Error (DiagnosticKind::usage) when the template has no such variant.
    std::string variant_path(std::string_view format) const;
    // The variant a PDF is made from: the ODT when there is one (LibreOffice's own format; LibreOffice 7.4 prints a
    // DOCX footnote's own mark, w:customMarkFollows, twice: "(1)(1)"), else the DOCX.
    std::string pdf_variant() const;
    // The JSON Schema, parsed (nullopt when none). Throws vanban::Error (io, json_syntax) when it cannot be read.
    std::optional<nlohmann::json> schema() const;
    // The example data as text (what `vanban new` prints). Throws vanban::Error (usage) when there is none.
    std::string example() const;
};

// Every template on the search path (custom ones first, see above), sorted by name. Directories whose
// template.json cannot be read, or whose "extends" names no template, are left out.
VANBAN_API std::vector<BundledTemplate> bundled_templates(const std::vector<std::string>& template_dirs = {});

// The template called `name` on the search path, or nullopt.
VANBAN_API std::optional<BundledTemplate> find_bundled_template(std::string_view name,
                                                                const std::vector<std::string>& template_dirs = {});

// The template folder `dir` (it holds template.json), its "extends" resolved on the search path. Throws vanban::Error
// (usage) when its manifest cannot be read or its parent is not found.
VANBAN_API BundledTemplate load_template_folder(const std::string& dir,
                                                const std::vector<std::string>& template_dirs = {});

// What a command-line argument names: a bundled template (with its schema) or a template file/directory.
struct VANBAN_API ResolvedTemplate {
    std::string path;                        // the .docx/.odt file or template directory to compile
    std::optional<nlohmann::json> schema;    // bundled templates bring one
    std::string schema_name;                 // the schema's path, for messages
    std::optional<BundledTemplate> bundled;  // set when `path` is a bundled template's variant
};

// `name_or_path`: a template's name on the search path (looked up first when it has no '/'), else an existing file
// or directory; a template folder (with template.json) brings its schema like a named one. `format`: "docx", "odt"
// or "pdf" — which variant. Throws vanban::Error (DiagnosticKind::usage) when it is neither, or the template has no
// such variant.
VANBAN_API ResolvedTemplate resolve_template(const std::string& name_or_path, std::string_view format = "docx",
                                             const std::vector<std::string>& template_dirs = {});

// The directories searched, in order (existing ones only): `template_dirs`, VANBAN_TEMPLATES, the bundled root.
VANBAN_API std::vector<std::string> template_search_path(const std::vector<std::string>& template_dirs = {});

}  // namespace vanban
