// `vanban import FILE [-o plan.json] [--template ke-hoach] [--report report.json]`: the command-line front end of
// vanban::import_document. main.cpp wires it in like `batch`:
//   vanban::cli::ImportArgs import_args;
//   auto* import = vanban::cli::add_import_command(app, import_args);
//   if (*import) return vanban::cli::run_import(import_args);
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace vanban::cli {

struct ImportArgs {
    std::string file;
    std::string output;  // "" or "-": standard output
    std::string template_name = "ke-hoach";
    std::string report;
};

CLI::App* add_import_command(CLI::App& app, ImportArgs& args);

// Writes the data, lists every unrecognised place and warning on stderr; 0 when the data was written (even with
// unrecognised places: they are kept as plain paragraphs), 1 when the file could not be imported.
int run_import(const ImportArgs& args);

}  // namespace vanban::cli
