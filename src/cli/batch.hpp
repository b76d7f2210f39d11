// `vanban batch TEMPLATE RECORDS (-o OUTDIR | --zip OUT.zip)`: the command-line front end of vanban::batch.
//
// main.cpp wires it in:
//   vanban::cli::BatchArgs batch_args;
//   auto* batch = vanban::cli::add_batch_command(app, batch_args);
//   ...
//   if (*batch) return vanban::cli::run_batch(batch_args, how.json);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <vanban/vanban.hpp>

namespace vanban::cli {

// Where `vanban render` and `vanban batch` read pictures that a data file names by path ({"image": "chu-ky.png"}):
// the data file's own directory, the current one for standard input. (The library reads none unless told.)
inline std::string image_directory_for(const std::string& data_path) {
    if (data_path == "-") return ".";
    const std::filesystem::path parent = std::filesystem::path(data_path).parent_path();
    return parent.empty() ? "." : parent.string();
}

struct BatchArgs {
    std::string template_arg;                // file, directory or bundled template name
    std::vector<std::string> template_dirs;  // --templates
    std::string records;
    std::string output_dir;
    std::string zip;
    std::string name;
    std::string sheet;
    std::string format = "docx";  // docx | odt | pdf
    std::string records_format;   // "" | json | jsonl | csv | xlsx
    std::string schema;           // a JSON Schema file (bundled templates bring their own)
    std::string report;
    std::string sync = "end";             // end | each | none
    std::string defaults;                 // a JSON object file merged under every record
    std::vector<std::string> set_values;  // --set path=value (repeatable)
    int header_row = 0;                   // CSV/XLSX: the header row; 0: found by its field names
    unsigned jobs = 0;
    unsigned converters = 2;
    bool force = false;
    bool quiet = false;
    bool lenient = false;
    bool no_validate = false;
    Limits limits;
    int compression_level = kDefaultCompressionLevel;
};

// Adds the `batch` subcommand to `app`, storing what it parses in `args` (which must outlive parsing).
CLI::App* add_batch_command(CLI::App& app, BatchArgs& args);

// Runs it. Returns the exit status: 0 every record written (or up to date), 1 some record failed (or the batch
// could not run), 2 usage error, 130 interrupted (Ctrl-C / SIGTERM; the report is still written).
// `json_errors`: batch-level problems are printed as JSON (the global --errors json).
int run_batch(const BatchArgs& args, bool json_errors = false);

// `vanban sheet TEMPLATE -o mau.xlsx`: the workbook to fill for `vanban batch`.
struct SheetArgs {
    std::string template_arg;
    std::string output;
    std::string schema;  // for a template file/directory without a bundled schema
};
CLI::App* add_sheet_command(CLI::App& app, SheetArgs& args);
int run_sheet(const SheetArgs& args);

}  // namespace vanban::cli
