#include "import.hpp"

#include <iostream>

#include <vanban/data.hpp>
#include <vanban/import.hpp>

namespace vanban::cli {

CLI::App* add_import_command(CLI::App& app, ImportArgs& args) {
    auto* cmd = app.add_subcommand("import", "read an existing plan (.docx, .odt, .txt, .md) into JSON data");
    cmd->add_option("file", args.file, "the document to read")->required();
    cmd->add_option("-o,--output", args.output, "the JSON data to write (default: standard output)");
    cmd->add_option("-t,--template", args.template_name, "the template the data is for (only ke-hoach today)");
    cmd->add_option("--report", args.report, "also write unrecognised places and warnings as JSON to this file");
    cmd->footer(
        "Every paragraph the importer cannot place is kept as a plain paragraph where it stood and listed on\n"
        "standard error (part, paragraph, first words). Check the data, then render it:\n"
        "  vanban import ke-hoach-cu.docx -o plan.json\n"
        "  vanban validate ke-hoach plan.json\n"
        "  vanban render ke-hoach plan.json -o ke-hoach-moi.docx");
    return cmd;
}

int run_import(const ImportArgs& args) {
    ImportOptions options;
    options.template_name = args.template_name;
    const ImportResult result = import_document(read_file(args.file), args.file, options);
    const std::string json = result.data.dump(2) + "\n";
    if (args.output.empty() || args.output == "-") std::cout << json << std::flush;
    else write_file_atomic(args.output, json);
    if (!args.report.empty()) write_file_atomic(args.report, import_result_json(result).dump(2) + "\n");
    for (const auto& u : result.unrecognised)
        std::cerr << "vanban: not recognised, kept as a plain paragraph: " << u.part << " ¶" << u.paragraph << ": \""
                  << u.text << "\" (" << u.reason << ")\n";
    for (const auto& w : result.warnings) std::cerr << "vanban: warning: " << w.to_string() << "\n";
    if (!result.unrecognised.empty())
        std::cerr << "vanban: " << result.unrecognised.size()
                  << " paragraph(s) not recognised; check them in the data\n";
    return 0;
}

}  // namespace vanban::cli
